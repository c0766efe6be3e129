"""A swimlane layout shared by the pictures (SVG) and the BPMN diagram.

Lanes are horizontal bands stacked top to bottom; nodes go left to right by layer. The
layer of a node is its longest distance from the start nodes once the edges that close a
cycle (found by a depth-first search from the starts, in document order) are set aside,
so a pathway with a readmission loop is laid out like the same pathway without it.
Within a lane and a layer, nodes take rows near the rows of their predecessors, so a
chain of steps stays on one line. Everything is deterministic for a given input order.

>>> nodes = [LayoutNode("home", "m", 100, 40), LayoutNode("ed", "h", 100, 40)]
>>> result = layout(nodes, [("home", "ed")], lanes=["m", "h"], starts=["home"])
>>> result.layers["home"], result.layers["ed"]
(0, 1)
>>> result.boxes["home"].cx < result.boxes["ed"].cx
True
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import networkx as nx

__all__ = ["Box", "Layout", "LayoutNode", "Spacing", "back_edges", "layers", "layout"]


@dataclass(frozen=True, slots=True)
class Box:
    """An axis-aligned rectangle: top-left corner, width and height."""

    x: float
    y: float
    width: float
    height: float

    @property
    def cx(self) -> float:
        return self.x + self.width / 2

    @property
    def cy(self) -> float:
        return self.y + self.height / 2

    @property
    def right(self) -> float:
        return self.x + self.width

    @property
    def bottom(self) -> float:
        return self.y + self.height


@dataclass(frozen=True, slots=True)
class LayoutNode:
    """A node to place: its key, its lane and its size."""

    key: str
    lane: str
    width: float
    height: float


@dataclass(frozen=True, slots=True)
class Spacing:
    """Distances of a layout, in the unit of the node sizes (pixels)."""

    lane_header: float = 150
    """Width of the band at the left of each lane that holds its name."""
    lane_padding: float = 20
    lane_gap: float = 0
    column_gap: float = 60
    row_gap: float = 30
    top: float = 0
    """Space above the first lane (for a title)."""


@dataclass(frozen=True, slots=True)
class Layout:
    """Where everything goes: a box per node, a box per lane, and the layer per node."""

    boxes: Mapping[str, Box]
    lanes: Mapping[str, Box]
    layers: Mapping[str, int]
    rows: Mapping[str, int]
    width: float
    height: float


Adjacency = Mapping[str, Iterable[str]]
"""Successors per node, every node a key, in the order nodes and edges should be visited."""


def _adjacency(
    nodes: Iterable[str], edges: Iterable[tuple[str, str]]
) -> dict[str, dict[str, None]]:
    successors: dict[str, dict[str, None]] = {node: {} for node in nodes}
    for source, target in edges:
        successors[source][target] = None
    return successors


def _back_edges(successors: Adjacency, starts: Sequence[str]) -> set[tuple[str, str]]:
    state: dict[str, int] = {}  # 1: on the stack, 2: done
    found: set[tuple[str, str]] = set()
    roots = [node for node in starts if node in successors]
    for root in [*roots, *successors]:
        if root in state:
            continue
        state[root] = 1
        stack = [(root, iter(successors[root]))]
        while stack:
            node, children = stack[-1]
            for child in children:
                seen = state.get(child)
                if seen is None:
                    state[child] = 1
                    stack.append((child, iter(successors[child])))
                    break
                if seen == 1:
                    found.add((node, child))
            else:
                state[node] = 2
                stack.pop()
    return found


def _layers(successors: Adjacency, starts: Sequence[str]) -> dict[str, int]:
    cyclic = _back_edges(successors, starts)
    forward = {
        node: [child for child in children if (node, child) not in cyclic]
        for node, children in successors.items()
    }
    waiting = dict.fromkeys(forward, 0)
    for children in forward.values():
        for child in children:
            waiting[child] += 1
    layer = dict.fromkeys(forward, 0)
    ready = [node for node, count in waiting.items() if count == 0]
    for node in ready:  # grows while it is walked: Kahn's topological order
        for child in forward[node]:
            layer[child] = max(layer[child], layer[node] + 1)
            waiting[child] -= 1
            if waiting[child] == 0:
                ready.append(child)
    return layer


def back_edges(graph: nx.DiGraph, *, starts: Sequence[str] = ()) -> set[tuple[str, str]]:
    """The edges that close a cycle in a depth-first search from ``starts``.

    The search starts from ``starts`` and then from every node not yet seen, in the
    graph's node order; removing the edges returned leaves ``graph`` acyclic.
    """
    return _back_edges({node: list(graph.successors(node)) for node in graph}, starts)


def layers(graph: nx.DiGraph, *, starts: Sequence[str] = ()) -> dict[str, int]:
    """The layer (column) of each node: its longest distance from a node with no input.

    Edges that close a cycle (see :func:`back_edges`) are ignored, so cycles are fine.
    """
    return _layers({node: list(graph.successors(node)) for node in graph}, starts)


def _rows(
    nodes: Sequence[LayoutNode], successors: Adjacency, layer_of: Mapping[str, int]
) -> dict[str, int]:
    """A row per node inside its lane, near the mean row of its same-lane predecessors."""
    order = {node.key: index for index, node in enumerate(nodes)}
    lane_of = {node.key: node.lane for node in nodes}
    predecessors: dict[str, list[str]] = {node.key: [] for node in nodes}
    for source, targets in successors.items():
        for target in targets:
            if lane_of[source] == lane_of[target]:
                predecessors[target].append(source)
    groups: dict[tuple[int, str], list[str]] = {}
    for node in sorted(nodes, key=lambda node: (layer_of[node.key], order[node.key])):
        groups.setdefault((layer_of[node.key], node.lane), []).append(node.key)
    rows: dict[str, int] = {}
    for keys in groups.values():  # in layer order, as sorted above
        wanted: dict[str, float] = {}
        for key in keys:
            placed = [rows[pred] for pred in predecessors[key] if pred in rows]
            wanted[key] = sum(placed) / len(placed) if placed else 0.0
        next_free = 0
        for key in sorted(keys, key=lambda key: (wanted[key], order[key])):
            row = max(round(wanted[key]), next_free)
            rows[key] = row
            next_free = row + 1
    return rows


def layout(
    nodes: Sequence[LayoutNode],
    edges: Iterable[tuple[str, str]],
    *,
    lanes: Sequence[str],
    starts: Sequence[str] = (),
    spacing: Spacing | None = None,
) -> Layout:
    """Place ``nodes`` in ``lanes`` (top to bottom), left to right along ``edges``.

    Every node's lane must be one of ``lanes``; a lane with no node still gets a band.
    """
    space = spacing or Spacing()
    successors = _adjacency([node.key for node in nodes], edges)
    layer_of = _layers(successors, starts)
    row_of = _rows(nodes, successors, layer_of)

    column_count = max(layer_of.values(), default=-1) + 1
    column_width = [0.0] * column_count
    for node in nodes:
        column = layer_of[node.key]
        column_width[column] = max(column_width[column], node.width)
    column_x: list[float] = []
    x = space.lane_header + space.lane_padding
    for width in column_width:
        column_x.append(x)
        x += width + space.column_gap
    content_right = x - space.column_gap if column_count else x
    width = content_right + space.lane_padding

    row_height = max((node.height for node in nodes), default=0.0) + space.row_gap
    rows_in_lane = dict.fromkeys(lanes, 1)
    for node in nodes:
        rows_in_lane[node.lane] = max(rows_in_lane[node.lane], row_of[node.key] + 1)
    lane_boxes: dict[str, Box] = {}
    y = space.top
    for lane in lanes:
        height = 2 * space.lane_padding + rows_in_lane[lane] * row_height - space.row_gap
        lane_boxes[lane] = Box(0, y, width, height)
        y += height + space.lane_gap
    height = y - space.lane_gap if lanes else y

    boxes: dict[str, Box] = {}
    for node in nodes:
        column = layer_of[node.key]
        band = lane_boxes[node.lane]
        centre_x = column_x[column] + column_width[column] / 2
        centre_y = band.y + space.lane_padding + row_of[node.key] * row_height
        centre_y += (row_height - space.row_gap) / 2
        boxes[node.key] = Box(
            centre_x - node.width / 2, centre_y - node.height / 2, node.width, node.height
        )
    return Layout(
        boxes=boxes, lanes=lane_boxes, layers=layer_of, rows=row_of, width=width, height=height
    )
