"""The flow extractor against the hand-labelled gold of the seed page."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from dataflow_graph import api
from dataflow_graph.cli import cli
from dataflow_graph.extract.evaluation import evaluate, load_gold
from dataflow_graph.model import FlowKind, Role

GOLD = Path(__file__).parent / "gold" / "thurrock.yaml"


@pytest.fixture(scope="module")
def register() -> api.Register:
    return api.load()


@pytest.fixture(scope="module")
def gold() -> dict:
    return load_gold(GOLD.read_text(encoding="utf-8"))


def test_eval_seed_core_and_extended_scores_meet_targets(register, gold):
    score = evaluate(register.flows, gold, register.gazetteer)
    assert score.core_precision >= 0.95
    assert score.core_recall >= 0.95
    assert score.extended_recall >= 0.8
    assert score.misses == ()


def test_eval_cli_prints_precision_and_recall():
    result = CliRunner().invoke(cli, ["eval", "--gold", str(GOLD), "--format", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["core"]["recall"] >= 0.95
    assert doc["core"]["precision"] >= 0.95
    assert doc["misses"] == []


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", text.lower()))


def test_flows_every_hop_evidence_names_its_recipient(register):
    """Opened in the page, the evidence line contains the words that justify the hop."""
    pages = {}
    checked = 0
    for flow in register.flows:
        for hop in flow.hops:
            ev = hop.evidence
            path = Path(api.embedded_path("seeds")).parent / ev.path
            lines = pages.setdefault(ev.path, path.read_text(encoding="utf-8").splitlines())
            assert ev.text in lines[ev.line - 1], (flow.id, ev)
            names = [hop.target_text, hop.target.name, *hop.target.aliases]
            if hop.target.role is Role.DSCRO:
                names += ["DSCRO", "Data Services for Commissioners Regional Office"]
            if hop.unit:
                names += ["CEfF", hop.unit]
            said = ev.text + (" " + hop.context.text if hop.context else "")
            assert any(n and n.lower() in said.lower() for n in names), (flow.id, hop)
            checked += 1
    assert checked > 30


def test_flows_seed_kinds_include_feeds_access_and_reidentification(register):
    kinds = {f.kind for f in register.flows}
    assert {FlowKind.TRANSFER, FlowKind.PROVIDER_FEED, FlowKind.REIDENTIFICATION} <= kinds
    assert any(h.access for f in register.flows for h in f.hops)


def test_flows_json_contract_has_required_keys():
    result = CliRunner().invoke(cli, ["flows", "--format", "json"])
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert doc["schema"] == 4
    assert set(doc) >= {"flows", "organisations", "diagnostics"}
    flow = doc["flows"][0]
    assert set(flow) >= {
        "id",
        "entry",
        "reference",
        "agreement",
        "purpose",
        "kind",
        "families",
        "identifiability",
        "hops",
    }
    hop = flow["hops"][0]
    assert set(hop) >= {"from", "from_role", "to", "to_role", "identifiability", "landing_only", "unit", "evidence"}
    assert set(hop["evidence"]) >= {"source", "line", "text"}
    assert set(doc["organisations"][0]) >= {"id", "name", "role", "reviewed", "aliases"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("entries: [\n  - ref: X\n", r"^Error: gold\.yaml:\d+:\d+: not valid YAML: "),
        ("- just\n- a list\n", r"^Error: gold\.yaml: a gold file is a mapping with 'entries'"),
        ("entries:\n  - flows: []\n", r"^Error: gold file gold\.yaml is not in the gold format .*KeyError 'ref'"),
        ("entries: 3\n", r"^Error: gold file gold\.yaml is not in the gold format"),
    ],
    ids=["not yaml", "a list", "no ref", "not a list"],
)
def test_eval_malformed_gold_is_one_line_exit_1(tmp_path, monkeypatch, text, expected):
    monkeypatch.chdir(tmp_path)
    Path("gold.yaml").write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["-q", "eval", "--gold", "gold.yaml"])
    assert result.exit_code == 1
    assert re.match(expected, result.stderr.splitlines()[-1])
    assert result.stderr.count("\n") == 1


def test_eval_gold_not_utf8_is_one_line_exit_1(tmp_path):
    gold = tmp_path / "gold.yaml"
    gold.write_bytes(b"entries:\n  - ref: \xff\n")
    result = CliRunner().invoke(cli, ["eval", "--gold", str(gold)])
    assert result.exit_code == 1
    assert (
        result.stderr.splitlines()[-1] == f"Error: gold file {gold} is not UTF-8 (byte at offset 18); save it as UTF-8"
    )
