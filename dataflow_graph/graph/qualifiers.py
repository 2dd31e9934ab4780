"""What a finding may say, and what each sentence of it rests on.

A finding's qualifiers (the copies, their overlap, opt-outs, agreements, landing only,
segregation, linkage, re-identification) are claims a campaigner may quote.  Each is a
:class:`Qualifier`: its name in the severity table, the sentence the tool prints, and the
register lines or released-file rows it rests on (:class:`Cited`).  The words never say
more than the evidence: opt-outs "honoured on one copy and not on the other" only when
each copy's status is determined (:func:`copy_opt_outs`), a weaker sentence saying exactly
what is known otherwise.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from .._speed import field_setters
from ..errors import Span
from ..model import Entry, Identifiability, OptOut, Release
from .severity import SEVERITY

__all__ = [
    "ENTRY_STATEMENT",
    "REGISTER_PERIOD",
    "Cited",
    "CopyOptOuts",
    "Facts",
    "Qualifier",
    "cited_line",
    "copy_opt_outs",
    "release_cited",
    "same_kind",
]

#: ``Period.qualifier`` of a period that is a register's (its title or file name), not a flow's
REGISTER_PERIOD = "register period"

#: ``CopyOptOuts.basis`` of a status read from the entry's opt-out statement: it depends on
#: the entry and the reference cited alone, whatever the copy
ENTRY_STATEMENT = "the entry's opt-out statement"

#: entry variants whose opt-out field is worked out from released files, not stated
_DERIVED_OPT_OUTS = frozenset({"quarterly-register", "data-uses-register", "release-register"})


@dataclass(frozen=True, slots=True)
class Cited:
    """One piece of evidence: a line of a register entry, or a released-file row."""

    source: str
    line: int
    col: int = 1
    text: str = ""
    entry: str | None = None
    reference: str | None = None
    row_id: str | None = None

    @classmethod
    def of(cls, span: Span, *, entry: str | None = None, reference: str | None = None) -> Cited:
        """A sentence or field line of an entry."""
        return cited_line(span, entry, reference)

    def as_dict(self) -> dict[str, object]:
        return {
            "source": self.source,
            "line": self.line,
            "col": self.col,
            "text": self.text,
            "entry": self.entry,
            "reference": self.reference,
            "row_id": self.row_id,
        }


_new_cited = Cited.__new__
_cited_source, _cited_line, _cited_col, _cited_text, _cited_entry, _cited_reference, _cited_row = field_setters(
    Cited, ("source", "line", "col", "text", "entry", "reference", "row_id")
)


def cited_line(span: Span, entry: str | None, reference: str | None) -> Cited:
    """``Cited(span.path, span.line, span.col, span.text, entry, reference)``, its slots filled
    directly (made tens of thousands of times per query on a large register: see
    :func:`~dataflow_graph._speed.field_setters`)."""
    out = _new_cited(Cited)
    _cited_source(out, span.path)
    _cited_line(out, span.line)
    _cited_col(out, span.col)
    _cited_text(out, span.text)
    _cited_entry(out, entry)
    _cited_reference(out, reference)
    _cited_row(out, None)
    return out


def release_cited(release: Release) -> Cited:
    """A released-file row as evidence, its words in one line."""
    applied = {True: "opt-outs applied", False: "opt-outs not applied", None: "opt-outs not stated"}
    when = release.month or (f"{release.period.start}..{release.period.end}" if release.period else "period not stated")
    words = (
        f"{release.row_id or 'row'}: {release.recipient.strip()}, {release.dataset.strip()}, {release.category}, "
        f"{applied[release.opt_outs_applied]}, {when}"
    )
    return Cited(release.source, release.line, 1, words, None, release.reference, release.row_id or None)


@dataclass(frozen=True, slots=True)
class Qualifier:
    """One claim of a finding: its severity name, the sentence printed, and its evidence."""

    name: str
    statement: str
    evidence: tuple[Cited, ...] = ()
    #: for linkage and re-identification: the routes near the recipient left out because the
    #: converging copies do not take them (other agreements, other hops)
    others: int = 0

    @property
    def weight(self) -> int:
        return SEVERITY[self.name]

    def as_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "weight": self.weight,
            "statement": self.statement,
            "evidence": [c.as_dict() for c in self.evidence],
            "others": self.others,
        }


@dataclass(frozen=True, slots=True)
class CopyOptOuts:
    """Whether opt-outs were honoured on one copy, on what basis, with the evidence.

    ``status`` is YES or NO only when determined: by the copy's own text, by the entry's
    own opt-out statement, or by the released files of that family under that agreement
    (all applied, or all not).  MIXED means files of that agreement went both ways and
    which were this copy's is not stated; UNKNOWN means nothing says.
    """

    status: OptOut
    basis: str
    evidence: tuple[Cited, ...] = ()

    @property
    def determined(self) -> bool:
        return self.status in (OptOut.YES, OptOut.NO)

    def as_dict(self) -> dict[str, object]:
        return {"status": self.status.value, "basis": self.basis, "evidence": [c.as_dict() for c in self.evidence]}


@dataclass(frozen=True)
class Facts:
    """What findings cite beyond the flow graph: the entries, and the released files."""

    entries: Mapping[str, Entry] = field(default_factory=dict)
    releases: Sequence[Release] = ()
    _files: dict[tuple[str, str], list[Release]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        index: dict[tuple[str, str], list[Release]] = defaultdict(list)
        for r in self.releases:
            if r.family:
                index[(r.agreement, r.family)].append(r)
        object.__setattr__(self, "_files", dict(index))  # a frozen record's index, built once

    def files(self, agreement: str, family: str) -> list[Release]:
        """Released files of one family under one agreement."""
        return self._files.get((agreement, family), [])

    def copies(self, agreement: str, family: str, level: Identifiability) -> list[Release]:
        """Released files of one family under one agreement, of a copy's kind (:func:`same_kind`)."""
        return [r for r in self.files(agreement, family) if same_kind(r, level)]

    @classmethod
    def of(cls, entries: Iterable[Entry], releases: Iterable[Release]) -> Facts:
        return cls({e.id: e for e in entries}, tuple(releases))


def same_kind(release: Release, level: Identifiability) -> bool:
    """A released file of the copy's kind: identifiable, or record-level de-identified."""
    ident = release.identifiability
    if ident is None:
        return False
    if level is Identifiability.IDENTIFIABLE:
        return ident is Identifiability.IDENTIFIABLE
    return ident.is_record_level_deidentified


def _in_period(release: Release, months: frozenset[str]) -> bool:
    """A file of the copy's period (a file with no month counts: the register gives its quarter)."""
    return not months or release.month is None or release.month in months


def _opt_out_field(entry: Entry) -> Span | None:
    for heading, _value, span in entry.fields:
        low = heading.lower()
        if "opt" in low and "out" in low:
            return span
    return entry.span


def copy_opt_outs(
    *,
    entry_id: str,
    reference: str,
    agreement: str,
    family: str,
    level: Identifiability,
    stated: OptOut,
    stated_at: Span | None,
    months: frozenset[str],
    facts: Facts,
) -> CopyOptOuts:
    """The opt-out status of one copy, from the most specific evidence there is.

    1. the copy's own text ("type 2 objections are removed", "including type 2 objectors");
    2. the entry's opt-out statement, when it says yes or no (a page's "Opt outs honoured");
    3. the released files of the copy's family and kind under its agreement in its months:
       all applied or all not applied decide; both ways is MIXED.
    """
    if stated in (OptOut.YES, OptOut.NO) and stated_at is not None:
        return CopyOptOuts(stated, "its own text", (Cited.of(stated_at, entry=entry_id, reference=reference),))
    entry = facts.entries.get(entry_id)
    if (
        entry is not None
        and entry.variant not in _DERIVED_OPT_OUTS
        and entry.opt_outs.honoured in (OptOut.YES, OptOut.NO)
    ):
        span = _opt_out_field(entry)
        field_cited: tuple[Cited, ...] = (Cited.of(span, entry=entry_id, reference=reference),) if span else ()
        return CopyOptOuts(entry.opt_outs.honoured, ENTRY_STATEMENT, field_cited)
    rows = [r for r in facts.copies(agreement, family, level) if _in_period(r, months)]
    flags = {r.opt_outs_applied for r in rows} - {None}
    cited = tuple(release_cited(r) for r in sorted(rows, key=lambda r: (r.source, r.line)))
    if flags == {True}:
        return CopyOptOuts(OptOut.YES, f"its {len(rows)} released file(s): opt-outs applied", cited)
    if flags == {False}:
        return CopyOptOuts(OptOut.NO, f"its {len(rows)} released file(s): opt-outs not applied", cited)
    if flags:
        return CopyOptOuts(OptOut.MIXED, "its released files: some with opt-outs applied, some without", cited)
    if entry is not None and entry.opt_outs.honoured is OptOut.MIXED and entry.variant not in _DERIVED_OPT_OUTS:
        span = _opt_out_field(entry)
        cited = (Cited.of(span, entry=entry_id, reference=reference),) if span else ()
        return CopyOptOuts(OptOut.MIXED, "the entry's opt-out statement gives both answers", cited)
    # a register file's opt-out column worked out from files of other families or kinds says
    # nothing of this copy
    return CopyOptOuts(OptOut.UNKNOWN, "not stated")
