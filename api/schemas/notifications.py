"""Wire shapes of notifications: webhooks, their delivery log, and the event feed."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal, cast

from pydantic import BaseModel, Field, StrictBool, StringConstraints

from api.schemas.common import Input, PartialInput
from api.services.editing import etag
from api.services.notifications import event_body
from db import models as orm
from db.repositories.webhooks import DeliveryRow
from pathways.document import Line
from pathways.events import EventType

__all__ = [
    "AttemptRead",
    "DeliveryRead",
    "EventFeed",
    "EventRead",
    "WebhookCreate",
    "WebhookCreated",
    "WebhookRead",
    "WebhookUpdate",
]

DeliveryStatus = Literal["pending", "delivered", "failed"]
URL_PATTERN = r"^[Hh][Tt][Tt][Pp][Ss]?://[!-~]+$"
WebhookUrl = Annotated[
    str,
    StringConstraints(max_length=2000, pattern=URL_PATTERN),
    Field(
        description="Where deliveries are POSTed: an http:// or https:// URL of at most 2000 "
        "visible ASCII characters (percent-encode a path, punycode a host), with a host and "
        "no user:password@ or #fragment (422 otherwise). A loopback, link-local, unspecified "
        "or multicast address is refused unless the service allows it"
    ),
]
_EVENTS = "What it receives: " + "; ".join(f"{t.value}: {t.said.en}" for t in EventType)
Events = Annotated[
    list[EventType], Field(min_length=1, max_length=len(EventType), description=_EVENTS)
]
_DESCRIPTION = "What it is for, e.g. 'DIPS integration'"


class WebhookCreate(Input):
    url: WebhookUrl
    events: Events
    description: Line = Field(default="", description=_DESCRIPTION)
    active: StrictBool = Field(default=True, description="Inactive webhooks receive nothing")


class WebhookUpdate(PartialInput):
    url: WebhookUrl | None = None
    events: Events | None = None
    description: Line | None = Field(default=None, description=_DESCRIPTION)
    active: StrictBool | None = Field(
        default=None,
        description="Inactive webhooks receive nothing; deliveries waiting when it was "
        "turned off are sent when it is turned on again",
    )


class WebhookRead(BaseModel):
    id: int
    organization_id: int
    url: str
    events: list[EventType]
    description: str
    active: bool
    revision: int
    etag: str = Field(description="The strong ETag to send as If-Match when changing it")
    created_at: datetime
    updated_at: datetime

    @classmethod
    def fields_of(cls, row: orm.Webhook) -> dict[str, Any]:
        return {
            "id": row.id,
            "organization_id": row.organization_id,
            "url": row.url,
            "events": [EventType(event) for event in row.events],
            "description": row.description,
            "active": row.active,
            "revision": row.revision,
            "etag": etag(row.revision),
            "created_at": row.created_at,
            "updated_at": row.updated_at,
        }

    @classmethod
    def of(cls, row: orm.Webhook) -> WebhookRead:
        return cls(**cls.fields_of(row))


class WebhookCreated(WebhookRead):
    secret: str = Field(
        description="The signing secret (Standard Webhooks: whsec_ and the base64 key). It is "
        "shown when the webhook is created and when the secret is rotated, never otherwise"
    )

    @classmethod
    def of(cls, row: orm.Webhook) -> WebhookCreated:
        return cls(**cls.fields_of(row), secret=row.secret)


class AttemptRead(BaseModel):
    at: datetime
    status_code: int | None = Field(description="The receiver's answer; null without one")
    error: str = Field(description="What went wrong (empty for a 2xx answer)")
    duration_ms: int


class DeliveryRead(BaseModel):
    id: int
    webhook_id: int
    event_id: str = Field(description="The event's id: the webhook-id header of each attempt")
    event_type: EventType
    status: DeliveryStatus = Field(
        description="pending (to be tried, or tried again), delivered (a 2xx answer) or "
        "failed (every attempt failed; it can be replayed)"
    )
    attempts: int
    next_attempt_at: datetime | None = Field(description="When it is tried next, if pending")
    created_at: datetime
    delivered_at: datetime | None
    log: list[AttemptRead] = Field(description="Each attempt, oldest first")

    @classmethod
    def of(cls, found: DeliveryRow) -> DeliveryRead:
        delivery = found.delivery
        return cls(
            id=delivery.id,
            webhook_id=delivery.webhook_id,
            event_id=found.event.event_id,
            event_type=EventType(found.event.type),
            status=cast(DeliveryStatus, delivery.status),
            attempts=delivery.attempts,
            next_attempt_at=delivery.next_attempt_at if delivery.status == "pending" else None,
            created_at=delivery.created_at,
            delivered_at=delivery.delivered_at,
            log=[
                AttemptRead(
                    at=a.at, status_code=a.status_code, error=a.error, duration_ms=a.duration_ms
                )
                for a in found.attempts
            ],
        )


class EventRead(BaseModel):
    """An event as a webhook receives it (its body), with its place in the feed."""

    id: str = Field(description="evt_…: the webhook-id of every delivery of it")
    type: EventType
    timestamp: str = Field(
        description="When it happened (RFC 3339, UTC)", json_schema_extra={"format": "date-time"}
    )
    data: dict[str, Any]
    cursor: int = Field(description="Its place in the feed: poll with after=<cursor>")

    @classmethod
    def of(cls, event: orm.Event) -> EventRead:
        return cls(**event_body(event), cursor=event.id)


class EventFeed(BaseModel):
    items: list[EventRead] = Field(description="Oldest first")
    next: int = Field(
        description="The cursor to poll with next (after=next): the last item's, or the one "
        "sent when there are none"
    )
