"""`dfg parse` through click's CliRunner: exit codes, the JSON contract, stderr, --errors-csv."""

from __future__ import annotations

import csv
import json

import pytest
from click.testing import CliRunner

from dataflow_graph.cli import cli

ENTRY_KEYS = {
    "id",
    "source",
    "line",
    "reference",
    "agreement",
    "title",
    "opt_outs",
    "legal_basis",
    "sensitive",
    "period",
    "dsa",
    "access",
    "controllers",
    "sublicensing",
    "igard",
    "datasets",
    "type_of_data",
    "sections",
}


def run(*args: str):
    return CliRunner().invoke(cli, ["parse", *map(str, args)])


@pytest.fixture(scope="module")
def seed_document(seed_path) -> dict:
    result = run(seed_path, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_parse_json_document_has_contract_keys(seed_document):
    assert seed_document["schema"] == 4
    assert {"schema", "entries", "agreements", "diagnostics", "counts"} <= set(seed_document)
    assert seed_document["counts"] == {"read": 7, "parsed": 7, "rejected": 0}


def test_parse_json_entry_has_contract_keys(seed_document):
    for entry in seed_document["entries"]:
        assert ENTRY_KEYS <= set(entry)
        assert set(entry["opt_outs"]) >= {"honoured", "raw", "excuses"}
        assert entry["period"] is None or {"start", "end"} <= set(entry["period"])
        assert entry["dsa"] is None or {"start", "end"} <= set(entry["dsa"])
        assert all({"name", "family"} <= set(d) for d in entry["datasets"])
        assert all(isinstance(v, str) for v in entry["sections"].values())
        assert entry["sublicensing"] in (True, False, None)


def test_parse_json_entry_values_have_contract_types(seed_document, seed_path):
    first = seed_document["entries"][0]
    assert (first["id"], first["source"], first["line"]) == (f"{seed_path}#1", str(seed_path), 5)
    assert first["dsa"]["start"] == "2019-05"
    assert set(first["sections"]) == {"Objectives", "Yielded Benefits", "Expected Benefits", "Outputs", "Processing"}
    assert seed_document["agreements"]["NIC-41576-W2B4Q"] == [f"{seed_path}#2", f"{seed_path}#7"]


def test_parse_warnings_only_exit_zero_and_stderr_has_location(seed_path):
    result = run(seed_path, "-v")
    assert result.exit_code == 0
    assert f"{seed_path}:952:6: warning[DFG211]" in result.stderr
    assert "DFG211" not in result.stdout
    assert "7 entries read (7 parsed, 0 rejected)" in result.stderr


def test_parse_diagnostics_are_one_summary_line_without_v(seed_path):
    result = run(seed_path)
    assert result.exit_code == 0
    assert result.stderr.splitlines() == ["7 entries read (7 parsed, 0 rejected); 1 warning: -v shows them"]


@pytest.mark.parametrize("where", ["before", "after"])
def test_parse_v_works_before_or_after_the_subcommand(seed_path, where):
    args = ["-v", "parse", str(seed_path)] if where == "before" else ["parse", str(seed_path), "-v"]
    result = CliRunner().invoke(cli, args)
    assert "warning[DFG211]" in result.stderr


@pytest.mark.parametrize(
    ("name", "strict", "code"),
    [
        ("heading_without_body.txt", False, 0),
        ("heading_without_body.txt", True, 1),
        ("reversed_window.txt", True, 0),
        ("empty.txt", True, 1),
        ("empty.txt", False, 1),
    ],
    ids=["rejected", "rejected-strict", "warning-strict", "empty-strict", "empty-nothing-read"],
)
def test_parse_strict_rejected_entry_exits_one(pages_dir, name, strict, code):
    result = run(pages_dir / name, *(["--strict"] if strict else []))
    assert result.exit_code == code


def test_parse_rejected_entry_is_on_stderr_with_location(pages_dir):
    path = pages_dir / "heading_without_body.txt"
    result = run(path, "--strict", "--format", "json")
    assert f"{path}:1:1: error[DFG106] entry 'NIC-10006-FFFFF'" in result.stderr
    assert json.loads(result.stdout)["counts"] == {"read": 2, "parsed": 1, "rejected": 1}


def test_parse_quiet_prints_only_errors(pages_dir):
    result = run(pages_dir / "heading_without_body.txt", pages_dir / "reversed_window.txt", "-q")
    assert "DFG106" in result.stderr
    assert "DFG211" not in result.stderr


def test_parse_errors_csv_has_columns_and_rows(pages_dir, tmp_path):
    out = tmp_path / "errors.csv"
    path = pages_dir / "reversed_window.txt"
    result = run(path, "--errors-csv", out)
    assert result.exit_code == 0
    with out.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["path", "line", "col", "code", "severity", "message", "raw"]
    assert rows[1][:5] == [str(path), "3", "6", "DFG211", "warning"]
    assert rows[1][6] == "When:2017.06 — 2017.05."


def test_parse_folder_reads_every_page(pages_dir):
    result = run(pages_dir, "--format", "json")
    document = json.loads(result.stdout)
    assert result.exit_code == 0
    assert sorted(document["sources"]) == sorted(str(p) for p in pages_dir.iterdir())
    counts = document["counts"]
    assert counts["read"] == counts["parsed"] + counts["rejected"]
    assert counts["rejected"] == 1
    assert {d["path"] for d in document["diagnostics"]} >= {
        str(pages_dir / "page.html"),
        str(pages_dir / "latin1.txt"),
        str(pages_dir / "empty.txt"),
    }


def test_parse_no_paths_reads_embedded_seed():
    result = run("--format", "JSON", "-v")
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert len(document["entries"]) == 7
    assert "seeds/000_95fc53981bcca0e2.txt:952:6: warning[DFG211]" in result.stderr
    assert "built-in NHS Thurrock CCG page" in result.stderr.splitlines()[0]


@pytest.mark.parametrize("fmt", ["table", "csv"])
def test_parse_other_formats_list_every_entry(seed_path, fmt):
    result = run(seed_path, "--format", fmt)
    assert result.exit_code == 0
    assert result.stdout.count("NIC-") >= 7
    assert "DFG211" not in result.stdout


def test_parse_output_option_writes_file(seed_path, tmp_path):
    out = tmp_path / "out.json"
    result = run(seed_path, "--format", "json", "-o", out)
    assert result.exit_code == 0
    assert result.stdout == ""
    assert json.loads(out.read_text(encoding="utf-8"))["schema"] == 4


def test_parse_missing_path_is_reported_then_nothing_read_exits_one(tmp_path):
    path = tmp_path / "absent.txt"
    result = run(path)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert f"{path}:1:1: error[DFG110] no such file or folder" in lines
    assert lines[-1] == f"Error: no register entries were read from {path}"


@pytest.mark.parametrize("args", [["--format", "yaml"], ["--no-such-option"]])
def test_parse_bad_usage_exits_two(args):
    assert run(*args).exit_code == 2
