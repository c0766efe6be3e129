"""Settings, read from ``PATHWAYS_*`` environment variables."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from db.session import DEFAULT_DATABASE_URL
from pathways.limits import Limits

__all__ = ["Settings"]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PATHWAYS_", extra="ignore", frozen=True)

    database_url: str = Field(
        default=DEFAULT_DATABASE_URL,
        description="SQLAlchemy URL; default a SQLite file, e.g. "
        "postgresql+psycopg://user@host:5432/pathways for PostgreSQL",
    )
    threads: int = Field(
        default=32, ge=1, le=512, description="Worker threads per process for request handlers"
    )
    max_body_bytes: int = Field(default=4 * 1024 * 1024, ge=1024)
    max_steps: int = Field(default=1000, ge=1)
    max_transitions: int = Field(default=3000, ge=1)
    max_checklist_items: int = Field(default=100, ge=1)
    max_name_length: int = Field(default=300, ge=1, le=300)
    max_text_length: int = Field(default=10_000, ge=1)
    default_page_size: int = Field(default=50, ge=1)
    max_page_size: int = Field(default=200, ge=1)

    @property
    def pool_size(self) -> int:
        """Database connections per process: one per handler thread, so none waits."""
        return self.threads

    @property
    def limits(self) -> Limits:
        return Limits(
            max_steps=self.max_steps,
            max_transitions=self.max_transitions,
            max_checklist_items=self.max_checklist_items,
            max_name_length=self.max_name_length,
            max_text_length=self.max_text_length,
        )
