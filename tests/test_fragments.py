"""Prefilters: the fragments guarding the extractor's patterns are proven, and guarded
searches, the gazetteer's word cutting and its scan give what the plain ones gave."""

from __future__ import annotations

import importlib
import pkgutil
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dataflow_graph.extract
import dataflow_graph.names
from dataflow_graph.extract.rules import rules
from dataflow_graph.names import gazetteer
from dataflow_graph.names.fragments import Guarded, guarded
from dataflow_graph.names.text import _norm_word, word_keys, words

_TOKEN = re.compile(r"\w+(?:['’]\w+)*|&")


def _guards() -> list[tuple[str, Guarded]]:
    out = []
    for pkg in (dataflow_graph.extract, dataflow_graph.names):
        for info in pkgutil.iter_modules(pkg.__path__):
            module = importlib.import_module(f"{pkg.__name__}.{info.name}")
            out += [(f"{info.name}.{k}", v) for k, v in vars(module).items() if isinstance(v, Guarded)]
    return out


GUARDS = _guards()
#: text built from the guards' own fragments and the words around them, in mixed case and
#: with the characters a case-insensitive search matches with ASCII letters
_PIECES = sorted(
    {f for _, g in GUARDS for group in g.groups for f in group}
    | {"the", "data", "is", "to", "from", "CSU", "NHS", "not", "be", "sent", "ed", "s", " ", ", ", ". ", "-"}
    | {"\u017f", "\u212a", "\u0130", "\u0131", "’", "é"}
)


def test_every_guard_of_the_shipped_rules_is_proven():
    assert GUARDS, "no guarded pattern found"
    for name, guard in GUARDS:
        assert guard.groups, name
        assert not guard.unproven, f"{name}: fragments {guard.unproven} not proven"


@pytest.mark.parametrize(
    ("pattern", "fragments"),
    [
        (rules().verb, ["push", "pass"]),  # other verbs hold neither
        (rules().negation, ["not", "never", "no ", "without"]),  # "won't"
        (re.compile(r"(?i)o(?:bjection|pt)"), ["object"]),
        (re.compile(r"ab(?i:cd)"), ["cd"]),  # "aBCd" matches: case-insensitive inside
        (re.compile(r"(?i)\bkeys?\b"), ["Key"]),  # a case-insensitive pattern's fragments are lower case
        (re.compile(r"\w+ing"), ["ing", ""]),  # no empty fragment
    ],
)
def test_a_fragment_a_match_can_lack_is_not_proven(pattern, fragments):
    guard = guarded(pattern, fragments)
    assert guard.unproven
    assert not guard.groups
    assert guard.possible("nothing of it")


def test_case_twins_are_searched_in_full():
    guard = guarded(re.compile(r"(?i)\bDSCRO\b"), ["dscro"])
    assert guard.groups
    for text in ("the D\u017fCRO", "\u212aDSCRO DSCRO", "d\u0130scro"):
        assert (guard.search(text) is None) == (guard.pattern.search(text) is None)
    assert guard.search("the D\u017fCRO") is not None


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=14), st.booleans())
def test_a_guarded_search_finds_what_the_pattern_finds(parts, upper):
    text = "".join(parts)
    text = text.upper() if upper else text
    for name, guard in GUARDS:
        plain = guard.pattern.search(text)
        found = guard.search(text)
        assert (found and found.span()) == (plain and plain.span()), name
        assert [m.span() for m in guard.finditer(text)] == [m.span() for m in guard.pattern.finditer(text)], name


def _words_one_by_one(text: str) -> list[tuple[int, int, str]]:
    """What :func:`words` gave before it was cut at C speed: token by token through normalise."""
    out = []
    for m in _TOKEN.finditer(text):
        if m.group(0) == "&":
            out.append((m.start(), m.end(), "and"))
            continue
        out += [(m.start(), m.end(), part) for part in _norm_word(m.group(0))]
    return out


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("aZ s'’&.-_0 \tßſKİıé\u0301½ﬁ²日•–")), max_size=24))
def test_words_cut_as_one_by_one(text):
    assert words(text) == _words_one_by_one(text)
    keys, starts, ends = word_keys(text)
    assert list(zip(starts, ends, keys, strict=True)) == _words_one_by_one(text)


def test_gazetteer_scan_finds_the_longest_alias_from_each_word():
    g = gazetteer().fresh()
    text = "Data flows from NHS Digital to the North East London CSU's DSCRO, then to M&L CSU and NEL."
    found = [(m.start, m.end, m.organisation.id) for m in g.mentions(text)]
    tokens = _words_one_by_one(text)
    # the reference walk: from each word, the longest alias of the trie, then on past it
    expected = []
    i = 0
    while i < len(tokens):
        node, best, j = g._trie.get(tokens[i][2]), None, i
        while isinstance(node, dict):
            if isinstance(node.get(""), str):
                best = (j, node[""])
            j += 1
            node = node.get(tokens[j][2]) if j < len(tokens) else None
        if best is None:
            i += 1
            continue
        expected.append((tokens[i][0], tokens[best[0]][1], g.by_id[g._by_key[best[1]]].id))
        i = best[0] + 1
    assert found == expected
    assert len(found) >= 3
