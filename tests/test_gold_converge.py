"""Convergence on the seed page: the two findings of the gold, every listed fact."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from dataflow_graph.cli import cli
from dataflow_graph.outputs.documents import expand

GOLD = yaml.safe_load((Path(__file__).parent / "gold" / "thurrock.yaml").read_text("utf-8"))


@pytest.fixture(scope="module")
def document() -> dict:
    result = CliRunner().invoke(cli, ["converge", "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _position(entry_id: str) -> int:
    return int(entry_id.rsplit("#", 1)[1])


def _canonical(name: str) -> str:
    """Gold organisation names to the words that identify them."""
    return name.lower().replace("north east london", "north and east london")


def _finding(document: dict, gold_finding: dict) -> dict:
    key = _canonical(gold_finding["recipient"]).split()
    matches = [
        f
        for f in document["findings"]
        if f["family"] == gold_finding["family"]
        and all(w in f["recipient"].lower().replace(" and ", " and ") for w in key if w not in ("nhs",))
    ]
    assert len(matches) == 1, (gold_finding["recipient"], [f["recipient"] for f in document["findings"]])
    return expand(document, matches[0])


@pytest.mark.parametrize("gold_finding", GOLD["convergence"], ids=lambda g: g["recipient"])
def test_converge_seed_finding_has_gold_entries_per_side(document, gold_finding):
    f = _finding(document, gold_finding)
    assert sorted({_position(s["entry"]) for s in f["identifiable"]}) == gold_finding["identifiable_entries"]
    assert sorted({_position(s["entry"]) for s in f["pseudonymised"]}) == gold_finding["pseudonymised_entries"]
    for side in f["identifiable"] + f["pseudonymised"]:
        assert set(side) >= {"entry", "reference", "agreement", "purpose", "period", "opt_outs", "path", "evidence"}
        assert side["evidence"]
        assert side["evidence"][0]["line"] > 0


def test_converge_seed_ccg_has_every_listed_fact(document):
    gold = GOLD["convergence"][0]
    f = _finding(document, gold)
    assert f["same_agreement"] == gold["same_agreement_both"]
    assert f["overlap"]["from"] == gold["overlapping_months"]["from"]
    assert f["overlap"]["to"] == gold["overlapping_months"]["to"]
    assert f["opt_out_divergence"] is True
    assert f["landing_only"] is False
    units = [s["unit"] for s in f["segregation"] if s["kind"] == "unit"]
    assert units == ["Controlled Environment for Finance (CEfF)"]
    assert any("held separately" in s["evidence"]["text"] for s in f["segregation"])


def test_converge_seed_csu_finding_says_landing_only(document):
    f = _finding(document, GOLD["convergence"][1])
    assert f["landing_only"] is True
    assert f["landing_only_sides"] == ["identifiable"]
    assert f["same_agreement"] == ["NIC-41576-W2B4Q"]


def test_converge_seed_no_finding_for_dscro_processor_or_onward_ccg(document):
    recipients = {f["recipient"] for f in document["findings"]}
    assert len(document["findings"]) == len(GOLD["convergence"])
    assert not any("DSCRO" in r or "Regional Office" in r for r in recipients)
    assert not any("Mede" in r or "Mid Essex" in r for r in recipients)
    assert document["excluded"]
    assert all("part of the source" in e["reason"] for e in document["excluded"])


def test_converge_seed_findings_sorted_by_severity(document):
    severities = [f["severity"] for f in document["findings"]]
    assert severities == sorted(severities, reverse=True)
    assert "thurrock" in document["findings"][0]["recipient"].lower()


def test_paths_seed_pseudonymised_sus_lists_csu_and_medeanalytics_routes():
    result = CliRunner().invoke(
        cli,
        [
            "paths",
            "--to",
            "NHS Thurrock CCG",
            "--family",
            "SUS",
            "--identifiability",
            "pseudonymised",
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    paths = json.loads(result.stdout)["paths"]
    routes = {tuple(p["path"]) for p in paths}
    assert any(any("Mede" in n for n in r) for r in routes)
    assert any(len(r) == 4 and "Commissioning Support Unit" in r[2] for r in routes)
    for p in paths:
        assert all(h["evidence"]["line"] > 0 and h["evidence"]["text"] for h in p["hops"])


def test_downstream_seed_ccg_shows_onward_flow_to_mid_essex():
    result = CliRunner().invoke(cli, ["downstream", "NHS Thurrock CCG", "--format", "json"])
    assert result.exit_code == 0, result.output
    names = [o["name"] for o in json.loads(result.stdout)["organisations"]]
    assert any("Mid Essex" in n for n in names)


def test_org_unknown_name_suggests_closest():
    result = CliRunner().invoke(cli, ["org", "Thurock CCG"])
    assert result.exit_code == 1
    assert "did you mean" in result.stderr
    assert "Thurrock" in result.stderr
