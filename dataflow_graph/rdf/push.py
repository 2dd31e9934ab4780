"""Load the RDF export into a SPARQL 1.1 server, one named graph per agreement, each whole, and
report as pushed only what the server confirms.

Two ways to replace a graph ``<g>``, both plain HTTP (:mod:`.protocol`, no extra dependency):

``method="update"`` (default)
    If the update fits in ``max_body`` bytes (:data:`~.protocol.DEFAULT_MAX_BODY`, 64 MiB;
    Oxigraph refuses bodies over 128 MiB), one SPARQL 1.1 Update request ``DROP SILENT GRAPH
    <g> ; INSERT DATA { GRAPH <g> { ... } }``.  A request is one transaction in Oxigraph,
    Fuseki, GraphDB and Virtuoso, so a push that fails or is cut off leaves ``<g>`` with its
    previous triples or with all the new ones, never part of them.

    A larger graph is built over several requests in a staging graph of its own
    (:func:`staging_graph`, ``urn:dataflow-graph:push-staging:`` and a digest of ``<g>``):
    the first request empties it, each adds a slice of the triples, its triple count is
    checked, and one ``MOVE`` request (one transaction) puts it in place of ``<g>``.  ``<g>``
    is still never half; but until the ``MOVE``, queries that read the union of the named
    graphs also see the staging graph's partial triples, and if the push is cut off then
    (the client or the server killed) they stay there until the next push of ``<g>``, which
    drops them first.  A failure the client sees drops them at once.
``method="gsp"``
    Graph Store Protocol ``PUT <store>?graph=<g>`` with an N-Triples body, never split.
    Whether that is atomic is up to the server: Fuseki and RDF4J/GraphDB run it in one
    transaction, but Oxigraph (0.5) clears the graph and then loads the body in a second
    transaction, so a PUT cut off mid-body leaves an empty graph there.  Use it for servers
    without an update endpoint, or for speed where a half graph is acceptable.

**Confirmed, not assumed.**  After each graph's requests, its triples are counted at the
query endpoint (``SELECT (COUNT(*) ...) WHERE { GRAPH <g> { ?s ?p ?o } }``); a graph is
reported pushed (``on_pushed``, and in the result) only when the server holds exactly the
triples sent.  A redirect that would turn the request into a GET without its body is refused
(:mod:`.protocol`), and every request has a total deadline (``timeout``).  On the first
failure, :class:`PushError` says which graph failed, in what state it is left, which graphs
before it are confirmed and how many after it were not sent.

The body is the graph's N-Triples, sorted; the IRIs were minted from content and there are
no blank nodes, so pushing the same register twice sends the same bytes.
"""

from __future__ import annotations

import hashlib
import time
import urllib.parse
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import Graph, URIRef

from ..errors import DataflowGraphError, UsageError
from .endpoint import post_query, sparql_term
from .protocol import DEFAULT_MAX_BODY, DEFAULT_TIMEOUT, EndpointError, check_url, send
from .store import oxigraph_store

__all__ = ["PushError", "PushResult", "graph_payloads", "push", "staging_graph", "update_request"]


class PushError(DataflowGraphError):
    """A graph the server did not take or did not confirm; the graphs before it are confirmed."""

    def __init__(
        self,
        graph: str,
        message: str,
        status: int | None = None,
        *,
        state: str = "",
        pushed: tuple[str, ...] = (),
        unsent: int = 0,
    ) -> None:
        self.graph = graph
        #: Why it failed, in one line.
        self.reason = message
        self.status = status
        #: What the failed graph holds now, as far as the client can tell.
        self.state = state
        #: The graphs pushed and confirmed before the failure, in order.
        self.pushed = pushed
        #: How many graphs after the failed one were not sent.
        self.unsent = unsent
        text = f"push of <{graph}> failed: {message}"
        if state:
            text += f"; {state}"
        if pushed or unsent:
            text += f" ({len(pushed)} graphs before it pushed and confirmed, {unsent} after it not sent)"
        super().__init__(text)


@dataclass(frozen=True, slots=True)
class PushResult:
    """One graph replaced on the server, and the triple count the server confirmed."""

    graph: str
    triples: int
    bytes: int
    status: int
    seconds: float
    #: Triples the server holds in the graph after the push (equal to ``triples``).
    confirmed: int = 0
    #: Requests that wrote the graph (more than one when its update was split).
    requests: int = 1

    def as_dict(self) -> dict[str, object]:
        """The result as JSON-ready values."""
        return {
            "graph": self.graph,
            "triples": self.triples,
            "confirmed": self.confirmed,
            "bytes": self.bytes,
            "requests": self.requests,
            "status": self.status,
            "seconds": round(self.seconds, 3),
        }


def graph_payloads(ds: Graph | ox.Store, graphs: Iterable[str] | None = None) -> list[tuple[str, bytes]]:
    """Each named graph's IRI and sorted N-Triples, sorted by IRI (the default graph is skipped)."""
    store = oxigraph_store(ds)
    wanted = set(graphs) if graphs is not None else None
    out = []
    for g in sorted(store.named_graphs(), key=lambda n: n.value):
        if wanted is not None and g.value not in wanted:
            continue
        data = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=g) or b""
        lines = sorted(set(data.splitlines()) - {b""})
        out.append((g.value, b"".join(line + b"\n" for line in lines)))
    return out


def update_request(graph: str, ntriples: bytes) -> bytes:
    """The SPARQL Update that replaces ``graph`` with the given N-Triples in one request.

    >>> print(update_request("https://example.org/g", b'<a:s> <a:p> "o" .\\n').decode())
    DROP SILENT GRAPH <https://example.org/g> ;
    INSERT DATA { GRAPH <https://example.org/g> {
    <a:s> <a:p> "o" .
    } }
    <BLANKLINE>
    """
    return _drop(graph) + b" ;\n" + _insert(graph, ntriples)


def staging_graph(graph: str) -> str:
    """The graph a too-large update of ``graph`` is built in before one ``MOVE`` (the same for
    every push of ``graph``, so the next push drops what a cut-off one left).

    >>> staging_graph("https://example.org/g")
    'urn:dataflow-graph:push-staging:17a9812f3fddc01548ad6962aecb4e34'
    """
    return "urn:dataflow-graph:push-staging:" + hashlib.sha256(graph.encode("utf-8")).hexdigest()[:32]


def _term(graph: str) -> bytes:
    """``<graph>``, if ``graph`` is an absolute IRI (:func:`~.endpoint.sparql_term`)."""
    try:
        return sparql_term(URIRef(graph)).encode("utf-8")
    except UsageError as exc:
        raise UsageError(f"graph name {graph!r} is not an absolute IRI") from exc


def _drop(graph: str) -> bytes:
    return b"DROP SILENT GRAPH " + _term(graph)


def _insert(graph: str, ntriples: bytes) -> bytes:
    return b"INSERT DATA { GRAPH " + _term(graph) + b" {\n" + ntriples + b"} }\n"


@dataclass(frozen=True, slots=True)
class _Server:
    """Where to send what: the update, Graph Store and query URLs, and the limits."""

    update_url: str
    store_url: str
    query_url: str
    timeout: float
    max_body: int


def push(
    ds: Graph | ox.Store,
    endpoint: str,
    *,
    method: str = "update",
    store_url: str | None = None,
    update_url: str | None = None,
    query_url: str | None = None,
    graphs: Iterable[str] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    max_body: int = DEFAULT_MAX_BODY,
    on_graph: Callable[[str], object] | None = None,
    on_pushed: Callable[[PushResult], object] | None = None,
) -> list[PushResult]:
    """Replace each named graph of ``ds`` on a SPARQL 1.1 server, and confirm it by its count.

    Parameters
    ----------
    ds
        The export (:func:`dataflow_graph.rdf.store.to_rdf`) or a pyoxigraph store.
    endpoint
        The server's base URL; Oxigraph's layout is assumed for the defaults
        (``<endpoint>/update``, ``<endpoint>/store``, ``<endpoint>/query``).
    method
        ``"update"`` (atomic per graph on any SPARQL 1.1 Update server) or ``"gsp"``
        (Graph Store Protocol PUT; atomic only where the server makes it so).
    store_url, update_url, query_url
        Other servers' URLs, e.g. Fuseki ``http://host:3030/ds/data``, ``.../ds/update``,
        ``.../ds/query``.
    graphs
        Only these graph IRIs (default: all named graphs).
    timeout
        Seconds each request may take, connection to last byte.
    max_body
        Largest update body in bytes; a graph whose update is larger is built in a staging
        graph over several requests, then moved in place (see the module documentation).
    on_graph
        Called with each graph IRI just before its first request (progress, tests).
    on_pushed
        Called with each graph's result as soon as the server has confirmed it.

    Returns
    -------
    list of PushResult
        One per graph, in the order pushed (sorted by IRI), each confirmed by the server.

    Raises
    ------
    PushError
        On the first graph the server refuses, cannot be reached for, does not answer in
        time for, or does not confirm; it names the graph, its state, the graphs confirmed
        before it and how many were not sent.
    UsageError
        For a non-http(s) URL, an unknown method or a ``max_body`` under 1 KiB.
    """
    base = _base_url(endpoint)
    if method not in ("update", "gsp"):
        raise UsageError(f"unknown push method {method!r}; expected 'update' or 'gsp'")
    if max_body < 1024:
        raise UsageError(f"max_body {max_body} is too small; at least 1024 bytes")
    server = _Server(
        _base_url(update_url or f"{base}/update"),
        _base_url(store_url or f"{base}/store"),
        _base_url(query_url or f"{base}/query"),
        timeout,
        max_body,
    )
    payloads = graph_payloads(ds, graphs)
    results: list[PushResult] = []
    for n, (iri, body) in enumerate(payloads):
        if on_graph is not None:
            on_graph(iri)
        try:
            result = _push_graph(server, method, iri, body)
        except PushError as exc:
            raise PushError(
                iri,
                exc.reason,
                exc.status,
                state=exc.state,
                pushed=tuple(r.graph for r in results),
                unsent=len(payloads) - n - 1,
            ) from exc
        results.append(result)
        if on_pushed is not None:
            on_pushed(result)
    return results


def _base_url(url: str) -> str:
    """``url`` without a trailing slash, if it is http(s)."""
    try:
        return check_url(url).rstrip("/")
    except EndpointError as exc:
        raise UsageError(f"endpoint {url!r} is not an http(s) URL") from exc


def _push_graph(server: _Server, method: str, iri: str, body: bytes) -> PushResult:
    """Write one graph, count it at the server, and give its confirmed result."""
    start = time.perf_counter()
    triples = body.count(b"\n")
    if method == "gsp":
        query = urllib.parse.urlencode({"graph": _term(iri).decode("utf-8")[1:-1]})
        request = ("PUT", f"{server.store_url}?{query}", body, "application/n-triples")
        status = _write(server, iri, request, _GSP_STATE)
        requests = 1
    elif len(update := update_request(iri, body)) <= server.max_body:
        status = _write(server, iri, ("POST", server.update_url, update, _UPDATE), _UPDATE_STATE)
        requests = 1
    else:
        status, requests = _push_staged(server, iri, body, triples)
    confirmed = _count(server, iri)
    if confirmed != triples:
        raise PushError(
            iri,
            f"the server accepted it but holds {confirmed} triples in it, not the {triples} sent",
            state="what it holds is not what was sent; check the server",
        )
    return PushResult(iri, triples, len(body), status, time.perf_counter() - start, confirmed, requests)


_UPDATE = "application/sparql-update; charset=utf-8"
_UPDATE_STATE = "it holds its previous triples or all of the new ones, never part (one transaction)"
_NOT_SENT = "it was not delivered, so it is unchanged"
_GSP_STATE = "it may be empty or partial (a Graph Store PUT is not atomic on every server)"


def _write(server: _Server, iri: str, request: tuple[str, str, bytes, str], state: str) -> int:
    """Send one write request; its status, or :class:`PushError` saying what state ``iri`` is in."""
    method, url, body, kind = request
    try:
        return send(method, url, body=body, headers={"Content-Type": kind}, timeout=server.timeout).status
    except EndpointError as exc:
        raise PushError(iri, str(exc), exc.status, state=state if exc.sent else _NOT_SENT) from exc


def _push_staged(server: _Server, iri: str, body: bytes, triples: int) -> tuple[int, int]:
    """Build ``iri`` in its staging graph slice by slice, count it, move it in place; the last
    status and the number of requests."""
    staging = staging_graph(iri)
    budget = server.max_body - len(_drop(staging) + b" ;\n" + _insert(staging, b""))
    slices = list(_slices(body, budget))
    if len(slices) == 0 or max(map(len, slices)) > budget:
        size = max(len(line) + 1 for line in body.splitlines())
        raise PushError(iri, f"one triple of {size:,} bytes does not fit in the body limit", state=_NOT_SENT)
    try:
        for k, part in enumerate(slices):
            update = (_drop(staging) + b" ;\n" if k == 0 else b"") + _insert(staging, part)
            _write(server, iri, ("POST", server.update_url, update, _UPDATE), "it is unchanged")
        if (built := _count(server, staging)) != triples:
            raise PushError(iri, f"its staging graph holds {built} triples, not the {triples} sent")
    except PushError as exc:
        left = _drop_quietly(server, staging)
        raise PushError(iri, exc.reason, exc.status, state=f"it is unchanged; {left}") from exc
    # not SILENT: were the staging graph gone, MOVE would fail rather than empty <iri>
    move = b"MOVE GRAPH " + _term(staging) + b" TO GRAPH " + _term(iri) + b"\n"
    try:
        status = _write(server, iri, ("POST", server.update_url, move, _UPDATE), _UPDATE_STATE)
    except PushError as exc:
        if exc.state == _NOT_SENT:
            _drop_quietly(server, staging)
        raise
    return status, len(slices) + 1


def _slices(body: bytes, budget: int) -> Iterator[bytes]:
    """``body``'s lines in slices of at most ``budget`` bytes where lines allow (a longer line
    is a slice of its own)."""
    start = 0
    while start < len(body):
        cut = len(body) if start + budget >= len(body) else body.rfind(b"\n", start, start + budget) + 1
        if cut <= start:  # one line longer than the budget
            cut = body.find(b"\n", start) + 1 or len(body)
        yield body[start:cut]
        start = cut


def _drop_quietly(server: _Server, staging: str) -> str:
    """Drop a staging graph after a failure; what is left, in words."""
    try:
        send("POST", server.update_url, body=_drop(staging), headers={"Content-Type": _UPDATE}, timeout=server.timeout)
    except EndpointError:
        return f"its partial staging graph <{staging}> may be left on the server (the next push drops it)"
    return f"its partial staging graph <{staging}> was dropped"


def _count(server: _Server, graph: str) -> int:
    """The triples the server holds in ``graph`` (0 when it has no such graph)."""
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {_term(graph).decode('utf-8')} {{ ?s ?p ?o }} }}"
    try:
        rows = post_query(server.query_url, query, timeout=server.timeout)
    except DataflowGraphError as exc:
        raise PushError(
            graph, f"cannot count its triples at {server.query_url} to confirm it ({exc})", state="it is unconfirmed"
        ) from exc
    n = rows[0].get("n") if len(rows) == 1 else None
    if not isinstance(n, int):
        raise PushError(graph, f"{server.query_url} gave no triple count for it", state="it is unconfirmed")
    return n
