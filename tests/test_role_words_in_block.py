"""Role words mean what their own block says (docs/audit-2017.md, N1 and N2).

N1: an unnumbered "the data processor" is the processor its block names (its own "Data
Processor N – X" heading, the organisation the block says hosts the system, or the one its
steps send the data to), else no one; never the "Data Processor 1" heading of another block
nor the entry's one CSU.  PurposeStatements 768 (NHS Knowsley CCG): the Risk Stratification
block says "1. … (DSCRO) to the data processor." and "3. … transferred securely to Health
Intelligence Ltd"; Arden & GEM CSU is "Data Processor 1" only of the pseudonymised blocks.

N2: "the DSCRO" is the office its processor's part of the block names.  PurposeStatements
704–732: under "Data Processor 2 (South, Central and West CSU)", "1. South Collaborative …
(DSCRO) obtains …" and "2. … completed by the DSCRO and … passed securely to South Central
and West CSU", while the part under "Data Processor 1" names South London DSCRO.
"""

from __future__ import annotations

from collections.abc import Iterable

import pytest
from statement_rows import WORKBOOK, row_flows, statement_flows

from dataflow_graph import api
from dataflow_graph.graph.convergence import Side
from dataflow_graph.model import FlowKind, Identifiability

AGEM = "NHS Arden and Greater East Midlands Commissioning Support Unit"
SCW = "NHS South, Central and West Commissioning Support Unit"

# PurposeStatements 768, Risk Stratification block (steps 1, 3 and 7, shortened)
STEP_1 = (
    "1. SUS Data is sent from the SUS Repository to North West Data Services for Commissioners Regional "
    "Office (DSCRO) to the data processor."
)
STEP_3 = (
    "3. Data quality management and standardisation of data is completed by North West DSCRO and the data "
    "identifiable at the level of NHS number is transferred securely to Health Intelligence Ltd who hold the "
    "SUS data within the secure Data Centre on N3."
)
STEP_7 = (
    "7. Health Intelligence Ltd who hosts the risk stratification system that holds SUS data is limited to "
    "those administrative staff with authorised user accounts."
)
# the pseudonymised block of the same row, with its own heading
PSEUDONYMISED = [
    "Pseudonymised – SUS and Local Flows",
    "Data Processor 1 – Arden & GEM CSU:",
    "1. North West Data Services for Commissioners Regional Office (DSCRO) receives a flow of SUS "
    "identifiable data for the CCG from the SUS Repository.",
    "2. Data quality management and pseudonymisation of data is completed by the DSCRO and the pseudonymised "
    "data is then passed securely to Arden & GEM CSU for the addition of derived fields.",
]


@pytest.fixture(scope="module")
def register() -> api.Register:
    return api.load([WORKBOOK])


def _receivers(lines: list[str], purpose: str) -> list[tuple[str, str, str]]:
    """(receiver, identifiability, evidence) of every transfer hop of the blocks of ``purpose``."""
    flows = statement_flows(lines, "NHS Knowsley CCG")
    return [
        (h.target.name, h.identifiability.value, h.evidence.text[:2])
        for f in flows
        if f.kind is FlowKind.TRANSFER and f.purpose.startswith(purpose)
        for h in f.hops
    ]


# N1 on the register


def test_the_data_processor_in_768_is_the_processor_its_block_names(register):
    risk = [f for f in row_flows(register, 768) if f.purpose.startswith("Risk Stratification")]
    hops = [h for f in risk if f.kind is FlowKind.TRANSFER for h in f.hops if h.source.name != "NHS Digital"]
    assert hops
    assert {h.target.name for h in hops} == {"Health Intelligence Ltd"}
    step_1 = [h for h in hops if h.evidence.text.startswith("1. SUS Data is sent")]
    assert [h.target.name for h in step_1] == ["Health Intelligence Ltd"]


def test_arden_gem_has_only_pseudonymised_copies_under_768(register):
    for f in row_flows(register, 768):
        for h in f.hops:
            if h.target.name == AGEM:
                assert h.identifiability is Identifiability.PSEUDONYMISED, (f.id, h.evidence.text[:60])
                assert f.purpose.startswith("Pseudonymised"), f.id


def test_arden_gem_sus_finding_no_longer_claims_knowsleys_agreement(register):
    found, _ = api.convergences(register)
    sus = [c for c in found if c.recipient == AGEM and c.family == "SUS"]
    assert len(sus) == 1
    assert c_rows(sus[0].pseudonymised) >= {768}  # its pseudonymised copies stand
    assert 768 not in c_rows(sus[0].identifiable)
    assert "NIC-49686-J7F8B" not in str(sus[0].same_agreement)


def c_rows(sides: Iterable[Side]) -> set[int]:
    """The PurposeStatements rows of a finding's copies."""
    return {int(s.flow.entry.rsplit(":", 1)[-1]) for s in sides}


# N1 on the block shapes


def test_the_data_processor_with_no_heading_takes_the_host_or_receiver_of_its_block():
    lines = ["Risk Stratification", STEP_1, STEP_3, STEP_7, "", *PSEUDONYMISED]
    risk = _receivers(lines, "Risk Stratification")
    assert ("Health Intelligence Ltd", "identifiable", "1.") in risk
    assert all(name != AGEM for name, _, _ in risk)


def test_the_data_processor_is_no_one_when_its_block_names_no_processor():
    """No heading, host or receiver in the block: "the data processor" is not another block's
    "Data Processor 1", and no hop is built to it."""
    lines = ["Risk Stratification", STEP_1, "", *PSEUDONYMISED]
    risk = _receivers(lines, "Risk Stratification")
    assert all(name != AGEM for name, _, _ in risk), risk


def test_the_data_processor_is_not_the_entrys_one_csu_when_its_block_names_none():
    lines = [
        "Risk Stratification",
        STEP_1,
        "",
        "Pseudonymised – SUS and Local Flows",
        "1. Data quality management and pseudonymisation of data is completed by North West DSCRO and the "
        "pseudonymised data is then passed securely to Arden & GEM CSU.",
    ]
    risk = _receivers(lines, "Risk Stratification")
    assert all(name != AGEM for name, _, _ in risk), risk


def test_the_data_processor_under_its_own_heading_is_that_heading():
    lines = [
        "Pseudonymised – SUS and Local Flows",
        "Data Processor 1 – Arden & GEM CSU:",
        "1. North West DSCRO passes the pseudonymised data securely to Arden & GEM CSU.",
        "Data Processor 2 – Midlands & Lancashire CSU:",
        "1. North West Data Services for Commissioners Regional Office (DSCRO) receives a flow of SUS "
        "identifiable data for the CCG from the SUS Repository.",
        "2. The pseudonymised data is securely transferred from North West DSCRO to the data processor.",
    ]
    hops = _receivers(lines, "Pseudonymised")
    assert ("NHS Midlands and Lancashire Commissioning Support Unit", "pseudonymised", "2.") in hops
    assert (AGEM, "pseudonymised", "2.") not in hops


# N2


@pytest.mark.parametrize("row", [704, 719, 732])
def test_the_dscro_is_the_one_its_processors_part_names(register, row):
    flows = [
        f
        for f in row_flows(register, row)
        if f.purpose.startswith("Pseudonymised – SUS") and f.kind is FlowKind.TRANSFER
    ]
    to_scw = [h for f in flows for h in f.hops if h.target.name == SCW]
    assert to_scw, row
    assert {h.source.name for h in to_scw} == {"South Collaborative DSCRO"}, row


def test_the_dscro_in_a_second_processors_part_of_one_block():
    lines = [
        "Pseudonymised – SUS and Local Flows",
        "Data Processor 1 (South East CSU)",
        "1. South London Data Services for Commissioners Regional Office (DSCRO) obtains a flow of SUS "
        "identifiable data for the CCG from the SUS Repository.",
        "2. Data quality management and pseudonymisation of data is completed by the DSCRO and the pseudonymised "
        "data is then passed securely to South East CSU.",
        "Data Processor 2 (South, Central and West CSU)",
        "1. South Collaborative Data Services for Commissioners Regional Office (DSCRO) obtains a flow of SUS "
        "identifiable data for the CCG from the SUS Repository.",
        "2. Data quality management and pseudonymisation of data is completed by the DSCRO and the pseudonymised "
        "data is then passed securely to South Central and West CSU.",
    ]
    flows = statement_flows(lines, "NHS Canterbury and Coastal CCG")
    senders = {h.target.name: h.source.name for f in flows for h in f.hops if h.target.role.value == "csu"}
    assert senders == {
        "NHS South East Commissioning Support Unit": "South London DSCRO",
        SCW: "South Collaborative DSCRO",
    }
