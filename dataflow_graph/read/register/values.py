"""Cell values of register files: text, yes/no, sensitivity, months, periods, frequency, identifiability.

Each parser takes one cell and gives its value, or None when the register's wording is
not understood (the caller reports that once per value and keeps the raw text).  The
coded columns repeat from row to row, so the parsers of text are memoised.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from ..._speed import memoised
from ...errors import Span
from ...model import Identifiability, Period
from ...names import category_identifiability
from ..dates import month

__all__ = [
    "cell_text",
    "frequency_of",
    "identifiability_of",
    "month_before",
    "month_of",
    "register_period",
    "sensitive_of",
    "yes_no",
]


def cell_text(value: object) -> str:
    """A cell as text: integral floats without '.0', dates in ISO form, CR LF as LF.

    >>> [cell_text(v) for v in (None, 12.0, 1.5, True, datetime(2017, 9, 1), "a\\r\\nb")]
    ['', '12', '1.5', 'Y', '2017-09-01', 'a\\nb']
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return value.replace("\r\n", "\n").replace("\r", "\n") if "\r" in value else value
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime) and value.time() == datetime.min.time():
        return value.date().isoformat()
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value)


@memoised(1024)
def identifiability_of(category: str) -> Identifiability | None:
    """The identifiability of a register category, or None when it is not understood.

    "Anonymised - ICO code compliant" (any case or spacing) is record-level
    de-identified data: :attr:`Identifiability.ANONYMISED`, which convergence treats
    as pseudonymised.

    >>> [identifiability_of(c).value for c in ("Identifiable", "Anonymised -ICO Code Compliant",
    ...   "Aggregated - anonymised", "Aggregated-Small Numbers Suppressed", "Pseudonymised")]
    ['identifiable', 'anonymised', 'aggregate', 'aggregate', 'pseudonymised']
    >>> [identifiability_of(c).value for c in ("Personally identifiable",
    ...   "De-personalised (ICO Anonymisation Code of Practice compliant)")]
    ['identifiable', 'anonymised']
    >>> identifiability_of("Mixed") is None
    True
    """
    return category_identifiability(category)


@memoised(256)
def frequency_of(value: str) -> str | None:
    """``one-off`` or ``ongoing`` for the register's spellings, else None.

    >>> [frequency_of(v) for v in ("One-Off", "one off", "Ongoing", "Recurring", "Weekly")]
    ['one-off', 'one-off', 'ongoing', 'ongoing', None]
    """
    key = re.sub(r"[\s\-]+", "", value.lower())
    if key in ("oneoff", "once", "single"):
        return "one-off"
    if key in ("ongoing", "recurring", "regular"):
        return "ongoing"
    return None


_YES = frozenset({"y", "yes", "true", "applied"})
_NO = frozenset({"n", "no", "false", "not applied"})


@memoised(256)
def yes_no(value: str) -> bool | None:
    """True, False or None (not understood) for a flag cell ("Y", "No", "Applied"...)."""
    key = value.strip().lower()
    return True if key in _YES else False if key in _NO else None


@memoised(256)
def sensitive_of(value: str) -> bool | None:
    """True for "Sensitive", False for "Non-Sensitive", else None."""
    key = re.sub(r"[\s\-]+", "", value.lower())
    return True if key == "sensitive" else False if key == "nonsensitive" else None


_UK_DATE = re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.]((?:19|20)\d\d)\b")


def month_of(value: object) -> str | None:
    """``YYYY-MM`` of a cell: a date, an Excel serial number, ``Jul-19`` or ``02/07/2019``.

    >>> [month_of(v) for v in (date(2019, 7, 2), 43648, "Jul-19", "02/07/2019", "13/13/2019")]
    ['2019-07', '2019-07', '2019-07', '2019-07', None]
    """
    if isinstance(value, (date, datetime)):
        return f"{value.year:04d}-{value.month:02d}"
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 20_000 < value < 80_000:
        day = date(1899, 12, 30) + timedelta(days=int(value))
        return f"{day.year:04d}-{day.month:02d}"
    return _month_of_text(cell_text(value).strip())


@memoised(4096)
def _month_of_text(text: str) -> str | None:
    """:func:`month_of` for text: a UK day/month/year date first, then any register date."""
    if m := _UK_DATE.match(text):
        return f"{m.group(3)}-{int(m.group(2)):02d}" if 1 <= int(m.group(2)) <= 12 else None
    return month(text)


_MONTH_WORD = (
    r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_PERIOD_WORDS = re.compile(
    rf"(?i)(?<![a-z]){_MONTH_WORD}\.?(?:[\s_\-]*((?:19|20)\d\d))?\s*(?:to|-|–|—|_)\s*"
    rf"{_MONTH_WORD}\.?[\s_\-]*((?:19|20)\d\d)(?!\d)"
)
_PERIOD_DIGITS = re.compile(r"(?<!\d)((?:19|20)\d\d)(\d\d)\d\d[_\-]+((?:19|20)\d\d)(\d\d)\d\d(?!\d)")
_MONTH_NUMBER = {m: i for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), 1)}


def register_period(text: str, span: Span | None = None) -> Period | None:
    """The register period a title or a file name states, or None.

    Quarterly registers have no per-row date; the period is in the title
    ("September to November 2017") or the file name (``sep-nov-2017``,
    ``releaseregister20170901_20171130``).

    >>> [(p.start, p.end) for p in map(register_period, (
    ...     "ReleaseRegister-sep-nov-2017.xlsx",
    ...     "Data released from NHS Digital - September to November 2017",
    ...     "releaseregister20171201_20180228_v01.xlsx", "Dec-Feb 2018"))]
    [('2017-09', '2017-11'), ('2017-09', '2017-11'), ('2017-12', '2018-02'), ('2017-12', '2018-02')]
    >>> register_period("decision made in May 2017") is None
    True
    """
    if m := _PERIOD_DIGITS.search(text):
        return Period(f"{m.group(1)}-{m.group(2)}", f"{m.group(3)}-{m.group(4)}", m.group(0), span, "register period")
    m = _PERIOD_WORDS.search(text)
    if not m:
        return None
    first, last = _MONTH_NUMBER[m.group(1)[:3].lower()], _MONTH_NUMBER[m.group(3)[:3].lower()]
    end_year = int(m.group(4))
    start_year = int(m.group(2)) if m.group(2) else end_year - (first > last)
    return Period(f"{start_year:04d}-{first:02d}", f"{end_year:04d}-{last:02d}", m.group(0), span, "register period")


def month_before(value: str) -> str:
    """The month before a ``YYYY-MM`` month.

    >>> month_before("2017-09"), month_before("2018-01")
    ('2017-08', '2017-12')
    """
    year, mm = int(value[:4]), int(value[5:7])
    return f"{year - 1:04d}-12" if mm == 1 else f"{year:04d}-{mm - 1:02d}"
