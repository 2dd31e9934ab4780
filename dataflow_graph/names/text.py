"""Text keys: how two spellings of a name are found to be the same.

:func:`normalise` is the comparison key of the gazetteer, :func:`slug` the node id
fragment, and :func:`words` the same key cut into words with their places in the text
(the gazetteer's one-pass scan of a sentence).
"""

from __future__ import annotations

import re
import unicodedata
from itertools import accumulate

from .._speed import memoised

__all__ = ["is_commissioner_name", "normalise", "organisation_key", "slug", "word_keys", "words"]


@memoised(131072)
def normalise(name: str) -> str:
    """A comparison key: case-folded, accents and punctuation removed, spaces collapsed.

    >>> normalise("  NHS  Mid-Essex C.C.G. ")
    'nhs mid essex ccg'
    """
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.replace("&", " and ").replace("’", "'")
    text = re.sub(r"(?<=\b\w)\.(?=\w\.)|(?<=\b\w)\.(?=\s|$)", "", text)
    text = re.sub(r"[^\w']+", " ", text.casefold()).replace("'", "")
    return " ".join(text.split())


_LONG_FORMS = (
    ("clinical commissioning group", "ccg"),
    ("integrated care board", "icb"),
    ("commissioning support unit", "csu"),
)
_COMMISSIONER = re.compile(r" (?:ccg|icb|csu)$")


@memoised(131072)
def organisation_key(name: str) -> str:
    """The key under which two spellings of one organisation are the same organisation.

    :func:`normalise`, then the long forms of the NHS bodies' names shortened ("Clinical
    Commissioning Group" is "CCG"), and a leading "the", and the "NHS" every CCG, ICB and
    CSU carries, dropped: the register writes one CCG as "NHS GREENWICH CCG" in its
    released-file rows, "NHS Greenwich CCG" in its statements and "Greenwich CCG" in prose.

    >>> [organisation_key(n) for n in ("NHS GREENWICH CCG", "Greenwich  CCG",
    ...  "NHS Greenwich Clinical Commissioning Group", "NHS England", "The University of Leeds")]
    ['greenwich ccg', 'greenwich ccg', 'greenwich ccg', 'nhs england', 'university of leeds']
    """
    key = normalise(name)
    for long, short in _LONG_FORMS:
        if long in key:
            key = re.sub(rf"\b{long}\b", short, key)
    if key.startswith("the "):
        key = key[4:]
    if key.startswith("nhs ") and _COMMISSIONER.search(key):
        key = key[4:]
    return key


def is_commissioner_name(key: str) -> bool:
    """True for the key of a CCG, ICB or CSU name (:func:`organisation_key`), which carries "NHS"."""
    return bool(_COMMISSIONER.search(" " + key))


def slug(name: str) -> str:
    """A node id fragment: ``org:<slug>``.

    >>> slug("NHS Mid-Essex CCG")
    'nhs-mid-essex-ccg'
    """
    return normalise(name).replace(" ", "-") or "unnamed"


_TOKEN = re.compile(r"\w+(?:['’]\w+)*|&")
#: the same tokens, kept by ``split`` between the text around them
_TOKEN_SPLIT = re.compile(r"(\w+(?:['’]\w+)*|&)")
#: the same in lower-cased ASCII text, where a word character is one of these (a plain set is quicker)
_ASCII_SPLIT = re.compile(r"([a-z0-9_]+(?:'[a-z0-9_]+)*|&)")
#: the characters outside ASCII that register text holds most, none of them a word character,
#: an apostrophe or "&" (checked here), none changed by ``lower``: :func:`word_keys` reads each
#: as a space (and the extractor's test of a line for office names reads past them)
NOT_IN_WORDS = "".join(
    c
    for c in "\u2022\u2013\u2014\u2018\u201c\u201d\u00a3\u00a0\u2028\u00b7\u2002\u2212\u25cf\u2026\u202f\u2265\u00b1"
    if not _TOKEN.match(c) and c != "\u2019" and c.lower() == c
)


def words(text: str) -> list[tuple[int, int, str]]:
    """Words of ``text`` as (start, end, normalised word), the way :func:`normalise` sees them.

    >>> words("M&L C.S.U.")
    [(0, 1, 'm'), (1, 2, 'and'), (2, 3, 'l'), (4, 5, 'c'), (6, 7, 's'), (8, 9, 'u')]
    """
    keys, starts, ends = word_keys(text)
    return list(zip(starts, ends, keys, strict=True))


def word_keys(text: str) -> tuple[list[str], list[int], list[int]]:
    """:func:`words` as three lists (normalised words, starts, ends), made at C speed.

    The tokens and their places come from one ``split`` and the running sum of the
    pieces' lengths.  An ASCII token's word is simply its lower case without apostrophes
    (what :func:`normalise` makes of it); only a token with other characters is
    normalised in full, and may give no word or several (each with the token's place).

    Text whose only characters outside ASCII are the apostrophe "’" and :data:`NOT_IN_WORDS`
    is read as ASCII, with "’" as "'" and the others as spaces (one character for one, so
    every place is kept): the tokens are the same (the token pattern takes "’" as it takes
    "'", and cuts at the others as at a space), and so are their words, since a token of
    ASCII word characters and apostrophes normalises to itself in lower case without them.

    >>> word_keys("NHS Digital’s DSCRO & CSU's")
    (['nhs', 'digitals', 'dscro', 'and', 'csus'], [0, 4, 14, 20, 22], [3, 13, 19, 21, 27])
    """
    ascii_only = text.isascii()
    if not ascii_only:
        read = text.replace("\u2019", "'")
        for c in NOT_IN_WORDS:
            if c in read:
                read = read.replace(c, " ")
        if read.isascii():
            text, ascii_only = read, True
    parts = _ASCII_SPLIT.split(text.lower()) if ascii_only else _TOKEN_SPLIT.split(text)
    bounds = list(accumulate(map(len, parts)))
    tokens, starts, ends = parts[1::2], bounds[0:-1:2], bounds[1::2]
    if ascii_only:
        if "'" in text or "&" in text:
            tokens = ["and" if t == "&" else t.replace("'", "") for t in tokens]
        return tokens, starts, ends
    keys: list[str] = []
    at: list[int] = []
    to: list[int] = []
    for token, start, end in zip(tokens, starts, ends, strict=True):
        if token == "&":
            keys.append("and")
        elif token.isascii():
            keys.append(token.lower().replace("'", ""))
        else:
            for part in _norm_word(token):
                keys.append(part)
                at.append(start)
                to.append(end)
            continue
        at.append(start)
        to.append(end)
    return keys, at, to


@memoised(65536)
def _norm_word(word: str) -> tuple[str, ...]:
    return tuple(normalise(word).split())
