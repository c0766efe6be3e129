"""The pathway model: frozen values, no behaviour beyond small lookups.

A :class:`Pathway` is a directed graph of :class:`Step` (nodes) and :class:`Transition`
(edges). A transition between steps on different care levels carries a
:class:`Handover`: who sends, who receives, which messages, by when, and a checklist.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

__all__ = [
    "HANDOVER_KINDS",
    "RULE_SETS",
    "AgreedItem",
    "ChecklistItem",
    "Handover",
    "Level",
    "Pathway",
    "PathwayInfo",
    "RuleSettings",
    "Side",
    "Step",
    "StepKind",
    "Transition",
]


class Level(StrEnum):
    """The two care levels."""

    HOSPITAL = "hospital"
    MUNICIPALITY = "municipality"


class StepKind(StrEnum):
    """What happens in a step. ``home`` is where a pathway starts and ends; ``death`` is
    an outcome where it may end too; ``outpatient`` is a visit to a hospital clinic
    (poliklinikk) without an inpatient stay."""

    HOME = "home"
    REFERRAL = "referral"
    ASSESSMENT = "assessment"
    ADMISSION = "admission"
    TREATMENT = "treatment"
    DECISION = "decision"
    DISCHARGE = "discharge"
    RECEPTION = "reception"
    FOLLOW_UP = "follow_up"
    OUTPATIENT = "outpatient"
    DEATH = "death"
    OTHER = "other"


class Side(StrEnum):
    """Which side of a handover a checklist item belongs to."""

    SENDER = "sender"
    RECEIVER = "receiver"


@dataclass(frozen=True, slots=True)
class ChecklistItem:
    key: str
    text: str
    side: Side
    required: bool = True
    due: str | None = None
    """ISO 8601 duration after the transition's event, or ``None``."""


@dataclass(frozen=True, slots=True)
class Handover:
    """What must pass between the two care levels on a transition.

    Empty strings and empty tuples mean "not yet filled in": a draft may hold an
    incomplete handover, and the gap analysis says what is missing.
    """

    sender_role: str = ""
    receiver_role: str = ""
    messages: tuple[str, ...] = ()
    deadline: str | None = None
    checklist: tuple[ChecklistItem, ...] = ()


@dataclass(frozen=True, slots=True)
class Step:
    key: str
    name: str
    level: Level
    kind: StepKind
    responsible: str = ""
    expected_duration: str | None = None
    description: str = ""


@dataclass(frozen=True, slots=True)
class Transition:
    key: str
    source: str
    """Key of the step the transition leaves (``from`` in documents)."""
    target: str
    """Key of the step the transition enters (``to`` in documents)."""
    label: str = ""
    handover: Handover | None = None


@dataclass(frozen=True, slots=True)
class PathwayInfo:
    """The descriptive part of a pathway."""

    title: str
    description: str = ""
    target_group: str = ""
    agreement_ref: str = ""
    review_due: date | None = None


RULE_SETS = ("core", "norway")
"""The gap rule sets: ``core`` (graph and handover completeness) and ``norway`` (the
Norwegian handover rules: admission notice, ready-for-discharge notice, municipal reply,
discharge information, GP follow-up, readmission path)."""


HANDOVER_KINDS = ("admission", "discharge", "outpatient", "case_handling")
"""What a cross-level transition is, as a coordinator reads it (:mod:`pathways.gaps.stays`):
an admission into an inpatient stay, a discharge from one, an outpatient visit (there or
back), or the municipality's case handling during a stay."""


@dataclass(frozen=True, slots=True)
class AgreedItem:
    """A checklist item an agreement requires on every handover of some kinds.

    It is there when the handover's checklist has an item with the same ``key``, or one
    whose text says the words of ``text`` in any order and form (on ``side``, when the
    agreement names one): :func:`pathways.gaps.agreed.has_item`.
    """

    key: str
    text: str
    on: tuple[str, ...]
    """The kinds of handover it is required on (:data:`HANDOVER_KINDS`)."""
    side: Side | None = None


@dataclass(frozen=True, slots=True)
class RuleSettings:
    """Which gap rule sets apply to a pathway, and its deadlines (data, not constants).

    ``deadlines`` maps a deadline name (e.g. ``"admission_notice"``) to an ISO 8601
    duration overriding the rule's default (e.g. ``"PT48H"`` under a local agreement).
    ``severities`` maps a rule's code to the severity it has here (``"error"``,
    ``"warning"``, ``"info"``), overriding the rule's default. ``required_items`` are
    checklist items the agreement requires on handovers of a kind.
    """

    rule_sets: tuple[str, ...] = ("core",)
    deadlines: Mapping[str, str] = field(default_factory=dict)
    severities: Mapping[str, str] = field(default_factory=dict)
    required_items: tuple[AgreedItem, ...] = ()


@dataclass(frozen=True, slots=True)
class Pathway:
    """A whole pathway: its description and its graph, in document order."""

    info: PathwayInfo
    steps: tuple[Step, ...] = ()
    transitions: tuple[Transition, ...] = ()
    rules: RuleSettings = field(default_factory=RuleSettings)
    _steps_by_key: Mapping[str, Step] = field(
        init=False, repr=False, compare=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "_steps_by_key", {step.key: step for step in self.steps})

    def step(self, key: str) -> Step:
        """The step with ``key``; ``KeyError`` if there is none."""
        return self._steps_by_key[key]

    def has_step(self, key: str) -> bool:
        return key in self._steps_by_key

    def is_cross_level(self, transition: Transition) -> bool:
        """Whether ``transition`` joins steps on different care levels."""
        return self.step(transition.source).level != self.step(transition.target).level
