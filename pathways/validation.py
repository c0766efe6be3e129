"""Structural rules: what a pathway must satisfy to be stored at all.

These are not the gap analysis. A draft may be incomplete (no home step, a handover
without a checklist) and still be stored; it may not be *malformed*: duplicate or
dangling keys, self-loops, unknown levels or kinds, bad durations, text with characters
XML cannot carry (:mod:`pathways.text`), or more than the configured limits.

>>> from pathways.model import Pathway, PathwayInfo
>>> validate_pathway(Pathway(PathwayInfo(title="Hip fracture")))
"""

from __future__ import annotations

from collections.abc import Iterator

from pathways.durations import parse_duration
from pathways.errors import InvalidPathway, Violation, text_of
from pathways.gaps.rules import validate_rule_settings
from pathways.limits import DEFAULT_LIMITS, Limits
from pathways.model import Handover, Level, Pathway, PathwayInfo, Step, StepKind, Transition
from pathways.text import Loc, is_key, text_violations

__all__ = ["validate_info", "validate_pathway"]


def _key_violations(key: str, loc: Loc, limits: Limits) -> Iterator[Violation]:
    if len(key) > limits.max_key_length:
        yield Violation(
            loc,
            f"is longer than {limits.max_key_length} characters",
            f"kan ha høyst {limits.max_key_length} tegn",
        )
    elif not is_key(key):
        yield Violation(
            loc,
            f"{key!r} is not a key: use lower-case letters, digits, '-' and '_', "
            "starting and ending with a letter or digit",
            f"«{key}» er ikke en gyldig nøkkel: bruk små bokstaver, sifre, bindestrek (-) og "
            "understrek (_), og begynn og slutt med en bokstav eller et siffer",
        )


def _duration_violations(value: str | None, loc: Loc) -> Iterator[Violation]:
    if value is None:
        return
    try:
        parse_duration(value)
    except ValueError as error:
        yield Violation.of(loc, text_of(error))


def _info_violations(
    info: PathwayInfo, limits: Limits, prefix: Loc = ("pathway",)
) -> Iterator[Violation]:
    yield from text_violations(
        info.title, (*prefix, "title"), max_length=limits.max_name_length, required=True
    )
    for name in ("target_group", "agreement_ref"):
        yield from text_violations(
            getattr(info, name), (*prefix, name), max_length=limits.max_name_length
        )
    yield from text_violations(
        info.description,
        (*prefix, "description"),
        max_length=limits.max_text_length,
        multiline=True,
    )


def _step_violations(step: Step, loc: Loc, limits: Limits) -> Iterator[Violation]:
    yield from _key_violations(step.key, (*loc, "key"), limits)
    yield from text_violations(
        step.name, (*loc, "name"), max_length=limits.max_name_length, required=True
    )
    yield from text_violations(
        step.responsible, (*loc, "responsible"), max_length=limits.max_name_length
    )
    yield from text_violations(
        step.description,
        (*loc, "description"),
        max_length=limits.max_text_length,
        multiline=True,
    )
    if not isinstance(step.level, Level):
        yield Violation(
            (*loc, "level"),
            f"{step.level!r} is not a care level",
            f"«{step.level}» er ikke et omsorgsnivå",
        )
    if not isinstance(step.kind, StepKind):
        yield Violation(
            (*loc, "kind"),
            f"{step.kind!r} is not a step kind",
            f"«{step.kind}» er ikke en kjent type steg",
        )
    if step.kind is StepKind.HOME and step.level is not Level.MUNICIPALITY:
        yield Violation(
            (*loc, "level"),
            "a home step belongs to the municipal level",
            "et hjemmesteg hører til det kommunale nivået",
        )
    yield from _duration_violations(step.expected_duration, (*loc, "expected_duration"))


def _handover_violations(handover: Handover, loc: Loc, limits: Limits) -> Iterator[Violation]:
    for name in ("sender_role", "receiver_role"):
        yield from text_violations(
            getattr(handover, name), (*loc, name), max_length=limits.max_name_length
        )
    if len(handover.messages) > limits.max_messages:
        yield Violation(
            (*loc, "messages"),
            f"more than {limits.max_messages} messages",
            f"har mer enn {limits.max_messages} meldinger",
        )
    for index, message in enumerate(handover.messages):
        yield from text_violations(
            message,
            (*loc, "messages", index),
            max_length=limits.max_name_length,
            required=True,
        )
    yield from _duration_violations(handover.deadline, (*loc, "deadline"))
    if len(handover.checklist) > limits.max_checklist_items:
        yield Violation(
            (*loc, "checklist"),
            f"more than {limits.max_checklist_items} checklist items",
            f"har mer enn {limits.max_checklist_items} punkter i sjekklisten",
        )
    seen: set[str] = set()
    for index, item in enumerate(handover.checklist):
        item_loc = (*loc, "checklist", index)
        yield from _key_violations(item.key, (*item_loc, "key"), limits)
        if item.key in seen:
            yield Violation(
                (*item_loc, "key"),
                f"duplicate checklist item key {item.key!r}",
                f"nøkkelen «{item.key}» er allerede brukt av et annet punkt i sjekklisten",
            )
        seen.add(item.key)
        yield from text_violations(
            item.text,
            (*item_loc, "text"),
            max_length=limits.max_text_length,
            multiline=True,
            required=True,
        )
        yield from _duration_violations(item.due, (*item_loc, "due"))


def _transition_violations(
    transition: Transition, loc: Loc, step_keys: set[str], limits: Limits
) -> Iterator[Violation]:
    yield from _key_violations(transition.key, (*loc, "key"), limits)
    for name, key in (("from", transition.source), ("to", transition.target)):
        if key not in step_keys:
            yield Violation(
                (*loc, name),
                f"there is no step with key {key!r}",
                f"det finnes ikke noe steg med nøkkelen «{key}»",
            )
    if transition.source == transition.target:
        yield Violation(
            (*loc, "to"),
            "a transition may not lead back to the step it leaves",
            "en overgang kan ikke føre tilbake til steget den går fra",
        )
    yield from text_violations(transition.label, (*loc, "label"), max_length=limits.max_name_length)
    if transition.handover is not None:
        yield from _handover_violations(transition.handover, (*loc, "handover"), limits)


def _pathway_violations(pathway: Pathway, limits: Limits) -> Iterator[Violation]:
    yield from _info_violations(pathway.info, limits)
    yield from validate_rule_settings(pathway.rules)
    if len(pathway.steps) > limits.max_steps:
        yield Violation(
            ("steps",),
            f"more than {limits.max_steps} steps",
            f"har mer enn {limits.max_steps} steg",
        )
        return
    if len(pathway.transitions) > limits.max_transitions:
        yield Violation(
            ("transitions",),
            f"more than {limits.max_transitions} transitions",
            f"har mer enn {limits.max_transitions} overganger",
        )
        return
    step_keys: set[str] = set()
    for index, step in enumerate(pathway.steps):
        yield from _step_violations(step, ("steps", index), limits)
        if step.key in step_keys:
            yield Violation(
                ("steps", index, "key"),
                f"duplicate step key {step.key!r}",
                f"nøkkelen «{step.key}» er allerede brukt av et annet steg",
            )
        step_keys.add(step.key)
    transition_keys: set[str] = set()
    pairs: dict[tuple[str, str], str] = {}
    for index, transition in enumerate(pathway.transitions):
        loc: Loc = ("transitions", index)
        yield from _transition_violations(transition, loc, step_keys, limits)
        if transition.key in transition_keys:
            yield Violation(
                (*loc, "key"),
                f"duplicate transition key {transition.key!r}",
                f"nøkkelen «{transition.key}» er allerede brukt av en annen overgang",
            )
        transition_keys.add(transition.key)
        pair = (transition.source, transition.target)
        if pair in pairs:
            yield Violation(
                loc,
                f"transition {transition.key!r} joins the same two steps as "
                f"{pairs[pair]!r}; merge them or add a step between",
                f"overgangen «{transition.key}» går mellom de samme to stegene som "
                f"«{pairs[pair]}». Slå dem sammen, eller legg et steg mellom dem",
            )
        pairs.setdefault(pair, transition.key)


def validate_info(
    info: PathwayInfo, *, limits: Limits = DEFAULT_LIMITS, loc: Loc = ("pathway",)
) -> None:
    """Raise :class:`InvalidPathway` if the pathway's description breaks a rule.

    ``loc`` is where the description stands (in a document: under ``pathway``).
    """
    violations = list(_info_violations(info, limits, loc))
    if violations:
        raise InvalidPathway(violations)


def validate_pathway(pathway: Pathway, *, limits: Limits = DEFAULT_LIMITS) -> None:
    """Raise :class:`InvalidPathway` listing every structural rule ``pathway`` breaks."""
    violations = list(_pathway_violations(pathway, limits))
    if violations:
        raise InvalidPathway(violations)
