"""Pyoxigraph stores: built from the records' text or from rdflib graphs, viewed through rdflib
(the on-disk store of ``dfg sparql --store`` is :mod:`.cache`).

>>> from dataflow_graph.examples import two_copies
>>> ex = two_copies()
>>> ds = to_rdf(ex.entries, ex.flows, ex.organisations)
>>> sorted(str(g.identifier) for g in ds.graphs() if len(g))[:2]
['https://w3id.org/dataflow-graph/id/graph/NIC-00001-AAAAA', 'https://w3id.org/dataflow-graph/id/graph/NIC-00002-BBBBB']
>>> len(oxigraph_store(ds)) == len(records_store(ex.entries, ex.flows, ex.organisations))
True
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.term import Node

from ..errors import DataflowGraphError
from ..model import Entry, Flow, Organisation, Release
from . import DEFAULT_BASE
from .graphs import records_rdf
from .iris import segment
from .mapping import Finding
from .turtle import RdfText, graph_order, open_statements, prefix_lines, quoted, write
from .vocab import PREFIXES

__all__ = [
    "as_dataset",
    "inner_store",
    "ox_term",
    "oxigraph_store",
    "records_store",
    "text_store",
    "to_rdf",
]

#: An IRI or a literal, as pyoxigraph holds it.
OxTerm = ox.NamedNode | ox.Literal


def to_rdf(
    entries: Iterable[Entry],
    flows: Iterable[Flow],
    organisations: Iterable[Organisation] | Mapping[str, Organisation],
    *,
    releases: Iterable[Release] = (),
    findings: Iterable[Finding] = (),
    base: str = DEFAULT_BASE,
    headed: Mapping[str, Sequence[str]] | None = None,
) -> Dataset:
    """The register as an RDF dataset: one named graph per agreement, IRIs minted from content.

    Parameters
    ----------
    entries, flows, organisations, releases, findings, base, headed
        As for :func:`~dataflow_graph.rdf.graphs.records_rdf`.

    Returns
    -------
    rdflib.Dataset
        Backed by an in-memory pyoxigraph store (oxrdflib), with ``default_union=True`` so
        SPARQL over it sees every named graph.  :func:`oxigraph_store` gives the bare store.

    Raises
    ------
    UsageError
        If ``base`` is not an absolute IRI ending in ``/`` or ``#``.
    """
    store = records_store(entries, flows, organisations, releases=releases, findings=findings, base=base, headed=headed)
    return as_dataset(store)


def records_store(
    entries: Iterable[Entry],
    flows: Iterable[Flow],
    organisations: Iterable[Organisation] | Mapping[str, Organisation],
    *,
    releases: Iterable[Release] = (),
    findings: Iterable[Finding] = (),
    base: str = DEFAULT_BASE,
    store: ox.Store | None = None,
    headed: Mapping[str, Sequence[str]] | None = None,
) -> ox.Store:
    """The same quads as :func:`to_rdf`, in a bare pyoxigraph store (the fast path)."""
    text = records_rdf(entries, flows, organisations, releases=releases, findings=findings, base=base, headed=headed)
    return text_store(text, store)


def text_store(text: RdfText, store: ox.Store | None = None, *, consume: bool = False) -> ox.Store:
    """Load :class:`~dataflow_graph.rdf.turtle.RdfText` into a pyoxigraph store (Oxigraph parses it as TriG).

    With ``consume`` the text is loaded graph by graph and each graph's text dropped once
    loaded (the text is spent): the whole TriG document never exists, and the store grows
    into the memory the text frees.  On the 2017 workbook the peak of ``dfg check`` fell by
    about 75 MB so, and by about 5 MB more from emptying the two biggest memos of the text
    writer (quoted literals, IRI segments) and its remembered IRIs, refilled if a later
    call writes RDF again.
    """
    store = store if store is not None else ox.Store()
    if not consume:
        store.load(write(text, trig=True), format=ox.RdfFormat.TRIG)
        return store
    text.seal()
    for memo in (quoted, segment):  # the text is written: its biggest memos make room for the store
        memo.cache_clear()  # type: ignore[attr-defined]
    text.forget()
    prefixes = prefix_lines().encode()
    for g in graph_order(text):
        body = [*text.statements.pop(g, ()), *open_statements(text.open.pop(g, {}))]
        if body:
            chunk = b"".join([prefixes, *body] if g is None else [prefixes, f"{g} {{\n".encode(), *body, b"}\n"])
            body.clear()
            store.load(chunk, format=ox.RdfFormat.TRIG)
    return store


def as_dataset(store: ox.Store) -> Dataset:
    """An rdflib view of a pyoxigraph store: queries run in Oxigraph, union default graph."""
    from oxrdflib import OxigraphStore

    ds = Dataset(store=OxigraphStore(store=store), default_union=True)
    for prefix, ns in PREFIXES.items():
        ds.bind(prefix, ns, override=True, replace=True)
    return ds


def inner_store(graph_or_store: Graph | ox.Store) -> ox.Store | None:
    """The pyoxigraph store that holds ``graph_or_store`` (itself, or an Oxigraph-backed dataset's), or None."""
    if isinstance(graph_or_store, ox.Store):
        return graph_or_store
    from oxrdflib import OxigraphStore  # here: oxrdflib loads rdflib's SPARQL engine (~7 MB)

    store = graph_or_store.store
    if isinstance(store, OxigraphStore) and isinstance(graph_or_store, Dataset):
        return store._inner
    return None


def ox_term(term: Node, cache: dict[Node, OxTerm] | None = None) -> OxTerm:
    """An rdflib IRI or literal as a pyoxigraph term (remembered in ``cache`` when given).

    Raises
    ------
    DataflowGraphError
        For a blank node (every node is minted as an IRI) or any other kind of term.
    """
    got = cache.get(term) if cache is not None else None
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
    if cache is not None:
        cache[term] = got
    return got


def _ox_iri(term: Node, cache: dict[Node, OxTerm]) -> ox.NamedNode:
    """A subject, predicate or graph name as a pyoxigraph IRI (a literal there is an error)."""
    got = ox_term(term, cache)
    if not isinstance(got, ox.NamedNode):
        raise DataflowGraphError(f"literal {term.n3()} where RDF needs an IRI")
    return got


def oxigraph_store(ds: Graph | ox.Store) -> ox.Store:
    """The pyoxigraph store behind ``ds``, or a new one holding a copy of its quads."""
    if isinstance(ds, ox.Store):
        return ds
    from oxrdflib import OxigraphStore

    if isinstance(ds.store, OxigraphStore):
        return ds.store._inner
    cache: dict[Node, OxTerm] = {}
    default = ox.DefaultGraph()
    quads = []
    if isinstance(ds, Dataset):
        items: Iterable[tuple[Node, Node, Node, Graph | Node | None]] = ds.quads((None, None, None, None))
    else:
        items = ((s, p, o, None) for s, p, o in ds)
    for s, p, o, g in items:
        gid = g.identifier if isinstance(g, Graph) else g
        gn = default if gid is None or str(gid).startswith("urn:x-rdflib:") else _ox_iri(gid, cache)
        quads.append(ox.Quad(_ox_iri(s, cache), _ox_iri(p, cache), ox_term(o, cache), gn))
    store = ox.Store()
    store.extend(quads)
    return store
