"""The extractor's prefilters hide nothing their patterns find (a review of every shortcut).

- ``families_in``: in a text holding a letter a case-insensitive pattern reads as an ASCII
  one ("ſ" as "s", "ı" and "İ" as "i", the Kelvin sign as "k"), lower-case fragments prove
  nothing: every family is tried ("SUſ data" is SUS data to its pattern).
- Opt-out statements: a sentence's test and a section's first test are the words every
  match of both ``opt_outs`` patterns is proven to hold.  The old tests looked for
  "object"/"opt" and "objection|objector|opt\\W?out": "remove records for all patients who
  have registered type 2 dissent" holds neither, and "opt- outs" is no "opt\\W?out".
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from statement_rows import statement_flows

from dataflow_graph.extract import sections
from dataflow_graph.extract.optouts import _hint_in_line
from dataflow_graph.extract.sections import facts, may_state_opt_outs
from dataflow_graph.extract.sentences import pieces
from dataflow_graph.model import OptOut
from dataflow_graph.names import families_in
from dataflow_graph.names.families import family_labels

_TWINS = {"s": "\u017f", "i": "\u0131", "I": "\u0130", "k": "\u212a", "K": "\u212a"}


def _twinned(text: str, which: str) -> str:
    return "".join(_TWINS[c] if c in _TWINS and c in which else c for c in text)


def test_a_family_named_with_a_case_twin_is_found_as_every_family_is():
    names = [*family_labels(), *family_labels().values()]
    for name in names:
        for which in ("s", "iI", "kK", "siIkK"):
            text = f"identifiable {_twinned(name, which)} data"
            assert families_in(text) == families_in(text, prefilter=False), text
    assert families_in("identifiable SU\u017f data") == {"SUS"}


def test_the_opt_out_guards_are_proven_of_both_patterns():
    assert sections._APPLIED.groups
    assert not sections._APPLIED.unproven
    assert sections._NOT_APPLIED.groups
    assert not sections._NOT_APPLIED.unproven
    assert not may_state_opt_outs("the objectives of the study")  # "objective" is no objection


_BASE = [
    "Commissioning",
    "1. North West DSCRO receives a flow of identifiable SUS data for the CCG.",
    "2. The DSCRO pseudonymises the data and passes it securely to NHS Knowsley CCG.",
]


def test_an_opt_out_statement_without_the_old_words_is_read():
    for line in (
        "3. North West DSCRO will remove records for all patients who have registered type 2 dissent.",
        "3. Patient opt- outs remain respected.",
        "3. Patient opt-\u00a0outs remain respected.",
    ):
        flows = statement_flows([*_BASE, line], "NHS Knowsley CCG")
        assert flows, line
        assert {f.opt_outs_stated for f in flows} == {OptOut.YES}, line


_OPT_OUT_PIECES = [
    "remove records for all patients who have registered type 2 ",
    "no need to remove records for type 2 objectors",
    "including type 2 objectors",
    "opt- outs remain respected",
    "opt-outs are upheld",
    "Type 2 objections will be applied",
    "dissent",
    "objections",
    "OPT",
    " outs",
    ". ",
    "; ",
    "1. ",
    "\u00a0",
    " ",
]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_OPT_OUT_PIECES), min_size=1, max_size=8).map("".join))
def test_a_line_holding_an_opt_out_statement_is_never_passed_over(line):
    stated = any(facts(text).opt_outs is not None for _col, text, _ends, _item in pieces(line))
    if stated:
        assert _hint_in_line(line), line
        assert may_state_opt_outs(line.lower()), line
