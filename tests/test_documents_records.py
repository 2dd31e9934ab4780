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
from dataflow_graph.outputs.documents import (
    Records,
    dumps,
    dumps_bytes,
    flows_document,
    parse_document,
    record_line,
)

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


@pytest.mark.parametrize("which", ["seed", "workbook"])
def test_flow_lines_made_where_the_flows_are_extracted_write_the_same_bytes(which):
    """``dfg flows --format json`` has each flow's line made by the process that extracts it
    (in the workers, on the workbook's 800 entries); the document is the same bytes."""
    register = api.load([] if which == "seed" else [WORKBOOK])
    made = register.render_flows(record_line)
    assert made is not None
    assert len(made) == len(register.flows)
    assert register.render_flows(record_line) is None  # extracted already: nothing made again
    lines = dict(zip(map(id, register.flows), made, strict=True))
    for level in (None, Identifiability.PSEUDONYMISED):
        selected = api.flows(register, identifiability=level)
        kwargs = {"organisations": register.organisations, "diagnostics": register.diagnostics}
        plain = flows_document(selected, **kwargs)
        ahead = flows_document(selected, **kwargs, for_dumps=True, lines=lines)
        assert dumps_bytes(ahead) == dumps_bytes(plain)
        assert dumps(ahead) == dumps(plain)


def test_a_line_made_ahead_is_written_as_it_is():
    """The lines given are what is written (not made again from the record)."""
    register = api.load([])
    flows = register.flows[:3]
    document = flows_document(
        flows,
        organisations=register.organisations,
        diagnostics=register.diagnostics,
        for_dumps=True,
        lines={id(flows[1]): b'{"made":"ahead \xe2\x86\x92"}'},
    )
    written = json.loads(dumps_bytes(document))["flows"]
    assert written[1] == {"made": "ahead →"}
    assert written[0] == flows[0].as_dict()
    assert written[2] == flows[2].as_dict()
    assert dumps(document).encode("utf-8") == dumps_bytes(document)


def test_a_register_from_the_load_cache_renders_nothing(tmp_path):
    api.load([], cache=tmp_path).flows  # noqa: B018 - the cache is filled
    again = api.load([], cache=tmp_path)
    assert again.render_flows(record_line) is None
    assert again.flows


def test_dfg_flows_writes_the_document_of_the_flows_with_or_without_the_cache(tmp_path, monkeypatch):
    """What ``dfg flows --format json`` writes: the lines made by the extracting processes
    (``--no-cache``, and a first run that fills the cache), or made at the end (the flows
    from the cache), are the same bytes as the plain document."""
    from click.testing import CliRunner

    from dataflow_graph.cli import cli

    monkeypatch.setenv("DFG_CACHE_DIR", str(tmp_path))
    register = api.load([WORKBOOK])
    plain = flows_document(register.flows, organisations=register.organisations, diagnostics=register.diagnostics)
    expected = dumps_bytes(plain)
    for extra in (["--no-cache"], [], []):  # the cache: filled, then used
        result = CliRunner().invoke(cli, ["flows", str(WORKBOOK), "--format", "json", "-q", *extra])
        assert result.exit_code == 0, result.output
        assert result.stdout_bytes == expected
    assert any(tmp_path.iterdir())


def test_dfg_flows_hands_the_lines_made_by_the_workers_to_the_document(monkeypatch):
    """With ``--no-cache`` on the workbook, every flow's line comes made to the document."""
    from click.testing import CliRunner

    from dataflow_graph.cli import cli
    from dataflow_graph.outputs import documents

    given: list[tuple[int, int]] = []
    made = documents.flows_document

    def seen(selected, **kwargs):
        selected = list(selected)
        given.append((len(selected), len(kwargs.get("lines") or {})))
        return made(selected, **kwargs)

    monkeypatch.setattr(documents, "flows_document", seen)
    result = CliRunner().invoke(cli, ["flows", str(WORKBOOK), "--format", "json", "-q", "--no-cache"])
    assert result.exit_code == 0, result.output
    assert len(given) == 1
    assert given[0][0] > 1000
    assert given[0][0] == given[0][1]
