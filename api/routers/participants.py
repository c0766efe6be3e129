"""Participants: any participant adds or removes any organisation, of either level."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from api.deps import ClientDep, IdPath, IfMatch, SessionDep
from api.problems import problem_responses
from api.routers.methods import ResourceRoute
from api.schemas.pathways import PathwayRead
from api.services import participants as service
from api.services.editing import etag

router = APIRouter(tags=["participants"], route_class=ResourceRoute)


@router.put(
    "/pathways/{pathway_id}/participants/{organization_id}",
    responses={
        201: {"model": PathwayRead, "description": "Added"},
        **problem_responses(401, 403, 404, 412, 422, 428),
    },
)
def add_participant(
    pathway_id: IdPath,
    organization_id: IdPath,
    if_match: IfMatch,
    session: SessionDep,
    client: ClientDep,
    response: Response,
) -> PathwayRead:
    """Add an organisation (201), or confirm it already takes part (200, no change)."""
    view, added = service.add_participant(
        session,
        client=client,
        pathway_id=pathway_id,
        organization_id=organization_id,
        if_match=if_match,
    )
    response.status_code = status.HTTP_201_CREATED if added else status.HTTP_200_OK
    response.headers["ETag"] = etag(view.row.revision)
    return PathwayRead.of(view)


@router.delete(
    "/pathways/{pathway_id}/participants/{organization_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(401, 403, 404, 409, 412, 422, 428),
)
def remove_participant(
    pathway_id: IdPath,
    organization_id: IdPath,
    if_match: IfMatch,
    session: SessionDep,
    client: ClientDep,
    response: Response,
) -> None:
    """Leave the pathway: an organisation removes only itself (another gets 403), and not
    as the last participant of its level (409)."""
    revision = service.remove_participant(
        session,
        client=client,
        pathway_id=pathway_id,
        organization_id=organization_id,
        if_match=if_match,
    )
    response.headers["ETag"] = etag(revision)
