"""Settings, read from ``PATHWAYS_*`` environment variables."""

from __future__ import annotations

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from db.session import default_database_url
from pathways.limits import DEFAULT_LIMITS, Limits

__all__ = ["Settings"]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PATHWAYS_", extra="ignore", frozen=True)

    database_url: str = Field(
        default_factory=default_database_url,
        description="SQLAlchemy URL; default the SQLite file pathways.db in the user's data "
        "directory (on Linux $XDG_DATA_HOME/hjem-til-hjem, default "
        "~/.local/share/hjem-til-hjem), e.g. "
        "postgresql+psycopg://user@host:5432/pathways for PostgreSQL",
    )
    access_log: bool = Field(
        default=False,
        description="pathways serve: log one line per request (uvicorn's access log). Off by "
        "default: it costs the checklist routes a quarter to a third of their throughput; denied "
        "requests are logged on the pathways.audit logger either way",
    )
    forwarded_allow_ips: str = Field(
        default="127.0.0.1,::1",
        description="pathways serve: the proxies (comma-separated IPs or networks, '*' for "
        "any) whose X-Forwarded-For and X-Forwarded-Proto headers are trusted",
    )
    fhir_base_url: str | None = Field(
        default=None,
        pattern=r"^(https?://|urn:)[^\s|#]+$",
        description="Base of the canonical URLs in the FHIR export and the FHIR checklists "
        "({base}/PlanDefinition/pathway-1, {base}/Questionnaire/..., "
        "{base}/StructureDefinition/...), e.g. https://fhir.example.org/hjem-til-hjem: the "
        "address under which your organisation publishes them. Unset (or empty): "
        "urn:hjem-til-hjem:fhir, a name that is no address. Set it before versions are "
        "approved: their exports are served as immutable",
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
    conformance_max_body_bytes: int = Field(
        default=512 * 1024 * 1024,
        ge=1024,
        description="Largest handover log one import may send (POST "
        "/pathways/{id}/conformance/events): it is streamed to a temporary file, never held "
        "in memory. 512 MiB holds a year of a large partnership (a million events: about "
        "70 MB as CSV, 240 MB as XES)",
    )
    payment_daily_rates: dict[int, int] = Field(
        default_factory=lambda: {2024: 5745},
        description="The daily rate (kroner) a municipality pays for a patient ready for "
        'discharge, by year, as JSON: {"2024": 5745, "2025": 6000}. A year without its '
        "own rate takes the latest earlier year's (or the earliest given)",
    )
    # The wire schemas refuse more than the defaults before reading further
    # (pathways.document): settings may lower these caps, not raise them.
    max_steps: int = Field(default=DEFAULT_LIMITS.max_steps, ge=1, le=DEFAULT_LIMITS.max_steps)
    max_transitions: int = Field(
        default=DEFAULT_LIMITS.max_transitions, ge=1, le=DEFAULT_LIMITS.max_transitions
    )
    max_checklist_items: int = Field(
        default=DEFAULT_LIMITS.max_checklist_items, ge=1, le=DEFAULT_LIMITS.max_checklist_items
    )
    max_name_length: int = Field(
        default=DEFAULT_LIMITS.max_name_length, ge=1, le=DEFAULT_LIMITS.max_name_length
    )
    max_text_length: int = Field(
        default=DEFAULT_LIMITS.max_text_length, ge=1, le=DEFAULT_LIMITS.max_text_length
    )
    max_partnership_members: int = Field(
        default=DEFAULT_LIMITS.max_partnership_members,
        ge=2,
        le=10_000,
        description="Members a partnership may have (organisations of every kind)",
    )
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
    # Like the size limits, the page cap is in the spec: it may be lowered, not raised.
    default_page_size: int = Field(default=50, ge=1, le=200)
    max_page_size: int = Field(default=200, ge=1, le=200)
    webhook_delivery: bool = Field(
        default=True,
        description="Run the webhook delivery worker in each server process: it sends what the "
        "outbox holds and records review.due events. Off: events are still recorded (the feed "
        "shows them, their deliveries wait in the outbox) but this process sends nothing",
    )
    webhook_allow_local: bool = Field(
        default=False,
        description="Allow webhooks to loopback, link-local, unspecified and multicast "
        "addresses (127.0.0.1, ::1, localhost, 169.254.169.254, ...). Off by default, so that "
        "a webhook cannot reach the server's own host or a cloud metadata service; for local "
        "development and tests",
    )
    webhook_poll_seconds: float = Field(
        default=1.0,
        gt=0,
        le=60,
        description="How often the delivery worker looks for deliveries that are due",
    )
    webhook_lease_seconds: float = Field(
        default=60.0,
        gt=0,
        le=3600,
        description="How long a worker holds a delivery it is sending; one claimed by a worker "
        "that died is sent again after this. At least twice webhook_timeout_seconds",
    )
    webhook_timeout_seconds: float = Field(
        default=10.0,
        gt=0,
        le=300,
        description="How long one delivery attempt may take to connect, send, and get an answer",
    )
    webhook_retry_seconds: float = Field(
        default=30.0,
        gt=0,
        le=21_600,
        description="The wait before the first retry of a failed delivery; each further retry "
        "waits twice as long as the one before, at most 6 hours",
    )
    webhook_max_attempts: int = Field(
        default=8,
        ge=1,
        le=100,
        description="Attempts of a delivery before it is given up (status failed; it can be "
        "replayed)",
    )
    review_notice_days: int = Field(
        default=30,
        ge=0,
        le=3650,
        description="A review.due event is sent this many days before an approved pathway's "
        "review date (or at once when it is overdue), once per pathway and review date",
    )
    review_scan_seconds: float = Field(
        default=3600.0,
        gt=0,
        le=7 * 86_400,
        description="How often the delivery worker looks for reviews falling due",
    )

    @field_validator("fhir_base_url", mode="before")
    @classmethod
    def _unset_when_empty(cls, value: object) -> object:
        if isinstance(value, str):
            value = value.strip().rstrip("/")
            return value or None
        return value

    @field_validator("payment_daily_rates")
    @classmethod
    def _rates_are_plausible(cls, value: dict[int, int]) -> dict[int, int]:
        if not value:
            raise ValueError("give the daily rate of at least one year")
        for year, rate in value.items():
            if not (2000 <= year <= 2200) or not (0 < rate <= 1_000_000):
                raise ValueError(f"{year}: {rate} is not a plausible year and daily rate")
        return value

    @model_validator(mode="after")
    def _lease_outlasts_an_attempt(self) -> Settings:
        if self.webhook_lease_seconds < 2 * self.webhook_timeout_seconds:
            raise ValueError(
                "webhook_lease_seconds must be at least twice webhook_timeout_seconds, or a "
                "slow delivery could be claimed again and sent twice at once"
            )
        return self

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
            max_partnership_members=self.max_partnership_members,
        )
