"""Pathways as a whole: create, import, list, read, describe, export, history."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response, status
from fastapi.responses import JSONResponse

from api.deps import (
    CONDITIONAL,
    ClientDep,
    IdPath,
    IfMatch,
    LanguageDep,
    LimitsDep,
    PageDep,
    ReaderDep,
    SessionDep,
)
from api.problems import language_headers, problem_responses
from api.routers.methods import ResourceRoute
from api.schemas.catalogue import PathwayPublicRead
from api.schemas.common import Page
from api.schemas.pathways import (
    HistoryEntryRead,
    PathwayBorrow,
    PathwayCreate,
    PathwayRead,
    PathwayUpdate,
)
from api.services import pathways as service
from api.services.borrowing import borrow_pathway
from api.services.catalogue import PublicPathway
from api.services.editing import etag
from pathways.document import PathwayDocument
from pathways.text import LINE_PATTERN

router = APIRouter(tags=["pathways"], route_class=ResourceRoute)

_CHANGE_PROBLEMS = problem_responses(401, 403, 404, 412, 413, 422, 428)


def _read(view: service.PathwayView, response: Response) -> PathwayRead:
    response.headers["ETag"] = view.etag
    return PathwayRead.of(view)


def _rendered(view: service.PathwayView) -> bytes:
    return PathwayRead.of(view).model_dump_json().encode()


@router.post(
    "/pathways",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(401, 403, 413, 422),
)
def create_pathway(
    body: PathwayCreate,
    session: SessionDep,
    client: ClientDep,
    limits: LimitsDep,
    response: Response,
) -> PathwayRead:
    """Create an empty pathway; the caller's organisation is its first participant."""
    view = service.create_pathway(
        session,
        client=client,
        info=body.to_model(),
        rules=body.rules.to_model(),
        partnership_id=body.partnership_id,
        limits=limits,
    )
    response.headers["Location"] = f"/pathways/{view.row.id}"
    return _read(view, response)


@router.post(
    "/pathways/import",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(401, 403, 413, 422),
)
def import_pathway(
    body: PathwayDocument,
    session: SessionDep,
    client: ClientDep,
    limits: LimitsDep,
    response: Response,
    partnership: Annotated[
        int | None,
        Query(
            ge=1,
            le=2_147_483_647,
            description="The partnership to put it in (the caller's organisation is a member)",
        ),
    ] = None,
) -> PathwayRead:
    """Create a pathway from a native document; the caller's organisation takes part."""
    view = service.import_pathway(
        session, client=client, pathway=body.to_model(), partnership_id=partnership, limits=limits
    )
    response.headers["Location"] = f"/pathways/{view.row.id}"
    return _read(view, response)


@router.post(
    "/pathways/{pathway_id}/borrow",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(401, 403, 404, 413, 422),
)
def borrow(
    pathway_id: IdPath,
    session: SessionDep,
    client: ClientDep,
    limits: LimitsDep,
    response: Response,
    body: PathwayBorrow | None = None,
) -> PathwayRead:
    """Borrow an approved pathway, from any partnership, as the start of a new draft of
    the caller's organisation (in its partnership, if named). The new pathway keeps its
    `origin` (pathway, version, title, partnership), which its history and exports show."""
    body = body or PathwayBorrow()
    view = borrow_pathway(
        session,
        client=client,
        pathway_id=pathway_id,
        version=body.version,
        title=body.title,
        partnership_id=body.partnership_id,
        limits=limits,
    )
    response.headers["Location"] = f"/pathways/{view.row.id}"
    return _read(view, response)


@router.get("/pathways", responses=problem_responses(401, 422))
def list_pathways(
    session: SessionDep,
    client: ClientDep,
    page: PageDep,
    participant: Annotated[
        int | None,
        Query(ge=1, le=2_147_483_647, description="Only pathways this organisation is in"),
    ] = None,
    q: Annotated[
        str | None,
        Query(
            max_length=200,
            pattern=LINE_PATTERN,
            description="Text in title, description, target group, agreement, ignoring case",
        ),
    ] = None,
    status: Annotated[
        Literal["draft", "approved", "changed"] | None,
        Query(
            description="draft: never approved; approved: at its latest approved version; "
            "changed: changed since its latest approved version"
        ),
    ] = None,
    partnership: Annotated[
        int | None,
        Query(ge=1, le=2_147_483_647, description="Only pathways of this partnership"),
    ] = None,
) -> Page[PathwayRead]:
    """The pathways the caller's organisation takes part in, or whose partnership it is
    the secretariat of (every approved one, of any organisation: `GET /catalogue`)."""
    views, total = service.list_pathways(
        session,
        client=client,
        participant_id=participant,
        text=q,
        status=status,
        partnership_id=partnership,
        limit=page.limit,
        offset=page.offset,
    )
    return Page(
        items=[PathwayRead.of(v) for v in views],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.get(
    "/pathways/{pathway_id}",
    response_model=PathwayRead | PathwayPublicRead,
    responses={304: {"description": "Not modified"}, **problem_responses(401, 404, 422)},
    dependencies=[CONDITIONAL],
)
async def get_pathway(
    pathway_id: IdPath, reader: ReaderDep, request: Request
) -> Response | PathwayPublicRead:
    """The pathway and its draft, with its ETag (`If-None-Match` → 304), for
    participants. Anyone else gets the public view of its latest approved version
    (`"view": "public"`, no ETag, nothing of the draft), or 404 if it has never been
    approved."""
    found = await reader.run(
        service.get_pathway,
        pathway_id=pathway_id,
        cache=request.app.state.handovers.versions,
        render=_rendered,
    )
    if isinstance(found, PublicPathway):
        return PathwayPublicRead.of(found)
    return found.respond(request)


@router.patch("/pathways/{pathway_id}", responses=_CHANGE_PROBLEMS)
def update_pathway(
    pathway_id: IdPath,
    body: PathwayUpdate,
    if_match: IfMatch,
    session: SessionDep,
    client: ClientDep,
    limits: LimitsDep,
    response: Response,
) -> PathwayRead:
    """Change the title, description, target group, agreement reference, review date,
    rules or partnership (an editor; a partnership the caller's organisation is a member
    of)."""
    view = service.update_pathway(
        session,
        client=client,
        pathway_id=pathway_id,
        if_match=if_match,
        changes=body.changes(),
        limits=limits,
    )
    return _read(view, response)


@router.get(
    "/pathways/{pathway_id}/document",
    response_class=JSONResponse,
    responses={
        200: {
            "model": PathwayDocument,
            "description": "The native document (hjem-til-hjem/pathway, version 1)",
        },
        **problem_responses(401, 404, 422),
    },
)
def export_document(pathway_id: IdPath, session: SessionDep, client: ClientDep) -> Response:
    """The draft as a native document, ready to import elsewhere."""
    content, revision = service.export_document(session, client=client, pathway_id=pathway_id)
    return Response(
        content,
        media_type="application/json",
        headers={
            "ETag": etag(revision),
            "Content-Disposition": f'attachment; filename="pathway-{pathway_id}.json"',
        },
    )


@router.get("/pathways/{pathway_id}/history", responses=problem_responses(401, 404, 422))
def list_history(
    pathway_id: IdPath,
    session: SessionDep,
    client: ClientDep,
    page: PageDep,
    language: LanguageDep,
    response: Response,
) -> Page[HistoryEntryRead]:
    """Every change, oldest first, with the organisation, level and token that made it.

    Each summary is in Norwegian bokmål with `Accept-Language: nb` (or `nn`, `no`), else
    in English."""
    rows, total = service.list_history(
        session, client=client, pathway_id=pathway_id, limit=page.limit, offset=page.offset
    )
    said = "en" if language == "en" else "nb"
    response.headers.update(language_headers(said))
    return Page(
        items=[HistoryEntryRead.of(r, said) for r in rows],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )
