"""A cap on request body size that answers 413 as a problem, never reading past the cap.

Its problems are answered here, before the app (and its problem handlers) see the
request, in the language of the request's ``Accept-Language`` as every problem is."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.deps import problem_language
from api.errors import BadRequest, BodyTooLarge, PayloadTooLarge
from api.problems import language_headers, problem_body
from pathways.errors import Bilingual

__all__ = ["BodySizeLimit"]


class BodySizeLimit:
    """Refuse bodies over ``max_bytes``: by Content-Length before reading, or while reading.

    ``larger`` gives paths (regular expressions, matched whole) their own cap: a handover
    log import streams far more than any other body."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_bytes: int,
        larger: Sequence[tuple[str, int]] = (),
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.larger = [(re.compile(pattern), cap) for pattern, cap in larger]

    def _cap(self, scope: Scope) -> int:
        path = scope.get("path", "")
        for pattern, cap in self.larger:
            if pattern.fullmatch(path):
                return cap
        return self.max_bytes

    def _detail(self, cap: int | None = None) -> Bilingual:
        cap = self.max_bytes if cap is None else cap
        return Bilingual(
            f"the request body is larger than {cap} bytes",
            f"Innholdet i forespørselen er større enn {cap} byte.",
        )

    async def _refuse(self, scope: Scope, send: Send, status: int, detail: Bilingual) -> None:
        error = PayloadTooLarge if status == 413 else BadRequest
        accept = next(
            (value for name, value in scope.get("headers", ()) if name == b"accept-language"),
            b"",
        )
        language = problem_language(accept.decode("latin-1"))
        body = json.dumps(
            problem_body(
                language,
                status=status,
                slug=error.slug,
                title=error.title,
                detail=detail,
                instance=scope.get("path", ""),
            )
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"application/problem+json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                    *(
                        (name.lower().encode(), value.encode())
                        for name, value in language_headers(language).items()
                    ),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD"):
            # No route here reads a body on GET or HEAD.
            await self.app(scope, receive, send)
            return
        cap = self._cap(scope)
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    await self._refuse(
                        scope,
                        send,
                        400,
                        Bilingual(
                            "Content-Length is not a number",
                            "Content-Length må være et tall.",
                        ),
                    )
                    return
                if declared > cap:
                    await self._refuse(scope, send, 413, self._detail(cap))
                    return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > cap:
                    raise BodyTooLarge(self._detail(cap))
            return message

        await self.app(scope, limited_receive, send)
