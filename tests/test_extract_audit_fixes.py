"""Extraction defects of docs/audit-2017.md left open after its first fixes: the second half
of D7 (a step towards ONS read as a release to the applicant), the "Data Processor N – X"
part that borrowed the purpose of the block before it, and the Contract Validation copy a
CCG reads online (whose own text says it keeps Type 2 objectors).  Each on the register
rows the audit cites, and on the sentence shapes alone."""

from __future__ import annotations

import pytest
from statement_rows import WORKBOOK, row_flows, statement_flows

from dataflow_graph import api
from dataflow_graph.model import Flow, FlowKind, OptOut

UCL = "University College London (UCL)"


def statement_flows_newer(lines: list[str], organisation: str) -> list[Flow]:
    return statement_flows(lines, organisation, name="fixes.txt", variant="newer")


@pytest.fixture(scope="module")
def register() -> api.Register:
    return api.load([WORKBOOK])


def _hops(flows: list[Flow]) -> list[tuple[str, str, str]]:
    return [(h.source.name, h.target.name, h.evidence.text) for f in flows for h in f.hops]


# D7, second half: a receiver the sentence names is not the applicant


def test_step_to_a_named_receiver_is_no_release_to_the_applicant():
    flows = statement_flows_newer(["2. NHSD sends extract containing mothers details to ONS to match to births"], UCL)
    assert _hops(flows) == []


def test_data_sent_to_nhs_digital_is_no_release_to_the_applicant():
    flows = statement_flows_newer(
        ["Data will be sent securely to NHS Digital using encryption software as instructed by NHS Digital"],
        "UNIVERSITY OF CAMBRIDGE",
    )
    assert _hops(flows) == []


@pytest.mark.parametrize(
    ("organisation", "sentence", "receiver"),
    [
        # the applicant's acronym in its name
        (
            "UNIVERSITY COLLEGE LONDON (UCL)",
            "10. NHSD supplies de-identified data to UCL along with a deprivation score",
            UCL,
        ),
        # a word of its name
        (
            "UNIVERSITY OF BRISTOL",
            "3. NHS Digital will supply the linked pseudonymised data to Bristol (replacing date of death).",
            "University of Bristol",
        ),
        # the initials of its name
        (
            "LONDON SCHOOL OF HYGIENE AND TROPICAL MEDICINE",
            "NHS Digital will send the finalised list of records to LSHTM.",
            "London School of Hygiene and Tropical Medicine",
        ),
        # the name the sentence gives "the customer"
        (
            "UNIVERSITY OF WARWICK",
            "NHS Digital will send the customer (WCTU) reports of record level HES Data to WCTU.",
            "University of Warwick",
        ),
    ],
)
def test_the_applicants_own_names_still_receive(organisation, sentence, receiver):
    assert [(s, r) for s, r, _ in _hops(statement_flows_newer([sentence], organisation))] == [("NHS Digital", receiver)]


def test_a_negation_in_an_aside_after_the_receiver_is_its_own():
    sentence = (
        "10. NHSD supplies de-identified data to UCL along with a deprivation score and unique study ID "
        "(this study ID cannot be used by UCL to re-identify)"
    )
    assert [(s, r) for s, r, _ in _hops(statement_flows_newer([sentence], UCL))] == [("NHS Digital", UCL)]


def test_an_aside_that_negates_a_transfer_or_stands_before_the_receiver_still_negates():
    for sentence in (
        "These tabulations require statistical analysis prior to being provided to researchers, whilst "
        "equivalent in format to those provided by NHS Digital (hence could not be provided directly).",
        "Lifestyle data will be extracted from the relevant data files (which do not contain subject names, "
        "NHS numbers or full dates of birth) and merged with the data supplied by NHS Digital.",
    ):
        assert _hops(statement_flows_newer([sentence], "UNIVERSITY OF OXFORD")) == [], sentence


def test_ucls_deidentified_copy_cites_its_own_step_not_the_step_to_ons(register):
    flows = row_flows(register, 152)
    cited = [(s, r, e) for s, r, e in _hops(flows)]
    assert not [c for c in cited if "to ONS" in c[2] or c[2].startswith("3. ONS")], cited
    to_ucl = [f for f in flows if f.kind is FlowKind.TRANSFER and f.hops[-1].target.name == UCL]
    assert len(to_ucl) == 1
    assert to_ucl[0].hops[-1].evidence.text.startswith("10. NHSD supplies de-identified data to UCL")
    assert to_ucl[0].identifiability.is_record_level_deidentified
    assert "MRIS" in to_ucl[0].families


# Minor, not scored: "Data Processor 3 – PI Limited" does not borrow "Invoice Validation"


def test_data_processor_part_told_anew_takes_the_purpose_its_steps_name(register):
    flows = row_flows(register, 797)
    pi = [f for f in flows if any("PI Limited" in (h.source.name, h.target.name) for h in f.hops)]
    assert {f.kind for f in pi} >= {FlowKind.TRANSFER, FlowKind.ACCESS, FlowKind.REIDENTIFICATION}
    assert {f.purpose for f in pi} == {"Risk Stratification"}
    invoice = [f for f in flows if f.purpose == "Invoice Validation"]
    assert invoice  # the Invoice Validation block itself keeps its heading
    assert not [f for f in invoice if any("PI Limited" in (h.source.name, h.target.name) for h in f.hops)]


def test_data_processor_part_keeps_the_purpose_its_steps_share_or_do_not_name():
    head = [
        "Risk Stratification",
        "Data Processor 1 – Arden & GEM CSU:",
        "1. SUS data is obtained from the SUS Repository by North West DSCRO.",
        "2. North West DSCRO transfers the data to Arden & GEM CSU for risk stratification.",
    ]
    again = [
        "Data Processor 2 – MedeAnalytics",
        "1. SUS data is obtained from the SUS Repository by North West DSCRO.",
        "2. North West DSCRO transfers the data to MedeAnalytics.",
    ]
    flows = statement_flows_newer(head + again, "NHS Trafford CCG")
    assert {f.purpose for f in flows if f.kind is FlowKind.TRANSFER} == {"Risk Stratification"}
    other = [*again[:2], "2. North West DSCRO transfers the data to MedeAnalytics for invoice validation."]
    flows = statement_flows_newer(head + other, "NHS Trafford CCG")
    assert {f.purpose for f in flows if f.kind is FlowKind.TRANSFER} == {"Risk Stratification", "Invoice Validation"}


# Omission: the Contract Validation copy the CCG reads online keeps Type 2 objectors


def test_contract_validation_module_is_the_ccgs_online_copy_with_objectors_kept(register):
    for row, ccg in ((782, "NHS Bedfordshire CCG"), (794, "NHS East and North Hertfordshire CCG")):
        access = [
            f for f in row_flows(register, row) if f.kind is FlowKind.ACCESS and f.purpose == "Contract Validation"
        ]
        assert len(access) == 1, row
        (hop,) = access[0].hops
        assert (hop.source.name, hop.target.name) == ("MedeAnalytics International Limited", ccg)
        assert hop.evidence.text.startswith("9. CCGs use the workflow features provided by the MedeAnalytics")
        assert access[0].opt_outs_stated is OptOut.NO
        assert "including Type 2 Objectors" in access[0].opt_outs_evidence.text


def test_opt_out_divergence_is_found_at_the_ccg(register):
    found, _ = api.convergences(register)
    for ccg in ("NHS Bedfordshire CCG", "NHS East and North Hertfordshire CCG", "NHS North East Essex CCG"):
        (c,) = [c for c in found if c.recipient == ccg and c.family == "SUS"]
        assert c.opt_out_divergence, ccg
