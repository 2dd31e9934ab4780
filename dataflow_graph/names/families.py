"""Dataset families: which reviewed family a dataset name, or a sentence, names.

The patterns are reviewed data (``datasets.yaml``).  Prose is read with each family's
patterns plus its prose-only ones, after a cheap prefilter: a family is tried on a
sentence only if one of its lower-case fragments occurs in it.  The loader proves, from
the parsed patterns, that every match of a prose pattern contains one of its family's
fragments, so the prefilter cannot hide a match.

A dataset name needs only each family's own patterns: the register reader compiles those
alone; the prose patterns, their proofs and lookaheads are built on the first sentence
(the file is parsed once for both).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import compress

from .._speed import memoised
from .fragments import _CASE_TWINS, always_holds, led, sre_parser
from .reviewed import Reviewed, compiled, load_reviewed

__all__ = ["dataset_family", "families_in", "family_labels"]

_FAMILY_KEYS = frozenset({"label", "patterns"})


@dataclass(frozen=True, slots=True)
class _Family:
    name: str
    prefilter: tuple[str, ...] | None  # None: always try on prose
    prose: re.Pattern[str]  # for a sentence: the patterns and the prose-only ones


@dataclass(frozen=True, slots=True)
class _Names:
    name: str
    label: str
    names: tuple[re.Pattern[str], ...]  # for a dataset name: the family's patterns


def _joined(patterns: list[str]) -> str:
    return "|".join(f"(?:{p})" for p in patterns)


@memoised(1)
def _reviewed() -> Reviewed:
    """``datasets.yaml`` as parsed (once, for the names and the prose alike)."""
    return load_reviewed(__package__, "datasets.yaml")


@memoised(1)
def _names() -> tuple[_Names, ...]:
    """Each family's label and its patterns, each compiled alone (an error names its line).

    All a dataset name needs, and all the register reader loads (a name is short: the
    patterns are tried one by one, not joined and led as for prose).
    """
    return _names_in(_reviewed())


def _names_in(reviewed: Reviewed) -> tuple[_Names, ...]:
    out = []
    for name, spec in reviewed.data["families"].items():
        if unknown := set(spec) - _FAMILY_KEYS:
            raise reviewed.error(["families", name], f"unknown keys {sorted(unknown)}")
        names = tuple(
            compiled(reviewed, ["families", name, "patterns", i], p, re.IGNORECASE)
            for i, p in enumerate(spec["patterns"])
        )
        out.append(_Names(name, spec.get("label", name), names))
    return tuple(out)


@memoised(1)
def _families() -> tuple[_Family, ...]:
    """The prose side of ``datasets.yaml``, checked, proven and compiled (once)."""
    _names()  # the families' keys and patterns checked first
    reviewed = _reviewed()
    data = reviewed.data
    extra = data.get("mentions_only") or {}
    prefilter = data.get("prefilter") or {}
    for section in ("mentions_only", "prefilter"):
        for name, _ in reviewed.items(section):
            if name not in data["families"]:
                raise reviewed.error([section, name], f"{name!r} is not a family of this file")
    out = []
    for name, spec in data["families"].items():
        fragments = prefilter.get(name)
        if fragments:
            _check_prefilter(reviewed, name, fragments, spec["patterns"], extra.get(name, ()))
        out.append(
            _Family(
                name,
                tuple(fragments) if fragments else None,
                led(re.compile(_joined([*spec["patterns"], *extra.get(name, ())]), re.IGNORECASE)),
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
            if not always_holds(sre_parser.parse(pattern, re.IGNORECASE), tuple(fragments)):
                raise reviewed.error(
                    keys,
                    f"pattern {pattern!r} of {name} can match text holding none of its prefilter "
                    f"fragments {fragments}: add a fragment every match contains",
                )


def family_labels() -> dict[str, str]:
    """Family code -> human label, in the reviewed file's order."""
    return {f.name: f.label for f in _names()}


@memoised(4096)
def dataset_family(name: str) -> str | None:
    """The family of one dataset name, or None when no reviewed family matches.

    >>> [dataset_family(n) for n in ("SUS for Commissioners", "Acute-Local Provider Flows",
    ...  "Mental Health Minimum Data Set", "Children and Young People Health")]
    ['SUS', 'LPF', 'MHMDS', 'CYPHS']
    """
    for family in _names():
        if any(p.search(name) for p in family.names):
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
    families = _families()
    if not prefilter or (not text.isascii() and _CASE_TWINS.search(text)):
        # no prefilter, or a text a lower-case fragment proves nothing of: every family is tried
        return frozenset(f.name for f in families if f.prose.search(text))
    low = text.lower()
    fragments, holders, unfiltered, required = _fragments()
    present = set(compress(fragments, map(low.__contains__, fragments)))  # each fragment looked for once
    tried = set(unfiltered)
    for fragment in present:
        tried.update(holders[fragment])
    return frozenset(
        families[i].name for i in sorted(tried) if present.issuperset(required[i]) and families[i].prose.search(text)
    )


#: fragments of a family's prefilter that every match of its prose holds on its own, where
#: another of its fragments is far commoner: "hes" of HES-ONS, whose "ons" stands in most
#: long sentences ("organisations", "persons").  Proven when first used (proving every
#: family's would cost more than it saves).
_REQUIRED = {"HES-ONS": ("hes",)}


@memoised(1)
def _fragments() -> tuple[tuple[str, ...], dict[str, tuple[int, ...]], tuple[int, ...], tuple[tuple[str, ...], ...]]:
    """Every family's prefilter fragments, once each; for each, the families (by position)
    whose prefilter holds it; the families with no prefilter, always tried; and for each
    family the fragments of :data:`_REQUIRED` proven (like the prefilter) to stand in every
    match of its prose, which a sentence must hold all of (a fragment not proven is dropped:
    the family is then tried more often, never less)."""
    families = _families()
    holders: dict[str, list[int]] = {}
    for i, f in enumerate(families):
        for x in f.prefilter or ():
            holders.setdefault(x, []).append(i)
    unfiltered = tuple(i for i, f in enumerate(families) if f.prefilter is None)
    required = []
    for f in families:
        wanted = [x for x in _REQUIRED.get(f.name, ()) if x in (f.prefilter or ())]
        parsed = sre_parser.parse(f.prose.pattern, f.prose.flags) if wanted else None
        required.append(tuple(x for x in wanted if always_holds(parsed, (x,))))
    return tuple(holders), {k: tuple(v) for k, v in holders.items()}, unfiltered, tuple(required)
