"""Participation rules: who takes part in a pathway, and how authorship is spread.

Both care levels edit on equal terms. The only rule on participants is that each level
keeps at least one: a pathway with no municipality in it is no longer *hjem til hjem*.

>>> from pathways.model import Level
>>> authorship_shares({Level.HOSPITAL: 1, Level.MUNICIPALITY: 2})
{'hospital': 0.3333, 'municipality': 0.6667}
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import TypeVar

from pathways.errors import LastParticipantOfLevel
from pathways.model import Level

__all__ = ["authorship_shares", "check_removal"]

K = TypeVar("K", bound=Hashable)


def check_removal(participants: Mapping[K, Level], leaving: K) -> None:
    """Raise :class:`LastParticipantOfLevel` if ``leaving`` is its level's last participant.

    ``participants`` maps each participant (any id) to its care level. Removing an id that
    is not a participant is not this function's concern and passes.
    """
    level = participants.get(leaving)
    if level is None:
        return
    others = [key for key, other in participants.items() if other is level and key != leaving]
    if not others:
        raise LastParticipantOfLevel(
            f"the last participant of the {level.value} level cannot leave the pathway; "
            f"add another {level.value} organisation first"
        )


def authorship_shares(changes: Mapping[Level, int]) -> dict[str, float]:
    """Each level's share of all changes, given the number of changes per level.

    Both levels are always present, with 0.0 where a level made no change.
    """
    counts = {level: changes.get(level, 0) for level in Level}
    total = sum(counts.values())
    return {level.value: round(counts[level] / total, 4) if total else 0.0 for level in Level}
