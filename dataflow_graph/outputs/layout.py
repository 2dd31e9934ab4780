"""What part of the flow graph a page shows, and where each organisation sits on it.

The page's first view must be readable: it fits what is drawn, with margins, and every
name is at least :data:`LABEL_PX` pixels high on screen.  So the layout is computed for a
screen, not for the graph alone: each organisation is a box sized to its wrapped name
(:func:`box`, with Helvetica/Arial widths), the boxes are packed in bands, one band per
distance from NHS Digital, running down the page or across it, and of all the packings
tried the one whose fitted scale at a given screen is largest wins (:func:`layout`); the
page carries one layout for each of :data:`VIEWPORTS` and opens with the one that fits its
window best.
Views of more than :data:`READABLE` organisations cannot be read whole on a screen; the
page opens those on a chosen part (:func:`first_view`).
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import networkx as nx

from ..errors import UnknownOrganisationError
from ..graph import in_window
from ..model import Flow, Hop, Identifiability, Period, Role

__all__ = [
    "FIRST_VIEW",
    "FOCUS_DEPTH",
    "FONT",
    "LABEL_PX",
    "LINE_WIDTHS",
    "MARGIN",
    "MAX_ZOOM",
    "PAD",
    "READABLE",
    "VIEWPORT",
    "VIEWPORTS",
    "Box",
    "Placed",
    "box",
    "first_view",
    "layout",
    "select_graph",
    "text_width",
]

#: Steps up (towards NHS Digital) and down a focus page shows unless told otherwise.
FOCUS_DEPTH = 2
#: Most organisations a first view draws whole; a larger view opens on at most
#: FIRST_VIEW of them (the focus and the findings), the rest a click away.
READABLE, FIRST_VIEW = 60, 24
#: Size of a name on the canvas (the focus's is larger), and the least it may be on screen.
FONT, FOCUS_FONT, LABEL_PX = 13, 15, 12
#: Graph areas (CSS pixels, beside the findings panel) the page carries a layout for: a
#: 1400×900 window, a 1280×800 one, and a 1280×800 laptop's browser (toolbars taken off);
#: the margin kept around a fitted view; the largest zoom a fit uses.
VIEWPORTS, MARGIN, MAX_ZOOM = ((1000, 720), (900, 620), (900, 500)), 24, 1.5
VIEWPORT = VIEWPORTS[0]
#: Room between a box's border and its name (vis-network's ``margin``).
PAD = 5

_LINES = 3  # lines of a name at most
#: Widths (px of text) a name may be wrapped to; the layout tries each.
LINE_WIDTHS = (130, 160, 200)
_GAP_X, _GAP_Y, _BAND_DOWN, _BAND_RIGHT = 10, 8, 40, 60
_ROLE_ORDER = {r: i for i, r in enumerate(Role)}
# Advance widths of ASCII 32..126 in thousandths of an em (Helvetica = Arial = Liberation Sans).
_REGULAR = (
    "278 278 355 556 556 889 667 222 333 333 389 584 278 333 278 278 556 556 556 556 556 556 556 556 556 556 278 278 "
    "584 584 584 556 1015 667 667 722 722 667 611 778 722 278 500 667 556 833 722 778 667 778 722 667 611 722 667 944 "
    "667 667 611 278 278 278 469 556 222 556 556 500 556 556 278 556 556 222 222 500 222 833 556 556 556 556 333 500 "
    "278 556 500 722 500 500 500 334 260 334 584"
)
_BOLD = (
    "278 333 474 556 556 889 722 278 333 333 389 584 278 333 278 278 556 556 556 556 556 556 556 556 556 556 333 333 "
    "584 584 584 611 975 722 722 722 722 667 611 778 722 278 556 722 611 833 722 778 667 778 722 667 611 722 667 944 "
    "667 667 611 333 278 333 584 556 278 556 611 556 611 556 333 611 611 278 278 556 278 889 611 611 611 611 389 556 "
    "333 611 556 778 556 556 500 389 280 389 584"
)
_WIDTHS = {False: tuple(int(w) for w in _REGULAR.split()), True: tuple(int(w) for w in _BOLD.split())}


# ---------------------------------------------------------------------------------------
# What a page shows


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
    left without edges go.  ``focus`` (a node id) keeps the organisations at most
    ``depth`` steps up from it (its senders, their senders…) and ``depth`` steps down (its
    recipients…), :data:`FOCUS_DEPTH` when ``depth`` is None.

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
        steps = FOCUS_DEPTH if depth is None else depth
        up, down = _reach(H.predecessors, focus, steps), _reach(H.successors, focus, steps)
        H = H.subgraph(up | down).copy()
    return H


def _reach(step: Callable[[str], Iterable[str]], node: str, depth: int) -> set[str]:
    """Nodes at most ``depth`` steps from ``node`` one way (senders, or recipients)."""
    seen, frontier = {node}, [node]
    for _ in range(depth):
        frontier = sorted({v for u in frontier for v in step(u)} - seen)
        seen.update(frontier)
    return seen


def _edge_ok(f: Flow, h: Hop, family: str | None, level: Identifiability | None, during: Period | None) -> bool:
    return (
        (family is None or family in {x.upper() for x in (h.families or f.families)})
        and (level is None or h.identifiability is level)
        and in_window(f.period, during)
    )


def first_view(
    H: nx.MultiDiGraph, priority: Sequence[Sequence[str]], *, whole: int = READABLE, limit: int = FIRST_VIEW
) -> set[str]:
    """The organisations a view opens on: all of a view of at most ``whole``; else whole
    groups of ``priority`` while they fit in ``limit``.

    Each group (a focus and its neighbours, a finding's recipient and routes…) is taken
    whole or not at all, in order, until ``limit`` organisations; when no group fits, the
    organisations of most edges are taken instead.

    >>> G = nx.MultiDiGraph([("a", "b"), ("b", "c"), ("b", "d")])
    >>> sorted(first_view(G, [["c", "b"], ["d", "a", "b"]], whole=3, limit=3))
    ['b', 'c']
    """
    if len(H) <= whole:
        return set(H)
    chosen: set[str] = set()
    for group in priority:
        new = {n for n in group if n in H} - chosen
        if len(chosen) + len(new) <= limit:
            chosen |= new
    if not chosen:
        chosen = set(sorted(H, key=lambda n: (-H.degree(n), n))[:limit])
    return chosen


# ---------------------------------------------------------------------------------------
# Boxes


@dataclass(frozen=True, slots=True)
class Box:
    """An organisation's box on the canvas: its name in lines, its size in pixels."""

    lines: tuple[str, ...]
    width: int
    height: int
    size: int = FONT
    bold: bool = False
    #: the name did not fit in three lines and was cut (the tooltip and search have it whole)
    cut: bool = False


def text_width(text: str, *, size: float = FONT, bold: bool = False) -> float:
    """Width of ``text`` in pixels at ``size`` in Arial (wide characters counted as an em).

    >>> round(text_width("NHS Digital", size=10))
    52
    """
    widths = _WIDTHS[bold]
    total = 0
    for ch in text:
        code = ord(ch)
        if 32 <= code <= 126:
            total += widths[code - 32]
        else:
            total += 1000 if unicodedata.east_asian_width(ch) in "WF" else 650
    return total * size / 1000


def box(name: str, *, size: int = FONT, bold: bool = False, width: int = LINE_WIDTHS[1]) -> Box:
    """The box of one name: words wrapped to lines of at most ``width`` px (never inside a
    word unless the word alone is longer), at most three lines, the last cut with "…".

    >>> box("NHS North and East London Commissioning Support Unit").lines
    ('NHS North and East', 'London Commissioning', 'Support Unit')
    """
    limit = width * size / FONT
    lines: list[str] = []
    for word in name.split() or ["?"]:
        if lines and text_width(lines[-1] + " " + word, size=size, bold=bold) <= limit:
            lines[-1] += " " + word
        else:
            while text_width(word, size=size, bold=bold) > limit and len(word) > 1:
                word = word[:-2] + "…"
            lines.append(word)
    cut = len(lines) > _LINES or any(line.endswith("…") for line in lines)
    if len(lines) > _LINES:
        last = lines[_LINES - 1]
        while text_width(last + "…", size=size, bold=bold) > limit and len(last) > 1:
            last = last[:-1]
        lines = [*lines[: _LINES - 1], last.rstrip() + "…"]
    text_w = max(text_width(line, size=size, bold=bold) for line in lines)
    width_px, height_px = int(text_w * 1.04 + 2 * PAD + 3), int(len(lines) * size + 2 * PAD + 3)
    return Box(tuple(lines), width_px, height_px, size, bold, cut)


# ---------------------------------------------------------------------------------------
# Placing the boxes


@dataclass(frozen=True, slots=True)
class Placed:
    """Where each box sits (its centre, integer pixels), and what the packing gives."""

    positions: dict[str, tuple[int, int]]
    width: int
    height: int
    direction: str  # "down" (bands are rows) or "right" (bands are columns)
    #: each node's band (its distance from NHS Digital; nodes without edges in the last)
    bands: dict[str, int] = field(default_factory=dict)
    #: the boxes placed (of the candidates :func:`layout` was given, the best)
    boxes: dict[str, Box] = field(default_factory=dict)
    #: the screen area the packing was chosen for
    viewport: tuple[int, int] = VIEWPORT

    @property
    def scale(self) -> float:
        """The zoom at which the whole drawing fits its viewport with margins."""
        (w, h), m = self.viewport, 2 * MARGIN
        return min((w - m) / max(self.width, 1), (h - m) / max(self.height, 1))


def layout(
    H: nx.MultiDiGraph,
    candidates: Sequence[dict[str, Box]],
    *,
    nodes: Iterable[str] | None = None,
    viewport: tuple[int, int] = VIEWPORT,
) -> Placed:
    """Integer positions of ``nodes`` (all of ``H``'s by default), packed to read best on a screen.

    Organisations are grouped in bands by their distance from NHS Digital (those without
    edges last); inside a band they are ordered by the mean place of their senders (fewer
    crossings), then by role and name.  Each band is wrapped into rows (bands running down
    the page) or columns (across it) of a chosen length.  Of every packing tried, for each
    set of boxes in ``candidates`` (names wrapped narrower or wider), the best is one whose
    names are at least :data:`LABEL_PX` high when fitted to ``viewport``, with the
    fewest names cut short, the largest scale (up to :data:`MAX_ZOOM`), and a shape like
    the screen's, in that order.  The same graph always gets the same positions.

    >>> from dataflow_graph.examples import two_copies
    >>> from dataflow_graph.graph import build_graph
    >>> G = build_graph(two_copies().flows)
    >>> placed = layout(G, [{n: box(G.nodes[n]["name"]) for n in G}])
    >>> placed.direction, placed.positions["org:nhs-digital"][1] < placed.positions["org:example-ccg"][1]
    ('down', True)
    """
    keep = set(H) if nodes is None else set(nodes)
    bands = _bands(H.subgraph(keep))
    best: Placed | None = None
    for boxes in candidates:
        for direction, side in (("down", "width"), ("right", "height")):
            for length in _lengths(bands, boxes, side):
                placed = _pack(bands, boxes, length, direction, viewport)
                if best is None or _better(placed, best):
                    best = placed
    return best if best is not None else Placed({}, 0, 0, "down", viewport=viewport)


def _better(a: Placed, b: Placed) -> bool:
    """Readable first (names of :data:`LABEL_PX` at the fitted scale), then fewer names cut
    short, then a larger scale, then the shape nearer the screen's."""
    return _merit(a) > _merit(b)


def _merit(p: Placed) -> tuple[bool, int, float, float]:
    scale = round(min(p.scale, MAX_ZOOM), 9)
    return (scale * FONT >= LABEL_PX, -sum(b.cut for b in p.boxes.values()), scale, -round(_misfit(p), 9))


def _misfit(p: Placed) -> float:
    """How far a drawing's proportions are from the screen's (0 when they agree)."""
    ratio = (p.width + 1) / (p.height + 1) / (p.viewport[0] / p.viewport[1])
    return max(ratio, 1 / ratio)


def _lengths(bands: list[list[str]], boxes: dict[str, Box], side: str) -> list[int]:
    """Row widths (or column heights) worth trying: from one box to the longest band."""
    gap = _GAP_X if side == "width" else _GAP_Y
    sizes = [getattr(boxes[n], side) for band in bands for n in band]
    if not sizes:
        return [0]
    low = max(sizes)
    high = max(sum(getattr(boxes[n], side) + gap for n in band) for band in bands)
    steps = 40
    return sorted({low + (high - low) * i // steps for i in range(steps + 1)})


def _pack(
    bands: list[list[str]], boxes: dict[str, Box], length: int, direction: str, viewport: tuple[int, int]
) -> Placed:
    """Each band wrapped into lines of at most ``length`` px, lines centred on the axis."""
    down = direction == "down"
    along, across = ("width", "height") if down else ("height", "width")
    gap_along, gap_lines, gap_bands = (_GAP_X, _GAP_Y, _BAND_DOWN) if down else (_GAP_Y, _GAP_X + 6, _BAND_RIGHT)
    positions: dict[str, tuple[int, int]] = {}
    at, extent = 0, 0
    number = {n: i for i, band in enumerate(bands) for n in band}
    for band in bands:
        for line in _wrapped(band, lambda n: getattr(boxes[n], along), length, gap_along):
            thick = max(getattr(boxes[n], across) for n in line)
            run = sum(getattr(boxes[n], along) for n in line) + gap_along * (len(line) - 1)
            pos = -run / 2
            for n in line:
                size = getattr(boxes[n], along)
                centre = (round(pos + size / 2), round(at + thick / 2))
                positions[n] = centre if down else (centre[1], centre[0])
                pos += size + gap_along
            extent = max(extent, int(run))
            at += thick + gap_lines
        at += gap_bands - gap_lines
    total = max(at - gap_bands, 0)
    used = {n: boxes[n] for n in number}
    if down:
        return Placed(positions, extent, total, direction, number, used, viewport)
    return Placed(positions, total, extent, direction, number, used, viewport)


def _wrapped(band: list[str], size: Callable[[str], int], length: int, gap: int) -> list[list[str]]:
    lines: list[list[str]] = [[]]
    used = 0
    for n in band:
        if lines[-1] and used + gap + size(n) > length:
            lines.append([])
            used = 0
        used += (gap if lines[-1] else 0) + size(n)
        lines[-1].append(n)
    return lines


def _bands(H: nx.MultiDiGraph) -> list[list[str]]:
    """Nodes by distance from NHS Digital, each band ordered by its senders' places."""
    dist = _layers(H)
    last = max((d for n, d in dist.items() if H.degree(n)), default=-1)
    grouped: dict[int, list[str]] = defaultdict(list)
    for n, d in dist.items():
        grouped[d if H.degree(n) else last + 1].append(n)
    rank: dict[str, int] = {}
    bands = []
    for d in sorted(grouped):

        def key(n: str) -> tuple[float, int, str, str]:
            senders = [rank[p] for p in sorted(H.predecessors(n)) if p in rank]
            mean = sum(senders) / len(senders) if senders else -1.0
            data = H.nodes[n]
            return (mean, _ROLE_ORDER.get(Role(data.get("role", "other")), 99), str(data.get("name", n)), n)

        members = sorted(grouped[d], key=key)
        rank.update({n: len(rank) + i for i, n in enumerate(members)})
        bands.append(members)
    return bands


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
        if any(n not in dist for n in comp):  # reached only against the arrows: after their neighbours
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
