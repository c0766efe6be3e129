"""The ``dot`` export parses with pydot: every step id and transition intact, one cluster
per level, labels that unescape to the names."""

from __future__ import annotations

import re
import shutil
import subprocess
from typing import Any

import pydot
import pytest

from pathways.export import export
from pathways.export.dot import quote
from pathways.model import Pathway
from tests.pathways.test_export_samples import CONTEXT, NASTY, chain, example, outcomes, tricky

# pydot 4.0 still calls pyparsing's camelCase names, deprecated since pyparsing 3.3.
pytestmark = pytest.mark.filterwarnings("ignore:.*deprecated - use:DeprecationWarning")


def _unquote(text: str) -> str:
    """A DOT double-quoted string read back (as Graphviz reads an escString label)."""
    assert text.startswith('"')
    assert text.endswith('"')
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), text[1:-1])


def _label(node: Any) -> str:
    """A node's label read back; a record's (``{ |text| }``) as its middle field's text."""
    label = _unquote(node.get("label"))
    if node.get("shape") == quote("record"):
        assert label.startswith("{ |")
        assert label.endswith("| }")
        label = label[3:-3]
    return label


def _graph(pathway: Pathway) -> Any:
    graphs = pydot.graph_from_dot_data(export(pathway, "dot", context=CONTEXT).decode("utf-8"))
    assert graphs is not None
    assert len(graphs) == 1
    return graphs[0]


def test_quote_escapes_quotes_backslashes_and_line_breaks() -> None:
    assert quote('a "b" \\ c\nd') == '"a \\"b\\" \\\\ c\\nd"'
    assert _unquote(quote(NASTY)) == NASTY


def _small_chain() -> Pathway:
    return chain(40)  # pydot's parser is slow: a smaller chain keeps the test fast


@pytest.mark.parametrize("sample", [example, tricky, _small_chain, outcomes])
def test_every_step_and_transition_is_intact(sample: Any) -> None:
    pathway: Pathway = sample()
    graph = _graph(pathway)
    clusters = {_unquote(sub.get_name()): sub for sub in graph.get_subgraphs()}
    assert set(clusters) == {"cluster_municipality", "cluster_hospital"}
    for level_name, cluster in clusters.items():
        level = level_name.removeprefix("cluster_")
        nodes = {_unquote(node.get_name()): node for node in cluster.get_nodes()}
        expected = [step for step in pathway.steps if step.level.value == level]
        assert list(nodes) == [step.key for step in expected]
        for step in expected:
            assert _label(nodes[step.key]).split("\n")[0] == step.name
    edges = [
        (_unquote(edge.get_source()), _unquote(edge.get_destination()), edge.get("id"))
        for edge in graph.get_edges()
    ]
    assert edges == [
        (t.source, t.target, quote("transition-" + t.key)) for t in pathway.transitions
    ]


def test_handovers_are_dashed_and_labelled_with_messages() -> None:
    pathway = example()
    graph = _graph(pathway)
    for edge, transition in zip(graph.get_edges(), pathway.transitions, strict=True):
        if transition.handover is not None:
            assert _unquote(edge.get("style")) == "dashed"
            for message in transition.handover.messages:
                assert message in _unquote(edge.get("label"))


def test_findings_colour_steps_and_transitions() -> None:
    text = export(tricky(), "dot", context=CONTEXT).decode()
    assert re.search(r'"subgraph" \[[^\n]*color="#c62828"', text)
    assert re.search(r'"graph" \[[^\n]*color="#ef6c00"', text)
    assert re.search(r'"graph" -> "node" \[[^\n]*color="#c62828"', text)


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")
def test_graphviz_draws_it() -> None:
    result = subprocess.run(
        ["dot", "-Tsvg"],
        input=export(tricky(), "dot", context=CONTEXT),
        capture_output=True,
        check=True,
        timeout=30,
    )
    assert b"Akuttmottak: A\\B" in result.stdout
    assert not result.stderr
