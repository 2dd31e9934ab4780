"""Terminal rendering (rich) of records: tables, the convergence report, one organisation.

Only presentation: every function takes records (or flat rows) and returns text; the
interactive HTML graph lives in :mod:`~dataflow_graph.outputs.html`.
"""

from __future__ import annotations

import io
import re
import shutil
import sys
from collections.abc import Sequence
from typing import Protocol

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..errors import Diagnostics, Severity
from ..graph import Convergence, Excluded, FileFinding, OrganisationSummary, Side
from .documents import HasDict, dumps
from .rows import Row, eval_rows, file_rows, rows_csv

__all__ = [
    "FORMATS",
    "PER_CODE",
    "console_text",
    "converge_text",
    "convergence_report",
    "diagnostics_text",
    "eval_text",
    "organisation_report",
    "render",
    "rows_table",
    "short_name",
]

#: What ``--format`` offers for query results.
FORMATS = ("table", "json", "csv")
#: Diagnostics of one code printed before the rest are only counted (``--verbose`` prints all).
PER_CODE = 20


def _console(width: int | None = None) -> Console:
    width = width or max(100, shutil.get_terminal_size((140, 40)).columns)
    return Console(
        file=io.StringIO(),
        width=width,
        force_terminal=sys.stdout.isatty(),
        force_jupyter=False,
        highlight=False,
        soft_wrap=False,
    )


def console_text(*renderables: object, width: int | None = None) -> str:
    """Render rich objects to a string (colour only on a terminal)."""
    console = _console(width)
    for r in renderables:
        console.print(r)
    out = console.file
    assert isinstance(out, io.StringIO)
    return out.getvalue()


def _cell(v: object) -> str:
    if isinstance(v, (list, tuple)):
        return "; ".join(map(str, v))
    return "" if v is None else str(v)


def rows_table(rows: Sequence[Row], title: str) -> str:
    """A table of flat rows; ``title: nothing found`` when there are none."""
    if not rows:
        return f"{title}: nothing found\n"
    table = Table(title=title, show_lines=False)
    for key in rows[0]:
        table.add_column(key, overflow="fold")
    for row in rows:
        table.add_row(*(Text(_cell(v)) for v in row.values()))
    return console_text(table)


def _period(side: Side) -> str:
    p = side.flow.period
    if p is None:
        return "?"
    text = f"{p.start or '?'}..{p.end or '?'}"
    return f"{text} (reversed)" if p.reversed else text


def short_name(name: str) -> str:
    """A compact display name for tables ("NHS North and East London CSU", "DSCRO").

    >>> short_name("Data Services for Commissioners Regional Office")
    'DSCRO'
    >>> short_name("NHS North and East London Commissioning Support Unit")
    'NHS North and East London CSU'
    """
    text = re.sub(r"(?i)data services for commissioners? regional office", "DSCRO", name)
    text = re.sub(r"(?i)commissioning support unit", "CSU", text)
    text = re.sub(r"(?i)clinical commissioning group", "CCG", text)
    return re.sub(r"(?i)\s+(international\s+)?(limited|ltd)\.?$", "", text)


def _route(side: Side) -> str:
    middle = [short_name(n) for n in side.path[1:-1]]
    route = "via " + " → ".join(middle) if middle else "direct"
    if side.hop.unit:
        m = re.search(r"\((\w+)\)$", side.hop.unit)
        route += f" [{m.group(1) if m else side.hop.unit}]"
    if side.hop.landing_only:
        route += " (landing only)"
    return route


def convergence_report(
    found: Sequence[Convergence], excluded: Sequence[Excluded], *, entries: int | None = None
) -> str:
    """The convergence findings as a readable terminal report, most severe first."""
    parts: list[object] = []
    sources = sorted({s.hop.evidence.path for c in found for s in (*c.identifiable, *c.pseudonymised)})
    head = f"{len(found)} convergence finding{'s' if len(found) != 1 else ''}"
    if entries is not None:
        head += f" in {entries} register entries"
    parts.append(
        Text(head + ": one recipient given identifiable and pseudonymised copies of one dataset", style="bold")
    )
    for n, c in enumerate(found, 1):
        facts = [
            f"overlap {c.overlap[0]}..{c.overlap[-1]}" if c.overlap else "no overlapping months",
            "opt-outs honoured on one copy, ignored on the other" if c.opt_out_divergence else "no opt-out divergence",
            f"same agreement {', '.join(c.same_agreement)}" if c.same_agreement else "different agreements",
        ]
        if c.landing_only:
            facts.append(f"landing point only for the {' and '.join(c.landing_only)} copy")
        units = sorted({s.unit for s in c.segregation if s.unit})
        if units:
            facts.append(f"segregation stated: {', '.join(units)}")
        if c.linkage:
            facts.append(f"linkage at {', '.join(sorted({x.at for x in c.linkage}))}")
        if c.reidentification:
            facts.append(
                "re-identification route: "
                + ", ".join(sorted({f"{x.source} → {x.target}" for x in c.reidentification}))
            )
        table = Table(
            title=Text(f"{n}. {c.recipient} — {c.family} — severity {c.severity} ({c.severity_label})", style="bold"),
            caption=Text(" · ".join(facts)),
            caption_justify="left",
            show_lines=False,
            expand=False,
        )
        for column in ("copy", "entry", "reference", "purpose", "period", "opt-outs", "route", "line"):
            table.add_column(column, overflow="fold", no_wrap=column in ("copy", "reference", "period", "line"))
        for label, sides in (("identifiable", c.identifiable), ("pseudonymised", c.pseudonymised)):
            for s in sides:
                table.add_row(
                    Text(label),
                    Text(s.flow.entry.rsplit("#", 1)[-1]),
                    Text(s.flow.reference),
                    Text(s.flow.purpose),
                    Text(_period(s)),
                    Text(s.flow.opt_outs.value),
                    Text(_route(s)),
                    Text(str(s.hop.evidence.line)),
                )
        parts.append(table)
    if sources:
        parts.append(
            Text(
                "Lines refer to " + ", ".join(sources) + "; --format json gives every fact with its evidence sentence.",
                style="dim",
            )
        )
    if excluded:
        names = sorted({e.recipient for e in excluded})
        parts.append(Text(f"Reported apart (part of the source, NHS Digital): {', '.join(names)}", style="dim"))
    return console_text(*parts)


def converge_text(
    found: Sequence[Convergence], excluded: Sequence[Excluded], files: Sequence[FileFinding], *, entries: int
) -> str:
    """``dfg converge`` as a table: the report of flow findings, then the file findings."""
    text = convergence_report(found, excluded, entries=entries)
    return text + (rows_table(file_rows(files), "Convergence in released files") if files else "")


def organisation_report(summary: OrganisationSummary) -> str:
    """``dfg org`` as a readable summary: identity, what it received, from and to whom, findings."""
    org = summary.organisation
    facts = Table(title=Text(org.name, style="bold"), show_header=False, show_lines=False)
    facts.add_column("fact", style="bold")
    facts.add_column("value", overflow="fold")

    def add(label: str, value: object) -> None:
        if value not in (None, "", [], {}):
            facts.add_row(Text(label), Text(_cell(value)))

    add("id", org.id)
    add("role", org.role.value + ("" if org.reviewed else " (unreviewed: guessed from its words)"))
    add("ODS code", org.ods)
    add("part of", org.part_of)
    add("successor", org.successor)
    add("units", list(org.units))
    add("aliases", list(org.aliases))
    add("received", [f"{fam}: {', '.join(levels)}" for fam, levels in summary.received.items()])
    for label, reached in (("fed by", summary.upstream), ("sent to", summary.downstream)):
        add(label, [f"{n.name} ({', '.join(sorted({f.reference for f, _ in n.hops}))})" for n in reached])
    add("agreements", list(summary.agreements))
    add("entries", len(summary.entries))
    add(
        "convergence",
        [
            f"{c.family}: severity {c.severity} ({c.severity_label}), overlap "
            f"{c.overlap[0] if c.overlap else 'none'}..{c.overlap[-1] if c.overlap else ''}"
            f"{', opt-outs diverge' if c.opt_out_divergence else ''}"
            for c in summary.findings
        ],
    )
    files = summary.files
    if files.releases:
        add("released files", files.releases)
        add("files with opt-outs not applied", files.not_applied)
        add(
            "red flags",
            [f"{r.dataset} {r.period}: {r.files_applied} applied, {r.files_not_applied} not" for r in files.redflags],
        )
        add(
            "convergence in files",
            [
                f"{f.family} {f.overlap[0]}: severity {f.severity}"
                f"{', opt-outs diverge' if f.opt_out_divergence else ''}"
                for f in files.file_findings
            ],
        )
    return console_text(facts)


class Score(HasDict, Protocol):
    """A gold score (:class:`dataflow_graph.extract.Score`): precision and recall, core and extended."""

    @property
    def core_precision(self) -> float: ...
    @property
    def core_recall(self) -> float: ...
    @property
    def extended_precision(self) -> float: ...
    @property
    def extended_recall(self) -> float: ...
    @property
    def counts(self) -> dict[str, int]: ...


def eval_text(score: Score, fmt: str, *, csv_raw: bool = False) -> str:
    """``dfg eval``: JSON, or precision and recall lines then the misses and extras (table or CSV,
    formula starts neutralised unless ``csv_raw``: :func:`~dataflow_graph.outputs.rows.rows_csv`)."""
    if fmt == "json":
        return dumps(score.as_dict())
    lines = [
        f"core precision {score.core_precision:.3f}  recall {score.core_recall:.3f}",
        f"extended precision {score.extended_precision:.3f}  recall {score.extended_recall:.3f}",
        f"counts {score.counts}",
    ]
    rows = eval_rows(score)
    body = rows_csv(rows, raw=csv_raw) if fmt == "csv" else rows_table(rows, "Misses and extras")
    return "\n".join(lines) + "\n" + body


def render(document: object, rows: Sequence[Row], fmt: str, title: str, *, csv_raw: bool = False) -> str:
    """A command's result as ``fmt``: the JSON document, or its rows as CSV (formula starts
    neutralised unless ``csv_raw``: :func:`~dataflow_graph.outputs.rows.rows_csv`) or a table."""
    if fmt == "json":
        return dumps(document)
    if fmt == "csv":
        return rows_csv(rows, raw=csv_raw)
    return rows_table(rows, title)


def diagnostics_text(diagnostics: Diagnostics, *, quiet: bool, verbose: bool) -> str:
    """Diagnostics for stderr, ``path:line:col`` first; at most :data:`PER_CODE` of a code
    unless ``verbose``; warnings and notes left out when ``quiet``; then the counts."""
    lines = []
    shown: dict[str, int] = {}
    for d in diagnostics:
        if quiet and d.severity is not Severity.ERROR:
            continue
        shown[d.code] = shown.get(d.code, 0) + 1
        if verbose or shown[d.code] <= PER_CODE:
            lines.append(str(d))
    for code, n in sorted(shown.items()):
        if not verbose and n > PER_CODE:
            lines.append(
                f"... and {n - PER_CODE} more {code} diagnostics (--verbose or --errors-csv FILE shows them all)"
            )
    c = diagnostics.counts()
    if not quiet:
        lines.append(f"entries read {c['read']} = parsed {c['parsed']} + rejected {c['rejected']}")
    return "".join(f"{line}\n" for line in lines)
