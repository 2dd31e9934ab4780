"""The page's header: search, filters and the view switch, pre-set to what the command line
asked for, and the legend whose copy styles double as the identifiability filter."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import cast

import networkx as nx

from ..model import Identifiability, Period
from .styles import escaped as _e
from .styles import legend

__all__ = ["header"]


def header(
    H: nx.MultiDiGraph,
    nodes: Sequence[dict[str, object]],
    edges: Sequence[dict[str, object]],
    *,
    family: str | None,
    identifiability: Identifiability | None,
    during: Period | None,
    focus: str | None,
    depth: int,
    first: int,
    findings: bool,
) -> tuple[str, str]:
    """The controls and the legend of a page drawing ``nodes`` and ``edges`` (vis-network records)."""
    levels = sorted({str(e["identifiability"]) for e in edges}, key=lambda v: -Identifiability(v).rank)
    families = sorted({fam for e in edges for fam in cast("list[str]", e["families"])})
    controls = _controls(H, families, family=family, during=during, focus=focus, depth=depth, first=first)
    keys = legend(
        {str(n["role"]) for n in nodes},
        {lv.value for lv in Identifiability} if identifiability else set(levels),
        landing=any(e["landing_only"] for e in edges),
        findings=findings,
        focus=focus is not None,
        toggle=_level_toggle(levels, identifiability),
    )
    return controls, keys


def _level_toggle(present: Sequence[str], chosen: Identifiability | None) -> Callable[[Identifiability], str]:
    """The legend's checkbox for each identifiability: on when drawn, off (and why) when not."""

    def toggle(level: Identifiability) -> str:
        if level.value in present:
            return f'<input type="checkbox" class="dfg-level" value="{_e(level.value)}" checked> '
        why = f"left out by --identifiability {chosen.value}" if chosen and level is not chosen else "none in this view"
        return f'<input type="checkbox" class="dfg-level" value="{_e(level.value)}" disabled title="{_e(why)}"> '

    return toggle


def _controls(
    H: nx.MultiDiGraph,
    families: list[str],
    *,
    family: str | None,
    during: Period | None,
    focus: str | None,
    depth: int,
    first: int,
) -> str:
    """Search, filters and view switch, pre-set to what the command line asked for."""
    names = sorted({str(d.get("name", n)) for n, d in H.nodes(data=True)})
    wanted = next((f for f in families if family and f.upper() == family.upper()), "")
    options = "".join(f'<option value="{_e(f)}"{" selected" if f == wanted else ""}>{_e(f)}</option>' for f in families)
    datalist = "".join(f'<option value="{_e(n)}"></option>' for n in names)
    window = (during.raw or f"{during.start or ''}..{during.end or ''}") if during else ""
    parts = [
        '<label>Find <input id="dfg-search" type="search" list="dfg-names" autocomplete="off" '
        f'placeholder="organisation name"></label> <span id="dfg-search-result"></span><datalist id="dfg-names">'
        f"{datalist}</datalist>",
        f'<label>Family <select id="dfg-family"><option value="">all</option>{options}</select></label>',
        '<label title="YYYY-MM..YYYY-MM, one month, or a year">Months <input id="dfg-during" size="15" '
        f'placeholder="all" value="{_e(window)}"></label>',
    ]
    if focus is not None:
        name = H.nodes[focus].get("name", focus)
        parts.append(
            f'<span class="dfg-group">Focus: <button type="button" class="dfg-goto" data-node="{_e(focus)}">'
            f"{_e(name)}</button> ({depth} step{'s' if depth != 1 else ''} up and down)</span>"
        )
    if first < len(H):
        opening = "focus and findings" if focus is not None else "top findings"
        parts.append(
            '<label>Show <select id="dfg-view">'
            f'<option value="first" selected>{opening} ({first} organisations)</option>'
            f'<option value="all">all {len(H)} organisations</option></select></label>'
        )
    parts.append('<button type="button" id="dfg-fit">Fit to window</button> <span id="dfg-status"></span>')
    return '<div id="dfg-controls">' + " ".join(parts) + "</div>"
