"""Locations, diagnostics and the exception hierarchy.

Bad *data* is reported as a :class:`Diagnostic` with ``path:line:col`` and the run
goes on; bad *usage* raises a :class:`DataflowGraphError`.  Every diagnostic code
used anywhere in the package is listed in :data:`CODES`, so the README and the
tests can check that each one is documented.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field

__all__ = [
    "CODES",
    "DataflowGraphError",
    "Diagnostic",
    "Diagnostics",
    "NothingReadError",
    "Severity",
    "Span",
    "UnknownOrganisationError",
    "UsageError",
    "printable",
]


class Severity(str, enum.Enum):
    """How bad a diagnostic is: an error rejects a record, a warning keeps it."""

    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"


#: Every diagnostic code, with the one-line meaning documented in the README.
CODES: dict[str, str] = {
    # DFG1xx: pages and files
    "DFG101": "bytes that are not UTF-8: that line read with U+FFFD (a file with no UTF-8 at all: read as cp1252)",
    "DFG102": "unknown heading; the line is kept on the entry as unrecognised",
    "DFG103": "text before the first entry that is not part of the page banner",
    "DFG104": "binary file (NUL bytes); skipped",
    "DFG105": "empty file; no entries",
    "DFG106": "entry has no fields: page cut short or heading without a body; entry rejected",
    "DFG107": "page ends inside an entry: before its free-text sections, or mid-line in one (truncated page)",
    "DFG108": "very long line; processed, but probably a page saved without line breaks",
    "DFG109": "duplicate field in one entry; the later value is kept beside the first",
    "DFG110": "file not found or unreadable",
    "DFG111": "a readable file holds no register entries (no entry heading, no register table)",
    "DFG112": "lines look like entry headings but no entry was read from the page; each counted as rejected",
    "DFG113": "input over a read limit, or a stream or FIFO with nothing written in time; skipped",
    "DFG114": "folder or sub-folder cannot be listed; its files are not read",
    "DFG115": "folder holds no page or register file; nothing read from it",
    # DFG2xx: field values
    "DFG201": "opt-out value not understood; kept raw, honoured = unknown",
    "DFG202": "reference not in DARS-NIC/NIC form; kept as a local label",
    "DFG203": "reference has surrounding white space; trimmed",
    "DFG210": "date not understood; period left open",
    "DFG211": "window ends before it starts; kept as published",
    "DFG212": "yes/no value not understood; kept raw",
    "DFG213": "dataset not in any reviewed family",
    # DFG3xx: names
    "DFG301": "organisation not in the reviewed gazetteer; resolved by its words",
    "DFG302": "organisation name ambiguous; closest reviewed match used",
    # DFG4xx: flow extraction
    "DFG401": "entry has no processing text; no flows extracted",
    "DFG402": "processing text names no recognisable transfer; no flows extracted",
    "DFG403": "a transfer sentence names only one organisation; hop not built",
    "DFG404": "family named in the text is not in the entry's Datasets list; dropped",
    # DFG5xx: CSV / XLSX rows
    "DFG501": "row has the wrong number of fields; rejected",
    "DFG502": "header not recognised, repeated or blank over values; values kept as extras",
    "DFG503": "required column missing",
    "DFG504": "row has no reference; rejected",
    "DFG505": "value not understood; kept raw",
    "DFG506": "sheet not recognised; skipped",
    "DFG507": "not a register table, a workbook or sheet that cannot be read, or a workbook over a limit; skipped",
    "DFG508": "header renamed: read by its words as a known column",
    "DFG509": "reference not in the file's Agreements sheet; recipient unknown",
    "DFG510": "record cannot be read as CSV; rejected",
    "DFG511": "dataset row has no dataset name; rejected",
    "DFG512": "the same released files or entries read from two inputs; each counted once",
}


@dataclass(frozen=True, slots=True)
class Span:
    """Where something was read: a file, a 1-based physical line and column, its text."""

    path: str
    line: int
    col: int = 1
    text: str = ""

    def __init__(self, path: str, line: int, col: int = 1, text: str = "") -> None:
        """Set the four slots directly: one span is made per line read, so this is hot.

        The generated frozen ``__init__`` looks up ``object.__setattr__`` per field;
        the slot setters bound below do the same work in about 60% of the time.
        Instances stay frozen (assignment still raises ``FrozenInstanceError``).
        """
        _set_path(self, path)
        _set_line(self, line)
        _set_col(self, col)
        _set_text(self, text)

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}"


_set_path, _set_line, _set_col, _set_text = (Span.__dict__[f].__set__ for f in ("path", "line", "col", "text"))


#: Characters never written raw to a terminal: C0 controls but tab, DEL, C1 controls, and the
#: bidirectional overrides and isolates that reorder what a reader sees.
_UNPRINTABLE = {
    c: f"\\x{c:02x}" if c < 0x100 else f"\\u{c:04x}"
    for c in [*range(0x09), *range(0x0A, 0x20), *range(0x7F, 0xA0), *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
}


def printable(text: str) -> str:
    r"""``text`` with terminal control characters and bidirectional overrides shown escaped.

    >>> printable("ok\ttab \x1b[31mred\u202e")
    'ok\ttab \\x1b[31mred\\u202e'
    """
    return text.translate(_UNPRINTABLE)


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem in the input, located, with a stable code."""

    span: Span
    code: str
    message: str
    severity: Severity = Severity.WARNING

    def __str__(self) -> str:
        r"""``path:line:col: severity[CODE] message``, then the line and a caret under the column.

        Register text is untrusted: control characters (a terminal escape, a carriage return)
        and bidirectional overrides are shown escaped, never sent to the terminal raw.

        >>> print(Diagnostic(Span("p.txt", 2, 5, "ab\x1b[2Jcd"), "DFG102", "x"))
        p.txt:2:5: warning[DFG102] x
            ab\x1b[2Jcd
                   ^
        """
        s = self.span
        head = printable(f"{s.path}:{s.line}:{s.col}: {self.severity.value}[{self.code}] {self.message}")
        if not s.text:
            return head
        text = s.text if len(s.text) <= 200 else s.text[:197] + "..."
        before = min(s.col, 200) - 1
        caret = " " * len(printable(text[:before])) + "^"
        return f"{head}\n    {printable(text)}\n    {caret}"

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form, the same fields as ``--errors-csv``."""
        return {
            "path": self.span.path,
            "line": self.span.line,
            "col": self.span.col,
            "code": self.code,
            "severity": self.severity.value,
            "message": self.message,
            "raw": self.span.text[:2000],
        }


@dataclass
class Diagnostics:
    """Collects diagnostics and the record counts that must balance.

    >>> d = Diagnostics()
    >>> d.read += 2; d.parsed += 1; d.rejected += 1
    >>> d.balanced
    True
    """

    items: list[Diagnostic] = field(default_factory=list)
    read: int = 0
    parsed: int = 0
    rejected: int = 0

    def report(
        self,
        span: Span,
        code: str,
        message: str,
        severity: Severity = Severity.WARNING,
    ) -> Diagnostic:
        """Record one problem; never raises on data."""
        if code not in CODES:
            raise ValueError(f"undocumented diagnostic code {code!r}")
        diagnostic = Diagnostic(span, code, message, severity)
        self.items.append(diagnostic)
        return diagnostic

    def extend(self, other: Diagnostics) -> None:
        """Merge another collector's diagnostics and counts into this one."""
        self.items.extend(other.items)
        self.read += other.read
        self.parsed += other.parsed
        self.rejected += other.rejected

    @property
    def balanced(self) -> bool:
        """The invariant checked at the end of every load: read = parsed + rejected."""
        return self.read == self.parsed + self.rejected

    def counts(self) -> dict[str, int]:
        return {"read": self.read, "parsed": self.parsed, "rejected": self.rejected}

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


class DataflowGraphError(Exception):
    """Base of every error this package raises on misuse."""


class UsageError(DataflowGraphError):
    """An argument or option that cannot be honoured."""


class NothingReadError(DataflowGraphError):
    """No register entry and no released file was read from the inputs given.

    Carries the diagnostics that say why (a missing path, an empty folder, a file with no
    entries), so a notebook can show them as the command line does.
    """

    def __init__(self, paths: Sequence[str], diagnostics: Diagnostics) -> None:
        self.paths = tuple(paths)
        self.diagnostics = diagnostics
        shown = ", ".join(self.paths[:5]) + (f" and {len(self.paths) - 5} more" if len(self.paths) > 5 else "")
        super().__init__(f"no register entries were read from {printable(shown) or 'no input'}")


class UnknownOrganisationError(DataflowGraphError):
    """An organisation named by the user is not in the graph."""

    def __init__(self, name: str, suggestions: list[str] | tuple[str, ...] = ()) -> None:
        self.name = name
        self.suggestions = tuple(suggestions)
        hint = f"; did you mean {', '.join(repr(s) for s in self.suggestions)}?" if suggestions else ""
        super().__init__(f"no organisation {name!r} in the flow graph{hint}")
