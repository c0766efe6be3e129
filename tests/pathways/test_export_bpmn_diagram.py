"""The BPMN diagram interchange as bpmn.io reads it: every edge around the shapes, every
named element with label bounds, no two labels on top of each other.

Checked on the parsed XML (shapes, waypoints, ``BPMNLabel`` bounds) for the example, a
46-step pathway and a synthetic one of 1,000 steps.
"""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET
from collections.abc import Callable
from functools import cache

import pytest

from benchmarks.exports import synthetic_pathway
from pathways.export import ExportContext, export
from pathways.model import Pathway
from tests.pathways.test_export_samples import example, outcomes, partnership, tricky

BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
DI = "{http://www.omg.org/spec/BPMN/20100524/DI}"
DC = "{http://www.omg.org/spec/DD/20100524/DC}"
WAYPOINT = "{http://www.omg.org/spec/DD/20100524/DI}waypoint"

Rect = tuple[float, float, float, float]  # left, top, right, bottom

SAMPLES: dict[str, Callable[[], Pathway]] = {
    "example": example,
    "tricky": tricky,
    "outcomes": outcomes,
    "partnership": partnership,
    "synthetic-1000": lambda: synthetic_pathway(1000),
}


def _rect(bounds: ET.Element) -> Rect:
    x, y = float(bounds.get("x", "0")), float(bounds.get("y", "0"))
    return x, y, x + float(bounds.get("width", "0")), y + float(bounds.get("height", "0"))


@cache
def _diagram(name: str) -> ET.Element:
    return ET.fromstring(export(SAMPLES[name](), "bpmn", context=ExportContext(language="nb")))


def _through(start: tuple[float, float], end: tuple[float, float], box: Rect) -> bool:
    (x0, y0), (x1, y1) = start, end
    left, top, right, bottom = box
    assert x0 == x1 or y0 == y1, "waypoints run horizontally or vertically"
    if x0 == x1:
        return left < x0 < right and max(min(y0, y1), top) < min(max(y0, y1), bottom)
    return top < y0 < bottom and max(min(x0, x1), left) < min(max(x0, x1), right)


@pytest.mark.parametrize("name", list(SAMPLES))
def test_no_edge_runs_through_another_shape(name: str) -> None:
    root = _diagram(name)
    pools = {element.get("id") for element in root.iter(f"{BPMN}participant")}
    shapes = {
        shape.get("bpmnElement", ""): _rect(shape.find(f"{DC}Bounds"))  # type: ignore[arg-type]
        for shape in root.iter(f"{DI}BPMNShape")
        if shape.get("bpmnElement") not in pools
    }
    ends = {
        element.get("id"): (element.get("sourceRef"), element.get("targetRef"))
        for element in root.iter()
        if element.tag in (f"{BPMN}sequenceFlow", f"{BPMN}messageFlow")
    }
    edges = list(root.iter(f"{DI}BPMNEdge"))
    assert len(edges) == len(ends)
    cell = 200.0  # shapes by the cells of a grid they touch, so 1,000 steps check fast
    grid: dict[tuple[int, int], list[str]] = {}
    for shape, (left, top, right, bottom) in shapes.items():
        for i in range(int(left // cell), int(right // cell) + 1):
            for j in range(int(top // cell), int(bottom // cell) + 1):
                grid.setdefault((i, j), []).append(shape)

    def near(start: tuple[float, float], end: tuple[float, float]) -> set[str]:
        found: set[str] = set()
        for i in range(int(min(start[0], end[0]) // cell), int(max(start[0], end[0]) // cell) + 1):
            for j in range(
                int(min(start[1], end[1]) // cell), int(max(start[1], end[1]) // cell) + 1
            ):
                found.update(grid.get((i, j), ()))
        return found

    through = []
    for edge in edges:
        flow = edge.get("bpmnElement")
        points = [(float(p.get("x", "0")), float(p.get("y", "0"))) for p in edge.iter(WAYPOINT)]
        assert len(points) >= 2
        for start, end in itertools.pairwise(points):
            through += [
                (flow, shape)
                for shape in sorted(near(start, end))
                if shape not in ends[flow] and _through(start, end, shapes[shape])
            ]
    assert through == []


@pytest.mark.parametrize("name", list(SAMPLES))
def test_every_named_element_has_label_bounds_and_no_two_labels_overlap(name: str) -> None:
    root = _diagram(name)
    named = {
        element.get("id")
        for element in root.iter()
        if element.get("name")
        and element.tag.startswith(BPMN)
        and element.tag not in (f"{BPMN}definitions", f"{BPMN}process", f"{BPMN}message")
    }
    labels: dict[str, Rect] = {}
    for element in [*root.iter(f"{DI}BPMNShape"), *root.iter(f"{DI}BPMNEdge")]:
        bounds = element.find(f"{DI}BPMNLabel/{DC}Bounds")
        if bounds is not None:
            labels[element.get("bpmnElement", "")] = _rect(bounds)
    assert named - set(labels) == set()
    ordered = sorted(labels.items(), key=lambda item: item[1][0])
    overlapping = []
    for index, (key, (_left, top, right, bottom)) in enumerate(ordered):
        for other, (other_left, other_top, _other_right, other_bottom) in ordered[index + 1 :]:
            if other_left >= right:
                break
            if top < other_bottom and other_top < bottom:
                overlapping.append((key, other))
    assert overlapping == []
