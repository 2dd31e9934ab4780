"""What the tables of one register file share while they are read, and the entries made at the end.

The sheets of a workbook speak of the same agreements: an Agreements or
PurposeStatements row becomes an entry only when every sheet has been read, with the
datasets of its Datasets rows or of the files released under it, and the opt-outs and
legal bases those rows state.  :class:`State` holds what the row readers have gathered;
:func:`finish` turns it into :class:`RegisterTables`.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import TypedDict

from ..._speed import memoised
from ...errors import Diagnostics, Severity, Span
from ...model import Dataset, Entry, OptOut, OptOuts, Period, Release, Section
from ...names import agreement_core, dataset_family
from .values import sensitive_of

__all__ = [
    "DatasetRow",
    "EntryDraft",
    "PurposeDraft",
    "RegisterTables",
    "Released",
    "State",
    "core_of",
    "finish",
    "interned",
    "name_key",
]


@dataclass(frozen=True, slots=True)
class RegisterTables:
    """What one official register file holds.

    ``entries`` are agreement rows (Agreements), purpose statements
    (PurposeStatements) and, for release registers that carry a purpose per row
    (PHE), one entry per distinct reference.  ``releases`` are the released files.
    ``period`` is the register period when the file states it (title, README or
    file name), else None.
    """

    entries: tuple[Entry, ...] = ()
    releases: tuple[Release, ...] = ()
    period: Period | None = None


@dataclass(frozen=True, slots=True)
class DatasetRow:
    """A row of a Datasets sheet: what an agreement may receive, and how."""

    reference: str
    name: str
    family: str | None
    category: str
    sensitive: str
    frequency: str
    legal_basis: str
    span: Span
    extra: tuple[tuple[str, str], ...] = ()


@dataclass(slots=True)
class Released:
    """What the release rows of one agreement core say about it."""

    datasets: dict[str, Dataset] = field(default_factory=dict)
    applied: int = 0
    not_applied: int = 0
    legal_bases: dict[str, None] = field(default_factory=dict)


@dataclass(slots=True)
class PurposeDraft:
    """An entry built from release rows that carry a purpose (PHE registers)."""

    reference: str
    source: str
    line: int
    recipient: str
    organisation_type: str
    purposes: dict[str, int] = field(default_factory=dict)
    datasets: dict[str, Span] = field(default_factory=dict)
    legal_bases: dict[str, None] = field(default_factory=dict)
    months: set[str] = field(default_factory=set)


class EntryDraft(TypedDict):
    """The :class:`Entry` fields an Agreements or PurposeStatements row gives by itself.

    A typed dictionary rather than a record: the entry is made from it by keyword, once
    the other sheets have given the rest (:func:`finish`).
    """

    id: str
    source: str
    line: int
    position: int
    reference: str
    agreement: str
    title: str
    organisation: str | None
    organisation_type: str | None
    dsa: Period | None
    sublicensing: bool | None
    commercial: bool | None
    controllers: tuple[str, ...]
    sections: tuple[Section, ...]
    fields: tuple[tuple[str, str, Span], ...]
    unrecognised: tuple[Span, ...]
    variant: str
    span: Span


class _Completion(TypedDict, total=False):
    """The :class:`Entry` fields the other sheets give an entry row."""

    opt_outs: OptOuts
    datasets: tuple[Dataset, ...]
    legal_basis: tuple[str, ...]
    type_of_data: str | None
    sensitive: bool | None
    sensitivity: str | None
    period: Period | None


@dataclass(slots=True)
class State:
    """Everything one file's tables share while they are read."""

    display: str
    diagnostics: Diagnostics
    period: Period | None = None
    releases: list[Release] = field(default_factory=list)
    drafts: list[EntryDraft] = field(default_factory=list)
    agreements: dict[str, str] = field(default_factory=dict)
    agreement_cores: dict[str, dict[str, None]] = field(default_factory=dict)
    dataset_rows: dict[str, list[DatasetRow]] = field(default_factory=dict)
    dataset_cores: dict[str, list[DatasetRow]] = field(default_factory=dict)
    dataset_info: dict[tuple[str, str], DatasetRow] = field(default_factory=dict)
    released: dict[str, Released] = field(default_factory=dict)
    purposes: dict[str, PurposeDraft] = field(default_factory=dict)
    reported: set[tuple[str, ...]] = field(default_factory=set)

    def once(
        self, key: tuple[str, ...], span: Span, code: str, message: str, severity: Severity = Severity.NOTE
    ) -> None:
        """Report a problem with a repeated value only at its first row."""
        if key not in self.reported:
            self.reported.add(key)
            self.diagnostics.report(span, code, message, severity)

    def recipient(self, reference: str, core: str) -> str:
        """The applicant organisation of an agreement (exact reference, else its core)."""
        if reference in self.agreements:
            return self.agreements[reference]
        names = self.agreement_cores.get(core, {})
        return next(iter(names)) if len(names) == 1 else ""


#: :func:`~dataflow_graph.names.agreement_core`, memoised: a workbook repeats each reference on many rows.
core_of = memoised(65536)(agreement_core)


def interned(value: str) -> str:
    """``sys.intern(value)`` for the short values that repeat from row to row."""
    return sys.intern(value) if len(value) < 200 else value


def name_key(name: str) -> str:
    """A dataset name as a lookup key: white space collapsed, lower case."""
    return " ".join(name.lower().split())


def finish(state: State) -> RegisterTables:
    """The entries and releases of one file, once every table has been read."""
    entries = [_complete(d, state) for d in state.drafts]
    entries += [_purpose_entry(d, len(entries) + i) for i, d in enumerate(state.purposes.values())]
    return RegisterTables(tuple(entries), tuple(state.releases), state.period)


def _opt_outs(seen: Released | None) -> OptOuts:
    """Opt-outs honoured by an agreement, as the files released under it say."""
    if seen is None or not (seen.applied or seen.not_applied):
        return OptOuts()
    honoured = OptOut.MIXED if seen.applied and seen.not_applied else OptOut.YES if seen.applied else OptOut.NO
    return OptOuts(honoured, f"released files: {seen.applied} with opt-outs applied, {seen.not_applied} without")


def _complete(draft: EntryDraft, state: State) -> Entry:
    """The entry of a row, with datasets, opt-outs and legal bases from the Datasets and
    release rows (built once, when every sheet has been read)."""
    agreement, reference = draft["agreement"], draft["reference"]
    seen = state.released.get(agreement)
    rows = state.dataset_rows.get(reference) or state.dataset_cores.get(agreement, [])
    changes: _Completion = {"opt_outs": _opt_outs(seen)}
    if rows:
        names = dict.fromkeys(r.name for r in rows)
        first = {r.name: r for r in reversed(rows)}
        changes["datasets"] = tuple(
            Dataset(n, first[n].family, first[n].span, first[n].category or None) for n in names
        )
        changes["legal_basis"] = tuple(dict.fromkeys(r.legal_basis for r in rows if r.legal_basis))
        changes["type_of_data"] = "; ".join(dict.fromkeys(r.category for r in rows if r.category)) or None
        flags = {sensitive_of(r.sensitive) for r in rows if r.sensitive}
        changes["sensitive"] = True if True in flags else False if flags == {False} else None
        changes["sensitivity"] = "; ".join(dict.fromkeys(r.sensitive for r in rows if r.sensitive)) or None
        extra = tuple((h, f"{r.name}: {v}", r.span) for r in rows for h, v in r.extra)
        draft = draft | {"fields": draft["fields"] + extra}
    elif seen is not None:
        changes["datasets"] = tuple(seen.datasets[n] for n in sorted(seen.datasets))
        changes["legal_basis"] = tuple(seen.legal_bases)
        if draft["variant"] == "quarterly-register":
            changes["period"] = state.period
    return Entry(**draft, **changes)


def _purpose_entry(draft: PurposeDraft, position: int) -> Entry:
    """An entry for a release register that states a purpose on each row (PHE)."""
    sections = []
    for text, line in draft.purposes.items():
        lines = tuple(Span(draft.source, line, 1, part) for part in text.split("\n"))
        sections.append(Section("Purpose", lines[0], lines))
    months = sorted(draft.months)
    return Entry(
        id=f"{draft.source}:{draft.line}",
        source=draft.source,
        line=draft.line,
        position=position,
        reference=draft.reference,
        agreement=agreement_core(draft.reference),
        title=draft.recipient or draft.reference,
        organisation=draft.recipient or None,
        organisation_type=draft.organisation_type or None,
        legal_basis=tuple(draft.legal_bases),
        period=Period(months[0], months[-1], "months of the release rows") if months else None,
        datasets=tuple(Dataset(n, dataset_family(n), s) for n, s in draft.datasets.items()),
        sections=tuple(sections),
        variant="release-register",
        span=Span(draft.source, draft.line, 1, draft.reference),
    )
