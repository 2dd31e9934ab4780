"""Load the RDF export into a SPARQL 1.1 server, one named graph per agreement, each whole.

Two ways to replace a graph, both plain HTTP (urllib, no extra dependency):

``method="update"`` (default)
    One SPARQL 1.1 Update request per graph, ``DROP SILENT GRAPH <g> ; INSERT DATA { GRAPH
    <g> { ... } }``.  A request is one transaction in Oxigraph, Fuseki, GraphDB and Virtuoso,
    so a push that fails or is cut off leaves the previous graph as it was, never half of it.
``method="gsp"``
    Graph Store Protocol ``PUT <store>?graph=<g>`` with an N-Triples body.  Whether that is
    atomic is up to the server: Fuseki and RDF4J/GraphDB run it in one transaction, but
    Oxigraph (0.5) clears the graph and then loads the body in a second transaction, so a
    PUT cut off mid-body leaves an empty graph there.  Use it for servers without an update
    endpoint, or for speed where a half graph is acceptable.

The body is the graph's N-Triples, sorted; the IRIs were minted from content and there are
no blank nodes, so pushing the same register twice sends the same bytes.
"""

from __future__ import annotations

import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import Graph

from ..errors import DataflowGraphError, UsageError
from .store import oxigraph_store

__all__ = ["PushError", "PushResult", "graph_payloads", "push", "update_request"]


class PushError(DataflowGraphError):
    """A graph the server did not accept; graphs pushed before it stay pushed."""

    def __init__(self, graph: str, message: str, status: int | None = None) -> None:
        self.graph = graph
        self.status = status
        super().__init__(f"push of <{graph}> failed: {message}")


@dataclass(frozen=True, slots=True)
class PushResult:
    """One graph replaced on the server."""

    graph: str
    triples: int
    bytes: int
    status: int
    seconds: float

    def as_dict(self) -> dict[str, object]:
        """The result as JSON-ready values."""
        return {
            "graph": self.graph,
            "triples": self.triples,
            "bytes": self.bytes,
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
    iri = _check_iri(graph).encode("utf-8")
    return b"DROP SILENT GRAPH <" + iri + b"> ;\nINSERT DATA { GRAPH <" + iri + b"> {\n" + ntriples + b"} }\n"


def _check_iri(iri: str) -> str:
    """``iri`` itself, if it can be written between ``<`` and ``>``."""
    if any(c in iri for c in '<>"{}|\\^` \n\r\t') or ":" not in iri:
        raise UsageError(f"graph name {iri!r} is not an absolute IRI")
    return iri


def _check_url(url: str) -> str:
    """``url`` without a trailing slash, if it is http(s)."""
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise UsageError(f"endpoint {url!r} is not an http(s) URL")
    return url.rstrip("/")


def push(
    ds: Graph | ox.Store,
    endpoint: str,
    *,
    method: str = "update",
    store_url: str | None = None,
    update_url: str | None = None,
    graphs: Iterable[str] | None = None,
    timeout: float = 300.0,
    on_graph: Callable[[str], object] | None = None,
) -> list[PushResult]:
    """Replace each named graph of ``ds`` on a SPARQL 1.1 server, one request per graph.

    Parameters
    ----------
    ds
        The export (:func:`dataflow_graph.rdf.store.to_rdf`) or a pyoxigraph store.
    endpoint
        The server's base URL; Oxigraph's layout is assumed for the defaults
        (``<endpoint>/update``, ``<endpoint>/store``).
    method
        ``"update"`` (atomic per graph on any SPARQL 1.1 Update server) or ``"gsp"``
        (Graph Store Protocol PUT; atomic only where the server makes it so).
    store_url, update_url
        Other servers' URLs, e.g. Fuseki ``http://host:3030/ds/data`` and ``.../ds/update``.
    graphs
        Only these graph IRIs (default: all named graphs).
    on_graph
        Called with each graph IRI just before its request (progress, tests).

    Returns
    -------
    list of PushResult
        One per graph, in the order pushed (sorted by IRI).

    Raises
    ------
    PushError
        On the first graph the server refuses or cannot be reached for; the graphs before it
        are replaced, the others untouched.
    UsageError
        For a non-http(s) endpoint or an unknown method.
    """
    base = _check_url(endpoint)
    if method not in ("update", "gsp"):
        raise UsageError(f"unknown push method {method!r}; expected 'update' or 'gsp'")
    results = []
    for iri, body in graph_payloads(ds, graphs):
        if on_graph is not None:
            on_graph(iri)
        if method == "update":
            url = _check_url(update_url or f"{base}/update")
            request = urllib.request.Request(
                url,
                data=update_request(iri, body),
                method="POST",
                headers={"Content-Type": "application/sparql-update; charset=utf-8"},
            )
        else:
            url = _check_url(store_url or f"{base}/store")
            query = urllib.parse.urlencode({"graph": _check_iri(iri)})
            request = urllib.request.Request(
                f"{url}?{query}", data=body, method="PUT", headers={"Content-Type": "application/n-triples"}
            )
        results.append(_send(request, iri, body, timeout))
    return results


def _send(request: urllib.request.Request, iri: str, body: bytes, timeout: float) -> PushResult:
    """Send one graph's request; its result, or :class:`PushError`."""
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status = response.status
            response.read()
    except urllib.error.HTTPError as exc:
        detail = exc.read()[:500].decode("utf-8", "replace")
        raise PushError(iri, f"HTTP {exc.code}: {detail}", exc.code) from exc
    except (urllib.error.URLError, OSError) as exc:
        raise PushError(iri, str(getattr(exc, "reason", exc))) from exc
    return PushResult(iri, body.count(b"\n"), len(body), status, time.perf_counter() - start)
