"""A cap on request body size that answers 413 as a problem, never reading past the cap."""

from __future__ import annotations

import json

from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import PROBLEM_TYPE_BASE

__all__ = ["BodySizeLimit"]


class BodySizeLimit:
    """Refuse bodies over ``max_bytes``: by Content-Length before reading, or while reading."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    def _detail(self) -> str:
        return f"the request body is larger than {self.max_bytes} bytes"

    async def _refuse(self, scope: Scope, send: Send, status: int, detail: str) -> None:
        slug, title = (
            ("payload-too-large", "Request body too large")
            if status == 413
            else ("bad-request", "Bad request")
        )
        body = json.dumps(
            {
                "type": PROBLEM_TYPE_BASE + slug,
                "title": title,
                "status": status,
                "detail": detail,
                "instance": scope.get("path", ""),
            }
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"application/problem+json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD"):
            # No route here reads a body on GET or HEAD.
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    await self._refuse(scope, send, 400, "Content-Length is not a number")
                    return
                if declared > self.max_bytes:
                    await self._refuse(scope, send, 413, self._detail())
                    return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise StarletteHTTPException(413, self._detail())
            return message

        await self.app(scope, limited_receive, send)
