"""One migration chain for both databases: one head, matches the models, reversible."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError

from db.migrate import downgrade, heads, upgrade
from db.models import Base
from db.session import Database


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


def test_downgrade_to_base_and_upgrade_again(tmp_path: object, database_url: str) -> None:
    """Runs on a database of its own, so that the shared test database stays at head."""
    from sqlalchemy.engine import make_url

    if make_url(database_url).get_backend_name() == "sqlite":
        url = f"sqlite:///{tmp_path}/chain.db"
    else:
        url = str(make_url(database_url).set(database="pathways_migration_test"))
        from tests.conftest import _recreate_postgres_database

        _recreate_postgres_database(url)
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
