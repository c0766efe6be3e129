"""Hearing rounds (høringer): who was invited, who answered what, and whether a round
is clean enough for a policy that asks for one.

Each invitee answers once: it agrees, agrees with remarks, or disagrees. The working
group answers remarks and disagreements with a reply (how the input was handled). A
round is **clean** when it is closed and every disagreement in it has a reply.

>>> answers = [Answer(Position.AGREE), Answer(Position.DISAGREE), Answer(None)]
>>> state = round_state(answers, closed=True)
>>> state.answered, state.unanswered, state.disagreements, state.clean
(2, 1, 1, False)
>>> round_state([Answer(Position.DISAGREE, replied=True)], closed=True).clean
True
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from pathways.errors import Bilingual

__all__ = ["Answer", "Position", "RoundState", "round_state"]


class Position(StrEnum):
    AGREE = "agree"
    AGREE_WITH_REMARKS = "agree_with_remarks"
    DISAGREE = "disagree"

    @property
    def said(self) -> Bilingual:
        return Bilingual(self.value.replace("_", " "), _POSITIONS_NB[self])

    @property
    def needs_text(self) -> bool:
        """Remarks and disagreements say what they are."""
        return self is not Position.AGREE


_POSITIONS_NB: Mapping[Position, str] = MappingProxyType(
    {
        Position.AGREE: "enig",
        Position.AGREE_WITH_REMARKS: "enig, med merknader",
        Position.DISAGREE: "uenig",
    }
)


@dataclass(frozen=True, slots=True)
class Answer:
    position: Position | None
    """None: not answered."""
    replied: bool = False


@dataclass(frozen=True, slots=True)
class RoundState:
    answered: int
    unanswered: int
    disagreements: int
    unreplied_disagreements: int
    closed: bool

    @property
    def clean(self) -> bool:
        """Closed, and every disagreement has a reply."""
        return self.closed and self.unreplied_disagreements == 0


def round_state(answers: Iterable[Answer], *, closed: bool) -> RoundState:
    listed = list(answers)
    disagreements = [a for a in listed if a.position is Position.DISAGREE]
    answered = sum(a.position is not None for a in listed)
    return RoundState(
        answered=answered,
        unanswered=len(listed) - answered,
        disagreements=len(disagreements),
        unreplied_disagreements=sum(not a.replied for a in disagreements),
        closed=closed,
    )
