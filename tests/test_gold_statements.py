"""The flow extractor and the convergence query against 36 real 2017 purpose statements.

``tests/gold/statements-2017.yaml`` was labelled by hand, blind to the tool, from the
PurposeStatements sheet of the September-November 2017 register (its header gives the
conventions, the sampling and the ambiguous cases).  Hop edges are scored as for the
seed (:mod:`dataflow_graph.extract.evaluation`); convergence findings per statement: a
statement's (recipient, family) with an identifiable and a de-identified copy.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dataflow_graph import api
from dataflow_graph.extract.evaluation import evaluate, evaluate_convergence, load_gold

HERE = Path(__file__).parent
GOLD = HERE / "gold" / "statements-2017.yaml"
WORKBOOK = HERE / "data" / "register" / "ReleaseRegister-sep-nov-2017.xlsx"


@pytest.fixture(scope="module")
def register() -> api.Register:
    return api.load([WORKBOOK])


@pytest.fixture(scope="module")
def gold() -> dict:
    return load_gold(GOLD.read_text(encoding="utf-8"))


def test_gold_statements_hop_edges_precision_and_recall_at_least_0_9(register, gold):
    score = evaluate(register.flows, gold, register.gazetteer)
    assert score.counts["gold_core"] > 400  # the whole gold is scored, not a corner of it
    assert score.core_precision >= 0.9, score.extras
    assert score.core_recall >= 0.9, score.misses


def test_gold_statements_convergence_precision_and_recall_at_least_0_9(register, gold):
    found, _ = api.convergences(register)
    findings = [
        (c.recipient_id, c.family, [s.flow for s in c.identifiable], [s.flow for s in c.pseudonymised]) for c in found
    ]
    score = evaluate_convergence(findings, gold, register.gazetteer)
    assert len(gold["convergence"]) == 26
    assert score.precision >= 0.9, score.extras
    assert score.recall >= 0.9, score.misses


def test_gold_statements_unknown_organisation_keyed_as_the_extractor_keys_it(register, gold):
    """A recipient the gazetteer does not know ("NHS Enfield CCG") scores as a match."""
    score = evaluate(register.flows, gold, register.gazetteer)
    enfield = [e for e in score.misses if e[0] == "NIC-41640-G0C5N" and e[2] == "NHS Enfield CCG"]
    assert register.gazetteer.lookup("NHS Enfield CCG") is None
    assert enfield == []


def test_gold_statements_one_row_scored_per_reference(register, gold):
    """NIC-41140-T4H0T has a PurposeStatements row per purpose; the gold labels row 455 only."""
    rows = {f.entry.rsplit(":", 1)[1] for f in register.flows if f.reference == "NIC-41140-T4H0T"}
    assert len(rows) > 1
    score = evaluate(register.flows, gold, register.gazetteer)
    assert not [e for e in score.extras if e[0] == "NIC-41140-T4H0T"]
