"""The README documents every command and every diagnostic code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from dataflow_graph.cli import cli
from dataflow_graph.errors import CODES

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
#: Commands whose README text waits in a branch note for the lead to merge (then remove the line).
PENDING: dict[str, Path] = {}


@pytest.mark.parametrize("code", sorted(CODES))
def test_docs_every_diagnostic_code_is_in_readme(code):
    assert f"| {code} |" in README


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_docs_every_command_is_in_readme_and_has_help(command):
    readme = README + (PENDING[command].read_text(encoding="utf-8") if command in PENDING else "")
    assert f"dfg {command}" in readme
    result = CliRunner().invoke(cli, [command, "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output


def test_docs_quick_start_has_two_commands_and_ci_runs_the_second():
    block = re.search(r"## Quick start.*?```sh\n(.*?)```", README, re.S)
    assert block is not None
    commands = [c for c in block.group(1).splitlines() if c.strip()]
    assert len(commands) == 2
    ci = (Path(__file__).resolve().parent.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert commands[1] in ci


def test_docs_the_first_screen_in_the_readme_is_what_dfg_converge_prints():
    block = README.split("Its first screen, at 100 columns:\n\n```\n", 1)[1].split("\n```", 1)[0]
    note, *screen = block.splitlines()
    result = CliRunner().invoke(cli, ["converge"], env={"COLUMNS": "100"})
    assert result.exit_code == 0
    assert result.stderr.splitlines()[0] == note
    assert result.stdout.splitlines()[: len(screen)] == screen
