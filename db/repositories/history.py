"""The append-only history of changes to pathways."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from db import models as orm
from db.types import utcnow

__all__ = ["HistoryRepository", "event_on"]

_HISTORY = orm.Base.metadata.tables[orm.HistoryEntry.__tablename__]


def event_on(revision: int, last_id: int | None, last_before: int | None) -> int | None:
    """``last_id`` if the latest history entry (``last_id``, made at ``last_before``) is
    an event on ``revision`` (an approval, a decision, a version), not the change that
    made the revision, else None."""
    return last_id if last_id is not None and last_before == revision else None


class HistoryRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def append(
        self,
        *,
        pathway_id: int,
        organization_id: int,
        organization_name: str,
        level: str | None,
        token_id: int | None,
        token_name: str,
        action: str,
        summary: str,
        changes: dict[str, Any],
        revision_before: int,
        revision_after: int,
    ) -> None:
        """One INSERT of plain values (no ORM object: nothing reads the entry back in the
        transaction that writes it)."""
        self.session.execute(
            insert(_HISTORY),
            {
                "pathway_id": pathway_id,
                "at": utcnow(),
                "organization_id": organization_id,
                "organization_name": organization_name,
                "level": level,
                "token_id": token_id,
                "token_name": token_name,
                "action": action,
                "summary": summary[:1000],
                "changes": changes,
                "revision_before": revision_before,
                "revision_after": revision_after,
            },
        )

    def last_event(self, pathway_id: int, revision: int) -> int | None:
        """The id of the latest entry if it is an event on ``revision`` (an approval, a
        decision, a version) rather than the change that made it, else None."""
        found = self.session.execute(
            select(orm.HistoryEntry.id, orm.HistoryEntry.revision_before)
            .where(orm.HistoryEntry.pathway_id == pathway_id)
            .order_by(orm.HistoryEntry.id.desc())
            .limit(1)
        ).first()
        return None if found is None else event_on(revision, found[0], found[1])

    def page(
        self, pathway_id: int, *, limit: int, offset: int
    ) -> tuple[list[orm.HistoryEntry], int]:
        """Entries oldest first."""
        query = select(orm.HistoryEntry).where(orm.HistoryEntry.pathway_id == pathway_id)
        total = self.session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = self.session.scalars(query.order_by(orm.HistoryEntry.id).limit(limit).offset(offset))
        return list(rows), total

    def changes_per_level(self, pathway_ids: list[int]) -> dict[int, dict[str, int]]:
        """Number of changes each level made, per pathway (approvals are not changes)."""
        result: dict[int, dict[str, int]] = {i: {} for i in pathway_ids}
        if not pathway_ids:
            return result
        rows = self.session.execute(
            select(orm.HistoryEntry.pathway_id, orm.HistoryEntry.level, func.count())
            .where(
                orm.HistoryEntry.pathway_id.in_(pathway_ids),
                orm.HistoryEntry.revision_after > orm.HistoryEntry.revision_before,
            )
            .group_by(orm.HistoryEntry.pathway_id, orm.HistoryEntry.level)
        )
        for pathway_id, level, count in rows:
            if level is not None:  # a secretariat's changes count for no level
                result[pathway_id][level] = count
        return result
