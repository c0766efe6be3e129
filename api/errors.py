"""Errors the API answers with. Each carries its HTTP status and problem type.

The tree::

    ApiError
    ├── BadRequest              400
    ├── Unauthorized            401  no or unknown bearer token
    ├── Forbidden               403  may see it, may not change it
    ├── NotFound                404  does not exist, or may not be seen
    ├── Conflict                409  breaks a rule of the stored state
    ├── PreconditionFailed      412  If-Match names an old revision
    ├── PayloadTooLarge         413
    ├── UnsupportedMediaType    415  a body in a format the route does not read
    ├── Unprocessable           422  well-formed but invalid
    ├── RuleViolation           422  valid as the spec says, but against a product rule
    ├── PreconditionRequired    428  a change without If-Match
    └── Unavailable             503  overloaded: retry after a moment

Each says its title and its detail in English and Norwegian bokmål (a
:class:`~pathways.errors.Bilingual`); the answer is in the language the client accepts
(:mod:`api.problems`). :class:`BodyTooLarge` is the one error raised where only the
framework's own HTTP exception gets through: inside the request body's stream.
"""

from __future__ import annotations

from typing import Any, ClassVar

from starlette.exceptions import HTTPException as StarletteHTTPException

from pathways.errors import Bilingual

__all__ = [
    "PROBLEM_TYPE_BASE",
    "ApiError",
    "BadRequest",
    "BodyTooLarge",
    "Conflict",
    "Forbidden",
    "NotFound",
    "PayloadTooLarge",
    "PreconditionFailed",
    "PreconditionRequired",
    "RuleViolation",
    "Unauthorized",
    "Unavailable",
    "Unprocessable",
    "UnsupportedMediaType",
]

PROBLEM_TYPE_BASE = "urn:hjem-til-hjem:problem:"


class ApiError(Exception):
    status: ClassVar[int] = 500
    title: ClassVar[Bilingual] = Bilingual("Internal server error", "Intern feil i tjenesten")
    slug: ClassVar[str] = "internal-error"

    def __init__(
        self,
        detail: Bilingual,
        *,
        extra: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail.en)
        self.text = detail
        self.detail = detail.en
        """The English detail: what the audit log and the console say."""
        self.extra = extra or {}
        self.headers = headers or {}

    @classmethod
    def type_uri(cls) -> str:
        return PROBLEM_TYPE_BASE + cls.slug


class BadRequest(ApiError):
    status, slug = 400, "bad-request"
    title = Bilingual("Bad request", "Ugyldig forespørsel")


class Unauthorized(ApiError):
    status, slug = 401, "unauthorized"
    title = Bilingual("Not authenticated", "Ikke autentisert")

    def __init__(self, detail: Bilingual) -> None:
        super().__init__(detail, headers={"WWW-Authenticate": "Bearer"})


class Forbidden(ApiError):
    status, slug = 403, "forbidden"
    title = Bilingual("Not allowed", "Ikke tillatt")


class NotFound(ApiError):
    status, slug = 404, "not-found"
    title = Bilingual("Not found", "Ikke funnet")


class Conflict(ApiError):
    status, slug = 409, "conflict"
    title = Bilingual("Conflict", "Konflikt")


class PreconditionFailed(ApiError):
    status, slug = 412, "precondition-failed"
    title = Bilingual("The resource has changed", "Ressursen er endret i mellomtiden")

    def __init__(self, *, current_etag: str, sent: str) -> None:
        super().__init__(
            Bilingual(
                f"If-Match was {sent}, but the current revision is {current_etag}; "
                "read the resource again, reapply your change and send the new ETag",
                f"If-Match var {sent}, men gjeldende revisjon er {current_etag}. Noen har "
                "endret ressursen etter at du leste den: les den på nytt, gjør endringen "
                "igjen og send den nye ETag-en.",
            ),
            extra={"current_etag": current_etag},
            headers={"ETag": current_etag},
        )


class PayloadTooLarge(ApiError):
    status, slug = 413, "payload-too-large"
    title = Bilingual("Request body too large", "Forespørselen er for stor")


class UnsupportedMediaType(ApiError):
    status, slug = 415, "unsupported-media-type"
    title = Bilingual("Unsupported media type", "Innholdstypen støttes ikke")


class Unprocessable(ApiError):
    status, slug = 422, "validation-error"
    title = Bilingual("Invalid input", "Ugyldige data")

    def __init__(self, detail: Bilingual, *, errors: list[dict[str, Any]] | None = None) -> None:
        """``errors``: the field errors, ``{loc, pointer, detail}``; a ``detail`` that is a
        :class:`~pathways.errors.Bilingual` is said in the language of the answer."""
        super().__init__(detail, extra={"errors": errors or []})


class RuleViolation(Unprocessable):
    """What the spec cannot state: a rule between fields or against stored state (an
    organisation of kind secretariat with a level, a partnership that does not exist)."""

    slug = "rule-violation"
    title = Bilingual("Against the rules", "I strid med reglene")

    @classmethod
    def in_body(
        cls, problem: Bilingual, *path: str | int, detail: Bilingual | None = None
    ) -> RuleViolation:
        """The problem of one field of the request body, at ``path`` (``"comments", 2,
        "anchor"``): its ``errors`` entry names the field's location and JSON pointer;
        ``detail`` is the answer's own detail when it says more than the field's. The field's
        detail keeps both texts: the answer says it in the request's language."""
        return cls(
            detail or problem,
            errors=[
                {
                    "loc": ["body", *path],
                    "pointer": "#/" + "/".join(map(str, path)),
                    "detail": problem,
                }
            ],
        )


class PreconditionRequired(ApiError):
    status, slug = 428, "precondition-required"
    title = Bilingual("If-Match required", "If-Match er påkrevd")


class Unavailable(ApiError):
    status, slug = 503, "unavailable"
    title = Bilingual("Service unavailable", "Tjenesten er ikke tilgjengelig")

    def __init__(self, detail: Bilingual, *, retry_after: int) -> None:
        super().__init__(detail, headers={"Retry-After": str(retry_after)})


class BodyTooLarge(StarletteHTTPException):
    """413 from inside the request body's stream (:mod:`api.middleware`), where the
    framework lets only its own HTTP exception through; answered as :class:`PayloadTooLarge`."""

    def __init__(self, text: Bilingual) -> None:
        super().__init__(413, text.en)
        self.text = text
