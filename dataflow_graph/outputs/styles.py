"""The one style table of the HTML page: node colour and shape by role, edge colour by
identifiability; it also draws the legend (kglab's style-by-prefix idea)."""

from __future__ import annotations

import html
from dataclasses import dataclass

from ..model import Identifiability, Role

__all__ = ["EDGE_WIDTH", "FINDING_WIDTH", "LANDING_ONLY", "STYLES", "Style", "escaped", "legend"]


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


def escaped(value: object) -> str:
    """Any value as text safe in markup and in a quoted attribute."""
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


def legend(roles: set[str], levels: set[str], landing: bool, findings: bool) -> str:
    items = []
    for key, style in STYLES.items():
        if isinstance(key, Role) and key.value in roles:
            shape = _SHAPES[style.shape].replace("/>", f' fill="{style.colour}"/>')
            items.append(
                f'<li data-role="{escaped(key.value)}"><svg width="18" height="18">{shape}</svg> '
                f"{escaped(style.legend)}</li>"
            )
    for key, style in STYLES.items():
        if isinstance(key, Identifiability) and key.value in levels:
            items.append(
                f'<li data-identifiability="{escaped(key.value)}"><svg width="28" height="18">'
                f'<line x1="1" y1="9" x2="27" y2="9" stroke="{style.colour}" stroke-width="3"/>'
                f"</svg> {escaped(style.legend)}</li>"
            )
    if landing:
        items.append(
            '<li data-landing-only="true"><svg width="28" height="18"><line x1="1" y1="9" '
            'x2="27" y2="9" stroke="#555555" stroke-width="3" stroke-dasharray="5,4"/></svg> '
            f"{escaped(LANDING_ONLY)}</li>"
        )
    if findings:
        items.append(
            '<li data-finding="true"><svg width="28" height="18"><line x1="1" y1="9" x2="27" '
            f'y2="9" stroke="#555555" stroke-width="{FINDING_WIDTH}"/></svg> route of a '
            "convergence finding (recipient outlined in black)</li>"
        )
    return '<ul id="dfg-legend">' + "".join(items) + "</ul>"
