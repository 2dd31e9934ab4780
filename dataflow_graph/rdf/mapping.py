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

import concurrent.futures
import json
import multiprocessing
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pyoxigraph as ox
from oxrdflib import OxigraphStore
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.term import Node

from .._resources import embedded_path
from .._speed import cyclic_gc_paused
from ..errors import DataflowGraphError, UsageError
from ..model import (
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
from .vocab import DCAT, DCTERMS, DFG, DPV, FROM, ORG, PREFIXES, PROV, RDF, RDFS, SKOS, XSD

__all__ = [
    "DEFAULT_BASE",
    "FORMATS",
    "RdfText",
    "Violation",
    "as_dataset",
    "graph_iri",
    "load_ontology",
    "org_iri",
    "oxigraph_store",
    "parse_rdf",
    "records_rdf",
    "records_store",
    "serialise",
    "text_store",
    "to_rdf",
    "to_store",
    "union_graph",
    "validate",
]

#: Where minted IRIs live unless the caller gives another base (``--base``).
DEFAULT_BASE = "https://w3id.org/dataflow-graph/id/"

#: Serialisation names accepted by :func:`serialise` (aliases map to the first spelling).
FORMATS: dict[str, str] = {
    "turtle": "turtle",
    "ttl": "turtle",
    "nt": "nt",
    "ntriples": "nt",
    "n-triples": "nt",
    "jsonld": "jsonld",
    "json-ld": "jsonld",
    "trig": "trig",
    "nquads": "nquads",
    "n-quads": "nquads",
    "nq": "nquads",
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
_GATEWAYS = ((re.compile(r"(?<!\d)251(?!\d)"), DFG.NHSAct2006s251), (re.compile(r"(?<!\d)261(?!\d)"), DFG.HSCA2012s261))
_SLUG = re.compile(r"[^a-z0-9]+")


_SEGMENT_SAFE = "-._~:"
#: ``quote(…, safe=_SEGMENT_SAFE)`` for ASCII text, as one ``str.translate`` (ids carry file paths).
_ASCII_QUOTE = {c: f"%{c:02X}" for c in range(128) if not (chr(c).isalnum() or chr(c) in _SEGMENT_SAFE)}


@lru_cache(maxsize=1 << 16)
def _segment(text: str) -> str:
    """One path segment of an IRI: unreserved characters kept, everything else %-encoded.

    >>> _segment("a/b.txt#1 x") == quote("a/b.txt#1 x", safe=_SEGMENT_SAFE)
    True
    """
    text = text.strip()
    if text.isascii():
        return text.translate(_ASCII_QUOTE) or "_"
    return quote(text, safe=_SEGMENT_SAFE) or "_"


@lru_cache(maxsize=1 << 14)
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


#: Characters a quoted Turtle / N-Triples string must escape (STRING_LITERAL_QUOTE).
_NEEDS_ESCAPE = re.compile(r'[\\"\n\r]')
_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})
#: A prefixed name's local part written as is (anything else stays a full ``<IRI>``).
_PN_LOCAL = re.compile(r"[A-Za-z_][A-Za-z0-9_\-]*")
_INTEGER = re.compile(r"[+-]?[0-9]+")
_PREFIXES_BY_LENGTH = sorted(PREFIXES.items(), key=lambda kv: (-len(kv[1]), kv[0]))
_RDF_TYPE = str(RDF.type)
_XSD_STRING = str(XSD.string)
_XSD_INTEGER = str(XSD.integer)
_XSD_BOOLEAN = str(XSD.boolean)


@lru_cache(maxsize=1 << 16)
def _quoted(text: str) -> str:
    """A string literal in Turtle (and N-Triples) syntax: ``"…"`` with the four escapes."""
    if _NEEDS_ESCAPE.search(text):
        text = text.translate(_ESCAPES)
    return f'"{text}"'


@lru_cache(maxsize=4096)
def _ttl_iri(iri: str) -> str:
    """An IRI as written in Turtle: a prefixed name where one of :data:`PREFIXES` fits."""
    for prefix, ns in _PREFIXES_BY_LENGTH:
        if iri.startswith(ns) and _PN_LOCAL.fullmatch(iri, len(ns)):
            return f"{prefix}:{iri[len(ns) :]}"
    return f"<{iri}>"


def _ttl_predicate(iri: str) -> str:
    return "a" if iri == _RDF_TYPE else _ttl_iri(iri)


def _ttl_literal(value: str, datatype: str = _XSD_STRING, language: str | None = None) -> str:
    """A literal in the one Turtle form both build paths write (integers and booleans bare)."""
    if language:
        return f"{_quoted(value)}@{language}"
    if datatype == _XSD_STRING:
        return _quoted(value)
    if datatype == _XSD_INTEGER and _INTEGER.fullmatch(value):
        return value
    if datatype == _XSD_BOOLEAN and value in ("true", "false"):
        return value
    return f"{_quoted(value)}^^{_ttl_iri(datatype)}"


class _Terms:
    """Turtle forms of one namespace's terms (``dfg:Flow``): computed once, then plain attributes."""

    def __init__(self, namespace: Any) -> None:
        self._namespace = namespace

    def __getattr__(self, name: str) -> str:
        value = _ttl_iri(str(self._namespace[name]))
        setattr(self, name, value)
        return value


_DFG, _DCT, _DCAT, _DPV, _ORG = _Terms(DFG), _Terms(DCTERMS), _Terms(DCAT), _Terms(DPV), _Terms(ORG)
_PROV, _RDFS, _SKOS = _Terms(PROV), _Terms(RDFS), _Terms(SKOS)
_FROM = _ttl_iri(str(FROM))
_GYEARMONTH = _ttl_iri(str(XSD.gYearMonth))
_SEP = " ;\n\t"
_TYPE_LINES = {
    name: f"a {getattr(_DFG, name)}"
    for name in ("Agreement", "Entry", "Flow", "Hop", "DataCopy", "Evidence", "DatasetFamily", "Release", "Finding")
}


_IDENTIFIABILITY = {level: _ttl_iri(iri) for level, iri in IDENTIFIABILITY.items()}
_OPT_OUT = {status: _ttl_iri(iri) for status, iri in OPT_OUT.items()}
_KIND_LINES = {
    kind: f"{_DFG.kind} {_ttl_iri(iri)}"
    + (f"{_SEP}{_DPV.hasProcessing} {_ttl_iri(PROCESSING[kind])}" if kind in PROCESSING else "")
    for kind, iri in KIND.items()
}


def _bool(value: bool) -> str:
    return "true" if value else "false"


_LANDING_LINES = {flag: f"{_DFG.landingOnly} {_bool(flag)}" for flag in (False, True)}


class RdfText:
    """The register's RDF as Turtle text, by named graph: Oxigraph parses it, Turtle and TriG are it.

    Building triples as text and letting Oxigraph parse them is many times faster than a
    Python object per term.  Most nodes (hops, evidence, flows, entries, copies…) are
    *closed*: one function knows all their triples and writes their whole statement
    (``"<s> a dfg:Hop ;\\n\\tdfg:hopIndex 1 … .\\n"``) into ``statements``.  Nodes that
    several records describe (organisations, datasets) are *open*: their
    ``"predicate object"`` fragments gather in ``open`` and are joined, without repeats,
    when written.  Graph keys are ``"<IRI>"`` terms, or None for the default graph.
    """

    def __init__(self, base: str = DEFAULT_BASE) -> None:
        self.base = _check_base(base)
        self.statements: dict[str | None, list[bytes]] = {}
        self.open: dict[str | None, dict[str, list[str]]] = {}
        self.seen_units: set[tuple[str, str]] = set()
        self._graph: str | None = None
        self._pending: list[str] = []
        self._open: dict[str, list[str]] = {}
        self._orgs: dict[str, str] = {}
        self._iris: dict[tuple[str, ...], str] = {}

    def use(self, graph: str | None) -> None:
        """Write what follows into ``graph`` (a ``"<IRI>"`` term, or None)."""
        self.seal()
        self._graph = graph
        self.statements.setdefault(graph, [])
        self._open = self.open.setdefault(graph, {})

    def seal(self) -> None:
        """Sort the current graph's new closed statements and keep them as one UTF-8 chunk.

        Statements begin with their subject, so the graph reads in subject order; encoding
        here (in the worker that built them) keeps millions of small strings from outliving
        their graph and leaves the writer only bytes to join.
        """
        if self._pending:
            self._pending.sort()
            self.statements.setdefault(self._graph, []).append("".join(self._pending).encode())
            self._pending = []

    def close(self, node: str, fragments: list[str]) -> None:
        """Write the statement of a closed node: ``fragments`` are all its ``"p o"`` pairs."""
        self._pending.append(f"{node} {_SEP.join(fragments)} .\n")

    def subject(self, node: str) -> list[str]:
        """The fragment list of an open node in the current graph, to append ``"p o"`` to."""
        got = self._open.get(node)
        if got is None:
            got = self._open[node] = []
        return got

    def iri(self, kind: str, *parts: str) -> str:
        return f"<{self.base}{kind}/{'/'.join(map(_segment, parts))}>"

    def _cached(self, kind: str, *parts: str) -> str:
        """:meth:`iri` remembered: families, datasets, copies and entries recur on every hop."""
        got = self._iris.get((kind, *parts))
        if got is None:
            got = self._iris[(kind, *parts)] = self.iri(kind, *parts)
        return got

    def graph(self, name: str) -> str:
        """The term of a named graph: an agreement core, ``reference`` or ``findings``."""
        return f"<{graph_iri(name, self.base)}>"

    def org(self, org_id: str) -> str:
        got = self._orgs.get(org_id)
        if got is None:
            got = self._orgs[org_id] = f"<{org_iri(org_id, self.base)}>"
        return got

    def unit(self, org_id: str, unit: str) -> str:
        return _sub(self.org(org_id), "unit", _slug(unit))

    def family(self, family: str) -> str:
        return self._cached("family", family)

    def dataset(self, name: str) -> str:
        return self._cached("dataset", _slug(name))

    def copy(self, agreement: str, family: str, level: Identifiability) -> str:
        return self._cached("copy", agreement, family, level.value)

    def entry(self, entry_id: str) -> str:
        return self._cached("entry", entry_id)

    def flow(self, flow_id: str) -> str:
        return self.iri("flow", flow_id)

    def agreement(self, core: str) -> str:
        return self._cached("agreement", core)


def _sub(node: str, *parts: str) -> str:
    """A node under another: ``<…/flow/X>`` → ``<…/flow/X/hop/1>``."""
    return f"{node[:-1]}/{'/'.join(parts)}>"


def records_rdf(
    entries: Iterable[Entry],
    flows: Iterable[Flow],
    organisations: Iterable[Organisation] | Mapping[str, Organisation],
    *,
    releases: Iterable[Release] = (),
    findings: Iterable[Any] = (),
    base: str = DEFAULT_BASE,
    workers: int | None = None,
) -> RdfText:
    """The triples of :func:`to_rdf` as text, ready for :func:`serialise` (the fast path).

    Agreements are independent, so a large register is split across ``workers`` processes
    (default: the machine's cores); the text is the same as a single-process run.
    """
    b = RdfText(base)
    with cyclic_gc_paused():  # strings and short lists: nothing cyclic to collect
        _emit(b, list(entries), list(flows), organisations, list(releases), list(findings), workers)
    return b


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
    store = records_store(entries, flows, organisations, releases=releases, findings=findings, base=base)
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
    text = records_rdf(entries, flows, organisations, releases=releases, findings=findings, base=base)
    return text_store(text, store)


def text_store(text: RdfText, store: ox.Store | None = None) -> ox.Store:
    """Load :class:`RdfText` into a pyoxigraph store (Oxigraph parses it as TriG)."""
    store = store if store is not None else ox.Store()
    store.load(_write(text, trig=True), format=ox.RdfFormat.TRIG)
    return store


def as_dataset(store: ox.Store) -> Dataset:
    """An rdflib view of a pyoxigraph store: queries run in Oxigraph, union default graph."""
    ds = Dataset(store=OxigraphStore(store=store), default_union=True)
    for prefix, ns in PREFIXES.items():
        ds.bind(prefix, ns, override=True, replace=True)
    return ds


def _emit(
    b: RdfText,
    entries: list[Entry],
    flows: list[Flow],
    organisations: Iterable[Organisation] | Mapping[str, Organisation],
    releases: list[Release],
    findings: list[Any],
    workers: int | None = None,
) -> None:
    """Emit every triple of the records, graph by graph."""
    orgs = dict(organisations) if isinstance(organisations, Mapping) else {o.id: o for o in organisations}
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
    b.use(b.graph("reference"))
    _reference(b, orgs, entries, flows, releases)
    cores = sorted(by_agreement)
    parts = _split(cores, by_agreement, workers)
    if len(parts) < 2:
        _agreements(b, cores, by_agreement)
    else:
        global _FORK_JOB
        _FORK_JOB = (b.base, by_agreement)
        context = multiprocessing.get_context("fork")
        try:
            with concurrent.futures.ProcessPoolExecutor(len(parts) - 1, mp_context=context) as pool:
                futures = [pool.submit(_agreements_apart, part) for part in parts[1:]]
                _agreements(b, parts[0], by_agreement)
                for future in futures:
                    statements, open_nodes = future.result()
                    b.statements.update(statements)
                    b.open.update(open_nodes)
        finally:
            _FORK_JOB = None
    if findings:
        b.use(b.graph("findings"))
        for finding in findings:
            _finding(b, finding)
    b.use(None)
    b.seal()


#: Below this many agreements one process is faster than starting another.
PARALLEL_FROM = 1000
_FORK_JOB: tuple[str, dict[str, tuple[list[Entry], list[Flow], list[Release]]]] | None = None


def _split(
    cores: list[str], by_agreement: Mapping[str, tuple[list[Entry], list[Flow], list[Release]]], workers: int | None
) -> list[list[str]]:
    """Agreements in ``workers`` runs of about equal work (one run when that would not pay)."""
    workers = workers if workers is not None else (os.cpu_count() or 1)
    if workers < 2 or len(cores) < PARALLEL_FROM or "fork" not in multiprocessing.get_all_start_methods():
        return [cores]
    weight = [1 + sum(1 + len(f.hops) for f in by_agreement[c][1]) + len(by_agreement[c][2]) for c in cores]
    share, parts, run, done = sum(weight) / workers, [], [], 0
    for core, w in zip(cores, weight, strict=True):
        run.append(core)
        done += w
        if done >= share * (len(parts) + 1) and len(parts) < workers - 1:
            parts.append(run)
            run = []
    return [p for p in (*parts, run) if p]


def _agreements(
    b: RdfText, cores: list[str], by_agreement: Mapping[str, tuple[list[Entry], list[Flow], list[Release]]]
) -> None:
    for core in cores:
        b.use(b.graph(core))
        _agreement(b, core, *by_agreement[core])


def _agreements_apart(cores: list[str]) -> tuple[dict[str | None, list[bytes]], dict[str | None, dict[str, list[str]]]]:
    """In a forked worker: the agreement graphs of ``cores``, sealed (see :data:`_FORK_JOB`)."""
    assert _FORK_JOB is not None
    base, by_agreement = _FORK_JOB
    b = RdfText(base)
    _agreements(b, cores, by_agreement)
    b.use(None)
    b.seal()
    return b.statements, b.open


def _reference(
    b: RdfText, orgs: dict[str, Organisation], entries: list[Entry], flows: list[Flow], releases: list[Release]
) -> None:
    """Organisations, units, families and datasets: the register-wide nodes."""
    for org_id in sorted(orgs):
        _organisation(b, orgs[org_id])
    named = {o.part_of for o in orgs.values()} | {o.successor for o in orgs.values()}
    for org_id in sorted(i for i in named if i and i not in orgs):
        b.subject(b.org(org_id)).append(f"{_DCT.identifier} {_quoted(org_id)}")  # named, not described
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
            [_TYPE_LINES["DatasetFamily"], f"{_DCT.identifier} {_quoted(fam)}", f"{_RDFS.label} {_quoted(fam)}"],
        )
    for e in entries:
        for d in e.datasets:
            t = b.subject(b.dataset(d.name))
            t += (f"a {_DCAT.Dataset}", f"{_DCT.title} {_quoted(d.name)}")
            if d.family:
                t.append(f"{_DCAT.inSeries} {b.family(d.family)}")


def _organisation(b: RdfText, o: Organisation) -> None:
    t = b.subject(b.org(o.id))
    name = _quoted(o.name)
    t += (
        f"a {_ORG.Organization}",
        f"{_DCT.identifier} {_quoted(o.id)}",
        f"{_SKOS.prefLabel} {name}",
        f"{_RDFS.label} {name}",
    )
    t += [f"{_SKOS.altLabel} {_quoted(alias)}" for alias in o.aliases if alias != o.name]
    t += (f"{_DFG.role} {_ttl_iri(ROLE[o.role])}", f"{_DFG.reviewed} {_bool(o.reviewed)}")
    if o.ods is not None:
        t.append(f"{_ORG.identifier} {_quoted(o.ods)}")
    if o.part_of:
        t.append(f"{_ORG.subOrganizationOf} {b.org(o.part_of)}")
    if o.successor:
        t.append(f"{_DFG.successor} {b.org(o.successor)}")
    for unit in o.units:
        _unit(b, o.id, unit)


def _unit(b: RdfText, org_id: str, name: str) -> None:
    key = (org_id, _slug(name))
    if key in b.seen_units:
        return
    b.seen_units.add(key)
    node = b.unit(org_id, name)
    label = _quoted(name)
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


def _agreement(b: RdfText, core: str, entries: list[Entry], flows: list[Flow], releases: list[Release]) -> None:
    node = b.agreement(core)
    t = [
        _TYPE_LINES["Agreement"],
        f"{_DCT.identifier} {_quoted(core)}",
        f"{_RDFS.label} {_quoted(f'Agreement {core}')}",
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
    ev = _sub(node, "evidence")
    t = [
        _TYPE_LINES["Evidence"],
        f"{_DFG.sourcePath} {_quoted(path)}",
        f"{_DFG.line} {line}",
        f"{_DFG.column} {col}",
        f"{_PROV.value} {_quoted(text)}",
    ]
    if entry is not None:
        t.append(f"{_DFG.entry} {entry}")
    b.close(ev, t)
    return f"{_DFG.evidence} {ev}"


def _period(b: RdfText, node: str, period: Period | None, name: str = "period") -> str | None:
    """Close the period node of ``node`` (None without a period); returns its IRI term."""
    if period is None:
        return None
    p = _sub(node, name)
    t = [f"a {_DCT.PeriodOfTime}"]
    if period.start:
        t.append(f"{_DCAT.startDate} {_quoted(period.start)}^^{_GYEARMONTH}")
    if period.end:
        t.append(f"{_DCAT.endDate} {_quoted(period.end)}^^{_GYEARMONTH}")
    if period.raw:
        t.append(f"{_RDFS.label} {_quoted(period.raw)}")
    if period.qualifier:
        t.append(f"{_SKOS.note} {_quoted(period.qualifier)}")
    b.close(p, t)
    return p


def _entry(b: RdfText, e: Entry, agreement: str) -> None:
    node = b.entry(e.id)
    t = [
        _TYPE_LINES["Entry"],
        f"{_DCT.identifier} {_quoted(e.reference)}",
        f"{_DCT.title} {_quoted(e.title)}",
        f"{_DFG.agreement} {agreement}",
        f"{_DFG.optOut} {_OPT_OUT[e.opt_outs.honoured]}",
    ]
    if e.purposes is not None:
        t.append(f"{_DFG.purposeText} {_quoted(e.purposes)}")
    if e.opt_outs.raw:
        t.append(f"{_DFG.optOutText} {_quoted(e.opt_outs.raw)}")
    t += [f"{_SKOS.note} {_quoted(excuse)}" for excuse in e.opt_outs.excuses]
    for text in e.legal_basis:
        t.append(f"{_DFG.legalBasisText} {_quoted(text)}")
        for pattern, gateway in _GATEWAYS:
            if pattern.search(text):
                t.append(f"{_DFG.statutoryGateway} {_ttl_iri(gateway)}")
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
    node = b.flow(f.id)
    entry = b.entry(f.entry)
    level = f.identifiability
    t = [
        _TYPE_LINES["Flow"],
        f"{_DCT.identifier} {_quoted(f.id)}",
        f"{_DFG.entry} {entry}",
        f"{_DFG.agreement} {agreement}",
        _KIND_LINES[f.kind],
        f"{_DFG.purposeText} {_quoted(f.purpose)}",
        f"{_DFG.identifiability} {_IDENTIFIABILITY[level]}",
        f"{_DFG.optOut} {_OPT_OUT[f.opt_outs]}",
    ]
    period = _period(b, node, f.period)
    if period is not None:
        t.append(f"{_DCT.temporal} {period}")
    if f.until is not None:
        t.append(f"{_DFG.until} {_quoted(f.until)}")
    for fam in f.families:
        t += (f"{_DFG.ofFamily} {b.family(fam)}", f"{_DFG.carries} {b.copy(f.agreement, fam, level)}")
        copies.setdefault((fam, level), None)
    t += [f"{_DFG.linkedWith} {b.family(fam)}" for fam in f.linked]
    previous: Identifiability | None = None
    for i, h in enumerate(f.hops, 1):
        hop = _sub(node, "hop", str(i))
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
    t = [
        _TYPE_LINES["DataCopy"],
        f"{_RDFS.label} {_quoted(f'{family} {level.value} copy under {core}')}",
        f"{_DFG.agreement} {b.agreement(core)}",
        f"{_DFG.ofFamily} {b.family(family)}",
        f"{_DFG.identifiability} {_IDENTIFIABILITY[level]}",
    ]
    if derived_from is not None:
        t.append(f"{_PROV.wasDerivedFrom} {derived_from}")
    t += [f"{_DFG.ofDataset} {b.dataset(name)}" for name in sorted(dataset_names)]
    b.close(b.copy(core, family, level), t)


def _release(b: RdfText, r: Release, agreement: str) -> None:
    node = b.iri("release", r.id)
    t = [
        _TYPE_LINES["Release"],
        f"{_DCT.identifier} {_quoted(r.id)}",
        f"{_DCT.title} {_quoted(r.dataset)}",
        f"{_DFG.agreement} {agreement}",
        f"{_DFG.recipientName} {_quoted(r.recipient)}",
        f"{_DFG.category} {_quoted(r.category)}",
    ]
    if r.family:
        t.append(f"{_DFG.ofFamily} {b.family(r.family)}")
    if r.identifiability:
        t.append(f"{_DFG.identifiability} {_IDENTIFIABILITY[r.identifiability]}")
    if r.opt_outs_applied is not None:
        t.append(f"{_DFG.optOut} {_OPT_OUT[OptOut.YES if r.opt_outs_applied else OptOut.NO]}")
    if r.legal_basis:
        t.append(f"{_DFG.legalBasisText} {_quoted(r.legal_basis)}")
    period = _period(b, node, r.period or (Period(r.month, r.month) if r.month else None))
    if period is not None:
        t.append(f"{_DCT.temporal} {period}")
    t.append(_evidence(b, node, r.source, r.line, 1, r.row_id or r.id, None))
    b.close(node, t)


def _finding(b: RdfText, finding: Any) -> None:
    recipient = finding.recipient
    org_id = recipient.id if isinstance(recipient, Organisation) else str(recipient)
    family = str(finding.family)
    t = b.subject(b.iri("finding", org_id.removeprefix("org:"), family))
    t += (_TYPE_LINES["Finding"], f"{_DFG.recipient} {b.org(org_id)}", f"{_DFG.aboutFamily} {b.family(family)}")
    for attr, prop in (("identifiable", _DFG.identifiableFlow), ("deidentified", _DFG.deidentifiedFlow)):
        for item in getattr(finding, attr, ()) or ():
            flow_id = item if isinstance(item, str) else getattr(item, "id", None) or item.flow.id
            t.append(f"{prop} {b.flow(flow_id)}")
    severity = getattr(finding, "severity", None)
    if isinstance(severity, int):
        t.append(f"{_DFG.severity} {severity}")


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


def serialise(ds: RdfText | Graph | ox.Store, fmt: str = "turtle") -> bytes:
    """The graph as bytes that are the same on every run and under every PYTHONHASHSEED.

    Turtle and TriG are written here: prefixes sorted, subjects sorted, each subject's
    ``predicate object`` pairs sorted and without repeats, integers and booleans bare.
    N-Triples and N-Quads lines are sorted (N-Quads by graph first); JSON-LD is compacted
    with the prefixes of :data:`~dataflow_graph.vocab.PREFIXES`, keys and arrays sorted.
    Triple formats (``turtle``, ``nt``) carry the union of the named graphs.  The same
    triples give the same bytes whether they come as :class:`RdfText` (the fast path,
    :func:`records_rdf`), an rdflib graph or a pyoxigraph store.

    Parameters
    ----------
    ds : RdfText, rdflib.Graph, rdflib.Dataset or pyoxigraph.Store
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
    text = ds if isinstance(ds, RdfText) else _store_text(oxigraph_store(ds))
    if name in ("turtle", "trig"):
        return _write(text, trig=name == "trig")
    if name == "nt":
        return _sorted_lines(_ntriples(_write(text, trig=False)))
    if name == "nquads":
        return b"".join(_nquads(g, lines) for g, lines in _graph_lines(text))
    return _jsonld(_graph_lines(text))


def _ntriples(turtle: bytes) -> bytes:
    """Turtle to N-Triples, as Oxigraph writes them."""
    return ox.serialize(ox.parse(turtle, format=ox.RdfFormat.TURTLE), format=ox.RdfFormat.N_TRIPLES) or b""


def _sorted_lines(data: bytes) -> bytes:
    lines = sorted(set(data.splitlines()))
    if lines and lines[0] == b"":
        lines = lines[1:]
    return b"".join(line + b"\n" for line in lines)


def _graph_lines(text: RdfText) -> Iterator[tuple[str | None, bytes]]:
    """Each graph's IRI (None: the default graph, first) and its sorted N-Triples lines, by IRI."""
    text.seal()
    prefixes = _prefix_lines().encode()
    for g in _graph_order(text):
        body = b"".join([*text.statements.get(g, ()), *_open_statements(text.open.get(g, {}))])
        if body:
            yield (None if g is None else g[1:-1]), _sorted_lines(_ntriples(prefixes + body))


def _nquads(graph: str | None, lines: bytes) -> bytes:
    if graph is None:
        return lines
    suffix = f" <{graph}> .\n".encode()
    return b"".join(line[:-2] + suffix for line in lines.splitlines())


def _store_text(store: ox.Store) -> RdfText:
    """The quads of a store as :class:`RdfText`, every node open (so repeats fall away)."""
    text = RdfText()
    iris: dict[str, str] = {}

    def term(node: Any) -> str:
        if isinstance(node, ox.NamedNode):
            got = iris.get(node.value)
            if got is None:
                got = iris[node.value] = _ttl_iri(node.value)
            return got
        if isinstance(node, ox.Literal):
            return _ttl_literal(node.value, node.datatype.value, node.language)
        raise DataflowGraphError(f"blank node {node} in the graph; mint an IRI instead")

    graph: Any = False
    for q in store:
        if q.graph_name != graph:
            graph = q.graph_name
            text.use(None if isinstance(graph, ox.DefaultGraph) else f"<{graph.value}>")
        text.subject(term(q.subject)).append(f"{_ttl_predicate(q.predicate.value)} {term(q.object)}")
    return text


def _open_statements(open_nodes: Mapping[str, list[str]]) -> list[bytes]:
    """Statements of open nodes as one UTF-8 chunk (or none): each node's distinct ``p o``
    fragments sorted, nodes sorted."""
    if not open_nodes:
        return []
    return ["".join(sorted(f"{s} {_SEP.join(sorted(set(frags)))} .\n" for s, frags in open_nodes.items())).encode()]


def _prefix_lines() -> str:
    return "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in sorted(PREFIXES.items()))


def _graph_order(text: RdfText) -> list[str | None]:
    """The default graph first, then named graphs by IRI."""
    return sorted(text.statements.keys() | text.open.keys(), key=lambda k: (k is not None, (k or "")[1:-1]))


def _write(text: RdfText, *, trig: bool) -> bytes:
    """Turtle (the union of the graphs) or TriG (each graph in braces, default graph first).

    Graphs come in IRI order; within a graph, closed statements by subject, then open ones.
    In Turtle an open node described in several graphs is written once, in the first.
    """
    text.seal()
    prefixes = _prefix_lines()
    graphs = _graph_order(text)
    opens: dict[str | None, Mapping[str, list[str]]] = {g: text.open.get(g, {}) for g in graphs}
    if not trig:
        merged: dict[str, list[str]] = {}
        firsts: dict[str | None, dict[str, list[str]]] = {g: {} for g in graphs}
        for g in graphs:
            for s, frags in opens[g].items():
                got = merged.get(s)
                if got is None:
                    got = merged[s] = firsts[g][s] = []
                got.extend(frags)
        opens = firsts  # type: ignore[assignment]
    parts = [prefixes.encode()]
    for g in graphs:
        body = [*text.statements.get(g, ()), *_open_statements(opens[g])]
        if not body:
            continue
        parts += body if g is None or not trig else [f"{g} {{\n".encode(), *body, b"}\n"]
    return b"".join(parts)


def _compact(iri: str, prefixes: list[tuple[str, str]]) -> str:
    for prefix, ns in prefixes:
        if iri.startswith(ns) and not iri[len(ns) :].startswith("//"):
            return f"{prefix}:{iri[len(ns) :]}"
    return iri


def _jsonld(graphs: Iterable[tuple[str | None, bytes]]) -> bytes:
    """Compacted JSON-LD 1.1: a context of prefixes, one node object per subject and graph.

    Written graph by graph (default graph first, then by IRI), one node object per line,
    keys sorted, so memory holds one graph at a time and the same triples give the same bytes.
    """
    prefixes = sorted(PREFIXES.items(), key=lambda kv: -len(kv[1]))
    cache: dict[str, str] = {}

    def c(iri: str) -> str:
        got = cache.get(iri)
        if got is None:
            got = cache[iri] = _compact(iri, prefixes)
        return got

    items: list[bytes] = []
    for graph, lines in graphs:
        nodes: dict[str, dict[str, list[Any]]] = {}
        for t in ox.parse(lines, format=ox.RdfFormat.N_TRIPLES):
            node = nodes.setdefault(c(t.subject.value), {})
            o = t.object
            if t.predicate.value == _RDF_TYPE and isinstance(o, ox.NamedNode):
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
            node.setdefault(c(t.predicate.value), []).append(value)
        written = _ITEMS.join(_json({"@id": s, **props}) for s, props in sorted(nodes.items()))
        if graph is not None:
            written = f'{{"@graph": [\n{written}\n], "@id": {_json(c(graph))}}}'
        items.append(written.encode())
    head = f'{{"@context": {_json(dict(PREFIXES))}, "@graph": [\n'.encode()
    return head + _ITEMS.encode().join(items) + b"\n]}\n"


_ITEMS = ",\n"


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def parse_rdf(data: bytes | str, fmt: str = "turtle") -> Dataset:
    """Read a serialisation back into an rdflib dataset (the inverse of :func:`serialise`)."""
    name = FORMATS.get(fmt.lower())
    if name is None:
        raise UsageError(f"unknown RDF format {fmt!r}")
    rdflib_name = {"turtle": "turtle", "nt": "nt", "jsonld": "json-ld", "trig": "trig", "nquads": "nquads"}[name]
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
        return {
            "severity": self.severity,
            "message": self.message,
            "focus": self.focus,
            "path": self.path,
            "entry": self.entry,
            "reference": self.reference,
            "source": self.source,
            "line": self.line,
        }


def validate(ds: Graph, *, shapes: Graph | None = None) -> list[Violation]:
    """Check the graph against ``ontology/shapes.ttl``; one :class:`Violation` per result.

    Violations (``Violation``) and warnings (``Warning``, such as an entry without a period)
    are both returned, sorted by source, line and message.
    """
    import pyshacl
    from pyshacl.consts import SH

    data = union_graph(ds)
    _conforms, report, _ = pyshacl.validate(
        data, shacl_graph=shapes or _shapes(), ont_graph=None, inference="none", advanced=False, allow_warnings=True
    )
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
        out.append(
            Violation(
                severity,
                message,
                str(focus),
                _short(path),
                _str(entry),
                _str(ref),
                _str(src),
                int(line) if line is not None else None,
            )
        )
    return sorted(out, key=lambda v: (v.source or "", v.line or 0, v.focus, v.message))


def _str(node: Node | None) -> str | None:
    return None if node is None else str(node)


def _short(path: Node | None) -> str | None:
    if path is None:
        return None
    text = str(path)
    for prefix, ns in PREFIXES.items():
        if text.startswith(ns):
            return f"{prefix}:{text[len(ns) :]}"
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
