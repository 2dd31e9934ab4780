"""Findings a campaigner can quote (issue 13), held on the real 2017 workbook and the seed.

Each test reads the tool's records, not its words, and checks a claim against evidence the
test works out on its own: the opt-out status of each side, an organisation folding written
here, the rows a period rests on.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pytest

from dataflow_graph import api
from dataflow_graph.graph import RollUp
from dataflow_graph.graph.convergence import Convergence
from dataflow_graph.model import OptOut

WORKBOOK = Path(__file__).parent / "data" / "register" / "ReleaseRegister-sep-nov-2017.xlsx"


@pytest.fixture(scope="module")
def register_2017() -> api.Register:
    return api.load([WORKBOOK])


@pytest.fixture(scope="module")
def findings_2017(register_2017):
    found, _ = api.convergences(register_2017)
    return found, api.file_findings(register_2017)


def _status(side) -> OptOut:
    return side.opt_outs_found.status if side.opt_outs_found else OptOut.UNKNOWN


def test_findings_2017_divergence_only_between_determined_opposite_sides(findings_2017):
    flows, files = findings_2017
    claimed = [f for f in flows if f.opt_out_divergence]
    assert claimed  # the register does state some
    for f in claimed:
        ident = {_status(s) for s in f.identifiable} - {OptOut.UNKNOWN}
        deid = {_status(s) for s in f.pseudonymised} - {OptOut.UNKNOWN}
        q = f.qualifier("opt_out_divergence")
        assert q is not None
        assert q.evidence
        # one side honoured and the other not, each status determined (not "mixed")
        assert (OptOut.YES in ident and OptOut.NO in deid) or (OptOut.NO in ident and OptOut.YES in deid), f
    for f in (f for f in files if f.opt_out_divergence):
        ident = {r.opt_outs_applied for r in f.files.identifiable_rows} - {None}
        deid = {r.opt_outs_applied for r in f.files.deidentified_rows} - {None}
        assert len(ident) == len(deid) == 1, f.recipient
        assert ident != deid, f.recipient


def test_findings_2017_document_opt_outs_are_what_divergence_rests_on(register_2017, findings_2017):
    """A finding's ``opt_outs`` in the JSON are its copies' own statuses: read alone, they
    back every divergence the document claims (they gave the flows' opt-out field, which for a
    register file's entry is worked out from files of any family: "no" on both sides beside a
    claimed divergence)."""
    from dataflow_graph.outputs.documents import converge_document, expand

    flows, files = findings_2017
    doc = converge_document(flows, [], files, register_2017.releases)
    honoured, ignored = {"yes", "applied"}, {"no", "not applied"}
    claimed = 0
    for finding in doc["findings"]:
        said = {side: set(finding["opt_outs"][side]) for side in ("identifiable", "pseudonymised")}
        if finding["source"] == "flows":
            whole = expand(doc, finding)
            for side in said:
                assert said[side] == {c["copy_opt_outs"]["status"] for c in whole[side]}, finding["recipient"]
        if finding["opt_out_divergence"]:
            claimed += 1
            a, b = said["identifiable"], said["pseudonymised"]
            assert (a & honoured and b & ignored) or (a & ignored and b & honoured), (finding["recipient"], said)
    assert claimed >= 20  # the workbook states many, of flows and of files


def test_findings_2017_landing_only_cites_the_sentence_that_says_so(findings_2017):
    """A landing point is cited where the text says the recipient only lands the data: "6. The
    CSU lands the data only." follows the hop "5. The DSCRO then securely transfers the
    following to the CSU:", which says nothing of landing (all 7 landing qualifiers of the
    workbook cited that hop alone)."""
    flows, _ = findings_2017
    landing = [q for f in flows if (q := f.qualifier("landing_only")) is not None]
    assert len(landing) >= 5
    for q in landing:
        assert q.evidence
        for c in q.evidence:
            assert re.search(r"(?i)\bland", c.text), c
    for f in flows:
        for s in (*f.identifiable, *f.pseudonymised):
            assert (s.hop.landing_evidence is not None) == s.hop.landing_only, s.hop


def test_findings_2017_a_copy_stated_as_a_list_cites_the_item_naming_its_dataset(findings_2017):
    """A copy whose hop is stated by a list head ("5. The DSCRO then securely transfers the
    following to the CSU:") is cited with the item that names its dataset and how identifiable
    it is ("a. The SUS data Identifiable at the level of NHS number"): the head alone says
    neither (7 copies of the workbook were cited so)."""
    flows, _ = findings_2017
    heads = 0
    for f in flows:
        cited = {(c.line, c.text) for q in f.qualifiers if q.name == "both_copies" for c in q.evidence}
        for s in (*f.identifiable, *f.pseudonymised):
            if not s.hop.evidence.text.rstrip().endswith(":"):
                continue
            heads += 1
            items = [i for i in s.hop.items if (i.line, i.text) in cited]
            assert items, (f.recipient, s.hop.evidence.text)
            for i in items:
                assert (i.path, i.line) == (s.hop.evidence.path, s.hop.evidence.line)  # the same cell, below the head
                assert i.text != s.hop.evidence.text
                assert re.search(r"(?i)identifiable|pseudonymised|anonymised", i.text), i.text
    assert heads >= 5


def test_findings_2017_a_copys_evidence_lists_the_items_of_its_own_dataset(findings_2017):
    """A copy of SUS lists "a. The SUS data …", not "b. The Local Provider data …" of its list."""
    from dataflow_graph.names import families_in

    flows, _ = findings_2017
    listed = 0
    for f in flows:
        for s in (*f.identifiable, *f.pseudonymised):
            items = s.as_dict()["evidence"][1:]
            listed += len(items)
            assert all(f.family in families_in(i["text"]) for i in items), (f.family, items)
    assert listed >= 5


def test_findings_2017_partly_known_rests_on_file_rows_or_a_stated_field(findings_2017):
    flows, files = findings_2017
    for f in [*flows, *files]:
        q = f.qualifier("opt_outs_partly_known")
        if q is None:
            continue
        # a reference cell is no evidence of opt-outs: each cited piece is a released-file
        # row, or a sentence or field of text that speaks of opt-outs or objections
        for c in q.evidence:
            assert c.row_id or re.search(r"(?i)opt|object", c.text), (f.recipient, c)


def _fold(name: str) -> str:
    """An organisation name folded as a reader would, independently of the tool's gazetteer."""
    low = name.lower().replace("&", " and ")
    low = re.sub(r"\bclinical commissioning group\b", "ccg", low)
    low = re.sub(r"\bcommissioning support unit\b", "csu", low)
    low = re.sub(r"\([^)]*\)", " ", low)
    low = re.sub(r"[^a-z0-9 ]", " ", low)
    words = [w for w in low.split() if w not in {"nhs", "the", "of", "limited", "ltd"}]
    return " ".join(words)


def test_findings_2017_one_organisation_is_one_recipient(findings_2017):
    flows, files = findings_2017
    ids_by_name: dict[str, set[str]] = defaultdict(set)
    for f in [*flows, *files]:
        ids_by_name[_fold(f.recipient)].add(f.recipient_id)
        if not isinstance(f, Convergence):
            for written in f.files.as_written:
                ids_by_name[_fold(written)].add(f.recipient_id)
    assert {k: v for k, v in ids_by_name.items() if len(v) > 1} == {}
    # and one finding per organisation and family
    keys = [(f.recipient_id, f.family, isinstance(f, Convergence)) for f in [*flows, *files]]
    assert len(keys) == len(set(keys))


def test_findings_2017_overlap_never_rests_on_the_register_title_alone(findings_2017):
    flows, _ = findings_2017
    for f in flows:
        q = f.qualifier("overlap")
        if q is not None:
            # released-file rows, or the entries' own period lines: not just "Data released … 2017"
            assert any(c.row_id or "#README" not in c.source for c in q.evidence), f
        undated = [s for s in (*f.identifiable, *f.pseudonymised) if s.undated]
        if undated and not f.overlap:
            same = f.qualifier("same_register")
            assert same is not None
            assert "not stated" in same.statement
            assert all("#README" in c.source for c in same.evidence)


def test_findings_2017_undated_copies_have_no_months(findings_2017):
    flows, _ = findings_2017
    sides = [s for f in flows for s in (*f.identifiable, *f.pseudonymised)]
    assert any(s.undated for s in sides)
    assert all(s.window is None for s in sides if s.undated)
    dated = [s for s in sides if s.months_found]
    assert dated
    assert all(s.dated_by for s in dated)


def test_findings_seed_successor_rollup_keeps_every_qualifier():
    register = api.load()
    ccg, _ = api.convergences(register)
    icb, _ = api.convergences(register, rollup=RollUp.SUCCESSOR)
    thurrock = next(f for f in ccg if f.recipient == "NHS Thurrock CCG" and f.family == "SUS")
    rolled = next(f for f in icb if f.family == "SUS" and "NHS Thurrock CCG" in f.rolled_up_from)
    assert rolled.recipient != thurrock.recipient  # the successor (an ICB), not the CCG
    names = {q.name for q in thurrock.qualifiers}
    assert {"linkage", "reidentification"} <= names
    assert {q.name for q in rolled.qualifiers} == names
    assert rolled.severity == thurrock.severity


def test_findings_2017_no_copy_or_route_from_a_block_permitted_only_before_the_period(findings_2017, register_2017):
    """A block "(Permitted until 31st December 2016)" on the Sep–Nov 2017 register is past
    processing: none of its flows is a copy or a route of a finding."""
    flows, _ = findings_2017
    past = {f.id for f in register_2017.flows if f.until and f.until < "2017-09"}
    assert past  # the workbook has such blocks (rows 796, 804, 805)
    for c in flows:
        assert not {s.flow.id for s in (*c.identifiable, *c.pseudonymised)} & past, c.recipient
    by_entry = {f.entry for f in register_2017.flows if f.id in past}
    past_lines = {(f.entry, h.evidence.line) for f in register_2017.flows if f.id in past for h in f.hops}
    for c in flows:
        for r in c.reidentification:
            assert (r.entry, r.evidence.line) not in past_lines or r.entry not in by_entry, (c.recipient, r)


def test_findings_2017_a_copy_s_own_opt_out_text_names_its_family(findings_2017):
    """ "Prior to the release of SUS data … Type 2 objections will be applied" decides a SUS
    copy, not the same flow's local-provider copy."""
    flows, _ = findings_2017
    checked = 0
    for c in flows:
        for s in (*c.identifiable, *c.pseudonymised):
            if s.opt_outs_found and s.opt_outs_found.basis == "its own text":
                checked += 1
                assert not s.flow.opt_outs_families or c.family in s.flow.opt_outs_families, (c.recipient, c.family)
    assert checked


def test_findings_2017_other_routes_counted_only_where_the_copies_go_on_to(findings_2017, register_2017):
    """`reidentification_others` counts routes starting at R or where R's copies go on to
    (transfers, online access), not through GP practices' own feeds back to every CSU."""
    import networkx as nx

    from dataflow_graph.model import FlowKind

    G = register_2017.graph
    onward = nx.subgraph_view(
        G, filter_edge=lambda u, v, k: G.edges[u, v, k]["flow"].kind in (FlowKind.TRANSFER, FlowKind.ACCESS)
    )
    starts: dict[str, set[str]] = defaultdict(set)
    for u, _v, data in G.edges(data=True):
        if data["flow"].kind is FlowKind.REIDENTIFICATION:
            starts[u].add(data["flow"].id)
    flows, _ = findings_2017
    assert any(c.qualifier("reidentification") for c in flows)
    for c in flows:
        q = c.qualifier("reidentification")
        if q is None:
            continue
        node = c.recipient_id
        reach = {node} | nx.descendants(onward, node)
        possible = set().union(*(starts[n] for n in reach))
        assert q.others <= len(possible), (c.recipient, c.family, q.others, len(possible))


def test_findings_2017_divergence_says_which_copy_when_one_agreement_has_both(findings_2017):
    """Two de-identified copies under one agreement, one with opt-outs applied and one
    without: the sentence names the copy by its purpose, not by the reference alone."""
    flows, _ = findings_2017
    named = 0
    for c in flows:
        q = c.qualifier("opt_out_divergence")
        if q is None:
            continue
        for side in (c.identifiable, c.pseudonymised):
            by_ref: dict[str, set[OptOut]] = defaultdict(set)
            for s in side:
                by_ref[s.flow.reference].add(_status(s))
            for ref, statuses in by_ref.items():
                if len(statuses) > 1 and ref in q.statement:
                    named += 1
                    assert re.search(re.escape(ref) + r" \([^)]+\)", q.statement), (c.recipient, q.statement)
    assert named
