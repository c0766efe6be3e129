"""Liveness with a database check, and who the caller is."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import text

from api.deps import ClientDep, SessionDep
from api.problems import problem_responses
from api.routers.methods import ResourceRoute
from api.schemas.organizations import MeRead, OrganizationRead
from api.services.organizations import get_organization

router = APIRouter(tags=["service"], route_class=ResourceRoute)


class Health(BaseModel):
    status: str
    database: str


@router.get("/health", responses=problem_responses(503))
def health(session: SessionDep) -> Health:
    """The service is up and its database answers."""
    session.execute(text("SELECT 1"))
    return Health(status="ok", database="ok")


@router.get("/me", responses=problem_responses(401))
def me(session: SessionDep, client: ClientDep) -> MeRead:
    """The organisation, its level (or its kind, without one) and the token's scope."""
    organization = get_organization(session, client.organization_id)
    return MeRead(
        organization=OrganizationRead.of(organization),
        level=client.level,
        kind=client.kind,
        scope=client.scope,
        token_name=client.token_name,
    )
