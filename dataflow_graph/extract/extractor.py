"""The extractor: an entry's processing text becomes flows; a register's entries, in parallel.

1. the Processing section (Objectives and Outputs when Processing names no transfer)
   is cut into purpose blocks (:mod:`.sections`) and sentences (:mod:`.sentences`);
2. the organisations each sentence names are found (:mod:`.mentions`), and a sentence
   with a verb of transfer gives hops (:mod:`.hops`);
3. the hops of a block are chained from NHS Digital onward (:mod:`.chains`); linkage,
   online access and re-identification become flows of their own kind (:mod:`.special`);
4. each copy takes what the entry's text says of opt-outs for it (:mod:`.optouts`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import TypeVar

from .._speed import fork_pool_map, line_texts, memoised, record_dumps, replacer
from ..errors import Diagnostic, Diagnostics, Severity, Span
from ..model import Entry, Flow, FlowKind, Identifiability, Organisation, Role, Section
from ..names import Gazetteer, families_in
from ..names.fragments import guarded
from .chains import DSCRO_HOLDINGS, block_families, chains, numbered
from .hops import LANDING, RawHop, access_hop, hops_in, linked_at
from .mentions import DP_HEADER, ROLE, UNSTATED_CSU, Context, candidates, context, mentions_in, remember_sentences
from .optouts import with_stated_opt_outs
from .rules import rules
from .sections import Block, block_identifiability, blocks
from .sentences import Piece, first
from .special import block_host, special_flows

__all__ = ["PARALLEL_FROM", "extract", "extract_all"]

_DATA_LIST = rules().data_list
_LANDING_SCOPE = rules().landing_scope
#: behind a proven prefilter (names/fragments.py): read line by line (:func:`_moves_through_dscro`)
_DSCRO_NAMED = guarded(rules().dscro_named, ["dscro", "data services for commission"])
#: the literal start of the one spelling of ``dscro_named`` that may run on to the next line
#: ("Data Services for Commissioners⏎Regional Office"): the place to read across lines
_DSCRO_SPELT_OUT = guarded(re.compile(r"(?i)data services for commission"), ["data services for commission"])
_NOT_HELD_APART = rules().not_held_apart
_ROLE_WORDS = rules().role_words
_DP_PART = rules().dp_part

#: a flow with the "held separately" statements that speak of it (``replace`` without ``__init__``)
_HELD = replacer(Flow, "segregation")

#: What ``render`` makes of a flow (:func:`extract_all`).
R = TypeVar("R")

#: Below this many entries one process is faster than starting workers.
PARALLEL_FROM = 200
#: Entries in a chunk of the work at most, where that makes more than 8 chunks a process: the
#: processes end within a chunk of each other, and a chunk of 703 entries (the 11,233 of the
#: synthetic 10k register in 16) took 0.4-0.8 s (:func:`extract_all`).
_CHUNK_ENTRIES = 160


def extract(
    entry: Entry, names: Gazetteer, diagnostics: Diagnostics, headed: dict[str, tuple[str, ...]] | None = None
) -> list[Flow]:
    """Every flow an entry's text states, each hop with its evidence sentence.

    Parameters
    ----------
    entry : Entry
        The entry whose Processing (else Objectives and Outputs) text is read.
    names : Gazetteer
        Resolves the names; unreviewed names met here are added to it.
    diagnostics : Diagnostics
        Receives a note when the entry has no text, or no transfer in it.
    headed : dict, optional
        Given the names the entry's "Data Processor N – X" headings give its processors
        (:func:`~.mentions.heading_processors`), under its id, where there are any.

    Returns
    -------
    list of Flow
        Numbered ``<entry id>/flow-N``, exact repeats dropped.
    """
    read: dict[int, tuple[str, ...]] = {}  # each section's line texts, by id: read once for the whole-entry scans

    def lines_of(section: Section) -> tuple[str, ...]:
        found = read.get(id(section))
        if found is None:
            found = read[id(section)] = line_texts(section)
        return found

    ctx = context(entry, names, lines_of)
    if headed is not None and ctx.headed:
        headed[entry.id] = tuple(ctx.headed)
    ctx.names_dscro = any(_moves_through_dscro(section, lines_of) for section in entry.sections)
    cut: dict[int, list[Block]] = {}  # each section's blocks, by id: cut once for flows and opt-outs

    def blocks_of(section: Section) -> list[Block]:
        found = cut.get(id(section))
        if found is None:
            found = cut[id(section)] = blocks(section)
        return found

    sections = [s for s in entry.sections if s.name == "Processing"]
    found = [b for section in sections for b in blocks_of(section)]
    flows = _joined(_chained(entry, [_block_hops(entry, b, ctx, diagnostics) for b in found]))
    if not any(f.kind is FlowKind.TRANSFER for f in flows):
        fallback = [s for s in entry.sections if s.name in ("Objectives", "Outputs")]
        flows += [f for f in _flows_from(entry, fallback, ctx, diagnostics, blocks_of) if f.kind is FlowKind.TRANSFER]
    if not entry.sections:
        diagnostics.report(
            entry.span or Span(entry.source, entry.line),
            "DFG401",
            f"entry {entry.reference!r} has no processing text; no flows",
            Severity.NOTE,
        )
    elif not flows:
        diagnostics.report(
            entry.span or Span(entry.source, entry.line),
            "DFG402",
            f"entry {entry.reference!r}: no transfer between named organisations found in its processing text",
            Severity.NOTE,
        )
    return with_stated_opt_outs(entry, numbered(entry, flows), blocks_of, lines_of)


def _moves_through_dscro(section: Section, lines_of: Callable[[Section], Sequence[str]] = line_texts) -> bool:
    """True when the section names a DSCRO ("North East London DSCRO", "the Data Services
    for Commissioners Regional Office (DSCRO)"), not only the kind ("Such organisations may
    include Commissioning Support Units, Data Services for Commissioners Regional Offices").

    The same as searching the section's text, read line by line with what each line says
    remembered (register lines repeat, whole sections seldom): a match within a line is one
    in the text, and one that runs across lines can only be the spelt-out name, whose words
    "data services for commission" stand on one line; only then is the text searched.
    ``lines_of``: the section's line texts (no span of a line is made for this), each read
    through the memo at C speed (``map``)."""
    found = set(map(_dscro_in_line, lines_of(section)))
    return 1 in found or (2 in found and bool(_DSCRO_NAMED.search(section.text)))


@memoised(131072)
def _dscro_in_line(line: str) -> int:
    """1 when ``line`` names a DSCRO, 2 when it does not but starts the spelt-out name (which
    may go on in the next line), else 0."""
    if _DSCRO_NAMED.search(line):
        return 1
    return 2 if _DSCRO_SPELT_OUT.possible(line) else 0


def _joined(flows: list[Flow]) -> list[Flow]:
    """A chain told on from a DSCRO under a "Data Processor N" heading ("1) Pseudonymised …
    is securely transferred from the DSCRO to North East London CSU") goes on from the
    DSCRO's stated receipt of the same purpose ("The DSCRO obtains the following data
    sets: …"), not from an inferred one; the receipt is then no flow of its own."""
    receipts: dict[tuple[str, str], int] = {}
    for i, f in enumerate(flows):
        if f.kind is FlowKind.TRANSFER and len(f.hops) == 1 and f.hops[0].target.role is Role.DSCRO:
            h = f.hops[0]
            if h.source.role is Role.SOURCE and not h.inferred:
                receipts.setdefault((f.purpose, h.target.id), i)
    if not receipts:
        return flows
    used: set[int] = set()
    out: list[Flow | None] = list(flows)
    for i, f in enumerate(flows):
        first = f.hops[0] if f.hops else None
        if f.kind is not FlowKind.TRANSFER or first is None or not first.inferred:
            continue
        at = receipts.get((f.purpose, first.target.id))
        if at is None:
            continue
        stated = flows[at].hops[0]
        hops = (replace(stated, families=tuple(sorted({*stated.families, *first.families}))), *f.hops[1:])
        out[i] = replace(f, hops=hops, families=tuple(sorted({x for h in hops for x in h.families})))
        used.add(at)
    return [f for i, f in enumerate(out) if f is not None and i not in used]


def _flows_from(
    entry: Entry,
    sections: Sequence[Section],
    ctx: Context,
    diagnostics: Diagnostics,
    blocks_of: Callable[[Section], list[Block]] = blocks,
) -> list[Flow]:
    for section in sections:  # read in sentences here too: their names from their lines' scans
        for span in section.lines:
            remember_sentences(span.text, ctx.names)
    found = [b for section in sections for b in blocks_of(section)]
    return _chained(entry, [_block_hops(entry, b, ctx, diagnostics) for b in found])


@dataclass
class _Hops:
    """What one purpose block states, before its hops are chained."""

    block: Block
    special: list[Flow]
    raw: list[RawHop]
    default: Identifiability
    families: tuple[str, ...]
    linked: dict[str, frozenset[str]]


def _chained(entry: Entry, found: list[_Hops]) -> list[Flow]:
    """The flows of the blocks.  What a DSCRO receives for a purpose is held there for every
    part of that purpose: a "Data Processor N" part that tells the SUS chain anew still
    passes on the local provider data another part says providers send the DSCRO, and a
    part that goes on from the DSCRO without its receipt passes on what the other parts say
    it received."""
    feeds: dict[str, set[str]] = {}
    received: dict[str, set[str]] = {}
    for x in found:
        for h in x.raw:
            if h.receiver.role is Role.DSCRO and h.sender.role is not Role.DSCRO:
                fams = h.families & set(x.families) or frozenset(x.families)
                received.setdefault(x.block.purpose, set()).update(fams)
                if h.sender.role is Role.PROVIDER:
                    feeds.setdefault(x.block.purpose, set()).update(fams)
    flows: list[Flow] = []
    preamble = next((i for i, x in enumerate(found) if x.block.purpose and not x.block.segregation), len(found))
    general = _held_apart([x.block for x in found[:preamble]], all_of=True)
    for i, x in enumerate(found):
        linked = dict(x.linked)
        own = any(h.receiver.role is Role.DSCRO and h.sender.role is Role.SOURCE for h in x.raw)
        shared = (feeds if own else received).get(x.block.purpose)
        if shared:
            linked[DSCRO_HOLDINGS] = linked.get(DSCRO_HOLDINGS, frozenset()) | frozenset(shared)
        made = x.special + chains(entry, x.block, x.raw, x.default, x.families, until=x.block.until, linked=linked)
        held = (*general, *_held_apart([y.block for y in found[i:]])) if i >= preamble else general
        flows += [_HELD(f, held) for f in made] if held else made
    return flows


def _held_apart(found: Sequence[Block], *, all_of: bool = False) -> tuple[Span, ...]:
    """The "held separately" statements of the first block, and of the "Segregation" blocks
    right after it (a purpose's segregation is told under its own heading): a statement of
    another purpose says nothing of this one's copies; the text before the first purpose
    (``all_of`` its blocks) speaks of every purpose.  A statement whose line says the holding
    keeps customers apart ("segregated according to contract") or holds no identifiable data
    ("contains no identifiable data (PID)") is none."""
    out: list[Span] = []
    for k, block in enumerate(found):
        if k and not block.segregation and not all_of:
            break
        out += [
            s.evidence for s in block.sentences if s.facts.held_separately and not first(_NOT_HELD_APART, s.line.text)
        ]
    return tuple(out)


def _block_hops(entry: Entry, block: Block, ctx: Context, diagnostics: Diagnostics) -> _Hops:
    """The flows of one purpose block; "the DSCRO" means the one this block names first, "the
    CSU" the one CSU it names, else the entry's one CSU; where the block names several, or
    none and the entry several, which CSU is not stated and "the CSU" means none."""
    header = next((h for x in block.sentences if (h := x.facts.dp_header)), None)
    dscro = None
    csus: dict[str, Organisation] = {}
    remembered = ctx.line_memo.get
    for x in block.sentences:
        facts = remembered(x.text) or ctx.line(x.text)
        dscro = dscro or facts[0]
        for org in facts[4]:
            csus.setdefault(org.id, org)
    csu = ctx.csu if not csus else next(iter(csus.values())) if len(csus) == 1 else None
    scoped = Context(
        ctx.entry,
        ctx.names,
        ctx.ccg,
        dscro or ctx.dscro,
        csu,
        ctx.processors,
        line_memo=ctx.line_memo,
        hops_memo=ctx.hops_memo,
        names_dscro=ctx.names_dscro,
        noted=ctx.noted,
        csus=ctx.csus,
    )
    scoped.processor = _block_processor(block, header, scoped)
    return _hops_in_block(entry, block, scoped, diagnostics)


#: the organisations an unnumbered "the data processor" may stand for when the block's steps
#: name them as receivers: not NHS Digital, a regional office, care providers or GPs
_PROCESSOR_ROLES = (Role.PROCESSOR, Role.CSU, Role.CONTROLLER, Role.OTHER)


def _block_processor(block: Block, header: str | None, ctx: Context) -> Organisation | None:
    """What an unnumbered "the data processor" means in this block: the organisation of the
    block's own "Data Processor N – X" heading; else the one the block says hosts the system
    ("7. Health Intelligence Ltd who hosts the risk stratification system", :func:`~.special.block_host`);
    else the one organisation the block's steps name as receiving the data ("3. … is
    transferred securely to Health Intelligence Ltd"), other than the applicant, NHS
    Digital, a regional office, care providers or GPs.  Else none: "the data processor" is
    then no party (PurposeStatements 768: never the "Data Processor 1 – Arden & GEM CSU"
    heading of another block, nor the entry's one CSU)."""
    if not any(_says_the_data_processor(s.text, ctx) for s in block.sentences if s.facts.dp_word):
        return None
    if header is not None:
        for s in block.sentences:
            if s.facts.dp_header != header:
                continue
            for m in DP_HEADER.finditer(s.text):
                found = mentions_in(m.group("name"), ctx, resolve_roles=False)
                if m.group("n") == header and found:
                    return found[0].org
        return ctx.processors.get(header)
    host = block_host(block, ctx)
    if host is not None:
        return host[0]
    named: dict[str, Organisation] = {}
    for s in block.sentences:
        if block.segregation or not s.facts.transfer:
            continue
        for h in hops_in(s, ctx, None, None):
            org = h.receiver
            if _ROLE_WORDS.fullmatch(h.receiver_text.strip()) or org.role not in _PROCESSOR_ROLES:
                continue
            if ctx.ccg is not None and org.id == ctx.ccg.id:
                continue
            named.setdefault(org.id, org)
    return next(iter(named.values())) if len(named) == 1 else None


def _says_the_data_processor(text: str, ctx: Context) -> bool:
    """Whether ``text`` has an unnumbered "the data processor" ("the CCG's data processor");
    only asked of a sentence that may hold one (:attr:`~.sentences.Facts.dp_word`: a sentence
    with neither "processor" nor "dp" has none, and its candidates wait)."""
    return any(kind == ROLE and what == ("dp", None) for _s, _e, _n, kind, what in candidates(text, ctx.names))


def _hops_in_block(entry: Entry, block: Block, ctx: Context, diagnostics: Diagnostics) -> _Hops:
    default = block_identifiability(block, entry)
    named = families_in(block.purpose).union(*(s.facts.families for s in block.sentences))
    families = block_families(entry, named)
    head = block.sentences[0]
    if head.facts.dp_header is not None and head.facts.families:
        # "Data Processor 5 – Academic Health Sciences Network (SUS Only)": that part carries those
        families = block_families(entry, head.facts.families)
    dropped = sorted(named - set(families)) if entry.families and entry.variant != "quarterly-register" else []
    note = (block.purpose, *dropped)
    if dropped and set(families) & named and note not in ctx.noted:  # once for the parts of a purpose
        ctx.noted.add(note)
        diagnostics.report(
            block.sentences[0].span,
            "DFG404",
            f"{', '.join(dropped)} named in {block.purpose or 'the processing text'!r} "
            "but not in the entry's Datasets list; left out of its flows",
            Severity.NOTE,
        )
    raw: list[RawHop] = []
    special: list[Flow] = []
    previous: RawHop | None = None
    list_head: RawHop | None = None
    linked: dict[str, frozenset[str]] = {}  # families linked in at a holder ("… is linked with local provider data")
    block_dscro = ctx.dscro
    part_dscros = _part_dscros(block, ctx)
    for i, s in enumerate(block.sentences):
        facts = s.facts
        ctx.dscro = part_dscros[i] or block_dscro
        if list_head is not None and s.is_item and _same_level(s, list_head.sentence):
            list_head = None  # "6." after "5. … transfers the following to the CSU: a. … b. …"
        if not facts.active:  # nothing to find; only a list ends
            if not s.ends_list and not s.is_item:
                list_head = None
            continue
        if facts.special:
            special.extend(special_flows(entry, block, s, block.sentences[i + 1 :], ctx, raw, default))
            if not facts.transfer and (found := linked_at(s, ctx)) is not None:
                holder, fams = found
                linked[holder.id] = linked.get(holder.id, frozenset()) | fams
        if block.segregation:
            continue
        access = access_hop(s, ctx) if facts.access else None
        if access:
            hops = [access]
        elif facts.transfer:
            hops = hops_in(s, ctx, previous, list_head if s.is_item else None)
        else:
            hops = []
        if facts.landing and not any(h.landing_only for h in hops):
            lands = _landing_at(s.text, ctx, before_only=bool(hops))
            if hops:  # "X lands the data only and passes it to Y": the hop into X, stated before
                lands &= {hops[0].sender.id}
            _mark_landing(raw, lands, s)
        if hops and s.ends_list and first(_DATA_LIST, s.text):  # "transfers the following to the CSU:"
            items, listed = _item_families(s, block.sentences[i + 1 :])
            hops = [replace(h, families=h.families | items, items=listed) for h in hops] if items else hops
        unstated = [h for h in hops if UNSTATED_CSU.id in (h.sender.id, h.receiver.id)]
        if unstated and (block.purpose, s.text) not in ctx.noted:
            ctx.noted.add((block.purpose, s.text))
            diagnostics.report(
                s.span,
                "DFG403",
                f"entry {entry.reference!r}: 'the CSU' in {block.purpose or 'the processing text'!r} is not "
                f"resolved (the block names no CSU, the entry {len(ctx.csus)}); hop not built",
                Severity.NOTE,
            )
        for hop in hops:
            raw.append(hop)
            previous = hop
        if s.ends_list:
            list_head = hops[-1] if hops else list_head
        elif not s.is_item:
            list_head = None
    ctx.dscro = block_dscro
    return _Hops(block, special, raw, default, families, linked)


def _part_dscros(block: Block, ctx: Context) -> list[Organisation | None]:
    """For each sentence, the first regional office its processor's part of the block names:
    a line "Data Processor N …" starts a part, and "the DSCRO" in a part is the office that
    part names ("Data Processor 2 (South, Central and West CSU) 1. South Collaborative …
    (DSCRO) obtains … 2. … completed by the DSCRO", PurposeStatements 704), not the one an
    earlier part names; None where the part names none (the block's office then)."""
    out: list[Organisation | None] = []
    start = 0
    named: Organisation | None = None
    remembered = ctx.line_memo.get
    for i, s in enumerate(block.sentences):
        if i and _DP_PART.match(s.text):
            out += [named] * (i - start)
            start, named = i, None
        named = named or (remembered(s.text) or ctx.line(s.text))[0]
    out += [named] * (len(block.sentences) - start)
    return out


def _mark_landing(raw: list[RawHop], lands: set[str], said: Piece) -> None:
    """Make the latest hop into an organisation of ``lands`` landing only, citing ``said``, and
    the same hop stated earlier for other datasets (same sender and receiver: "transfers SUS
    data to the CSU", "transfers Local Provider data to the CSU").  Where the cue names
    datasets ("The CSU acts as a landing point only for the Local Provider data"): every hop
    into it carrying one of them, whoever sends it, else the latest if it carries no named
    dataset, else none.  A hop already landing only keeps the sentence that said so first."""
    into = [k for k, h in enumerate(raw) if h.receiver.id in lands]
    if not into:
        return
    latest = raw[into[-1]]
    named = _cue_families(said.text)
    if named:
        chosen = [k for k in into if raw[k].families & named] or ([into[-1]] if not latest.families else [])
    else:
        chosen = [k for k in into if raw[k].sender.id == latest.sender.id and raw[k].receiver.id == latest.receiver.id]
    for k in chosen:
        if not raw[k].landing_only:
            raw[k] = replace(raw[k], landing_only=True, landed=said)


def _cue_families(text: str) -> frozenset[str]:
    """The datasets a landing cue is about: those named after it, up to where its clause ends."""
    cue = first(LANDING, text)
    if cue is None:
        return frozenset()
    tail = text[cue.end() :]
    end = first(_LANDING_SCOPE, tail)
    return families_in(tail[: end.start()] if end else tail)


def _landing_at(text: str, ctx: Context, *, before_only: bool = False) -> set[str]:
    """Who a landing sentence says only lands the data: the organisation named last before
    its cue ("North East London CSU lands the data only on behalf of NHS Thurrock CCG": the
    CSU, not the CCG the latest hop reaches), else (unless ``before_only``) every
    organisation it names."""
    named = mentions_in(text, ctx)
    cue = first(LANDING, text)
    before = [m for m in named if cue is not None and m.end <= cue.start()]
    return {m.org.id for m in (before[-1:] if before or before_only else named)}


def _item_families(head: Piece, rest: Sequence[Piece]) -> tuple[frozenset[str], tuple[Piece, ...]]:
    """The families the list items after a sentence name, and the items that name them; the
    list ends at a sentence that is no item, an item marked as the head is, or (after a head
    that is no item) a numbered item marked otherwise than its items ("1. The CEfF checks …"
    after "•" or "1)" items) that no item ending in a colon heads: the steps go on.  Items
    nested in a list ("2) Local Provider Flows" then "a. Acute"; "• Local Provider data:" then
    "1. Acute") stay in it."""
    out: frozenset[str] = frozenset()
    named: list[Piece] = []
    kind: tuple[str, str] | None = None
    nested = False  # the latest item of the list's own kind is a head itself ("• Local Provider data:")
    for nxt in rest:
        if not nxt.is_item or _same_level(nxt, head):
            break
        if not head.is_item:  # a head of no list of its own: numbered steps after its items end its list
            marker = _marker_style(nxt.text)
            kind = kind or marker
            if marker == kind:
                nested = nxt.text.rstrip().endswith(":")
            elif marker[0] == "number" and not nested:  # "• The SUS data …" or "1) The SUS data …", "1. The CEfF …"
                break
        if nxt.facts.families:
            out |= nxt.facts.families
            named.append(nxt)
    return out, tuple(named)


def _same_level(item: Piece, head: Piece) -> bool:
    """Both are list items marked alike ("5." and "6."), so the second ends the first's list."""
    return head.is_item and _marker(item.text) == _marker(head.text)


def _marker(text: str) -> str:
    """The kind of a list item's marker: a number, a letter or numeral, or a bullet."""
    t = text.lstrip(" (")
    return "number" if t[:1].isdigit() else "letter" if t[:1].isalpha() else "bullet"


def _marker_style(text: str) -> tuple[str, str]:
    """The kind of a list item's marker and, for a number, what follows its digits ("1)" and
    "1." are two lists)."""
    kind = _marker(text)
    if kind != "number":
        return kind, ""
    t = text.lstrip(" (")
    digits = len(t) - len(t.lstrip("0123456789"))
    return kind, t[digits : digits + 1]


def extract_all(
    entries: Iterable[Entry],
    names: Gazetteer,
    diagnostics: Diagnostics,
    *,
    workers: int | None = None,
    headed: dict[str, tuple[str, ...]] | None = None,
    render: Callable[[Flow], R] | None = None,
    rendered: list[R] | None = None,
) -> list[Flow]:
    """Flows of every entry, in entry order (``headed``: as for :func:`extract`, every entry's).

    Entries are independent, so a large register is split into chunks shared by this
    process and ``workers - 1`` worker processes (``workers`` defaults to the machine's
    cores; :func:`~dataflow_graph._speed.fork_pool_map`); the result and the diagnostics
    are the same, in the same order, as a single-process run.

    ``render``, with ``rendered``: ``render(flow)`` of each flow is added to ``rendered``, in
    flow order, made by the process that extracted the flow (``dfg flows --format json``
    has each flow's line of JSON made there: the workers make their share of what the
    document writes while this process makes its own, instead of this process making all
    of it after them).  It must be a module-level function where processes spawn.
    """
    entries = list(entries)
    workers = workers if workers is not None else (os.cpu_count() or 1)
    if (render is None) != (rendered is None):
        raise TypeError("extract_all: give render and rendered together")
    if workers < 2 or len(entries) < PARALLEL_FROM:
        out: list[Flow] = []
        for entry in entries:
            out.extend(extract(entry, names.fresh(), diagnostics, headed))
        if render is not None and rendered is not None:
            rendered.extend(map(render, out))
        return out
    out = []
    chunks = max(8, -(-len(entries) // (_CHUNK_ENTRIES * workers)))  # chunks a process, rounded up
    done = fork_pool_map(
        _extract_entries, (names, render), entries, workers=workers, chunks_per_worker=chunks, dumps=record_dumps
    )
    for flows, made, items, said in done:
        out.extend(flows)
        diagnostics.items.extend(items)
        if headed is not None:
            headed.update(said)
        if rendered is not None:
            rendered.extend(made)
    return out


def _extract_entries(
    context: tuple[Gazetteer, Callable[[Flow], R] | None], entries: list[Entry]
) -> tuple[list[Flow], list[R], list[Diagnostic], dict[str, tuple[str, ...]]]:
    """Flows, what ``render`` makes of each (none without it), diagnostics and heading names
    of some entries, each read with a fresh registry of unreviewed names."""
    names, render = context
    local = Diagnostics()
    flows: list[Flow] = []
    headed: dict[str, tuple[str, ...]] = {}
    for entry in entries:
        flows.extend(extract(entry, names.fresh(), local, headed))
    return flows, [render(f) for f in flows] if render is not None else [], local.items, headed
