"""Hearing rounds on pathways, their invitees and answers."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db import models as orm
from db.types import utcnow

__all__ = ["HearingRepository"]


class HearingRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, *, invitees: Iterable[orm.Organization], **fields: Any) -> orm.Hearing:
        hearing = orm.Hearing(opened_at=utcnow(), etag_revision=1, **fields)
        self.session.add(hearing)
        self.session.flush()
        for position, organization in enumerate(invitees):
            self.session.add(
                orm.HearingInvitee(
                    hearing_id=hearing.id,
                    organization_id=organization.id,
                    position_in_list=position,
                    name=organization.name,
                    text="",
                )
            )
        self.session.flush()
        return hearing

    def get(self, hearing_id: int, *, for_update: bool = False) -> orm.Hearing | None:
        query = select(orm.Hearing).where(orm.Hearing.id == hearing_id)
        if for_update:
            query = query.with_for_update()
        return self.session.scalar(query)

    def of_pathway(self, pathway_id: int) -> list[orm.Hearing]:
        """The pathway's rounds, newest first."""
        return self.page_of_pathway(pathway_id, limit=None, offset=0)[0]

    def page_of_pathway(
        self, pathway_id: int, *, limit: int | None, offset: int
    ) -> tuple[list[orm.Hearing], int]:
        """A page of the pathway's rounds, newest first, and how many it has."""
        where = orm.Hearing.pathway_id == pathway_id
        total = self.session.scalar(select(func.count()).select_from(orm.Hearing).where(where))
        rows = self.session.scalars(
            select(orm.Hearing)
            .where(where)
            .order_by(orm.Hearing.id.desc())
            .limit(limit)
            .offset(offset)
        )
        return list(rows), total or 0

    def latest_of(self, pathway_ids: Iterable[int]) -> dict[int, orm.Hearing]:
        """Each pathway's newest round, for those that have one."""
        ids = set(pathway_ids)
        if not ids:
            return {}
        newest = (
            select(func.max(orm.Hearing.id))
            .where(orm.Hearing.pathway_id.in_(ids))
            .group_by(orm.Hearing.pathway_id)
        )
        rows = self.session.scalars(select(orm.Hearing).where(orm.Hearing.id.in_(newest)))
        return {row.pathway_id: row for row in rows}

    def open_round(self, pathway_id: int) -> orm.Hearing | None:
        return self.session.scalar(
            select(orm.Hearing)
            .where(orm.Hearing.pathway_id == pathway_id, orm.Hearing.closed_at.is_(None))
            .order_by(orm.Hearing.id.desc())
            .limit(1)
        )

    def invited(
        self, organization_id: int, *, limit: int, offset: int
    ) -> tuple[list[orm.Hearing], int]:
        """A page of the rounds the organisation is invited to, open ones first, newest
        first, and how many there are."""
        query = (
            select(orm.Hearing)
            .join(orm.HearingInvitee, orm.HearingInvitee.hearing_id == orm.Hearing.id)
            .where(orm.HearingInvitee.organization_id == organization_id)
        )
        total = self.session.scalar(select(func.count()).select_from(query.subquery()))
        rows = self.session.scalars(
            query.order_by(orm.Hearing.closed_at.is_not(None), orm.Hearing.id.desc())
            .limit(limit)
            .offset(offset)
        )
        return list(rows), total or 0

    def invitees(self, hearing_id: int) -> list[orm.HearingInvitee]:
        return self.invitees_of([hearing_id])[hearing_id]

    def invitees_of(self, hearing_ids: Iterable[int]) -> dict[int, list[orm.HearingInvitee]]:
        ids = set(hearing_ids)
        found: dict[int, list[orm.HearingInvitee]] = {i: [] for i in ids}
        if ids:
            for invitee in self.session.scalars(
                select(orm.HearingInvitee)
                .where(orm.HearingInvitee.hearing_id.in_(ids))
                .order_by(orm.HearingInvitee.position_in_list)
            ):
                found[invitee.hearing_id].append(invitee)
        return found

    def invitee(self, hearing_id: int, organization_id: int) -> orm.HearingInvitee | None:
        return self.session.get(orm.HearingInvitee, (hearing_id, organization_id))
