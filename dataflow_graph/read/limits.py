"""How much one input may hold before it is skipped: documented limits, overridable.

Register files are small (the 2017 quarterly workbook is 1.6 MB, 7 MB unzipped, 5,788
rows by 11 columns; a register page is about 100 KB).  The defaults are far above anything
a real register reaches, and low enough that a hostile file (a zip bomb, a sheet whose
cells reach XFD1048576, ``/dev/zero``) is refused before it costs the machine its memory.
An input over a limit is skipped with a diagnostic naming the limit (DFG113 for files and
streams, DFG507 for workbooks), and the run goes on with the other inputs.

Each limit can be changed for one run with an environment variable
``DFG_LIMIT_<NAME>`` (``DFG_LIMIT_SHEET_CELLS=50000000 dfg parse big.xlsx``), or from
Python with ``api.load(paths, limits=Limits(sheet_cells=50_000_000))``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

from ..errors import UsageError

__all__ = ["DEFAULT_LIMITS", "ENVIRONMENT_PREFIX", "Limits", "limits_from_environment"]

ENVIRONMENT_PREFIX = "DFG_LIMIT_"
MIB = 1 << 20


@dataclass(frozen=True, slots=True)
class Limits:
    """The read limits; every field is overridable with ``DFG_LIMIT_<FIELD NAME IN CAPITALS>``.

    Attributes
    ----------
    file_bytes : int
        Largest file read from disk (a page, a CSV or a workbook), in bytes.
    stream_bytes : int
        Most bytes read from standard input, a FIFO or a device before it is given up.
    stream_wait : float
        Seconds to wait for the first byte of a FIFO or device named on the command line
        (standard input, ``/dev/stdin`` and ``/dev/fd/N`` are waited for without a limit).
    zip_entries : int
        Most members in a workbook's zip container.
    zip_bytes : int
        Largest total size of a workbook's members once unzipped (each member is
        inflated and counted before the workbook is read, whatever its header declares).
    zip_ratio : int
        Largest unzipped/zipped size ratio of a member over 1 MiB unzipped (real sheets
        compress about 10:1; a zip bomb about 1000:1).
    sheet_rows, sheet_columns : int
        Largest row and column a sheet may use, declared (``<dimension ref=…>``) or
        actual: Excel's own maxima, so only a malformed sheet is refused by them.
    sheet_cells : int
        Largest rectangle of cells, rows × columns from A1 to the last cell used, declared
        or actual: the reader holds that rectangle in memory (about 32 bytes a cell).
    """

    file_bytes: int = 128 * MIB
    stream_bytes: int = 128 * MIB
    stream_wait: float = 10.0
    zip_entries: int = 10_000
    zip_bytes: int = 256 * MIB
    zip_ratio: int = 100
    sheet_rows: int = 1_048_576
    sheet_columns: int = 16_384
    sheet_cells: int = 10_000_000

    @staticmethod
    def variable(name: str) -> str:
        """The environment variable that overrides one limit.

        >>> Limits.variable("sheet_cells")
        'DFG_LIMIT_SHEET_CELLS'
        """
        return ENVIRONMENT_PREFIX + name.upper()

    def describe(self, name: str) -> str:
        """A limit named for a diagnostic: its value and how to change it.

        >>> Limits().describe("zip_ratio")
        'limit zip_ratio = 100 (DFG_LIMIT_ZIP_RATIO)'
        """
        value = getattr(self, name)
        shown = f"{value:,}" if isinstance(value, int) else f"{value:g}"
        return f"limit {name} = {shown} ({self.variable(name)})"


DEFAULT_LIMITS = Limits()


def limits_from_environment(environ: Mapping[str, str] | None = None, base: Limits = DEFAULT_LIMITS) -> Limits:
    """``base`` with every ``DFG_LIMIT_*`` variable of the environment applied.

    Raises
    ------
    UsageError
        A variable names no limit, or its value is not a positive number.

    Examples
    --------
    >>> limits_from_environment({"DFG_LIMIT_SHEET_CELLS": "2_000", "HOME": "/"}).sheet_cells
    2000
    >>> limits_from_environment({"DFG_LIMIT_SHEET_CELLS": "-1"})
    Traceback (most recent call last):
    ...
    dataflow_graph.errors.UsageError: DFG_LIMIT_SHEET_CELLS='-1': expected a positive number
    """
    environ = os.environ if environ is None else environ
    known = {f.name: f for f in fields(Limits)}
    changes: dict[str, Any] = {}
    for key in sorted(k for k in environ if k.startswith(ENVIRONMENT_PREFIX)):
        name = key[len(ENVIRONMENT_PREFIX) :].lower()
        if name not in known:
            raise UsageError(f"{key}: no such read limit (known: {', '.join(Limits.variable(n) for n in known)})")
        raw = environ[key]
        try:
            value: int | float = float(raw) if name == "stream_wait" else int(raw)
        except ValueError:
            value = -1
        if value <= 0:
            raise UsageError(f"{key}={raw!r}: expected a positive number")
        changes[name] = value
    return replace(base, **changes) if changes else base
