"""The ``fhir`` export: a FHIR R4 ``Bundle`` (collection) of a ``PlanDefinition`` and a
``Questionnaire`` per handover checklist.

The PlanDefinition has one action per step (``id`` = step key, in document order), with
the step's level and responsible role as its participant, its kind as code and its
expected duration as ``timingDuration``. Each transition is a ``relatedAction`` on its
target's action (``actionId`` = the source step key, ``after-end``), with the
handover's deadline as ``offsetDuration`` and the transition's label as an applicability
``condition``. Durations are UCUM quantities in the smallest unit the ISO 8601 text uses
(``PT24H`` → 24 h, ``P14D`` → 14 d).

A checklist becomes a Questionnaire of boolean items (``linkId`` = item key, ``required``
kept); each item's side and due time are extensions. :func:`questionnaire_for` gives the
Questionnaire of one transition, optionally of one side only, for integrations.

Codes, durations and the status stay FHIR's (``status`` is ``active`` or ``draft``);
the texts for people (titles, descriptions, displays) are in the context's language,
which each resource names in ``language`` (``en``, ``nb``, ``nn``), with deadlines said
as people say them (``innen 24 timer``).

Canonical URLs start with :attr:`ExportContext.base_url`; resource ids are
``pathway-{id}`` when the context names the pathway's id, else made from the title.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from pathways.durations import parse_duration
from pathways.export._text import aware, format_datetime, level_label
from pathways.export._words import words
from pathways.export.context import DEFAULT_CONTEXT, ExportContext
from pathways.export.errors import UnknownTransition
from pathways.model import Pathway, Side, Step, Transition
from pathways.wording import deadline_text, language_or_default

__all__ = ["bundle", "duration", "plan_definition", "questionnaire_for", "to_fhir"]

_UCUM = "http://unitsofmeasure.org"
_UNITS = {
    "W": ("wk", "weeks", 604800),
    "D": ("d", "days", 86400),
    "H": ("h", "hours", 3600),
    "M": ("min", "minutes", 60),
    "S": ("s", "seconds", 1),
}
_DURATION_PARTS = re.compile(r"(\d+)([WDHMS])")
_MAX_ID = 64


def duration(value: str | None) -> dict[str, Any] | None:
    """A FHIR ``Duration`` (UCUM) of an ISO 8601 duration; ``None`` if there is none.

    >>> duration("PT24H")
    {'value': 24, 'unit': 'hours', 'system': 'http://unitsofmeasure.org', 'code': 'h'}
    """
    if value is None:
        return None
    quantity = _quantity(value)
    if quantity is None:
        return None
    count, unit, code = quantity
    return {"value": count, "unit": unit, "system": _UCUM, "code": code}


@lru_cache(maxsize=1024)
def _quantity(value: str) -> tuple[int, str, str] | None:
    try:
        seconds = int(parse_duration(value).total_seconds())
    except ValueError:
        return None
    letters = [letter for _count, letter in _DURATION_PARTS.findall(value)]
    code, unit, size = min((_UNITS[letter] for letter in letters), key=lambda item: item[2])
    return seconds // size, unit, code


def _ascii_words(text: str) -> list[str]:
    plain = unicodedata.normalize("NFKD", text.replace("ø", "o").replace("Ø", "O"))
    plain = plain.replace("æ", "ae").replace("Æ", "Ae").replace("å", "a").replace("Å", "A")
    plain = plain.encode("ascii", "ignore").decode("ascii")
    return re.findall(r"[A-Za-z0-9]+", plain)


@lru_cache(maxsize=4096)
def _resource_id(text: str) -> str:
    """A FHIR id (``[A-Za-z0-9-.]{1,64}``) from ``text``, hashed down if too long."""
    candidate = "-".join(word.lower() for word in _ascii_words(text)) or "pathway"
    if len(candidate) <= _MAX_ID:
        return candidate
    digest = hashlib.sha256(candidate.encode()).hexdigest()[:10]
    return f"{candidate[: _MAX_ID - 11].rstrip('-')}-{digest}"


@lru_cache(maxsize=4096)
def _computable_name(text: str, prefix: str) -> str:
    """A FHIR computable name (``[A-Z][A-Za-z0-9_]{0,254}``) from ``text``."""
    name = "".join(word[:1].upper() + word[1:] for word in _ascii_words(text))
    if not name or not name[0].isalpha():
        name = prefix + name
    return name[:255]


def _plan_id(pathway: Pathway, context: ExportContext) -> str:
    if context.pathway_id is not None:
        return f"pathway-{context.pathway_id}"
    return _resource_id(pathway.info.title)


def _status(context: ExportContext) -> str:
    return "active" if context.is_approved else "draft"


def _base(context: ExportContext) -> str:
    return context.base_url.rstrip("/")


def _metadata(context: ExportContext) -> dict[str, Any]:
    data: dict[str, Any] = {}
    if context.version is not None:
        data["version"] = str(context.version)
    data["status"] = _status(context)
    if context.generated_at is not None:
        data["date"] = format_datetime(context.generated_at)
    return data


def _language(context: ExportContext) -> str:
    return language_or_default(context.language)


def _participant(step: Step, base: str, lang: str) -> dict[str, Any]:
    role: dict[str, Any] = {
        "coding": [
            {
                "system": f"{base}/CodeSystem/care-level",
                "code": step.level.value,
                "display": level_label(step.level, lang),
            }
        ]
    }
    if step.responsible:
        role["text"] = step.responsible
    return {"type": "practitioner", "role": role}


def _questionnaire_id(plan_id: str, transition: Transition, side: Side | None) -> str:
    suffix = f"-{side.value}" if side is not None else ""
    return _resource_id(f"{plan_id}-{transition.key}{suffix}")


def _related_action(transition: Transition) -> dict[str, Any]:
    related: dict[str, Any] = {"actionId": transition.source, "relationship": "after-end"}
    handover = transition.handover
    offset = duration(handover.deadline) if handover is not None else None
    if offset is not None:
        related["offsetDuration"] = offset
    return related


def _action(
    pathway: Pathway,
    step: Step,
    incoming: Sequence[Transition],
    context: ExportContext,
    plan_id: str,
) -> dict[str, Any]:
    base = _base(context)
    lang = _language(context)
    checklist = words(lang)["handover_checklist"]
    action: dict[str, Any] = {"id": step.key, "title": step.name}
    if step.description:
        action["description"] = step.description
    action["code"] = [
        {"coding": [{"system": f"{base}/CodeSystem/step-kind", "code": step.kind.value}]}
    ]
    documentation = [
        {
            "type": "documentation",
            "label": checklist,
            "display": f"{checklist}: {transition.key}",
            "resource": f"{base}/Questionnaire/{_questionnaire_id(plan_id, transition, None)}",
        }
        for transition in incoming
        if transition.handover is not None and transition.handover.checklist
    ]
    if documentation:
        action["documentation"] = documentation
    conditions = [
        {
            "kind": "applicability",
            "expression": {
                "description": f"{pathway.step(t.source).name} → {step.name}: {t.label}",
                "language": "text/plain",
                "expression": t.label,
            },
        }
        for t in incoming
        if t.label
    ]
    if conditions:
        action["condition"] = conditions
    related = [_related_action(transition) for transition in incoming]
    if related:
        action["relatedAction"] = related
    timing = duration(step.expected_duration)
    if timing is not None:
        action["timingDuration"] = timing
    action["participant"] = [_participant(step, base, lang)]
    return action


def plan_definition(pathway: Pathway, *, context: ExportContext | None = None) -> dict[str, Any]:
    """The FHIR R4 PlanDefinition of ``pathway`` as JSON-ready data."""
    context = context or DEFAULT_CONTEXT
    base = _base(context)
    plan_id = _plan_id(pathway, context)
    info = pathway.info
    resource: dict[str, Any] = {
        "resourceType": "PlanDefinition",
        "id": plan_id,
        "language": _language(context),
    }
    if info.review_due is not None:
        resource["extension"] = [
            {
                "url": f"{base}/StructureDefinition/review-due",
                "valueDate": info.review_due.isoformat(),
            }
        ]
    resource["url"] = f"{base}/PlanDefinition/{plan_id}"
    metadata = _metadata(context)
    if "version" in metadata:
        resource["version"] = metadata.pop("version")
    resource.update(
        name=_computable_name(info.title, "Pathway"),
        title=info.title,
        type={
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/plan-definition-type",
                    "code": "clinical-protocol",
                    "display": "Clinical Protocol",
                }
            ]
        },
        **metadata,
    )
    if info.description:
        resource["description"] = info.description
    resource["jurisdiction"] = [
        {"coding": [{"system": "urn:iso:std:iso:3166", "code": "NO", "display": "Norway"}]}
    ]
    if info.target_group:
        resource["usage"] = info.target_group
    if context.approvals:
        latest = max(aware(approval.approved_at) for approval in context.approvals)
        resource["approvalDate"] = format_datetime(latest)[:10]
        resource["endorser"] = [
            {
                "extension": [
                    {
                        "url": f"{base}/StructureDefinition/approval",
                        "extension": [
                            {"url": "level", "valueCode": approval.level.value},
                            {
                                "url": "approvedAt",
                                "valueDateTime": format_datetime(approval.approved_at),
                            },
                            {"url": "revision", "valueInteger": approval.revision},
                        ],
                    }
                ],
                "name": approval.organization,
            }
            for approval in context.approvals
        ]
    if info.agreement_ref:
        resource["relatedArtifact"] = [
            {
                "type": "documentation",
                "label": words(_language(context))["agreement"],
                "display": info.agreement_ref,
            }
        ]
    incoming: dict[str, list[Transition]] = {step.key: [] for step in pathway.steps}
    for transition in pathway.transitions:
        incoming[transition.target].append(transition)
    actions = [
        _action(pathway, step, incoming[step.key], context, plan_id) for step in pathway.steps
    ]
    if actions:
        resource["action"] = actions
    return resource


def _transition(pathway: Pathway, key: str) -> Transition:
    for transition in pathway.transitions:
        if transition.key == key:
            return transition
    raise UnknownTransition(key)


def questionnaire_for(
    pathway: Pathway,
    transition_key: str,
    *,
    side: Side | None = None,
    context: ExportContext | None = None,
) -> dict[str, Any]:
    """The FHIR R4 Questionnaire of one transition's handover checklist.

    With ``side``, only that side's items (and an id and URL of their own). A transition
    without a handover or checklist gives a Questionnaire with no items. Raises
    :class:`~pathways.export.errors.UnknownTransition` if there is no such transition.
    """
    context = context or DEFAULT_CONTEXT
    return _questionnaire(pathway, _transition(pathway, transition_key), side, context)


def _questionnaire(
    pathway: Pathway, transition: Transition, side: Side | None, context: ExportContext
) -> dict[str, Any]:
    base = _base(context)
    lang = _language(context)
    said = words(lang)
    plan_id = _plan_id(pathway, context)
    questionnaire_id = _questionnaire_id(plan_id, transition, side)
    source, target = pathway.step(transition.source), pathway.step(transition.target)
    handover = transition.handover
    resource: dict[str, Any] = {
        "resourceType": "Questionnaire",
        "id": questionnaire_id,
        "language": lang,
        "extension": [
            {"url": f"{base}/StructureDefinition/transition", "valueString": transition.key}
        ],
        "url": f"{base}/Questionnaire/{questionnaire_id}",
    }
    metadata = _metadata(context)
    if "version" in metadata:
        resource["version"] = metadata.pop("version")
    title = f"{said['handover_checklist']}: {source.name} → {target.name}"
    if side is not None:
        title += f" ({said[side.value].lower()})"
    resource.update(
        name=_computable_name(f"handover {transition.key} {side or ''}", "Handover"),
        title=title,
        status=metadata.pop("status"),
        subjectType=["Patient"],
        **metadata,
    )
    lines = [f"{pathway.info.title}: {source.name} → {target.name}."]
    if handover is not None:
        if handover.sender_role or handover.receiver_role:
            lines.append(
                said["from_sender_to_receiver"].format(
                    sender=handover.sender_role or "?", receiver=handover.receiver_role or "?"
                )
            )
        if handover.messages:
            lines.append(f"{said['messages']}: " + ", ".join(handover.messages) + ".")
        if handover.deadline:
            lines.append(f"{said['deadline']}: {deadline_text(handover.deadline, lang)}.")
    resource["description"] = " ".join(lines)
    items = []
    for item in handover.checklist if handover is not None else ():
        if side is not None and item.side is not side:
            continue
        extensions: list[dict[str, Any]] = [
            {"url": f"{base}/StructureDefinition/checklist-side", "valueCode": item.side.value}
        ]
        due = duration(item.due)
        if due is not None:
            extensions.append(
                {"url": f"{base}/StructureDefinition/checklist-due", "valueDuration": due}
            )
        items.append(
            {
                "extension": extensions,
                "linkId": item.key,
                "text": item.text,
                "type": "boolean",
                "required": item.required,
            }
        )
    if items:
        resource["item"] = items
    return resource


def bundle(pathway: Pathway, *, context: ExportContext | None = None) -> dict[str, Any]:
    """The Bundle (type collection) of the PlanDefinition and the Questionnaires."""
    context = context or DEFAULT_CONTEXT
    base = _base(context)
    resources = [plan_definition(pathway, context=context)]
    resources += [
        _questionnaire(pathway, transition, None, context)
        for transition in pathway.transitions
        if transition.handover is not None and transition.handover.checklist
    ]
    data: dict[str, Any] = {
        "resourceType": "Bundle",
        "id": _resource_id(f"{_plan_id(pathway, context)}-bundle"),
        "type": "collection",
    }
    if context.generated_at is not None:
        data["timestamp"] = format_datetime(context.generated_at)
    data["entry"] = [
        {
            "fullUrl": f"{base}/{resource['resourceType']}/{resource['id']}",
            "resource": resource,
        }
        for resource in resources
    ]
    return data


def to_fhir(pathway: Pathway, *, context: ExportContext | None = None) -> bytes:
    """FHIR R4 JSON (UTF-8, compact: a bundle is for machines) of the Bundle of ``pathway``."""
    text = json.dumps(bundle(pathway, context=context), ensure_ascii=False, separators=(",", ":"))
    return (text + "\n").encode("utf-8")
