"""What part of the flow graph a page shows, and where each organisation sits on it."""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Callable

import networkx as nx

from ..errors import UnknownOrganisationError
from ..graph import in_window
from ..model import Flow, Hop, Identifiability, Period, Role

__all__ = ["layout", "select_graph"]

_ROWS, _ROW_H, _COL_W, _LAYER_GAP = 40, 90, 280, 420
_ROLE_ORDER = {r: i for i, r in enumerate(Role)}


def select_graph(
    G: nx.MultiDiGraph,
    *,
    focus: str | None = None,
    family: str | None = None,
    identifiability: Identifiability | str | None = None,
    during: Period | None = None,
    depth: int | None = None,
) -> nx.MultiDiGraph:
    """The part of the flow graph a page shows.

    Edges are kept when a hop carries ``family`` (case-insensitive), is at
    ``identifiability``, and its flow's period meets ``during``; with any of those, nodes
    left without edges go.  ``focus`` (a node id) keeps its neighbourhood within ``depth``
    hops in either direction (all it connects to when ``depth`` is None).

    Raises
    ------
    UnknownOrganisationError
        If ``focus`` is not a node of ``G``.

    Examples
    --------
    >>> from dataflow_graph.examples import two_copies
    >>> from dataflow_graph.graph import build_graph
    >>> G = build_graph(two_copies().flows)
    >>> sorted(select_graph(G, focus="org:example-ccg", depth=1))
    ['org:example-ccg', 'org:example-csu']
    >>> select_graph(G, identifiability="pseudonymised").number_of_edges()
    2
    """
    if focus is not None and focus not in G:
        raise UnknownOrganisationError(focus)
    level = Identifiability(identifiability) if identifiability else None
    fam = family.upper() if family else None
    H = G
    if fam or level or during:
        keep = [
            (u, v, k)
            for u, v, k, d in G.edges(keys=True, data=True)
            if _edge_ok(d["flow"], d["hop"], fam, level, during)
        ]
        H = G.edge_subgraph(keep).copy()
        if focus is not None and focus not in H:
            H.add_node(focus, **G.nodes[focus])
    if focus is not None:
        H = H.subgraph(_neighbourhood(H, focus, depth)).copy()
    return H


def _neighbourhood(G: nx.MultiDiGraph, node: str, depth: int | None) -> set[str]:
    """Nodes within ``depth`` hops of ``node`` in either direction (a BFS, no undirected copy)."""
    seen, frontier, level = {node}, [node], 0
    while frontier and (depth is None or level < depth):
        level += 1
        nxt = []
        for u in frontier:
            for v in (*G.succ[u], *G.pred[u]):
                if v not in seen:
                    seen.add(v)
                    nxt.append(v)
        frontier = nxt
    return seen


def _edge_ok(f: Flow, h: Hop, family: str | None, level: Identifiability | None, during: Period | None) -> bool:
    return (
        (family is None or family in {x.upper() for x in (h.families or f.families)})
        and (level is None or h.identifiability is level)
        and in_window(f.period, during)
    )


def _layers(H: nx.MultiDiGraph) -> dict[str, int]:
    """Distance from NHS Digital (or from a root of each component), by breadth-first search."""
    dist: dict[str, int] = {}
    for comp in sorted((sorted(c) for c in nx.weakly_connected_components(H)), key=lambda c: c[0]):
        roots = (
            [n for n in comp if H.nodes[n].get("role") == Role.SOURCE.value]
            or [n for n in comp if H.in_degree(n) == 0]
            or comp[:1]
        )
        _bfs(roots, dist, lambda n: sorted(H.successors(n)))
        rest = [n for n in comp if n not in dist]
        if rest:  # reached only against the arrows: place them after their neighbours
            _bfs(
                sorted(n for n in comp if n in dist),
                dist,
                lambda n: sorted({*H.successors(n), *H.predecessors(n)}),
                keep=True,
            )
    return dist


def _bfs(
    starts: list[str], dist: dict[str, int], neighbours: Callable[[str], list[str]], *, keep: bool = False
) -> None:
    queue = deque(starts)
    for n in starts:
        if not keep:
            dist[n] = 0
    while queue:
        u = queue.popleft()
        for v in neighbours(u):
            if v not in dist:
                dist[v] = dist[u] + 1
                queue.append(v)


def layout(H: nx.MultiDiGraph) -> dict[str, tuple[int, int]]:
    """Integer positions: one band of columns per distance from NHS Digital.

    Organisations without edges come last.  A band holds at most 40 nodes per column;
    inside a band nodes are ordered by the mean row of their senders (fewer crossings), then
    by name, so 1,000+ nodes stay readable and the same graph always gets the same positions.

    >>> from dataflow_graph.examples import two_copies
    >>> from dataflow_graph.graph import build_graph
    >>> layout(build_graph(two_copies().flows))["org:nhs-digital"]
    (0, 0)
    """
    dist = _layers(H)
    last = max((d for n, d in dist.items() if H.degree(n)), default=-1)
    bands: dict[int, list[str]] = defaultdict(list)
    for n, d in dist.items():
        bands[d if H.degree(n) else last + 1].append(n)  # organisations without edges go last
    rank: dict[str, int] = {}
    pos: dict[str, tuple[int, int]] = {}
    x0 = 0
    for d in sorted(bands):

        def key(n: str) -> tuple[float, int, str, str]:
            senders = [rank[p] for p in sorted(H.predecessors(n)) if p in rank]
            mean = sum(senders) / len(senders) if senders else -1.0
            data = H.nodes[n]
            return (mean, _ROLE_ORDER.get(Role(data.get("role", "other")), 99), data.get("name", n), n)

        members = sorted(bands[d], key=key)
        columns = -(-len(members) // _ROWS)
        for i, n in enumerate(members):
            col, row = divmod(i, _ROWS)
            in_col = min(_ROWS, len(members) - col * _ROWS)
            rank[n] = i
            pos[n] = (x0 + col * _COL_W, row * _ROW_H - (in_col - 1) * _ROW_H // 2)
        x0 += (columns - 1) * _COL_W + _LAYER_GAP
    return pos
