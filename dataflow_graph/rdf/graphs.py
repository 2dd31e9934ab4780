"""Records to RDF text, by named graph: the layout of the dataset, built across processes.

The RDF graph is a projection of the typed records (entries, flows, organisations, releases,
findings), never of the networkx graph.  Layout of the quads :func:`records_rdf` writes:

- one named graph per agreement, ``<base>graph/<agreement core>``: the agreement, its entries,
  flows, hops, copies, evidence, periods, releases and the materialised ``dfg:sendsTo`` edges
  of its hops, so that replacing one agreement's graph replaces all it says;
- ``<base>graph/reference``: organisations, units, dataset families and datasets;
- ``<base>graph/findings``: convergence findings, when given.

Queries read the union of the named graphs as their default graph.  Agreements are
independent, so on a large register their graphs are written by several processes
(:func:`~dataflow_graph._speed.fork_map`); the text is the same as a single-process run.

>>> from dataflow_graph.examples import two_copies
>>> ex = two_copies()
>>> text = records_rdf(ex.entries, ex.flows, ex.organisations)
>>> sorted(g for g in text.statements if g)[:2]
['<https://w3id.org/dataflow-graph/id/graph/NIC-00001-AAAAA>', '<https://w3id.org/dataflow-graph/id/graph/NIC-00002-BBBBB>']
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping

from .._speed import cyclic_gc_paused, fork_map
from ..model import Entry, Flow, Organisation, Release
from . import DEFAULT_BASE
from .mapping import Finding, agreement, finding, reference
from .turtle import RdfText

__all__ = ["PARALLEL_FROM", "records_rdf"]

#: Below this many agreements one process is faster than starting another.
PARALLEL_FROM = 1000

#: Agreement core -> its entries, flows and released files.
ByAgreement = Mapping[str, tuple[list[Entry], list[Flow], list[Release]]]
#: What a worker sends back: the statements and open nodes of its graphs.
Graphs = tuple[dict[str | None, list[bytes]], dict[str | None, dict[str, list[str]]]]


def records_rdf(
    entries: Iterable[Entry],
    flows: Iterable[Flow],
    organisations: Iterable[Organisation] | Mapping[str, Organisation],
    *,
    releases: Iterable[Release] = (),
    findings: Iterable[Finding] = (),
    base: str = DEFAULT_BASE,
    workers: int | None = None,
) -> RdfText:
    """The register's triples as text, ready for :func:`~dataflow_graph.rdf.serialise.serialise`.

    Parameters
    ----------
    entries, flows, organisations
        The typed records.  Organisations may be a mapping by id; organisations named by hops
        but not listed are added from the hops.
    releases
        Released files of the official register.
    findings
        Convergence findings (:class:`~dataflow_graph.rdf.mapping.Finding`).
    base
        Absolute IRI ending in ``/`` or ``#`` under which every node is minted.
    workers
        Processes to share the agreements between (default: the machine's cores; they are
        used from :data:`PARALLEL_FROM` agreements on).

    Raises
    ------
    UsageError
        If ``base`` is not an absolute IRI ending in ``/`` or ``#``.
    """
    b = RdfText(base)
    with cyclic_gc_paused():  # strings and short lists: nothing cyclic to collect
        _emit(b, list(entries), list(flows), organisations, list(releases), list(findings), workers)
    return b


def _emit(
    b: RdfText,
    entries: list[Entry],
    flows: list[Flow],
    organisations: Iterable[Organisation] | Mapping[str, Organisation],
    releases: list[Release],
    findings: list[Finding],
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
    reference(b, orgs, entries, flows, releases)
    cores = sorted(by_agreement)
    parts = _split(cores, by_agreement, workers)
    if len(parts) < 2:
        _agreements(b, cores, by_agreement)
    else:

        def apart(cores: list[str]) -> Graphs:
            """The agreement graphs of ``cores``, sealed, in a builder of their own."""
            part = RdfText(b.base)
            _agreements(part, cores, by_agreement)
            part.use(None)
            part.seal()
            return part.statements, part.open

        for statements, open_nodes in fork_map(apart, parts):
            b.statements.update(statements)
            b.open.update(open_nodes)
    if findings:
        b.use(b.graph("findings"))
        for found in findings:
            finding(b, found)
    b.use(None)
    b.seal()


def _split(cores: list[str], by_agreement: ByAgreement, workers: int | None) -> list[list[str]]:
    """Agreements in ``workers`` runs of about equal work (one run when that would not pay)."""
    workers = workers if workers is not None else (os.cpu_count() or 1)
    if workers < 2 or len(cores) < PARALLEL_FROM:
        return [cores]
    weight = [1 + sum(1 + len(f.hops) for f in by_agreement[c][1]) + len(by_agreement[c][2]) for c in cores]
    share, done = sum(weight) / workers, 0
    parts: list[list[str]] = []
    run: list[str] = []
    for core, w in zip(cores, weight, strict=True):
        run.append(core)
        done += w
        if done >= share * (len(parts) + 1) and len(parts) < workers - 1:
            parts.append(run)
            run = []
    return [p for p in (*parts, run) if p]


def _agreements(b: RdfText, cores: list[str], by_agreement: ByAgreement) -> None:
    """The named graph of each agreement of ``cores``."""
    for core in cores:
        b.use(b.graph(core))
        agreement(b, core, *by_agreement[core])
