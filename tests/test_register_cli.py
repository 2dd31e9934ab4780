"""Official register files through the CLI: releases, red flags in org and converge."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from dataflow_graph.cli import cli

CSV = str(Path(__file__).parent / "data" / "register" / "ReleaseRegister-sep-nov-2017DataReleases.csv")


def _json(args: list[str]) -> dict:
    result = CliRunner().invoke(cli, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def converge() -> dict:
    return _json(["converge", CSV])


def test_parse_releases_are_records_with_their_source_line():
    doc = _json(["parse", CSV])
    assert len(doc["releases"]) == 5776
    assert doc["counts"] == {"read": 5776, "parsed": 5776, "rejected": 0}
    first = doc["releases"][0]
    assert set(first) >= {
        "recipient",
        "dataset",
        "category",
        "identifiability",
        "sensitive",
        "legal_basis",
        "frequency",
        "opt_outs_applied",
        "line",
    }
    assert first["line"] == 3  # the header spans lines 1-2


def test_org_lists_red_flags_and_not_applied_files_with_rows():
    doc = _json(["org", "NHS SURREY DOWNS CCG", CSV])
    assert doc["not_applied"] == 13
    assert len(doc["redflags"]) == 6
    assert all(flag["rows"] and flag["rows"][0]["line"] > 0 for flag in doc["redflags"])


def test_converge_includes_file_findings_and_red_flags(converge):
    files = [f for f in converge["findings"] if f["source"] == "releases"]
    assert {f["recipient"] for f in files} >= {"NHS Surrey Downs CCG", "NHS Greenwich CCG"}
    assert {"NHS SURREY DOWNS CCG", "NHS GREENWICH CCG"} <= {n for f in files for n in f["files"]["as_written"]}
    assert all(f["identifiable"] and f["pseudonymised"] for f in files)
    assert len(converge["redflags"]) == 67
    severities = [f["severity"] for f in converge["findings"]]
    assert severities == sorted(severities, reverse=True)
