"""The ``dfg`` command: one subcommand per :mod:`dataflow_graph.api` function.

Command bodies only call ``api``, write data to stdout and diagnostics to stderr; the
documents, rows and text they write come from :mod:`dataflow_graph.outputs`, and the
options they share come from the decorators below (the sqlite-utils pattern).
"""

from __future__ import annotations

import enum
import functools
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Generic, NamedTuple, TypeVar

import click

if TYPE_CHECKING:  # each command imports what it uses when it runs: `dfg --help` imports click only
    from . import api
    from .errors import Diagnostics
    from .model import FlowKind, Identifiability
    from .outputs import rows

F = Callable[..., Any]
FC = TypeVar("FC", bound=Callable[..., Any])
E = TypeVar("E", bound=enum.Enum)

# What the options show and accept, here so that `dfg --help` imports click alone;
# tests/test_startup.py keeps each equal to where it comes from (named beside it).
OUTPUT_FORMATS = ("table", "json", "csv")  # outputs.terminal.FORMATS
EXPORT_FORMATS = ("gexf", "graphml", "html", "jsonld", "nquads", "nt", "trig", "turtle")  # outputs.formats.WRITERS
IDENTIFIABILITY = ("identifiable", "pseudonymised", "anonymised", "aggregate")  # model.Identifiability
FLOW_KINDS = ("transfer", "access", "linkage", "reidentification", "provider-feed")  # model.FlowKind
ROLLUPS = ("unit", "successor")  # api.RollUp
DEFAULT_SOURCE = "NHS Digital"  # api.DEFAULT_SOURCE
DEFAULT_DEPTH = 8  # api.DEFAULT_DEPTH
DEFAULT_BASE = "https://w3id.org/dataflow-graph/id/"  # api.DEFAULT_BASE
DEFAULT_TIMEOUT = 60.0  # api.DEFAULT_TIMEOUT
DEFAULT_MAX_BODY = 64 << 20  # api.DEFAULT_MAX_BODY

#: Said in every command's help that reads PATHS.
PATHS_HELP = (
    "PATHS are register pages (.txt, .html), official register files (.csv, .xlsx) or folders of them; "
    "'-' reads standard input. With no PATHS the built-in page of NHS Thurrock CCG (the seed) is read."
)


class Command(click.Command):
    """A dfg command: its help ends by saying what PATHS are, where it takes them."""

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        if any(p.name == "paths" for p in self.params):
            formatter.write_paragraph()
            formatter.write_text(PATHS_HELP)
        super().format_epilog(ctx, formatter)


class EnumChoice(click.Choice[str], Generic[E]):
    """A choice among an enum's values (any case), handed to the command as the enum member.

    The enum is imported when a value is converted, not when ``--help`` lists the values.
    """

    def __init__(self, values: Sequence[str], members: Callable[[], type[E]]) -> None:
        super().__init__(list(values), case_sensitive=False)
        self.members = members

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        return self.members()(super().convert(value, param, ctx))


def _identifiability() -> type[Identifiability]:
    from .model import Identifiability

    return Identifiability


def _flow_kind() -> type[FlowKind]:
    from .model import FlowKind

    return FlowKind


def _rollup() -> type[api.RollUp]:
    from . import api

    return api.RollUp


def _settings() -> dict[str, bool]:
    """``-q``/``-v``/``--debug`` as given anywhere on the line (before or after the subcommand)."""
    ctx = click.get_current_context(silent=True)
    root = ctx.find_root() if ctx else None
    if root is None:
        return {}
    root.ensure_object(dict)
    obj: dict[str, bool] = root.obj
    return obj


def _remember(ctx: click.Context, param: click.Parameter, value: bool) -> bool:
    if value:
        _settings()[str(param.name)] = True
    return value


def common_options(f: F) -> F:
    """``-q``, ``-v``, ``--debug`` and ``--no-cache``: the same on the group and on every command."""
    for flags, name, text in (
        (("--no-cache",), "no_cache", "Read and extract everything again: do not use or write the load cache"),
        (("--debug",), "debug", "Show tracebacks"),
        (("-v", "--verbose"), "verbose", "Print every diagnostic (by default only errors and one summary line)"),
        (("-q", "--quiet"), "quiet", "Print only errors on stderr"),
    ):
        f = click.option(*flags, name, is_flag=True, expose_value=False, callback=_remember, help=text)(f)
    return f


def note(text: str) -> None:
    """A short message for the user on stderr, wrapped to the terminal (not with ``-q``)."""
    if not _settings().get("quiet"):
        import shutil
        import textwrap

        width = shutil.get_terminal_size((100, 24)).columns if sys.stderr.isatty() else 100
        click.echo("\n".join(textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False)), err=True)


class Output(NamedTuple):
    """Where and how a command writes its result: ``--format``, ``-o`` (``-o -`` is stdout) and ``--csv-raw``.

    A named tuple, not a dataclass: ``dfg --help`` then never imports :mod:`dataclasses`
    (and :mod:`inspect` with it), about a tenth of its start-up."""

    fmt: str
    path: str | None
    csv_raw: bool = False

    @property
    def to_stdout(self) -> bool:
        return self.path in (None, "-")

    def emit(self, text: str, *, summary: str = "") -> None:
        """Write text to the ``-o`` file (and say so), or to stdout."""
        self.emit_bytes(text.encode("utf-8"), summary=summary)

    def emit_bytes(self, data: bytes, *, summary: str = "") -> None:
        """Write bytes to the ``-o`` file, replaced in one step (and say so), or to stdout."""
        from .outputs.files import write_file, write_stdout

        if self.to_stdout:
            write_stdout(data)
            return
        assert self.path is not None
        write_file(self.path, data)
        note(f"wrote {self.path}" + (f": {summary}" if summary else ""))

    def write(
        self,
        document: object,
        found: Sequence[rows.Row] | Callable[[], Sequence[rows.Row]],
        title: str,
        *,
        summary: str = "",
    ) -> None:
        """Write the JSON document, or its rows as CSV or a table (``found`` may be a
        function making them: JSON then never makes them)."""
        from .outputs.terminal import render

        if self.fmt == "json":
            from .outputs.documents import dumps_bytes

            self.emit_bytes(dumps_bytes(document), summary=summary)
            return
        if callable(found):
            found = found()
        self.emit(render(document, found, self.fmt, title, csv_raw=self.csv_raw), summary=summary)

    def refuse_terminal(self, what: str) -> None:
        """A page is not for a terminal: ask for ``-o`` instead of pouring it out."""
        if self.path is None and sys.stdout.isatty():
            raise click.UsageError(
                f"{what} is a page to open in a browser: give -o FILE (or -o - to write it to stdout)"
            )


class Report(NamedTuple):
    """How a command reports diagnostics: ``--strict`` and ``--errors-csv`` (``-q``/``-v`` are common)."""

    strict: bool
    errors_csv: str | None
    csv_raw: bool = False

    def __call__(self, diagnostics: Diagnostics) -> None:
        """Diagnostics to stderr (errors each, the rest summed up unless ``-v``), optional CSV; exit 1 if strict."""
        from .outputs import rows
        from .outputs.terminal import diagnostics_text

        settings = _settings()
        click.echo(
            diagnostics_text(diagnostics, quiet=settings.get("quiet", False), verbose=settings.get("verbose", False)),
            err=True,
            nl=False,
        )
        if self.errors_csv:
            Output("csv", self.errors_csv).emit(
                rows.diagnostics_csv(diagnostics, raw=self.csv_raw), summary=f"{len(diagnostics)} diagnostics"
            )
        if self.strict and diagnostics.counts()["rejected"]:
            raise SystemExit(1)


def sources_argument(f: F) -> F:
    """PATHS...: pages, folders, official register files, '-' for stdin; the embedded seed when none."""
    # not checked by click: a path that cannot be read is reported (DFG110) and the others are read
    return click.argument("paths", nargs=-1, type=click.Path(path_type=str, allow_dash=True, readable=False))(f)


#: Where ``--csv-raw`` is kept for the command being run (``click.Context.meta``).
CSV_RAW = "dataflow_graph.csv_raw"


def _keep_csv_raw(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    ctx.meta[CSV_RAW] = bool(value)


def csv_raw() -> bool:
    """Whether the command being run was given ``--csv-raw``."""
    ctx = click.get_current_context(silent=True)
    return bool(ctx is not None and ctx.meta.get(CSV_RAW))


def csv_raw_option(f: FC) -> FC:
    """``--csv-raw``, once per command whatever asks for it (CSV results, ``--errors-csv``)."""
    if any(p.name == "csv_raw" for p in getattr(f, "__click_params__", ())):
        return f
    return click.option(
        "--csv-raw",
        is_flag=True,
        expose_value=False,
        callback=_keep_csv_raw,
        help="Write CSV cells as they are, without the quote put before a cell starting with =, +, -, @, "
        "tab or CR (for pipelines, not spreadsheets)",
    )(f)


def timeout_option(f: F) -> F:
    """``--timeout SECONDS`` for each request to a SPARQL server."""

    return click.option(
        "--timeout",
        type=click.FloatRange(min=0, min_open=True),
        default=DEFAULT_TIMEOUT,
        show_default=True,
        metavar="SECONDS",
        help="Seconds each request to the server may take, from connecting to the last byte of its answer",
    )(f)


def output_options(f: F) -> F:
    """``--format``, ``-o`` and ``--csv-raw``, handed to the command as one :class:`Output` named ``out``."""

    @functools.wraps(f)
    def wrapper(*args: Any, fmt: str, output: str | None, **kwargs: Any) -> Any:
        return f(*args, out=Output(fmt.lower(), output, csv_raw()), **kwargs)

    wrapper = csv_raw_option(wrapper)
    wrapper = click.option(
        "--format",
        "fmt",
        type=click.Choice(OUTPUT_FORMATS, case_sensitive=False),
        default="table",
        show_default=True,
        help="Output format",
    )(wrapper)
    return click.option(
        "-o",
        "--output",
        type=click.Path(dir_okay=False, writable=True, allow_dash=True),
        default=None,
        help="Write to this file (replaced in one step) ('-': stdout)",
    )(wrapper)


def diagnostic_options(f: F) -> F:
    """``--strict`` and ``--errors-csv``, handed to the command as one :class:`Report`."""

    @functools.wraps(f)
    def wrapper(*args: Any, strict: bool, errors_csv: str | None, **kwargs: Any) -> Any:
        return f(*args, report=Report(strict, errors_csv, csv_raw()), **kwargs)

    wrapper = csv_raw_option(wrapper)
    wrapper = click.option("--strict", is_flag=True, help="Exit 1 when anything was rejected")(wrapper)
    return click.option(
        "--errors-csv",
        type=click.Path(dir_okay=False, allow_dash=True),
        default=None,
        help="Write every diagnostic to this CSV file (replaced in one step)",
    )(wrapper)


def handle_errors(f: F) -> F:
    """Turn package errors into click errors (exit 1), with no traceback unless ``--debug``."""

    @functools.wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from .errors import DataflowGraphError, NothingReadError

        try:
            return f(*args, **kwargs)
        except DataflowGraphError as exc:
            if _settings().get("debug"):
                raise
            if isinstance(exc, NothingReadError):  # everything tried and why it gave nothing, then the message
                from .outputs.terminal import diagnostics_text

                quiet = _settings().get("quiet", False)
                click.echo(diagnostics_text(exc.diagnostics, quiet=quiet, verbose=True), err=True, nl=False)
            raise click.ClickException(str(exc)) from exc
        except OSError as exc:  # a file or the network failed where nothing caught it before
            if click.get_current_context().find_root().params.get("debug"):
                raise
            raise click.ClickException(_os_error(exc)) from exc

    return wrapper


def _os_error(exc: OSError) -> str:
    """An OS error in one line: its file and reason ("out.json: No space left on device")."""
    where = f"{exc.filename}: " if exc.filename else ""
    return f"{where}{exc.strerror or exc}"


def family_option(text: str) -> Callable[[F], F]:
    """``--family FAMILY``: a family code (any case) or a dataset's name; checked, with suggestions."""
    return click.option("--family", default=None, help=f"{text} (a code such as SUS or HES, or a dataset's name)")


def during_option(text: str) -> Callable[[F], F]:
    """``--during WINDOW``: a month, a year or a range with either end open."""
    return click.option("--during", default=None, help=f"{text}: 2018-06, 2018, 2018-06..2019-03, 2018-06.. or ..2019")


def identifiability_option(text: str | None = None) -> Callable[[F], F]:
    """``--identifiability LEVEL``, handed to the command as an :class:`Identifiability`."""
    return click.option(
        "--identifiability", type=EnumChoice(IDENTIFIABILITY, _identifiability), default=None, help=text
    )


def base_option(f: F) -> F:
    """``--base IRI`` for RDF: the base under which every node is minted."""

    return click.option(
        "--base", default=DEFAULT_BASE, show_default=True, help="Base IRI under which every node is minted"
    )(f)


@contextmanager
def phase(text: str) -> Iterator[None]:
    """A progress line on stderr for a step that takes over a second (on a terminal, not with ``-q``)."""
    from . import _lifetime
    from .outputs.terminal import progress

    _lifetime.imports_done()  # the command's first step: what it imported is imported
    with progress(text, show=sys.stderr.isatty() and not _settings().get("quiet")):
        yield


def load(
    paths: Sequence[str], *, flows: bool = True, queries: bool = True, lines: dict[int, bytes] | None = None
) -> api.Register:
    """The register of ``paths`` (with its flows extracted), saying so when it is the built-in page.

    ``queries``: the command asks the flow graph, so its queries (and networkx) are imported
    now, before the first step, while :func:`main` keeps the collector paused.  ``lines``:
    given each flow's line of JSON (:func:`~dataflow_graph.outputs.documents.record_line`)
    by the ``id`` of the flow, made by the processes that extract the flows (none when the
    flows come from the load cache).
    """
    from . import _lifetime, api

    if queries:
        api.import_queries()

    if not paths:
        note("no PATHS: reading the built-in NHS Thurrock CCG page (see --help)")
    with phase(f"reading {len(paths) or 1} input{'s' if len(paths) > 1 else ''}"):
        register = api.load(paths, cache=not _settings().get("no_cache"), note=note)
    _lifetime.keep_to_exit(register)  # as dfg (main), never freed object by object
    if flows:
        with phase(f"extracting the flows of {len(register.entries)} entries"):
            if lines is None:
                register.flows  # noqa: B018 - computed here, under the progress line
            else:
                from .outputs.documents import record_line

                made = register.render_flows(record_line)
                lines.update(zip(map(id, register.flows), made or (), strict=False))
    return register


@click.group(context_settings={"help_option_names": ["-h", "--help"]}, cls=click.Group)
@click.version_option(package_name="dataflow-graph")
@common_options
def cli() -> None:
    """Trace NHS Digital data releases hop by hop and find where copies converge.

    Start with `dfg converge` (findings, most severe first), `dfg org NAME` (one
    organisation), `dfg families` and `dfg orgs` (what you can ask about).
    """


cli.command_class = Command


@cli.command(name="parse")
@sources_argument
@output_options
@diagnostic_options
@common_options
@handle_errors
def parse_command(paths: tuple[str, ...], out: Output, report: Report) -> None:
    """
    Read register pages and files; list every entry with its header facts

    Example:

    \b
        dfg parse seeds/ --format json
    """
    from .outputs import documents, rows

    register = load(paths, flows=False, queries=False)
    out.write(
        documents.parse_document(register, for_dumps=True),
        lambda: rows.entries_rows(register.entries),
        "Register entries",
        summary=f"{len(register.entries)} entries, {len(register.releases)} released files",
    )
    report(register.diagnostics)


@cli.command(name="flows")
@sources_argument
@family_option("Only flows carrying this dataset family")
@identifiability_option("Only flows at this identifiability")
@output_options
@diagnostic_options
@common_options
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
    from . import api
    from .outputs import documents, rows

    lines: dict[int, bytes] | None = {} if out.fmt == "json" else None
    register = load(paths, queries=False, lines=lines)
    selected = api.flows(register, family=family, identifiability=identifiability)
    document = documents.flows_document(
        selected, organisations=register.organisations, diagnostics=register.diagnostics, for_dumps=True, lines=lines
    )
    out.write(document, lambda: rows.flows_rows(selected), "Flows", summary=f"{len(selected)} flows")
    report(register.diagnostics)


@cli.command(name="eval")
@sources_argument
@click.option(
    "--gold",
    required=True,
    type=click.Path(exists=True, dir_okay=False),
    help="Gold YAML file (the format of tests/gold/thurrock.yaml)",
)
@output_options
@common_options
@handle_errors
def eval_command(paths: tuple[str, ...], gold: str, out: Output) -> None:
    """
    Score extracted flows against a hand-labelled gold file

    Example:

    \b
        dfg eval seeds/ --gold tests/gold/thurrock.yaml
    """
    from . import api
    from .outputs.terminal import eval_text

    register = load(paths, queries=False)
    out.emit(eval_text(api.evaluate_gold(register, gold), out.fmt, csv_raw=out.csv_raw), summary="precision and recall")


@cli.command(name="converge")
@sources_argument
@click.option("--recipient", default=None, help="Only this organisation (any name, alias or ODS code)")
@family_option("Only this dataset family")
@click.option(
    "--rollup",
    type=EnumChoice(ROLLUPS, _rollup),
    default=ROLLUPS[0],
    show_default=True,
    help="Count units as their organisation; 'successor' also counts a CCG as its successor (sub-ICB location, ICB)",
)
@during_option("Only copies released in this window")
@click.option("--top", type=click.IntRange(min=1), default=None, help="Show only the N most severe findings")
@output_options
@diagnostic_options
@common_options
@handle_errors
def converge_command(
    paths: tuple[str, ...], recipient: str | None, top: int | None, out: Output, report: Report, **which: Any
) -> None:
    """
    Find recipients given identifiable and pseudonymised copies of one dataset

    Example:

    \b
        dfg converge seeds/ --top 5
        dfg converge tests/data/register/ --recipient "NHS Surrey Downs CCG" --format json
    """
    from . import api
    from .outputs import documents, rows, screens

    register = load(paths)
    with phase("finding convergences"):
        found, excluded = api.convergences(register, recipient=recipient, **which)
        files = api.file_findings(register, recipient=recipient, family=which["family"])
    summary = f"{len(found) + len(files)} findings"
    if out.fmt == "table":
        out.emit(screens.converge_text(found, excluded, files, entries=len(register.entries), top=top), summary=summary)
    else:
        every = api.ranked(found, files)[:top]
        document = documents.converge_document(found, excluded, files, register.releases)
        out.write(document, rows.converge_rows(every), "Convergence findings", summary=summary)
    report(register.diagnostics)


@cli.command(name="paths")
@sources_argument
@click.option("--to", "target", required=True, help="Recipient organisation (any name, alias or ODS code)")
@click.option("--from", "source", default=DEFAULT_SOURCE, show_default=True, help="Sending organisation")
@family_option("Only this dataset family")
@identifiability_option()
@click.option("--purpose", default=None, help="Only purposes containing this text")
@click.option("--kind", type=EnumChoice(FLOW_KINDS, _flow_kind), default=None)
@during_option("Only flows in this window")
@click.option(
    "--depth", type=click.IntRange(min=1), default=DEFAULT_DEPTH, show_default=True, help="Most hops in a path"
)
@output_options
@diagnostic_options
@common_options
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
    from . import api
    from .outputs import documents, rows

    register = load(paths)
    found = api.paths(register, target, source=source, **filters)
    title = f"Paths from {source} to {target}"
    out.write(documents.paths_document(found), rows.paths_rows(found), title, summary=f"{len(found)} paths")
    report(register.diagnostics)


def _neighbours_command(name: str, way: str, summary: str, heading: str) -> None:
    """``dfg upstream`` and ``dfg downstream``: one command each over :func:`api.neighbours`."""

    def command(organisation: str, paths: tuple[str, ...], depth: int | None, out: Output, report: Report) -> None:
        from . import api
        from .outputs import documents, rows

        direction = api.Direction(way)
        register = load(paths)
        with phase(f"following the flows {way}"):
            found = api.neighbours(register, organisation, direction=direction, depth=depth)
        origin = api.organisation(register, organisation).name
        document = documents.neighbours_document(origin, direction, found)
        out.write(document, rows.neighbours_rows(found), f"{heading} {origin}", summary=f"{len(found)} organisations")
        report(register.diagnostics)

    command.__doc__ = f"""
    {summary}

    Example:

    \b
        dfg {name} "NHS Thurrock CCG" --depth 2
    """
    decorated: F = handle_errors(command)
    for decorator in (
        common_options,
        diagnostic_options,
        output_options,
        click.option("--depth", type=click.IntRange(min=1), default=None, help="Most hops away (default: no limit)"),
        sources_argument,
        click.argument("organisation"),
    ):
        decorated = decorator(decorated)
    cli.command(name=name)(decorated)


_neighbours_command("upstream", "up", "Who fed an organisation, nearest first", "Upstream of")
_neighbours_command("downstream", "down", "Where an organisation sent data, nearest first", "Downstream of")


@cli.command(name="org")
@click.argument("organisation")
@sources_argument
@output_options
@diagnostic_options
@common_options
@handle_errors
def org_command(organisation: str, paths: tuple[str, ...], out: Output, report: Report) -> None:
    """
    Everything known about one organisation: what it received, findings, red flags

    Example:

    \b
        dfg org "NHS Thurrock CCG"
        dfg org 07G --format json
    """
    from . import api
    from .outputs import documents, rows, screens

    register = load(paths)
    summary = api.organisation_summary(register, organisation)
    pages = api.pages_of(register, summary.organisation)
    if out.fmt == "table":
        out.emit(screens.organisation_report(summary, pages), summary=summary.organisation.name)
    else:
        document = documents.organisation_document(summary, pages)
        out.write(document, rows.organisation_rows(summary), f"Organisation {organisation}")
    report(register.diagnostics)


@cli.command(name="agreement")
@click.argument("reference")
@sources_argument
@output_options
@diagnostic_options
@common_options
@handle_errors
def agreement_command(reference: str, paths: tuple[str, ...], out: Output, report: Report) -> None:
    """
    Everything known about one agreement: entries, flows, recipients, released files

    Example:

    \b
        dfg agreement NIC-41576-W2B4Q
    """
    from . import api
    from .outputs import documents, rows, screens

    register = load(paths)
    summary = api.agreement_summary(register, reference)
    if out.fmt == "table":
        out.emit(screens.agreement_text(summary), summary=summary.agreement)
    else:
        out.write(documents.agreement_document(summary), rows.agreement_rows(summary), f"Agreement {summary.agreement}")
    report(register.diagnostics)


@cli.command(name="redflags")
@sources_argument
@click.option("--recipient", default=None, help="Only this recipient (any name, alias or ODS code)")
@output_options
@diagnostic_options
@common_options
@handle_errors
def redflags_command(paths: tuple[str, ...], recipient: str | None, out: Output, report: Report) -> None:
    """
    Red flags: what the pages state, and files of one dataset sent to one recipient in one
    period with opt-outs applied and not (computed from released files)

    Example:

    \b
        dfg redflags tests/data/register/ReleaseRegister-sep-nov-2017.xlsx --format json
    """
    from . import api
    from .outputs import documents, rows, screens

    register = load(paths, flows=bool(recipient))
    found = api.redflags(register, recipient=recipient)
    pages = api.pages_of(register, api.organisation(register, recipient) if recipient else None)
    summary = f"{len(found.redflags)} red flags computed, {len(screens.stated_flags(pages))} stated by pages"
    if out.fmt == "table":
        out.emit(screens.redflags_text(found, pages), summary=summary)
    else:
        title = "Red flags: opt-outs applied and not applied"
        out.write(documents.redflags_document(found, pages), rows.redflag_rows(found), title, summary=summary)
    report(register.diagnostics)


@cli.command(name="families")
@output_options
@common_options
@handle_errors
def families_command(out: Output) -> None:
    """
    List the dataset families --family accepts (a code, or any dataset name of the family)

    Example:

    \b
        dfg families
    """
    from . import api
    from .outputs import documents

    found = api.families()
    out.write(documents.families_document(found), [f.as_dict() for f in found], "Dataset families")


@cli.command(name="orgs")
@sources_argument
@click.option("--reviewed", is_flag=True, help="Every organisation of the reviewed gazetteer, not only the register's")
@output_options
@diagnostic_options
@common_options
@handle_errors
def orgs_command(paths: tuple[str, ...], reviewed: bool, out: Output, report: Report) -> None:
    """
    List the organisations you can ask about: names, aliases, ODS codes, roles

    Example:

    \b
        dfg orgs --format csv
        dfg orgs --reviewed
    """
    from . import api
    from .outputs import documents, rows

    register = load(paths)
    found = api.organisations(register, reviewed=reviewed)
    found_rows = rows.organisations_rows(found)
    out.write(
        documents.organisations_document(found), found_rows, "Organisations", summary=f"{len(found)} organisations"
    )
    report(register.diagnostics)


@cli.command(name="check")
@sources_argument
@click.option(
    "--engine",
    type=click.Choice(["sparql", "pyshacl"]),
    default="sparql",
    show_default=True,
    help="SHACL validator: the shapes compiled to SPARQL on Oxigraph, or pySHACL (slower; to cross-check)",
)
@base_option
@output_options
@diagnostic_options
@common_options
@handle_errors
def check_command(paths: tuple[str, ...], engine: str, base: str, out: Output, report: Report) -> None:
    """
    Validate the register's RDF against the SHACL shapes and the cross-node checks; exit 1 on a violation

    Example:

    \b
        dfg check seeds/
    """
    from . import api
    from .outputs import documents

    register = load(paths)
    with phase("validating the RDF against the SHACL shapes"):
        violations: list[Any] = api.check(register, base=base, engine=engine)
    if out.fmt == "table":
        failed = sum(v.severity == "Violation" for v in violations)
        verdict = f"{failed} violation(s)\n" if failed else f"conforms: no violation ({len(violations)} warning(s))\n"
        out.emit("".join(f"{v}\n" for v in violations) + verdict)
    else:
        out.write(documents.check_document(violations), [v.as_dict() for v in violations], "SHACL violations")
    report(register.diagnostics)
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
@click.option("--allow-update", is_flag=True, help="Allow a SPARQL Update (in memory only: not with --store)")
@click.option("--endpoint", default=None, help="Run on this SPARQL 1.1 endpoint instead")
@timeout_option
@click.option(
    "--store",
    "store",
    default=None,
    type=click.Path(file_okay=False),
    help="Keep an on-disk Oxigraph store in this folder, reused while the input is unchanged (read-only)",
)
@base_option
@output_options
@common_options
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
    from . import api
    from .outputs import documents

    if not paths and not where.get("endpoint"):
        note("no PATHS given: querying the built-in page of NHS Thurrock CCG (the seed)")
    if where["allow_update"] and where["store"]:
        raise click.UsageError(
            "--allow-update cannot be used with --store: a cached store must stay what its input gives"
        )
    with phase(f"running SPARQL {query}"):
        found = api.sparql(paths, query, _bindings(binds), cache=not _settings().get("no_cache"), note=note, **where)
    out.write(documents.sparql_document(query, found), found, f"SPARQL {query}", summary=f"{len(found)} rows")


@cli.command(name="push")
@sources_argument
@click.option("--endpoint", required=True, help="The server's base URL (Oxigraph: http://host:7878)")
@click.option(
    "--method",
    type=click.Choice(("update", "gsp"), case_sensitive=False),
    default="update",
    show_default=True,
    help="update: one SPARQL Update per graph (atomic); gsp: Graph Store Protocol PUT",
)
@click.option("--store-url", default=None, help="Graph Store endpoint if not <endpoint>/store")
@click.option("--update-url", default=None, help="Update endpoint if not <endpoint>/update")
@click.option("--query-url", default=None, help="Query endpoint that confirms each graph if not <endpoint>/query")
@timeout_option
@click.option(
    "--max-body",
    type=click.IntRange(min=1),
    default=DEFAULT_MAX_BODY >> 20,
    show_default=True,
    metavar="MIB",
    help="Largest update request in MiB; a larger graph is built in a staging graph, then moved in place",
)
@base_option
@common_options
@handle_errors
def push_command(paths: tuple[str, ...], endpoint: str, max_body: int, **how: Any) -> None:
    """
    Load the register into a SPARQL 1.1 server, one named graph per agreement

    Example:

    \b
        dfg push seeds/ --endpoint http://127.0.0.1:7878
    """
    from . import api

    register = load(paths)
    results: list[Any] = api.push(register, endpoint, max_body=max_body << 20, on_pushed=_pushed, **how)
    note(f"{len(results)} graphs pushed and confirmed at {endpoint}")


def _pushed(result: Any) -> None:
    """One graph the server confirmed: its JSON line on stdout, its name on stderr, at once."""
    import json

    click.echo(json.dumps(result.as_dict(), sort_keys=True))
    note(f"pushed <{result.graph}> ({result.confirmed} triples confirmed)")


@cli.command(name="html")
@sources_argument
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True, allow_dash=True),
    default=None,
    help="Write the page to this file (replaced in one step) ('-': stdout)",
)
@click.option("--focus", default=None, help="Centre on this organisation, highlighted (any name, alias or ODS code)")
@click.option(
    "--depth",
    type=click.IntRange(min=1),
    default=None,
    help="With --focus: this many steps up (senders) and down (recipients)  [default: 2]",
)
@click.option("--title", default=None, help="Page title (default: the inputs' base names)")
@family_option("Only hops carrying this dataset family")
@identifiability_option("Only hops at this identifiability")
@during_option("Only flows in this window")
@diagnostic_options
@common_options
@handle_errors
def html_command(paths: tuple[str, ...], output: str | None, report: Report, **view: Any) -> None:
    """
    Write the flow graph as one self-contained HTML page that works offline

    The first view fits the window with names at least 12 px high; a graph of more than
    60 organisations opens on the focus and the findings' organisations. Paths appear by
    base name only, so the page can be published.

    Example:

    \b
        dfg html -o thurrock.html --focus "NHS Thurrock CCG"
        dfg html register.xlsx -o surrey.html --focus "NHS Surrey Downs CCG" --depth 3
    """
    from . import api

    out = Output("html", output)
    out.refuse_terminal("The HTML graph")
    register = load(paths)
    with phase("drawing the graph"):
        data = api.export(register, "html", **view)
    out.emit_bytes(
        data, summary=f"{register.graph.number_of_nodes()} organisations, {register.graph.number_of_edges()} hops"
    )
    report(register.diagnostics)


@cli.command(name="report")
@sources_argument
@click.option(
    "--org", "organisation", default=None, help="The briefing of this organisation (any name, alias or ODS code)"
)
@click.option(
    "--top", type=click.IntRange(min=1), default=10, show_default=True, help="Findings shown, most severe first"
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(("html", "md"), case_sensitive=False),
    default="html",
    show_default=True,
    help="html: one self-contained page; md: Markdown with its pictures as SVG files in FILE-pictures/",
)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, allow_dash=True), default=None, help="Write to this file"
)
@diagnostic_options
@common_options
@handle_errors
def report_command(
    paths: tuple[str, ...], organisation: str | None, top: int, fmt: str, output: str | None, report: Report
) -> None:
    """
    Write a briefing to publish: findings, their timelines and routes, every claim with its evidence

    Example:

    \b
        dfg report --org "NHS Thurrock CCG" -o thurrock.html
        dfg report tests/data/register/ReleaseRegister-sep-nov-2017.xlsx --top 10 -o register.html
        dfg report --org "NHS Thurrock CCG" --format md -o thurrock.md
    """
    from pathlib import Path

    from . import api
    from .outputs.report import render_html, render_markdown

    out = Output(fmt.lower(), output)
    out.refuse_terminal("The briefing")
    register = load(paths)
    with phase("writing the briefing"):
        brief = api.briefing(register, organisation=organisation, top=top)
        if out.fmt == "md":
            if out.to_stdout:
                raise click.UsageError("a Markdown briefing has pictures beside it: give -o FILE.md")
            assert output is not None
            folder = Path(output).with_suffix("").name + "-pictures"
            text, pictures = render_markdown(brief, folder)
            (Path(output).parent / folder).mkdir(exist_ok=True)
            for picture in pictures:
                Output("svg", str(Path(output).parent / folder / picture.name)).emit(picture.svg)
        else:
            text, pictures = render_html(brief)
    out.emit(
        text, summary=f"{min(top, len(brief.findings))} of {len(brief.findings)} findings, {len(pictures)} pictures"
    )
    report(register.diagnostics)


@cli.command(name="export")
@sources_argument
@click.option(
    "--format",
    "fmt",
    type=click.Choice(EXPORT_FORMATS, case_sensitive=False),
    required=True,
    help="An RDF syntax (turtle, nt, jsonld, trig, nquads), gexf (Gephi), graphml (Cytoscape) or html",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True, allow_dash=True),
    default=None,
    help="Write to this file (replaced in one step) ('-': stdout)",
)
@base_option
@click.option("--flat", is_flag=True, help="JSON-LD: every triple in the default graph (no named graphs)")
@diagnostic_options
@common_options
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
    from . import api

    out = Output(fmt.lower(), output)
    if out.fmt == "html":
        out.refuse_terminal("The HTML graph")
    register = load(paths)
    with phase(f"writing {out.fmt}"):
        data = api.export(register, out.fmt, base=base, flat=flat)
    out.emit_bytes(data, summary=f"{len(data):,} bytes of {out.fmt}")
    report(register.diagnostics)


@cli.group(name="cache", cls=click.Group)
@common_options
def cache_group() -> None:
    """
    The load cache: what was read and extracted, kept per input content (see --no-cache)

    Its folder is $DFG_CACHE_DIR, else $XDG_CACHE_HOME/dataflow-graph, else
    ~/.cache/dataflow-graph.

    Example:

    \b
        dfg cache info
        dfg cache clear
    """


@cache_group.command(name="info")
@common_options
@handle_errors
def cache_info_command() -> None:
    """
    Show the cache folder, the loads kept in it and their total size

    Example:

    \b
        dfg cache info
    """
    from . import api

    found = api.cache_info()
    click.echo(f"folder: {found.folder}")
    click.echo(f"entries: {found.entries} ({found.files} files)")
    click.echo(f"size: {found.size:,} bytes")
    if found.refused:
        click.echo(f"not used: {found.refused}")


@cache_group.command(name="clear")
@common_options
@handle_errors
def cache_clear_command() -> None:
    """
    Remove every file of the load cache

    Example:

    \b
        dfg cache clear
    """
    from . import api

    removed = api.clear_cache()
    note(f"removed {removed} cache file{'' if removed == 1 else 's'} from {api.cache_info().folder}")


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
@common_options
@handle_errors
def synth_command(entries: int, seed: int, no_workbook: bool, output: str) -> None:
    """
    Write a synthetic register in the real page and workbook layouts (a benchmarking aid)

    Example:

    \b
        dfg synth --entries 10000 --seed 1 -o /tmp/register-10k
    """
    from .synth import write_register

    with phase(f"writing {entries} synthetic entries"):
        s = write_register(output, entries=entries, seed=seed, workbook=not no_workbook)
    click.echo(
        f"{s.entries} entries on {s.pages} pages, {s.files} files, {s.bytes:,} bytes "
        f"({s.workbook_statements} statements, {s.workbook_releases} released files, "
        f"{len(s.planted)} planted convergences) in {output}"
    )


def main(args: Sequence[str] | None = None, prog_name: str | None = None) -> None:
    """The ``dfg`` command as a process: its records live until it exits (see
    :mod:`dataflow_graph._lifetime`)."""
    from . import _lifetime

    _lifetime.records_live_to_exit = True
    _lifetime.pause_for_imports()  # until the command's first step (cli.phase)
    try:
        cli(args, prog_name=prog_name)
    finally:
        _lifetime.imports_done()
