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
import re
from collections.abc import Callable, Collection, Mapping
from datetime import date
from typing import Annotated, Any, Final, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
    WithJsonSchema,
)
from pydantic import ValidationError as PydanticValidationError

from pathways.durations import DURATION_PATTERN
from pathways.errors import Bilingual, DocumentError, InvalidValue, Violation
from pathways.field_errors import error_message, error_text
from pathways.findings import Severity
from pathways.gaps.rules import DEFAULT_DEADLINES, RULES_BY_CODE
from pathways.limits import DEFAULT_LIMITS, Limits
from pathways.model import (
    HANDOVER_KINDS,
    RULE_SETS,
    AgreedItem,
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
from pathways.text import (
    KEY_PATTERN,
    LINE_PATTERN,
    REQUIRED_LINE_PATTERN,
    REQUIRED_TEXT_PATTERN,
    TEXT_PATTERN,
    printable,
)
from pathways.validation import validate_pathway

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "ChecklistItemDoc",
    "DateText",
    "DurationText",
    "GraphDoc",
    "HandoverDoc",
    "Key",
    "Line",
    "Name",
    "PathwayDocument",
    "PathwayInfoDoc",
    "RulesDoc",
    "StepDoc",
    "Text",
    "TransitionDoc",
    "document_dict",
    "dump_document",
    "error_message",
    "handover_dict",
    "handover_from_dict",
    "parse_document",
    "read_stored_document",
    "rules_dict",
    "rules_from_dict",
    "step_dict",
    "step_from_dict",
    "transition_dict",
    "transition_from_dict",
]

FORMAT: Final = "hjem-til-hjem/pathway"
FORMAT_VERSION: Final = 1


# The shape of every string and list, checked before anything else: a list longer than
# its cap is refused without looking at its elements, and every string holds only what
# can be stored and exported (:mod:`pathways.text`). Settings may lower these caps
# (:class:`~pathways.limits.Limits`, checked by :mod:`pathways.validation`), not raise them.
_CAPS = DEFAULT_LIMITS

Key = Annotated[
    str, StringConstraints(min_length=1, max_length=_CAPS.max_key_length, pattern=KEY_PATTERN)
]
"""A key: lower-case letters, digits, '-' and '_'."""
Name = Annotated[
    str, StringConstraints(max_length=_CAPS.max_name_length, pattern=REQUIRED_LINE_PATTERN)
]
"""A required single line: a title, a name, a message."""
Line = Annotated[str, StringConstraints(max_length=_CAPS.max_name_length, pattern=LINE_PATTERN)]
"""An optional single line: a role, a label, a target group."""
Text = Annotated[str, StringConstraints(max_length=_CAPS.max_text_length, pattern=TEXT_PATTERN)]
"""Optional text that may span lines: a description."""
RequiredText = Annotated[
    str, StringConstraints(max_length=_CAPS.max_text_length, pattern=REQUIRED_TEXT_PATTERN)
]
DurationText = Annotated[str, StringConstraints(max_length=40, pattern=DURATION_PATTERN)]
"""An ISO 8601 duration in weeks, days, hours, minutes and seconds, e.g. PT24H."""

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _date_text(value: object) -> object:
    if not (isinstance(value, date) or (isinstance(value, str) and _DATE.fullmatch(value))):
        raise InvalidValue(
            Bilingual("must be a date as YYYY-MM-DD", "må være en dato (ÅÅÅÅ-MM-DD)")
        )
    return value


DateText = Annotated[date, BeforeValidator(_date_text)]
"""A date written YYYY-MM-DD (``format: date``); pydantic alone would take a Unix time too."""


def _member_of(names: Collection[str], what: Bilingual) -> Callable[[str], str]:
    """A check that a string is one of ``names``; ``what`` is what a name names."""

    def check(value: str) -> str:
        if value not in names:
            known = ", ".join(names)
            raise InvalidValue(
                Bilingual(
                    f"unknown {what.en} {value!r}; known: {known}",
                    f"«{printable(value)}» er ikke {what.nb}. Kjente: {known}",
                )
            )
        return value

    return check


RuleSetName = Annotated[
    str,
    AfterValidator(_member_of(RULE_SETS, Bilingual("rule set", "et kjent regelsett"))),
    WithJsonSchema({"type": "string", "enum": list(RULE_SETS)}),
]
DeadlineName = Annotated[
    str,
    AfterValidator(_member_of(DEFAULT_DEADLINES, Bilingual("deadline", "en kjent frist"))),
    WithJsonSchema({"type": "string", "enum": list(DEFAULT_DEADLINES)}),
]
RuleCode = Annotated[
    str,
    AfterValidator(_member_of(RULES_BY_CODE, Bilingual("rule", "en kjent regel"))),
    WithJsonSchema({"type": "string", "enum": list(RULES_BY_CODE)}),
]
HandoverKind = Annotated[
    str,
    AfterValidator(
        _member_of(HANDOVER_KINDS, Bilingual("handover kind", "en kjent type overlevering"))
    ),
    WithJsonSchema({"type": "string", "enum": list(HANDOVER_KINDS)}),
]


class _Doc(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class ChecklistItemDoc(_Doc):
    key: Key
    text: RequiredText
    side: Side
    required: StrictBool = True
    due: DurationText | None = Field(default=None, description="ISO 8601 duration, e.g. PT24H")

    def to_model(self) -> ChecklistItem:
        return ChecklistItem(self.key, self.text, self.side, self.required, self.due)

    @classmethod
    def of(cls, item: ChecklistItem) -> ChecklistItemDoc:
        """The document shape of a stored item (checked when it was stored, not again)."""
        return cls.model_construct(
            key=item.key, text=item.text, side=item.side, required=item.required, due=item.due
        )


class HandoverDoc(_Doc):
    sender_role: Line = ""
    receiver_role: Line = ""
    messages: list[Name] = Field(
        default_factory=list,
        max_length=_CAPS.max_messages,
        description="Message codes from the catalogue (e.g. LOG_INNLAGT) or free text",
    )
    deadline: DurationText | None = Field(default=None, description="ISO 8601 duration, e.g. PT24H")
    checklist: list[ChecklistItemDoc] = Field(
        default_factory=list, max_length=_CAPS.max_checklist_items
    )

    def to_model(self) -> Handover:
        return Handover(
            sender_role=self.sender_role,
            receiver_role=self.receiver_role,
            messages=tuple(self.messages),
            deadline=self.deadline,
            checklist=tuple(item.to_model() for item in self.checklist),
        )

    @classmethod
    def of(cls, handover: Handover) -> HandoverDoc:
        """The document shape of a stored handover (not validated again)."""
        return cls.model_construct(
            sender_role=handover.sender_role,
            receiver_role=handover.receiver_role,
            messages=list(handover.messages),
            deadline=handover.deadline,
            checklist=[ChecklistItemDoc.of(item) for item in handover.checklist],
        )


class StepDoc(_Doc):
    key: Key = Field(description="Unique in the pathway: lower-case letters, digits, - and _")
    name: Name
    level: Level
    kind: StepKind
    responsible: Line = Field(default="", description="The role responsible, e.g. fastlege")
    expected_duration: DurationText | None = Field(
        default=None, description="ISO 8601 duration, e.g. P4D"
    )
    description: Text = ""

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

    @classmethod
    def of(cls, step: Step) -> StepDoc:
        """The document shape of a stored step (not validated again)."""
        return cls.model_construct(
            key=step.key,
            name=step.name,
            level=step.level,
            kind=step.kind,
            responsible=step.responsible,
            expected_duration=step.expected_duration,
            description=step.description,
        )


class TransitionDoc(_Doc):
    key: Key
    from_: Key = Field(alias="from", description="Key of the step the transition leaves")
    to: Key = Field(description="Key of the step the transition enters")
    label: Line = Field(default="", description="The event or condition, e.g. 'Can go home'")
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

    @classmethod
    def of(cls, transition: Transition) -> TransitionDoc:
        """The document shape of a stored transition (not validated again)."""
        return cls.model_construct(
            key=transition.key,
            from_=transition.source,
            to=transition.target,
            label=transition.label,
            handover=HandoverDoc.of(transition.handover) if transition.handover else None,
        )


class PathwayInfoDoc(_Doc):
    title: Name
    description: Text = ""
    target_group: Line = ""
    agreement_ref: Line = Field(
        default="", description="The agreement point or tjenesteavtale it implements"
    )
    review_due: DateText | None = None

    def to_model(self) -> PathwayInfo:
        return PathwayInfo(
            title=self.title,
            description=self.description,
            target_group=self.target_group,
            agreement_ref=self.agreement_ref,
            review_due=self.review_due,
        )

    @classmethod
    def of(cls, info: PathwayInfo) -> PathwayInfoDoc:
        """The document shape of a stored description (not validated again)."""
        return cls.model_construct(
            title=info.title,
            description=info.description,
            target_group=info.target_group,
            agreement_ref=info.agreement_ref,
            review_due=info.review_due,
        )


class RequiredItemDoc(_Doc):
    """A checklist item the agreement requires on every handover of some kinds."""

    key: Key = Field(description="Present when a checklist item of the handover has this key")
    text: Name = Field(
        description="...or when an item's text holds these words in order, e.g. "
        "'pårørende informert'"
    )
    on: list[HandoverKind] = Field(
        min_length=1,
        max_length=len(HANDOVER_KINDS),
        description="The kinds of handover it is required on",
    )
    side: Side | None = Field(default=None, description="The side that checks it; null: either")

    def to_model(self) -> AgreedItem:
        return AgreedItem(self.key, self.text, tuple(dict.fromkeys(self.on)), self.side)


class RulesDoc(_Doc):
    """Which gap rule sets apply, deadlines and severities overriding the rules'
    defaults, and the checklist items the agreement requires."""

    rule_sets: list[RuleSetName] = Field(
        default_factory=lambda: ["core"],
        max_length=len(RULE_SETS),
        description="'core' and optionally 'norway'",
    )
    deadlines: dict[DeadlineName, DurationText] = Field(
        default_factory=dict,
        description="Deadline name → ISO 8601 duration, e.g. {'admission_notice': 'PT48H'}",
    )
    # Left out when empty, as in the native document (rules_dict), so that a document
    # without them keeps its bytes and reads the same on the wire.
    severities: dict[RuleCode, Severity] = Field(
        default_factory=dict,
        exclude_if=lambda value: not value,
        description="Rule code → the severity it has here, e.g. {'no-health-information': "
        "'error'}; left out when there are none",
    )
    required_items: list[RequiredItemDoc] = Field(
        default_factory=list,
        max_length=_CAPS.max_checklist_items,
        exclude_if=lambda value: not value,
        description="Checklist items required on handovers of a kind (rule "
        "missing-agreed-item); left out when there are none",
    )

    def to_model(self) -> RuleSettings:
        return RuleSettings(
            rule_sets=tuple(self.rule_sets),
            deadlines=dict(self.deadlines),
            severities={code: severity.value for code, severity in self.severities.items()},
            required_items=tuple(item.to_model() for item in self.required_items),
        )

    @classmethod
    def of(cls, rules: RuleSettings) -> RulesDoc:
        """The document shape of stored rule settings (not validated again)."""
        data = rules_dict(rules)
        return cls.model_construct(
            rule_sets=data["rule_sets"],
            deadlines=data["deadlines"],
            severities={code: Severity(value) for code, value in rules.severities.items()},
            required_items=[
                RequiredItemDoc.model_construct(
                    key=item.key, text=item.text, on=list(item.on), side=item.side
                )
                for item in rules.required_items
            ],
        )


class GraphDoc(_Doc):
    """The graph of a pathway: all its steps and transitions."""

    steps: list[StepDoc] = Field(default_factory=list, max_length=_CAPS.max_steps)
    transitions: list[TransitionDoc] = Field(default_factory=list, max_length=_CAPS.max_transitions)

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
    steps: list[StepDoc] = Field(default_factory=list, max_length=_CAPS.max_steps)
    transitions: list[TransitionDoc] = Field(default_factory=list, max_length=_CAPS.max_transitions)

    def to_model(self) -> Pathway:
        graph = GraphDoc(steps=self.steps, transitions=self.transitions)
        return dataclasses.replace(
            graph.to_model(self.pathway.to_model()), rules=self.rules.to_model()
        )

    @classmethod
    def of(cls, pathway: Pathway) -> PathwayDocument:
        """The document of a stored pathway or version (not validated again)."""
        return cls.model_construct(
            format=FORMAT,
            format_version=FORMAT_VERSION,
            pathway=PathwayInfoDoc.of(pathway.info),
            rules=RulesDoc.of(pathway.rules),
            steps=[StepDoc.of(step) for step in pathway.steps],
            transitions=[TransitionDoc.of(transition) for transition in pathway.transitions],
        )


def _violations(error: PydanticValidationError) -> list[Violation]:
    return [
        Violation.of(
            tuple(part for part in item["loc"] if isinstance(part, str | int)), error_text(item)
        )
        for item in error.errors(include_url=False)
    ]


def parse_document(raw: bytes | str, *, limits: Limits = DEFAULT_LIMITS) -> Pathway:
    """Read a native document; raise :class:`DocumentError` listing what is wrong."""
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError) as error:
        raise DocumentError(
            [Violation((), f"not valid JSON: {error}", f"Filen er ikke gyldig JSON: {error}")]
        ) from None
    if not isinstance(data, dict):
        raise DocumentError(
            [
                Violation(
                    (),
                    "a pathway document is a JSON object",
                    "Et forløpsdokument er et JSON-objekt",
                )
            ]
        )
    if data.get("format") != FORMAT:
        found = data.get("format")
        raise DocumentError(
            [
                Violation(
                    ("format",),
                    f"expected {FORMAT!r}, found {found!r}",
                    f"Filen er ikke et forløpsdokument: format skal være «{FORMAT}», "
                    f"men er «{printable(str(found))}»",
                )
            ]
        )
    if data.get("format_version") != FORMAT_VERSION:
        found = data.get("format_version")
        raise DocumentError(
            [
                Violation(
                    ("format_version",),
                    f"this service reads format version {FORMAT_VERSION}, found {found!r}",
                    f"Tjenesten leser formatversjon {FORMAT_VERSION}, men filen har "
                    f"versjon «{printable(str(found))}»",
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
    """Rule settings as they stand in the native document (deadlines and severities
    sorted by name; severities and required items only when there are some, so that a
    document without them keeps its bytes)."""
    data: dict[str, Any] = {
        "rule_sets": list(rules.rule_sets),
        "deadlines": {name: rules.deadlines[name] for name in sorted(rules.deadlines)},
    }
    if rules.severities:
        data["severities"] = {code: rules.severities[code] for code in sorted(rules.severities)}
    if rules.required_items:
        data["required_items"] = [
            {
                "key": item.key,
                "text": item.text,
                "on": list(item.on),
                "side": None if item.side is None else item.side.value,
            }
            for item in rules.required_items
        ]
    return data


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


# Reading back what this service wrote. Stored data was checked when it came in, under
# the rules of its day: it is read as it is, never validated again, so that a stricter
# rule for new input cannot make a stored pathway or version unreadable.


def handover_from_dict(data: Mapping[str, Any]) -> Handover:
    """The inverse of :func:`handover_dict`, for stored data (not validated again)."""
    return Handover(
        sender_role=data.get("sender_role", ""),
        receiver_role=data.get("receiver_role", ""),
        messages=tuple(data.get("messages", ())),
        deadline=data.get("deadline"),
        checklist=tuple(
            ChecklistItem(
                key=item["key"],
                text=item["text"],
                side=Side(item["side"]),
                required=item.get("required", True),
                due=item.get("due"),
            )
            for item in data.get("checklist", ())
        ),
    )


def step_from_dict(data: Mapping[str, Any]) -> Step:
    """The inverse of :func:`step_dict`, for stored data (not validated again)."""
    return Step(
        key=data["key"],
        name=data["name"],
        level=Level(data["level"]),
        kind=StepKind(data["kind"]),
        responsible=data.get("responsible", ""),
        expected_duration=data.get("expected_duration"),
        description=data.get("description", ""),
    )


def transition_from_dict(data: Mapping[str, Any]) -> Transition:
    """The inverse of :func:`transition_dict`, for stored data (not validated again)."""
    return Transition(
        key=data["key"],
        source=data["from"],
        target=data["to"],
        label=data.get("label", ""),
        handover=handover_from_dict(data["handover"]) if data.get("handover") else None,
    )


def rules_from_dict(data: Mapping[str, Any]) -> RuleSettings:
    """The inverse of :func:`rules_dict`, for stored data (not validated again)."""
    return RuleSettings(
        rule_sets=tuple(data.get("rule_sets", ("core",))),
        deadlines=dict(data.get("deadlines", {})),
        severities=dict(data.get("severities", {})),
        required_items=tuple(
            AgreedItem(
                key=item["key"],
                text=item["text"],
                on=tuple(item["on"]),
                side=None if item.get("side") is None else Side(item["side"]),
            )
            for item in data.get("required_items", ())
        ),
    )


def read_stored_document(raw: bytes | str) -> Pathway:
    """A native document this service wrote and stored (an approved version).

    Unlike :func:`parse_document`, nothing is validated again:

    >>> from importlib.resources import files
    >>> raw = files("pathways.examples").joinpath("hip-fracture.json").read_bytes()
    >>> read_stored_document(dump_document(parse_document(raw))) == parse_document(raw)
    True
    """
    data = json.loads(raw)
    info = data["pathway"]
    review_due = info.get("review_due")
    return Pathway(
        info=PathwayInfo(
            title=info["title"],
            description=info.get("description", ""),
            target_group=info.get("target_group", ""),
            agreement_ref=info.get("agreement_ref", ""),
            review_due=date.fromisoformat(review_due) if review_due else None,
        ),
        steps=tuple(step_from_dict(step) for step in data.get("steps", ())),
        transitions=tuple(
            transition_from_dict(transition) for transition in data.get("transitions", ())
        ),
        rules=rules_from_dict(data.get("rules", {})),
    )


def dump_document(pathway: Pathway) -> bytes:
    """The canonical bytes of the native document of ``pathway`` (UTF-8, 2-space indent)."""
    text = json.dumps(document_dict(pathway), ensure_ascii=False, indent=2)
    return (text + "\n").encode("utf-8")
