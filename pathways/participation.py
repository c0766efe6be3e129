"""Participation rules: who takes part in a pathway, and how authorship is spread.

Both care levels edit on equal terms. The only rule on participants is that each level
keeps at least one editor: a pathway no municipality edits is no longer *hjem til hjem*.

Authorship is measured two ways. :func:`authorship_shares` counts recorded changes
(events) per level. :func:`content_shares` counts the *elements* of the current draft
each organisation wrote last: whoever adds 26 steps in one import has written 26
elements, and three small edits to step names give their author three.

The elements of a draft (:func:`description_elements`, :func:`step_elements`,
:func:`transition_elements`), each counted only while it holds a value:

- each description field: ``title``, ``description``, ``target_group``,
  ``agreement_ref``, ``review_due`` and ``rules`` (the gap rule sets and deadlines,
  counted when they differ from the default, core with no deadlines);
- each step, as a whole (name, level, kind, responsible role, duration, description);
- each transition: ``transition`` (from, to, label), the handover's
  ``handover.sender_role``, ``handover.receiver_role``, ``handover.messages`` (the list
  as one element) and ``handover.deadline``, and each checklist item
  ``checklist.<key>`` as a whole (text, side, required, due).

Membership (adding or removing participants) and approvals are not authorship.

>>> from pathways.model import Level
>>> authorship_shares({Level.HOSPITAL: 1, Level.MUNICIPALITY: 2})
{'hospital': 0.3333, 'municipality': 0.6667}
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from pathways.document import rules_dict, step_dict
from pathways.errors import Bilingual, LastParticipantOfLevel
from pathways.model import Level, PathwayInfo, RuleSettings, Step, Transition

__all__ = [
    "Share",
    "authorship_shares",
    "check_removal",
    "content_shares",
    "description_elements",
    "rewrite_writers",
    "step_elements",
    "transition_elements",
]

K = TypeVar("K", bound=Hashable)
W = TypeVar("W")


def check_removal(editors: Mapping[K, Level], leaving: K) -> None:
    """Raise :class:`LastParticipantOfLevel` if ``leaving`` is its level's last editor.

    ``editors`` maps each editor (any id) to its care level. Removing (or making a
    commenter of) an id that is not an editor is not this function's concern and passes.
    """
    level = editors.get(leaving)
    if level is None:
        return
    others = [key for key, other in editors.items() if other is level and key != leaving]
    if not others:
        level_nb, another_nb = _LAST_EDITOR_NB[level]
        raise LastParticipantOfLevel(
            Bilingual(
                f"the last editor of the {level.value} level cannot leave the pathway or "
                f"stop editing it; add another {level.value} organisation as an editor first",
                f"Den siste redaktøren på {level_nb} kan ikke forlate forløpet eller slutte å "
                f"redigere det. Legg først til {another_nb} som redaktør.",
            )
        )


_LAST_EDITOR_NB: Mapping[Level, tuple[str, str]] = {
    Level.HOSPITAL: ("sykehusnivået", "et annet helseforetak"),
    Level.MUNICIPALITY: ("kommunenivået", "en annen kommune"),
}


def authorship_shares(changes: Mapping[Level, int]) -> dict[str, float]:
    """Each level's share of all changes, given the number of changes per level.

    Both levels are always present, with 0.0 where a level made no change.
    """
    counts = {level: changes.get(level, 0) for level in Level}
    total = sum(counts.values())
    return {level.value: _fraction(counts[level], total) for level in Level}


def _fraction(part: int, total: int) -> float:
    """``part`` of ``total``, 0 to 1 to 4 decimals (0.0 of nothing)."""
    return round(part / total, 4) if total else 0.0


# -- authorship by content -------------------------------------------------------------


def description_elements(info: PathwayInfo, rules: RuleSettings) -> dict[str, object]:
    """The description's elements that hold a value, each with its value.

    >>> from pathways.model import PathwayInfo, RuleSettings
    >>> description_elements(PathwayInfo("Stroke", target_group="Adults"), RuleSettings())
    {'title': 'Stroke', 'target_group': 'Adults'}
    """
    values: dict[str, object] = {
        "title": info.title,
        "description": info.description,
        "target_group": info.target_group,
        "agreement_ref": info.agreement_ref,
        "review_due": info.review_due,
    }
    rules_value = rules_dict(rules)
    if rules_value != rules_dict(RuleSettings()):
        values["rules"] = rules_value
    return {name: value for name, value in values.items() if value not in ("", None)}


def step_elements(step: Step) -> dict[str, object]:
    """A step is one element, ``step``: its whole content."""
    return {"step": step_dict(step)}


def transition_elements(transition: Transition) -> dict[str, object]:
    """A transition's elements that hold a value, each with its value.

    >>> from pathways.model import ChecklistItem, Handover, Side, Transition
    >>> handover = Handover(sender_role="ward nurse", messages=("EPIKRISE",),
    ...                     checklist=(ChecklistItem("med", "Medication list", Side.SENDER),))
    >>> sorted(transition_elements(Transition("out", "ward", "home", handover=handover)))
    ['checklist.med', 'handover.messages', 'handover.sender_role', 'transition']
    """
    elements: dict[str, object] = {
        "transition": (transition.source, transition.target, transition.label)
    }
    handover = transition.handover
    if handover is None:
        return elements
    fields: dict[str, object] = {
        "handover.sender_role": handover.sender_role,
        "handover.receiver_role": handover.receiver_role,
        "handover.messages": handover.messages,
        "handover.deadline": handover.deadline,
    }
    elements.update((name, value) for name, value in fields.items() if value not in ("", (), None))
    for item in handover.checklist:
        elements[f"checklist.{item.key}"] = (item.text, item.side.value, item.required, item.due)
    return elements


def rewrite_writers(
    before: Mapping[str, object],
    writers: Mapping[str, W],
    after: Mapping[str, object],
    writer: W,
) -> dict[str, W]:
    """The last writer of each element of ``after``.

    An element whose value is as it was in ``before`` keeps its writer, or stays without
    one if none is known (content stored before writers were kept); a new or changed one
    is ``writer``'s. Elements no longer in ``after`` drop out.

    >>> rewrite_writers({"title": "A", "description": "x"}, {"title": 1, "description": 1},
    ...                 {"title": "A", "description": "y", "review_due": "2027"}, 2)
    {'title': 1, 'description': 2, 'review_due': 2}
    >>> rewrite_writers({"title": "A", "description": "x"}, {},
    ...                 {"title": "A", "description": "y"}, 2)
    {'description': 2}
    """
    kept: dict[str, W] = {}
    for name, value in after.items():
        if name in before and before[name] == value:
            if name in writers:
                kept[name] = writers[name]
        else:
            kept[name] = writer
    return kept


@dataclass(frozen=True, slots=True)
class Share:
    elements: int
    """Elements of the draft last written by this organisation or level."""
    share: float
    """``elements`` over all elements with a known writer, 0 to 1, to 4 decimals."""


def content_shares(
    elements: Mapping[K, int], levels: Mapping[K, Level]
) -> tuple[dict[K, Share], dict[Level, Share]]:
    """Each organisation's and each level's share of the draft's elements.

    ``elements`` maps each writing organisation (any id) to the number of elements it
    wrote last; ``levels`` maps organisations to their level (an organisation missing
    from it is left out). Both levels are always present, with 0 where a level wrote
    nothing; an empty draft gives every share 0.0.

    >>> from pathways.model import Level
    >>> H, K = Level.HOSPITAL, Level.MUNICIPALITY
    >>> by_org, by_level = content_shares({"hf": 3, "kommune": 23, "nabo": 0},
    ...                                   {"hf": H, "kommune": K, "nabo": K})
    >>> by_org["hf"], by_org["kommune"]
    (Share(elements=3, share=0.1154), Share(elements=23, share=0.8846))
    >>> by_level[Level.MUNICIPALITY]
    Share(elements=23, share=0.8846)
    """
    counts = {org: count for org, count in elements.items() if org in levels}
    total = sum(counts.values())

    def share(count: int) -> Share:
        return Share(count, _fraction(count, total))

    per_level = dict.fromkeys(Level, 0)
    for org, count in counts.items():
        per_level[levels[org]] += count
    return (
        {org: share(count) for org, count in counts.items()},
        {level: share(count) for level, count in per_level.items()},
    )
