"""Flows as a networkx ``MultiDiGraph``: node = organisation id, one edge per hop.

Each edge has key ``<flow id>#<hop index>`` and the attributes ``flow`` (the whole
:class:`~dataflow_graph.model.Flow`), ``hop`` (the :class:`~dataflow_graph.model.Hop`)
and ``index``.  Nodes carry ``organisation`` (the record), ``name`` and ``role``.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable

import networkx as nx

from ..model import Flow, Organisation

__all__ = ["RollUp", "build_graph", "rolled_up"]


class RollUp(str, enum.Enum):
    """What a recipient counts as: the organisation of its units, or also its last successor."""

    UNIT = "unit"
    SUCCESSOR = "successor"


def build_graph(flows: Iterable[Flow], organisations: Iterable[Organisation] = ()) -> nx.MultiDiGraph:
    """The flow graph; nodes and edges are added in sorted order, so it is deterministic.

    >>> from dataflow_graph.examples import two_copies
    >>> G = build_graph(two_copies().flows)
    >>> sorted(G)[:2]
    ['org:example-ccg', 'org:example-csu']
    """
    G = nx.MultiDiGraph()
    orgs: dict[str, Organisation] = {o.id: o for o in organisations}
    flows = sorted(flows, key=lambda f: f.id)
    for f in flows:
        for h in f.hops:
            orgs.setdefault(h.source.id, h.source)
            orgs.setdefault(h.target.id, h.target)
    for org_id in sorted(orgs):
        o = orgs[org_id]
        G.add_node(org_id, organisation=o, name=o.name, role=o.role.value)
    for f in flows:
        for i, h in enumerate(f.hops):
            G.add_edge(h.source.id, h.target.id, key=f"{f.id}#{i}", flow=f, hop=h, index=i)
    return G


def rolled_up(G: nx.MultiDiGraph, node: str, *, rollup: RollUp = RollUp.UNIT) -> str:
    """The node a recipient counts as: itself, or its last successor (CCG -> ICB)."""
    if rollup is RollUp.UNIT:
        return node
    seen = {node}
    current = node
    while True:
        org = G.nodes[current]["organisation"] if current in G else None
        nxt = org.successor if org is not None else None
        if not nxt or nxt in seen:
            return current
        seen.add(nxt)
        current = nxt
