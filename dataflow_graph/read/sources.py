"""Decoding inputs: bytes to text lines, whatever the encoding, and HTML pages to text.

A :class:`TextSource` is a decoded file as physical lines, each readable as a
:class:`~dataflow_graph.errors.Span`.  Decoding never fails and works line by line:

- a byte-order mark says UTF-8, UTF-16 or UTF-32 (either byte order);
- otherwise the file is UTF-8, and a byte that is not (a stray byte, a NUL) costs only
  its own line a DFG101 warning at its line and column: it is read as U+FFFD, and the
  rest of the page still reads as UTF-8, em-dash headings included;
- a file with no UTF-8 character at all beyond ASCII is a single-byte page (cp1252,
  else Latin-1), read whole in that encoding with one DFG101.

HTML pages are turned into text lines that keep the physical line of the HTML they
came from.  Getting the bytes (files, folders, stdin) is :mod:`.files`.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from ..errors import Diagnostics, Severity, Span
from .files import PAGE_SUFFIXES, TABLE_SUFFIXES, expand_paths

__all__ = [
    "PAGE_SUFFIXES",
    "TABLE_SUFFIXES",
    "TextSource",
    "decode",
    "expand_paths",
    "is_binary",
    "physical_lines",
    "sniff_kind",
    "text_source",
]

LONG_LINE = 100_000


@dataclass(frozen=True, slots=True)
class TextSource:
    """A decoded text file: its display path and its physical lines (1-based).

    ``final_newline`` is False when the file's last line has no line break: a page cut
    off in the middle of a line.
    """

    path: str
    lines: tuple[str, ...]
    line_numbers: tuple[int, ...] | None = None
    final_newline: bool = True

    def spans(self) -> Iterator[Span]:
        """One span per line, carrying the physical line number of the original file."""
        numbers = self.line_numbers
        for i, text in enumerate(self.lines):
            yield Span(self.path, numbers[i] if numbers else i + 1, 1, text)


#: Byte-order marks, longest first (a UTF-32-LE mark starts with the UTF-16-LE one).
_BOMS = (
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\xfe\xff", "utf-16-be"),
    (b"\xff\xfe", "utf-16-le"),
)
#: Control bytes that no text page holds (tab, line breaks, form feed and escape do occur).
_CONTROL_BYTES = bytes(c for c in range(32) if c not in (9, 10, 12, 13, 27)) + b"\x7f"


def is_binary(data: bytes) -> bool:
    """True for content that is not text: NUL bytes among many control bytes in the first 8 KiB.

    A few stray NUL or control bytes in a page are not enough (the page is read, each
    such line reported); UTF-16 and UTF-32 with a byte-order mark are text.

    >>> is_binary(b"PK\\x03\\x04\\x00\\x00"), is_binary("Project".encode("utf-16"))
    (True, False)
    >>> is_binary(b"Project 1\\n" * 100 + b"\\x00" + b"more text\\n")
    False
    """
    head = data[:8192]
    if b"\x00" not in head or _bom(head) is not None:
        return False
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    return controls * 100 > len(head)


def _bom(data: bytes) -> tuple[bytes, str] | None:
    """The byte-order mark ``data`` starts with and its codec, or None."""
    for mark, codec in _BOMS:
        if data.startswith(mark):
            return mark, codec
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
    """Text of ``data``: by its byte-order mark, else UTF-8 line by line, else cp1252/Latin-1.

    >>> d = Diagnostics()
    >>> decode("Project 1 — café".encode("cp1252"), "p.txt", d)
    'Project 1 — café'
    >>> str(d.items[0]).splitlines()[0][:50]
    'p.txt:1:11: warning[DFG101] byte 0x97 at offset 10'
    >>> decode("T — NIC-1\\nSouthend caf".encode() + b"\\xe9\\n", "p.txt", d)
    'T — NIC-1\\nSouthend caf\\ufffd\\n'
    >>> str(d.items[1]).splitlines()[0]
    "p.txt:2:13: warning[DFG101] byte 0xe9 is not UTF-8 ('é' in cp1252); read as U+FFFD, the rest of the file as UTF-8"
    """
    if (found := _bom(data)) is not None:
        return _bom_decode(data, found, path, diagnostics)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        first = exc
    else:
        return text if "\x00" not in text else _stray(text, path, diagnostics)
    marked = data.startswith(b"\xef\xbb\xbf")  # a UTF-8 byte-order mark says UTF-8, stray bytes or not
    body = data[3:] if marked else data
    text = body.decode("utf-8", "surrogateescape")
    if not marked and _UTF8_BEYOND_ASCII.search(text) is None:  # no UTF-8 at all: a single-byte page
        _report_single_byte(data, first, path, diagnostics)
        return _single_byte(body)
    return _stray(text, path, diagnostics)


#: A character beyond ASCII that is not an escaped stray byte (U+DC80..U+DCFF).
_UTF8_BEYOND_ASCII = re.compile("[\u0080-\ud7ff\ue000-\U0010ffff]")
#: A stray byte (escaped by ``surrogateescape``) or a NUL.
_STRAY = re.compile("[\udc80-\udcff\x00]")
_LINE_BREAK = re.compile("\r\n|\r|\n")


#: Lines with stray bytes reported one by one; the rest of a file gets one summary.
STRAY_LINES_REPORTED = 1000


def _stray(text: str, path: str, diagnostics: Diagnostics) -> str:
    """``text`` with each stray byte and NUL as U+FFFD; one DFG101 per line that had any
    (for the first :data:`STRAY_LINES_REPORTED` such lines, then one for the rest)."""
    breaks = [m.end() for m in _LINE_BREAK.finditer(text)]
    first: dict[int, int] = {}  # line index -> position of its first stray byte
    count: dict[int, int] = {}
    for m in _STRAY.finditer(text):
        index = bisect.bisect_right(breaks, m.start())
        first.setdefault(index, m.start())
        count[index] = count.get(index, 0) + 1
    cleaned = _STRAY.sub("\ufffd", text)
    for n, (index, at) in enumerate(first.items()):
        start = breaks[index - 1] if index else 0
        end = breaks[index] if index < len(breaks) else len(cleaned)
        line = cleaned[start:end].rstrip("\r\n")
        if n == STRAY_LINES_REPORTED:
            diagnostics.report(
                Span(path, index + 1, at - start + 1, line),
                "DFG101",
                f"{len(first) - n:,} more lines from here on hold bytes that are not UTF-8, each read as U+FFFD "
                "(not listed one by one)",
                Severity.WARNING,
            )
            break
        char = text[at]
        what = "a NUL byte" if char == "\x00" else _stray_byte(ord(char) - 0xDC00)
        more = f"; {count[index] - 1} more on this line" if count[index] > 1 else ""
        diagnostics.report(
            Span(path, index + 1, at - start + 1, line),
            "DFG101",
            f"{what}; read as U+FFFD, the rest of the file as UTF-8{more}",
            Severity.WARNING,
        )
    return cleaned


def _stray_byte(byte: int) -> str:
    """A byte that is not UTF-8, and what it means in cp1252 (Latin-1 where cp1252 has no character)."""
    return f"byte 0x{byte:02x} is not UTF-8 ({_single_byte(bytes([byte]))!r} in cp1252)"


def _report_single_byte(data: bytes, exc: UnicodeDecodeError, path: str, diagnostics: Diagnostics) -> None:
    """The one DFG101 of a file read whole as cp1252/Latin-1, at its first non-UTF-8 byte."""
    before = _BYTE_LINE_BREAK.split(data[: exc.start])
    line_text = _BYTE_LINE_BREAK.split(data[exc.start - len(before[-1]) :], maxsplit=1)[0]
    diagnostics.report(
        Span(path, len(before), len(before[-1]) + 1, _single_byte(line_text)),
        "DFG101",
        f"byte 0x{data[exc.start]:02x} at offset {exc.start} is not UTF-8; "
        "the file was decoded as cp1252/Latin-1 (save it as UTF-8 to silence this)",
        Severity.WARNING,
    )


def _bom_decode(data: bytes, found: tuple[bytes, str], path: str, diagnostics: Diagnostics) -> str:
    """Text after a byte-order mark; code units that do not decode become U+FFFD (DFG101)."""
    mark, codec = found
    try:
        return data[len(mark) :].decode(codec)
    except UnicodeDecodeError as exc:
        diagnostics.report(
            Span(path, 1, 1),
            "DFG101",
            f"the file starts with a {codec.upper()} byte-order mark but is not valid {codec.upper()} "
            f"at offset {exc.start + len(mark)}; what does not decode is read as U+FFFD",
            Severity.WARNING,
        )
        return data[len(mark) :].decode(codec, "replace")


def _single_byte(data: bytes) -> str:
    """cp1252 where every byte is defined in it, else Latin-1 (which never fails)."""
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


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
    if "\ufffd" in text:  # what did not decode (reported) never splits a heading or a field name
        text = text.replace("\ufffd", "")
    if not text or text.isspace():  # no stripped copy of the page
        diagnostics.report(Span(display, 1, 1), "DFG105", "empty file: no entries to read")
        return None
    if sniff_kind(Path(display), data[:4096]) == "html" or _bom_html(data, text):
        return _html_source(text, display)
    lines = physical_lines(text)
    final_newline = text.endswith(("\n", "\r"))
    if len(text) <= LONG_LINE or max(map(len, lines), default=0) <= LONG_LINE:  # the usual case, scanned in C
        return TextSource(display, lines, final_newline=final_newline)
    for i, line in enumerate(lines, 1):
        if len(line) > LONG_LINE:
            diagnostics.report(
                Span(display, i, 1, line[:120]),
                "DFG108",
                f"line of {len(line):,} characters; read as one line",
                Severity.NOTE,
            )
    return TextSource(display, lines, final_newline=final_newline)


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


def _bom_html(data: bytes, text: str) -> bool:
    """True for a UTF-16 or UTF-32 page whose decoded text is HTML (the byte sniff cannot see it)."""
    return _bom(data) is not None and sniff_kind(Path("page"), text[:2048].encode()) == "html"


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
