"""What organisations can be told: the event types of the feed and the webhooks.

Each type says in words what happened, for the people who read a delivery log or set
up a subscription:

>>> EventType.VERSION_APPROVED.said.nb
'en ny godkjent versjon'
>>> sorted(EventType)[:2]
[<EventType.COMMENT_CREATED: 'comment.created'>, <EventType.HEARING_OPENED: 'hearing.opened'>]
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType

from pathways.errors import Bilingual

__all__ = ["EventType"]


class EventType(StrEnum):
    VERSION_APPROVED = "version.approved"
    """A pathway the organisation takes part in (or whose partnership it is a member
    of) has a new approved version."""
    HEARING_OPENED = "hearing.opened"
    """The organisation is invited to a hearing round."""
    COMMENT_CREATED = "comment.created"
    """Another organisation commented on a pathway the organisation takes part in."""
    REVIEW_DUE = "review.due"
    """An approved pathway the organisation takes part in falls due for review soon (or
    is overdue): once per review date."""
    VARIANT_UPSTREAM_CHANGED = "variant.upstream_changed"
    """The shared pathway of a local variant the organisation takes part in has a new
    approved version: the variant may move onto it."""

    @property
    def said(self) -> Bilingual:
        return Bilingual(_SAID_EN[self], _SAID_NB[self])


_SAID_EN: Mapping[EventType, str] = MappingProxyType(
    {
        EventType.VERSION_APPROVED: "a new approved version",
        EventType.HEARING_OPENED: "a hearing round the organisation is invited to",
        EventType.COMMENT_CREATED: "a comment on a pathway the organisation takes part in",
        EventType.REVIEW_DUE: "a review falling due",
        EventType.VARIANT_UPSTREAM_CHANGED: "a new version of a local variant's shared pathway",
    }
)
_SAID_NB: Mapping[EventType, str] = MappingProxyType(
    {
        EventType.VERSION_APPROVED: "en ny godkjent versjon",
        EventType.HEARING_OPENED: "en høring organisasjonen er invitert til",
        EventType.COMMENT_CREATED: "en kommentar til et forløp organisasjonen deltar i",
        EventType.REVIEW_DUE: "en revisjonsdato som nærmer seg",
        EventType.VARIANT_UPSTREAM_CHANGED: "en ny versjon av det felles forløpet en lokal "
        "variant bygger på",
    }
)
