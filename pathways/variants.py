"""Local variants of a shared pathway: what one municipality, or a group of them, does
differently from the approved version it is pinned to.

A variant holds only its differences (:class:`Differences`): steps and transitions
added, changed or removed, and its own rule settings (a local agreement's shorter
deadlines). Steps and transitions are compared whole, by key: a changed step is kept
as the variant's whole step, a changed transition with its whole handover. What the
variant shows is :func:`resolve`: the pinned version with the differences applied, in
the order the variant has them. Gap analysis, exports and checklists work on that.

When the shared pathway gets a new approved version, :func:`rebase` reads each
difference against what changed upstream since the pin: it still applies, the new
version already has it, or it conflicts (the same step changed on both sides, a step
it changed was removed, ...). It never guesses: with a conflict, nothing moves.

>>> from pathways.model import Level, PathwayInfo, Step, StepKind, Transition
>>> home = Step("home", "Hjemme", Level.MUNICIPALITY, StepKind.HOME)
>>> ward = Step("ward", "Sengepost", Level.HOSPITAL, StepKind.TREATMENT)
>>> shared = Pathway(PathwayInfo("Delt"), (home, ward), (Transition("in", "home", "ward"),))
>>> kad = Step("kad", "KAD-seng", Level.MUNICIPALITY, StepKind.TREATMENT)
>>> local = Pathway(
...     shared.info,
...     (home, kad, ward),
...     (Transition("in", "home", "ward"), Transition("to-kad", "home", "kad")),
... )
>>> found = differences(shared, local)
>>> [step.key for step in found.steps], [t.key for t in found.transitions]
(['kad'], ['to-kad'])
>>> resolve(shared, found) == local
True
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any, TypeVar

from pathways.diff import diff_pathways
from pathways.document import (
    rules_dict,
    rules_from_dict,
    step_dict,
    step_from_dict,
    transition_dict,
    transition_from_dict,
)
from pathways.errors import InvalidPathway, Violation
from pathways.model import Pathway, RuleSettings, Step, Transition
from pathways.validation import validate_pathway
from pathways.wording import language_or_default

__all__ = [
    "Conflict",
    "Differences",
    "Outcome",
    "Rebase",
    "Status",
    "describe",
    "differences",
    "differences_dict",
    "differences_from_dict",
    "rebase",
    "resolve",
]


@dataclass(frozen=True, slots=True)
class Differences:
    """A variant's differences from the version it is pinned to.

    ``steps`` and ``transitions`` are the ones the variant adds or changes, whole, in
    the variant's order; ``after`` says, for each of them, which element comes before
    it in the variant (``None``: it comes first), so that a resolved variant lists its
    steps where the variant has them. ``rules`` is the variant's own rule settings, or
    ``None`` where it keeps the shared pathway's.
    """

    steps: tuple[Step, ...] = ()
    transitions: tuple[Transition, ...] = ()
    removed_steps: tuple[str, ...] = ()
    removed_transitions: tuple[str, ...] = ()
    rules: RuleSettings | None = None
    after: Mapping[str, str | None] = field(default_factory=dict)
    """Keyed ``step:<key>`` or ``transition:<key>``."""

    def __len__(self) -> int:
        """How many differences there are (each element and the rules count one)."""
        return (
            len(self.steps)
            + len(self.transitions)
            + len(self.removed_steps)
            + len(self.removed_transitions)
            + (self.rules is not None)
        )


Item = TypeVar("Item", Step, Transition)


def _changed(
    base: Sequence[Item], variant: Sequence[Item], prefix: str
) -> tuple[tuple[Item, ...], tuple[str, ...], dict[str, str | None]]:
    before = {item.key: item for item in base}
    keys = {item.key for item in variant}
    changed = tuple(item for item in variant if before.get(item.key) != item)
    removed = tuple(item.key for item in base if item.key not in keys)
    previous: dict[str, str | None] = {}
    last: str | None = None
    for item in variant:
        previous[item.key] = last
        last = item.key
    after = {f"{prefix}:{item.key}": previous[item.key] for item in changed}
    return changed, removed, after


def differences(base: Pathway, variant: Pathway) -> Differences:
    """What ``variant`` (a whole pathway, e.g. as a coordinator edited it) does
    differently from ``base``, the version it is pinned to."""
    steps, removed_steps, step_after = _changed(base.steps, variant.steps, "step")
    transitions, removed_transitions, transition_after = _changed(
        base.transitions, variant.transitions, "transition"
    )
    return Differences(
        steps=steps,
        transitions=transitions,
        removed_steps=removed_steps,
        removed_transitions=removed_transitions,
        rules=None if variant.rules == base.rules else variant.rules,
        after={**step_after, **transition_after},
    )


def _apply(
    base: Sequence[Item],
    changed: Sequence[Item],
    removed: Iterable[str],
    after: Mapping[str, str | None],
    prefix: str,
) -> list[Item]:
    gone = set(removed)
    replacing = {item.key: item for item in changed}
    items = [replacing.pop(item.key, item) for item in base if item.key not in gone]
    # What is left is added: each goes after the element the variant has before it,
    # or, if that is gone, after the last element it follows in the variant's order.
    for item in changed:
        if item.key not in replacing:
            continue
        anchor = after.get(f"{prefix}:{item.key}")
        keys = [existing.key for existing in items]
        position = keys.index(anchor) + 1 if anchor in keys else 0 if anchor is None else len(items)
        items.insert(position, item)
    return items


def resolve(base: Pathway, changes: Differences) -> Pathway:
    """``base`` with ``changes`` applied: the variant as it reads."""
    return Pathway(
        info=base.info,
        steps=tuple(
            _apply(base.steps, changes.steps, changes.removed_steps, changes.after, "step")
        ),
        transitions=tuple(
            _apply(
                base.transitions,
                changes.transitions,
                changes.removed_transitions,
                changes.after,
                "transition",
            )
        ),
        rules=base.rules if changes.rules is None else changes.rules,
    )


# --- Moving a variant onto a new version ------------------------------------------


class Status(StrEnum):
    """What became of one difference on the new version."""

    APPLIES = "applies"
    """The new version left the element as the pin had it: the difference stays."""
    UPSTREAM = "upstream"
    """The new version made the same change: it is no longer a difference."""
    CONFLICT = "conflict"


class Conflict(StrEnum):
    """Why a difference cannot be carried over without a person deciding."""

    CHANGED_ON_BOTH_SIDES = "changed_on_both_sides"
    """The variant and the new version changed the same element differently."""
    REMOVED_UPSTREAM = "removed_upstream"
    """The variant changed an element the new version removed."""
    CHANGED_UPSTREAM = "changed_upstream"
    """The variant removed an element the new version changed."""
    ADDED_ON_BOTH_SIDES = "added_on_both_sides"
    """The variant and the new version added different elements with the same key."""
    STEP_GONE = "step_gone"
    """A transition would join a step that is no longer there."""
    INVALID = "invalid"
    """The result breaks a structural rule (e.g. two transitions join the same steps)."""


@dataclass(frozen=True, slots=True)
class Outcome:
    """One difference (``kind`` ``step``, ``transition`` or ``rules``; its ``change``
    ``added``, ``changed`` or ``removed``) read against the new version."""

    kind: str
    key: str
    change: str
    status: Status
    conflict: Conflict | None = None
    detail: str = ""
    name: str = ""
    """What people call the element: a step's name, a transition's label ("" if none)."""


@dataclass(frozen=True, slots=True)
class Rebase:
    """A variant read against a new version of its shared pathway.

    ``upstream`` is what changed there since the pin (:func:`pathways.diff.diff_pathways`);
    ``outcomes`` says what becomes of each difference. Without conflicts,
    ``differences`` and ``pathway`` are the variant on the new version; with any, both
    are ``None``: nothing is guessed.
    """

    upstream: Mapping[str, Any]
    outcomes: tuple[Outcome, ...]
    differences: Differences | None
    pathway: Pathway | None

    @property
    def conflicts(self) -> tuple[Outcome, ...]:
        return tuple(outcome for outcome in self.outcomes if outcome.status is Status.CONFLICT)


def _named(item: Step | Transition | None) -> str:
    if isinstance(item, Step):
        return item.name
    return item.label if item is not None else ""


def _read(
    kind: str,
    pinned: Mapping[str, Item],
    upstream: Mapping[str, Item],
    changed: Sequence[Item],
    removed: Sequence[str],
) -> list[Outcome]:
    outcomes = []
    for item in changed:
        key, was, now = item.key, pinned.get(item.key), upstream.get(item.key)
        change = "changed" if was is not None else "added"

        def said(status: Status, conflict: Conflict | None = None) -> Outcome:
            return Outcome(kind, key, change, status, conflict, name=_named(item))  # noqa: B023

        if was is None:
            if now is None:
                outcomes.append(said(Status.APPLIES))
            elif now == item:
                outcomes.append(said(Status.UPSTREAM))
            else:
                outcomes.append(said(Status.CONFLICT, Conflict.ADDED_ON_BOTH_SIDES))
        elif now is None:
            outcomes.append(said(Status.CONFLICT, Conflict.REMOVED_UPSTREAM))
        elif now == was:
            outcomes.append(said(Status.APPLIES))
        elif now == item:
            outcomes.append(said(Status.UPSTREAM))
        else:
            outcomes.append(said(Status.CONFLICT, Conflict.CHANGED_ON_BOTH_SIDES))
    for key in removed:
        was, now = pinned.get(key), upstream.get(key)
        name = _named(was)
        if now is None:
            outcomes.append(Outcome(kind, key, "removed", Status.UPSTREAM, name=name))
        elif was is not None and now != was:
            outcomes.append(
                Outcome(kind, key, "removed", Status.CONFLICT, Conflict.CHANGED_UPSTREAM, name=name)
            )
        else:
            outcomes.append(Outcome(kind, key, "removed", Status.APPLIES, name=name))
    return outcomes


def rebase(pinned: Pathway, upstream: Pathway, changes: Differences) -> Rebase:
    """``changes`` (made against ``pinned``) read against ``upstream``, a newer version of
    the same shared pathway; see :class:`Rebase`."""
    outcomes = _read(
        "step",
        {step.key: step for step in pinned.steps},
        {step.key: step for step in upstream.steps},
        changes.steps,
        changes.removed_steps,
    )
    outcomes += _read(
        "transition",
        {t.key: t for t in pinned.transitions},
        {t.key: t for t in upstream.transitions},
        changes.transitions,
        changes.removed_transitions,
    )
    if changes.rules is not None:
        if upstream.rules == pinned.rules:
            outcomes.append(Outcome("rules", "rules", "changed", Status.APPLIES))
        elif upstream.rules == changes.rules:
            outcomes.append(Outcome("rules", "rules", "changed", Status.UPSTREAM))
        else:
            outcomes.append(
                Outcome(
                    "rules", "rules", "changed", Status.CONFLICT, Conflict.CHANGED_ON_BOTH_SIDES
                )
            )
    diff = diff_pathways(pinned, upstream)
    if any(outcome.status is Status.CONFLICT for outcome in outcomes):
        return Rebase(diff, tuple(outcomes), None, None)
    kept = {(outcome.kind, outcome.key) for outcome in outcomes if outcome.status is Status.APPLIES}
    carried = Differences(
        steps=tuple(step for step in changes.steps if ("step", step.key) in kept),
        transitions=tuple(t for t in changes.transitions if ("transition", t.key) in kept),
        removed_steps=tuple(key for key in changes.removed_steps if ("step", key) in kept),
        removed_transitions=tuple(
            key for key in changes.removed_transitions if ("transition", key) in kept
        ),
        rules=changes.rules if ("rules", "rules") in kept else None,
        after=changes.after,
    )
    result = resolve(upstream, carried)
    problems = _dangling(result, changes)
    if not problems:
        try:
            validate_pathway(result)
        except InvalidPathway as error:
            problems = [
                Outcome(
                    "pathway",
                    _where(violation),
                    "changed",
                    Status.CONFLICT,
                    Conflict.INVALID,
                    violation.message,
                )
                for violation in error.violations
            ]
    if problems:
        return Rebase(diff, (*outcomes, *problems), None, None)
    # The order anchors of what is still a difference, and nothing else.
    anchors = {
        name: anchor for name, anchor in changes.after.items() if tuple(name.split(":", 1)) in kept
    }
    return Rebase(diff, tuple(outcomes), replace(carried, after=anchors), result)


def _where(violation: Violation) -> str:
    return ".".join(str(part) for part in violation.loc)


def _dangling(result: Pathway, changes: Differences) -> list[Outcome]:
    """Transitions of ``result`` that join a step it does not have: blamed on the
    variant's transition, or on the variant's removal of the step."""
    removed_here = set(changes.removed_steps)
    own = {transition.key for transition in changes.transitions}
    problems = []
    for transition in result.transitions:
        for end in (transition.source, transition.target):
            if result.has_step(end):
                continue
            if transition.key in own or end not in removed_here:
                kind, key, change = "transition", transition.key, "changed"
            else:
                kind, key, change = "step", end, "removed"
            problems.append(
                Outcome(
                    kind,
                    key,
                    change,
                    Status.CONFLICT,
                    Conflict.STEP_GONE,
                    f"transition {transition.key!r} joins step {end!r}",
                )
            )
    return problems


_CONFLICT_TEXTS: Mapping[Conflict, Mapping[str, str]] = {
    Conflict.CHANGED_ON_BOTH_SIDES: {
        "en": "was changed both here and in the new version",
        "nb": "er endret både her og i den nye versjonen",
        "nn": "er endra både her og i den nye versjonen",
    },
    Conflict.REMOVED_UPSTREAM: {
        "en": "was changed here and removed in the new version",
        "nb": "er endret her, men fjernet i den nye versjonen",
        "nn": "er endra her, men fjerna i den nye versjonen",
    },
    Conflict.CHANGED_UPSTREAM: {
        "en": "was removed here and changed in the new version",
        "nb": "er fjernet her, men endret i den nye versjonen",
        "nn": "er fjerna her, men endra i den nye versjonen",
    },
    Conflict.ADDED_ON_BOTH_SIDES: {
        "en": "was added both here and in the new version, differently",
        "nb": "er lagt til både her og i den nye versjonen, men ulikt",
        "nn": "er lagd til både her og i den nye versjonen, men ulikt",
    },
    Conflict.STEP_GONE: {
        "en": "leads to or from a step that is no longer there",
        "nb": "går til eller fra et steg som ikke finnes lenger",
        "nn": "går til eller frå eit steg som ikkje finst lenger",
    },
    Conflict.INVALID: {
        "en": "breaks a rule of the pathway",
        "nb": "bryter en regel for forløpet",
        "nn": "bryt ein regel for forløpet",
    },
}
_KIND_WORDS: Mapping[str, Mapping[str, str]] = {
    "step": {"en": "The step", "nb": "Steget", "nn": "Steget"},
    "transition": {"en": "The transition", "nb": "Overgangen", "nn": "Overgangen"},
    "pathway": {"en": "The pathway at", "nb": "Forløpet ved", "nn": "Forløpet ved"},
}
_RULES_WORD = {"en": "The rules", "nb": "Reglene", "nn": "Reglane"}


def describe(outcome: Outcome, language: str = "en") -> str:
    """What a person reads of a conflict ("" for a difference that carries over).

    >>> describe(Outcome("step", "kad", "changed", Status.CONFLICT,
    ...                  Conflict.CHANGED_ON_BOTH_SIDES, name="KAD-seng"), "nb")
    'Steget «KAD-seng» er endret både her og i den nye versjonen.'
    """
    if outcome.conflict is None:
        return ""
    lang = language_or_default(language)
    what = _CONFLICT_TEXTS[outcome.conflict][lang]
    if outcome.kind == "rules":
        return f"{_RULES_WORD[lang]} {what}."
    called = outcome.name or outcome.key
    name = f"«{called}»" if lang != "en" else f"“{called}”"
    text = f"{_KIND_WORDS[outcome.kind][lang]} {name} {what}."
    # The details are the structural rules' own words, which are English.
    return f"{text} ({outcome.detail})" if outcome.detail and lang == "en" else text


# --- Stored form --------------------------------------------------------------------


def differences_dict(changes: Differences) -> dict[str, Any]:
    """``changes`` as JSON-ready data, steps and transitions as in the native document."""
    return {
        "steps": [step_dict(step) for step in changes.steps],
        "transitions": [transition_dict(transition) for transition in changes.transitions],
        "removed_steps": list(changes.removed_steps),
        "removed_transitions": list(changes.removed_transitions),
        "rules": None if changes.rules is None else rules_dict(changes.rules),
        "after": dict(changes.after),
    }


def differences_from_dict(data: Mapping[str, Any]) -> Differences:
    """The inverse of :func:`differences_dict`, for stored data (not validated again)."""
    return Differences(
        steps=tuple(step_from_dict(item) for item in data.get("steps", ())),
        transitions=tuple(transition_from_dict(item) for item in data.get("transitions", ())),
        removed_steps=tuple(data.get("removed_steps", ())),
        removed_transitions=tuple(data.get("removed_transitions", ())),
        rules=None if data.get("rules") is None else rules_from_dict(data["rules"]),
        after=dict(data.get("after", {})),
    )
