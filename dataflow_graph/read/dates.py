"""Register dates and windows to :class:`~dataflow_graph.model.Period`.

The register writes months as ``2018.06``, ``2019-05``, ``2016/04``, ``2023-06-28``
or ``Jul-19``, and windows with an em dash, an en dash or a hyphen.  A window whose
end is before its start is kept as published and reported (DFG211).
"""

from __future__ import annotations

import re

from ..errors import Diagnostics, Span
from ..model import Period

__all__ = ["month", "parse_when", "parse_window"]

_MONTHS = {m: i for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), 1)}
_NUMERIC = re.compile(r"(?<!\d)((?:19|20)\d\d)[.\-/](\d{1,2})(?:[.\-/](\d{1,2}))?(?!\d)")
_NAMED = re.compile(r"(?i)\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]{0,6}[\s\-/']{0,3}(\d{2}|\d{4})\b")
_DASH = r"\s*(?:—|–|-{1,2}|\bto\b)\s*"
_DATE = r"(?:(?:19|20)\d\d[.\-/]\d{1,2}(?:[.\-/]\d{1,2})?)"
_QUALIFIER = r"\s*\([^()]{0,60}\)"  # "(or before)"; bounded, so never quadratic
_WINDOW = re.compile(rf"(?P<start>{_DATE})(?P<q1>{_QUALIFIER})?{_DASH}(?P<end>{_DATE})(?P<q2>{_QUALIFIER})?")
#: What may follow a lone date: a dash and an end that is not a date ("2018.06 — 20").
_OPEN_END = re.compile(rf"(?P<q1>{_QUALIFIER})?{_DASH}(?P<end>[^\s.;,][^\s;,]{{0,30}})?")
_DSA = re.compile(rf"(?i)DSA\s+runs\s*(?P<start>{_DATE}){_DASH}(?P<end>{_DATE})")


def month(text: str) -> str | None:
    """``YYYY-MM`` for one register date, or None.

    >>> [month(t) for t in ("2018.06", "2019-05", "2016/04", "2023-06-28", "Jul-19", "x")]
    ['2018-06', '2019-05', '2016-04', '2023-06', '2019-07', None]
    """
    text = text.strip()
    if m := _NUMERIC.search(text):
        mm = int(m.group(2))
        return f"{m.group(1)}-{mm:02d}" if 1 <= mm <= 12 else None
    if m := _NAMED.search(text):
        year = int(m.group(2))
        year = year + 2000 if year < 100 else year
        return f"{year:04d}-{_MONTHS[m.group(1).lower()]:02d}"
    return None


def parse_window(text: str, span: Span, diagnostics: Diagnostics) -> Period | None:
    """The first ``start — end`` window in ``text``; warns if it runs backwards.

    >>> d = Diagnostics()
    >>> parse_window("2017.06 — 2017.05.", Span("p.txt", 7, 6), d).reversed
    True
    >>> str(d.items[0]).split(" window")[0]
    'p.txt:7:6: warning[DFG211]'
    """
    m = _WINDOW.search(text)
    if not m:
        return None
    return _period(m, text, span, diagnostics)


def _period(m: re.Match[str], text: str, span: Span, diagnostics: Diagnostics) -> Period:
    groups = m.groupdict()
    qualifier = " ".join(groups[k].strip().strip("()").strip() for k in ("q1", "q2") if groups.get(k))
    where = Span(span.path, span.line, span.col + m.start(), span.text)
    period = Period(month(m.group("start")), month(m.group("end")), m.group(0).strip(), where, qualifier)
    for side in ("start", "end"):
        if getattr(period, side) is None:
            diagnostics.report(
                Span(span.path, span.line, span.col + m.start(side), span.text),
                "DFG210",
                f"{side} {m.group(side)!r} is not a month (expected e.g. '2018.06'); {side} left open",
            )
    if period.reversed:
        diagnostics.report(
            where,
            "DFG211",
            f"window {m.group(0).strip()!r} ends ({period.end}) before it starts ({period.start}); kept as published",
        )
    return period


def _single(m: re.Match[str], text: str, span: Span, diagnostics: Diagnostics) -> Period:
    """One month ("2016/04."), or a window whose end is missing or cut ("2018.06 — 20")."""
    one = month(m.group(0))
    where = Span(span.path, span.line, span.col + m.start(), span.text)
    tail = _OPEN_END.match(text, m.end())
    if tail is None:
        return Period(one, one, m.group(0), where)
    qualifier = (tail.group("q1") or "").strip().strip("()").strip()
    end = tail.group("end")
    at = tail.start("end") if end else tail.end()
    diagnostics.report(
        Span(span.path, span.line, span.col + at, span.text),
        "DFG210",
        f"window {text[m.start() : tail.end()].strip()!r} has "
        f"{'no readable end ' + repr(end) if end else 'no end'} (expected e.g. "
        "'2018.06 — 2021.05'); end left open",
    )
    return Period(one, None, text[m.start() : tail.end()].strip(), where, qualifier)


def parse_when(value: str, span: Span, diagnostics: Diagnostics) -> tuple[Period | None, Period | None]:
    """The release window and the "DSA runs" window of a ``When:`` field.

    >>> d = Diagnostics()
    >>> rel, dsa = parse_when("DSA runs 2019-05 – 2022-05 2018.06 — 2021.05.", Span("p", 1, 6), d)
    >>> (rel.start, rel.end, dsa.start, dsa.end)
    ('2018-06', '2021-05', '2019-05', '2022-05')
    >>> parse_when("2016/04 (or before) — 2016/11.", Span("p", 1, 6), d)[0].qualifier
    'or before'
    """
    dsa = None
    rest = value
    if m := _DSA.search(value):
        dsa = _period(m, value, span, diagnostics)
        rest = value[: m.start()] + " " * (m.end() - m.start()) + value[m.end() :]
    release = None
    if m := _WINDOW.search(rest):
        release = _period(m, rest, span, diagnostics)
    elif (single := _NUMERIC.search(rest)) is not None:
        release = _single(single, rest, span, diagnostics)
    elif (named := _NAMED.search(rest)) is not None:  # "Jul-19"
        one = month(named.group(0))
        release = Period(one, one, named.group(0), Span(span.path, span.line, span.col + named.start(), span.text))
    if release is None and dsa is None and value.strip():
        diagnostics.report(
            span,
            "DFG210",
            f"no date window found in {value.strip()[:80]!r}; "
            "expected e.g. '2018.06 — 2021.05' or 'DSA runs 2019-05 – 2022-05'",
        )
    return release, dsa
