"""Opt-outs stated per copy from the entry's own text (extract/optouts.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dataflow_graph import api
from dataflow_graph.errors import Diagnostics, Span
from dataflow_graph.extract import extract
from dataflow_graph.model import Entry, Flow, FlowKind, Identifiability, OptOut, Section
from dataflow_graph.names import gazetteer

WORKBOOK = Path(__file__).parent / "data" / "register" / "ReleaseRegister-sep-nov-2017.xlsx"
PATH = "optouts.txt"

#: a statement in the shape of PurposeStatements 795: an identifiable and a pseudonymised copy
IV = [
    "Invoice Validation",
    "1. Identifiable SUS Data is obtained from the SUS Repository by North East London DSCRO.",
    "2. NEL DSCRO then pushes a one-way data flow of identifiable SUS data into North East London CSU.",
]
PSEUDO = [
    "Commissioning – Pseudonymised – SUS",
    "1. North East London DSCRO obtains a flow of SUS data for the CCG from the SUS Repository.",
    "2. NEL DSCRO then pushes a one-way data flow of Pseudonymised data into North East London CSU.",
]


def _entry(processing: list[str], objectives: tuple[str, ...] | list[str] = ()) -> Entry:
    sections = []
    line = 1
    for name, lines in (("Objectives", objectives), ("Processing", processing)):
        if not lines:
            continue
        spans = tuple(Span(PATH, line + i + 1, 1, text) for i, text in enumerate(lines))
        sections.append(Section(name, Span(PATH, line, 1, f"{name}:"), spans))
        line += len(lines) + 1
    return Entry(
        id=f"{PATH}#1",
        source=PATH,
        line=1,
        position=1,
        reference="DARS-NIC-00001-AAAAA",
        agreement="NIC-00001-AAAAA",
        title="NHS Thurrock CCG",
        organisation="NHS Thurrock CCG",
        sections=tuple(sections),
    )


def _copies(entry: Entry) -> list[Flow]:
    flows = extract(entry, gazetteer().fresh(), Diagnostics())
    return [f for f in flows if f.kind in (FlowKind.TRANSFER, FlowKind.ACCESS)]


def _one(flows: list[Flow], level: Identifiability) -> Flow:
    found = [f for f in flows if f.identifiability is level]
    assert len(found) == 1, [(f.identifiability, f.purpose) for f in flows]
    return found[0]


def test_optouts_statement_naming_identifiable_data_covers_identifiable_copies_only():
    said = "North East London DSCRO will apply Type 2 objections before any identifiable data leaves the DSCRO."
    flows = _copies(_entry([said, *IV, *PSEUDO]))
    identifiable = _one(flows, Identifiability.IDENTIFIABLE)
    assert identifiable.opt_outs_stated is OptOut.YES
    assert identifiable.opt_outs_evidence is not None
    assert identifiable.opt_outs_evidence.text == said
    assert identifiable.opt_outs_evidence.line == 2
    assert identifiable.opt_outs_families == ("SUS",)
    assert _one(flows, Identifiability.PSEUDONYMISED).opt_outs_stated is OptOut.UNKNOWN


def test_optouts_statement_in_a_purpose_block_covers_that_block_only():
    said = "3. NEL DSCRO then remove records for all patients who have registered type 2 objections"
    flows = _copies(_entry([*IV, *PSEUDO, said]))
    assert _one(flows, Identifiability.PSEUDONYMISED).opt_outs_stated is OptOut.YES
    assert _one(flows, Identifiability.IDENTIFIABLE).opt_outs_stated is OptOut.UNKNOWN


def test_optouts_objectives_pseudonymised_flow_including_objectors_is_not_applied():
    objectives = [
        "Commissioning – Pseudonymised - SUS",
        "The description here represents a separate Pseudonymised flow that includes records for all patients "
        "(including Type 2 Objectors) so the CCG can manage challenges against 100% of their commissioning records.",
    ]
    said = "North East London DSCRO will apply Type 2 objections before any identifiable data leaves the DSCRO."
    flows = _copies(_entry([said, *IV, *PSEUDO], objectives))
    assert _one(flows, Identifiability.PSEUDONYMISED).opt_outs_stated is OptOut.NO
    assert _one(flows, Identifiability.IDENTIFIABLE).opt_outs_stated is OptOut.YES


def test_optouts_statement_naming_a_family_covers_that_family_of_each_copy():
    said = "Prior to the release of SUS data by North East London DSCRO Type 2 objections will be applied."
    lpf = [
        "Commissioning – Pseudonymised – SUS and Local Flows",
        said,
        "1. North East London DSCRO obtains a flow of SUS and local provider data for the CCG.",
        "2. NEL DSCRO then pushes a one-way data flow of Pseudonymised data into North East London CSU.",
    ]
    flow = _one(_copies(_entry(lpf)), Identifiability.PSEUDONYMISED)
    assert flow.families == ("LPF", "SUS")
    assert (flow.opt_outs_stated, flow.opt_outs_families) == (OptOut.YES, ("SUS",))


def test_optouts_no_statement_leaves_unknown():
    flows = _copies(_entry([*IV, *PSEUDO]))
    assert {f.opt_outs_stated for f in flows} == {OptOut.UNKNOWN}
    assert all(f.opt_outs_evidence is None and f.opt_outs_families == () for f in flows)


def test_optouts_seed_no_need_to_remove_objectors_is_not_applied():
    register = api.load()
    entry6 = [f for f in register.flows if f.entry.endswith("#6") and f.kind in (FlowKind.TRANSFER, FlowKind.ACCESS)]
    assert entry6
    for f in entry6:
        assert f.opt_outs_stated is OptOut.NO
        assert f.opt_outs_evidence is not None
        assert "no need to remove records for type 2 objectors" in f.opt_outs_evidence.text
        assert f.opt_outs_evidence.line == 794


@pytest.fixture(scope="module")
def register_2017() -> api.Register:
    return api.load([WORKBOOK])


def test_optouts_2017_statement_gives_opposite_status_to_two_copies_at_one_processor(register_2017):
    """PurposeStatements 795: the identifiable general-commissioning copy has objections
    removed, the pseudonymised contract-validation copy includes objectors."""
    flows = [f for f in register_2017.flows if f.entry.endswith(":795") and f.kind is FlowKind.TRANSFER]
    at_mede = {
        (f.identifiability, f.opt_outs_stated)
        for f in flows
        if f.hops[-1].target.id == "org:medeanalytics" and "SUS" in f.families
    }
    assert (Identifiability.IDENTIFIABLE, OptOut.YES) in at_mede
    assert (Identifiability.PSEUDONYMISED, OptOut.NO) in at_mede


def test_optouts_2017_every_stated_status_has_its_evidence(register_2017):
    stated = [f for f in register_2017.flows if f.opt_outs_stated is not OptOut.UNKNOWN]
    assert len(stated) > 200
    for f in stated:
        assert f.opt_outs_evidence is not None
        assert f.opt_outs_families
        assert set(f.opt_outs_families) <= set(f.families)
        assert f.as_dict()["opt_outs_evidence"]["text"] == f.opt_outs_evidence.text
