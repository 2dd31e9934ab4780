"""Opt-outs stated for a copy: what an entry's own text says of type 2 objections.

A sentence says objections are applied ("North West DSCRO will apply Type 2 objections
before any identifiable data leaves the DSCRO", "NEL DSCRO then remove records for all
patients who have registered type 2 objections") or not applied ("a separate
Pseudonymised flow that includes records for all patients (including Type 2
Objectors)", "there is no need to remove records for type 2 objectors"); the words are
in ``rules.yaml`` (``opt_outs``).  Which copies a statement covers:

- **where it stands.**  In the Processing text, under a purpose heading: the flows of that
  block (the same purpose); before any heading: every flow of the entry.  In the
  Objectives or Outputs text, which describe purposes rather than steps: every flow of the
  entry.
- **the side it names.**  A statement naming a level ("before any *identifiable* data
  leaves", "a separate *Pseudonymised* flow") covers only the copies on that side:
  identifiable, or record-level de-identified (pseudonymised and anonymised alike);
  aggregate outputs hold no records to remove.
- **the families it names.**  In the Processing text a statement naming families ("Prior
  to the release of *SUS* data by GEM DSCRO Type 2 objections will be applied") covers
  those families of each copy in its scope (``Flow.opt_outs_families``); in the Objectives
  or Outputs it covers a copy only when all the copy's families are among those it, or its
  heading, names ("Commissioning – Pseudonymised – SUS": the SUS contract-validation copy,
  not a copy of every dataset that also carries SUS).

Only transfers and online access are copies; provider feeds, linkage and
re-identification flows get no stated status.  Where statements disagree, one standing
in the copy's own purpose block wins over one standing for the whole entry; two of the
same standing that disagree make the status ``mixed``.  The flow keeps the first
statement's sentence as ``opt_outs_evidence``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from .._speed import line_texts, memoised, replacer
from ..errors import Span
from ..model import Entry, Flow, FlowKind, Identifiability, OptOut, Section
from ..names import families_in, identifiability_in
from .sections import Block, blocks, may_state_opt_outs

__all__ = ["Statement", "statements", "with_stated_opt_outs"]

_COPIES = (FlowKind.TRANSFER, FlowKind.ACCESS)
#: the sections whose sentences are read for statements
_SECTIONS = ("Processing", "Objectives", "Outputs")
#: a copy given what its text states of opt-outs (``replace`` without the frozen ``__init__``)
_STATED = replacer(Flow, "opt_outs_stated", "opt_outs_evidence", "opt_outs_families")


@dataclass(frozen=True, slots=True)
class Statement:
    """One sentence saying objections are applied to some copies, or not."""

    verdict: OptOut
    evidence: Span
    purpose: str | None  # the Processing block it stands in (None: the whole entry)
    deidentified: bool | None  # the side it names: True de-identified, False identifiable, None both
    families: frozenset[str]
    whole: bool  # covers a copy only when all the copy's families are named (Objectives, Outputs)


def statements(
    entry: Entry,
    blocks_of: Callable[[Section], list[Block]] = blocks,
    lines_of: Callable[[Section], Sequence[str]] = line_texts,
) -> list[Statement]:
    """The opt-out statements of an entry's text, in text order (``blocks_of``: a section's
    blocks, ``lines_of`` its line texts, where the caller has them already)."""
    out: list[Statement] = []
    for section in entry.sections:
        if section.name not in _SECTIONS or not _hinted(section, lines_of):
            continue
        processing = section.name == "Processing"
        for block in blocks_of(section):
            out.extend(_in_block(block, processing=processing))
    return out


def _hinted(section: Section, lines_of: Callable[[Section], Sequence[str]] = line_texts) -> bool:
    """Whether some line of the section may hold an opt-out statement
    (:func:`~.sections.may_state_opt_outs`: a statement is a sentence, and a sentence stands
    within one line), read line by line with what each line says remembered (register
    lines repeat, whole sections seldom)."""
    return any(map(_hint_in_line, lines_of(section)))  # through the memo at C speed


@memoised(131072)
def _hint_in_line(line: str) -> bool:
    """Whether ``line`` may hold an opt-out statement."""
    return may_state_opt_outs(line.lower())


def _in_block(block: Block, *, processing: bool) -> Iterable[Statement]:
    for s in block.sentences:
        said = s.facts.opt_outs
        if said is None:
            continue
        level = identifiability_in(s.text)
        families = s.facts.families or (frozenset() if processing else families_in(block.purpose))
        yield Statement(
            OptOut.YES if said == "yes" else OptOut.NO,
            s.evidence,
            (block.purpose or None) if processing else None,
            None if level is None else level.is_record_level_deidentified,
            families,
            whole=not processing,
        )


def with_stated_opt_outs(
    entry: Entry,
    flows: list[Flow],
    blocks_of: Callable[[Section], list[Block]] = blocks,
    lines_of: Callable[[Section], Sequence[str]] = line_texts,
) -> list[Flow]:
    """The flows, each copy with what its entry's text says of opt-outs for it."""
    found = statements(entry, blocks_of, lines_of)
    if not found:
        return flows
    return [_stated(f, found) if f.kind in _COPIES else f for f in flows]


def _stated(flow: Flow, found: list[Statement]) -> Flow:
    covering: list[tuple[int, Statement, tuple[str, ...]]] = []
    for st in found:
        families = _covers(st, flow)
        if families is not None:
            covering.append((0 if st.purpose is None else 1, st, families))
    if not covering:
        return flow
    rank = max(r for r, _, _ in covering)
    kept = [(st, fams) for r, st, fams in covering if r == rank]
    verdicts = {st.verdict for st, _ in kept}
    verdict = verdicts.pop() if len(verdicts) == 1 else OptOut.MIXED
    families = tuple(sorted({f for _, fams in kept for f in fams}))
    return _STATED(flow, verdict, kept[0][0].evidence, families)


def _covers(st: Statement, flow: Flow) -> tuple[str, ...] | None:
    """The families of ``flow`` a statement covers, or None when it covers none of it."""
    if st.purpose is not None and flow.purpose != st.purpose:
        return None
    if flow.identifiability is Identifiability.AGGREGATE:
        return None
    if st.deidentified is not None and flow.identifiability.is_record_level_deidentified != st.deidentified:
        return None
    if not st.families:
        return flow.families
    if st.whole:
        return flow.families if flow.families and set(flow.families) <= st.families else None
    named = tuple(f for f in flow.families if f in st.families)
    return named or None
