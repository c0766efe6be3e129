"""Queries on organisations."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db import models as orm

__all__ = ["OrganizationRepository"]


class OrganizationRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(
        self,
        *,
        name: str,
        kind: str,
        level: str | None,
        organization_number: str | None = None,
        her_id: str | None = None,
    ) -> orm.Organization:
        row = orm.Organization(
            name=name,
            kind=kind,
            level=level,
            organization_number=organization_number,
            her_id=her_id,
        )
        self.session.add(row)
        self.session.flush()
        return row

    def get(self, organization_id: int) -> orm.Organization | None:
        return self.session.get(orm.Organization, organization_id)

    def get_by_name(self, name: str) -> orm.Organization | None:
        return self.session.scalar(select(orm.Organization).where(orm.Organization.name == name))

    def get_many(self, ids: Iterable[int]) -> dict[int, orm.Organization]:
        wanted = set(ids)
        if not wanted:
            return {}
        rows = self.session.scalars(select(orm.Organization).where(orm.Organization.id.in_(wanted)))
        return {row.id: row for row in rows}

    def page(
        self, *, level: str | None = None, kind: str | None = None, limit: int, offset: int
    ) -> tuple[list[orm.Organization], int]:
        query = select(orm.Organization)
        if level is not None:
            query = query.where(orm.Organization.level == level)
        if kind is not None:
            query = query.where(orm.Organization.kind == kind)
        total = self.session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = self.session.scalars(
            query.order_by(orm.Organization.id).limit(limit).offset(offset)
        ).all()
        return list(rows), total
