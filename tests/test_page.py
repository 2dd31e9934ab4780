"""Register pages: the bad-input corpus in tests/data/pages/, one tiny file per defect.

Each case pins the exact diagnostic lines (``path:line:col: severity[CODE] message``)
and the counts, which must balance: read == parsed + rejected.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from dataflow_graph import api
from dataflow_graph.errors import Diagnostics, NothingReadError
from dataflow_graph.outputs.documents import parse_document
from dataflow_graph.read.page import parse_page, parse_page_text
from dataflow_graph.read.sources import text_source

REVERSED = "warning[DFG211] window '2017.06 — 2017.05' ends (2017-05) before it starts (2017-06); kept as published"


def heads(register_or_diagnostics) -> list[str]:
    """The first line of every diagnostic, in report order."""
    diagnostics = getattr(register_or_diagnostics, "diagnostics", register_or_diagnostics)
    return [str(d).splitlines()[0] for d in diagnostics]


def counts(read: int, parsed: int, rejected: int = 0) -> dict[str, int]:
    return {"read": read, "parsed": parsed, "rejected": rejected}


#: file -> (diagnostic lines without the "path:" prefix, counts).
CORPUS = {
    "truncated.txt": (
        [
            "2:1: warning[DFG107] page ends inside entry 'NIC-10001-AAAAA' before its free-text "
            "sections; the fields read so far are kept"
        ],
        counts(1, 1),
    ),
    "cut_mid_field.txt": (
        [
            "4:16: warning[DFG210] window '2018.06 — 20' has no readable end '20' "
            "(expected e.g. '2018.06 — 2021.05'); end left open",
            "2:1: warning[DFG107] page ends inside entry 'NIC-10002-BBBBB' before its free-text "
            "sections; the fields read so far are kept",
        ],
        counts(1, 1),
    ),
    "empty.txt": (["1:1: warning[DFG105] empty file: no entries to read"], counts(0, 0)),
    "latin1.txt": (
        [
            "1:11: warning[DFG101] byte 0x97 at offset 10 is not UTF-8; the file was decoded as "
            "cp1252/Latin-1 (save it as UTF-8 to silence this)"
        ],
        counts(1, 1),
    ),
    "utf8_bom.txt": (
        [
            "1:28: note[DFG203] reference 'NIC-10009-JJJJJ' is followed by 1 white-space character(s); trimmed",
            f"3:6: {REVERSED}",
        ],
        counts(1, 1),
    ),
    "crlf.txt": ([f"3:6: {REVERSED}"], counts(1, 1)),
    "reversed_window.txt": ([f"3:6: {REVERSED}"], counts(1, 1)),
    "unknown_heading.txt": (
        ["3:1: warning[DFG102] unknown heading 'Funding'; line kept on the entry as unrecognised"],
        counts(1, 1),
    ),
    "trailing_space_reference.txt": (
        ["1:28: note[DFG203] reference 'NIC-10005-EEEEE' is followed by 1 white-space character(s); trimmed"],
        counts(1, 1),
    ),
    "heading_without_body.txt": (
        ["1:1: error[DFG106] entry 'NIC-10006-FFFFF' has a heading but no fields (page cut short?); entry rejected"],
        counts(2, 1, 1),
    ),
    "page.html": ([f"11:6: {REVERSED}"], counts(1, 1)),
    "older.txt": (
        ["28:13: note[DFG202] reference 'PHECancerReg' is not DARS-NIC/NIC; kept as a local label"],
        counts(2, 2),
    ),
    "earliest.txt": (
        ["9:17: note[DFG202] reference 'CASEMIX_MONITOR' is not DARS-NIC/NIC; kept as a local label"],
        counts(2, 2),
    ),
    "blank_lines.txt": ([], counts(1, 1)),
    "no_labels.txt": ([], counts(1, 1)),
    "dataset_bullets.txt": ([], counts(3, 3)),
}


def test_page_corpus_every_file_has_a_case(pages_dir):
    assert sorted(p.name for p in pages_dir.iterdir()) == sorted(CORPUS)


@pytest.mark.parametrize(
    ("name", "expected", "expected_counts"), [(name, *case) for name, case in CORPUS.items()], ids=list(CORPUS)
)
def test_page_corpus_file_reports_exact_diagnostics(pages_dir, name, expected, expected_counts):
    path = pages_dir / name
    diagnostics = _diagnostics_of([path])
    assert heads(diagnostics) == [f"{path}:{line}" for line in expected]
    assert diagnostics.counts() == expected_counts
    assert diagnostics.balanced


def _diagnostics_of(paths) -> Diagnostics:
    """The diagnostics of loading ``paths``, also when nothing was read (NothingReadError)."""
    try:
        return api.load(paths).diagnostics
    except NothingReadError as exc:
        return exc.diagnostics


def _one(pages_dir: Path, name: str, position: int = 1):
    register = api.load([pages_dir / name])
    return register, register.entries[position - 1]


def test_page_truncated_keeps_fields_read_so_far(pages_dir):
    _, entry = _one(pages_dir, "truncated.txt")
    assert (entry.period.start, entry.period.end) == ("2018-06", "2018-09")
    assert entry.access == ("Ongoing",)
    assert entry.sections == ()


def test_page_cut_mid_field_leaves_window_end_open(pages_dir):
    _, entry = _one(pages_dir, "cut_mid_field.txt")
    assert (entry.period.start, entry.period.end) == ("2018-06", None)
    assert entry.fields[-1][:2] == ("When", "2018.06 — 20")


@pytest.mark.parametrize("name", ["latin1.txt", "utf8_bom.txt", "crlf.txt"])
def test_page_encoding_variant_decodes_text_exactly(pages_dir, name):
    _, entry = _one(pages_dir, name)
    assert entry.title == "Project 1"
    assert entry.section("Objectives").text == ("The CCG’s analysts review activity at Southend café clinics.")
    assert not any("\r" in s.text or "\ufeff" in s.text for s in entry.section("Objectives").lines)


def test_page_reversed_window_is_kept_as_published(pages_dir):
    _, entry = _one(pages_dir, "reversed_window.txt")
    assert (entry.period.start, entry.period.end, entry.period.reversed) == ("2017-06", "2017-05", True)


def test_page_unknown_heading_is_kept_on_the_entry(pages_dir):
    _, entry = _one(pages_dir, "unknown_heading.txt")
    assert [(s.line, s.text) for s in entry.unrecognised] == [(3, "Funding: paid by the CCG")]
    assert ("Funding", "paid by the CCG") in [(h, v) for h, v, _ in entry.fields]
    assert entry.section("Objectives").text == "The CCG analyses the data."


def test_page_trailing_space_reference_is_trimmed(pages_dir):
    _, entry = _one(pages_dir, "trailing_space_reference.txt")
    assert (entry.reference, entry.agreement) == ("NIC-10005-EEEEE", "NIC-10005-EEEEE")


def test_page_heading_without_body_rejects_only_that_entry(pages_dir):
    register = api.load([pages_dir / "heading_without_body.txt"])
    assert [e.reference for e in register.entries] == ["NIC-10007-GGGGG"]
    assert register.entries[0].position == 2


def test_page_html_reads_visible_text_with_html_lines(pages_dir):
    register, entry = _one(pages_dir, "page.html")
    assert (entry.reference, entry.line, entry.title) == ("NIC-10011-LLLLL", 9, "Project 1")
    assert [(d.name, d.family, d.span.line) for d in entry.datasets] == [
        ("SUS for Commissioners", "SUS", 14),
        ("Local Provider Data – Acute", "LPF", 15),
    ]
    assert entry.section("Objectives").text == ("Invoice validation & commissioning; literal &lt;b&gt; stays.")
    everything = parse_document(register)
    assert "injected" not in repr(everything)
    assert "NIC-99999" not in repr(everything)
    assert register.pages[0].organisation == "Example CCG"


def test_page_older_variant_reads_repeats_categories_and_qualifier(pages_dir):
    register = api.load([pages_dir / "older.txt"])
    first, second = register.entries
    assert register.pages[0].organisation == "Example University"
    assert (first.variant, first.title, first.agreement) == ("older", "Project 1", "NIC-10012-MMMMM")
    assert first.opt_outs.honoured.value == "mixed"
    assert (first.period.start, first.period.end, first.period.qualifier) == ("2016-04", "2016-11", "or before")
    assert (first.access, first.type_of_data) == (("Ongoing",), "identifiable")
    assert first.legal_basis == ("HSCA 2012 s261(2)(c)",)
    assert [d.name for d in first.datasets] == [
        "MRIS - Cause of Death Report",
        "MRIS - Cohort Event Notification Report",
    ]
    assert first.section("Objectives").text == "Survival analysis of a cohort of patients."
    assert (second.reference, second.variant, second.opt_outs.honoured.value) == ("PHECancerReg", "older", "no")
    assert [s.name for s in second.sections] == ["Outputs"]


def test_page_earliest_variant_reads_basis_format_how_often_data(pages_dir):
    register = api.load([pages_dir / "earliest.txt"])
    first, second = register.entries
    assert register.pages[0].organisation == "Example Trust"
    assert (first.variant, first.title, first.agreement) == ("earliest", "Example Trust", "NIC-10013-NNNNN")
    assert first.legal_basis == ("NHS Act 2006 s251",)
    assert (first.type_of_data, first.access) == ("pseudonymised", ("Monthly",))
    assert ("HSCIC Id", "NIC-10013") in [(h, v) for h, v, _ in first.fields]
    assert [d.name for d in first.datasets] == [
        "Hospital Episode Statistics Admitted Patient Care",
        "Hospital Episode Statistics Outpatients",
    ]
    assert first.section("Objectives").text == "Benchmarking of hospital activity."
    assert first.section("Objectives").lines[0].col == 13
    assert (second.reference, second.type_of_data) == ("CASEMIX_MONITOR", "aggregate")
    assert [d.family for d in second.datasets] == ["SUS"]


def test_page_blank_lines_between_fields_change_nothing(pages_dir):
    text = (pages_dir / "blank_lines.txt").read_text(encoding="utf-8")
    _, (spaced,) = parse_page_text(text)
    _, (packed,) = parse_page_text("\n".join(line for line in text.splitlines() if line.strip()))
    assert [d.name for d in spaced.datasets] == ["SUS for Commissioners"]
    assert spaced.section("Objectives").text == "Commissioning\nThe CCG analyses the data."
    assert spaced.section("Processing").text == "Data is processed in the CSU."
    facts = ("legal_basis", "access", "opt_outs", "sensitive", "type_of_data", "commercial")
    assert [getattr(spaced, k) for k in facts] == [getattr(packed, k) for k in facts]
    assert [s.text for s in spaced.sections] == [s.text for s in packed.sections]
    assert (spaced.period.start, spaced.period.end) == (packed.period.start, packed.period.end)


def test_page_without_labels_reads_bullets_as_datasets_then_objectives(pages_dir):
    _, entry = _one(pages_dir, "no_labels.txt")
    assert [(d.name, d.family, d.span.line) for d in entry.datasets] == [
        ("SUS for Commissioners", "SUS", 12),
        ("Mental Health Services Data Set", "MHSDS", 13),
    ]
    assert entry.section("Objectives").text == "To provide data for commissioning."
    assert entry.opt_outs.honoured.value == "mixed"


@pytest.mark.parametrize(
    ("position", "names", "families"),
    [
        (1, ["SUS for Commissioners", "Mental Health Services Data Set"], ["SUS", "MHSDS"]),
        (2, ["Maternity Services Data Set", "Diagnostic Imaging Dataset"], ["MSDS", "DIDS"]),
        (3, ["Improving Access to Psychological Therapies Data Set", "Acute-Local Provider Flows"], ["IAPT", "LPF"]),
    ],
    ids=["dash", "bullet", "numbered"],
)
def test_page_dataset_item_style_reads_names(pages_dir, position, names, families):
    _, entry = _one(pages_dir, "dataset_bullets.txt", position)
    assert [d.name for d in entry.datasets] == names
    assert [d.family for d in entry.datasets] == families
    assert entry.section("Objectives").text == "Commissioning."


def test_page_binary_file_is_skipped(tmp_path):
    path = tmp_path / "page.txt"
    path.write_bytes(b"Project 1 \xe2\x80\x94 NIC-1-AAAAA\n\x00\x01\x02\xff" * 10)
    with pytest.raises(NothingReadError) as raised:
        api.load([path])
    assert heads(raised.value.diagnostics) == [
        f"{path}:1:1: error[DFG104] binary content (NUL bytes), not a register page; file skipped"
    ]
    assert raised.value.diagnostics.counts() == counts(0, 0)


def test_page_utf16_with_bom_is_read_as_text(tmp_path, pages_dir):
    path = tmp_path / "page.txt"
    path.write_bytes((pages_dir / "reversed_window.txt").read_text(encoding="utf-8").encode("utf-16"))
    register = api.load([path])
    assert heads(register) == [f"{path}:3:6: {REVERSED}"]
    assert register.entries[0].reference == "NIC-10003-CCCCC"


def test_page_form_feed_does_not_shift_line_numbers(tmp_path, pages_dir):
    text = (pages_dir / "reversed_window.txt").read_text(encoding="utf-8")
    path = tmp_path / "page.txt"
    path.write_text(text.replace("Opt outs honoured: N, Y", "Opt outs honoured: N,\x0c\u2028Y"), encoding="utf-8")
    assert heads(api.load([path])) == [f"{path}:3:6: {REVERSED}"]


def test_page_missing_file_is_reported(tmp_path):
    path = tmp_path / "absent.txt"
    with pytest.raises(NothingReadError, match=f"no register entries were read from {path}$") as raised:
        api.load([path])
    assert heads(raised.value.diagnostics) == [f"{path}:1:1: error[DFG110] no such file or folder"]
    assert raised.value.diagnostics.counts() == counts(0, 0)


#: Lines of about 5 MB: a page saved without line breaks, prose run together, white space.
def _seed_flat(seed: str) -> str:
    flat = seed.replace("\n", " ")
    return (flat * (5_000_000 // len(flat) + 1))[:5_000_000]


LONG_LINES = {
    "page_on_one_line": lambda seed: _seed_flat(seed),
    "processing_on_one_line": lambda seed: "Project 1 — NIC-1234-ABCDE\nProcessing: " + _seed_flat(seed) + "\n",
    "white_space_run": lambda seed: "Project 1 — NIC-1234-ABCDE\nx" + " " * 5_000_000 + "y\n",
    "dataset_item": lambda seed: "Project 1 — NIC-1234-ABCDE\nDatasets:\n- " + "a " * 2_500_000,
    "heading_like": lambda seed: "Project 1 — " * 400_000 + "NIC-1234-ABCDE\n",
}


@pytest.mark.parametrize("make", list(LONG_LINES.values()), ids=list(LONG_LINES))
def test_page_five_megabyte_line_parses_fast(make, seed_path):
    data = make(seed_path.read_text(encoding="utf-8")).encode("utf-8")
    diagnostics = Diagnostics()
    started = time.perf_counter()
    source = text_source(data, "long.txt", diagnostics)
    parse_page(source, diagnostics)
    assert time.perf_counter() - started < 2.0
    assert diagnostics.balanced
    long_line = next(d for d in diagnostics if d.code == "DFG108")
    assert str(long_line).splitlines()[0].startswith("long.txt:")
    assert "note[DFG108] line of " in str(long_line)


def test_page_text_helper_balances_counts():
    diagnostics = Diagnostics()
    _, entries = parse_page_text("T — NIC-1234-ABCDE\nT — NIC-1234-ABCDF\nOpt outs honoured: Y\n", "p.txt", diagnostics)
    assert [e.reference for e in entries] == ["NIC-1234-ABCDF"]
    assert diagnostics.counts() == counts(2, 1, 1)


@pytest.mark.parametrize("line", ["Commissioning – Pseudonymised – SUS", "Pseudonymised – IAPT", "Commissioning — HES"])
def test_page_purpose_subheading_ending_in_a_dataset_is_not_an_entry(line):
    page = "T — NIC-10001-AAAAA\nOpt outs honoured: N\nProcessing:\n" + line + "\n1. SUS data is sent to X CSU.\n"
    _, entries = parse_page_text(page, "sub.txt")
    assert len(entries) == 1
    assert line in entries[0].section("Processing").text


def test_page_free_text_lines_keep_their_numbers_and_colon_lines_still_read_as_fields():
    # Lines with neither a dash nor a colon take the short path into the open section;
    # a field heading after free text must still close the section.
    page = (
        "Org projects\nT — NIC-10001-AAAAA\nObjectives:\nfirst line\n\n  indented, no colon\n"
        "a ratio 2:1 in prose\nSensitive: Non-Sensitive\nProcessing: inline\nlast\n"
    )
    _, (entry,) = parse_page_text(page, "free.txt")
    assert [(s.line, s.col, s.text) for s in entry.section("Objectives").lines] == [
        (4, 1, "first line"),
        (6, 1, "  indented, no colon"),
        (7, 1, "a ratio 2:1 in prose"),
    ]
    assert [(s.line, s.col, s.text) for s in entry.section("Processing").lines] == [(9, 13, "inline"), (10, 1, "last")]
    assert entry.sensitive is False
    assert entry.organisation == "Org"


def test_page_duplicate_field_is_reported_once_per_repeat():
    page = "T — NIC-10001-AAAAA\nSensitive: Sensitive\nsensitive: Non-Sensitive\nSENSITIVE: x\n"
    diagnostics = Diagnostics()
    _, (entry,) = parse_page_text(page, "dup.txt", diagnostics)
    assert [d.span.line for d in diagnostics if d.code == "DFG109"] == [3, 4]
    assert [h for h, _, _ in entry.fields] == ["Sensitive", "sensitive", "SENSITIVE"]


@pytest.mark.parametrize("enabled", [True, False])
def test_page_parse_leaves_the_cycle_collector_as_it_found_it(enabled):
    import gc

    was = gc.isenabled()
    (gc.enable if enabled else gc.disable)()
    try:
        parse_page_text("T — NIC-10001-AAAAA\nOpt outs honoured: N\n")
        api.load()
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()


@pytest.mark.parametrize("frozen_before", [False, True])
def test_page_parse_leaves_its_records_in_the_oldest_generation_and_nothing_frozen(frozen_before):
    """Outside a dfg process, what a parse made ends in the oldest generation (the young
    collections do not scan it again) and nothing is left frozen; objects someone else
    froze stay frozen."""
    import gc

    if gc.get_freeze_count():
        pytest.skip("something in this test process froze objects already")
    gc.collect()
    if frozen_before:
        gc.freeze()  # as a program forking workers might
    try:
        frozen = gc.get_freeze_count()
        _, entries = parse_page_text("X projects\nT — NIC-10001-AAAAA\nOpt outs honoured: N\n")
        assert gc.get_freeze_count() == frozen
        if not frozen_before:
            assert any(o is entries[0] for o in gc.get_objects(generation=2))
            assert not any(o is entries[0] for o in gc.get_objects(generation=0))
    finally:
        gc.unfreeze()


_SECTIONS_PAGE = (
    "Example CCG projects\n"
    "Project 1 — NIC-10001-AAAAA\n"
    "Opt outs honoured: N\n"
    "Objectives:   The CCG analyses data.  \n"
    "\n"
    "It links it: by NHS number.\n"
    "   \t\n"
    "Invoice Validation\n"
    "Processing:\n"
    "Data flows to the CSU.\n"
    "Project 2 — NIC-10002-BBBBB\n"
    "Objectives:\n"
    "Last line, no break"
)


def test_page_section_lines_are_made_on_first_use_and_equal_the_plain_section():
    """A page section keeps where its lines are and makes their spans when read; it is
    the plain ``Section`` in every way (lines, text, equality, hash, repr, pickle)."""
    import pickle

    from dataflow_graph.errors import Span
    from dataflow_graph.model import Section
    from dataflow_graph.read.duplicates import entry_key

    _, entries = parse_page_text(_SECTIONS_PAGE, "p.txt")
    sections = [s for e in entries for s in e.sections]
    texts = [s.text for s in sections]
    keys = [entry_key(e) for e in entries]
    for s in sections:  # neither the text nor an entry's key made the spans
        with pytest.raises(AttributeError):
            object.__getattribute__(s, "_lines")
    expected = [
        (
            "Objectives",
            4,
            [(4, 15, "The CCG analyses data."), (6, 1, "It links it: by NHS number."), (8, 1, "Invoice Validation")],
        ),
        ("Processing", 9, [(10, 1, "Data flows to the CSU.")]),
        ("Objectives", 12, [(13, 1, "Last line, no break")]),
    ]
    assert [(s.name, s.span.line, [(x.line, x.col, x.text) for x in s.lines]) for s in sections] == expected
    assert texts == [s.text for s in sections]
    assert texts[0] == "The CCG analyses data.\nIt links it: by NHS number.\nInvoice Validation"
    for s in sections:
        plain = Section(s.name, s.span, tuple(Span(x.path, x.line, x.col, x.text) for x in s.lines))
        assert s == plain
        assert plain == s
        assert hash(s) == hash(plain)
        assert repr(s) == repr(plain)
        again = pickle.loads(pickle.dumps(s))
        assert type(again) is Section
        assert again == plain
    assert keys == [entry_key(e) for e in entries]
