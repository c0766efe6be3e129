"""The catalogue: every pathway with an approved version, as its latest version shows it.

What a row shows (title, description, target group, agreement, review date, who took
part) is the latest approved version's, never the draft's: the version's own columns and
participants, written with it. Filters and paging run in SQL: one query for the total,
one for the page, one for its participants.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session, aliased

from db import models as orm

__all__ = ["CatalogueFilter", "CatalogueRepository", "CatalogueRow"]


@dataclass(frozen=True, slots=True)
class CatalogueRow:
    pathway_id: int
    version_id: int
    title: str
    target_group: str
    agreement_ref: str
    review_due: date | None
    version: int
    approved_at: datetime
    partnership_id: int | None
    partnership_name: str | None


@dataclass(frozen=True, slots=True)
class CatalogueFilter:
    partnership_id: int | None = None
    """Only pathways approved in this partnership."""
    organization_id: int | None = None
    """Only pathways this organisation took part in when the version was approved."""
    target_group: str | None = None
    """The whole target group, ignoring case."""
    text: str | None = None
    """Text in the title, description, target group or agreement, ignoring case."""
    due_from: date | None = None
    """Review due on or after this date (inclusive)."""
    due_to: date | None = None
    """Review due on or before this date (inclusive)."""


class CatalogueRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def page(
        self, where: CatalogueFilter, *, limit: int, offset: int
    ) -> tuple[list[CatalogueRow], int]:
        """One page of the catalogue, by pathway id, and how many rows match in all."""
        version = aliased(orm.Version, name="approved")
        newer = aliased(orm.Version, name="newer")
        latest_number = (
            select(func.max(newer.number))
            .where(newer.pathway_id == version.pathway_id)
            .correlate(version)
            .scalar_subquery()
        )
        query = select(
            version.pathway_id,
            version.id,
            version.title,
            version.target_group,
            version.agreement_ref,
            version.review_due,
            version.number,
            version.created_at,
            version.partnership_id,
            orm.Partnership.name,
        )
        query = query.outerjoin(
            orm.Partnership, orm.Partnership.id == version.partnership_id
        ).where(version.number == latest_number)
        if where.partnership_id is not None:
            query = query.where(version.partnership_id == where.partnership_id)
        if where.organization_id is not None:
            query = query.where(
                exists().where(
                    orm.VersionParticipant.version_id == version.id,
                    orm.VersionParticipant.organization_id == where.organization_id,
                )
            )
        if where.target_group is not None:
            query = query.where(version.target_group_key == where.target_group.casefold())
        if where.text:
            query = query.where(
                version.search_text.contains(where.text.casefold(), autoescape=True)
            )
        if where.due_from is not None:
            query = query.where(version.review_due >= where.due_from)
        if where.due_to is not None:
            query = query.where(version.review_due <= where.due_to)
        counted = query.with_only_columns(version.pathway_id)
        total = self.session.scalar(select(func.count()).select_from(counted.subquery())) or 0
        found = self.session.execute(
            query.order_by(version.pathway_id).limit(limit).offset(offset)
        ).all()
        return [CatalogueRow(*tuple(row)) for row in found], total
