"""Conformance: import a handover log against an approved version; its figures as JSON
and CSV, its payment days, and the pathway's picture coloured by share on time."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request, Response

from api.deps import ClientDep, IdPath, LanguageDep, SessionDep, SettingsDep, SpooledBody
from api.problems import problem_responses
from api.routers.methods import ResourceRoute
from api.schemas.conformance import (
    ConformanceFigures,
    EpisodeRead,
    ImportReportRead,
    PaymentsRead,
)
from api.services import conformance as service

router = APIRouter(tags=["conformance"], route_class=ResourceRoute)

Version = Annotated[
    int | None,
    Query(ge=1, le=999_999_999, description="An approved version; default: the latest"),
]
By = Annotated[
    Literal["transition", "item", "organization", "month"],
    Query(
        description="Group the figures by handover (transition), by required message or "
        "checklist item of each handover (item), by the organisation that had to act, or by "
        "month (YYYY-MM in Norway)"
    ),
]

_LOG = {"schema": {"type": "string"}}


@router.post(
    "/pathways/{pathway_id}/conformance/events",
    responses=problem_responses(401, 403, 404, 413, 415, 422),
    openapi_extra={
        "requestBody": {
            "required": True,
            "description": "A handover log: CSV with a header row (episode, type, code, "
            "time, sender, receiver, and optionally answer), JSON lines with those fields, "
            "or XES (IEEE 1849). Streamed; at most PATHWAYS_CONFORMANCE_MAX_BODY_BYTES",
            "content": dict.fromkeys(service.MEDIA_TYPES, _LOG),
        }
    },
)
def import_events(
    body: SpooledBody,
    pathway_id: IdPath,
    request: Request,
    session: SessionDep,
    client: ClientDep,
    language: LanguageDep,
    version: Version = None,
) -> ImportReportRead:
    """Import handover events of pseudonymous episodes against an approved version
    (editors and the partnership's secretariat); the Content-Type names the format.
    Importing the same file again changes nothing. A national identity number in any id
    refuses the whole file (422, with its row); other rows that cannot be read are
    refused one by one, with their numbers and reasons."""
    report = service.import_events(
        session,
        client=client,
        pathway_id=pathway_id,
        version=version,
        content_type=request.headers.get("content-type"),
        body=body,
    )
    return ImportReportRead.of(report, language)


@router.get("/pathways/{pathway_id}/conformance", responses=problem_responses(401, 404, 422))
def get_figures(
    pathway_id: IdPath,
    session: SessionDep,
    client: ClientDep,
    language: LanguageDep,
    version: Version = None,
    by: By = "transition",
) -> ConformanceFigures:
    """How the handovers went against the version (participants and the secretariat):
    per group, the required messages and items, how many came, in time, late and missing,
    the median and 90th percentile delay; and each handover's share on time (what the
    picture colours)."""
    found = service.figures(
        session, client=client, pathway_id=pathway_id, version=version, by=by, language=language
    )
    return ConformanceFigures.of(found)


@router.get(
    "/pathways/{pathway_id}/conformance/csv",
    response_class=Response,
    responses={
        200: {
            "content": {"text/csv": {"schema": {"type": "string"}}},
            "description": "The figures as CSV (a download)",
        },
        **problem_responses(401, 404, 422),
    },
)
def get_figures_csv(
    pathway_id: IdPath,
    session: SessionDep,
    client: ClientDep,
    language: LanguageDep,
    version: Version = None,
    by: By = "transition",
) -> Response:
    """The figures of `GET /pathways/{id}/conformance` as CSV: transition, kind, code,
    organization, month, label, expected, came, on_time, late, missing, share_on_time,
    median_delay_seconds, p90_delay_seconds, episodes, left_pathway."""
    content, filename = service.figures_csv(
        session, client=client, pathway_id=pathway_id, version=version, by=by, language=language
    )
    return Response(
        content,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get(
    "/pathways/{pathway_id}/conformance/payments", responses=problem_responses(401, 404, 422)
)
def get_payments(
    pathway_id: IdPath,
    session: SessionDep,
    client: ClientDep,
    language: LanguageDep,
    settings: SettingsDep,
    version: Version = None,
) -> PaymentsRead:
    """Days the municipalities pay for patients ready for discharge, per municipality
    and year, and their cost at each year's daily rate (`PATHWAYS_PAYMENT_DAILY_RATES`)."""
    found = service.payments(
        session,
        client=client,
        pathway_id=pathway_id,
        version=version,
        rates=settings.payment_daily_rates,
    )
    return PaymentsRead.of(found, language)


@router.get(
    "/pathways/{pathway_id}/conformance/picture",
    response_class=Response,
    responses={
        200: {
            "content": {"image/svg+xml": {"schema": {"type": "string"}}},
            "description": "The version's swimlane picture, each handover green, amber or red "
            "by its share on time (data-on-time on its group)",
        },
        **problem_responses(401, 404, 422),
    },
)
def get_picture(
    pathway_id: IdPath,
    session: SessionDep,
    client: ClientDep,
    language: LanguageDep,
    version: Version = None,
) -> Response:
    """The pathway as the `svg` export draws it, each measured handover coloured by its
    share on time (at least 90 %: green; 75 %: amber; less: red), in the language of
    `Accept-Language`."""
    content, _ = service.picture(
        session, client=client, pathway_id=pathway_id, version=version, language=language
    )
    return Response(content, media_type="image/svg+xml")


Episode = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:\-]{1,64}$")]


@router.get(
    "/pathways/{pathway_id}/conformance/episodes/{episode}",
    responses=problem_responses(401, 404, 422),
)
def get_episode(
    pathway_id: IdPath,
    episode: Episode,
    session: SessionDep,
    client: ClientDep,
    language: LanguageDep,
    version: Version = None,
) -> EpisodeRead:
    """One episode held against the version: for every handover it passed, each
    required message and checklist item, whether it came and in time (said in words in
    the language of `Accept-Language`); where it left the pathway; its payment days."""
    view = service.episode_checks(
        session,
        client=client,
        pathway_id=pathway_id,
        version=version,
        episode=episode,
        language=language,
    )
    return EpisodeRead.of(view)
