"""Local variants of a shared pathway: make one, read what it does differently and what
changed upstream, move it onto a newer version."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from api.deps import ClientDep, IdPath, IfMatch, LanguageDep, LimitsDep, SessionDep
from api.problems import problem_responses
from api.routers.methods import ResourceRoute
from api.schemas.pathways import PathwayRead
from api.schemas.variants import VariantCreate, VariantRead, VariantRebase
from api.services import variants as service

router = APIRouter(tags=["variants"], route_class=ResourceRoute)


@router.post(
    "/pathways/{pathway_id}/variants",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(401, 403, 404, 409, 413, 422),
)
def create_variant(
    pathway_id: IdPath,
    session: SessionDep,
    client: ClientDep,
    limits: LimitsDep,
    response: Response,
    body: VariantCreate | None = None,
) -> PathwayRead:
    """Make a local variant of a shared pathway for one or more of its municipalities
    (the caller's among them), pinned to an approved version: a pathway of its own whose
    draft starts as that version, in the same partnership. The hospital level's editors,
    the secretariat and the commenters of the shared pathway take part in it too. A
    variant of a variant is refused (422): make it of the shared pathway."""
    body = body or VariantCreate()
    view = service.create_variant(
        session,
        client=client,
        pathway_id=pathway_id,
        organization_ids=body.organizations,
        title=body.title,
        version=body.version,
        limits=limits,
    )
    response.headers["Location"] = f"/pathways/{view.row.id}"
    response.headers["ETag"] = view.etag
    return PathwayRead.of(view)


@router.get("/pathways/{pathway_id}/variants", responses=problem_responses(401, 404, 422))
def list_variants(pathway_id: IdPath, session: SessionDep, client: ClientDep) -> list[PathwayRead]:
    """The local variants of a shared pathway that the caller's organisation takes part in."""
    return [
        PathwayRead.of(view)
        for view in service.list_variants(session, client=client, pathway_id=pathway_id)
    ]


@router.get("/pathways/{pathway_id}/variant", responses=problem_responses(401, 404, 422))
def get_variant(
    pathway_id: IdPath, session: SessionDep, client: ClientDep, language: LanguageDep
) -> VariantRead:
    """What a local variant does differently from the version it is pinned to, and,
    when its shared pathway has a newer approved version, what changed there and what
    moving onto it would do with each difference (`conflicts`: 0 means it can move)."""
    found = service.variant_status(session, client=client, pathway_id=pathway_id)
    return VariantRead.of(found, language)


@router.post(
    "/pathways/{pathway_id}/variant/rebase",
    responses=problem_responses(401, 403, 404, 409, 412, 413, 422, 428),
)
def rebase_variant(
    pathway_id: IdPath,
    if_match: IfMatch,
    session: SessionDep,
    client: ClientDep,
    limits: LimitsDep,
    language: LanguageDep,
    response: Response,
    body: VariantRebase | None = None,
) -> VariantRead:
    """Move the variant onto a newer approved version of its shared pathway (default:
    the latest), its differences carried over, as one change (a new revision). If any
    difference conflicts, nothing moves: 409 with the `conflicts` listed."""
    found = service.rebase_variant(
        session,
        client=client,
        pathway_id=pathway_id,
        if_match=if_match,
        version=(body or VariantRebase()).version,
        limits=limits,
        language=language,
    )
    response.headers["ETag"] = found.view.etag
    return VariantRead.of(found, language)
