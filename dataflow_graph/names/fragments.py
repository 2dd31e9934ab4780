"""Fragments every match of a pattern holds: a proven prefilter, and patterns behind one.

A case-insensitive alternation of many words is slow in Python's ``re`` (each place in
the text tries every alternative), while ``str.find`` of a few plain fragments runs at C
speed.  :func:`always_holds` proves, from the parsed pattern, that every match contains
one of some fragments; :class:`Guarded` then skips the regex on a text that holds none.
The dataset families' prefilter (``datasets.yaml``) is proven the same way.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator, Sequence

if sys.version_info >= (3, 11):
    from re import _constants as sre_constants  # type: ignore[attr-defined]
    from re import _parser as sre_parser  # type: ignore[attr-defined]
else:  # Python 3.10: the same modules under their old names
    import sre_constants
    import sre_parse as sre_parser
from typing import Any

__all__ = ["Guarded", "always_holds", "guarded", "led"]

#: Possessive repeats and atomic groups came with Python 3.11; before, a stand-in no parsed node is.
_POSSESSIVE_REPEAT = getattr(sre_constants, "POSSESSIVE_REPEAT", object())
_ATOMIC_GROUP = getattr(sre_constants, "ATOMIC_GROUP", object())
_LIMIT = 256  # the most spellings one stretch of a pattern is expanded to
_REPEATS = {sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT, _POSSESSIVE_REPEAT}


def always_holds(
    items: Any, fragments: tuple[str, ...], *, fold: bool = True, before: frozenset[str] = frozenset({""})
) -> bool:
    """True when every match of the parsed sequence ``items`` contains one of ``fragments``.

    Literals, small character sets, optional parts and alternatives are followed through
    every spelling they allow, keeping of each spelling only the tail a fragment could
    still start in; the sequence proves it when no spelling is left without a fragment.
    Conservative: a shape this cannot follow proves nothing, and the count starts again.
    ``fold`` compares in lower case (for a case-insensitive search of lower-cased text);
    without it the spellings keep the pattern's case (a case-sensitive one).  ``before``:
    the tails the text before ``items`` may end in (a group's own proof starts from the
    spellings in front of it: "o" before the alternatives "bjection|pt…").
    """
    keep = max(len(f) for f in fragments) - 1
    tails = set(before)  # the last ``keep`` characters of each spelling that holds no fragment yet
    for op, arg in items:
        spellings = _spellings(op, arg, fold)
        if spellings is None:
            if _part_holds(op, arg, fragments, fold, frozenset(tails)):
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


def _part_holds(op: Any, arg: Any, fragments: tuple[str, ...], fold: bool, before: frozenset[str]) -> bool:
    """A group, an alternative or a required repeat that proves it, after the tails ``before``."""
    if op in (sre_constants.SUBPATTERN, _ATOMIC_GROUP):
        return not _folds_inside(op, arg, fold) and always_holds(arg[-1], fragments, fold=fold, before=before)
    if op is sre_constants.BRANCH:
        return all(always_holds(b, fragments, fold=fold, before=before) for b in arg[1])
    if op in _REPEATS:
        return bool(arg[0] >= 1 and always_holds(arg[2], fragments, fold=fold, before=before))
    return False


def _spellings(op: Any, arg: Any, fold: bool) -> set[str] | None:
    """Every (lower-case) text one parsed item can match, or None when too many or unknown."""
    if op is sre_constants.LITERAL:
        return {chr(arg).lower() if fold else chr(arg)}
    if op is sre_constants.AT:
        return {""}
    if op is sre_constants.IN:
        if all(o is sre_constants.LITERAL for o, _ in arg):
            return {chr(a).lower() if fold else chr(a) for _, a in arg}
        return None
    if op in (sre_constants.SUBPATTERN, _ATOMIC_GROUP):
        return None if _folds_inside(op, arg, fold) else _sequence_spellings(arg[-1], fold)
    if op is sre_constants.BRANCH:
        out: set[str] = set()
        for branch in arg[1]:
            found = _sequence_spellings(branch, fold)
            if found is None:
                return None
            out |= found
        return out if len(out) <= _LIMIT else None
    if op in _REPEATS and arg[1] <= 2:
        body = _sequence_spellings(arg[2], fold)
        if body is None:
            return None
        out = {""} if arg[0] == 0 else set()
        for n in range(max(1, arg[0]), arg[1] + 1):
            out |= _power(body, n)
        return out if len(out) <= _LIMIT else None
    return None


def _folds_inside(op: Any, arg: Any, fold: bool) -> bool:
    """A group that turns case-insensitive matching on ``(?i:…)`` inside a case-sensitive
    pattern: its spellings in the pattern's case prove nothing."""
    return not fold and op is sre_constants.SUBPATTERN and bool(arg[1] & re.IGNORECASE)


def _power(body: set[str], n: int) -> set[str]:
    out = {""}
    for _ in range(n):
        out = {a + b for a in out for b in body}
    return out


def _sequence_spellings(items: Any, fold: bool) -> set[str] | None:
    out = {""}
    for op, arg in items:
        found = _spellings(op, arg, fold)
        if found is None or len(out) * len(found) > _LIMIT:
            return None
        out = {a + b for a in out for b in found}
    return out


#: the characters outside ASCII that a case-insensitive ``re`` matches with an ASCII letter
#: ("İ", "ı", "ſ", the Kelvin sign): in a text holding one, a lower-case fragment test proves nothing
_CASE_TWINS = re.compile("[\u0130\u0131\u017f\u212a]")
_END = sys.maxsize


class Guarded:
    """A compiled pattern behind a proven prefilter: on a text that lacks every fragment of
    one of its groups, ``search`` gives None and ``finditer`` nothing, at once.  A
    case-insensitive pattern's fragments are lower case and looked for in the lower-cased
    text; a case-sensitive one's as they are written.

    Each group is proven with :func:`always_holds` when the guard is made; a group that
    cannot be proven (the reviewed pattern changed) is dropped, so a guard may make a
    search slower, never different.  For a case-insensitive pattern outside ASCII the test
    holds only when the text has no character :data:`_CASE_TWINS` names; else the pattern
    is always tried.

    With ``within`` (a group name) the fragments are proven of what that group matches, and
    only :meth:`possible` speaks: of the matches in which the group takes part.
    """

    __slots__ = ("fold", "groups", "pattern", "unproven", "within")

    def __init__(self, pattern: re.Pattern[str], groups: Sequence[Sequence[str]], within: str | None = None) -> None:
        self.pattern = pattern
        self.fold = bool(pattern.flags & re.IGNORECASE)
        self.within = within
        parsed: Any = sre_parser.parse(pattern.pattern, pattern.flags)
        if within is not None:
            parsed = _group_items(parsed, pattern.groupindex[within]) if self.fold else None
        kept: list[tuple[str, ...]] = []
        unproven: list[tuple[str, ...]] = []
        for group in groups:
            fragments = tuple(group)
            ok = bool(fragments) and all(f and f.isascii() and (f == f.lower() or not self.fold) for f in fragments)
            proven = ok and parsed is not None and always_holds(parsed, fragments, fold=self.fold)
            (kept if proven else unproven).append(fragments)
        self.groups = tuple(kept)
        self.unproven = tuple(unproven)

    def possible(self, text: str, low: str | None = None) -> bool:
        """False only when no match can exist: some group has no fragment in ``text``
        (``low``: ``text.lower()``, when the caller has it already)."""
        if not self.groups:
            return True
        if self.fold:
            if not text.isascii() and _CASE_TWINS.search(text):
                return True
            text = text.lower() if low is None else low
        holds = text.__contains__
        for group in self.groups:
            if not any(map(holds, group)):  # map: no Python frame per fragment
                return False
        return True

    def search(self, text: str, pos: int = 0, endpos: int = _END, *, low: str | None = None) -> re.Match[str] | None:
        """``pattern.search``, None at once where no match can exist (:meth:`possible`, written
        out here: a sentence's facts ask a dozen guards, and a call per guard cost a fifth)."""
        if self.within is not None:
            raise TypeError("a guard within a group only says what is possible")
        groups = self.groups
        if groups:
            if not self.fold:
                holds = text.__contains__
            elif text.isascii() or not _CASE_TWINS.search(text):
                holds = (text.lower() if low is None else low).__contains__
            else:
                groups = ()
            for group in groups:
                if not any(map(holds, group)):
                    return None
        return self.pattern.search(text, pos, endpos)

    def finditer(self, text: str, pos: int = 0, endpos: int = _END) -> Iterator[re.Match[str]]:
        """``pattern.finditer``, nothing at once where no match can exist."""
        if self.within is not None:
            raise TypeError("a guard within a group only says what is possible")
        return self.pattern.finditer(text, pos, endpos) if self.possible(text) else iter(())


def guarded(pattern: re.Pattern[str], *groups: Sequence[str]) -> Guarded:
    r"""``pattern`` behind the fragment ``groups`` (every match holds a fragment of each).

    >>> g = guarded(re.compile(r"(?i)\bkeys?\b"), ["key"])
    >>> g.search("the KEY is held") is not None, g.search("no such word"), g.unproven
    (True, None, ())
    """
    return Guarded(pattern, groups)


def _group_items(items: Any, group: int) -> Any:
    """The parsed items of capturing group number ``group``, or None where not found."""
    for op, arg in items:
        if op is sre_constants.SUBPATTERN:
            if arg[0] == group:
                return arg[-1]
            inner = [arg[-1]]
        elif op is sre_constants.BRANCH:
            inner = list(arg[1])
        elif op in _REPEATS:
            inner = [arg[2]]
        elif op in (sre_constants.ASSERT, sre_constants.ASSERT_NOT):
            inner = [arg[1]]
        elif op is _ATOMIC_GROUP:
            inner = [arg]
        else:
            continue
        for sub in inner:
            found = _group_items(sub, group)
            if found is not None:
                return found
    return None


#: how a first-character item of a parsed pattern is written inside a character class
_CATEGORIES = {
    sre_constants.CATEGORY_SPACE: r"\s",
    sre_constants.CATEGORY_NOT_SPACE: r"\S",
    sre_constants.CATEGORY_DIGIT: r"\d",
    sre_constants.CATEGORY_NOT_DIGIT: r"\D",
    sre_constants.CATEGORY_WORD: r"\w",
    sre_constants.CATEGORY_NOT_WORD: r"\W",
}
_ZERO_WIDTH = {sre_constants.AT, sre_constants.ASSERT, sre_constants.ASSERT_NOT}
_GLOBAL_FLAGS = re.compile(r"(?:\(\?[aiLmsux]+\))+")


def led(pattern: re.Pattern[str]) -> re.Pattern[str]:
    r"""The same pattern led by a lookahead of the characters a match can start with.

    ``re`` tries every alternative at every place in the text; a pattern whose
    alternatives start with lookbehinds or optional words is slow to fail where the
    character there could start none of them.  The lookahead is read off the parsed
    pattern (literals, sets, groups, alternatives and repeats, past zero-width
    assertions), compiled with the pattern's own flags, so it admits exactly the
    characters the first item would.  A pattern whose first character cannot be worked
    out (or that may match empty text), or that starts with one character test already, is
    returned as it is.

    >>> led(re.compile(r"(?i)(?<!\d)[.;] |x?y")).pattern
    '(?=[;\\.xy])(?:(?<!\\d)[.;] |x?y)'
    """
    text = pattern.pattern
    if flags := _GLOBAL_FLAGS.match(text):  # they are in pattern.flags: kept there
        text = text[flags.end() :]
    parsed = sre_parser.parse(pattern.pattern, pattern.flags)
    if _quick_to_fail(parsed, fold=bool(pattern.flags & re.IGNORECASE)):
        return pattern
    first = _first(parsed)
    if first is None or first[1]:
        return pattern
    return re.compile(f"(?=[{''.join(sorted(first[0]))}])(?:{text})", pattern.flags)


def _quick_to_fail(items: Any, *, fold: bool) -> bool:
    """Whether ``re`` fails fast where the pattern cannot start already, so that a lookahead
    would only add work: it is anchored at the start, its first item (past word boundaries)
    is one character test or a repeat of one, or (case-sensitive) every alternative starts
    with a literal, from which ``re`` builds its own first-character test."""
    if not items:
        return True
    op, arg = items[0]
    if op is sre_constants.AT and arg in (sre_constants.AT_BEGINNING, sre_constants.AT_BEGINNING_STRING):
        return True
    rest = [item for item in items if item[0] is not sre_constants.AT]
    if not rest:
        return True
    op, arg = rest[0]
    if op in (sre_constants.LITERAL, sre_constants.IN):
        return True
    if op in _REPEATS and len(arg[2]) == 1 and arg[2][0][0] in (sre_constants.LITERAL, sre_constants.IN):
        return True
    if op is sre_constants.BRANCH and not fold:
        return all(b and b[0][0] is sre_constants.LITERAL for b in arg[1])
    return False


def _first(items: Any) -> tuple[set[str], bool] | None:
    """What the first character of a match of the sequence ``items`` may be, as class
    parts, and whether the sequence may match empty text; None when unknown."""
    out: set[str] = set()
    for op, arg in items:
        if op in _ZERO_WIDTH:
            continue
        if op is sre_constants.LITERAL:
            out.add(re.escape(chr(arg)))
            return out, False
        if op is sre_constants.IN:
            parts = _class_parts(arg)
            if parts is None:
                return None
            return out | parts, False
        if op is sre_constants.SUBPATTERN:
            if arg[1] or arg[2]:  # flags of its own
                return None
            inner = _first(arg[3])
        elif op is sre_constants.BRANCH:
            branches = [_first(b) for b in arg[1]]
            if any(b is None for b in branches):
                return None
            inner = (set().union(*(b[0] for b in branches if b)), any(b[1] for b in branches if b))
        elif op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT):
            body = _first(arg[2])
            inner = None if body is None else (body[0], body[1] or arg[0] == 0)
        else:
            return None
        if inner is None:
            return None
        out |= inner[0]
        if not inner[1]:
            return out, False
    return out, True


def _class_parts(items: Any) -> set[str] | None:
    """The parts of a character set as written in a class, None for a negated set."""
    out = set()
    for op, arg in items:
        if op is sre_constants.LITERAL:
            out.add(re.escape(chr(arg)))
        elif op is sre_constants.RANGE:
            out.add(f"{re.escape(chr(arg[0]))}-{re.escape(chr(arg[1]))}")
        elif op is sre_constants.CATEGORY and arg in _CATEGORIES:
            out.add(_CATEGORIES[arg])
        else:
            return None
    return out
