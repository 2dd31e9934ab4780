"""Months of a window and the "in window" test, shared by every query and the HTML page."""

from __future__ import annotations

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
    """Months of a window, computed once per distinct window."""
    return frozenset(Period(start, end).months())


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
