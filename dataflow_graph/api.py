"""The facade for the CLI and notebooks: load, flows, paths, convergences, summaries, export.

Everything a user can do from ``dfg`` is one function here, and each returns records
(:mod:`dataflow_graph.model`, :mod:`dataflow_graph.graph`); the JSON documents, rows and
text of those records are built in :mod:`dataflow_graph.outputs`, and the CLI adds only I/O.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import IO

import networkx as nx

from . import graph as queries
from ._resources import embedded_path
from .errors import Diagnostics, UnknownOrganisationError, UsageError
from .extract import Score, evaluate, extract_all, load_gold
from .graph import (
    AgreementSummary,
    Convergence,
    Direction,
    Excluded,
    FileFinding,
    FlowPath,
    Neighbour,
    OrganisationSummary,
    RedFlagReport,
    RollUp,
    build_graph,
)
from .model import Entry, Flow, FlowKind, Identifiability, Organisation, Page, Period, Release
from .names import Gazetteer, gazetteer
from .outputs import formats
from .rdf import DEFAULT_BASE
from .rdf import register as _rdf
from .read import expand_paths, month, read_inputs

__all__ = [
    "DEFAULT_DEPTH",
    "DEFAULT_SOURCE",
    "Direction",
    "Register",
    "RollUp",
    "agreement_summary",
    "convergences",
    "evaluate_gold",
    "export",
    "file_findings",
    "flows",
    "graph",
    "load",
    "neighbours",
    "organisation",
    "organisation_summary",
    "parse_during",
    "paths",
    "redflags",
    "resolve_organisation",
]


@dataclass
class Register:
    """Everything read from some inputs: entries, pages, released files, diagnostics, sources.

    What is derived from them (the flows, the flow graph, the organisations, the whole
    register's convergences) is computed once, when first asked for.
    """

    entries: list[Entry] = field(default_factory=list)
    pages: list[Page] = field(default_factory=list)
    releases: list[Release] = field(default_factory=list)
    diagnostics: Diagnostics = field(default_factory=Diagnostics)
    sources: list[str] = field(default_factory=list)
    names: Gazetteer | None = None
    #: The file each source name stands for (display name -> path read), where known.
    files: dict[str, Path] = field(default_factory=dict)

    @property
    def agreements(self) -> dict[str, list[str]]:
        """Agreement core -> entry ids, in input order."""
        out: dict[str, list[str]] = defaultdict(list)
        for e in self.entries:
            out[e.agreement].append(e.id)
        return dict(out)

    @property
    def gazetteer(self) -> Gazetteer:
        """The gazetteer this register resolves names with (its own fork of the reviewed one)."""
        if self.names is None:
            self.names = gazetteer().fork()
        return self.names

    @cached_property
    def flows(self) -> list[Flow]:
        """Flows extracted from every entry."""
        return extract_all(self.entries, self.gazetteer, self.diagnostics)

    @cached_property
    def graph(self) -> nx.MultiDiGraph:
        """The flow graph, with the successors of its organisations as nodes."""
        orgs = self.organisations
        by_id = self.gazetteer.by_id
        extra = [by_id[o.successor] for o in orgs if o.successor and o.successor in by_id]
        return build_graph(self.flows, [*orgs, *extra])

    @cached_property
    def convergences(self) -> tuple[tuple[Convergence, ...], tuple[Excluded, ...]]:
        """Findings and pairs reported apart of the whole register (units rolled up)."""
        found, excluded = queries.convergences(self.graph, facts=self.facts)
        return tuple(found), tuple(excluded)

    @cached_property
    def facts(self) -> queries.Facts:
        """What findings cite beyond the graph: the entries and the released files."""
        return queries.Facts.of(self.entries, self.releases)

    @cached_property
    def organisations(self) -> list[Organisation]:
        """Every organisation named by a flow, reviewed ones and the rest, sorted by id.

        An unreviewed organisation keeps every spelling it was met under (sorted), so the
        result does not depend on which text named it first (nor on how the work was split
        across processes).
        """
        seen: dict[str, Organisation] = {}
        spellings: dict[str, set[str]] = defaultdict(set)
        for flow in self.flows:
            for org in (o for hop in flow.hops for o in (hop.source, hop.target)):
                seen.setdefault(org.id, org)
                if not org.reviewed:
                    spellings[org.id].update(org.aliases)
        return [
            replace(seen[k], aliases=tuple(sorted(spellings[k]))) if k in spellings else seen[k] for k in sorted(seen)
        ]


def load(paths: Sequence[str | Path] = ()) -> Register:
    """Read register pages and official register files; the embedded seed when none given.

    Bad data is reported in ``register.diagnostics`` and never raises; at the end
    ``read == parsed + rejected`` holds.

    Examples
    --------
    >>> r = load()
    >>> len(r.entries), r.diagnostics.balanced
    (7, True)
    """
    given, shown_as = (list(paths), None) if paths else ([embedded_path("seeds")], "seeds")
    found = read_inputs(given, shown_as=shown_as)
    return Register(
        entries=found.entries,
        pages=found.pages,
        releases=found.releases,
        diagnostics=found.diagnostics,
        sources=found.sources,
        files=_files(given, shown_as, found.sources),
    )


def _files(given: Sequence[str | Path], shown_as: str | None, sources: Sequence[str]) -> dict[str, Path]:
    """The path behind each source name ``read_inputs`` gave (the files, walked the same way)."""
    paths = [p for g in map(Path, given) if g.exists() for p in expand_paths([g])]
    if len(paths) != len(sources):  # pragma: no cover - read_inputs walked differently
        return {}
    return dict(zip(sources, paths, strict=True))


def _digests(register: Register) -> dict[str, str]:
    """The SHA-256 of each file's bytes, by source name (what RDF names files by)."""
    out = {}
    for name in register.sources:
        path = register.files.get(name)
        if path is not None and path.is_file():
            out[name] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


# ---------------------------------------------------------------------------------------
# Flows, graph and queries

DEFAULT_SOURCE = "NHS Digital"
DEFAULT_DEPTH = 8


def _level(value: Identifiability | str | None) -> Identifiability | None:
    return Identifiability(value) if value else None


def flows(
    register: Register, *, family: str | None = None, identifiability: Identifiability | str | None = None
) -> list[Flow]:
    """Extracted flows, optionally only those carrying a family or at an identifiability.

    >>> [f.reference for f in flows(load(), family="sus", identifiability="identifiable")][:1]
    ['DARS-NIC-198119-X9P3J']
    """
    out = register.flows
    if family:
        out = [f for f in out if family.upper() in {x.upper() for x in f.families}]
    level = _level(identifiability)
    if level is not None:
        out = [f for f in out if f.identifiability is level]
    return out


def graph(register: Register) -> nx.MultiDiGraph:
    """The flow graph of the register (built once), with successors as nodes."""
    return register.graph


def resolve_organisation(register: Register, name: str) -> str:
    """The graph node for any alias, id or name, case-insensitive; suggestions if unknown.

    >>> resolve_organisation(load(), "thurrock ccg")
    'org:nhs-thurrock-ccg'
    """
    return queries.resolve_organisation(register.graph, register.gazetteer, name)


def organisation(register: Register, name: str) -> Organisation:
    """The organisation record of any alias, id or name (see :func:`resolve_organisation`)."""
    org: Organisation = register.graph.nodes[resolve_organisation(register, name)]["organisation"]
    return org


def parse_during(text: str | None) -> Period | None:
    """``2018-06..2018-09`` (or one month) as a Period; UsageError if malformed."""
    if not text:
        return None
    parts = text.split("..")
    months = [month(p) for p in parts]
    if len(parts) > 2 or any(m is None for m in months):
        raise UsageError(f"--during {text!r}: expected YYYY-MM..YYYY-MM or YYYY-MM")
    return Period(months[0], months[-1], text)


def paths(
    register: Register,
    target: str,
    *,
    source: str = DEFAULT_SOURCE,
    family: str | None = None,
    identifiability: Identifiability | str | None = None,
    purpose: str | None = None,
    kind: FlowKind | str | None = None,
    during: str | None = None,
    depth: int | None = DEFAULT_DEPTH,
) -> list[FlowPath]:
    """Routes from ``source`` (NHS Digital by default) to ``target``, hop by hop."""
    return queries.flow_paths(
        register.graph,
        resolve_organisation(register, source),
        resolve_organisation(register, target),
        family=family.upper() if family else None,
        identifiability=_level(identifiability),
        purpose=purpose,
        kind=FlowKind(kind) if kind else None,
        during=parse_during(during),
        depth=depth,
    )


def neighbours(
    register: Register, name: str, *, direction: Direction | str, depth: int | None = None
) -> list[Neighbour]:
    """``upstream`` (``direction="up"``) or ``downstream`` organisations of one organisation."""
    node = resolve_organisation(register, name)
    return queries.neighbours(register.graph, node, Direction(direction), depth=depth)


def convergences(
    register: Register,
    *,
    recipient: str | None = None,
    rollup: RollUp | str = RollUp.UNIT,
    family: str | None = None,
    during: str | None = None,
) -> tuple[list[Convergence], list[Excluded]]:
    """Convergence findings (DESIGN.md, "Convergence, precisely") and pairs reported apart."""
    rollup = RollUp(rollup)
    if recipient is None and rollup is RollUp.UNIT and family is None and during is None:
        found, excluded = register.convergences  # the whole register: found once
        return list(found), list(excluded)
    return queries.convergences(
        register.graph,
        recipient=resolve_organisation(register, recipient) if recipient else None,
        rollup=rollup,
        family=family.upper() if family else None,
        during=parse_during(during),
        facts=register.facts,
    )


def file_findings(register: Register, *, recipient: str | None = None, family: str | None = None) -> list[FileFinding]:
    """Convergence from released files: one recipient, one family, identifiable and
    record-level de-identified files in one period, with the file rows as evidence."""
    if not register.releases:
        return []
    org_id = queries.recipient_id(register.graph, register.gazetteer, recipient) if recipient else None
    return queries.file_findings(register.releases, recipient=org_id, family=family)


def evaluate_gold(register: Register, gold_path: str | Path) -> Score:
    """Score the register's flows against a gold YAML file."""
    text = Path(gold_path).read_text(encoding="utf-8")
    return evaluate(register.flows, load_gold(text), register.gazetteer)


# ---------------------------------------------------------------------------------------
# Summaries


def organisation_summary(register: Register, name: str) -> OrganisationSummary:
    """Everything known about one organisation across all entries and released files.

    An organisation no flow names is still found among the recipients of released files.
    """
    G = register.graph
    try:
        node = resolve_organisation(register, name)
    except UnknownOrganisationError as exc:
        org, mine = queries.release_recipient(name, releases=register.releases, unknown=exc)
        return queries.release_only_summary(org, mine)
    found, _ = convergences(register, recipient=node)
    return queries.organisation_summary(
        G, node, entries=register.entries, findings=found, releases=queries.of_recipient(register.releases, node)
    )


def agreement_summary(register: Register, reference: str) -> AgreementSummary:
    """Everything known about one agreement: its entries, flows, recipients, released files."""
    return queries.agreement_summary(
        reference, entries=register.entries, flows=register.flows, releases=register.releases
    )


def redflags(register: Register, *, recipient: str | None = None) -> RedFlagReport:
    """Files of one dataset sent to one recipient in one period with opt-outs applied and not."""
    releases: Sequence[Release] = register.releases
    if recipient:
        releases = queries.of_recipient(releases, queries.recipient_id(register.graph, register.gazetteer, recipient))
    return queries.redflag_report(releases)


# ---------------------------------------------------------------------------------------
# Export


def export(
    register: Register,
    fmt: str,
    out: str | Path | IO[bytes] | None = None,
    *,
    base: str | None = None,
    focus: str | None = None,
    family: str | None = None,
    identifiability: Identifiability | str | None = None,
    during: str | None = None,
    depth: int | None = None,
    title: str | None = None,
    flat: bool = False,
) -> bytes:
    """Write the register in format ``fmt`` (a key of :data:`~dataflow_graph.outputs.formats.WRITERS`)
    to ``out`` (a path or a binary file), and return the bytes.

    ``base`` is the base IRI of RDF formats and ``flat`` puts every JSON-LD triple in the
    default graph; the others say what the HTML page shows:
    ``focus`` is any alias of an organisation, ``during`` is ``YYYY-MM..YYYY-MM``, and the
    page's findings are those of :func:`convergences` and :func:`file_findings` for the
    same family and window.

    Raises
    ------
    UnknownOrganisationError
        If ``focus`` names no organisation (with suggestions).
    UsageError
        For an unknown format, a malformed ``during``, or ``flat`` with a format other than JSON-LD.
    """
    if flat and fmt.lower() not in ("jsonld", "json-ld"):
        raise UsageError(f"--flat applies to JSON-LD only, not {fmt!r}")
    node = resolve_organisation(register, focus) if focus else None
    view = formats.View(
        focus=node,
        family=family,
        identifiability=_level(identifiability),
        during=parse_during(during),
        depth=depth,
        title=title,
    )

    def findings() -> list[Convergence | FileFinding]:
        found, _ = convergences(register, family=family, during=during)
        return [*found, *file_findings(register, family=family)]

    def rdf(syntax: str) -> bytes:
        return _rdf.export_rdf(_rdf_records(register), syntax, base=base or DEFAULT_BASE, flat=flat)

    source = formats.Exportable(register.graph, sources=tuple(register.sources), view=view, findings=findings, rdf=rdf)
    return formats.export(source, fmt, out)


# ---------------------------------------------------------------------------------------
# RDF, SHACL, SPARQL, push: one call each into dataflow_graph.rdf.register, which loads
# rdflib and Oxigraph only when called.


def _rdf_records(register: Register) -> _rdf.Records:
    """What the register's RDF projects: entries, flows, organisations, released files, findings."""
    return _rdf.Records(
        register.entries,
        register.flows,
        register.organisations,
        register.releases,
        convergences(register)[0],
        _digests(register),
    )


def rdf_text(register: Register, *, base: str = DEFAULT_BASE) -> _rdf.RdfText:
    """The register's triples as text (:class:`~dataflow_graph.rdf.turtle.RdfText`): entries,
    agreements, organisations, datasets, flows, hops, evidence, released files and
    convergence findings."""
    return _rdf.rdf_text(_rdf_records(register), base=base)


def rdf_store(register: Register, *, base: str = DEFAULT_BASE) -> _rdf.Store:
    """The register as RDF in a pyoxigraph store (see :func:`rdf_text`)."""
    return _rdf.rdf_store(_rdf_records(register), base=base)


def export_rdf(register: Register, fmt: str, *, base: str = DEFAULT_BASE, flat: bool = False) -> bytes:
    """Turtle, N-Triples, JSON-LD, TriG or N-Quads; the same bytes for the same input
    (``flat``: JSON-LD with every triple in the default graph)."""
    return _rdf.export_rdf(_rdf_records(register), fmt, base=base, flat=flat)


def check(register: Register, *, base: str = DEFAULT_BASE) -> list[_rdf.Violation]:
    """SHACL violations of the register's RDF (ontology/shapes.ttl), each with its entry."""
    return _rdf.check(_rdf_records(register), base=base)


def sparql(
    paths: Sequence[str | Path],
    query: str,
    bindings: dict[str, str] | None = None,
    *,
    allow_update: bool = False,
    endpoint: str | None = None,
    store: str | None = None,
    base: str = DEFAULT_BASE,
) -> list[dict[str, object]]:
    """Run a named query (``ontology/queries/NAME.rq``) or a query file, with bindings.

    Locally over the register read from ``paths``; with ``store`` an on-disk Oxigraph store
    under that folder is built once per input and reused; with ``endpoint`` the query runs on
    a SPARQL 1.1 server instead. Bindings are passed as bindings, never formatted in.
    """
    return _rdf.sparql(
        query,
        bindings,
        records=lambda: _rdf_records(load(paths)),
        files=lambda: expand_paths(paths or [embedded_path("seeds")]),
        allow_update=allow_update,
        endpoint=endpoint,
        store=store,
        base=base,
    )


def push(
    register: Register,
    endpoint: str,
    *,
    method: str = "update",
    base: str = DEFAULT_BASE,
    store_url: str | None = None,
    update_url: str | None = None,
) -> list[_rdf.PushResult]:
    """Load the register into a SPARQL 1.1 server, one named graph per agreement, each
    replaced whole in one request (a failed push leaves the previous graph, never half)."""
    return _rdf.push(
        _rdf_records(register), endpoint, method=method, base=base, store_url=store_url, update_url=update_url
    )
