"""Chains (extract/chains.py): one label per copy, the families each hop carries, inferred hops."""

from __future__ import annotations

import pytest
from statement_rows import WORKBOOK, statement_flows

from dataflow_graph import api
from dataflow_graph.model import Dataset, Flow, FlowKind, Identifiability, Role

PATH = "chains.txt"


def _flows(
    lines: list[str], *, organisation: str = "NHS Thurrock CCG", datasets: tuple[Dataset, ...] = ()
) -> list[Flow]:
    return statement_flows(lines, organisation, name=PATH, datasets=datasets)


@pytest.fixture(scope="module")
def registers() -> list[api.Register]:
    return [api.load(), api.load([WORKBOOK])]


def test_chains_every_copy_has_the_level_of_its_hops(registers):
    """One label per copy: a transfer or access flow's level is its last hop's, and every hop
    of it after the hop into a DSCRO has that level."""
    checked = 0
    for register in registers:
        for f in register.flows:
            if f.kind not in (FlowKind.TRANSFER, FlowKind.ACCESS):
                continue
            assert f.identifiability is f.hops[-1].identifiability, f.id
            after = [h for h in f.hops if h.target.role is not Role.DSCRO]
            assert {h.identifiability for h in after} <= {f.identifiability}, f.id
            checked += 1
    assert checked > 1000


def test_chains_access_anonymised_at_patient_level_is_one_anonymised_copy():
    lines = [
        "Risk Stratification",
        "1. SUS data identifiable at the level of NHS number is delivered securely from South London DSCRO "
        "to South East CSU.",
        "2. Once South East CSU has completed the processing, the CCG can dial into the online system via N3 "
        "connection to access the data anonymised at patient level.",
    ]
    flows = _flows(lines)
    access = [f for f in flows if f.kind is FlowKind.ACCESS]
    assert [(f.identifiability, [h.identifiability for h in f.hops]) for f in access] == [
        (Identifiability.ANONYMISED, [Identifiability.ANONYMISED])
    ]
    transfer = [f for f in flows if f.kind is FlowKind.TRANSFER]
    assert [f.identifiability for f in transfer] == [Identifiability.IDENTIFIABLE]


def test_chains_identifiable_receipt_and_pseudonymised_onward_copy_are_two_flows():
    lines = [
        "Risk Stratification",
        "1. SUS data identifiable at the level of NHS number is transferred securely from North West DSCRO to "
        "Arden & GEM CSU.",
        "2. Once Arden & GEM CSU has completed the processing, the data is passed to the CCG in pseudonymised form "
        "at patient level.",
    ]
    flows = [f for f in _flows(lines) if f.kind is FlowKind.TRANSFER]
    assert [(f.identifiability, len(f.hops)) for f in flows] == [
        (Identifiability.IDENTIFIABLE, 2),
        (Identifiability.PSEUDONYMISED, 1),
    ]
    assert flows[1].hops[0].source.id == flows[0].hops[-1].target.id


def test_chains_implicit_source_hop_is_marked_inferred():
    lines = ["Commissioning", "1. North East London DSCRO pushes pseudonymised SUS data to North East London CSU."]
    (flow,) = [f for f in _flows(lines) if f.kind is FlowKind.TRANSFER]
    first, stated = flow.hops
    assert (first.source.role, first.target.role, first.inferred) == (Role.SOURCE, Role.DSCRO, True)
    assert stated.inferred is False
    assert flow.as_dict()["hops"][0]["inferred"] is True


def test_chains_hop_carries_the_families_its_sentence_names():
    """Seed: "The CCG then pass the processed, pseudonymised SUS and Local Provider flow data
    only to the Success Regime" carries SUS and LPF, not every family of the flow."""
    register = api.load()
    to_mid_essex = [
        (f.entry, h.families)
        for f in register.flows
        for h in f.hops
        if h.target.id == "org:nhs-mid-essex-ccg" and h.source.id == "org:nhs-thurrock-ccg"
    ]
    assert to_mid_essex
    assert {fams for _, fams in to_mid_essex} == {("LPF", "SUS")}
    assert any(len(f.families) > 2 for f in register.flows if f.entry.endswith("#5"))


def test_chains_holder_passes_on_what_reached_it():
    lines = [
        "Commissioning",
        "1. North East London DSCRO obtains a flow of SUS data and Mental Health Services Data Set data for the CCG.",
        "2. NEL DSCRO then pushes a one-way data flow of Pseudonymised data into North East London CSU.",
        "3. North East London CSU then pass the processed data to the CCG.",
    ]
    (flow,) = [f for f in _flows(lines) if f.kind is FlowKind.TRANSFER]
    assert [h.families for h in flow.hops] == [("MHSDS", "SUS")] * 3


def test_chains_release_to_the_applicant_takes_its_released_files_level():
    """A direct release whose sentence states no level: the category of the released files."""
    datasets = (
        Dataset("Hospital Episode Statistics Admitted Patient Care", "HES", None, "Anonymised - ICO code compliant"),
        Dataset("MRIS - Cause of Death Report", "MRIS", None, "Identifiable"),
    )
    lines = ["Upon receiving the data from the HSCIC, the University will store it on its secure server."]
    flows = _flows(lines, organisation="University of Bristol", datasets=datasets)
    assert sorted((f.identifiability.value, f.families) for f in flows) == [
        ("anonymised", ("HES",)),
        ("identifiable", ("MRIS",)),
    ]
    assert {h.source.id for f in flows for h in f.hops} == {"org:nhs-digital"}
