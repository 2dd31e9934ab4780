"""The findings panel of the HTML page: each finding with its months, opt-outs, entries and
evidence, and the routes and recipients the graph highlights."""

from __future__ import annotations

import networkx as nx

from ..graph import Convergence, FileFinding, FileSide, Side
from ..model import Period
from .styles import escaped as _e

__all__ = ["Finding", "panel", "period_text", "recipient_node", "route_keys"]

#: A finding the page can highlight: from the flows, or from the released files.
Finding = Convergence | FileFinding


def route_keys(finding: Finding) -> set[str]:
    """Edge keys (``flow#index``) of both sides' routes up to the recipient (flow findings only)."""
    keys: set[str] = set()
    if isinstance(finding, Convergence):
        for side in (*finding.identifiable, *finding.pseudonymised):
            keys |= {f"{side.flow.id}#{i}" for i in range(max(len(side.path) - 1, 1))}
    return keys


def recipient_node(H: nx.MultiDiGraph, finding: Finding) -> str | None:
    """The node a finding is about: its recipient id, else (file findings) a node of that name."""
    if isinstance(finding, Convergence) and finding.recipient_id in H:
        return finding.recipient_id
    by_name = [n for n, d in H.nodes(data=True) if d.get("name") == finding.recipient]
    return min(by_name) if by_name else None


def period_text(period: Period | None) -> str:
    """``start..end`` of a flow's window (``?`` for an open end), or ``period unknown``."""
    if period is None:
        return "period unknown"
    return f"{period.start or '?'}..{period.end or '?'}"


def _side_html(label: str, side: Side | FileSide) -> tuple[str, list[str]]:
    """One side's entry line, and its evidence items (the sentence, or the file rows)."""
    if isinstance(side, Side):
        f, ev = side.flow, side.hop.evidence
        facts: tuple[object, ...] = (f.reference or f.agreement, f.entry, f.purpose, period_text(f.period))
        opt_outs, path = f.opt_outs.value, side.path
        evidence = [f"<li><q>{_e(ev.text)}</q> <cite>{_e(ev.path)}:{_e(ev.line)}</cite></li>"]
    else:
        facts = (side.agreement, None, None, f"{side.period or '?'}..{side.period or '?'}")
        opt_outs, path = side.opt_outs, (side.recipient,)
        evidence = [f"<li>{_e(f'line: {r.line}; row_id: {r.row_id}; source: {r.source}')}</li>" for r in side.rows]
    reference, entry, purpose, period = facts
    item = (
        f"<li><b>{_e(label)}</b>: {_e(reference)} ({_e(entry)}) · {_e(purpose)} · "
        f"{_e(period)} · opt-outs {_e(opt_outs)}<br><small>{_e(' → '.join(path))}</small></li>"
    )
    return item, evidence


def _finding_html(H: nx.MultiDiGraph, f: Finding) -> str:
    node = recipient_node(H, f)
    target = f' data-node="{_e(node)}"' if node else ""
    o = f.overlap
    months = f"{o[0]}..{o[-1]} ({len(o)} month{'s' if len(o) != 1 else ''})" if o else "no overlap"
    opt_text = "; ".join(
        f"{label}: {', '.join(values) or 'unknown'}"
        for label, values in (("identifiable", f.identifiable_opt_outs), ("pseudonymised", f.pseudonymised_opt_outs))
    )
    if f.opt_out_divergence:
        opt_text += " (honoured on one copy and not on the other)"
    entries, evidence = [], []
    for label, sides in (("identifiable", f.identifiable), ("pseudonymised", f.pseudonymised)):
        for s in sides:
            item, items = _side_html(label, s)
            entries.append(item)
            evidence += items
    return (
        f'<li class="dfg-finding"{target}><button type="button" class="dfg-goto"{target}>'
        f"{_e(f.recipient)}</button> · {_e(f.family)} · severity {_e(f.severity)} "
        f"({_e(f.severity_label)})<dl>"
        f"<dt>Months (overlap)</dt><dd>{_e(months)}</dd>"
        f"<dt>Opt-outs</dt><dd>{_e(opt_text)}</dd>"
        f"<dt>Entries</dt><dd><ul>{''.join(entries)}</ul></dd>"
        f"<dt>Evidence</dt><dd><ul>{''.join(evidence)}</ul></dd></dl></li>"
    )


def panel(H: nx.MultiDiGraph, findings: list[Finding]) -> str:
    """The side panel: every finding shown, then the box the page fills with a selection."""
    if not findings:
        body = "<p>No convergence findings in this view.</p>"
    else:
        body = "<ol>" + "".join(_finding_html(H, f) for f in findings) + "</ol>"
    return (
        f'<section id="dfg-findings"><h2>Convergence findings ({len(findings)})</h2>{body}</section>'
        '<section><h2>Selected</h2><pre id="dfg-details">Click an organisation or an edge.</pre>'
        "</section>"
    )
