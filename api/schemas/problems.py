"""RFC 9457 problem details, the body of every 4xx and 5xx answer."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["FieldError", "Problem"]


class FieldError(BaseModel):
    loc: list[str | int] = Field(
        description="Where the error is: 'body', 'query', 'path' or 'header', then the path"
    )
    pointer: str | None = Field(
        default=None, description="JSON Pointer into the request body, when it is in the body"
    )
    detail: str = Field(
        description="What is wrong with the field, in the problem's language (Accept-Language)"
    )


class Problem(BaseModel):
    """A problem details object (RFC 9457)."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(description="A URI naming the kind of problem")
    title: str
    status: int
    detail: str
    instance: str | None = Field(default=None, description="The request path")
    errors: list[FieldError] | None = Field(
        default=None,
        max_length=50,
        description="Each invalid field, for validation problems (the first 50)",
    )
    errors_omitted: int | None = Field(
        default=None, ge=1, description="How many more invalid fields there were than listed"
    )
    current_etag: str | None = Field(
        default=None, description="The current ETag, for 412 Precondition Failed"
    )
