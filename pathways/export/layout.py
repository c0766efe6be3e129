"""A layered swimlane layout shared by the pictures (SVG, HTML, PDF) and the BPMN diagram.

Lanes are horizontal bands stacked top to bottom; nodes go left to right in columns. It is
the Sugiyama method, with the lanes as a constraint:

1. **Cycles.** The edges that close a cycle in a depth-first search from the starts (in
   document order) are turned around for the layout, so a pathway with a readmission loop
   is laid out like the same pathway without it; the loop is drawn back against the flow.
2. **Columns.** Each node's column is its longest distance from the starts, an edge with a
   label counting two (its label gets the column in between); then nodes with more
   outputs than inputs move right towards what follows them, to shorten long edges.
3. **Virtual nodes.** An edge that spans columns gets a virtual node in each column it
   passes: its label in the first, a thin slot in the others. So every edge runs between
   neighbouring columns, and every column has a slot for everything that passes it.
4. **Order.** Within a column, nodes keep to their lane; inside a lane they are ordered by
   the mean position of their neighbours, sweeping left and right, keeping the order with
   the fewest crossings.
5. **Rows.** A node's height in its lane is the median of its neighbours' (so chains and
   long edges run straight), placed in order with room between (least squares, by
   pooling adjacent violators).
6. **Routes.** Edges are orthogonal: out of the source's right side, along its row to a
   vertical track of its own in the gap between the columns, along the track, and into
   the next slot's left side. Shapes and labels sit only inside columns and tracks only in
   the gaps, so **no edge passes through a shape or a label**; tracks are spread apart
   and ordered to avoid crossings, and a gap is as wide as its tracks need.

Everything is deterministic for a given input order.

>>> nodes = [LayoutNode("home", "m", 100, 40), LayoutNode("ed", "h", 100, 40)]
>>> result = layout(nodes, [LayoutEdge("go", "home", "ed", label=(60, 20))], lanes=["m", "h"])
>>> result.layers["home"], result.layers["ed"]
(0, 2)
>>> result.routes["go"][0] == (result.boxes["home"].right, result.boxes["home"].cy)
True
>>> result.labels["go"].x > result.boxes["home"].right
True
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import networkx as nx

__all__ = [
    "Box",
    "Layout",
    "LayoutEdge",
    "LayoutNode",
    "Point",
    "Spacing",
    "back_edges",
    "layers",
    "layout",
]

Point = tuple[float, float]


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

    def overlaps(self, other: Box) -> bool:
        """Whether the two boxes share more than an edge."""
        return (
            self.x < other.right
            and other.x < self.right
            and self.y < other.bottom
            and other.y < self.bottom
        )


@dataclass(frozen=True, slots=True)
class LayoutNode:
    """A node to place: its key, its lane and the size of its shape.

    ``label`` is the size of a label drawn below the shape (a BPMN event's name), for
    which the layout keeps room; ``spread`` says whether edges meet the shape at points
    spread along its side (a box) or all at the middle of the side (a circle, a diamond).
    """

    key: str
    lane: str
    width: float
    height: float
    label: tuple[float, float] | None = None
    spread: bool = True


@dataclass(frozen=True, slots=True)
class LayoutEdge:
    """An edge to route; ``label`` is the size of its label, if it has one."""

    key: str
    source: str
    target: str
    label: tuple[float, float] | None = None


@dataclass(frozen=True, slots=True)
class Spacing:
    """Distances of a layout, in the unit of the node sizes (pixels)."""

    lane_header: float = 150
    """Width of the band at the left of each lane that holds its name."""
    lane_padding: float = 20
    lane_gap: float = 0
    column_gap: float = 40
    """The narrowest gap between two columns (wider where more tracks pass)."""
    row_gap: float = 24
    """The least room between two things above each other in a column."""
    track_gap: float = 9
    """Room between two vertical tracks in a gap, and between a track and a column."""
    slot: float = 6
    """Height of the slot an edge takes in a column it passes."""
    top: float = 0
    """Space above the first lane (for a title)."""


@dataclass(frozen=True, slots=True)
class Layout:
    """Where everything goes.

    ``boxes`` has the shape of each node, ``node_labels`` the label below the nodes that
    asked for one, ``labels`` the label of each edge that has one, ``routes`` each edge's
    orthogonal polyline from the source's boundary to the target's (where the arrow
    ends), ``layers`` each node's column and ``columns`` each column's extent.
    """

    boxes: Mapping[str, Box]
    lanes: Mapping[str, Box]
    layers: Mapping[str, int]
    routes: Mapping[str, tuple[Point, ...]]
    labels: Mapping[str, Box]
    node_labels: Mapping[str, Box]
    columns: tuple[tuple[float, float], ...]
    width: float
    height: float
    header: float = 0
    """Width of the lane headers at the left (repeated on every page of a print)."""

    def pages(self, width: float) -> tuple[tuple[float, float], ...]:
        """Ranges of x, each at most ``width`` wide (headers not counted from the second
        on), that together cover the picture, cut in the middle of gaps between columns.

        A column wider than ``width`` gets a page of its own (and is cut).
        """
        if not self.columns:
            return ((0.0, self.width),)
        count = len(self.columns)

        def cut_after(index: int) -> float:
            if index + 1 >= count:
                return self.width
            return (self.columns[index][1] + self.columns[index + 1][0]) / 2

        ranges: list[tuple[float, float]] = []
        start, index, room = 0.0, 0, width
        while index < count:
            last = index
            while last + 1 < count and cut_after(last + 1) - start <= room:
                last += 1
            end = cut_after(last)
            ranges.append((start, end))
            start, index, room = end, last + 1, width - self.header
        return tuple(ranges)


def _depth_first(successors: Mapping[str, Iterable[str]], starts: Sequence[str]) -> set[Edge]:
    """The edges that close a cycle in a depth-first search from ``starts``, then from
    every node not yet seen, children in the order given."""
    state: dict[str, int] = {}  # 1: on the stack, 2: done
    found: set[Edge] = set()
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


def _by_distance(successors: Mapping[str, Sequence[str]], starts: Sequence[str]) -> set[Edge]:
    """The edges that close a cycle, read by distance from ``starts``: an edge to a node
    no further from the start than its source is a way back; of those, the ones that
    jump back least are kept where they close no cycle (a merge of branches of unequal
    length), the rest are turned (a readmission loop, however far down the search went).

    Unlike a depth-first search, this never turns an edge of a loop's body because the
    search happened to reach the loop's first step through the loop.
    """
    distance = _distances(successors, starts)
    component: dict[str, int] = {}
    graph = nx.DiGraph()
    graph.add_nodes_from(successors)
    graph.add_edges_from(
        (node, child) for node, children in successors.items() for child in children
    )
    for index, nodes in enumerate(nx.strongly_connected_components(graph)):
        for node in nodes:
            component[node] = index
    kept: dict[str, list[str]] = {node: [] for node in successors}
    back: list[tuple[int, int, Edge]] = []
    for node, children in successors.items():
        for child in children:
            if distance[child] > distance[node] or component[child] != component[node]:
                kept[node].append(child)
            elif child != node:
                back.append((distance[node] - distance[child], len(back), (node, child)))
    found: set[Edge] = set()
    for _jump, _rank, (node, child) in sorted(back):
        if _reaches(kept, child, node):
            found.add((node, child))
        else:
            kept[node].append(child)
    return found


def _distances(successors: Mapping[str, Sequence[str]], starts: Sequence[str]) -> dict[str, int]:
    """Each node's distance in edges from ``starts`` (breadth first), then, for nodes
    not reached, from each of them in order."""
    distance: dict[str, int] = {}
    roots = [node for node in starts if node in successors]
    for frontier in [roots, *([node] for node in successors)]:
        frontier = [node for node in frontier if node not in distance]
        distance.update(dict.fromkeys(frontier, 0))
        while frontier:
            following = []
            for node in frontier:
                for child in successors[node]:
                    if child not in distance:
                        distance[child] = distance[node] + 1
                        following.append(child)
            frontier = following
    return distance


def _reaches(successors: Mapping[str, Sequence[str]], source: str, target: str) -> bool:
    seen = {source}
    stack = [source]
    while stack:
        for child in successors[stack.pop()]:
            if child == target:
                return True
            if child not in seen:
                seen.add(child)
                stack.append(child)
    return False


def _back_edges(
    successors: Mapping[str, Sequence[str]],
    starts: Sequence[str],
    lane_of: Mapping[str, str] | None = None,
) -> set[Edge]:
    """Edges to turn around so that the graph has no cycle.

    Depth-first searches from ``starts`` find them; which edges close a cycle depends
    on the order children are visited in, so three orders are tried: the document's,
    its reverse, and (given lanes) the other lane first, which follows a pathway from
    home into the hospital before it follows the ways back home. A fourth candidate
    reads the edges by distance from the start (:func:`_by_distance`). The one that
    turns the fewest edges wins (then the one with the shortest edges, then the earlier
    one).
    """
    orders: list[Mapping[str, Sequence[str]]] = [
        successors,
        {node: children[::-1] for node, children in successors.items()},
    ]
    if lane_of is not None:
        orders.insert(
            0,
            {
                node: sorted(children, key=lambda child: lane_of[child] == lane_of[node])
                for node, children in successors.items()
            },
        )
    candidates = [_depth_first(order, starts) for order in orders]
    candidates.append(_by_distance(successors, starts))
    best: tuple[int, int, int] | None = None
    chosen: set[Edge] = set()
    for rank, found in enumerate(candidates):
        column = _columns(successors, found)
        span = sum(
            abs(column[child] - column[node])
            for node, children in successors.items()
            for child in children
        )
        score = (len(found), span, rank)
        if best is None or score < best:
            best, chosen = score, found
    return chosen


Edge = tuple[str, str]


def _longest_path(nodes: Sequence[str], forward: Sequence[tuple[str, str, int]]) -> dict[str, int]:
    """Each node's column: its longest distance (edges weighted) from a node with no input."""
    successors: dict[str, list[tuple[str, int]]] = {node: [] for node in nodes}
    waiting = dict.fromkeys(nodes, 0)
    for source, target, length in forward:
        successors[source].append((target, length))
        waiting[target] += 1
    column = dict.fromkeys(nodes, 0)
    ready = [node for node in nodes if waiting[node] == 0]
    for node in ready:  # grows while it is walked: Kahn's topological order
        for child, length in successors[node]:
            column[child] = max(column[child], column[node] + length)
            waiting[child] -= 1
            if waiting[child] == 0:
                ready.append(child)
    # Nodes with more outputs than inputs move right, next to what follows them.
    incoming: dict[str, list[tuple[str, int]]] = {node: [] for node in nodes}
    for source, target, length in forward:
        incoming[target].append((source, length))
    for node in reversed(ready):
        outputs = successors[node]
        if not outputs or len(outputs) <= len(incoming[node]):
            continue
        latest = min(column[child] - length for child, length in outputs)
        if latest > column[node]:
            column[node] = latest
    return column


def _columns(successors: Mapping[str, Sequence[str]], turned: set[Edge]) -> dict[str, int]:
    """Each node's column by longest path, every edge counting one, ``turned`` ones
    turned around (which changes no column: the edge's ends are already in that order);
    a self-loop counts for nothing."""
    forward = [
        (child, node, 1) if (node, child) in turned else (node, child, 1)
        for node, children in successors.items()
        for child in children
        if child != node
    ]
    return _longest_path(list(successors), forward)


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
    successors = {node: list(graph.successors(node)) for node in graph}
    return _columns(successors, _back_edges(successors, starts))


@dataclass(slots=True)
class _Slot:
    """A node of the layered graph: a real node, an edge's label, or an edge passing."""

    key: str
    lane: int
    column: int
    width: float
    height: float
    """Height of the slot: the shape and the label below it, or the edge's label."""
    real: bool
    order: float = 0.0
    rank: int = 0
    """The slot's place in its column while the columns are ordered."""
    y: float = 0.0
    """The top of the slot, inside its lane."""
    left: list[_Segment] = field(default_factory=list)
    right: list[_Segment] = field(default_factory=list)
    spread: bool = True
    port: float | None = None
    """For an edge's slot: where the edge runs, from the slot's top."""
    shape: float = 0.0
    """For a real node: the height of its shape (the top part of the slot)."""


@dataclass(slots=True)
class _Segment:
    """One piece of an edge, between neighbouring columns, left to right."""

    edge: int
    left: _Slot
    right: _Slot
    left_y: float = 0.0
    right_y: float = 0.0
    track: float = 0.0


def _crossings(order: Sequence[_Slot]) -> int:
    """Crossings of the segments leaving ``order`` (a column, top to bottom) rightwards,
    by the ranks of their right ends."""
    targets: list[int] = []
    for slot in order:
        if len(slot.right) == 1:
            targets.append(slot.right[0].right.rank)
        elif slot.right:
            targets.extend(sorted(segment.right.rank for segment in slot.right))
    # Count inversions with a sorted list (small columns: fast enough, no extra code).
    seen: list[int] = []
    count = 0
    for value in reversed(targets):
        count += bisect.bisect_left(seen, value)
        bisect.insort(seen, value)
    return count


_STALE = 3
"""Sweeps without fewer crossings after which the ordering stops."""


def _order(columns: list[list[_Slot]], budget: int) -> None:
    """Order each column by barycentres, lanes kept together, for up to ``budget`` sweeps
    or until :data:`_STALE` sweeps in a row bring no fewer crossings; keep the best order
    seen."""

    def rank(column: list[_Slot]) -> None:
        for index, slot in enumerate(column):
            slot.rank = index

    def total() -> int:
        return sum(_crossings(column) for column in columns)

    for column in columns:
        rank(column)
    best, since = total(), 0
    best_orders = [list(column) for column in columns]
    for sweep in range(budget):
        forward = sweep % 2 == 0
        indices = range(1, len(columns)) if forward else range(len(columns) - 2, -1, -1)
        for index in indices:
            column = columns[index]
            for slot in column:
                segments = slot.left if forward else slot.right
                if len(segments) == 1:
                    end = segments[0].left if forward else segments[0].right
                    slot.order = end.rank
                elif segments:
                    ends = [
                        (segment.left if forward else segment.right).rank for segment in segments
                    ]
                    slot.order = sum(ends) / len(ends)
                else:
                    slot.order = slot.rank
            column.sort(key=_lane_then_order)
            rank(column)
        crossings = total()
        if crossings < best:
            best, since = crossings, 0
            best_orders = [list(column) for column in columns]
        else:
            since += 1
        if best == 0 or since == _STALE:
            break
    for index, order in enumerate(best_orders):
        columns[index][:] = order


def _lane_then_order(slot: _Slot) -> tuple[int, float]:
    return (slot.lane, slot.order)


def _pool(wanted: Sequence[float], heights: Sequence[float], gap: float) -> list[float]:
    """Tops nearest ``wanted`` (least squares) keeping order, ``gap`` apart, none below 0."""
    if wanted[0] >= 0:
        for index in range(len(wanted) - 1):
            if wanted[index + 1] < wanted[index] + heights[index] + gap:
                break
        else:
            return list(wanted)  # already apart: nothing to pool
    offsets: list[float] = []
    offset = 0.0
    for height in heights:
        offsets.append(offset)
        offset += height + gap
    blocks: list[list[float]] = []  # [sum, count, first index]
    for index, value in enumerate(wanted):
        blocks.append([value - offsets[index], 1.0, float(index)])
        while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] > blocks[-1][0] / blocks[-1][1]:
            total, count, _first = blocks.pop()
            blocks[-1][0] += total
            blocks[-1][1] += count
    tops: list[float] = []
    for total, count, _first in blocks:
        level = max(0.0, total / count)
        tops.extend([level] * int(count))
    return [top + offsets[index] for index, top in enumerate(tops)]


def _median(values: Sequence[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def _rows(columns: list[list[_Slot]], lanes: int, gap: float, sweeps: int) -> None:
    """Give each slot its top inside its lane, near its neighbours' rows: up to
    ``sweeps`` sweeps, alternately forwards and backwards, until nothing moves."""
    groups: list[list[_Slot]] = []
    for column in columns:
        for lane in range(lanes):
            slots = [slot for slot in column if slot.lane == lane]
            y = 0.0
            for slot in slots:
                slot.y = y
                y += slot.height + gap
            if slots:
                groups.append(slots)

    def anchor_offset(slot: _Slot) -> float:
        return slot.port if slot.port is not None else (slot.shape or slot.height) / 2

    # Per group: for each slot, its neighbours in its lane with the distance from their
    # tops to its top when the edges between them run level (slots are kept to read
    # slot.y fresh), and the heights.
    plans = []
    for group in groups:
        neighbours = []
        for slot in group:
            offset = anchor_offset(slot)
            neighbours.append(
                [
                    (segment.left, anchor_offset(segment.left) - offset)
                    for segment in slot.left
                    if segment.left.lane == slot.lane
                ]
                + [
                    (segment.right, anchor_offset(segment.right) - offset)
                    for segment in slot.right
                    if segment.right.lane == slot.lane
                ]
            )
        plans.append((group, neighbours, [slot.height for slot in group]))
    for sweep in range(sweeps):
        moved = 0.0
        for group, neighbours, heights in plans if sweep % 2 == 0 else plans[::-1]:
            wanted = []
            for slot, near in zip(group, neighbours, strict=True):
                if not near:
                    wanted.append(slot.y)
                elif len(near) == 1:
                    other, distance = near[0]
                    wanted.append(other.y + distance)
                else:
                    wanted.append(_median([other.y + distance for other, distance in near]))
            tops = _pool(wanted, heights, gap) if len(group) > 1 else [max(0.0, wanted[0])]
            for slot, top in zip(group, tops, strict=True):
                change = abs(top - slot.y)
                if change > moved:
                    moved = change
                slot.y = top
        if moved < 0.5:
            break


_JOG = 16.0
"""A bend smaller than this is taken out where a box's side has room for it."""


def _unbend(segment: _Segment, top_of: Callable[[_Slot], float]) -> None:
    """Make a segment with a small bend straight by moving its end on a box whose side
    it has to itself (a box's side, not a circle's or a diamond's: they are met in the
    middle)."""
    difference = segment.right_y - segment.left_y
    if difference == 0 or abs(difference) > _JOG:
        return
    for slot, side, wanted in (
        (segment.right, segment.right.left, segment.left_y),
        (segment.left, segment.left.right, segment.right_y),
    ):
        if not (slot.real and slot.spread and len(side) == 1):
            continue
        top = top_of(slot)
        if top + 6 <= wanted <= top + slot.shape - 6:
            if slot is segment.right:
                segment.right_y = wanted
            else:
                segment.left_y = wanted
            return


def _straighten(
    columns: list[list[_Slot]], chains: Mapping[int, list[_Segment]], gap: float
) -> None:
    """Run each long edge at one height where its slots have room for it, so it does
    not climb in steps from column to column."""
    neighbours: dict[int, tuple[_Slot | None, _Slot | None]] = {}
    for column in columns:
        for index, slot in enumerate(column):
            up = column[index - 1] if index > 0 and column[index - 1].lane == slot.lane else None
            down = (
                column[index + 1]
                if index + 1 < len(column) and column[index + 1].lane == slot.lane
                else None
            )
            neighbours[id(slot)] = (up, down)

    def fits(slot: _Slot, y: float) -> bool:
        up, down = neighbours[id(slot)]
        if y < 0 or (up is not None and y < up.y + up.height + gap):
            return False
        return down is None or y + slot.height <= down.y - gap

    for chain in chains.values():
        passing = [segment.right for segment in chain[:-1] if segment.right.width == 0.0]
        if len(passing) < 2:
            continue
        for run in (passing, passing[::-1]):
            height = run[0].y
            for slot in run[1:]:
                if slot.y != height and fits(slot, height):
                    slot.y = height
                height = slot.y


def _ports(slot: _Slot, segments: list[_Segment], side: str, top: float) -> None:
    """Where each segment meets ``slot`` on ``side``: spread along a box's side in the
    order of their other ends, or all at the middle."""
    if not segments:
        return
    if slot.port is not None or not slot.spread or len(segments) == 1:
        y = round(top + (slot.port if slot.port is not None else slot.shape / 2), 1)
        for segment in segments:
            if side == "right":
                segment.left_y = y
            else:
                segment.right_y = y
        return

    def other(segment: _Segment) -> tuple[float, int]:
        end = segment.right if side == "right" else segment.left
        return (end.y + end.lane * 1e6, segment.edge)

    ordered = sorted(segments, key=other)
    span = min(slot.shape * 0.6, 14.0 * (len(ordered) - 1))
    step = span / (len(ordered) - 1)
    start = top + slot.shape / 2 - span / 2
    for index, segment in enumerate(ordered):
        y = round(start + index * step, 1)
        if side == "right":
            segment.left_y = y
        else:
            segment.right_y = y


def layout(
    nodes: Sequence[LayoutNode],
    edges: Iterable[LayoutEdge],
    *,
    lanes: Sequence[str],
    starts: Sequence[str] = (),
    spacing: Spacing | None = None,
) -> Layout:
    """Place ``nodes`` in ``lanes`` (top to bottom), left to right along ``edges``, and
    route the edges (see the module's description).

    Every node's lane must be one of ``lanes``; a lane with no node still gets a band.
    """
    space = spacing or Spacing()
    edge_list = list(edges)
    lane_index = {lane: index for index, lane in enumerate(lanes)}
    successors: dict[str, list[str]] = {node.key: [] for node in nodes}
    for edge in edge_list:
        successors[edge.source].append(edge.target)
    cyclic = _back_edges(successors, starts, {node.key: node.lane for node in nodes})

    # Edges in the layout's direction (loops turned around); self-loops are drawn apart.
    oriented: list[tuple[int, str, str, bool]] = []
    for index, edge in enumerate(edge_list):
        if edge.source == edge.target:
            continue
        if (edge.source, edge.target) in cyclic:
            oriented.append((index, edge.target, edge.source, True))
        else:
            oriented.append((index, edge.source, edge.target, False))
    lengths = [
        (source, target, 2 if edge_list[index].label else 1)
        for index, source, target, _ in oriented
    ]
    column_of = _longest_path([node.key for node in nodes], lengths)

    count = max(column_of.values(), default=-1) + 1
    columns: list[list[_Slot]] = [[] for _ in range(count)]
    slots: dict[str, _Slot] = {}
    for node in nodes:
        label_height = node.label[1] + 4 if node.label else 0.0
        width = max(node.width, node.label[0] if node.label else 0.0)
        slot = _Slot(
            node.key,
            lane_index[node.lane],
            column_of[node.key],
            width,
            node.height + label_height,
            True,
            spread=node.spread,
            shape=node.height,
        )
        slots[node.key] = slot
        columns[slot.column].append(slot)

    chains: dict[int, list[_Segment]] = {}
    label_slots: dict[int, _Slot] = {}
    for index, source, target, _reversed in oriented:
        edge = edge_list[index]
        first, last = slots[source], slots[target]
        lane = first.lane
        previous = first
        chain: list[_Segment] = []
        for passed in range(first.column + 1, last.column):
            if passed == first.column + 1 and edge.label:
                width, height = edge.label
                slot = _Slot(f"{edge.key}#label", lane, passed, width, height + 4, False)
                slot.port = height + 4
                label_slots[index] = slot
            else:
                slot = _Slot(f"{edge.key}#{passed}", lane, passed, 0.0, space.slot, False)
                slot.port = space.slot / 2
            columns[passed].append(slot)
            segment = _Segment(index, previous, slot)
            previous.right.append(segment)
            slot.left.append(segment)
            chain.append(segment)
            previous = slot
        segment = _Segment(index, previous, last)
        previous.right.append(segment)
        last.left.append(segment)
        chain.append(segment)
        chains[index] = chain

    # Start from the document's order, lanes kept together.
    for column in columns:
        for rank, slot in enumerate(column):
            slot.order = rank
        column.sort(key=_lane_then_order)
    size = sum(len(column) for column in columns)
    budget = 12 if size < 1500 else 4 if size < 6000 else 2
    _order(columns, budget)
    _rows(columns, len(lanes), space.row_gap, 8 if size < 1500 else 6 if size < 6000 else 4)
    _straighten(columns, chains, space.row_gap)

    # Lanes: as tall as their tallest column.
    lane_height = [0.0] * len(lanes)
    for column in columns:
        for slot in column:
            lane_height[slot.lane] = max(lane_height[slot.lane], slot.y + slot.height)
    lane_boxes_y: list[float] = []
    y = space.top
    for index in range(len(lanes)):
        lane_boxes_y.append(y)
        height = 2 * space.lane_padding + max(lane_height[index], 0.0)
        lane_height[index] = height
        y += height + space.lane_gap
    total_height = y - space.lane_gap if lanes else y

    def top_of(slot: _Slot) -> float:
        return lane_boxes_y[slot.lane] + space.lane_padding + slot.y

    for column in columns:
        for slot in column:
            _ports(slot, slot.right, "right", top_of(slot))
            _ports(slot, slot.left, "left", top_of(slot))
    for column in columns:
        for slot in column:
            for segment in slot.right:
                _unbend(segment, top_of)

    # Tracks: each bending segment gets one in its gap; gaps as wide as they need.
    gaps: list[list[_Segment]] = [[] for _ in range(max(count - 1, 0))]
    for column in columns:
        for slot in column:
            for segment in slot.right:
                if segment.left_y != segment.right_y:
                    gaps[slot.column].append(segment)
    column_width = [max((slot.width for slot in column), default=0.0) for column in columns]
    column_x: list[float] = []
    x = space.lane_header + space.lane_padding
    gap_x: list[float] = []
    for index, width in enumerate(column_width):
        column_x.append(x)
        x += width
        if index < len(gaps):
            tracks = len(gaps[index])
            gap = max(space.column_gap, (tracks + 1) * space.track_gap)
            gap_x.append(x)
            _tracks(gaps[index], x, gap)
            x += gap
    content_right = x
    total_width = content_right + space.lane_padding

    boxes: dict[str, Box] = {}
    node_labels: dict[str, Box] = {}
    for node in nodes:
        slot = slots[node.key]
        centre = column_x[slot.column] + column_width[slot.column] / 2
        top = top_of(slot)
        boxes[node.key] = Box(centre - node.width / 2, top, node.width, node.height)
        if node.label:
            width, height = node.label
            node_labels[node.key] = Box(centre - width / 2, top + node.height + 4, width, height)
    labels: dict[str, Box] = {}
    for index, slot in label_slots.items():
        width, height = edge_list[index].label or (0.0, 0.0)
        centre = column_x[slot.column] + column_width[slot.column] / 2
        labels[edge_list[index].key] = Box(centre - width / 2, top_of(slot), width, height)

    def left_x(slot: _Slot) -> float:
        if slot.real:
            return boxes[slot.key].x
        return column_x[slot.column]

    def right_x(slot: _Slot) -> float:
        if slot.real:
            return boxes[slot.key].right
        return column_x[slot.column] + column_width[slot.column]

    routes: dict[str, tuple[Point, ...]] = {}
    for index, _source, _target, turned in oriented:
        points: list[Point] = []
        for segment in chains[index]:
            begin: Point = (right_x(segment.left), segment.left_y)
            finish: Point = (left_x(segment.right), segment.right_y)
            if not points or points[-1] != begin:
                points.append(begin)
            if segment.left_y != segment.right_y:
                points.append((segment.track, segment.left_y))
                points.append((segment.track, segment.right_y))
            else:
                finish = (finish[0], segment.left_y)
            points.append(finish)
        route = _simplify(points)
        routes[edge_list[index].key] = tuple(reversed(route)) if turned else tuple(route)
    for edge in edge_list:
        if edge.source == edge.target:
            box = boxes[edge.source]
            routes[edge.key] = _self_loop(box)

    lane_boxes = {
        lane: Box(0.0, lane_boxes_y[index], total_width, lane_height[index])
        for index, lane in enumerate(lanes)
    }
    return Layout(
        boxes=boxes,
        lanes=lane_boxes,
        layers=column_of,
        routes=routes,
        labels=labels,
        node_labels=node_labels,
        columns=tuple(
            (column_x[index], column_x[index] + column_width[index]) for index in range(count)
        ),
        width=total_width,
        height=total_height,
        header=space.lane_header,
    )


def _tracks(segments: list[_Segment], left: float, gap: float) -> None:
    """Spread the vertical tracks of ``segments`` over the gap from ``left``.

    A segment going down that starts higher runs further right (so the two do not
    cross); going up, the one that starts lower runs further right. Where one segment's
    first row is another's last row, the first one's track comes first, so the two
    horizontal pieces do not lie on top of each other.
    """
    if not segments:
        return

    def key(segment: _Segment) -> tuple[int, float, int]:
        if segment.right_y > segment.left_y:
            return (0, -segment.left_y, segment.edge)
        return (1, segment.left_y, segment.edge)

    ordered = sorted(segments, key=key)
    ending = {round(segment.right_y, 1): segment for segment in ordered}
    for segment in list(ordered):
        clash = ending.get(round(segment.left_y, 1))
        if clash is None or clash is segment:
            continue
        mine, theirs = ordered.index(segment), ordered.index(clash)
        if mine > theirs:  # this one must come first
            ordered.pop(mine)
            ordered.insert(theirs, segment)
    step = gap / (len(ordered) + 1)
    for index, segment in enumerate(ordered):
        segment.track = round(left + step * (index + 1), 1)


def _simplify(points: list[Point]) -> list[Point]:
    """``points`` without repeats and without middle points of straight runs."""
    kept: list[Point] = []
    for point in points:
        if kept and kept[-1] == point:
            continue
        if len(kept) >= 2:
            (x0, y0), (x1, y1) = kept[-2], kept[-1]
            if (x0 == x1 == point[0]) or (y0 == y1 == point[1]):
                kept[-1] = point
                continue
        kept.append(point)
    return kept


def _self_loop(box: Box) -> tuple[Point, ...]:
    """Out of the right side, over the top and back into it."""
    return (
        (box.right, box.cy - 6),
        (box.right + 14, box.cy - 6),
        (box.right + 14, box.y - 12),
        (box.cx, box.y - 12),
        (box.cx, box.y),
    )
