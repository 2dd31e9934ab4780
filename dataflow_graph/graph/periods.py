"""Months of a window and the "in window" test, shared by every query and the HTML page."""

from __future__ import annotations

from bisect import bisect_right
from functools import cache

from .._speed import memoised
from ..model import Period

__all__ = ["in_window", "months_of"]


def months_of(period: Period | None) -> frozenset[str]:
    """Every month of a window; none for an unknown or reversed window.

    >>> sorted(months_of(Period("2018-11", "2019-01")))
    ['2018-11', '2018-12', '2019-01']
    >>> months_of(Period("2019-01", "2018-11"))
    frozenset()
    """
    if period is None or period.reversed:
        return frozenset()
    return _month_set(period.start, period.end)


@memoised(1 << 16)
def _month_set(start: str | None, end: str | None) -> frozenset[str]:
    """Months of a window, computed once per distinct window.

    A window of written months ("2018-06") within the calendar of :func:`_calendar` is a
    slice of it (what ``Period.months`` counts, without formatting each month: a large
    register has thousands of distinct windows); any other window is counted as
    ``Period.months`` does.

    >>> _month_set("2018-11", "2019-02") == frozenset(Period("2018-11", "2019-02").months())
    True
    """
    bounds = Period(start, end).bounds()
    if bounds is not None:
        months, position = _calendar()
        first = position.get(bounds[0])
        if first is not None:
            last = bisect_right(months, bounds[1], first)
            if last < len(months):  # past the calendar's end: counted below
                return frozenset(months[first:last])
    return frozenset(Period(start, end).months())


@cache
def _calendar() -> tuple[tuple[str, ...], dict[str, int]]:
    """Every month from 1900-01 to 2199-12 in order ("YYYY-MM" sorts as time does), and
    each one's position."""
    months = tuple(f"{y:04d}-{m:02d}" for y in range(1900, 2200) for m in range(1, 13))
    return months, {m: i for i, m in enumerate(months)}


def in_window(period: Period | None, during: Period | None) -> bool:
    """True when no window is asked for, or ``period`` is known, in order and meets ``during``.

    >>> in_window(Period("2018-01", "2018-12"), Period("2018-06", "2018-06"))
    True
    >>> in_window(None, Period("2018-06", "2018-06"))
    False
    >>> in_window(Period("2018-01", "2018-12"), Period("2018-10", None))  # an open window
    True
    """
    if during is None:
        return True
    bounds = period.bounds() if period is not None and not period.reversed else None
    if bounds is None:
        return False
    return bounds[0] <= (during.end or "9999-12") and (during.start or "0000-01") <= bounds[1]
