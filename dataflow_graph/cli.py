"""The ``dfg`` command: one subcommand per :mod:`dataflow_graph.api` function.

Command bodies only call ``api``, write data to stdout and diagnostics to stderr; the
documents, rows and text they write come from :mod:`dataflow_graph.outputs`, and the
options they share come from the decorators below (the sqlite-utils pattern).
"""

from __future__ import annotations

import enum
import functools
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import click

from . import api
from .errors import DataflowGraphError, Diagnostics
from .model import FlowKind, Identifiability
from .outputs import documents, rows
from .outputs.formats import WRITERS
from .outputs.terminal import FORMATS, PER_CODE, converge_text, diagnostics_text, eval_text, organisation_report, render

F = Callable[..., Any]
E = TypeVar("E", bound=enum.Enum)


class EnumChoice(click.Choice[str], Generic[E]):
    """A choice among an enum's values, handed to the command as the enum member."""

    def __init__(self, members: type[E]) -> None:
        super().__init__([m.value for m in members])
        self.members = members

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        return self.members(super().convert(value, param, ctx))


@dataclass(frozen=True)
class Output:
    """Where and how a command writes its result: ``--format`` and ``-o``."""

    fmt: str
    path: str | None

    def emit(self, text: str) -> None:
        """Write text to the ``-o`` file, or to stdout."""
        if self.path:
            with open(self.path, "w", encoding="utf-8", newline="") as fh:
                fh.write(text)
        else:
            click.echo(text, nl=False)

    def write(self, document: object, found: Sequence[rows.Row], title: str) -> None:
        """Write the JSON document, or its rows as CSV or a table."""
        self.emit(render(document, found, self.fmt, title))


@dataclass(frozen=True)
class Report:
    """How a command reports diagnostics: ``--strict``, ``--errors-csv``, ``--quiet``, ``--verbose``."""

    strict: bool
    errors_csv: str | None
    quiet: bool
    verbose: bool

    def __call__(self, diagnostics: Diagnostics, *, quiet: bool | None = None) -> None:
        """Diagnostics to stderr (file:line each), counts, optional CSV; exit 1 if strict."""
        click.echo(
            diagnostics_text(diagnostics, quiet=self.quiet if quiet is None else quiet, verbose=self.verbose),
            err=True,
            nl=False,
        )
        if self.errors_csv:
            with open(self.errors_csv, "w", newline="", encoding="utf-8") as fh:
                fh.write(rows.diagnostics_csv(diagnostics))
        if self.strict and diagnostics.counts()["rejected"]:
            raise SystemExit(1)


def sources_argument(f: F) -> F:
    """PATHS...: pages, folders, official register files; the embedded seed when none."""
    return click.argument("paths", nargs=-1, type=click.Path(path_type=str))(f)


def output_options(f: F) -> F:
    """``--format`` and ``-o``, handed to the command as one :class:`Output` named ``out``."""

    @functools.wraps(f)
    def wrapper(*args: Any, fmt: str, output: str | None, **kwargs: Any) -> Any:
        return f(*args, out=Output(fmt, output), **kwargs)

    wrapper = click.option(
        "--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True, help="Output format"
    )(wrapper)
    return click.option(
        "-o",
        "--output",
        type=click.Path(dir_okay=False, writable=True),
        default=None,
        help="Write to this file instead of stdout",
    )(wrapper)


def diagnostic_options(f: F) -> F:
    """``--strict``, ``-v``, ``--errors-csv`` and ``-q``, handed to the command as one :class:`Report`."""

    @functools.wraps(f)
    def wrapper(*args: Any, strict: bool, verbose: bool, errors_csv: str | None, quiet: bool, **kwargs: Any) -> Any:
        return f(*args, report=Report(strict, errors_csv, quiet, verbose), **kwargs)

    wrapper = click.option("--strict", is_flag=True, help="Exit 1 when anything was rejected")(wrapper)
    wrapper = click.option(
        "-v", "--verbose", is_flag=True, help=f"Print every diagnostic (by default at most {PER_CODE} of each code)"
    )(wrapper)
    wrapper = click.option(
        "--errors-csv",
        type=click.Path(dir_okay=False, writable=True),
        default=None,
        help="Write every diagnostic to this CSV file",
    )(wrapper)
    return click.option("-q", "--quiet", is_flag=True, help="Print only errors on stderr, not warnings and notes")(
        wrapper
    )


def handle_errors(f: F) -> F:
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


def family_option(text: str) -> Callable[[F], F]:
    """``--family FAMILY`` with the command's own help text."""
    return click.option("--family", default=None, help=text)


def during_option(text: str) -> Callable[[F], F]:
    """``--during YYYY-MM..YYYY-MM`` with the command's own help text."""
    return click.option("--during", default=None, help=text)


def identifiability_option(text: str | None = None) -> Callable[[F], F]:
    """``--identifiability LEVEL``, handed to the command as an :class:`Identifiability`."""
    return click.option("--identifiability", type=EnumChoice(Identifiability), default=None, help=text)


def base_option(f: F) -> F:
    """``--base IRI`` for RDF: the base under which every node is minted."""
    return click.option(
        "--base", default=api.DEFAULT_BASE, show_default=True, help="Base IRI under which every node is minted"
    )(f)


def _write_bytes(data: bytes, output: str | None) -> None:
    """Bytes the command wrote to ``-o`` already: to stdout when there was no ``-o``."""
    if not output:
        click.echo(data, nl=False)


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
def parse_command(paths: tuple[str, ...], out: Output, report: Report) -> None:
    """
    Read register pages and files; list every entry with its header facts

    Example:

    \b
        dfg parse seeds/ --format json
    """
    register = api.load(paths)
    out.write(documents.parse_document(register), rows.entries_rows(register.entries), "Register entries")
    report(register.diagnostics)


@cli.command(name="flows")
@sources_argument
@family_option("Only flows carrying this dataset family (SUS, HES…)")
@identifiability_option("Only flows at this identifiability")
@output_options
@diagnostic_options
@handle_errors
def flows_command(
    paths: tuple[str, ...], family: str | None, identifiability: Identifiability | None, out: Output, report: Report
) -> None:
    """
    Extract the data flows of every entry, hop by hop, with evidence

    Example:

    \b
        dfg flows seeds/ --family SUS --format json
    """
    register = api.load(paths)
    selected = api.flows(register, family=family, identifiability=identifiability)
    document = documents.flows_document(
        selected, organisations=register.organisations, diagnostics=register.diagnostics
    )
    out.write(document, rows.flows_rows(selected), "Flows")
    report(register.diagnostics)


@cli.command(name="eval")
@sources_argument
@click.option(
    "--gold",
    required=True,
    type=click.Path(exists=True, dir_okay=False),
    help="Gold YAML file (the format of tests/gold/thurrock.yaml)",
)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@handle_errors
def eval_command(paths: tuple[str, ...], gold: str, fmt: str) -> None:
    """
    Score extracted flows against a hand-labelled gold file

    Example:

    \b
        dfg eval seeds/ --gold tests/gold/thurrock.yaml
    """
    register = api.load(paths)
    Output(fmt, None).emit(eval_text(api.evaluate_gold(register, gold), fmt))


@cli.command(name="converge")
@sources_argument
@click.option("--recipient", default=None, help="Only this organisation (any alias)")
@family_option("Only this dataset family")
@click.option(
    "--rollup",
    type=EnumChoice(api.RollUp),
    default=api.RollUp.UNIT.value,
    show_default=True,
    help="Count units as their organisation; 'successor' also counts a CCG as its successor (sub-ICB location, ICB)",
)
@during_option("Only copies released in this window, e.g. 2018-06..2018-09")
@output_options
@diagnostic_options
@handle_errors
def converge_command(
    paths: tuple[str, ...],
    recipient: str | None,
    family: str | None,
    rollup: api.RollUp,
    during: str | None,
    out: Output,
    report: Report,
) -> None:
    """
    Find recipients given identifiable and pseudonymised copies of one dataset

    Example:

    \b
        dfg converge seeds/ --format json
    """
    register = api.load(paths)
    found, excluded = api.convergences(register, recipient=recipient, rollup=rollup, family=family, during=during)
    files = api.file_findings(register, recipient=recipient, family=family)
    if out.fmt == "table":
        out.emit(converge_text(found, excluded, files, entries=len(register.entries)))
    else:
        document = documents.converge_document(found, excluded, files, register.releases)
        out.write(document, rows.converge_rows(found), "Convergence findings")
    report(register.diagnostics)


@cli.command(name="paths")
@sources_argument
@click.option("--to", "target", required=True, help="Recipient organisation (any alias)")
@click.option("--from", "source", default=api.DEFAULT_SOURCE, show_default=True, help="Sending organisation")
@family_option("Only this dataset family")
@identifiability_option()
@click.option("--purpose", default=None, help="Only purposes containing this text")
@click.option("--kind", type=EnumChoice(FlowKind), default=None)
@during_option("Month window, e.g. 2018-06..2018-09")
@click.option(
    "--depth", type=click.IntRange(min=1), default=api.DEFAULT_DEPTH, show_default=True, help="Most hops in a path"
)
@output_options
@diagnostic_options
@handle_errors
def paths_command(
    paths: tuple[str, ...], target: str, source: str, out: Output, report: Report, **filters: Any
) -> None:
    """
    List the routes from one organisation to another, hop by hop with evidence

    Example:

    \b
        dfg paths --to "NHS Thurrock CCG" --family SUS --identifiability pseudonymised
    """
    register = api.load(paths)
    found = api.paths(register, target, source=source, **filters)
    out.write(documents.paths_document(found), rows.paths_rows(found), f"Paths from {source} to {target}")
    report(register.diagnostics, quiet=True)


def _neighbours_command(name: str, direction: api.Direction, summary: str, heading: str) -> None:
    """``dfg upstream`` and ``dfg downstream``: one command each over :func:`api.neighbours`."""

    def command(organisation: str, paths: tuple[str, ...], depth: int | None, out: Output, report: Report) -> None:
        register = api.load(paths)
        found = api.neighbours(register, organisation, direction=direction, depth=depth)
        origin = api.organisation(register, organisation).name
        out.write(
            documents.neighbours_document(origin, direction, found), rows.neighbours_rows(found), f"{heading} {origin}"
        )
        report(register.diagnostics, quiet=True)

    command.__doc__ = f"""
    {summary}

    Example:

    \b
        dfg {name} "NHS Thurrock CCG" --depth 2
    """
    decorated: F = handle_errors(command)
    for decorator in (
        diagnostic_options,
        output_options,
        click.option("--depth", type=click.IntRange(min=1), default=None, help="Most hops away (default: no limit)"),
        sources_argument,
        click.argument("organisation"),
    ):
        decorated = decorator(decorated)
    cli.command(name=name)(decorated)


_neighbours_command("upstream", api.Direction.UP, "Who fed an organisation, nearest first", "Upstream of")
_neighbours_command("downstream", api.Direction.DOWN, "Where an organisation sent data, nearest first", "Downstream of")


@cli.command(name="org")
@click.argument("organisation")
@sources_argument
@output_options
@handle_errors
def org_command(organisation: str, paths: tuple[str, ...], out: Output) -> None:
    """
    Everything known about one organisation across all entries

    Example:

    \b
        dfg org "NHS Thurrock CCG" --format json
    """
    summary = api.organisation_summary(api.load(paths), organisation)
    if out.fmt == "table":
        out.emit(organisation_report(summary))
    else:
        out.write(
            documents.organisation_document(summary), rows.organisation_rows(summary), f"Organisation {organisation}"
        )


@cli.command(name="agreement")
@click.argument("reference")
@sources_argument
@output_options
@handle_errors
def agreement_command(reference: str, paths: tuple[str, ...], out: Output) -> None:
    """
    Everything known about one agreement: entries, flows, recipients, released files

    Example:

    \b
        dfg agreement NIC-41576-W2B4Q
    """
    summary = api.agreement_summary(api.load(paths), reference)
    out.write(documents.agreement_document(summary), rows.agreement_rows(summary), f"Agreement {summary.agreement}")


@cli.command(name="redflags")
@sources_argument
@click.option("--recipient", default=None, help="Only this recipient (any alias)")
@output_options
@diagnostic_options
@handle_errors
def redflags_command(paths: tuple[str, ...], recipient: str | None, out: Output, report: Report) -> None:
    """
    Files of one dataset sent to one recipient in one period with opt-outs applied and not

    Example:

    \b
        dfg redflags tests/data/register/ReleaseRegister-sep-nov-2017.xlsx --format json
    """
    register = api.load(paths)
    found = api.redflags(register, recipient=recipient)
    out.write(
        documents.redflags_document(found), rows.redflag_rows(found), "Red flags: opt-outs applied and not applied"
    )
    report(register.diagnostics, quiet=True)


@cli.command(name="check")
@sources_argument
@base_option
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@handle_errors
def check_command(paths: tuple[str, ...], base: str, fmt: str) -> None:
    """
    Validate the register's RDF against the SHACL shapes and the cross-node checks; exit 1 on a violation

    Example:

    \b
        dfg check seeds/
    """
    violations: list[Any] = api.check(api.load(paths), base=base)
    if fmt == "table":
        failed = sum(v.severity == "Violation" for v in violations)
        verdict = f"{failed} violation(s)\n" if failed else f"conforms: no violation ({len(violations)} warning(s))\n"
        Output(fmt, None).emit("".join(f"{v}\n" for v in violations) + verdict)
    else:
        document = documents.check_document(violations)
        Output(fmt, None).write(document, [v.as_dict() for v in violations], "SHACL violations")
    if any(getattr(v, "severity", "Violation").endswith("Violation") for v in violations):
        raise SystemExit(1)


def _bindings(values: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"{item!r}: expected NAME=VALUE", param_hint="--bind")
        out[name.strip().lstrip("?$")] = value
    return out


@cli.command(name="sparql")
@click.argument("query")
@sources_argument
@click.option(
    "--bind",
    "binds",
    multiple=True,
    metavar="NAME=VALUE",
    help="Bind a variable (a literal; <iri> for an IRI); repeatable",
)
@click.option("--allow-update", is_flag=True, help="Allow a SPARQL Update (local store only)")
@click.option("--endpoint", default=None, help="Run on this SPARQL 1.1 endpoint instead")
@click.option(
    "--store",
    "store",
    default=None,
    type=click.Path(file_okay=False),
    help="Keep an on-disk Oxigraph store in this folder, reused while the input is unchanged",
)
@base_option
@output_options
@handle_errors
def sparql_command(query: str, paths: tuple[str, ...], binds: tuple[str, ...], out: Output, **where: Any) -> None:
    """
    Run a named SPARQL query (evidence, received, convergence, opt_out_divergence,
    commercial_routes, dual_roles, paths_to, holders, by_opt_out) or a .rq file

    Example:

    \b
        dfg sparql evidence --bind recipient=org:nhs-thurrock-ccg
        dfg sparql received --bind family=SUS --bind identifiability=identifiable
        dfg sparql holders --bind family=SUS
        dfg sparql convergence --endpoint http://127.0.0.1:7878/query
    """
    found = api.sparql(paths, query, _bindings(binds), **where)
    out.write(documents.sparql_document(query, found), found, f"SPARQL {query}")


@cli.command(name="push")
@sources_argument
@click.option("--endpoint", required=True, help="The server's base URL (Oxigraph: http://host:7878)")
@click.option(
    "--method",
    type=click.Choice(("update", "gsp")),
    default="update",
    show_default=True,
    help="update: one SPARQL Update per graph (atomic); gsp: Graph Store Protocol PUT",
)
@click.option("--store-url", default=None, help="Graph Store endpoint if not <endpoint>/store")
@click.option("--update-url", default=None, help="Update endpoint if not <endpoint>/update")
@base_option
@handle_errors
def push_command(paths: tuple[str, ...], endpoint: str, **how: Any) -> None:
    """
    Load the register into a SPARQL 1.1 server, one named graph per agreement

    Example:

    \b
        dfg push seeds/ --endpoint http://127.0.0.1:7878
    """
    results: list[Any] = api.push(api.load(paths), endpoint, **how)
    for r in results:
        click.echo(json.dumps(r.as_dict(), sort_keys=True))
    click.echo(f"{len(results)} graphs pushed to {endpoint}", err=True)


@cli.command(name="html")
@sources_argument
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True),
    default=None,
    help="Write the page to this file instead of stdout",
)
@click.option("--focus", default=None, help="Only this organisation's neighbourhood (any alias)")
@click.option(
    "--depth",
    type=click.IntRange(min=1),
    default=None,
    help="With --focus: at most this many hops away, either direction (default: all)",
)
@family_option("Only hops carrying this dataset family")
@identifiability_option("Only hops at this identifiability")
@during_option("Only flows in this window, e.g. 2018-06..2018-09")
@diagnostic_options
@handle_errors
def html_command(paths: tuple[str, ...], output: str | None, report: Report, **view: Any) -> None:
    """
    Write the flow graph as one self-contained HTML page that works offline

    Example:

    \b
        dfg html -o thurrock.html --focus "NHS Thurrock CCG" --depth 2
    """
    register = api.load(paths)
    _write_bytes(api.export(register, "html", output, **view), output)
    report(register.diagnostics)


@cli.command(name="export")
@sources_argument
@click.option(
    "--format",
    "fmt",
    type=click.Choice(sorted(WRITERS)),
    required=True,
    help="An RDF syntax (turtle, nt, jsonld, trig, nquads), gexf (Gephi), graphml (Cytoscape) or html",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True),
    default=None,
    help="Write to this file instead of stdout",
)
@base_option
@click.option("--flat", is_flag=True, help="JSON-LD: every triple in the default graph (no named graphs)")
@diagnostic_options
@handle_errors
def export_command(paths: tuple[str, ...], fmt: str, output: str | None, base: str, flat: bool, report: Report) -> None:
    """
    Export the whole register as RDF, or the flow graph for Gephi, Cytoscape or a browser

    Example:

    \b
        dfg export --format turtle -o register.ttl
        dfg export --format jsonld --flat -o register.jsonld
        dfg export --format gexf -o flows.gexf
    """
    register = api.load(paths)
    _write_bytes(api.export(register, fmt, output, base=base, flat=flat), output)
    report(register.diagnostics)


@cli.command(name="synth")
@click.option(
    "--entries",
    type=click.IntRange(min=1),
    default=1000,
    show_default=True,
    help="Number of page entries (about 12 kB each)",
)
@click.option("--seed", type=int, default=1, show_default=True, help="The same seed gives the same bytes")
@click.option("--no-workbook", is_flag=True, help="Write pages only, no XLSX workbooks")
@click.option("-o", "--output", required=True, type=click.Path(file_okay=False), help="Folder to write into")
@handle_errors
def synth_command(entries: int, seed: int, no_workbook: bool, output: str) -> None:
    """
    Write a synthetic register in the real page and workbook layouts (a benchmarking aid)

    Example:

    \b
        dfg synth --entries 10000 --seed 1 -o /tmp/register-10k
    """
    from .synth import write_register

    s = write_register(output, entries=entries, seed=seed, workbook=not no_workbook)
    click.echo(
        f"{s.entries} entries on {s.pages} pages, {s.files} files, {s.bytes:,} bytes "
        f"({s.workbook_statements} statements, {s.workbook_releases} released files, "
        f"{len(s.planted)} planted convergences) in {output}"
    )
