"""Conversion between :class:`~pathways.model.Pathway` and a networkx ``DiGraph``.

Nodes are step keys with the step's fields as attributes (and the ``Step`` itself under
``"step"``); edges carry the transition under ``"transition"``. The graph is built fresh
each call: callers may change it without touching the pathway.

>>> from pathways.model import Level, Pathway, PathwayInfo, Step, StepKind, Transition
>>> p = Pathway(
...     PathwayInfo("t"),
...     steps=(Step("home", "Home", Level.MUNICIPALITY, StepKind.HOME),
...            Step("ed", "ED", Level.HOSPITAL, StepKind.ADMISSION)),
...     transitions=(Transition("admit", "home", "ed"),),
... )
>>> sorted(to_digraph(p).edges)
[('home', 'ed')]
"""

from __future__ import annotations

import networkx as nx

from pathways.model import Pathway

__all__ = ["to_digraph"]


def to_digraph(pathway: Pathway) -> nx.DiGraph:
    """A new ``DiGraph`` of ``pathway``: a node per step, an edge per transition."""
    graph: nx.DiGraph = nx.DiGraph(title=pathway.info.title)
    for step in pathway.steps:
        graph.add_node(step.key, step=step, level=step.level.value, kind=step.kind.value)
    for transition in pathway.transitions:
        graph.add_edge(
            transition.source,
            transition.target,
            key=transition.key,
            transition=transition,
            cross_level=pathway.is_cross_level(transition),
        )
    return graph
