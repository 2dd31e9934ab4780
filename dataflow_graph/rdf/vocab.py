"""Vocabularies: our own terms (:class:`DFG`) and the W3C namespaces we reuse.

``ontology/dataflow.ttl`` is the source of truth for :class:`DFG`; a test holds the two
equal.  ``DFG`` is a closed :class:`~rdflib.namespace.DefinedNamespace`, so a typo fails
where it is written:

>>> DFG.Flow
rdflib.term.URIRef('https://w3id.org/dataflow-graph/ns#Flow')
>>> DFG["from"] == FROM
True
>>> DFG.Flwo
Traceback (most recent call last):
...
AttributeError: term 'Flwo' not in namespace 'https://w3id.org/dataflow-graph/ns#'
"""

# ruff: noqa: N815  (RDF terms keep their camelCase local names, as rdflib namespaces do)
from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, ORG, OWL, PROV, RDF, RDFS, SKOS, XSD, DefinedNamespace

__all__ = [
    "DCAT",
    "DCTERMS",
    "DFG",
    "DFG_NS",
    "DPV",
    "FROM",
    "HEALTH",
    "ORG",
    "OWL",
    "PREFIXES",
    "PROV",
    "RDF",
    "RDFS",
    "SKOS",
    "TO",
    "XSD",
    "dfg_terms",
]

DFG_NS = "https://w3id.org/dataflow-graph/ns#"

#: DPV 2.3, the RDFS+SKOS serialisation (not the ``dpv/owl#`` one).
DPV = Namespace("https://w3id.org/dpv#")
#: DPV health sector extension (``HealthAggregatedData``).
HEALTH = Namespace("https://w3id.org/dpv/sector/health#")
#: DCAT 3; rdflib's closed ``DCAT`` predates ``DatasetSeries`` and ``inSeries``.
DCAT = Namespace("http://www.w3.org/ns/dcat#")


class DFG(DefinedNamespace):
    """The dataflow-graph ontology, ``https://w3id.org/dataflow-graph/ns#``."""

    _NS = Namespace(DFG_NS)
    _fail = True

    # classes
    Agreement: URIRef
    Entry: URIRef
    Flow: URIRef
    Hop: URIRef
    Deidentification: URIRef
    DataCopy: URIRef
    Evidence: URIRef
    SourceFile: URIRef
    DatasetFamily: URIRef
    Release: URIRef
    Finding: URIRef
    FindingSide: URIRef
    Qualifier: URIRef

    # object properties ("from" is a Python keyword: see _extras and FROM)
    to: URIRef
    unit: URIRef
    agreement: URIRef
    entry: URIRef
    hop: URIRef
    evidence: URIRef
    landingEvidence: URIRef
    itemEvidence: URIRef
    sourceFile: URIRef
    dataset: URIRef
    identifiability: URIRef
    optOut: URIRef
    kind: URIRef
    role: URIRef
    organisationKind: URIRef
    sendsTo: URIRef
    successor: URIRef
    recipient: URIRef
    aboutFamily: URIRef
    identifiableFlow: URIRef
    deidentifiedFlow: URIRef
    identifiableSide: URIRef
    deidentifiedSide: URIRef
    flow: URIRef
    deliveredBy: URIRef
    copy: URIRef
    qualifier: URIRef
    qualifierKind: URIRef
    window: URIRef
    dsaPeriod: URIRef
    overlap: URIRef
    linkedWith: URIRef
    ofFamily: URIRef
    ofDataset: URIRef

    # datatype properties
    hopIndex: URIRef
    landingOnly: URIRef
    purposeText: URIRef
    legalBasisText: URIRef
    optOutText: URIRef
    optOutBasis: URIRef
    line: URIRef
    column: URIRef
    sheet: URIRef
    rowId: URIRef
    sha256: URIRef
    reviewed: URIRef
    identifiabilityRank: URIRef
    until: URIRef
    category: URIRef
    recipientName: URIRef
    severity: URIRef
    severityLabel: URIRef
    optOutDivergence: URIRef
    statement: URIRef
    weight: URIRef
    others: URIRef
    reversed: URIRef
    linkedText: URIRef

    # concept schemes and their concepts
    Identifiability: URIRef
    Identifiable: URIRef
    Pseudonymised: URIRef
    Anonymised: URIRef
    Aggregated: URIRef
    OptOutStatus: URIRef
    OptOutsApplied: URIRef
    OptOutsNotApplied: URIRef
    OptOutsMixed: URIRef
    OptOutUnknown: URIRef
    Roles: URIRef
    RoleSource: URIRef
    RoleDSCRO: URIRef
    RoleCSU: URIRef
    RoleProcessor: URIRef
    RoleController: URIRef
    RoleProvider: URIRef
    RoleDirectCare: URIRef
    RoleKeyHolder: URIRef
    RoleOther: URIRef
    FlowKinds: URIRef
    KindTransfer: URIRef
    KindAccess: URIRef
    KindLinkage: URIRef
    KindReidentification: URIRef
    KindProviderFeed: URIRef
    LegalGateways: URIRef
    NHSAct2006s251: URIRef
    HSCA2012: URIRef
    HSCA2012s261: URIRef
    SRSA2007s42: URIRef
    SRSA2007s39: URIRef
    PatientConsent: URIRef
    NationalAuditAct1983: URIRef
    HealthAct2009s36: URIRef
    LegalBasisOther: URIRef
    LegalBasisNotStated: URIRef
    Purposes: URIRef
    InvoiceValidation: URIRef
    RiskStratification: URIRef
    Commissioning: URIRef
    DirectCare: URIRef
    Research: URIRef
    PublicHealth: URIRef
    OfficialStatistics: URIRef
    ServiceEvaluation: URIRef
    PurposeUnrecognised: URIRef
    OrganisationKinds: URIRef
    OrgNationalBody: URIRef
    OrgDSCRO: URIRef
    OrgCommissioner: URIRef
    OrgCSU: URIRef
    OrgTrust: URIRef
    OrgGPPractice: URIRef
    OrgLocalAuthority: URIRef
    OrgUniversity: URIRef
    OrgCompany: URIRef
    OrgCharity: URIRef
    OrgOther: URIRef
    QualifierKinds: URIRef
    QualifierBothCopies: URIRef
    QualifierOverlap: URIRef
    QualifierSameRegister: URIRef
    QualifierOptOutDivergence: URIRef
    QualifierOptOutsPartlyKnown: URIRef
    QualifierSameAgreement: URIRef
    QualifierLinkage: URIRef
    QualifierReidentification: URIRef
    QualifierLandingOnly: URIRef
    QualifierSegregation: URIRef

    _extras = ["from"]  # noqa: RUF012 - rdflib reads a list


#: ``dfg:from`` and ``dfg:to``, the two ends of a hop.
FROM = URIRef(f"{DFG_NS}from")
TO = DFG.to

#: Prefixes used in every serialisation and every named query, sorted by prefix.
PREFIXES: dict[str, str] = {
    "dcat": str(DCAT),
    "dct": str(DCTERMS),
    "dfg": DFG_NS,
    "dpv": str(DPV),
    "health": str(HEALTH),
    "org": str(ORG),
    "owl": str(OWL),
    "prov": str(PROV),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "skos": str(SKOS),
    "xsd": str(XSD),
}


def dfg_terms() -> list[URIRef]:
    """Every term of :class:`DFG`, sorted.

    >>> len(dfg_terms()) > 50
    True
    """
    names = [*DFG.__annotations__, *DFG._extras]
    return sorted(URIRef(DFG_NS + n) for n in names if not n.startswith("_"))
