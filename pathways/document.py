"""The native document ``hjem-til-hjem/pathway``, version 1: read and write, losslessly.

Reading checks the shape (unknown fields are refused, with the path to each) and then
the structural rules of :mod:`pathways.validation`. Writing gives canonical bytes: the
same pathway always gives the same bytes, so export → import → export is identical.

>>> from importlib.resources import files
>>> raw = files("pathways.examples").joinpath("hip-fracture.json").read_bytes()
>>> pathway = parse_document(raw)
>>> parse_document(dump_document(pathway)) == pathway
True
"""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool
from pydantic import ValidationError as PydanticValidationError

from pathways.errors import DocumentError, Violation
from pathways.limits import DEFAULT_LIMITS, Limits
from pathways.model import (
    ChecklistItem,
    Handover,
    Level,
    Pathway,
    PathwayInfo,
    RuleSettings,
    Side,
    Step,
    StepKind,
    Transition,
)
from pathways.validation import validate_pathway

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "ChecklistItemDoc",
    "GraphDoc",
    "HandoverDoc",
    "PathwayDocument",
    "PathwayInfoDoc",
    "RulesDoc",
    "StepDoc",
    "TransitionDoc",
    "document_dict",
    "dump_document",
    "handover_dict",
    "parse_document",
    "rules_dict",
    "step_dict",
    "transition_dict",
]

FORMAT = "hjem-til-hjem/pathway"
FORMAT_VERSION = 1


class _Doc(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class ChecklistItemDoc(_Doc):
    key: str
    text: str
    side: Side
    required: StrictBool = True
    due: str | None = Field(default=None, description="ISO 8601 duration, e.g. PT24H")

    def to_model(self) -> ChecklistItem:
        return ChecklistItem(self.key, self.text, self.side, self.required, self.due)


class HandoverDoc(_Doc):
    sender_role: str = ""
    receiver_role: str = ""
    messages: list[str] = Field(
        default_factory=list,
        description="Message codes from the catalogue (e.g. LOG_INNLAGT) or free text",
    )
    deadline: str | None = Field(default=None, description="ISO 8601 duration, e.g. PT24H")
    checklist: list[ChecklistItemDoc] = Field(default_factory=list)

    def to_model(self) -> Handover:
        return Handover(
            sender_role=self.sender_role,
            receiver_role=self.receiver_role,
            messages=tuple(self.messages),
            deadline=self.deadline,
            checklist=tuple(item.to_model() for item in self.checklist),
        )


class StepDoc(_Doc):
    key: str = Field(description="Unique in the pathway: lower-case letters, digits, - and _")
    name: str
    level: Level
    kind: StepKind
    responsible: str = Field(default="", description="The role responsible, e.g. fastlege")
    expected_duration: str | None = Field(default=None, description="ISO 8601 duration, e.g. P4D")
    description: str = ""

    def to_model(self) -> Step:
        return Step(
            key=self.key,
            name=self.name,
            level=self.level,
            kind=self.kind,
            responsible=self.responsible,
            expected_duration=self.expected_duration,
            description=self.description,
        )


class TransitionDoc(_Doc):
    key: str
    from_: str = Field(alias="from", description="Key of the step the transition leaves")
    to: str = Field(description="Key of the step the transition enters")
    label: str = Field(default="", description="The event or condition, e.g. 'Can go home'")
    handover: HandoverDoc | None = Field(
        default=None, description="Required when the two steps are on different levels"
    )

    def to_model(self) -> Transition:
        return Transition(
            key=self.key,
            source=self.from_,
            target=self.to,
            label=self.label,
            handover=self.handover.to_model() if self.handover else None,
        )


class PathwayInfoDoc(_Doc):
    title: str
    description: str = ""
    target_group: str = ""
    agreement_ref: str = Field(
        default="", description="The agreement point or tjenesteavtale it implements"
    )
    review_due: date | None = None

    def to_model(self) -> PathwayInfo:
        return PathwayInfo(
            title=self.title,
            description=self.description,
            target_group=self.target_group,
            agreement_ref=self.agreement_ref,
            review_due=self.review_due,
        )


class RulesDoc(_Doc):
    """Which gap rule sets apply, and deadlines overriding the rules' defaults."""

    rule_sets: list[str] = Field(
        default_factory=lambda: ["core"], description="'core' and optionally 'norway'"
    )
    deadlines: dict[str, str] = Field(
        default_factory=dict,
        description="Deadline name → ISO 8601 duration, e.g. {'admission_notice': 'PT48H'}",
    )

    def to_model(self) -> RuleSettings:
        return RuleSettings(rule_sets=tuple(self.rule_sets), deadlines=dict(self.deadlines))


class GraphDoc(_Doc):
    """The graph of a pathway: all its steps and transitions."""

    steps: list[StepDoc] = Field(default_factory=list)
    transitions: list[TransitionDoc] = Field(default_factory=list)

    def to_model(self, info: PathwayInfo) -> Pathway:
        return Pathway(
            info=info,
            steps=tuple(step.to_model() for step in self.steps),
            transitions=tuple(transition.to_model() for transition in self.transitions),
        )


class PathwayDocument(_Doc):
    """A whole pathway as the native document, format version 1."""

    format: Literal["hjem-til-hjem/pathway"]
    format_version: Literal[1]
    pathway: PathwayInfoDoc
    rules: RulesDoc = Field(default_factory=RulesDoc)
    steps: list[StepDoc] = Field(default_factory=list)
    transitions: list[TransitionDoc] = Field(default_factory=list)

    def to_model(self) -> Pathway:
        graph = GraphDoc(steps=self.steps, transitions=self.transitions)
        return dataclasses.replace(
            graph.to_model(self.pathway.to_model()), rules=self.rules.to_model()
        )


def _violations(error: PydanticValidationError) -> list[Violation]:
    return [
        Violation(tuple(part for part in item["loc"] if isinstance(part, str | int)), item["msg"])
        for item in error.errors(include_url=False)
    ]


def parse_document(raw: bytes | str, *, limits: Limits = DEFAULT_LIMITS) -> Pathway:
    """Read a native document; raise :class:`DocumentError` listing what is wrong."""
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError) as error:
        raise DocumentError([Violation((), f"not valid JSON: {error}")]) from None
    if not isinstance(data, dict):
        raise DocumentError([Violation((), "a pathway document is a JSON object")])
    if data.get("format") != FORMAT:
        raise DocumentError(
            [Violation(("format",), f"expected {FORMAT!r}, found {data.get('format')!r}")]
        )
    if data.get("format_version") != FORMAT_VERSION:
        raise DocumentError(
            [
                Violation(
                    ("format_version",),
                    f"this service reads format version {FORMAT_VERSION}, "
                    f"found {data.get('format_version')!r}",
                )
            ]
        )
    try:
        document = PathwayDocument.model_validate(data)
    except PydanticValidationError as error:
        raise DocumentError(_violations(error)) from None
    pathway = document.to_model()
    validate_pathway(pathway, limits=limits)
    return pathway


def _checklist_item_dict(item: ChecklistItem) -> dict[str, Any]:
    return {
        "key": item.key,
        "text": item.text,
        "side": item.side.value,
        "required": item.required,
        "due": item.due,
    }


def handover_dict(handover: Handover) -> dict[str, Any]:
    """A handover as it stands in the native document."""
    return {
        "sender_role": handover.sender_role,
        "receiver_role": handover.receiver_role,
        "messages": list(handover.messages),
        "deadline": handover.deadline,
        "checklist": [_checklist_item_dict(item) for item in handover.checklist],
    }


def rules_dict(rules: RuleSettings) -> dict[str, Any]:
    """Rule settings as they stand in the native document (deadlines sorted by name)."""
    return {
        "rule_sets": list(rules.rule_sets),
        "deadlines": {name: rules.deadlines[name] for name in sorted(rules.deadlines)},
    }


def step_dict(step: Step) -> dict[str, Any]:
    """A step as it stands in the native document."""
    return {
        "key": step.key,
        "name": step.name,
        "level": step.level.value,
        "kind": step.kind.value,
        "responsible": step.responsible,
        "expected_duration": step.expected_duration,
        "description": step.description,
    }


def transition_dict(transition: Transition) -> dict[str, Any]:
    """A transition as it stands in the native document."""
    return {
        "key": transition.key,
        "from": transition.source,
        "to": transition.target,
        "label": transition.label,
        "handover": handover_dict(transition.handover) if transition.handover else None,
    }


def document_dict(pathway: Pathway) -> dict[str, Any]:
    """The native document of ``pathway`` as plain JSON-ready data, in canonical order."""
    info = pathway.info
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "pathway": {
            "title": info.title,
            "description": info.description,
            "target_group": info.target_group,
            "agreement_ref": info.agreement_ref,
            "review_due": info.review_due.isoformat() if info.review_due else None,
        },
        "rules": rules_dict(pathway.rules),
        "steps": [step_dict(step) for step in pathway.steps],
        "transitions": [transition_dict(transition) for transition in pathway.transitions],
    }


def dump_document(pathway: Pathway) -> bytes:
    """The canonical bytes of the native document of ``pathway`` (UTF-8, 2-space indent)."""
    text = json.dumps(document_dict(pathway), ensure_ascii=False, indent=2)
    return (text + "\n").encode("utf-8")
