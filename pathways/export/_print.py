"""The picture of a pathway split into printed pages: tiles, and where routes cross them.

A printed picture is legible only at a fixed scale, so a wide (or tall) picture is cut
into page-sized *tiles*: left to right by :meth:`Layout.pages` (in the gaps between
columns, never through a step or a label), and, where the lanes are taller than a page,
top to bottom, at the boundary between the lanes if it is low enough on the page,
else in a gap between the shapes. Every tile repeats the lane headers at its left.
The PDF (:mod:`pathways.export.pdf`) and the printed HTML document
(:mod:`pathways.export.html`) cut the same way.

Where a route crosses a cut, both tiles get a :class:`Connector` naming the other tile
("continues on page 7").

>>> from pathways.export.layout import LayoutEdge, LayoutNode, layout
>>> nodes = [LayoutNode(f"m{i}", "m", 100, 40) for i in range(6)] + [LayoutNode("h", "h", 100, 40)]
>>> edges = [LayoutEdge(f"e{i}", f"m{i}", f"m{i + 1}") for i in range(5)]
>>> picture = layout(nodes, [*edges, LayoutEdge("x", "m0", "h")], lanes=["m", "h"])
>>> parts = tiles(picture, width=500, height=100)
>>> [(tile.column, tile.row, round(tile.x0), round(tile.y0)) for tile in parts][:3]
[(0, 0, 0, 0), (0, 1, 0, 80), (1, 0, 430, 0)]
>>> [(c.side, c.other) for c in connectors(picture, parts)[0]]
[('bottom', 1), ('right', 2)]
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from pathways.export.layout import Box, Layout

__all__ = [
    "MIN_ROWS",
    "MIN_TEXT",
    "SCALE",
    "SHORT_TABLE",
    "Connector",
    "Tile",
    "connectors",
    "tiles",
]

MIN_TEXT = 6.0
"""The smallest printed text, in points."""
SCALE = 0.7
"""Points per pixel of the layout in a printed tile: the picture's smallest text (a
step's kind, 9 px) is 6.3 pt."""
MIN_ROWS = 2
"""The fewest rows of a table left on a page, before or after a page break."""
SHORT_TABLE = 6
"""Tables of up to this many rows are never split (unless a page cannot hold them)."""


@dataclass(frozen=True, slots=True)
class Tile:
    """One printed page of the picture: the window ``x0``-``x1`` by ``y0``-``y1`` onto it
    (in the picture's units), drawn right of the repeated lane headers.

    ``column`` and ``row`` say where the tile is among the others; ``index`` is its
    place in reading order (left to right, each column of tiles top to bottom).
    """

    index: int
    column: int
    row: int
    x0: float
    x1: float
    y0: float
    y1: float

    def content_x0(self, header: float) -> float:
        """Where the window's content starts (right of the lane headers)."""
        return max(self.x0, header)

    def width(self, header: float) -> float:
        """The width the tile takes on the page: the headers and the content."""
        return header + self.x1 - self.content_x0(header)

    @property
    def height(self) -> float:
        return self.y1 - self.y0


@dataclass(frozen=True, slots=True)
class Connector:
    """Routes leaving ``tile`` across its ``side`` (``left``, ``right``, ``top`` or
    ``bottom``) into tile ``other``, at ``positions`` along that side (y for the left and
    right sides, x for the top and bottom, in the picture's units)."""

    tile: int
    side: str
    other: int
    positions: tuple[float, ...]


def _free_cut(obstacles: Sequence[tuple[float, float]], start: float, limit: float) -> float:
    """The lowest cut above ``limit`` and below ``start`` that lies in a gap between
    ``obstacles`` (sorted, merged ``(top, bottom)`` spans): the gap's middle, or
    ``limit`` if the gap reaches below it; ``limit`` itself if there is no gap."""
    best = None
    gap_top = start
    for top, bottom in [*obstacles, (float("inf"), float("inf"))]:
        if gap_top >= limit:
            break
        if top > gap_top:
            candidate = min((gap_top + top) / 2, limit)
            if candidate > start:
                best = candidate
        gap_top = max(gap_top, bottom)
    return limit if best is None else best


def _merged(spans: Iterable[tuple[float, float]]) -> list[tuple[float, float]]:
    merged: list[tuple[float, float]] = []
    for top, bottom in sorted(spans):
        if merged and top <= merged[-1][1]:
            if bottom > merged[-1][1]:
                merged[-1] = (merged[-1][0], bottom)
        else:
            merged.append((top, bottom))
    return merged


def _bands(
    obstacles: Sequence[tuple[float, float]],
    lane_cuts: Sequence[float],
    top: float,
    bottom: float,
    height: float,
) -> list[tuple[float, float]]:
    """Ranges of y from ``top`` to ``bottom``, each at most ``height`` tall."""
    bands: list[tuple[float, float]] = []
    start = top
    while bottom - start > height + 0.5:
        limit = start + height
        lanes = [cut for cut in lane_cuts if start + height / 2 <= cut <= limit]
        cut = lanes[-1] if lanes else _free_cut(obstacles, start, limit)
        if cut <= start + 1:  # nothing fits: cut through
            cut = limit
        bands.append((start, cut))
        start = cut
    bands.append((start, bottom))
    return bands


def tiles(
    picture: Layout,
    *,
    width: float,
    height: float,
    labels: Mapping[str, Box] | None = None,
) -> tuple[Tile, ...]:
    """The tiles of ``picture`` for pages that hold ``width`` by ``height`` of it (the
    lane headers included in ``width``), in reading order.

    The picture starts at the top of its first lane (the room above, for a title, is
    left out). ``labels`` are further boxes not to cut through (default: the edge
    labels and the node labels of the layout).
    """
    lanes = list(picture.lanes.values())
    top = min((lane.y for lane in lanes), default=0.0)
    bottom = max((lane.bottom for lane in lanes), default=picture.height)
    lane_cuts = sorted({lane.y for lane in lanes} - {top})
    boxes = [*picture.boxes.values(), *picture.node_labels.values()]
    boxes += list((picture.labels if labels is None else labels).values())
    segments = [
        (min(xa, xb), max(xa, xb), min(ya, yb), max(ya, yb))
        for route in picture.routes.values()
        for (xa, ya), (xb, yb) in itertools.pairwise(route)
    ]
    result: list[Tile] = []
    for column, (x0, x1) in enumerate(picture.pages(width)):
        near = [box for box in boxes if box.x < x1 and box.right > x0]
        passing = [seg for seg in segments if seg[0] < x1 and seg[1] > x0]
        inside = _merged((box.y, box.bottom) for box in near)
        row = 0
        for y0, y1 in _bands(inside, lane_cuts, top, bottom, height):
            # A band of empty lanes (nothing drawn, no route passing) is no page.
            drawn = any(box.y < y1 and box.bottom > y0 for box in near) or any(
                seg[2] < y1 and seg[3] > y0 for seg in passing
            )
            if drawn or (not row and y1 >= bottom):
                result.append(Tile(len(result), column, row, x0, x1, y0, y1))
                row += 1
    return tuple(result)


class _Finder:
    """Which tile holds a point."""

    def __init__(self, parts: Sequence[Tile]) -> None:
        self.starts: list[float] = []
        self.rows: list[list[float]] = []
        self.indices: list[list[int]] = []
        for tile in parts:
            if tile.row == 0:  # the first tile kept of a column
                self.starts.append(tile.x0)
                self.rows.append([])
                self.indices.append([])
            self.rows[-1].append(tile.y0)
            self.indices[-1].append(tile.index)

    def column(self, x: float) -> int:
        return max(0, bisect.bisect_right(self.starts, x) - 1)

    def tile(self, column: int, y: float) -> int:
        rows = self.rows[column]
        return self.indices[column][max(0, bisect.bisect_right(rows, y) - 1)]


def connectors(picture: Layout, parts: Sequence[Tile]) -> dict[int, list[Connector]]:
    """Per tile, where routes cross its sides into other tiles (grouped by side and by the
    other tile), from ``picture``'s routes."""
    find = _Finder(parts)
    found: dict[tuple[int, str, int], list[float]] = {}

    def add(tile: int, side: str, other: int, position: float) -> None:
        if tile != other:
            found.setdefault((tile, side, other), []).append(position)

    cuts = find.starts[1:]
    for route in picture.routes.values():
        for (xa, ya), (xb, yb) in itertools.pairwise(route):
            if ya == yb and xa != xb:
                low, high = min(xa, xb), max(xa, xb)
                first = bisect.bisect_right(cuts, low)
                last = bisect.bisect_right(cuts, high)
                for cut in cuts[first:last]:
                    left = find.tile(find.column(cut) - 1, ya)
                    right = find.tile(find.column(cut), ya)
                    add(left, "right", right, ya)
                    add(right, "left", left, ya)
            elif xa == xb and ya != yb:
                column = find.column(xa)
                rows = find.rows[column]
                low, high = min(ya, yb), max(ya, yb)
                for cut in rows[bisect.bisect_right(rows, low) : bisect.bisect_right(rows, high)]:
                    upper = find.tile(column, cut - 0.001)
                    lower = find.tile(column, cut)
                    add(upper, "bottom", lower, xa)
                    add(lower, "top", upper, xa)
    result: dict[int, list[Connector]] = {}
    for (tile, side, other), positions in sorted(found.items()):
        result.setdefault(tile, []).append(
            Connector(tile, side, other, tuple(sorted(set(positions))))
        )
    return result
