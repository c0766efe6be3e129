"""Comment threads on pathways: a first comment (the anchor) and its replies."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db import models as orm
from db.types import utcnow

__all__ = ["CommentRepository"]


class CommentRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, **fields: Any) -> orm.Comment:
        comment = orm.Comment(created_at=utcnow(), thread_revision=1, **fields)
        self.session.add(comment)
        self.session.flush()
        return comment

    def thread(
        self, pathway_id: int, comment_id: int, *, for_update: bool = False
    ) -> orm.Comment | None:
        """The first comment of thread ``comment_id`` on the pathway, or None."""
        query = select(orm.Comment).where(
            orm.Comment.id == comment_id,
            orm.Comment.pathway_id == pathway_id,
            orm.Comment.thread_id.is_(None),
        )
        if for_update:
            query = query.with_for_update()
        return self.session.scalar(query)

    def threads(
        self,
        pathway_id: int,
        *,
        resolved: bool | None,
        anchor_kind: str | None,
        anchor_key: str | None,
        limit: int,
        offset: int,
    ) -> tuple[list[orm.Comment], int]:
        """A page of the pathway's threads (their first comments), oldest first, and how
        many there are."""
        where = [orm.Comment.pathway_id == pathway_id, orm.Comment.thread_id.is_(None)]
        if resolved is not None:
            where.append(
                orm.Comment.resolved_at.is_not(None)
                if resolved
                else orm.Comment.resolved_at.is_(None)
            )
        if anchor_kind is not None:
            where.append(orm.Comment.anchor_kind == anchor_kind)
        if anchor_key is not None:
            where.append(orm.Comment.anchor_key == anchor_key)
        total = self.session.scalar(select(func.count()).select_from(orm.Comment).where(*where))
        rows = self.session.scalars(
            select(orm.Comment).where(*where).order_by(orm.Comment.id).limit(limit).offset(offset)
        )
        return list(rows), total or 0

    def replies(self, thread_ids: Sequence[int]) -> dict[int, list[orm.Comment]]:
        """The replies in each thread, oldest first."""
        found: dict[int, list[orm.Comment]] = {i: [] for i in thread_ids}
        if thread_ids:
            for reply in self.session.scalars(
                select(orm.Comment)
                .where(orm.Comment.thread_id.in_(thread_ids))
                .order_by(orm.Comment.id)
            ):
                assert reply.thread_id is not None
                found[reply.thread_id].append(reply)
        return found

    def of_hearing(self, hearing_id: int) -> list[orm.Comment]:
        """The comments that came with answers in a hearing round."""
        return list(
            self.session.scalars(
                select(orm.Comment)
                .where(orm.Comment.hearing_id == hearing_id)
                .order_by(orm.Comment.id)
            )
        )
