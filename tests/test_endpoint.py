"""Values bound for an endpoint are written as escaped RDF terms: any text stays one value."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
import rdflib
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import Literal, URIRef

from dataflow_graph.errors import UsageError
from dataflow_graph.rdf.endpoint import sparql_term, values_clause
from dataflow_graph.rdf.sparql import bind_value

HOSTILE = [
    'x" ) } DROP ALL ; #',
    "a\\u0022b } DROP ALL #",
    "a\\U00000022b",
    "end\\",
    "\\\\u0022",
    "\x012345",
    "\n\r\t\x00\x7f\x0b",
    "'''",
    '"""',
    "}",
    "\\U0000005C\\u0022",
]
_EMPTY = ox.Store()


def _read_back(text: str) -> tuple[str, str]:
    """The value of ``?v`` after Oxigraph and rdflib parse ``VALUES (?v) {(<text as a term>)}``."""
    query = "SELECT ?v WHERE {}\n" + values_clause({"v": Literal(text)})
    (by_oxigraph,) = [s["v"].value for s in _EMPTY.query(query)]
    (by_rdflib,) = [str(r[0]) for r in rdflib.Graph().query(query)]
    return by_oxigraph, by_rdflib


@pytest.mark.parametrize("text", HOSTILE)
def test_endpoint_hostile_value_is_read_back_unchanged(text):
    assert _read_back(text) == (text, text)


@settings(max_examples=150, deadline=None)
@given(st.text(st.characters(exclude_categories=["Cs"]), max_size=40))
def test_endpoint_any_text_is_read_back_unchanged(text):
    """Oxigraph reads escapes as it parses; rdflib decodes \\u escapes before parsing."""
    assert _read_back(text) == (text, text)


@pytest.mark.parametrize("iri", ["https://x.example/> } DROP ALL #", "no-colon", "https://x.example/a b", "a:\\u003e"])
def test_endpoint_iri_that_could_end_itself_is_refused(iri):
    with pytest.raises(UsageError, match="not an absolute IRI"):
        sparql_term(URIRef(iri))


def test_endpoint_binding_of_undecodable_bytes_is_refused():
    with pytest.raises(UsageError, match="not valid Unicode text"):
        bind_value("caf\udce9")


def test_endpoint_binding_name_must_be_a_variable_name():
    with pytest.raises(UsageError, match="not a SPARQL variable name"):
        values_clause({"a) } DROP ALL #": Literal("x")})
