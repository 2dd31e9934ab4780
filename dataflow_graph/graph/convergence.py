"""Convergence: one recipient given identifiable and de-identified copies of one dataset family.

See DESIGN.md, "Convergence, precisely".  Each finding carries both sides' flows and
every qualifier with its evidence (overlapping months, opt-outs, agreements, landing-only
sides, stated segregation, linkage and re-identification near the recipient); its
severity comes from :mod:`~dataflow_graph.graph.severity`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence, Set
from dataclasses import dataclass, field
from itertools import chain
from typing import Generic, TypeVar

import networkx as nx

from .._speed import cyclic_gc_paused, field_setters
from ..errors import Span, UnknownOrganisationError
from ..model import Flow, FlowKind, Hop, Identifiability, OptOut, Period, Release, Role, span_dict
from ..names import families_in
from .build import RollUp, rolled_up
from .periods import in_window, months_of
from .qualifiers import (
    ENTRY_STATEMENT,
    REGISTER_PERIOD,
    Cited,
    CopyOptOuts,
    Facts,
    Qualifier,
    cited_line,
    copy_opt_outs,
    release_cited,
)
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

_SIDE_KINDS = frozenset((FlowKind.TRANSFER, FlowKind.ACCESS, FlowKind.REIDENTIFICATION))
_ONWARD_KINDS = frozenset((FlowKind.TRANSFER, FlowKind.ACCESS))
_SPECIAL_KINDS = frozenset((FlowKind.LINKAGE, FlowKind.REIDENTIFICATION))
#: the kind of copy a hop delivers: 1 identifiable, 2 record-level de-identified, 0 neither
_COPY_KIND = {
    level: 1 if level is Identifiability.IDENTIFIABLE else 2 if level.is_record_level_deidentified else 0
    for level in Identifiability
}

_WORDS = {level: level.value for level in Identifiability}


@dataclass(frozen=True, slots=True)
class Side:
    """One copy's arrival at the recipient: the flow, and the hop that delivered it."""

    flow: Flow
    hop: Hop
    path: tuple[str, ...]
    #: node ids from the first sender to the recipient (units not rolled up)
    route: tuple[str, ...] = ()
    #: whether opt-outs were honoured on this copy, and on what evidence (set in a finding)
    opt_outs_found: CopyOptOuts | None = None
    #: the months of a copy its flow does not date (a register's period only): those of its
    #: released files of the same family and kind (``dated_by``); empty when none
    months_found: frozenset[str] | None = None
    dated_by: tuple[Release, ...] = ()
    #: the family of the finding this copy is a side of ("" where made otherwise): which of
    #: its hop's list items (:attr:`~dataflow_graph.model.Hop.items`) speak of it
    family: str = ""

    @property
    def undated(self) -> bool:
        """True when nothing dates this copy: its only period is the register's, and no
        released file of its family and kind under its agreement gives a month."""
        return self.months_found is not None and not self.months_found

    @property
    def window(self) -> tuple[str, str] | None:
        """The copy's first and last month, in order (None when not known)."""
        months = _months(self)
        return (min(months), max(months)) if months else None

    @property
    def label(self) -> str:
        """The copy's own identifiability, in words ("pseudonymised", "anonymised")."""
        return _WORDS[self.hop.identifiability]  # its value, without the enum's descriptor

    @property
    def said(self) -> tuple[Span, ...]:
        """The lines that state this copy: its hop's sentence and, where that is a list head
        ("transfers the following to the CSU:"), the items naming its family ("a. The SUS
        data Identifiable at the level of NHS number"), which say what it carries (every
        item where the side has no family)."""
        items = self.hop.items
        fam = self.family
        return (self.hop.evidence, *(i for i in items if not fam or fam in families_in(i.text)))

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
            "evidence": [span_dict(span) for span in self.said],
            "copy_opt_outs": self.opt_outs_found.as_dict() if self.opt_outs_found else None,
            "until": f.until,
            "months": sorted(_months(self)),
            "dated_by": (
                "its period"
                if self.months_found is None
                else "its released files"
                if self.months_found
                else "nothing: the register's period only"
            ),
            "dated_by_evidence": [release_cited(r).as_dict() for r in self.dated_by],
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
    """A re-identification route from ``source`` to ``target`` (with its key holder, if named);
    ``holder_evidence`` the sentence that names ``source`` when ``evidence`` does not ("The CCG
    who hosts the risk stratification system …")."""

    entry: str
    reference: str
    source: str
    target: str
    key_holder: str | None
    evidence: Span
    holder_evidence: Span | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "entry": self.entry,
            "reference": self.reference,
            "from": self.source,
            "to": self.target,
            "key_holder": self.key_holder,
            "evidence": span_dict(self.evidence),
            "holder_evidence": span_dict(self.holder_evidence),
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
    #: every claim of the finding with its evidence; ``severity`` is the sum of their weights
    qualifiers: tuple[Qualifier, ...] = field(default=())

    def qualifier(self, name: str) -> Qualifier | None:
        """The qualifier of that name, if the finding has it."""
        return next((q for q in self.qualifiers if q.name == name), None)

    @property
    def severity_label(self) -> str:
        return label(self.severity)

    @property
    def identifiable_opt_outs(self) -> tuple[str, ...]:
        """Opt-out statuses of the identifiable copies, sorted (see :func:`_copy_statuses`)."""
        return _copy_statuses(self.identifiable)

    @property
    def pseudonymised_opt_outs(self) -> tuple[str, ...]:
        """Opt-out statuses of the de-identified copies, sorted (see :func:`_copy_statuses`)."""
        return _copy_statuses(self.pseudonymised)

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
            "qualifiers": [q.as_dict() for q in self.qualifiers],
            "linkage_others": q.others if (q := self.qualifier("linkage")) else 0,
            "reidentification_others": q.others if (q := self.qualifier("reidentification")) else 0,
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


def convergences(
    G: nx.MultiDiGraph,
    *,
    recipient: str | None = None,
    rollup: RollUp = RollUp.UNIT,
    family: str | None = None,
    during: Period | None = None,
    facts: Facts | None = None,
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
        last successor; a rolled-up finding keeps every qualifier of the organisations in it.
    family : str, optional
        Only this dataset family.
    during : Period, optional
        Only copies whose release window meets this one.
    facts : Facts, optional
        The entries and released files the qualifiers may cite (the copies' opt-out
        statements and files); without them a copy's opt-outs are its flow's own text.

    Raises
    ------
    UnknownOrganisationError
        If ``recipient`` is not a node of ``G``.

    Examples
    --------
    >>> from dataflow_graph.examples import two_copies
    >>> from dataflow_graph.graph import build_graph
    >>> found, excluded = convergences(build_graph(two_copies().flows))
    >>> [(c.recipient, c.family, c.overlap[0]) for c in found]
    [('Example CCG', 'SUS', '2019-01'), ('Example CSU', 'SUS', '2019-01')]
    """
    if recipient is not None and recipient not in G:
        raise UnknownOrganisationError(recipient)
    with cyclic_gc_paused():  # sides and findings are acyclic records: nothing to collect
        return _convergences(G, recipient=recipient, rollup=rollup, family=family, during=during, facts=facts)


def _convergences(
    G: nx.MultiDiGraph,
    *,
    recipient: str | None,
    rollup: RollUp,
    family: str | None,
    during: Period | None,
    facts: Facts | None,
) -> tuple[list[Convergence], list[Excluded]]:
    facts = facts if facts is not None else Facts()
    wanted = rolled_up(G, recipient, rollup=rollup) if recipient is not None else None
    # each arrival as (flow, hop, path length), by the kind of copy (_COPY_KIND: neither,
    # identifiable, de-identified), then recipient and family: a Side is made only for the
    # copies of a recipient and family that both kinds reach (most pairs get one kind or none)
    arrivals: tuple[dict[tuple[str, str], list[_Arrival]], ...] = tuple(defaultdict(list) for _ in range(3))
    nodes: dict[str, str] = {}
    # for the linkage and re-identification index, in the same pass
    onward: dict[tuple[str, str], None] = {}
    readers: dict[str, set[str]] = defaultdict(set)
    special: list[tuple[str, str, Flow, Hop]] = []
    # the edges in the order of G.edges(data=True), read from the adjacency dicts that
    # G.adjacency() yields as they are (G.adj and G.edges wrap each level in a view) a pair
    # of organisations at a time (tens of parallel edges each): the recipient rolled up once per pair
    for u, targets in G.adjacency():
        for v, keyed in targets.items():
            node = nodes.get(v) or nodes.setdefault(v, rolled_up(G, v, rollup=rollup))
            taken = wanted is None or node == wanted  # one recipient asked for: only its arrivals
            carried_on = False  # whether a copy goes on from u to v (a pair is met once)
            for data in keyed.values():
                f: Flow = data["flow"]
                hop: Hop = data["hop"]
                flow_kind = f.kind
                if not carried_on and flow_kind in _ONWARD_KINDS:
                    carried_on = True
                    onward[(u, v)] = None
                if hop.access:
                    readers[v].add(u)
                if flow_kind in _SPECIAL_KINDS:
                    special.append((u, v, f, hop))
                if not taken or flow_kind not in _SIDE_KINDS:
                    continue
                if during is not None and not in_window(f.period, during):
                    continue
                if f.until and expired(f):
                    continue
                arrival = (f, hop, data["index"] + 2)
                of_kind = arrivals[_COPY_KIND[hop.identifiability]]
                for fam in hop.families or f.families:
                    if family is None or fam == family:
                        of_kind[(node, fam)].append(arrival)
    found: list[Convergence] = []
    excluded: list[Excluded] = []
    index = _SpecialIndex(G, onward, readers, special)
    copies = _Copies(facts)
    neither, identifiable, deidentified = arrivals
    source: dict[str, bool] = {}  # whether a node is part of the source (_is_part_of_source)
    for key in sorted(identifiable.keys() | deidentified.keys()):
        node, fam = key
        if wanted is not None and node != wanted:
            continue
        in_source = source.get(node)
        if in_source is None:
            in_source = source[node] = _is_part_of_source(G, node)
        if not (key in identifiable and key in deidentified) and not in_source:
            continue  # only one kind of copy arrives: nothing to find or to report apart
        ident = _unique(identifiable.get(key, ()))
        pseudo = _unique(deidentified.get(key, ()))
        name = G.nodes[node]["name"]
        if in_source:
            if ident or pseudo:
                excluded.append(
                    Excluded(name, fam, "part of the source (NHS Digital): it receives identifiable data by design")
                )
            continue
        if ident and pseudo:
            sides = (*identifiable[key], *deidentified[key], *neither.get(key, ()))
            found.append(_finding(G, node, fam, ident, pseudo, sides, index, copies))
    found.sort(key=lambda c: (-c.severity, c.recipient, c.family))
    return found, excluded


#: one copy's arrival before it is a :class:`Side`: its flow, the hop, and how many node
#: ids of the flow's path reach the recipient
_Arrival = tuple[Flow, Hop, int]


def _path_and_route(f: Flow) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A flow's path (``Flow.path``: organisation names from the first sender on) and its
    node ids, in one pass over its hops."""
    if not f.hops:
        return (), ()
    first = f.hops[0].source
    names = [first.name]
    ids = [first.id]
    for h in f.hops:
        target = h.target
        names.append(target.name)
        ids.append(target.id)
    return tuple(names), tuple(ids)


def _unique(arrivals: Sequence[_Arrival]) -> tuple[_Arrival, ...]:
    """One arrival per flow and evidence line (the first), sorted by entry and flow."""
    if len({a[0].id for a in arrivals}) < len(arrivals):  # rare: a flow arrives twice
        seen: dict[tuple[str, int], _Arrival] = {}
        for a in arrivals:
            seen.setdefault((a[0].id, a[1].evidence.line), a)
        arrivals = list(seen.values())
    return tuple(sorted(arrivals, key=lambda a: (a[0].entry, a[0].id)))


def expired(f: Flow) -> bool:
    """Whether a flow's stated time limit ended before its period began: a block "(Permitted
    until 31st December 2016)" on the September–November 2017 register describes past
    processing, not a copy of the register's period, so it makes no copy and no route."""
    if not f.until:
        return False
    months = months_of(f.period)
    return bool(months) and min(months) > f.until


def _months(side: Side) -> frozenset[str]:
    """The months a copy covers: its window, cut at a stated time limit ("permitted until");
    for a copy dated only by the register's period, the months of its released files."""
    if side.months_found is not None:
        return side.months_found
    return _flow_months(side.flow)


class _Copies:
    """Each arrival made a :class:`Side` of a finding: dated, with its opt-out status.

    A flow reaching several recipients (or one through several hops) has the same opt-out
    status for one family at each: it is worked out once per query.
    """

    def __init__(self, facts: Facts) -> None:
        self.facts = facts
        self.paths: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}
        self.opt_outs: dict[tuple[int, str, Identifiability, frozenset[str] | None], CopyOptOuts] = {}
        self.months: dict[tuple[str | None, str | None, str | None], frozenset[str]] = {}
        self.shared: dict[tuple[str, ...], tuple[str, ...]] = {}
        self.by_entry: dict[tuple[str, str], CopyOptOuts] = {}

    def side(self, arrival: _Arrival, family: str) -> tuple[Side, frozenset[str]]:
        """The copy's side and the months it covers (:func:`_months`)."""
        f, hop, end = arrival
        whole = self.paths.get(f.id) or self.paths.setdefault(f.id, _path_and_route(f))
        period = f.period
        if period is not None and period.qualifier == REGISTER_PERIOD:
            months_found, dated_by = _dated(f, hop, family, self.facts)
        else:
            months_found, dated_by = None, ()
        if months_found is not None:
            months = months_found
        elif period is None:
            months = _NO_MONTHS
        else:
            # a few thousand distinct windows among tens of thousands of flows
            window = (period.start, period.end, f.until)
            months = self.months.get(window) or self.months.setdefault(window, _flow_months(f))
        key = (id(f), family, hop.identifiability, months_found)
        found = self.opt_outs.get(key)
        if found is None:
            found = self._opt_outs(f, hop, family, months)
            self.opt_outs[key] = found
        # many copies share a path (a few thousand distinct among tens of thousands): one
        # tuple each, fewer objects for the collector to scan once the query ends
        path, route = whole[0][:end], whole[1][:end]
        path = self.shared.setdefault(path, path)
        route = self.shared.setdefault(route, route)
        side = _new_side(Side)  # Side(f, hop, path, route, found, months_found, dated_by)
        _side_flow(side, f)
        _side_hop(side, hop)
        _side_path(side, path)
        _side_route(side, route)
        _side_opt_outs(side, found)
        _side_months(side, months_found)
        _side_dated_by(side, dated_by)
        _side_family(side, family)
        return side, months

    def _opt_outs(self, f: Flow, hop: Hop, family: str, months: frozenset[str]) -> CopyOptOuts:
        """:func:`_opt_outs_of`, the status read from an entry's opt-out statement made once
        per entry and reference: it depends on them alone (:data:`ENTRY_STATEMENT`), and
        :func:`copy_opt_outs` reads it whenever the copy's own text does not decide."""
        if not _own_text_decides(f, family) and (known := self.by_entry.get((f.entry, f.reference))) is not None:
            return known
        found = _opt_outs_of(f, hop, family, months, self.facts)
        if found.basis == ENTRY_STATEMENT:
            self.by_entry[(f.entry, f.reference)] = found
        return found


_NO_MONTHS: frozenset[str] = frozenset()
_new_side = Side.__new__
_side_flow, _side_hop, _side_path, _side_route, _side_opt_outs, _side_months, _side_dated_by, _side_family = (
    field_setters(Side, ("flow", "hop", "path", "route", "opt_outs_found", "months_found", "dated_by", "family"))
)


def _flow_months(f: Flow) -> frozenset[str]:
    """The months of a flow's period, cut at a stated time limit ("permitted until")."""
    months = months_of(f.period)
    until = f.until
    return frozenset(m for m in months if m <= until) if until else months


def _dated(f: Flow, hop: Hop, family: str, facts: Facts) -> tuple[frozenset[str], tuple[Release, ...]]:
    """A copy whose only period is the register's (a purpose statement is not dated): its
    months are those of its released files (same agreement, family and kind), if any."""
    rows = facts.copies(f.agreement, family, hop.identifiability)
    until = f.until
    # a file released after the copy's stated time limit is not this copy's
    kept = [(r, m) for r in rows if (m := _file_months(r)) and not (until and min(m) > until)]
    dated = sorted((r for r, _ in kept), key=lambda r: (r.source, r.line))
    return frozenset().union(*(m for _, m in kept)), tuple(dated)


def _file_months(release: Release) -> frozenset[str]:
    """When a file was released: its month, else the period of the register that lists it."""
    if release.month:
        return frozenset((release.month,))
    return months_of(release.period)


def _own_text_decides(f: Flow, family: str) -> bool:
    """Whether a flow's own text says yes or no of opt-outs for one family's copy (step 1 of
    :func:`copy_opt_outs`, which :func:`_opt_outs_of` asks it)."""
    own = not f.opt_outs_families or family in f.opt_outs_families
    return own and f.opt_outs_stated in _DETERMINED and f.opt_outs_evidence is not None


_DETERMINED = frozenset((OptOut.YES, OptOut.NO))


def _opt_outs_of(f: Flow, hop: Hop, family: str, months: frozenset[str], facts: Facts) -> CopyOptOuts:
    """Whether opt-outs were honoured on one family's copy of a flow that covers ``months``."""
    # a statement naming other families of the flow ("Prior to the release of SUS data …")
    # says nothing of this family's copy
    own = not f.opt_outs_families or family in f.opt_outs_families
    return copy_opt_outs(
        entry_id=f.entry,
        reference=f.reference,
        agreement=f.agreement,
        family=family,
        level=hop.identifiability,
        stated=f.opt_outs_stated if own else OptOut.UNKNOWN,
        stated_at=f.opt_outs_evidence if own else None,
        months=months,
        facts=facts,
    )


def _finding(
    G: nx.MultiDiGraph,
    node: str,
    fam: str,
    identifiable: tuple[_Arrival, ...],
    deidentified: tuple[_Arrival, ...],
    sides: tuple[_Arrival, ...],
    index: _SpecialIndex,
    copies: _Copies,
) -> Convergence:
    name = G.nodes[node]["name"]
    made_i = [copies.side(a, fam) for a in identifiable]
    made_p = [copies.side(a, fam) for a in deidentified]
    ident = tuple(s for s, _ in made_i)
    pseudo = tuple(s for s, _ in made_p)
    months_i = _union_of(m for _, m in made_i)
    months_p = _union_of(m for _, m in made_p)
    overlap = tuple(sorted(months_i & months_p))
    agreements_i = {s.flow.agreement for s in ident}
    agreements_p = {s.flow.agreement for s in pseudo}
    same = tuple(sorted(agreements_i & agreements_p))
    landing = tuple(
        side
        for side, group in (("identifiable", ident), ("pseudonymised", pseudo))
        if all(s.hop.landing_only for s in group)
    )
    segregation = _segregation(ident)
    both = (*ident, *pseudo)
    agreements = agreements_i | agreements_p
    on_routes = {n for s in both for n in s.route} | {s.hop.target.id for s in both}
    linkage, linkage_others = index.linkage_near(node, on_routes, agreements)
    reid, reid_others = index.reid_near(node, on_routes, agreements)
    # each copy's own lines, cited by several qualifiers: made once
    cites = tuple(_cite(s) for s in both)
    qualifiers = [
        _both_copies(name, fam, ident, pseudo, same, tuple(chain.from_iterable(cites))),
        *_overlap(overlap, made_i + made_p),
        *_same_register(overlap, ident, pseudo),
        *_opt_outs(ident, pseudo),
        *_same_agreement(same, both, cites),
        *_landing(name, landing, ident, pseudo),
        *_segregated(segregation),
        *_linkage(name, linkage, linkage_others, index),
        *_reidentification(reid, reid_others, index),
    ]
    originals = tuple(sorted({a[1].target.name for a in sides} - {name}))
    divergence = any(q.name == "opt_out_divergence" for q in qualifiers)
    return Convergence(
        name,
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
        score(q.name for q in qualifiers),
        originals,
        tuple(qualifiers),
    )


def _union_of(month_sets: Iterable[frozenset[str]]) -> frozenset[str]:
    """The months of all the sets, each set read once: copies of one window share one set
    (:meth:`_Copies.side`), and a finding has thousands of copies of a few windows."""
    return frozenset().union(*{id(m): m for m in month_sets}.values())


def _cite(side: Side) -> tuple[Cited, ...]:
    """A copy's lines (:attr:`Side.said`), cited."""
    f = side.flow
    return tuple(cited_line(span, f.entry, f.reference) for span in side.said)


def _copies(n: int, word: str) -> str:
    return f"{n} {word} cop{'y' if n == 1 else 'ies'}"


def _both_copies(
    name: str,
    fam: str,
    ident: tuple[Side, ...],
    pseudo: tuple[Side, ...],
    same: tuple[str, ...],
    cites: tuple[Cited, ...],
) -> Qualifier:
    """Who received the family both ways, how many copies of each kind; ``same`` the
    agreements under which both kinds went, ``cites`` each copy's line (``ident`` first)."""
    labels: dict[str, int] = defaultdict(int)
    for s in pseudo:
        labels[s.label] += 1
    others = " and ".join(_copies(n, label) for label, n in sorted(labels.items()))
    # online access is not a copy sent: say so when a side is only that
    verb = "received"
    if any(s.flow.kind is FlowKind.ACCESS for s in (*ident, *pseudo)):
        verb = "received or had online access to"
    text = f"{name} {verb} {fam} both identifiable ({_copies(len(ident), 'identifiable')}) and de-identified ({others})"
    if not same:
        text += "; no one agreement carries both"
    return Qualifier("both_copies", text, cites)


def _period_cites(made: list[tuple[Side, frozenset[str]]], months: frozenset[str]) -> tuple[Cited, ...]:
    """The lines dating the copies (each with the months it covers) that cover any of ``months``."""
    out: dict[tuple[str, int], Cited] = {}
    meets: dict[int, bool] = {}  # by month set: copies of one window share theirs (_Copies.side)
    for s, covered in made:
        meet = meets.get(id(covered))
        if meet is None:
            meet = meets[id(covered)] = not months.isdisjoint(covered)
        if not meet:
            continue
        if s.months_found is not None:  # dated by its released files: the rows of those months
            for r in s.dated_by:
                if not months.isdisjoint(_file_months(r)):
                    out.setdefault((r.source, r.line), release_cited(r))
            continue
        period = s.flow.period
        span = period.span if period is not None and period.span is not None else s.hop.evidence
        if (span.path, span.line) not in out:
            out[(span.path, span.line)] = cited_line(span, s.flow.entry, s.flow.reference)
        if s.flow.until_evidence is not None:
            u = s.flow.until_evidence
            if (u.path, u.line) not in out:
                out[(u.path, u.line)] = cited_line(u, s.flow.entry, s.flow.reference)
    return tuple(out[k] for k in sorted(out))


def _overlap(overlap: tuple[str, ...], made: list[tuple[Side, frozenset[str]]]) -> list[Qualifier]:
    """The months both kinds of copy cover, and the lines that date them (``made``: every
    copy of the finding with its months)."""
    if not overlap:
        return []
    months = frozenset(overlap)
    span = overlap[0] if len(overlap) == 1 else f"{overlap[0]} to {overlap[-1]}"
    cites = _period_cites(made, months)
    by_files = [
        r
        for s, covered in made
        if s.dated_by and not months.isdisjoint(covered)
        for r in s.dated_by
        if not months.isdisjoint(_file_months(r))
    ]
    if by_files and any(not r.month for r in by_files):
        # a file dated only by its register's period was released in it, not all through it
        text = (
            f"files of both kinds were released in the same register period, {span} "
            "(the copies' own texts do not date them; their released files of the same family and kind do)"
        )
    else:
        how = " (dated by released files of the same family and kind)" if by_files else ""
        text = f"both copies cover {span} ({len(overlap)} month{'s' if len(overlap) > 1 else ''}){how}"
    return [Qualifier("overlap", text, cites)]


def _same_register(overlap: tuple[str, ...], ident: tuple[Side, ...], pseudo: tuple[Side, ...]) -> list[Qualifier]:
    """Copies not dated, described in one register period: that, and no more, is said."""
    if overlap:
        return []
    undated = [s for s in (*ident, *pseudo) if s.undated]
    if not undated:
        return []
    periods = {(s.flow.period.start, s.flow.period.end) for s in (*ident, *pseudo) if s.flow.period is not None}
    if len(periods) != 1:
        return []
    start, end = next(iter(periods))
    if all(s.undated for s in (*ident, *pseudo)):
        which = "them"
    else:
        which = "the identifiable copy" if any(s.undated for s in ident) else "the de-identified copy"
    out: dict[tuple[str, int], Cited] = {}
    for s in undated:
        span = s.flow.period.span if s.flow.period is not None else None
        if span is not None:
            out.setdefault((span.path, span.line), Cited.of(span))
    return [
        Qualifier(
            "same_register",
            f"both copies are described in the register of {start} to {end}; when each was sent is not stated"
            f" (no released file of the same family and kind dates {which})",
            tuple(out[k] for k in sorted(out)),
        )
    ]


def _where(sides: Iterable[Side], among: Iterable[Side] = ()) -> str:
    """The copies' references grouped by what their opt-out status rests on.

    A reference with other copies ``among`` the same side whose status differs is named
    with the copy's purpose ("NIC-55752-D6X5Y (Contract Validation)"): the reference alone
    would not say which of its copies is meant.
    """
    statuses: dict[str, set[object]] = defaultdict(set)
    for s in among:
        statuses[s.flow.reference].add(s.opt_outs_found.status if s.opt_outs_found else None)
    by_basis: dict[str, dict[str, None]] = defaultdict(dict)  # references in order met, once each
    for s in sides:
        basis = s.opt_outs_found.basis if s.opt_outs_found else "not stated"
        name = s.flow.reference
        if len(statuses.get(name, ())) > 1 and s.flow.purpose:
            name = f"{name} ({s.flow.purpose})"
        by_basis[basis][name] = None
    return "; ".join(f"{', '.join(refs)}: {basis}" for basis, refs in sorted(by_basis.items()))


def _opt_outs(ident: tuple[Side, ...], pseudo: tuple[Side, ...]) -> list[Qualifier]:
    """Divergence only between copies whose status is determined; else what is known, if anything."""
    status_i, status_p = _by_status(ident), _by_status(pseudo)

    def of(by_status: dict[OptOut, list[Side]], status: OptOut) -> list[Side]:
        """The copies of one side whose status is ``status``, in order."""
        return by_status.get(status, [])

    def cites(*groups: list[Side]) -> tuple[Cited, ...]:
        # copies of one entry share their status (_Copies): each status read once, in order met
        statuses = {id(x.opt_outs_found): x.opt_outs_found for g in groups for x in g}
        out: dict[tuple[str, int, str], Cited] = {}
        for found in statuses.values():
            assert found is not None
            for c in found.evidence:
                out.setdefault((c.source, c.line, c.text), c)
        return tuple(out[k] for k in sorted(out))

    labels = {s.label for s in pseudo}
    label = next(iter(labels)) if len(labels) == 1 else "de-identified"
    for honoured, ignored, first, second, side_h, side_i in (
        (of(status_i, OptOut.YES), of(status_p, OptOut.NO), "identifiable", label, ident, pseudo),
        (of(status_p, OptOut.YES), of(status_i, OptOut.NO), label, "identifiable", pseudo, ident),
    ):
        if honoured and ignored:
            return [
                Qualifier(
                    "opt_out_divergence",
                    f"opt-outs honoured on the {first} copy ({_where(honoured, side_h)}) "
                    f"and not on the {second} copy ({_where(ignored, side_i)})",
                    cites(honoured, ignored),
                )
            ]
    mixed = of(status_i, OptOut.MIXED) + of(status_p, OptOut.MIXED)
    if not mixed:
        return []
    known = [(s, "identifiable") for s in of(status_i, OptOut.YES) + of(status_i, OptOut.NO)]
    known += [(s, s.label) for s in of(status_p, OptOut.YES) + of(status_p, OptOut.NO)]
    parts = [
        f"opt-outs {'honoured' if s.opt_outs_found and s.opt_outs_found.status is OptOut.YES else 'not honoured'} "
        f"on the {word} copy under {_where([s])}"
        for s, word in known
    ]
    agreements = ", ".join(sorted({s.flow.agreement for s in mixed}))
    parts.append(
        f"files of {agreements} were sent both with opt-outs applied and without; which copy is which is not stated"
    )
    return [Qualifier("opt_outs_partly_known", "; ".join(parts), cites(mixed, [s for s, _ in known]))]


def _copy_statuses(sides: tuple[Side, ...]) -> tuple[str, ...]:
    """Each copy's own opt-out status (``copy_opt_outs``), sorted: what ``opt_out_divergence``
    rests on.  Not the flow's opt-out field, which for a register file's entry is worked out
    from released files of any family or kind: it said "no" of copies whose own status is
    not stated, beside a divergence the copies' statuses carry."""
    return tuple(sorted({(s.opt_outs_found.status if s.opt_outs_found else OptOut.UNKNOWN).value for s in sides}))


def _by_status(sides: tuple[Side, ...]) -> dict[OptOut, list[Side]]:
    """The copies whose opt-out status is known, by status, in order (one pass for :func:`_opt_outs`)."""
    out: dict[OptOut, list[Side]] = defaultdict(list)
    for s in sides:
        if s.opt_outs_found is not None:
            out[s.opt_outs_found.status].append(s)
    return out


def _same_agreement(
    same: tuple[str, ...], both: tuple[Side, ...], lines: tuple[tuple[Cited, ...], ...]
) -> list[Qualifier]:
    """The agreements both kinds of copy went under (``lines``: each copy's lines, in the
    order of ``both``)."""
    if not same:
        return []
    cites = tuple(c for s, cs in zip(both, lines, strict=True) if s.flow.agreement in same for c in cs)
    return [Qualifier("same_agreement", f"both copies were released under {', '.join(same)}", cites)]


def _landing(name: str, landing: tuple[str, ...], ident: tuple[Side, ...], pseudo: tuple[Side, ...]) -> list[Qualifier]:
    """The kinds of copy only landing at the recipient, each copy cited at the sentence that
    says so (its hop's own, or a later one: "6. The CSU lands the data only.")."""
    if not landing:
        return []
    groups = {"identifiable": ident, "pseudonymised": pseudo}
    words = " and ".join("identifiable" if side == "identifiable" else "de-identified" for side in landing)
    cites = tuple(
        cited_line(s.hop.landing_evidence or s.hop.evidence, s.flow.entry, s.flow.reference)
        for side in landing
        for s in groups[side]
    )
    return [Qualifier("landing_only", f"{name} is stated to be only a landing point for the {words} copy", cites)]


def _segregated(segregation: tuple[Segregation, ...]) -> list[Qualifier]:
    if not segregation:
        return []
    units = sorted({s.unit for s in segregation if s.unit})
    held = [s for s in segregation if s.kind == "statement"]
    what = []
    if units:
        what.append(f"they land in {', '.join(units)}")
    if held:
        what.append("their entries state the data is held separately")
    cites = tuple(Cited.of(s.evidence, entry=s.entry) for s in segregation)
    return [Qualifier("segregation", f"every identifiable copy is stated to be held apart: {'; '.join(what)}", cites)]


def _linkage(name: str, linkage: tuple[Linkage, ...], others: int, index: _SpecialIndex) -> list[Qualifier]:
    if not linkage:
        return []
    linked = sorted({item for x in linkage for item in x.linked})
    shown = ", ".join(linked[:6]) + (f" and {len(linked) - 6} more" if len(linked) > 6 else "")
    where = sorted({x.at for x in linkage})
    return [
        Qualifier(
            "linkage",
            f"other data ({shown or 'not listed'}) is linked to these copies at {', '.join(where)}",
            index.cited_all(linkage),
            others,
        )
    ]


def _reidentification(reid: tuple[Reidentification, ...], others: int, index: _SpecialIndex) -> list[Qualifier]:
    if not reid:
        return []
    routes = sorted(
        {f"{x.source} to {x.target}" + (f" (keys held by {x.key_holder})" if x.key_holder else "") for x in reid}
    )
    return [
        Qualifier(
            "reidentification",
            f"a re-identification route starts on these copies' routes: {'; '.join(routes)}",
            index.cited_all(reid),
            others,
        )
    ]


def _segregation(ident: tuple[Side, ...]) -> tuple[Segregation, ...]:
    """Segregation stated for every identifiable copy (a unit it lands in, or a "held
    separately" statement of its entry); none when any identifiable copy has neither."""
    out: dict[tuple[str, str], Segregation] = {}
    last_in: dict[str, Side] = {}  # the last copy landing in each unit: its record is made once
    for s in ident:
        hop = s.hop
        if not hop.unit and not s.flow.segregation:
            return ()
        if hop.unit:
            last_in[hop.unit] = s
        for span in s.flow.segregation:
            if ("statement", span.text) not in out:
                out[("statement", span.text)] = Segregation("statement", None, s.flow.entry, span)
    for unit, s in last_in.items():
        out[("unit", unit)] = Segregation("unit", unit, s.flow.entry, s.hop.evidence)
    return tuple(out[k] for k in sorted(out))


T = TypeVar("T", Linkage, Reidentification)


class _SpecialIndex:
    """Linkage and re-identification flows indexed once per query, by where they happen.

    Built from what one pass over the graph's edges collected (:func:`_convergences`):
    the pairs of organisations copies go on between, who reads whose copy online, and
    the linkage and re-identification edges.
    """

    def __init__(
        self,
        G: nx.MultiDiGraph,
        onward: Iterable[tuple[str, str]],
        readers: dict[str, set[str]],
        special: Iterable[tuple[str, str, Flow, Hop]],
    ) -> None:
        self.G = G
        self.linkage_at: dict[str, _At[Linkage]] = defaultdict(_At)
        self.reid_from: dict[str, _At[Reidentification]] = defaultdict(_At)
        self.readers = readers
        #: where copies go on to (transfers and online access only: a re-identification
        #: route to GP practices, and what GP practices feed back, do not carry the copies on)
        self.onward = nx.DiGraph(list(onward))  # an edge list (a dict would read as adjacency)
        self._starts_below: dict[str, set[str]] | None = None  # made on first use
        self._linkage_around: dict[str, set[str]] = {}
        self._reid_around: dict[str, set[str]] = {}
        self._cited: dict[int, tuple[Cited, ...]] = {}  # by id of an item the index holds
        self._ids: dict[tuple[int, frozenset[str]], set[str]] = {}
        for u, v, f, hop in special:
            if expired(f):
                continue
            if f.kind is FlowKind.LINKAGE:
                item = Linkage(f.entry, f.reference, G.nodes[v]["name"], f.linked, hop.evidence)
                self.linkage_at[v].add(f.agreement, f.id, item)
            else:
                reid = Reidentification(
                    f.entry,
                    f.reference,
                    G.nodes[u]["name"],
                    G.nodes[v]["name"],
                    f.key_holder,
                    hop.evidence,
                    hop.context,
                )
                self.reid_from[u].add(f.agreement, f.id, reid)

    def linkage_near(self, node: str, on_routes: set[str], agreements: set[str]) -> tuple[tuple[Linkage, ...], int]:
        """Linkage the copies meet: at an organisation on their routes (or one whose copy the
        recipient reads) under one of their agreements; and how many other linkages are there."""
        readers = self.readers.get(node, set())
        around = self._linkage_around.get(node)
        if around is None:
            around = self._linkage_around[node] = self._ids_at(self.linkage_at, {node} | readers)
        return _split(self.linkage_at, on_routes | {node} | readers, agreements, around)

    def reid_near(
        self, node: str, on_routes: set[str], agreements: set[str]
    ) -> tuple[tuple[Reidentification, ...], int]:
        """Re-identification routes starting on the copies' routes under their agreements; and
        how many others start at the recipient or downstream of it."""
        if not self.reid_from:
            return (), 0
        near = on_routes | {node} | self.readers.get(node, set())
        around = self._reid_around.get(node)
        if around is None:
            around = self._reid_around[node] = self._ids_at(self.reid_from, self.starts_downstream(node))
        return _split(self.reid_from, near, agreements, around)

    def cited(self, item: Linkage | Reidentification) -> tuple[Cited, ...]:
        """The lines a linkage or re-identification route rests on (its sentence, and for a
        route the one naming its source when that is another), made once per query."""
        found = self._cited.get(id(item))
        if found is None:
            spans = (item.evidence, item.holder_evidence) if isinstance(item, Reidentification) else (item.evidence,)
            found = tuple(cited_line(span, item.entry, item.reference) for span in spans if span is not None)
            self._cited[id(item)] = found
        return found

    def cited_all(self, items: Iterable[Linkage | Reidentification]) -> tuple[Cited, ...]:
        """The lines of each item in turn (:meth:`cited`)."""
        return tuple(chain.from_iterable(map(self.cited, items)))

    def _ids_at(self, items_at: dict[str, _At[T]], nodes: set[str]) -> set[str]:
        """The flow ids of the items at any of ``nodes`` (:func:`_ids_at`), one set for each
        group of organisations holding items: most recipients meet the same few."""
        holding = frozenset(nodes & items_at.keys())
        found = self._ids.get((id(items_at), holding))
        if found is None:
            found = self._ids[(id(items_at), holding)] = _ids_at(items_at, holding)
        return found

    def starts_downstream(self, node: str) -> set[str]:
        """The organisations re-identification routes start at that are ``node`` or one its
        copies go on to (:func:`_at_or_below`, for every node at once on first use)."""
        if self._starts_below is None:
            self._starts_below = _at_or_below(self.onward, self.reid_from.keys())
        return self._starts_below.get(node, set())


def _at_or_below(onward: nx.DiGraph, targets: Iterable[str]) -> dict[str, set[str]]:
    """For each node, the ``targets`` that are the node itself or reachable from it in ``onward``.

    The same as ``targets & ({node} | nx.descendants(onward, node))`` for every node, worked
    out from the targets upstream: a few of them (where re-identification routes start)
    against hundreds of recipients, each of which reaches most of the graph.
    """
    out: dict[str, set[str]] = defaultdict(set)
    for target in targets:
        out[target].add(target)
        if target in onward:
            for above in nx.ancestors(onward, target):
                out[above].add(target)
    return dict(out)


class _At(Generic[T]):
    """The linkage or re-identification flows at one organisation, by agreement."""

    __slots__ = ("by_agreement", "ids")

    def __init__(self) -> None:
        self.by_agreement: dict[str, dict[str, T]] = defaultdict(dict)
        self.ids: set[str] = set()

    def add(self, agreement: str, flow_id: str, item: T) -> None:
        self.by_agreement[agreement][flow_id] = item
        self.ids.add(flow_id)


def _ids_at(items_at: dict[str, _At[T]], nodes: Set[str]) -> set[str]:
    """The flow ids of the items at any of ``nodes``."""
    out: set[str] = set()
    for n in nodes & items_at.keys():
        out |= items_at[n].ids
    return out


def _split(
    items_at: dict[str, _At[T]], near: set[str], agreements: set[str], around: set[str]
) -> tuple[tuple[T, ...], int]:
    """Items at ``near`` nodes under ``agreements`` (sorted by flow id), and the count of the
    other items among ``around`` (flow ids, :func:`_ids_at`)."""
    taken: dict[str, T] = {}
    for n in sorted(near & items_at.keys()):
        at = items_at[n].by_agreement
        for agreement in sorted(agreements & at.keys()):
            taken.update(at[agreement])
    return tuple(taken[k] for k in sorted(taken)), len(around) - sum(1 for k in taken if k in around)
