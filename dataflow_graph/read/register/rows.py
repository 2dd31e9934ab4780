"""Rows of register files with their physical line numbers: CSV records and workbook sheets.

Evidence names the line a record starts on, so it is recorded before each record is
read: ``csv``'s ``line_num`` points at the end of a record that spans several lines.
A workbook sheet's rows are numbered as the spreadsheet numbers them, whatever rows or
columns calamine leaves out before the data.
"""

from __future__ import annotations

import csv
import io
import itertools
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import BinaryIO

from python_calamine import CalamineSheet, CalamineWorkbook

from .values import cell_text

__all__ = ["Cell", "Row", "csv_rows", "is_blank", "open_workbook", "raw_of", "sheet_rows"]

#: What a cell holds: text from a CSV; from a workbook, whatever python-calamine reads.
Cell = int | float | str | bool | time | date | datetime | timedelta


@dataclass(slots=True)
class Row:
    """One physical record: its 1-based start line (or sheet row), cells and raw first line.

    ``cells`` is None for a CSV record that cannot be read; ``error`` then says why.
    """

    line: int
    cells: list[Cell] | None
    raw: str = ""
    error: str = ""


def is_blank(cells: Sequence[object]) -> bool:
    """True when every cell is empty or white space."""
    for c in cells:
        if c is not None and c != "" and not (isinstance(c, str) and c.isspace()):
            return False
    return True


def raw_of(cells: Sequence[object]) -> str:
    """The first line of a row's cells joined by tabs, cut at 400 characters (evidence text)."""
    return "\t".join(cell_text(c) for c in cells).split("\n", 1)[0][:400]


def csv_rows(text: str) -> Iterator[Row]:
    """Records with the physical line each starts on (recorded before reading it)."""
    consumed: list[str] = []

    def lines() -> Iterator[str]:
        for line in io.StringIO(text, newline=""):
            consumed.append(line)
            yield line

    reader = csv.reader(lines(), strict=True)
    while True:
        start = reader.line_num + 1
        consumed.clear()
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raw = consumed[0].rstrip("\r\n") if consumed else ""
            yield Row(start, None, raw, str(exc))
            if not consumed:
                return
            continue
        raw = consumed[0].rstrip("\r\n") if consumed else ""
        yield Row(start, list(cells), raw)


def open_workbook(data: bytes | BinaryIO) -> tuple[CalamineWorkbook, list[str]]:
    """A workbook (``.xlsx``, ``.xls``, ``.ods``) from its bytes or a file, and its sheet names;
    calamine's errors pass through.

    A file the system can name by path (``/proc/self/fd/N``) is opened by that path, so
    calamine reads it in pieces as it needs them; any other is copied into calamine whole.
    The workbook does not need the file afterwards.
    """
    if isinstance(data, bytes):
        data = io.BytesIO(data)
    path = _path_of(data)
    workbook = CalamineWorkbook.from_path(path) if path else CalamineWorkbook.from_filelike(data)
    return workbook, list(workbook.sheet_names)


def _path_of(file: BinaryIO) -> str | None:
    """The path this process can open a file by again (Linux), or None."""
    try:
        path = f"/proc/self/fd/{file.fileno()}"
    except (OSError, ValueError):  # io.UnsupportedOperation: an in-memory stream
        return None
    return path if os.path.exists(path) else None


def sheet_rows(workbook: CalamineWorkbook, name: str) -> tuple[Iterator[Row], int]:
    """Rows of a sheet numbered as the spreadsheet numbers them, and the column offset.

    ``iter_rows`` starts at the first column of the data but, depending on the version,
    at row 1 or at the first row of the data; the first row tells which.
    """
    sheet: CalamineSheet = workbook.get_sheet_by_name(name)
    start = sheet.start or (0, 0)
    end = sheet.end or (0, 0)
    rows = iter(sheet.iter_rows())
    first = next(rows, None)
    if first is None:
        return iter(()), 0
    row0 = 0 if start[0] > 0 and is_blank(first) else start[0]
    col0 = 0 if start[1] > 0 and len(first) == end[1] + 1 else start[1]
    return map(Row, itertools.count(row0 + 1), itertools.chain([first], rows)), col0
