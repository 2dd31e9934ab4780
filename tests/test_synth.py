"""The synthetic register: deterministic, parseable, with its planted defects and convergences."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from dataflow_graph import api
from dataflow_graph.synth import write_register

ENTRIES = 30


def _digest(directory: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        h.update(str(path.relative_to(directory)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    directory = tmp_path_factory.mktemp("synth")
    summary = write_register(directory, entries=ENTRIES, seed=1)
    return directory, summary, api.load([directory])


def test_write_register_same_seed_same_bytes(tmp_path, synthetic):
    directory, _, _ = synthetic
    write_register(tmp_path, entries=ENTRIES, seed=1)
    assert _digest(tmp_path) == _digest(directory)


def test_write_register_other_seed_other_bytes(tmp_path, synthetic):
    directory, _, _ = synthetic
    write_register(tmp_path, entries=ENTRIES, seed=2)
    assert _digest(tmp_path) != _digest(directory)


def test_write_register_summary_counts_what_was_written(synthetic):
    directory, summary, _ = synthetic
    files = sorted(p for p in directory.rglob("*") if p.is_file())
    assert summary.entries == ENTRIES
    assert summary.files == len(files) == summary.pages + 2  # pages and two workbooks
    assert summary.bytes == sum(p.stat().st_size for p in files)
    assert {p.suffix for p in files} == {".txt", ".xlsx"}


def test_write_register_output_parses_with_balanced_counts(synthetic):
    _, summary, register = synthetic
    counts = register.diagnostics.counts()
    assert counts["read"] == counts["parsed"] + counts["rejected"]
    page_entries = [e for e in register.entries if e.source.endswith(".txt")]
    assert len(page_entries) == summary.entries
    assert {e.variant for e in register.entries} >= {"newer", "quarterly-register"}
    assert register.releases


def test_write_register_flows_extracted_for_most_entries(synthetic):
    _, _, register = synthetic
    with_flows = {f.entry for f in register.flows}
    assert len(with_flows) >= 0.6 * len(register.entries)


def test_write_register_planted_defects_are_diagnosed(tmp_path):
    summary = write_register(tmp_path, entries=400, seed=3, workbook=False)
    register = api.load([tmp_path])
    codes = [d.code for d in register.diagnostics]
    assert summary.defects["reversed_window"] > 0
    assert codes.count("DFG211") == summary.defects["reversed_window"]
    assert codes.count("DFG203") == summary.defects["trailing_space_reference"] > 0


def test_write_register_planted_convergence_is_found(synthetic):
    _, summary, register = synthetic
    found, _ = api.convergences(register)
    assert summary.planted
    assert set(summary.planted) & {(c.recipient, c.family) for c in found}


def test_write_register_rejects_no_entries(tmp_path):
    with pytest.raises(ValueError, match="at least 1"):
        write_register(tmp_path, entries=0, seed=1)


def test_synth_without_openpyxl_names_the_extra(monkeypatch, tmp_path):
    import sys

    from click.testing import CliRunner

    from dataflow_graph.cli import cli

    monkeypatch.setitem(sys.modules, "openpyxl", None)  # import openpyxl now raises ImportError
    result = CliRunner().invoke(cli, ["synth", "--entries", "3", "-o", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "dataflow-graph[synth]" in result.stderr
    assert "--no-workbook" in result.stderr
    ok = CliRunner().invoke(cli, ["synth", "--entries", "3", "--no-workbook", "-o", str(tmp_path / "pages")])
    assert ok.exit_code == 0, ok.output
