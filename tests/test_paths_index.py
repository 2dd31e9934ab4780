"""flow_paths' group index: served only to the graph it was built from, while its edges are unchanged."""

from __future__ import annotations

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st

from dataflow_graph.examples import synthetic, two_copies
from dataflow_graph.graph import build_graph, flow_paths
from dataflow_graph.graph.paths import FlowPath, _group_index

SOURCE = "org:nhs-digital"


def _rebuilt(G: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """The same nodes and edges, in the same order, in a new graph with no graph attributes.

    No index can have been kept for it, so its routes are the ones a fresh index gives ``G``.
    """
    R = nx.MultiDiGraph()
    R.add_nodes_from(G.nodes(data=True))
    R.add_edges_from(G.edges(keys=True, data=True))
    return R


def _routes(G: nx.MultiDiGraph) -> dict[str, list[FlowPath]]:
    return {t: flow_paths(G, SOURCE, t) for t in sorted(G) if t != SOURCE}


def _into(G: nx.MultiDiGraph, target: str) -> list[tuple[str, str, str]]:
    return sorted((u, v, k) for u, v, k in G.in_edges(target, keys=True))


def test_a_copy_with_one_edge_swapped_is_not_served_the_originals_index():
    G = build_graph(two_copies().flows)
    target = "org:example-ccg"
    before = flow_paths(G, SOURCE, target)
    H = G.copy()
    u, v, k = _into(H, target)[0]
    data = H.edges[u, v, k]
    H.remove_edge(u, v, k)
    H.add_edge(SOURCE, "org:elsewhere", key="swapped", **data)
    assert H.number_of_edges() == G.number_of_edges()
    assert flow_paths(H, SOURCE, target) == flow_paths(_rebuilt(H), SOURCE, target)
    assert len(flow_paths(H, SOURCE, target)) == len(before) - 1
    assert flow_paths(G, SOURCE, target) == before


def test_a_flow_replaced_in_place_regroups_its_edge_once_the_caches_are_emptied():
    """As ``_group_index`` says: an attribute changed in place is no change networkx sees."""
    G = build_graph(two_copies().flows)
    target = "org:example-ccg"
    flow_paths(G, SOURCE, target)
    (u, v, k), (_, _, other) = _into(G, target)
    G.edges[u, v, k]["flow"] = G.edges[u, v, other]["flow"]
    G.__networkx_cache__.clear()
    assert flow_paths(G, SOURCE, target) == flow_paths(_rebuilt(G), SOURCE, target)


def test_a_graph_keeps_its_index_among_networkx_caches_and_a_copy_starts_without():
    G = build_graph(two_copies().flows)
    index = _group_index(G)
    assert _group_index(G) is index
    assert _group_index(G.copy()) is not index
    G.add_edge(SOURCE, "org:elsewhere", key="new", **next(iter(G.edges(data=True)))[2])
    assert _group_index(G) is not index  # networkx emptied its caches


def test_a_subgraph_view_and_its_graph_each_get_their_own_index():
    G = build_graph(two_copies().flows)
    target = "org:example-ccg"
    (u1, v1, k1), (u2, v2, k2) = _into(G, target)
    hidden = nx.subgraph_view(G, filter_edge=lambda u, v, k: (u, v, k) != (u1, v1, k1))
    assert flow_paths(hidden, SOURCE, target) == flow_paths(_rebuilt(hidden), SOURCE, target)
    G.remove_edge(u2, v2, k2)  # G now has as many edges as the view, but not the same ones
    assert flow_paths(G, SOURCE, target) == flow_paths(_rebuilt(G), SOURCE, target)
    assert flow_paths(G, SOURCE, target) != flow_paths(hidden, SOURCE, target)


def test_a_view_sees_its_graph_edited_under_it():
    G = build_graph(two_copies().flows)
    target = "org:example-ccg"
    view = nx.subgraph_view(G)
    flow_paths(view, SOURCE, target)
    count = view.number_of_edges()
    u, v, k = _into(G, target)[0]
    data = G.edges[u, v, k]
    G.remove_edge(u, v, k)
    G.add_edge(SOURCE, "org:elsewhere", key="swapped", **data)
    assert view.number_of_edges() == count
    assert flow_paths(view, SOURCE, target) == flow_paths(_rebuilt(view), SOURCE, target)


def test_repeated_queries_on_an_unchanged_graph_reuse_the_index_and_agree():
    G = build_graph(synthetic(30, seed=3).flows)
    index = _group_index(G)
    first = _routes(G)
    assert any(first.values())
    assert _routes(G) == first == _routes(_rebuilt(G))
    assert _group_index(G) is index


@st.composite
def _edits(draw):
    """Edits of a copy: remove an edge, add one back under a new key, or swap two edges' flows
    in place (then empties networkx's caches, as ``_group_index`` asks)."""
    steps = []
    for _ in range(draw(st.integers(min_value=1, max_value=6))):
        steps.append(
            (
                draw(st.sampled_from(("remove", "readd", "swap"))),
                draw(st.integers(0, 10**6)),
                draw(st.integers(0, 10**6)),
            )
        )
    return steps


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 50), edits=_edits())
def test_after_any_edits_the_routes_are_those_of_a_fresh_index(seed, edits):
    G = build_graph(synthetic(6, seed=seed).flows)
    expected = _routes(G)
    H = G.copy()
    assert _routes(H) == expected
    removed = []
    for n, (op, i, j) in enumerate(edits):
        edges = list(H.edges(keys=True, data=True))
        if not edges:
            break
        u, v, k, data = edges[i % len(edges)]
        if op == "remove":
            H.remove_edge(u, v, k)
            removed.append((u, v, k, data))
        elif op == "readd" and removed:
            ru, rv, rk, rdata = removed.pop(j % len(removed))
            H.add_edge(ru, rv, key=f"{rk}@{n}", **rdata)
        else:
            _, _, _, other = edges[j % len(edges)]
            data["flow"], other["flow"] = other["flow"], data["flow"]
            H.__networkx_cache__.clear()  # as _group_index says, after an edit in place
        assert _routes(H) == _routes(_rebuilt(H))
    assert _routes(G) == expected
