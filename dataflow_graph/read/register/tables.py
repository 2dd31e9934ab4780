"""One sheet or CSV file as a table: its header found and mapped, its rows counted and read.

Every data row read is counted and is either parsed or rejected with a diagnostic
(``read == parsed + rejected``); blank rows are skipped without being counted.  Unknown
and renamed headers are reported (DFG502, DFG508).  For tables, a span's ``col`` is the
1-based column of the cell.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ...errors import Severity, Span
from ...model import Identifiability
from ...names import dataset_family
from .assembly import State
from .columns import LABELS, USES, Role, canonical, column_label, normalise_header, role_by_columns
from .rows import Cell, Row, is_blank, raw_of
from .values import cell_text

__all__ = [
    "HEADER_SEARCH",
    "Coded",
    "RowReader",
    "Table",
    "family_of",
    "read_table",
    "reference_of",
    "understood",
]

#: How many rows may sit above the header (titles, notes) before a table is given up.
HEADER_SEARCH = 10

#: Category, identifiability, sensitivity, frequency and opt-outs of a release row, as read.
Coded = tuple[str, Identifiability | None, bool | None, str, bool | None]


@dataclass(slots=True)
class Table:
    """One sheet or CSV file once its header is known: its cells read by canonical column."""

    source: str
    role: Role
    header_line: int
    headers: tuple[str, ...]
    columns: dict[str, int]
    kept: tuple[int, ...]
    unknown: frozenset[int]
    col_offset: int = 0
    previous: bool = False
    #: (category, sensitivity, frequency, opt-outs) as written -> their reading, and
    #: whether the opt-outs were understood: the coded columns repeat from row to row.
    coded: dict[tuple[str, str, str, str], tuple[Coded, bool]] = field(default_factory=dict)
    #: The readers :meth:`picker` made, by the columns they read.
    pickers: dict[tuple[str, ...], Callable[[list[Cell]], tuple[str, ...]]] = field(default_factory=dict)

    def raw(self, cells: list[Cell], name: str) -> str:
        """The text of one column of a row, untrimmed ("" when the row is short)."""
        i = self.columns.get(name)
        if i is None or i >= len(cells):
            return ""
        value = cells[i]
        return value if type(value) is str and "\r" not in value else cell_text(value)

    def get(self, cells: list[Cell], name: str) -> str:
        """The trimmed text of one column of a row."""
        return self.raw(cells, name).strip()

    def picker(self, names: tuple[str, ...]) -> Callable[[list[Cell]], tuple[str, ...]]:
        """A reader of the trimmed text of the ``names`` columns of a row, in that order.

        It reads what :meth:`get` reads, "" for a column the table or the row lacks.  The
        usual row, every picked cell text without a CR, is read in one go (no dictionary
        per row); any other row column by column with :meth:`get`.  Made once per table.
        """
        found = self.pickers.get(names)
        if found is not None:
            return found
        present = sorted({i for n in names if (i := self.columns.get(n)) is not None})
        where = {i: k for k, i in enumerate(present)}
        # "" stands at index len(present), after the picked cells, for the absent columns
        order = [where[i] if (i := self.columns.get(n)) is not None else len(present) for n in names]
        raw = _getter(present)
        arrange = _getter(order)
        get = self.get

        def pick(cells: list[Cell]) -> tuple[str, ...]:
            try:
                picked = raw(cells)
                if "\r" not in "".join(picked):  # all text, no CR
                    return arrange((*map(str.strip, picked), ""))
            except (IndexError, TypeError):  # a short row, or a cell that is not text
                pass
            return tuple(get(cells, n) for n in names)

        self.pickers[names] = pick
        return pick

    def cell(self, cells: list[Cell], name: str) -> Cell:
        """One column of a row as read ("" when the row is short)."""
        i = self.columns.get(name)
        return cells[i] if i is not None and i < len(cells) else ""

    def span(self, row: Row, name: str | None = None, text: str = "") -> Span:
        """Where a row (or one of its columns) is, with ``text`` or the row's raw line."""
        col = self.columns.get(name, 0) + 1 + self.col_offset if name else 1
        return Span(self.source, row.line, col, text or row.raw)

    def kept_values(self, cells: list[Cell]) -> list[tuple[str, str]]:
        """(header, text) of the non-empty cells that no record field takes."""
        out = []
        n = len(cells)
        for i in self.kept:
            if i < n and (v := cells[i]) is not None and v != "" and (text := cell_text(v).strip()):
                out.append((self.headers[i], text))
        return out


def _getter(indexes: list[int]) -> Callable[[Sequence[Any]], tuple[Any, ...]]:
    """``operator.itemgetter`` that gives a tuple whatever the number of indexes."""
    if len(indexes) == 1:
        (i,) = indexes
        return lambda seq: (seq[i],)
    if not indexes:
        return lambda seq: ()
    return operator.itemgetter(*indexes)


#: Reads one data row of a table into the state; True when the row is parsed.
RowReader = Callable[[Table, Row, State], bool]


def read_table(
    rows: Iterator[Row],
    source: str,
    role: Role | None,
    state: State,
    readers: Mapping[Role, RowReader],
    *,
    col_offset: int = 0,
    is_csv: bool = False,
    previous: bool = False,
) -> bool:
    """Read one sheet or CSV file with the reader of its role; False when it has no header of a known layout."""
    header = _find_header(rows, role)
    table = header and _header_table(header, source, role, state, col_offset=col_offset, letters=not is_csv)
    if not table:
        return False
    table.previous = previous
    reader = readers.get(table.role)
    if reader is None:
        return True
    width = len(table.headers)
    missing = "reference" not in table.columns
    blank_headers = {i for i in table.unknown if table.headers[i].startswith("column ")}
    lost = read = parsed = 0
    for row in rows:
        cells = row.cells
        if cells is not None and is_blank(cells):
            continue
        read += 1
        if cells is None:
            state.diagnostics.report(
                Span(source, row.line, 1, row.raw),
                "DFG510",
                f"record cannot be read as CSV ({row.error}); rejected",
                Severity.ERROR,
            )
        elif is_csv and not _fits(row, width, table, state):
            pass
        elif missing:
            lost += 1
        else:
            parsed += reader(table, row, state)
            if blank_headers:
                _report_blank_headers(table, row, blank_headers, state)
    state.diagnostics.read += read
    state.diagnostics.parsed += parsed
    state.diagnostics.rejected += read - parsed
    if missing:
        state.diagnostics.report(
            Span(source, table.header_line, 1, "\t".join(table.headers)[:400]),
            "DFG503",
            f"no reference column (expected {LABELS['reference']!r}, 'NIC Number' or "
            f"'ODR Reference'); {lost} row(s) rejected",
            Severity.ERROR,
        )
    return True


def _find_header(rows: Iterator[Row], role: Role | None) -> Row | None:
    """The first row, among the first few non-blank ones, that reads as a header."""
    seen = 0
    for row in rows:
        if row.cells is None or is_blank(row.cells):
            continue
        columns = {c.name for h in row.cells if (c := canonical(cell_text(h)))}
        if len(columns) >= 2 and (role is not None or role_by_columns(columns) is not None):
            return row
        seen += 1
        if seen >= HEADER_SEARCH:
            return None
    return None


def _header_table(
    header: Row, source: str, role: Role | None, state: State, *, col_offset: int, letters: bool
) -> Table | None:
    """Map the header cells to canonical columns; report unknown and renamed headers."""
    headers = tuple(" ".join(cell_text(c).split()) for c in header.cells or ())
    columns: dict[str, int] = {}
    unknown: set[int] = set()
    notes: list[tuple[Span, str, str]] = []
    for i, text in enumerate(headers):
        span = Span(source, header.line, i + 1 + col_offset, text)
        column = canonical(text)
        if not text:
            unknown.add(i)
        elif column is None or column.name in columns:
            unknown.add(i)
            why = "not recognised" if column is None else f"repeats the {LABELS[column.name]} column"
            notes.append((span, "DFG502", f"header {text!r} {why}; its values are kept as extra fields"))
        else:
            columns[column.name] = i
            if normalise_header(text) not in column.known:
                notes.append((span, "DFG508", f"header {text!r} read as {LABELS[column.name]!r}"))
    role = role or role_by_columns(columns)
    if role is None:
        return None
    for span, code, message in notes:
        state.diagnostics.report(span, code, message, Severity.NOTE)
    uses = USES.get(role, frozenset())
    used = {i for name, i in columns.items() if name in uses}
    names = tuple(h or column_label(i, letters=letters) for i, h in enumerate(headers))
    kept = tuple(i for i in range(len(headers)) if i not in used)
    return Table(source, role, header.line, names, columns, kept, frozenset(unknown), col_offset)


def _fits(row: Row, width: int, table: Table, state: State) -> bool:
    """A CSV record has as many fields as the header (trailing empty fields are tolerated)."""
    cells = row.cells or []
    if len(cells) == width:
        return True
    if len(cells) > width and is_blank(cells[width:]):
        del cells[width:]
        return True
    state.diagnostics.report(
        Span(table.source, row.line, 1, row.raw),
        "DFG501",
        f"row has {len(cells)} fields but the header on line {table.header_line} has {width}; "
        "rejected (look for a missing field or an unquoted comma)",
        Severity.ERROR,
    )
    return False


def _report_blank_headers(table: Table, row: Row, pending: set[int], state: State) -> None:
    """Report, once per column, values under a column that has no header (DFG502)."""
    cells = row.cells or []
    for i in sorted(pending):
        if i < len(cells) and cell_text(cells[i]).strip():
            pending.discard(i)
            state.diagnostics.report(
                Span(table.source, table.header_line, i + 1 + table.col_offset, ""),
                "DFG502",
                f"{table.headers[i]} has no header but holds values (first on row {row.line}); "
                f"they are kept as extra field {table.headers[i]!r}",
                Severity.NOTE,
            )


def reference_of(table: Table, row: Row, state: State) -> str | None:
    """The trimmed reference of a row; None, with DFG504, when it has none."""
    raw = table.raw(row.cells or [], "reference")
    reference = raw.strip()
    if not reference:
        state.diagnostics.report(
            table.span(row, text=row.raw or raw_of(row.cells or [])),
            "DFG504",
            f"row has no reference in column {table.headers[table.columns['reference']]!r}; rejected",
            Severity.ERROR,
        )
        return None
    if raw != reference:
        state.diagnostics.report(
            table.span(row, "reference", raw),
            "DFG203",
            f"reference {raw!r} has surrounding white space; read as {reference!r}",
        )
    return reference


def understood(table: Table, row: Row, column: str, value: str, parsed: object, expected: str, state: State) -> bool:
    """False, with one DFG505 note per distinct value, when a non-empty value is not understood."""
    if parsed is not None or not value:
        return True
    header = table.headers[table.columns[column]] if column in table.columns else LABELS[column]
    state.once(
        (table.source, column, value),
        table.span(row, column, value),
        "DFG505",
        f"{header[:60]!r} value {value!r} not understood (expected {expected}); kept raw (reported once per value)",
    )
    return False


def family_of(name: str, table: Table, row: Row, state: State) -> str | None:
    """The reviewed family of a dataset name; None, with one DFG213 note per name, when it has none."""
    family = dataset_family(name) if name else None
    if name and family is None:
        state.once(
            (state.display, "family", name),
            table.span(row, "dataset", name),
            "DFG213",
            f"dataset {name!r} is not in any reviewed family (dataflow_graph/data/datasets.yaml); family left empty",
        )
    return family
