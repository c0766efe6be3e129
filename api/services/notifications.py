"""Telling organisations what happened: one call writes an event, whom it concerns and
the deliveries it owes, in the transaction of the change that caused it (a
transactional outbox). Nothing is sent here: the delivery worker
(``api.services.delivery``) sends, after the commit, so a slow receiver never slows a
request and a change that rolls back tells no one.

The event's body, in the feed and in every webhook delivery (Standard Webhooks)::

    {"id": "evt_…", "type": "version.approved", "timestamp": "2026-12-04T10:00:00Z",
     "data": {"pathway_id": 7, "title": "…", "version": 2, …}}
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy.orm import Session

from db import models as orm
from db.repositories.events import EventRepository
from db.repositories.partnerships import PartnershipRepository
from db.repositories.pathways import PathwayRepository
from pathways.events import EventType
from pathways.roles import OrganizationKind

__all__ = ["event_body", "notify", "pathway_audience"]


def _timestamp(event: orm.Event) -> str:
    return event.created_at.isoformat().replace("+00:00", "Z")


def event_body(event: orm.Event) -> dict[str, Any]:
    """What the feed shows and a webhook receives: the same for every delivery and
    every replay of the event."""
    return {
        "id": event.event_id,
        "type": event.type,
        "timestamp": _timestamp(event),
        "data": event.data,
    }


def pathway_audience(session: Session, row: orm.Pathway) -> set[int]:
    """Whom news of a pathway concerns: its participants, and the secretariat members
    of its partnership."""
    audience = {o.id for _, o in PathwayRepository(session).participants(row.id)}
    if row.partnership_id is not None:
        audience |= {
            o.id
            for _, o in PartnershipRepository(session).members(row.partnership_id)
            if o.kind == OrganizationKind.SECRETARIAT
        }
    return audience


def notify(
    session: Session,
    type: EventType,
    *,
    pathway_id: int | None,
    data: dict[str, Any],
    recipients: Iterable[int],
    dedupe_key: str | None = None,
) -> orm.Event | None:
    """Record ``type`` for ``recipients``; None (nothing recorded) when an event with
    ``dedupe_key`` exists already."""
    events = EventRepository(session)
    if dedupe_key is not None and events.has(dedupe_key):
        return None
    return events.add(
        type=type.value,
        pathway_id=pathway_id,
        data=data,
        recipients=recipients,
        dedupe_key=dedupe_key,
    )
