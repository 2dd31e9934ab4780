"""Terminal output: register text cannot drive the terminal it is printed on."""

from __future__ import annotations

from click.testing import CliRunner

from dataflow_graph.cli import cli
from dataflow_graph.errors import Diagnostics, Span
from dataflow_graph.outputs.terminal import diagnostics_text, printable


def test_terminal_diagnostics_show_control_characters_inert():
    d = Diagnostics()
    d.report(Span("page.txt", 4, 9, "Heading\x1b]0;pwned\x07: \x1b[2Jvalue\r"), "DFG102", "unknown heading")
    text = diagnostics_text(d, quiet=False, verbose=False)
    assert not {"\x1b", "\x07", "\r"} & set(text)
    assert "Heading\u241b]0;pwned\u2407: \u241b[2Jvalue\u240d" in text
    _, line, caret, _ = text.split("\n", 3)
    assert line[caret.index("^")] == line[4 + 8] == "]"  # the caret stays under column 9


def test_terminal_printable_keeps_tabs_and_new_lines():
    assert printable("a\tb\nc\x9bd\x7f") == "a\tb\nc\ufffdd\u2421"


def test_terminal_cli_stderr_carries_no_escape_from_a_page(tmp_path, seed_path):
    page = tmp_path / "page.txt"
    text = seed_path.read_text(encoding="utf-8")
    page.write_text(text.replace("Sublicensing allowed: No\n", "Sublicensing allowed: No\n\x1b[31mRED\x1b[0m\n", 1))
    result = CliRunner().invoke(cli, ["parse", str(page), "--format", "json"])
    assert result.exit_code == 0
    assert "\u241b[31mRED" in result.stderr
    assert "\x1b" not in result.stderr
