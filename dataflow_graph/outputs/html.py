"""The flow graph as one interactive HTML file: readable, offline, escaped, the same bytes every run.

pyvis builds the vis-network node and edge records; this module places them
(:mod:`~dataflow_graph.outputs.layout`, which sizes the layout so that the first view fits
and every name is at least 12 px on screen), styles them from the one style table
(:mod:`~dataflow_graph.outputs.styles`, which also draws the legend), lists the findings
beside them with their timelines (:mod:`~dataflow_graph.outputs.panel`), and writes them
into its own page template instead of pyvis's, because pyvis's templates fetch bootstrap and
tom-select from CDNs even in its "local" and "in_line" modes and add random ids.
vis-network itself is inlined from ``assets/`` (vendored with its licence), and so are the
page's own template, stylesheet and script (``page.html``, ``style.css``, ``app.js``).

Register text is untrusted (DESIGN.md, invariant 4):

- everything written as markup (title, legend, findings panel, timelines, search list)
  goes through :func:`html.escape`;
- node and edge data travel as JSON inside ``<script type="application/json">`` with
  ``<``, ``>``, ``&``, U+2028 and U+2029 escaped (:func:`json_for_script`), are read with
  ``JSON.parse`` and shown with ``textContent`` / vis-network's ``innerText`` tooltips, and
  canvas labels are drawn as text;
- a Content-Security-Policy allows only the page's own two scripts (by hash), no network at
  all, so a missed escape could neither run a handler nor fetch anything.

Paths are shown by base name only (:func:`~dataflow_graph.outputs.panel.source_name`).

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
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from functools import cache
from importlib import resources

import networkx as nx
from pyvis.network import Network

from ..model import Flow, Hop, Identifiability, Period, Role
from .controls import header
from .layout import (
    FOCUS_DEPTH,
    FOCUS_FONT,
    FONT,
    LABEL_PX,
    LINE_WIDTHS,
    MARGIN,
    MAX_ZOOM,
    PAD,
    VIEWPORTS,
    Box,
    Placed,
    box,
    first_view,
    layout,
    select_graph,
)
from .panel import Finding, ordered, panel, period_text, recipient_node, route_keys, source_name
from .styles import EDGE_WIDTH, FINDING_WIDTH, LANDING_ONLY, LANDING_ONLY_DASHES, STYLES, Style, tint
from .styles import escaped as _e

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

_MAX_FLOWS_IN_TOOLTIP = 12
_FACE = 'Arial, "Liberation Sans", Helvetica, sans-serif'
DEFAULT_TITLE = "Data flows of the NHS Digital Data Release Register"


# ---------------------------------------------------------------------------------------
# Nodes and edges


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
            f"{period_text(f.period)} · opt-outs {f.opt_outs.value}"
        )
        text = h.evidence.text if len(h.evidence.text) <= 300 else h.evidence.text[:299] + "…"
        lines.append(f"  {source_name(h.evidence.path)}:{h.evidence.line}: {text}")
    if len(hops) > _MAX_FLOWS_IN_TOOLTIP:
        lines.append(f"… and {len(hops) - _MAX_FLOWS_IN_TOOLTIP} more")
    return "\n".join(lines)


def _windows(hops: list[tuple[str, Flow, Hop]]) -> list[list[str]]:
    """The distinct release windows of an edge's hops, known and in order (for the months filter)."""
    found = {
        (f.period.start, f.period.end)
        for _, f, _ in hops
        if f.period and f.period.start and f.period.end and not f.period.reversed
    }
    return [[a, b] for a, b in sorted(found) if a is not None and b is not None]


def _label(b: Box) -> str:
    """A box's lines; the focus's each in <b> (vis-network's html mode: register text escaped for it)."""
    if not b.bold:
        return "\n".join(b.lines)
    return "\n".join(f"<b>{line.replace('&', '&amp;').replace('<', '&lt;')}</b>" for line in b.lines)


def _place(placed: Placed, n: str) -> list[object]:
    """Where and how one node is drawn in one layout: x, y, label, inner width and height."""
    b = placed.boxes[n]
    x, y = placed.positions[n]
    return [x, y, _label(b), b.width - 2 * PAD, b.height - 2 * PAD]


def _node(H: nx.MultiDiGraph, n: str, firsts: list[Placed], whole: Placed | None, emphasis: str) -> dict[str, object]:
    """One vis-network node: a box tinted by role, its border saying focus / recipient, and
    its place in each layout of the first view (and in the whole view, when that differs)."""
    data = H.nodes[n]
    role = Role(data.get("role", "other"))
    style = STYLES[role]
    border = "#000000" if emphasis else style.colour
    width = {"focus": 5, "recipient": 3}.get(emphasis, 1.5)
    colour = {"background": tint(style.colour), "border": border}
    first = n in firsts[0].positions
    b = (firsts[0] if first or whole is None else whole).boxes[n]
    x, y, label, inner_w, inner_h = _place(firsts[0] if first or whole is None else whole, n)
    return {
        "label": label,
        "name": str(data.get("name", n)),
        "shape": style.shape,
        "color": {**colour, "highlight": {"background": "#ffffff", "border": border}, "hover": colour},
        "borderWidth": width,
        "borderWidthSelected": width + 1,
        "font": {"size": b.size, "face": _FACE, "color": "#111111", **({"multi": "html"} if b.bold else {})},
        "widthConstraint": {"minimum": inner_w},
        "heightConstraint": {"minimum": inner_h, "valign": "middle"},
        "shadow": emphasis == "focus",
        "x": x,
        "y": y,
        "views": {
            "first": [_place(p, n) for p in firsts] if first else None,
            "all": _place(whole, n) if whole is not None else None,
        },
        "first": first,
        "hidden": not first,
        "title": _node_title(H, n),
        "role": role.value,
        "focus": emphasis == "focus",
    }


def _network(
    H: nx.MultiDiGraph, candidates: list[dict[str, Box]], shown: Sequence[Finding], routes: set[str], focus: str | None
) -> tuple[Network, set[str], list[Placed]]:
    """The vis-network records, built with pyvis in sorted order; the first view's nodes and
    its layouts (one per screen of :data:`~dataflow_graph.outputs.layout.VIEWPORTS`)."""
    recipients = {node for node in (recipient_node(H, f) for f in shown) if node is not None}
    first = first_view(H, _priority(H, focus, shown))
    firsts = [layout(H, candidates, nodes=first, viewport=vp) for vp in VIEWPORTS]
    whole = None if first == set(H) else layout(H, candidates)
    net = Network(directed=True)
    for n in sorted(H):
        emphasis = "focus" if n == focus else "recipient" if n in recipients else ""
        record = _node(H, n, firsts, whole, emphasis)
        record["finding"] = n in recipients
        net.add_node(n, **record)
    pair_count: dict[tuple[str, str], int] = defaultdict(int)
    for i, (group, hops) in enumerate(_edge_groups(H)):
        u, v, level, landing = group
        pair = (min(u, v), max(u, v))
        k = pair_count[pair]
        pair_count[pair] += 1
        bands = firsts[0].bands if (u in first and v in first) or whole is None else whole.bands
        bend = 0.15 * k + (0.3 if bands.get(u) == bands.get(v) and u != v else 0)  # beside, not behind, a band's boxes
        on_route = any(key in routes for key, _, _ in hops)
        style = STYLES[Identifiability(level)]
        dashes = LANDING_ONLY_DASHES if landing else style.dashes
        net.add_edge(
            u,
            v,
            id=f"e{i}",
            color={
                "color": style.colour,
                "highlight": style.colour,
                "hover": style.colour,
                "opacity": 1 if on_route else 0.8,
            },
            width=FINDING_WIDTH if on_route else EDGE_WIDTH,
            dashes=list(dashes) if dashes else False,
            smooth={"enabled": True, "type": "curvedCW", "roundness": round(bend, 2)} if bend else False,
            title=_edge_title(H, group, hops),
            identifiability=level,
            landing_only=landing,
            families=sorted({fam for _, f, h in hops for fam in (h.families or f.families)}),
            windows=_windows(hops),
            finding=on_route,
            hops=len(hops),
            hidden=u not in first or v not in first,
        )
    return net, first, firsts


def _priority(H: nx.MultiDiGraph, focus: str | None, shown: Sequence[Finding]) -> list[list[str]]:
    """What a large view opens on, most wanted first: the focus, then its neighbours one
    step away, two steps…; then each finding (in the panel's order) with its recipient and
    the organisations its copies' routes pass through."""
    groups: list[list[str]] = []
    if focus is not None:
        seen, ring = {focus}, {focus}
        groups.append([focus])
        for _ in range(FOCUS_DEPTH):
            ring = {v for u in ring for v in (*H.predecessors(u), *H.successors(u))} - seen
            seen |= ring
            groups.append(sorted(ring))
    for f in shown:
        node = recipient_node(H, f)
        route = {n for s in (*f.identifiable, *f.pseudonymised) for n in getattr(s, "route", ()) if n in H}
        groups.append(sorted(route | ({node} if node else set())))
    return groups


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
    "edges": {"arrows": {"to": {"enabled": True, "scaleFactor": 0.6}}, "smooth": False, "selectionWidth": 2},
    "nodes": {"shape": "box", "margin": PAD, "font": {"face": _FACE, "size": FONT}},
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
    title: str = DEFAULT_TITLE,
) -> str:
    """One self-contained HTML page of the flow graph, the same bytes for the same input.

    Organisations are boxes tinted by role; copies are edges coloured *and* dashed by
    identifiability (one style table with the SVG pictures), landing-only hops in their
    own sparse dots.  The first view fits the window with every name at least 12 px high;
    a view of more than 60 organisations opens on the focus and the findings'
    organisations, the rest one click away.  The focus has the thickest border and a bold
    name; findings' recipients a black border and their routes thick lines.  The side
    panel lists every finding (the focus's first, those outside the view noted) with its
    timeline, claims with evidence, and copies.  The page has search, family,
    identifiability and month filters pre-set to the command line's, fetches nothing from
    the network, and escapes every piece of register text.

    Parameters
    ----------
    G : nx.MultiDiGraph
        The flow graph of :func:`dataflow_graph.graph.build_graph`.
    findings : iterable of Convergence or FileFinding
        Findings to list and highlight (of :func:`~dataflow_graph.graph.convergences` and
        :func:`~dataflow_graph.graph.file_findings`).
    focus, depth, family, identifiability, during
        What to show; see :func:`select_graph` (``depth`` defaults to 2 with a focus).
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
    level = Identifiability(identifiability) if identifiability else None
    H = select_graph(G, focus=focus, family=family, identifiability=level, during=during, depth=depth)
    placed = ordered(H, list(findings), focus)
    shown = [f for f, place in placed if place != "outside"]
    routes: set[str] = set().union(*(route_keys(f) for f in shown)) if shown else set()
    candidates = [
        {
            n: box(str(H.nodes[n].get("name", n)), size=FOCUS_FONT if n == focus else FONT, bold=n == focus, width=w)
            for n in H
        }
        for w in LINE_WIDTHS
    ]
    net, first, firsts = _network(H, candidates, shown, routes, focus)
    view = {
        "focus": focus,
        "margin": MARGIN,
        "maxZoom": MAX_ZOOM,
        "labelPx": LABEL_PX,
        "partial": len(first) < len(H),
        "layouts": [[p.width, p.height] for p in firsts],
    }
    controls, keys = header(
        H,
        net.nodes,
        net.edges,
        family=family,
        identifiability=level,
        during=during,
        focus=focus,
        depth=FOCUS_DEPTH if depth is None else depth,
        first=len(first),
        findings=bool(routes),
    )
    parts = {
        "TITLE": _e(title),
        "DATA": json_for_script({"nodes": net.nodes, "edges": net.edges, "options": _OPTIONS, "view": view}),
        "CONTROLS": controls,
        "LEGEND": keys,
        "PANEL": panel(H, [f for f, _ in placed], G=G, focus=focus),
    }
    return _page(parts)


def _page(parts: dict[str, str]) -> str:
    """The template filled in: the parts given, the stylesheet, both scripts and their CSP hashes."""
    vis_js = _vis_js()
    page, css, app_js = _page_parts()
    csp = (
        f"default-src 'none'; script-src {_sha256(vis_js)} {_sha256(app_js)}; "
        "style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"
    )
    everything = {**parts, "CSP": csp, "CSS": css, "VIS": vis_js, "APP": app_js}
    return re.sub(r"@@([A-Z]+)@@", lambda m: everything[m.group(1)], page)
