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
from dataflow_graph.model import Period
from dataflow_graph.rdf import DEFAULT_BASE
from dataflow_graph.rdf.graphs import records_rdf
from dataflow_graph.rdf.iris import graph_iri
from dataflow_graph.rdf.serialise import parse_rdf, serialise, union_graph
from dataflow_graph.rdf.shacl import load_ontology, validate
from dataflow_graph.rdf.store import records_store, to_rdf
from dataflow_graph.rdf.vocab import DCAT, DCTERMS, DFG, DFG_NS, DPV, ORG, PROV, RDF, RDFS, SKOS, XSD
from dataflow_graph.rdf.vocab import FROM as FROM_IRI

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


def test_rdf_findings_given_as_a_function_are_worked_out_once_here(monkeypatch):
    """Findings may come as a function, called once, in this process, while the workers
    build the agreement graphs: the same text as the findings given as a list."""
    import os

    from dataflow_graph.graph import build_graph, convergences
    from dataflow_graph.rdf import graphs as rdf

    ex = synthetic(30, seed=9)
    findings, _ = convergences(build_graph(ex.flows, ex.organisations.values()))
    listed = serialise(records_rdf(ex.entries, ex.flows, ex.organisations, findings=findings, workers=1), "trig")
    calls: list[int] = []

    def later() -> list:
        calls.append(os.getpid())
        return findings

    monkeypatch.setattr(rdf, "PARALLEL_FROM", 2)
    for workers in (1, 2):
        calls.clear()
        text = records_rdf(ex.entries, ex.flows, ex.organisations, findings=later, workers=workers)
        assert serialise(text, "trig") == listed
        assert calls == [os.getpid()]


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


_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)


@settings(max_examples=80, deadline=None)
@given(statements=st.lists(_TEXT, max_size=12))
def test_rdf_statements_sealed_as_bytes_keep_the_order_of_the_text(statements):
    """Statements are encoded one by one and sorted as bytes: the chunk is the sorted text, encoded."""
    from dataflow_graph.rdf.turtle import RdfText

    b = RdfText()
    b.use(None)
    for s in statements:
        b.put(s)
    b.seal()
    assert b"".join(b.statements[None]) == "".join(sorted(statements)).encode()


@settings(max_examples=80, deadline=None)
@given(value=_TEXT, more=st.lists(_TEXT, max_size=3), last=_TEXT)
def test_rdf_statement_template_writes_what_close_writes(value, more, last):
    """A template filled with values (``%`` in them too) is the statement of the same pairs."""
    from dataflow_graph.rdf.turtle import RdfText, template, then

    made, closed = RdfText(), RdfText()
    made.put(template("a dfg:Hop", "rdfs:label %s", None, "dfg:line %s") % ("<s>", value, then(more), last))
    closed.close("<s>", ["a dfg:Hop", f"rdfs:label {value}", *more, f"dfg:line {last}"])
    made.seal(), closed.seal()
    assert made.statements == closed.statements


# ---------------------------------------------------------------------------------------
# The seed as a linked-data expert reads it (issue 15)

_PROV_AXIOMS = """
@prefix prov: <http://www.w3.org/ns/prov#> . @prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
prov:Activity a owl:Class ; owl:disjointWith prov:Entity .
prov:Entity a owl:Class .
prov:Agent a owl:Class .
prov:used a owl:ObjectProperty ; rdfs:domain prov:Activity ; rdfs:range prov:Entity .
prov:wasGeneratedBy a owl:ObjectProperty ; rdfs:domain prov:Entity ; rdfs:range prov:Activity .
prov:wasDerivedFrom a owl:ObjectProperty ; rdfs:domain prov:Entity ; rdfs:range prov:Entity .
prov:hadPrimarySource a owl:ObjectProperty ; rdfs:subPropertyOf prov:wasDerivedFrom .
prov:wasAssociatedWith a owl:ObjectProperty ; rdfs:domain prov:Activity ; rdfs:range prov:Agent .
prov:value a owl:DatatypeProperty ; rdfs:domain prov:Entity .
"""
"""The PROV-O axioms (https://www.w3.org/ns/prov-o) a reasoner needs to tell activities from
entities: their disjointness, and the domains and ranges of the relations the export uses."""


@pytest.fixture(scope="module")
def seed():
    """The embedded seed read as ``dfg`` reads it by default."""
    from dataflow_graph import api

    return api.load()


@pytest.fixture(scope="module")
def seed_graph(seed):
    """The seed's RDF, every graph in one rdflib graph."""
    from dataflow_graph import api

    return Graph().parse(data=api.export_rdf(seed, "nt"), format="nt")


def _select(g: Graph, query: str) -> list[tuple]:
    return sorted(tuple(str(v) if v is not None else None for v in row) for row in g.query(query))


_Q = "PREFIX dfg: <https://w3id.org/dataflow-graph/ns#> PREFIX dpv: <https://w3id.org/dpv#> "
_Q += "PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX dct: <http://purl.org/dc/terms/> "
_Q += "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "


def test_rdf_seed_by_relative_absolute_path_and_other_folder_gives_the_same_triples(
    repo_root, seed_path, tmp_path, monkeypatch
):
    from dataflow_graph import api

    monkeypatch.chdir(repo_root)
    relative = api.export_rdf(api.load(["seeds"]), "nt")
    absolute = api.export_rdf(api.load([str(seed_path)]), "nt")
    monkeypatch.chdir(tmp_path)
    elsewhere = api.export_rdf(api.load([os.path.relpath(seed_path, tmp_path)]), "nt")
    graphs = [Graph().parse(data=data, format="nt") for data in (relative, absolute, elsewhere)]
    assert set(graphs[0]) == set(graphs[1]) == set(graphs[2])
    assert isomorphic(graphs[0], graphs[1])
    assert isomorphic(graphs[0], graphs[2])
    assert relative == absolute == elsewhere
    for folder in (str(repo_root), "seeds/", str(tmp_path)):
        assert folder.encode() not in relative


def test_rdf_seed_in_another_order_gives_the_same_bytes(seed):
    from dataflow_graph.rdf.register import Records, export_rdf

    records = Records(seed.entries, seed.flows, seed.organisations, seed.releases, seed.convergences[0])
    backwards = Records(
        tuple(reversed(seed.entries)),
        tuple(reversed(seed.flows)),
        tuple(reversed(seed.organisations)),
        (),
        tuple(reversed(seed.convergences[0])),
    )
    assert export_rdf(records, "nt") == export_rdf(backwards, "nt")


def test_rdf_source_file_is_its_digest_and_base_name(seed_graph, seed_path):
    digest = hashlib.sha256(seed_path.read_bytes()).hexdigest()
    files = _select(
        seed_graph, _Q + "SELECT ?f ?name ?sha WHERE { ?f a dfg:SourceFile ; dct:title ?name ; dfg:sha256 ?sha }"
    )
    assert files == [(f"{DEFAULT_BASE}file/{digest}", seed_path.name, digest)]
    assert list(seed_graph.triples((None, DFG.sheet, None))) == []


def test_rdf_no_node_is_both_activity_and_entity_under_prov_o(seed_graph):
    import owlrl
    from owlrl.Namespaces import ERRNS

    g = Graph()
    g += seed_graph
    g += load_ontology()
    g.parse(data=_PROV_AXIOMS, format="turtle")
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(g)
    activities = set(g.subjects(RDF.type, PROV.Activity))
    entities = set(g.subjects(RDF.type, PROV.Entity))
    assert len(activities) > 50
    assert len(entities) > 100
    assert activities & entities == set()
    assert [str(o) for o in g.objects(None, ERRNS.error)] == []


def test_rdf_every_flow_and_hop_is_a_dpv_process_with_purpose_data_basis_and_controller(seed_graph):
    processes = _select(seed_graph, _Q + "SELECT ?p WHERE { { ?p a dfg:Flow } UNION { ?p a dfg:Hop } }")
    assert len(processes) > 50
    for prop in ("a dpv:Process", "dpv:hasPurpose ?x", "dpv:hasLegalBasis ?x", "dpv:hasDataController ?x"):
        query = f"SELECT ?p WHERE {{ {{ ?p a dfg:Flow }} UNION {{ ?p a dfg:Hop }} MINUS {{ ?p {prop} }} }}"
        assert _select(seed_graph, _Q + query) == [], prop
    without_data = _Q + (
        "SELECT ?p WHERE { { ?p a dfg:Flow } UNION { ?p a dfg:Hop } "
        "MINUS { ?p dpv:hasPersonalData ?d } MINUS { ?p dpv:hasData ?d } }"
    )
    assert _select(seed_graph, without_data) == []
    typed = _Q + (
        "SELECT DISTINCT ?type WHERE { ?p dpv:hasPersonalData ?c ; prov:used ?c . ?c a ?type . "
        "FILTER (STRSTARTS(STR(?type), STR(dpv:))) }"
    )
    assert {t for (t,) in _select(seed_graph, typed)} == {str(DPV.IdentifyingPersonalData), str(DPV.PseudonymisedData)}


def test_rdf_flows_and_hops_carry_no_family_only_copies_and_releases_do(seed_graph):
    holders = _select(seed_graph, _Q + "SELECT DISTINCT ?type WHERE { ?s dfg:ofFamily ?f ; a ?type }")
    assert {t for (t,) in holders} <= {
        str(DFG.DataCopy),
        str(DFG.Release),
        str(DPV.IdentifyingPersonalData),
        str(DPV.PseudonymisedData),
        str(DPV.ContextuallyAnonymisedData),
        str(DPV.Data),
    }
    assert (None, URIRef(f"{DFG_NS}carries"), None) not in seed_graph


def test_rdf_family_iris_only_from_the_reviewed_list(seed_graph):
    from dataflow_graph.names import family_labels

    families = {str(o) for o in seed_graph.objects(None, DFG.ofFamily)}
    families |= {str(o) for o in seed_graph.objects(None, DFG.linkedWith)}
    families |= {str(s) for s in seed_graph.subjects(RDF.type, DFG.DatasetFamily)}
    codes = {f.removeprefix(f"{DEFAULT_BASE}family/") for f in families}
    assert codes
    assert codes <= set(family_labels())
    linked = {str(o) for o in seed_graph.objects(None, DFG.linkedText)}
    assert "Social Care data" in linked  # unknown dataset text stays a literal


def test_rdf_dscro_pseudonymisation_uses_identifiable_and_generates_pseudonymised(seed_graph):
    rows = _select(
        seed_graph,
        _Q
        + """SELECT ?copy ?source ?org WHERE {
            ?copy dfg:identifiability dfg:Pseudonymised ; dfg:ofFamily/dct:identifier "SUS" ;
                  prov:wasGeneratedBy ?act ; prov:wasDerivedFrom ?source .
            ?act a dfg:Deidentification ; prov:used ?source ; dpv:hasProcessing dpv:Pseudonymise ;
                 prov:wasAssociatedWith/dct:identifier ?org .
            ?source dfg:identifiability dfg:Identifiable }""",
    )
    assert rows
    assert {org for *_, org in rows} <= {"org:dscro", "org:dscro-north-east-london"}
    assert all(copy.rsplit("/", 2)[0] == source.rsplit("/", 2)[0] for copy, source, _ in rows)


def test_rdf_roles_are_per_agreement(seed_graph):
    rows = _select(
        seed_graph,
        _Q
        + """SELECT ?agreement ?role ?org WHERE {
            ?a a dfg:Agreement ; dct:identifier ?agreement ; ?p ?o .
            VALUES (?p ?role) { (dpv:hasDataController "controller") (dpv:hasDataProcessor "processor") }
            ?o dct:identifier ?org }""",
    )
    assert ("NIC-137841-V5M7Y", "controller", "org:nhs-thurrock-ccg") in rows
    assert ("NIC-137841-V5M7Y", "processor", "org:nhs-mid-essex-ccg") in rows  # "Data Processor 2 – Mid-Essex CCG"
    assert ("NIC-198119-X9P3J", "controller", "org:nhs-mid-and-south-essex-icb") in rows  # its controllers field
    assert ("NIC-198119-X9P3J", "processor", "org:nhs-mid-essex-ccg") not in rows
    agreements = {a for a, *_ in rows}
    assert {a for a, role, _ in rows if role == "controller"} == agreements


def test_rdf_organisations_keep_their_kind_apart_from_their_role(seed_graph):
    rows = dict(
        _select(
            seed_graph,
            _Q + "SELECT ?org ?kind WHERE { ?o dct:identifier ?org ; dfg:organisationKind/skos:notation ?kind }",
        )
    )
    assert rows["org:medeanalytics"] == "company"
    assert rows["org:nhs-mid-essex-ccg"] == "commissioner"  # a processor in Thurrock's agreements, still a CCG
    assert rows["org:csu-north-and-east-london"] == "csu"
    medeanalytics = URIRef(f"{DEFAULT_BASE}org/medeanalytics")
    assert (medeanalytics, RDF.type, DPV.ForProfitOrganisation) in seed_graph
    assert (URIRef(f"{DEFAULT_BASE}org/nhs-thurrock-ccg"), RDF.type, DPV.PublicSectorBody) in seed_graph


def test_rdf_purposes_are_concepts_with_the_words_kept(seed_graph):
    rows = _select(
        seed_graph,
        _Q + "SELECT DISTINCT ?text ?purpose WHERE { ?f a dfg:Flow ; dfg:purposeText ?text ; "
        "dpv:hasPurpose/skos:notation ?purpose }",
    )
    assert ("Invoice Validation", "invoice-validation") in rows
    assert ("Commissioning", "commissioning") in rows


def test_rdf_reversed_window_is_flagged_and_kept_as_published(seed_graph):
    rows = _select(
        seed_graph,
        _Q + "PREFIX dcat: <http://www.w3.org/ns/dcat#> "
        "SELECT ?p ?start ?end WHERE { ?p dfg:reversed true ; dcat:startDate ?start ; dcat:endDate ?end }",
    )
    assert rows
    assert {(s, e) for _, s, e in rows} == {("2017-06", "2017-05")}
    assert (None, DCTERMS.temporal, None) not in seed_graph


def test_rdf_thurrock_finding_has_label_overlap_qualifiers_and_evidence(seed_graph):
    finding = URIRef(f"{DEFAULT_BASE}finding/nhs-thurrock-ccg/SUS")
    assert "NHS Thurrock CCG received SUS" in str(seed_graph.value(finding, RDFS.label))
    overlap = seed_graph.value(finding, DFG.overlap)
    assert (str(seed_graph.value(overlap, DCAT.startDate)), str(seed_graph.value(overlap, DCAT.endDate))) == (
        "2018-06",
        "2018-09",
    )
    assert seed_graph.value(finding, DFG.optOutDivergence).toPython() is True
    kinds = {
        str(seed_graph.value(q, DFG.qualifierKind)).rsplit("#", 1)[1]
        for q in seed_graph.objects(finding, DFG.qualifier)
    }
    assert {"QualifierBothCopies", "QualifierOverlap", "QualifierOptOutDivergence", "QualifierSegregation"} <= kinds
    for q in seed_graph.objects(finding, DFG.qualifier):
        assert seed_graph.value(q, DFG.statement) is not None
        assert list(seed_graph.objects(q, PROV.wasDerivedFrom)), q
    sentences = {str(seed_graph.value(e, PROV.value)) for e in seed_graph.objects(finding, PROV.wasDerivedFrom)}
    assert "Opt outs honoured: N (Excuses: Section 251)" in sentences
    assert any("Controlled Environment for Finance" in s for s in sentences)


def test_rdf_concept_schemes_ship_with_every_export(ds):
    g = union_graph(ds)
    assert str(g.value(DFG.Identifiable, SKOS.prefLabel)) == "identifiable"
    assert (DFG.OptOutsApplied, SKOS.inScheme, DFG.OptOutStatus) in g
    assert (DFG.InvoiceValidation, SKOS.broadMatch, DPV.PaymentManagement) in g
    concepts = _named_graphs(ds)[f"{DEFAULT_BASE}graph/concepts"]
    assert (DFG.OrgCompany, SKOS.broadMatch, DPV.ForProfitOrganisation) in concepts


def test_rdf_release_evidence_is_its_file_sheet_row_and_row_id(example):
    from dataflow_graph.model import Identifiability, Release

    release = Release(
        "/srv/exports/register.xlsx#DataReleases:7",
        "/srv/exports/register.xlsx#DataReleases",
        7,
        "DARS-NIC-00001-AAAAA",
        "NIC-00001-AAAAA",
        "Example CCG",
        "SUS for Commissioners",
        "SUS",
        "Identifiable",
        Identifiability.IDENTIFIABLE,
        opt_outs_applied=True,
        month="2019-01",
        row_id="OTHER0125",
    )
    g = union_graph(to_rdf(example.entries, example.flows, example.organisations, releases=[release]))
    node = URIRef(f"{DEFAULT_BASE}release/OTHER0125")
    ev = g.value(node, DFG.evidence)
    assert (str(g.value(ev, DFG.sheet)), int(g.value(ev, DFG.line)), str(g.value(ev, DFG.rowId))) == (
        "DataReleases",
        7,
        "OTHER0125",
    )
    assert str(g.value(g.value(ev, DFG.sourceFile), DCTERMS.title)) == "register.xlsx"
    assert "OTHER0125: Example CCG, SUS for Commissioners, Identifiable, opt-outs applied, 2019-01" == str(
        g.value(ev, PROV.value)
    )
    assert b"/srv/exports" not in serialise(g, "nt")


def _release_row(line: int, reference: str, row_id: str, category: str = "Identifiable"):
    from dataflow_graph.model import Identifiability, Release

    level = Identifiability.IDENTIFIABLE if category == "Identifiable" else Identifiability.ANONYMISED
    core = reference.removeprefix("DARS-")
    return Release(
        f"register.csv:{line}", "register.csv", line, reference, core, "Example CCG", "HES", "HES", category, level,
        opt_outs_applied=True, month="2019-01", row_id=row_id,
    )  # fmt: skip


def test_rdf_released_files_sharing_a_row_id_are_two_nodes_and_conform(example):
    # a real register reuses row ids: PHE16-17.csv gives DRR171 to two releases of two
    # agreements; one IRI from the row id alone made them one node with two agreements,
    # two categories and a window ending before it starts (five violations of `dfg check`)
    a = _release_row(2, "DARS-NIC-00001-AAAAA", "DRR171")
    b = _release_row(3, "DARS-NIC-00002-BBBBB", "DRR171", "Anonymised")
    again = dataclasses.replace(a, id="register.csv:4", line=4)  # the same file, written twice
    single = _release_row(5, "DARS-NIC-00001-AAAAA", "DRR172")
    ds = to_rdf(example.entries, example.flows, example.organisations, releases=[a, b, again, single])
    g = union_graph(ds)
    nodes = sorted(str(s) for s in g.subjects(RDF.type, DFG.Release))
    shared = [n for n in nodes if n.startswith(f"{DEFAULT_BASE}release/DRR171~")]
    assert len(shared) == 2
    assert nodes == sorted([*shared, f"{DEFAULT_BASE}release/DRR172"])
    for node in shared:
        assert len(set(g.objects(URIRef(node), DFG.agreement))) == 1
        assert str(g.value(URIRef(node), DCTERMS.identifier)) == "DRR171"
    assert validate(ds) == []


def test_rdf_check_places_a_released_file_at_its_row_with_its_agreement(example):
    release = _release_row(7, "DARS-NIC-00001-AAAAA", "F7")
    store = records_store(example.entries, example.flows, example.organisations, releases=[release])
    node = ox.NamedNode(f"{DEFAULT_BASE}release/F7")
    for q in list(store.quads_for_pattern(node, ox.NamedNode(str(DFG.category)), None)):
        store.remove(q)
    found = validate(store)
    assert [(v.message, v.entry, v.reference, v.source, v.line) for v in found] == [
        ("release has no category", None, "NIC-00001-AAAAA", "register.csv", 7)
    ]
    assert str(found[0]).startswith("register.csv:7: Violation[SHACL] [agreement NIC-00001-AAAAA] release has")


def test_rdf_entries_sharing_a_reference_get_keys_from_their_text(example):
    from dataflow_graph.rdf.iris import entry_keys

    first = example.entries[0]
    again = dataclasses.replace(first, id="other.txt:5", source="other.txt", line=5)
    changed = dataclasses.replace(first, id="other.txt:9", source="other.txt", line=9, title="A new title")
    keys = entry_keys([first, again, changed])
    assert keys[first.id] == keys[again.id]
    assert keys[first.id] != keys[changed.id]
    assert keys[first.id].startswith(f"{first.reference}~")
    assert entry_keys([first])[first.id] == first.reference


def test_rdf_jsonld_loads_every_triple_into_a_dataset_with_readable_keys(ds):
    import json

    data = serialise(ds, "jsonld")
    document = json.loads(data)
    keys = {k for item in document["@graph"] for node in item.get("@graph", [item]) for k in node}
    assert {"from", "to", "hop", "used", "hasPurpose", "hasPersonalData", "label", "evidence"} <= keys
    assert not any(k.startswith("http") for k in keys)
    back = parse_rdf(data, "jsonld")
    assert set(_named_graphs(back)) == set(_named_graphs(ds))
    union = Graph()
    for t in back.triples((None, None, None)):
        union.add(t)
    assert isomorphic(union, union_graph(ds))


def test_rdf_flat_jsonld_is_one_graph_with_every_triple(ds):
    flat = serialise(ds, "jsonld", flat=True)
    g = Graph().parse(data=flat, format="json-ld")
    assert isomorphic(g, union_graph(ds))
    assert b'"@graph": [\n{"@graph"' not in flat
    with pytest.raises(UsageError):
        serialise(ds, "turtle", flat=True)


def test_rdf_seed_uses_only_checked_dpv_terms(seed_graph):
    from test_vocab import CHECKED_DPV, dpv_terms

    assert dpv_terms(seed_graph) - CHECKED_DPV == set()


# ---------------------------------------------------------------------------------------
# The cross-node checks of dfg check (ontology/checks/*.rq, run on Oxigraph)


def _checked(store) -> list[tuple[str, str]]:
    return [(v.severity, v.rule) for v in validate(store)]


def test_rdf_check_reports_a_gap_between_hops(example):
    store = records_store(example.entries, example.flows, example.organisations)
    hop = ox.NamedNode(f"{DEFAULT_BASE}flow/DARS-NIC-00001-AAAAA/1/hop/3")
    for q in list(store.quads_for_pattern(hop, ox.NamedNode(str(FROM_IRI)), None)):
        store.remove(q)
        store.add(ox.Quad(hop, q.predicate, ox.NamedNode(f"{DEFAULT_BASE}org/example-dscro"), q.graph_name))
    found = [v for v in validate(store) if v.rule == "check:hop_continuity"]
    assert [(v.severity, v.reference) for v in found] == [("Warning", "DARS-NIC-00001-AAAAA")]
    assert "leaves from Example DSCRO but hop 2 arrived at Example CSU" in found[0].message


def test_rdf_check_holds_landing_evidence_to_landing_hops(example):
    """A landing hop without the sentence that says so, and a hop citing one that is not
    landing only: each a violation of the check ``landing_evidence``."""
    store = records_store(example.entries, example.flows, example.organisations)
    landing, evidence = ox.NamedNode(str(DFG.landingOnly)), ox.NamedNode(str(DFG.landingEvidence))
    assert not [v for v in validate(store) if v.rule == "check:landing_evidence"]
    hops = list(store.quads_for_pattern(None, landing, None))
    marked = [q for q in hops if q.object.value == "true"]
    plain = [q for q in hops if q.object.value == "false"]
    assert marked
    assert plain
    for q in store.quads_for_pattern(marked[0].subject, evidence, None):
        store.remove(q)
    cited = next(store.quads_for_pattern(plain[0].subject, ox.NamedNode(str(DFG.evidence)), None))
    store.add(ox.Quad(plain[0].subject, evidence, cited.object, cited.graph_name))
    found = sorted((v.focus, v.message) for v in validate(store) if v.rule == "check:landing_evidence")
    assert [focus for focus, _ in found] == sorted([marked[0].subject.value, plain[0].subject.value])


def test_rdf_check_refuses_a_derivation_that_reidentifies(example):
    store = records_store(example.entries, example.flows, example.organisations)
    ident = ox.NamedNode(f"{DEFAULT_BASE}copy/NIC-00002-BBBBB/SUS/identifiable")
    pseudo = ox.NamedNode(f"{DEFAULT_BASE}copy/NIC-00002-BBBBB/SUS/pseudonymised")
    store.add(ox.Quad(ident, ox.NamedNode(str(PROV.wasDerivedFrom)), pseudo, ox.DefaultGraph()))
    assert ("Violation", "check:derivations") in _checked(store)


def test_rdf_check_refuses_an_unflagged_reversed_window(example):
    reversed_window = Period("2019-05", "2018-06", "2019.05 — 2018.06")
    entry = dataclasses.replace(example.entries[0], period=reversed_window)
    store = records_store((entry, example.entries[1]), example.flows, example.organisations)
    assert _checked(store).count(("Warning", "check:reversed_windows")) == 1
    window = ox.NamedNode(f"{DEFAULT_BASE}entry/DARS-NIC-00001-AAAAA/window")
    for q in list(store.quads_for_pattern(window, ox.NamedNode(str(DFG.reversed)), None)):
        store.remove(q)
    assert ("Violation", "check:reversed_flags") in _checked(store)


def test_rdf_check_every_query_is_a_select_of_focus_and_message():
    from dataflow_graph.rdf.shacl import checks

    found = checks()
    assert len(found) >= 8
    for name, (severity, text) in found.items():
        assert severity in ("Violation", "Warning"), name
        assert "SELECT ?focus ?message" in text, name
        assert "FILTER NOT EXISTS" not in text, name  # MINUS: 150x faster in Oxigraph (RDF-NOTES)


def test_rdf_a_copy_made_from_a_level_no_hop_moved_is_still_a_copy(example):
    """Hop 1 names HES, hop 2 pseudonymised SUS: the SUS identifiable copy the DSCRO
    pseudonymised is a node (a copy, derived from, used by the de-identification)."""
    flow = example.flows[1]
    hops = (dataclasses.replace(flow.hops[0], families=("HES",)), *flow.hops[1:])
    changed = dataclasses.replace(flow, hops=hops)
    store = records_store(example.entries, (example.flows[0], changed), example.organisations)
    assert validate(store) == []
    g = union_graph(store)
    source = URIRef(f"{DEFAULT_BASE}copy/NIC-00002-BBBBB/SUS/identifiable")
    assert (source, RDF.type, DFG.DataCopy) in g
    assert (URIRef(f"{DEFAULT_BASE}copy/NIC-00002-BBBBB/SUS/pseudonymised"), PROV.wasDerivedFrom, source) in g
