"""Record lists written straight from their records (``for_dumps``) give the same bytes as
the documents of plain dicts (issue 18: `dfg flows` and `dfg parse` write JSON that way)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dataflow_graph import api
from dataflow_graph.model import Identifiability
from dataflow_graph.outputs.documents import Records, dumps, flows_document, parse_document

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
