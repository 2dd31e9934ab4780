"""The flow graph as one interactive HTML file: offline, escaped, the same bytes every run.

pyvis builds the vis-network node and edge records; this module lays them out, styles them
from one table (:data:`STYLES`, which also draws the legend), and writes them into its own
page template instead of pyvis's, because pyvis's templates fetch bootstrap and tom-select
from CDNs even in its "local" and "in_line" modes and add random ids.  vis-network itself
is inlined from ``_assets/`` (vendored with its licence).

Register text is untrusted (DESIGN.md, invariant 4):

- everything written as markup (title, legend, findings panel, search list) goes through
  :func:`html.escape`;
- node and edge data travel as JSON inside ``<script type="application/json">`` with
  ``<``, ``>``, ``&``, U+2028 and U+2029 escaped (:func:`json_for_script`), are read with
  ``JSON.parse`` and shown with ``textContent`` / vis-network's ``innerText`` tooltips, and
  canvas labels are drawn as text;
- a Content-Security-Policy allows only the page's own two scripts (by hash), no network at
  all, so a missed escape could neither run a handler nor fetch anything.

>>> from dataflow_graph.examples import two_copies
>>> from dataflow_graph.graph import build_graph
>>> page = render_html(build_graph(two_copies().flows))
>>> page.startswith("<!DOCTYPE html>") and "https://" not in page.split("<script")[0]
True
>>> page == render_html(build_graph(two_copies().flows))
True
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources

import networkx as nx
from pyvis.network import Network

from ..errors import UnknownOrganisationError
from ..model import Flow, Hop, Identifiability, Period, Role

__all__ = [
    "FINDING_WIDTH",
    "LANDING_ONLY",
    "STYLES",
    "Style",
    "json_for_script",
    "layout",
    "render_html",
    "select_graph",
]


@dataclass(frozen=True, slots=True)
class Style:
    """How one role (node) or identifiability (edge) is drawn, and its legend text."""

    colour: str
    legend: str
    shape: str = "dot"


#: The one style table: node colour and shape by role, edge colour by identifiability.
STYLES: dict[Role | Identifiability, Style] = {
    Role.SOURCE: Style("#1f3a93", "source (NHS Digital)", "diamond"),
    Role.DSCRO: Style("#4a78c2", "DSCRO (part of NHS Digital)", "triangle"),
    Role.CSU: Style("#2ca02c", "commissioning support unit", "square"),
    Role.PROCESSOR: Style("#b8a000", "processor", "triangleDown"),
    Role.CONTROLLER: Style("#9467bd", "controller (CCG, ICB, trust…)", "dot"),
    Role.PROVIDER: Style("#17becf", "care provider", "hexagon"),
    Role.DIRECT_CARE: Style("#e377c2", "direct care (re-identifies)", "star"),
    Role.KEY_HOLDER: Style("#8c564b", "key holder", "diamond"),
    Role.OTHER: Style("#7f7f7f", "other", "dot"),
    Identifiability.IDENTIFIABLE: Style("#d62728", "identifiable"),
    Identifiability.PSEUDONYMISED: Style("#ff7f0e", "pseudonymised"),
    Identifiability.ANONYMISED: Style("#1f77b4", "anonymised"),
    Identifiability.AGGREGATE: Style("#8a8a8a", "aggregate"),
}
#: Legend text of dashed edges (every hop they stand for is landing-only).
LANDING_ONLY = "landing only (dashed)"
#: Width of an edge on a convergence route, and of every other edge.
FINDING_WIDTH, EDGE_WIDTH = 5, 1.5
_ROWS, _ROW_H, _COL_W, _LAYER_GAP = 40, 90, 280, 420
_MAX_FLOWS_IN_TOOLTIP = 12
_ROLE_ORDER = {r: i for i, r in enumerate(Role)}


# ---------------------------------------------------------------------------------------
# Selection


def _in_window(period: Period | None, during: Period | None) -> bool:
    if during is None:
        return True
    return period is not None and not period.reversed and period.overlap(during) is not None


def select_graph(
    G: nx.MultiDiGraph,
    *,
    focus: str | None = None,
    family: str | None = None,
    identifiability: Identifiability | str | None = None,
    during: Period | None = None,
    depth: int | None = None,
) -> nx.MultiDiGraph:
    """The part of the flow graph a page shows.

    Edges are kept when a hop carries ``family`` (case-insensitive), is at
    ``identifiability``, and its flow's period meets ``during``; with any of those, nodes
    left without edges go.  ``focus`` (a node id) keeps its neighbourhood within ``depth``
    hops in either direction (all it connects to when ``depth`` is None).

    Raises
    ------
    UnknownOrganisationError
        If ``focus`` is not a node of ``G``.

    Examples
    --------
    >>> from dataflow_graph.examples import two_copies
    >>> from dataflow_graph.graph import build_graph
    >>> G = build_graph(two_copies().flows)
    >>> sorted(select_graph(G, focus="org:example-ccg", depth=1))
    ['org:example-ccg', 'org:example-csu']
    >>> select_graph(G, identifiability="pseudonymised").number_of_edges()
    2
    """
    if focus is not None and focus not in G:
        raise UnknownOrganisationError(focus)
    level = Identifiability(identifiability) if identifiability else None
    fam = family.upper() if family else None
    H = G
    if fam or level or during:
        keep = [
            (u, v, k)
            for u, v, k, d in G.edges(keys=True, data=True)
            if _edge_ok(d["flow"], d["hop"], fam, level, during)
        ]
        H = G.edge_subgraph(keep).copy()
        if focus is not None and focus not in H:
            H.add_node(focus, **G.nodes[focus])
    if focus is not None:
        H = H.subgraph(_neighbourhood(H, focus, depth)).copy()
    return H


def _neighbourhood(G: nx.MultiDiGraph, node: str, depth: int | None) -> set[str]:
    """Nodes within ``depth`` hops of ``node`` in either direction (a BFS, no undirected copy)."""
    seen, frontier, level = {node}, [node], 0
    while frontier and (depth is None or level < depth):
        level += 1
        nxt = []
        for u in frontier:
            for v in (*G.succ[u], *G.pred[u]):
                if v not in seen:
                    seen.add(v)
                    nxt.append(v)
        frontier = nxt
    return seen


def _edge_ok(f: Flow, h: Hop, family: str | None, level: Identifiability | None, during: Period | None) -> bool:
    return (
        (family is None or family in {x.upper() for x in (h.families or f.families)})
        and (level is None or h.identifiability is level)
        and _in_window(f.period, during)
    )


# ---------------------------------------------------------------------------------------
# Layout


def _layers(H: nx.MultiDiGraph) -> dict[str, int]:
    """Distance from NHS Digital (or from a root of each component), by breadth-first search."""
    dist: dict[str, int] = {}
    for comp in sorted((sorted(c) for c in nx.weakly_connected_components(H)), key=lambda c: c[0]):
        roots = (
            [n for n in comp if H.nodes[n].get("role") == Role.SOURCE.value]
            or [n for n in comp if H.in_degree(n) == 0]
            or comp[:1]
        )
        _bfs(roots, dist, lambda n: sorted(H.successors(n)))
        rest = [n for n in comp if n not in dist]
        if rest:  # reached only against the arrows: place them after their neighbours
            _bfs(
                sorted(n for n in comp if n in dist),
                dist,
                lambda n: sorted({*H.successors(n), *H.predecessors(n)}),
                keep=True,
            )
    return dist


def _bfs(
    starts: list[str], dist: dict[str, int], neighbours: Callable[[str], list[str]], *, keep: bool = False
) -> None:
    queue = deque(starts)
    for n in starts:
        if not keep:
            dist[n] = 0
    while queue:
        u = queue.popleft()
        for v in neighbours(u):
            if v not in dist:
                dist[v] = dist[u] + 1
                queue.append(v)


def layout(H: nx.MultiDiGraph) -> dict[str, tuple[int, int]]:
    """Integer positions: one band of columns per distance from NHS Digital.

    Organisations without edges come last.  A band holds at most 40 nodes per column;
    inside a band nodes are ordered by the mean row of their senders (fewer crossings), then
    by name, so 1,000+ nodes stay readable and the same graph always gets the same positions.

    >>> from dataflow_graph.examples import two_copies
    >>> from dataflow_graph.graph import build_graph
    >>> layout(build_graph(two_copies().flows))["org:nhs-digital"]
    (0, 0)
    """
    dist = _layers(H)
    last = max((d for n, d in dist.items() if H.degree(n)), default=-1)
    bands: dict[int, list[str]] = defaultdict(list)
    for n, d in dist.items():
        bands[d if H.degree(n) else last + 1].append(n)  # organisations without edges go last
    rank: dict[str, int] = {}
    pos: dict[str, tuple[int, int]] = {}
    x0 = 0
    for d in sorted(bands):

        def key(n: str) -> tuple[float, int, str, str]:
            senders = [rank[p] for p in sorted(H.predecessors(n)) if p in rank]
            mean = sum(senders) / len(senders) if senders else -1.0
            data = H.nodes[n]
            return (mean, _ROLE_ORDER.get(Role(data.get("role", "other")), 99), data.get("name", n), n)

        members = sorted(bands[d], key=key)
        columns = -(-len(members) // _ROWS)
        for i, n in enumerate(members):
            col, row = divmod(i, _ROWS)
            in_col = min(_ROWS, len(members) - col * _ROWS)
            rank[n] = i
            pos[n] = (x0 + col * _COL_W, row * _ROW_H - (in_col - 1) * _ROW_H // 2)
        x0 += (columns - 1) * _COL_W + _LAYER_GAP
    return pos


# ---------------------------------------------------------------------------------------
# Findings


def _finding_dicts(findings: Iterable[object]) -> list[Mapping[str, object]]:
    """Findings as their JSON contract dicts (Convergence records or dicts already)."""
    out = []
    for f in findings:
        out.append(f.as_dict() if hasattr(f, "as_dict") else f)  # type: ignore[union-attr]
    return out  # type: ignore[return-value]


def _routes(finding: Mapping[str, object]) -> set[str]:
    """Edge keys (``flow#index``) of both sides' routes up to the recipient."""
    keys = set()
    for side in (*finding.get("identifiable", ()), *finding.get("pseudonymised", ())):  # type: ignore[misc]
        if side.get("flow"):
            keys |= {f"{side['flow']}#{i}" for i in range(max(len(side.get("path") or ()) - 1, 1))}
    return keys


def _recipient_node(H: nx.MultiDiGraph, finding: Mapping[str, object]) -> str | None:
    rid = finding.get("recipient_id")
    if rid in H:
        return rid  # type: ignore[return-value]
    by_name = [n for n, d in H.nodes(data=True) if d.get("name") == finding.get("recipient")]
    return min(by_name) if by_name else None


# ---------------------------------------------------------------------------------------
# Nodes and edges


def _period_text(period: Mapping[str, object] | Period | None) -> str:
    if period is None:
        return "period unknown"
    start, end = (period.start, period.end) if isinstance(period, Period) else (period.get("start"), period.get("end"))
    return f"{start or '?'}..{end or '?'}"


def _node_title(H: nx.MultiDiGraph, n: str) -> str:
    org = H.nodes[n].get("organisation")
    lines = [str(H.nodes[n].get("name", n)), f"role: {H.nodes[n].get('role', 'other')}", f"id: {n}"]
    if org is not None:
        lines.append("reviewed: " + ("yes" if org.reviewed else "no (resolved from its words)"))
        if org.units:
            lines.append("units: " + ", ".join(org.units))
    received: dict[str, set[str]] = defaultdict(set)
    for _, _, d in H.in_edges(n, data=True):
        for fam in d["hop"].families or d["flow"].families:
            received[fam].add(d["hop"].identifiability.value)
    for fam in sorted(received):
        lines.append(f"receives {fam}: {', '.join(sorted(received[fam]))}")
    return "\n".join(lines)


def _edge_groups(H: nx.MultiDiGraph) -> list[tuple[tuple[str, str, str, bool], list[tuple[str, Flow, Hop]]]]:
    """Hops drawn as one edge: same ends, identifiability and landing-only."""
    groups: dict[tuple[str, str, str, bool], list[tuple[str, Flow, Hop]]] = defaultdict(list)
    for u, v, k, d in H.edges(keys=True, data=True):
        h: Hop = d["hop"]
        groups[(u, v, h.identifiability.value, h.landing_only)].append((k, d["flow"], h))
    return [(g, sorted(groups[g], key=lambda x: x[0])) for g in sorted(groups)]


def _edge_title(H: nx.MultiDiGraph, group: tuple[str, str, str, bool], hops: list[tuple[str, Flow, Hop]]) -> str:
    u, v, level, landing = group
    head = f"{H.nodes[u].get('name', u)} → {H.nodes[v].get('name', v)}"
    lines = [head, level + (" · landing only" if landing else ""), f"{len(hops)} hop{'s' if len(hops) != 1 else ''}:"]
    for _, f, h in hops[:_MAX_FLOWS_IN_TOOLTIP]:
        lines.append(
            f"• {f.reference} · {f.purpose} · {' '.join(h.families or f.families)} · "
            f"{_period_text(f.period)} · opt-outs {f.opt_outs.value}"
        )
        text = h.evidence.text if len(h.evidence.text) <= 300 else h.evidence.text[:299] + "…"
        lines.append(f"  {h.evidence.path}:{h.evidence.line}: {text}")
    if len(hops) > _MAX_FLOWS_IN_TOOLTIP:
        lines.append(f"… and {len(hops) - _MAX_FLOWS_IN_TOOLTIP} more")
    return "\n".join(lines)


def _network(H: nx.MultiDiGraph, pos: dict[str, tuple[int, int]], recipients: set[str], routes: set[str]) -> Network:
    """The vis-network records, built with pyvis in sorted order."""
    net = Network(directed=True)
    for n in sorted(H):
        data = H.nodes[n]
        role = Role(data.get("role", "other"))
        style = STYLES[role]
        big = n in recipients
        net.add_node(
            n,
            label=str(data.get("name", n)),
            shape=style.shape,
            color={"background": style.colour, "border": "#000000" if big else style.colour},
            borderWidth=4 if big else 1,
            size=26 if big else 18 if role is Role.SOURCE else 12,
            x=pos[n][0],
            y=pos[n][1],
            title=_node_title(H, n),
            role=role.value,
            finding=big,
            font={"size": 16 if big else 12, "bold": big},
        )
    pair_count: dict[tuple[str, str], int] = defaultdict(int)
    for i, (group, hops) in enumerate(_edge_groups(H)):
        u, v, level, landing = group
        pair = (min(u, v), max(u, v))
        k = pair_count[pair]
        pair_count[pair] += 1
        on_route = any(key in routes for key, _, _ in hops)
        colour = STYLES[Identifiability(level)].colour
        net.add_edge(
            u,
            v,
            id=f"e{i}",
            color={"color": colour, "highlight": colour, "hover": colour},
            width=FINDING_WIDTH if on_route else EDGE_WIDTH,
            dashes=landing,
            smooth={"enabled": True, "type": "curvedCW", "roundness": round(0.15 * k, 2)} if k else False,
            title=_edge_title(H, group, hops),
            identifiability=level,
            landing_only=landing,
            families=sorted({fam for _, f, h in hops for fam in (h.families or f.families)}),
            finding=on_route,
            hops=len(hops),
        )
    return net


# ---------------------------------------------------------------------------------------
# Markup


def json_for_script(value: object) -> str:
    """JSON that is safe inside a ``<script>`` element and in JavaScript source.

    >>> json_for_script({"name": "</script><b>&"})
    '{"name": "\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e\\\\u0026"}'
    """
    text = json.dumps(value, sort_keys=True, ensure_ascii=False)
    for raw, safe in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(raw, safe)
    return text


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


_SHAPES = {
    "dot": '<circle cx="9" cy="9" r="6"/>',
    "square": '<rect x="3" y="3" width="12" height="12"/>',
    "diamond": '<polygon points="9,1 17,9 9,17 1,9"/>',
    "triangle": '<polygon points="9,2 16,16 2,16"/>',
    "triangleDown": '<polygon points="2,2 16,2 9,16"/>',
    "hexagon": '<polygon points="5,2 13,2 17,9 13,16 5,16 1,9"/>',
    "star": '<polygon points="9,1 11,7 17,7 12,11 14,17 9,13 4,17 6,11 1,7 7,7"/>',
}


def _legend(roles: set[str], levels: set[str], landing: bool, findings: bool) -> str:
    items = []
    for key, style in STYLES.items():
        if isinstance(key, Role) and key.value in roles:
            shape = _SHAPES[style.shape].replace("/>", f' fill="{style.colour}"/>')
            items.append(
                f'<li data-role="{_e(key.value)}"><svg width="18" height="18">{shape}</svg> {_e(style.legend)}</li>'
            )
    for key, style in STYLES.items():
        if isinstance(key, Identifiability) and key.value in levels:
            items.append(
                f'<li data-identifiability="{_e(key.value)}"><svg width="28" height="18">'
                f'<line x1="1" y1="9" x2="27" y2="9" stroke="{style.colour}" stroke-width="3"/>'
                f"</svg> {_e(style.legend)}</li>"
            )
    if landing:
        items.append(
            '<li data-landing-only="true"><svg width="28" height="18"><line x1="1" y1="9" '
            'x2="27" y2="9" stroke="#555555" stroke-width="3" stroke-dasharray="5,4"/></svg> '
            f"{_e(LANDING_ONLY)}</li>"
        )
    if findings:
        items.append(
            '<li data-finding="true"><svg width="28" height="18"><line x1="1" y1="9" x2="27" '
            f'y2="9" stroke="#555555" stroke-width="{FINDING_WIDTH}"/></svg> route of a '
            "convergence finding (recipient outlined in black)</li>"
        )
    return '<ul id="dfg-legend">' + "".join(items) + "</ul>"


def _controls(H: nx.MultiDiGraph, families: list[str], levels: list[str]) -> str:
    names = sorted({str(d.get("name", n)) for n, d in H.nodes(data=True)})
    options = "".join(f'<option value="{_e(f)}">{_e(f)}</option>' for f in families)
    boxes = "".join(
        f'<label><input type="checkbox" class="dfg-level" value="{_e(level)}" checked> {_e(level)}</label> '
        for level in levels
    )
    datalist = "".join(f'<option value="{_e(n)}"></option>' for n in names)
    return (
        '<div id="dfg-controls">'
        '<label>Search <input id="dfg-search" type="search" list="dfg-names" autocomplete="off" '
        'placeholder="organisation name"></label> <span id="dfg-search-result"></span>'
        f'<datalist id="dfg-names">{datalist}</datalist><br>'
        f'<label>Family <select id="dfg-family"><option value="">all</option>{options}</select></label> '
        f'{boxes}· <span id="dfg-status"></span></div>'
    )


def _evidence_items(side: Mapping[str, object]) -> list[str]:
    items = []
    for ev in side.get("evidence") or ():  # type: ignore[attr-defined]
        if isinstance(ev, Mapping) and "text" in ev:
            items.append(
                f"<li><q>{_e(ev.get('text'))}</q> <cite>{_e(ev.get('source'))}:{_e(ev.get('line'))}</cite></li>"
            )
        elif isinstance(ev, Mapping):
            items.append("<li>" + _e("; ".join(f"{k}: {ev[k]}" for k in sorted(ev))) + "</li>")
        else:
            items.append(f"<li>{_e(ev)}</li>")
    return items


def _finding_html(H: nx.MultiDiGraph, f: Mapping[str, object]) -> str:
    node = _recipient_node(H, f)
    target = f' data-node="{_e(node)}"' if node else ""
    overlap = f.get("overlap")
    months = (
        f"{overlap['from']}..{overlap['to']} ({len(overlap['months'])} "  # type: ignore[index]
        f"month{'s' if len(overlap['months']) != 1 else ''})"
        if overlap
        else "no overlap"
    )  # type: ignore[index]
    opt = f.get("opt_outs") or {}
    opt_text = "; ".join(
        f"{side}: {', '.join(opt.get(side, ())) or 'unknown'}"  # type: ignore[union-attr]
        for side in ("identifiable", "pseudonymised")
    )
    if f.get("opt_out_divergence"):
        opt_text += " (honoured on one copy and not on the other)"
    entries, evidence = [], []
    for side in ("identifiable", "pseudonymised"):
        for s in f.get(side) or ():  # type: ignore[attr-defined]
            route = " → ".join(map(str, s.get("path") or ()))
            entries.append(
                f"<li><b>{_e(side)}</b>: {_e(s.get('reference') or s.get('agreement'))} "
                f"({_e(s.get('entry'))}) · {_e(s.get('purpose'))} · "
                f"{_e(_period_text(s.get('period')))} · opt-outs {_e(s.get('opt_outs'))}"
                f"<br><small>{_e(route)}</small></li>"
            )
            evidence += _evidence_items(s)
    return (
        f'<li class="dfg-finding"{target}><button type="button" class="dfg-goto"{target}>'
        f"{_e(f.get('recipient'))}</button> · {_e(f.get('family'))} · severity {_e(f.get('severity'))} "
        f"({_e(f.get('severity_label'))})<dl>"
        f"<dt>Months (overlap)</dt><dd>{_e(months)}</dd>"
        f"<dt>Opt-outs</dt><dd>{_e(opt_text)}</dd>"
        f"<dt>Entries</dt><dd><ul>{''.join(entries)}</ul></dd>"
        f"<dt>Evidence</dt><dd><ul>{''.join(evidence)}</ul></dd></dl></li>"
    )


def _panel(H: nx.MultiDiGraph, findings: list[Mapping[str, object]]) -> str:
    if not findings:
        body = "<p>No convergence findings in this view.</p>"
    else:
        body = "<ol>" + "".join(_finding_html(H, f) for f in findings) + "</ol>"
    return (
        f'<section id="dfg-findings"><h2>Convergence findings ({len(findings)})</h2>{body}</section>'
        '<section><h2>Selected</h2><pre id="dfg-details">Click an organisation or an edge.</pre>'
        "</section>"
    )


# ---------------------------------------------------------------------------------------
# Page


@cache
def _vis_js() -> str:
    text = resources.files(__package__).joinpath("assets/vis-network.min.js").read_text(encoding="utf-8")
    if re.search(r"</script|<!--", text, re.IGNORECASE):  # pragma: no cover - a changed asset
        raise RuntimeError("vendored vis-network.min.js cannot be inlined in a <script> element")
    return text


_CSS = """
html,body{margin:0;height:100%;font:14px/1.4 system-ui,sans-serif;color:#222}
#dfg-page{display:flex;height:100vh}
#dfg-main{flex:1;display:flex;flex-direction:column;min-width:0}
#dfg-network{flex:1;border-top:1px solid #ccc;min-height:400px}
#dfg-side{width:420px;overflow:auto;border-left:1px solid #ccc;padding:0 12px}
#dfg-controls,#dfg-legend{padding:4px 8px}
h1{font-size:18px;margin:8px}h2{font-size:15px;margin:12px 0 6px}
#dfg-legend{list-style:none;margin:0;display:flex;flex-wrap:wrap;gap:4px 14px}
#dfg-legend li{display:flex;align-items:center;gap:4px}
.dfg-finding{margin-bottom:10px}.dfg-finding dl{margin:4px 0}.dfg-finding dt{font-weight:bold}
.dfg-finding dd{margin-left:12px}.dfg-goto{font-weight:bold;cursor:pointer}
q{font-style:italic}cite{color:#555;font-size:12px}
#dfg-details{white-space:pre-wrap;font-size:12px}
div.vis-tooltip{position:absolute;visibility:hidden;padding:5px;white-space:pre-wrap;max-width:520px;
font:12px system-ui,sans-serif;color:#000;background:#fffbe6;border:1px solid #808074;border-radius:3px;
box-shadow:3px 3px 10px rgba(0,0,0,.2);pointer-events:none;z-index:5}
"""

_APP_JS = """
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("dfg-data").textContent);
  var nodes = new vis.DataSet(data.nodes);
  var edges = new vis.DataSet(data.edges);
  var container = document.getElementById("dfg-network");
  var network = new vis.Network(container, {nodes: nodes, edges: edges}, data.options);
  window.dfg = {network: network, nodes: nodes, edges: edges, data: data, drawn: false};
  network.once("afterDrawing", function () { window.dfg.drawn = true; network.fit({animation: false}); });
  var byId = {};
  data.nodes.forEach(function (n) { byId[n.id] = n; });
  var edgeById = {};
  data.edges.forEach(function (e) { edgeById[e.id] = e; });
  var details = document.getElementById("dfg-details");
  var status = document.getElementById("dfg-status");
  function show(text) { details.textContent = text; }
  network.on("click", function (p) {
    if (p.nodes.length) { show(byId[p.nodes[0]].title); }
    else if (p.edges.length) { show(edgeById[p.edges[0]].title); }
  });
  function goTo(id) {
    if (!byId[id]) { return; }
    network.selectNodes([id]);
    network.focus(id, {scale: 1.2, animation: false});
    show(byId[id].title);
  }
  Array.prototype.forEach.call(document.querySelectorAll(".dfg-goto"), function (b) {
    b.addEventListener("click", function () { goTo(b.getAttribute("data-node")); });
  });
  var family = document.getElementById("dfg-family");
  var levels = Array.prototype.slice.call(document.querySelectorAll(".dfg-level"));
  function applyFilters() {
    var fam = family.value, wanted = {}, all = fam === "", shown = {}, edgeUpdates = [], nodeUpdates = [];
    levels.forEach(function (cb) { wanted[cb.value] = cb.checked; if (!cb.checked) { all = false; } });
    var visibleEdges = 0;
    data.edges.forEach(function (e) {
      var ok = (fam === "" || e.families.indexOf(fam) >= 0) && wanted[e.identifiability] !== false;
      if (ok) { shown[e.from] = true; shown[e.to] = true; visibleEdges += 1; }
      edgeUpdates.push({id: e.id, hidden: !ok});
    });
    var visibleNodes = 0;
    data.nodes.forEach(function (n) {
      var ok = all || shown[n.id] === true;
      if (ok) { visibleNodes += 1; }
      nodeUpdates.push({id: n.id, hidden: !ok});
    });
    edges.update(edgeUpdates);
    nodes.update(nodeUpdates);
    window.dfg.visible = {nodes: visibleNodes, edges: visibleEdges};
    status.textContent = visibleNodes + " organisations, " + visibleEdges + " edges shown";
  }
  family.addEventListener("change", applyFilters);
  levels.forEach(function (cb) { cb.addEventListener("change", applyFilters); });
  var search = document.getElementById("dfg-search");
  var result = document.getElementById("dfg-search-result");
  function find() {
    var q = search.value.trim().toLowerCase();
    if (!q) { network.unselectAll(); result.textContent = ""; return; }
    var hits = data.nodes.filter(function (n) { return n.label.toLowerCase().indexOf(q) >= 0; })
      .map(function (n) { return n.id; });
    network.selectNodes(hits);
    if (hits.length === 1) { goTo(hits[0]); }
    else if (hits.length) { network.fit({nodes: hits, animation: false}); }
    result.textContent = hits.length + (hits.length === 1 ? " match" : " matches");
  }
  search.addEventListener("input", find);
  applyFilters();
})();
"""

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="@@CSP@@">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="dataflow-graph">
<title>@@TITLE@@</title>
<style>@@CSS@@</style>
</head>
<body>
<div id="dfg-page">
<div id="dfg-main">
<h1>@@TITLE@@</h1>
@@CONTROLS@@
@@LEGEND@@
<div id="dfg-network"></div>
</div>
<aside id="dfg-side">@@PANEL@@</aside>
</div>
<script type="application/json" id="dfg-data">@@DATA@@</script>
<script>@@VIS@@</script>
<script>@@APP@@</script>
</body>
</html>
"""

_OPTIONS = {
    "physics": {"enabled": False},
    "layout": {"improvedLayout": False, "randomSeed": 0},
    "interaction": {
        "hover": True,
        "tooltipDelay": 150,
        "hideEdgesOnDrag": True,
        "hideEdgesOnZoom": True,
        "navigationButtons": False,
        "keyboard": False,
    },
    "edges": {"arrows": {"to": {"enabled": True, "scaleFactor": 0.5}}, "smooth": False, "selectionWidth": 2},
    "nodes": {"font": {"face": "system-ui, sans-serif"}},
}


def _sha256(script: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode() + "'"


def render_html(
    G: nx.MultiDiGraph,
    *,
    findings: Iterable[object] = (),
    focus: str | None = None,
    family: str | None = None,
    identifiability: Identifiability | str | None = None,
    during: Period | None = None,
    depth: int | None = None,
    title: str = "Data flows of the NHS Digital Data Release Register",
) -> str:
    """One self-contained HTML page of the flow graph, the same bytes for the same input.

    Nodes are coloured and shaped by role, edges coloured by identifiability (dashed when
    landing-only), and convergence findings stand out: the recipient outlined, both routes
    thick, each finding listed in a side panel with its entries, months, opt-outs and
    evidence.  The page has a search box and family / identifiability filters, fetches
    nothing from the network, and escapes every piece of register text.

    Parameters
    ----------
    G : nx.MultiDiGraph
        The flow graph of :func:`dataflow_graph.graph.build_graph`.
    findings : iterable of Convergence or dict
        Convergence findings to highlight (records of :func:`~dataflow_graph.queries.convergences`
        or their ``as_dict()`` form); those whose recipient is not shown are left out.
    focus, depth, family, identifiability, during
        What to show; see :func:`select_graph`.
    title : str
        Page title (escaped).

    Returns
    -------
    str
        The page.

    Raises
    ------
    UnknownOrganisationError
        If ``focus`` is not a node of ``G``.
    """
    H = select_graph(G, focus=focus, family=family, identifiability=identifiability, during=during, depth=depth)
    shown = [f for f in _finding_dicts(findings) if _recipient_node(H, f) is not None]
    recipients = {_recipient_node(H, f) for f in shown} - {None}
    routes = set().union(*(_routes(f) for f in shown)) if shown else set()
    net = _network(H, layout(H), recipients, routes)  # type: ignore[arg-type]
    levels = sorted({e["identifiability"] for e in net.edges}, key=lambda v: -Identifiability(v).rank)
    families = sorted({fam for e in net.edges for fam in e["families"]})
    data = json_for_script({"nodes": net.nodes, "edges": net.edges, "options": _OPTIONS})
    vis_js = _vis_js()
    csp = (
        f"default-src 'none'; script-src {_sha256(vis_js)} {_sha256(_APP_JS)}; "
        "style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"
    )
    parts = {
        "CSP": csp,
        "TITLE": _e(title),
        "CSS": _CSS,
        "DATA": data,
        "VIS": vis_js,
        "APP": _APP_JS,
        "CONTROLS": _controls(H, families, levels),
        "LEGEND": _legend(
            {e["role"] for e in net.nodes}, set(levels), any(e["landing_only"] for e in net.edges), bool(routes)
        ),
        "PANEL": _panel(H, shown),
    }
    return re.sub(r"@@([A-Z]+)@@", lambda m: parts[m.group(1)], _PAGE)
