"""Special flows: linkage, re-identification, the host of a system and the key holder.

"Allowed linkage is between … and the following data:" brings listed local data into
the holder for linkage; "GPs can re-identify …" or "GPs have access to the risk
stratification tool" is a re-identification flow from the holder of the records (the one
the sentence names, else the host of the system the block names, else the processor the
block's hops reach) to the GP practices; the hop's ``context`` is the sentence that names
the holder when the re-identification sentence does not.
"""

from __future__ import annotations

import re
from dataclasses import replace

from ..model import Entry, Flow, FlowKind, Hop, Identifiability, Organisation, Role
from ..names import identifiability_in
from .chains import flow
from .hops import NEGATION, RawHop
from .mentions import LOCAL_SOURCES, Context, mentions_in
from .rules import rules
from .sections import Block
from .sentences import ITEM_START, Piece, first

__all__ = ["block_host", "special_flows"]

_R = rules()
_LINKAGE = _R.linkage
_LINKAGE_LIST = _R.linkage_list
_REID = _R.reidentification
_STEP = _R.step_number
_HOSTED_BY = _R.hosted_by
_HOSTED_THING = _R.hosted_thing
_ROLE_WORDS = _R.role_words
#: where a clause ends, around "who hosts" or "hosted by"
_CLAUSE = re.compile(r"[,;:()]|\.\s")


def special_flows(
    entry: Entry,
    block: Block,
    s: Piece,
    rest: list[Piece],
    ctx: Context,
    raw: list[RawHop],
    default: Identifiability,
) -> list[Flow]:
    """The linkage and re-identification flows one sentence states."""
    flows: list[Flow] = []
    if first(_LINKAGE, s.text) and s.ends_list and _LINKAGE_LIST.search(s.text):
        step = _step(block, s)
        number = next((n for x in step if (n := _number(x.text)) is not None), None)
        items = []
        kind = None
        for nxt in rest:
            if not nxt.is_item:
                break
            # the list ends where the items change kind: "o Hospice data" then "6) Access is…"
            # goes back to the numbered points around the list
            if kind is None:
                kind = _marker_kind(nxt.text)
            elif _marker_kind(nxt.text) != kind:
                break
            # … and at the next step of those points ("4. … Linked data is limited to the
            # following:" then "5. eMBED securely transfer …"), or at a numbered step that moves data
            at = _number(nxt.text)
            if at is not None and ((number is not None and at == number + 1) or nxt.facts.transfer):
                break
            items.append(ITEM_START.sub("", nxt.text).strip(" .;"))
        holder = _holder(step, ctx, raw)
        src = ctx.names.by_id.get(LOCAL_SOURCES)
        if items and holder is not None and src is not None:
            hop = Hop(
                src, holder, identifiability_in(s.text) or default, s.evidence, source_text="", target_text=holder.name
            )
            # "the data sets contained within point 1": what the holder itself received
            into = [h for h in raw if h.receiver.id == holder.id]
            fams = (
                tuple(
                    sorted(set[str]().union(*(h.families for h in into)) & set(entry.families) or set(entry.families))
                )
                if into
                else entry.families
            )
            flows.append(
                replace(
                    flow(entry, block.purpose, FlowKind.LINKAGE, [hop], (), hop.identifiability, linked=tuple(items)),
                    linked_families=fams,
                )
            )
    if first(_REID, s.text) and not first(NEGATION, s.text.split(",")[0]):
        flows.extend(_reidentification(entry, block, s, ctx, raw))
    return flows


def _step(block: Block, s: Piece) -> list[Piece]:
    """The sentence and those before it on its line, nearest first: the step it is part of
    ("4. eMBED receives the Pseudonymised data for … linkage of data sets and analysis. Linked
    data is limited to the following …:")."""
    at = next(i for i, x in enumerate(block.sentences) if x is s)
    out = [s]
    for x in reversed(block.sentences[:at]):
        if x.line is not s.line:
            break
        out.append(x)
    return out


def _number(text: str) -> int | None:
    m = _STEP.match(text)
    return int(m.group(1)) if m else None


def _holder(step: list[Piece], ctx: Context, raw: list[RawHop]) -> Organisation | None:
    """Where listed data is linked: the processor or CSU the sentence names, else the one its
    step names, else the receiver of a hop the step states; never a holder of an earlier step."""
    for x in step:
        found = next((m.org for m in mentions_in(x.text, ctx) if m.org.role in (Role.PROCESSOR, Role.CSU)), None)
        if found is not None:
            return found
    return next((h.receiver for h in reversed(raw) if any(h.sentence is x for x in step)), None)


def _marker_kind(text: str) -> str:
    """What an item's marker is: a number, a letter or a bullet ("1)", "a.", "o", "•")."""
    marker = text.lstrip()[:1]
    if marker.isdigit() or (marker == "(" and text.lstrip()[1:2].isdigit()):
        return "number"
    m = ITEM_START.match(text)
    if m is not None and len(m.group(0).strip()) > 1 and marker.isalpha():
        return "letter"
    return "bullet"


def _reidentification(entry: Entry, block: Block, s: Piece, ctx: Context, raw: list[RawHop]) -> list[Flow]:
    """GPs re-identify from the holder of the records: the one the sentence names, else the host
    of the system the block states ("The CCG who hosts the risk stratification system", PurposeStatements
    808), else the one its role word stands for ("Data Processor 2"), else the receiver of the block's
    last hop, else a holder the block names.  "within the data processor" where no "Data Processor N"
    heading says which is no holder: the route is left out rather than given to the entry's CSU."""
    mentions = mentions_in(s.text, ctx)
    who = next((m for m in mentions if m.org.role is Role.DIRECT_CARE), None)
    if who is None:
        return []
    holders = (Role.PROCESSOR, Role.CSU)
    stated = [m for m in mentions if m.org.role in holders and _stated(m.text, m.org, ctx)]
    said: Piece | None = None  # the sentence that names the holder, when not this one
    holder = next((m.org for m in stated if not m.generic), None)
    if holder is None and (host := block_host(block, ctx)) is not None:
        holder, said = host
    if holder is None:
        holder = next((m.org for m in stated), None)
    if holder is None:
        last = next(
            (h for h in reversed(raw) if h.receiver.role in holders and _stated(h.receiver_text, h.receiver, ctx)), None
        )
        if last is not None:
            holder, said = last.receiver, last.sentence
    if holder is None:
        holder, said = next(
            (
                (m.org, x)
                for x in block.sentences
                for m in mentions_in(x.text, ctx)
                if m.org.role in holders and _stated(m.text, m.org, ctx)
            ),
            (None, None),
        )
    if holder is None:
        return []
    keys = _key_holder(block, ctx)
    hop = Hop(
        holder,
        who.org,
        Identifiability.IDENTIFIABLE,
        s.evidence,
        source_text=holder.name,
        target_text=who.text,
        context=said.evidence if said is not None and said is not s else None,
    )
    return [
        flow(entry, block.purpose, FlowKind.REIDENTIFICATION, [hop], (), Identifiability.IDENTIFIABLE, key_holder=keys)
    ]


def _stated(text: str, org: Organisation, ctx: Context) -> bool:
    """Whether a mention's ``text`` says which organisation ``org`` is: a name, or a role word
    the entry's text resolves ("the CCG", "Data Processor 2"); not "the data processor" taken
    for the entry's CSU because no "Data Processor N" heading says which processor it is."""
    role = _ROLE_WORDS.fullmatch(text)
    return role is None or not role.group("dp") or org in ctx.processors.values() or org is ctx.processor


def block_host(block: Block, ctx: Context) -> tuple[Organisation, Piece] | None:
    """The organisation the block says hosts a system or tool, and the sentence that says so:
    "X who hosts the risk stratification system" (the last name before "who hosts"; "The CCG
    who hosts …" is the entry's CCG), "the risk stratification tool hosted by X" (the first
    name after).  The host of something else ("who host the secure electronic information
    portal", "a Controlled Environment for Finance (CEfF) hosted by …") is not the holder."""
    for s in block.sentences:
        at = s.facts.hosts_at
        if at is None:
            continue
        text = s.text
        by = _HOSTED_BY.match(text, at)
        if by is not None:
            thing = _CLAUSE.split(text[:at])[-1]
            found = [x for x in mentions_in(text[by.end() :], ctx) if x.org.role is not Role.DIRECT_CARE]
            named = found[:1]
        else:
            thing = _CLAUSE.split(text[at:])[0]
            found = [x for x in mentions_in(text[:at], ctx) if x.org.role is not Role.DIRECT_CARE]
            named = found[-1:]
        if named and _stated(named[0].text, named[0].org, ctx) and _HOSTED_THING.search(thing):
            return named[0].org, s
    return None


def _key_holder(block: Block, ctx: Context) -> str | None:
    for s in block.sentences:
        if s.facts.keys:
            for m in mentions_in(s.text, ctx):
                if m.org.role is Role.KEY_HOLDER:
                    return m.org.name
    return None
