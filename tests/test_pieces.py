"""``dfg check`` in pieces (:mod:`dataflow_graph.rdf.pieces`): the results of one
whole-graph pass, on registers and on graphs broken to trigger each rule."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from test_shacl_engine import CASES, GRAPH, ID, OTHER, _n, _store

from dataflow_graph import api
from dataflow_graph.rdf import pieces
from dataflow_graph.rdf.pieces import check_text
from dataflow_graph.rdf.register import rdf_store, rdf_text
from dataflow_graph.rdf.shacl import validate
from dataflow_graph.rdf.turtle import RdfText
from dataflow_graph.rdf.vocab import DFG, ORG, RDF, XSD

ROOT = Path(__file__).resolve().parent.parent
REGISTER = ROOT / "tests" / "data" / "register"


def _as_text(store: ox.Store) -> RdfText:
    """The store's quads as the records' text: N-Triples lines by named graph."""
    text = RdfText()
    for q in store:
        g = None if isinstance(q.graph_name, ox.DefaultGraph) else str(q.graph_name)
        text.statements.setdefault(g, []).append(f"{q.subject} {q.predicate} {q.object} .\n".encode())
    for lines in text.statements.values():
        lines.sort()
    return text


def _in_pieces(text: RdfText, monkeypatch: pytest.MonkeyPatch, parts: int = 0) -> tuple[list[object], int]:
    """The results in about ``parts`` pieces (0: one agreement graph each), and how many stores."""
    size = sum(len(c) for chunks in text.statements.values() for c in chunks)
    calls = []
    real = pieces.validate

    def counted(*args: object, **kwargs: object) -> object:
        calls.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pieces, "validate", counted)
    return list(check_text(text, pieces=True, piece_bytes=size // parts if parts else 1)), len(calls)


@pytest.mark.parametrize(
    "paths",
    [
        [ROOT / "seeds" / "000_95fc53981bcca0e2.txt"],
        [REGISTER / "PHE16-17.csv"],
        [REGISTER / "ReleaseRegister-sep-nov-2017.xlsx"],
    ],
    ids=["seed", "released files sharing a row id", "2017 workbook"],
)
def test_pieces_give_the_results_of_the_whole_pass(paths, monkeypatch):
    records = api._rdf_records(api.load(paths))
    whole = validate(rdf_store(records))
    found, stores = _in_pieces(rdf_text(records), monkeypatch, parts=8)
    assert found == whole
    assert stores > 3  # agreement groups, then the findings' store


def test_the_seed_has_results_to_compare(seed_path):
    """The seed's reversed windows: the comparison above is not of two empty lists."""
    assert validate(rdf_store(api._rdf_records(api.load([seed_path]))))


@pytest.mark.parametrize("name", sorted(CASES))
def test_pieces_give_the_results_of_the_whole_pass_on_a_broken_graph(name, monkeypatch):
    store = _store()
    CASES[name][0](store)
    whole = validate(store)
    found, _ = _in_pieces(_as_text(store), monkeypatch)
    assert found == whole


def test_a_sends_to_edge_in_another_agreement_graph_counts(monkeypatch):
    """The hop's own graph lacks its dfg:sendsTo edge, another agreement's holds it: no result
    in one pass, none in pieces (the organisations' edges go into every piece)."""
    store = _store()
    sends = _n(DFG.sendsTo)
    edges = {(q.subject, q.object) for q in store.quads_for_pattern(None, sends, None, OTHER)}
    dropped = [q for q in store.quads_for_pattern(None, sends, None, GRAPH) if (q.subject, q.object) in edges]
    assert dropped
    for q in dropped:
        store.remove(q)
    whole = validate(store)
    found, _ = _in_pieces(_as_text(store), monkeypatch)
    assert found == whole
    for q in store.quads_for_pattern(None, sends, None, OTHER):
        store.remove(q)
    broken = validate(store)
    assert any(v.rule == "check:sends_to" for v in broken)
    assert _in_pieces(_as_text(store), monkeypatch)[0] == broken


def test_a_node_two_agreement_graphs_describe_puts_them_in_one_piece(monkeypatch):
    """A node described in two agreement graphs (one hop with two senders) is validated with
    both graphs' statements: the maxCount result of the whole pass."""
    store = _store()
    CASES["maxCount across graphs"][0](store)
    whole = validate(store)
    assert any(v.path == "dfg:to" for v in whole)
    found, stores = _in_pieces(_as_text(store), monkeypatch)
    assert found == whole
    assert stores == 2  # both agreements in one piece, then the findings' store


def test_a_small_register_is_validated_whole(seed_path, monkeypatch):
    records = api._rdf_records(api.load([seed_path]))
    calls = []
    real = pieces.validate
    monkeypatch.setattr(pieces, "validate", lambda *a, **k: calls.append(1) or real(*a, **k))
    assert check_text(rdf_text(records)) == validate(rdf_store(records))
    assert calls == [1]


def test_a_check_with_a_variable_predicate_makes_the_findings_store_take_every_statement(monkeypatch):
    """The findings' store takes what the rules read of the agreement nodes the findings name;
    a check whose pattern has a variable predicate could read anything: then all of it."""
    from dataflow_graph.rdf import shacl

    assert pieces._read_by_rules() is not None
    real = shacl.checks()
    some = "SELECT ?focus ?message WHERE { ?focus ?p ?o . BIND ('x' AS ?message) }"
    monkeypatch.setattr(shacl, "checks", lambda: {**real, "any": ("Warning", some)})
    assert pieces._read_by_rules() is None


def test_in_pieces_when_one_pass_would_not_fit_or_when_told():
    big = 380 << 20
    assert not pieces.in_pieces(big, {}, available=16 << 30)
    assert pieces.in_pieces(big, {}, available=1 << 30)
    assert not pieces.in_pieces(big, {"DFG_CHECK_PIECES": "never"}, available=1 << 30)
    assert pieces.in_pieces(1, {"DFG_CHECK_PIECES": "always"})
    assert not pieces.in_pieces(big, {}, available=None) or pieces._memory_available() is not None


def test_an_unknown_pieces_mode_is_a_usage_error():
    from dataflow_graph.errors import UsageError

    with pytest.raises(UsageError, match="auto, always or never"):
        pieces.in_pieces(1, {"DFG_CHECK_PIECES": "sometimes"})


def test_dfg_check_says_the_same_in_pieces_and_whole(seed_path, monkeypatch):
    """Through the command: the same JSON document with ``DFG_CHECK_PIECES`` always and never."""
    from click.testing import CliRunner

    from dataflow_graph.cli import cli

    runner = CliRunner()
    out = {}
    for mode in ("always", "never"):
        monkeypatch.setenv("DFG_CHECK_PIECES", mode)
        result = runner.invoke(cli, ["check", str(seed_path), "--format", "json", "--no-cache"])
        assert result.exit_code in (0, 1), result.output
        out[mode] = result.stdout
    assert out["always"] == out["never"]
    assert '"severity"' in out["never"]


def _seed_store() -> ox.Store:
    return rdf_store(api._rdf_records(api.load([ROOT / "seeds" / "000_95fc53981bcca0e2.txt"])))


FINDINGS = ox.NamedNode("https://w3id.org/dataflow-graph/id/graph/findings")


def _same_in_pieces(store: ox.Store, monkeypatch: pytest.MonkeyPatch) -> list[object]:
    whole = validate(store)
    assert whole
    assert _in_pieces(_as_text(store), monkeypatch)[0] == whole
    return whole


def test_a_result_on_a_finding_side_is_placed_at_its_entry_line(monkeypatch):
    """Each finding's recipient moved to another organisation: the finding_sides results, on
    nodes of the findings' store, are placed at their entry's evidence line, two links into
    an agreement graph (found in review: pieces placed them nowhere)."""
    store = _seed_store()
    recipient = _n(DFG.recipient)
    orgs = sorted((q.subject for q in store.quads_for_pattern(None, _n(RDF.type), _n(ORG.Organization))), key=str)
    for q in list(store.quads_for_pattern(None, recipient, None, FINDINGS)):
        store.remove(q)
        store.add(ox.Quad(q.subject, recipient, next(o for o in orgs if o != q.object), FINDINGS))
    whole = _same_in_pieces(store, monkeypatch)
    sides = [v for v in whole if v.rule == "check:finding_sides"]
    assert sides
    assert all(v.line for v in sides)


def test_a_result_on_the_findings_evidence_is_placed_at_its_entry_line(monkeypatch):
    store = _seed_store()
    column = _n(DFG.column)
    evidence = sorted(
        (
            q.subject
            for q in store.quads_for_pattern(None, _n(RDF.type), _n(DFG.Evidence), FINDINGS)
            if next(iter(store.quads_for_pattern(q.subject, _n(DFG.entry), None, FINDINGS)), None)
        ),
        key=str,
    )[0]
    for q in list(store.quads_for_pattern(evidence, column, None, FINDINGS)):
        store.remove(q)
    store.add(ox.Quad(evidence, column, ox.Literal("0", datatype=_n(XSD.integer)), FINDINGS))
    assert any(v.line for v in _same_in_pieces(store, monkeypatch) if v.focus == evidence.value)


def test_what_the_findings_say_of_an_agreement_node_can_join_two_groups(monkeypatch):
    """The findings give an agreement's evidence an entry of the other agreement: both are
    validated together, and the entry's type is found (found in review: a false sh:class)."""
    store = _store()
    findings = _n(f"{ID}graph/findings")
    ev = next(q.subject for q in store.quads_for_pattern(None, _n(RDF.type), _n(DFG.Evidence), GRAPH))
    entry = next(q.subject for q in store.quads_for_pattern(None, _n(RDF.type), _n(DFG.Entry), OTHER))
    store.add(ox.Quad(ev, _n(DFG.entry), entry, findings))
    assert len(_same_in_pieces(store, monkeypatch)) == 1


def test_text_with_statements_in_the_default_graph_is_validated_whole(monkeypatch):
    store = _store()
    hop = next(q.subject for q in store.quads_for_pattern(None, _n(RDF.type), _n(DFG.Hop), OTHER))
    for q in list(store.quads_for_pattern(hop, None, None, OTHER)):
        store.remove(q)
        store.add(ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph()))
    found, stores = _in_pieces(_as_text(store), monkeypatch)
    assert found == validate(store)
    assert stores == 1
