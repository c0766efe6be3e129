"""Every error becomes an ``application/problem+json`` answer (RFC 9457).

One handler per exception base class: our :class:`~api.errors.ApiError` tree, the domain's
:class:`~pathways.errors.PathwayError` tree, request validation, the framework's own
HTTP errors, database contention, and a last one for anything unexpected (500, logged).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from http import HTTPStatus
from typing import Any, TypeVar

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.audit import log_denied
from api.errors import PROBLEM_TYPE_BASE, ApiError
from api.routers.methods import allowed_methods
from api.schemas.problems import Problem
from pathways.document import error_message
from pathways.errors import InvalidPathway, ParticipationError, PathwayError, Violation
from pathways.text import printable

__all__ = [
    "MAX_FIELD_ERRORS",
    "PROBLEM_MEDIA_TYPE",
    "ProblemResponse",
    "install_problem_handlers",
    "problem_responses",
    "violation_errors",
]

PROBLEM_MEDIA_TYPE = "application/problem+json"
MAX_FIELD_ERRORS = 50
"""A problem lists at most this many field errors, and says how many it left out."""
log = logging.getLogger("pathways.api")
T = TypeVar("T")

_SLUGS = {
    400: "bad-request",
    401: "unauthorized",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    406: "not-acceptable",
    409: "conflict",
    412: "precondition-failed",
    413: "payload-too-large",
    415: "unsupported-media-type",
    422: "validation-error",
    428: "precondition-required",
    429: "too-many-requests",
    500: "internal-error",
    503: "unavailable",
}


class ProblemResponse(JSONResponse):
    media_type = PROBLEM_MEDIA_TYPE


def problem(
    request: Request,
    *,
    status: int,
    detail: str,
    slug: str | None = None,
    title: str | None = None,
    extra: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> ProblemResponse:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + (slug or _SLUGS.get(status, "error")),
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "instance": printable(request.url.path, max_length=200),
    }
    body.update(extra or {})
    errors = body.get("errors")
    if isinstance(errors, list) and len(errors) > MAX_FIELD_ERRORS:
        body["errors"] = errors[:MAX_FIELD_ERRORS]
        body["errors_omitted"] = len(errors) - MAX_FIELD_ERRORS
    log_denied(request, status, detail)
    return ProblemResponse(body, status_code=status, headers=headers)


def _pointer(loc: Sequence[str | int]) -> str | None:
    if not loc or loc[0] != "body":
        return None
    parts = [str(part).replace("~", "~0").replace("/", "~1") for part in loc[1:]]
    return "#/" + "/".join(parts)


def _safe_loc(loc: Iterable[object]) -> list[str | int]:
    """A location to echo: it may hold the client's own field names, so safely and briefly."""
    return [
        printable(part) if isinstance(part, str) else part
        for part in loc
        if isinstance(part, str | int)
    ]


def violation_errors(
    violations: Iterable[Violation], *, prefix: Sequence[str | int] = ("body",)
) -> list[dict[str, Any]]:
    """Field errors for domain violations; ``prefix`` says where the value came from."""
    errors = []
    for violation in violations:
        loc = _safe_loc([*prefix, *violation.loc])
        errors.append(
            {
                "loc": loc,
                "pointer": _pointer(loc),
                "detail": printable(violation.message, max_length=500),
            }
        )
    return errors


def _validation_errors(items: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    errors = []
    for item in items:
        loc = _safe_loc(item.get("loc", ()))
        errors.append({"loc": loc, "pointer": _pointer(loc), "detail": error_message(item)})
    return errors


def _field_errors(
    items: Sequence[T], make: Callable[[Sequence[T]], list[dict[str, Any]]]
) -> dict[str, Any]:
    """The ``errors`` of a validation problem: only the first :data:`MAX_FIELD_ERRORS`
    of ``items`` are made into field errors, and ``errors_omitted`` counts the rest."""
    extra: dict[str, Any] = {"errors": make(items[:MAX_FIELD_ERRORS])}
    if len(items) > MAX_FIELD_ERRORS:
        extra["errors_omitted"] = len(items) - MAX_FIELD_ERRORS
    return extra


def _summary(first: dict[str, Any] | None, total: int, *, fallback: str) -> str:
    """The ``detail`` of a validation problem: where the first error is, what it is,
    and how many more there are."""
    if first is None:
        return fallback
    where = ".".join(str(part) for part in first["loc"])
    more = f" (and {total - 1} more)" if total > 1 else ""
    return f"{where}: {first['detail']}{more}"


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(request: Request, error: ApiError) -> ProblemResponse:
        return problem(
            request,
            status=error.status,
            slug=error.slug,
            title=error.title,
            detail=error.detail,
            extra=error.extra,
            headers=error.headers,
        )

    @app.exception_handler(PathwayError)
    async def _pathway_error(request: Request, error: PathwayError) -> ProblemResponse:
        if isinstance(error, ParticipationError):
            return problem(request, status=409, detail=str(error))
        violations = error.violations if isinstance(error, InvalidPathway) else ()
        extra = _field_errors(violations, violation_errors)
        errors = extra["errors"]
        return problem(
            request,
            status=422,
            title="Invalid pathway",
            detail=_summary(errors[0] if errors else None, len(violations), fallback=str(error)),
            extra=extra,
        )

    @app.exception_handler(RequestValidationError)
    async def _request_invalid(request: Request, error: RequestValidationError) -> ProblemResponse:
        items = error.errors()
        extra = _field_errors(items, _validation_errors)
        errors = extra["errors"]
        return problem(
            request,
            status=422,
            title="Invalid input",
            detail=_summary(
                errors[0] if errors else None, len(items), fallback="the request is not valid"
            ),
            extra=extra,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, error: StarletteHTTPException) -> ProblemResponse:
        detail = (
            error.detail if isinstance(error.detail, str) else HTTPStatus(error.status_code).phrase
        )
        if error.status_code == 404 and detail == "Not Found":
            detail = f"there is nothing at {printable(request.url.path, max_length=200)}"
        headers = dict(error.headers) if error.headers else None
        if error.status_code == 405:
            # Every method of the resource, not only those of the route that matched.
            allowed = allowed_methods(app.router.routes, request.scope["path"])
            headers = {**(headers or {}), "Allow": ", ".join(allowed)}
            method = printable(request.method, max_length=20)
            detail = f"{method} is not allowed here; allowed: {', '.join(allowed)}"
        return problem(request, status=error.status_code, detail=detail, headers=headers)

    @app.exception_handler(IntegrityError)
    async def _integrity(request: Request, error: IntegrityError) -> ProblemResponse:
        log.warning("integrity error on %s: %s", request.url.path, error.orig)
        return problem(
            request,
            status=409,
            detail="the change conflicts with stored data (a concurrent change, or a "
            "name or key that is already taken); read the resource again and retry",
        )

    @app.exception_handler(OperationalError)
    @app.exception_handler(PoolTimeoutError)
    async def _contention(request: Request, error: Exception) -> ProblemResponse:
        log.warning("database unavailable on %s: %s", request.url.path, error)
        return problem(
            request,
            status=503,
            detail="the database is busy or unreachable; retry shortly",
            headers={"Retry-After": "1"},
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, error: Exception) -> ProblemResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return problem(request, status=500, detail="an unexpected error occurred; it is logged")


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The ``responses=`` entry documenting ``statuses`` as problem details."""
    return {
        status: {"model": Problem, "description": HTTPStatus(status).phrase} for status in statuses
    }
