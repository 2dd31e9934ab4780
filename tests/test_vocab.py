"""The ontology and vocab.DFG agree, and the ontology is consistent under OWL-RL."""

from __future__ import annotations

import owlrl
import pytest
from owlrl.Namespaces import ERRNS
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from dataflow_graph.rdf.shacl import load_ontology
from dataflow_graph.rdf.vocab import DFG, DFG_NS, DPV, dfg_terms

#: Terms RDF-NOTES.md lists as absent from DPV 2.3 (or sunset); none may appear.
MISSING_DPV = {
    "DataTransfer",
    "hasSender",
    "hasStartDate",
    "hasEndDate",
    "DataSharingAgreement",
    "hasContract",
    "PublicOrganisation",
    "AggregatedData",
    "IdentifiableData",
    "IdentifiedPersonalData",
    "OptOutConsent",
    "RightToObject",
    "ObjectionToProcessing",
    "PersonalDataHandling",
    "LegalAgreement",
    "DataControllerContract",
    "DataProcessorContract",
    "DataExporter",
    "DataImporter",
}


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return load_ontology(shapes=False)


def _declared(g: Graph) -> set[URIRef]:
    return {s for s in g.subjects() if isinstance(s, URIRef) and str(s).startswith(DFG_NS)}


def test_vocab_every_dfg_term_is_declared_in_the_ontology(ontology):
    assert set(dfg_terms()) - _declared(ontology) == set()


def test_vocab_every_ontology_term_is_in_dfg(ontology):
    assert _declared(ontology) - set(dfg_terms()) == set()


def test_vocab_objects_in_our_namespace_are_declared(ontology):
    used = {o for o in ontology.objects() if isinstance(o, URIRef) and str(o).startswith(DFG_NS)}
    assert used - _declared(ontology) == set()


def test_vocab_closed_namespace_rejects_typos():
    with pytest.raises(AttributeError):
        DFG.Flwo  # noqa: B018


def test_vocab_every_own_term_has_label_and_definition(ontology):
    for term in dfg_terms():
        assert (term, RDFS.label, None) in ontology, term
        assert (term, SKOS.definition, None) in ontology or (term, RDFS.comment, None) in ontology, term


def test_vocab_no_dpv_term_that_does_not_exist(ontology):
    used = {str(t)[len(str(DPV)) :] for t in ontology.all_nodes() if str(t).startswith(str(DPV))}
    assert used & MISSING_DPV == set()


def test_vocab_ontology_is_consistent_under_owl_rl(ontology):
    g = Graph()
    for t in ontology:
        g.add(t)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(g)
    assert list(g.subjects(RDF.type, OWL.Nothing)) == []
    # owlrl reports each inconsistency as a node typed err:ErrorMessage with an err:error text
    errors = [str(o) for o in g.objects(None, ERRNS.error)]
    assert errors == []
    assert list(g.subjects(RDF.type, ERRNS.ErrorMessage)) == []


def test_vocab_gateways_point_at_legislation(ontology):
    from rdflib.namespace import DCTERMS

    assert (
        DFG.NHSAct2006s251,
        DCTERMS.source,
        URIRef("http://www.legislation.gov.uk/id/ukpga/2006/41/section/251"),
    ) in ontology
    assert (
        DFG.HSCA2012s261,
        DCTERMS.source,
        URIRef("http://www.legislation.gov.uk/id/ukpga/2012/7/section/261"),
    ) in ontology
