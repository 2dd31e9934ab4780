"""The ontology and vocab.DFG agree, and the ontology is consistent under OWL-RL."""

from __future__ import annotations

import owlrl
import pytest
from owlrl.Namespaces import ERRNS
from rdflib import BNode, Graph, URIRef
from rdflib.namespace import OWL, PROV, RDF, RDFS, SKOS

from dataflow_graph.graph import SEVERITY
from dataflow_graph.rdf.concepts import DATA_CLASS, IDENTIFIABILITY, KIND, OPT_OUT, ORGANISATION_CLASSES, ROLE, SCHEMES
from dataflow_graph.rdf.findings import QUALIFIER_KINDS
from dataflow_graph.rdf.shacl import load_ontology
from dataflow_graph.rdf.vocab import DFG, DFG_NS, DPV, HEALTH, dfg_terms

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


def test_vocab_every_own_term_has_label_and_comment(ontology):
    for term in dfg_terms():
        assert (term, RDFS.label, None) in ontology, term
        assert (term, RDFS.comment, None) in ontology, term


def test_vocab_ontology_has_a_version_iri_and_no_blank_nodes(ontology):
    root = URIRef("https://w3id.org/dataflow-graph/ns")
    version = ontology.value(root, OWL.versionIRI)
    assert version is not None
    assert str(version).startswith(f"{root}/")
    assert str(ontology.value(root, OWL.versionInfo)) == str(version).rsplit("/", 1)[1]
    assert not any(isinstance(t, BNode) for triple in ontology for t in triple)


def test_vocab_no_activity_is_linked_to_a_family_by_a_derivation(ontology):
    """PROV-O: wasDerivedFrom relates entities, so no sub-property of it may sit on a flow or hop."""
    derivations = {PROV.wasDerivedFrom, *ontology.transitive_subjects(RDFS.subPropertyOf, PROV.wasDerivedFrom)}
    for prop in derivations:
        domain = ontology.value(prop, RDFS.domain)
        assert domain not in (DFG.Flow, DFG.Hop, DFG.Deidentification), prop
    assert (DFG.ofFamily, RDFS.subPropertyOf, PROV.wasDerivedFrom) not in ontology


def test_vocab_loose_matches_are_related_not_close(ontology):
    assert (DFG.OptOutsApplied, SKOS.relatedMatch, DPV.OptingOutFromProcess) in ontology
    assert (DFG.OptOutsApplied, SKOS.closeMatch, DPV.OptingOutFromProcess) not in ontology
    assert (DFG.Aggregated, SKOS.relatedMatch, HEALTH.HealthAggregatedData) in ontology
    assert (DFG.Anonymised, SKOS.relatedMatch, DPV.AnonymisedData) in ontology
    assert (None, None, DPV.AggregatedData) not in ontology


def test_vocab_qualifier_kinds_are_the_severity_table(ontology):
    notations = {str(ontology.value(c, SKOS.notation)): c for c in ontology.subjects(SKOS.inScheme, DFG.QualifierKinds)}
    assert set(notations) == set(SEVERITY)
    for name, concept in notations.items():
        assert int(ontology.value(concept, DFG.weight)) == SEVERITY[name], name
        assert QUALIFIER_KINDS[name] == concept


def test_vocab_organisation_kinds_type_their_broader_dpv_classes(ontology):
    kinds = set(ontology.subjects(SKOS.inScheme, DFG.OrganisationKinds))
    assert kinds == set(ORGANISATION_CLASSES)
    for kind in kinds:
        assert set(ontology.objects(kind, SKOS.broadMatch)) == set(ORGANISATION_CLASSES[kind]), kind


@pytest.mark.parametrize("scheme", SCHEMES)
def test_vocab_every_concept_has_label_notation_and_scheme(ontology, scheme):
    concepts = set(ontology.subjects(SKOS.inScheme, scheme))
    assert concepts
    assert set(ontology.objects(scheme, SKOS.hasTopConcept)) <= concepts
    for c in concepts:
        assert (c, SKOS.prefLabel, None) in ontology, c
        assert (c, SKOS.notation, None) in ontology, c


def test_vocab_enum_maps_cover_every_member():
    from dataflow_graph.model import FlowKind, Identifiability, OptOut, Role

    assert set(IDENTIFIABILITY) == set(Identifiability)
    assert set(DATA_CLASS) == set(Identifiability)
    assert set(OPT_OUT) == set(OptOut)
    assert set(ROLE) == set(Role)
    assert set(KIND) == set(FlowKind)


def test_vocab_identifiability_notations_are_the_enum_values(ontology):

    for level, concept in IDENTIFIABILITY.items():
        assert str(ontology.value(concept, SKOS.notation)) == level.value


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


#: DPV 2.3 and DPV health terms the ontology, shapes and exports may use: each checked in the
#: published 2.3 files (dpv/modules/*.ttl, sector/health/modules/*.ttl).
CHECKED_DPV = {
    *(
        f"https://w3id.org/dpv#{name}"
        for name in (
            "AcademicScientificOrganisation Access Aggregate Anonymise AnonymisedData CannotOptOutFromProcess "
            "CharityOrganisation Combine Consent ContextuallyAnonymisedData Data DataController "
            "DataProcessingAgreement DataProcessor ForProfitOrganisation GovernmentalOrganisation "
            "HealthcareOrganisation IdentifyingPersonalData LegalBasis NonProfitOrganisation "
            "OptingOutFromProcess PaymentManagement PrivateSectorBody Process ProvideOfficialStatistics "
            "PseudonymisedData Pseudonymise PublicSectorBody Purpose Recipient ResearchAndDevelopment "
            "ThirdParty Transfer hasData hasDataController hasDataProcessor hasJurisdiction hasLegalBasis "
            "hasPersonalData hasProcessing hasPurpose hasRecipient"
        ).split()
    ),
    *(
        f"https://w3id.org/dpv/sector/health#{name}"
        for name in (
            "EffectivenessAssessment HealthAggregatedData HealthcareScientificResearch "
            "HealthcareServiceManagement PopulationHealthAnalysis PredictiveHealthRiskAnalysis "
            "ProvideHealthcareOfficialStatistics PublicHealthMonitoring PublicHealthSurveillance "
            "ReimbursementServicesProvision ResourceManagement ServiceBillingFraudManagement ServiceProvision"
        ).split()
    ),
}


def dpv_terms(g: Graph) -> set[str]:
    """Every DPV (core or health) IRI a graph names, except the vocabularies themselves."""
    return {
        str(t)
        for t in g.all_nodes()
        if isinstance(t, URIRef) and str(t).startswith("https://w3id.org/dpv") and ("#" in str(t))
    } - {"https://w3id.org/dpv/loc#GB"}


def test_vocab_every_dpv_term_used_was_checked_in_dpv_2_3():
    used = dpv_terms(load_ontology(shapes=True))
    assert used - CHECKED_DPV == set()
