"""Request dependencies: settings, the transaction, the caller, pagination, If-Match.

The session dependency owns the request's transaction: it commits when the handler
returns and rolls back when anything raises, *before* the response is sent
(``scope="function"``), so a 2xx is only ever sent for a committed change. It holds a
place at the :class:`~api.gate.DatabaseGate` meanwhile. Dependencies that do no I/O are
``async`` so that they cost no thread hop.
"""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import IO, Annotated, Any, TypeVar

import anyio
import anyio.to_thread
from fastapi import Depends, Header, Path, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from api.audit import remember_client
from api.errors import Unprocessable
from api.gate import DatabaseGate
from api.openapi import SPEC_REQUIRED
from api.services.auth import Client, authenticate, hash_token
from api.services.caches import VersionCache
from api.services.handovers import HandoverService
from api.settings import Settings
from db.repositories.pathways import DRAFTS
from db.session import Database
from pathways.errors import Bilingual
from pathways.limits import DEFAULT_LIMITS, Limits
from pathways.text import KEY_PATTERN

__all__ = [
    "CONDITIONAL",
    "IF_MATCH_PATTERN",
    "ClientDep",
    "IdPath",
    "IfMatch",
    "KeyPath",
    "LanguageDep",
    "LimitsDep",
    "PageDep",
    "SessionDep",
    "SettingsDep",
    "SpooledBody",
    "VersionSelector",
    "problem_language",
]

T = TypeVar("T")
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_bearer = HTTPBearer(auto_error=False, description="A token issued by `pathways token create`")


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(get_settings)]


async def get_limits(settings: SettingsDep) -> Limits:
    return settings.limits


LimitsDep = Annotated[Limits, Depends(get_limits)]


def _finish(session: Session, commit: bool) -> None:
    """Commit (a change) and close: one trip to a worker thread. Closing rolls back what
    is not committed: a read's transaction, or a change that failed."""
    try:
        if commit:
            session.commit()
    finally:
        session.close()


async def get_session(request: Request) -> AsyncIterator[Session]:
    """A session for this request, holding a place at the database gate.

    Its I/O (queries in the endpoint, and the commit here) runs in worker threads; the
    commit happens before the response is sent. The session keeps the drafts it reads
    in the app's cache (``db.repositories.pathways.DRAFTS``).
    """
    database: Database = request.app.state.database
    gate: DatabaseGate = request.app.state.gate
    cache: VersionCache = request.app.state.handovers.versions
    writes = request.method not in _SAFE_METHODS
    factory = database.writer if writes else database.reader
    async with gate.place(write=writes):
        session = factory(info={DRAFTS: cache.drafts})
        try:
            yield session
        except BaseException:
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(session.close)
            raise
        with anyio.CancelScope(shield=True):
            await anyio.to_thread.run_sync(_finish, session, writes)


SessionDep = Annotated[Session, Depends(get_session, scope="function")]


async def get_client(
    request: Request,
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Client:
    """The caller, from the token cache (``api.services.caches.TokenCache``) when this
    worker has seen its token within the cache's bound, else from the database."""
    token = credentials.credentials if credentials else None
    handovers: HandoverService = request.app.state.handovers
    client = handovers.cached_client(token)
    if client is None:
        client = await anyio.to_thread.run_sync(authenticate, session, token)
        if token:
            handovers.tokens.put(hash_token(token), client)
    remember_client(request, client)
    return client


ClientDep = Annotated[Client, Depends(get_client)]


async def get_reader(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Reader:
    """The caller (from the token cache, else one short read of its own) and a way to
    run one read in a single trip to the thread pool: what the hottest reads use."""
    handovers: HandoverService = request.app.state.handovers
    token = credentials.credentials if credentials else None
    client = handovers.cached_client(token) or await handovers.authenticate(token)
    remember_client(request, client)
    return Reader(request, client)


class Reader:
    """One read transaction in one trip to a worker thread, at a place at the gate.

    A sync route with :data:`SessionDep` takes two trips (the endpoint, then the close)
    and an exit stack; the hottest reads (a pathway, its gaps, a version, the feed)
    run their whole transaction in one instead.
    """

    __slots__ = ("client", "request")

    def __init__(self, request: Request, client: Client) -> None:
        self.request = request
        self.client = client

    async def run(self, function: Callable[..., T], /, **kwargs: Any) -> T:
        app = self.request.app
        cache: VersionCache = app.state.handovers.versions
        database: Database = app.state.database

        def read() -> T:
            with database.reader(info={DRAFTS: cache.drafts}) as session:
                return function(session, client=self.client, **kwargs)

        gate: DatabaseGate = app.state.gate
        return await gate.run(read)


ReaderDep = Annotated[Reader, Depends(get_reader)]


@dataclass(frozen=True, slots=True)
class PageParams:
    limit: int
    offset: int


_PAGE = Settings.model_fields
_DEFAULT_PAGE_SIZE: int = _PAGE["default_page_size"].default
_MAX_PAGE_SIZE: int = _PAGE["max_page_size"].default


async def get_page(
    settings: SettingsDep,
    limit: Annotated[
        int | None,
        # The spec is made with the default settings: it states their cap, which the
        # check below enforces for whatever cap the settings give.
        Query(
            ge=1,
            le=_MAX_PAGE_SIZE,
            description=f"Page size (default {_DEFAULT_PAGE_SIZE}, at most {_MAX_PAGE_SIZE})",
        ),
    ] = None,
    offset: Annotated[int, Query(ge=0, le=2_000_000_000)] = 0,
) -> PageParams:
    size = settings.default_page_size if limit is None else limit
    if size > settings.max_page_size:
        raise Unprocessable(
            Bilingual(
                f"limit is {size}; at most {settings.max_page_size} items are served per page",
                f"limit er {size}, men en side har høyst {settings.max_page_size} elementer.",
            ),
            errors=[
                {
                    "loc": ["query", "limit"],
                    "pointer": None,
                    "detail": Bilingual(
                        f"at most {settings.max_page_size}",
                        f"kan være høyst {settings.max_page_size}",
                    ),
                }
            ],
        )
    return PageParams(limit=size, offset=offset)


PageDep = Annotated[PageParams, Depends(get_page)]

IdPath = Annotated[int, Path(ge=1, le=2_147_483_647)]
KeyPath = Annotated[
    str, Path(min_length=1, max_length=DEFAULT_LIMITS.max_key_length, pattern=KEY_PATTERN)
]

IF_MATCH_PATTERN = r"^\s*([^\s*]|\*\s*\S)"
"""What :func:`api.services.editing.check_if_match` takes for an entity tag (list): not
blank and not ``*``, which get 428. Documented, not enforced here: a missing or blank
If-Match must get 428 (the product's contract), not the 422 of a failed validation."""


async def get_if_match(
    if_match: Annotated[
        str | None,
        Header(
            alias="If-Match",
            max_length=200,
            description="The ETag of the revision you read; required for every change "
            "(428 without it, 412 if it is not the current one)",
            json_schema_extra={"pattern": IF_MATCH_PATTERN, SPEC_REQUIRED: True},
        ),
    ] = None,
) -> str | None:
    return if_match


IfMatch = Annotated[str | None, Depends(get_if_match)]


async def get_if_none_match(
    if_none_match: Annotated[
        str | None,
        Header(
            alias="If-None-Match",
            max_length=2000,
            description="ETags you hold: 304 Not Modified when one is current",
        ),
    ] = None,
) -> None:
    """Documents ``If-None-Match`` (:func:`api.conditional.tagged` reads the header)."""


CONDITIONAL = Depends(get_if_none_match)
"""``dependencies=[CONDITIONAL]`` on a route that may answer 304."""


def _language(header: str | None) -> str:
    """``nb``, ``nn`` or ``en`` from an Accept-Language header (``no`` reads as ``nb``)."""
    best, best_q = "en", -1.0
    for part in (header or "")[:500].split(","):
        tag, _, params = part.strip().partition(";")
        primary = tag.strip().lower().split("-")[0]
        language = {"nb": "nb", "no": "nb", "nn": "nn", "en": "en"}.get(primary)
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        if language and q > best_q:
            best, best_q = language, q
    return best


def problem_language(header: str | None) -> str:
    """The language of a problem's title and detail, from an Accept-Language header:
    ``nb`` for Norwegian (``nb``, ``no`` and ``nn``: problems are said in bokmål), ``en``
    otherwise. The problem handlers read the header themselves: a problem may come before
    any dependency has run."""
    return "en" if _language(header) == "en" else "nb"


async def get_language(
    accept_language: Annotated[
        str | None,
        Header(
            alias="Accept-Language",
            max_length=500,
            description="nb (also no) for Norwegian bokmål, nn for nynorsk; en otherwise",
        ),
    ] = None,
) -> str:
    return _language(accept_language)


LanguageDep = Annotated[str, Depends(get_language)]


def _version(value: str | None) -> int | None:
    return None if value in (None, "draft") else int(value)


async def get_version_selector(
    version: Annotated[
        str | None,
        Query(
            pattern=r"^(draft|[1-9][0-9]{0,8})$",
            description="An approved version number, or 'draft' (the default)",
        ),
    ] = None,
) -> int | None:
    return _version(version)


VersionSelector = Annotated[int | None, Depends(get_version_selector)]


_SPOOL_IN_MEMORY = 8 * 1024 * 1024
_SPOOL_WRITE = 1024 * 1024


async def get_spooled_body(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> AsyncIterator[IO[bytes]]:
    """The request body as a file, read from the stream as it comes: up to 8 MiB in
    memory, beyond that in a temporary file (written from a worker thread a MiB at a
    time), so that a large upload never sits in memory whole. Declared before the session
    so that a slow upload holds no place at the database; the token is checked first (one
    short read of its own, or the token cache), so that no unknown client streams to the
    disk (401). The body-size middleware caps it (413 while it streams)."""
    handovers: HandoverService = request.app.state.handovers
    token = credentials.credentials if credentials else None
    handovers.cached_client(token) or await handovers.authenticate(token)
    spool: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY)  # noqa: SIM115
    try:
        pending: list[bytes] = []
        size = 0
        async for chunk in request.stream():
            pending.append(chunk)
            size += len(chunk)
            if size >= _SPOOL_WRITE:
                await anyio.to_thread.run_sync(spool.write, b"".join(pending))
                pending, size = [], 0
        spool.write(b"".join(pending))
        spool.seek(0)
        yield spool
    finally:
        spool.close()


SpooledBody = Annotated[IO[bytes], Depends(get_spooled_body)]
