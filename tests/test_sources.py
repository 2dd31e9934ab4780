"""Opening inputs: decoding, physical lines, binary and HTML detection, folders."""

from __future__ import annotations

from pathlib import Path

import pytest

from dataflow_graph.errors import Diagnostics
from dataflow_graph.read.sources import (
    decode,
    expand_paths,
    is_binary,
    physical_lines,
    sniff_kind,
    text_source,
)


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        ("a\nb\n", ("a", "b")),
        ("a\r\nb\r\n", ("a", "b")),
        ("a\rb", ("a", "b")),
        ("a\n\nb", ("a", "", "b")),
        ("a\x0cb\u2028c\x85d\n", ("a\x0cb\u2028c\x85d",)),
        ("", ()),
    ],
    ids=["lf", "crlf", "cr", "blank", "separators", "empty"],
)
def test_physical_lines_break_kind_numbers_like_an_editor(text, lines):
    assert physical_lines(text) == lines


@pytest.mark.parametrize(
    ("data", "text", "codes"),
    [
        ("Project — café".encode(), "Project — café", []),
        (b"\xef\xbb\xbf" + "Project — café".encode(), "Project — café", []),
        ("Project — café".encode("cp1252"), "Project — café", ["DFG101"]),
        ("Project café".encode("latin-1"), "Project café", ["DFG101"]),
        (b"\x81\x8d caf\xe9", "\x81\x8d café", ["DFG101"]),
        ("Project — café".encode("utf-16"), "Project — café", []),
        ("Project — café".encode("utf-16-be").join([b"\xfe\xff", b""]), "Project — café", []),
    ],
    ids=["utf8", "utf8-bom", "cp1252", "latin1", "latin1-undefined-in-cp1252", "utf16-le", "utf16-be"],
)
def test_decode_encoding_gives_text_and_diagnostic(data, text, codes):
    diagnostics = Diagnostics()
    assert decode(data, "p.txt", diagnostics) == text
    assert [d.code for d in diagnostics] == codes


def test_decode_latin1_reports_line_and_column_of_first_bad_byte():
    diagnostics = Diagnostics()
    decode(b"line one\r\nline two\r\nSouthend caf\xe9\n", "p.txt", diagnostics)
    (diagnostic,) = diagnostics
    assert str(diagnostic).splitlines() == [
        "p.txt:3:13: warning[DFG101] byte 0xe9 at offset 32 is not UTF-8; the file was decoded "
        "as cp1252/Latin-1 (save it as UTF-8 to silence this)",
        "    Southend café",
        "                ^",
    ]


@pytest.mark.parametrize(
    ("data", "binary"),
    [
        (b"Project 1\n", False),
        (b"PK\x03\x04\x00\x00", True),
        (b"\x00" * 10, True),
        ("Project".encode("utf-16"), False),
        (b"x" * 9000 + b"\x00", False),
    ],
    ids=["text", "zip", "nul", "utf16-bom", "nul-after-8k"],
)
def test_is_binary_content_is_detected(data, binary):
    assert is_binary(data) is binary


@pytest.mark.parametrize(
    ("name", "head", "kind"),
    [
        ("page.txt", b"Project 1 \xe2\x80\x94 NIC-1-AAAAA\n", "page"),
        ("page.txt", b"<!DOCTYPE html><html>", "html"),
        ("page.txt", b"\xef\xbb\xbf  <html><body>", "html"),
        ("page.html", b"<p>Project 1</p>", "html"),
        ("sheet.xlsx", b"PK\x03\x04", "xlsx"),
        ("rows.csv", b"a,b\n", "csv"),
        ("rows.txt", b'"a","b","c","d"\n', "csv"),
    ],
    ids=["page", "doctype", "bom-html", "html-suffix", "xlsx", "csv-suffix", "csv-content"],
)
def test_sniff_kind_content_and_suffix_give_kind(name, head, kind):
    assert sniff_kind(Path(name), head) == kind


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "DFG105"),
        (b" \n\t\r\n", "DFG105"),
        (b"\xef\xbb\xbf\n", "DFG105"),
        (b"\x00\x01binary", "DFG104"),
    ],
    ids=["empty", "white-space", "bom-only", "binary"],
)
def test_text_source_unusable_input_gives_none_and_diagnostic(data, code):
    diagnostics = Diagnostics()
    assert text_source(data, "p.txt", diagnostics) is None
    assert [d.code for d in diagnostics] == [code]


def test_text_source_long_line_is_kept_with_a_note():
    diagnostics = Diagnostics()
    source = text_source(b"short\n" + b"x" * 100_001 + b"\n", "p.txt", diagnostics)
    assert [len(line) for line in source.lines] == [5, 100_001]
    assert [str(d).splitlines()[0] for d in diagnostics] == [
        "p.txt:2:1: note[DFG108] line of 100,001 characters; read as one line"
    ]


HTML = """<!DOCTYPE html>
<html><head><title>Not text</title>
<style>p { color: red }</style></head>
<body>
<h2>Project 1 &mdash; NIC-1-AAAAA</h2>
<p>Opt outs
   honoured: <b>N</b></p>
<script>
var x = "Funding: hidden";
</script>
<ul><li>SUS &amp; more</li><li>&amp;lt;not a tag&amp;gt;</li></ul>
</body></html>
"""


@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["lf", "crlf"])
def test_text_source_html_keeps_visible_text_and_html_lines(newline):
    source = text_source(HTML.replace("\n", newline).encode(), "p.html", Diagnostics())
    assert [(s.line, s.text) for s in source.spans()] == [
        (5, "Project 1 — NIC-1-AAAAA"),
        (6, "Opt outs honoured: N"),
        (11, "- SUS & more"),
        (11, "- &lt;not a tag&gt;"),
    ]


def test_expand_paths_folder_gives_pages_and_tables_sorted(tmp_path):
    for name in ("b.txt", "a.html", "c.csv", "notes.pdf", ".hidden/x.txt", "sub/d.txt"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x", encoding="utf-8")
    got = [p.relative_to(tmp_path).as_posix() for p in expand_paths([tmp_path])]
    assert got == ["a.html", "b.txt", "c.csv", "sub/d.txt"]


def test_span_stays_frozen_hashable_and_replaceable():
    import dataclasses

    from dataflow_graph.errors import Span

    span = Span("p.txt", 3, text="x")
    assert (span.path, span.line, span.col, span.text) == ("p.txt", 3, 1, "x")
    assert span == Span("p.txt", 3, 1, "x")
    assert hash(span) == hash(Span("p.txt", 3, 1, "x"))
    assert dataclasses.replace(span, col=4) == Span("p.txt", 3, 4, "x")
    with pytest.raises(dataclasses.FrozenInstanceError):
        span.line = 4  # type: ignore[misc]
