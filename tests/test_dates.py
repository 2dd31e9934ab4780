"""Register dates and windows: month formats, dash styles, DSA windows, odd windows."""

from __future__ import annotations

import pytest

from dataflow_graph.errors import Diagnostics, Span
from dataflow_graph.read.dates import month, parse_when, parse_window

SPAN = Span("p.txt", 7, 6, "When:...")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2018.06", "2018-06"),
        ("2019-05", "2019-05"),
        ("2016/04", "2016-04"),
        ("2023-06-28", "2023-06"),
        ("2018.6", "2018-06"),
        ("Jul-19", "2019-07"),
        ("July 2019", "2019-07"),
        ("sep 18", "2018-09"),
        ("2018.13", None),
        ("NIC-81831", None),
        ("", None),
    ],
    ids=["dot", "dash", "slash", "day", "one-digit", "mon-yy", "month-yyyy", "lower", "month-13", "reference", "empty"],
)
def test_month_register_format_gives_year_month(text, expected):
    assert month(text) == expected


def heads(diagnostics: Diagnostics) -> list[str]:
    return [str(d).splitlines()[0] for d in diagnostics]


@pytest.mark.parametrize(
    ("value", "start", "end"),
    [
        ("2018.06 — 2021.05.", "2018-06", "2021-05"),
        ("2019-05 – 2022-05", "2019-05", "2022-05"),
        ("2018-06 - 2021-05", "2018-06", "2021-05"),
        ("2016/09 — 2017/02.", "2016-09", "2017-02"),
        ("2011-09-27 — 2026-09-26", "2011-09", "2026-09"),
        ("2018.06 to 2019.02", "2018-06", "2019-02"),
        ("2018.06—2018.09", "2018-06", "2018-09"),
        ("2016/04.", "2016-04", "2016-04"),
        ("Jul-19", "2019-07", "2019-07"),
    ],
    ids=["em-dash", "en-dash", "hyphen", "slash", "days", "to", "no-spaces", "one-month", "named-month"],
)
def test_parse_when_window_styles_give_period(value, start, end):
    diagnostics = Diagnostics()
    release, dsa = parse_when(value, SPAN, diagnostics)
    assert (release.start, release.end, dsa) == (start, end, None)
    assert heads(diagnostics) == []


def test_parse_when_dsa_runs_and_release_window_are_both_read():
    diagnostics = Diagnostics()
    release, dsa = parse_when("DSA runs 2019-05 – 2022-05 2018.06 — 2021.05.", SPAN, diagnostics)
    assert (release.start, release.end, release.span.col) == ("2018-06", "2021-05", 33)
    assert (dsa.start, dsa.end, dsa.raw) == ("2019-05", "2022-05", "DSA runs 2019-05 – 2022-05")
    assert heads(diagnostics) == []


def test_parse_when_dsa_alone_leaves_release_open():
    release, dsa = parse_when("DSA runs 2011-09-27 — 2026-09-26", SPAN, Diagnostics())
    assert release is None
    assert (dsa.start, dsa.end) == ("2011-09", "2026-09")


def test_parse_when_or_before_qualifier_is_kept():
    release, _ = parse_when("2016/04 (or before) — 2016/11.", SPAN, Diagnostics())
    assert (release.start, release.end, release.qualifier) == ("2016-04", "2016-11", "or before")
    assert release.raw == "2016/04 (or before) — 2016/11"


def test_parse_when_reversed_window_is_kept_and_warned():
    diagnostics = Diagnostics()
    release, _ = parse_when("2017.06 — 2017.05.", SPAN, diagnostics)
    assert (release.start, release.end, release.reversed) == ("2017-06", "2017-05", True)
    assert release.bounds() == ("2017-05", "2017-06")
    assert heads(diagnostics) == [
        "p.txt:7:6: warning[DFG211] window '2017.06 — 2017.05' ends (2017-05) before it starts "
        "(2017-06); kept as published"
    ]


def test_parse_when_reversed_dsa_window_is_warned_at_its_column():
    diagnostics = Diagnostics()
    parse_when("2018.06 — 2021.05 DSA runs 2022-05 – 2019-05", SPAN, diagnostics)
    assert heads(diagnostics) == [
        "p.txt:7:24: warning[DFG211] window 'DSA runs 2022-05 – 2019-05' ends (2019-05) before it "
        "starts (2022-05); kept as published"
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (
            "2018.06 — 20",
            "p.txt:7:16: warning[DFG210] window '2018.06 — 20' has no readable end "
            "'20' (expected e.g. '2018.06 — 2021.05'); end left open",
        ),
        (
            "2016/04 (or before) —",
            "p.txt:7:27: warning[DFG210] window '2016/04 (or before) —' has no "
            "end (expected e.g. '2018.06 — 2021.05'); end left open",
        ),
        (
            "2018.13 — 2019.01",
            "p.txt:7:6: warning[DFG210] start '2018.13' is not a month (expected e.g. '2018.06'); start left open",
        ),
        (
            "ongoing",
            "p.txt:7:6: warning[DFG210] no date window found in 'ongoing'; expected e.g. "
            "'2018.06 — 2021.05' or 'DSA runs 2019-05 – 2022-05'",
        ),
    ],
    ids=["cut-end", "no-end", "month-13", "no-date"],
)
def test_parse_when_unreadable_window_is_reported(value, expected):
    diagnostics = Diagnostics()
    parse_when(value, SPAN, diagnostics)
    assert heads(diagnostics) == [expected]


def test_parse_when_empty_value_is_silent():
    diagnostics = Diagnostics()
    assert parse_when("  ", SPAN, diagnostics) == (None, None)
    assert heads(diagnostics) == []


def test_parse_window_without_window_gives_none():
    assert parse_window("no dates here", SPAN, Diagnostics()) is None


@pytest.mark.parametrize(
    "value",
    [
        "2018.06 (" * 50_000,
        "jan " * 200_000,
        "2018.06 " + " " * 1_000_000 + "x",
    ],
    ids=["open-parens", "month-words", "white-space"],
)
def test_parse_when_long_value_is_linear(value):
    """A hang guard, not a speed test: a quadratic pattern would take minutes on these values."""
    import time

    started = time.perf_counter()
    parse_when(value, SPAN, Diagnostics())
    assert time.perf_counter() - started < 20.0


@pytest.mark.parametrize(
    ("start", "end"),
    [("2019-13", "2020-01"), ("2019-01", "abc"), ("2019-00", "2019-05"), ("abcd-01", "2019-05"), ("2019-1", "2019-05")],
)
def test_dates_a_window_whose_bound_is_no_written_month_has_no_months(start, end):
    """Period.months counted such a window without end (a notebook can make one; the
    readers never do): it has no months, and the count stops."""
    from itertools import islice

    from dataflow_graph.graph.periods import months_of
    from dataflow_graph.model import Period

    assert list(islice(Period(start, end).months(), 1000)) == []
    assert months_of(Period(start, end)) == frozenset()
