"""One migration chain for both databases: one head, matches the models, reversible."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, IntegrityError

from api.services.auth import Scope
from db.migrate import downgrade, heads, upgrade
from db.models import Base
from db.session import Database
from tests.conftest import recreate_test_database, derived_test_database

BEFORE_OPERATOR = "448fd2025780"
"""The revision before the ``operator`` scope."""


def test_single_head(database_url: str) -> None:
    assert len(heads(database_url)) == 1


def test_schema_matches_models(database: Database) -> None:
    with database.engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={"compare_type": True, "render_as_batch": database.is_sqlite},
        )
        assert compare_metadata(context, Base.metadata) == []


def test_history_is_append_only_and_versions_immutable(db: Database) -> None:
    with db.writer() as session, session.begin():
        session.execute(
            text(
                "INSERT INTO organizations (id, name, level, created_at) "
                "VALUES (1, 'O', 'hospital', CURRENT_TIMESTAMP)"
            )
        )
        session.execute(
            text(
                "INSERT INTO pathways (id, title, description, target_group, agreement_ref, "
                "rules, revision, created_at, updated_at) VALUES (1, 'P', '', '', '', '{}', 1, "
                "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            )
        )
        session.execute(
            text(
                "INSERT INTO history (pathway_id, at, organization_id, organization_name, level, "
                "token_name, action, summary, changes, revision_before, revision_after) VALUES "
                "(1, CURRENT_TIMESTAMP, 1, 'O', 'hospital', 't', 'a', 's', '{}', 0, 1)"
            )
        )
        session.execute(
            text(
                "INSERT INTO versions (pathway_id, number, revision, document, approvals, "
                "created_at) VALUES (1, 1, 1, '{}', '[]', CURRENT_TIMESTAMP)"
            )
        )
    with pytest.raises(DBAPIError, match="append-only"), db.writer() as session, session.begin():
        session.execute(text("UPDATE history SET summary = 'rewritten'"))
    with pytest.raises(DBAPIError, match="immutable"), db.writer() as session, session.begin():
        session.execute(text("UPDATE versions SET document = '{\"forged\": true}'"))


def _own_database(tmp_path: Path, database_url: str, purpose: str) -> str:
    """A database of the test's own (next to the suite's), empty, without a schema."""
    if make_url(database_url).get_backend_name() == "sqlite":
        return f"sqlite:///{tmp_path}/{purpose}.db"
    url = derived_test_database(database_url, purpose)
    recreate_test_database(url)
    return url


def test_downgrade_to_base_and_upgrade_again(tmp_path: Path, database_url: str) -> None:
    """Runs on a database of its own, so that the shared test database stays at head."""
    url = _own_database(tmp_path, database_url, "migration")
    upgrade(url)
    database = Database.connect(url, pool_size=1)
    try:
        with database.writer() as session, session.begin():
            session.execute(
                text(
                    "INSERT INTO organizations (name, level, created_at) "
                    "VALUES ('Kept', 'municipality', CURRENT_TIMESTAMP)"
                )
            )
        downgrade(url, "base")
        assert set(inspect(database.engine).get_table_names()) <= {"alembic_version"}
        upgrade(url)
        assert "history" in inspect(database.engine).get_table_names()
    finally:
        database.dispose()


def _insert_token(database: Database, token_id: int, name: str, scope: str) -> None:
    with database.writer() as session, session.begin():
        session.execute(
            text(
                "INSERT INTO tokens (id, organization_id, name, scope, prefix, secret_hash, "
                "created_at) VALUES (:id, 1, :name, :scope, 'htt_x', :hash, CURRENT_TIMESTAMP)"
            ),
            {"id": token_id, "name": name, "scope": scope, "hash": f"hash-{token_id}"},
        )


def _scopes(database: Database) -> dict[str, str]:
    with database.reader() as session:
        return dict(session.execute(text("SELECT name, scope FROM tokens")).all())


def test_operator_scope_migration_moves_the_demo_operator_and_keeps_admins(
    tmp_path: Path, database_url: str
) -> None:
    """Up from the revision before it, with history rows that refer to the tokens (a
    table copy would fail on those): the demo's operator token becomes ``operator``,
    other ``admin`` tokens stay ``admin``; the constraint admits ``operator`` and still
    refuses what is no scope; down again, ``operator`` tokens become ``admin``."""
    url = _own_database(tmp_path, database_url, "operator_scope")
    upgrade(url, BEFORE_OPERATOR)
    database = Database.connect(url, pool_size=1)
    try:
        with database.writer() as session, session.begin():
            session.execute(
                text(
                    "INSERT INTO organizations (id, name, level, created_at) "
                    "VALUES (1, 'Helse Fjordvik HF', 'hospital', CURRENT_TIMESTAMP)"
                )
            )
            session.execute(
                text(
                    "INSERT INTO pathways (id, title, description, target_group, agreement_ref,"
                    " rules, revision, created_at, updated_at) VALUES (1, 'P', '', '', '', '{}',"
                    " 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                )
            )
        for token_id, name, scope in [
            (1, "demo operator", "admin"),
            (2, "IT department", "admin"),
            (3, "demo editor", "edit"),
            (4, "DIPS", "read"),
        ]:
            _insert_token(database, token_id, name, scope)
        with database.writer() as session, session.begin():
            session.execute(
                text(
                    "INSERT INTO history (pathway_id, at, organization_id, organization_name, "
                    "level, token_id, token_name, action, summary, changes, revision_before, "
                    "revision_after) VALUES (1, CURRENT_TIMESTAMP, 1, 'O', 'hospital', :token, "
                    "'t', 'a', 's', '{}', 0, 1)"
                ),
                [{"token": token_id} for token_id in (1, 2, 3)],
            )
        with pytest.raises(IntegrityError):
            _insert_token(database, 5, "too early", "operator")
        database.dispose()

        upgrade(url)
        assert _scopes(database) == {
            "demo operator": "operator",
            "IT department": "admin",
            "demo editor": "edit",
            "DIPS": "read",
        }
        for token_id, scope in enumerate(Scope, start=10):
            _insert_token(database, token_id, f"new {scope.value}", scope.value)
        with pytest.raises(IntegrityError):
            _insert_token(database, 20, "owner", "owner")
        with database.reader() as session:
            history = session.execute(text("SELECT count(*) FROM history")).scalar_one()
        assert history == 3
        database.dispose()

        downgrade(url, BEFORE_OPERATOR)
        scopes = _scopes(database)
        assert scopes["demo operator"] == scopes["new operator"] == "admin"
        assert scopes["IT department"] == "admin"
        with pytest.raises(IntegrityError):
            _insert_token(database, 21, "operator again", "operator")
        database.dispose()
        upgrade(url)
        assert _scopes(database)["demo operator"] == "operator"
    finally:
        database.dispose()
