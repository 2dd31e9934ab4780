"""What each record says in RDF: organisations, agreements, entries, flows, hops, copies,
evidence, periods, released files and findings, as Turtle statements of :class:`RdfText`.

One function per kind of node.  Terms come only from :mod:`.vocab`, written in their Turtle
form once (``_DFG.hopIndex`` is ``"dfg:hopIndex"``); nodes are named by
:class:`~dataflow_graph.rdf.iris.NodeIris`.  Which statements go into which named graph is
:mod:`.graphs`' business.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..model import Entry, Flow, FlowKind, Hop, Identifiability, OptOut, Organisation, Period, Release, Role
from .iris import slug, sub
from .turtle import SEP, RdfText, Terms, quoted, ttl_bool, ttl_iri
from .vocab import DCAT, DCTERMS, DFG, DPV, FROM, ORG, PROV, RDFS, SKOS, XSD

__all__ = ["IDENTIFIABILITY", "KIND", "OPT_OUT", "PROCESSING", "ROLE", "Finding", "agreement", "finding", "reference"]


@dataclass(frozen=True, slots=True)
class Finding:
    """A convergence finding as the RDF records it (see :mod:`dataflow_graph.graph`)."""

    #: The recipient's organisation id (``org:<slug>``).
    recipient: str
    family: str
    #: Ids of the flows that bring the family identifiable, and de-identified.
    identifiable: tuple[str, ...]
    deidentified: tuple[str, ...]
    severity: int | None = None


IDENTIFIABILITY = {
    Identifiability.IDENTIFIABLE: DFG.Identifiable,
    Identifiability.PSEUDONYMISED: DFG.Pseudonymised,
    Identifiability.ANONYMISED: DFG.Anonymised,
    Identifiability.AGGREGATE: DFG.Aggregated,
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
_GATEWAYS = ((re.compile(r"(?<!\d)251(?!\d)"), DFG.NHSAct2006s251), (re.compile(r"(?<!\d)261(?!\d)"), DFG.HSCA2012s261))

_DFG, _DCT, _DCAT, _DPV, _ORG = Terms(DFG), Terms(DCTERMS), Terms(DCAT), Terms(DPV), Terms(ORG)
_PROV, _RDFS, _SKOS = Terms(PROV), Terms(RDFS), Terms(SKOS)
_FROM = ttl_iri(str(FROM))
_GYEARMONTH = ttl_iri(str(XSD.gYearMonth))
_TYPE_LINES = {
    name: f"a {getattr(_DFG, name)}"
    for name in ("Agreement", "Entry", "Flow", "Hop", "DataCopy", "Evidence", "DatasetFamily", "Release", "Finding")
}
_IDENTIFIABILITY = {level: ttl_iri(iri) for level, iri in IDENTIFIABILITY.items()}
_OPT_OUT = {status: ttl_iri(iri) for status, iri in OPT_OUT.items()}
_KIND_LINES = {
    kind: f"{_DFG.kind} {ttl_iri(iri)}"
    + (f"{SEP}{_DPV.hasProcessing} {ttl_iri(PROCESSING[kind])}" if kind in PROCESSING else "")
    for kind, iri in KIND.items()
}
_LANDING_LINES = {flag: f"{_DFG.landingOnly} {ttl_bool(flag)}" for flag in (False, True)}


def reference(
    b: RdfText, orgs: dict[str, Organisation], entries: list[Entry], flows: list[Flow], releases: list[Release]
) -> None:
    """Organisations, units, families and datasets: the register-wide nodes."""
    for org_id in sorted(orgs):
        _organisation(b, orgs[org_id])
    named = {o.part_of for o in orgs.values()} | {o.successor for o in orgs.values()}
    for org_id in sorted(i for i in named if i and i not in orgs):
        b.subject(b.org(org_id)).append(f"{_DCT.identifier} {quoted(org_id)}")  # named, not described
    for f in flows:
        for h in f.hops:
            if h.unit:
                _unit(b, h.target.id, h.unit)
    families = {fam for f in flows for fam in (*f.families, *f.linked)}
    families |= {fam for f in flows for h in f.hops for fam in h.families}
    families |= {e_fam for e in entries for e_fam in e.families}
    families |= {r.family for r in releases if r.family}
    for fam in sorted(families):
        b.close(
            b.family(fam),
            [_TYPE_LINES["DatasetFamily"], f"{_DCT.identifier} {quoted(fam)}", f"{_RDFS.label} {quoted(fam)}"],
        )
    for e in entries:
        for d in e.datasets:
            t = b.subject(b.dataset(d.name))
            t += (f"a {_DCAT.Dataset}", f"{_DCT.title} {quoted(d.name)}")
            if d.family:
                t.append(f"{_DCAT.inSeries} {b.family(d.family)}")


def _organisation(b: RdfText, o: Organisation) -> None:
    """An organisation: names, aliases, role, ODS code, parent, successor, units (open: hops add to it)."""
    t = b.subject(b.org(o.id))
    name = quoted(o.name)
    t += (
        f"a {_ORG.Organization}",
        f"{_DCT.identifier} {quoted(o.id)}",
        f"{_SKOS.prefLabel} {name}",
        f"{_RDFS.label} {name}",
    )
    t += [f"{_SKOS.altLabel} {quoted(alias)}" for alias in o.aliases if alias != o.name]
    t += (f"{_DFG.role} {ttl_iri(ROLE[o.role])}", f"{_DFG.reviewed} {ttl_bool(o.reviewed)}")
    if o.ods is not None:
        t.append(f"{_ORG.identifier} {quoted(o.ods)}")
    if o.part_of:
        t.append(f"{_ORG.subOrganizationOf} {b.org(o.part_of)}")
    if o.successor:
        t.append(f"{_DFG.successor} {b.org(o.successor)}")
    for unit in o.units:
        _unit(b, o.id, unit)


def _unit(b: RdfText, org_id: str, name: str) -> None:
    """A unit of an organisation, closed once, and the organisation's link to it."""
    key = (org_id, slug(name))
    if key in b.seen_units:
        return
    b.seen_units.add(key)
    node = b.unit(org_id, name)
    label = quoted(name)
    b.close(
        node,
        [
            f"a {_ORG.OrganizationalUnit}",
            f"{_SKOS.prefLabel} {label}",
            f"{_RDFS.label} {label}",
            f"{_ORG.unitOf} {b.org(org_id)}",
        ],
    )
    b.subject(b.org(org_id)).append(f"{_ORG.hasUnit} {node}")


def agreement(b: RdfText, core: str, entries: list[Entry], flows: list[Flow], releases: list[Release]) -> None:
    """An agreement and all it says: entries, flows, hops, copies, ``sendsTo`` edges, released files."""
    node = b.agreement(core)
    t = [
        _TYPE_LINES["Agreement"],
        f"{_DCT.identifier} {quoted(core)}",
        f"{_RDFS.label} {quoted(f'Agreement {core}')}",
    ]
    roles = {h.target.id: h.target.role for f in flows for h in f.hops}
    for org_id in sorted(roles):
        if roles[org_id] is Role.CONTROLLER:
            t.append(f"{_DPV.hasDataController} {b.org(org_id)}")
        elif roles[org_id] in (Role.PROCESSOR, Role.CSU):
            t.append(f"{_DPV.hasDataProcessor} {b.org(org_id)}")
    b.close(node, t)
    datasets: dict[str, set[str]] = {}
    for e in entries:
        _entry(b, e, node)
        for d in e.datasets:
            if d.family:
                datasets.setdefault(d.family, set()).add(d.name)
    copies: dict[tuple[str, Identifiability], str | None] = {}
    for f in flows:
        _flow(b, f, node, copies)
    for (family, level), derived_from in sorted(copies.items(), key=lambda kv: (kv[0][0], -kv[0][1].rank)):
        _copy(b, core, family, level, derived_from, datasets.get(family, set()))
    edges = sorted({(h.source.id, h.target.id) for f in flows for h in f.hops})
    for a, c in edges:
        b.subject(b.org(a)).append(f"{_DFG.sendsTo} {b.org(c)}")
    for r in releases:
        _release(b, r, node)


def _evidence(b: RdfText, node: str, path: str, line: int, col: int, text: str, entry: str | None) -> str:
    """Close the evidence node of ``node``; returns the fragment that links ``node`` to it."""
    ev = sub(node, "evidence")
    t = [
        _TYPE_LINES["Evidence"],
        f"{_DFG.sourcePath} {quoted(path)}",
        f"{_DFG.line} {line}",
        f"{_DFG.column} {col}",
        f"{_PROV.value} {quoted(text)}",
    ]
    if entry is not None:
        t.append(f"{_DFG.entry} {entry}")
    b.close(ev, t)
    return f"{_DFG.evidence} {ev}"


def _period(b: RdfText, node: str, period: Period | None, name: str = "period") -> str | None:
    """Close the period node of ``node`` (None without a period); returns its IRI term."""
    if period is None:
        return None
    p = sub(node, name)
    t = [f"a {_DCT.PeriodOfTime}"]
    if period.start:
        t.append(f"{_DCAT.startDate} {quoted(period.start)}^^{_GYEARMONTH}")
    if period.end:
        t.append(f"{_DCAT.endDate} {quoted(period.end)}^^{_GYEARMONTH}")
    if period.raw:
        t.append(f"{_RDFS.label} {quoted(period.raw)}")
    if period.qualifier:
        t.append(f"{_SKOS.note} {quoted(period.qualifier)}")
    b.close(p, t)
    return p


def _entry(b: RdfText, e: Entry, agreement: str) -> None:
    """A register entry: reference, title, purposes, opt-outs, legal basis, periods, datasets, evidence."""
    node = b.entry(e.id)
    t = [
        _TYPE_LINES["Entry"],
        f"{_DCT.identifier} {quoted(e.reference)}",
        f"{_DCT.title} {quoted(e.title)}",
        f"{_DFG.agreement} {agreement}",
        f"{_DFG.optOut} {_OPT_OUT[e.opt_outs.honoured]}",
    ]
    if e.purposes is not None:
        t.append(f"{_DFG.purposeText} {quoted(e.purposes)}")
    if e.opt_outs.raw:
        t.append(f"{_DFG.optOutText} {quoted(e.opt_outs.raw)}")
    t += [f"{_SKOS.note} {quoted(excuse)}" for excuse in e.opt_outs.excuses]
    for text in e.legal_basis:
        t.append(f"{_DFG.legalBasisText} {quoted(text)}")
        for pattern, gateway in _GATEWAYS:
            if pattern.search(text):
                t.append(f"{_DFG.statutoryGateway} {ttl_iri(gateway)}")
    period = _period(b, node, e.period)
    if period is not None:
        t.append(f"{_DCT.temporal} {period}")
    dsa = _period(b, node, e.dsa, "dsa")
    if dsa is not None:
        t.append(f"{_DFG.dsaPeriod} {dsa}")
    t += [f"{_DFG.dataset} {b.dataset(d.name)}" for d in e.datasets]
    span = e.span
    t.append(
        _evidence(
            b, node, e.source, e.line, span.col if span else 1, span.text if span and span.text else e.title, node
        )
    )
    b.close(node, t)


def _flow(b: RdfText, f: Flow, agreement: str, copies: dict[tuple[str, Identifiability], str | None]) -> None:
    """A flow and its hops; notes in ``copies`` each copy it carries and the copy it came from."""
    node = b.flow(f.id)
    entry = b.entry(f.entry)
    level = f.identifiability
    t = [
        _TYPE_LINES["Flow"],
        f"{_DCT.identifier} {quoted(f.id)}",
        f"{_DFG.entry} {entry}",
        f"{_DFG.agreement} {agreement}",
        _KIND_LINES[f.kind],
        f"{_DFG.purposeText} {quoted(f.purpose)}",
        f"{_DFG.identifiability} {_IDENTIFIABILITY[level]}",
        f"{_DFG.optOut} {_OPT_OUT[f.opt_outs]}",
    ]
    period = _period(b, node, f.period)
    if period is not None:
        t.append(f"{_DCT.temporal} {period}")
    if f.until is not None:
        t.append(f"{_DFG.until} {quoted(f.until)}")
    for fam in f.families:
        t += (f"{_DFG.ofFamily} {b.family(fam)}", f"{_DFG.carries} {b.copy(f.agreement, fam, level)}")
        copies.setdefault((fam, level), None)
    t += [f"{_DFG.linkedWith} {b.family(fam)}" for fam in f.linked]
    previous: Identifiability | None = None
    for i, h in enumerate(f.hops, 1):
        hop = sub(node, "hop", str(i))
        _hop(b, f, h, i, hop, entry)
        t.append(f"{_DFG.hop} {hop}")
        for fam in h.families or f.families:
            key = (fam, h.identifiability)
            if previous is not None and previous.rank > h.identifiability.rank:
                if copies.get(key) is None:
                    copies[key] = b.copy(f.agreement, fam, previous)
            else:
                copies.setdefault(key, None)
        previous = h.identifiability
    b.close(node, t)


def _hop(b: RdfText, f: Flow, h: Hop, index: int, node: str, entry: str) -> None:
    """One hop of a flow: its ends, identifiability, landing, unit, families and evidence."""
    level = h.identifiability
    t = [
        _TYPE_LINES["Hop"],
        f"{_DFG.hopIndex} {index}",
        f"{_FROM} {b.org(h.source.id)}",
        f"{_DFG.to} {b.org(h.target.id)}",
        f"{_DFG.identifiability} {_IDENTIFIABILITY[level]}",
        _LANDING_LINES[h.landing_only],
    ]
    if h.unit:
        t.append(f"{_DFG.unit} {b.unit(h.target.id, h.unit)}")
    for fam in h.families or f.families:
        t += (f"{_DFG.ofFamily} {b.family(fam)}", f"{_DFG.carries} {b.copy(f.agreement, fam, level)}")
    ev = h.evidence
    t.append(_evidence(b, node, ev.path, ev.line, ev.col, ev.text, entry))
    b.close(node, t)


def _copy(
    b: RdfText, core: str, family: str, level: Identifiability, derived_from: str | None, dataset_names: set[str]
) -> None:
    """The copy of one family at one identifiability under an agreement (and what it derives from)."""
    t = [
        _TYPE_LINES["DataCopy"],
        f"{_RDFS.label} {quoted(f'{family} {level.value} copy under {core}')}",
        f"{_DFG.agreement} {b.agreement(core)}",
        f"{_DFG.ofFamily} {b.family(family)}",
        f"{_DFG.identifiability} {_IDENTIFIABILITY[level]}",
    ]
    if derived_from is not None:
        t.append(f"{_PROV.wasDerivedFrom} {derived_from}")
    t += [f"{_DFG.ofDataset} {b.dataset(name)}" for name in sorted(dataset_names)]
    b.close(b.copy(core, family, level), t)


def _release(b: RdfText, r: Release, agreement: str) -> None:
    """A released file of the official register, with its period and the row it comes from."""
    node = b.iri("release", r.id)
    t = [
        _TYPE_LINES["Release"],
        f"{_DCT.identifier} {quoted(r.id)}",
        f"{_DCT.title} {quoted(r.dataset)}",
        f"{_DFG.agreement} {agreement}",
        f"{_DFG.recipientName} {quoted(r.recipient)}",
        f"{_DFG.category} {quoted(r.category)}",
    ]
    if r.family:
        t.append(f"{_DFG.ofFamily} {b.family(r.family)}")
    if r.identifiability:
        t.append(f"{_DFG.identifiability} {_IDENTIFIABILITY[r.identifiability]}")
    if r.opt_outs_applied is not None:
        t.append(f"{_DFG.optOut} {_OPT_OUT[OptOut.YES if r.opt_outs_applied else OptOut.NO]}")
    if r.legal_basis:
        t.append(f"{_DFG.legalBasisText} {quoted(r.legal_basis)}")
    period = _period(b, node, r.period or (Period(r.month, r.month) if r.month else None))
    if period is not None:
        t.append(f"{_DCT.temporal} {period}")
    t.append(_evidence(b, node, r.source, r.line, 1, r.row_id or r.id, None))
    b.close(node, t)


def finding(b: RdfText, f: Finding) -> None:
    """A convergence finding, in the findings graph: recipient, family, the flows of each side."""
    t = b.subject(b.iri("finding", f.recipient.removeprefix("org:"), f.family))
    t += (_TYPE_LINES["Finding"], f"{_DFG.recipient} {b.org(f.recipient)}", f"{_DFG.aboutFamily} {b.family(f.family)}")
    t += [f"{_DFG.identifiableFlow} {b.flow(flow_id)}" for flow_id in f.identifiable]
    t += [f"{_DFG.deidentifiedFlow} {b.flow(flow_id)}" for flow_id in f.deidentified]
    if f.severity is not None:
        t.append(f"{_DFG.severity} {f.severity}")
