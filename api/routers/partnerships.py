"""Partnerships (helsefellesskap): their agreement, members and the overview."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from api.deps import ClientDep, IdPath, IfMatch, LimitsDep, PageDep, SessionDep
from api.problems import problem_responses
from api.routers.methods import ResourceRoute
from api.schemas.common import Page
from api.schemas.partnerships import (
    OverviewRead,
    PartnershipCreate,
    PartnershipRead,
    PartnershipUpdate,
)
from api.services import partnerships as service
from api.services.editing import etag

router = APIRouter(tags=["partnerships"], route_class=ResourceRoute)


def _read(view: service.PartnershipView, response: Response) -> PartnershipRead:
    response.headers["ETag"] = etag(view.row.revision)
    return PartnershipRead.of(view)


@router.post(
    "/partnerships",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(401, 403, 409, 413, 422),
)
def create_partnership(
    body: PartnershipCreate, session: SessionDep, client: ClientDep, response: Response
) -> PartnershipRead:
    """Create a partnership: its secretariat (an `edit` token of an organisation of kind
    `secretariat`, which becomes its first member) or the operator."""
    view = service.create_partnership(
        session,
        client=client,
        name=body.name,
        rules=body.rules.to_model(),
        approval_policy=body.approval_policy,
        decision_body=body.decision_body,
        hearing_required=body.hearing_required,
    )
    response.headers["Location"] = f"/partnerships/{view.row.id}"
    return _read(view, response)


@router.get("/partnerships", responses=problem_responses(401, 422))
def list_partnerships(
    session: SessionDep,
    client: ClientDep,
    page: PageDep,
    member: Annotated[
        int | None,
        Query(ge=1, le=2_147_483_647, description="Only partnerships with this member"),
    ] = None,
) -> Page[PartnershipRead]:
    """Every partnership, with its members and agreement (public to every client)."""
    views, total = service.list_partnerships(
        session, member_id=member, limit=page.limit, offset=page.offset
    )
    return Page(
        items=[PartnershipRead.of(v) for v in views],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.get("/partnerships/{partnership_id}", responses=problem_responses(401, 404, 422))
def get_partnership(
    partnership_id: IdPath, session: SessionDep, client: ClientDep, response: Response
) -> PartnershipRead:
    return _read(service.get_partnership(session, partnership_id), response)


@router.patch(
    "/partnerships/{partnership_id}",
    responses=problem_responses(401, 403, 404, 409, 412, 413, 422, 428),
)
def update_partnership(
    partnership_id: IdPath,
    body: PartnershipUpdate,
    if_match: IfMatch,
    session: SessionDep,
    client: ClientDep,
    response: Response,
) -> PartnershipRead:
    """Change the name, the agreement's rules, the approval policy or the deciding body
    (the secretariat, or the operator). Each pathway of the partnership gets a new
    revision recording the change, which voids approvals of its revision before."""
    view = service.update_partnership(
        session,
        client=client,
        partnership_id=partnership_id,
        if_match=if_match,
        changes=body.changes(),
    )
    return _read(view, response)


@router.put(
    "/partnerships/{partnership_id}/members/{organization_id}",
    responses={
        201: {"model": PartnershipRead, "description": "Added"},
        **problem_responses(401, 403, 404, 412, 422, 428),
    },
)
def add_member(
    partnership_id: IdPath,
    organization_id: IdPath,
    if_match: IfMatch,
    session: SessionDep,
    client: ClientDep,
    limits: LimitsDep,
    response: Response,
) -> PartnershipRead:
    """Add a member (201), or confirm it is one (200): the secretariat, or the operator.
    A partnership has at most `PATHWAYS_MAX_PARTNERSHIP_MEMBERS` members (default 100;
    422 beyond)."""
    view, added = service.add_member(
        session,
        client=client,
        partnership_id=partnership_id,
        organization_id=organization_id,
        if_match=if_match,
        limits=limits,
    )
    response.status_code = status.HTTP_201_CREATED if added else status.HTTP_200_OK
    return _read(view, response)


@router.delete(
    "/partnerships/{partnership_id}/members/{organization_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(401, 403, 404, 412, 422, 428),
)
def remove_member(
    partnership_id: IdPath,
    organization_id: IdPath,
    if_match: IfMatch,
    session: SessionDep,
    client: ClientDep,
    response: Response,
) -> None:
    """Leave the partnership, or (the secretariat, the operator) remove a member; any
    other member gets 403. It keeps taking part in the pathways it takes part in."""
    revision = service.remove_member(
        session,
        client=client,
        partnership_id=partnership_id,
        organization_id=organization_id,
        if_match=if_match,
    )
    response.headers["ETag"] = etag(revision)


@router.get(
    "/partnerships/{partnership_id}/overview", responses=problem_responses(401, 403, 404, 422)
)
def get_overview(
    partnership_id: IdPath, session: SessionDep, client: ClientDep, page: PageDep
) -> OverviewRead:
    """For members (the secretariat first of all): the partnership's pathways by status,
    overdue reviews, approvals pending per organisation, and which organisation adopted
    which version; then one page of its pathways."""
    result = service.overview(
        session,
        client=client,
        partnership_id=partnership_id,
        limit=page.limit,
        offset=page.offset,
    )
    return OverviewRead.of(result, limit=page.limit, offset=page.offset)
