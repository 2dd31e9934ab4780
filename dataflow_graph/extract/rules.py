"""The sentence grammar, compiled: ``rules.yaml`` checked at load and turned into regexes.

The extractor's modules read their patterns from :func:`rules` (compiled once), so a
reader of ``extract/`` sees what the engine does, and a reviewer of ``rules.yaml`` sees
what it looks for.  A broken rules file fails at first use with ``path:line``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from typing import Any

from .._speed import memoised
from ..names import Reviewed, compiled, load_reviewed
from ..names.fragments import led

__all__ = ["Rules", "Sides", "compile_rules", "rules"]


@dataclass(frozen=True, slots=True)
class Sides:
    """Which side of a hop each preposition marks (``rules.yaml``, hops.sides)."""

    sender: frozenset[str]
    receiver: frozenset[str]
    receiver_of_unit: frozenset[str]
    via: frozenset[str]
    agent: frozenset[str]
    container: frozenset[str]
    onward: frozenset[str]


@dataclass(frozen=True, slots=True)
class Rules:
    """Every rule of ``rules.yaml``, compiled; the field names are the rule names."""

    # sentences
    item_start: re.Pattern[str]
    split: re.Pattern[str]
    split_hint: re.Pattern[str]
    # sections
    purpose_hint: re.Pattern[str]
    continuation: re.Pattern[str]
    heading_end: re.Pattern[str]
    heading_pseudonymised: tuple[str, ...]
    heading_identifiable: tuple[str, ...]
    held_separately: re.Pattern[str]
    not_held_apart: re.Pattern[str]
    period_marker: re.Pattern[str]
    long_heading: re.Pattern[str]
    purpose_named: re.Pattern[str]
    step_number: re.Pattern[str]
    # mentions
    name_shape: re.Pattern[str]
    leading_words: re.Pattern[str]
    generic_name: re.Pattern[str]
    title_controller: re.Pattern[str]
    role_words: re.Pattern[str]
    dp_header: re.Pattern[str]
    dp_part: re.Pattern[str]
    dp_inline: re.Pattern[str]
    apposition: re.Pattern[str]
    possessive_marks: tuple[str, ...]
    owner: re.Pattern[str]
    owned_place: re.Pattern[str]
    dscro_named: re.Pattern[str]
    # hops
    verb: re.Pattern[str]
    negation: re.Pattern[str]
    cut: re.Pattern[str]
    soft_cut: re.Pattern[str]
    receiving_preposition: re.Pattern[str]
    passive: re.Pattern[str]
    landing: re.Pattern[str]
    landing_verb: re.Pattern[str]
    landing_scope: re.Pattern[str]
    preposition: re.Pattern[str]
    sides: Sides
    not_transfer_to: re.Pattern[str]
    gap_break: re.Pattern[str]
    apposition_before: re.Pattern[str]
    until: re.Pattern[str]
    access: re.Pattern[str]
    access_users: re.Pattern[str]
    access_verb: re.Pattern[str]
    changed_there: re.Pattern[str]
    released: re.Pattern[str]
    named_receiver: re.Pattern[str]
    applicant_named: re.Pattern[str]
    direct_object: re.Pattern[str]
    with_after: re.Pattern[str]
    past_copy: re.Pattern[str]
    coordinated: re.Pattern[str]
    data_list: re.Pattern[str]
    linkage_phrase: re.Pattern[str]
    transfer_service: re.Pattern[str]
    # special
    linkage: re.Pattern[str]
    linkage_list: re.Pattern[str]
    reidentification: re.Pattern[str]
    hosts: re.Pattern[str]
    hosted_by: re.Pattern[str]
    hosted_thing: re.Pattern[str]
    keys: re.Pattern[str]
    # opt-outs
    applied: re.Pattern[str]
    not_applied: re.Pattern[str]


#: section -> the rules it holds, in the order of :class:`Rules`
_SECTIONS: dict[str, tuple[str, ...]] = {
    "sentences": ("item_start", "split", "split_hint"),
    "sections": (
        "purpose_hint",
        "continuation",
        "heading_end",
        "heading_pseudonymised",
        "heading_identifiable",
        "held_separately",
        "not_held_apart",
        "period_marker",
        "long_heading",
        "purpose_named",
        "step_number",
    ),
    "mentions": (
        "name_shape",
        "leading_words",
        "generic_name",
        "title_controller",
        "role_words",
        "dp_header",
        "dp_part",
        "dp_inline",
        "apposition",
        "possessive_marks",
        "owner",
        "owned_place",
        "dscro_named",
    ),
    "hops": (
        "verb",
        "negation",
        "cut",
        "soft_cut",
        "receiving_preposition",
        "passive",
        "landing",
        "landing_verb",
        "landing_scope",
        "preposition",
        "sides",
        "not_transfer_to",
        "gap_break",
        "apposition_before",
        "until",
        "access",
        "access_users",
        "access_verb",
        "changed_there",
        "released",
        "named_receiver",
        "applicant_named",
        "direct_object",
        "with_after",
        "past_copy",
        "coordinated",
        "data_list",
        "linkage_phrase",
        "transfer_service",
    ),
    "special": ("linkage", "linkage_list", "reidentification", "hosts", "hosted_by", "hosted_thing", "keys"),
    "opt_outs": ("applied", "not_applied"),
}
_PATTERN_KEYS = frozenset({"pattern", "lists", "ignorecase"})
_WORDS_KEYS = frozenset({"words"})
_LIST = re.compile(r"\{\{(\w+)\}\}")


@memoised(1)
def rules() -> Rules:
    """The reviewed sentence grammar, checked and compiled (once)."""
    return compile_rules(load_reviewed(__package__, "rules.yaml"))


def compile_rules(reviewed: Reviewed) -> Rules:
    """Check a rules file and compile it.

    Raises
    ------
    ReviewedDataError
        At the line of a missing or unknown section, rule or key, an unused or missing
        ``{{list}}``, or a pattern that does not compile.
    """
    _check_keys(reviewed, [], reviewed.data, frozenset(_SECTIONS), "section")
    made: dict[str, Any] = {}
    for section, names in _SECTIONS.items():
        _check_keys(reviewed, [section], reviewed.data[section], frozenset(names), "rule")
        for name in names:
            keys: list[str | int] = [section, name]
            spec = reviewed.data[section][name]
            if name == "sides":
                made[name] = _sides(reviewed, keys, spec)
            elif isinstance(spec, dict) and "words" in spec:
                _check_keys(reviewed, keys, spec, _WORDS_KEYS, "key")
                made[name] = tuple(spec["words"])
            else:
                made[name] = _pattern(reviewed, keys, spec)
    assert set(made) == {f.name for f in fields(Rules)}
    return Rules(**made)


def _check_keys(reviewed: Reviewed, keys: list[str | int], spec: object, allowed: frozenset[str], what: str) -> None:
    """Every key present is allowed, and (for sections and rules) every allowed key is present."""
    if not isinstance(spec, dict):
        raise reviewed.error(keys, f"expected a mapping of {what}s, found {type(spec).__name__}")
    if unknown := set(spec) - allowed:
        raise reviewed.error(
            [*keys, sorted(unknown)[0]], f"unknown {what} {sorted(unknown)} (known: {sorted(allowed)})"
        )
    if what != "key" and (missing := allowed - set(spec)):
        raise reviewed.error(keys, f"missing {what} {sorted(missing)}")


def _pattern(reviewed: Reviewed, keys: list[str | int], spec: dict[str, Any]) -> re.Pattern[str]:
    """One regex rule: alternatives joined, lists put in, compiled with its flags."""
    allowed = frozenset(_PATTERN_KEYS)
    if not isinstance(spec, dict) or "pattern" not in spec:
        raise reviewed.error(keys, "a rule needs a `pattern` (or `words`)")
    if unknown := set(spec) - allowed:
        raise reviewed.error([*keys, sorted(unknown)[0]], f"unknown key {sorted(unknown)} (known: {sorted(allowed)})")
    pattern = spec["pattern"]
    text = pattern if isinstance(pattern, str) else "|".join(pattern)
    lists = spec.get("lists") or {}
    used = set(_LIST.findall(text))
    if missing := used - set(lists):
        raise reviewed.error([*keys, "pattern"], f"pattern uses {{{{{sorted(missing)[0]}}}}} but no such list is given")
    if unused := set(lists) - used:
        raise reviewed.error(
            [*keys, "lists", sorted(unused)[0]], f"list {sorted(unused)[0]!r} is not used by the pattern"
        )
    for name, items in lists.items():
        if not all(isinstance(item, str) for item in items):
            bad = next(i for i, item in enumerate(items) if not isinstance(item, str))
            raise reviewed.error(
                [*keys, "lists", name, bad],
                f"{items[bad]!r} is not text (quote it: YAML reads on/no/yes as true/false)",
            )
        text = text.replace("{{" + name + "}}", "|".join(items))
    # led: the same pattern, quicker to fail where no match can start (names/fragments.py)
    return led(compiled(reviewed, keys, text, re.IGNORECASE if spec.get("ignorecase") else 0))


def _sides(reviewed: Reviewed, keys: list[str | int], spec: object) -> Sides:
    names = frozenset(f.name for f in fields(Sides))
    _check_keys(reviewed, keys, spec, names, "side")
    assert isinstance(spec, dict)
    return Sides(**{name: frozenset(spec[name]) for name in names})
