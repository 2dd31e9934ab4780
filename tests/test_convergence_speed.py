"""The convergence query's shortcuts give what the plain definitions give: re-identification
starts downstream of a recipient found from the starts upstream, month sets united once per
set, a copy's status, months, path and node ids taken from memos shared across findings."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from types import SimpleNamespace

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dataflow_graph import api
from dataflow_graph.graph.convergence import (
    _at_or_below,
    _Copies,
    _flow_months,
    _months,
    _opt_outs_of,
    _path_and_route,
    _union_of,
    _unique,
)
from dataflow_graph.graph.qualifiers import REGISTER_PERIOD
from dataflow_graph.synth import write_register

WORKBOOK = Path(__file__).parent / "data" / "register" / "ReleaseRegister-sep-nov-2017.xlsx"

_NODES = st.sampled_from("abcdefgh")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_NODES, _NODES), max_size=20), st.sets(_NODES, max_size=4))
def test_at_or_below_is_the_targets_at_or_downstream_of_each_node(edges, targets):
    onward = nx.DiGraph(edges)
    found = _at_or_below(onward, targets)
    for node in set("abcdefgh"):
        below = {node} | (nx.descendants(onward, node) if node in onward else set())
        assert found.get(node, set()) == targets & below, node
    assert all(found.values())  # no node without a target kept


@settings(max_examples=200, deadline=None)
@given(st.lists(st.frozensets(st.sampled_from(["2018-01", "2018-02", "2019-05", "2020-12"])), max_size=6), st.data())
def test_union_of_shared_sets_is_their_union(sets, data):
    # the same set objects met several times, as copies of one window share theirs
    picks = data.draw(st.lists(st.sampled_from(sets), max_size=12)) if sets else []
    assert _union_of(picks) == frozenset().union(*picks)


def _plain_unique(arrivals):
    seen = {}
    for a in arrivals:
        seen.setdefault((a[0].id, a[1].evidence.line), a)
    return tuple(sorted(seen.values(), key=lambda a: (a[0].entry, a[0].id)))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("ab"), st.sampled_from("xyz"), st.integers(1, 3)), max_size=12))
def test_unique_arrivals_as_the_plain_dedupe_and_sort(rows):
    # flows by entry and id (one object per id, or two with one id), hops by evidence line
    arrivals = [
        (SimpleNamespace(entry=entry, id=flow), SimpleNamespace(evidence=SimpleNamespace(line=line)), i)
        for i, (entry, flow, line) in enumerate(rows)
    ]
    assert _unique(arrivals) == _plain_unique(arrivals)


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory) -> api.Register:
    directory = tmp_path_factory.mktemp("synth")
    write_register(directory, entries=120, seed=7)
    return api.load([directory])


@pytest.fixture(scope="module", params=["workbook", "synthetic"])
def register(request) -> api.Register:
    if request.param == "workbook":
        return api.load([WORKBOOK])
    return request.getfixturevalue("synthetic")


def test_copies_read_from_memos_are_worked_out_alone(register):
    found, _ = api.convergences(register)
    assert found
    facts = register.facts
    for c in found:
        for side in (*c.identifiable, *c.pseudonymised):
            f = side.flow
            # the opt-out status: the entry's statement made once per entry and reference
            assert side.opt_outs_found == _opt_outs_of(f, side.hop, c.family, _months(side), facts), (c.family, f.id)
            path, route = _path_and_route(f)
            assert path == f.path
            assert route == ((f.hops[0].source.id, *(h.target.id for h in f.hops)) if f.hops else ())
            assert side.path == path[: len(side.path)]
            assert side.route == route[: len(side.path)]
            assert side.route[-1] == side.hop.target.id
        # months by distinct window: the overlap is that of each copy's own months
        months = [frozenset().union(*(_months(s) for s in group)) for group in (c.identifiable, c.pseudonymised)]
        assert c.overlap == tuple(sorted(months[0] & months[1]))


def test_copy_side_of_every_flow_is_its_plain_side(register):
    # every hop of every flow, made in one memo as a query makes them (windows, paths,
    # statuses shared), against each worked out alone
    copies = _Copies(register.facts)
    for f in register.flows:
        for i, hop in enumerate(f.hops):
            for fam in hop.families or f.families:
                side, months = copies.side((f, hop, i + 2), fam)
                plain = side.months_found if side.months_found is not None else _flow_months(f)
                assert months == plain == _months(side), f.id
                assert side.opt_outs_found == _opt_outs_of(f, hop, fam, plain, register.facts), f.id
                path, route = f.path, (f.hops[0].source.id, *(h.target.id for h in f.hops))
                assert (side.path, side.route) == (path[: i + 2], route[: i + 2]), f.id


def test_copy_months_memo_tells_time_limits_apart(synthetic):
    # two copies of one dated window, one cut at a time limit: each has its own months
    copies = _Copies(synthetic.facts)
    f = next(
        f
        for f in synthetic.flows
        if f.hops and f.period and f.period.qualifier != REGISTER_PERIOD and len(_flow_months(f)) > 1 and not f.until
    )
    cut = dataclasses.replace(f, id=f"{f.id}-cut", until=min(_flow_months(f)))
    assert copies.side((f, f.hops[0], 2), "any family")[1] == _flow_months(f)
    assert copies.side((cut, cut.hops[0], 2), "any family")[1] == {cut.until}
