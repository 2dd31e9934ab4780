"""Chains: a block's hops ordered into flows, from NHS Digital (or the first sender) onward.

Families.  A hop carries what reached its sender in this block (what a DSCRO received
from NHS Digital and from providers; a processor's linkage data, such as GP data, stays
with it), narrowed to the families its sentence names (a sentence that introduces a
list, "transfers the following to the CSU:", names those of its items); a sentence that
names only families its sender never received ("The identifiable SUS data … is
transferred from North West DSCRO to Central Midlands DSCRO" in a mental health block)
narrows nothing.  A hop whose sender received nothing in the block carries the families
its sentence names, else the block's.

Identifiability.  The hop into a DSCRO is identifiable (pseudonymisation happens there).
Any other hop takes the level its sentence states; else, leaving NHS Digital or a DSCRO,
the next level stated down the chain (else the block's default); else the level of what
its sender received, or the level the sender turned it into ("transferred to the
MedeAnalytics secure landing zone where it is Pseudonymised": what leaves MedeAnalytics
is pseudonymised).  A hop into a CEfF is identifiable unless stated otherwise.

One label per copy.  A chain is cut into flows where the level of the copy changes: an
identifiable chain NHS Digital -> DSCRO -> CSU and the pseudonymised onward CSU -> CCG
are two flows, each with the level of all its hops (the hop into the DSCRO counts with
what leaves it).  Online access at the end of a chain is a flow of its own kind.
Provider feeds become flows of their own kind too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from .._speed import memoised, positional, replacer
from ..errors import Span
from ..model import Entry, Flow, FlowKind, Hop, Identifiability, OptOut, Organisation, Role
from ..names import category_identifiability
from .hops import RawHop
from .mentions import CEFF, NHS_DIGITAL, UNSTATED_CSU
from .rules import rules
from .sections import Block

__all__ = ["DSCRO_HOLDINGS", "block_families", "chains", "flow", "numbered"]

#: the key under which the regional offices hold data, as one (see :func:`_holder`)
DSCRO_HOLDINGS = "dscro"

_TRANSFER_SERVICE = rules().transfer_service

#: the records made for every hop and flow, called with every field by position (order checked)
_HOP = positional(
    Hop,
    (
        "source",
        "target",
        "identifiability",
        "evidence",
        "families",
        "landing_only",
        "unit",
        "source_text",
        "target_text",
        "access",
        "context",
        "inferred",
        "landing_evidence",
        "items",
    ),
)
_FLOW = positional(
    Flow,
    (
        "id",
        "entry",
        "reference",
        "agreement",
        "purpose",
        "kind",
        "families",
        "identifiability",
        "hops",
        "period",
        "opt_outs",
        "linked",
        "until",
        "key_holder",
        "segregation",
        "linked_families",
        "opt_outs_stated",
        "opt_outs_evidence",
        "until_evidence",
        "opt_outs_families",
    ),
)
#: a flow given its id (:func:`numbered`): ``replace(flow, id=...)`` without the frozen ``__init__``
_WITH_ID = replacer(Flow, "id")

#: a released file's category read as a level, remembered: asked for every file of the entry
#: in each of its blocks, of a few dozen distinct categories
_CATEGORY_LEVEL = memoised(1024)(category_identifiability)

#: Families that reach a processor from elsewhere (GP systems, councils), never from NHS Digital.
_NOT_FROM_SOURCE = frozenset({"GP", "SOCIAL-CARE", "CHC", "CPRD"})


def block_families(entry: Entry, named: frozenset[str]) -> tuple[str, ...]:
    """Families a block names, restricted to the entry's own Datasets (all of them if none named).

    A quarterly register lists only the files released that quarter, so its statements
    are not restricted to them.
    """
    own = set(entry.families)
    if entry.variant == "quarterly-register":
        return tuple(sorted(named or own))
    if not own:
        return tuple(sorted(named))
    kept = named & own
    return tuple(sorted(kept or own))


def chains(
    entry: Entry,
    block: Block,
    raw: list[RawHop],
    default: Identifiability,
    families: tuple[str, ...],
    *,
    until: tuple[str, Span] | None = None,
    linked: dict[str, frozenset[str]] | None = None,
) -> list[Flow]:
    """Order a block's hops into paths from NHS Digital (or the first sender) onward.

    ``linked`` maps an organisation id (or :data:`DSCRO_HOLDINGS`, the regional offices) to
    families the block says are linked in or held there.
    """
    hops: list[RawHop] = []
    at: dict[tuple[str, str], int] = {}
    feeds: list[RawHop] = []
    for h in raw:
        if h.sender.role in (Role.PROVIDER, Role.DIRECT_CARE):
            feeds.append(h)
            continue
        key = (h.sender.id, h.receiver.id)
        i = at.get(key)
        if i is None:
            at[key] = len(hops)
            hops.append(h)
            continue
        first = hops[i]
        if h.families and first.families and not h.families <= first.families:
            # the same hop stated again for other families ("3. a) … transfers the SUS data …
            # to South East CSU", "4. … transfers the MHMDS, MHSDS, MHLDDS and MSDS data … to
            # South East CSU"): a hop of its own, whose evidence names what it carries
            hops.append(h)
            continue
        # the same hop stated again ("… transfers the data to the CSU", "… lands the data"): one
        # hop, with all it carries
        hops[i] = replace(
            first,
            families=first.families | h.families,
            identifiability=first.identifiability or h.identifiability,
            landing_only=first.landing_only or h.landing_only,
            landed=first.landed if first.landing_only else h.landing_sentence,
            then=first.then or h.then,
        )  # its items stay its own sentence's: an item is cited with its list head only
    hops = [h for h in hops if not h.implied or sum(x.receiver.id == h.receiver.id for x in hops) == 1]
    carried = _carried(entry, families, hops, feeds, linked or {})
    hops = _by_released_level(entry, hops, carried)
    flows = [_feed(entry, block, h, families, until) for h in feeds if not _unstated(h)]
    used: set[int] = set()
    receivers = {h.receiver.id for h in hops}
    # "CCG staff then download the processed, Pseudonymised data from the NEL CSU transfer
    # service": a chain that starts at a CSU's transfer service nothing in the block reaches
    # goes on from the block's DSCRO (the service lands what the DSCRO pushes)
    dscro = next((h.receiver for h in (*feeds, *hops) if h.receiver.role is Role.DSCRO), None)
    for start, h in enumerate(hops):
        if start in used or (h.sender.id in receivers and h.sender.id != NHS_DIGITAL):
            continue
        path = _follow(hops, start, used)
        if dscro is not None and path[0].sender.role is Role.CSU and _TRANSFER_SERVICE.search(path[0].sentence.text):
            path = [_landed_from(path[0], dscro), *path]
            carried[id(path[0])] = carried[id(path[1])]
        flows.extend(_path_flows(entry, block, path, default, carried, until))
    for i in range(len(hops)):  # cycles, or hops whose sender is reached only later
        if i not in used:
            flows.extend(_path_flows(entry, block, _follow(hops, i, used), default, carried, until))
    return flows


def _feed(entry: Entry, block: Block, h: RawHop, families: tuple[str, ...], until: tuple[str, Span] | None) -> Flow:
    fams = _narrow(entry, families, h)
    level = h.identifiability or Identifiability.IDENTIFIABLE
    return flow(entry, block.purpose, FlowKind.PROVIDER_FEED, [_hop(h, level, fams)], fams, level, until=until)


def _carried(
    entry: Entry,
    families: tuple[str, ...],
    hops: list[RawHop],
    feeds: list[RawHop],
    linked: dict[str, frozenset[str]],
) -> dict[int, tuple[str, ...]]:
    """The families each hop carries (by ``id`` of the hop), in the order the text states them."""
    arrived: dict[str, set[str]] = {}
    for org_id, more in linked.items():
        holder = DSCRO_HOLDINGS if org_id == DSCRO_HOLDINGS else None
        holder = holder or next((_holder(h.receiver) for h in hops if h.receiver.id == org_id), None)
        if holder is not None:
            arrived.setdefault(holder, set()).update(f for f in more if f in families)
    for h in feeds:
        if h.receiver.role is Role.DSCRO:  # providers' data leaves a DSCRO; linkage data stays put
            arrived.setdefault(_holder(h.receiver), set()).update(_narrow(entry, families, h))
    out: dict[int, tuple[str, ...]] = {}
    fams: tuple[str, ...]
    for h in hops:
        named = _named(entry, families, h)
        got = arrived.get(_holder(h.sender))
        if named and got:  # a holder passes on only what reached it: the sentence narrows that
            fams = tuple(sorted(got.intersection(named) or got))
        elif not named and _is_release(h) and entry.families:
            fams = entry.families  # what NHS Digital released to the applicant: its released files
        elif h.receiver.role is Role.SOURCE:
            fams = named  # a cohort or list sent to NHS Digital for linkage is no register dataset
        else:
            fams = named or (tuple(sorted(got)) if got else families)
        if h.sender.role is Role.SOURCE:
            fams = tuple(f for f in fams if f not in _NOT_FROM_SOURCE or f in h.families)
        out[id(h)] = fams
        arrived.setdefault(_holder(h.receiver), set()).update(fams)
    return out


def _is_release(h: RawHop) -> bool:
    """A hop from NHS Digital straight to a recipient (not into one of its regional offices)."""
    return h.sender.role is Role.SOURCE and h.receiver.role is not Role.DSCRO


def _by_released_level(entry: Entry, hops: list[RawHop], carried: dict[int, tuple[str, ...]]) -> list[RawHop]:
    """A release whose sentence states no level takes the level of the entry's released files
    of its families (their category: "Identifiable", "Anonymised - ICO code compliant"); where
    those differ by family it is one hop per level.  Updates ``carried`` for the new hops."""
    levels = _released_levels(entry)
    if not levels:
        return hops
    out = []
    for h in hops:
        if not _is_release(h) or h.identifiability is not None:
            out.append(h)
            continue
        groups: dict[Identifiability | None, list[str]] = {}
        for fam in carried[id(h)]:
            groups.setdefault(levels.get(fam), []).append(fam)
        if list(groups) == [None]:
            out.append(h)
            continue
        for level, fams in groups.items():
            part = replace(h, identifiability=level, families=h.families & set(fams))
            carried[id(part)] = tuple(fams)
            out.append(part)
    return out


def _released_levels(entry: Entry) -> dict[str, Identifiability]:
    """Family -> the one level of its released files, where they have one."""
    found: dict[str, set[Identifiability | None]] = {}
    for d in entry.datasets:
        if d.family and d.category:
            found.setdefault(d.family, set()).add(_CATEGORY_LEVEL(d.category))
    out: dict[str, Identifiability] = {}
    for fam, levels in found.items():
        level = next(iter(levels))
        if len(levels) == 1 and level is not None:
            out[fam] = level
    return out


def _holder(org: Organisation) -> str:
    """Whose holdings a hop adds to: the regional offices hold as one ("Yorkshire / North of
    England DSCRO also obtains … local provider data"), as parts of NHS Digital."""
    return DSCRO_HOLDINGS if org.role is Role.DSCRO else org.id


def _follow(hops: list[RawHop], start: int, used: set[int]) -> list[RawHop]:
    path = [hops[start]]
    used.add(start)
    visited = {hops[start].sender.id, hops[start].receiver.id}
    while True:
        tail = path[-1].receiver.id
        nxt = next(
            (i for i, h in enumerate(hops) if i not in used and h.sender.id == tail and h.receiver.id not in visited),
            None,
        )
        if nxt is None:
            return path
        used.add(nxt)
        visited.add(hops[nxt].receiver.id)
        path.append(hops[nxt])


def _path_flows(
    entry: Entry,
    block: Block,
    path: list[RawHop],
    default: Identifiability,
    carried: dict[int, tuple[str, ...]],
    until: tuple[str, Span] | None,
) -> list[Flow]:
    """The flows of one chain: cut where the copy's level changes, and where online access begins."""
    fams = [carried[id(h)] for h in path]
    if path[0].sender.role is Role.DSCRO:
        path = [_implicit_source(path[0]), *path]
        fams = [(), *fams]
    for i in range(len(path) - 1):  # what leaves a DSCRO came into it from NHS Digital (it is part of it)
        if path[i].sender.role is Role.SOURCE and path[i].receiver.role is Role.DSCRO:
            fams[i] = tuple(sorted({*fams[i], *(f for f in fams[i + 1] if f not in _NOT_FROM_SOURCE)}))
    levels = _levels(path, default)
    hops = [_hop(h, level, f) for h, level, f in zip(path, levels, fams, strict=True)]
    stated_until = next(((h.until, h.sentence.evidence) for h in path if h.until), None)
    out = []
    for kind, part in (p for run in _stated(hops) for p in _parts(run)):
        part_fams = tuple(sorted(set[str]().union(*(h.families for h in part))))
        out.append(
            flow(entry, block.purpose, kind, part, part_fams, part[-1].identifiability, until=until or stated_until)
        )
    return out


def _unstated(h: RawHop | Hop) -> bool:
    """A hop to or from "the CSU" where the text does not say which CSU."""
    a, b = (h.sender, h.receiver) if isinstance(h, RawHop) else (h.source, h.target)
    return a.id == UNSTATED_CSU.id or b.id == UNSTATED_CSU.id


def _stated(hops: list[Hop]) -> list[list[Hop]]:
    """A chain without its hops to or from a CSU the text does not name: the runs before and
    after them (a run that only reaches a DSCRO is no copy leaving it, and is dropped)."""
    runs: list[list[Hop]] = [[]]
    for h in hops:
        if _unstated(h):
            runs.append([])
        else:
            runs[-1].append(h)
    if len(runs) == 1:
        return runs
    return [r for r in runs if r and not _into_dscro(r)]


def _levels(path: Sequence[RawHop], default: Identifiability) -> list[Identifiability]:
    """The identifiability of each hop of a chain (module docstring)."""
    levels: list[Identifiability] = []
    for i, h in enumerate(path):
        if h.receiver.role is Role.DSCRO:
            level = (
                Identifiability.PSEUDONYMISED
                if h.identifiability is Identifiability.PSEUDONYMISED and not h.sentence.facts.says_identifiable
                else Identifiability.IDENTIFIABLE
            )
        elif h.identifiability is not None:
            level = h.identifiability
        elif h.sender.role in (Role.SOURCE, Role.DSCRO) or not levels:
            later = (x.identifiability for x in path[i + 1 :] if not x.access and x.receiver.role is not Role.DSCRO)
            level = next((x for x in later if x is not None), None) or _unit_level(h) or default
        else:
            level = path[i - 1].then or _unit_level(h) or levels[-1]
        levels.append(level)
    return levels


def _unit_level(h: RawHop) -> Identifiability | None:
    return Identifiability.IDENTIFIABLE if h.unit == CEFF else None  # a CEfF exists to hold identifiable data


def _parts(hops: list[Hop]) -> list[tuple[FlowKind, list[Hop]]]:
    """A chain cut into copies: a new flow where the level changes (the hop into a DSCRO
    goes with what leaves it) and where online access at the end of the chain begins."""
    cut = len(hops)
    while cut > 0 and hops[cut - 1].access:
        cut -= 1
    out: list[tuple[FlowKind, list[Hop]]] = []
    for kind, run in ((FlowKind.TRANSFER, hops[:cut]), (FlowKind.ACCESS, hops[cut:])):
        part: list[Hop] = []
        for h in run:
            if part and h.identifiability is not part[-1].identifiability and not _into_dscro(part):
                out.append((kind, part))
                part = []
            part.append(h)
        if part:
            out.append((kind, part))
    return out


def _into_dscro(part: list[Hop]) -> bool:
    """True while a part holds only hops into a DSCRO (they join the copy that leaves it)."""
    return all(h.target.role is Role.DSCRO for h in part)


def _named(entry: Entry, families: tuple[str, ...], h: RawHop) -> tuple[str, ...]:
    """The block's families a hop's sentence names (for a quarterly register, any it names)."""
    named = h.families & set(families)
    if not named and entry.variant == "quarterly-register" and h.families:
        return tuple(sorted(h.families))
    return tuple(sorted(named))


def _narrow(entry: Entry, families: tuple[str, ...], h: RawHop) -> tuple[str, ...]:
    return _named(entry, families, h) or families


def _implicit_source(first: RawHop) -> RawHop:
    """NHS Digital -> DSCRO, put in front of the sentence in which the DSCRO first acts."""
    nd = Organisation(NHS_DIGITAL, "NHS Digital", Role.SOURCE)
    return replace(
        first,
        sender=nd,
        receiver=first.sender,
        sender_text="",
        receiver_text=first.sender_text,
        landing_only=False,
        landed=None,
        unit=None,
        identifiability=Identifiability.IDENTIFIABLE,
        access=False,
        inferred=True,
        then=None,
        items=(),
    )


def _landed_from(first: RawHop, dscro: Organisation) -> RawHop:
    """DSCRO -> CSU, put in front of a chain that starts at a CSU no hop of its block reaches."""
    return replace(
        first,
        sender=dscro,
        receiver=first.sender,
        sender_text="",
        receiver_text=first.sender_text,
        landing_only=False,
        landed=None,
        unit=None,
        access=False,
        inferred=True,
        then=None,
        items=(),
    )


def _hop(h: RawHop, ident: Identifiability, families: tuple[str, ...] = ()) -> Hop:
    return _HOP(
        h.sender,
        h.receiver,
        ident,
        h.sentence.evidence,
        families,
        h.landing_only,
        h.unit,
        h.sender_text,
        h.receiver_text,
        h.access,
        h.context.evidence if h.context else None,
        h.inferred,
        landed.evidence if (landed := h.landing_sentence) else None,
        tuple(p.evidence for p in h.items),
    )


def flow(
    entry: Entry,
    purpose: str,
    kind: FlowKind,
    hops: list[Hop],
    families: tuple[str, ...],
    ident: Identifiability,
    *,
    linked: tuple[str, ...] = (),
    until: tuple[str, Span] | None = None,
    key_holder: str | None = None,
) -> Flow:
    """A flow record of the entry, not yet numbered."""
    return _FLOW(
        "",  # id: numbered later
        entry.id,
        entry.reference,
        entry.agreement,
        purpose or "Unspecified",
        kind,
        families,
        ident,
        tuple(hops),
        entry.period,
        entry.opt_outs.honoured,
        linked,
        until[0] if until else None,
        key_holder,
        (),  # segregation
        (),  # linked_families
        OptOut.UNKNOWN,  # opt_outs_stated
        None,  # opt_outs_evidence
        until[1] if until else None,
        (),  # opt_outs_families
    )


def numbered(entry: Entry, flows: list[Flow]) -> list[Flow]:
    """Give flows stable ids (entry id + position); drop exact repeats."""
    out: list[Flow] = []
    seen: set[tuple[object, ...]] = set()
    for f in flows:
        key = (f.kind, f.purpose, f.families, f.identifiability, tuple((h.source.id, h.target.id) for h in f.hops))
        if key in seen:
            continue
        seen.add(key)
        out.append(_WITH_ID(f, f"{entry.id}/flow-{len(out) + 1}"))
    return out
