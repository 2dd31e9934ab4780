"""The extractor's shortcuts give what the plain code gave: whole-section tests read line by
line, a sentence's facts and step number remembered with its line, records copied through
their slots instead of ``dataclasses.replace``."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dataflow_graph._speed import replacer
from dataflow_graph.errors import Span
from dataflow_graph.extract import extractor, optouts, sections
from dataflow_graph.extract.hops import RawHop
from dataflow_graph.extract.sentences import pieces
from dataflow_graph.model import Flow, FlowKind, Hop, Identifiability, OptOut, Organisation, Role, Section
from dataflow_graph.names import Gazetteer, families_in
from dataflow_graph.names.families import _REQUIRED, _families, _fragments

#: line pieces around the spellings the section tests look for, cut anywhere, in any case,
#: with the characters a case-insensitive search matches with ASCII letters
_PIECES = [
    "DSCRO",
    "DSCROs",
    "dscro",
    "Data Services for Commissioners",
    "data services for commission",
    "Regional Office",
    "regional offices",
    "Regional",
    "Office",
    "objection",
    "objector",
    "objective",
    "opt",
    "out",
    "Opt-",
    "OUT",
    "opt out",
    "the",
    "CSU",
    " ",
    "  ",
    ".",
    "s",
    "\n",
    "\u017f",
    "\u212a",
    "\u0130",
]


def _section(text: str) -> Section:
    lines = tuple(Span("p.txt", i + 1, 1, line) for i, line in enumerate(text.split("\n")))
    return Section("Processing", lines[0], lines)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=16), st.booleans())
def test_section_tests_read_by_line_find_what_the_whole_text_search_finds(parts, upper):
    text = "".join(parts)
    section = _section(text.upper() if upper else text)
    assert section.text == (text.upper() if upper else text)
    assert extractor._moves_through_dscro(section) == bool(extractor._DSCRO_NAMED.search(section.text))
    stated = any(sections.facts(p[1]).opt_outs for line in section.text.split("\n") for p in pieces(line))
    assert optouts._hinted(section) >= stated  # a section with a statement is never passed over


@pytest.mark.parametrize(
    ("text", "dscro", "hint"),
    [
        ("sent to the Data Services for Commissioners\nRegional Office in Leeds", True, False),
        ("Data Services for Commissioners\nRegional Offices may receive it", False, False),
        ("the North East DSCRO\nthen", True, False),
        ("patients who opt\nout are removed", False, True),
        ("patients who opt-\nout are removed", False, True),
        ("the objectives\nof the study", False, False),
        ("type 2\nobjections", False, True),
        ("", False, False),
    ],
)
def test_section_tests_across_lines(text, dscro, hint):
    section = _section(text)
    assert extractor._moves_through_dscro(section) is dscro
    assert optouts._hinted(section) is hint
    assert bool(extractor._DSCRO_NAMED.search(text)) is dscro


def test_a_sentences_step_number_and_dp_word_are_remembered_with_its_line():
    line = "3. The data is sent to the CCG's data processor. 4. It is then sent to the CCG. Nothing else."
    _name, _marker, parts = sections._layout(line)
    assert [p[5] for p in parts] == [sections._step_number(p[1]) for p in parts] == [3, 4, None]
    assert [p[4].dp_word for p in parts] == [True, False, False]


_ORG_A = Organisation("org:a", "A", Role.CSU)
_ORG_B = Organisation("org:b", "B", Role.CONTROLLER)
_SPAN = Span("p.txt", 3, 1, "A sends it to B.")


def test_replacer_copies_as_dataclasses_replace_does():
    hop = Hop(_ORG_A, _ORG_B, Identifiability.PSEUDONYMISED, _SPAN, families=("SUS",), source_text="A")
    flow = Flow("", "e1", "R-1", "DARS-1", "Commissioning", FlowKind.TRANSFER, ("SUS",), hop.identifiability, (hop,))
    assert replacer(Flow, "id")(flow, "e1/flow-1") == dataclasses.replace(flow, id="e1/flow-1")
    stated = replacer(Flow, "opt_outs_stated", "opt_outs_evidence", "opt_outs_families")
    assert stated(flow, OptOut.YES, _SPAN, ("SUS",)) == dataclasses.replace(
        flow, opt_outs_stated=OptOut.YES, opt_outs_evidence=_SPAN, opt_outs_families=("SUS",)
    )
    held = replacer(Flow, "segregation")(flow, (_SPAN,))
    assert held == dataclasses.replace(flow, segregation=(_SPAN,))
    assert held is not flow
    assert flow.segregation == ()
    assert hash(held) == hash(dataclasses.replace(flow, segregation=(_SPAN,)))


def test_replacer_refuses_what_it_cannot_copy():
    with pytest.raises(TypeError):
        replacer(Flow, "no_such_field")
    with pytest.raises(TypeError):
        replacer(Flow, "id", "id")
    with pytest.raises(TypeError):
        replacer(RawHop, "sentence", "context")(object(), "only one value")

    @dataclasses.dataclass(frozen=True, slots=True)
    class Checked:
        a: int
        b: int
        c: int

        def __post_init__(self) -> None:
            raise ValueError("checked")

    with pytest.raises(TypeError):
        replacer(Checked, "a")


_FAMILY_PIECES = [
    *sorted({x for f in _families() for x in f.prefilter or ()}),
    "HES-ONS",
    "ONS HES",
    "mortality data (linkable to HES)",
    "Local Flows",
    "SUS",
    "data",
    " ",
    "-",
    "(",
    ")",
    "\u017f",
    "\u212a",
    "\u0130",
]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_FAMILY_PIECES), max_size=10), st.booleans())
def test_families_in_with_its_prefilter_finds_what_every_family_finds(parts, upper):
    text = "".join(parts)
    text = text.upper() if upper else text
    assert families_in(text) == families_in(text, prefilter=False)


def test_a_family_is_tried_only_on_text_holding_the_fragments_every_match_holds():
    required = dict(zip((f.name for f in _families()), _fragments()[3], strict=True))
    assert {name: frags for name, frags in required.items() if frags} == _REQUIRED  # each one proven
    assert required["HES-ONS"] == ("hes",)  # not "ons", in most long sentences ("organisations")
    assert families_in("HES-ONS linked data for the organisations") == {"HES-ONS"}
    assert families_in("data from persons and organisations") == frozenset()
    assert families_in("HE\u017f-ONS data") == families_in("HE\u017f-ONS data", prefilter=False)


_LINE_PIECES = ["", " ", "\t", "\u00a0", "\u2028", "x", "Data", "CSU ", "\r", "\u3000"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.sampled_from(_LINE_PIECES), max_size=4).map("".join), min_size=1, max_size=8))
def test_line_texts_are_the_texts_of_the_line_spans_made_later(page_lines):
    """The extractor's whole-entry scans read a section's line texts without making its
    spans (``_speed.line_texts``): the same texts the spans get, blank lines left out alike."""
    from dataflow_graph._speed import cell_section, line_texts, page_section

    numbers = list(range(1, len(page_lines) + 1))
    heading = Span("p.txt", 1, 1, "Processing")
    for first in (None, Span("p.txt", 1, 12, "after the heading")):
        section = page_section("Processing", heading, first, tuple(page_lines), numbers, 0, len(page_lines))
        texts = line_texts(section)
        assert texts == tuple(s.text for s in section.lines)  # made from the page only now
        assert line_texts(section) == texts  # and read back from the spans made
    cell = "\n".join(page_lines).strip()
    if cell:
        section = cell_section("Processing", "w.xlsx#Sheet", 7, cell)
        texts = line_texts(section)
        assert texts == tuple(s.text for s in section.lines)
        assert line_texts(section) == texts


def test_the_whole_entry_scans_make_no_span_of_a_section_they_do_not_cut():
    """Only the sections cut into blocks (Processing, here; Objectives and Outputs where it
    states no transfer) get their line spans made."""
    from dataflow_graph._speed import page_section
    from dataflow_graph.errors import Diagnostics
    from dataflow_graph.extract import extract
    from dataflow_graph.model import Entry
    from dataflow_graph.names import gazetteer

    page = (
        "1. Data is sent by NHS Digital to North East London CSU.",
        "",
        "The CCG uses it for planning; type 2 objections are applied.",
    )
    heading = Span("p.txt", 1, 1, "")
    processing = page_section("Processing", heading, None, page, [2, 3, 4], 0, 1)
    benefits = page_section("Expected Benefits", heading, None, page, [2, 3, 4], 1, 3)
    entry = Entry("e1", "p.txt", 1, 0, "R-1", "DARS-1", "A title", sections=(processing, benefits))
    extract(entry, gazetteer().fresh(), Diagnostics())
    object.__getattribute__(processing, "_lines")
    with pytest.raises(AttributeError):
        object.__getattribute__(benefits, "_lines")


def _offices() -> list[str]:
    from dataflow_graph.extract.mentions import GENERIC_DSCRO
    from dataflow_graph.names import gazetteer

    return [
        alias
        for org in gazetteer().by_id.values()
        if org.role is Role.CSU or (org.role is Role.DSCRO and org.id != GENERIC_DSCRO)
        for alias in (org.name, *org.aliases)
    ]


#: line pieces: the reviewed offices' names and their words, apostrophes, "&", the characters
#: read past (outside ASCII, in no word) and some that are not (accents, case twins)
_OFFICE_PIECES = sorted(
    {*_offices(), *(w for a in _offices() for w in a.split()), *(f"{a[:-1]}’{a[-1]}" for a in _offices())}
    | {"CSU's", "CSU’s", "C'SU", "CS’U", "Arden & GEM", "A&GEM", "agem", "Management", "support", "Unit"}
    | {" ", "  ", ", ", ". ", "-", "'", "’", "‘", "–", "•", "\u00a0", "(", ")", "&", "and", "the"}
    | {"é", "ß", "\u212a", "\u0130", "\u0131", "\u017f", "ＣＳＵ", "Ｃ"}
)


def _names_an_office(text: str, names: Gazetteer) -> bool:
    from dataflow_graph.extract.mentions import GENERIC_DSCRO

    return any(
        m.organisation.role is Role.CSU or (m.organisation.role is Role.DSCRO and m.organisation.id != GENERIC_DSCRO)
        for m in names.mentions(text)
    )


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(_OFFICE_PIECES), max_size=12), st.sampled_from(["", "upper", "lower"]))
def test_a_line_holding_no_office_word_names_no_office(parts, case):
    """``line_facts`` skips the scan of a line :func:`may_name_office` rules out: the scan would
    have found no CSU and no regional office there (and so the line's facts are the same)."""
    from dataflow_graph.extract.mentions import _line_facts, line_facts, may_name_office
    from dataflow_graph.names import Gazetteer, organisations_text

    text = "".join(parts)
    text = text.upper() if case == "upper" else text.lower() if case == "lower" else text
    names = Gazetteer.from_yaml(organisations_text())  # nothing scanned yet
    if not may_name_office(text, names):
        assert not _names_an_office(text, names), text
    assert line_facts(text, names) == _line_facts(text, names)


def test_every_office_name_is_read_as_one_that_may_be_named():
    from dataflow_graph.extract.mentions import may_name_office, office_words
    from dataflow_graph.names import gazetteer

    names = gazetteer()
    assert office_words(names), "no office word: every line would be scanned"
    for alias in _offices():
        split = f"{alias[:-1]}{{}}{alias[-1]}"  # an apostrophe inside the last word: the same key
        for text in (alias, alias.upper(), f"sent to {alias}’s office", alias.replace(" ", "\u00a0")):
            assert may_name_office(text, names), text
        for text in (split.format("’"), split.format("'")):
            if _names_an_office(text, names):
                assert may_name_office(text, names), text


def test_the_lines_of_the_2017_register_give_the_same_facts_with_the_office_test():
    from dataflow_graph import api
    from dataflow_graph._speed import line_texts
    from dataflow_graph.extract.mentions import _line_facts, line_facts, may_name_office
    from dataflow_graph.names import Gazetteer, organisations_text

    register = api.load([Path(__file__).parent / "data" / "register" / "ReleaseRegister-sep-nov-2017.xlsx"])
    lines = {t for e in register.entries for s in e.sections for t in line_texts(s)}
    names = Gazetteer.from_yaml(organisations_text())
    skipped = [t for t in lines if not may_name_office(t, names)]
    assert len(skipped) > len(lines) // 2  # the test spares most lines a scan
    for text in skipped:
        assert not _names_an_office(text, names), text
    assert all(line_facts(t, names) == _line_facts(t, names) for t in lines)


def _meanings_plainly(text: str, ctx) -> tuple[object, ...]:
    """What ``hops._meanings`` gave before it kept each text's entry-dependent candidates:
    every candidate read, the reviewed aliases other than the generic DSCRO passed over."""
    from dataflow_graph.extract.mentions import ALIAS, GENERIC_DSCRO, HIDDEN, SHAPE, candidates, role_word

    out: list[object] = []
    for _start, _end, _name, kind, what in candidates(text, ctx.names):
        if kind == ALIAS:
            if what.id == GENERIC_DSCRO:
                out.append(ctx.dscro)
        elif kind in (SHAPE, HIDDEN):
            out.append(ctx.names.resolve(what))
        else:
            out.append(role_word(what, ctx))
    return tuple(out)


def test_a_sentences_meanings_in_an_entry_are_those_of_all_its_candidates():
    """The hops memo's key reads only the candidates whose meaning depends on the entry
    (``hops._dependents``): the same meanings as reading every candidate, in every entry
    of the 2017 register, with its own DSCRO and with none."""
    from dataflow_graph import api
    from dataflow_graph._speed import line_texts
    from dataflow_graph.extract.hops import _meanings
    from dataflow_graph.extract.mentions import context
    from dataflow_graph.extract.sentences import pieces
    from dataflow_graph.names import Gazetteer, organisations_text

    register = api.load([Path(__file__).parent / "data" / "register" / "ReleaseRegister-sep-nov-2017.xlsx"])
    names = Gazetteer.from_yaml(organisations_text())
    seen = 0
    for entry in register.entries[::7]:
        ctx = context(entry, names.fresh())
        texts = {p[1] for s in entry.sections if s.name == "Processing" for t in line_texts(s) for p in pieces(t)}
        for dscro in (ctx.dscro, None):
            ctx.dscro = dscro
            for text in sorted(texts):
                assert _meanings(text, ctx) == _meanings_plainly(text, ctx), text
                seen += bool(_meanings(text, ctx))
    assert seen > 100  # role words, shapes and the generic DSCRO were met


def test_first_remembers_each_patterns_own_search():
    """``sentences.first`` keeps a memo per pattern, under its id: a miss (None) is remembered
    as a miss, and a memo left under an id another pattern had is not taken for this one's."""
    import re

    from dataflow_graph._speed import BoundedMemo
    from dataflow_graph.extract import sentences

    p, q = re.compile("a+"), re.compile("b+")
    for text in ("aab", "bba", "", "xyz", "aab"):
        for pattern in (p, q):
            found, plain = sentences.first(pattern, text), pattern.search(text)
            assert (found and found.span()) == (plain and plain.span())
    stale: BoundedMemo[str, re.Match[str] | None] = BoundedMemo()
    stale["ab"] = p.search("ab")
    sentences._FIRST[id(q)] = (p, stale)  # as if q had the id of a pattern freed since
    found = sentences.first(q, "ab")
    assert found is not None
    assert found.group(0) == "b"
