"""Alembic migrations: one chain for SQLite and PostgreSQL (see :mod:`db.migrate`)."""
