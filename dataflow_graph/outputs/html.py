"""The flow graph as one interactive HTML file: offline, escaped, the same bytes every run.

pyvis builds the vis-network node and edge records; this module places them
(:mod:`~dataflow_graph.outputs.layout`), styles them from one table (:data:`STYLES` of
:mod:`~dataflow_graph.outputs.styles`, which also draws the legend), lists the findings beside
them (:mod:`~dataflow_graph.outputs.panel`), and writes them into its own page template
instead of pyvis's, because pyvis's templates fetch bootstrap and tom-select from CDNs even in
its "local" and "in_line" modes and add random ids.  vis-network itself
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
import json
import re
from collections import defaultdict
from collections.abc import Iterable
from functools import cache
from importlib import resources

import networkx as nx
from pyvis.network import Network

from ..model import Flow, Hop, Identifiability, Period, Role
from .layout import layout, select_graph
from .panel import Finding, panel, period_text, recipient_node, route_keys
from .styles import EDGE_WIDTH, FINDING_WIDTH, LANDING_ONLY, STYLES, Style, legend
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
    shown = [f for f in findings if recipient_node(H, f) is not None]
    recipients = {node for node in (recipient_node(H, f) for f in shown) if node is not None}
    routes: set[str] = set().union(*(route_keys(f) for f in shown)) if shown else set()
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
        "LEGEND": legend(
            {e["role"] for e in net.nodes}, set(levels), any(e["landing_only"] for e in net.edges), bool(routes)
        ),
        "PANEL": panel(H, shown),
    }
    return re.sub(r"@@([A-Z]+)@@", lambda m: parts[m.group(1)], page)
