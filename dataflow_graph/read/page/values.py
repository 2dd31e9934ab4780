"""Field values of register pages: opt-outs, legal bases, yes/no, sensitivity, lists, type of data.

Each parser is a pure function of the text after a field heading.  Register pages repeat
the same wording entry after entry, so the costlier parsers are memoised; they return
immutable values.
"""

from __future__ import annotations

import re

from ..._speed import memoised
from ...model import OptOut, OptOuts
from ...names import split_controllers, split_list, type_of_data

__all__ = [
    "access_items",
    "controller_names",
    "dedupe",
    "igard_files",
    "legal_bases",
    "memoised_legal_bases",
    "opt_outs_of",
    "sensitive_of",
    "type_of_data",
    "yes_no",
]

#: Size of each memo of a field parser.
_MEMO = 8192

_TRAILING_PARENS = re.compile(r"\((?P<inner>(?:[^()]|\([^()]*\))*)\)\s*$")
_EXCUSES_LABEL = re.compile(r"(?i)^\s*excuses\s*:\s*")
_YES = re.compile(r"^(y|yes)\b")
_NO = re.compile(r"^(n|no)\b")
_MIX = re.compile(r"(?i)\bmix")


@memoised(_MEMO)
def opt_outs_of(value: str) -> OptOuts:
    """Verdict, raw text and excuses of "Opt outs honoured".

    >>> o = opt_outs_of("Yes - patient objections upheld (Excuses: Section 251, Section 251 NHS Act 2006)")
    >>> o.honoured.value, o.excuses
    ('yes', ('Section 251', 'Section 251 NHS Act 2006'))
    >>> [opt_outs_of(v).honoured.value for v in ("N (Excuses: Section 251)", "N, Y", "", "Identifiable (x)")]
    ['no', 'mixed', 'unknown', 'unknown']
    """
    raw = value.strip()
    excuses: tuple[str, ...] = ()
    head = raw
    if m := _TRAILING_PARENS.search(raw):
        inner = _EXCUSES_LABEL.sub("", m.group("inner"))
        excuses = tuple(p.strip() for p in split_list(inner) if p.strip())
        head = raw[: m.start()]
    verdicts = set()
    for token in split_list(head, ",;"):
        t = token.strip().lower()
        if _YES.match(t):
            verdicts.add(OptOut.YES)
        elif _NO.match(t):
            verdicts.add(OptOut.NO)
    if verdicts == {OptOut.YES, OptOut.NO}:
        honoured = OptOut.MIXED
    elif len(verdicts) == 1:
        honoured = verdicts.pop()
    elif _MIX.search(raw):
        honoured = OptOut.MIXED
    else:
        honoured = OptOut.UNKNOWN
    return OptOuts(honoured, raw, excuses)


_LEGAL = (
    (re.compile(r"(?i)statistics and registration service act"), "SRSA 2007 s42(4)"),
    (re.compile(r"(?i)health and social care act\s*\(?2012\)?|\bHSCA\b"), "HSCA 2012"),
    (
        re.compile(r"(?i)section\s*251|\bs\.?\s*251\b|national health service act 2006|NHS act 2006"),
        "NHS Act 2006 s251",
    ),
    (re.compile(r"(?i)control of patient information\)? regulations|regulation 3\b|COPI"), "COPI Regulations 2002"),
)
_LETTER = re.compile(r"[A-Za-z]")
_HSCA_SECTIONS = re.compile(r"s\s*261(?:\([^)\s]*\))*(?:\s+and\s+s\s*261(?:\([^)\s]*\))*)?")
_S_SPACE = re.compile(r"s\s+")
_SPACES = re.compile(r"\s+")


def legal_bases(value: str) -> tuple[str, ...]:
    """Canonical legal gateways named in a "Legal basis" field, first mention first.

    >>> legal_bases("Section 251 approval is in place for the flow of identifiable data, "
    ...   "National Health Service Act 2006 - s251 - 'Control of patient information'. , "
    ...   "Health and Social Care Act 2012  s261(7); National Health Service Act 2006 - s251")
    ('NHS Act 2006 s251', 'HSCA 2012 s261(7)')
    >>> legal_bases("Health and Social Care Act 2012 – s261(1) and s261(2)(b)(ii)")
    ('HSCA 2012 s261(1) and s261(2)(b)(ii)',)
    """
    out: list[str] = []
    for piece in split_list(value, ",;"):
        piece = piece.strip(" .'")
        if not _LETTER.search(piece):
            continue
        label = None
        for pattern, name in _LEGAL:
            if pattern.search(piece):
                label = name
                break
        if label == "HSCA 2012":
            sections = _HSCA_SECTIONS.findall(piece)
            if sections:
                label = "HSCA 2012 " + _S_SPACE.sub("s", sections[0])
        label = label or _SPACES.sub(" ", piece)
        if label not in out:
            out.append(label)
    return tuple(out)


@memoised(_MEMO)
def memoised_legal_bases(value: str) -> tuple[str, ...]:
    """:func:`legal_bases`, memoised for the page reader (the public function stays plain)."""
    return legal_bases(value)


_YES_TRUE = re.compile(r"^(y|yes|true)\b")
_NO_FALSE = re.compile(r"^(n|no|false)\b")


def yes_no(value: str) -> bool | None:
    """True or False from the first word ("Yes - ...", "N"), else None.

    >>> yes_no("Yes - with conditions"), yes_no(" n "), yes_no("Unknown")
    (True, False, None)
    """
    v = value.strip().lower()
    if _YES_TRUE.match(v):
        return True
    if _NO_FALSE.match(v):
        return False
    return None


_SENSITIVE = re.compile(r"(?<!non[- ])(?<!non)\bsensitive")


def sensitive_of(value: str) -> bool | None:
    """True for "Sensitive", False for "Non Sensitive", else None.

    >>> sensitive_of("Sensitive"), sensitive_of("Non-Sensitive"), sensitive_of("")
    (True, False, None)
    """
    v = value.strip().lower()
    if not v:
        return None
    if _SENSITIVE.search(v):
        return True
    return False if "non" in v else None


def dedupe(items: list[str]) -> tuple[str, ...]:
    """The items without repeats (compared without case or extra white space), trimmed."""
    seen: dict[str, str] = {}
    for item in items:
        key = " ".join(item.lower().split())
        if key and key not in seen:
            seen[key] = item.strip()
    return tuple(seen.values())


@memoised(_MEMO)
def access_items(value: str) -> tuple[str, ...]:
    """The comma-separated items of an "Access method" (or "Repeats") value, stripped."""
    return tuple(p.strip() for p in split_list(value, ",") if p.strip())


_DOC_FILE = re.compile(r"(?i)\.(pdf|docx?)\b")
_AFTER_DOC_FILE = re.compile(r"(?i)(?<=\.pdf)\s*,\s*|(?<=\.docx)\s*,\s*|(?<=\.doc)\s*,\s*")


@memoised(_MEMO)
def igard_files(value: str) -> tuple[str, ...]:
    """Minutes files; commas separate files (a comma inside a file name is kept)."""
    if _DOC_FILE.search(value):
        parts = _AFTER_DOC_FILE.split(value)
    else:
        parts = value.split(",")
    return tuple(p.strip() for p in parts if p.strip())


@memoised(_MEMO)
def controller_names(value: str) -> tuple[str, ...]:
    """The organisations of a data-controller field (see :func:`~dataflow_graph.names.split_controllers`)."""
    return tuple(split_controllers(value))
