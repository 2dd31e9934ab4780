"""The SPARQL SHACL engine of ``dfg check`` against pySHACL: the same Violation list on the
fixtures and on graphs broken to trigger each constraint kind the shapes use."""

from __future__ import annotations

from collections.abc import Callable

import pyoxigraph as ox
import pytest
from rdflib import Graph

from dataflow_graph.errors import UsageError
from dataflow_graph.examples import synthetic, two_copies
from dataflow_graph.rdf import DEFAULT_BASE
from dataflow_graph.rdf.shacl import Violation, shapes_graph, validate
from dataflow_graph.rdf.shacl_sparql import UnsupportedShapeError, compile_shapes
from dataflow_graph.rdf.store import records_store
from dataflow_graph.rdf.vocab import DCTERMS, DFG, DPV, PROV, RDF, RDFS, XSD

ID = DEFAULT_BASE
HOP = f"{ID}flow/DARS-NIC-00001-AAAAA/1/hop/1"
FLOW = f"{ID}flow/DARS-NIC-00001-AAAAA/1"
ENTRY = f"{ID}entry/DARS-NIC-00001-AAAAA"
DEID = f"{ID}copy/NIC-00002-BBBBB/SUS/pseudonymised/deidentification"
COPY = f"{ID}copy/NIC-00002-BBBBB/SUS/pseudonymised"
FILE = f"{ID}file/two_copies.txt"
GRAPH = ox.NamedNode(f"{ID}graph/NIC-00001-AAAAA")
OTHER = ox.NamedNode(f"{ID}graph/NIC-00002-BBBBB")


def _n(iri: object) -> ox.NamedNode:
    return ox.NamedNode(str(iri))


def _store() -> ox.Store:
    ex = two_copies()
    return records_store(ex.entries, ex.flows, ex.organisations)


def _drop(store: ox.Store, s: str, p: object) -> None:
    for q in list(store.quads_for_pattern(_n(s), _n(p), None)):
        store.remove(q)


def _add(store: ox.Store, s: str, p: object, o: ox.NamedNode | ox.Literal, g: ox.NamedNode = GRAPH) -> None:
    store.add(ox.Quad(_n(s), _n(p), o, g))


def _both(store: ox.Store) -> list[Violation]:
    """The violations, after checking both engines give the same list."""
    fast = validate(store)
    assert fast == validate(store, engine="pyshacl")
    return fast


def _found(store: ox.Store) -> list[tuple[str, str, str | None, str | None]]:
    return [(v.severity, v.message, v.path, v.reference) for v in _both(store) if v.rule == "SHACL"]


# ---------------------------------------------------------------------------------------------
# The fixtures


def test_engines_agree_on_the_example():
    assert _both(_store()) == []


def test_engines_agree_on_a_synthetic_register():
    ex = synthetic(12, controllers=4, seed=3)
    _both(records_store(ex.entries, ex.flows, ex.organisations))


def test_engines_agree_on_the_seed(seed_path):
    from dataflow_graph import api
    from dataflow_graph.rdf.register import rdf_store

    register = api.load([seed_path])
    found = _both(rdf_store(api._rdf_records(register)))
    assert found  # the seed's reversed windows, each located at its entry and line
    assert all(v.line and v.reference for v in found)


def test_unknown_engine_is_refused():
    with pytest.raises(UsageError, match="engine"):
        validate(_store(), engine="jena")


# ---------------------------------------------------------------------------------------------
# Broken graphs: each constraint kind


def _case_missing(store: ox.Store) -> None:
    _drop(store, HOP, DFG.evidence)


def _case_max_count_across_graphs(store: ox.Store) -> None:
    _add(store, HOP, DFG.to, _n(f"{ID}org/nhs-digital"), OTHER)


def _case_wrong_class(store: ox.Store) -> None:
    _drop(store, HOP, DFG["from"])
    _add(store, HOP, DFG["from"], _n(f"{ID}nowhere"))


def _case_literal_for_class(store: ox.Store) -> None:
    _add(store, HOP, DPV.hasDataProcessor, ox.Literal("Someone Ltd"))


def _case_wrong_datatype(store: ox.Store) -> None:
    _drop(store, HOP, DFG.hopIndex)
    _add(store, HOP, DFG.hopIndex, ox.Literal("1"))
    _drop(store, FLOW, DFG.entry)
    _drop(store, ENTRY, DCTERMS.identifier)
    _add(store, ENTRY, DCTERMS.identifier, ox.Literal("DARS-NIC-00001-AAAAA", language="en"))


def _case_ill_typed(store: ox.Store) -> None:
    for q in list(store.quads_for_pattern(None, _n(DFG.line), None)):
        store.remove(q)
        store.add(ox.Quad(q.subject, q.predicate, ox.Literal("one", datatype=_n(XSD.integer)), q.graph_name))
    _drop(store, HOP, DFG.landingOnly)
    _add(store, HOP, DFG.landingOnly, ox.Literal("1", datatype=_n(XSD.boolean)))


def _case_outside_in(store: ox.Store) -> None:
    _add(store, HOP, DPV.hasPurpose, _n(f"{DFG}Marketing"))
    _add(store, HOP, DPV.hasPurpose, _n(f"{DFG}Sales"))
    _add(store, f"{ID}agreement/NIC-00001-AAAAA", DPV.hasPurpose, ox.Literal("research"))


def _case_pattern(store: ox.Store) -> None:
    _add(store, FILE, DFG.sha256, ox.Literal("ABC"))


def _case_min_inclusive(store: ox.Store) -> None:
    _drop(store, HOP, DFG.hopIndex)
    _add(store, HOP, DFG.hopIndex, ox.Literal("0", datatype=_n(XSD.integer)))


def _case_qualified(store: ox.Store) -> None:
    _add(store, COPY, RDF.type, _n(DPV.Data))
    other = f"{ID}copy/NIC-00001-AAAAA/SUS/identifiable"
    _drop(store, other, RDF.type)
    _add(store, other, RDF.type, _n(DFG.DataCopy))


def _case_or(store: ox.Store) -> None:
    _drop(store, HOP, DPV.hasPersonalData)
    _drop(store, HOP, DPV.hasData)


def _case_inverse_path(store: ox.Store) -> None:
    for q in list(store.quads_for_pattern(None, _n(PROV.wasGeneratedBy), _n(DEID))):
        store.remove(q)


def _case_node_class(store: ox.Store) -> None:
    for q in list(store.quads_for_pattern(_n(DEID), _n(RDF.type), _n(PROV.Activity))):
        store.remove(q)
    for q in list(store.quads_for_pattern(_n(HOP), _n(RDF.type), _n(DPV.Process))):
        store.remove(q)


def _case_period_node_kind(store: ox.Store) -> None:
    _add(store, HOP, DFG.dsaPeriod, ox.Literal("2018-06"))


def _case_warning(store: ox.Store) -> None:
    _drop(store, ENTRY, DFG.window)


def _case_type_in_other_graph(store: ox.Store) -> None:
    """Conforms: a node's type and properties may sit in any named graph."""
    for q in list(store.quads_for_pattern(_n(HOP), None, None, GRAPH)):
        store.remove(q)
        store.add(ox.Quad(q.subject, q.predicate, q.object, OTHER))


def _case_subclass(store: ox.Store) -> None:
    """A subclass of dfg:Hop is a target; a subclass of org:Organization fits sh:class."""
    special, trust = f"{ID}SpecialHop", f"{ID}Trust"
    _add(store, special, RDFS.subClassOf, _n(DFG.Hop), OTHER)
    _add(store, f"{ID}odd-hop", RDF.type, _n(special))
    _add(store, trust, RDFS.subClassOf, _n(f"{ID}Body"))
    _add(store, f"{ID}Body", RDFS.subClassOf, _n("http://www.w3.org/ns/org#Organization"))
    _add(store, f"{ID}trust", RDF.type, _n(trust))
    _drop(store, HOP, DFG.to)
    _add(store, HOP, DFG.to, _n(f"{ID}trust"))


def _with_subclass(store: ox.Store, kind: ox.NamedNode | ox.BlankNode) -> None:
    """The hop's recipient typed with ``kind``, a subclass of org:Organization."""
    store.add(ox.Quad(kind, _n(RDFS.subClassOf), _n("http://www.w3.org/ns/org#Organization"), OTHER))
    store.add(ox.Quad(_n(f"{ID}unnamed-kind"), _n(RDF.type), kind, OTHER))
    _drop(store, HOP, DFG.to)
    _add(store, HOP, DFG.to, _n(f"{ID}unnamed-kind"))


CASES: dict[str, tuple[Callable[[ox.Store], None], list[tuple[str, str, str | None]]]] = {
    "minCount": (_case_missing, [("Violation", "no evidence (dfg:evidence)", "dfg:evidence")]),
    "maxCount across graphs": (
        _case_max_count_across_graphs,
        [("Violation", "hop has no recipient (dfg:to), or one that is no organisation", "dfg:to")],
    ),
    "class": (
        _case_wrong_class,
        [("Violation", "hop has no sender (dfg:from), or one that is no organisation", "dfg:from")],
    ),
    "class of a literal": (
        _case_literal_for_class,
        [("Violation", "a processor (dpv:hasDataProcessor) that is no described organisation", "dpv:hasDataProcessor")],
    ),
    "datatype": (
        _case_wrong_datatype,
        [
            ("Violation", "entry has no reference (dct:identifier)", "dct:identifier"),
            ("Violation", "flow has no entry", "dfg:entry"),
            ("Violation", "hop has no 1-based dfg:hopIndex", "dfg:hopIndex"),
            ("Violation", "hop has no 1-based dfg:hopIndex", "dfg:hopIndex"),
        ],
    ),
    "ill-typed": (
        _case_ill_typed,
        [("Violation", "evidence has no 1-based line", "dfg:line")],
    ),
    "in": (
        _case_outside_in,
        [
            ("Violation", "agreement purpose outside dfg:Purposes", "dpv:hasPurpose"),
            ("Violation", "no purpose (dpv:hasPurpose), or one outside dfg:Purposes", "dpv:hasPurpose"),
        ],
    ),
    "pattern": (
        _case_pattern,
        [("Violation", "source file digest is not one SHA-256 in lower-case hex", "dfg:sha256")],
    ),
    "minInclusive": (_case_min_inclusive, [("Violation", "hop has no 1-based dfg:hopIndex", "dfg:hopIndex")]),
    "qualified": (
        _case_qualified,
        [("Violation", "copy is not typed with exactly one DPV data category", "rdf:type")],
    ),
    "or": (_case_or, [("Violation", "hop states no data (dpv:hasPersonalData or dpv:hasData)", None)]),
    "inverse path": (
        _case_inverse_path,
        [("Violation", "de-identification generates no copy", "^prov:wasGeneratedBy")],
    ),
    "node class": (
        _case_node_class,
        [
            ("Violation", "Value class is not in classes (dpv:Process, prov:Activity)", None),
            ("Violation", "hop states no data (dpv:hasPersonalData or dpv:hasData)", None),
        ],
    ),
    "node kind": (
        _case_period_node_kind,
        [("Violation", "Value does not have class dct:PeriodOfTime", None)],
    ),
    "severity": (_case_warning, [("Warning", "entry has no period (dfg:window)", "dfg:window")]),
    "other graph": (_case_type_in_other_graph, []),
    "subclass": (
        _case_subclass,
        [("Violation", "hop has no sender (dfg:from), or one that is no organisation", "dfg:from")],
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_engines_agree_on_a_broken_graph(name):
    """Both engines report the same list; the expected results are among them."""
    breaks, expected = CASES[name]
    store = _store()
    breaks(store)
    found = _found(store)
    for item in expected:
        assert item in [(s, m, p) for s, m, p, _ in found], (name, found)
    if not expected:
        assert found == []


def test_one_result_per_value_node():
    store = _store()
    _case_outside_in(store)
    messages = [v.message for v in _both(store)]
    assert messages.count("no purpose (dpv:hasPurpose), or one outside dfg:Purposes") == 2


def test_results_are_located_at_their_entry():
    store = _store()
    _case_missing(store)
    (found,) = _both(store)
    assert (found.entry, found.reference, found.source, found.line) == (
        ENTRY,
        "DARS-NIC-00001-AAAAA",
        "two_copies.txt",
        1,
    )


# ---------------------------------------------------------------------------------------------
# What the compiler refuses


S = "ex:S a sh:NodeShape ; sh:targetClass ex:C ; "
SHAPES_HEAD = """@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""


@pytest.mark.parametrize(
    "body",
    [
        S + "sh:closed true .",
        "ex:S a sh:NodeShape ; sh:targetNode ex:n ; sh:class ex:C .",
        S + "sh:property [ sh:path ex:p ; sh:hasValue ex:v ] .",
        S + "sh:property [ sh:path ( ex:p ex:q ) ; sh:minCount 1 ] .",
        S + "sh:property [ sh:path [ sh:zeroOrMorePath ex:p ] ; sh:minCount 1 ] .",
        S + "sh:property [ sh:path ex:p ; sh:node ex:T ] .",
        S + "sh:sparql [ sh:select 'SELECT $this WHERE {}' ] .",
        S + "sh:property [ sh:path ex:p ; sh:minCount 1 ; sh:deactivated true ] .",
        S + "sh:minCount 1 .",
        S + "sh:property [ sh:path ex:p ; sh:minCount 1 ] .",  # no message
        "ex:S a sh:NodeShape , <http://www.w3.org/2000/01/rdf-schema#Class> ; sh:targetClass ex:C ; sh:class ex:D .",
        S + "sh:message 'm' ; sh:or ( [ sh:path ex:p ; sh:datatype xsd:string ] [ sh:path ex:q ; sh:minCount 1 ] ) .",
    ],
)
def test_compiler_refuses_what_it_does_not_support(body):
    shapes = Graph().parse(data=SHAPES_HEAD + body, format="turtle")
    with pytest.raises(UnsupportedShapeError):
        compile_shapes(shapes)


def test_queries_on_every_core_give_the_results_of_one(monkeypatch):
    """The shapes' and checks' queries run on one thread per core (pyoxigraph lets go of the
    GIL): the same list as one after another."""
    import dataflow_graph.rdf.shacl as shacl

    store = _store()
    for breaks, _ in CASES.values():
        breaks(store)
    monkeypatch.setattr(shacl.os, "cpu_count", lambda: 1)
    alone = validate(store)
    started = []
    real = shacl.ThreadPoolExecutor

    def counted(workers: int) -> object:
        started.append(workers)
        return real(workers)

    monkeypatch.setattr(shacl, "ThreadPoolExecutor", counted)
    monkeypatch.setattr(shacl.os, "cpu_count", lambda: 4)
    assert validate(store) == alone
    assert len(alone) > 10
    assert started == [4, 4]


def test_compiler_accepts_the_project_shapes():
    compiled = compile_shapes(shapes_graph())
    assert sum(len(shape.checks) for shape in compiled) > 100


def test_class_tests_name_the_classes_of_the_store_not_a_path():
    """With the store at hand, no query evaluates ``a/rdfs:subClassOf*`` once per value (48 s
    for one shape at 10k synthetic entries); the targets keep it (evaluated once per query)."""
    store = _store()
    _case_subclass(store)
    path = f"a/<{RDFS.subClassOf}>*"
    for shape in compile_shapes(shapes_graph(), store):
        for text in (shape.screen or "", *(c.query for c in shape.checks)):
            assert path not in text.split("} }", 1)[-1], text
    organisation = "<http://www.w3.org/ns/org#Organization>"
    compiled = [c.query for shape in compile_shapes(shapes_graph(), store) for c in shape.checks]
    sender = next(q for q in compiled if "<https://w3id.org/dataflow-graph/ns#from> ?v" in q and "MINUS" in q)
    assert f"{{ {{ ?v a {organisation} }} UNION {{ ?v a <{ID}Body> }} UNION {{ ?v a <{ID}Trust> }} }}" in sender


def test_a_blank_node_subclass_keeps_the_path_and_gives_the_same_results():
    """pySHACL cannot be asked here (the copy it reads refuses blank nodes): a value typed with
    a blank-node subclass of org:Organization is judged as with a named one, by the path."""
    named, blank = _store(), _store()
    _with_subclass(named, _n(f"{ID}Named"))
    _with_subclass(blank, ox.BlankNode("anon"))
    assert validate(blank) == validate(named) != []
    path = f"?v a/<{RDFS.subClassOf}>* <http://www.w3.org/ns/org#Organization>"
    assert any(path in (shape.screen or "") for shape in compile_shapes(shapes_graph(), blank))
    assert not any(path in (shape.screen or "") for shape in compile_shapes(shapes_graph(), named))
    _drop(blank, f"{ID}unnamed-kind", RDF.type)
    assert "hop has no recipient (dfg:to), or one that is no organisation" in [v.message for v in validate(blank)]


def test_text_loaded_graph_by_graph_is_the_same_store(seed_path):
    """rdf_store loads its text graph by graph, dropping each once loaded (less memory)."""
    from dataflow_graph import api
    from dataflow_graph.rdf.register import rdf_text
    from dataflow_graph.rdf.store import text_store

    records = api._rdf_records(api.load([seed_path]))
    text = rdf_text(records)
    whole = set(text_store(text))
    assert set(text_store(text, consume=True)) == whole
    assert len(whole) > 1000
    assert not any(text.statements.values())  # spent


def test_ill_typed_literals_judged_on_several_threads_log_nothing(caplog):
    """rdflib's term logger is silenced while a literal is judged: from several threads at once
    nothing is logged (a logged record kept the query's solutions past their thread) and the
    logger's level is put back."""
    import logging
    import threading

    from dataflow_graph.rdf.shacl_sparql import _well_typed

    caplog.set_level(logging.WARNING, logger="rdflib.term")
    logger = logging.getLogger("rdflib.term")
    before = logger.level
    bad = ox.Literal("not a number", datatype=ox.NamedNode(str(XSD.integer)))
    start = threading.Barrier(4)

    def judge() -> None:
        start.wait()
        for _ in range(300):
            assert not _well_typed(bad, str(XSD.integer))

    threads = [threading.Thread(target=judge) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [r for r in caplog.records if r.name == "rdflib.term"] == []
    assert logger.level == before
