"""Wire shapes of conformance: an import's report, the figures, the payment days."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, Field

from api.services import conformance as service

__all__ = [
    "ConformanceFigures",
    "EpisodeCheckRead",
    "EpisodeRead",
    "FigureRowRead",
    "ImportReportRead",
    "PaymentRead",
    "PaymentsRead",
    "RefusalRead",
]

Grouping = Literal["transition", "item", "organization", "month"]


class RefusalRead(BaseModel):
    row: int = Field(
        description="The row's number: a CSV line (the header is 1), a JSON line, "
        "or an XES event counted from 1"
    )
    reason: str


class ImportReportRead(BaseModel):
    pathway_id: int
    version: int = Field(description="The approved version the events are held against")
    format: Literal["csv", "jsonl", "xes"]
    read: int = Field(description="Rows read")
    stored: int = Field(description="Events stored now")
    duplicates: int = Field(description="Events stored before (or twice in the file): unchanged")
    refused: int = Field(description="Rows refused, each with its reason")
    refusals: list[RefusalRead] = Field(
        description=f"The first {service.MAX_REFUSALS} rows refused, with their reasons"
    )
    episodes_checked: int = Field(
        description="Episodes that gained events, mapped onto the version again"
    )

    @classmethod
    def of(cls, report: service.ImportReport, language: str) -> ImportReportRead:
        return cls(
            pathway_id=report.pathway_id,
            version=report.version,
            format=report.format.value,
            read=report.read,
            stored=report.stored,
            duplicates=report.duplicates,
            refused=report.refused,
            refusals=[
                RefusalRead(row=r.row, reason=r.reason.in_language(language))
                for r in report.refusals
            ],
            episodes_checked=report.episodes_checked,
        )


class FigureRowRead(BaseModel):
    transition: str | None = Field(description="The handover's transition (by transition, item)")
    kind: Literal["message", "item"] | None = Field(
        description="By item: message or checklist item"
    )
    code: str | None = Field(description="By item: the message code or the item's key")
    organization: str | None = Field(
        description="By organisation: the one that had to act, as the log names it"
    )
    month: str | None = Field(description="By month: YYYY-MM in Norway, of the handover")
    label: str = Field(
        description="What the group is, for people: the handover's steps, the "
        "message's name, the item's text"
    )
    deadline: str | None = Field(
        description="By item: the deadline as people say it (samme dag, innen 24 timer)"
    )
    expected: int = Field(description="Required messages and items")
    came: int
    on_time: int
    late: int
    missing: int
    share_on_time: float | None = Field(description="on_time / expected, 0 to 1")
    median_delay_seconds: int | None = Field(
        description="The median time from the handover's moment to arrival, of those that "
        "came (nearest rank; negative: sent before)"
    )
    p90_delay_seconds: int | None = Field(description="The 90th percentile (nearest rank)")
    episodes: int | None = Field(description="By organisation and month: episodes")
    left_pathway: int | None = Field(
        description="By organisation and month: episodes that left the pathway"
    )
    summary: str = Field(description="The row in words, in the language asked for")

    @classmethod
    def of(cls, row: service.FigureRow, language: str) -> FigureRowRead:
        a = row.aggregate
        late, missing = a.came - a.on_time, a.expected - a.came
        if language in ("nb", "nn"):
            summary = (
                f"{a.on_time} av {a.expected} i tide, {late} for seint, {missing} manglar"
                if language == "nn"
                else f"{a.on_time} av {a.expected} i tide, {late} for sent, {missing} mangler"
            )
        else:
            summary = f"{a.on_time} of {a.expected} on time, {late} late, {missing} missing"
        kind = a.group.get("kind")
        return cls(
            transition=a.group.get("transition"),
            kind="message" if kind == "message" else "item" if kind == "item" else None,
            code=a.group.get("code"),
            organization=a.group.get("organization"),
            month=a.group.get("month"),
            label=row.label,
            deadline=row.deadline,
            expected=a.expected,
            came=a.came,
            on_time=a.on_time,
            late=late,
            missing=missing,
            share_on_time=row.share_on_time,
            median_delay_seconds=a.median_delay,
            p90_delay_seconds=a.p90_delay,
            episodes=a.episodes,
            left_pathway=a.left_pathway,
            summary=summary,
        )


class ConformanceFigures(BaseModel):
    pathway_id: int
    version: int
    by: Grouping
    events: int = Field(description="Events stored for the version")
    episodes: int
    left_pathway: int = Field(
        description="Episodes with a step the pathway does not have, "
        "or two steps no transition joins"
    )
    handovers: dict[str, float | None] = Field(
        description="Each handover's share on time (0 to 1) by its transition key; null "
        "where no episode passed it: what a picture colours"
    )
    rows: list[FigureRowRead]

    @classmethod
    def of(cls, figures: service.Figures) -> ConformanceFigures:
        return cls(
            pathway_id=figures.pathway_id,
            version=figures.version,
            by=figures.by,
            events=figures.events,
            episodes=figures.episodes,
            left_pathway=figures.left_pathway,
            handovers=figures.handovers,
            rows=[FigureRowRead.of(row, figures.language) for row in figures.rows],
        )


class PaymentRead(BaseModel):
    municipality: str = Field(description="The municipality notified, as the log names it")
    year: int
    episodes: int = Field(description="Episodes with payment days in the year")
    days: int
    daily_rate: int = Field(description="Kroner per day (PATHWAYS_PAYMENT_DAILY_RATES)")
    rate_year: int = Field(description="The year whose rate it is")
    cost: int = Field(description="days times daily_rate, kroner")


class PaymentsRead(BaseModel):
    pathway_id: int
    version: int
    rule: str = Field(description="How the days are counted, in words")
    days: int
    cost: int
    municipalities: list[PaymentRead]

    @classmethod
    def of(cls, found: service.PaymentFigures, language: str) -> PaymentsRead:
        return cls(
            pathway_id=found.pathway_id,
            version=found.version,
            rule=PAYMENT_RULE.in_language(language),
            days=found.days,
            cost=found.cost,
            municipalities=[
                PaymentRead(
                    municipality=row.municipality,
                    year=row.year,
                    episodes=row.episodes,
                    days=row.days,
                    daily_rate=row.daily_rate,
                    rate_year=row.rate_year,
                    cost=row.cost,
                )
                for row in found.rows
            ],
        )


PAYMENT_RULE = service.PAYMENT_RULE


def _time(at: int | None) -> datetime | None:
    return None if at is None else datetime.fromtimestamp(at, UTC)


class EpisodeCheckRead(BaseModel):
    transition: str
    kind: Literal["message", "item"]
    code: str = Field(description="The message code or the checklist item's key")
    label: str = Field(description="The message's name or the item's text")
    organization: str = Field(description="The organisation that had to act")
    status: Literal["on_time", "late", "missing"]
    due: datetime | None = Field(description="The last moment in time (null: no deadline)")
    arrived: datetime | None
    delay_seconds: int | None = Field(
        description="From the handover's moment to arrival (negative: sent before)"
    )
    deadline: str | None = Field(description="The deadline as people say it (samme dag)")
    said: str = Field(description="What happened, in words, in the language asked for")


class EpisodePaymentRead(BaseModel):
    municipality: str
    year: int
    days: int


class EpisodeRead(BaseModel):
    pathway_id: int
    version: int
    episode: str
    hospital: str
    municipality: str
    left_pathway: bool
    off_route: list[str] = Field(
        description="Steps the pathway does not have, and a>b for two steps no transition joins"
    )
    checks: list[EpisodeCheckRead]
    payment_days: list[EpisodePaymentRead]

    @classmethod
    def of(cls, view: service.EpisodeView) -> EpisodeRead:
        row = view.row
        return cls(
            pathway_id=view.pathway_id,
            version=view.version,
            episode=row.episode,
            hospital=row.hospital,
            municipality=row.municipality,
            left_pathway=row.left_pathway,
            off_route=[part for part in row.off_route.split(",") if part],
            checks=[
                EpisodeCheckRead(
                    transition=c.row.transition,
                    kind="message" if c.row.kind == "message" else "item",
                    code=c.row.code,
                    label=c.label,
                    organization=c.row.organization,
                    status=c.status,
                    due=_time(c.row.due),
                    arrived=_time(c.row.arrived),
                    delay_seconds=c.row.delay,
                    deadline=c.deadline,
                    said=c.said,
                )
                for c in view.checks
            ],
            payment_days=[
                EpisodePaymentRead(municipality=p.municipality, year=p.year, days=p.days)
                for p in view.payments
            ],
        )
