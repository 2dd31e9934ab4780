"""Identifiability: the one vocabulary for sentences, "Type of data" fields and categories.

The words are reviewed data (``identifiability.yaml``).  Three readers use them, each
the way its text is written: a sentence states a level anywhere in it
(:func:`identifiability_in`), a register category is a short label
(:func:`category_identifiability`), and a page's "Type of data" value starts with the
level's word (:func:`type_of_data`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .._speed import memoised
from ..model import Identifiability
from .reviewed import Reviewed, compiled, load_reviewed

__all__ = [
    "Vocabulary",
    "category_identifiability",
    "identifiability_in",
    "type_of_data",
    "vocabulary",
]

_LEVEL_KEYS = frozenset({"sentence", "sentence_unless", "category", "type_of_data"})
_CATEGORY_KEYS = frozenset({"exact", "prefixes"})


@dataclass(frozen=True, slots=True)
class _Level:
    level: Identifiability
    words: tuple[str, ...]  # the sentence patterns as reviewed
    sentence: re.Pattern[str]
    sentence_unless: tuple[str, ...]
    exact: frozenset[str]
    prefixes: tuple[str, ...]
    type_prefixes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """``identifiability.yaml`` compiled: the levels in reading order, and the counted words."""

    levels: tuple[_Level, ...]
    pseudonymised_word: re.Pattern[str]  # counted per block, in lower-cased text
    identifiable_word: re.Pattern[str]
    identifiable_any_case: re.Pattern[str]  # the same word, in text of any case

    def words(self, level: Identifiability) -> tuple[str, ...]:
        """The sentence patterns of one level, as reviewed.

        >>> vocabulary().words(Identifiability.IDENTIFIABLE)
        ('\\\\bidentifiable\\\\b', '\\\\bidentified\\\\b', 'nhs number')
        """
        return next((x.words for x in self.levels if x.level is level), ())


@memoised(1)
def vocabulary() -> Vocabulary:
    """The reviewed vocabulary, checked and compiled (once)."""
    reviewed = load_reviewed(__package__, "identifiability.yaml")
    levels = tuple(_level(reviewed, name, spec) for name, spec in reviewed.items("levels"))
    counts = reviewed.data["counts"]
    for name in counts:
        _known(reviewed, ["counts", name], name)
    return Vocabulary(
        levels,
        compiled(reviewed, ["counts", "pseudonymised"], counts["pseudonymised"]),
        compiled(reviewed, ["counts", "identifiable"], counts["identifiable"]),
        compiled(reviewed, ["counts", "identifiable"], counts["identifiable"], re.IGNORECASE),
    )


def _known(reviewed: Reviewed, keys: list[str | int], name: object) -> Identifiability:
    try:
        return Identifiability(name)
    except ValueError as exc:
        known = ", ".join(i.value for i in Identifiability)
        raise reviewed.error(keys, f"unknown identifiability {name!r} (one of: {known})") from exc


def _level(reviewed: Reviewed, name: str | int, spec: dict[str, Any]) -> _Level:
    keys: list[str | int] = ["levels", name]
    level = _known(reviewed, keys, name)
    if unknown := set(spec) - _LEVEL_KEYS:
        raise reviewed.error(keys, f"unknown keys {sorted(unknown)} (allowed: {sorted(_LEVEL_KEYS)})")
    category = spec.get("category") or {}
    if unknown := set(category) - _CATEGORY_KEYS:
        raise reviewed.error([*keys, "category"], f"unknown keys {sorted(unknown)}")
    sentence = tuple(spec.get("sentence") or ())
    return _Level(
        level,
        sentence,
        compiled(reviewed, [*keys, "sentence"], "|".join(sentence)),
        tuple(spec.get("sentence_unless") or ()),
        frozenset(category.get("exact") or ()),
        tuple(category.get("prefixes") or ()),
        tuple(spec.get("type_of_data") or ()),
    )


@memoised(65536)
def identifiability_in(text: str) -> Identifiability | None:
    """The identifiability a sentence states, or None when it states none.

    >>> [getattr(identifiability_in(t), "value", None) for t in ("Identifiable SUS+ Data is obtained",
    ...   "non-identifiable data", "pseudonymised and identifiable data", "aggregated reports")]
    ['identifiable', None, 'pseudonymised', 'aggregate']
    """
    t = text.lower()
    for x in vocabulary().levels:
        if x.sentence.search(t) and not any(w in t for w in x.sentence_unless):
            return x.level
    return None


def category_identifiability(category: str) -> Identifiability | None:
    """The identifiability of a register category, or None when it is not understood.

    >>> [category_identifiability(c).value for c in ("Identifiable", "Anonymised -ICO Code Compliant",
    ...   "Aggregated - anonymised", "Pseudonymised", "De-personalised (ICO compliant)")]
    ['identifiable', 'anonymised', 'aggregate', 'pseudonymised', 'anonymised']
    >>> category_identifiability("Mixed") is None
    True
    """
    key = re.sub(r"\s*-\s*", "-", " ".join(category.lower().split()))
    for x in vocabulary().levels:
        if key in x.exact or key.startswith(x.prefixes):
            return x.level
    return None


def type_of_data(value: str) -> str | None:
    """A page's "Type of data": a level's value, None when empty, else the raw text.

    >>> [type_of_data(v) for v in ("Identifiable", "", "Aggregated - anonymised", "n/a x")]
    ['identifiable', None, 'aggregate', 'n/a x']
    """
    v = value.strip()
    if not v:
        return None
    low = v.lower()
    for x in vocabulary().levels:
        if low.startswith(x.type_prefixes):
            return x.level.value
    return v
