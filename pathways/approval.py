"""When a revision becomes an approved version: the approval policies.

A partnership's agreement sets the policy; a pathway outside any partnership uses
``one_per_level``. Only approvals by *editors* count (see :mod:`pathways.roles`): an
approval by an organisation that is not an editor of the pathway is ignored here. In
every policy the revision must also have no error-level gaps (checked by the caller),
and any change to the pathway voids the approvals of the revision before it.

- ``one_per_level``: at least one editor of each care level approved the revision;
- ``every_participant``: every editor approved it, and so each level did (each
  municipality adopts the pathway for itself);
- ``decision``: at least one editor of each level approved it, and the secretariat
  recorded the decision of the named body (e.g. the strategisk samarbeidsutvalg).

A partnership may also require a hearing: then no policy is met until the pathway has
had a clean hearing round (``pathways.hearings``) since its latest version.

>>> H, K = Level.HOSPITAL, Level.MUNICIPALITY
>>> editors = {"hf": H, "a": K, "b": K, "c": K}
>>> approval_state(ApprovalPolicy.EVERY_PARTICIPANT, editors, {"hf", "a", "b"}).met
False
>>> approval_state(ApprovalPolicy.EVERY_PARTICIPANT, editors, {"hf", "a", "b", "c"}).met
True
>>> approval_state(ApprovalPolicy.ONE_PER_LEVEL, editors, {"hf", "a", "secretariat"}).met
True
>>> approval_state(ApprovalPolicy.DECISION, editors, {"hf", "a"}).decision_missing
True
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeVar

from pathways.model import Level

__all__ = ["ApprovalPolicy", "ApprovalState", "approval_state"]

K = TypeVar("K", bound=Hashable)


class ApprovalPolicy(StrEnum):
    ONE_PER_LEVEL = "one_per_level"
    EVERY_PARTICIPANT = "every_participant"
    DECISION = "decision"

    @property
    def needs_decision(self) -> bool:
        return self is ApprovalPolicy.DECISION


@dataclass(frozen=True, slots=True)
class ApprovalState(Generic[K]):
    """How far a revision is from approval under a policy."""

    policy: ApprovalPolicy
    met: bool
    """The revision is approved (gap errors aside)."""
    missing_levels: tuple[Level, ...]
    """Care levels of which no editor has approved the revision."""
    pending: tuple[K, ...]
    """Editors that have not approved it, in the order given. Under
    ``every_participant`` each of them blocks approval; otherwise they may still adopt it."""
    decision_missing: bool
    """The policy needs a recorded decision and there is none for this revision."""
    hearing_missing: bool = False
    """The partnership approves only after a clean hearing round, and there is none."""


def approval_state(
    policy: ApprovalPolicy,
    editors: Mapping[K, Level],
    approved: Collection[K],
    *,
    decided: bool = False,
    heard: bool = True,
) -> ApprovalState[K]:
    """The state of one revision: ``editors`` maps each editor organisation to its level,
    ``approved`` holds the organisations that approved the revision (others are ignored),
    ``decided`` says whether the secretariat recorded a decision on it, ``heard`` whether
    a hearing the partnership requires has been held (True where none is required)."""
    counted = [key for key in editors if key in approved]
    levels = {editors[key] for key in counted}
    missing = tuple(level for level in Level if level not in levels)
    pending = tuple(key for key in editors if key not in approved)
    decision_missing = policy.needs_decision and not decided
    met = not missing and not decision_missing and heard
    if policy is ApprovalPolicy.EVERY_PARTICIPANT:
        met = met and not pending
    return ApprovalState(policy, met, missing, pending, decision_missing, not heard)
