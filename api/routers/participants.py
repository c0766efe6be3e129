"""Participants and their roles: editors and the secretariat add organisations; an
organisation leaves by itself or the secretariat removes it."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from api.deps import ClientDep, IdPath, IfMatch, SessionDep
from api.problems import problem_responses
from api.routers.methods import ResourceRoute
from api.schemas.pathways import ParticipantPut, PathwayRead
from api.services import participants as service
from api.services.editing import etag

router = APIRouter(tags=["participants"], route_class=ResourceRoute)


@router.put(
    "/pathways/{pathway_id}/participants/{organization_id}",
    responses={
        201: {"model": PathwayRead, "description": "Added"},
        **problem_responses(401, 403, 404, 409, 412, 422, 428),
    },
)
def add_participant(
    pathway_id: IdPath,
    organization_id: IdPath,
    if_match: IfMatch,
    session: SessionDep,
    client: ClientDep,
    response: Response,
    body: ParticipantPut | None = None,
) -> PathwayRead:
    """Add an organisation (201), or confirm it takes part (200), in a role: by default
    editor for a care provider, commenter for any other. Naming another role for a
    participant changes its role (200): whoever may add participants makes a care
    provider an editor; any other change is the organisation's own or the secretariat's
    (others: 403); the last editor of a level stays one (409)."""
    view, added = service.add_participant(
        session,
        client=client,
        pathway_id=pathway_id,
        organization_id=organization_id,
        role=body.to_role() if body else None,
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
    """Leave the pathway, or (the secretariat) remove an organisation: any other
    participant gets 403. The last editor of a level cannot leave (409)."""
    revision = service.remove_participant(
        session,
        client=client,
        pathway_id=pathway_id,
        organization_id=organization_id,
        if_match=if_match,
    )
    response.headers["ETag"] = etag(revision)
