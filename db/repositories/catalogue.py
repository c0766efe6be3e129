"""The catalogue: every pathway with an approved version, as its latest version shows it.

What a row shows (title, description, target group, agreement, review date) is the
latest approved version's, never the draft's: the version's own columns, written with
it from its document. Filters and paging run in SQL: one query for the total, one for
the page, one for its participants.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import ColumnElement

from db import models as orm
from db.repositories.pathways import PathwayRepository
from db.types import unicode_lower

__all__ = ["CatalogueFilter", "CatalogueRepository", "CatalogueRow"]

_INFO_FIELDS = ("title", "description", "target_group", "agreement_ref", "review_due")


@dataclass(frozen=True, slots=True)
class CatalogueRow:
    pathway_id: int
    title: str
    target_group: str
    agreement_ref: str
    review_due: date | None
    version: int
    approved_at: datetime


@dataclass(frozen=True, slots=True)
class CatalogueFilter:
    organization_id: int | None = None
    """Only pathways this organisation takes part in."""
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
            .where(newer.pathway_id == orm.Pathway.id)
            .correlate(orm.Pathway)
            .scalar_subquery()
        )
        fields: dict[str, ColumnElement[Any]] = {
            name: getattr(version, name) for name in _INFO_FIELDS
        }
        query = (
            select(
                orm.Pathway.id,
                fields["title"],
                fields["target_group"],
                fields["agreement_ref"],
                fields["review_due"],
                version.number,
                version.created_at,
            )
            .select_from(orm.Pathway)
            .join(
                version,
                and_(version.pathway_id == orm.Pathway.id, version.number == latest_number),
            )
        )
        if where.organization_id is not None:
            query = query.where(
                exists().where(
                    orm.Participant.pathway_id == orm.Pathway.id,
                    orm.Participant.organization_id == where.organization_id,
                )
            )
        if where.target_group is not None:
            query = query.where(unicode_lower(fields["target_group"]) == where.target_group.lower())
        if where.text:
            needle = where.text.lower()
            query = query.where(
                or_(
                    *(
                        unicode_lower(fields[name]).contains(needle, autoescape=True)
                        for name in ("title", "description", "target_group", "agreement_ref")
                    )
                )
            )
        if where.due_from is not None:
            query = query.where(fields["review_due"] >= where.due_from)
        if where.due_to is not None:
            query = query.where(fields["review_due"] <= where.due_to)
        # The total counts the filtered rows without computing their shown fields; the
        # page computes them for its rows alone (a window count would do it for all).
        counted = query.with_only_columns(orm.Pathway.id)
        total = self.session.scalar(select(func.count()).select_from(counted.subquery())) or 0
        # The page's ids first, then its fields for those rows alone (PostgreSQL would
        # otherwise compute them for every filtered row before sorting).
        page_ids = counted.order_by(orm.Pathway.id).limit(limit).offset(offset).scalar_subquery()
        found = self.session.execute(
            query.where(orm.Pathway.id.in_(page_ids)).order_by(orm.Pathway.id)
        ).all()
        rows = [
            CatalogueRow(
                pathway_id=pathway_id,
                title=title,
                target_group=target_group,
                agreement_ref=agreement_ref,
                review_due=review_due,
                version=number,
                approved_at=created_at,
            )
            for pathway_id, title, target_group, agreement_ref, review_due, number, created_at in (
                found
            )
        ]
        return rows, total

    def participants_of(
        self, pathway_ids: Iterable[int]
    ) -> dict[int, list[tuple[orm.Participant, orm.Organization]]]:
        return PathwayRepository(self.session).participants_of(pathway_ids)
