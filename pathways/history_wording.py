"""A pathway's history for people: each entry's summary in the reader's language.

Every change to a pathway is stored once, at change time, as a history entry: its
``action`` (``step.add``, ``pathway.approve``, …), its ``changes`` (JSON: what changed)
and an English ``summary``. The stored summary is the audit record and never changes;
:func:`summary_text` says the same entry in Norwegian bokmål from ``action`` and
``changes`` (nynorsk readers are given the bokmål, as with problems), the way a nurse
reads it: step kinds and care levels in words, dates as ``1.7.2026``, no raw codes.

English readers are given the stored summary itself. It is what the code that made the
change wrote, so it is right for every entry ever stored, old ones too, and it cannot
drift from the audit record; a second English renderer would only have to be kept equal
to it. An entry the bokmål cannot be said for (an action this module does not know, or
``changes`` written by older code without something the sentence names, such as the
invitees of a hearing round) is given the stored English too: never an error.

>>> summary_text(
...     "transition.add",
...     {"transition": {"key": "utskrevet", "from": "sengepost", "to": "hjemme"},
...      "cross_level": True},
...     language="nb",
...     fallback="Added transition 'utskrevet': sengepost → hjemme (handover between levels)",
... )
'La til overgangen «utskrevet»: «sengepost» → «hjemme» (overlevering mellom nivåene)'
>>> summary_text("step.update", {"key": "sengepost", "fields": {"description": {}}},
...              language="nb", fallback="Changed step 'sengepost': description")
'Endret steget «sengepost»: beskrivelse'
>>> summary_text("step.update", {"key": "sengepost", "fields": {"description": {}}},
...              language="en", fallback="Changed step 'sengepost': description")
"Changed step 'sengepost': description"
>>> summary_text("something.new", {}, language="nb", fallback="Something new")
'Something new'
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType
from typing import Any

from pathways.approval import ApprovalPolicy
from pathways.hearings import Position
from pathways.model import Level, StepKind
from pathways.roles import OrganizationKind, Role
from pathways.wording import date_text, join, kind_label

__all__ = [
    "ACTIONS",
    "FIELD_NAMES",
    "Actor",
    "summary_text",
]

_NB = "nb"
_NORWEGIAN = frozenset({"nb", "nn", "no"})
_HANDOVER_SUFFIX = "(handover between levels)"
"""How a stored English summary of ``transition.add`` says the transition crosses the
levels: entries written before ``changes`` recorded ``cross_level`` say it only there."""


@dataclass(frozen=True, slots=True)
class Actor:
    """The organisation that made a change, as its history entry records it."""

    organization_id: int
    name: str
    level: str | None = None
    """``hospital`` or ``municipality``; ``None`` for a secretariat or user representatives."""


class _Unsaid(Exception):
    """The entry cannot be said in bokmål: the stored English is given instead."""


FIELD_NAMES: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {
        "step": MappingProxyType(
            {
                "key": "nøkkel",
                "name": "navn",
                "level": "nivå",
                "kind": "type",
                "responsible": "ansvarlig rolle",
                "expected_duration": "forventet varighet",
                "description": "beskrivelse",
            }
        ),
        "transition": MappingProxyType(
            {
                "key": "nøkkel",
                "from": "fra",
                "to": "til",
                "label": "hendelse",
                "handover": "overlevering",
            }
        ),
        "pathway": MappingProxyType(
            {
                "title": "tittel",
                "description": "beskrivelse",
                "target_group": "målgruppe",
                "agreement_ref": "avtalepunkt",
                "review_due": "revisjonsdato",
                "rules": "regler",
                "partnership_id": "helsefellesskap",
            }
        ),
        "agreement": MappingProxyType(
            {
                "approval_policy": "godkjenningsordning",
                "hearing_required": "krav om høring",
                "rules": "regler",
            }
        ),
    }
)
"""The bokmål names of the fields a history entry says were changed, per element."""

_LEVELS = MappingProxyType({Level.HOSPITAL.value: "sykehus", Level.MUNICIPALITY.value: "kommune"})
_IN_LEVEL = MappingProxyType(
    {Level.HOSPITAL.value: "på sykehuset", Level.MUNICIPALITY.value: "i kommunen"}
)
_KINDS = MappingProxyType(
    {
        OrganizationKind.SECRETARIAT.value: "sekretariat",
        OrganizationKind.USER_REPRESENTATIVES.value: "brukerrepresentanter",
    }
)


# -- pieces ------------------------------------------------------------------------------


def _text(value: object) -> str:
    """A name or key from ``changes``: a string, or the entry is not one this module
    knows (a number, a list or nothing where a name belongs)."""
    if not isinstance(value, str):
        raise _Unsaid
    return value


def _number(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _Unsaid
    return value


def _quoted(value: object) -> str:
    return f"«{_text(value)}»"


def _fields(changed: object, element: str) -> str:
    """``navn og beskrivelse``: the bokmål names of the changed fields, in their order."""
    if not isinstance(changed, Mapping) or not changed:
        raise _Unsaid
    names = FIELD_NAMES[element]
    return join([names[_text(name)] for name in changed], _NB)


def _organization(entry: Mapping[str, Any]) -> str:
    """``Testvik kommune (kommune)``: a participant as the entry recorded it."""
    name = _text(entry["name"])
    level = entry.get("level")
    word = _LEVELS[level] if level else _KINDS.get(entry.get("kind") or "")
    return f"{name} ({word})" if word else name


def _actor(by: Actor | None) -> str:
    if by is None:
        raise _Unsaid
    word = _LEVELS.get(by.level or "")
    return f"{by.name} ({word})" if word else by.name


def _count(amount: int, singular: str, plural: str) -> str:
    return f"{amount} {singular if amount == 1 else plural}"


def _role(value: object) -> str:
    return Role(_text(value)).said.in_language(_NB)


# -- the pathway ------------------------------------------------------------------------


def _created(changes: Mapping[str, Any], by: Actor | None) -> str:
    return f"Opprettet forløpet {_quoted(changes['pathway']['title'])}"


def _imported(changes: Mapping[str, Any], by: Actor | None) -> str:
    said = f"Importerte forløpet {_quoted(changes['pathway']['title'])}"
    counts = changes.get("counts")
    if counts is None:
        return said
    steps = _count(_number(counts["steps"]), "steg", "steg")
    transitions = _count(_number(counts["transitions"]), "overgang", "overganger")
    return f"{said} med {steps} og {transitions}"


def _borrowed(changes: Mapping[str, Any], by: Actor | None) -> str:
    origin = changes["origin"]
    return (
        f"Lånte versjon {_number(origin['version'])} av forløp "
        f"{_number(origin['pathway_id'])} ({_quoted(origin['title'])})"
    )


def _pathway_changed(changes: Mapping[str, Any], by: Actor | None) -> str:
    return f"Endret {_fields(changes, 'pathway')}"


def _graph_replaced(changes: Mapping[str, Any], by: Actor | None) -> str:
    """What the new graph added, removed and changed, and how big it is now."""
    said = "Erstattet hele grafen"
    counts = changes.get("counts")
    if counts is not None:
        steps = _count(_number(counts["steps"]), "steg", "steg")
        transitions = _count(_number(counts["transitions"]), "overgang", "overganger")
        said += f" (nå {steps} og {transitions})"
    parts: list[str] = []
    for verb, name in (("la til", "added"), ("fjernet", "removed"), ("endret", "changed")):
        amounts = [
            _count(len(changes[element][name]), singular, plural)
            for element, singular, plural in (
                ("steps", "steg", "steg"),
                ("transitions", "overgang", "overganger"),
            )
            if changes[element][name]
        ]
        if amounts:
            parts.append(f"{verb} {join(amounts, _NB)}")
    if not parts:
        return f"{said}, uten endringer i steg eller overganger"
    return f"{said}: {', '.join(parts)}"


# -- steps and transitions ----------------------------------------------------------------


def _step_added(changes: Mapping[str, Any], by: Actor | None) -> str:
    step = changes["step"]
    kind = kind_label(StepKind(_text(step["kind"])), _NB).lower()
    return f"La til steget {_quoted(step['name'])} {_IN_LEVEL[_text(step['level'])]} ({kind})"


def _step_changed(changes: Mapping[str, Any], by: Actor | None) -> str:
    return f"Endret steget {_quoted(changes['key'])}: {_fields(changes['fields'], 'step')}"


def _step_deleted(changes: Mapping[str, Any], by: Actor | None) -> str:
    step = changes["step"]
    return f"Slettet steget {_quoted(step['name'] or step['key'])}"


def _between(transition: Mapping[str, Any]) -> str:
    return f"{_quoted(transition['from'])} → {_quoted(transition['to'])}"


def _transition_added(changes: Mapping[str, Any], by: Actor | None) -> str:
    transition = changes["transition"]
    crossing = changes["cross_level"]
    said = f"La til overgangen {_quoted(transition['key'])}: {_between(transition)}"
    return f"{said} (overlevering mellom nivåene)" if crossing is True else said


def _transition_changed(changes: Mapping[str, Any], by: Actor | None) -> str:
    fields = _fields(changes["fields"], "transition")
    return f"Endret overgangen {_quoted(changes['key'])}: {fields}"


def _transition_deleted(changes: Mapping[str, Any], by: Actor | None) -> str:
    transition = changes["transition"]
    return f"Slettet overgangen {_quoted(transition['key'])}: {_between(transition)}"


# -- participants ------------------------------------------------------------------------


def _participant_added(changes: Mapping[str, Any], by: Actor | None) -> str:
    return f"La til {_organization(changes)} som {_role(changes['role'])}"


def _participant_role(changes: Mapping[str, Any], by: Actor | None) -> str:
    return (
        f"{_organization(changes)} deltar nå som {_role(changes['role'])}, "
        f"ikke lenger som {_role(changes['from'])}"
    )


def _participant_removed(changes: Mapping[str, Any], by: Actor | None) -> str:
    if by is None:
        raise _Unsaid
    if _number(changes["organization_id"]) == by.organization_id:
        return f"{_organization(changes)} forlot forløpet"
    return f"{_actor(by)} fjernet {_organization(changes)} fra forløpet"


def _secretariat_joined(changes: Mapping[str, Any], by: Actor | None) -> str:
    return (
        f"{_text(changes['name'])} ble med i helsefellesskapet og har sekretariatsrollen "
        "på forløpet"
    )


def _secretariat_left(changes: Mapping[str, Any], by: Actor | None) -> str:
    return (
        f"{_text(changes['name'])} forlot helsefellesskapet og har ikke lenger "
        "sekretariatsrollen på forløpet"
    )


def _agreement_changed(changes: Mapping[str, Any], by: Actor | None) -> str:
    concerning = {name: value for name, value in changes.items() if name != "partnership_id"}
    return f"Samarbeidsavtalen i helsefellesskapet er endret: {_fields(concerning, 'agreement')}"


# -- approvals and versions ----------------------------------------------------------------


def _approved(changes: Mapping[str, Any], by: Actor | None) -> str:
    return f"{_actor(by)} godkjente revisjon {_number(changes['revision'])}"


def _version_created(changes: Mapping[str, Any], by: Actor | None) -> str:
    policy = ApprovalPolicy(_text(changes["policy"]))
    adopted = (
        f"vedtatt av {_text(changes['body'])}"
        if policy is ApprovalPolicy.DECISION
        else "godkjent av alle redaktørene som deltar"
        if policy is ApprovalPolicy.EVERY_PARTICIPANT
        else "godkjent av begge nivåene"
    )
    return (
        f"Versjon {_number(changes['version'])} {adopted} (revisjon {_number(changes['revision'])})"
    )


def _decision_recorded(changes: Mapping[str, Any], by: Actor | None) -> str:
    decided_on = date.fromisoformat(_text(changes["decided_on"]))
    return (
        f"Vedtaket i {_text(changes['body'])} {date_text(decided_on, _NB)} "
        f"({_text(changes['reference'])}) er registrert for revisjon "
        f"{_number(changes['revision'])}"
    )


# -- hearing rounds ----------------------------------------------------------------------


def _hearing_opened(changes: Mapping[str, Any], by: Actor | None) -> str:
    deadline = date.fromisoformat(_text(changes["deadline"]))
    names = changes["names"]
    if not isinstance(names, Sequence) or isinstance(names, str):
        raise _Unsaid
    return (
        f"Høring {_number(changes['hearing'])} åpnet på revisjon "
        f"{_number(changes['revision'])}, med frist {date_text(deadline, _NB)}: "
        f"{join([_text(name) for name in names], _NB)}"
    )


def _hearing_answered(changes: Mapping[str, Any], by: Actor | None) -> str:
    position = Position(_text(changes["position"])).said.in_language(_NB)
    return f"{_actor(by)} svarte på høring {_number(changes['hearing'])}: {position}"


def _hearing_replied(changes: Mapping[str, Any], by: Actor | None) -> str:
    return (
        f"{_actor(by)} svarte på høringssvaret fra {_text(changes['name'])} i høring "
        f"{_number(changes['hearing'])}"
    )


def _hearing_closed(changes: Mapping[str, Any], by: Actor | None) -> str:
    answered = _number(changes["answered"])
    unanswered = _number(changes["unanswered"])
    disagreements = _number(changes["disagreements"])
    disagreed = "var uenig" if disagreements == 1 else "var uenige"
    return (
        f"Høring {_number(changes['hearing'])} avsluttet: {answered} svarte, "
        f"{unanswered} svarte ikke, {disagreements} {disagreed}"
    )


# -- local variants ----------------------------------------------------------------------


def _variant_created(changes: Mapping[str, Any], by: Actor | None) -> str:
    shared = changes["variant_of"]
    names = changes["names"]
    if not isinstance(names, Sequence) or isinstance(names, str) or not names:
        raise _Unsaid
    return (
        f"Lokal variant av forløp {_number(shared['pathway_id'])}, versjon "
        f"{_number(shared['version'])}, for {join([_text(name) for name in names], _NB)}"
    )


def _variant_rebased(changes: Mapping[str, Any], by: Actor | None) -> str:
    target = _number(changes["variant_of_version"]["to"])
    return f"Flyttet over på versjon {target} av det felles forløpet"


_Renderer = Callable[[Mapping[str, Any], Actor | None], str]

_RENDERERS: Mapping[str, _Renderer] = MappingProxyType(
    {
        "pathway.create": _created,
        "pathway.import": _imported,
        "pathway.borrow": _borrowed,
        "pathway.update": _pathway_changed,
        "graph.replace": _graph_replaced,
        "step.add": _step_added,
        "step.update": _step_changed,
        "step.delete": _step_deleted,
        "transition.add": _transition_added,
        "transition.update": _transition_changed,
        "transition.delete": _transition_deleted,
        "participant.add": _participant_added,
        "participant.role": _participant_role,
        "participant.remove": _participant_removed,
        "pathway.approve": _approved,
        "version.create": _version_created,
        "decision.record": _decision_recorded,
        "hearing.open": _hearing_opened,
        "hearing.answer": _hearing_answered,
        "hearing.reply": _hearing_replied,
        "hearing.close": _hearing_closed,
        "partnership.update": _agreement_changed,
        "secretariat.join": _secretariat_joined,
        "secretariat.leave": _secretariat_left,
        "variant.create": _variant_created,
        "variant.rebase": _variant_rebased,
    }
)

ACTIONS: frozenset[str] = frozenset(_RENDERERS)
"""The actions :func:`summary_text` says in bokmål; any other gives the stored English."""


def summary_text(
    action: str,
    changes: Mapping[str, Any],
    *,
    language: str,
    fallback: str,
    by: Actor | None = None,
) -> str:
    """The summary of one history entry in ``language``.

    Parameters
    ----------
    action : str
        The entry's action, e.g. ``"transition.add"``.
    changes : mapping
        The entry's stored ``changes``.
    language : str
        ``nb``, ``nn`` or ``no`` for Norwegian bokmål; anything else for English.
    fallback : str
        The entry's stored English summary: the English answer, and the answer for an
        entry the bokmål cannot be said for.
    by : Actor, optional
        The organisation that made the change; the sentences that name it
        (``pathway.approve``, ``hearing.answer``, …) fall back without it.

    Returns
    -------
    str
        A sentence for people, never an error.

    Examples
    --------
    >>> summary_text(
    ...     "pathway.approve",
    ...     {"revision": 8},
    ...     language="nb",
    ...     fallback="Helse Test HF (hospital) approved revision 8",
    ...     by=Actor(1, "Helse Test HF", "hospital"),
    ... )
    'Helse Test HF (sykehus) godkjente revisjon 8'
    >>> summary_text("step.delete", {"step": "ward"}, language="nb", fallback="Deleted step 'ward'")
    "Deleted step 'ward'"
    """
    if language not in _NORWEGIAN:
        return fallback
    render = _RENDERERS.get(action)
    if render is None or not isinstance(changes, Mapping):
        return fallback
    if action == "transition.add" and "cross_level" not in changes:
        changes = {**changes, "cross_level": fallback.endswith(_HANDOVER_SUFFIX)}
    try:
        return render(changes, by)
    except (_Unsaid, LookupError, TypeError, ValueError, AttributeError):
        return fallback
