"""Findings a campaigner can quote (issue 13), held on the real 2017 workbook and the seed.

Each test reads the tool's records, not its words, and checks a claim against evidence the
test works out on its own: the opt-out status of each side, an organisation folding written
here, the rows a period rests on.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pytest

from dataflow_graph import api
from dataflow_graph.graph import RollUp
from dataflow_graph.graph.convergence import Convergence
from dataflow_graph.model import OptOut

WORKBOOK = Path(__file__).parent / "data" / "register" / "ReleaseRegister-sep-nov-2017.xlsx"


@pytest.fixture(scope="module")
def register_2017() -> api.Register:
    return api.load([WORKBOOK])


@pytest.fixture(scope="module")
def findings_2017(register_2017):
    found, _ = api.convergences(register_2017)
    return found, api.file_findings(register_2017)


def _status(side) -> OptOut:
    return side.opt_outs_found.status if side.opt_outs_found else OptOut.UNKNOWN


def test_findings_2017_divergence_only_between_determined_opposite_sides(findings_2017):
    flows, files = findings_2017
    claimed = [f for f in flows if f.opt_out_divergence]
    assert claimed  # the register does state some
    for f in claimed:
        ident = {_status(s) for s in f.identifiable} - {OptOut.UNKNOWN}
        deid = {_status(s) for s in f.pseudonymised} - {OptOut.UNKNOWN}
        q = f.qualifier("opt_out_divergence")
        assert q is not None
        assert q.evidence
        # one side honoured and the other not, each status determined (not "mixed")
        assert (OptOut.YES in ident and OptOut.NO in deid) or (OptOut.NO in ident and OptOut.YES in deid), f
    for f in (f for f in files if f.opt_out_divergence):
        ident = {r.opt_outs_applied for r in f.files.identifiable_rows} - {None}
        deid = {r.opt_outs_applied for r in f.files.deidentified_rows} - {None}
        assert len(ident) == len(deid) == 1, f.recipient
        assert ident != deid, f.recipient


def test_findings_2017_partly_known_rests_on_file_rows_or_a_stated_field(findings_2017):
    flows, files = findings_2017
    for f in [*flows, *files]:
        q = f.qualifier("opt_outs_partly_known")
        if q is None:
            continue
        # a reference cell is no evidence of opt-outs: each cited piece is a released-file
        # row, or a sentence or field of text that speaks of opt-outs or objections
        for c in q.evidence:
            assert c.row_id or re.search(r"(?i)opt|object", c.text), (f.recipient, c)


def _fold(name: str) -> str:
    """An organisation name folded as a reader would, independently of the tool's gazetteer."""
    low = name.lower().replace("&", " and ")
    low = re.sub(r"\bclinical commissioning group\b", "ccg", low)
    low = re.sub(r"\bcommissioning support unit\b", "csu", low)
    low = re.sub(r"\([^)]*\)", " ", low)
    low = re.sub(r"[^a-z0-9 ]", " ", low)
    words = [w for w in low.split() if w not in {"nhs", "the", "of", "limited", "ltd"}]
    return " ".join(words)


def test_findings_2017_one_organisation_is_one_recipient(findings_2017):
    flows, files = findings_2017
    ids_by_name: dict[str, set[str]] = defaultdict(set)
    for f in [*flows, *files]:
        ids_by_name[_fold(f.recipient)].add(f.recipient_id)
        if not isinstance(f, Convergence):
            for written in f.files.as_written:
                ids_by_name[_fold(written)].add(f.recipient_id)
    assert {k: v for k, v in ids_by_name.items() if len(v) > 1} == {}
    # and one finding per organisation and family
    keys = [(f.recipient_id, f.family, isinstance(f, Convergence)) for f in [*flows, *files]]
    assert len(keys) == len(set(keys))


def test_findings_2017_overlap_never_rests_on_the_register_title_alone(findings_2017):
    flows, _ = findings_2017
    for f in flows:
        q = f.qualifier("overlap")
        if q is not None:
            # released-file rows, or the entries' own period lines: not just "Data released … 2017"
            assert any(c.row_id or "#README" not in c.source for c in q.evidence), f
        undated = [s for s in (*f.identifiable, *f.pseudonymised) if s.undated]
        if undated and not f.overlap:
            same = f.qualifier("same_register")
            assert same is not None
            assert "not stated" in same.statement
            assert all("#README" in c.source for c in same.evidence)


def test_findings_2017_undated_copies_have_no_months(findings_2017):
    flows, _ = findings_2017
    sides = [s for f in flows for s in (*f.identifiable, *f.pseudonymised)]
    assert any(s.undated for s in sides)
    assert all(s.window is None for s in sides if s.undated)
    dated = [s for s in sides if s.months_found]
    assert dated
    assert all(s.dated_by for s in dated)


def test_findings_seed_successor_rollup_keeps_every_qualifier():
    register = api.load()
    ccg, _ = api.convergences(register)
    icb, _ = api.convergences(register, rollup=RollUp.SUCCESSOR)
    thurrock = next(f for f in ccg if f.recipient == "NHS Thurrock CCG" and f.family == "SUS")
    rolled = next(f for f in icb if f.family == "SUS" and "NHS Thurrock CCG" in f.rolled_up_from)
    assert rolled.recipient != thurrock.recipient  # the successor (an ICB), not the CCG
    names = {q.name for q in thurrock.qualifiers}
    assert {"linkage", "reidentification"} <= names
    assert {q.name for q in rolled.qualifiers} == names
    assert rolled.severity == thurrock.severity
