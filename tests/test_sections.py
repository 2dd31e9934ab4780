"""Purpose blocks (extract/sections.py): headings, time limits, restated processor chains."""

from __future__ import annotations

from pathlib import Path

import pytest

from dataflow_graph import api
from dataflow_graph.errors import Span
from dataflow_graph.extract.sections import blocks
from dataflow_graph.model import FlowKind, Identifiability, Section

WORKBOOK = Path(__file__).parent / "data" / "register" / "ReleaseRegister-sep-nov-2017.xlsx"
PATH = "sections.txt"


def _section(lines: list[str]) -> Section:
    spans = tuple(Span(PATH, i + 2, 1, text) for i, text in enumerate(lines))
    return Section("Processing", Span(PATH, 1, 1, "Processing:"), spans)


@pytest.fixture(scope="module")
def register() -> api.Register:
    return api.load([WORKBOOK])


def test_sections_long_heading_starts_a_block():
    heading = (
        "Commissioning – Identifiable – SUS, Local Flows, Mental Health, MSDS, IAPT, CYPHS and DIDS "
        "General Commissioning"
    )
    assert len(heading) > 100
    found = blocks(_section(["Commissioning – Pseudonymised – Local Flows", "1. A step.", heading, "1. Another."]))
    assert [b.purpose for b in found] == ["Commissioning – Pseudonymised – Local Flows", heading]


def test_sections_period_marker_binds_the_part_it_heads():
    lines = [
        "Invoice Validation",
        "(Permitted until 31st December 2016)",
        "1. SUS Data is obtained from the SUS Repository by North England DSCRO.",
        "(Permitted From 1st November 2016)",
        "1. SUS Data is obtained from the SUS Repository by North East London DSCRO.",
    ]
    first, second = blocks(_section(lines))
    assert first.purpose == second.purpose == "Invoice Validation"
    assert first.until is not None
    assert first.until[0] == "2016-12"
    assert (first.until[1].line, first.until[1].text) == (3, "(Permitted until 31st December 2016)")
    assert second.until is None


def test_sections_processor_heading_restating_the_chain_starts_a_part():
    lines = [
        "Pseudonymised – SUS and Local Flows",
        "Data Processor 1 – Arden & GEM CSU:",
        "1. North West DSCRO receives a flow of SUS identifiable data for the CCG from the SUS Repository.",
        "2. Arden & GEM CSU then pass the processed data to the CCG.",
        "Data Processor 2 – Midlands & Lancashire CSU:",
        "1. North West DSCRO receives a flow of SUS identifiable data for the CCG from the SUS Repository.",
        "Data Processor 3 – AQuA",
        "2. Arden & GEM CSU then passes the pseudonymised data securely to AQuA.",
    ]
    found = blocks(_section(lines))
    assert [len(b.sentences) for b in found] == [3, 4]  # numbering goes on after DP3: the same part
    assert {b.purpose for b in found} == {"Pseudonymised – SUS and Local Flows"}


def test_sections_2017_identifiable_heading_gives_identifiable_copies(register):
    """PurposeStatements 795: "Commissioning – Identifiable – SUS, Local Flows, …" (the CSU
    lands the data only, MedeAnalytics pseudonymises it on arrival)."""
    flows = [f for f in register.flows if f.entry.endswith(":795") and f.purpose.startswith("Commissioning – Identif")]
    transfer = [f for f in flows if f.kind is FlowKind.TRANSFER]
    assert [f.identifiability for f in transfer] == [Identifiability.IDENTIFIABLE]
    hops = transfer[0].hops
    assert [h.target.id for h in hops][-1] == "org:medeanalytics"
    assert [h.landing_only for h in hops if h.target.id == "org:csu-north-and-east-london"] == [True]
    access = [f for f in flows if f.kind is FlowKind.ACCESS]
    assert [f.identifiability for f in access] == [Identifiability.PSEUDONYMISED]


def test_sections_2017_permitted_until_sets_until_and_its_evidence(register):
    limited = [f for f in register.flows if f.entry.endswith(":796") and f.until]
    assert limited
    for f in limited:
        assert f.until == "2016-12"
        assert f.until_evidence is not None
        assert f.until_evidence.text == "(Permitted until 31st December 2016)"
    assert any(f.until is None for f in register.flows if f.entry.endswith(":796"))
