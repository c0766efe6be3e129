"""Conditional GET for immutable representations: strong ETags and 304 Not Modified."""

from __future__ import annotations

from fastapi import Request, Response

__all__ = ["IMMUTABLE", "not_modified", "tagged"]

IMMUTABLE = "private, max-age=31536000, immutable"
"""Cache-Control for version-pinned answers: they never change."""


def _matches(header: str, current: str) -> bool:
    if header.strip() == "*":
        return True
    # If-None-Match uses the weak comparison (RFC 9110 §13.1.2).
    tags = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    return current in tags


def not_modified(request: Request, etag: str) -> bool:
    """Whether the client already holds ``etag`` (If-None-Match)."""
    header = request.headers.get("if-none-match")
    return header is not None and _matches(header, etag)


def tagged(
    content: bytes,
    *,
    etag: str,
    request: Request,
    media_type: str = "application/json",
    cache_control: str = IMMUTABLE,
    headers: dict[str, str] | None = None,
) -> Response:
    """``content`` with its ETag, or an empty 304 when the client already holds it."""
    common = {"ETag": etag, "Cache-Control": cache_control, **(headers or {})}
    if not_modified(request, etag):
        return Response(status_code=304, headers=common)
    return Response(content, media_type=media_type, headers=common)
