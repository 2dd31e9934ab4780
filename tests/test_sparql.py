"""Named SPARQL queries: results, bindings that cannot inject, read-only by default, cache."""

from __future__ import annotations

import dataclasses
import importlib

import pyoxigraph as ox
import pytest

from dataflow_graph.examples import synthetic, two_copies
from dataflow_graph.model import Identifiability, Role
from dataflow_graph.rdf.cache import cached_store, input_key
from dataflow_graph.rdf.serialise import parse_rdf, serialise
from dataflow_graph.rdf.sparql import (
    QueryError,
    ReadOnlyError,
    is_update,
    named_queries,
    query_text,
    run,
)
from dataflow_graph.rdf.store import records_store, to_rdf

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


def test_sparql_a_query_on_a_store_never_loads_rdflibs_parser():
    """Oxigraph cannot run an update as a query, so a query is run as one at once; rdflib's
    parser (0.1 s to import, 0.05 s a query) only tells an update from an error."""
    import subprocess
    import sys

    script = (
        "import sys, pyoxigraph as ox\n"
        "from dataflow_graph.rdf.sparql import QueryError, named_queries, run\n"
        "run(ox.Store(), named_queries()['convergence'], {'family': 'SUS'})\n"
        "assert 'rdflib.plugins.sparql.parser' not in sys.modules\n"
        "try:\n"
        "    run(ox.Store(), 'SELEKT nothing')\n"
        "except QueryError as exc:\n"
        "    print(exc)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.startswith("not a SPARQL query or update: ")


def test_sparql_text_oxigraph_rejects_but_rdflib_reads_as_a_query_is_a_query_failure(ds):
    with pytest.raises(QueryError, match=r"^query failed: "):
        run(ds, "SELECT ?s WHERE { ?s ?p ?o } GROUP BY ?p")  # ?s is not grouped: Oxigraph refuses


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
    # the older store (and its lock) removed; the new store, the folder lock and its lock left
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([other, f".{other}.lock", ".lock"])


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


# ---------------------------------------------------------------------------------------
# Queries a user asks, on the seed (issue 15)


@pytest.fixture(scope="module")
def seed_store():
    from dataflow_graph import api

    return api.rdf_store(api.load())


def _projected(query: str) -> list[str]:
    """The variables the outer SELECT projects (an aggregate by its ``AS`` name)."""
    import re

    start = re.search(r"^SELECT\b", query, re.M)
    assert start is not None
    head = query[start.end() : query.index("WHERE", start.end())]
    while "(" in head:  # innermost parentheses first: ``(COUNT(?x) AS ?n)`` becomes `` ?n ``
        head = re.sub(r"\(([^()]*)\)", lambda m: " ".join(re.findall(r"AS\s+(\?\w+)", m.group(1))), head)
    return re.findall(r"\?\w+", head)


@pytest.mark.parametrize("name", sorted(named_queries()))
def test_sparql_every_named_query_orders_its_rows_by_every_column(name):
    """Rows tied on the ORDER BY come out in the store's own order, which differs between an
    in-memory store, an on-disk one and a server (``opt_out_divergence`` did so on the 2017
    workbook): the outer ORDER BY names every projected variable."""
    import re

    text = named_queries()[name]
    order = re.findall(r"\?\w+", text[text.rindex("ORDER BY") :])
    assert [v for v in _projected(text) if v not in order] == []


def test_sparql_every_named_query_reads_the_same_from_memory_and_disk(seed_store, tmp_path):
    """A result is the same bytes whichever store holds the triples (``dfg sparql`` with
    and without ``--store``): the convergence query's reference lists followed each store's
    own order of its terms, so an on-disk store listed them in another order."""
    disk = ox.Store(str(tmp_path / "store"))
    disk.extend(seed_store)
    disk.flush()
    for name, text in named_queries().items():
        assert run(disk, text) == run(seed_store, text), name
    rows = run(seed_store, named_queries()["convergence"])
    lists = [row[side].split(" ") for row in rows for side in ("identifiableReferences", "deidentifiedReferences")]
    assert any(len(refs) > 1 for refs in lists)
    assert all(refs == sorted(set(refs)) for refs in lists)


def test_sparql_evidence_gives_both_sides_sentences_for_thurrock(seed_store):
    rows = run(seed_store, named_queries()["evidence"], {"recipient": "org:nhs-thurrock-ccg", "family": "SUS"})
    sides = {r["side"] for r in rows}
    assert sides == {"identifiable", "de-identified"}
    sentences = {(r["side"], r["sentence"]) for r in rows}
    assert (
        "identifiable",
        "2. The DSCRO pushes a one-way data flow of SUS+ data into the Controlled Environment for Finance (CEfF) "
        "located in the CCG.",
    ) in sentences
    assert any(side == "identifiable" and s.startswith("Opt outs honoured: Yes") for side, s in sentences)
    assert ("de-identified", "Opt outs honoured: N (Excuses: Section 251)") in sentences
    assert all(r["file"] == "000_95fc53981bcca0e2.txt" and r["line"] > 0 for r in rows)
    assert {r["finding"] for r in rows} == {
        "NHS Thurrock CCG received SUS both identifiable and de-identified (severity 13, high)"
    }


def test_sparql_question_who_received_sus_identifiable(seed_store):
    rows = run(seed_store, named_queries()["received"], {"family": "SUS", "identifiability": "identifiable"})
    names = {r["organisation"]: (r["name"], r["kind"]) for r in rows}
    assert names["org:nhs-thurrock-ccg"] == (
        "NHS Thurrock CCG",
        "clinical commissioning group or integrated care board",
    )
    assert "org:csu-north-and-east-london" in names
    assert "org:medeanalytics" not in names  # it gets SUS pseudonymised only
    assert all(r["family"] == "SUS" and r["identifiability"] == "identifiable" for r in rows)


def test_sparql_question_findings_with_opt_out_divergence_and_their_sentences(seed_store):
    rows = run(seed_store, named_queries()["opt_out_divergence"])
    assert {(r["recipient"], r["family"]) for r in rows} == {
        ("org:nhs-thurrock-ccg", "SUS"),
        ("org:csu-north-and-east-london", "SUS"),
    }
    thurrock = [r for r in rows if r["recipient"] == "org:nhs-thurrock-ccg"]
    assert {(r["side"], r["optOuts"]) for r in thurrock} >= {
        ("identifiable", "opt-outs applied"),
        ("de-identified", "opt-outs not applied"),
    }
    # each side's opt-outs rest on the entry's field or a sentence of its own text about objections
    assert all(r["sentence"].startswith("Opt outs honoured:") or "object" in r["sentence"].lower() for r in thurrock)


def test_sparql_question_routes_to_a_ccg_through_a_commercial_processor(seed_store):
    rows = run(seed_store, named_queries()["commercial_routes"], {"ccg": "org:nhs-thurrock-ccg"})
    assert {(r["agreement"], r["processorName"], r["ccgName"]) for r in rows} == {
        ("NIC-81831-Y2N8H", "MedeAnalytics International Limited", "NHS Thurrock CCG")
    }
    assert any("Medeanalytics International Limited" in r["inSentence"] for r in rows)


def test_sparql_dual_roles_finds_a_controller_that_processes_elsewhere(example):
    controller = dataclasses.replace(example.entries[0], controllers=("Example CSU",))
    ds = to_rdf((controller, example.entries[1]), example.flows, example.organisations)
    rows = run(ds, named_queries()["dual_roles"])
    assert rows == [
        {
            "organisation": "org:example-csu",
            "name": "Example CSU",
            "controllerIn": "NIC-00001-AAAAA",
            "processorIn": "NIC-00002-BBBBB",
        }
    ]


@pytest.mark.parametrize("name", sorted(set(named_queries()) - {"dual_roles"}))  # the seed has no dual role
def test_sparql_every_named_query_returns_labels_not_only_ids(seed_store, name):
    rows = run(seed_store, named_queries()[name])
    assert rows, name
    texts = [v for r in rows for k, v in r.items() if isinstance(v, str) and not v.startswith(("org:", "http"))]
    assert any(" " in v for v in texts), name  # a name or a sentence, not only identifiers


@pytest.mark.parametrize("name", ["received", "opt_out_divergence", "commercial_routes"])
def test_sparql_the_three_questions_are_written_out_in_the_docs(repo_root, name):
    """The README carries each question's query verbatim, so the SPARQL a reader copies is the
    SPARQL the tests above run."""
    text = named_queries()[name]
    query = text[text.index("PREFIX") :].strip()
    assert query in (repo_root / "README.md").read_text(encoding="utf-8"), name
