"""The opt-out red flag, not-applied counts and file-level convergence.

The figures for three recipients are computed here with the csv module straight over
the raw 2017 CSV export, without the project's code, and pinned."""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

import pytest

from dataflow_graph.errors import Diagnostics
from dataflow_graph.graph import SEVERITY, file_findings, label, score
from dataflow_graph.graph.releases import (
    file_convergences,
    not_applied,
    period_of,
    recipient_of,
    redflag_report,
    redflags,
)
from dataflow_graph.model import Identifiability, Period, Release
from dataflow_graph.outputs.documents import SCHEMA, redflags_document
from dataflow_graph.read.register import read_register

REGISTER = Path(__file__).parent / "data" / "register"
CSV = REGISTER / "ReleaseRegister-sep-nov-2017DataReleases.csv"
XLSX = REGISTER / "ReleaseRegister-sep-nov-2017.xlsx"
PINNED = ("NHS SURREY DOWNS CCG", "IMS HEALTH LTD", "UNIVERSITY COLLEGE LONDON (UCL)")


@pytest.fixture(scope="module")
def raw_rows():
    """The CSV as dicts, read with the csv module only."""
    with CSV.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        return [dict(zip(header, row, strict=True)) for row in reader]


@pytest.fixture(scope="module")
def releases():
    return read_register(CSV, CSV.name, Diagnostics()).releases


def _independent(raw_rows, recipient):
    """Per dataset (Y, N) file counts with both > 0, and the number of N files."""
    opt_outs = next(k for k in raw_rows[0] if k.startswith("Patient Opt-Outs"))
    counts = defaultdict(lambda: [0, 0])
    for row in raw_rows:
        if row["Organisation Name"].strip() == recipient:
            counts[row["us"].strip()][0 if row[opt_outs] == "Y" else 1] += 1
    flags = {d: tuple(c) for d, c in counts.items() if c[0] and c[1]}
    return flags, sum(c[1] for c in counts.values())


@pytest.mark.parametrize(
    ("recipient", "flags", "files_not_applied"),
    [
        (
            "NHS SURREY DOWNS CCG",
            {
                "Local Provider Data - Ambulance": (1, 1),
                "Local Provider Data - Community": (1, 1),
                "Local Provider Data - Demand for Service": (1, 1),
                "Local Provider Data - Diagnostic Services": (1, 1),
                "Local Provider Data - Emergency Care": (1, 1),
                "Local Provider Data - Mental Health": (1, 1),
            },
            13,
        ),
        (
            "IMS HEALTH LTD",
            {
                "Hospital Episode Statistics Accident and Emergency": (12, 25),
                "Hospital Episode Statistics Admitted Patient Care": (19, 47),
                "Hospital Episode Statistics Critical Care": (2, 10),
                "Hospital Episode Statistics Outpatients": (15, 31),
            },
            113,
        ),
        (
            "UNIVERSITY COLLEGE LONDON (UCL)",
            {
                "Hospital Episode Statistics Admitted Patient Care": (5, 31),
                "MRIS - Cause of Death Report": (12, 7),
                "MRIS - Cohort Event Notification Report": (10, 4),
            },
            129,
        ),
    ],
)
def test_redflags_pinned_recipients_match_independent_count(raw_rows, releases, recipient, flags, files_not_applied):
    assert _independent(raw_rows, recipient) == (flags, files_not_applied)
    org = recipient_of(recipient)
    found = [f for f in redflags(releases) if f.recipient_id == org.id]
    assert {f.dataset: (f.files_applied, f.files_not_applied) for f in found} == flags
    assert {(f.period, f.period_kind) for f in found} == {("2017-09/2017-11", "register period")}
    assert {recipient} <= {name for f in found for name in f.as_written}
    assert dict(not_applied(releases))[org.name] == files_not_applied


def test_redflags_rows_are_the_raw_csv_lines(raw_rows, releases):
    flag = next(f for f in redflags(releases) if f.recipient_id == recipient_of("NHS SURREY DOWNS CCG").id)
    assert len(flag.rows) == flag.files_applied + flag.files_not_applied
    for evidence in flag.rows:
        raw = raw_rows[evidence.line - 3]  # header on lines 1-2, data from line 3
        assert (raw["RowID"], raw["Organisation Name"].strip(), raw["us"].strip()) == (
            evidence.row_id,
            flag.as_written[0],
            flag.dataset,
        )
    assert [e.line for e in flag.rows] == sorted(e.line for e in flag.rows)


def test_redflags_whole_file_totals_match_independent_count(raw_rows, releases):
    opt_outs = next(k for k in raw_rows[0] if k.startswith("Patient Opt-Outs"))
    counts = defaultdict(lambda: [0, 0])
    for row in raw_rows:
        key = (row["Organisation Name"].strip(), row["us"].strip())
        counts[key][0 if row[opt_outs] == "Y" else 1] += 1
    expected = sorted((*k, *c) for k, c in counts.items() if c[0] and c[1])
    flags = redflags(releases)
    assert all(len(f.as_written) == 1 for f in flags)  # this file spells each recipient one way
    found = sorted((f.as_written[0], f.dataset, f.files_applied, f.files_not_applied) for f in flags)
    assert found == expected
    assert len(found) == 67
    totals: dict[str, int] = defaultdict(int)
    spellings: dict[str, set[str]] = defaultdict(set)
    for row in raw_rows:  # one organisation however the rows spell it ("FYLDE & WYRE", "FYLDE AND WYRE")
        key = recipient_of(row["Organisation Name"]).id
        totals[key] += row[opt_outs] == "N"
        spellings[key].add(row["Organisation Name"].strip())
    named = {recipient_of(min(spellings[k])).name: v for k, v in totals.items() if v}
    assert dict(not_applied(releases)) == named
    assert named["NHS Fylde & Wyre CCG"] == 8
    assert not_applied(releases)[:2] == [("University College London (UCL)", 129), ("IMS Health Ltd", 113)]


def test_redflags_workbook_and_csv_agree(releases):
    sheet = read_register(XLSX, XLSX.name, Diagnostics()).releases
    in_sheet = [r for r in sheet if r.source.endswith("#DataReleases")]

    def key(flags):
        return [(f.recipient, f.dataset, f.period, f.files_applied, f.files_not_applied) for f in flags]

    assert key(redflags(in_sheet)) == key(redflags(releases))
    amended = [r for r in sheet if "Amendments" in r.source]
    assert {period_of(r) for r in amended} == {("../2017-08", "before this register")}


def test_redflags_document_follows_json_contract(releases):
    document = redflags_document(redflag_report(releases))
    assert set(document) == {"schema", "redflags", "not_applied", "stated"}
    assert document["schema"] == SCHEMA
    first = document["redflags"][0]
    assert set(first) == {
        "recipient",
        "recipient_id",
        "as_written",
        "dataset",
        "period",
        "period_kind",
        "files_applied",
        "files_not_applied",
        "rows",
    }
    assert set(first["rows"][0]) == {"source", "line", "row_id"}
    assert set(document["not_applied"][0]) == {"recipient", "files"}
    text = json.dumps(document, sort_keys=True)
    assert text == json.dumps(redflags_document(redflag_report(reversed(releases))), sort_keys=True)


def _release(
    line,
    recipient,
    dataset,
    *,
    applied,
    month=None,
    period=None,
    ident=Identifiability.IDENTIFIABLE,
    family="HES",
    reference="NIC-1-AAAAA",
):
    return Release(
        f"f.csv:{line}",
        "f.csv",
        line,
        reference,
        reference,
        recipient,
        dataset,
        family,
        ident.value if ident else "",
        ident,
        opt_outs_applied=applied,
        month=month,
        period=period,
        row_id=f"R{line}",
    )


def test_redflags_months_split_files_and_unknown_opt_outs_are_ignored():
    rows = [
        _release(2, "Org", "HES APC", applied=True, month="2019-07"),
        _release(3, "Org", "HES APC", applied=False, month="2019-08"),
        _release(4, "Org", "HES APC", applied=None, month="2019-08"),
        _release(5, " Org ", "HES APC ", applied=True, month="2019-08"),
    ]
    assert [
        (
            f.recipient,
            f.dataset,
            f.period,
            f.period_kind,
            f.files_applied,
            f.files_not_applied,
            [e.line for e in f.rows],
        )
        for f in redflags(rows)
    ] == [("Org", "HES APC", "2019-08", "month", 1, 1, [3, 5])]
    assert not_applied(rows) == [("Org", 1)]


def test_redflags_no_month_uses_register_period_or_unknown():
    quarter = Period("2017-09", "2017-11", qualifier="register period")
    rows = [_release(n, "Org", "HES", applied=n % 2 == 0, period=quarter) for n in (2, 3)]
    rows += [_release(n, "Org", "HES", applied=n % 2 == 0) for n in (4, 5)]
    assert [(f.period, f.period_kind) for f in redflags(rows)] == [
        ("2017-09/2017-11", "register period"),
        ("unknown", "unknown"),
    ]


def test_file_convergences_identifiable_and_deidentified_in_one_period():
    rows = [
        _release(
            2, "NHS Anytown CCG", "LPF Acute", applied=False, month="2019-07", family="LPF", reference="NIC-1-AAAAA"
        ),
        _release(
            3,
            "NHS Anytown CCG",
            "LPF Mental Health",
            applied=True,
            month="2019-07",
            family="LPF",
            ident=Identifiability.PSEUDONYMISED,
            reference="NIC-2-BBBBB",
        ),
        _release(
            4,
            "NHS Anytown CCG",
            "LPF Acute",
            applied=True,
            month="2019-08",
            family="LPF",
            ident=Identifiability.ANONYMISED,
        ),
        _release(
            5, "NHS Anytown CCG", "Tables", applied=True, month="2019-07", family="LPF", ident=Identifiability.AGGREGATE
        ),
        _release(6, "NHS Anytown CCG", "Odd", applied=True, month="2019-07", family=None),
        _release(
            7, "NHS Anytown CCG", "Odd", applied=True, month="2019-07", family=None, ident=Identifiability.ANONYMISED
        ),
    ]
    found = file_convergences(rows)
    assert [
        (
            c.recipient,
            c.family,
            c.datasets,
            c.period,
            [e.line for e in c.identifiable],
            [e.line for e in c.deidentified],
        )
        for c in found
    ] == [
        ("NHS Anytown CCG", "LPF", ("LPF Acute", "LPF Mental Health"), "2019-07", [2], [3]),
        ("NHS Anytown CCG", None, ("Odd",), "2019-07", [6], [7]),
    ]
    lpf = found[0]
    assert (lpf.identifiable_opt_outs, lpf.deidentified_opt_outs, lpf.opt_outs_differ, lpf.same_agreement) == (
        ("not applied",),
        ("applied",),
        True,
        False,
    )
    assert lpf.as_dict()["identifiable"]["rows"] == [{"source": "f.csv", "line": 2, "row_id": "R2"}]


def test_file_convergences_2017_register_finds_ccgs_with_local_provider_data(releases):
    found = {(c.recipient_id, c.family) for c in file_convergences(releases)}
    names = ("NHS SURREY DOWNS CCG", "LPF"), ("NHS WANDSWORTH CCG", "LPF"), ("IMPERIAL COLLEGE LONDON", "HES")
    assert {(recipient_of(name).id, family) for name, family in names} <= found
    assert len(found) == 17
    assert all(c.period_kind == "register period" for c in file_convergences(releases))


def test_period_of_amendment_period_keeps_its_qualifier():
    release = _release(2, "Org", "HES", applied=True, period=Period(None, "2017-08", qualifier="before this register"))
    assert period_of(release) == ("../2017-08", "before this register")
    assert period_of(replace(release, month="2017-01")) == ("2017-01", "month")


def test_file_findings_are_scored_by_the_one_severity_table():
    rows = [
        _release(
            2, "NHS Anytown CCG", "LPF Acute", applied=False, month="2019-07", family="LPF", reference="NIC-1-AAAAA"
        ),
        _release(
            3,
            "NHS Anytown CCG",
            "LPF Mental Health",
            applied=True,
            month="2019-07",
            family="LPF",
            ident=Identifiability.PSEUDONYMISED,
            reference="NIC-2-BBBBB",
        ),
    ]
    [found] = file_findings(rows)
    expected = SEVERITY["both_copies"] + SEVERITY["overlap"] + SEVERITY["opt_out_divergence"]
    assert found.severity == expected == score(q.name for q in found.qualifiers)
    assert [q.name for q in found.qualifiers] == ["both_copies", "overlap", "opt_out_divergence"]
    assert all(q.evidence for q in found.qualifiers)
    assert (found.severity_label, label(8), label(5), label(4)) == ("high", "high", "medium", "low")
    assert found.as_dict()["severity"] == expected
    assert file_findings(rows, family="hes") == []
    assert file_findings(rows, recipient="org:someone-else") == []
    assert file_findings(rows, recipient=recipient_of("Anytown CCG").id) == [found]
