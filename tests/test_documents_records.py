"""Record lists written straight from their records (``for_dumps``) give the same bytes as
the documents of plain dicts (issue 18: `dfg flows` and `dfg parse` write JSON that way)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dataflow_graph import api
from dataflow_graph.model import Identifiability
from dataflow_graph.outputs.documents import Records, dumps, dumps_bytes, flows_document, parse_document

WORKBOOK = Path(__file__).parent / "data" / "register" / "ReleaseRegister-sep-nov-2017.xlsx"


@pytest.fixture(scope="module", params=["seed", "workbook"])
def register(request):
    return api.load([] if request.param == "seed" else [WORKBOOK])


@pytest.mark.parametrize("level", [None, Identifiability.IDENTIFIABLE, "none"])
def test_documents_flows_written_from_records_are_the_same_bytes(register, level):
    selected = [] if level == "none" else api.flows(register, identifiability=level)
    plain = flows_document(selected, organisations=register.organisations, diagnostics=register.diagnostics)
    streamed = flows_document(
        selected, organisations=register.organisations, diagnostics=register.diagnostics, for_dumps=True
    )
    assert isinstance(streamed["flows"], Records)
    assert dumps(streamed) == dumps(plain)
    assert bool(plain["flows"]) == (level != "none")  # an empty list is written alike too


def test_documents_parse_written_from_records_is_the_same_bytes(register):
    assert dumps(parse_document(register, for_dumps=True)) == dumps(parse_document(register))


def test_documents_written_as_bytes_are_the_text_in_utf8(register):
    """What a command writes (:func:`dumps_bytes`, encoded a line at a time) is the document's text."""
    for document in (
        flows_document(register.flows, organisations=register.organisations, diagnostics=register.diagnostics),
        flows_document(
            register.flows, organisations=register.organisations, diagnostics=register.diagnostics, for_dumps=True
        ),
        parse_document(register, for_dumps=True),
    ):
        text = dumps(document)
        assert dumps_bytes(document) == text.encode("utf-8")
        assert any(ord(c) > 127 for c in text) or register.sources == ["seeds/thurrock.txt"]


_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=6)
_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | _TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_TEXT, inner, max_size=3),
    max_leaves=12,
)


@given(st.dictionaries(_TEXT, _VALUES, max_size=4) | _VALUES)
def test_any_document_reads_back_and_its_bytes_are_its_text(document):
    text = dumps(document)
    assert json.loads(text) == document
    assert dumps_bytes(document) == text.encode("utf-8")
    if isinstance(document, dict) and document:  # each key starts a line of its own
        keys = [line for line in text.split("\n") if line.startswith('  "')]
        assert [json.loads(line.split(": ", 1)[0]) for line in keys] == sorted(document)
