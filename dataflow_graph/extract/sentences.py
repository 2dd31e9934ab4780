"""Sentences: a line of processing text cut into the sentences the extractor reads.

A line is cut at sentence ends and at inline numbered points ("1. … 2. …"); each piece
keeps its column, whether it introduces a list (ends with ":") and whether it is a list
item.  What a piece's text alone says (:class:`Facts`) is worked out once per text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .._speed import BoundedMemo, memoised
from ..errors import Span
from .rules import rules

__all__ = ["ITEM_START", "Facts", "Piece", "first", "pieces"]

_R = rules()
#: a bullet or numbered item at the start of a sentence
ITEM_START = _R.item_start
_SPLIT = _R.split
_SPLIT_HINT = _R.split_hint  # every split point of _SPLIT has one of these
_MAX_SENTENCE = 2000


#: each pattern's memo of :func:`first`, under the pattern's id (with the pattern, so that an id
#: reused by another pattern is never taken for it): hashing a pattern hashes its whole program
_FIRST: dict[int, tuple[re.Pattern[str], BoundedMemo[str, re.Match[str] | None]]] = {}
_UNSEEN = object()


def first(pattern: re.Pattern[str], text: str) -> re.Match[str] | None:
    """``pattern.search(text)``, remembered per pattern: register text repeats whole sentences."""
    held = _FIRST.get(id(pattern))
    if held is None or held[0] is not pattern:
        held = _FIRST[id(pattern)] = (pattern, BoundedMemo(131072))
    found = held[1].get(text, _UNSEEN)
    if found is _UNSEEN:
        return held[1].remember(text, pattern.search(text))
    return found  # type: ignore[return-value]


@dataclass(frozen=True, slots=True)
class Facts:
    """What a sentence's text alone says, remembered (register sentences repeat): which of
    the extractor's steps can find anything in it, and what the block sums over it."""

    families: frozenset[str]
    pseudo: int  # "pseudonymis/z" count, for the block's default identifiability
    ident: int  # "identifiable" count
    dp_header: str | None  # N of a "Data Processor N – X" heading
    held_separately: bool
    special: bool  # may state a linkage or a re-identification
    access: bool  # states online access (not negated)
    transfer: bool  # has a verb of transfer, not negated
    landing: bool  # speaks of a landing point
    says_identifiable: bool  # the word "identifiable", any case
    hosts_at: int | None  # where "who hosts" / "hosts the system" starts
    keys: bool  # speaks of a key or keys
    active: bool  # special, access, transfer or landing: the block loop may find something
    opt_outs: str | None = None  # "yes"/"no": says type 2 objections are applied / not (optouts.py)
    #: may hold a "data processor" role word ("the CCG's data processor"): every one holds
    #: "processor" or "dp" (a sentence with neither is not read for one, extractor.py)
    dp_word: bool = True


class Piece:
    """A sentence of a purpose block, whose spans are made only when asked for (most
    sentences of a register state no flow and are never cited)."""

    __slots__ = ("col", "ends_list", "facts", "is_item", "line", "text")

    def __init__(self, text: str, line: Span, col: int, ends_list: bool, is_item: bool, facts: Facts) -> None:
        self.text = text
        self.line = line
        self.col = col
        self.ends_list = ends_list  # ends with ':' and introduces the items after it
        self.is_item = is_item  # a bullet or numbered item
        self.facts = facts

    @property
    def span(self) -> Span:
        """The span of the line the sentence starts on, at the sentence's column."""
        return Span(self.line.path, self.line.line, self.col, self.line.text)

    @property
    def evidence(self) -> Span:
        """The sentence as cited evidence: the same place, the sentence's own text."""
        return Span(self.line.path, self.line.line, self.col, self.text)


@memoised(65536)
def pieces(text: str) -> tuple[tuple[int, str, bool, bool], ...]:
    """How one line cuts into sentences, as (column, text, ends_list, is_item); remembered,
    since register lines repeat from entry to entry.

    >>> [p[1] for p in pieces("1. A is sent to B. Then C. 2. D goes to E.")]
    ['1. A is sent to B', 'Then C.', '2. D goes to E.']
    """
    if not text.strip():
        return ()
    start = 0
    cut = []
    if _SPLIT_HINT.search(text):
        for m in _SPLIT.finditer(text):
            cut.append((start, text[start : m.start()]))
            start = m.end()
    cut.append((start, text[start:]))
    out = []
    for offset, piece in cut:
        piece = piece.strip()
        if not piece:
            continue
        for i in range(0, len(piece), _MAX_SENTENCE):
            chunk = piece[i : i + _MAX_SENTENCE]
            out.append((offset + i + 1, chunk, chunk.rstrip().endswith(":"), bool(ITEM_START.match(chunk))))
    return tuple(out)
