"""Roles: what an organisation does in the flows, guessed from its name's words.

The words are reviewed data (``roles.yaml``); an organisation the gazetteer knows
keeps its reviewed role, and only a name it does not know is guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .._speed import memoised
from ..model import Role
from .reviewed import Reviewed, compiled, load_reviewed

__all__ = ["RoleRules", "guess_role", "role_rules"]

_RULE_KEYS = frozenset({"role", "patterns", "words"})


@dataclass(frozen=True, slots=True)
class RoleRules:
    """``roles.yaml`` compiled: the guessing rules in order, and the name-word patterns."""

    guess: tuple[tuple[Role, re.Pattern[str]], ...]
    name_suffix: re.Pattern[str]  # at the start of a fragment: "LIMITED", "INC."...
    organisation_word: re.Pattern[str]  # anywhere in a fragment: "CCG", "TRUST"...


def role_of(reviewed: Reviewed, keys: list[str | int], value: object) -> Role:
    """``Role(value)``, or an error naming the line and the roles there are."""
    try:
        return Role(value)
    except ValueError as exc:
        known = ", ".join(r.value for r in Role)
        raise reviewed.error(keys, f"unknown role {value!r} (one of: {known})") from exc


@memoised(1)
def role_rules() -> RoleRules:
    """The reviewed role rules, checked and compiled (once)."""
    reviewed = load_reviewed(__package__, "roles.yaml")
    guess = []
    for i, rule in reviewed.items("guess"):
        keys: list[str | int] = ["guess", i]
        if unknown := set(rule) - _RULE_KEYS:
            raise reviewed.error(keys, f"unknown keys {sorted(unknown)} (allowed: {sorted(_RULE_KEYS)})")
        if "words" in rule:
            pattern = r"(?i)\b(" + "|".join(rule["words"]) + r")\b"
        else:
            pattern = "(?i)" + "|".join(rule["patterns"])
        guess.append((role_of(reviewed, [*keys, "role"], rule["role"]), compiled(reviewed, keys, pattern)))
    suffixes = "|".join(reviewed.data["name_suffixes"])
    words = "|".join(reviewed.data["organisation_words"])
    return RoleRules(
        guess=tuple(guess),
        name_suffix=compiled(reviewed, ["name_suffixes"], rf"^({suffixes})\b\.?", re.IGNORECASE),
        organisation_word=compiled(reviewed, ["organisation_words"], rf"(?i)\b({words})\b"),
    )


def guess_role(name: str) -> Role:
    """A role from the words of a name, for organisations not in the gazetteer.

    >>> [guess_role(n).value for n in ("NHS Anywhere CCG", "Somewhere CSU", "Acme Analytics Ltd",
    ...                                 "University of Nowhere", "Zorg")]
    ['controller', 'csu', 'processor', 'controller', 'other']
    """
    for role, pattern in role_rules().guess:
        if pattern.search(name):
            return role
    return Role.OTHER
