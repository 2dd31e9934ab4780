"""Reading register rows: the columns of a row read at once, and release records made fast.

The release reader takes a row's columns through :meth:`Table.picker` and makes its
:class:`Release` without the frozen ``__init__``; both must give exactly what the plain
way gives.
"""

from __future__ import annotations

import dataclasses
import pickle
from datetime import date, datetime

import pytest

from dataflow_graph.model import Identifiability, Period, Release
from dataflow_graph.read.register.columns import Role
from dataflow_graph.read.register.releases import _new_release
from dataflow_graph.read.register.tables import Table

NAMES = ("reference", "dataset", "organisation", "category", "month")


def _table() -> Table:
    """A table with reference, dataset and month columns (no organisation, no category)."""
    headers = ("NIC Number", "Dataset", "Notes", "Month")
    return Table("t.xlsx#R", Role.RELEASES, 1, headers, {"reference": 0, "dataset": 1, "month": 3}, (2,), frozenset())


@pytest.mark.parametrize(
    "cells",
    [
        [" NIC-1 ", "HES APC\n", "x", "Jul-19"],  # all text: read in one go
        ["NIC-1", "HES", "x", datetime(2019, 7, 1)],  # a date cell
        ["NIC-1", 12.0, "x", date(2019, 7, 2)],  # a number cell
        ["NIC-1", "HES\r\nAPC ", "x", "Jul-19"],  # a CR inside a cell
        ["NIC-1", True, None, 43648],  # a flag, an empty cell, an Excel serial
        ["NIC-1", "HES"],  # a short row
        [],  # nothing at all
    ],
)
def test_picker_reads_what_get_reads(cells):
    table = _table()
    assert table.picker(NAMES)(cells) == tuple(table.get(cells, n) for n in NAMES)


def test_picker_keeps_a_trimmed_cell_itself():
    """The release reader tells an already trimmed reference by identity."""
    table = _table()
    cells = ["NIC-1", "HES", "x", "Jul-19"]
    assert table.picker(("reference",))(cells)[0] is cells[0]
    assert table.picker(NAMES) is table.picker(NAMES)


def test_new_release_is_the_release_the_dataclass_makes():
    values = (
        "t.xlsx#R:2",
        "t.xlsx#R",
        2,
        "NIC-1",
        "NIC-1",
        "X",
        "HES APC",
        "HES",
        "Pseudonymised",
        Identifiability.PSEUDONYMISED,
        True,
        "s251",
        "one-off",
        False,
        "2019-07",
        Period("2017-09", "2017-11"),
        "FILE1",
        (("Notes", "x"),),
    )
    made, plain = _new_release(*values), Release(*values)
    assert type(made) is Release
    assert made == plain
    assert hash(made) == hash(plain)
    assert repr(made) == repr(plain)
    assert made.as_dict() == plain.as_dict()
    assert pickle.loads(pickle.dumps(made)) == plain
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.line = 3  # type: ignore[misc]
