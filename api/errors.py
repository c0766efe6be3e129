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
    ├── Unprocessable           422  well-formed but invalid
    ├── RuleViolation           422  valid as the spec says, but against a product rule
    ├── PreconditionRequired    428  a change without If-Match
    └── Unavailable             503  overloaded: retry after a moment
"""

from __future__ import annotations

from typing import Any, ClassVar

__all__ = [
    "PROBLEM_TYPE_BASE",
    "ApiError",
    "BadRequest",
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
]

PROBLEM_TYPE_BASE = "urn:hjem-til-hjem:problem:"


class ApiError(Exception):
    status: ClassVar[int] = 500
    title: ClassVar[str] = "Internal server error"
    slug: ClassVar[str] = "internal-error"

    def __init__(
        self,
        detail: str,
        *,
        extra: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra or {}
        self.headers = headers or {}

    @classmethod
    def type_uri(cls) -> str:
        return PROBLEM_TYPE_BASE + cls.slug


class BadRequest(ApiError):
    status, title, slug = 400, "Bad request", "bad-request"


class Unauthorized(ApiError):
    status, title, slug = 401, "Not authenticated", "unauthorized"

    def __init__(self, detail: str) -> None:
        super().__init__(detail, headers={"WWW-Authenticate": "Bearer"})


class Forbidden(ApiError):
    status, title, slug = 403, "Not allowed", "forbidden"


class NotFound(ApiError):
    status, title, slug = 404, "Not found", "not-found"


class Conflict(ApiError):
    status, title, slug = 409, "Conflict", "conflict"


class PreconditionFailed(ApiError):
    status, title, slug = 412, "The resource has changed", "precondition-failed"

    def __init__(self, *, current_etag: str, sent: str) -> None:
        super().__init__(
            f"If-Match was {sent}, but the current revision is {current_etag}; "
            "read the resource again, reapply your change and send the new ETag",
            extra={"current_etag": current_etag},
            headers={"ETag": current_etag},
        )


class PayloadTooLarge(ApiError):
    status, title, slug = 413, "Request body too large", "payload-too-large"


class Unprocessable(ApiError):
    status, title, slug = 422, "Invalid input", "validation-error"

    def __init__(self, detail: str, *, errors: list[dict[str, Any]] | None = None) -> None:
        super().__init__(detail, extra={"errors": errors or []})


class RuleViolation(Unprocessable):
    """What the spec cannot state: a rule between fields or against stored state (an
    organisation of kind secretariat with a level, a partnership that does not exist)."""

    title, slug = "Against the rules", "rule-violation"


class PreconditionRequired(ApiError):
    status, title, slug = 428, "If-Match required", "precondition-required"


class Unavailable(ApiError):
    status, title, slug = 503, "Service unavailable", "unavailable"

    def __init__(self, detail: str, *, retry_after: int) -> None:
        super().__init__(detail, headers={"Retry-After": str(retry_after)})
