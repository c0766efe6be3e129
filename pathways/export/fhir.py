"""The ``fhir`` export: a FHIR R4 ``Bundle`` (collection) of a ``PlanDefinition``, a
``Questionnaire`` per handover checklist, and the definitions they use.

Every resource and the Bundle are valid under HL7's official R4 JSON schema and
``fhir.resources``. The Bundle holds, in this order: the PlanDefinition; a Questionnaire
per transition with a checklist (in document order); a ``StructureDefinition`` for each
extension the other entries use; a ``CodeSystem`` for each of our code systems they use
(care levels, step kinds, checklist sides).

**Actions.** The PlanDefinition has one action per step (``id`` = step key, in document
order), with the step's level and responsible role as its participant, its kind as
code, its expected duration as ``timingDuration`` and, per incoming handover with a
checklist, a ``documentation`` link to that checklist's Questionnaire.

**Ways in.** Each incoming transition is a ``relatedAction`` (``actionId`` = the source
step key, ``after-end``) that names its transition in the ``transition`` extension. A
step with several incoming transitions is reached by *one* of them: its related actions
are alternatives, not all required (the extension's definition says so).

**Conditions.** A transition's label ("Needs rehab: yes") is prose for people; nothing
computable says when it holds. FHIR R4 combines an action's conditions with AND, so a
step whose incoming transitions have labels gets *one* applicability condition naming
every way in, joined with ``or``: ``language`` is ``text/cql`` (a code of R4's value
set, which the schema closes) and ``expression`` is a CQL boolean of quoted identifiers,
one per incoming transition key (``"to-rehab" or "readmit"``): named conditions, each
meaning "the patient came by this transition (its label holding)", for a library of the
implementer's to define. ``description`` says the same for people, in the context's
language, with each transition's label. A step whose incoming transitions have no label
has no condition: it applies whenever the patient gets there; nor has a home step with a
way out, where the pathway may start (as the gap analysis counts starts).

**Deadlines** are upper bounds: a handover's deadline is ``relatedAction.offsetRange``
from 0 to the deadline (``within 24 h`` → 0 to 24 h after the source ends), never an exact
offset. Durations are UCUM quantities in the smallest unit the ISO 8601 text uses
(``PT24H`` → 24 h, ``P14D`` → 14 d), with the unit's name in the context's language;
zero (``PT0H``, the same day) is 0 d: no whole day later. A checklist item's due time
(the ``checklist-due`` extension) is an upper bound too, as its definition says.

A checklist becomes a Questionnaire of boolean items (``linkId`` = item key, ``required``
kept); each item's side and due time are extensions. :func:`questionnaire_for` gives the
Questionnaire of one transition, optionally of one side only, for integrations.

**Canonical URLs** are ``{base}/{type}/{id}`` with the base
:attr:`ExportContext.base_url` (the API's ``PATHWAYS_FHIR_BASE_URL``; by default
``urn:hjem-til-hjem:fhir``, a name that is no address). Resource ids are
``pathway-{id}`` when the context names the pathway's id, else made from the title.
**Versions**: the PlanDefinition and the Questionnaires carry the approved version number
(``"3"``) or, for a draft, its revision (``"r17"``); links to a Questionnaire are
versioned canonicals (``…/Questionnaire/pathway-42-to-home|3``). The definitions carry
their own version (:data:`DEFINITIONS_VERSION`). ``lastReviewDate`` is the day of the
latest approval in the context, ``approvalDate`` the same when the context is approved;
the next review (``review_due``), which R4 has no element for, is the ``review-due``
extension.

Codes, durations and the status stay FHIR's (``status`` is ``active`` or ``draft``);
the texts for people (titles, descriptions, displays) are in the context's language,
which each resource names in ``language`` (``en``, ``nb``, ``nn``), with deadlines said
as people say them (``innen 24 timer``). Displays of HL7's and ISO's codes are theirs.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pathways.durations import parse_duration
from pathways.export._text import aware, format_datetime, kind_label, level_label
from pathways.export._words import words
from pathways.export.context import DEFAULT_CONTEXT, ExportContext
from pathways.export.errors import UnknownTransition
from pathways.model import Level, Pathway, Side, Step, StepKind, Transition
from pathways.wording import UNIT_NAMES, deadline_text, language_or_default

__all__ = [
    "DEFINITIONS_VERSION",
    "bundle",
    "duration",
    "plan_definition",
    "questionnaire_for",
    "to_fhir",
]

DEFINITIONS_VERSION = "1"
"""Version of our StructureDefinitions and CodeSystems: raise it when one changes."""

_UCUM = "http://unitsofmeasure.org"
_LETTERS = {
    "W": ("wk", 604800),
    "D": ("d", 86400),
    "H": ("h", 3600),
    "M": ("min", 60),
    "S": ("s", 1),
}
_DURATION_PARTS = re.compile(r"(\d+)([WDHMS])")
_MAX_ID = 64
_OR = {"en": "or", "nb": "eller", "nn": "eller"}


def duration(value: str | None, language: str = "en") -> dict[str, Any] | None:
    """A FHIR ``Duration`` (UCUM) of an ISO 8601 duration; ``None`` if there is none.

    The unit's name (``unit``) is in ``language``; zero (the same day) is 0 days.

    >>> duration("PT24H")
    {'value': 24, 'unit': 'hours', 'system': 'http://unitsofmeasure.org', 'code': 'h'}
    >>> duration("PT0H", "nb")
    {'value': 0, 'unit': 'dager', 'system': 'http://unitsofmeasure.org', 'code': 'd'}
    """
    if value is None:
        return None
    found = _duration(value, language_or_default(language))
    return None if found is None else dict(found)


@lru_cache(maxsize=1024)
def _duration(value: str, language: str) -> Mapping[str, Any] | None:
    try:
        seconds = int(parse_duration(value).total_seconds())
    except ValueError:
        return None
    if seconds == 0:
        code, count = "d", 0
    else:
        letters = [letter for _count, letter in _DURATION_PARTS.findall(value)]
        code, size = min((_LETTERS[letter] for letter in letters), key=lambda item: item[1])
        count = seconds // size
    singular, plural = UNIT_NAMES[language][code]
    return {
        "value": count,
        "unit": singular if count == 1 else plural,
        "system": _UCUM,
        "code": code,
    }


@lru_cache(maxsize=256)
def _upper_bound(value: str, language: str) -> Mapping[str, Any] | None:
    """A ``Range`` from 0 to ``value``: "within ``value``" as FHIR reads it."""
    high = _duration(value, language)
    if high is None:
        return None
    low = {**high, "value": 0, "unit": UNIT_NAMES[language][high["code"]][1]}
    return {"low": low, "high": dict(high)}


@lru_cache(maxsize=256)
def _deadline_text(value: str, language: str) -> str:
    return deadline_text(value, language)


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


def _cql_identifier(key: str) -> str:
    """``key`` as a CQL quoted identifier: ``"to-home"``."""
    return '"' + key.replace("\\", "\\\\").replace('"', '\\"') + '"'


@dataclass(frozen=True, slots=True)
class _Export:
    """What every resource of one export shares, worked out once."""

    base: str
    language: str
    said: Mapping[str, str]
    plan_id: str
    version: str | None
    status: str
    date: str | None
    approval_date: str | None
    last_review_date: str | None

    def url(self, kind: str, resource_id: str) -> str:
        return f"{self.base}/{kind}/{resource_id}"

    def canonical(self, kind: str, resource_id: str) -> str:
        """The versioned canonical (``url|version``) when there is a version."""
        url = self.url(kind, resource_id)
        return url if self.version is None else f"{url}|{self.version}"

    def extension(self, name: str) -> str:
        return f"{self.base}/StructureDefinition/{name}"

    def code_system(self, name: str) -> str:
        return f"{self.base}/CodeSystem/{name}"

    def metadata(self) -> dict[str, Any]:
        """``version``, ``status`` and ``date``, in FHIR's order."""
        data: dict[str, Any] = {}
        if self.version is not None:
            data["version"] = self.version
        data["status"] = self.status
        if self.date is not None:
            data["date"] = self.date
        return data

    def review_dates(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        if self.approval_date is not None:
            data["approvalDate"] = self.approval_date
        if self.last_review_date is not None:
            data["lastReviewDate"] = self.last_review_date
        return data


def _version(context: ExportContext) -> str | None:
    if context.version is not None:
        return str(context.version)
    if context.revision is not None:
        return f"r{context.revision}"
    return None


def _export(pathway: Pathway, context: ExportContext) -> _Export:
    language = language_or_default(context.language)
    last_review = None
    if context.approvals:
        latest = max(aware(approval.approved_at) for approval in context.approvals)
        last_review = format_datetime(latest)[:10]
    if context.pathway_id is not None:
        plan_id = f"pathway-{context.pathway_id}"
    else:
        plan_id = _resource_id(pathway.info.title)
    return _Export(
        base=context.base_url.rstrip("/"),
        language=language,
        said=words(language),
        plan_id=plan_id,
        version=_version(context),
        status="active" if context.is_approved else "draft",
        date=None if context.generated_at is None else format_datetime(context.generated_at),
        approval_date=last_review if context.is_approved else None,
        last_review_date=last_review,
    )


def _participant(step: Step, env: _Export) -> dict[str, Any]:
    role: dict[str, Any] = {
        "coding": [
            {
                "system": env.code_system("care-level"),
                "code": step.level.value,
                "display": level_label(step.level, env.language),
            }
        ]
    }
    if step.responsible:
        role["text"] = step.responsible
    return {"type": "practitioner", "role": role}


def _questionnaire_id(plan_id: str, transition: Transition, side: Side | None) -> str:
    suffix = f"-{side.value}" if side is not None else ""
    return _resource_id(f"{plan_id}-{transition.key}{suffix}")


def _has_checklist(transition: Transition) -> bool:
    return transition.handover is not None and bool(transition.handover.checklist)


def _related_action(transition: Transition, env: _Export) -> dict[str, Any]:
    related: dict[str, Any] = {
        "extension": [{"url": env.extension("transition"), "valueString": transition.key}],
        "actionId": transition.source,
        "relationship": "after-end",
    }
    handover = transition.handover
    if handover is not None and handover.deadline:
        bound = _upper_bound(handover.deadline, env.language)
        if bound is not None:
            related["offsetRange"] = {"low": dict(bound["low"]), "high": dict(bound["high"])}
    return related


def _condition(
    pathway: Pathway, step: Step, incoming: Sequence[Transition], starts: bool, env: _Export
) -> dict[str, Any] | None:
    """One applicability condition: the ways in, joined with ``or`` (see the module);
    none where the pathway may start (``starts``) or no way in has a label."""
    if starts or not any(transition.label for transition in incoming):
        return None
    said = []
    for transition in incoming:
        way = f"{pathway.step(transition.source).name} → {step.name}"
        said.append(f"{way}: {transition.label}" if transition.label else way)
    description = (
        said[0] if len(said) == 1 else f" {_OR[env.language]} ".join(f"({s})" for s in said)
    )
    return {
        "kind": "applicability",
        "expression": {
            "description": description,
            "language": "text/cql",
            "expression": " or ".join(_cql_identifier(t.key) for t in incoming),
        },
    }


def _action(
    pathway: Pathway,
    step: Step,
    incoming: Sequence[Transition],
    starts: bool,
    env: _Export,
) -> dict[str, Any]:
    checklist = env.said["handover_checklist"]
    action: dict[str, Any] = {"id": step.key, "title": step.name}
    if step.description:
        action["description"] = step.description
    action["code"] = [
        {
            "coding": [
                {
                    "system": env.code_system("step-kind"),
                    "code": step.kind.value,
                    "display": kind_label(step.kind, env.language),
                }
            ]
        }
    ]
    documentation = [
        {
            "type": "documentation",
            "label": checklist,
            "display": f"{checklist}: {pathway.step(transition.source).name} → {step.name}",
            "resource": env.canonical(
                "Questionnaire", _questionnaire_id(env.plan_id, transition, None)
            ),
        }
        for transition in incoming
        if _has_checklist(transition)
    ]
    if documentation:
        action["documentation"] = documentation
    condition = _condition(pathway, step, incoming, starts, env)
    if condition is not None:
        action["condition"] = [condition]
    if incoming:
        action["relatedAction"] = [_related_action(transition, env) for transition in incoming]
    if step.expected_duration is not None:
        timing = _duration(step.expected_duration, env.language)
        if timing is not None:
            action["timingDuration"] = dict(timing)
    action["participant"] = [_participant(step, env)]
    return action


def plan_definition(pathway: Pathway, *, context: ExportContext | None = None) -> dict[str, Any]:
    """The FHIR R4 PlanDefinition of ``pathway`` as JSON-ready data."""
    context = context or DEFAULT_CONTEXT
    return _plan_definition(pathway, context, _export(pathway, context))


def _plan_definition(pathway: Pathway, context: ExportContext, env: _Export) -> dict[str, Any]:
    info = pathway.info
    resource: dict[str, Any] = {
        "resourceType": "PlanDefinition",
        "id": env.plan_id,
        "language": env.language,
    }
    if info.review_due is not None:
        resource["extension"] = [
            {"url": env.extension("review-due"), "valueDate": info.review_due.isoformat()}
        ]
    resource["url"] = env.url("PlanDefinition", env.plan_id)
    metadata = env.metadata()
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
    resource.update(env.review_dates())
    if context.approvals:
        resource["endorser"] = [
            {
                "extension": [
                    {
                        "url": env.extension("approval"),
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
    related: list[dict[str, Any]] = []
    if info.agreement_ref:
        related.append(
            {"type": "documentation", "label": env.said["agreement"], "display": info.agreement_ref}
        )
    if context.origin is not None:
        origin = context.origin
        # The borrowed-from pathway's PlanDefinition, as this service names it.
        related.append(
            {
                "type": "derived-from",
                "label": env.said["borrowed_from"],
                "display": origin.text(env.language),
                "resource": f"{env.url('PlanDefinition', f'pathway-{origin.pathway_id}')}"
                f"|{origin.version}",
            }
        )
    if related:
        resource["relatedArtifact"] = related
    incoming: dict[str, list[Transition]] = {step.key: [] for step in pathway.steps}
    leaving: set[str] = set()
    for transition in pathway.transitions:
        incoming[transition.target].append(transition)
        leaving.add(transition.source)
    actions = [
        _action(
            pathway,
            step,
            incoming[step.key],
            step.kind is StepKind.HOME and step.key in leaving,
            env,
        )
        for step in pathway.steps
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
    transition = _transition(pathway, transition_key)
    return _questionnaire(pathway, transition, side, _export(pathway, context))


def _questionnaire(
    pathway: Pathway, transition: Transition, side: Side | None, env: _Export
) -> dict[str, Any]:
    said = env.said
    questionnaire_id = _questionnaire_id(env.plan_id, transition, side)
    source, target = pathway.step(transition.source), pathway.step(transition.target)
    handover = transition.handover
    resource: dict[str, Any] = {
        "resourceType": "Questionnaire",
        "id": questionnaire_id,
        "language": env.language,
        "extension": [{"url": env.extension("transition"), "valueString": transition.key}],
        "url": env.url("Questionnaire", questionnaire_id),
    }
    metadata = env.metadata()
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
            lines.append(f"{said['deadline']}: {_deadline_text(handover.deadline, env.language)}.")
    resource["description"] = " ".join(lines)
    resource.update(env.review_dates())
    side_url, due_url = env.extension("checklist-side"), env.extension("checklist-due")
    items = []
    for item in handover.checklist if handover is not None else ():
        if side is not None and item.side is not side:
            continue
        extensions: list[dict[str, Any]] = [{"url": side_url, "valueCode": item.side.value}]
        due = None if item.due is None else _duration(item.due, env.language)
        if due is not None:
            extensions.append({"url": due_url, "valueDuration": dict(due)})
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


# -- the definitions ----------------------------------------------------------------------

_Texts = Mapping[str, tuple[str, str]]
"""Per language: a title and a description."""

_EXTENSION_TEXTS: Mapping[str, _Texts] = {
    "review-due": {
        "en": (
            "Review due",
            "The date by which the partners are to review the pathway: its next review. "
            "lastReviewDate is the review before.",
        ),
        "nb": (
            "Revideres innen",
            "Datoen da samarbeidspartnerne senest skal revidere forløpet: neste revisjon. "
            "lastReviewDate er forrige gjennomgang.",
        ),
        "nn": (
            "Skal reviderast innan",
            "Datoen då samarbeidspartnarane seinast skal revidere forløpet: neste revisjon. "
            "lastReviewDate er førre gjennomgang.",
        ),
    },
    "approval": {
        "en": (
            "Approval",
            "One organisation's approval of one revision of the pathway: its care level, "
            "when it approved and which revision. On the endorser that approved.",
        ),
        "nb": (
            "Godkjenning",
            "Én organisasjons godkjenning av én revisjon av forløpet: omsorgsnivået, når den "
            "godkjente og hvilken revisjon. På den som godkjente (endorser).",
        ),
        "nn": (
            "Godkjenning",
            "Godkjenninga til éin organisasjon av éin revisjon av forløpet: omsorgsnivået, "
            "når han godkjende og kva revisjon. På den som godkjende (endorser).",
        ),
    },
    "transition": {
        "en": (
            "Transition",
            "The key of the pathway's transition this stands for. On a Questionnaire: the "
            "handover checklist of that transition. On a related action: one way into the "
            "step. The related actions of an action are alternatives: the step follows the "
            "one the patient came by, not all of them; the action's applicability condition "
            "names the same keys.",
        ),
        "nb": (
            "Overgang",
            "Nøkkelen til overgangen i forløpet. På et Questionnaire: sjekklisten for "
            "overleveringen på den overgangen. På en relatert handling: én vei inn i steget. "
            "De relaterte handlingene til en handling er alternativer: steget følger den "
            "pasienten kom fra, ikke alle; vilkåret for handlingen nevner de samme nøklene.",
        ),
        "nn": (
            "Overgang",
            "Nøkkelen til overgangen i forløpet. På eit Questionnaire: sjekklista for "
            "overleveringa på den overgangen. På ei relatert handling: éin veg inn i steget. "
            "Dei relaterte handlingane til ei handling er alternativ: steget følgjer den "
            "pasienten kom frå, ikkje alle; vilkåret for handlinga nemner dei same nøklane.",
        ),
    },
    "checklist-side": {
        "en": (
            "Checklist side",
            "Who ticks the checklist item: the sender or the receiver of the handover.",
        ),
        "nb": (
            "Side i sjekklisten",
            "Hvem som krysser av punktet: avsenderen eller mottakeren av overleveringen.",
        ),
        "nn": (
            "Side i sjekklista",
            "Kven som kryssar av punktet: avsendaren eller mottakaren av overleveringa.",
        ),
    },
    "checklist-due": {
        "en": (
            "Checklist item due",
            "The latest the item is to be done, counted from the handover's event: an upper "
            "bound, not an exact time. 0 days: the same day.",
        ),
        "nb": (
            "Frist for punktet",
            "Senest når punktet skal være gjort, regnet fra hendelsen som utløser "
            "overleveringen: en øvre grense, ikke et eksakt tidspunkt. 0 dager: samme dag.",
        ),
        "nn": (
            "Frist for punktet",
            "Seinast når punktet skal vere gjort, rekna frå hendinga som utløyser "
            "overleveringa: ei øvre grense, ikkje eit eksakt tidspunkt. 0 dagar: same dag.",
        ),
    },
}
_APPROVAL_PARTS: Mapping[str, Mapping[str, str]] = {
    "en": {"level": "Care level", "approvedAt": "Approved", "revision": "Revision"},
    "nb": {"level": "Omsorgsnivå", "approvedAt": "Godkjent", "revision": "Revisjon"},
    "nn": {"level": "Omsorgsnivå", "approvedAt": "Godkjend", "revision": "Revisjon"},
}
_CODE_SYSTEM_TEXTS: Mapping[str, _Texts] = {
    "care-level": {
        "en": ("Care levels", "The care level that carries out a step."),
        "nb": ("Omsorgsnivåer", "Omsorgsnivået som utfører et steg."),
        "nn": ("Omsorgsnivå", "Omsorgsnivået som utfører eit steg."),
    },
    "step-kind": {
        "en": ("Step kinds", "What happens in a step of a pathway."),
        "nb": ("Typer steg", "Hva som skjer i et steg i et forløp."),
        "nn": ("Typar steg", "Kva som skjer i eit steg i eit forløp."),
    },
    "checklist-side": {
        "en": ("Checklist sides", "Who ticks an item of a handover checklist."),
        "nb": ("Sider i sjekklister", "Hvem som krysser av et punkt i en sjekkliste."),
        "nn": ("Sider i sjekklister", "Kven som kryssar av eit punkt i ei sjekkliste."),
    },
}
_EXTENSION_CONTEXTS: Mapping[str, tuple[str, ...]] = {
    "review-due": ("PlanDefinition",),
    "approval": ("PlanDefinition.endorser",),
    "transition": ("Questionnaire", "PlanDefinition.action.relatedAction"),
    "checklist-side": ("Questionnaire.item",),
    "checklist-due": ("Questionnaire.item",),
}
_EXTENSION_TYPES = {
    "review-due": "date",
    "transition": "string",
    "checklist-side": "code",
    "checklist-due": "Duration",
}
_APPROVAL_TYPES = {"level": "code", "approvedAt": "dateTime", "revision": "integer"}


def _element(element_id: str, **more: Any) -> dict[str, Any]:
    path = re.sub(r":[^.]+", "", element_id)
    return {"id": element_id, "path": path, **more}


def _value_elements(prefix: str, value_type: str, url: str) -> list[dict[str, Any]]:
    """The ``extension``, ``url`` and ``value[x]`` elements of a simple extension."""
    return [
        _element(f"{prefix}.extension", max="0"),
        _element(f"{prefix}.url", fixedUri=url),
        _element(f"{prefix}.value[x]", min=1, type=[{"code": value_type}]),
    ]


def _structure_definition(name: str, env: _Export) -> dict[str, Any]:
    title, description = _EXTENSION_TEXTS[name][env.language]
    url = env.extension(name)
    elements = [_element("Extension", short=title, definition=description)]
    if name == "approval":
        parts = _APPROVAL_PARTS[env.language]
        elements.append(
            _element(
                "Extension.extension",
                slicing={"discriminator": [{"type": "value", "path": "url"}], "rules": "closed"},
                min=3,
            )
        )
        for part, value_type in _APPROVAL_TYPES.items():
            prefix = f"Extension.extension:{part}"
            elements.append(
                _element(prefix, sliceName=part, short=parts[part], min=1, max="1"),
            )
            elements += _value_elements(prefix, value_type, part)
        elements += [
            _element("Extension.url", fixedUri=url),
            _element("Extension.value[x]", max="0"),
        ]
    else:
        elements += _value_elements("Extension", _EXTENSION_TYPES[name], url)
    return {
        "resourceType": "StructureDefinition",
        "id": name,
        "language": env.language,
        "url": url,
        "version": DEFINITIONS_VERSION,
        "name": _computable_name(name, "Extension"),
        "title": title,
        "status": "active",
        "description": description,
        "kind": "complex-type",
        "abstract": False,
        "context": [
            {"type": "element", "expression": where} for where in _EXTENSION_CONTEXTS[name]
        ],
        "type": "Extension",
        "baseDefinition": "http://hl7.org/fhir/StructureDefinition/Extension",
        "derivation": "constraint",
        "differential": {"element": elements},
    }


def _concepts(name: str, language: str) -> list[dict[str, str]]:
    if name == "care-level":
        return [{"code": level.value, "display": level_label(level, language)} for level in Level]
    if name == "step-kind":
        return [{"code": kind.value, "display": kind_label(kind, language)} for kind in StepKind]
    said = words(language)
    return [{"code": side.value, "display": said[side.value]} for side in Side]


def _code_system(name: str, env: _Export) -> dict[str, Any]:
    title, description = _CODE_SYSTEM_TEXTS[name][env.language]
    return {
        "resourceType": "CodeSystem",
        "id": name,
        "language": env.language,
        "url": env.code_system(name),
        "version": DEFINITIONS_VERSION,
        "name": _computable_name(name, "CodeSystem"),
        "title": title,
        "status": "active",
        "description": description,
        "caseSensitive": True,
        "content": "complete",
        "concept": _concepts(name, env.language),
    }


def _definitions(pathway: Pathway, context: ExportContext, env: _Export) -> list[dict[str, Any]]:
    """The StructureDefinitions and CodeSystems the other entries of the Bundle use."""
    items = [
        item
        for transition in pathway.transitions
        if transition.handover is not None
        for item in transition.handover.checklist
    ]
    used = {
        "review-due": pathway.info.review_due is not None,
        "approval": bool(context.approvals),
        "transition": bool(pathway.transitions),
        "checklist-side": bool(items),
        "checklist-due": any(
            item.due is not None and _duration(item.due, env.language) is not None for item in items
        ),
    }
    systems = {
        "care-level": bool(pathway.steps),
        "step-kind": bool(pathway.steps),
        "checklist-side": bool(items),
    }
    resources = [_structure_definition(name, env) for name, wanted in used.items() if wanted]
    resources += [_code_system(name, env) for name, wanted in systems.items() if wanted]
    return resources


def bundle(pathway: Pathway, *, context: ExportContext | None = None) -> dict[str, Any]:
    """The Bundle (type collection) of the PlanDefinition, the Questionnaires and the
    definitions of the extensions and code systems they use."""
    context = context or DEFAULT_CONTEXT
    env = _export(pathway, context)
    resources = [_plan_definition(pathway, context, env)]
    resources += [
        _questionnaire(pathway, transition, None, env)
        for transition in pathway.transitions
        if _has_checklist(transition)
    ]
    resources += _definitions(pathway, context, env)
    data: dict[str, Any] = {
        "resourceType": "Bundle",
        "id": _resource_id(f"{env.plan_id}-bundle"),
        "type": "collection",
    }
    if context.generated_at is not None:
        data["timestamp"] = format_datetime(context.generated_at)
    data["entry"] = [
        {"fullUrl": env.url(resource["resourceType"], resource["id"]), "resource": resource}
        for resource in resources
    ]
    return data


def to_fhir(pathway: Pathway, *, context: ExportContext | None = None) -> bytes:
    """FHIR R4 JSON (UTF-8, compact: a bundle is for machines) of the Bundle of ``pathway``."""
    text = json.dumps(bundle(pathway, context=context), ensure_ascii=False, separators=(",", ":"))
    return (text + "\n").encode("utf-8")
