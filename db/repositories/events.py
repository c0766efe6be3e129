"""The event log: what happened, whom it concerns, and the deliveries it owes (the
outbox), written in the transaction of the change that caused it."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import BigInteger, insert, literal_column, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnClause

from db import models as orm
from db.types import utcnow

__all__ = ["EventRepository", "new_event_id"]


def new_event_id() -> str:
    """``evt_`` and 24 random URL-safe characters: the id receivers deduplicate by."""
    return "evt_" + secrets.token_urlsafe(18)


_THIS_TRANSACTION: ColumnClause[int] = literal_column(
    "pg_current_xact_id()::text::bigint", BigInteger
)
_OLDEST_RUNNING: ColumnClause[int] = literal_column(
    "pg_snapshot_xmin(pg_current_snapshot())::text::bigint", BigInteger
)
"""The oldest transaction still running when the reader's snapshot was taken: every
event of an older one is committed (or gone), so the feed may pass it."""


_RECIPIENTS = orm.Base.metadata.tables[orm.EventRecipient.__tablename__]
_DELIVERIES = orm.Base.metadata.tables[orm.Delivery.__tablename__]


class EventRepository:
    def __init__(self, session: Session) -> None:
        self.session = session
        self._postgresql = session.get_bind().dialect.name == "postgresql"

    def has(self, dedupe_key: str) -> bool:
        found = self.session.scalar(select(orm.Event.id).where(orm.Event.dedupe_key == dedupe_key))
        return found is not None

    def add(
        self,
        *,
        type: str,
        pathway_id: int | None,
        data: dict[str, Any],
        recipients: Iterable[int],
        dedupe_key: str | None = None,
    ) -> orm.Event:
        """An event for ``recipients`` (organisation ids), with a pending delivery to each
        of their active webhooks that subscribes to its type."""
        event = orm.Event(
            event_id=new_event_id(),
            type=type,
            pathway_id=pathway_id,
            data=data,
            created_at=utcnow(),
            dedupe_key=dedupe_key,
            transaction_id=_THIS_TRANSACTION if self._postgresql else None,
        )
        self.session.add(event)
        self.session.flush()
        audience = sorted(set(recipients))
        if audience:
            # Core statements on the tables: a partnership's event has dozens of rows,
            # and the ORM's bulk path costs more than the rows themselves.
            self.session.execute(
                insert(_RECIPIENTS),
                [{"event_id": event.id, "organization_id": o} for o in audience],
            )
            hooks = self.session.execute(
                select(orm.Webhook.id, orm.Webhook.events).where(
                    orm.Webhook.organization_id.in_(audience), orm.Webhook.active.is_(True)
                )
            )
            due = [hook.id for hook in hooks if type in hook.events]
            if due:
                self.session.execute(
                    insert(_DELIVERIES),
                    [
                        {
                            "webhook_id": hook_id,
                            "event_id": event.id,
                            "status": "pending",
                            "attempts": 0,
                            "next_attempt_at": event.created_at,
                            "created_at": event.created_at,
                        }
                        for hook_id in sorted(due)
                    ],
                )
        return event

    def feed(
        self, organization_id: int, *, after: int, limit: int, types: Sequence[str] = ()
    ) -> list[orm.Event]:
        """The organisation's events after cursor ``after`` (an event's ``id``), oldest
        first, at most ``limit``; only of ``types`` if any are named."""
        query = (
            select(orm.Event)
            .join(orm.EventRecipient, orm.EventRecipient.event_id == orm.Event.id)
            .where(orm.EventRecipient.organization_id == organization_id, orm.Event.id > after)
        )
        if types:
            query = query.where(orm.Event.type.in_(types))
        if self._postgresql:
            # Ids are given at insert, transactions commit in any order: an event of a
            # transaction still running may get a lower id than one already committed.
            # Serving only events of transactions older than every running one keeps a
            # cursor from passing it (SQLite's writers take turns: nothing to hold back).
            query = query.where(orm.Event.transaction_id < _OLDEST_RUNNING)
        return list(self.session.scalars(query.order_by(orm.Event.id).limit(limit)))
