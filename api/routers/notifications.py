"""Notifications: an organisation's webhooks (signed per Standard Webhooks), their
delivery log and replays, and the event feed to poll with a cursor."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from api.deps import ClientDep, IdPath, IfMatch, PageDep, SessionDep, SettingsDep
from api.problems import problem_responses
from api.routers.methods import ResourceRoute
from api.schemas.common import Page
from api.schemas.notifications import (
    DeliveryRead,
    EventFeed,
    EventRead,
    WebhookCreate,
    WebhookCreated,
    WebhookRead,
    WebhookUpdate,
)
from api.services import webhooks as service
from api.services.editing import etag
from api.settings import Settings
from db import models as orm
from pathways.events import EventType

router = APIRouter(tags=["notifications"], route_class=ResourceRoute)

_PAGE = Settings.model_fields
_MAX_PAGE_SIZE: int = _PAGE["max_page_size"].default
_DEFAULT_PAGE_SIZE: int = _PAGE["default_page_size"].default


def _read(row: orm.Webhook, response: Response) -> WebhookRead:
    response.headers["ETag"] = etag(row.revision)
    return WebhookRead.of(row)


def _with_secret(row: orm.Webhook, response: Response) -> WebhookCreated:
    response.headers["ETag"] = etag(row.revision)
    response.headers["Cache-Control"] = "no-store"
    return WebhookCreated.of(row)


@router.post(
    "/webhooks",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(401, 403, 413, 422),
)
def create_webhook(
    body: WebhookCreate,
    session: SessionDep,
    client: ClientDep,
    settings: SettingsDep,
    response: Response,
) -> WebhookCreated:
    """Subscribe the caller's organisation to events (an `admin` token). The answer holds
    the signing secret, shown this once (and again only when it is rotated).

    Each delivery is a POST of the event's JSON (as `GET /events` shows it, without
    `cursor`), signed per Standard Webhooks: `webhook-id` (the event's id, the same on
    every retry and replay), `webhook-timestamp` and `webhook-signature` (`v1,` and the
    base64 HMAC-SHA256 of `{id}.{timestamp}.{body}` with the secret's key). A 2xx answer
    delivers it; anything else, or no answer within the timeout, is retried with
    exponential backoff (by default 30 s, doubling, at most 6 h; 8 attempts). Redirects
    are not followed."""
    row = service.create_webhook(
        session,
        client=client,
        url=body.url,
        events=body.events,
        description=body.description,
        active=body.active,
        allow_local=settings.webhook_allow_local,
    )
    response.headers["Location"] = f"/webhooks/{row.id}"
    return _with_secret(row, response)


@router.get("/webhooks", responses=problem_responses(401, 422))
def list_webhooks(session: SessionDep, client: ClientDep, page: PageDep) -> Page[WebhookRead]:
    """The caller organisation's webhooks, oldest first (without their secrets)."""
    rows, total = service.list_webhooks(
        session, client=client, limit=page.limit, offset=page.offset
    )
    return Page(
        items=[WebhookRead.of(row) for row in rows],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.get("/webhooks/{webhook_id}", responses=problem_responses(401, 404, 422))
def get_webhook(
    webhook_id: IdPath, session: SessionDep, client: ClientDep, response: Response
) -> WebhookRead:
    """One of the caller organisation's webhooks (another organisation's is 404)."""
    return _read(service.get_webhook(session, client=client, webhook_id=webhook_id), response)


@router.patch(
    "/webhooks/{webhook_id}",
    responses=problem_responses(401, 403, 404, 412, 413, 422, 428),
)
def update_webhook(
    webhook_id: IdPath,
    body: WebhookUpdate,
    if_match: IfMatch,
    session: SessionDep,
    client: ClientDep,
    settings: SettingsDep,
    response: Response,
) -> WebhookRead:
    """Change the URL, the events, the description, or whether it is active (an `admin`
    token)."""
    row = service.update_webhook(
        session,
        client=client,
        webhook_id=webhook_id,
        if_match=if_match,
        changes=body.changes(),
        allow_local=settings.webhook_allow_local,
    )
    return _read(row, response)


@router.delete(
    "/webhooks/{webhook_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(401, 403, 404, 412, 422, 428),
)
def delete_webhook(
    webhook_id: IdPath, if_match: IfMatch, session: SessionDep, client: ClientDep
) -> None:
    """Delete the webhook, its deliveries not yet made and its delivery log (an `admin`
    token)."""
    service.delete_webhook(session, client=client, webhook_id=webhook_id, if_match=if_match)


@router.post(
    "/webhooks/{webhook_id}/secret",
    responses=problem_responses(401, 403, 404, 412, 422, 428),
)
def rotate_secret(
    webhook_id: IdPath,
    if_match: IfMatch,
    session: SessionDep,
    client: ClientDep,
    response: Response,
) -> WebhookCreated:
    """A new signing secret (an `admin` token), shown in this answer only: every delivery
    from now on, retries and replays too, is signed with it."""
    row = service.rotate_secret(session, client=client, webhook_id=webhook_id, if_match=if_match)
    return _with_secret(row, response)


@router.get("/webhooks/{webhook_id}/deliveries", responses=problem_responses(401, 404, 422))
def list_deliveries(
    webhook_id: IdPath, session: SessionDep, client: ClientDep, page: PageDep
) -> Page[DeliveryRead]:
    """The delivery log: the webhook's deliveries, newest first, each with its attempts
    (when, the receiver's status, what went wrong, how long it took)."""
    rows, total = service.list_deliveries(
        session, client=client, webhook_id=webhook_id, limit=page.limit, offset=page.offset
    )
    return Page(
        items=[DeliveryRead.of(row) for row in rows],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.post(
    "/webhooks/{webhook_id}/deliveries/{delivery_id}/replay",
    status_code=status.HTTP_202_ACCEPTED,
    responses=problem_responses(401, 403, 404, 409, 422),
)
def replay_delivery(
    webhook_id: IdPath, delivery_id: IdPath, session: SessionDep, client: ClientDep
) -> DeliveryRead:
    """Send the delivery's event again (an `admin` token): a new pending delivery of it,
    with the same `webhook-id`, so that a receiver that deduplicates by it can. 409 when the
    webhook is inactive."""
    found = service.replay_delivery(
        session, client=client, webhook_id=webhook_id, delivery_id=delivery_id
    )
    return DeliveryRead.of(found)


@router.get("/events", responses=problem_responses(401, 422))
def event_feed(
    session: SessionDep,
    client: ClientDep,
    settings: SettingsDep,
    after: Annotated[
        int,
        Query(
            ge=0,
            le=2_147_483_647,
            description="The cursor: only events after it (the `next` of the previous answer; "
            "0, the default, for the oldest)",
        ),
    ] = 0,
    limit: Annotated[
        int | None,
        Query(
            ge=1,
            le=_MAX_PAGE_SIZE,
            description=f"Page size (default {_DEFAULT_PAGE_SIZE}, at most {_MAX_PAGE_SIZE})",
        ),
    ] = None,
    types: Annotated[
        list[EventType] | None,
        Query(
            alias="type",
            max_length=len(EventType),
            description="Only events of these types (repeat the parameter for several)",
        ),
    ] = None,
) -> EventFeed:
    """The caller organisation's events, oldest first, after the cursor `after`: what it
    is told of (new approved versions, hearings, comments, reviews falling due, variants'
    upstream changes), whether or not it has webhooks. Poll with `after` set to the
    answer's `next`."""
    events = service.event_feed(
        session,
        client=client,
        after=after,
        limit=limit,
        types=types or (),
        default_limit=settings.default_page_size,
        max_limit=settings.max_page_size,
    )
    return EventFeed(
        items=[EventRead.of(event) for event in events],
        next=events[-1].id if events else after,
    )
