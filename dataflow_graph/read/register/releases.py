"""Release rows of register files to :class:`~dataflow_graph.model.Release` records.

A release row (DataReleases, its CSV export, PHE rows) is one released file.  Rows of
``AmendmentsToPreviousRegisters`` ("omitted from previous registers") are releases too,
with the period ``../<month before this register>``.  In a Data Uses Register, a release
row takes its recipient from the Agreements row and its category, sensitivity, legal
basis and frequency from the Datasets row of the same agreement and dataset.  Release
rows with a purpose (PHE) also gather, per reference, what becomes that reference's entry.
"""

from __future__ import annotations

import sys

from ..._speed import positional
from ...errors import Severity, Span
from ...model import Dataset, Identifiability, Period, Release
from .assembly import DatasetRow, PurposeDraft, Released, State, core_of, interned, name_key
from .rows import Row
from .tables import Coded, Table, family_of, reference_of, understood
from .values import frequency_of, identifiability_of, month_before, month_of, sensitive_of, yes_no

__all__ = ["read_release"]

#: :class:`Release` for the positional call in :func:`read_release` (a third faster than
#: keywords; the field order is checked once, at import).
_new_release = positional(
    Release,
    (
        "id",
        "source",
        "line",
        "reference",
        "agreement",
        "recipient",
        "dataset",
        "family",
        "category",
        "identifiability",
        "sensitive",
        "legal_basis",
        "frequency",
        "opt_outs_applied",
        "month",
        "period",
        "row_id",
        "extra",
    ),
)


def read_release(table: Table, row: Row, state: State) -> bool:
    """One released file."""
    cells = row.cells or []
    v = table.values(cells)
    reference = v.get("reference", "")
    if not reference or cells[table.columns["reference"]] is not reference:  # else already trim
        checked = reference_of(table, row, state)
        if checked is None:
            return False
        reference = checked
    core = core_of(reference)
    dataset = v.get("dataset", "")
    recipient = v.get("organisation", "")
    if not recipient and "organisation" not in table.columns:
        recipient = _looked_up_recipient(reference, core, table, row, state)
    extra = table.kept_values(cells)
    family = family_of(dataset, table, row, state)
    info = state.dataset_info.get((core, name_key(dataset))) if state.dataset_info else None
    category, identifiability, sensitive, frequency, applied, when = _release_values(table, row, v, info, extra, state)
    legal_basis = v.get("legal_basis") or (info.legal_basis if info else "")
    intern = sys.intern
    release = _new_release(
        f"{table.source}:{row.line}",
        table.source,
        row.line,
        intern(reference) if len(reference) < 200 else reference,
        intern(core) if len(core) < 200 else core,
        intern(recipient) if len(recipient) < 200 else recipient,
        intern(dataset) if len(dataset) < 200 else dataset,
        family,
        category,
        identifiability,
        sensitive,
        intern(legal_basis) if len(legal_basis) < 200 else legal_basis,
        frequency,
        applied,
        when,
        _previous_period(state) if table.previous else state.period,
        v.get("row_id", ""),
        tuple(extra),
    )
    state.releases.append(release)
    _note_release(release, table, row, v, state)
    return True


def _looked_up_recipient(reference: str, core: str, table: Table, row: Row, state: State) -> str:
    """The applicant organisation of the Agreements sheet, for release sheets without one."""
    recipient = state.recipient(reference, core)
    if not state.agreements:
        state.once(
            (table.source, "no recipient"),
            Span(table.source, table.header_line, 1),
            "DFG503",
            "no recipient column (e.g. 'Organisation Name') and no "
            "Agreements sheet to look the reference up in; recipients left empty",
            Severity.WARNING,
        )
    elif not recipient:
        state.once(
            (table.source, "agreement", reference),
            table.span(row, "reference"),
            "DFG509",
            f"reference {reference!r} is not in an Agreements sheet of this file; recipient unknown",
            Severity.WARNING,
        )
    return recipient


def _coded_values(
    table: Table, row: Row, category: str, sensitive_raw: str, frequency_raw: str, opt_raw: str, state: State
) -> tuple[Coded, bool]:
    """Category, sensitivity, frequency and opt-outs read; False when opt-outs are not."""
    identifiability = identifiability_of(category) if category else None
    understood(
        table,
        row,
        "category",
        category,
        identifiability,
        "Identifiable, Pseudonymised, Anonymised - ICO code compliant, Aggregated",
        state,
    )
    sensitive = sensitive_of(sensitive_raw)
    understood(table, row, "sensitive", sensitive_raw, sensitive, "Sensitive or Non-Sensitive", state)
    frequency = frequency_of(frequency_raw) if frequency_raw else ""
    if not understood(table, row, "frequency", frequency_raw, frequency, "One-Off or Ongoing", state):
        frequency = frequency_raw
    applied = yes_no(opt_raw) if opt_raw else None
    opt_outs_read = understood(table, row, "opt_outs", opt_raw, applied, "Y or N", state)
    return (interned(category), identifiability, sensitive, interned(frequency or ""), applied), opt_outs_read


def _release_values(
    table: Table, row: Row, v: dict[str, str], info: DatasetRow | None, extra: list[tuple[str, str]], state: State
) -> tuple[str, Identifiability | None, bool | None, str, bool | None, str | None]:
    """Category, identifiability, sensitivity, frequency, opt-outs and month of a row.

    The coded columns repeat from row to row; each combination is read once per table
    (a value not understood is reported once anyway, at the first row that has it).
    """
    key = (
        v.get("category") or (info.category if info else ""),
        v.get("sensitive") or (info.sensitive if info else ""),
        v.get("frequency") or (info.frequency if info else ""),
        v.get("opt_outs", ""),
    )
    known = table.coded.get(key)
    if known is None:
        known = table.coded[key] = _coded_values(table, row, *key, state)
    values, opt_outs_read = known
    if not opt_outs_read:
        extra.append((table.headers[table.columns["opt_outs"]], key[3]))
    when = None
    if month_text := v.get("month"):
        when = month_of(table.cell(row.cells or [], "month"))
        if when is None:
            state.diagnostics.report(
                table.span(row, "month", month_text),
                "DFG210",
                f"date {month_text!r} not understood (expected e.g. 'Jul-19' or '2019-07-01'); month left empty",
            )
    return (*values, when)


def _previous_period(state: State) -> Period | None:
    """Rows 'omitted from previous registers' were released before this register's period."""
    if state.period is None or not state.period.start:
        return None
    return Period(
        None, month_before(state.period.start), "omitted from previous registers", None, "before this register"
    )


def _note_release(release: Release, table: Table, row: Row, v: dict[str, str], state: State) -> None:
    """Remember what this row says about its agreement and, with a purpose, its entry."""
    if not table.previous:
        seen = state.released.get(release.agreement)
        if seen is None:
            seen = state.released[release.agreement] = Released()
        if release.dataset and release.dataset not in seen.datasets:
            seen.datasets[release.dataset] = Dataset(
                release.dataset,
                release.family,
                Span(release.source, release.line, 1, release.dataset),
                release.category or None,
            )
        seen.applied += release.opt_outs_applied is True
        seen.not_applied += release.opt_outs_applied is False
        if release.legal_basis:
            seen.legal_bases[release.legal_basis] = None
    purpose = v.get("purpose")
    if not purpose:
        return
    draft = state.purposes.get(release.reference)
    if draft is None:
        draft = state.purposes[release.reference] = PurposeDraft(
            release.reference, release.source, release.line, release.recipient, v.get("organisation_type", "")
        )
    draft.purposes.setdefault(purpose, row.line)
    for name in (p.strip() for p in release.dataset.split(", ")):
        if name:
            draft.datasets.setdefault(name, Span(release.source, release.line, 1, name))
    if release.legal_basis:
        draft.legal_bases[release.legal_basis] = None
    if release.month:
        draft.months.add(release.month)
