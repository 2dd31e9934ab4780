r"""Named SPARQL queries run at a SPARQL 1.1 endpoint: bound values written as escaped terms.

The query goes by the SPARQL 1.1 Protocol (``POST``, form-encoded ``query``) through
:mod:`.protocol` (a total deadline per request, redirects that keep the query, one-line
errors), and the answer is read as SPARQL 1.1 Query Results JSON, into the same rows as a
local :func:`~dataflow_graph.rdf.sparql.run`.

A value given on the command line is register-like text, so it is never formatted into the
query: the bindings go as one trailing ``VALUES`` row, each value written as an RDF term
with its own escaping (:func:`sparql_term`), so that no value can end its string or IRI and
add query text.

>>> text = "SELECT ?o WHERE { ?o ?p ?family }"
>>> print(text + "\n" + values_clause({"family": Literal('SUS" } DROP ALL #')}))
SELECT ?o WHERE { ?o ?p ?family }
VALUES (?family) {
  ("SUS\" } DROP ALL #")
}
<BLANKLINE>
"""

from __future__ import annotations

import json
import re
import urllib.parse
from collections.abc import Mapping

from rdflib import Literal, URIRef

from ..errors import UsageError
from .protocol import DEFAULT_TIMEOUT, EndpointError, send
from .sparql import Binding, QueryError, ReadOnlyError, binding_terms, is_update
from .vocab import XSD

__all__ = ["post_query", "run_endpoint", "sparql_term", "values_clause"]


def run_endpoint(
    url: str,
    query: str,
    bindings: Mapping[str, Binding] | None = None,
    *,
    timeout: float = DEFAULT_TIMEOUT,
) -> list[dict[str, object]]:
    """Run a query at a SPARQL 1.1 endpoint (read-only), within ``timeout`` seconds.

    A trailing ``VALUES`` row is joined after any grouping, so a bound variable must be one
    the query projects.  The server must read its default graph as the union of its named
    graphs (see :mod:`dataflow_graph.rdf.sparql`).

    Parameters
    ----------
    url
        The query endpoint, e.g. ``http://127.0.0.1:7878/query``.
    query
        SPARQL 1.1 query text (SELECT or ASK).
    bindings
        Variable name to value, as for :func:`~dataflow_graph.rdf.sparql.run`.
    timeout
        Seconds for the whole request (connect, send, the whole answer), redirects included.

    Returns
    -------
    list of dict
        As :func:`~dataflow_graph.rdf.sparql.run` gives them.

    Raises
    ------
    ReadOnlyError
        For a SPARQL Update (push graphs with :func:`dataflow_graph.rdf.push.push` instead).
    QueryError
        When the endpoint cannot be reached, does not answer in time, refuses the query, or
        answers with something other than SPARQL results JSON; one line saying which.
    """
    values = binding_terms(bindings)
    if is_update(query):
        raise ReadOnlyError("updates are not sent to endpoints; use push() to load graphs")
    text = f"{query.rstrip()}\n{values_clause(values)}" if values else query
    return post_query(url, text, timeout=timeout)


def post_query(url: str, text: str, *, timeout: float = DEFAULT_TIMEOUT) -> list[dict[str, object]]:
    """Send query text as it is (no update check, no bindings: for text this package wrote) and
    read the SPARQL results JSON as rows; :class:`QueryError` on any failure."""
    try:
        response = send(
            "POST",
            url,
            body=urllib.parse.urlencode({"query": text}).encode("utf-8"),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/sparql-results+json, application/json;q=0.9",
            },
            timeout=timeout,
        )
    except EndpointError as exc:
        raise QueryError(f"query failed: {exc}") from exc
    return _json_rows(response.body, url, response.content_type)


def sparql_term(term: URIRef | Literal) -> str:
    r"""An IRI or literal written as SPARQL text that stays one term whatever it holds.

    Literals escape ``\``, ``"``, line breaks and every other control character; a ``u`` or
    ``U`` right after a backslash of the value is written ``\U00000075``/``\U00000055``, so
    that a server which decodes ``\uXXXX`` escapes before parsing (as SPARQL allows; rdflib
    does, and reads up to eight hex digits after ``\u``) reads the same value as one which
    does not.  Code point escapes are always the eight-digit form, so hex digits after them
    stay text.  IRIs and datatypes holding a character an IRI cannot hold,
    and malformed language tags, are refused.

    >>> print(sparql_term(Literal('x" ) } DROP ALL ; #')))
    "x\" ) } DROP ALL ; #"
    >>> print(sparql_term(Literal("a\\u0022b\n")))
    "a\\\U000000750022b\n"
    >>> print(sparql_term(URIRef("https://example.org/x")), sparql_term(Literal("1", datatype=XSD.integer)))
    <https://example.org/x> "1"^^<http://www.w3.org/2001/XMLSchema#integer>
    >>> sparql_term(URIRef("https://example.org/> } DROP ALL #"))
    Traceback (most recent call last):
    ...
    dataflow_graph.errors.UsageError: 'https://example.org/> } DROP ALL #' is not an absolute IRI
    """
    if isinstance(term, URIRef):
        return _iri(str(term))
    if not isinstance(term, Literal):
        raise UsageError(f"cannot bind {term!r}: only IRIs and literals")
    text = _LITERAL_ESCAPE.sub(_escape, str(term))
    if term.language:
        if not re.fullmatch(r"[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*", term.language):
            raise UsageError(f"language tag {term.language!r} is malformed")
        return f'"{text}"@{term.language}'
    if term.datatype is not None and str(term.datatype) != str(XSD.string):
        return f'"{text}"^^{_iri(str(term.datatype))}'
    return f'"{text}"'


_LITERAL_ESCAPE = re.compile(r'\\[uU]|[\\"\x00-\x1f\x7f]')
_NAMED_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}


def _escape(match: re.Match[str]) -> str:
    """One escape of :func:`sparql_term`."""
    found = match.group()
    if len(found) == 2:  # a backslash, then u or U
        return "\\\\" + ("\\U00000075" if found[1] == "u" else "\\U00000055")
    return _NAMED_ESCAPES.get(found) or f"\\U{ord(found):08X}"


def _iri(iri: str) -> str:
    """``<iri>``, if ``iri`` is absolute and holds no character an IRI cannot."""
    if ":" not in iri or re.search(r'[\x00-\x20<>"{}|^`\\\x7f]', iri):
        raise UsageError(f"{iri!r} is not an absolute IRI")
    return f"<{iri}>"


def values_clause(values: Mapping[str, URIRef | Literal]) -> str:
    """A ``VALUES`` clause of one row binding each variable (names checked, terms escaped).

    >>> values_clause({"family": Literal("SUS"), "o": URIRef("https://example.org/o")})
    'VALUES (?family ?o) {\\n  ("SUS" <https://example.org/o>)\\n}\\n'
    """
    names = sorted(values)
    checked = binding_terms(dict(values))  # the names, as for a local run
    row = " ".join(sparql_term(checked[n]) for n in names)
    return f"VALUES ({' '.join('?' + n for n in names)}) {{\n  ({row})\n}}\n"


def _json_rows(data: bytes, url: str, content_type: str) -> list[dict[str, object]]:
    """SPARQL 1.1 Query Results JSON as rows, as a local run gives them."""
    try:
        doc = json.loads(data)
        if isinstance(doc.get("boolean"), bool):
            return [{"ask": doc["boolean"]}]
        names = [str(v) for v in doc["head"]["vars"]]
        return [{n: _json_value(solution.get(n)) for n in names} for solution in doc["results"]["bindings"]]
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        kind = f" but {content_type}" if content_type else ""
        raise QueryError(
            f"{url} did not answer with SPARQL results JSON{kind} (CONSTRUCT and DESCRIBE are not supported here; "
            "use SELECT or ASK)"
        ) from exc


def _json_value(term: object) -> object:
    """One JSON result term as Python: int for xsd:integer, bool for xsd:boolean, else its text."""
    if term is None:
        return None
    if not isinstance(term, dict) or not isinstance(term.get("value"), str):
        raise ValueError(f"not an RDF term: {term!r}")
    value, kind = term["value"], term.get("type")
    if kind == "bnode":
        return f"_:{value}"
    if kind in ("literal", "typed-literal"):
        datatype = term.get("datatype", "")
        if datatype == str(XSD.integer) and re.fullmatch(r"[+-]?[0-9]{1,4000}", value):
            return int(value)
        if datatype == str(XSD.boolean):
            return value in ("true", "1")
    return value
