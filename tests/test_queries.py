"""Queries over generated flow graphs: convergence exactly when both copies exist."""

from __future__ import annotations

import itertools
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from dataflow_graph.errors import Span
from dataflow_graph.examples import two_copies
from dataflow_graph.graph import RollUp, build_graph, convergences, downstream, flow_paths, upstream
from dataflow_graph.model import Flow, FlowKind, Hop, Identifiability, OptOut, Organisation, Period, Role

ND = Organisation("org:nhs-digital", "NHS Digital", Role.SOURCE)
DSCRO = Organisation("org:dscro-x", "X DSCRO", Role.DSCRO, part_of="org:nhs-digital")
POOL = [Organisation(f"org:o{i}", f"Org {i}", (Role.CSU, Role.PROCESSOR, Role.CONTROLLER)[i % 3]) for i in range(6)]
FAMILIES = ("SUS", "HES", "LPF")
LEVELS = tuple(Identifiability)


@st.composite
def flows(draw, prefix: str = "f", pool: list[Organisation] = POOL, families=FAMILIES):
    n = draw(st.integers(min_value=0, max_value=8))
    out = []
    for k in range(n):
        chain = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=3, unique=True))
        level = draw(st.sampled_from(LEVELS))
        fams = tuple(sorted(draw(st.sets(st.sampled_from(families), min_size=1, max_size=2))))
        start = draw(st.integers(min_value=2015, max_value=2019))
        period = Period(f"{start}-01", f"{start + draw(st.integers(0, 2))}-06")
        stops = [ND, DSCRO, *chain]
        hops = tuple(
            Hop(
                a,
                b,
                Identifiability.IDENTIFIABLE if b is DSCRO else level,
                Span("gen.txt", 10 * k + i + 1, 1, f"{a.name} sends to {b.name}"),
            )
            for i, (a, b) in enumerate(itertools.pairwise(stops))
        )
        opt = draw(st.sampled_from(list(OptOut)))
        out.append(
            Flow(
                f"{prefix}{k}",
                f"gen.txt#{k}",
                f"NIC-{k}-AAAAA",
                f"NIC-{k}-AAAAA",
                "P",
                FlowKind.TRANSFER,
                fams,
                level,
                hops,
                period=period,
                opt_outs=opt,
            )
        )
    return out


def _expected(flow_list: list[Flow]) -> set[tuple[str, str]]:
    """Independent statement of the definition: both kinds of copy reach R for family F."""
    seen: dict[tuple[str, str], set[str]] = {}
    for f in flow_list:
        for h in f.hops:
            if h.target.role in (Role.SOURCE, Role.DSCRO):
                continue
            for fam in f.families:
                kind = (
                    "ident"
                    if h.identifiability is Identifiability.IDENTIFIABLE
                    else "deid"
                    if h.identifiability in (Identifiability.PSEUDONYMISED, Identifiability.ANONYMISED)
                    else None
                )
                if kind:
                    seen.setdefault((h.target.id, fam), set()).add(kind)
    return {k for k, v in seen.items() if v == {"ident", "deid"}}


def _found(flow_list: list[Flow]) -> set[tuple[str, str]]:
    found, _ = convergences(build_graph(flow_list))
    return {(c.recipient_id, c.family) for c in found}


@settings(max_examples=80, deadline=None)
@given(flows())
def test_convergences_finding_exactly_when_both_sides_exist(flow_list):
    assert _found(flow_list) == _expected(flow_list)


@settings(max_examples=60, deadline=None)
@given(
    flows(),
    flows(
        prefix="u",
        pool=[Organisation(f"org:u{i}", f"Unrelated {i}", Role.CONTROLLER) for i in range(3)],
        families=("MHSDS",),
    ),
)
def test_convergences_unrelated_flow_never_removes_a_finding(flow_list, unrelated):
    assert _found(flow_list) <= _found(flow_list + unrelated)


@settings(max_examples=60, deadline=None)
@given(flows(), st.randoms(use_true_random=False))
def test_convergences_do_not_depend_on_input_order(flow_list, rnd):
    shuffled = list(flow_list)
    rnd.shuffle(shuffled)
    a, _ = convergences(build_graph(flow_list))
    b, _ = convergences(build_graph(shuffled))
    assert json.dumps([c.as_dict() for c in a], sort_keys=True) == json.dumps([c.as_dict() for c in b], sort_keys=True)


def test_convergences_part_of_source_is_excluded_not_a_finding():
    ex = two_copies()
    found, excluded = convergences(build_graph(ex.flows))
    assert "Example DSCRO" not in {c.recipient for c in found}
    assert {e.recipient for e in excluded} == {"Example DSCRO"}


def test_convergences_successor_rollup_counts_ccg_as_icb():
    ex = two_copies()
    G = build_graph(ex.flows, ex.organisations.values())
    found, _ = convergences(G, rollup=RollUp.SUCCESSOR)
    assert "Example ICB" in {c.recipient for c in found}
    assert "Example CCG" not in {c.recipient for c in found}


def test_flow_paths_filters_by_identifiability_and_window():
    G = build_graph(two_copies().flows)
    ident = flow_paths(G, "org:nhs-digital", "org:example-ccg", identifiability=Identifiability.IDENTIFIABLE)
    assert [p.reference for p in ident] == ["DARS-NIC-00001-AAAAA"]
    assert flow_paths(G, "org:nhs-digital", "org:example-ccg", during=Period("2015-01", "2015-12")) == []
    assert len(flow_paths(G, "org:nhs-digital", "org:example-ccg", depth=2)) == 0


def test_upstream_and_downstream_are_mirror_images():
    G = build_graph(two_copies().flows)
    assert [n.organisation for n in downstream(G, "org:example-dscro", depth=1)] == ["org:example-csu"]
    assert [n.organisation for n in upstream(G, "org:example-csu", depth=1)] == ["org:example-dscro"]
    assert [n.distance for n in upstream(G, "org:example-ccg")] == [1, 2, 3]
