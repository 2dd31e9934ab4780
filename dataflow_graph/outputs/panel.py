"""The findings panel of the HTML page: every finding, its timeline, its claims and copies.

Each finding shows its recipient, family and severity; a timeline of its copies (inline
SVG from :func:`~dataflow_graph.outputs.svg.timeline`, readable without script); each
qualifier's statement with the evidence it rests on (file base name, line, the quoted
sentence or file row); and each copy under its own label (identifiable, pseudonymised,
anonymised), with its entry, purpose, months, opt-outs and route.  The focus's findings
come first, then those drawn, then those whose recipient is outside the view (listed
anyway, and said to be).  Paths are shown by base name only: a published page never
carries the folders of the machine it was made on.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import networkx as nx

from ..graph import Cited, Convergence, FileFinding, FileSide, Qualifier, Side
from ..model import Identifiability, Period
from .styles import COPY_STYLES
from .styles import escaped as _e
from .svg import Bar, timeline

__all__ = ["Finding", "ordered", "panel", "period_text", "recipient_node", "route_keys", "source_name"]

#: A finding the page can highlight: from the flows, or from the released files.
Finding = Convergence | FileFinding

_SHOWN_CITES, _SHOWN_COPIES, _SHOWN_BARS, _LONG = 3, 6, 8, 320
#: most items of one list written into the page, and where the rest are
_LISTED, _ALL = 30, "dfg converge --format json lists them all"
#: width of a timeline in the panel (SVG units = CSS pixels, so its 12 px text stays 12 px)
TIMELINE_WIDTH = 330.0
_BORDER = {"": "solid", "7 4": "dashed", "2 3": "dotted"}


def source_name(path: str) -> str:
    """A source as the page shows it: the file's base name, with its ``#sheet`` or ``#entry``.

    >>> source_name("/srv/registers/ReleaseRegister.xlsx#PurposeStatements")
    'ReleaseRegister.xlsx#PurposeStatements'
    >>> source_name("C:\\\\Users\\\\me\\\\page.txt#3")
    'page.txt#3'
    """
    head, sep, tail = str(path).partition("#")
    return head.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1] + sep + tail


def route_keys(finding: Finding) -> set[str]:
    """Edge keys (``flow#index``) of both sides' routes up to the recipient (flow findings only)."""
    keys: set[str] = set()
    if isinstance(finding, Convergence):
        for side in (*finding.identifiable, *finding.pseudonymised):
            keys |= {f"{side.flow.id}#{i}" for i in range(max(len(side.path) - 1, 1))}
    return keys


def recipient_node(H: nx.MultiDiGraph, finding: Finding) -> str | None:
    """The node a finding is about: its recipient id, else (file findings) a node of that name."""
    if finding.recipient_id in H:
        return finding.recipient_id
    by_name = [n for n, d in H.nodes(data=True) if d.get("name") == finding.recipient]
    return min(by_name) if by_name else None


def period_text(period: Period | None) -> str:
    """``start..end`` of a flow's window (``?`` for an open end), or ``period unknown``."""
    if period is None:
        return "period unknown"
    return f"{period.start or '?'}..{period.end or '?'}"


def ordered(H: nx.MultiDiGraph, findings: Sequence[Finding], focus: str | None) -> list[tuple[Finding, str]]:
    """Findings with their place: ``focus`` (about the focus), ``view`` (drawn), ``outside``;
    in that order, each by severity, then recipient and family."""
    placed = []
    for f in findings:
        node = recipient_node(H, f)
        place = "outside" if node is None else "focus" if node == focus and focus else "view"
        placed.append((f, place))
    rank = {"focus": 0, "view": 1, "outside": 2}
    return sorted(placed, key=lambda fp: (rank[fp[1]], -fp[0].severity, fp[0].recipient, fp[0].family or ""))


# ---------------------------------------------------------------------------------------
# Timeline


def _months(text: str) -> tuple[str, str] | None:
    m = re.fullmatch(r"\s*(\d{4}-\d{2})\s*(?:(?:/|\.\.)\s*(\d{4}-\d{2}))?\s*", text or "")
    return (m.group(1), m.group(2) or m.group(1)) if m else None


def _copy_level(rows: Sequence[object], agreement: str, default: Identifiability) -> Identifiability:
    """The most identifying level of a file side's rows under one agreement."""
    levels = {getattr(r, "identifiability", None) for r in rows if getattr(r, "agreement", None) == agreement}
    known = sorted((lv for lv in levels if isinstance(lv, Identifiability)), key=lambda lv: -lv.rank)
    return known[0] if known else default


def _copies(f: Finding) -> list[tuple[Identifiability, str, tuple[str, str] | None, bool, Side | FileSide]]:
    """Every copy of a finding: its level, its words, its months (or None), reversed or not."""
    out: list[tuple[Identifiability, str, tuple[str, str] | None, bool, Side | FileSide]] = []
    if isinstance(f, Convergence):
        for s in (*f.identifiable, *f.pseudonymised):
            p = s.flow.period
            words = f"{s.flow.reference or s.flow.agreement} · {s.flow.purpose}"
            # the copy's own months (cut at "until", or its released files' months); a window
            # published backwards is drawn as published, a copy not dated over its register's period
            months = p.bounds() if p is not None and (p.reversed or s.undated) else s.window
            out.append((s.hop.identifiability, words, months, bool(p and p.reversed), s))
        return out
    for sides, rows, default in (
        (f.identifiable, f.files.identifiable_rows, Identifiability.IDENTIFIABLE),
        (f.pseudonymised, f.files.deidentified_rows, Identifiability.PSEUDONYMISED),
    ):
        for fs in sides:
            level = _copy_level(rows, fs.agreement, default)
            out.append((level, f"{fs.agreement} · released files", _months(fs.period), False, fs))
    return out


def _timeline(f: Finding, ident: str) -> str:
    """The finding's timeline: copies of one level and window drawn as one bar."""
    groups: dict[tuple[int, str, str, bool, bool], list[str]] = {}
    levels: dict[tuple[int, str, str, bool, bool], Identifiability] = {}
    for level, words, months, backwards, side in _copies(f):
        if months is None:
            continue
        undated = isinstance(side, Side) and side.undated
        key = (-level.rank, months[0], months[1], backwards, undated)
        groups.setdefault(key, [])
        if words not in groups[key]:
            groups[key].append(words)
        levels[key] = level
    bars = []
    for key in sorted(groups)[:_SHOWN_BARS]:
        copies = groups[key]
        label = f"{levels[key].value} · {copies[0]}" + (f" (+{len(copies) - 1} more)" if len(copies) > 1 else "")
        note = "published backwards" if key[3] else "not dated: the register's period only" if key[4] else ""
        bars.append(Bar(label, levels[key], key[1], key[2], note, key[3], key[4]))
    overlap = (
        _months(f.files.period) if isinstance(f, FileFinding) else (f.overlap[0], f.overlap[-1]) if f.overlap else None
    )
    if not bars:
        return '<p class="dfg-no-timeline">No copy of this finding has a known window of months.</p>'
    more = len(groups) - len(bars)
    note = f'<p class="dfg-note">… and {more} more windows, listed under Copies.</p>' if more > 0 else ""
    title = f"Months of the copies of {f.family or 'one dataset'} received by {f.recipient}"
    svg = timeline(bars, overlap=overlap, ident=ident, title=title, width=TIMELINE_WIDTH)
    return f'<figure class="dfg-timeline">{svg}</figure>{note}'


# ---------------------------------------------------------------------------------------
# Claims and copies


def _cite(c: Cited) -> str:
    where = f"{source_name(c.source)}:{c.line}"
    ref = f" · {c.reference}" if c.reference else ""
    return f"<li><q>{_e(c.text)}</q> <cite>{_e(where)}{_e(ref)}</cite></li>"


def _more(items: list[str], shown: int, what: str) -> str:
    """The first ``shown`` list items, more behind a <details> (no script needed), at most
    :data:`_LISTED` in all; the JSON of ``dfg converge`` has every one."""
    head = "".join(items[:shown])
    if len(items) <= shown:
        return f"<ul>{head}</ul>"
    rest = "".join(items[shown:_LISTED])
    left = len(items) - max(_LISTED, shown)
    tail = f"<p class='dfg-note'>… and {left} more ({_e(_ALL)})</p>" if left > 0 else ""
    summary = f"{len(items) - shown} more {_e(what)}"
    return f"<ul>{head}</ul><details><summary>{summary}</summary><ul>{rest}</ul>{tail}</details>"


def _statement(text: str) -> str:
    if len(text) <= _LONG:
        return f"<p class='dfg-claim'>{_e(text)}</p>"
    cut = text[:_LONG].rsplit(" ", 1)[0]
    return f"<details class='dfg-claim'><summary>{_e(cut)} …</summary><p>{_e(text)}</p></details>"


def _qualifier(q: Qualifier) -> str:
    cites = [_cite(c) for c in q.evidence]
    others = (
        f"<p class='dfg-note'>{q.others} more route(s) nearby, not on these copies' routes.</p>" if q.others else ""
    )
    evidence = _more(cites, _SHOWN_CITES, "pieces of evidence") if cites else ""
    return f'<li data-qualifier="{_e(q.name)}">{_statement(q.statement)}{others}{evidence}</li>'


def _copy(level: Identifiability, months: tuple[str, str] | None, copy: Side | FileSide) -> str:
    style = COPY_STYLES[level]
    look = f"border-left:4px {_BORDER.get(style.dashes, 'double')} {style.colour}"
    tag = f'<span class="dfg-copy-level">{_e(level.value)}</span>'
    if isinstance(copy, Side):
        f, found = copy.flow, copy.opt_outs_found
        opt = f"{found.status.value} ({found.basis})" if found else f.opt_outs.value
        facts = [f.reference or f.agreement, f.purpose, period_text(f.period), f"opt-outs: {opt}"]
        route = " → ".join(copy.path)
        where = f"{source_name(f.entry)} · {source_name(copy.hop.evidence.path)}:{copy.hop.evidence.line}"
        extra = f"<br><small>{_e(route)}</small> <cite>{_e(where)}</cite>"
    else:
        when = f"{months[0]}..{months[1]}" if months else copy.period
        facts = [copy.agreement, f"released files, {when} ({copy.period_kind})", f"opt-outs: {copy.opt_outs}"]
        rows = ", ".join(f"{source_name(r.source)}:{r.line}" for r in copy.rows[:4])
        extra = f"<br><cite>{_e(rows)}{' …' if len(copy.rows) > 4 else ''}</cite>"
    body = " · ".join(_e(x) for x in facts if x)
    return f'<li class="dfg-copy" data-level="{_e(level.value)}" style="{look}">{tag} {body}{extra}</li>'


def _finding_html(H: nx.MultiDiGraph, G: nx.MultiDiGraph, f: Finding, place: str, index: int) -> str:
    """One finding of the panel, numbered from 1."""
    node = recipient_node(H, f)
    target = f' data-node="{_e(node)}"' if node else ""
    o = f.overlap
    if isinstance(f, FileFinding):
        months = f"both released in {f.files.period} ({f.files.period_kind})"
    else:
        months = f"overlap {o[0]}..{o[-1]} ({len(o)} month{'s' if len(o) != 1 else ''})" if o else "no overlap"
    name = f'<a class="dfg-goto" href="#dfg-network"{target}>{_e(f.recipient)}</a>' if node else _e(f.recipient)
    origin = "released files" if isinstance(f, FileFinding) else "flows"
    head = (
        f"<h3>{index + 1}. {name} · {_e(f.family or 'several datasets')}</h3><p class='dfg-meta'>"
        f"severity {_e(f.severity)} ({_e(f.severity_label)}) · {_e(months)} · from {origin}</p>"
    )
    if place == "outside":
        known = f.recipient_id in G or any(d.get("name") == f.recipient for _, d in G.nodes(data=True))
        why = "is not drawn in this view" if known else "has no flows in the graph (found in released files only)"
        head += f'<p class="dfg-outside">Outside this view: {_e(f.recipient)} {why}.</p>'
    copies = [_copy(level, m, c) for level, _, m, _, c in _copies(f)]
    claims = "".join(_qualifier(q) for q in f.qualifiers)
    return (
        f'<li class="dfg-finding" data-place="{place}"{target}>{head}{_timeline(f, f"tl{index}")}'
        f"<h4>What the register shows</h4><ul class='dfg-claims'>{claims}</ul>"
        f"<h4>Copies ({len(copies)})</h4>{_more(copies, _SHOWN_COPIES, 'copies')}</li>"
    )


def panel(
    H: nx.MultiDiGraph, findings: Sequence[Finding], *, G: nx.MultiDiGraph | None = None, focus: str | None = None
) -> str:
    """The side panel: the box the page fills with what is clicked, then every finding (the
    focus's first, those outside the view last)."""
    placed = ordered(H, findings, focus)
    outside = sum(place == "outside" for _, place in placed)
    if not placed:
        body = "<p>No convergence findings for these inputs and filters.</p>"
    else:
        body = "<ol>" + "".join(_finding_html(H, G or H, f, p, i) for i, (f, p) in enumerate(placed)) + "</ol>"
    counts = f"{len(placed)}" + (f", {outside} outside this view" if outside else "")
    return (
        '<section id="dfg-selected"><h2>Selected</h2><pre id="dfg-details">Click an organisation or an edge '
        "to see its details here.</pre></section>"
        f'<section id="dfg-findings"><h2>Convergence findings ({counts})</h2>{body}</section>'
    )
