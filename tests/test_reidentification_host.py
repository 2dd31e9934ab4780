"""Who a re-identification route starts from (docs/audit-2017.md, R1).

The template sentence "As part of the risk stratification processing activity, GPs have
access to the risk stratification tool within the data processor" names no processor.  The
route starts at the host of the risk stratification system the block states ("X who hosts
the risk stratification system", "The CCG who hosts …", "… hosted by X"), never at the
entry's CSU for want of a "Data Processor N" heading; and the finding cites the sentence
that names the holder.
"""

from __future__ import annotations

import pytest
from statement_rows import WORKBOOK, row_flows, statement_flows

from dataflow_graph import api
from dataflow_graph.model import FlowKind

GP_ACCESS = (
    "As part of the risk stratification processing activity, GPs have access to the risk stratification "
    "tool within the data processor, which highlights patients with whom the GP has a legitimate relationship."
)


@pytest.fixture(scope="module")
def register() -> api.Register:
    return api.load([WORKBOOK])


def _routes(lines: list[str], organisation: str = "NHS Bedfordshire CCG") -> list[tuple[str, str]]:
    flows = statement_flows(lines, organisation)
    return [(f.hops[0].source.name, f.hops[0].target.name) for f in flows if f.kind is FlowKind.REIDENTIFICATION]


@pytest.mark.parametrize(
    ("row", "holder", "host"),
    [
        # "6. The CCG who hosts the risk stratification system …"; NEL CSU is only in other blocks
        (808, "NHS Brent CCG", "6. The CCG who hosts the risk stratification system"),
        # "8. The CCG who hosts …": no second route from NEL CSU
        (698, "NHS Camden CCG", "8. The CCG who hosts the risk stratification system"),
        # both blocks: "Prescribing Services Limited who hosts …"
        (805, "Prescribing Services Limited", "Prescribing Services Limited who hosts the risk"),
        # "by the data processor (Redbridge CCG, who host the Health Analytics Risk Stratification Tool)"
        (700, "NHS Redbridge CCG", "4. SUS data is linked to GP data in the risk stratification tool"),
        (806, "NHS Redbridge CCG", "6. Redbridge CCG who hosts the risk stratification system"),
        (801, "Optum", "6. Optum United Health UK who hosts"),
        # under "Data Processor 2 – Midlands & Lancashire CSU": "7. Arden & GEM CSU who hosts …"
        (739, "NHS Arden and Greater East Midlands Commissioning Support Unit", "7. Arden & GEM CSU who hosts"),
        (768, "Health Intelligence Ltd", "7. Health Intelligence Ltd who hosts"),
        # "Risk Stratification (Data Processor 2- eMBED)" after a Data Processor 1 heading
        (817, "eMBED Health Consortium", "5. eMBED who hosts the risk stratification system"),
        (833, "eMBED Health Consortium", "eMBED who hosts the risk stratification system"),
    ],
)
def test_route_starts_at_the_stated_host_of_the_risk_stratification_system(register, row, holder, host):
    flows = row_flows(register, row, FlowKind.REIDENTIFICATION)
    assert {f.hops[0].source.name for f in flows} == {holder}
    for f in flows:
        hop = f.hops[0]
        assert hop.target.name == "GP practices"
        assert hop.context is not None, row
        assert host in hop.context.text, (row, hop.context.text)


def test_a_named_host_keeps_its_route(register):
    """ "North East London CSU who hosts the risk stratification system" (834): still NEL CSU."""
    flows = row_flows(register, 834, FlowKind.REIDENTIFICATION)
    assert {f.hops[0].source.name for f in flows} == {"NHS North and East London Commissioning Support Unit"}


def test_finding_cites_the_sentence_that_names_the_holder(register):
    found, _ = api.convergences(register)
    brent = next(c for c in found if c.recipient == "NHS Brent CCG" and c.family == "SUS")
    q = brent.qualifier("reidentification")
    assert q is not None
    assert q.statement.endswith("NHS Brent CCG to GP practices")
    texts = [e.text for e in q.evidence]
    assert any(t.startswith("5. As part of the risk stratification processing activity") for t in texts)
    assert any(t.startswith("6. The CCG who hosts the risk stratification system") for t in texts)
    # no route of this finding rests on a row whose block names another host
    nel = next(c for c in found if c.recipient.startswith("NHS North and East London") and c.family == "SUS")
    rows = {x.entry.rsplit(":", 1)[1] for x in nel.reidentification}
    assert not rows & {"698", "700", "798", "799", "801", "805", "806", "808"}, rows
    assert {x.source for x in nel.reidentification} == {"NHS North and East London Commissioning Support Unit"}


def test_the_data_processor_is_not_the_entrys_csu_when_no_host_is_stated():
    """The CSU named in another block is no holder of this block's tool: the route is left out."""
    lines = [
        "Invoice Validation",
        "1. North East London DSCRO pushes a one-way data flow of SUS data into North East London CSU.",
        "Risk Stratification",
        f"2. {GP_ACCESS}",
    ]
    assert _routes(lines) == []


def test_hosted_by_names_the_host_after_it():
    lines = [
        "Risk Stratification",
        "1. North East London DSCRO pushes a one-way data flow of SUS data into North East London CSU.",
        f"2. {GP_ACCESS}",
        "3. The risk stratification tool is hosted by Optum, and access is limited to administrative staff.",
    ]
    assert _routes(lines) == [("Optum", "GP practices")]


def test_the_host_of_something_else_is_no_holder():
    """ "who host the secure electronic information portal" (PurposeStatements 809) hosts no tool."""
    lines = [
        "Risk Stratification",
        "1. North East London DSCRO pushes a one-way data flow of SUS data into North East London CSU.",
        f"2. {GP_ACCESS}",
        "3. Access by Optum, who host the secure electronic information portal, is limited to staff.",
    ]
    assert _routes(lines) == [("NHS North and East London Commissioning Support Unit", "GP practices")]
