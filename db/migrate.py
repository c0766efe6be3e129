"""Run the Alembic migrations programmatically (``pathways serve`` migrates on start)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy.engine import URL

import migrations

__all__ = ["alembic_config", "downgrade", "heads", "upgrade"]


def alembic_config(url: str | URL) -> Config:
    """An Alembic config for ``url`` that works from any working directory."""
    config = Config()
    config.set_main_option("script_location", str(Path(migrations.__file__).parent))
    config.attributes["url"] = url
    return config


def upgrade(url: str | URL, revision: str = "head") -> None:
    """Migrate the database at ``url`` up to ``revision``."""
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str | URL, revision: str = "base") -> None:
    command.downgrade(alembic_config(url), revision)


def heads(url: str | URL) -> tuple[str, ...]:
    """The head revisions of the migration chain (one, if the chain is healthy)."""
    return tuple(ScriptDirectory.from_config(alembic_config(url)).get_heads())
