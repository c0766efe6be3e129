"""Participation rules: who takes part in a pathway, and how authorship is spread.

Both care levels edit on equal terms. The only rule on participants is that each level
keeps at least one: a pathway with no municipality in it is no longer *hjem til hjem*.

>>> from pathways.model import Level
>>> authorship_shares([Level.HOSPITAL, Level.MUNICIPALITY, Level.MUNICIPALITY])
{'hospital': 0.3333, 'municipality': 0.6667}
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable, Mapping

from pathways.errors import LastParticipantOfLevel
from pathways.model import Level

__all__ = ["authorship_shares", "check_removal"]


def check_removal(participants: Mapping[Hashable, Level], leaving: Hashable) -> None:
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


def authorship_shares(levels: Iterable[Level]) -> dict[str, float]:
    """Each level's share of the changes made by ``levels`` (one item per change).

    Both levels are always present, with 0.0 where a level made no change.
    """
    counts = Counter(levels)
    total = sum(counts.values())
    return {level.value: round(counts[level] / total, 4) if total else 0.0 for level in Level}
