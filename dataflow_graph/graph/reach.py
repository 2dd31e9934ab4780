"""Upstream and downstream: who fed an organisation, and where its data went, nearest first."""

from __future__ import annotations

import enum
from collections import defaultdict
from dataclasses import dataclass

import networkx as nx

from ..errors import UnknownOrganisationError
from ..model import Flow, Hop, span_dict

__all__ = ["Direction", "Neighbour", "downstream", "neighbours", "upstream"]


class Direction(str, enum.Enum):
    """Which way to walk the flows from an organisation."""

    UP = "up"
    DOWN = "down"


@dataclass(frozen=True, slots=True)
class Neighbour:
    """An organisation reached from another, at some distance, through some hops."""

    organisation: str
    name: str
    role: str
    distance: int
    hops: tuple[tuple[Flow, Hop], ...]

    def as_dict(self) -> dict[str, object]:
        return {
            "organisation": self.organisation,
            "name": self.name,
            "role": self.role,
            "distance": self.distance,
            "flows": [
                {
                    "flow": f.id,
                    "entry": f.entry,
                    "reference": f.reference,
                    "purpose": f.purpose,
                    "kind": f.kind.value,
                    "families": list(f.families),
                    "identifiability": h.identifiability.value,
                    "from": h.source.name,
                    "to": h.target.name,
                    "evidence": span_dict(h.evidence),
                }
                for f, h in self.hops
            ],
        }


def _reach(G: nx.MultiDiGraph, node: str, depth: int | None, reverse: bool) -> list[Neighbour]:
    if node not in G:
        raise UnknownOrganisationError(node)
    frontier, dist = [node], {node: 0}
    via: dict[str, list[tuple[Flow, Hop]]] = defaultdict(list)
    level = 0
    while frontier and (depth is None or level < depth):
        level += 1
        nxt: list[str] = []
        for u in frontier:
            edges = G.in_edges(u, data=True) if reverse else G.out_edges(u, data=True)
            for a, b, data in sorted(edges, key=lambda e: (e[0], e[1], e[2]["flow"].id)):
                other = a if reverse else b
                if other == node:
                    continue
                if other not in dist:
                    dist[other] = level
                    nxt.append(other)
                if dist[other] == level:
                    via[other].append((data["flow"], data["hop"]))
        frontier = sorted(nxt)
    return [
        Neighbour(n, G.nodes[n]["name"], G.nodes[n]["role"], dist[n], tuple(via[n]))
        for n in sorted(dist, key=lambda n: (dist[n], G.nodes[n]["name"]))
        if n != node
    ]


def downstream(G: nx.MultiDiGraph, node: str, *, depth: int | None = None) -> list[Neighbour]:
    """Organisations that ``node`` sent data to, directly or onward, nearest first."""
    return _reach(G, node, depth, reverse=False)


def upstream(G: nx.MultiDiGraph, node: str, *, depth: int | None = None) -> list[Neighbour]:
    """Organisations that fed ``node``, directly or from further back, nearest first."""
    return _reach(G, node, depth, reverse=True)


def neighbours(G: nx.MultiDiGraph, node: str, direction: Direction, *, depth: int | None = None) -> list[Neighbour]:
    """:func:`upstream` or :func:`downstream` of ``node``, by ``direction``.

    Examples
    --------
    >>> from dataflow_graph.examples import two_copies
    >>> from dataflow_graph.graph import build_graph
    >>> G = build_graph(two_copies().flows)
    >>> [n.name for n in neighbours(G, "org:example-ccg", Direction.UP, depth=1)]
    ['Example CSU']
    """
    return _reach(G, node, depth, reverse=direction is Direction.UP)
