"""Defects of docs/audit-2017.md, each on the register rows the audit cites: what a flow's
hops and evidence say must be what the row's text says."""

from __future__ import annotations

import pytest
from statement_rows import WORKBOOK, row_entry, row_flows, statement_flows

from dataflow_graph import api
from dataflow_graph.errors import Diagnostics
from dataflow_graph.extract import extract
from dataflow_graph.model import FlowKind
from dataflow_graph.names import gazetteer


@pytest.fixture(scope="module")
def register() -> api.Register:
    return api.load([WORKBOOK])


# D2: segregation is what the copy's own block says, not any block of the entry


def test_segregation_statement_belongs_to_its_own_purpose_block(register):
    flows = row_flows(register, 782)
    invoice = [f for f in flows if f.purpose.startswith("Invoice Validation")]
    assert invoice
    for f in invoice:
        assert [s.text[:40] for s in f.segregation] == ["Data for this purpose is kept within the"], f.id
    general = [f for f in flows if f.purpose.startswith("Commissioning – Identifiable")]
    assert general
    for f in general:  # its Segregation block says only "segregated according to contract"
        assert f.segregation == (), f.id


def test_segregation_is_not_customers_kept_apart_nor_a_store_of_no_identifiable_data(register):
    for row in (782, 797):
        for f in row_flows(register, row):
            texts = " ".join(s.text for s in f.segregation)
            assert "according to contract" not in texts, f.id
            assert "Safe Haven" not in texts, f.id


# D3: "the CSU" means a CSU only where the block or the entry names one


def test_the_csu_is_not_guessed_when_the_entry_names_several(register):
    flows = row_flows(register, 782)
    general = [f for f in flows if f.purpose.startswith("Commissioning – Identifiable")]
    assert general
    for f in general:
        for h in f.hops:
            assert "South, Central and West" not in h.target.name, (f.id, h.evidence.text)
            assert "South, Central and West" not in h.source.name, (f.id, h.evidence.text)
    diagnostics = Diagnostics()
    extract(row_entry(register, 782), gazetteer().fresh(), diagnostics)
    assert any(d.code == "DFG403" and "the CSU" in d.message for d in diagnostics.items)
    # the entry's one CSU is still what "the CSU" means
    lines = [
        "Invoice Validation",
        "1. SCW DSCRO then pushes a one-way data flow of SUS data into SCW CSU Transfer Service.",
        "Commissioning – Identifiable – SUS",
        "1. The DSCRO then securely transfers the SUS data identifiable at the level of NHS number to the CSU.",
    ]
    flows = statement_flows(lines, "NHS Bedfordshire CCG")
    targets = {h.target.name for f in flows if f.kind is FlowKind.TRANSFER for h in f.hops}
    assert "NHS South, Central and West Commissioning Support Unit" in targets


# D4: a CEfF "hosted by" another CCG is that CCG's; a lead-in line is no purpose


def test_ceff_hosted_by_another_ccg_is_that_ccgs_and_the_lead_in_line_is_no_purpose(register):
    flows = row_flows(register, 819)
    ceff = [h for f in flows for h in f.hops if h.unit and "Controlled Environment" in h.unit]
    assert ceff
    assert {h.target.name for h in ceff} == {"NHS Rotherham CCG"}
    assert not any(f.purpose.startswith("NHS Rotherham") for f in flows)
    assert any(f.purpose == "Invoice Validation" for f in flows)


# D5: a linkage list holds the listed datasets, linked where its sentence or step says


def test_linkage_is_at_the_holder_its_step_names(register):
    linkage = [f for f in row_flows(register, 819) if f.kind is FlowKind.LINKAGE]
    limited = [f for f in linkage if f.hops[0].evidence.text.startswith("Linked data is limited")]
    assert limited
    for f in limited:
        assert f.hops[0].target.name == "eMBED Health Consortium"
        assert len(f.linked) == 11
        assert f.linked[0] == "SUS data and Local Provider data at pseudonymised level"
        assert not any(item.startswith(("Aggregation", "Data will not", "eMBED", "The CCG")) for item in f.linked)


def test_numbered_linkage_list_ends_where_the_outer_steps_go_on():
    lines = [
        "Commissioning (Pseudonymised) – SUS and Local Flows",
        "3. North of England CSU then pass the processed, pseudonymised data to both eMBED and the CCG.",
        "4. eMBED receives the Pseudonymised data for the addition of derived fields, linkage of data sets and "
        "analysis. Linked data is limited to  the following to give a rich and broad clinical journey allowing "
        "improved care planning, patient care and commissioning:",
        "1. SUS data and Local Provider data at pseudonymised level",
        "2. Mental Health (MHSDS, MHLDDS, MHMDS) with SUS",
        "5. eMBED securely transfer pseudonymised outputs for management use by the CCG.",
        "6. The CCG receive Pseudonymised data from both North of England CSU and eMBED.",
    ]
    flows = statement_flows(lines, "NHS Barnsley CCG")
    linkage = [f for f in flows if f.kind is FlowKind.LINKAGE]
    assert [(f.hops[0].target.name, f.linked) for f in linkage] == [
        (
            "eMBED Health Consortium",
            (
                "SUS data and Local Provider data at pseudonymised level",
                "Mental Health (MHSDS, MHLDDS, MHMDS) with SUS",
            ),
        )
    ]


# D8: a hop stated again for other families keeps the sentence that names them


def test_hop_stated_again_for_other_families_cites_the_sentence_naming_them(register):
    into_csu = [
        h
        for f in row_flows(register, 701)
        if f.kind is FlowKind.TRANSFER
        for h in f.hops
        if h.source.name == "South London DSCRO" and "MSDS" in h.families
    ]
    assert into_csu
    for h in into_csu:
        assert "MSDS" in h.evidence.text, h.evidence.text
