"""Records to RDF: IRIs minted from content, deterministic serialisation, SHACL validation.

The RDF graph is a projection of the typed records (entries, flows, organisations, releases,
findings), never of the networkx graph.  Every node is an IRI minted from the record's own
keys (agreement core, entry id, flow id, ``org:<slug>``, family), so the same register gives
the same triples and two editions can be diffed.  There are no blank nodes.

Layout of the :class:`rdflib.Dataset` that :func:`to_rdf` returns:

- one named graph per agreement, ``<base>graph/<agreement core>``: the agreement, its entries,
  flows, hops, copies, evidence, periods, releases and the materialised ``dfg:sendsTo`` edges
  of its hops, so that replacing one agreement's graph replaces all it says;
- ``<base>graph/reference``: organisations, units, dataset families and datasets;
- ``<base>graph/findings``: convergence findings, when given.

Queries read the union of the named graphs as their default graph.

>>> from dataflow_graph.examples import two_copies
>>> ex = two_copies()
>>> ds = to_rdf(ex.entries, ex.flows, ex.organisations)
>>> sorted(str(g.identifier) for g in ds.graphs() if len(g))[:2]
['https://w3id.org/dataflow-graph/id/graph/NIC-00001-AAAAA', 'https://w3id.org/dataflow-graph/id/graph/NIC-00002-BBBBB']
>>> validate(ds)
[]
>>> serialise(ds, "nt") == serialise(to_rdf(ex.entries, ex.flows, ex.organisations), "nt")
True
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pyoxigraph as ox
from oxrdflib import OxigraphStore
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.term import Node

from .errors import DataflowGraphError, UsageError
from .model import (
    Entry,
    Flow,
    FlowKind,
    Hop,
    Identifiability,
    OptOut,
    Organisation,
    Period,
    Release,
    Role,
)
from .sources import embedded_path
from .vocab import DCAT, DCTERMS, DFG, DPV, FROM, ORG, PREFIXES, PROV, RDF, RDFS, SKOS, XSD

__all__ = [
    "DEFAULT_BASE",
    "FORMATS",
    "Violation",
    "as_dataset",
    "graph_iri",
    "load_ontology",
    "org_iri",
    "oxigraph_store",
    "parse_rdf",
    "records_store",
    "serialise",
    "to_rdf",
    "to_store",
    "union_graph",
    "validate",
]

#: Where minted IRIs live unless the caller gives another base (``--base``).
DEFAULT_BASE = "https://w3id.org/dataflow-graph/id/"

#: Serialisation names accepted by :func:`serialise` (aliases map to the first spelling).
FORMATS: dict[str, str] = {
    "turtle": "turtle", "ttl": "turtle",
    "nt": "nt", "ntriples": "nt", "n-triples": "nt",
    "jsonld": "jsonld", "json-ld": "jsonld",
    "trig": "trig",
    "nquads": "nquads", "n-quads": "nquads", "nq": "nquads",
}

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
_GATEWAYS = ((re.compile(r"(?<!\d)251(?!\d)"), DFG.NHSAct2006s251),
             (re.compile(r"(?<!\d)261(?!\d)"), DFG.HSCA2012s261))
_SLUG = re.compile(r"[^a-z0-9]+")


def _segment(text: str) -> str:
    """One path segment of an IRI: unreserved characters kept, everything else %-encoded."""
    return quote(text.strip(), safe="-._~:") or "_"


def _slug(text: str) -> str:
    return _SLUG.sub("-", text.casefold()).strip("-") or "unnamed"


def _check_base(base: str) -> str:
    if not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:[^\s<>\"{}|\\^`]*[/#]$", base):
        raise UsageError(f"base IRI {base!r} must be an absolute IRI ending in '/' or '#'")
    return base


def org_iri(org_id: str, base: str = DEFAULT_BASE) -> URIRef:
    """The IRI of an organisation id: ``org:<slug>`` becomes ``<base>org/<slug>``.

    >>> str(org_iri("org:example-ccg"))
    'https://w3id.org/dataflow-graph/id/org/example-ccg'
    """
    return URIRef(f"{base}org/{_segment(org_id.removeprefix('org:'))}")


def graph_iri(agreement: str, base: str = DEFAULT_BASE) -> URIRef:
    """The named graph of one agreement (its reference core).

    >>> str(graph_iri("NIC-00001-AAAAA"))
    'https://w3id.org/dataflow-graph/id/graph/NIC-00001-AAAAA'
    """
    return URIRef(f"{base}graph/{_segment(agreement)}")


_XSD_INTEGER = ox.NamedNode(str(XSD.integer))
_XSD_BOOLEAN = ox.NamedNode(str(XSD.boolean))
_XSD_GYEARMONTH = ox.NamedNode(str(XSD.gYearMonth))
_TRUE = ox.Literal("true", datatype=_XSD_BOOLEAN)
_FALSE = ox.Literal("false", datatype=_XSD_BOOLEAN)


class _Builder:
    """Accumulates pyoxigraph quads with IRIs minted under one base."""

    #: Quads are handed to the store in batches of this size, so memory stays flat.
    BATCH = 100_000

    def __init__(self, base: str, store: ox.Store | None = None) -> None:
        self.base = _check_base(base)
        self.store = store
        self.quads: list[ox.Quad] = []
        self.reference = ox.NamedNode(f"{base}graph/reference")
        self.graph: ox.NamedNode = self.reference
        self.seen_units: set[tuple[str, str]] = set()
        self._terms: dict[str, ox.NamedNode] = {}

    def n(self, uri: str) -> ox.NamedNode:
        """A vocabulary IRI as a pyoxigraph node (cached)."""
        got = self._terms.get(uri)
        if got is None:
            got = self._terms[uri] = ox.NamedNode(str(uri))
        return got

    def add(self, s: ox.NamedNode, p: str, o: object) -> None:
        if o is None:
            return
        if isinstance(o, URIRef):
            o = self.n(o)
        elif isinstance(o, str):
            o = ox.Literal(o)
        elif isinstance(o, bool):
            o = _TRUE if o else _FALSE
        elif isinstance(o, int):
            o = ox.Literal(str(o), datatype=_XSD_INTEGER)
        self.quads.append(ox.Quad(s, self.n(p), o, self.graph))
        if self.store is not None and len(self.quads) >= self.BATCH:
            self.flush()

    def flush(self) -> None:
        """Move the quads gathered so far into the store."""
        if self.store is not None and self.quads:
            self.store.extend(self.quads)
            self.quads = []

    def iri(self, kind: str, *parts: str) -> ox.NamedNode:
        return ox.NamedNode(self.base + kind + "/" + "/".join(_segment(p) for p in parts))

    def sub(self, node: ox.NamedNode, *parts: str) -> ox.NamedNode:
        return ox.NamedNode(node.value + "/" + "/".join(parts))

    def org(self, org_id: str) -> ox.NamedNode:
        return ox.NamedNode(str(org_iri(org_id, self.base)))

    def unit(self, org_id: str, unit: str) -> ox.NamedNode:
        return self.sub(self.org(org_id), "unit", _slug(unit))

    def family(self, family: str) -> ox.NamedNode:
        return self.iri("family", family)

    def dataset(self, name: str) -> ox.NamedNode:
        return self.iri("dataset", _slug(name))

    def copy(self, agreement: str, family: str, level: Identifiability) -> ox.NamedNode:
        return self.iri("copy", agreement, family, level.value)

    def entry(self, entry_id: str) -> ox.NamedNode:
        return self.iri("entry", entry_id)

    def flow(self, flow_id: str) -> ox.NamedNode:
        return self.iri("flow", flow_id)

    def agreement(self, core: str) -> ox.NamedNode:
        return self.iri("agreement", core)


def to_rdf(
    entries: Iterable[Entry],
    flows: Iterable[Flow],
    organisations: Iterable[Organisation] | Mapping[str, Organisation],
    *,
    releases: Iterable[Release] = (),
    findings: Iterable[Any] = (),
    base: str = DEFAULT_BASE,
) -> Dataset:
    """The register as an RDF dataset: one named graph per agreement, IRIs minted from content.

    Parameters
    ----------
    entries, flows, organisations
        The typed records.  Organisations may be a mapping by id; organisations named by hops
        but not listed are added from the hops.
    releases
        Released files of the official register.
    findings
        Convergence findings: objects with ``recipient`` (an organisation id or
        :class:`Organisation`), ``family``, and optionally ``identifiable`` /
        ``deidentified`` (flows or flow ids) and ``severity``.
    base
        Absolute IRI ending in ``/`` or ``#`` under which every node is minted.

    Returns
    -------
    rdflib.Dataset
        Backed by an in-memory pyoxigraph store (oxrdflib), with ``default_union=True`` so
        SPARQL over it sees every named graph.  ``to_store`` gives the bare pyoxigraph store.

    Raises
    ------
    UsageError
        If ``base`` is not an absolute IRI ending in ``/`` or ``#``.
    """
    store = records_store(entries, flows, organisations, releases=releases, findings=findings,
                          base=base)
    return as_dataset(store)


def records_store(
    entries: Iterable[Entry],
    flows: Iterable[Flow],
    organisations: Iterable[Organisation] | Mapping[str, Organisation],
    *,
    releases: Iterable[Release] = (),
    findings: Iterable[Any] = (),
    base: str = DEFAULT_BASE,
    store: ox.Store | None = None,
) -> ox.Store:
    """The same quads as :func:`to_rdf`, in a bare pyoxigraph store (the fast path)."""
    store = store if store is not None else ox.Store()
    b = _Builder(base, store)
    quads_into(b, list(entries), list(flows), organisations, list(releases), list(findings))
    b.flush()
    return store


def as_dataset(store: ox.Store) -> Dataset:
    """An rdflib view of a pyoxigraph store: queries run in Oxigraph, union default graph."""
    ds = Dataset(store=OxigraphStore(store=store), default_union=True)
    for prefix, ns in PREFIXES.items():
        ds.bind(prefix, ns, override=True, replace=True)
    return ds


def quads_into(b: _Builder, entries: list[Entry], flows: list[Flow],
               organisations: Iterable[Organisation] | Mapping[str, Organisation],
               releases: list[Release], findings: list[Any]) -> None:
    """Emit every quad of the records into the builder, graph by graph."""
    orgs = dict(organisations) if isinstance(organisations, Mapping) else \
        {o.id: o for o in organisations}
    for f in flows:
        for h in f.hops:
            orgs.setdefault(h.source.id, h.source)
            orgs.setdefault(h.target.id, h.target)
    by_agreement: dict[str, tuple[list[Entry], list[Flow], list[Release]]] = {}
    for e in entries:
        by_agreement.setdefault(e.agreement, ([], [], []))[0].append(e)
    for f in flows:
        by_agreement.setdefault(f.agreement, ([], [], []))[1].append(f)
    for r in releases:
        by_agreement.setdefault(r.agreement, ([], [], []))[2].append(r)
    b.graph = b.reference
    _reference(b, orgs, entries, flows, releases)
    for core in sorted(by_agreement):
        b.graph = b.n(graph_iri(core, b.base))
        _agreement(b, core, *by_agreement[core])
    if findings:
        b.graph = ox.NamedNode(f"{b.base}graph/findings")
        for finding in findings:
            _finding(b, finding)


def _reference(b: _Builder, orgs: dict[str, Organisation], entries: list[Entry],
               flows: list[Flow], releases: list[Release]) -> None:
    """Organisations, units, families and datasets: the register-wide nodes."""
    for org_id in sorted(orgs):
        _organisation(b, orgs[org_id])
    named = {o.part_of for o in orgs.values()} | {o.successor for o in orgs.values()}
    for org_id in sorted(i for i in named if i and i not in orgs):
        b.add(b.org(org_id), DCTERMS.identifier, org_id)  # named by a record, not described
    for f in flows:
        for h in f.hops:
            if h.unit:
                _unit(b, h.target.id, h.unit)
    families = {fam for f in flows for fam in (*f.families, *f.linked)}
    families |= {fam for f in flows for h in f.hops for fam in h.families}
    families |= {e_fam for e in entries for e_fam in e.families}
    families |= {r.family for r in releases if r.family}
    for fam in sorted(families):
        node = b.family(fam)
        b.add(node, RDF.type, DFG.DatasetFamily)
        b.add(node, DCTERMS.identifier, fam)
        b.add(node, RDFS.label, fam)
    for e in entries:
        for d in e.datasets:
            node = b.dataset(d.name)
            b.add(node, RDF.type, DCAT.Dataset)
            b.add(node, DCTERMS.title, d.name)
            if d.family:
                b.add(node, DCAT.inSeries, b.family(d.family))


def _organisation(b: _Builder, o: Organisation) -> None:
    node = b.org(o.id)
    b.add(node, RDF.type, ORG.Organization)
    b.add(node, DCTERMS.identifier, o.id)
    b.add(node, SKOS.prefLabel, o.name)
    b.add(node, RDFS.label, o.name)
    for alias in o.aliases:
        if alias != o.name:
            b.add(node, SKOS.altLabel, alias)
    b.add(node, DFG.role, ROLE[o.role])
    b.add(node, DFG.reviewed, o.reviewed)
    b.add(node, ORG.identifier, o.ods)
    if o.part_of:
        b.add(node, ORG.subOrganizationOf, b.org(o.part_of))
    if o.successor:
        b.add(node, DFG.successor, b.org(o.successor))
    for unit in o.units:
        _unit(b, o.id, unit)


def _unit(b: _Builder, org_id: str, name: str) -> None:
    if (org_id, _slug(name)) in b.seen_units:
        return
    b.seen_units.add((org_id, _slug(name)))
    node = b.unit(org_id, name)
    b.add(node, RDF.type, ORG.OrganizationalUnit)
    b.add(node, SKOS.prefLabel, name)
    b.add(node, RDFS.label, name)
    b.add(node, ORG.unitOf, b.org(org_id))
    b.add(b.org(org_id), ORG.hasUnit, node)


def _agreement(b: _Builder, core: str, entries: list[Entry], flows: list[Flow],
               releases: list[Release]) -> None:
    node = b.agreement(core)
    b.add(node, RDF.type, DFG.Agreement)
    b.add(node, DCTERMS.identifier, core)
    b.add(node, RDFS.label, f"Agreement {core}")
    roles = {h.target.id: h.target.role for f in flows for h in f.hops}
    for org_id in sorted(roles):
        if roles[org_id] is Role.CONTROLLER:
            b.add(node, DPV.hasDataController, b.org(org_id))
        elif roles[org_id] in (Role.PROCESSOR, Role.CSU):
            b.add(node, DPV.hasDataProcessor, b.org(org_id))
    datasets: dict[str, set[str]] = {}
    for e in entries:
        _entry(b, e, node)
        for d in e.datasets:
            if d.family:
                datasets.setdefault(d.family, set()).add(d.name)
    copies: dict[tuple[str, Identifiability], ox.NamedNode | None] = {}
    for f in flows:
        _flow(b, f, node, copies)
    for (family, level), derived_from in sorted(copies.items(), key=lambda kv: (kv[0][0], -kv[0][1].rank)):
        _copy(b, core, family, level, derived_from, datasets.get(family, set()))
    edges = sorted({(h.source.id, h.target.id) for f in flows for h in f.hops})
    for a, c in edges:
        b.add(b.org(a), DFG.sendsTo, b.org(c))
    for r in releases:
        _release(b, r, node)


def _evidence(b: _Builder, node: ox.NamedNode, path: str, line: int, col: int, text: str,
              entry: ox.NamedNode | None) -> ox.NamedNode:
    ev = b.sub(node, "evidence")
    b.add(ev, RDF.type, DFG.Evidence)
    b.add(ev, DFG.sourcePath, path)
    b.add(ev, DFG.line, line)
    b.add(ev, DFG.column, col)
    b.add(ev, PROV.value, text)
    if entry is not None:
        b.add(ev, DFG.entry, entry)
    b.add(node, DFG.evidence, ev)
    return ev


def _period(b: _Builder, node: ox.NamedNode, period: Period | None, name: str = "period") -> ox.NamedNode | None:
    if period is None:
        return None
    p = b.sub(node, name)
    b.add(p, RDF.type, DCTERMS.PeriodOfTime)
    if period.start:
        b.add(p, DCAT.startDate, ox.Literal(period.start, datatype=_XSD_GYEARMONTH))
    if period.end:
        b.add(p, DCAT.endDate, ox.Literal(period.end, datatype=_XSD_GYEARMONTH))
    if period.raw:
        b.add(p, RDFS.label, period.raw)
    if period.qualifier:
        b.add(p, SKOS.note, period.qualifier)
    return p


def _entry(b: _Builder, e: Entry, agreement: ox.NamedNode) -> None:
    node = b.entry(e.id)
    b.add(node, RDF.type, DFG.Entry)
    b.add(node, DCTERMS.identifier, e.reference)
    b.add(node, DCTERMS.title, e.title)
    b.add(node, DFG.agreement, agreement)
    b.add(node, DFG.purposeText, e.purposes)
    b.add(node, DFG.optOut, OPT_OUT[e.opt_outs.honoured])
    if e.opt_outs.raw:
        b.add(node, DFG.optOutText, e.opt_outs.raw)
    for excuse in e.opt_outs.excuses:
        b.add(node, SKOS.note, excuse)
    for text in e.legal_basis:
        b.add(node, DFG.legalBasisText, text)
        for pattern, gateway in _GATEWAYS:
            if pattern.search(text):
                b.add(node, DFG.statutoryGateway, gateway)
    b.add(node, DCTERMS.temporal, _period(b, node, e.period))
    b.add(node, DFG.dsaPeriod, _period(b, node, e.dsa, "dsa"))
    for d in e.datasets:
        b.add(node, DFG.dataset, b.dataset(d.name))
    span = e.span
    _evidence(b, node, e.source, e.line, span.col if span else 1,
              span.text if span and span.text else e.title, node)


def _flow(b: _Builder, f: Flow, agreement: ox.NamedNode,
          copies: dict[tuple[str, Identifiability], ox.NamedNode | None]) -> None:
    node = b.flow(f.id)
    entry = b.entry(f.entry)
    b.add(node, RDF.type, DFG.Flow)
    b.add(node, DCTERMS.identifier, f.id)
    b.add(node, DFG.entry, entry)
    b.add(node, DFG.agreement, agreement)
    b.add(node, DFG.kind, KIND[f.kind])
    b.add(node, DPV.hasProcessing, PROCESSING.get(f.kind))
    b.add(node, DFG.purposeText, f.purpose)
    b.add(node, DFG.identifiability, IDENTIFIABILITY[f.identifiability])
    b.add(node, DFG.optOut, OPT_OUT[f.opt_outs])
    b.add(node, DCTERMS.temporal, _period(b, node, f.period))
    b.add(node, DFG.until, f.until)
    for fam in f.families:
        b.add(node, DFG.ofFamily, b.family(fam))
        b.add(node, DFG.carries, b.copy(f.agreement, fam, f.identifiability))
        copies.setdefault((fam, f.identifiability), None)
    for fam in f.linked:
        b.add(node, DFG.linkedWith, b.family(fam))
    previous: Identifiability | None = None
    for i, h in enumerate(f.hops, 1):
        hop = b.sub(node, "hop", str(i))
        _hop(b, f, h, i, hop, entry)
        b.add(node, DFG.hop, hop)
        for fam in h.families or f.families:
            key = (fam, h.identifiability)
            if previous is not None and previous.rank > h.identifiability.rank:
                if copies.get(key) is None:
                    copies[key] = b.copy(f.agreement, fam, previous)
            else:
                copies.setdefault(key, None)
        previous = h.identifiability


def _hop(b: _Builder, f: Flow, h: Hop, index: int, node: ox.NamedNode, entry: ox.NamedNode) -> None:
    b.add(node, RDF.type, DFG.Hop)
    b.add(node, DFG.hopIndex, index)
    b.add(node, FROM, b.org(h.source.id))
    b.add(node, DFG.to, b.org(h.target.id))
    b.add(node, DFG.identifiability, IDENTIFIABILITY[h.identifiability])
    b.add(node, DFG.landingOnly, h.landing_only)
    if h.unit:
        b.add(node, DFG.unit, b.unit(h.target.id, h.unit))
    for fam in h.families or f.families:
        b.add(node, DFG.ofFamily, b.family(fam))
        b.add(node, DFG.carries, b.copy(f.agreement, fam, h.identifiability))
    ev = h.evidence
    _evidence(b, node, ev.path, ev.line, ev.col, ev.text, entry)


def _copy(b: _Builder, core: str, family: str, level: Identifiability,
          derived_from: ox.NamedNode | None, dataset_names: set[str]) -> None:
    node = b.copy(core, family, level)
    b.add(node, RDF.type, DFG.DataCopy)
    b.add(node, RDFS.label, f"{family} {level.value} copy under {core}")
    b.add(node, DFG.agreement, b.agreement(core))
    b.add(node, DFG.ofFamily, b.family(family))
    b.add(node, DFG.identifiability, IDENTIFIABILITY[level])
    b.add(node, PROV.wasDerivedFrom, derived_from)
    for name in sorted(dataset_names):
        b.add(node, DFG.ofDataset, b.dataset(name))


def _release(b: _Builder, r: Release, agreement: ox.NamedNode) -> None:
    node = b.iri("release", r.id)
    b.add(node, RDF.type, DFG.Release)
    b.add(node, DCTERMS.identifier, r.id)
    b.add(node, DCTERMS.title, r.dataset)
    b.add(node, DFG.agreement, agreement)
    b.add(node, DFG.recipientName, r.recipient)
    b.add(node, DFG.category, r.category)
    if r.family:
        b.add(node, DFG.ofFamily, b.family(r.family))
    if r.identifiability:
        b.add(node, DFG.identifiability, IDENTIFIABILITY[r.identifiability])
    if r.opt_outs_applied is not None:
        b.add(node, DFG.optOut, DFG.OptOutsApplied if r.opt_outs_applied else DFG.OptOutsNotApplied)
    if r.legal_basis:
        b.add(node, DFG.legalBasisText, r.legal_basis)
    period = r.period or (Period(r.month, r.month) if r.month else None)
    b.add(node, DCTERMS.temporal, _period(b, node, period))
    _evidence(b, node, r.source, r.line, 1, r.row_id or r.id, None)


def _finding(b: _Builder, finding: Any) -> None:
    recipient = finding.recipient
    org_id = recipient.id if isinstance(recipient, Organisation) else str(recipient)
    family = str(finding.family)
    node = b.iri("finding", org_id.removeprefix("org:"), family)
    b.add(node, RDF.type, DFG.Finding)
    b.add(node, DFG.recipient, b.org(org_id))
    b.add(node, DFG.aboutFamily, b.family(family))
    for attr, prop in (("identifiable", DFG.identifiableFlow), ("deidentified", DFG.deidentifiedFlow)):
        for item in getattr(finding, attr, ()) or ():
            flow_id = item if isinstance(item, str) else getattr(item, "id", None) or item.flow.id
            b.add(node, prop, b.flow(flow_id))
    severity = getattr(finding, "severity", None)
    if isinstance(severity, int):
        b.add(node, DFG.severity, severity)


# ---------------------------------------------------------------------------------------------
# Serialisation


def _to_ox(term: Node, cache: dict[Node, Any]) -> Any:
    got = cache.get(term)
    if got is not None:
        return got
    if isinstance(term, URIRef):
        got = ox.NamedNode(str(term))
    elif isinstance(term, Literal):
        if term.language:
            got = ox.Literal(str(term), language=term.language)
        elif term.datatype:
            got = ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        else:
            got = ox.Literal(str(term))
    elif isinstance(term, BNode):
        raise DataflowGraphError(f"blank node {term.n3()} in the graph; mint an IRI instead")
    else:
        raise DataflowGraphError(f"cannot serialise RDF term {term!r}")
    cache[term] = got
    return got


def oxigraph_store(ds: Graph | ox.Store) -> ox.Store:
    """The pyoxigraph store behind ``ds``, or a new one holding a copy of its quads."""
    if isinstance(ds, ox.Store):
        return ds
    if isinstance(ds.store, OxigraphStore):
        return ds.store._inner
    cache: dict[Node, Any] = {}
    default = ox.DefaultGraph()
    quads = []
    if isinstance(ds, Dataset):
        items: Iterable[tuple[Node, Node, Node, Any]] = ds.quads((None, None, None, None))
    else:
        items = ((s, p, o, None) for s, p, o in ds)
    for s, p, o, g in items:
        gid = getattr(g, "identifier", g)
        gn = default if gid is None or str(gid).startswith("urn:x-rdflib:") else _to_ox(gid, cache)
        quads.append(ox.Quad(_to_ox(s, cache), _to_ox(p, cache), _to_ox(o, cache), gn))
    store = ox.Store()
    store.extend(quads)
    return store


def _sorted_lines(data: bytes) -> bytes:
    lines = sorted(set(data.splitlines()))
    if lines and lines[0] == b"":
        lines = lines[1:]
    return b"".join(line + b"\n" for line in lines)


def _check_no_bnodes(store: ox.Store) -> None:
    for q in store.query("SELECT ?x WHERE { { GRAPH ?g { ?x ?p ?o } } UNION { ?x ?p ?o } "
                         "FILTER(isBlank(?x)) } LIMIT 1"):
        raise DataflowGraphError(f"blank node {q[0]} in the graph; mint an IRI instead")
    for q in store.query("SELECT ?x WHERE { { GRAPH ?g { ?s ?p ?x } } UNION { ?s ?p ?x } "
                         "FILTER(isBlank(?x)) } LIMIT 1"):
        raise DataflowGraphError(f"blank node {q[0]} in the graph; mint an IRI instead")


def _graph_ntriples(store: ox.Store, graph: Any) -> bytes:
    return store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=graph) or b""


def _sorted_ntriples(store: ox.Store) -> bytes:
    """The union of every graph as N-Triples, one line per triple, lines sorted."""
    parts = [_graph_ntriples(store, ox.DefaultGraph())]
    parts.extend(_graph_ntriples(store, g) for g in store.named_graphs())
    return _sorted_lines(b"".join(parts))


def _sorted_nquads(store: ox.Store) -> bytes:
    """N-Quads with the default graph first, then each named graph by IRI, lines sorted."""
    parts = [_sorted_lines(_graph_ntriples(store, ox.DefaultGraph()))]
    for g in sorted(store.named_graphs(), key=str):
        suffix = b" " + str(g).encode("utf-8") + b" .\n"
        lines = _sorted_lines(_graph_ntriples(store, g)).splitlines()
        parts.append(b"".join(line[:-2] + suffix for line in lines))
    return b"".join(parts)


def serialise(ds: Graph | ox.Store, fmt: str = "turtle") -> bytes:
    """The graph as bytes that are the same on every run and under every PYTHONHASHSEED.

    N-Triples and N-Quads lines are sorted (N-Quads by graph first); Turtle and TriG are
    written by pyoxigraph from that sorted stream (rdflib's Turtle writer takes about a
    minute per million triples); JSON-LD is written here, compacted with the prefixes of
    :data:`~dataflow_graph.vocab.PREFIXES`, keys and arrays sorted.  Triple formats
    (``turtle``, ``nt``) carry the union of the named graphs.

    Parameters
    ----------
    ds : rdflib.Graph, rdflib.Dataset or pyoxigraph.Store
    fmt : str
        ``turtle``, ``nt``, ``jsonld``, ``trig`` or ``nquads`` (see :data:`FORMATS`).

    Raises
    ------
    UsageError
        For an unknown format.
    DataflowGraphError
        If the graph holds a blank node.
    """
    name = FORMATS.get(fmt.lower())
    if name is None:
        raise UsageError(f"unknown RDF format {fmt!r}; expected one of {', '.join(sorted(FORMATS))}")
    store = oxigraph_store(ds)
    _check_no_bnodes(store)
    if name in ("nt", "turtle"):
        nt = _sorted_ntriples(store)
        if name == "nt":
            return nt
        return ox.serialize(ox.parse(nt, format=ox.RdfFormat.N_TRIPLES),
                            format=ox.RdfFormat.TURTLE, prefixes=PREFIXES)
    nq = _sorted_nquads(store)
    if name == "nquads":
        return nq
    quads = ox.parse(nq, format=ox.RdfFormat.N_QUADS)
    if name == "trig":
        return ox.serialize(quads, format=ox.RdfFormat.TRIG, prefixes=PREFIXES)
    return _jsonld(quads)


_RDF_TYPE = str(RDF.type)
_XSD_STRING = str(XSD.string)


def _compact(iri: str, prefixes: list[tuple[str, str]]) -> str:
    for prefix, ns in prefixes:
        if iri.startswith(ns) and not iri[len(ns):].startswith("//"):
            return f"{prefix}:{iri[len(ns):]}"
    return iri


def _jsonld(quads: Iterable[Any]) -> bytes:
    """Compacted JSON-LD 1.1: a context of prefixes, one node object per subject and graph."""
    prefixes = sorted(PREFIXES.items(), key=lambda kv: -len(kv[1]))
    cache: dict[str, str] = {}

    def c(iri: str) -> str:
        got = cache.get(iri)
        if got is None:
            got = cache[iri] = _compact(iri, prefixes)
        return got

    graphs: dict[str, dict[str, dict[str, list[Any]]]] = {}
    for q in quads:
        g = "" if isinstance(q.graph_name, ox.DefaultGraph) else c(q.graph_name.value)
        node = graphs.setdefault(g, {}).setdefault(c(q.subject.value), {})
        o = q.object
        if q.predicate.value == _RDF_TYPE and isinstance(o, ox.NamedNode):
            node.setdefault("@type", []).append(c(o.value))
            continue
        if isinstance(o, ox.NamedNode):
            value: Any = {"@id": c(o.value)}
        elif o.language:
            value = {"@value": o.value, "@language": o.language}
        elif o.datatype.value == _XSD_STRING:
            value = o.value
        else:
            value = {"@value": o.value, "@type": c(o.datatype.value)}
        node.setdefault(c(q.predicate.value), []).append(value)
    out: list[dict[str, Any]] = []
    for g in sorted(graphs):
        nodes = [{"@id": s, **props} for s, props in sorted(graphs[g].items())]
        out.extend(nodes if g == "" else [{"@id": g, "@graph": nodes}])
    doc = {"@context": dict(PREFIXES), "@graph": out}
    return (json.dumps(doc, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def parse_rdf(data: bytes | str, fmt: str = "turtle") -> Dataset:
    """Read a serialisation back into an rdflib dataset (the inverse of :func:`serialise`)."""
    name = FORMATS.get(fmt.lower())
    if name is None:
        raise UsageError(f"unknown RDF format {fmt!r}")
    rdflib_name = {"turtle": "turtle", "nt": "nt", "jsonld": "json-ld", "trig": "trig",
                   "nquads": "nquads"}[name]
    ds = Dataset(default_union=True)
    ds.parse(data=data, format=rdflib_name)
    return ds


def union_graph(ds: Graph | ox.Store) -> Graph:
    """All triples of every named graph in one plain rdflib graph (pyshacl, isomorphism)."""
    g = Graph()
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns, override=True, replace=True)
    data = serialise(ds, "nt")
    g.parse(data=data, format="nt")
    return g


def to_store(ds: Graph | ox.Store) -> ox.Store:
    """The pyoxigraph store behind ``ds`` (see :func:`oxigraph_store`)."""
    return oxigraph_store(ds)


# ---------------------------------------------------------------------------------------------
# Ontology and validation


def load_ontology(*, shapes: bool = False) -> Graph:
    """The ontology (``ontology/dataflow.ttl``), and the SHACL shapes if ``shapes=True``."""
    folder = embedded_path("ontology")
    g = Graph()
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns, override=True, replace=True)
    g.parse(Path(folder, "dataflow.ttl"), format="turtle")
    if shapes:
        g.parse(Path(folder, "shapes.ttl"), format="turtle")
    return g


def _shapes() -> Graph:
    return Graph().parse(Path(embedded_path("ontology"), "shapes.ttl"), format="turtle")


@dataclass(frozen=True, slots=True)
class Violation:
    """One SHACL result, located at the register entry the offending node comes from."""

    severity: str
    message: str
    focus: str
    path: str | None
    entry: str | None
    reference: str | None
    source: str | None
    line: int | None

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}: " if self.source else ""
        ref = f" [entry {self.reference}]" if self.reference else ""
        path = f" ({self.path})" if self.path else ""
        return f"{where}{self.severity}[SHACL]{ref} {self.message}{path} at <{self.focus}>"

    def as_dict(self) -> dict[str, object]:
        return {"severity": self.severity, "message": self.message, "focus": self.focus,
                "path": self.path, "entry": self.entry, "reference": self.reference,
                "source": self.source, "line": self.line}


def validate(ds: Graph, *, shapes: Graph | None = None) -> list[Violation]:
    """Check the graph against ``ontology/shapes.ttl``; one :class:`Violation` per result.

    Violations (``Violation``) and warnings (``Warning``, such as an entry without a period)
    are both returned, sorted by source, line and message.
    """
    import pyshacl
    from pyshacl.consts import SH

    data = union_graph(ds)
    _conforms, report, _ = pyshacl.validate(data, shacl_graph=shapes or _shapes(),
                                           ont_graph=None, inference="none", advanced=False,
                                           allow_warnings=True)
    out = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        focus = report.value(result, SH.focusNode)
        severity = str(report.value(result, SH.resultSeverity)).rsplit("#", 1)[-1]
        message = str(report.value(result, SH.resultMessage) or "")
        path = report.value(result, SH.resultPath)
        entry = _entry_of(data, focus)
        ref = src = line = None
        if entry is not None:
            ref = data.value(entry, DCTERMS.identifier)
            ev = data.value(entry, DFG.evidence)
            src = data.value(ev, DFG.sourcePath) if ev is not None else None
            line = data.value(ev, DFG.line) if ev is not None else None
        out.append(Violation(severity, message, str(focus), _short(path), _str(entry), _str(ref),
                             _str(src), int(line) if line is not None else None))
    return sorted(out, key=lambda v: (v.source or "", v.line or 0, v.focus, v.message))


def _str(node: Node | None) -> str | None:
    return None if node is None else str(node)


def _short(path: Node | None) -> str | None:
    if path is None:
        return None
    text = str(path)
    for prefix, ns in PREFIXES.items():
        if text.startswith(ns):
            return f"{prefix}:{text[len(ns):]}"
    return text


def _entry_of(g: Graph, node: Node | None) -> Node | None:
    """The entry a node comes from: itself, its dfg:entry, or its flow's (for a hop)."""
    if node is None:
        return None
    if (node, RDF.type, DFG.Entry) in g:
        return node
    entry = g.value(node, DFG.entry)
    if entry is not None:
        return entry
    flow = g.value(None, DFG.hop, node)
    if flow is not None:
        return g.value(flow, DFG.entry)
    ev_owner = g.value(None, DFG.evidence, node)
    return _entry_of(g, ev_owner) if ev_owner is not None and ev_owner != node else None


def iter_graphs(ds: Dataset) -> Iterator[tuple[URIRef, Graph]]:
    """The non-empty named graphs of a dataset, sorted by IRI."""
    graphs = [(g.identifier, g) for g in ds.graphs()
              if isinstance(g.identifier, URIRef) and not str(g.identifier).startswith("urn:x-rdflib:")
              and len(g)]
    return iter(sorted(graphs, key=lambda x: str(x[0])))
