"""What changed between two states of a pathway, field by field.

>>> field_changes({"name": "ED", "kind": "admission"}, {"name": "A&E", "kind": "admission"})
{'name': {'from': 'ED', 'to': 'A&E'}}
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pathways.document import step_dict, transition_dict
from pathways.model import Pathway

__all__ = ["field_changes", "graph_changes"]


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
    """Steps and transitions added, removed and changed (with their field changes)."""
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
