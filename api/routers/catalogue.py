"""The catalogue: every approved pathway, for every authenticated client."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import AfterValidator

from api.deps import ClientDep, PageDep, SessionDep
from api.problems import problem_responses
from api.routers.methods import ResourceRoute
from api.schemas.catalogue import CatalogueEntryRead
from api.schemas.common import Page
from api.services import catalogue as service
from pathways.errors import Bilingual, InvalidValue
from pathways.text import LINE_PATTERN

router = APIRouter(tags=["catalogue"], route_class=ResourceRoute)


def _review(value: str | None) -> str | None:
    if value is not None and not service.is_review(value):
        raise InvalidValue(
            Bilingual(
                "must be 'overdue' or an ISO 8601 duration in weeks, days, hours, minutes and "
                "seconds (e.g. P90D: due within 90 days from today)",
                "må være «overdue» (forfalt) eller en varighet i uker, dager, timer, minutter "
                "og sekunder, for eksempel 90 dager: forfaller innen 90 dager fra i dag",
            )
        )
    return value


@router.get("/catalogue", responses=problem_responses(401, 422))
def list_catalogue(
    session: SessionDep,
    client: ClientDep,
    page: PageDep,
    partnership: Annotated[
        int | None,
        Query(ge=1, le=2_147_483_647, description="Only pathways approved in this partnership"),
    ] = None,
    organization: Annotated[
        int | None,
        Query(ge=1, le=2_147_483_647, description="Only pathways this organisation takes part in"),
    ] = None,
    target_group: Annotated[
        str | None,
        Query(
            max_length=300,
            pattern=LINE_PATTERN,
            description="Only this target group: the whole text, ignoring case (for words "
            "in it, use q)",
        ),
    ] = None,
    q: Annotated[
        str | None,
        Query(
            max_length=200,
            pattern=LINE_PATTERN,
            description="Text in the title, description, target group or agreement, ignoring case",
        ),
    ] = None,
    review: Annotated[
        str | None,
        AfterValidator(_review),
        Query(
            max_length=60,
            description="'overdue': review_due before today (UTC); or an ISO 8601 duration "
            "such as P90D: review_due from today up to today plus its whole days, inclusive",
            json_schema_extra={"pattern": service.REVIEW_PATTERN},
        ),
    ] = None,
) -> Page[CatalogueEntryRead]:
    """Every pathway with an approved version, as its latest approved version shows it
    (never the draft), by id. Approved versions are public agreement documents: any
    token of any organisation reads the catalogue. Filters combine (all must hold)."""
    entries, total = service.list_catalogue(
        session,
        partnership_id=partnership,
        organization_id=organization,
        target_group=target_group,
        text=q,
        review=review,
        limit=page.limit,
        offset=page.offset,
    )
    return Page(
        items=[CatalogueEntryRead.of(entry) for entry in entries],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )
