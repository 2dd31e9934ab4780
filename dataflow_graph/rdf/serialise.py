"""The output formats: the same triples give the same bytes, on every run, under any PYTHONHASHSEED.

Turtle and TriG are :class:`~dataflow_graph.rdf.turtle.RdfText` written in a fixed order
(:func:`~dataflow_graph.rdf.turtle.write`); N-Triples, N-Quads and JSON-LD are read from that
text by Oxigraph and written sorted.  An rdflib graph or a pyoxigraph store is first turned
into the same text, so every source of the same triples gives the same bytes.

>>> from dataflow_graph.examples import two_copies
>>> from dataflow_graph.rdf.store import to_rdf
>>> ex = two_copies()
>>> ds = to_rdf(ex.entries, ex.flows, ex.organisations)
>>> serialise(ds, "turtle").splitlines()[0]
b'@prefix dcat: <http://www.w3.org/ns/dcat#> .'
>>> serialise(ds, "nt") == serialise(to_rdf(ex.entries, ex.flows, ex.organisations), "nt")
True
"""

from __future__ import annotations

from collections.abc import Iterator

import pyoxigraph as ox
from oxrdflib import OxigraphStore
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.term import Node

from ..errors import DataflowGraphError, UsageError
from .jsonld import jsonld
from .store import oxigraph_store
from .turtle import (
    XSD_STRING,
    RdfText,
    graph_order,
    open_statements,
    prefix_lines,
    ttl_iri,
    ttl_literal,
    ttl_predicate,
    write,
)
from .vocab import PREFIXES

__all__ = ["FORMATS", "parse_rdf", "serialise", "union_graph"]

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


def serialise(ds: RdfText | Graph | ox.Store, fmt: str = "turtle", *, flat: bool = False) -> bytes:
    """The graph as bytes that are the same on every run and under every PYTHONHASHSEED.

    Turtle and TriG are written here: prefixes sorted, subjects sorted, each subject's
    ``predicate object`` pairs sorted and without repeats, integers and booleans bare.
    N-Triples and N-Quads lines are sorted (N-Quads by graph first); JSON-LD has a context
    of readable terms (:mod:`.jsonld`), keys sorted, its named graphs as graph objects, or
    with ``flat`` every triple in the default graph.
    Triple formats (``turtle``, ``nt``) carry the union of the named graphs.  The same
    triples give the same bytes whether they come as :class:`RdfText` (the fast path,
    :func:`~dataflow_graph.rdf.graphs.records_rdf`), an rdflib graph or a pyoxigraph store.

    Parameters
    ----------
    ds : RdfText, rdflib.Graph, rdflib.Dataset or pyoxigraph.Store
    fmt : str
        ``turtle``, ``nt``, ``jsonld``, ``trig`` or ``nquads`` (see :data:`FORMATS`).
    flat : bool
        JSON-LD only: write the union of the graphs as the default graph.

    Raises
    ------
    UsageError
        For an unknown format, or ``flat`` with another format than JSON-LD.
    DataflowGraphError
        If the graph holds a blank node.
    """
    name = FORMATS.get(fmt.lower())
    if name is None:
        raise UsageError(f"unknown RDF format {fmt!r}; expected one of {', '.join(sorted(FORMATS))}")
    if flat and name != "jsonld":
        raise UsageError(f"flat applies to JSON-LD only, not {fmt!r} (Turtle and N-Triples are one graph already)")
    text = ds if isinstance(ds, RdfText) else _store_text(oxigraph_store(ds))
    if name in ("turtle", "trig"):
        return write(text, trig=name == "trig")
    if name == "nt":
        return _sorted_lines(_ntriples(write(text, trig=False)))
    if name == "nquads":
        return b"".join(_nquads(g, lines) for g, lines in _graph_lines(text))
    if flat:
        return jsonld([(None, _sorted_lines(_ntriples(write(text, trig=False))))], base=text.base)
    return jsonld(_graph_lines(text), base=text.base)


def _ntriples(turtle: bytes) -> bytes:
    """Turtle to N-Triples, as Oxigraph writes them."""
    return ox.serialize(ox.parse(turtle, format=ox.RdfFormat.TURTLE), format=ox.RdfFormat.N_TRIPLES) or b""


def _sorted_lines(data: bytes) -> bytes:
    """The distinct non-empty lines of ``data``, sorted, each ended by a newline."""
    lines = sorted(set(data.splitlines()))
    if lines and lines[0] == b"":
        lines = lines[1:]
    return b"".join(line + b"\n" for line in lines)


def _graph_lines(text: RdfText) -> Iterator[tuple[str | None, bytes]]:
    """Each graph's IRI (None: the default graph, first) and its sorted N-Triples lines, by IRI."""
    text.seal()
    prefixes = prefix_lines().encode()
    for g in graph_order(text):
        body = b"".join([*text.statements.get(g, ()), *open_statements(text.open.get(g, {}))])
        if body:
            yield (None if g is None else g[1:-1]), _sorted_lines(_ntriples(prefixes + body))


def _nquads(graph: str | None, lines: bytes) -> bytes:
    """N-Triples lines as N-Quads of ``graph`` (None: the default graph)."""
    if graph is None:
        return lines
    suffix = f" <{graph}> .\n".encode()
    return b"".join(line[:-2] + suffix for line in lines.splitlines())


def _store_text(store: ox.Store) -> RdfText:
    """The quads of a store as :class:`RdfText`, every node open (so repeats fall away)."""
    text = RdfText()
    iris: dict[str, str] = {}

    def term(node: object) -> str:
        """A store term in Turtle form (IRIs remembered)."""
        if isinstance(node, ox.NamedNode):
            got = iris.get(node.value)
            if got is None:
                got = iris[node.value] = ttl_iri(node.value)
            return got
        if isinstance(node, ox.Literal):
            return ttl_literal(node.value, node.datatype.value, node.language)
        raise DataflowGraphError(f"blank node {node} in the graph; mint an IRI instead")

    current: object = False  # no graph yet
    for q in store:
        graph = q.graph_name
        if graph != current:
            current = graph
            text.use(None if isinstance(graph, ox.DefaultGraph) else f"<{graph.value}>")
        text.subject(term(q.subject)).append(f"{ttl_predicate(q.predicate.value)} {term(q.object)}")
    return text


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
    """All triples of every named graph in one plain rdflib graph (pyshacl, isomorphism).

    From a pyoxigraph store the terms are made directly (each once), which is about three
    times faster than writing N-Triples and parsing them back with rdflib.
    """
    g = Graph()
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns, override=True, replace=True)
    store = ds if isinstance(ds, ox.Store) else oxigraph_store(ds) if _is_oxigraph(ds) else None
    if store is None:
        g.parse(data=serialise(ds, "nt"), format="nt")
        return g
    terms: dict[object, Node] = {}

    def term(node: object) -> Node:
        """The rdflib term of a store term (remembered: IRIs recur on every hop)."""
        got = terms.get(node)
        if got is None:
            got = terms[node] = _rdflib_term(node)
        return got

    seen: set[tuple[object, object, object]] = set()
    triples = []
    for q in store:
        key = (q.subject, q.predicate, q.object)
        if key not in seen:
            seen.add(key)
            triples.append((term(q.subject), term(q.predicate), term(q.object), g))
    g.addN(triples)
    return g


def _is_oxigraph(ds: Graph) -> bool:
    """Whether an rdflib graph is backed by Oxigraph (its store can be read directly)."""
    return isinstance(ds.store, OxigraphStore)


def _rdflib_term(node: object) -> Node:
    """A pyoxigraph IRI or literal as rdflib makes it from N-Triples (no blank nodes)."""
    if isinstance(node, ox.NamedNode):
        return URIRef(node.value)
    if isinstance(node, ox.Literal):
        if node.language:
            return Literal(node.value, lang=node.language)
        datatype = node.datatype.value
        return Literal(node.value, datatype=None if datatype == XSD_STRING else URIRef(datatype))
    raise DataflowGraphError(f"blank node {node} in the graph; mint an IRI instead")
