"""Records to RDF text, by named graph: the layout of the dataset, built across processes.

The RDF graph is a projection of the typed records (entries, flows, organisations, releases,
findings), never of the networkx graph.  Layout of the quads :func:`records_rdf` writes:

- one named graph per agreement, ``<base>graph/<agreement core>``: the agreement and its
  roles, its entries, flows, hops, copies, de-identifications, evidence, periods, releases
  and the materialised ``dfg:sendsTo`` edges of its hops, so that replacing one agreement's
  graph replaces all it says;
- ``<base>graph/reference``: organisations, units, dataset families, datasets, source files;
- ``<base>graph/concepts``: the concept schemes the values come from (identifiability,
  opt-out status, roles, flow kinds, legal gateways, purposes, organisation and qualifier
  kinds), with their labels and DPV mappings, so an export reads without the ontology;
- ``<base>graph/findings``: convergence findings, when given.

Queries read the union of the named graphs as their default graph.  Agreements are
independent, so on a large register their graphs are written by several processes, in
groups the processes take in turn (:func:`~dataflow_graph._speed.fork_pool_map`); the text
is the same as a single-process run.
Every IRI comes from content (:mod:`.iris`), so the same records give the same triples
whatever path, folder or order the inputs were read in.

>>> from dataflow_graph.examples import two_copies
>>> ex = two_copies()
>>> text = records_rdf(ex.entries, ex.flows, ex.organisations)
>>> [g.rsplit("/", 1)[1] for g in sorted(g for g in text.statements if g)]
['NIC-00001-AAAAA>', 'NIC-00002-BBBBB>', 'concepts>', 'reference>']
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping, Sequence

from .._speed import HandBack, cyclic_gc_paused, fork_pool_map
from ..graph import Convergence
from ..model import Entry, Flow, Organisation, Release
from ..names import gazetteer, organisation_key
from . import DEFAULT_BASE
from .findings import Place, finding
from .iris import SourceFiles, entry_keys, release_keys
from .mapping import Roles, agreement, agreement_roles
from .reference import concept_statements, reference
from .turtle import RdfText

__all__ = ["PARALLEL_FROM", "records_rdf"]

#: Below this many agreements one process is faster than starting another.
PARALLEL_FROM = 1000
#: Groups of agreements per process: the workers take them in order and this process, once
#: its own part is done, the last ones not yet started, so all finish together.
GROUPS_PER_WORKER = 24
#: At most this many groups: each holds a file open until it is read back.
MAX_GROUPS = 256

#: Agreement core -> its entries, flows and released files.
ByAgreement = Mapping[str, tuple[list[Entry], list[Flow], list[Release]]]
#: What a worker sends back: each graph with its number of statement chunks, what its
#: :class:`~dataflow_graph._speed.HandBack` gives for the chunks, and the open nodes of its graphs.
Sent = tuple[list[tuple[str | None, int]], list[int] | list[bytes], dict[str | None, dict[str, list[str]]]]


def records_rdf(
    entries: Iterable[Entry],
    flows: Iterable[Flow],
    organisations: Iterable[Organisation] | Mapping[str, Organisation],
    *,
    releases: Iterable[Release] = (),
    findings: Iterable[Convergence] | Callable[[], Iterable[Convergence]] = (),
    sources: Mapping[str, str] | None = None,
    base: str = DEFAULT_BASE,
    workers: int | None = None,
    headed: Mapping[str, Sequence[str]] | None = None,
) -> RdfText:
    """The register's triples as text, ready for :func:`~dataflow_graph.rdf.serialise.serialise`.

    Parameters
    ----------
    entries, flows, organisations
        The typed records.  Organisations may be a mapping by id; organisations named by hops
        or by an agreement's roles but not listed are added.
    releases
        Released files of the official register.
    findings
        Convergence findings (:class:`~dataflow_graph.graph.Convergence`), or a function
        giving them: where worker processes build the agreement graphs, this process calls
        it meanwhile (the agreement graphs never read the findings).
    sources
        The SHA-256 of each input file's bytes, by the path its records give; files without
        one are named by their base name.
    base
        Absolute IRI ending in ``/`` or ``#`` under which every node is minted.
    workers
        Processes to share the agreements between (default: the machine's cores; they are
        used from :data:`PARALLEL_FROM` agreements on).
    headed
        By entry id, the names its "Data Processor N – X" headings give its processors, as
        the extractor reads them (:func:`dataflow_graph.extract.heading_processors`); each is
        a ``dpv:hasDataProcessor`` of the entry's agreement.  Without it only the processors
        the flows name are.

    Raises
    ------
    UsageError
        If ``base`` is not an absolute IRI ending in ``/`` or ``#``.
    """
    entries, releases = list(entries), list(releases)
    b = RdfText(base, entry_keys=entry_keys(entries), files=SourceFiles(sources), release_keys=release_keys(releases))
    with cyclic_gc_paused():  # strings and short lists: nothing cyclic to collect
        found = findings if callable(findings) else lambda: findings
        _emit(b, entries, list(flows), organisations, releases, found, workers, headed or {})
    return b


def _emit(
    b: RdfText,
    entries: list[Entry],
    flows: list[Flow],
    organisations: Iterable[Organisation] | Mapping[str, Organisation],
    releases: list[Release],
    findings: Callable[[], Iterable[Convergence]],
    workers: int | None,
    headed: Mapping[str, Sequence[str]],
) -> None:
    """Emit every triple of the records, graph by graph (``findings`` called once)."""
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
    roles = _roles(by_agreement, orgs, headed)
    b.use(b.graph("concepts"))
    b.statements[b.graph("concepts")].append(concept_statements())
    cores = sorted(by_agreement)
    workers = workers if workers is not None else (os.cpu_count() or 1)
    groups = _split(cores, by_agreement, min(workers * GROUPS_PER_WORKER, MAX_GROUPS)) if workers > 1 else [cores]
    if len(groups) < 2 or "fork" not in _start_methods():
        listed = list(findings())
        b.use(b.graph("reference"))
        reference(b, orgs, entries, flows, releases, _paths(entries, flows, releases, listed))
        _agreements(b, cores, by_agreement, roles)
        _findings(b, entries, flows, listed)
    else:
        seen = set(b.seen)
        found = RdfText(b.base, entry_keys=b.entry_keys, files=b.files, release_keys=b.release_keys)
        hands = [HandBack() for _ in groups]  # one file per group: a file has one writer

        def here() -> None:
            """This process's own part, done while the workers start on the agreements: the
            findings (when given as a function), the reference graph, written into ``b`` (no
            agreement graph reads what it writes), and the findings graph, in a builder that
            has seen what ``b`` had before it (as :func:`_findings` in ``b`` would)."""
            listed = list(findings())
            b.use(b.graph("reference"))
            reference(b, orgs, entries, flows, releases, _paths(entries, flows, releases, listed))
            if listed:
                found.seen = seen
                _findings(found, entries, flows, listed)
                found.use(None)
                found.seal()

        def build(_: None, picked: list[int]) -> list[Sent]:
            """The agreement graphs of some groups, each group sealed in a builder of its own,
            its statements handed back through the group's
            :class:`~dataflow_graph._speed.HandBack`."""
            sent: list[Sent] = []
            for i in picked:
                part = RdfText(b.base, entry_keys=b.entry_keys, files=b.files, release_keys=b.release_keys)
                _agreements(part, groups[i], by_agreement, roles)
                part.use(None)
                part.seal()
                graphs = list(part.statements.items())
                handed = hands[i].put([chunk for _, chunks in graphs for chunk in chunks])
                sent.append(([(g, len(chunks)) for g, chunks in graphs], handed, part.open))
            return sent

        done = fork_pool_map(
            build, None, list(range(len(groups))), workers=workers, chunks_per_worker=GROUPS_PER_WORKER, first=here
        )
        for hand, (graphs, handed, open_nodes) in zip(hands, (s for job in done for s in job), strict=True):
            chunks = iter(hand.take(handed))
            b.statements.update((g, [next(chunks) for _ in range(n)]) for g, n in graphs)
            b.open.update(open_nodes)
        for g, statements in found.statements.items():
            b.statements.setdefault(g, []).extend(statements)
        for g, nodes in found.open.items():
            b.open.setdefault(g, {}).update(nodes)
    b.use(None)
    b.seal()


def _findings(b: RdfText, entries: list[Entry], flows: list[Flow], findings: list[Convergence]) -> None:
    """The findings graph, when there are findings."""
    if findings:
        b.use(b.graph("findings"))
        defined = _described(entries, flows)
        for found in findings:
            finding(b, found, defined)


def _roles(
    by_agreement: ByAgreement, orgs: dict[str, Organisation], headed: Mapping[str, Sequence[str]]
) -> dict[str, Roles]:
    """Each agreement's roles; the organisations they name, and the parents and successors
    of every organisation, are added to ``orgs`` (from the reviewed gazetteer where it has them)."""
    names = gazetteer()
    resolver = names.fresh()
    known: dict[str, Organisation] = {}
    for org_id in sorted(orgs):  # a name two organisations share goes to the first by id
        for name in (orgs[org_id].name, *orgs[org_id].aliases):
            known.setdefault(organisation_key(name), orgs[org_id])
    resolved: dict[str, Organisation] = {}

    def resolve(name: str) -> Organisation:
        """The records' own organisation of that name, else the gazetteer's."""
        got = resolved.get(name)
        if got is None:
            got = resolved[name] = known.get(organisation_key(name)) or resolver.resolve(name)
        return got

    roles = {}
    for core in sorted(by_agreement):
        entries, flows, _ = by_agreement[core]
        roles[core], named = agreement_roles(entries, flows, resolve, headed)
        for org in named:
            orgs.setdefault(org.id, org)
    linked = sorted({i for o in orgs.values() for i in (o.part_of, o.successor) if i and i not in orgs})
    while linked:
        org_id = linked.pop()
        if org_id not in orgs and org_id in names.by_id:
            org = orgs[org_id] = names.by_id[org_id]
            linked += [i for i in (org.part_of, org.successor) if i and i not in orgs]
    return roles


def _paths(entries: list[Entry], flows: list[Flow], releases: list[Release], findings: list[Convergence]) -> set[str]:
    """Every file path the records' evidence gives."""
    paths = {e.source for e in entries} | {r.source for r in releases}
    for f in flows:
        paths |= {h.evidence.path for h in f.hops}
        paths |= {s.path for s in (f.opt_outs_evidence, f.until_evidence) if s is not None}
    for c in findings:
        paths |= {cited.source for q in c.qualifiers for cited in q.evidence}
        for side in (*c.identifiable, *c.pseudonymised):
            if side.opt_outs_found is not None:
                paths |= {cited.source for cited in side.opt_outs_found.evidence}
    return paths


def _described(entries: list[Entry], flows: list[Flow]) -> set[Place]:
    """The lines the agreement graphs describe as evidence (entries' titles, hops, flows)."""
    places: set[Place] = set()
    for e in entries:
        span = e.span
        places.add((e.source, e.line, span.col if span else 1, span.text if span and span.text else e.title))
    for f in flows:
        places |= {(h.evidence.path, h.evidence.line, h.evidence.col, h.evidence.text) for h in f.hops}
        places |= {(s.path, s.line, s.col, s.text) for s in (f.opt_outs_evidence, f.until_evidence) if s is not None}
    return places


def _start_methods() -> list[str]:
    """How this platform can start processes (the RDF is built in forked workers only: they
    inherit the records and the builders' closures, which cannot be pickled)."""
    import multiprocessing

    return multiprocessing.get_all_start_methods()


def _split(cores: list[str], by_agreement: ByAgreement, runs: int) -> list[list[str]]:
    """Agreements in ``runs`` consecutive runs of about equal work (one run when that would not
    pay): an agreement's work is about one unit per flow, hop and released file."""
    if runs < 2 or len(cores) < PARALLEL_FROM:
        return [cores]
    weight = [1 + sum(1 + len(f.hops) for f in by_agreement[c][1]) + len(by_agreement[c][2]) for c in cores]
    share, done = sum(weight) / runs, 0
    parts: list[list[str]] = []
    run: list[str] = []
    for core, w in zip(cores, weight, strict=True):
        run.append(core)
        done += w
        if done >= share * (len(parts) + 1) and len(parts) < runs - 1:
            parts.append(run)
            run = []
    return [p for p in (*parts, run) if p]


def _agreements(b: RdfText, cores: list[str], by_agreement: ByAgreement, roles: Mapping[str, Roles]) -> None:
    """The named graph of each agreement of ``cores``."""
    for core in cores:
        b.use(b.graph(core))
        agreement(b, core, *by_agreement[core], roles[core])
