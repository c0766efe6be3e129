"""Queries on webhooks and their outbox: subscriptions, deliveries and the delivery log.

- :class:`WebhookRepository`: an organisation's webhooks, their deliveries (with each
  one's attempts) and replays;
- :class:`OutboxRepository`: what the delivery worker (``api.services.delivery``) asks:
  is anything due, claim one due delivery under a lease, record how an attempt went, and
  which approved versions fall due for review.

A claim is one short transaction that sets ``lease_until``: on PostgreSQL the row is
taken with ``FOR UPDATE SKIP LOCKED``, so two workers never claim the same delivery (the
second skips it, or sees the lease the first committed); on SQLite the writer's
``BEGIN IMMEDIATE`` lets one claim in at a time. A worker that dies holding a lease
leaves the delivery to be claimed again once the lease has run out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from db import models as orm
from db.types import utcnow

__all__ = ["Claim", "DeliveryRow", "OutboxRepository", "WebhookRepository"]

PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"


@dataclass(frozen=True, slots=True)
class DeliveryRow:
    """A delivery with its event and its attempts, oldest first."""

    delivery: orm.Delivery
    event: orm.Event
    attempts: list[orm.DeliveryAttempt]


@dataclass(frozen=True, slots=True)
class Claim:
    """A delivery a worker holds until ``lease_until``: what it sends, and where."""

    delivery_id: int
    attempts: int
    """How many attempts were recorded when it was claimed (the next is one more)."""
    lease_until: datetime
    url: str
    secret: str
    event: orm.Event


class WebhookRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(
        self,
        *,
        organization_id: int,
        url: str,
        events: list[str],
        description: str,
        secret: str,
        active: bool,
    ) -> orm.Webhook:
        now = utcnow()
        row = orm.Webhook(
            organization_id=organization_id,
            url=url,
            events=events,
            description=description,
            secret=secret,
            active=active,
            revision=1,
            created_at=now,
            updated_at=now,
        )
        self.session.add(row)
        self.session.flush()
        return row

    def get(
        self, webhook_id: int, organization_id: int, *, for_update: bool = False
    ) -> orm.Webhook | None:
        """The organisation's webhook (None for another organisation's)."""
        query = select(orm.Webhook).where(
            orm.Webhook.id == webhook_id, orm.Webhook.organization_id == organization_id
        )
        if for_update:
            query = query.with_for_update().execution_options(populate_existing=True)
        return self.session.scalar(query)

    def page(
        self, organization_id: int, *, limit: int, offset: int
    ) -> tuple[list[orm.Webhook], int]:
        """The organisation's webhooks, oldest first."""
        query = select(orm.Webhook).where(orm.Webhook.organization_id == organization_id)
        total = self.session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = self.session.scalars(query.order_by(orm.Webhook.id).limit(limit).offset(offset))
        return list(rows), total

    def delete(self, row: orm.Webhook) -> None:
        """The webhook, its deliveries and their attempts (the foreign keys cascade)."""
        self.session.execute(delete(orm.Webhook).where(orm.Webhook.id == row.id))
        self.session.expunge(row)

    def bump(self, row: orm.Webhook) -> None:
        row.revision += 1
        row.updated_at = utcnow()
        self.session.flush()

    # -- deliveries --------------------------------------------------------------------

    def deliveries(
        self, webhook_id: int, *, limit: int, offset: int
    ) -> tuple[list[DeliveryRow], int]:
        """The webhook's deliveries, newest first, each with its event and attempts."""
        where = orm.Delivery.webhook_id == webhook_id
        total = self.session.scalar(select(func.count(orm.Delivery.id)).where(where)) or 0
        found = self.session.execute(
            select(orm.Delivery, orm.Event)
            .join(orm.Event, orm.Event.id == orm.Delivery.event_id)
            .where(where)
            .order_by(orm.Delivery.id.desc())
            .limit(limit)
            .offset(offset)
        ).all()
        attempts = self._attempts(delivery.id for delivery, _ in found)
        return [DeliveryRow(d, e, attempts.get(d.id, [])) for d, e in found], total

    def delivery(self, webhook_id: int, delivery_id: int) -> DeliveryRow | None:
        found = self.session.execute(
            select(orm.Delivery, orm.Event)
            .join(orm.Event, orm.Event.id == orm.Delivery.event_id)
            .where(orm.Delivery.id == delivery_id, orm.Delivery.webhook_id == webhook_id)
        ).one_or_none()
        if found is None:
            return None
        delivery, event = found
        return DeliveryRow(delivery, event, self._attempts([delivery.id]).get(delivery.id, []))

    def _attempts(self, delivery_ids: Iterable[int]) -> dict[int, list[orm.DeliveryAttempt]]:
        ids = list(delivery_ids)
        result: dict[int, list[orm.DeliveryAttempt]] = defaultdict(list)
        if ids:
            rows = self.session.scalars(
                select(orm.DeliveryAttempt)
                .where(orm.DeliveryAttempt.delivery_id.in_(ids))
                .order_by(orm.DeliveryAttempt.id)
            )
            for row in rows:
                result[row.delivery_id].append(row)
        return result

    def replay(self, webhook_id: int, event: orm.Event) -> DeliveryRow:
        """A new pending delivery of ``event`` to the webhook, due now."""
        now = utcnow()
        row = orm.Delivery(
            webhook_id=webhook_id,
            event_id=event.id,
            status=PENDING,
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        )
        self.session.add(row)
        self.session.flush()
        return DeliveryRow(row, event, [])


class OutboxRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    @staticmethod
    def _due(now: datetime) -> Any:
        return (
            (orm.Delivery.status == PENDING)
            & (orm.Delivery.next_attempt_at <= now)
            & or_(orm.Delivery.lease_until.is_(None), orm.Delivery.lease_until <= now)
            & orm.Webhook.active.is_(True)
        )

    def has_due(self, now: datetime) -> bool:
        """Whether a delivery is due (a plain read: no lock is taken)."""
        found = self.session.scalar(
            select(orm.Delivery.id)
            .join(orm.Webhook, orm.Webhook.id == orm.Delivery.webhook_id)
            .where(self._due(now))
            .limit(1)
        )
        return found is not None

    def claim(self, *, now: datetime, lease_until: datetime) -> Claim | None:
        """Take the delivery due longest, if any, until ``lease_until``. Run it in a
        writer's transaction of its own and commit at once."""
        found = self.session.execute(
            select(orm.Delivery, orm.Webhook)
            .join(orm.Webhook, orm.Webhook.id == orm.Delivery.webhook_id)
            .where(self._due(now))
            .order_by(orm.Delivery.next_attempt_at, orm.Delivery.id)
            .limit(1)
            # PostgreSQL: rows another worker is claiming are skipped, not waited for.
            # SQLite has no row locks (the clause is left out): BEGIN IMMEDIATE serialises.
            .with_for_update(skip_locked=True, of=orm.Delivery)
        ).one_or_none()
        if found is None:
            return None
        delivery, webhook = found
        delivery.lease_until = lease_until
        event = self.session.get(orm.Event, delivery.event_id)
        self.session.flush()
        if event is None:  # pragma: no cover - the foreign key cascades
            return None
        return Claim(
            delivery_id=delivery.id,
            attempts=delivery.attempts,
            lease_until=lease_until,
            url=webhook.url,
            secret=webhook.secret,
            event=event,
        )

    def record(
        self,
        claim: Claim,
        *,
        at: datetime,
        status_code: int | None,
        error: str,
        duration_ms: int,
        delivered: bool,
        retry_at: datetime | None,
    ) -> bool:
        """Log the attempt and move the delivery on: delivered, due again at
        ``retry_at``, or failed (``retry_at`` None). Nothing moves when another worker
        has recorded an attempt since the claim (its lease ran out); nothing at all when
        the delivery is gone (its webhook was deleted). Whether the delivery moved."""
        delivery = self.session.scalar(
            select(orm.Delivery)
            .where(orm.Delivery.id == claim.delivery_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        if delivery is None:
            return False
        self.session.add(
            orm.DeliveryAttempt(
                delivery_id=delivery.id,
                at=at,
                status_code=status_code,
                error=error[:500],
                duration_ms=duration_ms,
            )
        )
        if delivery.status != PENDING or delivery.attempts != claim.attempts:
            self.session.flush()
            return False
        delivery.attempts = claim.attempts + 1
        delivery.lease_until = None
        if delivered:
            delivery.status, delivery.delivered_at = DELIVERED, at
        elif retry_at is None:
            delivery.status = FAILED
        else:
            delivery.next_attempt_at = retry_at
        self.session.flush()
        return True

    # -- review notices ----------------------------------------------------------------

    def reviews_due(self, until: date) -> list[tuple[int, int, date]]:
        """The pathway, number and review date of the latest approved version of each
        pathway whose review is due by ``until`` (or overdue), oldest review first."""
        latest = (
            select(orm.Version.pathway_id, func.max(orm.Version.number).label("number"))
            .group_by(orm.Version.pathway_id)
            .subquery()
        )
        rows = self.session.execute(
            select(orm.Version.pathway_id, orm.Version.number, orm.Version.review_due)
            .join(
                latest,
                (latest.c.pathway_id == orm.Version.pathway_id)
                & (latest.c.number == orm.Version.number),
            )
            .where(orm.Version.review_due.is_not(None), orm.Version.review_due <= until)
            .order_by(orm.Version.review_due, orm.Version.pathway_id)
        ).all()
        return [(pathway_id, number, due) for pathway_id, number, due in rows if due is not None]

    def existing_keys(self, keys: Iterable[str]) -> set[str]:
        """Which of ``keys`` an event has as its ``dedupe_key`` already."""
        wanted = list(keys)
        found: set[str] = set()
        for start in range(0, len(wanted), 500):
            rows = self.session.scalars(
                select(orm.Event.dedupe_key).where(
                    orm.Event.dedupe_key.in_(wanted[start : start + 500])
                )
            )
            found.update(key for key in rows if key is not None)
        return found
