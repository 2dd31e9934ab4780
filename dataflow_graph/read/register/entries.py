"""Agreement, purpose-statement and dataset rows of register files, gathered for their entries.

- a PurposeStatements row: one entry (variant ``quarterly-register``), reference kept as
  written (trimmed), sections Objectives, Processing, Outputs and Expected Benefits;
- an Agreements row: one entry (variant ``data-uses-register``) with the DSA window,
  controllers, flags and sections;
- a Datasets row: what an agreement may receive, and how; its entry's datasets, and the
  category, sensitivity, legal basis and frequency of the matching release rows.

The entries themselves are made once every sheet has been read (:mod:`.assembly`).
"""

from __future__ import annotations

from dataclasses import replace

from ..._speed import cell_section
from ...errors import Severity, Span
from ...model import Period, Section
from ...names import agreement_core, split_controllers
from .assembly import DatasetRow, EntryDraft, State, core_of, name_key
from .columns import LABELS, SECTIONS
from .rows import Row, raw_of
from .tables import Table, family_of, reference_of, understood
from .values import cell_text, identifiability_of, month_of, yes_no

__all__ = ["read_dataset", "read_entry"]


def read_entry(table: Table, row: Row, state: State) -> bool:
    """One agreement (Agreements) or purpose statement (PurposeStatements) row."""
    cells = row.cells or []
    reference = reference_of(table, row, state)
    if reference is None:
        return False
    organisation = table.get(cells, "organisation") or None
    sections = tuple(
        s for s in (_section(label, table.raw(cells, col), table.source, row.line) for col, label in SECTIONS) if s
    )
    agreement_sheet = bool(table.columns.keys() & {"title", "controllers", "dsa_start"})
    fields, unrecognised = _kept_fields(table, row)
    agreement = core_of(reference)
    controllers = table.get(cells, "controllers")
    draft: EntryDraft = {
        "id": f"{table.source}:{row.line}",
        "source": table.source,
        "line": row.line,
        "position": len(state.drafts),
        "reference": reference,
        "agreement": agreement,
        "title": table.get(cells, "title") or organisation or reference,
        "organisation": organisation,
        "organisation_type": table.get(cells, "organisation_type") or None,
        "dsa": _dsa(table, row, state),
        "sublicensing": _flag(table, row, "sublicensing", state),
        "commercial": _flag(table, row, "commercial", state),
        # an empty cell names none (and a sheet without the column needs no role words loaded)
        "controllers": tuple(split_controllers(controllers)) if controllers else (),
        "sections": sections,
        "fields": fields,
        "unrecognised": unrecognised,
        "variant": "data-uses-register" if agreement_sheet else "quarterly-register",
        "span": Span(table.source, row.line, 1, table.raw(cells, "reference")),
    }
    state.drafts.append(draft)
    if organisation:
        state.agreements.setdefault(reference, organisation)
        state.agreement_cores.setdefault(agreement, {})[organisation] = None
    return True


def _section(name: str, text: str, source: str, line: int) -> Section | None:
    """A free-text cell as a section: one span per line of the cell, all on the sheet row."""
    text = text.strip()
    if not text:
        return None
    return cell_section(name, source, line, text)


def _kept_fields(table: Table, row: Row) -> tuple[tuple[tuple[str, str, Span], ...], tuple[Span, ...]]:
    """Columns an entry does not model: known ones as fields, unknown ones as unrecognised."""
    cells = row.cells or []
    fields, unrecognised = [], []
    for i in table.kept:
        value = cell_text(cells[i]).strip() if i < len(cells) else ""
        if not value:
            continue
        span = Span(table.source, row.line, i + 1 + table.col_offset, value)
        if i in table.unknown:
            unrecognised.append(replace(span, text=f"{table.headers[i]}: {value}"))
        else:
            fields.append((table.headers[i], value, span))
    return tuple(fields), tuple(unrecognised)


def _flag(table: Table, row: Row, column: str, state: State) -> bool | None:
    """A yes/no column; None, with one DFG212 warning per value, when it says neither."""
    value = table.get(row.cells or [], column)
    parsed = yes_no(value) if value else None
    if parsed is None and value:
        state.once(
            (table.source, column, value),
            table.span(row, column, value),
            "DFG212",
            f"{LABELS[column]!r} value {value!r} is not yes or no; left unknown",
            Severity.WARNING,
        )
    return parsed


def _dsa(table: Table, row: Row, state: State) -> Period | None:
    """The agreement window from the DSA start and end dates."""
    cells = row.cells or []
    start_cell, end_cell = table.cell(cells, "dsa_start"), table.cell(cells, "dsa_end")
    start_text, end_text = cell_text(start_cell).strip(), cell_text(end_cell).strip()
    if not start_text and not end_text:
        return None
    start = month_of(start_cell) if start_text else None
    end = month_of(end_cell) if end_text else None
    span = table.span(row, "dsa_start", f"{start_text} – {end_text}")
    for text, parsed in ((start_text, start), (end_text, end)):
        if text and parsed is None:
            state.diagnostics.report(
                span, "DFG210", f"DSA date {text!r} not understood (expected e.g. '2019-05-01'); that end left open"
            )
    period = Period(start, end, span.text, span)
    if period.reversed:
        state.diagnostics.report(
            span, "DFG211", f"DSA window {span.text!r} ends ({end}) before it starts ({start}); kept as published"
        )
    return period


def read_dataset(table: Table, row: Row, state: State) -> bool:
    """One row of a Datasets sheet: kept for its agreement and for the release rows."""
    cells = row.cells or []
    reference = reference_of(table, row, state)
    if reference is None:
        return False
    name = table.get(cells, "dataset")
    if not name:
        state.diagnostics.report(
            table.span(row, text=raw_of(cells)), "DFG511", "dataset row has no dataset name; rejected", Severity.ERROR
        )
        return False
    span = table.span(row, "dataset", name)
    category = table.get(cells, "category")
    understood(
        table,
        row,
        "category",
        category,
        identifiability_of(category) if category else None,
        "Identifiable, Pseudonymised, Anonymised - ICO code compliant, Aggregated",
        state,
    )
    record = DatasetRow(
        reference,
        name,
        family_of(name, table, row, state),
        category,
        table.get(cells, "sensitive"),
        table.get(cells, "frequency"),
        table.get(cells, "legal_basis"),
        span,
        tuple(table.kept_values(cells)),
    )
    core = agreement_core(reference)
    state.dataset_rows.setdefault(reference, []).append(record)
    state.dataset_cores.setdefault(core, []).append(record)
    state.dataset_info.setdefault((core, name_key(name)), record)
    if state.drafts and reference not in state.agreements and core not in state.agreement_cores:
        state.once(
            (table.source, "agreement", reference),
            table.span(row, "reference"),
            "DFG509",
            f"reference {reference!r} is not in an Agreements sheet of this "
            "file; the dataset row is used only for release rows",
            Severity.WARNING,
        )
    return True
