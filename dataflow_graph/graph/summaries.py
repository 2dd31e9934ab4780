"""Everything known about one organisation, or about one agreement, as records.

``dfg org`` and ``dfg agreement`` print these; :mod:`dataflow_graph.outputs` turns them
into JSON documents, rows and terminal text.
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import networkx as nx

from ..errors import UsageError
from ..model import Entry, Flow, Organisation, Release
from ..names import agreement_core
from .convergence import Convergence
from .findings import FileFinding, file_finding
from .reach import Neighbour, downstream, upstream
from .releases import RedFlag, file_convergences, not_applied, redflags

__all__ = [
    "AgreementSummary",
    "OrganisationSummary",
    "ReleaseFacts",
    "agreement_summary",
    "organisation_summary",
    "release_facts",
    "release_only_summary",
]


@dataclass(frozen=True, slots=True)
class ReleaseFacts:
    """What the released files say about one recipient."""

    releases: int
    redflags: tuple[RedFlag, ...]
    not_applied: int
    file_findings: tuple[FileFinding, ...]


@dataclass(frozen=True, slots=True)
class OrganisationSummary:
    """One organisation: what it received, from and to whom, its entries, findings and files."""

    organisation: Organisation
    received: dict[str, tuple[str, ...]]
    upstream: tuple[Neighbour, ...]
    downstream: tuple[Neighbour, ...]
    entries: tuple[str, ...]
    agreements: tuple[str, ...]
    findings: tuple[Convergence, ...]
    files: ReleaseFacts


@dataclass(frozen=True, slots=True)
class AgreementSummary:
    """One agreement: its entries, their flows, the recipients of those, its released files."""

    agreement: str
    entries: tuple[Entry, ...]
    flows: tuple[Flow, ...]
    recipients: tuple[str, ...]
    releases: tuple[Release, ...]


def release_facts(mine: Sequence[Release]) -> ReleaseFacts:
    """Red flags, not-applied count and file findings of one recipient's released files."""
    if not mine:
        return ReleaseFacts(0, (), 0, ())
    return ReleaseFacts(
        len(mine),
        tuple(redflags(mine)),
        sum(n for _, n in not_applied(mine)),
        tuple(file_finding(fc) for fc in file_convergences(mine)),
    )


def _received(pairs: Iterable[tuple[str, str]]) -> dict[str, tuple[str, ...]]:
    """Family -> identifiability levels, both sorted."""
    levels: dict[str, set[str]] = defaultdict(set)
    for family, level in pairs:
        levels[family].add(level)
    return {fam: tuple(sorted(found)) for fam, found in sorted(levels.items())}


def organisation_summary(
    G: nx.MultiDiGraph,
    node: str,
    *,
    entries: Iterable[Entry],
    findings: Iterable[Convergence],
    releases: Sequence[Release],
) -> OrganisationSummary:
    """The summary of a node of the flow graph; ``releases`` are its released files."""
    org: Organisation = G.nodes[node]["organisation"]
    received = _received(
        (fam, d["hop"].identifiability.value) for _, _, d in G.in_edges(node, data=True) for fam in d["flow"].families
    )
    own = sorted(
        {d["flow"].entry for _, _, d in G.in_edges(node, data=True)}
        | {d["flow"].entry for _, _, d in G.out_edges(node, data=True)}
    )
    ids = set(own)
    return OrganisationSummary(
        org,
        received,
        tuple(upstream(G, node, depth=1)),
        tuple(downstream(G, node, depth=1)),
        tuple(own),
        tuple(sorted({e.agreement for e in entries if e.id in ids})),
        tuple(findings),
        release_facts(releases),
    )


def release_only_summary(org: Organisation, mine: Sequence[Release]) -> OrganisationSummary:
    """The summary of an organisation no flow names, from its released files alone."""
    received = _received(
        (r.family or r.dataset.strip(), r.identifiability.value) for r in mine if r.identifiability is not None
    )
    return OrganisationSummary(
        org, received, (), (), (), tuple(sorted({r.agreement for r in mine})), (), release_facts(mine)
    )


def agreement_summary(
    reference: str, *, entries: Sequence[Entry], flows: Iterable[Flow], releases: Iterable[Release]
) -> AgreementSummary:
    """Everything known about the agreement of ``reference`` (any era or version of it).

    Raises
    ------
    UsageError
        If no entry and no released file has that agreement (with close ones as hints).
    """
    core = agreement_core(reference)
    mine = [e for e in entries if e.agreement == core]
    files = tuple(r for r in releases if r.agreement == core)
    if not mine and not files:
        known = sorted({e.agreement for e in entries})
        close = difflib.get_close_matches(core, known, 3, 0.5)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise UsageError(f"no agreement {reference!r} in the register{hint}")
    ids = {e.id for e in mine}
    selected = tuple(f for f in flows if f.entry in ids)
    return AgreementSummary(
        core, tuple(mine), selected, tuple(sorted({h.target.name for f in selected for h in f.hops})), files
    )
