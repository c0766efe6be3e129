"""The ``graphml`` export loads in networkx with the same steps, transitions, attributes."""

from __future__ import annotations

import io
from typing import Any

import networkx as nx
import pytest
from lxml import etree

from pathways.export import export
from pathways.export.attributes import pathway_from_graph, step_attributes, transition_attributes
from pathways.model import Pathway
from tests.pathways.test_export_samples import CONTEXT, chain, example, outcomes, tricky

GRAPHML = "{http://graphml.graphdrawing.org/xmlns}"


@pytest.mark.parametrize("sample", [example, tricky, chain, outcomes])
def test_graphml_reads_back(sample: Any) -> None:
    pathway: Pathway = sample()
    data = export(pathway, "graphml", context=CONTEXT)
    graph = nx.read_graphml(io.BytesIO(data))
    assert list(graph.nodes) == [step.key for step in pathway.steps]
    for step in pathway.steps:
        assert graph.nodes[step.key] == step_attributes(step)
    for transition in pathway.transitions:
        attributes = dict(graph.edges[transition.source, transition.target])
        assert attributes.pop("id") == transition.key
        assert attributes.pop("order") == pathway.transitions.index(transition)
        assert attributes == transition_attributes(pathway, transition)
    assert pathway_from_graph(graph) == pathway


def test_graphml_has_no_missing_values_and_edge_ids() -> None:
    root = etree.fromstring(export(tricky(), "graphml"))
    keys = {key.get("id") for key in root.iter(f"{GRAPHML}key")}
    for element in [*root.iter(f"{GRAPHML}node"), *root.iter(f"{GRAPHML}edge")]:
        present = {data.get("key") for data in element.iter(f"{GRAPHML}data")}
        kind = element.tag.removeprefix(GRAPHML)
        expected = {key.get("id") for key in root.iter(f"{GRAPHML}key") if key.get("for") == kind}
        assert present == expected & keys
    edge_ids = sorted(edge.get("id") or "" for edge in root.iter(f"{GRAPHML}edge"))
    assert edge_ids == sorted(transition.key for transition in tricky().transitions)
