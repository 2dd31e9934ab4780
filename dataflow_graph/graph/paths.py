"""Routes from one organisation to another, each within one entry and purpose.

Every function takes the graph ``G`` of :func:`~dataflow_graph.graph.build_graph` first,
returns records and never prints.
"""

from __future__ import annotations

import weakref
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from ..errors import UnknownOrganisationError
from ..model import Flow, FlowKind, Hop, Identifiability, OptOut, Period
from .periods import in_window

__all__ = ["FlowPath", "flow_paths"]

#: (entry, purpose): the hops that may be joined into one route.
Group = tuple[str, str]
#: An edge of the flow graph as networkx yields it: (u, v, key, attributes).
Edge = tuple[str, str, str, dict[str, Any]]


@dataclass(frozen=True, slots=True)
class FlowPath:
    """A route from one organisation to another under one entry and purpose."""

    entry: str
    reference: str
    agreement: str
    purpose: str
    identifiability: Identifiability
    families: tuple[str, ...]
    period: Period | None
    opt_outs: OptOut
    hops: tuple[Hop, ...]

    @property
    def names(self) -> tuple[str, ...]:
        """Organisation names from the sender to the recipient."""
        return (self.hops[0].source.name, *(h.target.name for h in self.hops))

    def as_dict(self) -> dict[str, object]:
        return {
            "entry": self.entry,
            "reference": self.reference,
            "agreement": self.agreement,
            "purpose": self.purpose,
            "identifiability": self.identifiability.value,
            "families": list(self.families),
            "period": self.period.as_dict() if self.period else None,
            "opt_outs": self.opt_outs.value,
            "path": list(self.names),
            "hops": [h.as_dict() for h in self.hops],
        }


def _edge_ok(
    f: Flow,
    h: Hop,
    *,
    family: str | None,
    identifiability: Identifiability | None,
    purpose: str | None,
    kind: FlowKind | None,
    during: Period | None,
) -> bool:
    return (
        (family is None or family in (h.families or f.families))
        and (identifiability is None or f.identifiability is identifiability)
        and (purpose is None or purpose.lower() in f.purpose.lower())
        and (kind is None or f.kind is kind)
        and in_window(f.period, during)
    )


def flow_paths(
    G: nx.MultiDiGraph,
    source: str,
    target: str,
    *,
    family: str | None = None,
    identifiability: Identifiability | None = None,
    purpose: str | None = None,
    kind: FlowKind | None = None,
    during: Period | None = None,
    depth: int | None = None,
) -> list[FlowPath]:
    """Routes from ``source`` to ``target``, each within one entry and purpose.

    Hops of one entry and purpose are joined (a flow split where its families narrow
    is still one route); hops of different entries never are.

    Parameters
    ----------
    G : nx.MultiDiGraph
        The flow graph.
    source, target : str
        Node ids.
    family, identifiability, purpose, kind, during
        Keep only hops of this family, flows at this identifiability, of a purpose
        containing this text (any case), of this kind, or in this window.
    depth : int, optional
        Most hops in a route.

    Returns
    -------
    list of FlowPath
        By entry and purpose, then in the order networkx finds them.

    Raises
    ------
    UnknownOrganisationError
        If ``source`` or ``target`` is not a node of ``G``.

    Examples
    --------
    >>> from dataflow_graph.examples import two_copies
    >>> from dataflow_graph.graph import build_graph
    >>> G = build_graph(two_copies().flows)
    >>> [p.names for p in flow_paths(G, "org:nhs-digital", "org:example-ccg",
    ...                               identifiability=Identifiability.PSEUDONYMISED)]
    [('NHS Digital', 'Example DSCRO', 'Example CSU', 'Example CCG')]
    """
    for node in (source, target):
        if node not in G:
            raise UnknownOrganisationError(node)
    index = _group_index(G)
    groups: dict[Group, nx.MultiDiGraph] = defaultdict(nx.MultiDiGraph)
    for group in sorted(index.into[target] & index.out_of[source]):
        for u, v, key, data in index.edges[group]:
            f: Flow = data["flow"]
            if _edge_ok(
                f,
                data["hop"],
                family=family,
                identifiability=identifiability,
                purpose=purpose,
                kind=kind,
                during=during,
            ):
                groups[group].add_edge(u, v, key=key, **data)
    out: list[FlowPath] = []
    seen: set[tuple[object, ...]] = set()
    for (entry, purpose_name), H in sorted(groups.items()):
        if source not in H or target not in H:
            continue
        for edge_path in nx.all_simple_edge_paths(H, source, target, cutoff=depth):
            hops = tuple(H.edges[e]["hop"] for e in edge_path)
            flows = [H.edges[e]["flow"] for e in edge_path]
            route = (entry, purpose_name, tuple((h.source.id, h.target.id) for h in hops))
            if route in seen:
                continue
            seen.add(route)
            first = flows[-1]
            fams = tuple(
                sorted(set.intersection(*(set(h.families or f.families) for h, f in zip(hops, flows, strict=True))))
            )
            out.append(
                FlowPath(
                    first.entry,
                    first.reference,
                    first.agreement,
                    purpose_name,
                    first.identifiability,
                    fams,
                    first.period,
                    first.opt_outs,
                    hops,
                )
            )
    return out


@dataclass
class _GroupIndex:
    """Edges grouped by (entry, purpose), and the groups reaching into / out of each node."""

    edges: dict[Group, list[Edge]] = field(default_factory=dict)
    into: dict[str, set[Group]] = field(default_factory=lambda: defaultdict(set))
    out_of: dict[str, set[Group]] = field(default_factory=lambda: defaultdict(set))


#: Each view's group index and the record of the edges it was built from (see
#: :func:`_edge_record`), keyed by the view itself: ``G.graph`` would not do, as ``G.copy()``
#: carries it over and a view shares its graph's.
_INDEXES: weakref.WeakKeyDictionary[nx.MultiDiGraph, tuple[list[object], _GroupIndex]] = weakref.WeakKeyDictionary()


def _edge_record(G: nx.MultiDiGraph) -> list[object]:
    """Each edge as u, v, key, the id of its attribute dict and its flow, flattened, in networkx's order.

    Two records are equal only for the same edges in the same order (which fixes the order
    of the routes found), each with the same attribute dict (by identity: the index keeps
    the dicts it holds alive, so their ids are not reused) and an equal flow (which fixes
    the edge's group).
    """
    out: list[object] = []
    add = out.extend
    for u, v, key, data in G.edges(keys=True, data=True):
        add((u, v, key, id(data), data["flow"]))
    return out


#: Where a graph keeps its index among networkx's own caches (``G.__networkx_cache__``).
_CACHE_KEY = "dataflow_graph.paths.group_index"


def _group_index(G: nx.MultiDiGraph) -> _GroupIndex:
    """The edges of ``G`` by group, built once per graph and edge set, so a path query reads only its groups.

    A graph keeps its index among networkx's caches (``G.__networkx_cache__``): networkx
    empties them whenever a node or an edge of that graph is added or removed, and a copy
    starts with none, so the index always has the graph's edges; a path query on the 10k
    register's graph (58k edges) reads it at once.  A view (a subgraph) sees its graph change
    without its caches being emptied, and networkx before 3.3 has none: there the index is
    checked against the edges themselves (:func:`_edge_record`, a pass over them each
    time).  An edge's flow replaced in place (``G.edges[e]["flow"] = f``) is no such change:
    empty the caches after it (``G.__networkx_cache__.clear()``).
    """
    cache = getattr(G, "__networkx_cache__", None)
    if cache is not None and not hasattr(G, "_graph"):  # a graph, not a view of one
        found: _GroupIndex | None = cache.get(_CACHE_KEY)
        if found is None:
            found = cache[_CACHE_KEY] = _built(G)
        return found
    record = _edge_record(G)
    cached = _INDEXES.get(G)
    if cached is not None and cached[0] == record:
        return cached[1]
    index = _built(G)
    _INDEXES[G] = (record, index)
    return index


def _built(G: nx.MultiDiGraph) -> _GroupIndex:
    """The group index of ``G``'s edges."""
    index = _GroupIndex()
    for u, v, key, data in G.edges(keys=True, data=True):
        f: Flow = data["flow"]
        group = (f.entry, f.purpose)
        index.edges.setdefault(group, []).append((u, v, key, data))
        index.into[v].add(group)
        index.out_of[u].add(group)
    return index
