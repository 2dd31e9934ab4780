"""The facade for the CLI and notebooks: load, flows, paths, convergences, summaries, export.

Everything a user can do from ``dfg`` is one function here, and each returns records
(:mod:`dataflow_graph.model`, :mod:`dataflow_graph.graph`); the JSON documents, rows and
text of those records are built in :mod:`dataflow_graph.outputs`, and the CLI adds only I/O.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import IO

import networkx as nx

from . import graph as queries
from ._resources import embedded_path
from ._speed import cyclic_gc_paused
from .errors import Diagnostics, Severity, Span, UnknownOrganisationError, UsageError
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
from .read import expand_paths, month, open_text, parse_page, read_register, sniff_kind

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
        orgs = self.organisations()
        by_id = self.gazetteer.by_id
        extra = [by_id[o.successor] for o in orgs if o.successor and o.successor in by_id]
        return build_graph(self.flows, [*orgs, *extra])

    @cached_property
    def convergences(self) -> tuple[tuple[Convergence, ...], tuple[Excluded, ...]]:
        """Findings and pairs reported apart of the whole register (units rolled up)."""
        found, excluded = queries.convergences(self.graph)
        return tuple(found), tuple(excluded)

    @cached_property
    def _organisations(self) -> list[Organisation]:
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

    def organisations(self) -> list[Organisation]:
        """Every organisation named by a flow, reviewed ones and the rest, sorted by id.

        An unreviewed organisation keeps every spelling it was met under (sorted), so the
        result does not depend on which text named it first (nor on how the work was split
        across processes).  Computed once.
        """
        return self._organisations


def _display(path: Path, given: Path, base: Path | None) -> str:
    if base is not None:
        return str(Path("seeds") / path.relative_to(base))
    return str(path)


def load(paths: Sequence[str | Path] = (), *, strict: bool = False) -> Register:
    """Read register pages and official register files; the embedded seed when none given.

    Bad data is reported in ``register.diagnostics`` and never raises; at the end
    ``read == parsed + rejected`` holds.

    Examples
    --------
    >>> r = load()
    >>> len(r.entries), r.diagnostics.balanced
    (7, True)
    """
    register = Register()
    base = None
    if not paths:
        base = embedded_path("seeds")
        paths = [base]
    with cyclic_gc_paused():  # acyclic records: no collector passes while reading
        for given in map(Path, paths):
            if not given.exists():
                register.diagnostics.report(Span(str(given), 1, 1), "DFG110", "no such file or folder", Severity.ERROR)
                continue
            for path in expand_paths([given]):
                _load_file(register, path, _display(path, given, base))
    if not register.diagnostics.balanced:  # pragma: no cover - a bug, not bad data
        raise AssertionError(f"counts do not balance: {register.diagnostics.counts()}")
    return register


def _load_file(register: Register, path: Path, display: str) -> None:
    register.sources.append(display)
    try:
        with path.open("rb") as fh:
            head = fh.read(8192)
    except OSError as exc:
        register.diagnostics.report(Span(display, 1, 1), "DFG110", f"cannot read: {exc}", Severity.ERROR)
        return
    kind = sniff_kind(path, head)
    if kind in ("xlsx", "csv"):
        tables = read_register(path, display, register.diagnostics)
        register.entries.extend(tables.entries)
        register.releases.extend(tables.releases)
        return
    source = open_text(path, display, register.diagnostics)
    if source is None:
        return
    page, entries = parse_page(source, register.diagnostics)
    register.pages.append(page)
    register.entries.extend(entries)


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
    )


def file_findings(register: Register, *, recipient: str | None = None, family: str | None = None) -> list[FileFinding]:
    """Convergence from released files: one recipient, one family, identifiable and
    record-level de-identified files in one period, with the file rows as evidence."""
    if not register.releases:
        return []
    keys = queries.recipient_keys(register.graph, register.gazetteer, recipient) if recipient else None
    return queries.file_findings(register.releases, recipient=keys, family=family)


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
        org, _, mine = queries.release_recipient(
            name, names=register.gazetteer, releases=register.releases, unknown=exc
        )
        return queries.release_only_summary(org, mine)
    found, _ = convergences(register, recipient=node)
    keys = queries.name_keys(G.nodes[node]["organisation"])
    return queries.organisation_summary(
        G, node, entries=register.entries, findings=found, releases=queries.of_recipient(register.releases, keys)
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
        keys = queries.recipient_keys(register.graph, register.gazetteer, recipient)
        releases = queries.of_recipient(releases, keys)
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
) -> bytes:
    """Write the register in format ``fmt`` (a key of :data:`~dataflow_graph.outputs.formats.WRITERS`)
    to ``out`` (a path or a binary file), and return the bytes.

    ``base`` is the base IRI of RDF formats; the others say what the HTML page shows:
    ``focus`` is any alias of an organisation, ``during`` is ``YYYY-MM..YYYY-MM``, and the
    page's findings are those of :func:`convergences` and :func:`file_findings` for the
    same family and window.

    Raises
    ------
    UnknownOrganisationError
        If ``focus`` names no organisation (with suggestions).
    UsageError
        For an unknown format, or a malformed ``during``.
    """
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
        # TODO(lead, at merge): call rdf/ directly once the RDF glue below has moved there.
        return export_rdf(register, syntax, **({"base": base} if base else {}))

    source = formats.Exportable(register.graph, sources=tuple(register.sources), view=view, findings=findings, rdf=rdf)
    return formats.export(source, fmt, out)


# ---------------------------------------------------------------------------------------
# RDF, SHACL, SPARQL, push

DEFAULT_BASE = "https://w3id.org/dataflow-graph/id/"


@dataclass(frozen=True)
class _RdfFinding:
    """A convergence finding in the shape rdf.to_rdf records (flow ids per side)."""

    recipient: str
    family: str
    identifiable: tuple[str, ...]
    deidentified: tuple[str, ...]
    severity: int


def rdf_findings(register: Register) -> list[_RdfFinding]:
    found, _ = convergences(register)
    return [
        _RdfFinding(
            c.recipient_id,
            c.family,
            tuple(sorted({s.flow.id for s in c.identifiable})),
            tuple(sorted({s.flow.id for s in c.pseudonymised})),
            c.severity,
        )
        for c in found
    ]


def rdf_text(register: Register, *, base: str = DEFAULT_BASE) -> object:
    """The register's triples as text (:class:`~dataflow_graph.rdf.RdfText`): entries,
    agreements, organisations, datasets, flows, hops, evidence, released files and
    convergence findings."""
    from .rdf import mapping as rdf

    return rdf.records_rdf(
        register.entries,
        register.flows,
        register.organisations(),
        releases=register.releases,
        findings=rdf_findings(register),
        base=base,
    )


def rdf_store(register: Register, *, base: str = DEFAULT_BASE) -> object:
    """The register as RDF in a pyoxigraph store (see :func:`rdf_text`)."""
    from .rdf import mapping as rdf

    return rdf.text_store(rdf_text(register, base=base))  # type: ignore[arg-type]


def export_rdf(register: Register, fmt: str, *, base: str = DEFAULT_BASE) -> bytes:
    """Turtle, N-Triples, JSON-LD, TriG or N-Quads; the same bytes for the same input."""
    from .rdf import mapping as rdf

    return rdf.serialise(rdf_text(register, base=base), fmt)  # type: ignore[arg-type]


def check(register: Register, *, base: str = DEFAULT_BASE) -> list[object]:
    """SHACL violations of the register's RDF (ontology/shapes.ttl), each with its entry."""
    from .rdf import mapping as rdf

    return list(rdf.validate(rdf.as_dataset(rdf_store(register, base=base))))


def _input_chunks(paths: Sequence[str | Path], base: str) -> list[bytes | str]:
    files = expand_paths(paths or [embedded_path("seeds")])
    chunks: list[bytes | str] = [f"base={base}", f"version={_version()}"]
    for f in files:
        chunks += [str(f), f.read_bytes()]
    return chunks


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("dataflow-graph")
    except PackageNotFoundError:  # pragma: no cover - running from a checkout
        return "0"


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
    from .rdf import sparql as sq

    text = sq.query_text(query)
    if endpoint:
        return sq.run_endpoint(endpoint, text, bindings)
    if store:
        key = sq.input_key(_input_chunks(paths, base))
        target = sq.cached_store(store, key, lambda: rdf_store(load(paths), base=base))
        return sq.run(target, text, bindings, allow_update=allow_update)
    return sq.run(rdf_store(load(paths), base=base), text, bindings, allow_update=allow_update)


def push(
    register: Register,
    endpoint: str,
    *,
    method: str = "update",
    base: str = DEFAULT_BASE,
    store_url: str | None = None,
    update_url: str | None = None,
) -> list[object]:
    """Load the register into a SPARQL 1.1 server, one named graph per agreement, each
    replaced whole in one request (a failed push leaves the previous graph, never half)."""
    from .rdf import push as gsp

    return list(
        gsp.push(
            rdf_store(register, base=base),
            endpoint,
            method=method,  # type: ignore[arg-type]
            store_url=store_url,
            update_url=update_url,
        )
    )
