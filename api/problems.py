"""Every error becomes an ``application/problem+json`` answer (RFC 9457).

One handler per exception base class: our :class:`~api.errors.ApiError` tree, the domain's
:class:`~pathways.errors.PathwayError` tree, request validation, the framework's own
HTTP errors, database contention, and a last one for anything unexpected (500, logged).

Every problem says its ``title``, its ``detail`` and each of its field errors' ``detail``
in the language the request's ``Accept-Language`` asks for: Norwegian bokmål (for ``nb``,
``no`` and ``nn``) or English (the default), with ``Content-Language`` and
``Vary: Accept-Language``. Each error, and each field error, carries both texts (a
:class:`~pathways.errors.Bilingual`) until :func:`problem` makes the answer; the audit log
keeps the English.
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
from api.deps import problem_language
from api.errors import PROBLEM_TYPE_BASE, ApiError, BodyTooLarge, PayloadTooLarge, Unprocessable
from api.routers.methods import allowed_methods
from api.schemas.problems import Problem
from pathways.errors import (
    Bilingual,
    InvalidPathway,
    ParticipationError,
    PathwayError,
    Violation,
)
from pathways.field_errors import error_text
from pathways.text import printable

__all__ = [
    "INVALID_PATHWAY",
    "MAX_FIELD_ERRORS",
    "PROBLEM_MEDIA_TYPE",
    "STATUS_TITLES",
    "ProblemResponse",
    "install_problem_handlers",
    "language_headers",
    "problem_body",
    "problem_responses",
    "status_title",
    "violation_errors",
]

PROBLEM_MEDIA_TYPE = "application/problem+json"
MAX_FIELD_ERRORS = 50
"""A problem lists at most this many field errors, and says how many it left out."""
log = logging.getLogger("pathways.api")
T = TypeVar("T")

_STATUSES: Mapping[int, tuple[str, str]] = {
    # status: the problem type's slug, and the bokmål of the status's title
    400: ("bad-request", "Ugyldig forespørsel"),
    401: ("unauthorized", "Ikke autentisert"),
    403: ("forbidden", "Ikke tillatt"),
    404: ("not-found", "Ikke funnet"),
    405: ("method-not-allowed", "Metoden er ikke tillatt"),
    406: ("not-acceptable", "Formatet kan ikke leveres"),
    409: ("conflict", "Konflikt"),
    412: ("precondition-failed", "Ressursen er endret i mellomtiden"),
    413: ("payload-too-large", "Forespørselen er for stor"),
    415: ("unsupported-media-type", "Innholdstypen støttes ikke"),
    422: ("validation-error", "Ugyldige data"),
    428: ("precondition-required", "If-Match er påkrevd"),
    429: ("too-many-requests", "For mange forespørsler"),
    500: ("internal-error", "Intern feil i tjenesten"),
    503: ("unavailable", "Tjenesten er ikke tilgjengelig"),
}
_SLUGS = {status: slug for status, (slug, _) in _STATUSES.items()}

STATUS_TITLES: Mapping[int, Bilingual] = {
    status: Bilingual(HTTPStatus(status).phrase, nb) for status, (_, nb) in _STATUSES.items()
}
"""The title of a problem that names no title of its own: the status's phrase, in English
as HTTP says it, and in bokmål."""

INVALID_PATHWAY = Bilingual("Invalid pathway", "Ugyldig forløp")
"""The title of a 422 for a pathway that breaks the domain's rules (request validation's
is :attr:`Unprocessable.title <api.errors.Unprocessable.title>`, "Invalid input")."""


def status_title(status: int) -> Bilingual:
    """The title of a problem with ``status`` and no title of its own."""
    found = STATUS_TITLES.get(status)
    if found is not None:
        return found
    generic = STATUS_TITLES[500 if status >= 500 else 400]
    return Bilingual(HTTPStatus(status).phrase, generic.nb)


class ProblemResponse(JSONResponse):
    media_type = PROBLEM_MEDIA_TYPE


def problem_body(
    language: str,
    *,
    status: int,
    title: Bilingual,
    detail: Bilingual,
    instance: str,
    slug: str | None = None,
) -> dict[str, Any]:
    """The members every problem has, its title and detail in ``language``."""
    return {
        "type": PROBLEM_TYPE_BASE + (slug or _SLUGS.get(status, "error")),
        "title": title.in_language(language),
        "status": status,
        "detail": detail.in_language(language),
        "instance": instance,
    }


def language_headers(language: str, headers: Mapping[str, str] | None = None) -> dict[str, str]:
    """``headers`` with ``Content-Language`` and ``Accept-Language`` added to ``Vary``
    (kept with whatever ``Vary`` already names)."""
    merged = dict(headers or {})
    merged["Content-Language"] = language
    name = next((key for key in merged if key.lower() == "vary"), "Vary")
    vary = merged.pop(name, "")
    named = {part.strip().lower() for part in vary.split(",")}
    if "*" not in named and "accept-language" not in named:
        vary = f"{vary}, Accept-Language" if vary.strip() else "Accept-Language"
    merged[name] = vary
    return merged


def problem(
    request: Request,
    *,
    status: int,
    detail: Bilingual,
    slug: str | None = None,
    title: Bilingual | None = None,
    extra: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> ProblemResponse:
    language = problem_language(request.headers.get("accept-language"))
    body = problem_body(
        language,
        status=status,
        slug=slug,
        title=title or status_title(status),
        detail=detail,
        instance=printable(request.url.path, max_length=200),
    )
    body.update(extra or {})
    errors = body.get("errors")
    if isinstance(errors, list):
        if len(errors) > MAX_FIELD_ERRORS:
            body["errors_omitted"] = len(errors) - MAX_FIELD_ERRORS
        body["errors"] = [_in_language(error, language) for error in errors[:MAX_FIELD_ERRORS]]
    log_denied(request, status, detail.en)
    return ProblemResponse(body, status_code=status, headers=language_headers(language, headers))


def _in_language(error: object, language: str) -> object:
    """A field error with its ``detail`` said in ``language``: a field error carries both
    texts (a :class:`~pathways.errors.Bilingual`) until the answer is made."""
    if isinstance(error, dict) and isinstance(error.get("detail"), Bilingual):
        return {**error, "detail": error["detail"].in_language(language)}
    return error


def _english(detail: object) -> str:
    """A field error's detail in English (what an English summary repeats)."""
    return detail.en if isinstance(detail, Bilingual) else str(detail)


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
                "detail": Bilingual(
                    printable(violation.text.en, max_length=500),
                    printable(violation.text.nb, max_length=500),
                ),
            }
        )
    return errors


def _validation_errors(items: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    errors = []
    for item in items:
        loc = _safe_loc(item.get("loc", ()))
        errors.append({"loc": loc, "pointer": _pointer(loc), "detail": error_text(item)})
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


_NOUNS_NB = {"body": "Feltet", "header": "Headeren"}
"""What the first part of a location is, said in bokmål: a field of the body, a header,
or else a parameter (of the query or the path)."""


def _summary(
    first: dict[str, Any] | None, total: int, *, fallback: Bilingual, kind: str | None = None
) -> Bilingual:
    """The ``detail`` of a validation problem: where the first error is, what it is,
    and how many more there are. The English repeats the first field error's English;
    the bokmål says where and, for an error of ``kind`` ``missing``, ``extra_forbidden``
    or ``json_invalid`` (pydantic's types), what (the field errors say the rest in the
    problem's language)."""
    if first is None:
        return fallback
    loc = first["loc"]
    where = ".".join(str(part) for part in loc)
    more = f" (and {total - 1} more)" if total > 1 else ""
    noun = _NOUNS_NB.get(str(loc[0]) if loc else "", "Parameteren")
    if kind == "json_invalid":
        said = "Innholdet er ikke gyldig JSON"
    elif len(loc) <= 1:
        said = "Forespørselen mangler innhold" if kind == "missing" else fallback.nb
    elif kind == "missing":
        said = f"{noun} {where} mangler"
    elif kind == "extra_forbidden":
        said = f"{noun} {where} er ukjent"
    else:
        said = f"{noun} {where} har en ugyldig verdi"
    said = said.removesuffix(".")
    more_nb = f", og det er {total - 1} feil til" if total > 1 else ""
    return Bilingual(f"{where}: {_english(first['detail'])}{more}", f"{said}{more_nb}.")


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(request: Request, error: ApiError) -> ProblemResponse:
        return problem(
            request,
            status=error.status,
            slug=error.slug,
            title=error.title,
            detail=error.text,
            extra=error.extra,
            headers=error.headers,
        )

    @app.exception_handler(PathwayError)
    async def _pathway_error(request: Request, error: PathwayError) -> ProblemResponse:
        if isinstance(error, ParticipationError):
            return problem(request, status=409, detail=error.text)
        violations = error.violations if isinstance(error, InvalidPathway) else ()
        extra = _field_errors(violations, violation_errors)
        errors = extra["errors"]
        return problem(
            request,
            status=422,
            title=INVALID_PATHWAY,
            detail=_summary(
                errors[0] if errors else None,
                len(violations),
                fallback=Bilingual(str(error), "Forløpet er ikke gyldig."),
            ),
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
            title=Unprocessable.title,
            detail=_summary(
                errors[0] if errors else None,
                len(items),
                fallback=Bilingual("the request is not valid", "Forespørselen er ikke gyldig."),
                kind=str(items[0].get("type")) if items else None,
            ),
            extra=extra,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, error: StarletteHTTPException) -> ProblemResponse:
        status = error.status_code
        english = error.detail if isinstance(error.detail, str) else HTTPStatus(status).phrase
        detail = Bilingual(
            english, _FRAMEWORK_DETAILS_NB.get(english, f"{status_title(status).nb}.")
        )
        if isinstance(error, BodyTooLarge):
            return problem(
                request,
                status=status,
                slug=PayloadTooLarge.slug,
                title=PayloadTooLarge.title,
                detail=error.text,
            )
        if status == 404 and english == "Not Found":
            path = printable(request.url.path, max_length=200)
            detail = Bilingual(f"there is nothing at {path}", f"Det finnes ingenting på {path}.")
        headers = dict(error.headers) if error.headers else None
        if status == 405:
            # Every method of the resource, not only those of the route that matched.
            allowed = ", ".join(allowed_methods(app.router.routes, request.scope["path"]))
            headers = {**(headers or {}), "Allow": allowed}
            method = printable(request.method, max_length=20)
            detail = Bilingual(
                f"{method} is not allowed here; allowed: {allowed}",
                f"{method} er ikke tillatt her. Tillatte metoder: {allowed}.",
            )
        return problem(request, status=status, detail=detail, headers=headers)

    @app.exception_handler(IntegrityError)
    async def _integrity(request: Request, error: IntegrityError) -> ProblemResponse:
        log.warning("integrity error on %s: %s", request.url.path, error.orig)
        return problem(
            request,
            status=409,
            detail=Bilingual(
                "the change conflicts with stored data (a concurrent change, or a "
                "name or key that is already taken); read the resource again and retry",
                "Endringen er i konflikt med lagrede data (en samtidig endring, eller et navn "
                "eller en nøkkel som allerede er i bruk). Les ressursen på nytt og prøv igjen.",
            ),
        )

    @app.exception_handler(OperationalError)
    @app.exception_handler(PoolTimeoutError)
    async def _contention(request: Request, error: Exception) -> ProblemResponse:
        log.warning("database unavailable on %s: %s", request.url.path, error)
        return problem(
            request,
            status=503,
            detail=Bilingual(
                "the database is busy or unreachable; retry shortly",
                "Databasen er opptatt eller kan ikke nås. Prøv igjen om litt.",
            ),
            headers={"Retry-After": "1"},
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, error: Exception) -> ProblemResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return problem(
            request,
            status=500,
            detail=Bilingual(
                "an unexpected error occurred; it is logged",
                "Det oppstod en uventet feil. Feilen er logget.",
            ),
        )


_FRAMEWORK_DETAILS_NB = {
    "There was an error parsing the body": "Innholdet i forespørselen kunne ikke leses.",
}
"""Bokmål for the details the framework itself gives (FastAPI's 400 for a body that is
not UTF-8); any other is said by its status's title."""


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The ``responses=`` entry documenting ``statuses`` as problem details."""
    return {
        status: {"model": Problem, "description": HTTPStatus(status).phrase} for status in statuses
    }
