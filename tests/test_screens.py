"""What a person sees of `dfg converge` at 80, 100 and 160 columns (issue 14's Done-when)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from dataflow_graph import api
from dataflow_graph.cli import cli
from dataflow_graph.outputs.screens import converge_text

WORKBOOK = Path(__file__).parent / "data" / "register" / "ReleaseRegister-sep-nov-2017.xlsx"
BOX = re.compile(r"[│┃┏┓┗┛━─┡┩┼╇╈┠┨┯┷┳┻╋┣┫┝┥┿╀╁╂╃╄╅╆╉╊┌┐└┘├┤┬┴]")


@pytest.fixture(scope="module", params=["seed", "workbook"])
def findings(request):
    register = api.load([] if request.param == "seed" else [WORKBOOK])
    found, excluded = api.convergences(register)
    return found, excluded, api.file_findings(register), len(register.entries)


def _text(findings, width, wide=None):
    found, excluded, files, entries = findings
    return converge_text(found, excluded, files, entries=entries, width=width, wide=wide)


def _tokens(text: str) -> list[str]:
    return BOX.sub(" ", text).split()


@pytest.mark.parametrize("width", [80, 100, 160])
def test_screens_converge_fits_the_width(findings, width):
    text = _text(findings, width)
    assert max(len(line) for line in text.splitlines()) <= width


@pytest.mark.parametrize("width", [80, 100])
def test_screens_converge_cards_break_no_word(findings, width):
    # below 120 columns: the same cards, only wrapped; the words must be the unwrapped ones, in order
    assert _tokens(_text(findings, width)) == _tokens(_text(findings, 10_000, wide=False))


def test_screens_converge_tables_break_no_word(findings):
    whole = set(_tokens(_text(findings, 10_000, wide=True)))
    assert set(_tokens(_text(findings, 160))) <= whole


@pytest.mark.parametrize("width", [80, 100, 160])
def test_screens_converge_ranked_list_is_on_the_first_screen(findings, width):
    found, _, files, _ = findings
    screen = "\n".join(_text(findings, width).splitlines()[:24])
    assert re.match(r"\d+ findings? in \d+ register entries", screen)
    first = api.ranked(found, files)[0]
    assert first.recipient.split()[0] in screen
    assert re.search(rf"1\. +{first.severity} {first.severity_label}", screen)


def test_screens_headline_counts_every_finding(findings):
    found, _, files, _ = findings
    head = _text(findings, 160).splitlines()[0]
    assert head.startswith(f"{len(found) + len(files)} finding")
    assert f"({len(found)} from flows, {len(files)} from released files)" in head


def test_screens_converge_cli_diagnostics_are_one_line():
    result = CliRunner().invoke(cli, ["converge"], env={"COLUMNS": "100"})
    assert result.exit_code == 0
    lines = result.stderr.splitlines()
    assert len(lines) == 2  # the built-in page's note, then the one summary line
    assert lines[1].startswith("7 entries read")
    assert max(len(line) for line in result.stdout.splitlines()) <= 100


def test_screens_top_keeps_the_most_severe(findings):
    text = _text(findings, 100)
    found, excluded, files, entries = findings
    top1 = converge_text(found, excluded, files, entries=entries, width=100, top=1)
    assert "The 1 most severe (--top)" in top1 or len(found) + len(files) == 1
    assert len(top1) < len(text) or len(found) + len(files) == 1
