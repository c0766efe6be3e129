"""Reference data: the national handover messages and the gap rules, for editors and
integrations (the codes are stable API)."""

from __future__ import annotations

import hashlib
from functools import cache

from fastapi import APIRouter, Request, Response

from api.conditional import tagged
from api.deps import CONDITIONAL, ClientDep, LanguageDep
from api.problems import problem_responses
from api.routers.methods import ResourceRoute
from api.schemas.reference import MessageRead, ReferenceRead, every_message

router = APIRouter(tags=["reference"], route_class=ResourceRoute)

_CACHE = "private, no-cache"
"""The data changes only with the service, but a client revalidates (304) to notice that."""


@cache
def _messages() -> tuple[bytes, str]:
    body = b"[" + b",".join(m.model_dump_json().encode() for m in every_message()) + b"]"
    return body, f'"m-{hashlib.sha256(body).hexdigest()[:16]}"'


@cache
def _rules(language: str) -> tuple[bytes, str]:
    body = ReferenceRead.of(language).model_dump_json().encode()
    return body, f'"r-{language}-{hashlib.sha256(body).hexdigest()[:16]}"'


@router.get(
    "/reference/messages",
    response_model=list[MessageRead],
    responses={304: {"description": "Not modified"}, **problem_responses(401)},
    dependencies=[CONDITIONAL],
)
def list_messages(client: ClientDep, request: Request) -> Response:
    """The message catalogue: every national handover message the gap rules recognise,
    with its names in three languages, the words that name it in free text, the level
    that sends it and when. Editors offer it as choices."""
    body, etag = _messages()
    return tagged(body, etag=etag, request=request, cache_control=_CACHE)


@router.get(
    "/reference/rules",
    response_model=ReferenceRead,
    responses={304: {"description": "Not modified"}, **problem_responses(401)},
    dependencies=[CONDITIONAL],
)
def list_rules(client: ClientDep, language: LanguageDep, request: Request) -> Response:
    """Every gap rule (code, rule set, default severity, what it checks) and the default
    deadlines, said in the language of `Accept-Language`."""
    body, etag = _rules(language)
    return tagged(
        body,
        etag=etag,
        request=request,
        cache_control=_CACHE,
        headers={"Content-Language": language, "Vary": "Accept-Language"},
    )
