"""Helpers for tests that read purpose statements: a workbook row's flows and entry, and a
statement written in the test as numbered lines, extracted the way the register's are."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dataflow_graph import api
from dataflow_graph.errors import Diagnostics, Span
from dataflow_graph.extract import extract
from dataflow_graph.model import Dataset, Entry, Flow, FlowKind, Section
from dataflow_graph.names import gazetteer

WORKBOOK = Path(__file__).parent / "data" / "register" / "ReleaseRegister-sep-nov-2017.xlsx"


def row_flows(register: api.Register, row: int, kind: FlowKind | None = None) -> list[Flow]:
    """The flows of PurposeStatements row ``row`` (1-based, as the audit cites it), of ``kind`` if given."""
    flows = [
        f for f in register.flows if f.entry.endswith(f"#PurposeStatements:{row}") and (kind is None or f.kind is kind)
    ]
    assert flows, row
    return flows


def row_entry(register: api.Register, row: int) -> Entry:
    """The entry of PurposeStatements row ``row``."""
    return next(e for e in register.entries if e.id.endswith(f"#PurposeStatements:{row}"))


def statement(
    lines: list[str],
    organisation: str,
    *,
    name: str = "statement.txt",
    variant: str = "quarterly-register",
    datasets: tuple[Dataset, ...] = (),
) -> Entry:
    """A register entry (by default of a quarterly register) whose Processing section is
    ``lines`` (from line 2), with the ``datasets`` its own fields list."""
    spans = tuple(Span(name, i + 2, 1, text) for i, text in enumerate(lines))
    return Entry(
        id=f"{name}#1",
        source=name,
        line=1,
        position=1,
        reference="DARS-NIC-00004-DDDDD",
        agreement="NIC-00004-DDDDD",
        title=organisation,
        organisation=organisation,
        datasets=datasets,
        sections=(Section("Processing", Span(name, 1, 1, "Processing:"), spans),),
        variant=variant,
    )


def statement_flows(lines: list[str], organisation: str, **how: Any) -> list[Flow]:
    """The flows extracted from :func:`statement` (``how``: its ``name``, ``variant``, ``datasets``)."""
    return extract(statement(lines, organisation, **how), gazetteer().fresh(), Diagnostics())
