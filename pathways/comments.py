"""What a comment is about, and whether that is still as it was.

A comment is anchored to an element of one revision of a pathway: the pathway as a
whole, a step, a transition, a transition's handover, or one item of a handover's
checklist. It keeps the element as it was (in the native document's form), so that
after later changes it can say whether it is about the element as it stands, about an
earlier form of it (and what changed since), or about one that was removed.

>>> from pathways.model import Level, PathwayInfo, Step, StepKind
>>> def home(name):
...     return Pathway(PathwayInfo("P"), (Step("home", name, Level.MUNICIPALITY, StepKind.HOME),))
>>> anchor = Anchor(AnchorKind.STEP, "home")
>>> then, after = element_of(home("Hjemme"), anchor), home("I eget hjem")
>>> standing(then, after, anchor).state, standing(then, after, anchor).changes["name"]
(<Standing.CHANGED: 'changed'>, {'from': 'Hjemme', 'to': 'I eget hjem'})
>>> standing(then, Pathway(PathwayInfo("P")), anchor).state
<Standing.REMOVED: 'removed'>
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from pathways.diff import field_changes
from pathways.document import handover_dict, step_dict, transition_dict
from pathways.errors import Bilingual
from pathways.model import Pathway
from pathways.wording import join, language_or_default

__all__ = [
    "MAX_COMMENT_LENGTH",
    "Anchor",
    "AnchorKind",
    "Standing",
    "StandingOf",
    "element_of",
    "missing_element",
    "standing",
    "standing_text",
]

MAX_COMMENT_LENGTH = 4000
"""Characters a comment, a reply or a hearing answer may hold."""


class AnchorKind(StrEnum):
    PATHWAY = "pathway"
    STEP = "step"
    TRANSITION = "transition"
    HANDOVER = "handover"
    CHECKLIST_ITEM = "checklist_item"


@dataclass(frozen=True, slots=True)
class Anchor:
    """What a comment is about: ``key`` is the step's or the transition's key (empty
    for the pathway), ``item`` a checklist item's key."""

    kind: AnchorKind
    key: str = ""
    item: str = ""

    @property
    def stored_key(self) -> str:
        """One string for the database: ``ward``, ``discharge``, ``discharge/med-list``."""
        return f"{self.key}/{self.item}" if self.kind is AnchorKind.CHECKLIST_ITEM else self.key

    @classmethod
    def stored(cls, kind: str, key: str) -> Anchor:
        kind_ = AnchorKind(kind)
        if kind_ is AnchorKind.CHECKLIST_ITEM:
            transition, _, item = key.partition("/")
            return cls(kind_, transition, item)
        return cls(kind_, key)

    @property
    def said(self) -> Bilingual:
        """The element in words, for messages: ``checklist item med-list of transition …``."""
        match self.kind:
            case AnchorKind.PATHWAY:
                return Bilingual("the pathway", "forløpet")
            case AnchorKind.STEP:
                return Bilingual(f"step {self.key}", f"steget {self.key}")
            case AnchorKind.TRANSITION:
                return Bilingual(f"transition {self.key}", f"overgangen {self.key}")
            case AnchorKind.HANDOVER:
                return Bilingual(
                    f"the handover of transition {self.key}",
                    f"overleveringen i overgangen {self.key}",
                )
            case AnchorKind.CHECKLIST_ITEM:
                return Bilingual(
                    f"checklist item {self.item} of transition {self.key}",
                    f"sjekklistepunktet {self.item} i overgangen {self.key}",
                )


def _info_dict(pathway: Pathway) -> dict[str, Any]:
    info = pathway.info
    return {
        "title": info.title,
        "description": info.description,
        "target_group": info.target_group,
        "agreement_ref": info.agreement_ref,
        "review_due": info.review_due.isoformat() if info.review_due else None,
    }


def element_of(pathway: Pathway, anchor: Anchor) -> dict[str, Any] | None:
    """The anchored element of ``pathway`` in the native document's form, or None if
    the pathway has no such element. The pathway as a whole is its description."""
    if anchor.kind is AnchorKind.PATHWAY:
        return _info_dict(pathway)
    if anchor.kind is AnchorKind.STEP:
        step = next((s for s in pathway.steps if s.key == anchor.key), None)
        return step_dict(step) if step is not None else None
    transition = next((t for t in pathway.transitions if t.key == anchor.key), None)
    if transition is None:
        return None
    if anchor.kind is AnchorKind.TRANSITION:
        return transition_dict(transition)
    if transition.handover is None:
        return None
    if anchor.kind is AnchorKind.HANDOVER:
        return handover_dict(transition.handover)
    items = handover_dict(transition.handover)["checklist"]
    return next((item for item in items if item["key"] == anchor.item), None)


def missing_element(pathway: Pathway, anchor: Anchor) -> Bilingual | None:
    """Why ``anchor`` names nothing in ``pathway``, or None if it names an element."""
    if element_of(pathway, anchor) is not None:
        return None
    if anchor.kind in (AnchorKind.HANDOVER, AnchorKind.CHECKLIST_ITEM) and any(
        t.key == anchor.key for t in pathway.transitions
    ):
        if anchor.kind is AnchorKind.HANDOVER:
            return Bilingual(
                f"transition {anchor.key} has no handover",
                f"Overgangen {anchor.key} har ingen overlevering.",
            )
        return Bilingual(
            f"the handover of transition {anchor.key} has no checklist item {anchor.item}",
            f"Overleveringen i overgangen {anchor.key} har ikke noe sjekklistepunkt {anchor.item}.",
        )
    if anchor.kind is AnchorKind.STEP:
        return Bilingual(
            f"the pathway has no step {anchor.key}", f"Forløpet har ikke noe steg {anchor.key}."
        )
    return Bilingual(
        f"the pathway has no transition {anchor.key}",
        f"Forløpet har ingen overgang {anchor.key}.",
    )


class Standing(StrEnum):
    """How a comment's element stands now."""

    CURRENT = "current"
    """The element is as it was when the comment was written."""
    CHANGED = "changed"
    """The element has changed since: the comment is about an earlier revision of it."""
    REMOVED = "removed"
    """The element is no longer in the pathway."""


@dataclass(frozen=True, slots=True)
class StandingOf:
    state: Standing
    changes: dict[str, Any] = field(default_factory=dict)
    """For a changed element: ``{field: {"from": then, "to": now}}``."""


def standing(then: dict[str, Any] | None, now: Pathway, anchor: Anchor) -> StandingOf:
    """How the element ``then`` (as it was when commented on) stands in ``now``."""
    current = element_of(now, anchor)
    if current is None:
        return StandingOf(Standing.REMOVED)
    if then is None or current == then:
        return StandingOf(Standing.CURRENT)
    return StandingOf(Standing.CHANGED, field_changes(then, current))


_FIELDS: dict[str, tuple[str, str]] = {
    "title": ("title", "tittel"),
    "description": ("description", "beskrivelse"),
    "target_group": ("target group", "målgruppe"),
    "agreement_ref": ("agreement", "avtale"),
    "review_due": ("review date", "revisjonsdato"),
    "name": ("name", "navn"),
    "level": ("level", "nivå"),
    "kind": ("kind", "type"),
    "responsible": ("responsible", "ansvarlig"),
    "expected_duration": ("expected duration", "forventet varighet"),
    "from": ("from step", "fra steg"),
    "to": ("to step", "til steg"),
    "label": ("label", "betingelse"),
    "handover": ("handover", "overlevering"),
    "sender_role": ("sender", "avsender"),
    "receiver_role": ("receiver", "mottaker"),
    "messages": ("messages", "meldinger"),
    "deadline": ("deadline", "frist"),
    "checklist": ("checklist", "sjekkliste"),
    "text": ("text", "tekst"),
    "side": ("side", "ansvarlig side"),
    "required": ("required", "påkrevd"),
    "due": ("deadline", "frist"),
}


def standing_text(found: StandingOf, anchor: Anchor, revision: int, language: str) -> str:
    """How a comment's element stands, for the person reading the comment: plain words,
    no codes.

    >>> changed = StandingOf(Standing.CHANGED, {"text": {}})
    >>> standing_text(changed, Anchor(AnchorKind.STEP, "a"), 3, "nb")
    'Skrevet om revisjon 3. Steget a er endret siden (tekst).'
    """
    nb = language_or_default(language) != "en"
    said = anchor.said.nb if nb else anchor.said.en
    if found.state is Standing.CURRENT:
        return (
            f"Skrevet om revisjon {revision}, og {said} er uendret siden."
            if nb
            else f"Written about revision {revision}; {said} is unchanged since."
        )
    if found.state is Standing.REMOVED:
        return (
            f"Skrevet om revisjon {revision}. {said[0].upper()}{said[1:]} er fjernet fra "
            "forløpet siden."
            if nb
            else f"Written about revision {revision}; {said} has been removed since."
        )
    fields = join([_FIELDS.get(name, (name, name))[nb] for name in found.changes], language)
    return (
        f"Skrevet om revisjon {revision}. {said[0].upper()}{said[1:]} er endret siden ({fields})."
        if nb
        else f"Written about an earlier revision ({revision}); {said} has changed since ({fields})."
    )
