"""The project's controlled lists in RDF: which concept a record's value or words map to,
and the concept schemes themselves (shipped with every export).

The concepts are defined in ``ontology/dataflow.ttl`` (labels, comments, mappings to DPV);
this module says which one a record takes:

- identifiability, opt-out status, role and flow kind: one concept per enum member;
- purposes (:func:`purposes`): from the flow's heading, else the entry's title, else its
  objectives, else "purpose not recognised" (the words are kept beside the concept);
- legal bases (:func:`legal_bases`): statutory gateways, consent, "other" or "not stated";
- organisation kinds (:func:`organisation_kind`): from the organisation's usual role and the
  words of its name, with the DPV classes each kind is narrower than.

>>> [local(c) for c in purposes("Invoice Validation – Identifiable - SUS")]
['InvoiceValidation']
>>> [local(c) for c in legal_bases(["HSCA 2012 s261(1) and s261(2)(b)(ii)", "NHS Act 2006 s251"])]
['HSCA2012s261', 'NHSAct2006s251']
>>> local(organisation_kind(Organisation("org:x", "MedeAnalytics International Limited", Role.PROCESSOR)))
'OrgCompany'
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rdflib import URIRef

from .._speed import memoised
from ..model import Entry, FlowKind, Identifiability, OptOut, Organisation, Role
from .vocab import DFG, DFG_NS, DPV

__all__ = [
    "DATA_CLASS",
    "DEIDENTIFY",
    "IDENTIFIABILITY",
    "KIND",
    "OPT_OUT",
    "ORGANISATION_CLASSES",
    "PROCESSING",
    "ROLE",
    "SCHEMES",
    "legal_bases",
    "local",
    "organisation_kind",
    "purposes",
]

IDENTIFIABILITY = {
    Identifiability.IDENTIFIABLE: DFG.Identifiable,
    Identifiability.PSEUDONYMISED: DFG.Pseudonymised,
    Identifiability.ANONYMISED: DFG.Anonymised,
    Identifiability.AGGREGATE: DFG.Aggregated,
}
#: The DPV data category a copy of each identifiability is typed with (aggregates: data only,
#: since DPV 2.3 core has no aggregated-data class).
DATA_CLASS = {
    Identifiability.IDENTIFIABLE: DPV.IdentifyingPersonalData,
    Identifiability.PSEUDONYMISED: DPV.PseudonymisedData,
    Identifiability.ANONYMISED: DPV.ContextuallyAnonymisedData,
    Identifiability.AGGREGATE: DPV.Data,
}
OPT_OUT = {
    OptOut.YES: DFG.OptOutsApplied,
    OptOut.NO: DFG.OptOutsNotApplied,
    OptOut.MIXED: DFG.OptOutsMixed,
    OptOut.UNKNOWN: DFG.OptOutUnknown,
}
ROLE = {
    Role.SOURCE: DFG.RoleSource,
    Role.DSCRO: DFG.RoleDSCRO,
    Role.CSU: DFG.RoleCSU,
    Role.PROCESSOR: DFG.RoleProcessor,
    Role.CONTROLLER: DFG.RoleController,
    Role.PROVIDER: DFG.RoleProvider,
    Role.DIRECT_CARE: DFG.RoleDirectCare,
    Role.KEY_HOLDER: DFG.RoleKeyHolder,
    Role.OTHER: DFG.RoleOther,
}
KIND = {
    FlowKind.TRANSFER: DFG.KindTransfer,
    FlowKind.ACCESS: DFG.KindAccess,
    FlowKind.LINKAGE: DFG.KindLinkage,
    FlowKind.REIDENTIFICATION: DFG.KindReidentification,
    FlowKind.PROVIDER_FEED: DFG.KindProviderFeed,
}
#: DPV processing operation of each flow kind (re-identification has none in DPV 2.3).
PROCESSING = {
    FlowKind.TRANSFER: DPV.Transfer,
    FlowKind.PROVIDER_FEED: DPV.Transfer,
    FlowKind.ACCESS: DPV.Access,
    FlowKind.LINKAGE: DPV.Combine,
}
#: The DPV processing of a de-identification, by the identifiability it makes.
DEIDENTIFY = {
    Identifiability.PSEUDONYMISED: DPV.Pseudonymise,
    Identifiability.ANONYMISED: DPV.Anonymise,
    Identifiability.AGGREGATE: DPV.Aggregate,
}
#: The concept schemes shipped with every export (``<base>graph/concepts``).
SCHEMES = (
    DFG.Identifiability,
    DFG.OptOutStatus,
    DFG.Roles,
    DFG.FlowKinds,
    DFG.LegalGateways,
    DFG.Purposes,
    DFG.OrganisationKinds,
    DFG.QualifierKinds,
)


def local(term: URIRef) -> str:
    """The local name of one of our terms."""
    return str(term).removeprefix(DFG_NS)


# ---------------------------------------------------------------------------------------
# Purposes

#: Purpose concepts and the words that name them, in the order they are tried.
_PURPOSES: tuple[tuple[URIRef, re.Pattern[str]], ...] = (
    (DFG.InvoiceValidation, re.compile(r"invoice|(?-i:\bIV\b)", re.IGNORECASE)),
    (DFG.RiskStratification, re.compile(r"risk[- ]strat|(?-i:\bRS\b)", re.IGNORECASE)),
    (DFG.DirectCare, re.compile(r"direct (?:patient )?care", re.IGNORECASE)),
    (DFG.Research, re.compile(r"research|\btrials?\b|\bstud(?:y|ies)\b|\bcohort\b", re.IGNORECASE)),
    (DFG.PublicHealth, re.compile(r"public health|surveillance", re.IGNORECASE)),
    (DFG.OfficialStatistics, re.compile(r"(?:official|national) statistics", re.IGNORECASE)),
    (DFG.ServiceEvaluation, re.compile(r"\baudit\b|benchmark|service evaluation", re.IGNORECASE)),
    (
        DFG.Commissioning,
        re.compile(
            r"commission|contract (?:validation|monitoring)|^pseudonymised\s*[–-]|(?-i:\bDSfC\b)", re.IGNORECASE
        ),
    ),
)


@memoised(4096)
def _named_purposes(text: str, first_only: bool) -> tuple[URIRef, ...]:
    """Purpose concepts ``text`` names: the first in order, or all (sorted)."""
    found = [concept for concept, pattern in _PURPOSES if pattern.search(text)]
    if first_only:
        return tuple(found[:1])
    return tuple(sorted(found))


def purposes(heading: str, entry: Entry | None = None) -> tuple[URIRef, ...]:
    """The purpose concepts of a flow: its heading's, else its entry's title's, else those its
    entry's objectives name, else :data:`DFG.PurposeUnrecognised`.

    >>> [local(c) for c in purposes("Segregation")]
    ['PurposeUnrecognised']
    >>> [local(c) for c in purposes("Pseudonymised – SUS and Local Flows")]
    ['Commissioning']
    """
    found = _named_purposes(heading, True)
    if not found and entry is not None:
        found = _named_purposes(entry.title, True)
        if not found:
            objectives = entry.section("Objectives") or entry.section("Objective")
            if objectives is not None:
                found = _named_purposes(objectives.text, False)
    return found or (DFG.PurposeUnrecognised,)


# ---------------------------------------------------------------------------------------
# Legal bases

_S251 = re.compile(r"(?<!\d)251(?!\d)")
_S261 = re.compile(r"(?<!\d)261(?!\d)")
_HSCA = re.compile(r"health (?:and|&) social care act|\bHSCA\b", re.IGNORECASE)
_SRSA_42 = re.compile(r"section 42|s\.?\s?42\b", re.IGNORECASE)
_SRSA_39 = re.compile(r"section 39|approved researcher", re.IGNORECASE)
_SRSA = re.compile(r"statistics and registration service|statistical registration service", re.IGNORECASE)
_OTHER_ACTS = (
    (re.compile(r"\bconsent\b", re.IGNORECASE), DFG.PatientConsent),
    (re.compile(r"national audit act", re.IGNORECASE), DFG.NationalAuditAct1983),
    (re.compile(r"health act 2009", re.IGNORECASE), DFG.HealthAct2009s36),
)


@memoised(4096)
def _legal_basis(text: str) -> tuple[URIRef, ...]:
    """The legal-basis concepts one stated basis names (:data:`DFG.LegalBasisOther` if none)."""
    found: list[URIRef] = []
    srsa = bool(_SRSA.search(text))
    if srsa and _SRSA_42.search(text):
        found.append(DFG.SRSA2007s42)
    if srsa and _SRSA_39.search(text):
        found.append(DFG.SRSA2007s39)
    if _S251.search(text):
        found.append(DFG.NHSAct2006s251)
    if _S261.search(text):
        found.append(DFG.HSCA2012s261)
    elif _HSCA.search(text) and not srsa:  # "as amended by section 287 of the HSCA" is the SRSA's
        found.append(DFG.HSCA2012)
    found += [concept for pattern, concept in _OTHER_ACTS if pattern.search(text)]
    return tuple(found) or (DFG.LegalBasisOther,)


def legal_bases(texts: Iterable[str]) -> tuple[URIRef, ...]:
    """The legal-basis concepts of the bases an entry or file states, sorted, without repeats;
    :data:`DFG.LegalBasisNotStated` when it states none.

    >>> [local(c) for c in legal_bases([])], [local(c) for c in legal_bases(["Other-NAA"])]
    (['LegalBasisNotStated'], ['LegalBasisOther'])
    """
    found = {concept for text in texts if text.strip() for concept in _legal_basis(text)}
    return tuple(sorted(found)) if found else (DFG.LegalBasisNotStated,)


# ---------------------------------------------------------------------------------------
# Organisation kinds

#: The DPV organisation classes each kind is narrower than (its skos:broadMatch in the
#: ontology, which a test holds equal): an organisation of that kind is typed with them.
ORGANISATION_CLASSES: dict[URIRef, tuple[URIRef, ...]] = {
    DFG.OrgNationalBody: (DPV.GovernmentalOrganisation, DPV.NonProfitOrganisation, DPV.PublicSectorBody),
    DFG.OrgDSCRO: (DPV.NonProfitOrganisation, DPV.PublicSectorBody),
    DFG.OrgCommissioner: (DPV.NonProfitOrganisation, DPV.PublicSectorBody),
    DFG.OrgCSU: (DPV.NonProfitOrganisation, DPV.PublicSectorBody),
    DFG.OrgTrust: (DPV.HealthcareOrganisation, DPV.NonProfitOrganisation, DPV.PublicSectorBody),
    DFG.OrgGPPractice: (DPV.HealthcareOrganisation,),
    DFG.OrgLocalAuthority: (DPV.GovernmentalOrganisation, DPV.NonProfitOrganisation, DPV.PublicSectorBody),
    DFG.OrgUniversity: (DPV.AcademicScientificOrganisation, DPV.NonProfitOrganisation),
    DFG.OrgCompany: (DPV.ForProfitOrganisation, DPV.PrivateSectorBody),
    DFG.OrgCharity: (DPV.CharityOrganisation, DPV.NonProfitOrganisation),
    DFG.OrgOther: (),
}
_BY_ROLE = {Role.SOURCE: DFG.OrgNationalBody, Role.DSCRO: DFG.OrgDSCRO, Role.CSU: DFG.OrgCSU}
#: Kinds and the words of a name that tell them, in the order they are tried.
_KIND_WORDS: tuple[tuple[URIRef, re.Pattern[str]], ...] = (
    (DFG.OrgCSU, re.compile(r"commissioning support|\bCSU\b", re.IGNORECASE)),
    (DFG.OrgDSCRO, re.compile(r"\bDSCRO\b|data services for commissioners", re.IGNORECASE)),
    (
        DFG.OrgCommissioner,
        re.compile(r"\bCCGs?\b|clinical commissioning|\bICBs?\b|integrated care board|sub[- ]ICB", re.IGNORECASE),
    ),
    (
        DFG.OrgCompany,
        re.compile(
            r"\b(?:limited|ltd|plc|llp|llc|inc|incorporated|gmbh|corporation|corp)\b\.?|\bcompany\b",
            re.IGNORECASE,
        ),
    ),
    (DFG.OrgUniversity, re.compile(r"universit|college|institute|school of|research centre", re.IGNORECASE)),
    (DFG.OrgLocalAuthority, re.compile(r"\bcouncil\b|local authority|borough of|county of", re.IGNORECASE)),
    (DFG.OrgTrust, re.compile(r"\btrust\b|hospital|foundation trust", re.IGNORECASE)),
    (
        DFG.OrgNationalBody,
        re.compile(
            r"^(?:the )?(?:nhs digital|nhs england|nhs improvement|public health england|monitor|"
            r"department of health|care quality commission|office for national statistics|"
            r"health and social care information centre|health education england|uk health security)",
            re.IGNORECASE,
        ),
    ),
    (DFG.OrgGPPractice, re.compile(r"\bGP\b|practice|surgery|medical centre|health centre", re.IGNORECASE)),
    (DFG.OrgCharity, re.compile(r"charit|\bhospice\b|voluntary", re.IGNORECASE)),
)


@memoised(1 << 14)
def _kind_of_name(name: str) -> URIRef:
    for kind, pattern in _KIND_WORDS:
        if pattern.search(name):
            return kind
    return DFG.OrgOther


def organisation_kind(org: Organisation) -> URIRef:
    """What an organisation is: by its usual role where that says (NHS Digital, a DSCRO, a
    CSU), else by the words of its name or aliases (the first that tells).

    >>> local(organisation_kind(Organisation("org:x", "NHS Thurrock CCG", Role.PROCESSOR)))
    'OrgCommissioner'
    """
    if org.role in _BY_ROLE:
        return _BY_ROLE[org.role]
    for name in (org.name, *org.aliases):
        kind = _kind_of_name(name)
        if kind != DFG.OrgOther:
            return kind
    return DFG.OrgOther
