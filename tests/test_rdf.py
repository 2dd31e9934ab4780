"""RDF export: shapes, determinism, round trips, IRIs minted from content."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import subprocess
import sys

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from dataflow_graph.errors import DataflowGraphError, UsageError
from dataflow_graph.examples import synthetic
from dataflow_graph.rdf import DEFAULT_BASE
from dataflow_graph.rdf.graphs import records_rdf
from dataflow_graph.rdf.iris import graph_iri
from dataflow_graph.rdf.serialise import parse_rdf, serialise, union_graph
from dataflow_graph.rdf.shacl import load_ontology, validate
from dataflow_graph.rdf.store import records_store, to_rdf
from dataflow_graph.rdf.vocab import DCAT, DCTERMS, DFG, DPV, ORG, PROV, SKOS, XSD

FORMATS = ("turtle", "nt", "jsonld", "trig", "nquads")


def _plain(term):
    """oxrdflib returns simple literals typed xsd:string; rdflib's parsers do not (RDF 1.1: same)."""
    if isinstance(term, Literal) and term.datatype == XSD.string:
        return Literal(str(term))
    return term


def _named_graphs(dataset) -> dict[str, Graph]:
    out = {}
    for g in dataset.graphs():
        if isinstance(g.identifier, URIRef) and not str(g.identifier).startswith("urn:x-rdflib:") and len(g):
            copy = Graph()
            for s, p, o in g:
                copy.add((s, p, _plain(o)))
            out[str(g.identifier)] = copy
    return out


def test_rdf_example_conforms_to_shapes(ds):
    assert validate(ds) == []


def test_rdf_entry_without_period_is_a_warning_with_its_entry(example):
    entry = dataclasses.replace(example.entries[0], period=None)
    found = validate(to_rdf((entry, example.entries[1]), example.flows, example.organisations))
    assert [(v.severity, v.reference, v.source, v.line) for v in found] == [
        ("Warning", "DARS-NIC-00001-AAAAA", "two_copies.txt", 1)
    ]
    assert str(found[0]).startswith("two_copies.txt:1: Warning[SHACL] [entry DARS-NIC-00001-AAAAA] entry has no period")


def test_rdf_hop_without_evidence_is_a_violation_with_its_entry(example):
    store = records_store(example.entries, example.flows, example.organisations)
    hop = ox.NamedNode(f"{DEFAULT_BASE}flow/DARS-NIC-00002-BBBBB/1/hop/2")
    for q in list(store.quads_for_pattern(hop, ox.NamedNode(str(DFG.evidence)), None)):
        store.remove(q)
    found = validate(store)
    assert [(v.severity, v.message, v.reference) for v in found] == [
        ("Violation", "no evidence (dfg:evidence)", "DARS-NIC-00002-BBBBB")
    ]


def test_rdf_turtle_parses_in_rdflib_and_pyoxigraph(ds):
    data = serialise(ds, "turtle")
    g = Graph().parse(data=data, format="turtle")
    assert len(g) == len(union_graph(ds))
    assert len(g) > 200
    assert len(list(ox.parse(data, format=ox.RdfFormat.TURTLE))) == len(g)


def test_rdf_export_uses_dpv_prov_dcat_and_org(ds):
    g = union_graph(ds)
    predicates = set(g.predicates()) | set(g.objects())
    for ns in (DPV, PROV, DCAT, ORG):
        assert any(str(t).startswith(str(ns)) for t in predicates), ns
    assert (None, DPV.hasDataController, None) in g
    assert (None, PROV.wasDerivedFrom, None) in g
    assert (None, ORG.unitOf, None) in g
    assert (None, DCAT.startDate, None) in g


def test_rdf_has_no_blank_nodes(ds):
    assert not any(isinstance(t, BNode) for triple in union_graph(ds) for t in triple)


def test_rdf_periods_are_gyearmonth_on_iri_nodes(ds):
    g = union_graph(ds)
    starts = list(g.subject_objects(DCAT.startDate))
    assert starts
    assert all(isinstance(s, URIRef) and o.datatype == XSD.gYearMonth for s, o in starts)


def test_rdf_one_named_graph_per_agreement(ds):
    names = set(_named_graphs(ds))
    assert {
        str(graph_iri("NIC-00001-AAAAA")),
        str(graph_iri("NIC-00002-BBBBB")),
        f"{DEFAULT_BASE}graph/reference",
        f"{DEFAULT_BASE}graph/concepts",
    } == names


def test_rdf_sends_to_edges_are_materialised(ds):
    g = union_graph(ds)
    org = f"{DEFAULT_BASE}org/"
    edges = {(str(s)[len(org) :], str(o)[len(org) :]) for s, o in g.subject_objects(DFG.sendsTo)}
    assert edges == {("nhs-digital", "example-dscro"), ("example-dscro", "example-csu"), ("example-csu", "example-ccg")}


def test_rdf_base_is_configurable_and_checked(example):
    other = to_rdf(example.entries, example.flows, example.organisations, base="https://example.org/register/")
    assert b"https://example.org/register/org/example-ccg" in serialise(other, "nt")
    assert b"w3id.org/dataflow-graph/id/" not in serialise(other, "nt")
    with pytest.raises(UsageError):
        to_rdf(example.entries, example.flows, example.organisations, base="not an iri")


def test_rdf_same_records_same_bytes_in_process(example):
    a = to_rdf(example.entries, example.flows, example.organisations)
    b = to_rdf(
        tuple(reversed(example.entries)),
        tuple(reversed(example.flows)),
        dict(reversed(list(example.organisations.items()))),
    )
    for fmt in FORMATS:
        assert serialise(a, fmt) == serialise(b, fmt), fmt


_SCRIPT = """
import hashlib
from dataflow_graph.examples import two_copies, synthetic
from dataflow_graph.rdf.store import to_rdf
from dataflow_graph.rdf.serialise import serialise
for ex in (two_copies(), synthetic(30, seed=3)):
    ds = to_rdf(ex.entries, ex.flows, ex.organisations)
    for fmt in ("turtle", "nt", "jsonld", "trig", "nquads"):
        print(fmt, hashlib.sha256(serialise(ds, fmt)).hexdigest())
"""


def test_rdf_bytes_identical_under_two_hash_seeds():
    outputs = []
    for seed in ("1", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-c", _SCRIPT], env=env, capture_output=True, text=True, timeout=120, check=True
        )
        outputs.append(done.stdout)
    assert outputs[0] == outputs[1]
    assert outputs[0].count("\n") == 10


@pytest.mark.parametrize("fmt", ["nt", "turtle", "jsonld", "trig", "nquads"])
def test_rdf_round_trip_is_isomorphic(ds, fmt):
    back = parse_rdf(serialise(ds, fmt), fmt)
    union = Graph()
    for t in back.triples((None, None, None)):
        union.add(t)
    assert isomorphic(union, union_graph(ds))


@pytest.mark.parametrize("fmt", ["jsonld", "trig", "nquads"])
def test_rdf_round_trip_keeps_named_graphs(ds, fmt):
    back = _named_graphs(parse_rdf(serialise(ds, fmt), fmt))
    mine = _named_graphs(ds)
    assert sorted(back) == sorted(mine)
    for name, g in mine.items():
        assert isomorphic(back[name], g), name


def test_rdf_nt_lines_are_sorted_and_unique(ds):
    lines = serialise(ds, "nt").splitlines()
    assert lines == sorted(set(lines))


def test_rdf_untrusted_text_is_escaped_in_every_format(example):
    nasty = 'x" ; <http://evil/p> "y" .\n} GRAPH <g> { <a> <b> <c> }\\u0022 <script>'
    entry = dataclasses.replace(example.entries[0], purposes=nasty)
    ds = to_rdf((entry,), example.flows[:1], example.organisations)
    for fmt in FORMATS:
        back = parse_rdf(serialise(ds, fmt), fmt)
        assert any(str(o) == nasty for o in back.objects(None, DFG.purposeText)), fmt


def test_rdf_serialise_rejects_blank_nodes_and_unknown_formats(ds):
    g = Graph()
    g.add((BNode(), DFG.line, URIRef("https://example.org/x")))
    with pytest.raises(DataflowGraphError):
        serialise(g, "nt")
    with pytest.raises(UsageError):
        serialise(ds, "rdfxml")


def test_rdf_ontology_and_shapes_load():
    assert len(load_ontology()) > 300
    assert len(load_ontology(shapes=True)) > len(load_ontology())


def test_rdf_synthetic_register_conforms():
    ex = synthetic(40, seed=7)
    assert validate(to_rdf(ex.entries, ex.flows, ex.organisations)) == []


def test_rdf_export_hash_is_stable_across_calls():
    ex = synthetic(20, seed=2)
    digest = {
        hashlib.sha256(serialise(to_rdf(ex.entries, ex.flows, ex.organisations), "turtle")).hexdigest()
        for _ in range(2)
    }
    assert len(digest) == 1


def _quads(data: bytes, fmt: str) -> set[ox.Quad]:
    form = {"turtle": ox.RdfFormat.TURTLE, "trig": ox.RdfFormat.TRIG}[fmt]
    return set(ox.parse(data, format=form))


@pytest.mark.parametrize("fmt", FORMATS)
def test_rdf_text_path_and_store_path_hold_the_same_triples(fmt):
    ex = synthetic(30, seed=5)
    text = serialise(records_rdf(ex.entries, ex.flows, ex.organisations), fmt)
    store = serialise(to_rdf(ex.entries, ex.flows, ex.organisations), fmt)
    if fmt in ("turtle", "trig"):  # the same triples; statements may come in another order
        assert _quads(text, fmt) == _quads(store, fmt)
    else:  # written from the loaded store: the same bytes
        assert text == store


def test_rdf_text_in_parallel_equals_one_process(monkeypatch):
    from dataflow_graph.graph import build_graph, convergences
    from dataflow_graph.rdf import graphs as rdf

    ex = synthetic(30, seed=9)
    findings, _ = convergences(build_graph(ex.flows, ex.organisations.values()))
    assert findings
    one = records_rdf(ex.entries, ex.flows, ex.organisations, findings=findings, workers=1)
    monkeypatch.setattr(rdf, "PARALLEL_FROM", 2)
    two = records_rdf(ex.entries, ex.flows, ex.organisations, findings=findings, workers=2)
    assert b"dfg:Finding" in serialise(two, "turtle")
    assert (
        len(rdf._split(sorted({e.agreement for e in ex.entries}), {e.agreement: ([], [], []) for e in ex.entries}, 2))
        == 2
    )
    for fmt in ("turtle", "trig", "nquads"):
        assert serialise(one, fmt) == serialise(two, fmt)


@settings(max_examples=60, deadline=None)
@given(text=st.text(min_size=1, max_size=40))
def test_rdf_any_text_survives_the_text_path(example, text):
    """Register text is untrusted: whatever it holds comes back from Turtle and TriG unchanged."""
    entry = dataclasses.replace(example.entries[0], purposes=text, title=text)
    orgs = dict(example.organisations)
    first = min(orgs)
    orgs[first] = dataclasses.replace(orgs[first], name=text)
    built = records_rdf((entry,), example.flows[:1], orgs)
    for fmt in ("turtle", "trig"):
        values = {
            q.object.value
            for q in _quads(serialise(built, fmt), fmt)
            if q.predicate.value in (str(DFG.purposeText), str(DCTERMS.title), str(SKOS.prefLabel))
        }
        assert text in values, fmt
        assert sum(q.object.value == text for q in _quads(serialise(built, fmt), fmt)) >= 3, fmt
