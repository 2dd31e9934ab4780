"""Release rows of register files to :class:`~dataflow_graph.model.Release` records.

A release row (DataReleases, its CSV export, PHE rows) is one released file.  Rows of
``AmendmentsToPreviousRegisters`` ("omitted from previous registers") are releases too,
with the period ``../<month before this register>``.  In a Data Uses Register, a release
row takes its recipient from the Agreements row and its category, sensitivity, legal
basis and frequency from the Datasets row of the same agreement and dataset.  Release
rows with a purpose (PHE) also gather, per reference, what becomes that reference's entry.
"""

from __future__ import annotations

import dataclasses
from sys import intern
from typing import Any

from ...errors import Severity, Span
from ...model import Dataset, Identifiability, Period, Release
from .assembly import PurposeDraft, Released, State, core_of, interned, name_key
from .rows import Row
from .tables import Coded, Table, family_of, reference_of, understood
from .values import frequency_of, identifiability_of, month_before, month_of, sensitive_of, yes_no

__all__ = ["read_release"]


class _Unfrozen:
    """A :class:`Release` being filled: the same slots, without the frozen ``__setattr__``.

    A frozen dataclass sets each of its 18 fields through ``object.__setattr__``, the
    largest cost of a release row; plain slot stores are about six times cheaper.  Once
    filled, the object becomes a :class:`Release` (``__class__`` set: the slots are the
    same, so CPython allows it) and is frozen from then on.
    """

    __slots__ = Release.__slots__


def _new_release(
    id_: str,
    source: str,
    line: int,
    reference: str,
    agreement: str,
    recipient: str,
    dataset: str,
    family: str | None,
    category: str,
    identifiability: Identifiability | None,
    sensitive: bool | None,
    legal_basis: str,
    frequency: str,
    opt_outs_applied: bool | None,
    month: str | None,
    period: Period | None,
    row_id: str,
    extra: tuple[tuple[str, str], ...],
) -> Release:
    """``Release(...)`` with every field given by position, made as :class:`_Unfrozen` describes."""
    r: Any = _Unfrozen()
    r.id = id_
    r.source = source
    r.line = line
    r.reference = reference
    r.agreement = agreement
    r.recipient = recipient
    r.dataset = dataset
    r.family = family
    r.category = category
    r.identifiability = identifiability
    r.sensitive = sensitive
    r.legal_basis = legal_basis
    r.frequency = frequency
    r.opt_outs_applied = opt_outs_applied
    r.month = month
    r.period = period
    r.row_id = row_id
    r.extra = extra
    r.__class__ = Release
    release: Release = r
    return release


def _check_new_release() -> None:
    """Every field set, each from its own argument, in :class:`Release`'s order (checked at import)."""
    values = [object() for _ in dataclasses.fields(Release)]
    made = _new_release(*values)  # type: ignore[arg-type]
    if type(made) is not Release or [getattr(made, f.name) for f in dataclasses.fields(Release)] != values:
        raise ImportError("_new_release does not set the fields of Release in their order: update it")


_check_new_release()

#: The columns a release row reads, in the order :func:`read_release` unpacks them.
_COLUMNS = (
    "reference",
    "dataset",
    "organisation",
    "category",
    "sensitive",
    "frequency",
    "opt_outs",
    "month",
    "legal_basis",
    "row_id",
    "purpose",
    "organisation_type",
)


def read_release(table: Table, row: Row, state: State) -> bool:
    """One released file."""
    cells = row.cells or []
    (
        reference,
        dataset,
        recipient,
        category,
        sensitive_raw,
        frequency_raw,
        opt_raw,
        month_text,
        legal_basis,
        row_id,
        purpose,
        organisation_type,
    ) = table.picker(_COLUMNS)(cells)
    if not reference or cells[table.columns["reference"]] is not reference:  # else already trim
        checked = reference_of(table, row, state)
        if checked is None:
            return False
        reference = checked
    core = core_of(reference)
    if not recipient and "organisation" not in table.columns:
        recipient = _looked_up_recipient(reference, core, table, row, state)
    extra = table.kept_values(cells)
    family = family_of(dataset, table, row, state)
    info = state.dataset_info.get((core, name_key(dataset))) if state.dataset_info else None
    if info is not None:
        category = category or info.category
        sensitive_raw = sensitive_raw or info.sensitive
        frequency_raw = frequency_raw or info.frequency
        legal_basis = legal_basis or info.legal_basis
    category, identifiability, sensitive, frequency, applied, when = _release_values(
        table, row, (category, sensitive_raw, frequency_raw, opt_raw), month_text, extra, state
    )
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
        row_id,
        tuple(extra),
    )
    state.releases.append(release)
    _note_release(release, table, row, purpose, organisation_type, state)
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
    table: Table,
    row: Row,
    key: tuple[str, str, str, str],
    month_text: str,
    extra: list[tuple[str, str]],
    state: State,
) -> tuple[str, Identifiability | None, bool | None, str, bool | None, str | None]:
    """Category, identifiability, sensitivity, frequency, opt-outs and month of a row.

    ``key`` is the (category, sensitivity, frequency, opt-outs) of the row as written.
    The coded columns repeat from row to row; each combination is read once per table
    (a value not understood is reported once anyway, at the first row that has it).
    """
    known = table.coded.get(key)
    if known is None:
        known = table.coded[key] = _coded_values(table, row, *key, state)
    values, opt_outs_read = known
    if not opt_outs_read:
        extra.append((table.headers[table.columns["opt_outs"]], key[3]))
    when = None
    if month_text:
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


def _note_release(release: Release, table: Table, row: Row, purpose: str, organisation_type: str, state: State) -> None:
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
    if not purpose:
        return
    draft = state.purposes.get(release.reference)
    if draft is None:
        draft = state.purposes[release.reference] = PurposeDraft(
            release.reference, release.source, release.line, release.recipient, organisation_type
        )
    draft.purposes.setdefault(purpose, row.line)
    for name in (p.strip() for p in release.dataset.split(", ")):
        if name:
            draft.datasets.setdefault(name, Span(release.source, release.line, 1, name))
    if release.legal_basis:
        draft.legal_bases[release.legal_basis] = None
    if release.month:
        draft.months.add(release.month)
