"""Handover checklists for integrations: cheap, cacheable, pinned to approved versions.

The two checklist routes are the integrations' hot path: ``async``, added straight to
the app (:func:`add_hot_routes`), reading their token and parameters themselves, and
answering from memory (see :mod:`api.services.handovers` for when they touch the
database). The organisation feed is an ordinary route.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Query, Request, Response
from pydantic import AfterValidator, BeforeValidator

from api.audit import remember_client
from api.conditional import not_modified, tagged, unchanged
from api.deps import CONDITIONAL, PageDep, ReaderDep
from api.errors import Unprocessable
from api.problems import problem_responses
from api.routers.methods import ResourceRoute
from api.schemas.handovers import FeedPageRead, HandoverList, HandoverRead
from api.services.handovers import REVALIDATE, ChecklistAsk, HandoverService, feed_answer
from pathways.errors import Bilingual, InvalidValue
from pathways.limits import DEFAULT_LIMITS
from pathways.model import Level, Side
from pathways.text import KEY_PATTERN, is_key

router = APIRouter(tags=["handovers"], route_class=ResourceRoute)


@dataclass(frozen=True, slots=True)
class HotQuery:
    version: int | None
    side: Side | None
    level: Level | None
    fhir: bool


_HOT_PARAMETERS: list[dict[str, Any]] = [
    {
        "name": "version",
        "in": "query",
        "required": False,
        "description": "An approved version (default: the latest)",
        "schema": {"type": "integer", "minimum": 1, "maximum": 999_999_999},
    },
    {
        "name": "side",
        "in": "query",
        "required": False,
        "description": "Only the sender's or receiver's items",
        "schema": {"type": "string", "enum": [side.value for side in Side]},
    },
    {
        "name": "level",
        "in": "query",
        "required": False,
        "description": "Only the items this level acts on",
        "schema": {"type": "string", "enum": [level.value for level in Level]},
    },
    {
        "name": "format",
        "in": "query",
        "required": False,
        "description": "json (default), or fhir for FHIR R4 Questionnaires",
        "schema": {"type": "string", "enum": ["json", "fhir"], "default": "json"},
    },
    {
        "name": "If-None-Match",
        "in": "header",
        "required": False,
        "description": "ETags you hold: 304 Not Modified when one is current",
        "schema": {"type": "string"},
    },
]
_PATHWAY_PARAMETER: dict[str, Any] = {
    "name": "pathway_id",
    "in": "path",
    "required": True,
    "schema": {"type": "integer", "minimum": 1, "maximum": 2_147_483_647},
}
_TRANSITION_PARAMETER: dict[str, Any] = {
    "name": "transition_key",
    "in": "path",
    "required": True,
    "schema": {
        "type": "string",
        "minLength": 1,
        "maxLength": DEFAULT_LIMITS.max_key_length,
        "pattern": KEY_PATTERN,
    },
}
_HOT = {
    "security": [{"HTTPBearer": []}],
    "parameters": [_PATHWAY_PARAMETER, *_HOT_PARAMETERS],
}
_HOT_ONE = {
    "security": [{"HTTPBearer": []}],
    "parameters": [_PATHWAY_PARAMETER, _TRANSITION_PARAMETER, *_HOT_PARAMETERS],
}
"""The hot routes read their token and query themselves, sparing FastAPI's per-request
parameter analysis (two thirds of their time when measured); this documents both."""
_SIDES = {side.value: side for side in Side}
_LEVELS = {level.value: level for level in Level}


def _invalid(name: str, detail: Bilingual) -> Unprocessable:
    return Unprocessable(
        Bilingual(f"query.{name}: {detail.en}", f"Parameteren query.{name} {detail.nb}."),
        errors=[{"loc": ["query", name], "pointer": None, "detail": detail}],
    )


def _pathway_id(request: Request) -> int:
    raw: str = request.path_params["pathway_id"]
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 10) or not (
        1 <= int(raw) <= 2_147_483_647
    ):
        raise Unprocessable(
            Bilingual(
                "path.pathway_id: must be a pathway id",
                "Parameteren path.pathway_id må være id-en til et forløp.",
            ),
            errors=[
                {
                    "loc": ["path", "pathway_id"],
                    "pointer": None,
                    "detail": Bilingual("not an id", "er ikke id-en til et forløp"),
                }
            ],
        )
    return int(raw)


def _transition_key(request: Request) -> str:
    raw: str = request.path_params["transition_key"]
    if len(raw) > DEFAULT_LIMITS.max_key_length or not is_key(raw):
        raise Unprocessable(
            Bilingual(
                "path.transition_key: must be a transition key",
                "Parameteren path.transition_key må være nøkkelen til en overgang.",
            ),
            errors=[
                {
                    "loc": ["path", "transition_key"],
                    "pointer": None,
                    "detail": Bilingual("not a key", "er ikke nøkkelen til en overgang"),
                }
            ],
        )
    return raw


_DEFAULT_QUERY = HotQuery(None, None, None, fhir=False)


@functools.lru_cache(maxsize=4096)
def _plain_ask(pathway_id: int, transition_key: str | None) -> ChecklistAsk:
    """The ask of a request without a query string, made once per pathway and key."""
    return ChecklistAsk(pathway_id, None, transition_key, None, None, fhir=False)


def _ask(request: Request, transition_key: str | None) -> ChecklistAsk:
    if not request.scope["query_string"]:
        return _plain_ask(_pathway_id(request), transition_key)
    query = _hot_query(request)
    return ChecklistAsk(
        pathway_id=_pathway_id(request),
        version=query.version,
        transition_key=transition_key,
        side=query.side,
        level=query.level,
        fhir=query.fhir,
    )


def _hot_query(request: Request) -> HotQuery:
    if not request.scope["query_string"]:
        return _DEFAULT_QUERY
    # Parsed once per request (the route's unknown-parameter check reads it too); the
    # last value of a repeated name wins, as with FastAPI's own parameters.
    query = request.query_params
    version: int | None = None
    if (raw := query.get("version")) is not None:
        if not (raw.isascii() and raw.isdigit() and 1 <= len(raw) <= 9 and int(raw) >= 1):
            raise _invalid(
                "version",
                Bilingual("must be a version number from 1", "må være et versjonsnummer fra 1"),
            )
        version = int(raw)
    side = level = None
    if (raw := query.get("side")) is not None and (side := _SIDES.get(raw)) is None:
        raise _invalid(
            "side", Bilingual("must be 'sender' or 'receiver'", "må være «sender» eller «receiver»")
        )
    if (raw := query.get("level")) is not None and (level := _LEVELS.get(raw)) is None:
        raise _invalid(
            "level",
            Bilingual(
                "must be 'hospital' or 'municipality'", "må være «hospital» eller «municipality»"
            ),
        )
    form = query.get("format", "json")
    if form not in ("json", "fhir"):
        raise _invalid(
            "format", Bilingual("must be 'json' or 'fhir'", "må være «json» eller «fhir»")
        )
    return HotQuery(version, side, level, form == "fhir")


_PROBLEMS = problem_responses(401, 404, 422)


def _date_time_text(value: object) -> object:
    """An RFC 3339 date-time, as the spec says: not a Unix time (pydantic takes both)."""
    if isinstance(value, str) and not _DATE_TIME.match(value):
        raise InvalidValue(
            Bilingual(
                "must be a date and time, e.g. 2026-05-01T12:00:00Z",
                "må være en dato og et klokkeslett, for eksempel 2026-05-01T12:00:00Z",
            )
        )
    return value


_DATE_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ]")


def _in_utc(value: datetime) -> datetime:
    """The time in UTC (no offset means UTC); one that has no UTC time is an error."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise InvalidValue(
            Bilingual(
                "is outside the range of dates this service can compare",
                "ligger utenfor datoene tjenesten kan sammenligne",
            )
        ) from None


def _bearer_token(request: Request) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


async def _service(request: Request) -> HandoverService:
    service: HandoverService = request.app.state.handovers
    return service


ServiceDep = Annotated[HandoverService, Depends(_service)]


def _from_memory(request: Request, transition_key: str | None) -> Response | None:
    """The answer when the token and the answer are both in memory, else ``None``."""
    service: HandoverService = request.app.state.handovers
    client = service.cached_client(_bearer_token(request))
    if client is None:
        return None
    answer = service.cached_checklist(_ask(request, transition_key))
    if answer is None:
        return None
    remember_client(request, client)
    return answer.respond(request)


async def _serve(request: Request, transition_key: str | None) -> Response:
    """Authenticate, find or render the answer; the database only on a miss."""
    service: HandoverService = request.app.state.handovers
    token = _bearer_token(request)
    client = service.cached_client(token) or await service.authenticate(token)
    remember_client(request, client)
    ask = _ask(request, transition_key)
    answer = service.cached_checklist(ask) or await service.checklist(ask)
    return answer.respond(request)


async def list_handovers(request: Request) -> Response:
    """Every handover of an approved version (never a draft), with its checklist.

    `read` tokens suffice. Pinned to `version`, the answer is immutable; without it, it
    follows the latest approved version (revalidate with `If-None-Match` → 304).
    With `format=fhir`: a FHIR R4 Bundle of one Questionnaire per handover.
    """
    return _from_memory(request, None) or await _serve(request, None)


async def get_handover(request: Request) -> Response:
    """One handover's checklist; `format=fhir` gives a FHIR R4 Questionnaire."""
    key = _transition_key(request)
    return _from_memory(request, key) or await _serve(request, key)


def add_hot_routes(app: FastAPI) -> None:
    """Add the two checklist routes to ``app`` itself, ahead of its other routes.

    Routes added straight to the app are matched without the nested router an
    ``include_router`` adds (about a fifth of the route's time when measured).
    """
    common: dict[str, Any] = {
        "methods": ["GET"],
        "tags": ["handovers"],
        "responses": {
            200: {
                "description": "The checklists (`format=fhir`: FHIR R4)",
                "content": {"application/fhir+json": {"schema": {"type": "object"}}},
            },
            304: {"description": "Not modified"},
            **_PROBLEMS,
        },
    }
    app.add_api_route(
        "/pathways/{pathway_id}/handovers",
        list_handovers,
        response_model=HandoverList,
        openapi_extra=_HOT,
        **common,
    )
    app.add_api_route(
        "/pathways/{pathway_id}/handovers/{transition_key}",
        get_handover,
        response_model=HandoverRead,
        openapi_extra=_HOT_ONE,
        **common,
    )


@router.get(
    "/handovers",
    response_model=FeedPageRead,
    responses={304: {"description": "Not modified"}, **_PROBLEMS},
    dependencies=[CONDITIONAL],
)
async def handover_feed(
    request: Request,
    reader: ReaderDep,
    service: ServiceDep,
    page: PageDep,
    organization: Annotated[
        int | None,
        Query(ge=1, le=2_147_483_647, description="Default: the caller's organisation"),
    ] = None,
    since: Annotated[
        datetime | None,
        BeforeValidator(_date_time_text),
        AfterValidator(_in_utc),
        Query(description="Only versions approved after this time (UTC if no offset)"),
    ] = None,
) -> Response:
    """Handovers of the approved versions of every pathway the organisation takes part
    in, newest first: sync incrementally by passing the last `newest` as `since`. A
    municipality with an approved local variant of a pathway gets the variant's
    checklists instead of the shared pathway's (`variant_of` names the shared one)."""
    etag, body = await reader.run(
        feed_answer,
        cache=service.versions,
        organization_id=organization,
        since=since,
        limit=page.limit,
        offset=page.offset,
        held=lambda tag: not_modified(request, tag),
    )
    if body is None:
        return unchanged(etag, REVALIDATE)
    return tagged(body, etag=etag, request=request, cache_control=REVALIDATE)
