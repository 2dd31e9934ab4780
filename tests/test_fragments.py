"""Prefilters: the fragments guarding the extractor's patterns are proven, and guarded
searches, the gazetteer's word cutting and its scan give what the plain ones gave."""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dataflow_graph.extract
import dataflow_graph.names
from dataflow_graph.extract import rules as rules_module
from dataflow_graph.extract.mentions import ROLE, candidates
from dataflow_graph.extract.rules import compile_rules, rules
from dataflow_graph.extract.sentences import pieces
from dataflow_graph.names import gazetteer, load_reviewed, load_yaml
from dataflow_graph.names.fragments import Guarded, guarded, led
from dataflow_graph.names.text import _norm_word, word_keys, words

ROOT = Path(__file__).resolve().parent.parent
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
        if guard.within is not None:
            if not guard.possible(text):
                assert not any(m.group(guard.within) for m in guard.pattern.finditer(text)), name
            continue
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
@given(st.text(alphabet=st.sampled_from(list("aZ s'’&.-_0 \tßſKİıé\u0301½ﬁ²日•–—‘“”\u00a0…")), max_size=24))
def test_words_cut_as_one_by_one(text):
    assert words(text) == _words_one_by_one(text)
    keys, starts, ends = word_keys(text)
    assert list(zip(starts, ends, keys, strict=True)) == _words_one_by_one(text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("aZ s'’&.-_0\t•–—‘“”\u00a0…£\u2028·\u2002−●\u202f≥±")), max_size=24))
def test_words_of_text_read_as_ascii_cut_as_one_by_one(text):
    """Text with only the apostrophe ’ and common punctuation outside ASCII takes the ASCII path."""
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


def _sentences() -> list[str]:
    """Real register sentences (the labelled cases and the seed page's lines)."""
    cases = load_yaml((ROOT / "tests" / "data" / "sentences.yaml").read_text(encoding="utf-8"))
    seed = next((ROOT / "seeds").glob("*.txt")).read_text(encoding="utf-8").splitlines()
    context = [c.get("context") or [] for c in cases]
    lines = [line for c in context for line in ([c] if isinstance(c, str) else c)]
    return [c["sentence"] for c in cases] + lines + seed


def _unled_rules(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(rules_module, "led", lambda pattern: pattern)
    return compile_rules(load_reviewed("dataflow_graph.extract", "rules.yaml"))


def test_led_rules_find_what_the_rules_find(monkeypatch):
    plain = _unled_rules(monkeypatch)
    led_rules = rules()
    texts = _sentences()
    assert len(texts) > 300
    compared = 0
    for f in dataclasses.fields(led_rules):
        fast, slow = getattr(led_rules, f.name), getattr(plain, f.name)
        if not isinstance(slow, re.Pattern):
            continue
        assert fast.flags == slow.flags
        assert fast.groupindex == slow.groupindex
        compared += fast is not slow and fast.pattern != slow.pattern
        for text in texts:
            assert [m.span() for m in fast.finditer(text)] == [m.span() for m in slow.finditer(text)], f.name
            for at in (0, len(text) // 2):
                a, b = fast.match(text, at), slow.match(text, at)
                assert (a and a.groupdict()) == (b and b.groupdict()), f.name
    assert compared > 20  # the rules re is slow to fail are led


@settings(max_examples=200, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from([*"aAdDtTsSkKiIgGpPcC .;:,()-–’'\n\t0129", "\u017f", "\u212a", "\u0130"]), max_size=30
    )
)
def test_a_led_pattern_matches_where_the_pattern_matches(text):
    for pattern in (
        re.compile(r"(?i)\b(?:the\s+)?(?:CCG|DSCRO)s?\b|\bGP\s+practices?"),
        re.compile(r"(?<![\s(]\d)(?<=[A-Za-z0-9)’'])[.;]\s+(?=[A-Z(])|\s+(?=\(?\d{1,2}[.)]\s+[A-Z])"),
        re.compile(r"(?i)k[a-c]?|[^x]y"),  # a negated set leads nothing
        re.compile(r"(?:s|ı)*t|\d"),
    ):
        lead = led(pattern)
        assert [m.span() for m in lead.finditer(text)] == [m.span() for m in pattern.finditer(text)]


def test_a_guard_within_a_group_speaks_only_of_that_group():
    role_words = rules().role_words
    dp = Guarded(role_words, [["processor", "dp"]], within="dp")
    assert dp.groups
    assert not Guarded(role_words, [["processor"]], within="dp").groups  # "DP1" holds no "processor"
    assert not Guarded(role_words, [["csu"]], within="ccg").groups
    with pytest.raises(TypeError):
        dp.search("the CCG's data processor")
    names = gazetteer().fresh()
    for text in _sentences():
        said = any(c[3] == ROLE and c[4] == ("dp", None) for c in candidates(text, names))
        assert dp.possible(text) or not said, text


def test_the_sentences_of_a_line_take_its_mentions_where_no_word_or_name_is_cut():
    g = gazetteer().fresh()
    texts = [line for line in _sentences() if len(line) > 3]
    seeded = 0
    for line in texts:
        parts = [(col - 1, text) for col, text, _, _ in pieces(line)]
        parts += [(0, line[: len(line) // 3]), (len(line) // 2, line[len(line) // 2 : -1])]
        g._cache.clear()
        g.remember_parts(line, parts)
        kept = {text: g._cache.get(text) for _, text in parts if text != line}
        g._cache.clear()
        for text, mentions in kept.items():
            if mentions is not None:
                seeded += 1
                assert mentions == tuple(g._scan(text)), (line, text)
    assert seeded > len(texts) // 2
    line = "Data is sent to North East London CSU, then to NHS Digital."
    g._cache.clear()
    g.remember_parts(line, [(0, "Data is sent to North East"), (0, "Data is se"), (0, "then to NHS Digital")])
    assert "Data is sent to North East" not in g._cache  # cuts a name
    assert "Data is se" not in g._cache  # cuts a word
    assert [m.organisation.id for m in g._cache["then to NHS Digital"]] == ["org:nhs-digital"]
