"""The web editor: a browser client of the public REST API, served under ``/app/``.

The page is plain HTML with JavaScript modules and one stylesheet, shipped in the
package (``api/web/static``): no build step, and nothing from another host, so it works
on a closed hospital network. Every script talks to the same API as any other client,
with the user's token in an ``Authorization`` header (see ``static/js/api.js`` for where
the token is kept and why).

The shell page is sent with a strict Content Security Policy: scripts and styles only
from this origin, no inline script or style, no framing. The swimlane picture the editor
shows is the SVG export; its stylesheet is served here as ``picture.css`` from the same
constant the exporter writes into standalone pictures, so the page needs no inline style.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib import resources

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse

from api.errors import NotFound
from pathways.errors import Bilingual
from pathways.export.svg import PICTURE_CSS

__all__ = ["CONTENT_SECURITY_POLICY", "web_router"]

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "connect-src 'self'",
        "font-src 'self'",
        "form-action 'self'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ]
)

_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
}

_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    # Revalidate every time (a 304 is cheap), so a new release is never half old.
    "Cache-Control": "no-cache",
}


@dataclass(frozen=True)
class _Asset:
    body: bytes
    media_type: str
    etag: str


def _asset(body: bytes, media_type: str) -> _Asset:
    return _Asset(body, media_type, f'"{hashlib.sha256(body).hexdigest()[:20]}"')


def _load_assets() -> dict[str, _Asset]:
    """Every file under ``static/`` by its path there, and ``picture.css``."""
    root = resources.files(__package__).joinpath("static")
    assets: dict[str, _Asset] = {}
    pending = [("", root)]
    while pending:
        prefix, folder = pending.pop()
        for entry in folder.iterdir():
            name = f"{prefix}{entry.name}"
            if entry.is_dir():
                pending.append((f"{name}/", entry))
                continue
            suffix = name[name.rfind(".") :]
            if suffix in _TYPES:
                assets[name] = _asset(entry.read_bytes(), _TYPES[suffix])
    assets["picture.css"] = _asset(PICTURE_CSS.encode(), _TYPES[".css"])
    return assets


def _send(asset: _Asset, request: Request, extra: dict[str, str] | None = None) -> Response:
    headers = {**_HEADERS, "ETag": asset.etag, **(extra or {})}
    if request.headers.get("if-none-match") == asset.etag:
        return Response(status_code=304, headers=headers)
    return Response(asset.body, media_type=asset.media_type, headers=headers)


def web_router() -> APIRouter:
    """The routes of the web editor; its files are read once, here."""
    assets = _load_assets()
    shell = assets.pop("index.html")
    router = APIRouter(include_in_schema=False)
    page_headers = {
        "Content-Security-Policy": CONTENT_SECURITY_POLICY,
        "X-Frame-Options": "DENY",
        "Cross-Origin-Opener-Policy": "same-origin",
    }

    @router.get("/app")
    def app_root() -> RedirectResponse:
        return RedirectResponse("/app/", status_code=308)

    @router.get("/app/")
    def app_page(request: Request) -> Response:
        """The editor's one page; the route after ``#`` picks the view."""
        return _send(shell, request, page_headers)

    @router.get("/app/static/{name:path}")
    def app_file(name: str, request: Request) -> Response:
        asset = assets.get(name)
        if asset is None:
            raise NotFound(Bilingual(f"no file {name!r}", f"Fila «{name}» finnes ikke."))
        return _send(asset, request)

    return router
