"""Named SPARQL queries: results, bindings that cannot inject, read-only by default, cache."""

from __future__ import annotations

import importlib

import pyoxigraph as ox
import pytest

from dataflow_graph.examples import synthetic, two_copies
from dataflow_graph.model import Identifiability, Role
from dataflow_graph.rdf.serialise import parse_rdf, serialise
from dataflow_graph.rdf.sparql import (
    QueryError,
    ReadOnlyError,
    is_update,
    named_queries,
    query_text,
    run,
)
from dataflow_graph.rdf.store import cached_store, input_key, records_store, to_rdf

INJECTIONS = [
    'org:example-ccg" ) } DROP ALL ; #',
    'x" . ?r ?p ?o } UNION { ?r ?p ?o',
    "org:example-ccg'} ; CLEAR ALL",
    '\\" } # \n DELETE WHERE { ?s ?p ?o }',
]


def reference_convergences(ex) -> set[tuple[str, str]]:
    """Hop-level convergence in plain Python: the rule convergence.rq implements."""
    orgs = ex.organisations
    inside = {o.id for o in orgs.values() if o.role in (Role.DSCRO, Role.SOURCE)}
    inside |= {o.id for o in orgs.values() if o.part_of and orgs.get(o.part_of) and orgs[o.part_of].role is Role.SOURCE}
    ident: set[tuple[str, str]] = set()
    deid: set[tuple[str, str]] = set()
    for f in ex.flows:
        for h in f.hops:
            for fam in f.families:
                if h.identifiability is Identifiability.IDENTIFIABLE:
                    ident.add((h.target.id, fam))
                elif h.identifiability.is_record_level_deidentified:
                    deid.add((h.target.id, fam))
    return {k for k in ident & deid if k[0] not in inside}


def test_sparql_named_queries_are_all_there():
    assert sorted(named_queries()) == [
        "by_opt_out",
        "commercial_routes",
        "convergence",
        "dual_roles",
        "evidence",
        "holders",
        "opt_out_divergence",
        "paths_to",
        "received",
    ]
    assert query_text("holders") == named_queries()["holders"]


def test_sparql_convergence_on_example(ds):
    rows = run(ds, named_queries()["convergence"])
    assert [(r["recipient"], r["family"]) for r in rows] == [("org:example-ccg", "SUS"), ("org:example-csu", "SUS")]
    assert rows[0]["identifiableReferences"] == "DARS-NIC-00001-AAAAA"
    assert rows[0]["deidentifiedReferences"] == "DARS-NIC-00002-BBBBB"


def test_sparql_convergence_leaves_out_nhs_digital_parts(ds):
    recipients = {r["recipient"] for r in run(ds, named_queries()["convergence"])}
    assert "org:example-dscro" not in recipients


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_sparql_convergence_equals_python_on_generated_registers(seed):
    ex = synthetic(60, controllers=8, seed=seed)
    rows = run(to_rdf(ex.entries, ex.flows, ex.organisations), named_queries()["convergence"])
    assert {(r["recipient"], r["family"]) for r in rows} == reference_convergences(ex)


def test_sparql_same_results_in_rdflib_memory_and_oxigraph(ds):
    memory = parse_rdf(serialise(ds, "nquads"), "nquads")
    store = records_store(*_records(two_copies()))
    for name, text in named_queries().items():
        expected = run(ds, text)
        assert run(memory, text) == expected, name
        assert run(store, text) == expected, name


def _records(ex):
    return ex.entries, ex.flows, ex.organisations


def test_sparql_bindings_select_rows(ds):
    q = named_queries()
    assert [r["recipient"] for r in run(ds, q["convergence"], {"recipient": "org:example-ccg"})] == ["org:example-ccg"]
    assert {r["agreement"] for r in run(ds, q["by_opt_out"], {"status": "no"})} == {"NIC-00001-AAAAA"}
    holders = run(ds, q["holders"], {"family": "SUS"})
    assert {(r["holder"], r["identifiability"]) for r in holders} >= {
        ("org:example-ccg", "identifiable"),
        ("org:example-ccg", "pseudonymised"),
    }
    upstream = {r["upstream"] for r in run(ds, q["paths_to"], {"recipient": "org:example-ccg"})}
    assert upstream == {"org:nhs-digital", "org:example-dscro", "org:example-csu"}


@pytest.mark.parametrize("value", INJECTIONS)
def test_sparql_injection_in_a_binding_stays_a_literal(example, value):
    for graph in (to_rdf(*_records(example)), records_store(*_records(example))):
        before = len(run(graph, "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }"))
        assert run(graph, named_queries()["convergence"], {"recipient": value}) == []
        assert run(graph, "SELECT ?x ?v WHERE { BIND(STR(?x) AS ?v) }", {"x": value}) == [{"x": value, "v": value}]
        assert len(run(graph, "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }")) == before


def test_sparql_update_is_refused_unless_allowed(example):
    store = records_store(*_records(example))
    update = "DELETE WHERE { GRAPH ?g { ?s ?p ?o } }"
    assert is_update(update)
    with pytest.raises(ReadOnlyError):
        run(store, update)
    assert len(store) > 0
    assert run(store, update, allow_update=True) == []
    assert len(store) == 0


def test_sparql_bad_binding_name_and_bad_text_raise(ds):
    with pytest.raises(QueryError):
        run(ds, "SELEKT nothing")
    from dataflow_graph.errors import UsageError

    with pytest.raises(UsageError):
        run(ds, named_queries()["holders"], {"family } DROP ALL": "x"})
    with pytest.raises(UsageError):
        query_text("no-such-query")


def test_sparql_iri_binding(ds):
    ccg = "https://w3id.org/dataflow-graph/id/org/example-ccg"
    rows = run(
        ds, "SELECT ?o ?name WHERE { ?o <http://www.w3.org/2004/02/skos/core#prefLabel> ?name }", {"o": f"<{ccg}>"}
    )
    assert rows == [{"o": ccg, "name": "Example CCG"}]


def test_sparql_cached_store_is_built_once(tmp_path, example):
    calls = []

    def build():
        calls.append(1)
        return records_store(*_records(example))

    key = input_key([b"two_copies", "v1"])
    first = run(cached_store(tmp_path, key, build), named_queries()["convergence"])
    again = cached_store(tmp_path, key, build)
    assert run(again, named_queries()["convergence"]) == first
    assert calls == [1]
    assert isinstance(again, ox.Store)
    del again
    other = input_key([b"two_copies", "v2"])
    cached_store(tmp_path, other, build)
    assert sorted(p.name for p in tmp_path.iterdir()) == [other]


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4])
def test_sparql_convergence_equals_the_python_finder(seed):
    queries = importlib.import_module("dataflow_graph.graph")
    graph = pytest.importorskip("dataflow_graph.graph")
    ex = synthetic(80, controllers=10, seed=seed)
    found, _excluded = queries.convergences(graph.build_graph(ex.flows, ex.organisations.values()))
    rows = run(to_rdf(ex.entries, ex.flows, ex.organisations), named_queries()["convergence"])
    assert {(r["recipient"], r["family"]) for r in rows} == {(c.recipient_id, c.family) for c in found}
    assert found  # the generated registers do converge somewhere


def test_sparql_convergence_equals_the_python_finder_on_the_example(example):
    queries = importlib.import_module("dataflow_graph.graph")
    graph = pytest.importorskip("dataflow_graph.graph")
    found, _ = queries.convergences(graph.build_graph(example.flows, example.organisations.values()))
    rows = run(to_rdf(*_records(example)), named_queries()["convergence"])
    assert [(r["recipient"], r["family"]) for r in rows] == sorted((c.recipient_id, c.family) for c in found)
