"""The agreement's own checklist requirements: ``missing-agreed-item``.

A partnership's cooperation agreement may require checklist items on every handover of a
kind (:data:`pathways.model.HANDOVER_KINDS`): "next of kin informed" on discharges, "need
for an interpreter checked" on admissions, "individual plan / coordinator assigned" on
discharges to municipal care. They are data (``RuleSettings.required_items``), inherited
from the partnership, and checked whatever rule sets are on.

A handover has an agreed item when one of its checklist items has the item's ``key``, or
its text has every word of the item's ``text`` (of three letters or more), in any order
and in any form: a word counts when one of the text's words begins as it does (its first
five letters, or all of a shorter word). So "Informer pårørande" has "pårørende
informert", in nynorsk and the other way round; an agreement states its items as
briefly as a coordinator would say them, on the agreed ``side`` when it names one. A
cross-level transition without a handover lacks every item (``missing-handover`` says so
too).

One finding per transition that lacks any, listing every item it lacks.
"""

from __future__ import annotations

from collections.abc import Sequence

from pathways.findings import Finding
from pathways.gaps import messages
from pathways.gaps.index import GraphIndex
from pathways.gaps.rules import finding
from pathways.gaps.stays import Stays
from pathways.message_catalogue import words
from pathways.model import AgreedItem, Handover

__all__ = ["check_agreed_items", "has_item"]


_STEM = 5


def _stems(text: str) -> set[str]:
    return {word[:_STEM] for word in words(text) if len(word) >= 3}


def _says(text: str, agreed: set[str]) -> bool:
    said = words(text)
    return bool(agreed) and all(any(word.startswith(stem) for word in said) for stem in agreed)


def has_item(handover: Handover | None, item: AgreedItem) -> bool:
    """Whether ``handover``'s checklist has the agreed ``item``.

    >>> from pathways.model import ChecklistItem, Side
    >>> agreed = AgreedItem("next-of-kin", "pårørende informert", ("discharge",))
    >>> told = ChecklistItem("kin", "Pårørende informert om utskrivning", Side.SENDER)
    >>> has_item(Handover(checklist=(told,)), agreed)
    True
    >>> has_item(Handover(checklist=(ChecklistItem("x", "Informer pårørande", Side.SENDER),)),
    ...          agreed)
    True
    >>> has_item(Handover(checklist=(ChecklistItem("x", "Pårørende", Side.SENDER),)), agreed)
    False
    """
    if handover is None:
        return False
    agreed = _stems(item.text)
    return any(
        (item.side is None or present.side is item.side)
        and (present.key == item.key or _says(present.text, agreed))
        for present in handover.checklist
    )


def check_agreed_items(
    index: GraphIndex, stays: Stays, items: Sequence[AgreedItem]
) -> list[Finding]:
    """The ``missing-agreed-item`` findings of the indexed pathway (whose transitions
    ``stays`` reads), in document order."""
    kinds = stays.kind_of()
    found = []
    for edge in index.cross_level:
        kind = kinds[edge]
        transition = index.transitions[edge]
        missing = [
            item for item in items if kind in item.on and not has_item(transition.handover, item)
        ]
        if not missing:
            continue
        source = index.steps[index.sources[edge]]
        target = index.steps[index.targets[edge]]
        found.append(
            finding(
                "missing-agreed-item",
                messages.missing_agreed_item(transition, source, target, kind, missing),
                steps=(source.key, target.key),
                transitions=(transition.key,),
            )
        )
    return found
