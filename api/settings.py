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
    db_wait_seconds: float = Field(
        default=3.0,
        gt=0,
        le=60,
        description="How long a request may wait for a database place before it is "
        "answered 503 with Retry-After",
    )
    max_body_bytes: int = Field(default=4 * 1024 * 1024, ge=1024)
    max_steps: int = Field(default=1000, ge=1)
    max_transitions: int = Field(default=3000, ge=1)
    max_checklist_items: int = Field(default=100, ge=1)
    max_name_length: int = Field(default=300, ge=1, le=300)
    max_text_length: int = Field(default=10_000, ge=1)
    token_cache_seconds: float = Field(
        default=5.0,
        ge=0,
        le=300,
        description="How long a worker trusts a token on the checklist routes without asking "
        "the database: a revoked token stops working there within this bound",
    )
    latest_version_seconds: float = Field(
        default=2.0,
        ge=0,
        le=300,
        description="How long a worker trusts its answer to 'the latest approved version'",
    )
    default_page_size: int = Field(default=50, ge=1)
    max_page_size: int = Field(default=200, ge=1)

    @property
    def pool_size(self) -> int:
        """Database connections per process: one per place at the gate, and a spare."""
        return self.threads + 2

    @property
    def limits(self) -> Limits:
        return Limits(
            max_steps=self.max_steps,
            max_transitions=self.max_transitions,
            max_checklist_items=self.max_checklist_items,
            max_name_length=self.max_name_length,
            max_text_length=self.max_text_length,
        )
