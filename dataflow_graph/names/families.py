"""Dataset families: which reviewed family a dataset name, or a sentence, names.

The patterns are reviewed data (``datasets.yaml``).  Prose is read with each family's
patterns plus its prose-only ones, after a cheap prefilter: a family is tried on a
sentence only if one of its lower-case fragments occurs in it.  The loader proves, from
the parsed patterns, that every match of a prose pattern contains one of its family's
fragments, so the prefilter cannot hide a match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from re import _constants as sre_constants  # type: ignore[attr-defined]
from re import _parser as sre_parser  # type: ignore[attr-defined]
from typing import Any

from .._speed import memoised
from .reviewed import Reviewed, compiled, load_reviewed

__all__ = ["dataset_family", "families_in", "family_labels"]

_FAMILY_KEYS = frozenset({"label", "patterns"})


@dataclass(frozen=True, slots=True)
class _Family:
    name: str
    label: str
    names: re.Pattern[str]  # for a dataset name
    prefilter: tuple[str, ...] | None  # None: always try on prose
    prose: re.Pattern[str]  # for a sentence: the patterns and the prose-only ones


def _joined(patterns: list[str]) -> str:
    return "|".join(f"(?:{p})" for p in patterns)


@memoised(1)
def _families() -> tuple[_Family, ...]:
    """``datasets.yaml``, checked and compiled (once)."""
    reviewed = load_reviewed(__package__, "datasets.yaml")
    data = reviewed.data
    extra = data.get("mentions_only") or {}
    prefilter = data.get("prefilter") or {}
    for section in ("mentions_only", "prefilter"):
        for name, _ in reviewed.items(section):
            if name not in data["families"]:
                raise reviewed.error([section, name], f"{name!r} is not a family of this file")
    out = []
    for name, spec in data["families"].items():
        if unknown := set(spec) - _FAMILY_KEYS:
            raise reviewed.error(["families", name], f"unknown keys {sorted(unknown)}")
        for i, p in enumerate(spec["patterns"]):
            compiled(reviewed, ["families", name, "patterns", i], p, re.IGNORECASE)
        fragments = prefilter.get(name)
        if fragments:
            _check_prefilter(reviewed, name, fragments, spec["patterns"], extra.get(name, ()))
        out.append(
            _Family(
                name,
                spec.get("label", name),
                re.compile(_joined(spec["patterns"]), re.IGNORECASE),
                tuple(fragments) if fragments else None,
                re.compile(_joined([*spec["patterns"], *extra.get(name, ())]), re.IGNORECASE),
            )
        )
    return tuple(out)


def _check_prefilter(
    reviewed: Reviewed, name: str, fragments: list[str], patterns: list[str], extra: list[str]
) -> None:
    """Every match of each prose pattern must hold a fragment, else the prefilter hides it."""
    for keys_of, items in (
        (lambda i: ["families", name, "patterns", i], patterns),
        (lambda i: ["mentions_only", name, i], extra),
    ):
        for i, pattern in enumerate(items):
            keys = keys_of(i)
            compiled(reviewed, keys, pattern, re.IGNORECASE)
            if not _always_holds(sre_parser.parse(pattern, re.IGNORECASE), tuple(fragments)):
                raise reviewed.error(
                    keys,
                    f"pattern {pattern!r} of {name} can match text holding none of its prefilter "
                    f"fragments {fragments}: add a fragment every match contains",
                )


_LIMIT = 256  # the most spellings one stretch of a pattern is expanded to
_REPEATS = {sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT, sre_constants.POSSESSIVE_REPEAT}


def _always_holds(items: Any, fragments: tuple[str, ...]) -> bool:
    """True when every match of the parsed sequence ``items`` contains one of ``fragments``.

    Literals, small character sets, optional parts and alternatives are followed through
    every spelling they allow, keeping of each spelling only the tail a fragment could
    still start in; the sequence proves it when no spelling is left without a fragment.
    Conservative: a shape this cannot follow proves nothing, and the count starts again.
    """
    keep = max(len(f) for f in fragments) - 1
    tails = {""}  # the last ``keep`` characters of each spelling that holds no fragment yet
    for op, arg in items:
        spellings = _spellings(op, arg)
        if spellings is None:
            if _part_holds(op, arg, fragments):
                return True
            tails = {""}
            continue
        grown = set()
        for tail in tails:
            for spelling in spellings:
                text = tail + spelling
                if not any(f in text for f in fragments):
                    grown.add(text[-keep:] if keep else "")
        if not grown:
            return True
        tails = grown if len(grown) <= _LIMIT else {""}
    return False


def _part_holds(op: Any, arg: Any, fragments: tuple[str, ...]) -> bool:
    """A group, an alternative or a required repeat that proves it on its own."""
    if op in (sre_constants.SUBPATTERN, sre_constants.ATOMIC_GROUP):
        return _always_holds(arg[-1], fragments)
    if op is sre_constants.BRANCH:
        return all(_always_holds(b, fragments) for b in arg[1])
    if op in _REPEATS:
        return bool(arg[0] >= 1 and _always_holds(arg[2], fragments))
    return False


def _spellings(op: Any, arg: Any) -> set[str] | None:
    """Every (lower-case) text one parsed item can match, or None when too many or unknown."""
    if op is sre_constants.LITERAL:
        return {chr(arg).lower()}
    if op is sre_constants.AT:
        return {""}
    if op is sre_constants.IN:
        if all(o is sre_constants.LITERAL for o, _ in arg):
            return {chr(a).lower() for _, a in arg}
        return None
    if op in (sre_constants.SUBPATTERN, sre_constants.ATOMIC_GROUP):
        return _sequence_spellings(arg[-1])
    if op is sre_constants.BRANCH:
        out: set[str] = set()
        for branch in arg[1]:
            found = _sequence_spellings(branch)
            if found is None:
                return None
            out |= found
        return out if len(out) <= _LIMIT else None
    if op in _REPEATS and arg[1] <= 2:
        body = _sequence_spellings(arg[2])
        if body is None:
            return None
        out = {""} if arg[0] == 0 else set()
        for n in range(max(1, arg[0]), arg[1] + 1):
            out |= _power(body, n)
        return out if len(out) <= _LIMIT else None
    return None


def _power(body: set[str], n: int) -> set[str]:
    out = {""}
    for _ in range(n):
        out = {a + b for a in out for b in body}
    return out


def _sequence_spellings(items: Any) -> set[str] | None:
    out = {""}
    for op, arg in items:
        found = _spellings(op, arg)
        if found is None or len(out) * len(found) > _LIMIT:
            return None
        out = {a + b for a in out for b in found}
    return out


def family_labels() -> dict[str, str]:
    """Family code -> human label, in the reviewed file's order."""
    return {f.name: f.label for f in _families()}


@memoised(4096)
def dataset_family(name: str) -> str | None:
    """The family of one dataset name, or None when no reviewed family matches.

    >>> [dataset_family(n) for n in ("SUS for Commissioners", "Acute-Local Provider Flows",
    ...  "Mental Health Minimum Data Set", "Children and Young People Health")]
    ['SUS', 'LPF', 'MHMDS', 'CYPHS']
    """
    for family in _families():
        if family.names.search(name):
            return family.name
    return None


@memoised(65536)
def families_in(text: str, *, prefilter: bool = True) -> frozenset[str]:
    """Every family a sentence names (prose may name several), prose-only wordings included.

    >>> sorted(families_in("Mental Health data (MHSDS, MHMDS, MHLDDS) and SUS"))
    ['MHLDDS', 'MHMDS', 'MHSDS', 'SUS']
    >>> sorted(families_in("Commissioning (Pseudonymised) – SUS and Local Flows"))
    ['LPF', 'SUS']
    """
    low = text.lower()
    return frozenset(
        f.name
        for f in _families()
        if (not prefilter or f.prefilter is None or any(x in low for x in f.prefilter)) and f.prose.search(text)
    )
