"""The FastAPI application. Nothing is connected at import time: see :func:`create_app`."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import FastAPI
from fastapi_offline import FastAPIOffline

from api.gate import DatabaseGate
from api.middleware import BodySizeLimit
from api.openapi import install_openapi
from api.problems import install_problem_handlers
from api.routers import (
    catalogue,
    comments,
    conformance,
    graph,
    handovers,
    health,
    hearings,
    notifications,
    organizations,
    participants,
    partnerships,
    pathways,
    reference,
    reviews,
    variants,
)
from api.routers.query import DeclaredQueryRoute
from api.services.caches import TokenCache, VersionCache
from api.services.delivery import DeliveryWorker
from api.services.handovers import HandoverService
from api.settings import Settings
from api.web import web_router
from db.session import Database

__all__ = ["CONFORMANCE_IMPORT_PATH", "app_from_environment", "create_app"]

CONFORMANCE_IMPORT_PATH = r"/pathways/[0-9]+/conformance/events"
"""The one route whose bodies may be larger than ``PATHWAYS_MAX_BODY_BYTES``."""

DESCRIPTION = """\
Shared patient pathways between a hospital trust and its municipalities, *hjem til hjem*:
from the patient's home, through municipal and hospital steps, back home.

Both care levels edit on equal terms. Every change needs `If-Match` with the ETag you
read; a stale one gets 412 and changes nothing. Every error is `application/problem+json`.
"""


def create_app(settings: Settings | None = None, *, database: Database | None = None) -> FastAPI:
    """A new app for ``settings`` (default: from the environment)."""
    settings = settings or Settings()
    database = database or Database.connect(settings.database_url, pool_size=settings.pool_size)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # At most `threads` requests use the database at once (the gate); each uses one
        # thread at a time, and the pool has a connection for each. Spare threads serve
        # work that holds no database place.
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.threads + 8
        # What exists after start-up lives as long as the process: keep the garbage
        # collector from scanning it again and again (long pauses at p99 otherwise).
        gc.collect()
        gc.freeze()
        worker = DeliveryWorker(database, settings) if settings.webhook_delivery else None
        if worker is not None:
            worker.start()  # the webhook outbox (api.services.delivery)
        yield
        if worker is not None:
            await anyio.to_thread.run_sync(worker.stop)
        database.dispose()

    # Interactive docs (/docs, /redoc) from assets installed with the package: hospital
    # networks are often closed, and the page must not load anything from another host.
    app = FastAPIOffline(
        title="Hjem til hjem",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        static_url="/docs/assets",
        favicon_url="/docs/assets/favicon.png",
        # Swagger UI would otherwise fetch a badge from its public validator.
        swagger_ui_parameters={"validatorUrl": None},
        openapi_tags=[
            {"name": "pathways", "description": "Shared pathways, their history and document"},
            {"name": "catalogue", "description": "Every approved pathway: the public agreements"},
            {"name": "graph", "description": "Steps and transitions of a draft"},
            {"name": "participants", "description": "Organisations taking part"},
            {"name": "variants", "description": "Local variants of a shared pathway"},
            {"name": "reviews", "description": "Gaps, approvals, versions and diffs"},
            {"name": "comments", "description": "Comments on elements of a revision"},
            {"name": "hearings", "description": "Hearing rounds and their answers"},
            {"name": "notifications", "description": "Webhooks and the event feed"},
            {"name": "handovers", "description": "Checklists for integrations (EPJ, care records)"},
            {"name": "organizations", "description": "Organisations and tokens"},
            {"name": "reference", "description": "Handover messages and gap rules"},
            {"name": "service", "description": "Health and identity"},
        ],
    )
    app.state.settings = settings
    app.state.database = database
    install_problem_handlers(app)
    gate = DatabaseGate(
        slots=settings.threads,
        wait_seconds=settings.db_wait_seconds,
        one_writer=database.is_sqlite,
    )
    app.state.gate = gate
    app.state.handovers = HandoverService(
        database,
        gate,
        VersionCache(latest_ttl=settings.latest_version_seconds),
        TokenCache(ttl=settings.token_cache_seconds),
        fhir_base_url=settings.fhir_base_url,
    )
    # Routes added to the app itself refuse unknown query parameters too (the routers
    # do through their route classes): tests/api/test_catalogue.py checks every route.
    app.router.route_class = DeclaredQueryRoute
    # The integrations' hot routes first: routing tries routes in order.
    handovers.add_hot_routes(app)
    for module in (
        handovers,
        health,
        organizations,
        partnerships,
        pathways,
        reference,
        catalogue,
        graph,
        participants,
        reviews,
        variants,
        comments,
        hearings,
        notifications,
        conformance,
    ):
        app.include_router(module.router)
    app.include_router(web_router())  # the web editor (/app/), a client of the routes above
    app.add_middleware(
        BodySizeLimit,
        max_bytes=settings.max_body_bytes,
        larger=[(CONFORMANCE_IMPORT_PATH, settings.conformance_max_body_bytes)],
    )
    install_openapi(app)
    return app


def app_from_environment() -> FastAPI:
    """The factory uvicorn workers call (``pathways serve``)."""
    return create_app(Settings())
