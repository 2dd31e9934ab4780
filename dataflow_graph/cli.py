"""The ``dfg`` command: one subcommand per :mod:`dataflow_graph.api` function.

Command bodies only call ``api``, write data to stdout and diagnostics to stderr.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import sys
from collections.abc import Callable, Sequence
from typing import Any

import click

from . import api
from .errors import DataflowGraphError, Diagnostics, Severity

FORMATS = ("table", "json", "csv")


def sources_argument(f: Callable[..., Any]) -> Callable[..., Any]:
    """PATHS...: pages, folders, official register files; the embedded seed when none."""
    return click.argument("paths", nargs=-1, type=click.Path(path_type=str))(f)


def output_options(f: Callable[..., Any]) -> Callable[..., Any]:
    f = click.option("--format", "fmt", type=click.Choice(FORMATS), default="table",
                     show_default=True, help="Output format")(f)
    return click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True),
                        default=None, help="Write to this file instead of stdout")(f)


def diagnostic_options(f: Callable[..., Any]) -> Callable[..., Any]:
    f = click.option("--strict", is_flag=True, help="Exit 1 when anything was rejected")(f)
    f = click.option("--errors-csv", type=click.Path(dir_okay=False, writable=True),
                     default=None, help="Write every diagnostic to this CSV file")(f)
    return click.option("-q", "--quiet", is_flag=True,
                        help="Print only errors on stderr, not warnings and notes")(f)


def handle_errors(f: Callable[..., Any]) -> Callable[..., Any]:
    """Turn package errors into click errors (exit 1), with no traceback."""

    @functools.wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return f(*args, **kwargs)
        except DataflowGraphError as exc:
            if click.get_current_context().find_root().params.get("debug"):
                raise
            raise click.ClickException(str(exc)) from exc

    return wrapper


def report(diagnostics: Diagnostics, *, errors_csv: str | None, quiet: bool, strict: bool) -> None:
    """Diagnostics to stderr (file:line each), counts, optional CSV; exit 1 if strict."""
    for d in diagnostics:
        if quiet and d.severity is not Severity.ERROR:
            continue
        click.echo(str(d), err=True)
    c = diagnostics.counts()
    if not quiet:
        click.echo(f"entries read {c['read']} = parsed {c['parsed']} + rejected {c['rejected']}",
                   err=True)
    if errors_csv:
        with open(errors_csv, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(["path", "line", "col", "code", "severity", "message", "raw"])
            for d in diagnostics:
                row = d.as_dict()
                w.writerow([row[k] for k in ("path", "line", "col", "code", "severity", "message",
                                             "raw")])
    if strict and c["rejected"]:
        raise SystemExit(1)


def dumps(document: object) -> str:
    """Deterministic JSON: sorted keys, UTF-8 kept, trailing newline."""
    return json.dumps(document, sort_keys=True, ensure_ascii=False, indent=2) + "\n"


def emit(text: str, output: str | None) -> None:
    if output:
        with open(output, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
    else:
        click.echo(text, nl=False)


def rows_csv(rows: Sequence[dict[str, object]]) -> str:
    buf = io.StringIO()
    if rows:
        w = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        for row in rows:
            w.writerow({k: _cell(v) for k, v in row.items()})
    return buf.getvalue()


def _cell(v: object) -> object:
    if isinstance(v, (list, tuple)):
        return "; ".join(map(str, v))
    return "" if v is None else v


def rows_table(rows: Sequence[dict[str, object]], title: str) -> str:
    """A rich table rendered to text (plain when not a terminal)."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title, show_lines=False)
    if not rows:
        return f"{title}: nothing found\n"
    for key in rows[0]:
        table.add_column(key, overflow="fold")
    for row in rows:
        table.add_row(*(str(_cell(v)) for v in row.values()))
    console = Console(file=io.StringIO(), width=max(100, _terminal_width()),
                      force_terminal=sys.stdout.isatty(), highlight=False)
    console.print(table)
    return console.file.getvalue()  # type: ignore[attr-defined]


def _terminal_width() -> int:
    import shutil

    return shutil.get_terminal_size((160, 40)).columns


def write(document: dict[str, object], rows: Sequence[dict[str, object]], fmt: str,
          output: str | None, title: str) -> None:
    """Write a JSON document, or its rows as CSV or a table."""
    if fmt == "json":
        emit(dumps(document), output)
    elif fmt == "csv":
        emit(rows_csv(rows), output)
    else:
        emit(rows_table(rows, title), output)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="dataflow-graph")
@click.option("--debug", is_flag=True, help="Show tracebacks")
def cli(debug: bool) -> None:
    """Trace NHS Digital data releases hop by hop and find where copies converge."""


@cli.command(name="parse")
@sources_argument
@output_options
@diagnostic_options
@handle_errors
def parse_command(paths: tuple[str, ...], fmt: str, output: str | None, strict: bool,
                  errors_csv: str | None, quiet: bool) -> None:
    """
    Read register pages and files; list every entry with its header facts

    Example:

    \b
        dfg parse seeds/ --format json
    """
    register = api.load(paths)
    write(api.parse_document(register), api.entries_rows(register.entries), fmt, output,
          "Register entries")
    report(register.diagnostics, errors_csv=errors_csv, quiet=quiet, strict=strict)


def main() -> None:  # pragma: no cover
    cli()
