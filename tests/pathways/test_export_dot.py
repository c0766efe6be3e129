"""The ``dot`` export parses with pydot: every step id and transition intact, one cluster
per level, labels that unescape to the names, and a legend in the reader's language that
takes no part in the pathway's graph."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from typing import Any

import pydot
import pytest

from pathways.export import ExportContext, export
from pathways.export._text import message_label
from pathways.export.dot import quote
from pathways.model import Level, Pathway, PathwayInfo, Step, StepKind, Transition
from tests.pathways.test_export_samples import (
    CONTEXT,
    NASTY,
    assert_in_language,
    chain,
    example,
    outcomes,
    partnership,
    tricky,
)

NEEDS_DOT = pytest.mark.skipif(
    shutil.which("dot") is None and not os.environ.get("CI"),
    reason="Graphviz is not installed (apt-get install -y graphviz); CI installs it",
)
"""Graphviz's own ``dot`` reads the exports; under CI a missing ``dot`` fails the test."""

LEVEL_CLUSTERS = {"cluster_municipality", "cluster_hospital"}
ISO_DURATION = re.compile(r"\bP(T?\d)")
_DOT_TEXT = re.compile(r'\b(?:label|tooltip)=("(?:[^"\\]|\\.)*")')

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


def _graph(pathway: Pathway, context: ExportContext = CONTEXT) -> Any:
    graphs = pydot.graph_from_dot_data(export(pathway, "dot", context=context).decode("utf-8"))
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
    assert set(clusters) == {*LEVEL_CLUSTERS, "cluster_legend"}
    for level_name, cluster in clusters.items():
        if level_name not in LEVEL_CLUSTERS:
            continue
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
                assert message_label(message, "en") in _unquote(edge.get("label"))


def test_findings_colour_steps_and_transitions() -> None:
    text = export(tricky(), "dot", context=CONTEXT).decode()
    assert re.search(r'"subgraph" \[[^\n]*color="#c62828"', text)
    assert re.search(r'"graph" \[[^\n]*color="#ef6c00"', text)
    assert re.search(r'"graph" -> "node" \[[^\n]*color="#c62828"', text)


@NEEDS_DOT
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


def _legend(graph: Any) -> Any:
    (legend,) = [sub for sub in graph.get_subgraphs() if sub.get_name() == quote("cluster_legend")]
    return legend


def _nb(**more: Any) -> ExportContext:
    return ExportContext(status="approved", version=3, language="nb", **more)


LEGEND_WORDS = {
    "en": ("Legend", "Step", "Transition within a level", "Handover between levels", "Home"),
    "nb": ("Tegnforklaring", "Trinn", "Overgang innen nivået", "meldinger og frist", "Hjemme"),
    "nn": ("Teiknforklaring", "Trinn", "Overgang innan nivået", "meldingar og frist", "Heime"),
}


@pytest.mark.parametrize("language", list(LEGEND_WORDS))
def test_the_legend_is_in_the_readers_language(language: str) -> None:
    legend = _legend(_graph(example(), ExportContext(language=language)))
    texts = [_unquote(legend.get("label"))]
    texts += [_label(node) for node in legend.get_nodes()]
    texts += [_unquote(edge.get("label")) for edge in legend.get_edges()]
    joined = "\n".join(texts)
    assert_in_language(joined, LEGEND_WORDS[language], language)


def test_the_legend_samples_the_arrows() -> None:
    legend = _legend(_graph(example(), _nb()))
    edges = {_unquote(edge.get("id")): edge for edge in legend.get_edges()}
    assert set(edges) == {"legend-transition", "legend-handover"}
    assert edges["legend-transition"].get("style") is None
    assert _unquote(edges["legend-transition"].get("label")) == "Overgang innen nivået"
    handover = edges["legend-handover"]
    assert _unquote(handover.get("style")) == "dashed"
    assert _unquote(handover.get("color")) == "#6a1b9a"  # as the pathway's handovers
    assert _unquote(handover.get("label")) == "Overlevering mellom nivåene:\nmeldinger og frist"


@pytest.mark.parametrize("sample", [example, tricky, outcomes, partnership])
def test_the_legend_takes_no_part_in_the_pathway(sample: Any) -> None:
    pathway: Pathway = sample()
    graph = _graph(pathway)
    legend = _legend(graph)
    names = {_unquote(node.get_name()) for node in legend.get_nodes()}
    keys = {step.key for step in pathway.steps}
    assert names
    assert all(name.startswith("legend:") for name in names)
    assert not names & keys
    for edge in legend.get_edges():
        assert {_unquote(edge.get_source()), _unquote(edge.get_destination())} <= names
    for edge in graph.get_edges():  # the pathway's edges, outside every cluster
        assert {_unquote(edge.get_source()), _unquote(edge.get_destination())} <= keys
    defaults = {"node", "edge", "graph"}  # attribute statements, which pydot lists as nodes
    assert {node.get_name() for node in graph.get_nodes()} <= defaults  # none outside a cluster


def test_the_legend_shows_the_shapes_and_outlines_that_are_drawn() -> None:
    def legend_nodes(pathway: Pathway, context: ExportContext) -> dict[str, Any]:
        nodes = _legend(_graph(pathway, context)).get_nodes()
        return {_unquote(node.get_name()).removeprefix("legend:"): node for node in nodes}

    shown = legend_nodes(outcomes(), _nb())
    assert _label(shown["death"]) == "Død"
    assert _unquote(shown["death"].get("peripheries")) == "2"
    assert shown["outpatient"].get("shape") == quote("record")
    assert _label(shown["outpatient"]) == "Poliklinisk konsultasjon"
    assert _unquote(shown["home"].get("shape")) == "house"
    assert _unquote(shown["decision"].get("shape")) == "diamond"
    assert not {"error", "warning"} & set(shown)
    marked = legend_nodes(tricky(), _nb(findings=CONTEXT.findings))
    assert not {"death", "outpatient"} & set(marked)
    assert _label(marked["error"]) == "Åpen mangel: feil"
    assert _unquote(marked["error"].get("color")) == "#c62828"
    assert _label(marked["warning"]) == "Åpen mangel: advarsel"
    assert _unquote(marked["warning"].get("color")) == "#ef6c00"


def test_a_step_key_like_the_legends_does_not_meet_it() -> None:
    """An unvalidated key with a ``:`` cannot take a legend node's place."""
    pathway = Pathway(
        PathwayInfo("Odd keys"),
        (
            Step("legend:home", "Home", Level.MUNICIPALITY, StepKind.HOME),
            Step("legend:transition-a", "A", Level.MUNICIPALITY, StepKind.OTHER),
        ),
        (Transition("t", "legend:home", "legend:transition-a"),),
    )
    graph = _graph(pathway)
    names = {_unquote(node.get_name()) for node in _legend(graph).get_nodes()}
    assert not names & {"legend:home", "legend:transition-a"}
    assert len(graph.get_edges()) == 1


@pytest.mark.parametrize("language", ["en", "nb", "nn"])
@pytest.mark.parametrize("sample", [example, outcomes, partnership, lambda: chain(46)])
def test_labels_say_deadlines_and_messages_for_people(sample: Any, language: str) -> None:
    text = export(sample(), "dot", context=ExportContext(status="approved", language=language))
    labels = [_unquote(value) for value in _DOT_TEXT.findall(text.decode())]
    assert labels
    for label in labels:
        assert not ISO_DURATION.search(label), label
        assert not re.search(r"\bLOG_[A-Z]", label), label


def test_same_day_is_said_as_people_say_it() -> None:
    text = export(example(), "dot", context=_nb()).decode()
    assert "\\nsamme dag" in text  # PT0H
    assert "Melding om utskrivningsklar pasient" in text
    assert "PT0H" not in text


@NEEDS_DOT
@pytest.mark.parametrize("sample", [example, outcomes, partnership])
def test_graphviz_draws_the_legend(sample: Any) -> None:
    result = subprocess.run(
        ["dot", "-Tsvg"],
        input=export(sample(), "dot", context=_nb(findings=CONTEXT.findings)),
        capture_output=True,
        check=True,
        timeout=30,
    )
    assert not result.stderr
    svg = result.stdout.decode()
    assert "<title>cluster_legend</title>" in svg
    assert ">Tegnforklaring</text>" in svg
    assert ">Overgang innen nivået</text>" in svg
