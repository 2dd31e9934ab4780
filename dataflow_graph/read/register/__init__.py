"""Official register files (CSV and XLSX) to :class:`Entry` and :class:`Release` records.

NHS Digital publishes its register as workbooks with one row per released file;
the reformatted pages are only one view of it.  This package reads, from their
content rather than their suffix:

- the quarterly workbooks of 2017 (sheets ``DataReleases``, ``PurposeStatements``,
  ``AmendmentsToPreviousRegisters``, ``NBO``, ``README``) and CSV exports of their
  sheets;
- the newer three-sheet Data Uses Register (``Agreements``, ``Datasets``,
  ``DataReleases``);
- Public Health England's release registers (``ODR Reference``, ``Data Recipient``...).

Headers are matched by their words, not their exact spelling, so a header with line
breaks or a note inside it, a renamed header, a shuffled column order and extra
columns are all read; unknown and renamed headers are reported (DFG502, DFG508).
Every data row read is counted and is either parsed or rejected with a diagnostic
(``read == parsed + rejected``); blank rows are skipped without being counted.

Evidence from a workbook names the sheet: ``<display>#<sheet>`` and the 1-based
sheet row.  Evidence from a CSV names the file and the physical line on which the
record starts.  For tables, a span's ``col`` is the 1-based column of the cell.

What each kind of row gives:

- a release row (DataReleases, its CSV export, PHE rows): one :class:`Release`.
  Rows of ``AmendmentsToPreviousRegisters`` ("omitted from previous registers")
  are releases too, with the period ``../<month before this register>``.
- a PurposeStatements row: one :class:`Entry` (variant ``quarterly-register``),
  reference kept as written (trimmed), sections Objectives, Processing, Outputs
  and Expected Benefits.  Its ``datasets`` are the datasets released under the
  same agreement core *in this quarter* (a quarterly register lists only the
  files released that quarter, so they are not all the agreement may receive);
  its ``opt_outs`` and ``period`` come from the same rows.
- an Agreements row: one :class:`Entry` (variant ``data-uses-register``) with the
  DSA window, controllers, flags and sections, and the datasets of its
  Datasets rows.  DataReleases rows of such a workbook take their recipient from
  the Agreements row and their category, sensitivity, legal basis and frequency
  from the Datasets row of the same agreement and dataset.
- release rows with a purpose (PHE): besides the releases, one :class:`Entry`
  (variant ``release-register``) per distinct reference with a Purpose section.
  These entries are derived, so they are not counted as rows read.

The modules, one reason to change each: :mod:`.columns` (which headers name which
column, and what a sheet is), :mod:`.rows` (CSV records and workbook sheets as numbered
rows), :mod:`.values` (what a cell's wording means), :mod:`.tables` (a header found and
mapped, rows counted), :mod:`.releases` and :mod:`.entries` (what each kind of row
gives), :mod:`.assembly` (what the sheets of one file share, and the entries made at
the end).  This module tells CSV from workbook and reads the sheets in order.
"""

from __future__ import annotations

import itertools
from pathlib import Path

from python_calamine import CalamineWorkbook

from ...errors import Diagnostics, Severity, Span
from ...model import Period
from ..files import read_path
from ..limits import DEFAULT_LIMITS, Limits
from ..sources import decode, is_binary, sniff_kind
from .assembly import RegisterTables, State, finish
from .bounds import WorkbookRefused, bounded_file
from .columns import Role, normalise_header, role_by_name
from .entries import read_dataset, read_entry
from .releases import read_release
from .rows import csv_rows, open_workbook, sheet_rows
from .tables import HEADER_SEARCH, RowReader, read_table
from .values import cell_text, frequency_of, identifiability_of, register_period

__all__ = [
    "RegisterTables",
    "frequency_of",
    "identifiability_of",
    "normalise_header",
    "read_register",
    "register_period",
]

#: Magic of the older binary workbooks (``.xls``): refused, since their extent cannot be checked.
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

#: The reader of each role's rows (notes sheets are only searched for the register period).
_READERS: dict[Role, RowReader] = {
    Role.ENTRIES: read_entry,
    Role.DATASETS: read_dataset,
    Role.RELEASES: read_release,
    Role.AMENDMENTS: read_release,
}
#: Agreements and datasets before the release rows that look them up; unknown sheets last.
_ORDER = (Role.ENTRIES, Role.DATASETS, Role.RELEASES, Role.AMENDMENTS, None)


def read_register(
    path: Path,
    display: str,
    diagnostics: Diagnostics,
    *,
    data: bytes | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> RegisterTables:
    """Read an official register file, CSV or workbook, detected from its content.

    Bad data never raises: each problem is reported to ``diagnostics`` with
    ``file:line`` (``file#sheet:row`` for workbooks) and the run goes on.  Every
    data row read is counted as parsed or rejected.  A workbook over a read limit
    (:mod:`.bounds`) is skipped with DFG507 naming the limit.

    Parameters
    ----------
    path : Path
        The file to read (its name may state the register period).
    display : str
        The name evidence and diagnostics use for it.
    diagnostics : Diagnostics
        Collects problems and the read/parsed/rejected counts.
    data : bytes, optional
        The file's content, already read (the file is then not opened again).
    limits : Limits, optional
        The read limits (:mod:`dataflow_graph.read.limits`).

    Returns
    -------
    RegisterTables
        Entries (agreements and purpose statements), releases (released files) and
        the register period when the file states one.

    Examples
    --------
    >>> import tempfile
    >>> d = Diagnostics()
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     csv_path = Path(tmp) / "r.csv"
    ...     _ = csv_path.write_text('"NIC Number","Organisation Name","us","Patient Opt-Outs"\\n'
    ...                             '"NIC-12345-ABCDE ","NHS X CCG","HES APC","N"\\n')
    ...     tables = read_register(csv_path, "r.csv", d)
    >>> r = tables.releases[0]
    >>> (r.id, r.reference, r.recipient, r.family, r.opt_outs_applied)
    ('r.csv:2', 'NIC-12345-ABCDE', 'NHS X CCG', 'HES', False)
    >>> d.counts()
    {'read': 1, 'parsed': 1, 'rejected': 0}
    >>> [f"{i.code} {i.span}" for i in d]
    ['DFG508 r.csv:1:4', 'DFG203 r.csv:2:1']
    """
    if data is None:
        data = read_path(path, display, diagnostics, limits)
        if data is None:
            return RegisterTables()
    head = data[:8192]
    if head.startswith(_OLE_MAGIC) or sniff_kind(path, head) == "xlsx":
        return _read_workbook(data, path, display, diagnostics, limits)
    if not head.strip():
        diagnostics.report(Span(display, 1, 1), "DFG105", "empty file: no rows to read")
        return RegisterTables()
    if is_binary(head) or sniff_kind(path, head) == "html":
        diagnostics.report(
            Span(display, 1, 1), "DFG507", "not a register table (CSV or workbook); file skipped", Severity.ERROR
        )
        return RegisterTables()
    text = decode(data, display, diagnostics)
    return _read_csv(text, path, display, diagnostics)


def _read_csv(text: str, path: Path, display: str, diagnostics: Diagnostics) -> RegisterTables:
    """One CSV export of a register sheet."""
    state = State(display, diagnostics)
    state.period = register_period(path.name) or register_period(display)
    if not read_table(csv_rows(text), display, None, state, _READERS, is_csv=True):
        diagnostics.report(
            Span(display, 1, 1, text.split("\n", 1)[0][:400]),
            "DFG507",
            f"no header of a known register layout in the first {HEADER_SEARCH} "
            "records (e.g. 'Reference Number', 'NIC Number', 'ODR Reference' "
            "with 'Dataset'); file skipped",
            Severity.ERROR,
        )
    return finish(state)


def _read_workbook(data: bytes, path: Path, display: str, diagnostics: Diagnostics, limits: Limits) -> RegisterTables:
    """Every sheet of a workbook: agreements and datasets before the release rows."""
    try:
        if data.startswith(_OLE_MAGIC):
            raise WorkbookRefused(
                "a binary workbook (.xls) is not read: its cells cannot be checked against the limits "
                "before it is read; save it as .xlsx"
            )
        checked = bounded_file(data, limits)
    except WorkbookRefused as exc:
        diagnostics.report(Span(display, 1, 1), "DFG507", f"workbook not read: {exc}; file skipped", Severity.ERROR)
        return RegisterTables()
    try:
        with checked:
            workbook, names = open_workbook(checked)
    except Exception as exc:  # calamine raises its own types for damaged workbooks
        diagnostics.report(
            Span(display, 1, 1), "DFG507", f"workbook cannot be read ({exc}); file skipped", Severity.ERROR
        )
        return RegisterTables()
    state = State(display, diagnostics)
    roles = {name: role_by_name(name) for name in names}
    state.period = (
        _stated_period(workbook, [n for n in names if roles[n] is Role.NOTES], display)
        or register_period(path.name)
        or register_period(display)
    )
    for role in _ORDER:
        for name in (n for n in names if roles[n] is role):
            try:
                rows, col_offset = sheet_rows(workbook, name)
            except Exception as exc:  # a damaged sheet does not stop the others
                diagnostics.report(
                    Span(f"{display}#{name}", 1, 1), "DFG507", f"sheet cannot be read ({exc}); skipped", Severity.ERROR
                )
                continue
            found = read_table(
                rows,
                f"{display}#{name}",
                role,
                state,
                _READERS,
                col_offset=col_offset,
                previous=role is Role.AMENDMENTS,
            )
            if not found:
                diagnostics.report(
                    Span(f"{display}#{name}", 1, 1),
                    "DFG506",
                    f"sheet {name!r} not recognised: no header of a known layout "
                    f"in its first {HEADER_SEARCH} rows; skipped",
                    Severity.NOTE,
                )
    return finish(state)


def _stated_period(workbook: CalamineWorkbook, names: list[str], display: str) -> Period | None:
    """The register period stated in the first rows of a README or title sheet."""
    for name in names:
        try:
            rows, col_offset = sheet_rows(workbook, name)
        except Exception:  # a damaged notes sheet only loses the period
            continue
        for row in itertools.islice(rows, HEADER_SEARCH):
            for i, cell in enumerate(row.cells or ()):
                text = cell_text(cell)
                span = Span(f"{display}#{name}", row.line, i + 1 + col_offset, text.strip().split("\n", 1)[0][:200])
                if text and (found := register_period(text, span)):
                    return found
    return None
