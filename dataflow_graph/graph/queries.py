"""Pure queries over the flow graph: paths, upstream/downstream, convergences.

Every function takes the graph ``G`` of :func:`dataflow_graph.graph.build_graph`
first, returns records, and never prints.  See DESIGN.md, "Convergence, precisely".

Severity of a finding (documented in the README) is a sum of its qualifiers:

====================================================  ======
both an identifiable and a record-level de-identified   +3
copy reach the recipient
the two copies overlap in time (at least one month)     +3
opt-outs honoured on one copy and not on the other      +3
both copies under one agreement                         +1
the recipient links other data to a copy                +2
a re-identification route starts at or near it          +2
the recipient is only a landing point for one copy      -2
a segregation is stated (a CEfF, "held separately")     -1
====================================================  ======
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import networkx as nx

from ..errors import UnknownOrganisationError
from ..model import Flow, FlowKind, Hop, Identifiability, OptOut, Period, Role, span_dict

__all__ = [
    "SEVERITY",
    "Convergence",
    "Excluded",
    "FlowPath",
    "Side",
    "convergences",
    "downstream",
    "flow_paths",
    "upstream",
]

SEVERITY = {
    "both_copies": 3,
    "overlap": 3,
    "opt_out_divergence": 3,
    "same_agreement": 1,
    "linkage": 2,
    "reidentification": 2,
    "landing_only": -2,
    "segregation": -1,
}
_SIDE_KINDS = (FlowKind.TRANSFER, FlowKind.ACCESS, FlowKind.REIDENTIFICATION)


def _months(period: Period | None) -> frozenset[str]:
    if period is None or period.reversed:
        return frozenset()
    return _month_set(period.start, period.end)


@functools.lru_cache(maxsize=1 << 16)
def _month_set(start: str | None, end: str | None) -> frozenset[str]:
    """Months of a window, computed once per distinct window."""
    return frozenset(Period(start, end).months())


def _in_window(period: Period | None, during: Period | None) -> bool:
    if during is None:
        return True
    return period is not None and not period.reversed and period.overlap(during) is not None


# ---------------------------------------------------------------------------------------
# Paths


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
        and _in_window(f.period, during)
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
    groups: dict[tuple[str, str], nx.MultiDiGraph] = defaultdict(nx.MultiDiGraph)
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
            key = (entry, purpose_name, tuple((h.source.id, h.target.id) for h in hops))
            if key in seen:
                continue
            seen.add(key)
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

    edges: dict[tuple[str, str], list[tuple[str, str, str, dict]]] = field(default_factory=dict)
    into: dict[str, set[tuple[str, str]]] = field(default_factory=lambda: defaultdict(set))
    out_of: dict[str, set[tuple[str, str]]] = field(default_factory=lambda: defaultdict(set))


def _group_index(G: nx.MultiDiGraph) -> _GroupIndex:
    """Built once per graph (kept in ``G.graph``), so a path query reads only its groups."""
    cached = G.graph.get("_dfg_group_index")
    if cached is not None and cached[0] == G.number_of_edges():
        return cached[1]
    index = _GroupIndex()
    for u, v, key, data in G.edges(keys=True, data=True):
        f: Flow = data["flow"]
        group = (f.entry, f.purpose)
        index.edges.setdefault(group, []).append((u, v, key, data))
        index.into[v].add(group)
        index.out_of[u].add(group)
    G.graph["_dfg_group_index"] = (G.number_of_edges(), index)
    return index


# ---------------------------------------------------------------------------------------
# Upstream / downstream


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


# ---------------------------------------------------------------------------------------
# Convergence


@dataclass(frozen=True, slots=True)
class Side:
    """One copy's arrival at the recipient: the flow, and the hop that delivered it."""

    flow: Flow
    hop: Hop
    path: tuple[str, ...]

    def as_dict(self) -> dict[str, object]:
        f = self.flow
        return {
            "entry": f.entry,
            "reference": f.reference,
            "agreement": f.agreement,
            "purpose": f.purpose,
            "kind": f.kind.value,
            "flow": f.id,
            "identifiability": self.hop.identifiability.value,
            "period": f.period.as_dict() if f.period else None,
            "opt_outs": f.opt_outs.value,
            "landing_only": self.hop.landing_only,
            "unit": self.hop.unit,
            "path": list(self.path),
            "evidence": [span_dict(self.hop.evidence)],
        }


@dataclass(frozen=True, slots=True)
class Excluded:
    """A recipient/family pair reported apart, with the reason."""

    recipient: str
    family: str
    reason: str

    def as_dict(self) -> dict[str, object]:
        return {"recipient": self.recipient, "family": self.family, "reason": self.reason}


@dataclass(frozen=True, slots=True)
class Convergence:
    """A recipient that receives one dataset family both identifiable and de-identified."""

    recipient: str
    recipient_id: str
    family: str
    identifiable: tuple[Side, ...]
    pseudonymised: tuple[Side, ...]
    overlap: tuple[str, ...]
    opt_out_divergence: bool
    same_agreement: tuple[str, ...]
    landing_only: tuple[str, ...]
    segregation: tuple[dict[str, object], ...]
    linkage: tuple[dict[str, object], ...]
    reidentification: tuple[dict[str, object], ...]
    severity: int
    rolled_up_from: tuple[str, ...] = field(default=())

    @property
    def severity_label(self) -> str:
        return "high" if self.severity >= 8 else "medium" if self.severity >= 5 else "low"

    def as_dict(self) -> dict[str, object]:
        return {
            "recipient": self.recipient,
            "recipient_id": self.recipient_id,
            "family": self.family,
            "severity": self.severity,
            "severity_label": self.severity_label,
            "identifiable": [s.as_dict() for s in self.identifiable],
            "pseudonymised": [s.as_dict() for s in self.pseudonymised],
            "overlap": {"from": self.overlap[0], "to": self.overlap[-1], "months": list(self.overlap)}
            if self.overlap
            else None,
            "opt_out_divergence": self.opt_out_divergence,
            "opt_outs": {
                "identifiable": sorted({s.flow.opt_outs.value for s in self.identifiable}),
                "pseudonymised": sorted({s.flow.opt_outs.value for s in self.pseudonymised}),
            },
            "same_agreement": list(self.same_agreement),
            "landing_only": bool(self.landing_only),
            "landing_only_sides": list(self.landing_only),
            "segregation": list(self.segregation),
            "linkage": list(self.linkage),
            "reidentification": list(self.reidentification),
            "rolled_up_from": list(self.rolled_up_from),
            "entries": {
                "identifiable": sorted({s.flow.entry for s in self.identifiable}),
                "pseudonymised": sorted({s.flow.entry for s in self.pseudonymised}),
            },
        }


def _is_part_of_source(G: nx.MultiDiGraph, node: str) -> bool:
    org = G.nodes[node]["organisation"]
    if org.role in (Role.SOURCE, Role.DSCRO):
        return True
    seen = {node}
    parent = org.part_of
    while parent and parent not in seen:
        if parent in G and G.nodes[parent]["organisation"].role is Role.SOURCE:
            return True
        if parent == "org:nhs-digital":
            return True
        seen.add(parent)
        parent = G.nodes[parent]["organisation"].part_of if parent in G else None
    return False


def _honours(status: OptOut) -> set[str]:
    return {"yes", "no"} if status is OptOut.MIXED else {status.value} - {"unknown"}


def convergences(
    G: nx.MultiDiGraph,
    *,
    recipient: str | None = None,
    successor: bool = False,
    family: str | None = None,
    during: Period | None = None,
) -> tuple[list[Convergence], list[Excluded]]:
    """Findings (sorted by severity, then recipient and family) and the pairs reported apart.

    Examples
    --------
    >>> from dataflow_graph.examples import two_copies
    >>> from dataflow_graph.graph import build_graph
    >>> found, excluded = convergences(build_graph(two_copies().flows))
    >>> [(c.recipient, c.family, c.overlap[0], c.opt_out_divergence) for c in found]
    [('Example CCG', 'SUS', '2019-01', True), ('Example CSU', 'SUS', '2019-01', True)]
    """
    from .build import rolled_up

    if recipient is not None and recipient not in G:
        raise UnknownOrganisationError(recipient)
    arrivals: dict[tuple[str, str], list[Side]] = defaultdict(list)
    kinds: dict[tuple[str, str], int] = defaultdict(int)  # bit 1: identifiable, bit 2: de-identified
    paths: dict[str, tuple[str, ...]] = {}
    nodes: dict[str, str] = {}
    for _u, v, data in G.edges(data=True):
        f: Flow = data["flow"]
        if f.kind not in _SIDE_KINDS or not _in_window(f.period, during):
            continue
        hop: Hop = data["hop"]
        node = nodes.get(v) or nodes.setdefault(v, rolled_up(G, v, successor=successor))
        whole = paths.get(f.id) or paths.setdefault(f.id, f.path)
        path = whole[: data["index"] + 2]
        level = hop.identifiability
        kind = 1 if level is Identifiability.IDENTIFIABLE else 2 if level.is_record_level_deidentified else 0
        for fam in hop.families or f.families:
            if family is None or fam == family:
                arrivals[(node, fam)].append(Side(f, hop, path))
                kinds[(node, fam)] |= kind
    found: list[Convergence] = []
    excluded: list[Excluded] = []
    index = _SpecialIndex(G)
    for (node, fam), sides in sorted(arrivals.items()):
        if recipient is not None and rolled_up(G, recipient, successor=successor) != node:
            continue
        if kinds[(node, fam)] != 3 and not (kinds[(node, fam)] and _is_part_of_source(G, node)):
            continue  # only one kind of copy arrives: nothing to find or to report apart
        ident = _unique(s for s in sides if s.hop.identifiability is Identifiability.IDENTIFIABLE)
        pseudo = _unique(s for s in sides if s.hop.identifiability.is_record_level_deidentified)
        name = G.nodes[node]["name"]
        if _is_part_of_source(G, node):
            if ident or pseudo:
                excluded.append(
                    Excluded(name, fam, "part of the source (NHS Digital): it receives identifiable data by design")
                )
            continue
        if ident and pseudo:
            found.append(_finding(G, node, fam, ident, pseudo, sides, index))
    found.sort(key=lambda c: (-c.severity, c.recipient, c.family))
    return found, excluded


def _unique(sides: Iterable[Side]) -> tuple[Side, ...]:
    seen: dict[tuple[str, int], Side] = {}
    for s in sides:
        seen.setdefault((s.flow.id, s.hop.evidence.line), s)
    return tuple(sorted(seen.values(), key=lambda s: (s.flow.entry, s.flow.id)))


def _finding(
    G: nx.MultiDiGraph,
    node: str,
    fam: str,
    ident: tuple[Side, ...],
    pseudo: tuple[Side, ...],
    sides: list[Side],
    index: _SpecialIndex,
) -> Convergence:
    months_i = set().union(*(_months(s.flow.period) for s in ident))
    months_p = set().union(*(_months(s.flow.period) for s in pseudo))
    overlap = tuple(sorted(months_i & months_p))
    hon_i = set().union(*(_honours(s.flow.opt_outs) for s in ident))
    hon_p = set().union(*(_honours(s.flow.opt_outs) for s in pseudo))
    divergence = ("yes" in hon_i and "no" in hon_p) or ("no" in hon_i and "yes" in hon_p)
    same = tuple(sorted({s.flow.agreement for s in ident} & {s.flow.agreement for s in pseudo}))
    landing = tuple(
        name
        for name, group in (("identifiable", ident), ("pseudonymised", pseudo))
        if all(s.hop.landing_only for s in group)
    )
    segregation = _segregation(ident + pseudo)
    linkage, reid = index.near(node)
    score = SEVERITY["both_copies"]
    score += SEVERITY["overlap"] if overlap else 0
    score += SEVERITY["opt_out_divergence"] if divergence else 0
    score += SEVERITY["same_agreement"] if same else 0
    score += SEVERITY["linkage"] if linkage else 0
    score += SEVERITY["reidentification"] if reid else 0
    score += SEVERITY["landing_only"] if landing else 0
    score += SEVERITY["segregation"] if segregation else 0
    originals = tuple(sorted({s.hop.target.name for s in sides} - {G.nodes[node]["name"]}))
    return Convergence(
        G.nodes[node]["name"],
        node,
        fam,
        ident,
        pseudo,
        overlap,
        divergence,
        same,
        landing,
        segregation,
        linkage,
        reid,
        score,
        originals,
    )


def _segregation(sides: tuple[Side, ...]) -> tuple[dict[str, object], ...]:
    out: dict[tuple[str, str], dict[str, object]] = {}
    for s in sides:
        if s.hop.unit:
            out[("unit", s.hop.unit)] = {
                "kind": "unit",
                "unit": s.hop.unit,
                "entry": s.flow.entry,
                "evidence": span_dict(s.hop.evidence),
            }
        for span in s.flow.segregation:
            out.setdefault(
                ("statement", span.text),
                {"kind": "statement", "unit": None, "entry": s.flow.entry, "evidence": span_dict(span)},
            )
    return tuple(out[k] for k in sorted(out))


class _SpecialIndex:
    """Linkage and re-identification flows indexed once per query, by where they happen."""

    def __init__(self, G: nx.MultiDiGraph) -> None:
        self.G = G
        self.linkage_at: dict[str, dict[str, dict[str, object]]] = defaultdict(dict)
        self.reid_from: dict[str, dict[str, dict[str, object]]] = defaultdict(dict)
        self.readers: dict[str, set[str]] = defaultdict(set)
        self._gathered: dict[tuple[str, frozenset[str]], tuple[dict[str, object], ...]] = {}
        for u, v, data in G.edges(data=True):
            f: Flow = data["flow"]
            hop: Hop = data["hop"]
            if hop.access:
                self.readers[v].add(u)
            if f.kind is FlowKind.LINKAGE:
                self.linkage_at[v][f.id] = {
                    "entry": f.entry,
                    "reference": f.reference,
                    "at": G.nodes[v]["name"],
                    "linked": list(f.linked),
                    "evidence": span_dict(hop.evidence),
                }
            elif f.kind is FlowKind.REIDENTIFICATION:
                self.reid_from[u][f.id] = {
                    "entry": f.entry,
                    "reference": f.reference,
                    "from": G.nodes[u]["name"],
                    "to": G.nodes[v]["name"],
                    "key_holder": f.key_holder,
                    "evidence": span_dict(hop.evidence),
                }

    def near(self, node: str) -> tuple[tuple[dict[str, object], ...], tuple[dict[str, object], ...]]:
        """Linkage at the recipient or at a processor whose copy it reads; re-identification
        routes starting there or downstream."""
        near = {node} | self.readers.get(node, set())
        linkage = self._gather("linkage", self.linkage_at, near)
        if not self.reid_from:
            return linkage, ()
        return linkage, self._gather("reid", self.reid_from, near | nx.descendants(self.G, node))

    def _gather(
        self, kind: str, items_at: dict[str, dict[str, dict[str, object]]], nodes: set[str]
    ) -> tuple[dict[str, object], ...]:
        """The items at any of ``nodes``, by flow id (remembered: many recipients share a reach)."""
        starts = frozenset(nodes & items_at.keys())
        got = self._gathered.get((kind, starts))
        if got is None:
            merged: dict[str, dict[str, object]] = {}
            for n in sorted(starts):
                merged.update(items_at[n])
            got = self._gathered[(kind, starts)] = tuple(merged[k] for k in sorted(merged))
        return got
