"""Landing points: which hop a landing sentence makes landing only, and the sentence cited for it."""

from __future__ import annotations

import pytest
from statement_rows import statement, statement_flows

from dataflow_graph.model import Dataset, FlowKind, Hop

PATH = "landing.txt"
CSU = "North East London Commissioning Support Unit"
CHAIN = [
    "Commissioning",
    "1. Pseudonymised SUS data is obtained from the SUS Repository by the Data Services for Commissioners "
    "Regional Office (DSCRO).",
    f"2. The DSCRO then securely transfers the pseudonymised data to {CSU}.",
    f"3. {CSU} then transfers the data to NHS Thurrock CCG.",
]


def _hops(processing: list[str], datasets: tuple[Dataset, ...] = ()) -> list[Hop]:
    flows = statement_flows(processing, "NHS Thurrock CCG", name=PATH, variant="newer", datasets=datasets)
    return [h for f in flows if f.kind is FlowKind.TRANSFER for h in f.hops]


@pytest.mark.parametrize(
    "said",
    [
        f"4. {CSU} lands the data only on behalf of NHS Thurrock CCG.",
        f"4. {CSU} lands the data only; analysis is done by NHS Thurrock CCG.",
        f"4. NHS Thurrock CCG does not hold the data: {CSU} lands the data only.",
    ],
)
def test_landing_sentence_marks_the_hop_into_the_organisation_that_lands(said):
    """The CSU lands the data, not the CCG the sentence also names (the latest hop reaches the
    CCG: it was marked, and the finding at the CCG cited this sentence as saying the CCG was
    only a landing point)."""
    hops = _hops([*CHAIN, said])
    landing = [h for h in hops if h.landing_only]
    assert [(h.source.role.value, h.target.name) for h in landing] == [
        ("dscro", "NHS North and East London Commissioning Support Unit")
    ]
    assert landing[0].landing_evidence is not None
    assert (landing[0].landing_evidence.line, landing[0].landing_evidence.text) == (6, said)
    assert landing[0].evidence.line == 4  # the hop itself is cited where it is stated


def test_landing_stated_in_the_hop_itself_cites_the_hop():
    hops = _hops(
        [
            "Commissioning",
            "1. Pseudonymised SUS data is obtained from the SUS Repository by the Data Services for "
            "Commissioners Regional Office (DSCRO).",
            f"2. The DSCRO transfers the pseudonymised data to NHS Thurrock CCG via {CSU} as a landing point only.",
        ]
    )
    landing = [h for h in hops if h.landing_only]
    assert landing
    for h in landing:
        assert h.landing_evidence == h.evidence
    assert all(h.landing_evidence is None for h in hops if not h.landing_only)


def _landing_points(processing: list[str]) -> list[tuple[str, str, int | None]]:
    """Each landing hop: its sender's role, its receiver's name and the line cited for it."""
    return [
        (h.source.role.value, h.target.name, h.landing_evidence.line if h.landing_evidence else None)
        for h in _hops(processing)
        if h.landing_only
    ]


def test_a_sender_that_lands_the_data_and_passes_it_on_is_the_landing_point():
    """ "X lands the data only and passes it to Y": X is the landing point (the hop into X),
    not Y (the hop X -> Y was marked, and a finding at Y would say Y only lands the data)."""
    said = f"3. {CSU} lands the data only and then passes it to NHS Thurrock CCG."
    assert _landing_points([*CHAIN[:3], said]) == [("dscro", "NHS North and East London Commissioning Support Unit", 5)]


def test_of_a_chain_only_the_organisation_the_cue_follows_lands():
    """The receiver named before the cue lands, not the office the data went through."""
    said = (
        "2. The DSCRO transfers the pseudonymised data via NHS Arden and Greater East Midlands "
        f"Commissioning Support Unit to {CSU}, which lands the data only."
    )
    assert _landing_points([*CHAIN[:2], said]) == [("csu", "NHS North and East London Commissioning Support Unit", 4)]


def test_a_hop_stated_once_per_dataset_is_landing_only_for_each():
    """The DSCRO sends the CSU two datasets in two sentences; "The CSU lands the data only"
    makes both hops landing only (it marked the later one alone: the SUS copy's finding
    lost its landing point)."""
    hops = _hops(
        [
            *CHAIN[:2],
            f"2. The DSCRO then securely transfers the pseudonymised SUS data to {CSU}.",
            f"3. The DSCRO then securely transfers the pseudonymised Local Provider data to {CSU}.",
            f"4. {CSU} then transfers the data to NHS Thurrock CCG.",
            "5. The CSU lands the data only.",
        ]
    )
    into = [h for h in hops if h.target.name == "NHS North and East London Commissioning Support Unit"]
    assert {h.evidence.line for h in into} == {4, 5}
    assert all(h.landing_only and h.landing_evidence and h.landing_evidence.line == 7 for h in into)
    assert not any(h.landing_only for h in hops if h not in into)


def test_rdf_a_landing_hop_cites_its_landing_sentence_and_a_list_heads_hop_its_items():
    """In the RDF as in the JSON: ``dfg:landingEvidence`` (a ``dfg:evidence``) is the sentence
    saying the recipient only lands the data, on landing hops only; a hop stated by a list head
    has the items naming what it carries as its ``dfg:itemEvidence``."""
    from rdflib import Graph

    from dataflow_graph import api
    from dataflow_graph.errors import Diagnostics

    entry = statement(
        [
            *CHAIN[:2],
            f"2. The DSCRO then securely transfers the following to {CSU}:",
            "a. The SUS data Identifiable at the level of NHS number",
            "b. The Local Provider data Identifiable at the level of NHS number",
            "3. The CSU lands the data only.",
            f"4. {CSU} then transfers the data to NHS Thurrock CCG.",
        ],
        "NHS Thurrock CCG",
        name=PATH,
        variant="newer",
    )
    register = api.Register([entry], [], [], Diagnostics(), [PATH])
    g = Graph().parse(data=api.export_rdf(register, "nt"), format="nt")
    q = """PREFIX dfg: <https://w3id.org/dataflow-graph/ns#> PREFIX prov: <http://www.w3.org/ns/prov#>
    SELECT ?to ?landing ?said ?line WHERE {
      ?h a dfg:Hop ; dfg:to ?to ; dfg:landingOnly ?landing ; (dfg:evidence|dfg:itemEvidence)/dfg:line ?line .
      OPTIONAL { ?h dfg:landingEvidence/prov:value ?said }
    }"""
    rows = {
        (str(to), landing.toPython(), str(said) if said else None, int(line)) for to, landing, said, line in g.query(q)
    }
    landing = {r for r in rows if r[1]}
    assert {(r[0], r[2]) for r in landing} == {
        ("https://w3id.org/dataflow-graph/id/org/csu-north-and-east-london", "3. The CSU lands the data only.")
    }
    assert {r[3] for r in landing} == {4, 5, 6}  # the head and its two items
    assert all(r[2] is None for r in rows if not r[1])


@pytest.mark.parametrize(
    "said",
    [
        f"2. The DSCRO then securely transfers the pseudonymised data for landing only to {CSU}.",
        f"2. The DSCRO then securely transfers the SUS data via {CSU} to NHS Thurrock CCG, "
        "the CSU acting as a landing point only.",
    ],
)
def test_the_landing_point_of_a_transfer_is_where_its_cue_points(said):
    """ "for landing only to the CSU": the CSU, not the DSCRO named before the cue (the hop into
    the DSCRO was marked); "via the CSU to the CCG, the CSU acting as a landing point only": the
    CSU, named again after the CCG (the CCG was called a landing point)."""
    assert _landing_points([*CHAIN[:2], said]) == [("dscro", "NHS North and East London Commissioning Support Unit", 4)]


def test_a_sender_named_again_after_its_receiver_as_the_landing_point_is_one():
    said = f"3. {CSU} then passes the data to NHS Thurrock CCG, as the CSU is a landing point only."
    assert _landing_points([*CHAIN[:3], said]) == [("dscro", "NHS North and East London Commissioning Support Unit", 5)]


def test_a_landing_sentence_naming_a_dataset_marks_the_hop_carrying_it():
    """ "The CSU acts as a landing point only for the Local Provider data": not the SUS hop into
    the same CSU, stated apart (where the SUS data is linked and analysed)."""
    hops = _hops(
        [
            "Commissioning",
            "1. SUS data is obtained from the SUS Repository by the Data Services for Commissioners Regional "
            "Office (DSCRO).",
            "2. Local Provider data is obtained from providers by the DSCRO.",
            f"3. The DSCRO then securely transfers the pseudonymised SUS data to {CSU}, where it is linked.",
            f"4. The DSCRO then securely transfers the pseudonymised Local Provider data to {CSU}.",
            "5. The CSU acts as a landing point only for the Local Provider data.",
            f"6. {CSU} then transfers the data to NHS Thurrock CCG.",
        ],
        (Dataset("Secondary Uses Service (SUS)", "SUS"), Dataset("Local Provider Flows", "LPF")),
    )
    into = {h.evidence.line: h.landing_only for h in hops if h.target.name.startswith("NHS North and East")}
    assert into == {5: False, 6: True}


def _items(processing: list[str]) -> list[tuple[str, list[int]]]:
    """Each hop stated by a list head: its receiver and the lines of its items."""
    return [(h.target.name, [i.line for i in h.items]) for h in _hops(processing) if h.items]


def test_numbered_steps_after_a_bulleted_list_are_no_items_of_it():
    assert _items(
        [
            *CHAIN[:2],
            "The DSCRO then securely transfers the following to NHS Thurrock CCG:",
            "• The SUS data Identifiable at the level of NHS number",
            "1. The CCG CEfF checks each invoice against the SUS data.",
        ]
    ) == [("NHS Thurrock CCG", [5])]


def test_items_stay_with_their_own_list_head_when_the_same_hop_is_stated_twice():
    """The same hop stated before (pseudonymised SUS) and then by a list head (identifiable SUS):
    the list's item is cited with the head, never under the other sentence."""
    hops = _hops(
        [
            *CHAIN[:2],
            "2. The DSCRO then securely transfers the pseudonymised SUS data to NHS Thurrock CCG.",
            "3. The DSCRO then securely transfers the following to NHS Thurrock CCG:",
            "a. The SUS data Identifiable at the level of NHS number",
        ]
    )
    for h in hops:
        assert not h.items or h.evidence.line == 5, (h.evidence.line, [i.line for i in h.items])


_NEL = "NHS North and East London Commissioning Support Unit"
_AGEM = "NHS Arden and Greater East Midlands Commissioning Support Unit"


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        # the sender named after the receiver, as a side of the hop: not what lands
        (f"2. The SUS data is then securely transferred to {CSU} by the DSCRO for landing only.", ("dscro", _NEL)),
        (f"2. {CSU} receives the SUS data from the DSCRO for landing only.", ("dscro", _NEL)),
        # a name on no hop just before the cue: the one on a hop before it
        (
            f"2. The DSCRO then securely transfers the SUS data via {_AGEM} to {CSU} on behalf of "
            "NHS Thurrock CCG for landing only.",
            ("csu", _NEL),
        ),
    ],
)
def test_the_landing_point_is_on_a_hop_and_no_mere_side_of_one(said, expected):
    assert [p[:2] for p in _landing_points([*CHAIN[:2], said])] == [expected]


def test_of_two_receivers_only_the_one_the_cue_names_lands():
    """ "to the CSU and the CCG, the CSU acting as a landing point only": the CCG's hop is not
    landing only (the finding at the CCG said the CCG was only a landing point)."""
    said = (
        f"2. The DSCRO then securely transfers the SUS data to {CSU} and NHS Thurrock CCG, "
        "the CSU acting as a landing point only."
    )
    assert [p[:2] for p in _landing_points([*CHAIN[:2], said])] == [("dscro", _NEL)]


_TWO = (Dataset("Secondary Uses Service (SUS)", "SUS"), Dataset("Local Provider Flows", "LPF"))
_OBTAINED = [
    "Commissioning",
    "1. SUS data is obtained from the SUS Repository by the Data Services for Commissioners Regional Office (DSCRO).",
    "2. Local Provider data is obtained from providers by the DSCRO.",
]


def test_a_dataset_named_beside_the_cue_but_not_by_it_marks_every_hop_stated_for_the_csu():
    hops = _hops(
        [
            *_OBTAINED,
            f"3. The DSCRO then securely transfers the pseudonymised SUS data to {CSU}.",
            f"4. The DSCRO then securely transfers the pseudonymised Local Provider data to {CSU}.",
            "5. The CSU lands the data only and does not link the SUS data with any other data.",
        ],
        _TWO,
    )
    assert {h.evidence.line: h.landing_only for h in hops if h.target.name == _NEL} == {5: True, 6: True}


def test_a_dataset_named_by_the_cue_marks_the_hop_carrying_it_whoever_sends_it():
    hops = _hops(
        [
            *_OBTAINED,
            f"3. The DSCRO then securely transfers the pseudonymised SUS data to {CSU}.",
            f"4. {_AGEM} then securely transfers the pseudonymised Local Provider data to {CSU}.",
            f"5. {CSU} acts as a landing point only for the SUS data.",
        ],
        _TWO,
    )
    assert {(h.source.role.value, h.evidence.line): h.landing_only for h in hops if h.target.name == _NEL} == {
        ("dscro", 5): True,
        ("csu", 6): False,
    }


def test_numbered_items_nested_under_a_bullet_stay_in_its_list():
    assert _items(
        [
            *CHAIN[:2],
            "The DSCRO then securely transfers the following to NHS Thurrock CCG:",
            "• Local Provider data Identifiable at the level of NHS number:",
            "1. Acute",
            "2. Community",
            "• The SUS data Identifiable at the level of NHS number",
        ]
    ) == [("NHS Thurrock CCG", [5, 8])]


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        (
            [
                "1) The SUS data Identifiable at the level of NHS number",
                "2) The Local Provider data Identifiable at the level of NHS number",
                "1. The CCG CEfF checks each invoice against the SUS data.",
            ],
            [5, 6],
        ),
        (
            [
                "1) The Local Provider data Identifiable at the level of NHS number:",
                "1. Acute",
                "2) The SUS data Identifiable at the level of NHS number",
            ],
            [5, 7],
        ),
    ],
)
def test_numbered_steps_after_numbered_items_marked_otherwise_are_no_items(items, expected):
    """ "1)" and "2)" items, then "1. The CCG CEfF checks …": the step is not what the hop carries;
    "1." items under a "1) …:" item are."""
    head = "The DSCRO then securely transfers the following to NHS Thurrock CCG:"
    assert _items([*CHAIN[:2], head, *items]) == [("NHS Thurrock CCG", expected)]
