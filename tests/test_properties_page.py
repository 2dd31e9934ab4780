"""Property tests: mutate the real seed page; the parser never raises and counts balance.

Mutations: lines dropped, duplicated, cut short, moved between entries, re-encoded,
random bytes inserted.  Each example is parsed as bytes, the way ``load`` reads a file.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dataflow_graph.errors import CODES, Diagnostics
from dataflow_graph.read.page import parse_page
from dataflow_graph.read.page.layout import _heading
from dataflow_graph.read.sources import text_source

SEED = (Path(__file__).resolve().parent.parent / "seeds" / "000_95fc53981bcca0e2.txt").read_text(encoding="utf-8")
LINES = SEED.split("\n")
#: Line indexes where entries start, plus the end: entry k is LINES[STARTS[k]:STARTS[k+1]].
STARTS = [i for i, line in enumerate(LINES) if _heading(line)] + [len(LINES)]
ENCODINGS = ["utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-16", "utf-16-le", "utf-16-be"]
#: Encodings that keep every character and carry (or need) no byte-order guess.
LOSSLESS = {"utf-8", "utf-8-sig", "utf-16"}

FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def check(data: bytes) -> list:
    """Parse ``data`` as a page file; nothing raises and every invariant holds."""
    diagnostics = Diagnostics()
    source = text_source(data, "mutant.txt", diagnostics)
    entries = [] if source is None else parse_page(source, diagnostics)[1]
    assert diagnostics.read == diagnostics.parsed + diagnostics.rejected
    assert len(entries) == diagnostics.parsed
    last_line = max(len(source.lines) if source else 1, 1) + 1
    for d in diagnostics:
        assert d.code in CODES
        assert 1 <= d.span.line <= max(last_line, data.count(b"\n") + 2)
        assert str(d).startswith(f"mutant.txt:{d.span.line}:{d.span.col}: ")
    for e in entries:
        assert e.reference
        assert e.agreement
        assert e.id == f"mutant.txt#{e.position}"
        e.as_dict()
    return entries


def encode(lines: list[str]) -> bytes:
    return "\n".join(lines).encode("utf-8")


def test_properties_seed_unchanged_parses_seven_entries():
    check(SEED.encode("utf-8"))
    assert len(STARTS) == 8


@FAST
@given(st.sets(st.integers(0, len(LINES) - 1), max_size=400))
def test_properties_lines_dropped_never_raise(dropped):
    check(encode([line for i, line in enumerate(LINES) if i not in dropped]))


@FAST
@given(st.lists(st.integers(0, len(LINES) - 1), min_size=1, max_size=60))
def test_properties_lines_duplicated_never_raise(duplicated):
    lines = list(LINES)
    for i in sorted(duplicated, reverse=True):
        lines.insert(i, lines[i])
    check(encode(lines))


@FAST
@given(st.integers(0, len(SEED.encode("utf-8"))), st.booleans())
def test_properties_page_cut_short_never_raises(cut, mid_line):
    data = SEED.encode("utf-8")[:cut]
    check(data if mid_line else data[: data.rfind(b"\n") + 1])


@FAST
@given(
    st.lists(
        st.tuples(st.integers(0, len(LINES) - 1), st.integers(0, len(STARTS) - 2), st.integers(0, 40)),
        min_size=1,
        max_size=30,
    )
)
def test_properties_lines_moved_between_entries_never_raise(moves):
    lines = list(LINES)
    for source, entry, offset in moves:
        line = lines.pop(min(source, len(lines) - 1))
        target = min(STARTS[entry] + 1 + offset, len(lines))
        lines.insert(target, line)
    check(encode(lines))


@FAST
@given(st.sampled_from(ENCODINGS), st.integers(0, len(STARTS) - 2))
def test_properties_page_reencoded_never_raises(encoding, last):
    part = "\n".join(LINES[: STARTS[last + 1]])
    entries = check(part.encode(encoding, errors="replace"))
    if encoding in LOSSLESS:
        assert len(entries) == last + 1


@FAST
@given(
    st.lists(
        st.tuples(st.integers(0, len(SEED.encode("utf-8"))), st.binary(min_size=1, max_size=8)), min_size=1, max_size=20
    )
)
def test_properties_random_bytes_inserted_never_raise(insertions):
    data = bytearray(SEED.encode("utf-8"))
    for at, chunk in sorted(insertions, reverse=True):
        data[at:at] = chunk
    check(bytes(data))


@FAST
@given(
    st.lists(
        st.sampled_from(
            ["\r\n", "\r", "\x0c", "\u2028", "\ufeff", " \u00a0", "\t", "—", "–", ":", "(", ")", "•", "1. ", "- "]
        ),
        min_size=1,
        max_size=30,
    ),
    st.lists(st.integers(0, len(SEED) - 1), min_size=30, max_size=30),
)
def test_properties_odd_characters_inserted_never_raise(pieces, positions):
    text = SEED
    for piece, at in sorted(zip(pieces, positions, strict=False), key=lambda p: -p[1]):
        text = text[:at] + piece + text[at:]
    check(text.encode("utf-8"))


SEED_BYTES = SEED.encode("utf-8")
#: Where a byte can go between two characters (not inside a multi-byte UTF-8 sequence).
BOUNDARIES = [i for i, b in enumerate(SEED_BYTES) if b & 0xC0 != 0x80] + [len(SEED_BYTES)]
#: Where a blank line can go: at the start of a line.
LINE_STARTS = [0] + [i + 1 for i, b in enumerate(SEED_BYTES) if b == 0x0A]
REFERENCES = [e.reference for e in check(SEED_BYTES)]
#: A fixed number of examples, derandomised: the same 200 mutants on every run.
FUZZ = settings(max_examples=200, deadline=5000, derandomize=True, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(
    st.lists(st.tuples(st.sampled_from(BOUNDARIES), st.integers(0x80, 0xFF)), max_size=25, unique_by=lambda t: t[0]),
    st.lists(
        st.tuples(st.sampled_from(LINE_STARTS), st.sampled_from([b"\n", b"\n\n", b" \t\n", b"\r\n"])), max_size=15
    ),
)
def test_properties_stray_bytes_and_blank_lines_lose_no_entry(strays, blanks):
    data = bytearray(SEED_BYTES)
    for at, piece in sorted([(at, bytes([byte])) for at, byte in strays] + blanks, key=lambda p: p[0], reverse=True):
        data[at:at] = piece
    diagnostics = Diagnostics()
    source = text_source(bytes(data), "mutant.txt", diagnostics)
    assert source is not None
    _, entries = parse_page(source, diagnostics)
    assert [e.reference for e in entries] == REFERENCES  # 7 of 7, in order
    assert diagnostics.counts() == {"read": 7, "parsed": 7, "rejected": 0}
    stray_lines = {d.span.line for d in diagnostics if d.code == "DFG101"}
    assert bool(stray_lines) == bool(strays)
    assert len(stray_lines) <= len(strays)
