"""Terminal rendering (rich) of query results; the interactive HTML graph lives in html.py.

Only presentation: every function takes records and returns text.
"""

from __future__ import annotations

import io
import re
import shutil
import sys
from collections.abc import Sequence

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..graph import Convergence, Excluded, Side

__all__ = ["console_text", "convergence_report", "rows_table"]


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
    return console.file.getvalue()  # type: ignore[attr-defined]


def _cell(v: object) -> str:
    if isinstance(v, (list, tuple)):
        return "; ".join(map(str, v))
    return "" if v is None else str(v)


def rows_table(rows: Sequence[dict[str, object]], title: str) -> str:
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
        units = sorted({str(s["unit"]) for s in c.segregation if s.get("unit")})
        if units:
            facts.append(f"segregation stated: {', '.join(units)}")
        if c.linkage:
            facts.append(f"linkage at {', '.join(sorted({str(x['at']) for x in c.linkage}))}")
        if c.reidentification:
            facts.append(
                "re-identification route: "
                + ", ".join(sorted({f"{x['from']} → {x['to']}" for x in c.reidentification}))
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


def organisation_report(doc: dict[str, object]) -> str:
    """``dfg org`` as a readable summary: identity, what it received, from and to whom, findings."""
    org: dict = doc["organisation"]  # type: ignore[assignment]
    facts = Table(title=Text(org["name"], style="bold"), show_header=False, show_lines=False)
    facts.add_column("fact", style="bold")
    facts.add_column("value", overflow="fold")

    def add(label: str, value: object) -> None:
        if value not in (None, "", [], {}):
            facts.add_row(Text(label), Text(_cell(value)))

    add("id", org["id"])
    add("role", org["role"] + ("" if org["reviewed"] else " (unreviewed: guessed from its words)"))
    add("ODS code", org.get("ods"))
    add("part of", org.get("part_of"))
    add("successor", org.get("successor"))
    add("units", org.get("units"))
    add("aliases", org.get("aliases"))
    received: dict = doc.get("received") or {}  # type: ignore[assignment]
    add("received", [f"{fam}: {', '.join(levels)}" for fam, levels in received.items()])
    for label, key in (("fed by", "from"), ("sent to", "to")):
        rows = doc.get(key) or []
        add(label, [f"{n['name']} ({', '.join(sorted({f['reference'] for f in n['flows']}))})" for n in rows])  # type: ignore[union-attr]
    add("agreements", doc.get("agreements"))
    add("entries", len(doc.get("entries") or []))  # type: ignore[arg-type]
    findings = doc.get("findings") or []
    add(
        "convergence",
        [
            f"{f['family']}: severity {f['severity']} ({f['severity_label']}), overlap "
            f"{(f['overlap'] or {}).get('from', 'none')}..{(f['overlap'] or {}).get('to', '')}"
            f"{', opt-outs diverge' if f['opt_out_divergence'] else ''}"
            for f in findings
        ],
    )  # type: ignore[union-attr]
    if doc.get("releases"):
        add("released files", doc["releases"])
        add("files with opt-outs not applied", doc.get("not_applied"))
        add(
            "red flags",
            [
                f"{r['dataset']} {r['period']}: {r['files_applied']} applied, {r['files_not_applied']} not"
                for r in doc.get("redflags") or []
            ],
        )  # type: ignore[union-attr]
        add(
            "convergence in files",
            [
                f"{f['family']} {f['overlap']['from']}: severity {f['severity']}"
                f"{', opt-outs diverge' if f['opt_out_divergence'] else ''}"
                for f in doc.get("file_findings") or []
            ],
        )  # type: ignore[union-attr]
    return console_text(facts)
