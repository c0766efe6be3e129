"""Test fixtures for both databases.

The database is SQLite in a temporary file unless ``PATHWAYS_TEST_DATABASE_URL`` names
another (CI sets a PostgreSQL URL). A PostgreSQL database given that way is dropped and
created anew, then built with ``alembic upgrade head``; so its name must end in ``_test``
(``pathways_test``), or the run stops before touching it. Tests never skip when it is
unreachable: they fail. Each test starts from empty tables.

``XDG_DATA_HOME`` points at a temporary directory for the whole run, so that a console
command started on the embedded default never touches the user's own database.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from api.app import create_app
from api.services.auth import Scope
from api.services.organizations import create_organization, create_token
from api.settings import Settings
from db.migrate import upgrade
from db.models import Base
from db.session import Database
from pathways.limits import DEFAULT_LIMITS
from pathways.model import Level

EXAMPLE = Path(__file__).resolve().parent.parent / "pathways" / "examples" / "hip-fracture.json"


TEST_SUFFIX = "_test"


def require_test_database(url: str) -> None:
    """Stop the run unless ``url``'s PostgreSQL database is one the tests may drop: its
    name ends in ``_test``."""
    name = make_url(url).database or ""
    if not name.endswith(TEST_SUFFIX):
        raise pytest.UsageError(
            f"refusing to drop and recreate the PostgreSQL database {name!r}: the tests do "
            f"that to the database they run on, so its name must end in {TEST_SUFFIX!r} "
            "(e.g. .../pathways_test)"
        )


def derived_test_database(url: str, purpose: str) -> str:
    """A second database next to the test database, e.g. ``pathways_test`` →
    ``pathways_migration_test`` (so that concurrent runs on different databases do not
    share it); its name ends in ``_test`` too."""
    parsed = make_url(url)
    require_test_database(url)
    stem = (parsed.database or "")[: -len(TEST_SUFFIX)]
    return parsed.set(database=f"{stem}_{purpose}{TEST_SUFFIX}").render_as_string(
        hide_password=False
    )


def pytest_configure(config: pytest.Config) -> None:
    """Refuse, before any test runs, a PostgreSQL test database the run may not drop."""
    url = os.environ.get("PATHWAYS_TEST_DATABASE_URL")
    if url and make_url(url).get_backend_name() == "postgresql":
        require_test_database(url)


def recreate_test_database(url: str) -> None:
    """Drop and create the PostgreSQL database of ``url``, which must be a test database."""
    require_test_database(url)
    parsed = make_url(url)
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            name = parsed.database
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()


@pytest.fixture(scope="session", autouse=True)
def _private_data_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The user's data directory (the embedded default database) is a temporary one."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("data-home")))
        yield


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("PATHWAYS_TEST_DATABASE_URL")
    if url:
        if make_url(url).get_backend_name() == "postgresql":
            recreate_test_database(url)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'pathways.db'}"
    upgrade(url)
    return url


@pytest.fixture(scope="session")
def database(database_url: str) -> Iterator[Database]:
    database = Database.connect(database_url, pool_size=8)
    yield database
    database.dispose()


def _empty_all_tables(database: Database) -> None:
    tables = [table.name for table in reversed(Base.metadata.sorted_tables)]
    with database.engine.begin() as connection:
        if database.is_sqlite:
            for name in tables:
                connection.execute(text(f"DELETE FROM {name}"))
        else:
            connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))


@pytest.fixture
def db(database: Database) -> Iterator[Database]:
    """The test database, with empty tables."""
    _empty_all_tables(database)
    return database


@pytest.fixture
def settings(database_url: str) -> Settings:
    # No delivery worker: it would poll the database while tests count statements; the
    # delivery tests (tests/test_webhook_delivery.py) start their own.
    return Settings(database_url=database_url, threads=8, webhook_delivery=False)


@pytest.fixture
def app_client(db: Database, settings: Settings) -> Iterator[TestClient]:
    app = create_app(settings, database=Database.connect(settings.database_url, pool_size=8))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@dataclass
class Actor:
    """An API client holding one organisation's token."""

    http: TestClient
    token: str
    organization_id: int
    level: Level
    name: str

    def request(
        self, method: str, url: str, *, etag: str | None = None, **kwargs: Any
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.token}", **kwargs.pop("headers", {})}
        if etag is not None:
            headers["If-Match"] = etag
        return self.http.request(method, url, headers=headers, **kwargs)

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", url, **kwargs)

    def put(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("PUT", url, **kwargs)

    def patch(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("PATCH", url, **kwargs)

    def delete(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("DELETE", url, **kwargs)


@dataclass
class World:
    hospital: Actor
    municipality: Actor
    municipality_b: Actor
    outsider: Actor
    hospital_reader: Actor
    operator: Actor
    """An ``operator`` token (of the hospital): every organisation and token."""
    admin: Actor
    """An ``admin`` token of the outsider's organisation: its own organisation's tokens."""


@pytest.fixture
def world(db: Database, app_client: TestClient) -> World:
    """Four organisations with tokens: a hospital, two municipalities, an outsider; a read
    token of the hospital, the operator, and an admin of the outsider's organisation."""
    created: dict[str, tuple[int, Level, str]] = {}
    tokens: dict[str, str] = {}
    with db.writer() as session, session.begin():
        for key, name, level in [
            ("hospital", "Helse Test HF", Level.HOSPITAL),
            ("municipality", "Testvik kommune", Level.MUNICIPALITY),
            ("municipality_b", "Nabovik kommune", Level.MUNICIPALITY),
            ("outsider", "Utenfor kommune", Level.MUNICIPALITY),
        ]:
            row = create_organization(
                session,
                client=None,
                name=name,
                level=level,
                organization_number=None,
                her_id=None,
                limits=DEFAULT_LIMITS,
            )
            created[key] = (row.id, level, name)
        for key, org, scope in [
            ("hospital", "hospital", Scope.EDIT),
            ("municipality", "municipality", Scope.EDIT),
            ("municipality_b", "municipality_b", Scope.EDIT),
            ("outsider", "outsider", Scope.EDIT),
            ("hospital_reader", "hospital", Scope.READ),
            ("operator", "hospital", Scope.OPERATOR),
            ("admin", "outsider", Scope.ADMIN),
        ]:
            _, secret = create_token(
                session,
                client=None,
                organization_id=created[org][0],
                name=f"{key} token",
                scope=scope,
                limits=DEFAULT_LIMITS,
            )
            tokens[key] = secret
    org_of = {
        "hospital_reader": "hospital",
        "operator": "hospital",
        "admin": "outsider",
    }
    actors = {
        key: Actor(app_client, secret, *created[org_of.get(key, key)])
        for key, secret in tokens.items()
    }
    return World(**actors)


@pytest.fixture
def example_bytes() -> bytes:
    return EXAMPLE.read_bytes()
