"""Chains: a block's hops ordered into flows, from NHS Digital (or the first sender) onward.

The hop into a DSCRO is identifiable; the rest take the identifiability their sentence
states, else the flow's, else the block's default.  Each hop keeps the families its
sentence narrows to, within the entry's own Datasets.  Provider feeds become flows of
their own kind, and so does online access at the end of a chain.
"""

from __future__ import annotations

from dataclasses import replace

from ..errors import Span
from ..model import Entry, Flow, FlowKind, Hop, Identifiability, Organisation, Role
from .hops import RawHop
from .mentions import CEFF, NHS_DIGITAL
from .sections import Block

__all__ = ["block_families", "chains", "flow", "numbered"]

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
    entry: Entry, block: Block, raw: list[RawHop], default: Identifiability, families: tuple[str, ...]
) -> list[Flow]:
    """Order a block's hops into paths from NHS Digital (or the first sender) onward."""
    hops: list[RawHop] = []
    seen: set[tuple[str, str]] = set()
    feeds: list[Flow] = []
    for h in raw:
        key = (h.sender.id, h.receiver.id)
        if h.sender.role in (Role.PROVIDER, Role.DIRECT_CARE):
            fams = _narrow(entry, families, h)
            feeds.append(
                flow(
                    entry,
                    block.purpose,
                    FlowKind.PROVIDER_FEED,
                    [_hop(h, h.identifiability or Identifiability.IDENTIFIABLE, fams)],
                    fams,
                    h.identifiability or Identifiability.IDENTIFIABLE,
                )
            )
            continue
        if key in seen:
            i = next(i for i, x in enumerate(hops) if (x.sender.id, x.receiver.id) == key)
            if hops[i].identifiability is None and h.identifiability is not None:
                hops[i] = replace(hops[i], identifiability=h.identifiability)
            if h.landing_only and not hops[i].landing_only:
                hops[i] = replace(hops[i], landing_only=True)
            continue
        seen.add(key)
        hops.append(h)
    flows: list[Flow] = []
    used: set[int] = set()
    receivers = {h.receiver.id for h in hops}
    for start, h in enumerate(hops):
        if start in used or (h.sender.id in receivers and h.sender.id != NHS_DIGITAL):
            continue
        path = _follow(hops, start, used)
        flows.extend(_path_flows(entry, block, path, default, families))
    for i in range(len(hops)):  # cycles, or hops whose sender is reached only later
        if i not in used:
            flows.extend(_path_flows(entry, block, _follow(hops, i, used), default, families))
    return feeds + flows


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
    entry: Entry, block: Block, path: list[RawHop], default: Identifiability, families: tuple[str, ...]
) -> list[Flow]:
    """One flow for a chain of hops; each hop keeps the families its sentence narrows to."""
    if path[0].sender.role is Role.DSCRO:
        path = [_implicit_source(path[0]), *path]
    stated = [
        h.identifiability
        for h in path
        if h.sender.role is not Role.SOURCE and h.receiver.role is not Role.DSCRO and h.identifiability
    ]
    flow_ident = stated[-1] if stated else default
    hops = []
    for h in path:
        if h.sender.role is Role.SOURCE:
            fams = tuple(f for f in families if f not in _NOT_FROM_SOURCE or f in h.families)
        else:
            fams = _narrow(entry, families, h)
        if h.receiver.role is Role.DSCRO:
            ident = (
                Identifiability.PSEUDONYMISED
                if h.identifiability is Identifiability.PSEUDONYMISED and not h.sentence.facts.says_identifiable
                else Identifiability.IDENTIFIABLE
            )
        elif h.identifiability is not None:
            ident = h.identifiability
        elif h.unit == CEFF:
            ident = Identifiability.IDENTIFIABLE  # a CEfF exists to hold identifiable data
        else:
            ident = flow_ident if h.sender.role is not Role.SOURCE else default
        hops.append(_hop(h, ident, fams))
    until = next((h.until for h in path if h.until), None)
    # "CCG users use online features of X's system": the copy stays at X; reading it
    # online is a flow of its own kind, after the transfer that brought the copy to X.
    cut = len(hops)
    while cut > 0 and hops[cut - 1].access:
        cut -= 1
    out = []
    for kind, part in ((FlowKind.TRANSFER, hops[:cut]), (FlowKind.ACCESS, hops[cut:])):
        if part:
            fams = tuple(sorted(set[str]().union(*(h.families for h in part))))
            ident = flow_ident if kind is FlowKind.TRANSFER else part[-1].identifiability
            out.append(flow(entry, block.purpose, kind, part, fams, ident, until=until))
    return out


def _narrow(entry: Entry, families: tuple[str, ...], h: RawHop) -> tuple[str, ...]:
    named = h.families & set(families)
    if not named and entry.variant == "quarterly-register" and h.families:
        return tuple(sorted(h.families))
    return tuple(sorted(named)) if named else families


def _implicit_source(first: RawHop) -> RawHop:
    """NHS Digital -> DSCRO, stated by the sentence in which the DSCRO first acts."""
    nd = Organisation(NHS_DIGITAL, "NHS Digital", Role.SOURCE)
    return replace(
        first,
        sender=nd,
        receiver=first.sender,
        sender_text="",
        receiver_text=first.sender_text,
        landing_only=False,
        unit=None,
        identifiability=Identifiability.IDENTIFIABLE,
        access=False,
    )


def _hop(h: RawHop, ident: Identifiability, families: tuple[str, ...] = ()) -> Hop:
    return Hop(
        h.sender,
        h.receiver,
        ident,
        h.sentence.evidence,
        families=families,
        landing_only=h.landing_only,
        unit=h.unit,
        source_text=h.sender_text,
        target_text=h.receiver_text,
        access=h.access,
        context=h.context.evidence if h.context else None,
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
    until: str | None = None,
    key_holder: str | None = None,
) -> Flow:
    """A flow record of the entry, not yet numbered."""
    return Flow(
        id="",
        entry=entry.id,
        reference=entry.reference,
        agreement=entry.agreement,
        purpose=purpose or "Unspecified",
        kind=kind,
        families=families,
        identifiability=ident,
        hops=tuple(hops),
        period=entry.period,
        opt_outs=entry.opt_outs.honoured,
        linked=linked,
        until=until,
        key_holder=key_holder,
    )


def numbered(entry: Entry, flows: list[Flow], segregation: tuple[Span, ...]) -> list[Flow]:
    """Give flows stable ids (entry id + position) and the entry's segregation statements;
    drop exact repeats."""
    out: list[Flow] = []
    seen: set[tuple[object, ...]] = set()
    for f in flows:
        key = (f.kind, f.purpose, f.families, f.identifiability, tuple((h.source.id, h.target.id) for h in f.hops))
        if key in seen:
            continue
        seen.add(key)
        out.append(replace(f, id=f"{entry.id}/flow-{len(out) + 1}", segregation=segregation))
    return out
