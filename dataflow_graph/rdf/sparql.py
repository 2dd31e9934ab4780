"""Named SPARQL queries, run with bindings (never string formatting) on a local store.

Register text is untrusted, so a value given on the command line (``--bind family=SUS``) is
never pasted into a query: it goes through ``initBindings`` (pyoxigraph ``substitutions``
underneath).  The same queries run at a SPARQL 1.1 endpoint with :mod:`.endpoint`.

Every named query reads the default graph as the union of the named graphs: locally that is
set per query; a server must be configured so (Oxigraph ``serve --union-default-graph``,
Fuseki ``tdb2:unionDefaultGraph true``; GraphDB, Virtuoso and Neptune do so by default).

>>> from dataflow_graph.examples import two_copies
>>> from dataflow_graph.rdf.store import to_rdf
>>> ex = two_copies()
>>> ds = to_rdf(ex.entries, ex.flows, ex.organisations)
>>> rows = run(ds, named_queries()["convergence"], {"recipient": "org:example-ccg"})
>>> [(r["recipientName"], r["family"], r["identifiableFlows"], r["deidentifiedFlows"]) for r in rows]
[('Example CCG', 'SUS', 1, 1)]
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.query import Result, ResultRow

from .._resources import embedded_path
from ..errors import DataflowGraphError, UsageError
from .store import inner_store, ox_term
from .vocab import XSD

__all__ = [
    "QueryError",
    "ReadOnlyError",
    "bind_value",
    "binding_terms",
    "is_update",
    "named_queries",
    "query_text",
    "run",
]


class QueryError(DataflowGraphError):
    """A query that cannot be parsed or run."""


class ReadOnlyError(DataflowGraphError):
    """A SPARQL Update given where only queries are allowed (no ``--allow-update``)."""


#: A variable name that can be bound (SPARQL's VARNAME: ASCII letters, digits and ``_``).
_NAME = re.compile(r"^[A-Za-z0-9_]+$")

#: A bound value: a string (read by :func:`bind_value`) or an rdflib term.
Binding = str | URIRef | Literal


def named_queries() -> dict[str, str]:
    """Every query of ``ontology/queries/*.rq`` by file stem, sorted by name.

    >>> sorted(named_queries())[:5]
    ['by_opt_out', 'commercial_routes', 'convergence', 'dual_roles', 'evidence']
    """
    folder = Path(embedded_path("ontology"), "queries")
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.rq"))}


def query_text(name_or_path: str) -> str:
    """The text of a named query (``convergence``) or of a ``.rq`` file.

    Raises
    ------
    UsageError
        If it is neither a named query nor a readable file.
    """
    queries = named_queries()
    if name_or_path in queries:
        return queries[name_or_path]
    path = Path(name_or_path)
    if not path.is_file():
        raise UsageError(f"no named query or file {name_or_path!r}; named queries: {', '.join(sorted(queries))}")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read query file {name_or_path}: {exc.strerror or exc}") from exc
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise UsageError(
            f"{name_or_path}:{line}:{col}: query file is not UTF-8 (byte 0x{data[exc.start]:02x}); save it as UTF-8"
        ) from None


def is_update(text: str) -> bool:
    """True for a SPARQL Update request, False for a query; :class:`QueryError` for neither.

    >>> is_update("SELECT * WHERE { ?s ?p ?o }"), is_update("DELETE WHERE { ?s ?p ?o }")
    (False, True)

    rdflib's parser tells them apart (Oxigraph parses only to run); it is imported on first
    use, as a query run on an Oxigraph store never needs it (:func:`run`).
    """
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    try:
        parseQuery(text)
        return False
    except Exception as query_exc:  # pyparsing raises its own exception types
        try:
            parseUpdate(text)
            return True
        except Exception:
            raise QueryError(f"not a SPARQL query or update: {query_exc}") from query_exc


def bind_value(value: str) -> URIRef | Literal:
    """A binding from the command line: ``<iri>`` is an IRI, anything else a plain literal.

    >>> bind_value("SUS"), bind_value("<https://example.org/x>")
    (rdflib.term.Literal('SUS'), rdflib.term.URIRef('https://example.org/x'))
    """
    if not _is_text(value):
        raise UsageError(f"binding {value!r} is not valid Unicode text (bytes that are not UTF-8?)")
    if len(value) > 2 and value.startswith("<") and value.endswith(">"):
        iri = value[1:-1]
        if re.search(r"[\s<>\"{}|\\^`]", iri) or ":" not in iri:
            raise UsageError(f"binding {value!r} is not an absolute IRI")
        return URIRef(iri)
    return Literal(value)


def _is_text(value: str) -> bool:
    """True if ``value`` can be written as UTF-8 (no lone surrogates from undecodable bytes)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def binding_terms(bindings: Mapping[str, Binding] | None) -> dict[str, URIRef | Literal]:
    """Bindings checked and made terms (strings through :func:`bind_value`), by name."""
    out: dict[str, URIRef | Literal] = {}
    for name, value in sorted((bindings or {}).items()):
        name = name.lstrip("?$")
        if not _NAME.match(name):
            raise UsageError(f"binding name {name!r} is not a SPARQL variable name")
        out[name] = value if isinstance(value, (URIRef, Literal)) else bind_value(str(value))
    return out


def _python(term: object) -> object:
    """A result value as Python: int for xsd:integer, bool for xsd:boolean, else its string."""
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        value, datatype = term.value, term.datatype.value
    elif isinstance(term, Literal):
        value, datatype = str(term), str(term.datatype) if term.datatype else ""
    else:
        return getattr(term, "value", None) if isinstance(term, ox.NamedNode) else str(term)
    if datatype == str(XSD.integer):
        return int(value)
    if datatype == str(XSD.boolean):
        return value in ("true", "1")
    return value


def run(
    graph_or_store: Graph | ox.Store,
    query: str,
    bindings: Mapping[str, Binding] | None = None,
    *,
    allow_update: bool = False,
) -> list[dict[str, object]]:
    """Run a query with bound variables; the default graph is the union of the named graphs.

    Parameters
    ----------
    graph_or_store
        An rdflib graph or dataset (one backed by Oxigraph runs in Oxigraph) or a
        pyoxigraph store.
    query
        SPARQL 1.1 text, e.g. from :func:`named_queries`.
    bindings
        Variable name to value: strings become plain literals (``<iri>`` an IRI, see
        :func:`bind_value`).  Bound through ``initBindings``, never formatted into the text.
    allow_update
        Without it a SPARQL Update is refused.

    Returns
    -------
    list of dict
        One dict per solution (variable to Python value, None when unbound); ``[{"ask":
        bool}]`` for ASK; ``[]`` after an update.

    Raises
    ------
    ReadOnlyError
        For an update without ``allow_update``.
    QueryError
        If the text is neither a query nor an update, or the engine rejects it.
    """
    values = binding_terms(bindings)
    store = inner_store(graph_or_store)
    if store is None and is_update(query):  # rdflib's own engine: told apart first, as before
        return _checked_update(graph_or_store, query, values, allow_update)
    result = None
    try:
        if store is not None:
            # Oxigraph's query() never runs an update (it cannot parse one), so the text is
            # tried as a query first: rdflib's parser (0.1 s to import, 0.05 s a query) is
            # asked only when Oxigraph rejects it, to tell an update from an error
            result = store.query(
                query,
                use_default_graph_as_union=True,
                substitutions={ox.Variable(k): ox_term(v) for k, v in values.items()},
            )
            rows = _ox_rows(result)
            # pyparsing's packrat cache keeps exceptions whose frames reach this one: let go
            # of the result here, or a collector pass on another thread would free it there
            result = None
            return rows
        assert isinstance(graph_or_store, Graph)  # a bare store is its own inner store
        return _rdflib_rows(graph_or_store.query(query, initBindings=values))
    except (SyntaxError, ValueError, OSError, RuntimeError) as exc:
        # Oxigraph's result iterator may only be freed on this thread: keep it out of the
        # traceback, or a collector pass on another thread (a pool's) would free it there.
        result = None
        failed = exc.with_traceback(None)
    if store is not None and isinstance(failed, SyntaxError) and is_update(query):
        return _checked_update(graph_or_store, query, values, allow_update)
    raise QueryError(
        f"query failed: {failed} (a bound variable must be in the SELECT projection for Oxigraph)"
        if "projection" in str(failed)
        else f"query failed: {failed}"
    ) from failed


def _checked_update(
    graph_or_store: Graph | ox.Store, update: str, values: dict[str, URIRef | Literal], allow_update: bool
) -> list[dict[str, object]]:
    """Run a SPARQL Update where allowed (:class:`ReadOnlyError` where not); ``[]``."""
    if not allow_update:
        raise ReadOnlyError("this is a SPARQL Update; pass allow_update=True (--allow-update) to change the graph")
    try:
        _update(graph_or_store, update, values)
    except (SyntaxError, ValueError, OSError, RuntimeError) as exc:  # a read-only store raises RuntimeError
        raise QueryError(f"update failed: {exc}") from exc
    return []


def _update(graph_or_store: Graph | ox.Store, update: str, values: dict[str, URIRef | Literal]) -> None:
    """Run a SPARQL Update (bindings only through rdflib)."""
    if isinstance(graph_or_store, ox.Store):
        if values:
            raise UsageError("bindings with an update need an rdflib graph, not a bare store")
        graph_or_store.update(update)
    else:
        graph_or_store.update(update, initBindings=values)


def _ox_rows(result: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples) -> list[dict[str, object]]:
    """Oxigraph's answer as rows."""
    if isinstance(result, ox.QueryBoolean):
        return [{"ask": bool(result)}]
    if isinstance(result, ox.QuerySolutions):
        names = [v.value for v in result.variables]
        return [{n: _python(s[n]) for n in names} for s in result]
    raise QueryError("CONSTRUCT and DESCRIBE are not supported here; use SELECT or ASK")


def _rdflib_rows(result: Result) -> list[dict[str, object]]:
    """rdflib's answer as rows."""
    if result.type == "ASK":
        return [{"ask": bool(result.askAnswer)}]
    if result.type != "SELECT":
        raise QueryError("CONSTRUCT and DESCRIBE are not supported here; use SELECT or ASK")
    names = [str(v) for v in result.vars or ()]
    rows = []
    for row in result:
        assert isinstance(row, ResultRow)  # a SELECT result yields rows
        values = row.asdict()
        rows.append({n: _python(values.get(n)) for n in names})
    return rows
