"""Gap reports, approvals, approved versions and diffs."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from api.conditional import IMMUTABLE, tagged
from api.deps import (
    CONDITIONAL,
    ClientDep,
    IdPath,
    IfMatch,
    LanguageDep,
    PageDep,
    ReaderDep,
    SessionDep,
    SettingsDep,
    VersionSelector,
)
from api.problems import problem_responses
from api.routers.methods import ResourceRoute
from api.schemas.common import Page
from api.schemas.partnerships import DecisionCreate
from api.schemas.reviews import (
    ApprovalResult,
    DecisionResult,
    DiffRead,
    GapReportRead,
    VersionRead,
    VersionSummary,
)
from api.services import approvals, exports, gaps, versions
from db import models as orm
from pathways.export import FORMATS

router = APIRouter(tags=["reviews"], route_class=ResourceRoute)


@router.get(
    "/pathways/{pathway_id}/gaps",
    response_model=GapReportRead,
    responses={304: {"description": "Not modified"}, **problem_responses(401, 404, 422)},
    dependencies=[CONDITIONAL],
)
async def get_gaps(
    pathway_id: IdPath,
    version: VersionSelector,
    reader: ReaderDep,
    language: LanguageDep,
    request: Request,
) -> Response:
    """Gaps in the draft (participants) or an approved version (everyone), worst first,
    with an ETag (`If-None-Match` → 304).

    Messages are in Norwegian bokmål with `Accept-Language: nb`, else in English.
    """
    answer = await reader.run(
        gaps.gap_answer,
        pathway_id=pathway_id,
        version=version,
        language=language,
        cache=request.app.state.handovers.versions,
        render=lambda report: GapReportRead.of(report, language).model_dump_json().encode(),
    )
    return answer.respond(request)


def _answered(
    request: Request,
    response: Response,
    pathway_id: int,
    *,
    created: bool,
    version: orm.Version | None,
) -> None:
    """201 for a new approval or decision, 200 for one already recorded; with the
    version it completed, its Location, and the checklist routes forget the old latest."""
    response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    if version is not None:
        request.app.state.handovers.versions.forget_latest(pathway_id)
        response.headers["Location"] = f"/pathways/{pathway_id}/versions/{version.number}"


@router.post(
    "/pathways/{pathway_id}/approvals",
    status_code=status.HTTP_201_CREATED,
    responses={
        200: {"model": ApprovalResult, "description": "Already approved by this organisation"},
        **problem_responses(401, 403, 404, 409, 412, 422, 428),
    },
)
def approve(
    pathway_id: IdPath,
    if_match: IfMatch,
    session: SessionDep,
    client: ClientDep,
    language: LanguageDep,
    request: Request,
    response: Response,
) -> ApprovalResult:
    """Approve the revision named by `If-Match` for the caller's organisation, which
    must be an editor of the pathway (commenters and the secretariat get 403).

    When the approval policy of the pathway's partnership is met for the same revision
    (`one_per_level` outside a partnership: an editor of each level) and it has no
    error-level gaps, it becomes the next approved version. Error gaps give 409 with
    the findings; any later change voids the approvals of this revision.
    """
    outcome = approvals.approve(
        session, client=client, pathway_id=pathway_id, if_match=if_match, language=language
    )
    _answered(request, response, pathway_id, created=outcome.created, version=outcome.version)
    return ApprovalResult.of(outcome)


@router.post(
    "/pathways/{pathway_id}/decisions",
    status_code=status.HTTP_201_CREATED,
    responses={
        200: {"model": DecisionResult, "description": "Already recorded, the same decision"},
        **problem_responses(401, 403, 404, 409, 412, 422, 428),
    },
)
def record_decision(
    pathway_id: IdPath,
    body: DecisionCreate,
    if_match: IfMatch,
    session: SessionDep,
    client: ClientDep,
    language: LanguageDep,
    request: Request,
    response: Response,
) -> DecisionResult:
    """Record the deciding body's decision on the revision named by `If-Match` (the
    pathway's secretariat, under the `decision` policy; 409 under another policy, or
    when the revision has error-level gaps or another decision).

    With an editor of each level's approval of the same revision, it makes the version.
    """
    outcome = approvals.record_decision(
        session,
        client=client,
        pathway_id=pathway_id,
        if_match=if_match,
        body=body.body,
        decided_on=body.decided_on,
        reference=body.reference,
        language=language,
    )
    _answered(request, response, pathway_id, created=outcome.created, version=outcome.version)
    return DecisionResult.of(outcome)


@router.get("/pathways/{pathway_id}/versions", responses=problem_responses(401, 404, 422))
def list_versions(
    pathway_id: IdPath, session: SessionDep, client: ClientDep, page: PageDep
) -> Page[VersionSummary]:
    """Approved versions, newest first; readable by every authenticated client."""
    rows, total = versions.list_versions(
        session, client=client, pathway_id=pathway_id, limit=page.limit, offset=page.offset
    )
    return Page(
        items=[VersionSummary.of(r) for r in rows],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.get(
    "/pathways/{pathway_id}/versions/{number}",
    response_model=VersionRead,
    responses={304: {"description": "Not modified"}, **problem_responses(401, 404, 422)},
    dependencies=[CONDITIONAL],
)
async def get_version(
    pathway_id: IdPath, number: IdPath, reader: ReaderDep, request: Request
) -> Response:
    """An approved version: immutable, with a strong ETag (`If-None-Match` → 304): its
    number and a digest of this representation, which a new field would change."""
    answer = await reader.run(
        versions.version_answer,
        pathway_id=pathway_id,
        number=number,
        cache=request.app.state.handovers.versions,
        render=lambda row: VersionRead.of(row).model_dump_json(by_alias=True).encode(),
    )
    return answer.respond(request)


@router.get(
    "/pathways/{pathway_id}/export",
    response_class=Response,
    responses={
        200: {
            "description": "The export, as a download (Content-Disposition: attachment)",
            "content": {form.media_type: {} for form in FORMATS.values()},
        },
        304: {"description": "Not modified"},
        **problem_responses(400, 401, 404, 422),
    },
    dependencies=[CONDITIONAL],
)
def export(
    pathway_id: IdPath,
    session: SessionDep,
    client: ClientDep,
    language: LanguageDep,
    request: Request,
    settings: SettingsDep,
    format: Annotated[
        str,
        # The registry's names, documented as an enum; an unknown one gets 400 with the
        # list (api.services.exports).
        Query(
            max_length=40,
            description="One of: " + ", ".join(FORMATS),
            json_schema_extra={"enum": list(FORMATS)},
        ),
    ] = "json",
    version: Annotated[
        str | None,
        Query(
            pattern=r"^(draft|[1-9][0-9]{0,8})$",
            description="An approved version, or 'draft' (participants); default: the latest",
        ),
    ] = None,
) -> Response:
    """The pathway for secretariats and other tools: json (native), node-link, graphml,
    dot, mermaid, bpmn, fhir, svg, html or pdf. Gap findings are marked in pictures and
    listed in the document, in the language of `Accept-Language`."""
    result = exports.export_pathway(
        session,
        client=client,
        pathway_id=pathway_id,
        format_name=format,
        version=None if version in (None, "draft") else int(version),
        draft=version == "draft",
        language=language,
        fhir_base_url=settings.fhir_base_url,
    )
    return tagged(
        result.content,
        etag=result.etag,
        request=request,
        media_type=result.format.media_type,
        cache_control=IMMUTABLE if result.immutable else "private, no-cache",
        headers={
            "Content-Disposition": f'attachment; filename="{result.filename}"',
            "Vary": "Accept-Language",
        },
    )


_SIDE = r"^(draft|[1-9][0-9]{0,8})$"
FromSide = Annotated[
    str, Query(alias="from", pattern=_SIDE, description="A version number, or 'draft'")
]
ToSide = Annotated[
    str, Query(pattern=_SIDE, description="A version number, or 'draft' (the default)")
]
Against = Annotated[
    int | None,
    Query(
        ge=1,
        le=2_147_483_647,
        description="Another pathway whose state `to` is (e.g. another municipality's "
        "variant); default: this one",
    ),
]


def _side(value: str) -> int | None:
    return None if value == "draft" else int(value)


@router.get("/pathways/{pathway_id}/diff", responses=problem_responses(401, 404, 422))
def get_diff(
    pathway_id: IdPath,
    session: SessionDep,
    client: ClientDep,
    from_: FromSide,
    to: ToSide = "draft",
    against: Against = None,
) -> DiffRead:
    """What changed between two versions, or from a version to the draft; with
    `against`, from this pathway's `from` to the other pathway's `to` (two local
    variants side by side, or a variant and its shared pathway)."""
    result = versions.diff(
        session,
        client=client,
        pathway_id=pathway_id,
        from_version=_side(from_),
        to_version=_side(to),
        against=against,
    )
    return DiffRead.of(result)


@router.get(
    "/pathways/{pathway_id}/diff/picture",
    response_class=Response,
    responses={
        200: {
            "content": {"image/svg+xml": {"schema": {"type": "string"}}},
            "description": "The `to` side drawn as the exports draw it, with what the `from` "
            "side had put back; steps and transitions marked added, changed or removed",
        },
        **problem_responses(401, 404, 422),
    },
)
def get_diff_picture(
    pathway_id: IdPath,
    session: SessionDep,
    client: ClientDep,
    language: LanguageDep,
    from_: FromSide,
    to: ToSide = "draft",
    against: Against = None,
) -> Response:
    """The same difference as `GET /pathways/{id}/diff`, as a picture (SVG) in the
    language of `Accept-Language`."""
    content = versions.diff_picture(
        session,
        client=client,
        pathway_id=pathway_id,
        from_version=_side(from_),
        to_version=_side(to),
        against=against,
        language=language,
    )
    return Response(content, media_type="image/svg+xml")
