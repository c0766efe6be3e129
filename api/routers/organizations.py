"""Organisations and their tokens."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from api.deps import ClientDep, IdPath, LimitsDep, PageDep, SessionDep
from api.problems import problem_responses
from api.routers.query import DeclaredQueryRoute
from api.schemas.common import Page
from api.schemas.organizations import (
    OrganizationCreate,
    OrganizationRead,
    TokenCreate,
    TokenCreated,
    TokenRead,
)
from api.services import organizations as service
from pathways.model import Level
from pathways.roles import OrganizationKind

router = APIRouter(tags=["organizations"], route_class=DeclaredQueryRoute)


@router.post(
    "/organizations",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(401, 403, 409, 413, 422),
)
def create_organization(
    body: OrganizationCreate,
    session: SessionDep,
    client: ClientDep,
    limits: LimitsDep,
    response: Response,
) -> OrganizationRead:
    """Register an organisation (`operator` scope)."""
    row = service.create_organization(
        session,
        client=client,
        name=body.name,
        kind=body.kind,
        level=body.level,
        organization_number=body.organization_number,
        her_id=body.her_id,
        limits=limits,
    )
    response.headers["Location"] = f"/organizations/{row.id}"
    return OrganizationRead.of(row)


@router.get("/organizations", responses=problem_responses(401, 422))
def list_organizations(
    session: SessionDep,
    client: ClientDep,
    page: PageDep,
    level: Annotated[Level | None, Query(description="Only this care level")] = None,
    kind: Annotated[OrganizationKind | None, Query(description="Only this kind")] = None,
) -> Page[OrganizationRead]:
    """All organisations, so that participants can find each other."""
    rows, total = service.list_organizations(
        session, level=level, kind=kind, limit=page.limit, offset=page.offset
    )
    return Page(
        items=[OrganizationRead.of(r) for r in rows],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.get("/organizations/{organization_id}", responses=problem_responses(401, 404, 422))
def get_organization(
    organization_id: IdPath, session: SessionDep, client: ClientDep
) -> OrganizationRead:
    return OrganizationRead.of(service.get_organization(session, organization_id))


@router.post(
    "/organizations/{organization_id}/tokens",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(401, 403, 404, 413, 422),
)
def create_token(
    organization_id: IdPath,
    body: TokenCreate,
    session: SessionDep,
    client: ClientDep,
    limits: LimitsDep,
    response: Response,
) -> TokenCreated:
    """Issue a token for the organisation (its own `admin` tokens, or `operator`). The
    token is in this answer only. `operator` tokens are issued from the console only."""
    row, secret = service.create_token(
        session,
        client=client,
        organization_id=organization_id,
        name=body.name,
        scope=body.scope,
        limits=limits,
    )
    response.headers["Cache-Control"] = "no-store"
    return TokenCreated(**TokenRead.of(row).model_dump(), token=secret)


@router.get(
    "/organizations/{organization_id}/tokens", responses=problem_responses(401, 403, 404, 422)
)
def list_tokens(
    organization_id: IdPath, session: SessionDep, client: ClientDep, page: PageDep
) -> Page[TokenRead]:
    """The organisation's tokens, revoked ones too (its own `admin` tokens, or `operator`).
    Never the secrets: only their first characters (`prefix`)."""
    rows, total = service.list_tokens(
        session,
        client=client,
        organization_id=organization_id,
        limit=page.limit,
        offset=page.offset,
    )
    return Page(
        items=[TokenRead.of(r) for r in rows], total=total, limit=page.limit, offset=page.offset
    )


@router.delete(
    "/tokens/{token_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(401, 403, 404, 422),
)
def revoke_token(
    token_id: IdPath, session: SessionDep, client: ClientDep, request: Request
) -> None:
    """Revoke a token (its organisation's `admin` tokens, or `operator`; 404 for a token
    of another organisation). It stops working at once, except on the checklist
    routes of other worker processes, which trust their token cache for at most
    `PATHWAYS_TOKEN_CACHE_SECONDS` (default 5 s). Revoking twice is harmless."""
    row = service.revoke_token(session, client=client, token_id=token_id)
    request.app.state.handovers.tokens.forget(row.secret_hash)
