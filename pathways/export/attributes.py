"""Flat graph attributes for the graph formats (node-link JSON, GraphML), and back.

Graph tools (networkx, yEd, Gephi) hold only scalar attributes, so steps and transitions
are flattened to strings, numbers and booleans, with ``""`` for a missing value (an empty
string is never a valid duration, so ``""`` and ``None`` cannot be confused):

- a node per step, its id the step key: ``label`` (the name, for Gephi and yEd),
  ``name``, ``level``, ``kind``, ``responsible``, ``expected_duration``, ``description``;
- an edge per transition: ``key``, ``label``, ``cross_level``, ``handover`` (whether it
  has one), ``sender_role``, ``receiver_role``, ``messages`` (joined by line breaks, which
  a message cannot contain), ``deadline``, ``checklist`` (the items as a JSON array) and
  ``checklist_items`` (their count), and ``order``, the transition's place in the
  document;
- the graph: ``title``, ``description``, ``target_group``, ``agreement_ref``,
  ``review_due`` and, with a context, its ``status`` as a code (``draft``, ``approved``,
  ``changed``), ``pathway_id``, ``version``, ``revision`` and ``changed_since`` when set.

:func:`pathway_from_graph` reads such a graph back into the same steps and transitions.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import networkx as nx

from pathways.export.context import ExportContext
from pathways.model import (
    ChecklistItem,
    Handover,
    Level,
    Pathway,
    PathwayInfo,
    Side,
    Step,
    StepKind,
    Transition,
)

__all__ = [
    "flat_graph",
    "graph_attributes",
    "pathway_from_graph",
    "step_attributes",
    "transition_attributes",
]

Scalar = str | int | bool


def step_attributes(step: Step) -> dict[str, Scalar]:
    """The flat attributes of a step's node."""
    return {
        "label": step.name,
        "name": step.name,
        "level": step.level.value,
        "kind": step.kind.value,
        "responsible": step.responsible,
        "expected_duration": step.expected_duration or "",
        "description": step.description,
    }


def _checklist_json(handover: Handover) -> str:
    items = [
        {
            "key": item.key,
            "text": item.text,
            "side": item.side.value,
            "required": item.required,
            "due": item.due,
        }
        for item in handover.checklist
    ]
    return json.dumps(items, ensure_ascii=False, separators=(",", ":"))


def transition_attributes(pathway: Pathway, transition: Transition) -> dict[str, Scalar]:
    """The flat attributes of a transition's edge."""
    handover = transition.handover
    return {
        "key": transition.key,
        "label": transition.label,
        "cross_level": pathway.is_cross_level(transition),
        "handover": handover is not None,
        "sender_role": handover.sender_role if handover else "",
        "receiver_role": handover.receiver_role if handover else "",
        "messages": "\n".join(handover.messages) if handover else "",
        "deadline": (handover.deadline or "") if handover else "",
        "checklist": _checklist_json(handover) if handover else "[]",
        "checklist_items": len(handover.checklist) if handover else 0,
    }


def graph_attributes(pathway: Pathway, context: ExportContext | None) -> dict[str, Scalar]:
    """The flat attributes of the graph: the pathway's description and the context's facts."""
    info = pathway.info
    attributes: dict[str, Scalar] = {
        "title": info.title,
        "description": info.description,
        "target_group": info.target_group,
        "agreement_ref": info.agreement_ref,
        "review_due": info.review_due.isoformat() if info.review_due else "",
    }
    if context is not None:
        attributes["status"] = context.status
        for name in ("pathway_id", "version", "revision", "changed_since"):
            value = getattr(context, name)
            if value is not None:
                attributes[name] = value
    return attributes


def flat_graph(pathway: Pathway, context: ExportContext | None) -> nx.DiGraph:
    """A ``DiGraph`` of ``pathway`` with flat attributes only, in document order."""
    graph: nx.DiGraph = nx.DiGraph(**graph_attributes(pathway, context))
    for step in pathway.steps:
        graph.add_node(step.key, **step_attributes(step))
    for order, transition in enumerate(pathway.transitions):
        graph.add_edge(
            transition.source,
            transition.target,
            order=order,
            **transition_attributes(pathway, transition),
        )
    return graph


def _text(data: dict[str, Any], name: str) -> str:
    value = data.get(name, "")
    return "" if value is None else str(value)


def _optional(data: dict[str, Any], name: str) -> str | None:
    return _text(data, name) or None


def _bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"true", "1", "yes"}
    return bool(value)


def _handover(data: dict[str, Any]) -> Handover | None:
    if not _bool(data.get("handover", False)):
        return None
    messages = _text(data, "messages")
    items = json.loads(_text(data, "checklist") or "[]")
    return Handover(
        sender_role=_text(data, "sender_role"),
        receiver_role=_text(data, "receiver_role"),
        messages=tuple(messages.split("\n")) if messages else (),
        deadline=_optional(data, "deadline"),
        checklist=tuple(
            ChecklistItem(
                key=item["key"],
                text=item["text"],
                side=Side(item["side"]),
                required=bool(item["required"]),
                due=item.get("due"),
            )
            for item in items
        ),
    )


def pathway_from_graph(graph: nx.DiGraph) -> Pathway:
    """The pathway a flat graph (as from :func:`flat_graph`) describes.

    Transitions come in the order of their ``order`` attribute (document order), else
    in edge order; node ids are read as step keys (as text).
    """
    meta = graph.graph
    review_due = _text(meta, "review_due")
    info = PathwayInfo(
        title=_text(meta, "title"),
        description=_text(meta, "description"),
        target_group=_text(meta, "target_group"),
        agreement_ref=_text(meta, "agreement_ref"),
        review_due=date.fromisoformat(review_due) if review_due else None,
    )
    steps = tuple(
        Step(
            key=str(key),
            name=_text(data, "name"),
            level=Level(_text(data, "level")),
            kind=StepKind(_text(data, "kind")),
            responsible=_text(data, "responsible"),
            expected_duration=_optional(data, "expected_duration"),
            description=_text(data, "description"),
        )
        for key, data in graph.nodes(data=True)
    )
    transitions = tuple(
        Transition(
            key=_text(data, "key"),
            source=str(source),
            target=str(target),
            label=_text(data, "label"),
            handover=_handover(data),
        )
        for source, target, data in sorted(
            graph.edges(data=True), key=lambda edge: int(edge[2].get("order", 0))
        )
    )
    return Pathway(info=info, steps=steps, transitions=transitions)
