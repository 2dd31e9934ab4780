"""The extractor over the 838 purpose statements of the real 2017 register."""

from __future__ import annotations

from pathlib import Path

import pytest

from dataflow_graph import api

WORKBOOK = Path(__file__).parent / "data" / "register" / "ReleaseRegister-sep-nov-2017.xlsx"


@pytest.fixture(scope="module")
def register() -> api.Register:
    return api.load([WORKBOOK])


def test_statements_2017_extractor_never_crashes_and_counts_balance(register):
    statements = [e for e in register.entries if "#PurposeStatements" in e.id]
    assert len(statements) == 838
    assert register.flows
    assert register.diagnostics.balanced


def test_statements_2017_dscro_statements_yield_two_hop_flows(register):
    dscro = {
        e.id
        for e in register.entries
        if "#PurposeStatements" in e.id and "DSCRO" in " ".join(s.text for s in e.sections)
    }
    with_chain = {f.entry for f in register.flows if f.entry in dscro and len(f.hops) >= 2}
    assert len(dscro) == 447
    assert len(with_chain) / len(dscro) >= 0.9


def test_statements_2017_statement_evidence_names_sheet_and_row(register):
    flow = next(f for f in register.flows if "#PurposeStatements" in f.entry)
    ev = flow.hops[0].evidence
    assert ev.path.endswith("#PurposeStatements")
    assert ev.line == int(flow.entry.rsplit(":", 1)[1])


def test_statements_2017_pages_and_files_join_on_agreement(register):
    both = api.load([Path(api.embedded_path("seeds")), WORKBOOK])
    entries = both.agreements["NIC-41576-W2B4Q"]
    assert any("#PurposeStatements" in e for e in entries)
    assert any(e.endswith(".txt#2") for e in entries)
    assert any(r.agreement == "NIC-41576-W2B4Q" for r in both.releases)


def test_statements_2017_parallel_extraction_equals_one_process(register):
    from dataflow_graph.errors import Diagnostics
    from dataflow_graph.extract import extract_all

    one = extract_all(register.entries, register.gazetteer, Diagnostics(), workers=1)
    assert [f.as_dict() for f in one] == [f.as_dict() for f in register.flows]
