"""Official register files (CSV and XLSX) to :class:`Entry` and :class:`Release` records.

NHS Digital publishes its register as workbooks with one row per released file;
the reformatted pages are only one view of it.  This module reads, from their
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
"""

from __future__ import annotations

import csv
import enum
import functools
import io
import itertools
import operator
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime, timedelta
from pathlib import Path

from ..._speed import new_spans
from ...errors import Diagnostics, Severity, Span
from ...model import Dataset, Entry, Identifiability, OptOut, OptOuts, Period, Release, Section
from ...names import agreement_core, dataset_family, split_controllers
from ..dates import month
from ..sources import decode, is_binary, sniff_kind

__all__ = [
    "RegisterTables",
    "frequency_of",
    "identifiability_of",
    "normalise_header",
    "read_register",
    "register_period",
]

#: Magic of the older binary workbooks (``.xls``), which python-calamine also reads.
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: How many rows may sit above the header (titles, notes) before a table is given up.
_HEADER_SEARCH = 10


@dataclass(frozen=True, slots=True)
class RegisterTables:
    """What one official register file holds.

    ``entries`` are agreement rows (Agreements), purpose statements
    (PurposeStatements) and, for release registers that carry a purpose per row
    (PHE), one entry per distinct reference.  ``releases`` are the released files.
    ``period`` is the register period when the file states it (title, README or
    file name), else None.
    """

    entries: tuple[Entry, ...] = ()
    releases: tuple[Release, ...] = ()
    period: Period | None = None


# ---------------------------------------------------------------------------------------
# Headers


@dataclass(frozen=True, slots=True)
class _Column:
    """A canonical column: a pattern over the normalised header and its usual spellings."""

    name: str
    pattern: re.Pattern[str]
    known: frozenset[str]


def _column(name: str, pattern: str, *known: str) -> _Column:
    return _Column(name, re.compile(pattern), frozenset(known))


#: Canonical columns, most specific first (the first pattern that matches wins).
_COLUMNS: tuple[_Column, ...] = (
    _column(
        "opt_outs",
        r"opt[- ]?outs?\b",
        "patient opt-outs applied",
        "patient opt-outs applied (note: anonymised - ico code compliant data may show as "
        "'y' due to inclusion of 'date of death')",
    ),
    _column("row_id", r"^row ?id$", "rowid", "row id"),
    _column("controller_kind", r"sole.{0,4}joint|joint.{0,4}sole", "sole/joint data controller"),
    _column("controllers", r"data controller", "data controller(s)", "data controllers"),
    _column("organisation_type", r"organi[sz]ation type", "organisation type", "applicant organisation type"),
    _column("commercial", r"commercial", "for commercial purposes"),
    _column("sublicensing", r"sub-?licen[cs]", "does sublicensing apply"),
    _column("dsa_start", r"\bstart\b", "dsa start date"),
    _column("dsa_end", r"\bend date\b|\b(dsa|agreement) end\b|^end$", "dsa end date"),
    _column("mr_number", r"^mr (number|no)", "mr number (where relevant)"),
    _column("month", r"\bmonth\b|date of release|release date|date released", "month file released", "date of release"),
    _column(
        "reference",
        r"\breference\b|\bnic (number|no)\b|^ref\b|^dars\b",
        "reference number",
        "nic number",
        "odr reference",
    ),
    _column(
        "legal_basis",
        r"legal basis",
        "legal basis for provision of data",
        "legal basis for the release of personally identifiable data",
    ),
    _column(
        "category",
        r"^data provided to customer|data type|type of data|^identifiability",
        "data provided to customer: identifiable, anonymised - ico code compliant, aggregated -anonymised",
        "data type provided to applicant",
        "type of data",
    ),
    _column("confidentiality", r"common law|duty of confidentiality", "common law duty of confidentiality"),
    _column("sensitive", r"sensitiv", "sensitive or non-sensitive"),
    _column("frequency", r"frequency|one ?-?off|ongoing", "frequency", "one off release or ongoing releases"),
    _column("objectives", r"objective", "objective for processing"),
    _column("processing", r"processing activit|^processing$", "processing activities"),
    _column("outputs", r"\boutputs?\b", "expected output"),
    _column("yielded", r"yielded|achieved benefit", "yielded benefits"),
    _column("benefits", r"benefit", "expected measurable benefits"),
    _column("title", r"\btitle\b", "application title"),
    _column("dataset", r"^us$|^data ?sets?\b|^data source|^dataset", "us", "dataset", "data source"),
    _column(
        "organisation",
        r"organi[sz]ation|recipient|^applicant\b|^customer\b",
        "organisation name",
        "organisation",
        "data recipient",
        "applicant organisation",
    ),
    _column("purpose", r"purpose", "purpose"),
)


def normalise_header(header: object) -> str:
    """A header as a comparison key: white space collapsed, lower case.

    >>> normalise_header("Data provided to customer:\\nIdentifiable,  Anonymised ")
    'data provided to customer: identifiable, anonymised'
    """
    return " ".join(_text(header).split()).lower()


def _canonical(header: str) -> _Column | None:
    key = normalise_header(header)
    return next((c for c in _COLUMNS if c.pattern.search(key)), None) if key else None


class _Role(str, enum.Enum):
    """What the rows of one table are."""

    ENTRIES = "entries"
    DATASETS = "datasets"
    RELEASES = "releases"
    AMENDMENTS = "amendments"
    NOTES = "notes"


#: Canonical columns each role turns into record fields; any other column is kept raw.
_USES: dict[_Role, frozenset[str]] = {
    _Role.ENTRIES: frozenset(
        {
            "reference",
            "organisation",
            "title",
            "organisation_type",
            "controllers",
            "dsa_start",
            "dsa_end",
            "sublicensing",
            "commercial",
            "objectives",
            "processing",
            "outputs",
            "benefits",
            "yielded",
        }
    ),
    _Role.DATASETS: frozenset({"reference", "dataset", "category", "sensitive", "frequency", "legal_basis"}),
    _Role.RELEASES: frozenset(
        {
            "row_id",
            "organisation",
            "dataset",
            "category",
            "sensitive",
            "legal_basis",
            "frequency",
            "reference",
            "opt_outs",
            "month",
            "purpose",
            "organisation_type",
        }
    ),
}
_USES[_Role.AMENDMENTS] = _USES[_Role.RELEASES]

_SECTIONS: tuple[tuple[str, str], ...] = (
    ("objectives", "Objectives"),
    ("processing", "Processing"),
    ("outputs", "Outputs"),
    ("benefits", "Expected Benefits"),
    ("yielded", "Yielded Benefits"),
)


def _role_by_name(name: str) -> _Role | None:
    key = re.sub(r"[^a-z]", "", name.lower())
    if "amend" in key:
        return _Role.AMENDMENTS
    if "release" in key:
        return _Role.RELEASES
    if "purpose" in key or "agreement" in key:
        return _Role.ENTRIES
    if "dataset" in key:
        return _Role.DATASETS
    if key.startswith(("readme", "title", "nbo", "contents", "notes", "cover")):
        return _Role.NOTES
    return None


def _role_by_columns(columns: Iterable[str]) -> _Role | None:
    cols = set(columns)
    if "reference" not in cols:
        return None
    if cols & {"objectives", "processing", "outputs", "title", "controllers", "dsa_start"}:
        return _Role.ENTRIES
    if cols & {"month", "organisation", "opt_outs", "row_id"}:
        return _Role.RELEASES
    if "dataset" in cols:
        return _Role.DATASETS
    return None


# ---------------------------------------------------------------------------------------
# Rows and tables


@dataclass(slots=True)
class _Row:
    """One physical record: its 1-based start line (or sheet row), cells and raw first line."""

    line: int
    cells: list[object] | None
    raw: str = ""
    error: str = ""


@dataclass(slots=True)
class _Table:
    """One sheet or CSV file once its header is known."""

    source: str
    role: _Role
    header_line: int
    headers: tuple[str, ...]
    columns: dict[str, int]
    kept: tuple[int, ...]
    unknown: frozenset[int]
    col_offset: int = 0
    previous: bool = False
    pairs: tuple[tuple[str, int], ...] = ()
    coded: dict[tuple[str, ...], tuple[tuple[object, ...], bool]] = field(default_factory=dict)
    _names: tuple[str, ...] = ()
    _pick: Callable[[list[object]], tuple[object, ...]] | None = None

    def __post_init__(self) -> None:
        self.pairs = tuple(self.columns.items())
        if len(self.pairs) > 1:
            self._names = tuple(self.columns)
            self._pick = operator.itemgetter(*self.columns.values())

    def raw(self, cells: list[object], name: str) -> str:
        i = self.columns.get(name)
        if i is None or i >= len(cells):
            return ""
        value = cells[i]
        return value if type(value) is str and "\r" not in value else _text(value)

    def get(self, cells: list[object], name: str) -> str:
        return self.raw(cells, name).strip()

    def values(self, cells: list[object]) -> dict[str, str]:
        """Every mapped column of a row as trimmed text."""
        if self._pick is not None:
            try:
                picked = self._pick(cells)
                if "\r" not in "".join(picked):  # type: ignore[arg-type]  # all text, no CR
                    return dict(zip(self._names, map(str.strip, picked), strict=True))
            except (IndexError, TypeError):  # a short row, or a cell that is not text
                pass
        n = len(cells)
        out = {}
        for name, i in self.pairs:
            if i < n:
                v = cells[i]
                out[name] = (v if type(v) is str and "\r" not in v else _text(v)).strip()
        return out

    def cell(self, cells: list[object], name: str) -> object:
        i = self.columns.get(name)
        return cells[i] if i is not None and i < len(cells) else ""

    def span(self, row: _Row, name: str | None = None, text: str = "") -> Span:
        col = self.columns.get(name, 0) + 1 + self.col_offset if name else 1
        return Span(self.source, row.line, col, text or row.raw)

    def kept_values(self, cells: list[object]) -> list[tuple[str, str]]:
        out = []
        n = len(cells)
        for i in self.kept:
            if i < n and (v := cells[i]) is not None and v != "" and (v := _text(v).strip()):
                out.append((self.headers[i], v))
        return out


def _text(value: object) -> str:
    """A cell as text: integral floats without '.0', dates in ISO form, CR LF as LF."""
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


def _is_blank(cells: list[object]) -> bool:
    for c in cells:
        if c is not None and c != "" and not (isinstance(c, str) and c.isspace()):
            return False
    return True


def _raw_of(cells: list[object]) -> str:
    return "\t".join(_text(c) for c in cells).split("\n", 1)[0][:400]


def _csv_rows(text: str) -> Iterator[_Row]:
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
            yield _Row(start, None, raw, str(exc))
            if not consumed:
                return
            continue
        raw = consumed[0].rstrip("\r\n") if consumed else ""
        yield _Row(start, list(cells), raw)


def _sheet_rows(sheet: object) -> tuple[Iterator[_Row], int]:
    """Rows of a calamine sheet numbered as the spreadsheet numbers them, and the column offset.

    ``iter_rows`` starts at the first column of the data but, depending on the version,
    at row 1 or at the first row of the data; the first row tells which.
    """
    start = sheet.start or (0, 0)
    end = sheet.end or (0, 0)
    rows = iter(sheet.iter_rows())
    first = next(rows, None)
    if first is None:
        return iter(()), 0
    row0 = 0 if start[0] > 0 and _is_blank(first) else start[0]
    col0 = 0 if start[1] > 0 and len(first) == end[1] + 1 else start[1]
    return map(_Row, itertools.count(row0 + 1), itertools.chain([first], rows)), col0


# ---------------------------------------------------------------------------------------
# Values


@functools.lru_cache(maxsize=1024)
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
    key = re.sub(r"\s*-\s*", "-", " ".join(category.lower().split()))
    if key in ("identifiable", "personally identifiable", "identifiable data"):
        return Identifiability.IDENTIFIABLE
    if key.startswith("aggregate"):
        return Identifiability.AGGREGATE
    if key.startswith("pseudonymi"):
        return Identifiability.PSEUDONYMISED
    if key.startswith(("anonymised", "anonymized", "de-personalised", "depersonalised")):
        return Identifiability.ANONYMISED
    return None


@functools.lru_cache(maxsize=256)
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


@functools.lru_cache(maxsize=256)
def _yes_no(value: str) -> bool | None:
    key = value.strip().lower()
    return True if key in _YES else False if key in _NO else None


@functools.lru_cache(maxsize=256)
def _sensitive(value: str) -> bool | None:
    key = re.sub(r"[\s\-]+", "", value.lower())
    return True if key == "sensitive" else False if key == "nonsensitive" else None


_UK_DATE = re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.]((?:19|20)\d\d)\b")


def _month_of(value: object) -> str | None:
    """``YYYY-MM`` of a cell: a date, an Excel serial number, ``Jul-19`` or ``02/07/2019``."""
    if isinstance(value, (date, datetime)):
        return f"{value.year:04d}-{value.month:02d}"
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 20_000 < value < 80_000:
        day = date(1899, 12, 30) + timedelta(days=int(value))
        return f"{day.year:04d}-{day.month:02d}"
    return _month_of_text(_text(value).strip())


@functools.lru_cache(maxsize=4096)
def _month_of_text(text: str) -> str | None:
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


def _month_before(value: str) -> str:
    year, mm = int(value[:4]), int(value[5:7])
    return f"{year - 1:04d}-12" if mm == 1 else f"{year:04d}-{mm - 1:02d}"


# ---------------------------------------------------------------------------------------
# State shared by the tables of one file


@dataclass(frozen=True, slots=True)
class _DatasetRow:
    """A row of a Datasets sheet: what an agreement may receive, and how."""

    reference: str
    name: str
    family: str | None
    category: str
    sensitive: str
    frequency: str
    legal_basis: str
    span: Span
    extra: tuple[tuple[str, str], ...] = ()


@dataclass(slots=True)
class _Released:
    """What the release rows of one agreement core say about it."""

    datasets: dict[str, Dataset] = field(default_factory=dict)
    applied: int = 0
    not_applied: int = 0
    legal_bases: dict[str, None] = field(default_factory=dict)


@dataclass(slots=True)
class _PurposeDraft:
    """An entry built from release rows that carry a purpose (PHE registers)."""

    reference: str
    source: str
    line: int
    recipient: str
    organisation_type: str
    purposes: dict[str, int] = field(default_factory=dict)
    datasets: dict[str, Span] = field(default_factory=dict)
    legal_bases: dict[str, None] = field(default_factory=dict)
    months: set[str] = field(default_factory=set)


@dataclass(slots=True)
class _State:
    """Everything one file's tables share while they are read."""

    display: str
    diagnostics: Diagnostics
    period: Period | None = None
    releases: list[Release] = field(default_factory=list)
    drafts: list[dict[str, object]] = field(default_factory=list)
    agreements: dict[str, str] = field(default_factory=dict)
    agreement_cores: dict[str, dict[str, None]] = field(default_factory=dict)
    dataset_rows: dict[str, list[_DatasetRow]] = field(default_factory=dict)
    dataset_cores: dict[str, list[_DatasetRow]] = field(default_factory=dict)
    dataset_info: dict[tuple[str, str], _DatasetRow] = field(default_factory=dict)
    released: dict[str, _Released] = field(default_factory=dict)
    purposes: dict[str, _PurposeDraft] = field(default_factory=dict)
    reported: set[tuple[str, ...]] = field(default_factory=set)

    def once(
        self, key: tuple[str, ...], span: Span, code: str, message: str, severity: Severity = Severity.NOTE
    ) -> None:
        """Report a problem with a repeated value only at its first row."""
        if key not in self.reported:
            self.reported.add(key)
            self.diagnostics.report(span, code, message, severity)

    def recipient(self, reference: str, core: str) -> str:
        """The applicant organisation of an agreement (exact reference, else its core)."""
        if reference in self.agreements:
            return self.agreements[reference]
        names = self.agreement_cores.get(core, {})
        return next(iter(names)) if len(names) == 1 else ""


def _intern(value: str) -> str:
    return sys.intern(value) if len(value) < 200 else value


def _key(name: str) -> str:
    return " ".join(name.lower().split())


# ---------------------------------------------------------------------------------------
# Tables


_LABELS = {
    "opt_outs": "Patient Opt-Outs Applied",
    "row_id": "RowID",
    "controller_kind": "Sole/Joint Data Controller",
    "controllers": "Data Controller(s)",
    "organisation_type": "Applicant Organisation Type",
    "commercial": "For Commercial Purposes",
    "sublicensing": "Does Sublicensing Apply",
    "dsa_start": "DSA Start Date",
    "dsa_end": "DSA End Date",
    "mr_number": "MR Number",
    "month": "Month File Released",
    "reference": "Reference Number",
    "category": "Type of Data",
    "legal_basis": "Legal Basis for Provision of Data",
    "confidentiality": "Common Law Duty of Confidentiality",
    "sensitive": "Sensitive or Non-Sensitive",
    "frequency": "Frequency",
    "objectives": "Objective for Processing",
    "processing": "Processing Activities",
    "outputs": "Expected Output",
    "yielded": "Yielded Benefits",
    "benefits": "Expected Measurable Benefits",
    "title": "Application Title",
    "dataset": "Dataset",
    "organisation": "Organisation",
    "purpose": "Purpose",
}


def _column_label(index: int, *, letters: bool) -> str:
    if not letters:
        return f"column {index + 1}"
    name, n = "", index + 1
    while n:
        n, r = divmod(n - 1, 26)
        name = chr(65 + r) + name
    return f"column {name}"


def _find_header(rows: Iterator[_Row], role: _Role | None) -> _Row | None:
    """The first row, among the first few non-blank ones, that reads as a header."""
    seen = 0
    for row in rows:
        if row.cells is None or _is_blank(row.cells):
            continue
        columns = {c.name for h in row.cells if (c := _canonical(_text(h)))}
        if len(columns) >= 2 and (role is not None or _role_by_columns(columns) is not None):
            return row
        seen += 1
        if seen >= _HEADER_SEARCH:
            return None
    return None


def _table(
    header: _Row, source: str, role: _Role | None, state: _State, *, col_offset: int, letters: bool
) -> _Table | None:
    """Map the header cells to canonical columns; report unknown and renamed headers."""
    headers = tuple(" ".join(_text(c).split()) for c in header.cells or ())
    columns: dict[str, int] = {}
    unknown: set[int] = set()
    notes: list[tuple[Span, str, str]] = []
    for i, text in enumerate(headers):
        span = Span(source, header.line, i + 1 + col_offset, text)
        column = _canonical(text)
        if not text:
            unknown.add(i)
        elif column is None or column.name in columns:
            unknown.add(i)
            why = "not recognised" if column is None else f"repeats the {_LABELS[column.name]} column"
            notes.append((span, "DFG502", f"header {text!r} {why}; its values are kept as extra fields"))
        else:
            columns[column.name] = i
            if normalise_header(text) not in column.known:
                notes.append((span, "DFG508", f"header {text!r} read as {_LABELS[column.name]!r}"))
    role = role or _role_by_columns(columns)
    if role is None:
        return None
    for span, code, message in notes:
        state.diagnostics.report(span, code, message, Severity.NOTE)
    uses = _USES.get(role, frozenset())
    used = {i for name, i in columns.items() if name in uses}
    names = tuple(h or _column_label(i, letters=letters) for i, h in enumerate(headers))
    kept = tuple(i for i in range(len(headers)) if i not in used)
    return _Table(source, role, header.line, names, columns, kept, frozenset(unknown), col_offset)


def _read_table(
    rows: Iterator[_Row],
    source: str,
    role: _Role | None,
    state: _State,
    *,
    col_offset: int = 0,
    is_csv: bool = False,
    previous: bool = False,
) -> bool:
    """Read one sheet or CSV file; False when it has no header of a known layout."""
    header = _find_header(rows, role)
    table = header and _table(header, source, role, state, col_offset=col_offset, letters=not is_csv)
    if not table:
        return False
    table.previous = previous
    reader = _READERS.get(table.role)
    if reader is None:
        return True
    width = len(table.headers)
    missing = "reference" not in table.columns
    blank_headers = {i for i in table.unknown if table.headers[i].startswith("column ")}
    lost = read = parsed = 0
    for row in rows:
        cells = row.cells
        if cells is not None and _is_blank(cells):
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
            f"no reference column (expected {_LABELS['reference']!r}, 'NIC Number' or "
            f"'ODR Reference'); {lost} row(s) rejected",
            Severity.ERROR,
        )
    return True


def _fits(row: _Row, width: int, table: _Table, state: _State) -> bool:
    """A CSV record has as many fields as the header (trailing empty fields are tolerated)."""
    cells = row.cells or []
    if len(cells) == width:
        return True
    if len(cells) > width and _is_blank(cells[width:]):
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


def _report_blank_headers(table: _Table, row: _Row, pending: set[int], state: _State) -> None:
    for i in sorted(pending):
        if i < len(row.cells or ()) and _text(row.cells[i]).strip():
            pending.discard(i)
            state.diagnostics.report(
                Span(table.source, table.header_line, i + 1 + table.col_offset, ""),
                "DFG502",
                f"{table.headers[i]} has no header but holds values (first on row {row.line}); "
                f"they are kept as extra field {table.headers[i]!r}",
                Severity.NOTE,
            )


# ---------------------------------------------------------------------------------------
# Row readers


def _reference(table: _Table, row: _Row, state: _State) -> str | None:
    """The trimmed reference of a row; None, with DFG504, when it has none."""
    raw = table.raw(row.cells or [], "reference")
    reference = raw.strip()
    if not reference:
        state.diagnostics.report(
            table.span(row, text=row.raw or _raw_of(row.cells or [])),
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


def _understood(
    table: _Table, row: _Row, column: str, value: str, parsed: object, expected: str, state: _State
) -> bool:
    """False, with one DFG505 note per distinct value, when a non-empty value is not understood."""
    if parsed is not None or not value:
        return True
    header = table.headers[table.columns[column]] if column in table.columns else _LABELS[column]
    state.once(
        (table.source, column, value),
        table.span(row, column, value),
        "DFG505",
        f"{header[:60]!r} value {value!r} not understood (expected {expected}); kept raw (reported once per value)",
    )
    return False


def _family(name: str, table: _Table, row: _Row, state: _State) -> str | None:
    family = dataset_family(name) if name else None
    if name and family is None:
        state.once(
            (state.display, "family", name),
            table.span(row, "dataset", name),
            "DFG213",
            f"dataset {name!r} is not in any reviewed family (dataflow_graph/data/datasets.yaml); family left empty",
        )
    return family


_core = functools.lru_cache(maxsize=65536)(agreement_core)

#: The fields of :class:`Release` in the order ``_read_release`` passes them.
_RELEASE_FIELDS = (
    "id",
    "source",
    "line",
    "reference",
    "agreement",
    "recipient",
    "dataset",
    "family",
    "category",
    "identifiability",
    "sensitive",
    "legal_basis",
    "frequency",
    "opt_outs_applied",
    "month",
    "period",
    "row_id",
    "extra",
)
if tuple(f.name for f in fields(Release)) != _RELEASE_FIELDS:  # pragma: no cover
    raise ImportError("Release fields changed: update _read_release and _RELEASE_FIELDS")


def _read_release(table: _Table, row: _Row, state: _State) -> bool:
    """One released file."""
    cells = row.cells or []
    v = table.values(cells)
    reference = v.get("reference", "")
    if not reference or cells[table.columns["reference"]] is not reference:  # else already trim
        reference = _reference(table, row, state)
        if reference is None:
            return False
    core = _core(reference)
    dataset = v.get("dataset", "")
    recipient = v.get("organisation", "")
    if not recipient and "organisation" not in table.columns:
        recipient = _looked_up_recipient(reference, core, table, row, state)
    extra = table.kept_values(cells)
    family = _family(dataset, table, row, state)
    info = state.dataset_info.get((core, _key(dataset))) if state.dataset_info else None
    category, identifiability, sensitive, frequency, applied, when = _release_values(table, row, v, info, extra, state)
    legal_basis = v.get("legal_basis") or (info.legal_basis if info else "")
    intern = sys.intern
    release = Release(  # positional, in the order of _RELEASE_FIELDS: a third faster than keywords
        f"{table.source}:{row.line}",
        table.source,
        row.line,
        intern(reference) if len(reference) < 200 else reference,
        intern(core) if len(core) < 200 else core,
        intern(recipient) if len(recipient) < 200 else recipient,
        intern(dataset) if len(dataset) < 200 else dataset,
        family,
        category,
        identifiability,
        sensitive,
        intern(legal_basis) if len(legal_basis) < 200 else legal_basis,
        frequency,
        applied,
        when,
        _previous_period(state) if table.previous else state.period,
        v.get("row_id", ""),
        tuple(extra),
    )
    state.releases.append(release)
    _note_release(release, table, row, v, state)
    return True


def _looked_up_recipient(reference: str, core: str, table: _Table, row: _Row, state: _State) -> str:
    """The applicant organisation of the Agreements sheet, for release sheets without one."""
    recipient = state.recipient(reference, core)
    if not state.agreements:
        state.once(
            (table.source, "no recipient"),
            Span(table.source, table.header_line, 1),
            "DFG503",
            "no recipient column (e.g. 'Organisation Name') and no "
            "Agreements sheet to look the reference up in; recipients left empty",
            Severity.WARNING,
        )
    elif not recipient:
        state.once(
            (table.source, "agreement", reference),
            table.span(row, "reference"),
            "DFG509",
            f"reference {reference!r} is not in an Agreements sheet of this file; recipient unknown",
            Severity.WARNING,
        )
    return recipient


_Values = tuple[str, Identifiability | None, bool | None, str, bool | None]


def _coded_values(
    table: _Table, row: _Row, category: str, sensitive_raw: str, frequency_raw: str, opt_raw: str, state: _State
) -> tuple[_Values, bool]:
    """Category, sensitivity, frequency and opt-outs read; False when opt-outs are not."""
    identifiability = identifiability_of(category) if category else None
    _understood(
        table,
        row,
        "category",
        category,
        identifiability,
        "Identifiable, Pseudonymised, Anonymised - ICO code compliant, Aggregated",
        state,
    )
    sensitive = _sensitive(sensitive_raw)
    _understood(table, row, "sensitive", sensitive_raw, sensitive, "Sensitive or Non-Sensitive", state)
    frequency = frequency_of(frequency_raw) if frequency_raw else ""
    if not _understood(table, row, "frequency", frequency_raw, frequency, "One-Off or Ongoing", state):
        frequency = frequency_raw
    applied = _yes_no(opt_raw) if opt_raw else None
    understood = _understood(table, row, "opt_outs", opt_raw, applied, "Y or N", state)
    return (_intern(category), identifiability, sensitive, _intern(frequency or ""), applied), understood


def _release_values(
    table: _Table, row: _Row, v: dict[str, str], info: _DatasetRow | None, extra: list[tuple[str, str]], state: _State
) -> tuple[str, Identifiability | None, bool | None, str, bool | None, str | None]:
    """Category, identifiability, sensitivity, frequency, opt-outs and month of a row.

    The coded columns repeat from row to row; each combination is read once per table
    (a value not understood is reported once anyway, at the first row that has it).
    """
    key = (
        v.get("category") or (info.category if info else ""),
        v.get("sensitive") or (info.sensitive if info else ""),
        v.get("frequency") or (info.frequency if info else ""),
        v.get("opt_outs", ""),
    )
    known = table.coded.get(key)
    if known is None:
        known = table.coded[key] = _coded_values(table, row, *key, state)
    values, understood = known
    if not understood:
        extra.append((table.headers[table.columns["opt_outs"]], key[3]))
    when = None
    if month_text := v.get("month"):
        when = _month_of(table.cell(row.cells or [], "month"))
        if when is None:
            state.diagnostics.report(
                table.span(row, "month", month_text),
                "DFG210",
                f"date {month_text!r} not understood (expected e.g. 'Jul-19' or '2019-07-01'); month left empty",
            )
    return (*values, when)


def _previous_period(state: _State) -> Period | None:
    """Rows 'omitted from previous registers' were released before this register's period."""
    if state.period is None or not state.period.start:
        return None
    return Period(
        None, _month_before(state.period.start), "omitted from previous registers", None, "before this register"
    )


def _note_release(release: Release, table: _Table, row: _Row, v: dict[str, str], state: _State) -> None:
    """Remember what this row says about its agreement and, with a purpose, its entry."""
    if not table.previous:
        seen = state.released.get(release.agreement)
        if seen is None:
            seen = state.released[release.agreement] = _Released()
        if release.dataset and release.dataset not in seen.datasets:
            seen.datasets[release.dataset] = Dataset(
                release.dataset, release.family, Span(release.source, release.line, 1, release.dataset)
            )
        seen.applied += release.opt_outs_applied is True
        seen.not_applied += release.opt_outs_applied is False
        if release.legal_basis:
            seen.legal_bases[release.legal_basis] = None
    purpose = v.get("purpose")
    if not purpose:
        return
    draft = state.purposes.get(release.reference)
    if draft is None:
        draft = state.purposes[release.reference] = _PurposeDraft(
            release.reference, release.source, release.line, release.recipient, v.get("organisation_type", "")
        )
    draft.purposes.setdefault(purpose, row.line)
    for name in (p.strip() for p in release.dataset.split(", ")):
        if name:
            draft.datasets.setdefault(name, Span(release.source, release.line, 1, name))
    if release.legal_basis:
        draft.legal_bases[release.legal_basis] = None
    if release.month:
        draft.months.add(release.month)


class _CellSection(Section):
    """A :class:`Section` of one cell whose line spans are made on first use.

    Reading a workbook does not need the spans of every line of every statement; the
    flows and the JSON do, and get exactly what ``Section(name, lines[0], lines)``
    would hold.  It compares, hashes, prints and pickles as that plain section.
    """

    __slots__ = ("_lines", "_text")

    def __init__(self, name: str, span: Span, lines: tuple[Span, ...] = ()) -> None:
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "span", span)
        object.__setattr__(self, "_text", "\n".join(s.text for s in lines))
        object.__setattr__(self, "_lines", tuple(lines))

    @classmethod
    def of_cell(cls, name: str, source: str, line: int, text: str) -> _CellSection:
        """The section of a stripped, non-empty cell text on sheet row ``line``."""
        self = cls.__new__(cls)
        _set_name(self, name)
        end = text.find("\n")  # not split/partition: they copy the rest of a long cell
        _set_heading(self, new_spans(source, line, text if end < 0 else text[:end])[0])
        _set_cell_text(self, text)
        return self

    @property  # type: ignore[override]
    def lines(self) -> tuple[Span, ...]:
        try:
            return self._lines
        except AttributeError:
            lines = new_spans(self.span.path, self.span.line, self._text)
            object.__setattr__(self, "_lines", lines)
            return lines

    @property
    def text(self) -> str:
        return self._text

    def _plain(self) -> Section:
        return Section(self.name, self.span, self.lines)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Section):
            return (self.name, self.span, self.lines) == (other.name, other.span, other.lines)
        return NotImplemented

    __hash__ = Section.__hash__

    def __repr__(self) -> str:
        return repr(self._plain())

    def __reduce__(self) -> tuple[type[Section], tuple[str, Span, tuple[Span, ...]]]:
        return Section, (self.name, self.span, self.lines)


_set_name, _set_heading = Section.__dict__["name"].__set__, Section.__dict__["span"].__set__
_set_cell_text = _CellSection.__dict__["_text"].__set__


def _section(name: str, text: str, source: str, line: int) -> Section | None:
    """A free-text cell as a section: one span per line of the cell, all on the sheet row."""
    text = text.strip()
    if not text:
        return None
    return _CellSection.of_cell(name, source, line, text)


def _read_entry(table: _Table, row: _Row, state: _State) -> bool:
    """One agreement (Agreements) or purpose statement (PurposeStatements) row."""
    cells = row.cells or []
    reference = _reference(table, row, state)
    if reference is None:
        return False
    organisation = table.get(cells, "organisation") or None
    sections = tuple(
        s for s in (_section(label, table.raw(cells, col), table.source, row.line) for col, label in _SECTIONS) if s
    )
    agreement_sheet = bool(table.columns.keys() & {"title", "controllers", "dsa_start"})
    fields, unrecognised = _kept_fields(table, row)
    agreement = _core(reference)
    state.drafts.append(
        dict(
            id=f"{table.source}:{row.line}",
            source=table.source,
            line=row.line,
            position=len(state.drafts),
            reference=reference,
            agreement=agreement,
            title=table.get(cells, "title") or organisation or reference,
            organisation=organisation,
            organisation_type=table.get(cells, "organisation_type") or None,
            dsa=_dsa(table, row, state),
            sublicensing=_flag(table, row, "sublicensing", state),
            commercial=_flag(table, row, "commercial", state),
            controllers=tuple(split_controllers(table.get(cells, "controllers"))),
            sections=sections,
            fields=fields,
            unrecognised=unrecognised,
            variant="data-uses-register" if agreement_sheet else "quarterly-register",
            span=Span(table.source, row.line, 1, table.raw(cells, "reference")),
        )
    )
    if organisation:
        state.agreements.setdefault(reference, organisation)
        state.agreement_cores.setdefault(agreement, {})[organisation] = None
    return True


def _kept_fields(table: _Table, row: _Row) -> tuple[tuple[tuple[str, str, Span], ...], tuple[Span, ...]]:
    """Columns an entry does not model: known ones as fields, unknown ones as unrecognised."""
    fields, unrecognised = [], []
    for i in table.kept:
        value = _text(row.cells[i]).strip() if i < len(row.cells or ()) else ""
        if not value:
            continue
        span = Span(table.source, row.line, i + 1 + table.col_offset, value)
        if i in table.unknown:
            unrecognised.append(replace(span, text=f"{table.headers[i]}: {value}"))
        else:
            fields.append((table.headers[i], value, span))
    return tuple(fields), tuple(unrecognised)


def _flag(table: _Table, row: _Row, column: str, state: _State) -> bool | None:
    value = table.get(row.cells or [], column)
    parsed = _yes_no(value) if value else None
    if parsed is None and value:
        state.once(
            (table.source, column, value),
            table.span(row, column, value),
            "DFG212",
            f"{_LABELS[column]!r} value {value!r} is not yes or no; left unknown",
            Severity.WARNING,
        )
    return parsed


def _dsa(table: _Table, row: _Row, state: _State) -> Period | None:
    """The agreement window from the DSA start and end dates."""
    cells = row.cells or []
    start_cell, end_cell = table.cell(cells, "dsa_start"), table.cell(cells, "dsa_end")
    start_text, end_text = _text(start_cell).strip(), _text(end_cell).strip()
    if not start_text and not end_text:
        return None
    start = _month_of(start_cell) if start_text else None
    end = _month_of(end_cell) if end_text else None
    span = table.span(row, "dsa_start", f"{start_text} – {end_text}")
    for text, parsed in ((start_text, start), (end_text, end)):
        if text and parsed is None:
            state.diagnostics.report(
                span, "DFG210", f"DSA date {text!r} not understood (expected e.g. '2019-05-01'); that end left open"
            )
    period = Period(start, end, span.text, span)
    if period.reversed:
        state.diagnostics.report(
            span, "DFG211", f"DSA window {span.text!r} ends ({end}) before it starts ({start}); kept as published"
        )
    return period


def _read_dataset(table: _Table, row: _Row, state: _State) -> bool:
    """One row of a Datasets sheet: kept for its agreement and for the release rows."""
    cells = row.cells or []
    reference = _reference(table, row, state)
    if reference is None:
        return False
    name = table.get(cells, "dataset")
    if not name:
        state.diagnostics.report(
            table.span(row, text=_raw_of(cells)), "DFG511", "dataset row has no dataset name; rejected", Severity.ERROR
        )
        return False
    span = table.span(row, "dataset", name)
    category = table.get(cells, "category")
    _understood(
        table,
        row,
        "category",
        category,
        identifiability_of(category) if category else None,
        "Identifiable, Pseudonymised, Anonymised - ICO code compliant, Aggregated",
        state,
    )
    record = _DatasetRow(
        reference,
        name,
        _family(name, table, row, state),
        category,
        table.get(cells, "sensitive"),
        table.get(cells, "frequency"),
        table.get(cells, "legal_basis"),
        span,
        tuple(table.kept_values(cells)),
    )
    core = agreement_core(reference)
    state.dataset_rows.setdefault(reference, []).append(record)
    state.dataset_cores.setdefault(core, []).append(record)
    state.dataset_info.setdefault((core, _key(name)), record)
    if state.drafts and reference not in state.agreements and core not in state.agreement_cores:
        state.once(
            (table.source, "agreement", reference),
            table.span(row, "reference"),
            "DFG509",
            f"reference {reference!r} is not in an Agreements sheet of this "
            "file; the dataset row is used only for release rows",
            Severity.WARNING,
        )
    return True


_READERS = {
    _Role.ENTRIES: _read_entry,
    _Role.DATASETS: _read_dataset,
    _Role.RELEASES: _read_release,
    _Role.AMENDMENTS: _read_release,
}


# ---------------------------------------------------------------------------------------
# Finishing entries


def _opt_outs(seen: _Released | None) -> OptOuts:
    if seen is None or not (seen.applied or seen.not_applied):
        return OptOuts()
    honoured = OptOut.MIXED if seen.applied and seen.not_applied else OptOut.YES if seen.applied else OptOut.NO
    return OptOuts(honoured, f"released files: {seen.applied} with opt-outs applied, {seen.not_applied} without")


def _complete(draft: dict[str, object], state: _State) -> Entry:
    """The entry of a row, with datasets, opt-outs and legal bases from the Datasets and
    release rows (built once, when every sheet has been read)."""
    agreement, reference = str(draft["agreement"]), str(draft["reference"])
    seen = state.released.get(agreement)
    rows = state.dataset_rows.get(reference) or state.dataset_cores.get(agreement, [])
    changes: dict[str, object] = {"opt_outs": _opt_outs(seen)}
    if rows:
        names = dict.fromkeys(r.name for r in rows)
        first = {r.name: r for r in reversed(rows)}
        changes["datasets"] = tuple(Dataset(n, first[n].family, first[n].span) for n in names)
        changes["legal_basis"] = tuple(dict.fromkeys(r.legal_basis for r in rows if r.legal_basis))
        changes["type_of_data"] = "; ".join(dict.fromkeys(r.category for r in rows if r.category)) or None
        flags = {_sensitive(r.sensitive) for r in rows if r.sensitive}
        changes["sensitive"] = True if True in flags else False if flags == {False} else None
        changes["sensitivity"] = "; ".join(dict.fromkeys(r.sensitive for r in rows if r.sensitive)) or None
        changes["fields"] = draft["fields"] + tuple((h, f"{r.name}: {v}", r.span) for r in rows for h, v in r.extra)
    elif seen is not None:
        changes["datasets"] = tuple(seen.datasets[n] for n in sorted(seen.datasets))
        changes["legal_basis"] = tuple(seen.legal_bases)
        if draft["variant"] == "quarterly-register":
            changes["period"] = state.period
    return Entry(**{**draft, **changes})  # type: ignore[arg-type]


def _purpose_entry(draft: _PurposeDraft, position: int) -> Entry:
    """An entry for a release register that states a purpose on each row (PHE)."""
    sections = []
    for text, line in draft.purposes.items():
        lines = tuple(Span(draft.source, line, 1, part) for part in text.split("\n"))
        sections.append(Section("Purpose", lines[0], lines))
    months = sorted(draft.months)
    return Entry(
        id=f"{draft.source}:{draft.line}",
        source=draft.source,
        line=draft.line,
        position=position,
        reference=draft.reference,
        agreement=agreement_core(draft.reference),
        title=draft.recipient or draft.reference,
        organisation=draft.recipient or None,
        organisation_type=draft.organisation_type or None,
        legal_basis=tuple(draft.legal_bases),
        period=Period(months[0], months[-1], "months of the release rows") if months else None,
        datasets=tuple(Dataset(n, dataset_family(n), s) for n, s in draft.datasets.items()),
        sections=tuple(sections),
        variant="release-register",
        span=Span(draft.source, draft.line, 1, draft.reference),
    )


def _finish(state: _State) -> RegisterTables:
    entries = [_complete(d, state) for d in state.drafts]
    entries += [_purpose_entry(d, len(entries) + i) for i, d in enumerate(state.purposes.values())]
    return RegisterTables(tuple(entries), tuple(state.releases), state.period)


# ---------------------------------------------------------------------------------------
# Files


def read_register(path: Path, display: str, diagnostics: Diagnostics) -> RegisterTables:
    """Read an official register file, CSV or workbook, detected from its content.

    Bad data never raises: each problem is reported to ``diagnostics`` with
    ``file:line`` (``file#sheet:row`` for workbooks) and the run goes on.  Every
    data row read is counted as parsed or rejected.

    Parameters
    ----------
    path : Path
        The file to read.
    display : str
        The name evidence and diagnostics use for it.
    diagnostics : Diagnostics
        Collects problems and the read/parsed/rejected counts.

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
    try:
        with path.open("rb") as handle:
            head = handle.read(8192)
    except OSError as exc:
        diagnostics.report(Span(display, 1, 1), "DFG110", f"cannot read: {exc.strerror or exc}", Severity.ERROR)
        return RegisterTables()
    if head.startswith(_OLE_MAGIC) or sniff_kind(path, head) == "xlsx":
        return _read_workbook(path, display, diagnostics)
    if not head.strip():
        diagnostics.report(Span(display, 1, 1), "DFG105", "empty file: no rows to read")
        return RegisterTables()
    if is_binary(head) or sniff_kind(path, head) == "html":
        diagnostics.report(
            Span(display, 1, 1), "DFG507", "not a register table (CSV or workbook); file skipped", Severity.ERROR
        )
        return RegisterTables()
    text = decode(path.read_bytes(), display, diagnostics)
    return _read_csv(text, path, display, diagnostics)


def _read_csv(text: str, path: Path, display: str, diagnostics: Diagnostics) -> RegisterTables:
    state = _State(display, diagnostics)
    state.period = register_period(path.name) or register_period(display)
    if not _read_table(_csv_rows(text), display, None, state, is_csv=True):
        diagnostics.report(
            Span(display, 1, 1, text.split("\n", 1)[0][:400]),
            "DFG507",
            f"no header of a known register layout in the first {_HEADER_SEARCH} "
            "records (e.g. 'Reference Number', 'NIC Number', 'ODR Reference' "
            "with 'Dataset'); file skipped",
            Severity.ERROR,
        )
    return _finish(state)


_ORDER = (_Role.ENTRIES, _Role.DATASETS, _Role.RELEASES, _Role.AMENDMENTS, None)


def _read_workbook(path: Path, display: str, diagnostics: Diagnostics) -> RegisterTables:
    """Every sheet of a workbook: agreements and datasets before the release rows."""
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
        names = list(workbook.sheet_names)
    except Exception as exc:  # calamine raises its own types for damaged workbooks
        diagnostics.report(
            Span(display, 1, 1), "DFG507", f"workbook cannot be read ({exc}); file skipped", Severity.ERROR
        )
        return RegisterTables()
    state = _State(display, diagnostics)
    roles = {name: _role_by_name(name) for name in names}
    state.period = (
        _stated_period(workbook, [n for n in names if roles[n] is _Role.NOTES], display)
        or register_period(path.name)
        or register_period(display)
    )
    for role in _ORDER:
        for name in (n for n in names if roles[n] is role):
            try:
                rows, col_offset = _sheet_rows(workbook.get_sheet_by_name(name))
            except Exception as exc:  # a damaged sheet does not stop the others
                diagnostics.report(
                    Span(f"{display}#{name}", 1, 1), "DFG507", f"sheet cannot be read ({exc}); skipped", Severity.ERROR
                )
                continue
            found = _read_table(
                rows, f"{display}#{name}", role, state, col_offset=col_offset, previous=role is _Role.AMENDMENTS
            )
            if not found:
                diagnostics.report(
                    Span(f"{display}#{name}", 1, 1),
                    "DFG506",
                    f"sheet {name!r} not recognised: no header of a known layout "
                    f"in its first {_HEADER_SEARCH} rows; skipped",
                    Severity.NOTE,
                )
    return _finish(state)


def _stated_period(workbook: object, names: list[str], display: str) -> Period | None:
    """The register period stated in the first rows of a README or title sheet."""
    for name in names:
        try:
            rows, col_offset = _sheet_rows(workbook.get_sheet_by_name(name))
        except Exception:  # a damaged notes sheet only loses the period
            continue
        for row in itertools.islice(rows, _HEADER_SEARCH):
            for i, cell in enumerate(row.cells or ()):
                text = _text(cell)
                span = Span(f"{display}#{name}", row.line, i + 1 + col_offset, text.strip().split("\n", 1)[0][:200])
                if text and (found := register_period(text, span)):
                    return found
    return None
