"""Conformance: handover logs imported against an approved version, and their figures.

Who may do what (the visibility rules of approved versions and drafts):

- **import** events: the pathway's editors (either level) and its partnership's
  secretariat, with a token of ``edit`` scope; a participant of another role, or a
  ``read`` token, gets 403; an organisation that takes no part gets 404 (the log is about
  the participants' patients, not a public document);
- **read** the figures, the CSV, the payment days and the coloured picture: every
  participant (any role, any token scope) and the secretariat; others get 404.

An import streams the file (spooled to a temporary file by the route), reads it row by
row (:mod:`pathways.handover_log`), stores events in batches with ``ON CONFLICT DO
NOTHING`` and then maps each episode that gained events onto the version
(:func:`pathways.conformance.check_episode`), in batches of episodes, replacing that
episode's results. Memory stays bounded by the batch sizes and the set of episode ids
touched. A national identity number anywhere refuses the whole file (422, nothing
stored: the request's transaction is rolled back).
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import IO, Any

from sqlalchemy.orm import Session

from api.errors import Forbidden, NotFound, Unprocessable, UnsupportedMediaType
from api.services.auth import Client, Scope
from api.services.editing import not_found, role_on, visible_pathway
from db import models as orm
from db.repositories.conformance import GROUPINGS, Aggregate, ConformanceRepository
from db.repositories.pathways import PathwayRepository
from db.repositories.versions import VersionRepository
from pathways.conformance import EpisodeResult, Plan, check_episode, plan_of, vocabulary_of
from pathways.document import read_stored_document
from pathways.errors import Bilingual
from pathways.export import ExportContext
from pathways.export.svg import to_svg
from pathways.handover_log import (
    HandoverEvent,
    IdentityNumberFound,
    LogError,
    LogFormat,
    Refusal,
    checked,
    read_rows,
)
from pathways.message_catalogue import CATALOGUE_BY_CODE
from pathways.model import Pathway
from pathways.roles import Role
from pathways.text import printable
from pathways.wording import deadline_text, duration_text, language_or_default

__all__ = [
    "MEDIA_TYPES",
    "PAYMENT_RULE",
    "Figures",
    "ImportReport",
    "PaymentFigures",
    "episode_checks",
    "figures",
    "figures_csv",
    "import_events",
    "log_format",
    "payments",
    "picture",
]

MEDIA_TYPES: Mapping[str, LogFormat] = {
    "text/csv": LogFormat.CSV,
    "application/x-ndjson": LogFormat.JSONL,
    "application/jsonl": LogFormat.JSONL,
    "application/xml": LogFormat.XES,
    "application/x-xes+xml": LogFormat.XES,
}
"""The Content-Types an import reads, and the format of each."""
EVENT_BATCH = 10_000
EPISODE_BATCH = 500
MAX_REFUSALS = 100
"""Refused rows listed in a report (all are counted)."""


def log_format(content_type: str | None) -> LogFormat:
    """The format a Content-Type names (its parameters, such as charset, aside); 415."""
    media = (content_type or "").split(";", 1)[0].strip().lower()
    found = MEDIA_TYPES.get(media)
    if found is None:
        said = ", ".join(MEDIA_TYPES)
        raise UnsupportedMediaType(
            Bilingual(
                f"a handover log is sent as one of {said}, not {media or 'no Content-Type'}",
                f"En hendelseslogg sendes som en av {said}, ikke {media or 'uten Content-Type'}.",
            ),
            extra={"media_types": list(MEDIA_TYPES)},
        )
    return found


def _version(session: Session, pathway_id: int, number: int | None) -> orm.Version:
    found = VersionRepository(session).get_or_latest(pathway_id, number)
    if found is None:
        wanted = f"version {number}" if number is not None else "approved version"
        wanted_nb = f"versjon {number}" if number is not None else "godkjent versjon"
        raise NotFound(
            Bilingual(
                f"pathway {pathway_id} has no {wanted}: handovers are measured against an "
                "approved version",
                f"Forløp {pathway_id} har ingen {wanted_nb}. Overleveringer måles mot en "
                "godkjent versjon.",
            )
        )
    return found


def _readable(session: Session, client: Client, pathway_id: int, number: int | None) -> orm.Version:
    visible_pathway(session, client=client, pathway_id=pathway_id)
    return _version(session, pathway_id, number)


_IMPORT = Bilingual("importing handover events", "importere overleveringshendelser")


def _importable(
    session: Session, client: Client, pathway_id: int, number: int | None
) -> orm.Version:
    row = PathwayRepository(session).get(pathway_id)
    role = role_on(session, row, client) if row is not None else None
    if row is None or role is None:
        raise not_found(pathway_id)
    client.require(Scope.EDIT, _IMPORT)
    if role not in (Role.EDITOR, Role.SECRETARIAT):
        raise Forbidden(
            Bilingual(
                f"{client.organization_name} takes part in this pathway as {role.value}; "
                "its editors and the partnership's secretariat import handover events",
                f"{client.organization_name} deltar i dette forløpet som {role.said.nb}. "
                "Redaktørene og helsefellesskapets sekretariat importerer "
                "overleveringshendelser.",
            )
        )
    return _version(session, pathway_id, number)


# -- import ------------------------------------------------------------------------------


@dataclass(slots=True)
class ImportReport:
    pathway_id: int
    version: int
    format: LogFormat
    read: int = 0
    stored: int = 0
    duplicates: int = 0
    refused: int = 0
    refusals: list[Refusal] = field(default_factory=list)
    episodes_checked: int = 0


def _key(event: HandoverEvent) -> int:
    """A 63-bit digest of every field of the event: the same event, the same key."""
    text = "\x1f".join(
        (
            event.episode,
            event.kind,
            event.code,
            str(event.at),
            event.sender,
            event.receiver,
            event.answer,
        )
    )
    digest = hashlib.blake2b(text.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def import_events(
    session: Session,
    *,
    client: Client,
    pathway_id: int,
    version: int | None,
    content_type: str | None,
    body: IO[bytes],
) -> ImportReport:
    """Store the events of ``body`` against the version (default: the latest) and check
    each episode that gained events; a report of what was read, stored, already there
    and refused."""
    found = _importable(session, client, pathway_id, version)
    form = log_format(content_type)
    pathway = read_stored_document(found.document)
    vocabulary = vocabulary_of(pathway)
    repository = ConformanceRepository(session)
    report = ImportReport(pathway_id, found.number, form)
    runs = _Runs(repository, plan_of(pathway), found.id)
    touched: set[str] = set()
    batch: list[tuple[Any, ...]] = []
    accepted = 0
    try:
        for raw in read_rows(body, form):
            report.read += 1
            event = raw if isinstance(raw, Refusal) else checked(raw, vocabulary)
            if isinstance(event, Refusal):
                report.refused += 1
                if len(report.refusals) < MAX_REFUSALS:
                    report.refusals.append(event)
                continue
            accepted += 1
            key = _key(event)
            runs.add(key, event)
            batch.append(
                (
                    found.id,
                    key,
                    event.episode,
                    event.kind,
                    event.code,
                    event.at,
                    event.sender,
                    event.receiver,
                    event.answer,
                )
            )
            if len(batch) >= EVENT_BATCH:
                stored = repository.add_events(batch)
                report.stored += len(stored)
                touched.update(stored)
                batch.clear()
    except IdentityNumberFound as error:
        raise Unprocessable(
            error.said,
            errors=[
                {
                    "loc": ["body", error.row, error.field],
                    "pointer": None,
                    "detail": "a national identity number",
                }
            ],
        ) from None
    except LogError as error:
        raise Unprocessable(
            error.said,
            errors=[{"loc": ["body", error.row or 0], "pointer": None, "detail": error.said.en}],
        ) from None
    stored = repository.add_events(batch)
    report.stored += len(stored)
    touched.update(stored)
    runs.finish()
    report.duplicates = accepted - report.stored
    again = sorted((touched - runs.checked) | runs.dirty)
    report.episodes_checked = len(runs.checked - runs.dirty) + _check(
        repository, pathway, found.id, again
    )
    return report


class _Runs:
    """Episodes checked from the file as it is read, where that is enough.

    A file usually holds each episode's events together (a *run*), and most episodes
    are new. An episode whose run ends, that has no results yet (so no events stored
    before) and has not been seen before in this file, is checked from its run alone,
    in batches, with no trip back to the database for its events. One that turns up again
    later in the file is *dirty*: it is checked again from the database at the end, with
    every episode that gained events but was known before."""

    def __init__(self, repository: ConformanceRepository, plan: Plan, version_id: int) -> None:
        self.repository = repository
        self.plan = plan
        self.version_id = version_id
        self.current: str | None = None
        self.events: dict[int, HandoverEvent] = {}
        self.completed: list[tuple[str, list[HandoverEvent]]] = []
        self.seen: set[str] = set()
        self.checked: set[str] = set()
        self.dirty: set[str] = set()

    def add(self, key: int, event: HandoverEvent) -> None:
        if event.episode != self.current:
            self._close()
            self.current = event.episode
            if event.episode in self.seen:
                self.dirty.add(event.episode)
            self.seen.add(event.episode)
        self.events[key] = event  # the same event twice in a run counts once

    def _close(self) -> None:
        if self.current is not None:
            self.completed.append((self.current, list(self.events.values())))
            self.current, self.events = None, {}
        if len(self.completed) >= EPISODE_BATCH:
            self._flush()

    def finish(self) -> None:
        self._close()
        self._flush()

    def _flush(self) -> None:
        if not self.completed:
            return
        known = self.repository.checked_episodes(
            self.version_id, [episode for episode, _ in self.completed]
        )
        results = [
            check_episode(self.plan, episode, events)
            for episode, events in self.completed
            if episode not in known and episode not in self.dirty
        ]
        self.completed = []
        episode_rows, check_rows, payment_rows = _rows(self.version_id, results)
        self.repository.replace_results(
            self.version_id,
            [result.episode for result in results],
            episode_rows=episode_rows,
            check_rows=check_rows,
            payment_rows=payment_rows,
            fresh=True,
        )
        self.checked.update(result.episode for result in results)


def _check(
    repository: ConformanceRepository, pathway: Pathway, version_id: int, episodes: list[str]
) -> int:
    """Map ``episodes`` onto the version again from their stored events, in batches; how
    many were checked."""
    plan = plan_of(pathway)
    for start in range(0, len(episodes), EPISODE_BATCH):
        chunk = episodes[start : start + EPISODE_BATCH]
        had = repository.checked_episodes(version_id, chunk)
        results = [
            check_episode(plan, episode, events)
            for episode, events in _grouped(repository.events_of(version_id, chunk))
        ]
        episode_rows, check_rows, payment_rows = _rows(version_id, results)
        repository.replace_results(
            version_id,
            chunk,
            episode_rows=episode_rows,
            check_rows=check_rows,
            payment_rows=payment_rows,
            fresh=not had,
        )
    return len(episodes)


def _grouped(rows: Iterator[tuple[Any, ...]]) -> Iterator[tuple[str, list[HandoverEvent]]]:
    current: str | None = None
    events: list[HandoverEvent] = []
    for row in rows:
        if row[0] != current:
            if current is not None:
                yield current, events
            current, events = row[0], []
        events.append(
            HandoverEvent(row[0], row[1], row[2], row[3], row[4], row[5], row[6], len(events))
        )
    if current is not None:
        yield current, events


Rows = list[tuple[Any, ...]]


def _rows(version_id: int, results: list[EpisodeResult]) -> tuple[Rows, Rows, Rows]:
    """The rows of ``results``, in the repository's column orders."""
    episodes: Rows = []
    checks: Rows = []
    payments: Rows = []
    for result in results:
        episode = result.episode
        episodes.append(
            (
                version_id,
                episode,
                result.hospital,
                result.municipality,
                result.month,
                result.left_pathway,
                ",".join(result.off_route)[:1000],
            )
        )
        checks.extend(
            (
                version_id,
                episode,
                position,
                c.transition,
                c.kind,
                c.code,
                c.organization,
                c.month,
                c.due,
                c.arrived,
                c.delay,
                c.on_time,
            )
            for position, c in enumerate(result.checks)
        )
        payments.extend(
            (version_id, episode, p.year, p.municipality, p.days) for p in result.payments
        )
    return episodes, checks, payments


# -- figures -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FigureRow:
    aggregate: Aggregate
    label: str
    """What the group is, in words: a handover's steps, a message's name, an item's text."""
    deadline: str | None
    """An item row's deadline as people say it (``samme dag``)."""

    @property
    def share_on_time(self) -> float | None:
        expected = self.aggregate.expected
        return round(self.aggregate.on_time / expected, 4) if expected else None


@dataclass(frozen=True, slots=True)
class Figures:
    pathway_id: int
    version: int
    by: str
    events: int
    episodes: int
    left_pathway: int
    rows: list[FigureRow]
    handovers: dict[str, float | None]
    """The share on time of each handover the version has (None: no episode passed it)."""
    language: str


def _labels(pathway: Pathway, language: str) -> dict[tuple[str, ...], tuple[str, str | None]]:
    language = language_or_default(language)
    labels: dict[tuple[str, ...], tuple[str, str | None]] = {}
    for transition in pathway.transitions:
        source = pathway.step(transition.source).name
        target = pathway.step(transition.target).name
        labels[(transition.key,)] = (f"{source} → {target}", None)
        handover = transition.handover
        if handover is None:
            continue
        deadline = deadline_text(handover.deadline, language) if handover.deadline else None
        for code, message in CATALOGUE_BY_CODE.items():
            labels[(transition.key, "message", code)] = (message.names[language], deadline)
        for item in handover.checklist:
            due = deadline_text(item.due, language) if item.due else None
            labels[(transition.key, "item", item.key)] = (item.text, due)
    return labels


def figures(
    session: Session,
    *,
    client: Client,
    pathway_id: int,
    version: int | None,
    by: str,
    language: str,
) -> Figures:
    """The version's figures grouped ``by`` transition, item, organisation or month."""
    found = _readable(session, client, pathway_id, version)
    return _figures(session, found, pathway_id, by, language)


def _figures(
    session: Session, found: orm.Version, pathway_id: int, by: str, language: str
) -> Figures:
    pathway = read_stored_document(found.document)
    repository = ConformanceRepository(session)
    labels = _labels(pathway, language) if by in ("transition", "item") else {}
    rows = []
    for aggregate in repository.aggregates(found.id, by):
        key = tuple(aggregate.group[name] for name in GROUPINGS[by])
        label, deadline = labels.get(key, (" · ".join(key), None))
        rows.append(FigureRow(aggregate, label, deadline))
    shares = {
        key: round(met / expected, 4) if expected else None
        for key, (expected, met) in repository.shares(found.id).items()
    }
    handovers = {
        t.key: shares.get(t.key)
        for t in pathway.transitions
        if t.handover is not None and pathway.is_cross_level(t)
    }
    totals = repository.totals(found.id)
    return Figures(
        pathway_id=pathway_id,
        version=found.number,
        by=by,
        events=totals.events,
        episodes=totals.episodes,
        left_pathway=totals.left_pathway,
        rows=rows,
        handovers=handovers,
        language=language,
    )


CSV_COLUMNS = (
    "transition",
    "kind",
    "code",
    "organization",
    "month",
    "label",
    "expected",
    "came",
    "on_time",
    "late",
    "missing",
    "share_on_time",
    "median_delay_seconds",
    "p90_delay_seconds",
    "episodes",
    "left_pathway",
)
"""The columns of the CSV download: the group (those it is not grouped by left empty),
its label, the counts, the share on time (0 to 1), the delays and, by organisation and
month, the episodes and those that left the pathway."""


def figures_csv(
    session: Session,
    *,
    client: Client,
    pathway_id: int,
    version: int | None,
    by: str,
    language: str,
) -> tuple[bytes, str]:
    """The figures as CSV, and a file name."""
    found = figures(
        session, client=client, pathway_id=pathway_id, version=version, by=by, language=language
    )
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in found.rows:
        a = row.aggregate
        writer.writerow(
            (
                a.group.get("transition", ""),
                a.group.get("kind", ""),
                a.group.get("code", ""),
                a.group.get("organization", ""),
                a.group.get("month", ""),
                row.label,
                a.expected,
                a.came,
                a.on_time,
                a.came - a.on_time,
                a.expected - a.came,
                "" if row.share_on_time is None else row.share_on_time,
                "" if a.median_delay is None else a.median_delay,
                "" if a.p90_delay is None else a.p90_delay,
                "" if a.episodes is None else a.episodes,
                "" if a.left_pathway is None else a.left_pathway,
            )
        )
    name = f"pathway-{pathway_id}-v{found.version}-conformance-by-{by}.csv"
    return out.getvalue().encode("utf-8"), name


# -- one episode -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EpisodeCheck:
    row: orm.HandoverCheck
    label: str
    deadline: str | None
    """The requirement's deadline as people say it (None: only checked for coming)."""
    said: str
    """What happened, in words: ``kom 3 timer for sent (frist: samme dag)``."""

    @property
    def status(self) -> str:
        if self.row.arrived is None:
            return "missing"
        return "on_time" if self.row.on_time else "late"


@dataclass(frozen=True, slots=True)
class EpisodeView:
    pathway_id: int
    version: int
    row: orm.ConformanceEpisode
    checks: list[EpisodeCheck]
    payments: list[orm.PaymentDays]


_SAID = {
    "en": ("came on time", "came {late} late", "missing", "deadline"),
    "nb": ("kom i tide", "kom {late} for sent", "mangler", "frist"),
    "nn": ("kom i tide", "kom {late} for seint", "manglar", "frist"),
}


def _said(row: orm.HandoverCheck, deadline: str | None, language: str) -> str:
    on_time, late, missing, word = _SAID[language_or_default(language)]
    if row.arrived is None:
        text = missing
    elif row.on_time or row.due is None:
        text = on_time
    else:
        # Said in whole minutes (at least one): "9 timer og 30 minutter", not the second
        # past midnight that "the same day" ends at.
        minutes = max(1, (row.arrived - row.due) // 60)
        text = late.format(late=duration_text(timedelta(minutes=minutes), language))
    return f"{text} ({word}: {deadline})" if deadline else text


def episode_checks(
    session: Session,
    *,
    client: Client,
    pathway_id: int,
    version: int | None,
    episode: str,
    language: str,
) -> EpisodeView:
    """One episode held against the version: each requirement of each handover it
    passed, whether it came and in time, said in words; and its payment days."""
    found = _readable(session, client, pathway_id, version)
    results = ConformanceRepository(session).episode(found.id, episode)
    if results is None:
        raise NotFound(
            Bilingual(
                f"version {found.number} of pathway {pathway_id} has no episode "
                f"{printable(episode, max_length=64)!r}",
                f"Versjon {found.number} av forløp {pathway_id} har ingen episode "
                f"«{printable(episode, max_length=64)}».",
            )
        )
    row, checks, payments = results
    pathway = read_stored_document(found.document)
    labels = _labels(pathway, language)
    deadlines = {
        (key, r.kind, r.code): r.deadline
        for key, requirements in plan_of(pathway).requirements.items()
        for r in requirements
    }
    shown = []
    for check in checks:
        key = (check.transition, check.kind, check.code)
        label = labels.get(key, (check.code, None))[0]
        seconds = deadlines.get(key)
        deadline = None if seconds is None else deadline_text(timedelta(seconds=seconds), language)
        shown.append(EpisodeCheck(check, label, deadline, _said(check, deadline, language)))
    return EpisodeView(pathway_id, found.number, row, shown, payments)


# -- payment days ------------------------------------------------------------------------

PAYMENT_RULE = Bilingual(
    "From the day the hospital sent the notice of a patient ready for discharge, when the "
    "municipality did not answer that day or answered that it cannot receive the patient, "
    "until the patient was discharged or the notice withdrawn; the discharge day is not "
    "counted. Each day at its year's daily rate.",
    "Fra dagen sykehuset meldte pasienten utskrivningsklar, når kommunen ikke svarte samme "
    "dag eller svarte at den ikke kan ta imot pasienten, til pasienten ble skrevet ut eller "
    "meldingen ble trukket tilbake. Utskrivningsdagen telles ikke. Hver dag til årets "
    "døgnpris.",
)
"""The payment-day rule in words (:func:`pathways.conformance.payment_days`)."""


@dataclass(frozen=True, slots=True)
class PaymentRow:
    municipality: str
    year: int
    episodes: int
    days: int
    daily_rate: int
    rate_year: int

    @property
    def cost(self) -> int:
        return self.days * self.daily_rate


@dataclass(frozen=True, slots=True)
class PaymentFigures:
    pathway_id: int
    version: int
    rows: list[PaymentRow]

    @property
    def days(self) -> int:
        return sum(row.days for row in self.rows)

    @property
    def cost(self) -> int:
        return sum(row.cost for row in self.rows)


def payments(
    session: Session,
    *,
    client: Client,
    pathway_id: int,
    version: int | None,
    rates: Mapping[int, int],
) -> PaymentFigures:
    """Payment days and their cost per municipality and year, at each year's rate
    (``rates``: year → kroner; a year without one takes the latest earlier year's)."""
    found = _readable(session, client, pathway_id, version)
    known = sorted(rates)
    rows = []
    for municipality, year, episodes, days in ConformanceRepository(session).payments(found.id):
        earlier = [y for y in known if y <= year]
        rate_year = earlier[-1] if earlier else known[0]
        rows.append(PaymentRow(municipality, year, episodes, days, rates[rate_year], rate_year))
    return PaymentFigures(pathway_id, found.number, rows)


# -- the picture -------------------------------------------------------------------------


def picture(
    session: Session,
    *,
    client: Client,
    pathway_id: int,
    version: int | None,
    language: str,
) -> tuple[bytes, int]:
    """The version's swimlane picture with each handover coloured by its share on
    time; the SVG and the version's number."""
    found = _readable(session, client, pathway_id, version)
    shown = _figures(session, found, pathway_id, "transition", language)
    pathway = read_stored_document(found.document)
    context = ExportContext(
        pathway_id=pathway_id,
        status="approved",
        version=found.number,
        revision=found.revision,
        language=language,
        on_time={key: share for key, share in shown.handovers.items() if share is not None},
    )
    return to_svg(pathway, context=context), found.number
