"""Pictures of a finding as inline SVG: the timeline of the copies and their routes.

Drawn by hand from records, with no JavaScript, so a page that embeds them reads in any
browser, prints on paper and works offline.  Every picture says what it shows twice: by
colour (a palette safe for colour-blind readers, Okabe and Ito's) and by a second
channel (line style and hatching), so it also reads in greyscale; both come from the one
style table, :data:`~dataflow_graph.outputs.styles.COPY_STYLES`, which the HTML graph's
edges read too.  All text is escaped; the same input gives the same bytes.

>>> svg = timeline([Bar("NIC-1 · Invoice Validation", Identifiability.IDENTIFIABLE, "2018-06", "2021-05")],
...                overlap=None, ident="t1", title="SUS")
>>> svg.startswith("<svg") and "2018-06" in svg and "Invoice Validation" in svg
True
"""

from __future__ import annotations

import html
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..model import Identifiability, Role
from .styles import COPY_STYLES, CopyStyle

__all__ = ["COPY_STYLES", "Bar", "CopyStyle", "Lane", "Stop", "legend", "routes", "timeline"]

_FONT = 'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif"'
_CHAR = 6.6  # average width of a character at 12 px, for layout


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _wrap(text: str, width: int, lines: int) -> list[str]:
    """Words into at most ``lines`` lines of about ``width`` characters; never splits a word
    unless the word alone is longer than the line (then it is cut with an ellipsis)."""
    out: list[str] = []
    for word in text.split():
        if out and len(out[-1]) + 1 + len(word) <= width:
            out[-1] += " " + word
        else:
            out.append(word if len(word) <= width else word[: width - 1] + "…")
    if len(out) > lines:
        out = out[:lines]
        out[-1] = (out[-1][: width - 1] if len(out[-1]) >= width else out[-1]) + "…"
    return out or [""]


def _defs(ident: str) -> str:
    """Fill patterns for the copies (ids prefixed, so several pictures share a page)."""
    parts = []
    for level, style in COPY_STYLES.items():
        pid = f"{ident}-{level.value}"
        c = style.colour
        ground = '<rect width="8" height="8" fill="#ffffff"/>'
        if style.pattern == "solid":
            body = f'<rect width="8" height="8" fill="{c}"/>'
        elif style.pattern == "hatch":
            body = ground + f'<path d="M-2,2 l4,-4 M0,8 l8,-8 M6,10 l4,-4" stroke="{c}" stroke-width="2"/>'
        elif style.pattern == "dots":
            body = ground + f'<circle cx="4" cy="4" r="1.8" fill="{c}"/>'
        else:
            body = ground + f'<path d="M0,0 l8,8 M8,0 l-8,8" stroke="{c}" stroke-width="1.2"/>'
        parts.append(f'<pattern id="{pid}" width="8" height="8" patternUnits="userSpaceOnUse">{body}</pattern>')
    parts.append(
        f'<pattern id="{ident}-overlap" width="10" height="10" patternUnits="userSpaceOnUse">'
        '<rect width="10" height="10" fill="#f2f2f2"/>'
        '<path d="M0,10 l10,-10" stroke="#c8c8c8" stroke-width="1"/></pattern>'
    )
    for level, style in COPY_STYLES.items():
        parts.append(
            f'<marker id="{ident}-arrow-{level.value}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
            f'markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="{style.colour}"/></marker>'
        )
    return "<defs>" + "".join(parts) + "</defs>"


def _svg(width: float, height: float, ident: str, title: str, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'width="{width:.0f}" height="{height:.0f}" style="max-width:100%;height:auto" '
        f'aria-labelledby="{ident}-title" {_FONT} font-size="12">'
        f'<title id="{ident}-title">{_e(title)}</title>{_defs(ident)}' + "".join(body) + "</svg>"
    )


# ---------------------------------------------------------------------------------------
# Timeline


@dataclass(frozen=True, slots=True)
class Bar:
    """One copy over its months (``first``/``last`` are ``YYYY-MM``, in order)."""

    label: str
    level: Identifiability
    first: str
    last: str
    note: str = ""
    reversed: bool = False  # the register published the window backwards
    undated: bool = False  # only the register's period is known: drawn as an outline over it


def _index(month: str) -> int:
    return int(month[:4]) * 12 + int(month[5:7]) - 1


def _month(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _tick_labels(lo: int, hi: int, x: Callable[[int], float], *, stacked: bool) -> list[int]:
    """Months whose date is printed under the chart (every year, quarter or month; never touching)."""
    span = hi - lo
    if not stacked:
        step = 12 if span > 30 else 3 if span > 8 else 1
        return [m for m in range(lo, hi + 1) if m % step == 0 or m == lo]
    for step in (1, 3, 6, 12, 24, 60, 120):
        kept = [m for m in range(lo, hi + 1) if m % step == 0]
        if all(x(b) - x(a) >= 54 for a, b in itertools.pairwise(kept)):
            break
    if not kept or x(kept[0]) - x(lo) >= 54:
        kept.insert(0, lo)
    return kept


def _rows(bars: Sequence[Bar], *, stacked: bool, chars: int) -> tuple[list[tuple[float, list[str]]], float]:
    """Each bar's top and its label lines (beside the bar, or ``stacked`` above it), and the bottom."""
    rows, y = [], 30.0
    for b in bars:
        lines = _wrap(b.label, chars, 2)
        rows.append((y, lines))
        y += 13.0 * len(lines) + 34 + 10 * bool(b.note) if stacked else 44.0
    return rows, y


def timeline(
    bars: Sequence[Bar], *, overlap: tuple[str, str] | None, ident: str, title: str, width: float = 820.0
) -> str:
    """Each copy a bar over its months, the overlap of the finding shaded behind them.

    Parameters
    ----------
    bars : sequence of Bar
        Drawn top to bottom in the order given.
    overlap : (first, last) or None
        Months both sides of the finding cover.
    ident : str
        Prefix of the picture's element ids (unique within a page).
    title : str
        The picture's accessible title.
    width : float, default 820
        Width of the picture; below 600 each label goes above its bar (for a side panel).
    """
    stacked = width < 600
    left, chart_w = (26.0, width - 52) if stacked else (300.0, width - 320)
    rows, bottom = _rows(bars, stacked=stacked, chars=int((width - 8 if stacked else left) / _CHAR) - 2)
    top = 30.0
    lo = min([_index(b.first) for b in bars] + ([_index(overlap[0])] if overlap else []), default=0)
    hi = max([_index(b.last) for b in bars] + ([_index(overlap[1])] if overlap else []), default=0) + 1
    span = max(hi - lo, 1)

    def x(index: int) -> float:
        return left + chart_w * (index - lo) / span

    body: list[str] = []
    if overlap:
        x0, x1 = x(_index(overlap[0])), x(_index(overlap[1]) + 1)
        body.append(
            f'<rect x="{x0:.1f}" y="{top - 6:.1f}" width="{x1 - x0:.1f}" height="{bottom - top + 6:.1f}" '
            f'fill="url(#{ident}-overlap)" stroke="#9a9a9a" stroke-dasharray="3 2"/>'
        )
        anchor, tx = ("start", 4.0) if stacked else ("middle", (x0 + x1) / 2)
        body.append(
            f'<text x="{tx:.1f}" y="{top - 10:.1f}" text-anchor="{anchor}" fill="#333">'
            f"overlap {_e(overlap[0])} to {_e(overlap[1])}</text>"
        )
    labelled = _tick_labels(lo, hi, x, stacked=stacked)
    step = 12 if span > 30 else 3 if span > 8 else 1
    for m in range(lo, hi + 1):
        if m in labelled or m in (lo, hi) or (not stacked and m % step == 0):
            body.append(
                f'<line x1="{x(m):.1f}" y1="{top - 4:.1f}" x2="{x(m):.1f}" y2="{bottom:.1f}" stroke="#e0e0e0"/>'
            )
            if m in labelled:
                body.append(
                    f'<text x="{x(m):.1f}" y="{bottom + 14:.1f}" text-anchor="middle" '
                    f'font-size="11" fill="#444">{_month(m)}</text>'
                )
    for (y, lines), b in zip(rows, bars, strict=True):
        body += _bar(b, y, lines, x, ident=ident, stacked=stacked, right_third=left + chart_w * 0.6)
    levels = sorted({b.level for b in bars}, key=lambda v: -v.rank)
    keys = legend(levels, ident=ident, y=bottom + 38, overlap=bool(overlap), width=width if stacked else None)
    body.append(keys)
    height = bottom + 38 + 20 * (keys.count(_ROW) + 1)
    return _svg(width, height, ident, title, body)


def _bar(
    b: Bar, y: float, lines: list[str], x: Callable[[int], float], *, ident: str, stacked: bool, right_third: float
) -> list[str]:
    """One copy: its label (beside or above), its bar, its note."""
    style = COPY_STYLES[b.level]
    out = [f'<text x="4" y="{y + 12 + 13 * k:.1f}">{_e(line)}</text>' for k, line in enumerate(lines)]
    bar_y, bar_h = (y + 13 * len(lines) + 4, 16.0) if stacked else (y + 4, 24.0)
    x0, x1 = x(_index(b.first)), x(_index(b.last) + 1)
    fill = "#ffffff" if b.reversed or b.undated else f"url(#{ident}-{b.level.value})"
    dash = f' stroke-dasharray="{style.dashes}"' if style.dashes else ""
    out.append(
        f'<rect x="{x0:.1f}" y="{bar_y:.1f}" width="{max(x1 - x0, 2):.1f}" height="{bar_h:.1f}" '
        f'fill="{fill}" stroke="{style.colour}" stroke-width="2"{dash}>'
        f"<title>{_e(b.label)}: {_e(b.level.value)}, {_e(b.first)} to {_e(b.last)}"
        f"{_e(' — ' + b.note) if b.note else ''}</title></rect>"
    )
    if b.note:
        right = x0 > right_third
        anchor = "end" if right else "start"
        note_y = bar_y + bar_h + 11 if stacked else y + 41
        out.append(
            f'<text x="{(x1 if right else x0):.1f}" y="{note_y:.1f}" font-size="11" fill="#333" '
            f'text-anchor="{anchor}">{_e(b.note)}</text>'
        )
    return out


_ROW = "<!-- row -->"


def legend(
    levels: Sequence[Identifiability], *, ident: str, y: float, overlap: bool = False, width: float | None = None
) -> str:
    """Swatches for the copies drawn (and the overlap band): in one row, or in rows of ``width``."""
    items = [
        (f"url(#{ident}-{lv.value})", f'stroke="{COPY_STYLES[lv].colour}" stroke-width="2"', COPY_STYLES[lv])
        for lv in levels
    ]
    parts, x = [], 4.0
    for fill, stroke, style in items:
        if width is not None and x > 4 and x + 28 + _CHAR * len(style.words) > width:
            parts.append(_ROW)
            x, y = 4.0, y + 20
        dash = f' stroke-dasharray="{style.dashes}"' if style.dashes else ""
        parts.append(
            f'<rect x="{x:.1f}" y="{y - 10:.1f}" width="22" height="12" fill="{fill}" {stroke}{dash}/>'
            f'<text x="{x + 28:.1f}" y="{y:.1f}">{_e(style.words)}</text>'
        )
        x += 40 + _CHAR * len(style.words)
    if overlap:
        words = "months both copies cover"
        if width is not None and x > 4 and x + 28 + _CHAR * len(words) > width:
            parts.append(_ROW)
            x, y = 4.0, y + 20
        parts.append(
            f'<rect x="{x:.1f}" y="{y - 10:.1f}" width="22" height="12" fill="url(#{ident}-overlap)" '
            f'stroke="#9a9a9a" stroke-dasharray="3 2"/>'
            f'<text x="{x + 28:.1f}" y="{y:.1f}">{words}</text>'
        )
    return "".join(parts)


# ---------------------------------------------------------------------------------------
# Routes


@dataclass(frozen=True, slots=True)
class Stop:
    """An organisation on a route; ``landing_only`` when the hop into it is a landing point only."""

    name: str
    role: Role
    landing_only: bool = False


@dataclass(frozen=True, slots=True)
class Lane:
    """One copy's route, from the source to the recipient."""

    label: str
    level: Identifiability
    stops: tuple[Stop, ...]


_BOX_W, _BOX_H, _GAP = 150.0, 54.0, 46.0


def routes(lanes: Sequence[Lane], *, ident: str, title: str) -> str:
    """The copies' routes side by side, one lane each: boxes for organisations, arrows for hops.

    An arrow's colour and line style say the copy's identifiability; a landing-only
    stop has a dashed grey box and says "landing only" under it.
    """
    wrapped = [[_wrap(s.name, int(_BOX_W / _CHAR) - 1, 4) for s in lane.stops] for lane in lanes]
    box_h = max([_BOX_H, *(14.0 * len(w) + 14 for lane in wrapped for w in lane)])
    lane_h = box_h + 56
    width = max([len(lane.stops) for lane in lanes] + [1]) * (_BOX_W + _GAP) - _GAP + 20
    width = max(width, 420.0)
    height = lane_h * len(lanes) + 34
    body: list[str] = []
    for i, lane in enumerate(lanes):
        y = 8 + i * lane_h
        style = COPY_STYLES[lane.level]
        body.append(f'<text x="10" y="{y + 12:.1f}" font-weight="600">{_e(lane.label)}</text>')
        top = y + 22
        for k, stop in enumerate(lane.stops):
            x = 10 + k * (_BOX_W + _GAP)
            dash = ' stroke-dasharray="5 3"' if stop.landing_only else ""
            stroke = "#8a8a8a" if stop.landing_only else "#333333"
            body.append(
                f'<rect x="{x:.1f}" y="{top:.1f}" width="{_BOX_W:.0f}" height="{box_h:.0f}" rx="6" '
                f'fill="#ffffff" stroke="{stroke}" stroke-width="1.5"{dash}><title>{_e(stop.name)} '
                f"({_e(stop.role.value)})</title></rect>"
            )
            lines = wrapped[i][k]
            first = top + box_h / 2 - 7 * (len(lines) - 1) + 4
            for j, line in enumerate(lines):
                body.append(
                    f'<text x="{x + _BOX_W / 2:.1f}" y="{first + 14 * j:.1f}" text-anchor="middle">{_e(line)}</text>'
                )
            if stop.landing_only:
                body.append(
                    f'<text x="{x + _BOX_W / 2:.1f}" y="{top + box_h + 14:.1f}" text-anchor="middle" '
                    'font-size="11" fill="#555">landing only</text>'
                )
            if k:
                dash = f' stroke-dasharray="{style.dashes}"' if style.dashes else ""
                x0 = x - _GAP + 2
                body.append(
                    f'<line x1="{x0:.1f}" y1="{top + box_h / 2:.1f}" x2="{x - 3:.1f}" y2="{top + box_h / 2:.1f}" '
                    f'stroke="{style.colour}" stroke-width="3"{dash} '
                    f'marker-end="url(#{ident}-arrow-{lane.level.value})"/>'
                )
    body.append(legend(sorted({lane.level for lane in lanes}, key=lambda v: -v.rank), ident=ident, y=height - 10))
    return _svg(width, height, ident, title, body)
