"""The shared swimlane layout: layers by longest path, cycles tolerated, rows per lane."""

from __future__ import annotations

import networkx as nx

from pathways.export.layout import LayoutNode, back_edges, layers, layout


def test_layers_follow_the_longest_path() -> None:
    graph = nx.DiGraph([("a", "b"), ("b", "c"), ("a", "c")])
    assert layers(graph, starts=["a"]) == {"a": 0, "b": 1, "c": 2}


def test_cycles_do_not_crash_and_are_cut_at_the_back_edge() -> None:
    graph = nx.DiGraph([("home", "ed"), ("ed", "ward"), ("ward", "ed"), ("ward", "home2")])
    assert back_edges(graph, starts=["home"]) == {("ward", "ed")}
    assert layers(graph, starts=["home"]) == {"home": 0, "ed": 1, "ward": 2, "home2": 3}
    only_cycle = nx.DiGraph([("a", "b"), ("b", "a")])
    assert sorted(layers(only_cycle).values()) == [0, 1]


def test_layout_places_lanes_and_nodes() -> None:
    nodes = [
        LayoutNode("home", "m", 100, 40),
        LayoutNode("ed", "h", 100, 40),
        LayoutNode("x", "h", 100, 40),
        LayoutNode("y", "h", 100, 40),
        LayoutNode("alone", "m", 100, 40),
    ]
    edges = [("home", "ed"), ("home", "x"), ("ed", "y"), ("x", "y")]
    result = layout(nodes, edges, lanes=["m", "h"], starts=["home"])
    m, h = result.lanes["m"], result.lanes["h"]
    assert m.bottom <= h.y
    for node in nodes:
        lane = result.lanes[node.lane]
        box = result.boxes[node.key]
        assert lane.y <= box.y
        assert box.bottom <= lane.bottom
        assert box.right <= result.width
    assert result.rows["ed"] != result.rows["x"]
    assert result.boxes["ed"].cx == result.boxes["x"].cx
    assert result.boxes["y"].cx > result.boxes["ed"].cx


def test_an_empty_layout_still_has_its_lanes() -> None:
    result = layout([], [], lanes=["m", "h"])
    assert set(result.lanes) == {"m", "h"}
    assert result.boxes == {}
