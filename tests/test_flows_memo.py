"""Remembered text analysis changes no result: cold or warm caches, any entry order."""

from __future__ import annotations

from pathlib import Path

from dataflow_graph import api
from dataflow_graph.errors import Diagnostics
from dataflow_graph.extract import extract, extract_all
from dataflow_graph.extract.mentions import context, mentions_in
from dataflow_graph.model import Entry
from dataflow_graph.names import Gazetteer, organisations_text

SEEDS = Path(__file__).parent.parent / "seeds"


def _new_gazetteer() -> Gazetteer:
    """A gazetteer with empty caches (not the shared, memoised one)."""
    return Gazetteer.from_yaml(organisations_text())


def _as_dicts(flows):
    return [f.as_dict() for f in flows]


def test_flows_do_not_depend_on_what_was_extracted_before():
    register = api.load([SEEDS])
    entries = list(register.entries)
    cold = {e.id: _as_dicts(extract(e, _new_gazetteer().fresh(), Diagnostics())) for e in entries}
    warm_names = _new_gazetteer()
    extract_all(entries, warm_names, Diagnostics(), workers=1)  # fill every cache
    for entry in reversed(entries):
        assert _as_dicts(extract(entry, warm_names.fresh(), Diagnostics())) == cold[entry.id]


def test_diagnostics_of_a_warm_run_equal_a_cold_run():
    register = api.load([SEEDS])
    names = _new_gazetteer()
    first, second = Diagnostics(), Diagnostics()
    extract_all(register.entries, names, first, workers=1)
    extract_all(register.entries, names, second, workers=1)
    assert [str(d) for d in first] == [str(d) for d in second]


def test_a_name_shape_that_is_no_party_still_fixes_the_entrys_spelling():
    """A possessive shape ("ACME Analytics Limited's …") is no party to a hop, but it is
    resolved all the same, so a later spelling of that name in the entry meets the first."""
    entry = Entry(id="e", source="s", line=1, position=0, reference="r", agreement="a", title="t")
    ctx = context(entry, _new_gazetteer().fresh())
    assert mentions_in("ACME Analytics Limited's data processor holds it", ctx) == []
    later = mentions_in("The data is sent to Acme Analytics Limited.", ctx)
    assert [m.org.aliases for m in later] == [("ACME Analytics Limited",)]
