"""Official register files: the 2017 workbook and its CSV export, PHE registers, and a
three-sheet Data Uses Register workbook built here with openpyxl."""

from __future__ import annotations

import csv
import datetime as dt
import time
from pathlib import Path

import pytest

from dataflow_graph.errors import Diagnostics
from dataflow_graph.model import Identifiability, OptOut
from dataflow_graph.names import split_controllers
from dataflow_graph.read.register import (
    RegisterTables,
    identifiability_of,
    normalise_header,
    read_register,
    register_period,
)

DATA = Path(__file__).parent / "data"
REGISTER = DATA / "register"
XLSX = REGISTER / "ReleaseRegister-sep-nov-2017.xlsx"
CSV = REGISTER / "ReleaseRegister-sep-nov-2017DataReleases.csv"
PHE = ("PHE14-15.csv", "PHE15-16.csv", "PHE16-17.csv")


def _read(path: Path, display: str | None = None) -> tuple[RegisterTables, Diagnostics]:
    diagnostics = Diagnostics()
    return read_register(path, display or path.name, diagnostics), diagnostics


@pytest.fixture(scope="module")
def workbook_2017():
    diagnostics = Diagnostics()
    wall, cpu = time.perf_counter(), time.process_time()
    tables = read_register(XLSX, XLSX.name, diagnostics)
    timing = {"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu}
    return tables, diagnostics, timing


@pytest.fixture(scope="module")
def csv_2017():
    diagnostics = Diagnostics()
    wall = time.perf_counter()
    tables = read_register(CSV, CSV.name, diagnostics)
    return tables, diagnostics, time.perf_counter() - wall


# ---------------------------------------------------------------------------------------
# The 2017 quarterly workbook


def test_read_register_workbook_2017_counts_every_row(workbook_2017):
    tables, diagnostics, timing = workbook_2017
    by_sheet: dict[str, int] = {}
    for release in tables.releases:
        by_sheet[release.source] = by_sheet.get(release.source, 0) + 1
    print(
        f"\n2017 workbook: {diagnostics.counts()}, releases by sheet {by_sheet}, "
        f"entries {len(tables.entries)}, load {timing['wall']:.2f}s wall, "
        f"{timing['cpu']:.2f}s CPU"
    )
    assert by_sheet == {f"{XLSX.name}#DataReleases": 5776, f"{XLSX.name}#AmendmentsToPreviousRegisters": 12}
    assert len(tables.entries) == 838
    assert {e.source for e in tables.entries} == {f"{XLSX.name}#PurposeStatements"}
    assert diagnostics.counts() == {"read": 5776 + 12 + 838, "parsed": 6626, "rejected": 0}
    assert diagnostics.balanced


def test_read_register_workbook_2017_loads_in_under_two_seconds(workbook_2017):
    # CPU time, so that other work on a shared machine does not make the test flaky.
    assert workbook_2017[2]["cpu"] < 2.0


def test_read_register_workbook_2017_period_comes_from_readme(workbook_2017):
    period = workbook_2017[0].period
    assert (period.start, period.end, period.raw) == ("2017-09", "2017-11", "September to November 2017")
    assert str(period.span) == f"{XLSX.name}#README:1:1"


def test_read_register_workbook_2017_diagnostics_are_exact(workbook_2017):
    lines = [str(d).split("\n")[0] for d in workbook_2017[1]]
    assert lines[:2] == [
        f"{XLSX.name}#PurposeStatements:385:1: warning[DFG203] reference 'NIC-154590-YG6QH ' "
        "has surrounding white space; read as 'NIC-154590-YG6QH'",
        f"{XLSX.name}#PurposeStatements:806:1: warning[DFG203] reference 'NIC-56039-T9H7X ' "
        "has surrounding white space; read as 'NIC-56039-T9H7X'",
    ]
    codes = [d.code for d in workbook_2017[1]]
    assert codes.count("DFG203") == 2 + 15
    assert lines[-1] == (
        f"{XLSX.name}#AmendmentsToPreviousRegisters:1:11: note[DFG502] column K has no header "
        "but holds values (first on row 2); they are kept as extra field 'column K'"
    )
    assert len(codes) == 18


def test_read_register_release_row_has_every_field(workbook_2017):
    release = workbook_2017[0].releases[0]
    assert release.as_dict() | {"period": None} == {
        "id": f"{XLSX.name}#DataReleases:2",
        "source": f"{XLSX.name}#DataReleases",
        "line": 2,
        "row_id": "FILE0012064",
        "reference": "DARS-NIC-17875-X7K1V-v1.4",
        "agreement": "NIC-17875-X7K1V",
        "recipient": "UNIVERSITY OF BRISTOL",
        "dataset": "Hospital Episode Statistics Admitted Patient Care",
        "family": "HES",
        "category": "Anonymised - ICO code compliant",
        "identifiability": "anonymised",
        "sensitive": False,
        "legal_basis": "Health and Social Care Act 2012",
        "frequency": "ongoing",
        "opt_outs_applied": False,
        "month": None,
        "period": None,
        "extra": {},
    }
    assert (release.period.start, release.period.end) == ("2017-09", "2017-11")


def test_read_register_categories_derive_identifiability(workbook_2017):
    pairs = {(r.category, r.identifiability) for r in workbook_2017[0].releases}
    assert pairs == {
        ("Anonymised - ICO Code Compliant", Identifiability.ANONYMISED),
        ("Anonymised - ICO code compliant", Identifiability.ANONYMISED),
        ("Anonymised -ICO Code Compliant", Identifiability.ANONYMISED),
        ("Identifiable", Identifiability.IDENTIFIABLE),
        ("Aggregated-Small Numbers Suppressed", Identifiability.AGGREGATE),
    }


def test_read_register_amendment_rows_are_before_the_register_period(workbook_2017):
    amended = [r for r in workbook_2017[0].releases if "Amendments" in r.source]
    assert {r.recipient for r in amended} == {"PUBLIC HEALTH ENGLAND (PHE)"}
    first = amended[0]
    assert (first.line, first.period.start, first.period.end, first.period.qualifier) == (
        2,
        None,
        "2017-08",
        "before this register",
    )
    assert first.extra == (("column K", "Omitted from previous registers"),)


def test_read_register_purpose_statement_keeps_reference_and_lines(workbook_2017):
    entries = workbook_2017[0].entries
    entry = next(e for e in entries if e.line == 385)
    assert (entry.id, entry.source, entry.reference, entry.agreement, entry.position) == (
        f"{XLSX.name}#PurposeStatements:385",
        f"{XLSX.name}#PurposeStatements",
        "NIC-154590-YG6QH",
        "NIC-154590-YG6QH",
        383,
    )
    assert entry.span.text == "NIC-154590-YG6QH "
    assert [e.position for e in entries] == list(range(838))
    assert entry.variant == "quarterly-register"


def test_read_register_purpose_statement_sections_match_cells(workbook_2017):
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(str(XLSX)).get_sheet_by_name("PurposeStatements").to_python()
    entries = workbook_2017[0].entries
    names = ("Objectives", "Processing", "Outputs", "Expected Benefits")
    for entry in entries:
        cells = rows[entry.line - 1]
        assert entry.organisation == cells[1].strip()
        assert entry.title == entry.organisation
        for name, cell in zip(names, cells[2:6], strict=True):
            section = entry.section(name)
            if not cell.strip():
                assert section is None
                continue
            assert section.text == cell.strip()
            assert {(s.path, s.line, s.col) for s in section.lines} == {
                (f"{XLSX.name}#PurposeStatements", entry.line, 1)
            }
            assert section.span == section.lines[0]
    sixth = next(e for e in entries if e.line == 6).section("Objectives")
    assert len(sixth.lines) == sixth.text.count("\n") + 1 > 1


def test_read_register_statement_sections_equal_plain_sections(workbook_2017):
    """Sections made lazily from a cell compare, hash, print and pickle as plain ones."""
    import copy
    import dataclasses
    import pickle

    from dataflow_graph.errors import Span
    from dataflow_graph.model import Section
    from dataflow_graph.read.register.entries import _section

    entry = next(e for e in workbook_2017[0].entries if e.line == 6)
    for section in entry.sections:
        parts = section.text.split("\n")
        plain = Section(
            section.name, Span(entry.source, 6, 1, parts[0]), tuple(Span(entry.source, 6, 1, p) for p in parts)
        )
        for lazy in (section, _section(section.name, section.text, entry.source, 6)):
            assert (lazy == plain, plain == lazy, lazy != plain) == (True, True, False)
            assert (hash(lazy), repr(lazy), lazy.text) == (hash(plain), repr(plain), plain.text)
            assert (lazy.as_dict(), lazy.subsections()) == (plain.as_dict(), plain.subsections())
            for copied in (pickle.loads(pickle.dumps(lazy)), copy.deepcopy(lazy)):
                assert (type(copied), copied) == (Section, plain)
            renamed = dataclasses.replace(lazy, name="Other")
            assert renamed == dataclasses.replace(plain, name="Other")
    assert entry == pickle.loads(pickle.dumps(entry))


def test_read_register_purpose_statement_carries_quarter_releases(workbook_2017):
    entry = next(e for e in workbook_2017[0].entries if e.reference == "CASEMIX_MONITOR")
    assert [(d.name, d.family, d.span.line) for d in entry.datasets] == [
        ("Episode and Spell level grouper results; underlying patient level data.", "CASEMIX", 2354)
    ]
    assert entry.opt_outs.honoured is OptOut.NO
    assert (entry.period.start, entry.period.end) == ("2017-09", "2017-11")
    mixed = [e for e in workbook_2017[0].entries if e.opt_outs.honoured is OptOut.MIXED]
    assert mixed
    assert all("with opt-outs applied" in e.opt_outs.raw for e in mixed)


# ---------------------------------------------------------------------------------------
# The CSV export of DataReleases


def test_read_register_csv_export_equals_workbook_sheet(workbook_2017, csv_2017):
    sheet = [r for r in workbook_2017[0].releases if r.source.endswith("#DataReleases")]
    exported = csv_2017[0].releases
    print(f"\n2017 CSV: {csv_2017[1].counts()}, load {csv_2017[2]:.2f}s")

    def key(r):
        return (r.recipient, r.dataset, r.category, r.reference, r.row_id, r.opt_outs_applied)

    assert [key(r) for r in exported] == [key(r) for r in sheet]
    assert csv_2017[1].counts() == {"read": 5776, "parsed": 5776, "rejected": 0}


def test_read_register_csv_lines_are_physical_start_lines(csv_2017):
    releases = csv_2017[0].releases
    assert (releases[0].id, releases[0].source, releases[0].line) == (f"{CSV.name}:3", CSV.name, 3)
    assert [r.line for r in releases] == list(range(3, 3 + 5776))
    assert (csv_2017[0].period.start, csv_2017[0].period.end) == ("2017-09", "2017-11")


def test_read_register_short_row_reports_file_line_and_continues():
    tables, diagnostics = _read(DATA / "short_row.csv", "tests/data/short_row.csv")
    assert [str(d) for d in diagnostics] == [
        "tests/data/short_row.csv:4:1: error[DFG501] row has 3 fields but the header on "
        "line 1 has 4; rejected (look for a missing field or an unquoted comma)\n"
        '    "DARS-NIC-00001-AAAAA-v1.0","NHS EXAMPLE CCG","Local Provider Data - Acute"\n'
        "    ^"
    ]
    assert [(r.line, r.dataset, r.opt_outs_applied) for r in tables.releases] == [
        (2, "Hospital Episode Statistics\nAdmitted Patient Care", False),
        (5, "Local Provider Data - Acute", True),
    ]
    assert diagnostics.counts() == {"read": 3, "parsed": 2, "rejected": 1}


def test_read_register_row_without_reference_is_rejected_and_blank_rows_skipped():
    tables, diagnostics = _read(DATA / "no_reference.csv", "tests/data/no_reference.csv")
    assert [str(d).split("\n")[0] for d in diagnostics] == [
        "tests/data/no_reference.csv:2:1: error[DFG504] row has no reference in column 'NIC Number'; rejected"
    ]
    assert [r.line for r in tables.releases] == [3]
    assert diagnostics.counts() == {"read": 2, "parsed": 1, "rejected": 1}


def test_read_register_csv_with_bad_quote_is_rejected_with_dfg510(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text(
        '"Reference Number","Dataset","Month File Released"\n'
        '"NIC-1234-ABCDE","HES"x"","Jul-19"\n'
        '"NIC-1234-ABCDE","HES","Aug-19"\n',
        encoding="utf-8",
    )
    tables, diagnostics = _read(path, "r.csv")
    assert [str(d).split("\n")[0] for d in diagnostics] == [
        "r.csv:2:1: error[DFG510] record cannot be read as CSV (',' expected after '\"'); rejected",
        "r.csv:1:1: warning[DFG503] no recipient column (e.g. 'Organisation Name') and no "
        "Agreements sheet to look the reference up in; recipients left empty",
    ]
    assert [r.month for r in tables.releases] == ["2019-08"]
    assert diagnostics.counts() == {"read": 2, "parsed": 1, "rejected": 1}


# ---------------------------------------------------------------------------------------
# PHE release registers


@pytest.mark.parametrize(
    ("name", "rows", "agreements", "first", "last"),
    [
        ("PHE14-15.csv", 65, 65, "2014-04", "2015-03"),
        ("PHE15-16.csv", 76, 76, "2015-04", "2016-03"),
        ("PHE16-17.csv", 73, 70, "2016-04", "2017-03"),
    ],
)
def test_read_register_phe_rows_parse(name, rows, agreements, first, last):
    tables, diagnostics = _read(REGISTER / name)
    assert diagnostics.counts() == {"read": rows, "parsed": rows, "rejected": 0}
    assert len(tables.releases) == rows
    assert len(tables.entries) == agreements
    months = sorted(r.month for r in tables.releases)
    assert (months[0], months[-1]) == (first, last)
    assert all(r.identifiability is not None for r in tables.releases)
    assert all(e.section("Purpose") and e.variant == "release-register" for e in tables.entries)
    assert {d.code for d in diagnostics} <= {"DFG203"}


def test_read_register_phe_row_fields():
    tables, _ = _read(REGISTER / "PHE14-15.csv")
    release, entry = tables.releases[0], tables.entries[0]
    assert (
        release.row_id,
        release.reference,
        release.recipient,
        release.dataset,
        release.family,
        release.identifiability,
        release.legal_basis,
        release.month,
    ) == (
        "DRR1",
        "ODR_2014_139a",
        "Clinical Practice Research DataLink",
        "National Cancer Registration and Analysis Service",
        "CANCER",
        Identifiability.IDENTIFIABLE,
        "Regulation 5 (s251)",
        "2014-04",
    )
    assert (entry.id, entry.organisation_type, entry.section("Purpose").span.line) == (
        "PHE14-15.csv:2",
        "Government Agency (Health and Adult Social Care)",
        2,
    )


# ---------------------------------------------------------------------------------------
# The newer three-sheet Data Uses Register, built here


AGREEMENT_HEADERS = [  # shuffled, one renamed ("... Name"), one extra ("Internal Note")
    "Application Title",
    "Reference Number",
    "Applicant Organisation Name",
    "Applicant Organisation Type",
    "Data Controller(s)",
    "Sole/Joint Data Controller",
    "DSA End Date",
    "DSA Start Date",
    "Does Sublicensing Apply",
    "For Commercial Purposes",
    "Processing Activities",
    "Objective for Processing",
    "Expected Output",
    "Expected Measurable Benefits",
    "Yielded Benefits",
    "Internal Note",
]
AGREEMENTS = [
    [
        "Risk stratification",
        "DARS-NIC-41576-W2B4Q-v2.1",
        "NHS THURROCK CCG",
        "CCG",
        "NHS THURROCK CCG, NHS MID AND SOUTH ESSEX ICB - 07G",
        "Joint",
        dt.date(2022, 5, 31),
        dt.date(2019, 5, 1),
        "No",
        "No",
        "Data flows from the DSCRO.\nIt is pseudonymised.",
        "To stratify risk.",
        "Reports",
        "Fewer admissions",
        "",
        "checked",
    ],
    [
        "Analytics",
        "DARS-NIC-12345-ABCDE-v1.0 ",
        "IQVIA LTD",
        "Commercial",
        "NHS Bristol, North Somerset and South Gloucestershire ICB, IQVIA, INC",
        "Joint",
        "2021-03-31",
        "2023-04-01",
        "Yes",
        "Maybe",
        "",
        "Research.",
        "",
        "",
        "A paper",
        "",
    ],
    ["No reference", "", "NOBODY", "", "", "", "", "", "", "", "", "", "", "", "", ""],
]
DATASET_HEADERS = [
    "Reference Number",
    "Dataset",
    "Type of Data",
    "Sensitive or Non-Sensitive",
    "Frequency",
    "Legal Basis for Provision of Data",
    "Common Law Duty of Confidentiality",
]
DATASETS = [
    [
        "DARS-NIC-41576-W2B4Q-v2.1",
        "SUS for Commissioners",
        "Pseudonymised",
        "Sensitive",
        "Ongoing",
        "Health and Social Care Act 2012 - s261(2)(b)(ii)",
        "Section 251",
    ],
    [
        "DARS-NIC-41576-W2B4Q-v2.1",
        "Local Provider Flows - Acute",
        "Identifiable",
        "Sensitive",
        "One-Off",
        "Health and Social Care Act 2012 - s261(7)",
        "Section 251",
    ],
    [
        "DARS-NIC-41576-W2B4Q-v2.1",
        "Local Provider Flows - Mental Health",
        "Pseudonymised",
        "Sensitive",
        "Ongoing",
        "Health and Social Care Act 2012 - s261(7)",
        "Section 251",
    ],
    [
        "DARS-NIC-12345-ABCDE-v1.0",
        "Hospital Episode Statistics Admitted Patient Care",
        "Anonymised - ICO code compliant",
        "Non-Sensitive",
        "Ongoing",
        "Health and Social Care Act 2012",
        "Not applicable",
    ],
    ["DARS-NIC-99999-ZZZZZ-v1.0", "HES Outpatients", "Pseudonymised", "Sensitive", "Ongoing", "", ""],
]
RELEASE_HEADERS = ["Dataset", "Reference Number", "Patient Opt-Outs Applied", "Month Released"]
RELEASES = [
    ["SUS for Commissioners", "DARS-NIC-41576-W2B4Q-v2.1", "Y", "Jul-19"],
    ["SUS for Commissioners", "DARS-NIC-41576-W2B4Q-v2.1", "N", "Jul-19"],
    ["Local Provider Flows - Acute", "DARS-NIC-41576-W2B4Q-v2.1", "N", dt.datetime(2019, 7, 1)],
    ["Local Provider Flows - Mental Health", "DARS-NIC-41576-W2B4Q-v2.1", "N", "Jul-19"],
    ["Hospital Episode Statistics Admitted Patient Care", "DARS-NIC-12345-ABCDE-v1.0", "N", "Aug-19"],
    ["HES Outpatients", "DARS-NIC-77777-YYYYY-v1.0", "N", "Aug-19"],
    [None, None, None, None],
    ["SUS for Commissioners", "", "Y", "Sep-19"],
]


def _data_uses_workbook(path: Path) -> Path:
    """A Data Uses Register workbook: sheets out of order, a title above one header."""
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    releases = book.active
    releases.title = "DataReleases"
    for row in [RELEASE_HEADERS, *RELEASES, [None] * 4]:
        releases.append(row)
    datasets = book.create_sheet("Datasets")
    datasets.append(["Datasets released under each agreement"])
    datasets.append([])
    for row in [DATASET_HEADERS, *DATASETS]:
        datasets.append(row)
    agreements = book.create_sheet("Agreements")
    for row in [AGREEMENT_HEADERS, *AGREEMENTS]:
        agreements.append(row)
    book.create_sheet("Notes").append(["Data Uses Register, June 2019 to August 2019"])
    book.save(path)
    return path


@pytest.fixture
def data_uses(tmp_path):
    path = _data_uses_workbook(tmp_path / "dur.xlsx")
    return _read(path, "dur.xlsx")


def test_read_register_data_uses_workbook_diagnostics(data_uses):
    _, diagnostics = data_uses
    assert [str(d).split("\n")[0] for d in diagnostics] == [
        "dur.xlsx#Agreements:1:3: note[DFG508] header 'Applicant Organisation Name' read as 'Organisation'",
        "dur.xlsx#Agreements:1:16: note[DFG502] header 'Internal Note' not recognised; its "
        "values are kept as extra fields",
        "dur.xlsx#Agreements:3:2: warning[DFG203] reference 'DARS-NIC-12345-ABCDE-v1.0 ' has "
        "surrounding white space; read as 'DARS-NIC-12345-ABCDE-v1.0'",
        "dur.xlsx#Agreements:3:8: warning[DFG211] DSA window '2023-04-01 – 2021-03-31' ends "
        "(2021-03) before it starts (2023-04); kept as published",
        "dur.xlsx#Agreements:3:10: warning[DFG212] 'For Commercial Purposes' value 'Maybe' is "
        "not yes or no; left unknown",
        "dur.xlsx#Agreements:4:1: error[DFG504] row has no reference in column 'Reference Number'; rejected",
        "dur.xlsx#Datasets:8:1: warning[DFG509] reference 'DARS-NIC-99999-ZZZZZ-v1.0' is not in "
        "an Agreements sheet of this file; the dataset row is used only for release rows",
        "dur.xlsx#DataReleases:1:4: note[DFG508] header 'Month Released' read as 'Month File Released'",
        "dur.xlsx#DataReleases:7:2: warning[DFG509] reference 'DARS-NIC-77777-YYYYY-v1.0' is "
        "not in an Agreements sheet of this file; recipient unknown",
        "dur.xlsx#DataReleases:9:1: error[DFG504] row has no reference in column 'Reference Number'; rejected",
    ]
    assert diagnostics.counts() == {"read": 3 + 5 + 7, "parsed": 2 + 5 + 6, "rejected": 2}


def test_read_register_data_uses_agreement_becomes_entry(data_uses):
    tables, _ = data_uses
    thurrock, bristol = tables.entries
    assert (
        thurrock.id,
        thurrock.reference,
        thurrock.agreement,
        thurrock.title,
        thurrock.organisation,
        thurrock.organisation_type,
        thurrock.variant,
    ) == (
        "dur.xlsx#Agreements:2",
        "DARS-NIC-41576-W2B4Q-v2.1",
        "NIC-41576-W2B4Q",
        "Risk stratification",
        "NHS THURROCK CCG",
        "CCG",
        "data-uses-register",
    )
    assert (thurrock.dsa.start, thurrock.dsa.end) == ("2019-05", "2022-05")
    assert thurrock.controllers == ("NHS THURROCK CCG", "NHS MID AND SOUTH ESSEX ICB - 07G")
    assert (thurrock.sublicensing, thurrock.commercial) == (False, False)
    assert [(s.name, [(x.line, x.text) for x in s.lines]) for s in thurrock.sections] == [
        ("Objectives", [(2, "To stratify risk.")]),
        ("Processing", [(2, "Data flows from the DSCRO."), (2, "It is pseudonymised.")]),
        ("Outputs", [(2, "Reports")]),
        ("Expected Benefits", [(2, "Fewer admissions")]),
    ]
    assert [(h, v) for h, v, _ in thurrock.fields][:1] == [("Sole/Joint Data Controller", "Joint")]
    assert [s.text for s in thurrock.unrecognised] == ["Internal Note: checked"]
    assert [(d.name, d.family) for d in thurrock.datasets] == [
        ("SUS for Commissioners", "SUS"),
        ("Local Provider Flows - Acute", "LPF"),
        ("Local Provider Flows - Mental Health", "LPF"),
    ]
    assert thurrock.type_of_data == "Pseudonymised; Identifiable"
    assert thurrock.opt_outs.honoured is OptOut.MIXED
    assert bristol.controllers == ("NHS Bristol, North Somerset and South Gloucestershire ICB", "IQVIA, INC")
    assert (bristol.sublicensing, bristol.commercial, bristol.dsa.reversed) == (True, None, True)
    assert bristol.section("Yielded Benefits").text == "A paper"


def test_read_register_data_uses_releases_join_agreements_and_datasets(data_uses):
    tables, _ = data_uses
    rows = [
        (
            r.line,
            r.recipient,
            r.dataset,
            r.category,
            r.identifiability,
            r.month,
            r.opt_outs_applied,
            r.frequency,
            r.sensitive,
        )
        for r in tables.releases
    ]
    assert rows == [
        (
            2,
            "NHS THURROCK CCG",
            "SUS for Commissioners",
            "Pseudonymised",
            Identifiability.PSEUDONYMISED,
            "2019-07",
            True,
            "ongoing",
            True,
        ),
        (
            3,
            "NHS THURROCK CCG",
            "SUS for Commissioners",
            "Pseudonymised",
            Identifiability.PSEUDONYMISED,
            "2019-07",
            False,
            "ongoing",
            True,
        ),
        (
            4,
            "NHS THURROCK CCG",
            "Local Provider Flows - Acute",
            "Identifiable",
            Identifiability.IDENTIFIABLE,
            "2019-07",
            False,
            "one-off",
            True,
        ),
        (
            5,
            "NHS THURROCK CCG",
            "Local Provider Flows - Mental Health",
            "Pseudonymised",
            Identifiability.PSEUDONYMISED,
            "2019-07",
            False,
            "ongoing",
            True,
        ),
        (
            6,
            "IQVIA LTD",
            "Hospital Episode Statistics Admitted Patient Care",
            "Anonymised - ICO code compliant",
            Identifiability.ANONYMISED,
            "2019-08",
            False,
            "ongoing",
            False,
        ),
        (7, "", "HES Outpatients", "", None, "2019-08", False, "", None),
    ]
    assert tables.releases[0].id == "dur.xlsx#DataReleases:2"
    assert (tables.period.start, tables.period.end) == ("2019-06", "2019-08")


def test_read_register_sheet_starting_below_and_right_keeps_sheet_rows(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "DataReleases"
    sheet["C3"], sheet["D3"], sheet["E3"] = "NIC Number", "Organisation Name", "us"
    sheet["C4"], sheet["D4"], sheet["E4"] = " NIC-1234-ABCDE", "NHS X CCG", "HES APC"
    sheet["C6"], sheet["D6"], sheet["E6"] = "NIC-1234-ABCDE", "NHS X CCG", "HES OP"
    book.save(tmp_path / "offset.xlsx")
    tables, diagnostics = _read(tmp_path / "offset.xlsx", "offset.xlsx")
    assert [(r.id, r.dataset) for r in tables.releases] == [
        ("offset.xlsx#DataReleases:4", "HES APC"),
        ("offset.xlsx#DataReleases:6", "HES OP"),
    ]
    assert [str(d).split(": ")[0] for d in diagnostics] == ["offset.xlsx#DataReleases:4:3"]


# ---------------------------------------------------------------------------------------
# Units


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "NHS THURROCK CCG, NHS MID AND SOUTH ESSEX ICB - 07G",
            ["NHS THURROCK CCG", "NHS MID AND SOUTH ESSEX ICB - 07G"],
        ),
        (
            "NHS Bristol, North Somerset and South Gloucestershire ICB",
            ["NHS Bristol, North Somerset and South Gloucestershire ICB"],
        ),
        (
            "MEDEANALYTICS INTERNATIONAL, LIMITED, NHS KENT CCG",
            ["MEDEANALYTICS INTERNATIONAL, LIMITED", "NHS KENT CCG"],
        ),
        ("IQVIA, INC; University of Oxford", ["IQVIA, INC", "University of Oxford"]),
        ("", []),
    ],
)
def test_split_controllers_commas_inside_names_do_not_separate(text, expected):
    assert split_controllers(text) == expected


@pytest.mark.parametrize(
    ("header", "key"),
    [
        (
            "Data provided to customer:\nIdentifiable, Anonymised - ICO code compliant, Aggregated -anonymised ",
            "data provided to customer: identifiable, anonymised - ico code compliant, aggregated -anonymised",
        ),
        ("  NIC   Number ", "nic number"),
        (None, ""),
    ],
)
def test_normalise_header_line_breaks_collapse(header, key):
    assert normalise_header(header) == key


@pytest.mark.parametrize(
    ("category", "expected"),
    [
        ("Identifiable", Identifiability.IDENTIFIABLE),
        ("ANONYMISED - ICO CODE COMPLIANT", Identifiability.ANONYMISED),
        ("Aggregated -anonymised", Identifiability.AGGREGATE),
        ("Aggregated - anonymised", Identifiability.AGGREGATE),
        ("Pseudonymised", Identifiability.PSEUDONYMISED),
        ("Something else", None),
    ],
)
def test_identifiability_of_register_categories_map(category, expected):
    assert identifiability_of(category) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ReleaseRegister-sep-nov-2017DataReleases.csv", ("2017-09", "2017-11")),
        ("releaseregister20170901_20171130_v02.xlsx", ("2017-09", "2017-11")),
        ("Data released from NHS Digital - November 2017 to January 2018", ("2017-11", "2018-01")),
        ("PHE14-15.csv", None),
    ],
)
def test_register_period_title_or_name_gives_window(text, expected):
    period = register_period(text)
    assert (period and (period.start, period.end)) == expected


def test_read_register_not_a_table_is_reported(tmp_path):
    page = tmp_path / "page.csv"
    page.write_text("just,some,words,here\n1,2,3,4\n", encoding="utf-8")
    tables, diagnostics = _read(page, "page.csv")
    assert tables == RegisterTables()
    assert [d.code for d in diagnostics] == ["DFG507"]


def test_read_register_missing_file_is_reported(tmp_path):
    tables, diagnostics = _read(tmp_path / "absent.xlsx", "absent.xlsx")
    assert tables == RegisterTables()
    assert [str(d).split(":")[0] + " " + d.code for d in diagnostics] == ["absent.xlsx DFG110"]


def test_read_register_damaged_workbook_is_reported(tmp_path):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 64)
    tables, diagnostics = _read(path, "broken.xlsx")
    assert tables == RegisterTables()
    assert [d.code for d in diagnostics] == ["DFG507"]


def test_read_register_csv_independent_count_matches(csv_2017):
    with CSV.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))[1:]
    assert len(rows) == len(csv_2017[0].releases) == 5776
    assert [r[0] for r in rows] == [r.row_id for r in csv_2017[0].releases]
