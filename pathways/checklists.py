"""Handover checklists as integrations read them: who sends, who receives, what, by when.

A handover entry is one cross-level transition with its handover; each checklist item
carries the level and role that must act on it, so a hospital system can ask for the
hospital's items and a municipal one for the municipality's.

>>> from importlib.resources import files
>>> from pathways.document import parse_document
>>> raw = files("pathways.examples").joinpath("hip-fracture.json").read_bytes()
>>> entries = handover_entries(parse_document(raw), level=Level.MUNICIPALITY)
>>> [(e["transition"], [i["key"] for i in e["checklist"]]) for e in entries]
[('admit', ['referral', 'admission-report']), ('to-short-term', ['reply', 'receive']), \
('to-home-nursing', ['first-visit'])]
"""

from __future__ import annotations

from typing import Any

from pathways.model import ChecklistItem, Level, Pathway, Side, Step, Transition

__all__ = ["handover_entries", "handover_entry", "handover_transitions"]


def _step(step: Step) -> dict[str, Any]:
    return {"key": step.key, "name": step.name, "level": step.level.value}


def _item(item: ChecklistItem, level: Level, role: str) -> dict[str, Any]:
    return {
        "key": item.key,
        "text": item.text,
        "side": item.side.value,
        "level": level.value,
        "role": role,
        "required": item.required,
        "due": item.due,
    }


def handover_entry(
    pathway: Pathway,
    transition: Transition,
    *,
    side: Side | None = None,
    level: Level | None = None,
) -> dict[str, Any]:
    """The checklist entry of one transition that carries a handover.

    ``side`` keeps only the sender's or the receiver's items; ``level`` keeps only the
    items that level acts on (the sender's level for sender items, else the receiver's).
    """
    handover = transition.handover
    if handover is None:
        raise ValueError(f"transition {transition.key!r} has no handover")
    source, target = pathway.step(transition.source), pathway.step(transition.target)
    actor = {
        Side.SENDER: (source.level, handover.sender_role),
        Side.RECEIVER: (target.level, handover.receiver_role),
    }
    items = [
        _item(item, *actor[item.side])
        for item in handover.checklist
        if (side is None or item.side is side) and (level is None or actor[item.side][0] is level)
    ]
    return {
        "transition": transition.key,
        "label": transition.label,
        "from": _step(source),
        "to": _step(target),
        "sender": {"level": source.level.value, "role": handover.sender_role},
        "receiver": {"level": target.level.value, "role": handover.receiver_role},
        "messages": list(handover.messages),
        "deadline": handover.deadline,
        "checklist": items,
    }


def handover_entries(
    pathway: Pathway, *, side: Side | None = None, level: Level | None = None
) -> list[dict[str, Any]]:
    """An entry for every cross-level transition with a handover, in document order."""
    return [
        handover_entry(pathway, transition, side=side, level=level)
        for transition in handover_transitions(pathway)
    ]


def handover_transitions(pathway: Pathway) -> list[Transition]:
    """Every cross-level transition with a handover, in document order."""
    return [
        transition
        for transition in pathway.transitions
        if transition.handover is not None and pathway.is_cross_level(transition)
    ]
