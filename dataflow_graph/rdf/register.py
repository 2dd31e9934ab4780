"""The RDF of a register, from its records: what :mod:`dataflow_graph.api` calls.

One function per RDF command (``dfg export --format turtle``, ``dfg check``, ``dfg sparql``,
``dfg push``), each taking the register's typed :class:`Records`: entries, flows,
organisations, released files and the convergence findings of :mod:`dataflow_graph.graph`.

Importing this module loads neither rdflib nor Oxigraph (about half a second): each function
imports what it needs when first called, so ``dfg`` commands without RDF start without them.

>>> from dataflow_graph.examples import two_copies
>>> ex = two_copies()
>>> records = Records(ex.entries, ex.flows, list(ex.organisations.values()))
>>> export_rdf(records, "nt") == export_rdf(records, "n-triples")
True
>>> check(records)
[]
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import UsageError
from ..graph import Convergence
from ..model import Entry, Flow, Organisation, Release
from . import DEFAULT_BASE
from .protocol import DEFAULT_MAX_BODY, DEFAULT_TIMEOUT

if TYPE_CHECKING:
    from pyoxigraph import Store

    from .push import PushResult
    from .shacl import Violation
    from .turtle import RdfText

__all__ = ["DEFAULT_BASE", "Records", "check", "export_rdf", "push", "rdf_store", "rdf_text", "sparql"]


@dataclass(frozen=True, slots=True)
class Records:
    """What the RDF of a register is a projection of."""

    entries: Sequence[Entry]
    flows: Sequence[Flow]
    #: Every organisation named by a flow (those only named by hops are added from the hops).
    organisations: Sequence[Organisation]
    releases: Sequence[Release] = ()
    #: Convergence findings, written to the ``findings`` graph; or a function giving them,
    #: called while worker processes build the agreement graphs (the findings of a register
    #: are worked out meanwhile, not before: about a sixth of a 10k Turtle export).
    convergences: Sequence[Convergence] | Callable[[], Sequence[Convergence]] = ()
    #: The SHA-256 of each input file's bytes, by the path the records give it (files are
    #: named by their bytes, never by the path they were given by).
    sources: Mapping[str, str] = field(default_factory=dict)
    #: By entry id, the names its "Data Processor N – X" headings give its processors, as the
    #: extractor reads them (:func:`dataflow_graph.extract.heading_processors`).
    headed: Mapping[str, Sequence[str]] = field(default_factory=dict)


def rdf_text(records: Records, *, base: str = DEFAULT_BASE) -> RdfText:
    """The register's triples as text: entries, agreements, organisations, datasets, flows,
    hops, evidence, released files, concept schemes and convergence findings (see :mod:`.graphs`)."""
    from .graphs import records_rdf

    return records_rdf(
        records.entries,
        records.flows,
        records.organisations,
        releases=records.releases,
        findings=records.convergences,
        sources=records.sources,
        base=base,
        headed=records.headed,
    )


def rdf_store(records: Records, *, base: str = DEFAULT_BASE) -> Store:
    """The register as RDF in an in-memory pyoxigraph store (see :func:`rdf_text`)."""
    from .store import text_store

    return text_store(rdf_text(records, base=base), consume=True)


def export_rdf(records: Records, fmt: str, *, base: str = DEFAULT_BASE, flat: bool = False) -> bytes:
    """Turtle, N-Triples, JSON-LD, TriG or N-Quads; the same bytes for the same input.

    ``flat`` writes JSON-LD with every triple in the default graph (no named graphs).

    Raises
    ------
    UsageError
        For an unknown format or base IRI, or ``flat`` with another format than JSON-LD.
    """
    from .._speed import cyclic_gc_paused
    from .serialise import serialise

    text = rdf_text(records, base=base)
    with cyclic_gc_paused():  # joining bytes makes nothing cyclic; a full pass would scan every record
        return serialise(text, fmt, flat=flat)


def check(records: Records, *, base: str = DEFAULT_BASE, engine: str = "sparql") -> list[Violation]:
    """SHACL violations of the register's RDF (``ontology/shapes.ttl``) and the results of the
    cross-node checks (``ontology/checks/``), each with its entry, file and line.  ``engine``:
    see :func:`~dataflow_graph.rdf.shacl.validate`."""
    from dataclasses import replace

    from .iris import base_name
    from .shacl import validate

    shown: dict[str, list[str]] = {}
    for path in records.sources:
        shown.setdefault(base_name(path), []).append(path)
    if engine == "sparql":  # in pieces where one pass would not fit (:func:`.pieces.in_pieces`)
        from .pieces import check_text

        found = check_text(rdf_text(records, base=base), base=base)
    else:
        found = validate(rdf_store(records, base=base), engine=engine)
    return [_shown_at(v, shown, replace) for v in found]


def _shown_at(v: Violation, shown: Mapping[str, list[str]], replace: Callable[..., Violation]) -> Violation:
    """A violation located at the path the file was read by (RDF keeps only its base name)."""
    if v.source is None:
        return v
    name, sep, sheet = v.source.partition("#")
    paths = shown.get(name, [])
    return replace(v, source=f"{paths[0]}{sep}{sheet}") if len(paths) == 1 else v


def sparql(
    query: str,
    bindings: Mapping[str, str] | None = None,
    *,
    records: Callable[[], Records],
    key: Callable[[], str],
    allow_update: bool = False,
    endpoint: str | None = None,
    store: str | Path | None = None,
    base: str = DEFAULT_BASE,
    timeout: float = DEFAULT_TIMEOUT,
) -> list[dict[str, object]]:
    """Run a named query (``ontology/queries/NAME.rq``) or a query file, with bindings.

    Parameters
    ----------
    query
        A named query or the path of a ``.rq`` file.
    bindings
        Variable name to value, bound, never formatted into the query.
    records
        Reads the register (called only when the query runs here, and the store is not
        cached yet).
    key
        What the records depend on (the code, the library versions, the ontology, the read
        limits, each input's bytes), as text: with the base IRI it keys the cached store
        (called only with ``store``).
    allow_update
        Without it a SPARQL Update is refused; never allowed with ``store`` (a cached store
        must stay what its input gives).
    endpoint
        Run at this SPARQL 1.1 server instead (read-only; ``records`` and ``key`` unused).
    store
        Keep an on-disk Oxigraph store under this folder, built once per input and reused
        (:mod:`.cache`: shared safely by concurrent processes, opened read-only).
    base
        Base IRI of minted nodes.
    timeout
        With ``endpoint``: seconds for the whole request.

    Raises
    ------
    UsageError
        For ``allow_update`` with ``store``, an unknown query, a query file that cannot be read.
    """
    from .sparql import query_text, run

    if store and allow_update:
        raise UsageError(
            "--allow-update cannot be used with --store: a cached store must stay what its input gives "
            "(run the update without --store)"
        )
    text = query_text(query)
    if endpoint:
        from .endpoint import run_endpoint

        return run_endpoint(endpoint, text, bindings, timeout=timeout)
    if store:
        from .cache import cached_store, input_key

        kept = cached_store(store, input_key([f"base={base}", key()]), lambda: rdf_store(records(), base=base))
        return run(kept, text, bindings)
    return run(rdf_store(records(), base=base), text, bindings, allow_update=allow_update)


def push(
    records: Records,
    endpoint: str,
    *,
    method: str = "update",
    base: str = DEFAULT_BASE,
    store_url: str | None = None,
    update_url: str | None = None,
    query_url: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    max_body: int = DEFAULT_MAX_BODY,
    on_pushed: Callable[[PushResult], object] | None = None,
) -> list[PushResult]:
    """Load the register into a SPARQL 1.1 server, one named graph per agreement, each
    replaced whole (a failed push leaves the previous graph, never half) and confirmed by
    its triple count at the server.

    See :func:`dataflow_graph.rdf.push.push` for the methods, the guarantees and errors.
    """
    from .push import push as push_graphs

    return push_graphs(
        rdf_store(records, base=base),
        endpoint,
        method=method,
        store_url=store_url,
        update_url=update_url,
        query_url=query_url,
        timeout=timeout,
        max_body=max_body,
        on_pushed=on_pushed,
    )
