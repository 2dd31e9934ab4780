"""The flow graph as one interactive HTML file: offline, escaped, the same bytes every run.

pyvis builds the vis-network node and edge records; this module lays them out, styles them
from one table (:data:`STYLES`, which also draws the legend), and writes them into its own
page template instead of pyvis's, because pyvis's templates fetch bootstrap and tom-select
from CDNs even in its "local" and "in_line" modes and add random ids.  vis-network itself
is inlined from ``assets/`` (vendored with its licence), and so are the page's own template,
stylesheet and script (``page.html``, ``style.css``, ``app.js``).

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
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources

import networkx as nx
from pyvis.network import Network

from ..errors import UnknownOrganisationError
from ..graph import Convergence, FileFinding, FileSide, Side, in_window
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
#: A finding the page can highlight: from the flows, or from the released files.
Finding = Convergence | FileFinding
#: Legend text of dashed edges (every hop they stand for is landing-only).
LANDING_ONLY = "landing only (dashed)"
#: Width of an edge on a convergence route, and of every other edge.
FINDING_WIDTH, EDGE_WIDTH = 5, 1.5
_ROWS, _ROW_H, _COL_W, _LAYER_GAP = 40, 90, 280, 420
_MAX_FLOWS_IN_TOOLTIP = 12
_ROLE_ORDER = {r: i for i, r in enumerate(Role)}


# ---------------------------------------------------------------------------------------
# Selection


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
        and in_window(f.period, during)
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


def _routes(finding: Finding) -> set[str]:
    """Edge keys (``flow#index``) of both sides' routes up to the recipient (flow findings only)."""
    keys: set[str] = set()
    if isinstance(finding, Convergence):
        for side in (*finding.identifiable, *finding.pseudonymised):
            keys |= {f"{side.flow.id}#{i}" for i in range(max(len(side.path) - 1, 1))}
    return keys


def _recipient_node(H: nx.MultiDiGraph, finding: Finding) -> str | None:
    if isinstance(finding, Convergence) and finding.recipient_id in H:
        return finding.recipient_id
    by_name = [n for n, d in H.nodes(data=True) if d.get("name") == finding.recipient]
    return min(by_name) if by_name else None


# ---------------------------------------------------------------------------------------
# Nodes and edges


def _period_text(period: Period | None) -> str:
    if period is None:
        return "period unknown"
    return f"{period.start or '?'}..{period.end or '?'}"


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


def _side_html(label: str, side: Side | FileSide) -> tuple[str, list[str]]:
    """One side's entry line, and its evidence items (the sentence, or the file rows)."""
    if isinstance(side, Side):
        f, ev = side.flow, side.hop.evidence
        facts: tuple[object, ...] = (f.reference or f.agreement, f.entry, f.purpose, _period_text(f.period))
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
    node = _recipient_node(H, f)
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


def _panel(H: nx.MultiDiGraph, findings: list[Finding]) -> str:
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


def _asset(name: str) -> str:
    """A file of ``assets/``, inlined byte for byte (the page's CSP hashes the scripts as they are)."""
    return resources.files(__package__).joinpath(f"assets/{name}").read_text(encoding="utf-8")


@cache
def _vis_js() -> str:
    text = _asset("vis-network.min.js")
    if re.search(r"</script|<!--", text, re.IGNORECASE):  # pragma: no cover - a changed asset
        raise RuntimeError("vendored vis-network.min.js cannot be inlined in a <script> element")
    return text


@cache
def _page_parts() -> tuple[str, str, str]:
    """The page template, its stylesheet and its script."""
    return _asset("page.html"), _asset("style.css"), _asset("app.js")


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
    findings: Iterable[Finding] = (),
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
    findings : iterable of Convergence or FileFinding
        Findings to highlight (of :func:`~dataflow_graph.graph.convergences` and
        :func:`~dataflow_graph.graph.file_findings`); those whose recipient is not shown
        are left out.
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
    shown = [f for f in findings if _recipient_node(H, f) is not None]
    recipients = {node for node in (_recipient_node(H, f) for f in shown) if node is not None}
    routes: set[str] = set().union(*(_routes(f) for f in shown)) if shown else set()
    net = _network(H, layout(H), recipients, routes)
    levels = sorted({e["identifiability"] for e in net.edges}, key=lambda v: -Identifiability(v).rank)
    families = sorted({fam for e in net.edges for fam in e["families"]})
    data = json_for_script({"nodes": net.nodes, "edges": net.edges, "options": _OPTIONS})
    vis_js = _vis_js()
    page, css, app_js = _page_parts()
    csp = (
        f"default-src 'none'; script-src {_sha256(vis_js)} {_sha256(app_js)}; "
        "style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"
    )
    parts = {
        "CSP": csp,
        "TITLE": _e(title),
        "CSS": css,
        "DATA": data,
        "VIS": vis_js,
        "APP": app_js,
        "CONTROLS": _controls(H, families, levels),
        "LEGEND": _legend(
            {e["role"] for e in net.nodes}, set(levels), any(e["landing_only"] for e in net.edges), bool(routes)
        ),
        "PANEL": _panel(H, shown),
    }
    return re.sub(r"@@([A-Z]+)@@", lambda m: parts[m.group(1)], page)
