"""A "Data Processor N – X" heading is one in any case, as its reviewed pattern reads it, and
the RDF names the organisation the extractor reads in it.

The heading pattern ignores case (``rules.yaml`` ``dp_header``), but the prefilters in
front of it looked for "rocessor" as written: "DATA PROCESSOR 1 – MedeAnalytics" was no
heading, and the steps that send data to "Data Processor 1" lost their receiver.  The RDF
export read headings with a pattern of its own and took X whole as a name ("AQuA (via
DP1)"); it now takes what the extractor read (``Register.headed``).
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from statement_rows import statement, statement_flows

from dataflow_graph import api
from dataflow_graph.extract import heading_processors
from dataflow_graph.extract.mentions import DP_HEADER, _line_facts, line_facts
from dataflow_graph.model import Entry
from dataflow_graph.names import Gazetteer, gazetteer, organisations_text
from dataflow_graph.rdf.mapping import agreement_roles

MEDE = "MedeAnalytics International Limited"


def _block(heading: str) -> list[str]:
    return [
        "Pseudonymised – SUS",
        heading,
        "1. North West Data Services for Commissioners Regional Office (DSCRO) receives a flow of SUS "
        "identifiable data for the CCG from the SUS Repository.",
        "2. Data quality management and pseudonymisation of data is completed by the DSCRO and the "
        "pseudonymised data is then passed securely to Data Processor 1 for the addition of derived fields.",
    ]


def _receivers(heading: str) -> set[str]:
    flows = statement_flows(_block(heading), "NHS Knowsley CCG")
    return {h.target.name for f in flows for h in f.hops}


def test_the_heading_test_is_proven_of_its_pattern():
    from dataflow_graph.extract.mentions import _HEADER, _MARK

    assert _HEADER.groups == (("processor",),)
    assert not _HEADER.unproven
    assert not _MARK.unproven


def test_a_heading_in_capitals_names_the_processor_the_steps_send_to():
    expected = _receivers("Data Processor 1 – MedeAnalytics:")
    assert MEDE in expected
    for heading in (
        "DATA PROCESSOR 1 – MedeAnalytics:",
        "Data PROCESSOR 1 – MedeAnalytics:",
        "data processor 1 – MedeAnalytics:",
    ):
        assert _receivers(heading) == expected, heading


def _cased(text: str, flips: list[bool]) -> str:
    return "".join(c.swapcase() if flip else c for c, flip in zip(text, flips + [False] * len(text), strict=False))


_HEADINGS = [
    "Data Processor 1 – Arden & GEM CSU:",
    "Data Processor 2 - MedeAnalytics",
    "Data Processor 3: Optum",
    "Risk Stratification (Data Processor 2 – eMBED)",
    "Optum (DP2) and PI Ltd (Data Processor 3)",
    "the Data Processor will process the data",
    "Data Proceſſor 1 – Optum",  # "ſ" is an "s" to a pattern that ignores case
]


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(_HEADINGS), st.lists(st.booleans(), max_size=60))
def test_a_lines_facts_hold_every_heading_its_pattern_finds_in_any_case(heading, flips):
    text = _cased(heading, flips)
    names = Gazetteer.from_yaml(organisations_text())  # nothing scanned yet
    facts = line_facts(text, names)
    assert facts == _line_facts(text, names)
    found = tuple((m.group("n"), m.group("name")) for m in DP_HEADER.finditer(text))
    assert (facts[2] if facts else ()) == found


def _headings_read(*headings: str) -> tuple[Entry, list[str]]:
    """A Risk Stratification block of ``headings`` and the organisations they name, as read."""
    names = gazetteer().fresh()
    entry = statement(["Risk Stratification", *headings], "NHS Knowsley CCG")
    return entry, [names.resolve(n).name for n in heading_processors(entry, names)]


def test_the_rdf_names_a_heading_in_capitals_as_the_agreements_processor():
    names = gazetteer().fresh()
    for heading in ("Data Processor 1 – MedeAnalytics", "DATA PROCESSOR 1 – MedeAnalytics"):
        entry = statement(_block(heading), "NHS Knowsley CCG")
        headed = {entry.id: heading_processors(entry, names)}
        roles, named = agreement_roles([entry], [], names.resolve, headed)
        assert MEDE in {o.name for o in named}, heading
        assert {o.id for o in named if o.name == MEDE} <= set(roles.processors), heading


def test_the_rdf_reads_a_heading_as_the_extractor_does_not_as_one_long_name():
    """ "Data Processor 5 – AQuA (via DP1)" names AQuA: no organisation "AQuA (via DP1)" beside it
    (the 2017 register writes such headings; the RDF made each tail an organisation of its own)."""
    names = gazetteer().fresh()
    entry, read = _headings_read(
        "Data Processor 5 – AQuA (via DP1)",
        "Data Processor 6 – Optum (on behalf of South Lincolnshire and South West Lincolnshire)",
        "Invoice Validation (Data Processor 1- North of England CSU)",
    )
    assert len(read) == 3
    assert not [n for n in read if "(" in n or "via" in n]
    register = api.Register(entries=[entry])
    assert register.headed == {entry.id: tuple(heading_processors(entry, names))}  # read with the flows
    roles, named = agreement_roles([entry], [], names.resolve, register.headed)
    processors = [o for o in named if o.id in roles.processors]
    assert sorted(o.name for o in processors) == sorted(read)
    assert {o.reviewed for o in processors} == {True}
    # and so in the exported RDF: the agreement's processors are those three, each one node
    nt = api.export_rdf(register, "nt").decode()
    said = {line.split()[2] for line in nt.splitlines() if "/dpv#hasDataProcessor>" in line}
    assert said == {f"<{api.DEFAULT_BASE}{o.id.replace(':', '/')}>" for o in processors}


def test_the_headings_read_with_the_flows_are_those_read_alone_on_one_core_or_two():
    """The 2017 register: what the extractor reads of the headings while it extracts (on two
    cores), on one core, and alone (:func:`heading_processors`) is the same; no organisation
    it names is an unreviewed one keeping what the heading wrote after the name."""
    from statement_rows import WORKBOOK

    from dataflow_graph.errors import Diagnostics
    from dataflow_graph.extract import extract_all

    register = api.load([WORKBOOK])
    names = register.gazetteer
    on_two: dict[str, tuple[str, ...]] = {}
    on_one: dict[str, tuple[str, ...]] = {}
    extract_all(register.entries, names, Diagnostics(), workers=2, headed=on_two)
    extract_all(register.entries, names, Diagnostics(), workers=1, headed=on_one)
    alone = {e.id: tuple(said) for e in register.entries if (said := heading_processors(e, names.fresh()))}
    assert on_two == on_one == alone
    assert len(alone) > 40  # 47 entries of the register write such headings
    resolved = {names.fresh().resolve(n) for said in alone.values() for n in said}
    assert not [o.name for o in resolved if "(" in o.name and not o.reviewed]  # no "AQuA (via DP1)"


def test_a_heading_naming_the_dscro_names_the_entrys_own_office_in_the_rdf():
    lines = [
        "Pseudonymised – SUS",
        "1. North West Data Services for Commissioners Regional Office (DSCRO) receives a flow of SUS "
        "identifiable data for the CCG from the SUS Repository.",
        "Data Processor 1 – DSCRO",
        "2. The data is passed securely to Data Processor 1.",
    ]
    register = api.Register(entries=[statement(lines, "NHS Knowsley CCG")])
    nt = api.export_rdf(register, "nt").decode()
    said = {line.split()[2] for line in nt.splitlines() if "/dpv#hasDataProcessor>" in line}
    assert said == {f"<{api.DEFAULT_BASE}org/dscro-north-west>"}


def test_a_processor_numbered_ten_or_more_is_read_like_the_others():
    headings = ("Data Processor 9 – MedeAnalytics", "Data Processor 10 – Optum", "Data Processor 11 – PI Limited")
    _entry, read = _headings_read(*headings)
    assert read == [MEDE, "Optum", "PI Limited"]
    flows = statement_flows(
        ["Risk Stratification", *headings, "1. North West DSCRO passes the data to Data Processor 10."],
        "NHS Knowsley CCG",
    )
    assert ("North West DSCRO", "Optum") in {(h.source.name, h.target.name) for f in flows for h in f.hops}
