"""Conditional GET for immutable representations: strong ETags and 304 Not Modified."""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import Request, Response

__all__ = ["IMMUTABLE", "Prebuilt", "PrebuiltResponse", "not_modified", "tagged", "unchanged"]

IMMUTABLE = "private, max-age=31536000, immutable"
"""Cache-Control for version-pinned answers: they never change."""


def _matches(header: str, current: str) -> bool:
    if header == current:  # the usual case: the client sends back the one ETag it has
        return True
    if header.strip() == "*":
        return True
    # If-None-Match uses the weak comparison (RFC 9110 §13.1.2).
    tags = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    return current in tags


def not_modified(request: Request, etag: str) -> bool:
    """Whether the client already holds ``etag`` (If-None-Match)."""
    header = request.headers.get("if-none-match")
    return header is not None and _matches(header, etag)


class PrebuiltResponse(Response):
    """A response whose status, encoded headers and body were made ahead of time."""

    def __init__(
        self, status_code: int, raw_headers: list[tuple[bytes, bytes]], body: bytes
    ) -> None:
        self.status_code = status_code
        self.body = body
        self.background = None
        self.raw_headers = raw_headers


def unchanged(etag: str, cache_control: str) -> Response:
    """An empty 304 for a client that holds ``etag``, with nothing else worked out."""
    return PrebuiltResponse(
        304, [(b"etag", etag.encode()), (b"cache-control", cache_control.encode())], b""
    )


class Prebuilt:
    """An immutable answer with its 200 and 304 responses encoded once."""

    __slots__ = ("_full", "_unchanged", "body", "etag")

    def __init__(
        self,
        body: bytes,
        *,
        etag: str,
        media_type: str,
        cache_control: str,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.body = body
        self.etag = etag
        if media_type.startswith("text/") and "charset" not in media_type:
            media_type += "; charset=utf-8"  # as Starlette's own responses say it
        common = [
            (b"etag", etag.encode()),
            (b"cache-control", cache_control.encode()),
            *(
                (name.lower().encode("latin-1"), value.encode("latin-1"))
                for name, value in (headers or {}).items()
            ),
        ]
        self._full = [
            (b"content-length", str(len(body)).encode()),
            (b"content-type", media_type.encode()),
            *common,
        ]
        self._unchanged = common

    def respond(self, request: Request) -> Response:
        if not_modified(request, self.etag):
            return PrebuiltResponse(304, self._unchanged, b"")
        return PrebuiltResponse(200, self._full, self.body)


def tagged(
    content: bytes,
    *,
    etag: str,
    request: Request,
    media_type: str = "application/json",
    cache_control: str = IMMUTABLE,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """``content`` with its ETag, or an empty 304 when the client already holds it."""
    answer = Prebuilt(
        content, etag=etag, media_type=media_type, cache_control=cache_control, headers=headers
    )
    return answer.respond(request)
