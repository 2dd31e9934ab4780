"""The RDF commands from the CLI: check, sparql (named queries, bindings), the Python twin."""

from __future__ import annotations

import json

from click.testing import CliRunner

from dataflow_graph.cli import cli


def _json(args: list[str]) -> dict:
    result = CliRunner().invoke(cli, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_check_seed_conforms_to_shapes_and_warns_of_its_reversed_window():
    result = CliRunner().invoke(cli, ["check"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1].startswith("conforms: no violation (")
    assert "seeds/000_95fc53981bcca0e2.txt:947: Warning[check:reversed_windows] [entry NIC-41576-W2B4Q]" in (
        result.stdout
    )


def test_check_json_names_the_rule_of_each_result():
    rows = _json(["check"])["violations"]
    assert {r["rule"] for r in rows} == {"check:reversed_windows"}


def test_sparql_convergence_equals_converge_on_seed():
    sparql = {(r["recipient"], r["family"]) for r in _json(["sparql", "convergence"])["rows"]}
    python = {(f["recipient_id"], f["family"]) for f in _json(["converge"])["findings"]}
    assert sparql == python
    assert len(python) == 2


def test_sparql_binding_is_a_value_not_query_text():
    rows = _json(["sparql", "holders", "--bind", "family=SUS"])["rows"]
    assert rows
    assert {r["family"] for r in rows} == {"SUS"}
    injected = _json(["sparql", "holders", "--bind", 'family=SUS" } ?s ?p ?o { "'])["rows"]
    assert injected == []


def test_sparql_update_is_refused_without_allow_update(tmp_path):
    update = tmp_path / "drop.rq"
    update.write_text("DELETE WHERE { ?s ?p ?o }", encoding="utf-8")
    result = CliRunner().invoke(cli, ["sparql", str(update)])
    assert result.exit_code == 1
    assert "--allow-update" in result.stderr


def test_sparql_store_is_reused_between_runs(tmp_path):
    first = _json(["sparql", "by_opt_out", "--store", str(tmp_path / "store")])
    second = _json(["sparql", "by_opt_out", "--store", str(tmp_path / "store")])
    assert first == second
    assert len([p for p in (tmp_path / "store").iterdir() if not p.name.startswith(".")]) == 1


def test_sparql_query_file_not_utf8_is_one_line_with_its_place(tmp_path):
    query = tmp_path / "q.rq"
    query.write_bytes(b'SELECT * WHERE {\n  ?s ?p "caf\xe9" }\n')
    result = CliRunner().invoke(cli, ["sparql", str(query)])
    assert result.exit_code == 1
    assert (
        result.stderr.splitlines()[-1] == f"Error: {query}:2:13: query file is not UTF-8 (byte 0xe9); save it as UTF-8"
    )


def test_sparql_evidence_gives_both_sides_for_the_thurrock_finding():
    rows = _json(["sparql", "evidence", "--bind", "recipient=org:nhs-thurrock-ccg"])["rows"]
    assert {r["side"] for r in rows} == {"identifiable", "de-identified"}
    assert {r["family"] for r in rows} == {"SUS"}
    assert all(r["sentence"] and r["file"] and r["line"] for r in rows)


def test_export_jsonld_flat_loads_as_one_graph(tmp_path):
    from rdflib import Graph

    out = tmp_path / "seed.jsonld"
    result = CliRunner().invoke(cli, ["export", "--format", "jsonld", "--flat", "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    flat = Graph().parse(out, format="json-ld")
    nt = CliRunner().invoke(cli, ["export", "--format", "nt", "-q"])
    assert len(flat) == len(Graph().parse(data=nt.stdout, format="nt")) > 1000


def test_export_flat_with_turtle_is_a_usage_error():
    result = CliRunner().invoke(cli, ["export", "--format", "turtle", "--flat", "-q"])
    assert result.exit_code == 1
    assert "JSON-LD only" in result.stderr
