"""The one style table of every picture: organisations by role, copies by identifiability.

A copy (an edge of the graph, a bar of a timeline, an arrow of a route) is drawn in the
colour of its identifiability (Okabe and Ito's palette, safe for colour-blind readers) and,
as a second channel that also reads in greyscale, with the line style and fill of
:data:`COPY_STYLES`.  Organisations are boxes tinted and outlined by role
(:data:`STYLES`).  The HTML graph (:mod:`~dataflow_graph.outputs.html`), its legend, and
the SVG pictures (:mod:`~dataflow_graph.outputs.svg`) all read these two tables
(kglab's style-by-prefix idea), so a copy looks the same wherever it is drawn.

>>> STYLES[Identifiability.PSEUDONYMISED].colour == COPY_STYLES[Identifiability.PSEUDONYMISED].colour
True
>>> STYLES[Identifiability.PSEUDONYMISED].dashes
(7, 4)
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass

from ..model import Identifiability, Role

__all__ = [
    "COPY_STYLES",
    "EDGE_WIDTH",
    "FINDING_WIDTH",
    "LANDING_ONLY",
    "LANDING_ONLY_DASHES",
    "STYLES",
    "CopyStyle",
    "Style",
    "escaped",
    "legend",
    "tint",
]


@dataclass(frozen=True, slots=True)
class CopyStyle:
    """How a copy of one identifiability is drawn: colour, line dashes, fill pattern, words."""

    colour: str
    dashes: str  # SVG stroke-dasharray ("" = solid)
    pattern: str  # fill: "solid", "hatch", "dots" or "cross"
    words: str


#: One table for every copy (Okabe-Ito colours; a line style and a fill for greyscale).
COPY_STYLES: dict[Identifiability, CopyStyle] = {
    Identifiability.IDENTIFIABLE: CopyStyle("#D55E00", "", "solid", "identifiable (solid)"),
    Identifiability.PSEUDONYMISED: CopyStyle("#0072B2", "7 4", "hatch", "pseudonymised (dashed, hatched)"),
    Identifiability.ANONYMISED: CopyStyle("#009E73", "2 3", "dots", "anonymised (dotted)"),
    Identifiability.AGGREGATE: CopyStyle("#6E6E6E", "9 3 2 3", "cross", "aggregate (dash-dot)"),
}


@dataclass(frozen=True, slots=True)
class Style:
    """How one role (a node) or identifiability (an edge) is drawn, and its legend text."""

    colour: str
    legend: str
    shape: str = "box"
    #: an edge's dash pattern in pixels, dash and gap alternating (empty: a solid line)
    dashes: tuple[int, ...] = ()


def _dashes(svg: str) -> tuple[int, ...]:
    return tuple(int(x) for x in svg.split())


#: Node colour and shape by role; edge colour and line style by identifiability (from COPY_STYLES).
STYLES: dict[Role | Identifiability, Style] = {
    Role.SOURCE: Style("#1f3a93", "source (NHS Digital)"),
    Role.DSCRO: Style("#4a78c2", "DSCRO (part of NHS Digital)"),
    Role.CSU: Style("#2ca02c", "commissioning support unit"),
    Role.PROCESSOR: Style("#b8a000", "processor"),
    Role.CONTROLLER: Style("#9467bd", "controller (CCG, ICB, trust…)"),
    Role.PROVIDER: Style("#17becf", "care provider"),
    Role.DIRECT_CARE: Style("#e377c2", "direct care (re-identifies)"),
    Role.KEY_HOLDER: Style("#8c564b", "key holder"),
    Role.OTHER: Style("#7f7f7f", "other"),
    **{level: Style(c.colour, c.words, "", _dashes(c.dashes)) for level, c in COPY_STYLES.items()},
}
#: Legend text of a landing-only edge, and its own dash (sparse dots, in the copy's colour).
LANDING_ONLY = "landing only (sparse dots)"
LANDING_ONLY_DASHES: tuple[int, ...] = (2, 9)
#: Width of an edge on a convergence route, and of every other edge.
FINDING_WIDTH, EDGE_WIDTH = 4, 1.5


def escaped(value: object) -> str:
    """Any value as text safe in markup and in a quoted attribute."""
    return html.escape(str(value), quote=True)


def tint(colour: str, amount: float = 0.82) -> str:
    """``colour`` mixed with white (``amount`` of white): the fill of a node of that role.

    >>> tint("#000000", 0.5)
    '#808080'
    """
    rgb = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(c + (255 - c) * amount):02x}" for c in rgb)


def _swatch_line(colour: str, dashes: tuple[int, ...], width: float = 3) -> str:
    dash = f' stroke-dasharray="{" ".join(map(str, dashes))}"' if dashes else ""
    return (
        f'<svg width="34" height="14" aria-hidden="true"><line x1="1" y1="7" x2="33" y2="7" stroke="{colour}" '
        f'stroke-width="{width}"{dash}/></svg>'
    )


def _swatch_box(style: Style, *, border: str | None = None, width: float = 1.5) -> str:
    fill, stroke = tint(style.colour), border or style.colour
    if style.shape == "database":
        body = (
            f'<path d="M2,4 v8 a7,3 0 0 0 14,0 v-8" fill="{fill}" stroke="{stroke}" stroke-width="{width}"/>'
            f'<ellipse cx="9" cy="4" rx="7" ry="3" fill="{fill}" stroke="{stroke}" stroke-width="{width}"/>'
        )
    else:
        body = (
            f'<rect x="1.5" y="2.5" width="17" height="11" rx="3" fill="{fill}" stroke="{stroke}" '
            f'stroke-width="{width}"/>'
        )
    return f'<svg width="20" height="17" aria-hidden="true">{body}</svg>'


def legend(
    roles: set[str],
    levels: set[str],
    *,
    landing: bool,
    findings: bool,
    focus: bool,
    toggle: Callable[[Identifiability], str] | None = None,
) -> str:
    """The legend of the page: only what the view draws, each item in both channels.

    ``toggle`` gives the markup put before each identifiability's swatch (the page's
    show/hide checkbox for those copies), so the legend is also the filter.
    """
    items = []
    for key, style in STYLES.items():
        if isinstance(key, Role) and key.value in roles:
            items.append(f'<li data-role="{escaped(key.value)}">{_swatch_box(style)} {escaped(style.legend)}</li>')
    for key, style in STYLES.items():
        if isinstance(key, Identifiability) and key.value in levels:
            label = f"{_swatch_line(style.colour, style.dashes)} {escaped(style.legend)}"
            if toggle is not None:
                label = f"<label>{toggle(key)}{label}</label>"
            items.append(f'<li data-identifiability="{escaped(key.value)}">{label}</li>')
    if landing:
        items.append(
            f'<li data-landing-only="true">{_swatch_line("#555555", LANDING_ONLY_DASHES)} {escaped(LANDING_ONLY)}</li>'
        )
    if findings:
        items.append(
            f'<li data-finding="true">{_swatch_line("#555555", (), FINDING_WIDTH)} route of a finding; '
            f"{_swatch_box(STYLES[Role.OTHER], border='#000000', width=3)} its recipient (black border)</li>"
        )
    if focus:
        items.append(
            f'<li data-focus="true">{_swatch_box(STYLES[Role.OTHER], border="#000000", width=4.5)} '
            "the focus (thickest border, bold name)</li>"
        )
    return '<ul id="dfg-legend">' + "".join(items) + "</ul>"
