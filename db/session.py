"""Engines and sessions for SQLite (the embedded default) and PostgreSQL.

A :class:`Database` holds one engine and two session factories: ``reader`` for requests
that change nothing, ``writer`` for those that do. On SQLite a writer's transaction starts
with ``BEGIN IMMEDIATE`` so that concurrent writers queue on the database lock instead of
failing when a read lock cannot be upgraded; on PostgreSQL writers lock the rows they
change (``SELECT … FOR UPDATE``, in the repositories).

Nothing here commits on its own: the caller (one request, one CLI command) owns the
transaction.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session, sessionmaker

from db.types import SQLITE_LOWER, lower_text

__all__ = [
    "Database",
    "data_directory",
    "default_database_url",
    "describe_database",
    "make_engine",
    "sqlite_file",
]

APP_DIRECTORY = "hjem-til-hjem"


def data_directory() -> Path:
    """The user's data directory for this application, the same from any working
    directory: ``$XDG_DATA_HOME/hjem-til-hjem`` (default ``~/.local/share/hjem-til-hjem``)
    on Linux and other Unix systems, ``~/Library/Application Support/hjem-til-hjem`` on
    macOS, ``%LOCALAPPDATA%\\hjem-til-hjem`` on Windows."""
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / APP_DIRECTORY
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / APP_DIRECTORY
    xdg = os.environ.get("XDG_DATA_HOME", "")
    # The XDG Base Directory rule: a relative value is invalid and is ignored.
    base_path = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".local" / "share"
    return base_path / APP_DIRECTORY


def default_database_url() -> str:
    """The embedded default: ``pathways.db`` in :func:`data_directory`, an absolute path."""
    return f"sqlite:///{(data_directory() / 'pathways.db').as_posix()}"


_IMMEDIATE = "hjem_begin_immediate"


def sqlite_file(url: str | URL) -> Path | None:
    """The file of a SQLite URL, or ``None`` for another database or an in-memory one."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    if parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def describe_database(url: str | URL) -> str:
    """Where ``url`` points, to print: a SQLite file as its absolute path, another
    database as its URL with the password masked."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = sqlite_file(parsed)
        return "SQLite in memory" if path is None else f"SQLite file {path.resolve()}"
    return parsed.render_as_string(hide_password=True)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event below issue BEGIN, not the driver.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()
        # Case-insensitive search of any letter (SQLite's lower() folds ASCII only).
        dbapi_connection.create_function(SQLITE_LOWER, 1, lower_text, deterministic=True)

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        immediate = connection.get_execution_options().get(_IMMEDIATE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def make_engine(url: str | URL, *, pool_size: int = 40, echo: bool = False) -> Engine:
    """An engine for ``url`` whose pool holds ``pool_size`` connections.

    Keep ``pool_size`` at least as large as the number of threads that may use it at
    once, or requests queue on the pool instead of on the database.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = sqlite_file(parsed)
        pool: dict[str, Any] = {}
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            pool = {"pool_size": pool_size, "max_overflow": 0, "pool_timeout": 30}
        engine = create_engine(
            parsed,
            echo=echo,
            connect_args={"check_same_thread": False, "timeout": 30},
            **pool,
        )
        _configure_sqlite(engine)
        return engine
    return create_engine(
        parsed,
        echo=echo,
        pool_size=pool_size,
        max_overflow=4,
        pool_timeout=30,
        pool_pre_ping=True,
    )


@dataclass(frozen=True, slots=True)
class Database:
    engine: Engine
    reader: sessionmaker[Session]
    writer: sessionmaker[Session]

    @classmethod
    def connect(cls, url: str | URL, *, pool_size: int = 40) -> Database:
        engine = make_engine(url, pool_size=pool_size)
        writer_engine = engine.execution_options(**{_IMMEDIATE: True})
        return cls(
            engine=engine,
            reader=sessionmaker(engine, expire_on_commit=False),
            writer=sessionmaker(writer_engine, expire_on_commit=False),
        )

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def dispose(self) -> None:
        self.engine.dispose()
