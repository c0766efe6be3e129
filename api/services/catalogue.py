"""The catalogue of approved pathways, and the public view of one approved pathway.

Approved versions are public agreement documents: every authenticated client, of any
organisation and with any scope, reads the catalogue and the public view. Both show the
latest approved version, never the draft: a title changed after approval stays out of
them until both levels approve it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.orm import Session

from db import models as orm
from db.repositories.catalogue import CatalogueFilter, CatalogueRepository, CatalogueRow
from db.repositories.versions import VersionRepository
from db.types import utcnow
from pathways.document import read_stored_document
from pathways.durations import DURATION_PATTERN, parse_duration
from pathways.model import Pathway

__all__ = [
    "REVIEW_PATTERN",
    "CatalogueEntry",
    "PublicPathway",
    "is_overdue",
    "is_review",
    "list_catalogue",
    "public_pathway",
    "review_window",
    "today",
]

REVIEW_PATTERN = rf"^(?:overdue|{DURATION_PATTERN.removeprefix('^').removesuffix('$')})$"
"""``overdue``, or an ISO 8601 duration (``P90D``): due within that long from today."""
_REVIEW = re.compile(REVIEW_PATTERN)


def today() -> date:
    """Today's date in UTC: what review dates are compared with."""
    return utcnow().date()


def is_review(value: str) -> bool:
    return _REVIEW.fullmatch(value) is not None


def _days(duration: str) -> int:
    """Whole days in ``duration`` (hours and less round down); a search window may be
    longer than a deadline may."""
    return parse_duration(duration, longest=None).days


def review_window(review: str | None, on: date) -> tuple[date | None, date | None]:
    """The review dates ``review`` selects, inclusive: ``overdue`` is before ``on``; a
    duration is from ``on`` up to ``on`` plus its whole days (not the overdue ones)."""
    if review is None:
        return None, None
    if review == "overdue":
        return None, on - timedelta(days=1)
    return on, on + timedelta(days=_days(review))


def is_overdue(review_due: date | None, on: date) -> bool:
    """Whether a review due on ``review_due`` is overdue ``on`` that day."""
    return review_due is not None and review_due < on


@dataclass(frozen=True, slots=True)
class CatalogueEntry:
    row: CatalogueRow
    participants: list[orm.VersionParticipant]
    """Who took part when the version was approved."""
    overdue: bool


def list_catalogue(
    session: Session,
    *,
    partnership_id: int | None = None,
    organization_id: int | None,
    target_group: str | None,
    text: str | None,
    review: str | None,
    limit: int,
    offset: int,
) -> tuple[list[CatalogueEntry], int]:
    """One page of approved pathways, as their latest versions show them."""
    on = today()
    due_from, due_to = review_window(review, on)
    repository = CatalogueRepository(session)
    rows, total = repository.page(
        CatalogueFilter(
            partnership_id=partnership_id,
            organization_id=organization_id,
            target_group=target_group,
            text=text,
            due_from=due_from,
            due_to=due_to,
        ),
        limit=limit,
        offset=offset,
    )
    participants = VersionRepository(session).participants_of(row.version_id for row in rows)
    return [
        CatalogueEntry(
            row=row,
            participants=participants[row.version_id],
            overdue=is_overdue(row.review_due, on),
        )
        for row in rows
    ], total


@dataclass(frozen=True, slots=True)
class PublicPathway:
    """What a non-participant sees of an approved pathway: its latest version."""

    pathway_id: int
    version: orm.Version
    pathway: Pathway
    """The version's document."""
    participants: list[orm.VersionParticipant]
    """Who took part when the version was approved."""
    overdue: bool
    partnership: orm.Partnership | None
    """The partnership the version was approved in."""


def public_pathway(session: Session, pathway_id: int) -> PublicPathway | None:
    """The public view of ``pathway_id``, or None if it has no approved version."""
    versions = VersionRepository(session)
    version = versions.latest(pathway_id)
    if version is None:
        return None
    return PublicPathway(
        pathway_id=pathway_id,
        version=version,
        pathway=read_stored_document(version.document),
        participants=versions.participants_of([version.id])[version.id],
        overdue=is_overdue(version.review_due, today()),
        partnership=session.get(orm.Partnership, version.partnership_id)
        if version.partnership_id is not None
        else None,
    )
