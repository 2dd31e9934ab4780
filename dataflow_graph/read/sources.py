"""Opening inputs: files, folders, stdin and the embedded seeds.

A :class:`TextSource` is a decoded file as physical lines, each readable as a
:class:`~dataflow_graph.errors.Span`.  Decoding never fails: UTF-8 (with or without
BOM) first, then cp1252/Latin-1 with a diagnostic.  HTML pages are turned into text
lines that keep the physical line of the HTML they came from.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from ..errors import Diagnostics, Severity, Span

__all__ = [
    "TextSource",
    "decode",
    "expand_paths",
    "is_binary",
    "open_text",
    "physical_lines",
    "sniff_kind",
    "text_source",
]

#: Files a folder expands to (others are ignored).
PAGE_SUFFIXES = (".txt", ".html", ".htm", ".md")
TABLE_SUFFIXES = (".csv", ".xlsx", ".xlsm", ".ods", ".tsv")
LONG_LINE = 100_000


@dataclass(frozen=True, slots=True)
class TextSource:
    """A decoded text file: its display path and its physical lines (1-based)."""

    path: str
    lines: tuple[str, ...]
    line_numbers: tuple[int, ...] | None = None

    def spans(self) -> Iterator[Span]:
        """One span per line, carrying the physical line number of the original file."""
        numbers = self.line_numbers
        for i, text in enumerate(self.lines):
            yield Span(self.path, numbers[i] if numbers else i + 1, 1, text)


def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Files named, with each folder replaced by its readable files in sorted order."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(
                sorted(
                    f
                    for f in p.rglob("*")
                    if f.is_file()
                    and f.suffix.lower() in PAGE_SUFFIXES + TABLE_SUFFIXES
                    and not any(part.startswith(".") for part in f.relative_to(p).parts)
                )
            )
        else:
            out.append(p)
    return out


def is_binary(data: bytes) -> bool:
    """True for content that is not text: NUL bytes in the first 8 KiB (UTF-16 with a BOM is text).

    >>> is_binary(b"PK\\x03\\x04\\x00\\x00"), is_binary("Project".encode("utf-16"))
    (True, False)
    """
    return b"\x00" in data[:8192] and _utf16(data) is None


def _utf16(data: bytes) -> str | None:
    """The text of UTF-16 data that starts with a byte-order mark, or None."""
    if not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None
    try:
        return data.decode("utf-16")
    except UnicodeDecodeError:
        return None


_BYTE_LINE_BREAK = re.compile(rb"\r\n|\r|\n")


def physical_lines(text: str) -> tuple[str, ...]:
    """The lines of ``text`` as an editor numbers them: split on CR LF, CR or LF only.

    ``str.splitlines`` also splits on form feeds, U+2028 and other separators, which
    would shift every later line number.

    >>> physical_lines("a\\r\\nb\\x0cc\\u2028d\\rE\\n")
    ('a', 'b\\x0cc\\u2028d', 'E')
    """
    if "\r" in text:  # CR LF and lone CR become LF
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")  # str.split: no regex per file
    if lines and lines[-1] == "":
        lines.pop()
    return tuple(lines)


def sniff_kind(path: Path, head: bytes) -> str:
    """``xlsx``, ``csv``, ``html`` or ``page``, from the content first, then the suffix."""
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    text = head[:4096].lstrip(b"\xef\xbb\xbf").lstrip().lower()
    if (
        text.startswith((b"<!doctype html", b"<html"))
        or b"<body" in text[:2048]
        or (path.suffix.lower() in (".html", ".htm"))
    ):
        return "html"
    first = head.split(b"\n", 1)[0]
    if path.suffix.lower() in (".csv", ".tsv") or (
        first.count(b",") >= 3 and first.startswith(b'"') and b"\xe2\x80\x94" not in first
    ):
        return "csv"
    return "page"


def decode(data: bytes, path: str, diagnostics: Diagnostics) -> str:
    """Text of ``data``: UTF-8 or UTF-16 (BOM removed), else cp1252/Latin-1 with DFG101.

    >>> d = Diagnostics()
    >>> decode("Project 1 — café".encode("cp1252"), "p.txt", d)
    'Project 1 — café'
    >>> str(d.items[0]).splitlines()[0][:50]
    'p.txt:1:11: warning[DFG101] byte 0x97 at offset 10'
    """
    if (text := _utf16(data)) is not None:
        return text.removeprefix("\ufeff")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = _BYTE_LINE_BREAK.split(data[: exc.start])
        line_text = _BYTE_LINE_BREAK.split(data[exc.start - len(before[-1]) :], maxsplit=1)[0]
        diagnostics.report(
            Span(path, len(before), len(before[-1]) + 1, _single_byte(line_text)),
            "DFG101",
            f"byte 0x{data[exc.start]:02x} at offset {exc.start} is not UTF-8; "
            "the file was decoded as cp1252/Latin-1 (save it as UTF-8 to silence this)",
            Severity.WARNING,
        )
    return _single_byte(data.removeprefix(b"\xef\xbb\xbf"))


def _single_byte(data: bytes) -> str:
    """cp1252 where every byte is defined in it, else Latin-1 (which never fails)."""
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def open_text(path: Path, display: str, diagnostics: Diagnostics) -> TextSource | None:
    """Read and decode one page (text or HTML); None, with a diagnostic, if unusable."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        diagnostics.report(Span(display, 1, 1), "DFG110", f"cannot read: {exc.strerror or exc}", Severity.ERROR)
        return None
    return text_source(data, display, diagnostics)


def text_source(data: bytes, display: str, diagnostics: Diagnostics) -> TextSource | None:
    """Decode bytes into a page source; None, with a diagnostic, for binary or empty input."""
    if is_binary(data):
        diagnostics.report(
            Span(display, 1, 1),
            "DFG104",
            "binary content (NUL bytes), not a register page; file skipped",
            Severity.ERROR,
        )
        return None
    text = decode(data, display, diagnostics)
    if not text or text.isspace():  # no stripped copy of the page
        diagnostics.report(Span(display, 1, 1), "DFG105", "empty file: no entries to read")
        return None
    if sniff_kind(Path(display), data[:4096]) == "html" or _utf16_html(data, text):
        return _html_source(text, display)
    lines = physical_lines(text)
    if len(text) <= LONG_LINE or max(map(len, lines), default=0) <= LONG_LINE:  # the usual case, scanned in C
        return TextSource(display, lines)
    for i, line in enumerate(lines, 1):
        if len(line) > LONG_LINE:
            diagnostics.report(
                Span(display, i, 1, line[:120]),
                "DFG108",
                f"line of {len(line):,} characters; read as one line",
                Severity.NOTE,
            )
    return TextSource(display, lines)


_BLOCK = frozenset(
    "p div br li ul ol h1 h2 h3 h4 h5 h6 tr table section article header footer dt dd pre blockquote hr title".split()
)


class _TextLines(HTMLParser):
    """Collects visible text as lines, remembering the HTML line each began on."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[tuple[int, str]] = []
        self._buf: list[str] = []
        self._line = 1
        self._skip = 0
        self._prefix = ""

    def _flush(self) -> None:
        text = re.sub(r"[ \t\r\n]+", " ", "".join(self._buf)).strip()
        if text:
            self.lines.append((self._line, self._prefix + text))
        self._buf, self._prefix = [], ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "head"):
            self._skip += 1
        elif tag in _BLOCK:
            self._flush()
            if tag == "li":
                self._prefix = "- "

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "head"):
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCK:
            self._flush()

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if not "".join(self._buf).strip():
            self._line = self.getpos()[0] + data[: len(data) - len(data.lstrip())].count("\n")
        self._buf.append(data)

    def close(self) -> None:
        super().close()
        self._flush()


def _utf16_html(data: bytes, text: str) -> bool:
    """True for a UTF-16 page whose decoded text is HTML (the byte sniff cannot see it)."""
    return _utf16(data) is not None and sniff_kind(Path("page"), text[:2048].encode()) == "html"


def _html_source(text: str, display: str) -> TextSource:
    """Visible text lines of an HTML page, each with the HTML line it began on.

    Character references are decoded once, by the parser: ``&amp;lt;`` stays ``&lt;``.
    """
    parser = _TextLines()
    parser.feed(text.replace("\r\n", "\n").replace("\r", "\n"))
    parser.close()
    numbers = tuple(n for n, _ in parser.lines)
    lines = tuple(t for _, t in parser.lines)
    return TextSource(display, lines, numbers)
