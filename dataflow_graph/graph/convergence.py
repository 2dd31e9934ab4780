"""Convergence: one recipient given identifiable and de-identified copies of one dataset family.

See DESIGN.md, "Convergence, precisely".  Each finding carries both sides' flows and
every qualifier with its evidence (overlapping months, opt-outs, agreements, landing-only
sides, stated segregation, linkage and re-identification near the recipient); its
severity comes from :mod:`~dataflow_graph.graph.severity`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TypeVar

import networkx as nx

from ..errors import Span, UnknownOrganisationError
from ..model import Flow, FlowKind, Hop, Identifiability, OptOut, Period, Role, span_dict
from .build import RollUp, rolled_up
from .periods import in_window, months_of
from .severity import label, score

__all__ = [
    "Convergence",
    "Excluded",
    "Linkage",
    "Reidentification",
    "Segregation",
    "Side",
    "convergences",
]

_SIDE_KINDS = (FlowKind.TRANSFER, FlowKind.ACCESS, FlowKind.REIDENTIFICATION)


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
class Segregation:
    """A stated segregation: a copy landing in a unit (a CEfF), or a "held separately" sentence."""

    kind: str  # "unit" or "statement"
    unit: str | None
    entry: str
    evidence: Span

    def as_dict(self) -> dict[str, object]:
        return {"kind": self.kind, "unit": self.unit, "entry": self.entry, "evidence": span_dict(self.evidence)}


@dataclass(frozen=True, slots=True)
class Linkage:
    """Other data linked to a copy at an organisation (the recipient or a processor it reads)."""

    entry: str
    reference: str
    at: str
    linked: tuple[str, ...]
    evidence: Span

    def as_dict(self) -> dict[str, object]:
        return {
            "entry": self.entry,
            "reference": self.reference,
            "at": self.at,
            "linked": list(self.linked),
            "evidence": span_dict(self.evidence),
        }


@dataclass(frozen=True, slots=True)
class Reidentification:
    """A re-identification route from ``source`` to ``target`` (with its key holder, if named)."""

    entry: str
    reference: str
    source: str
    target: str
    key_holder: str | None
    evidence: Span

    def as_dict(self) -> dict[str, object]:
        return {
            "entry": self.entry,
            "reference": self.reference,
            "from": self.source,
            "to": self.target,
            "key_holder": self.key_holder,
            "evidence": span_dict(self.evidence),
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
    segregation: tuple[Segregation, ...]
    linkage: tuple[Linkage, ...]
    reidentification: tuple[Reidentification, ...]
    severity: int
    rolled_up_from: tuple[str, ...] = field(default=())

    @property
    def severity_label(self) -> str:
        return label(self.severity)

    @property
    def identifiable_opt_outs(self) -> tuple[str, ...]:
        """Opt-out statuses of the identifiable copies, sorted."""
        return tuple(sorted({s.flow.opt_outs.value for s in self.identifiable}))

    @property
    def pseudonymised_opt_outs(self) -> tuple[str, ...]:
        """Opt-out statuses of the de-identified copies, sorted."""
        return tuple(sorted({s.flow.opt_outs.value for s in self.pseudonymised}))

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
                "identifiable": list(self.identifiable_opt_outs),
                "pseudonymised": list(self.pseudonymised_opt_outs),
            },
            "same_agreement": list(self.same_agreement),
            "landing_only": bool(self.landing_only),
            "landing_only_sides": list(self.landing_only),
            "segregation": [s.as_dict() for s in self.segregation],
            "linkage": [x.as_dict() for x in self.linkage],
            "reidentification": [x.as_dict() for x in self.reidentification],
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
    rollup: RollUp = RollUp.UNIT,
    family: str | None = None,
    during: Period | None = None,
) -> tuple[list[Convergence], list[Excluded]]:
    """Findings (sorted by severity, then recipient and family) and the pairs reported apart.

    Parameters
    ----------
    G : nx.MultiDiGraph
        The flow graph.
    recipient : str, optional
        Only this node (after roll-up).
    rollup : RollUp
        Count units as their organisation (always), and with ``SUCCESSOR`` a CCG as its
        last successor.
    family : str, optional
        Only this dataset family.
    during : Period, optional
        Only copies whose release window meets this one.

    Raises
    ------
    UnknownOrganisationError
        If ``recipient`` is not a node of ``G``.

    Examples
    --------
    >>> from dataflow_graph.examples import two_copies
    >>> from dataflow_graph.graph import build_graph
    >>> found, excluded = convergences(build_graph(two_copies().flows))
    >>> [(c.recipient, c.family, c.overlap[0], c.opt_out_divergence) for c in found]
    [('Example CCG', 'SUS', '2019-01', True), ('Example CSU', 'SUS', '2019-01', True)]
    """
    if recipient is not None and recipient not in G:
        raise UnknownOrganisationError(recipient)
    arrivals: dict[tuple[str, str], list[Side]] = defaultdict(list)
    kinds: dict[tuple[str, str], int] = defaultdict(int)  # bit 1: identifiable, bit 2: de-identified
    paths: dict[str, tuple[str, ...]] = {}
    nodes: dict[str, str] = {}
    for _u, v, data in G.edges(data=True):
        f: Flow = data["flow"]
        if f.kind not in _SIDE_KINDS or not in_window(f.period, during):
            continue
        hop: Hop = data["hop"]
        node = nodes.get(v) or nodes.setdefault(v, rolled_up(G, v, rollup=rollup))
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
        if recipient is not None and rolled_up(G, recipient, rollup=rollup) != node:
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
    months_i = set().union(*(months_of(s.flow.period) for s in ident))
    months_p = set().union(*(months_of(s.flow.period) for s in pseudo))
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
    severity = score(
        overlap=bool(overlap),
        opt_out_divergence=divergence,
        same_agreement=bool(same),
        linkage=bool(linkage),
        reidentification=bool(reid),
        landing_only=bool(landing),
        segregation=bool(segregation),
    )
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
        severity,
        originals,
    )


def _segregation(sides: tuple[Side, ...]) -> tuple[Segregation, ...]:
    out: dict[tuple[str, str], Segregation] = {}
    for s in sides:
        if s.hop.unit:
            out[("unit", s.hop.unit)] = Segregation("unit", s.hop.unit, s.flow.entry, s.hop.evidence)
        for span in s.flow.segregation:
            out.setdefault(("statement", span.text), Segregation("statement", None, s.flow.entry, span))
    return tuple(out[k] for k in sorted(out))


T = TypeVar("T", Linkage, Reidentification)


class _SpecialIndex:
    """Linkage and re-identification flows indexed once per query, by where they happen."""

    def __init__(self, G: nx.MultiDiGraph) -> None:
        self.G = G
        self.linkage_at: dict[str, dict[str, Linkage]] = defaultdict(dict)
        self.reid_from: dict[str, dict[str, Reidentification]] = defaultdict(dict)
        self.readers: dict[str, set[str]] = defaultdict(set)
        self._linkage_near: dict[frozenset[str], tuple[Linkage, ...]] = {}
        self._reid_near: dict[frozenset[str], tuple[Reidentification, ...]] = {}
        for u, v, data in G.edges(data=True):
            f: Flow = data["flow"]
            hop: Hop = data["hop"]
            if hop.access:
                self.readers[v].add(u)
            if f.kind is FlowKind.LINKAGE:
                self.linkage_at[v][f.id] = Linkage(f.entry, f.reference, G.nodes[v]["name"], f.linked, hop.evidence)
            elif f.kind is FlowKind.REIDENTIFICATION:
                self.reid_from[u][f.id] = Reidentification(
                    f.entry, f.reference, G.nodes[u]["name"], G.nodes[v]["name"], f.key_holder, hop.evidence
                )

    def near(self, node: str) -> tuple[tuple[Linkage, ...], tuple[Reidentification, ...]]:
        """Linkage at the recipient or at a processor whose copy it reads; re-identification
        routes starting there or downstream."""
        near = {node} | self.readers.get(node, set())
        linkage = _gather(self._linkage_near, self.linkage_at, near)
        if not self.reid_from:
            return linkage, ()
        return linkage, _gather(self._reid_near, self.reid_from, near | nx.descendants(self.G, node))


def _gather(
    memo: dict[frozenset[str], tuple[T, ...]], items_at: dict[str, dict[str, T]], nodes: set[str]
) -> tuple[T, ...]:
    """The items at any of ``nodes``, by flow id (remembered: many recipients share a reach)."""
    starts = frozenset(nodes & items_at.keys())
    got = memo.get(starts)
    if got is None:
        merged: dict[str, T] = {}
        for n in sorted(starts):
            merged.update(items_at[n])
        got = memo[starts] = tuple(merged[k] for k in sorted(merged))
    return got
