"""What changed between two states of a pathway, field by field.

:func:`diff_pathways` compares two whole pathways: the description, the rule settings,
steps and transitions added, removed and changed, down to the fields of a handover and
the checklist items inside it (matched by key).

>>> field_changes({"name": "ED", "kind": "admission"}, {"name": "A&E", "kind": "admission"})
{'name': {'from': 'ED', 'to': 'A&E'}}
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from pathways.document import document_dict, step_dict, transition_dict
from pathways.model import Pathway

__all__ = ["Mark", "diff_pathways", "field_changes", "graph_changes", "marked_union"]


def field_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, Any]:
    """``{field: {"from": old, "to": new}}`` for every field whose value differs."""
    return {
        name: {"from": before.get(name), "to": after.get(name)}
        for name in dict.fromkeys([*before, *after])
        if before.get(name) != after.get(name)
    }


def _keyed_changes(
    before: Mapping[str, dict[str, Any]], after: Mapping[str, dict[str, Any]]
) -> dict[str, Any]:
    changed = {
        key: field_changes(before[key], after[key])
        for key in before
        if key in after and before[key] != after[key]
    }
    return {
        "added": [key for key in after if key not in before],
        "removed": [key for key in before if key not in after],
        "changed": changed,
    }


def graph_changes(before: Pathway, after: Pathway) -> dict[str, Any]:
    """Keys of steps and transitions added, removed and changed (for the history)."""
    return {
        "steps": _keyed_changes(
            {step.key: step_dict(step) for step in before.steps},
            {step.key: step_dict(step) for step in after.steps},
        ),
        "transitions": _keyed_changes(
            {t.key: transition_dict(t) for t in before.transitions},
            {t.key: transition_dict(t) for t in after.transitions},
        ),
    }


def _items_diff(before: list[dict[str, Any]], after: list[dict[str, Any]]) -> dict[str, list[Any]]:
    old = {item["key"]: item for item in before}
    new = {item["key"]: item for item in after}
    return {
        "added": [new[key] for key in new if key not in old],
        "removed": [old[key] for key in old if key not in new],
        "changed": [
            {"key": key, "fields": field_changes(old[key], new[key])}
            for key in old
            if key in new and old[key] != new[key]
        ],
    }


def _handover_diff(
    before: dict[str, Any] | None, after: dict[str, Any] | None
) -> dict[str, Any] | None:
    if before == after:
        return None
    if before is None or after is None:
        return {"from": before, "to": after}
    fields = field_changes(
        {k: v for k, v in before.items() if k != "checklist"},
        {k: v for k, v in after.items() if k != "checklist"},
    )
    result: dict[str, Any] = {"fields": fields}
    if before["checklist"] != after["checklist"]:
        result["checklist"] = _items_diff(before["checklist"], after["checklist"])
    return result


def _transition_diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = {
        "key": before["key"],
        "fields": field_changes(
            {k: v for k, v in before.items() if k != "handover"},
            {k: v for k, v in after.items() if k != "handover"},
        ),
    }
    handover = _handover_diff(before["handover"], after["handover"])
    if handover is not None:
        result["handover"] = handover
    return result


def diff_pathways(before: Pathway, after: Pathway) -> dict[str, Any]:
    """Everything that differs between ``before`` and ``after``.

    Returns ``{"pathway": {field: {from, to}}, "rules": {...}, "steps": {"added",
    "removed", "changed"}, "transitions": {...}}``; added and removed entries are whole
    steps or transitions, changed ones name their key and the changed fields. For a
    transition, ``handover`` says what changed in its handover, with checklist items
    added, removed and changed by key. Order follows the documents.
    """
    old, new = document_dict(before), document_dict(after)
    old_steps = {step["key"]: step for step in old["steps"]}
    new_steps = {step["key"]: step for step in new["steps"]}
    old_transitions = {t["key"]: t for t in old["transitions"]}
    new_transitions = {t["key"]: t for t in new["transitions"]}
    return {
        "pathway": field_changes(old["pathway"], new["pathway"]),
        "rules": field_changes(old.get("rules", {}), new.get("rules", {})),
        "steps": {
            "added": [new_steps[k] for k in new_steps if k not in old_steps],
            "removed": [old_steps[k] for k in old_steps if k not in new_steps],
            "changed": [
                {"key": k, "fields": field_changes(old_steps[k], new_steps[k])}
                for k in old_steps
                if k in new_steps and old_steps[k] != new_steps[k]
            ],
        },
        "transitions": {
            "added": [new_transitions[k] for k in new_transitions if k not in old_transitions],
            "removed": [old_transitions[k] for k in old_transitions if k not in new_transitions],
            "changed": [
                _transition_diff(old_transitions[k], new_transitions[k])
                for k in old_transitions
                if k in new_transitions and old_transitions[k] != new_transitions[k]
            ],
        },
    }


class Mark(StrEnum):
    """How an element of a compared pathway differs from the other side."""

    ADDED = "added"
    CHANGED = "changed"
    REMOVED = "removed"


def marked_union(
    before: Pathway, after: Pathway
) -> tuple[Pathway, dict[str, Mark], dict[str, Mark]]:
    """``after`` with what ``before`` had and ``after`` has not put back (after it, in
    ``before``'s order), and the marks of steps and transitions added, changed and
    removed: what a picture of the difference draws.

    >>> from pathways.model import Level, PathwayInfo, Step, StepKind, Transition
    >>> a = Step("a", "A", Level.MUNICIPALITY, StepKind.HOME)
    >>> b = Step("b", "B", Level.HOSPITAL, StepKind.TREATMENT)
    >>> c = Step("c", "C", Level.HOSPITAL, StepKind.TREATMENT)
    >>> old = Pathway(PathwayInfo("x"), (a, b), (Transition("ab", "a", "b"),))
    >>> new = Pathway(PathwayInfo("x"), (a, c), (Transition("ac", "a", "c"),))
    >>> union, steps, transitions = marked_union(old, new)
    >>> [step.key for step in union.steps]
    ['a', 'c', 'b']
    >>> {key: str(mark) for key, mark in steps.items()}
    {'c': 'added', 'b': 'removed'}
    >>> {key: str(mark) for key, mark in transitions.items()}
    {'ac': 'added', 'ab': 'removed'}
    """
    old_steps = {step.key: step for step in before.steps}
    old_transitions = {t.key: t for t in before.transitions}
    new_steps = {step.key: step for step in after.steps}
    new_transitions = {t.key: t for t in after.transitions}
    step_marks: dict[str, Mark] = {}
    for key, step in new_steps.items():
        if key not in old_steps:
            step_marks[key] = Mark.ADDED
        elif old_steps[key] != step:
            step_marks[key] = Mark.CHANGED
    transition_marks: dict[str, Mark] = {}
    for key, transition in new_transitions.items():
        if key not in old_transitions:
            transition_marks[key] = Mark.ADDED
        elif old_transitions[key] != transition:
            transition_marks[key] = Mark.CHANGED
    gone_steps = [step for step in before.steps if step.key not in new_steps]
    gone_transitions = [t for t in before.transitions if t.key not in new_transitions]
    step_marks.update({step.key: Mark.REMOVED for step in gone_steps})
    transition_marks.update({t.key: Mark.REMOVED for t in gone_transitions})
    union = Pathway(
        after.info,
        (*after.steps, *gone_steps),
        (*after.transitions, *gone_transitions),
        after.rules,
    )
    return union, step_marks, transition_marks
