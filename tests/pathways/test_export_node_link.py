"""The ``node-link`` export reads back into the same steps and transitions."""

from __future__ import annotations

import json
from typing import Any

import networkx as nx
import pytest

from pathways.export import export
from pathways.export.attributes import pathway_from_graph
from pathways.model import Pathway
from tests.pathways.test_export_samples import CONTEXT, chain, example, outcomes, tricky


def _scalars_only(data: dict[str, Any]) -> None:
    for value in data.values():
        assert isinstance(value, str | int | float | bool), value


@pytest.mark.parametrize("sample", [example, tricky, chain, outcomes])
def test_node_link_reads_back(sample: Any) -> None:
    pathway: Pathway = sample()
    data = json.loads(export(pathway, "node-link", context=CONTEXT))
    assert "edges" in data
    assert "links" not in data
    graph = nx.node_link_graph(data, edges="edges")
    assert list(graph.nodes) == [step.key for step in pathway.steps]
    assert {(s, t) for s, t in graph.edges} == {(t.source, t.target) for t in pathway.transitions}
    for step in pathway.steps:
        attributes = graph.nodes[step.key]
        _scalars_only(attributes)
        assert attributes["name"] == step.name
        assert attributes["level"] == step.level.value
        assert attributes["kind"] == step.kind.value
        assert attributes["responsible"] == step.responsible
        assert attributes["expected_duration"] == (step.expected_duration or "")
        assert attributes["description"] == step.description
    for transition in pathway.transitions:
        attributes = graph.edges[transition.source, transition.target]
        _scalars_only(attributes)
        assert attributes["key"] == transition.key
        assert attributes["label"] == transition.label
        assert attributes["cross_level"] == pathway.is_cross_level(transition)
        handover = transition.handover
        assert attributes["handover"] is (handover is not None)
        if handover is not None:
            assert attributes["sender_role"] == handover.sender_role
            assert attributes["messages"].split("\n") == list(handover.messages)
            assert attributes["checklist_items"] == len(handover.checklist)
            assert len(json.loads(attributes["checklist"])) == len(handover.checklist)
    _scalars_only(graph.graph)
    assert graph.graph["title"] == pathway.info.title
    assert graph.graph["pathway_id"] == 42
    assert pathway_from_graph(graph) == pathway


def test_node_link_without_context_has_no_context_facts() -> None:
    data = json.loads(export(example(), "node-link"))
    assert "status" not in data["graph"]
