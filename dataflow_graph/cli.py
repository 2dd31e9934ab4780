"""The ``dfg`` command: one subcommand per :mod:`dataflow_graph.api` function.

Command bodies only call ``api``, write data to stdout and diagnostics to stderr.
"""

from __future__ import annotations

import csv
import functools
import io
import json
from collections.abc import Callable, Sequence
from typing import Any

import click

from . import api
from .errors import DataflowGraphError, Diagnostics, Severity
from .outputs.formats import WRITERS, export
from .outputs.terminal import convergence_report, organisation_report, rows_table

FORMATS = ("table", "json", "csv")
IDENTIFIABILITY = ("identifiable", "pseudonymised", "anonymised", "aggregate")
KINDS = ("transfer", "access", "linkage", "reidentification", "provider-feed")


def sources_argument(f: Callable[..., Any]) -> Callable[..., Any]:
    """PATHS...: pages, folders, official register files; the embedded seed when none."""
    return click.argument("paths", nargs=-1, type=click.Path(path_type=str))(f)


def output_options(f: Callable[..., Any]) -> Callable[..., Any]:
    f = click.option(
        "--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True, help="Output format"
    )(f)
    return click.option(
        "-o",
        "--output",
        type=click.Path(dir_okay=False, writable=True),
        default=None,
        help="Write to this file instead of stdout",
    )(f)


def diagnostic_options(f: Callable[..., Any]) -> Callable[..., Any]:
    f = click.option("--strict", is_flag=True, help="Exit 1 when anything was rejected")(f)
    f = click.option(
        "-v", "--verbose", is_flag=True, help=f"Print every diagnostic (by default at most {PER_CODE} of each code)"
    )(f)
    f = click.option(
        "--errors-csv",
        type=click.Path(dir_okay=False, writable=True),
        default=None,
        help="Write every diagnostic to this CSV file",
    )(f)
    return click.option("-q", "--quiet", is_flag=True, help="Print only errors on stderr, not warnings and notes")(f)


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


PER_CODE = 20


def report(
    diagnostics: Diagnostics, *, errors_csv: str | None, quiet: bool, strict: bool, verbose: bool = False
) -> None:
    """Diagnostics to stderr (file:line each), counts, optional CSV; exit 1 if strict.

    Without ``--verbose`` at most PER_CODE diagnostics of one code are printed, then a
    count of the rest (all of them go to ``--errors-csv``).
    """
    shown: dict[str, int] = {}
    for d in diagnostics:
        if quiet and d.severity is not Severity.ERROR:
            continue
        shown[d.code] = shown.get(d.code, 0) + 1
        if verbose or shown[d.code] <= PER_CODE:
            click.echo(str(d), err=True)
    for code, n in sorted(shown.items()):
        if not verbose and n > PER_CODE:
            click.echo(
                f"... and {n - PER_CODE} more {code} diagnostics (--verbose or --errors-csv FILE shows them all)",
                err=True,
            )
    c = diagnostics.counts()
    if not quiet:
        click.echo(f"entries read {c['read']} = parsed {c['parsed']} + rejected {c['rejected']}", err=True)
    if errors_csv:
        with open(errors_csv, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(["path", "line", "col", "code", "severity", "message", "raw"])
            for d in diagnostics:
                row = d.as_dict()
                w.writerow([row[k] for k in ("path", "line", "col", "code", "severity", "message", "raw")])
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


def write(
    document: dict[str, object], rows: Sequence[dict[str, object]], fmt: str, output: str | None, title: str
) -> None:
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
def parse_command(
    paths: tuple[str, ...],
    fmt: str,
    output: str | None,
    strict: bool,
    errors_csv: str | None,
    quiet: bool,
    verbose: bool,
) -> None:
    """
    Read register pages and files; list every entry with its header facts

    Example:

    \b
        dfg parse seeds/ --format json
    """
    register = api.load(paths)
    write(api.parse_document(register), api.entries_rows(register.entries), fmt, output, "Register entries")
    report(register.diagnostics, errors_csv=errors_csv, quiet=quiet, strict=strict, verbose=verbose)


@cli.command(name="flows")
@sources_argument
@click.option("--family", default=None, help="Only flows carrying this dataset family (SUS, HES…)")
@click.option(
    "--identifiability", type=click.Choice(IDENTIFIABILITY), default=None, help="Only flows at this identifiability"
)
@output_options
@diagnostic_options
@handle_errors
def flows_command(
    paths: tuple[str, ...],
    family: str | None,
    identifiability: str | None,
    fmt: str,
    output: str | None,
    strict: bool,
    errors_csv: str | None,
    quiet: bool,
    verbose: bool,
) -> None:
    """
    Extract the data flows of every entry, hop by hop, with evidence

    Example:

    \b
        dfg flows seeds/ --family SUS --format json
    """
    register = api.load(paths)
    selected = api.flows(register, family=family, identifiability=identifiability)
    write(api.flows_document(register, selected), api.flows_rows(selected), fmt, output, "Flows")
    report(register.diagnostics, errors_csv=errors_csv, quiet=quiet, strict=strict, verbose=verbose)


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
    score = api.evaluate_gold(register, gold)
    doc = score.as_dict()
    if fmt == "json":
        emit(dumps(doc), None)
        return
    lines = [
        f"core precision {score.core_precision:.3f}  recall {score.core_recall:.3f}",
        f"extended precision {score.extended_precision:.3f}  recall {score.extended_recall:.3f}",
        f"counts {doc['counts']}",
    ]
    rows = (
        [{"what": "miss", **m} for m in doc["misses"]]  # type: ignore[attr-defined]
        + [{"what": "optional miss", **m} for m in doc["optional_misses"]]  # type: ignore[attr-defined]
        + [{"what": "extra", **m} for m in doc["extras"]]
    )  # type: ignore[attr-defined]
    body = rows_csv(rows) if fmt == "csv" else rows_table(rows, "Misses and extras")
    emit("\n".join(lines) + "\n" + body, None)


@cli.command(name="converge")
@sources_argument
@click.option("--recipient", default=None, help="Only this organisation (any alias)")
@click.option("--family", default=None, help="Only this dataset family")
@click.option(
    "--rollup",
    type=click.Choice(("unit", "successor")),
    default="unit",
    show_default=True,
    help="Count units as their organisation; 'successor' also counts a CCG as its successor (sub-ICB location, ICB)",
)
@click.option("--during", default=None, help="Only copies released in this window, e.g. 2018-06..2018-09")
@output_options
@diagnostic_options
@handle_errors
def converge_command(
    paths: tuple[str, ...],
    recipient: str | None,
    family: str | None,
    rollup: str,
    during: str | None,
    fmt: str,
    output: str | None,
    strict: bool,
    errors_csv: str | None,
    quiet: bool,
    verbose: bool,
) -> None:
    """
    Find recipients given identifiable and pseudonymised copies of one dataset

    Example:

    \b
        dfg converge seeds/ --format json
    """
    register = api.load(paths)
    found, excluded = api.convergences(register, recipient=recipient, rollup=rollup, family=family, during=during)
    if fmt == "table":
        files = api.file_findings(register, recipient=recipient, family=family)
        emit(
            convergence_report(found, excluded, entries=len(register.entries))
            + (rows_table(api.file_rows(files), "Convergence in released files") if files else ""),
            output,
        )
    else:
        write(
            api.converge_document(found, excluded, register, recipient=recipient, family=family),
            api.converge_rows(found),
            fmt,
            output,
            "Convergence findings",
        )
    report(register.diagnostics, errors_csv=errors_csv, quiet=quiet, strict=strict, verbose=verbose)


@cli.command(name="paths")
@sources_argument
@click.option("--to", "target", required=True, help="Recipient organisation (any alias)")
@click.option("--from", "source", default=api.DEFAULT_SOURCE, show_default=True, help="Sending organisation")
@click.option("--family", default=None, help="Only this dataset family")
@click.option("--identifiability", type=click.Choice(IDENTIFIABILITY), default=None)
@click.option("--purpose", default=None, help="Only purposes containing this text")
@click.option("--kind", type=click.Choice(KINDS), default=None)
@click.option("--during", default=None, help="Month window, e.g. 2018-06..2018-09")
@click.option(
    "--depth", type=click.IntRange(min=1), default=api.DEFAULT_DEPTH, show_default=True, help="Most hops in a path"
)
@output_options
@diagnostic_options
@handle_errors
def paths_command(
    paths: tuple[str, ...],
    target: str,
    source: str,
    family: str | None,
    identifiability: str | None,
    purpose: str | None,
    kind: str | None,
    during: str | None,
    depth: int,
    fmt: str,
    output: str | None,
    strict: bool,
    errors_csv: str | None,
    quiet: bool,
    verbose: bool,
) -> None:
    """
    List the routes from one organisation to another, hop by hop with evidence

    Example:

    \b
        dfg paths --to "NHS Thurrock CCG" --family SUS --identifiability pseudonymised
    """
    register = api.load(paths)
    found = api.paths(
        register,
        target,
        source=source,
        family=family,
        identifiability=identifiability,
        purpose=purpose,
        kind=kind,
        during=during,
        depth=depth,
    )
    write(api.paths_document(found), api.paths_rows(found), fmt, output, f"Paths from {source} to {target}")
    report(register.diagnostics, errors_csv=errors_csv, quiet=True, strict=strict, verbose=verbose)


def _neighbours_command(direction: str) -> Callable[..., Any]:
    def command(
        organisation: str,
        paths: tuple[str, ...],
        depth: int | None,
        fmt: str,
        output: str | None,
        strict: bool,
        errors_csv: str | None,
        quiet: bool,
        verbose: bool,
    ) -> None:
        register = api.load(paths)
        found = api.neighbours(register, organisation, direction=direction, depth=depth)
        origin = api.graph(register).nodes[api.resolve_organisation(register, organisation)]
        write(
            api.neighbours_document(origin["name"], direction, found),
            api.neighbours_rows(found),
            fmt,
            output,
            f"{'Upstream of' if direction == 'up' else 'Downstream of'} {origin['name']}",
        )
        report(register.diagnostics, errors_csv=errors_csv, quiet=True, strict=strict, verbose=verbose)

    return command


for _name, _direction, _doc in (
    ("upstream", "up", "Who fed an organisation, nearest first"),
    ("downstream", "down", "Where an organisation sent data, nearest first"),
):
    _cmd = _neighbours_command(_direction)
    _cmd.__doc__ = f"""
    {_doc}

    Example:

    \b
        dfg {_name} "NHS Thurrock CCG" --depth 2
    """
    _cmd = handle_errors(_cmd)
    for _decorator in (
        diagnostic_options,
        output_options,
        click.option("--depth", type=click.IntRange(min=1), default=None, help="Most hops away (default: no limit)"),
        sources_argument,
        click.argument("organisation"),
    ):
        _cmd = _decorator(_cmd)
    cli.command(name=_name)(_cmd)


@cli.command(name="org")
@click.argument("organisation")
@sources_argument
@output_options
@handle_errors
def org_command(organisation: str, paths: tuple[str, ...], fmt: str, output: str | None) -> None:
    """
    Everything known about one organisation across all entries

    Example:

    \b
        dfg org "NHS Thurrock CCG" --format json
    """
    register = api.load(paths)
    doc = api.organisation_summary(register, organisation)
    if fmt == "table":
        emit(organisation_report(doc), output)
        return
    rows = [{"fact": k, "value": json.dumps(v, ensure_ascii=False, sort_keys=True)} for k, v in doc.items()]
    write(doc, rows, fmt, output, f"Organisation {organisation}")


@cli.command(name="agreement")
@click.argument("reference")
@sources_argument
@output_options
@handle_errors
def agreement_command(reference: str, paths: tuple[str, ...], fmt: str, output: str | None) -> None:
    """
    Everything known about one agreement: entries, flows, recipients, released files

    Example:

    \b
        dfg agreement NIC-41576-W2B4Q
    """
    register = api.load(paths)
    doc = api.agreement_summary(register, reference)
    rows = [
        {
            "entry": e["id"],
            "reference": e["reference"],
            "period": f"{e['period']['start']}..{e['period']['end']}" if e["period"] else "",
            "opt_outs": e["opt_outs"]["honoured"],
            "families": " ".join(e["families"]),
        }
        for e in doc["entries"]
    ]  # type: ignore[union-attr]
    write(doc, rows, fmt, output, f"Agreement {doc['agreement']}")


@cli.command(name="redflags")
@sources_argument
@click.option("--recipient", default=None, help="Only this recipient (any alias)")
@output_options
@diagnostic_options
@handle_errors
def redflags_command(
    paths: tuple[str, ...],
    recipient: str | None,
    fmt: str,
    output: str | None,
    strict: bool,
    errors_csv: str | None,
    quiet: bool,
    verbose: bool,
) -> None:
    """
    Files of one dataset sent to one recipient in one period with opt-outs applied and not

    Example:

    \b
        dfg redflags tests/data/register/ReleaseRegister-sep-nov-2017.xlsx --format json
    """
    register = api.load(paths)
    doc = api.redflags(register, recipient=recipient)
    write(doc, api.redflag_rows(doc), fmt, output, "Red flags: opt-outs applied and not applied")
    report(register.diagnostics, errors_csv=errors_csv, quiet=True, strict=strict, verbose=verbose)


def base_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--base", default=api.DEFAULT_BASE, show_default=True, help="Base IRI under which every node is minted"
    )(f)


@cli.command(name="check")
@sources_argument
@base_option
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@handle_errors
def check_command(paths: tuple[str, ...], base: str, fmt: str) -> None:
    """
    Validate the register's RDF against the SHACL shapes; exit 1 on a violation

    Example:

    \b
        dfg check seeds/
    """
    register = api.load(paths)
    violations = api.check(register, base=base)
    rows = [v.as_dict() for v in violations]  # type: ignore[attr-defined]
    if fmt == "table":
        emit("".join(f"{v}\n" for v in violations) or "conforms: no violation\n", None)
    else:
        write(
            {"schema": api.SCHEMA, "conforms": not violations, "violations": rows}, rows, fmt, None, "SHACL violations"
        )
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
def sparql_command(
    query: str,
    paths: tuple[str, ...],
    binds: tuple[str, ...],
    allow_update: bool,
    endpoint: str | None,
    store: str | None,
    base: str,
    fmt: str,
    output: str | None,
) -> None:
    """
    Run a named SPARQL query (convergence, paths_to, holders, by_opt_out) or a .rq file

    Example:

    \b
        dfg sparql holders --bind family=SUS
        dfg sparql convergence --endpoint http://127.0.0.1:7878/query
    """
    rows = api.sparql(
        paths, query, _bindings(binds), allow_update=allow_update, endpoint=endpoint, store=store, base=base
    )
    write({"schema": api.SCHEMA, "query": query, "rows": rows}, rows, fmt, output, f"SPARQL {query}")


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
def push_command(
    paths: tuple[str, ...], endpoint: str, method: str, store_url: str | None, update_url: str | None, base: str
) -> None:
    """
    Load the register into a SPARQL 1.1 server, one named graph per agreement

    Example:

    \b
        dfg push seeds/ --endpoint http://127.0.0.1:7878
    """
    register = api.load(paths)
    results = api.push(register, endpoint, method=method, base=base, store_url=store_url, update_url=update_url)
    for r in results:
        click.echo(json.dumps(r.as_dict(), sort_keys=True))  # type: ignore[attr-defined]
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
@click.option("--family", default=None, help="Only hops carrying this dataset family")
@click.option(
    "--identifiability", type=click.Choice(IDENTIFIABILITY), default=None, help="Only hops at this identifiability"
)
@click.option("--during", default=None, help="Only flows in this window, e.g. 2018-06..2018-09")
@diagnostic_options
@handle_errors
def html_command(
    paths: tuple[str, ...],
    output: str | None,
    focus: str | None,
    depth: int | None,
    family: str | None,
    identifiability: str | None,
    during: str | None,
    strict: bool,
    errors_csv: str | None,
    quiet: bool,
    verbose: bool,
) -> None:
    """
    Write the flow graph as one self-contained HTML page that works offline

    Example:

    \b
        dfg html -o thurrock.html --focus "NHS Thurrock CCG" --depth 2
    """
    register = api.load(paths)
    data = export(
        register,
        "html",
        output,
        focus=focus,
        depth=depth,
        family=family,
        identifiability=identifiability,
        during=during,
    )
    if not output:
        click.get_binary_stream("stdout").write(data)
    report(register.diagnostics, errors_csv=errors_csv, quiet=quiet, strict=strict, verbose=verbose)


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
@diagnostic_options
@handle_errors
def export_command(
    paths: tuple[str, ...],
    fmt: str,
    output: str | None,
    base: str,
    strict: bool,
    errors_csv: str | None,
    quiet: bool,
    verbose: bool,
) -> None:
    """
    Export the whole register as RDF, or the flow graph for Gephi, Cytoscape or a browser

    Example:

    \b
        dfg export --format turtle -o register.ttl
        dfg export --format gexf -o flows.gexf
    """
    register = api.load(paths)
    data = export(register, fmt, output, base=base)
    if not output:
        click.get_binary_stream("stdout").write(data)
    report(register.diagnostics, errors_csv=errors_csv, quiet=quiet, strict=strict, verbose=verbose)


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
