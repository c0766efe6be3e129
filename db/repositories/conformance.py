"""Handover logs and their conformance rows: stored in batches, aggregated in SQL.

Events go in with ``INSERT … ON CONFLICT DO NOTHING RETURNING episode`` (SQLite and
PostgreSQL alike), so a re-import stores nothing and says which episodes gained events.
The figures are ``GROUP BY`` queries the database runs; the median and the 90th
percentile are the nearest-rank ones (the value at rank ⌈p·n⌉ of the n delays in order),
picked with ``ROW_NUMBER()`` over a window, the same on both databases.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Select,
    String,
    Table,
    case,
    delete,
    func,
    literal,
    select,
    text,
    union_all,
)
from sqlalchemy.dialects import sqlite
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session
from sqlalchemy.sql import column as column_clause

from db import models as orm

__all__ = [
    "CHECK_COLUMNS",
    "EPISODE_COLUMNS",
    "EVENT_COLUMNS",
    "EVENT_FIELDS",
    "GROUPINGS",
    "PAYMENT_COLUMNS",
    "Aggregate",
    "ConformanceRepository",
    "Totals",
]

EVENT_FIELDS = ("episode", "kind", "code", "at", "sender", "receiver", "answer")
"""An event's fields, in the order of :class:`pathways.handover_log.HandoverEvent`."""
EVENT_COLUMNS = ("version_id", "key", *EVENT_FIELDS)
EPISODE_COLUMNS = (
    "version_id", "episode", "hospital", "municipality", "month", "left_pathway", "off_route",
)  # fmt: skip
CHECK_COLUMNS = (
    "version_id", "episode", "position", "transition", "kind", "code", "organization",
    "month", "due", "arrived", "delay", "on_time",
)  # fmt: skip
PAYMENT_COLUMNS = ("version_id", "episode", "year", "municipality", "days")

GROUPINGS: Mapping[str, tuple[str, ...]] = {
    "transition": ("transition",),
    "item": ("transition", "kind", "code"),
    "organization": ("organization",),
    "month": ("month",),
}
"""What the figures may be grouped by, and the columns of each grouping."""


@dataclass(frozen=True, slots=True)
class Aggregate:
    """The figures of one group: how many requirements, came, on time; the median and
    90th percentile delay (seconds) of those that came; episodes and those that left
    the pathway (by organisation and month only)."""

    group: Mapping[str, str]
    expected: int
    came: int
    on_time: int
    median_delay: int | None
    p90_delay: int | None
    episodes: int | None = None
    left_pathway: int | None = None


@dataclass(frozen=True, slots=True)
class Totals:
    events: int
    episodes: int
    left_pathway: int


class ConformanceRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    @property
    def _postgresql(self) -> bool:
        return self.session.get_bind().dialect.name == "postgresql"

    def _among(self, column: Any, episodes: Sequence[str]) -> ColumnElement[bool]:
        """``column`` is one of ``episodes``, with one parameter: a list of hundreds of
        ids would otherwise be as many parameters, compiled anew for each batch."""
        values = list(episodes)
        if self._postgresql:
            return cast(ColumnElement[bool], column == func.any(literal(values, ARRAY(String))))
        ids: Select[Any] = select(column_clause("value")).select_from(
            func.json_each(literal(json.dumps(values)))
        )
        return cast(ColumnElement[bool], column.in_(ids))

    def add_events(self, rows: Sequence[tuple[Any, ...]]) -> list[str]:
        """Store ``rows`` (tuples in the order of :data:`EVENT_COLUMNS`), skipping those
        stored already; the episode of each row stored."""
        if not rows:
            return []
        table = cast(Table, orm.HandoverEvent.__table__)
        if self._postgresql:
            # COPY into a temporary table, then one INSERT … SELECT: a tenth of the time
            # of row-by-row parameters.
            self._copy("handover_events_incoming", EVENT_COLUMNS, rows, temporary=table.name)
            found = self.session.execute(
                text(
                    f"INSERT INTO handover_events ({', '.join(EVENT_COLUMNS)}) "  # noqa: S608
                    f"SELECT {', '.join(EVENT_COLUMNS)} FROM handover_events_incoming "
                    "ON CONFLICT (version_id, key) DO NOTHING RETURNING episode"
                )
            )
            return list(found.scalars())
        statement = (
            sqlite.insert(table)
            .on_conflict_do_nothing(index_elements=["version_id", "key"])
            .returning(table.c.episode)
        )
        return list(
            self.session.scalars(
                statement, [dict(zip(EVENT_COLUMNS, row, strict=True)) for row in rows]
            )
        )

    def _copy(
        self,
        table: str,
        columns: Sequence[str],
        rows: Sequence[tuple[Any, ...]],
        *,
        temporary: str | None = None,
    ) -> None:
        """PostgreSQL: ``COPY`` ``rows`` into ``table`` (``temporary``: a temporary table
        like that one, emptied first, dropped at the end of the transaction)."""
        connection = self.session.connection()
        if temporary is not None:
            connection.exec_driver_sql(
                f"CREATE TEMPORARY TABLE IF NOT EXISTS {table} "
                f"(LIKE {temporary} INCLUDING DEFAULTS) ON COMMIT DROP"
            )
            connection.exec_driver_sql(f"TRUNCATE {table}")
        cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    def _store(self, model: Any, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> None:
        if not rows:
            return
        table = model.__table__
        if self._postgresql:
            self._copy(table.name, columns, rows)
            return
        # The driver's own executemany, without SQLAlchemy's processing of each row.
        marks = ", ".join("?" for _ in columns)
        self.session.connection().exec_driver_sql(
            f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({marks})",  # noqa: S608
            list(rows),
        )

    def events_of(self, version_id: int, episodes: Sequence[str]) -> Iterator[tuple[Any, ...]]:
        """The events of ``episodes`` as tuples of :data:`EVENT_FIELDS`, by episode and
        time."""
        table = orm.HandoverEvent.__table__
        query = (
            select(*(table.c[name] for name in EVENT_FIELDS))
            .where(table.c.version_id == version_id, self._among(table.c.episode, episodes))
            .order_by(table.c.episode, table.c.at)
        )
        yield from self.session.execute(query)

    def replace_results(
        self,
        version_id: int,
        episodes: Sequence[str],
        *,
        episode_rows: Sequence[tuple[Any, ...]],
        check_rows: Sequence[tuple[Any, ...]],
        payment_rows: Sequence[tuple[Any, ...]],
        fresh: bool = False,
    ) -> None:
        """Put the results of ``episodes`` in place of what they were (``fresh``: the
        episodes had no results yet, so nothing is deleted); rows are tuples in the order
        of :data:`EPISODE_COLUMNS`, :data:`CHECK_COLUMNS` and :data:`PAYMENT_COLUMNS`."""
        if not fresh:
            for model in (orm.ConformanceEpisode, orm.HandoverCheck, orm.PaymentDays):
                self.session.execute(
                    delete(model).where(
                        model.version_id == version_id, self._among(model.episode, episodes)
                    )
                )
        self._store(orm.ConformanceEpisode, EPISODE_COLUMNS, episode_rows)
        self._store(orm.HandoverCheck, CHECK_COLUMNS, check_rows)
        self._store(orm.PaymentDays, PAYMENT_COLUMNS, payment_rows)

    def checked_episodes(self, version_id: int, episodes: Sequence[str]) -> set[str]:
        """Which of ``episodes`` have results already."""
        table = orm.ConformanceEpisode
        return set(
            self.session.scalars(
                select(table.episode).where(
                    table.version_id == version_id, self._among(table.episode, episodes)
                )
            )
        )

    def totals(self, version_id: int) -> Totals:
        events = self.session.scalar(
            select(func.count())
            .select_from(orm.HandoverEvent)
            .where(orm.HandoverEvent.version_id == version_id)
        )
        episodes, left = self.session.execute(
            select(
                func.count(),
                func.coalesce(func.sum(case((orm.ConformanceEpisode.left_pathway, 1), else_=0)), 0),
            ).where(orm.ConformanceEpisode.version_id == version_id)
        ).one()
        return Totals(int(events or 0), int(episodes), int(left))

    def aggregates(self, version_id: int, by: str) -> list[Aggregate]:
        """The figures of the version's checks grouped ``by`` one of :data:`GROUPINGS`."""
        checks = orm.HandoverCheck.__table__
        names = GROUPINGS[by]
        groups = [checks.c[name] for name in names]
        inner = (
            select(
                *groups,
                checks.c.arrived,
                checks.c.on_time,
                checks.c.delay,
                func.row_number()
                .over(partition_by=[*groups, checks.c.delay.is_(None)], order_by=checks.c.delay)
                .label("rank"),
                func.count(checks.c.delay).over(partition_by=groups).label("came"),
            )
            .where(checks.c.version_id == version_id)
            .subquery()
        )
        keys = [inner.c[name] for name in names]
        rank, came = inner.c["rank"], inner.c["came"]
        query = (
            select(
                *keys,
                func.count().label("expected"),
                func.count(inner.c.arrived).label("came"),
                func.sum(case((inner.c.on_time, 1), else_=0)).label("on_time"),
                func.max(case((rank == (came + 1) // 2, inner.c.delay))).label("median"),
                func.max(case((rank == (came * 9 + 9) // 10, inner.c.delay))).label("p90"),
            )
            .group_by(*keys)
            .order_by(*keys)
        )
        episodes = self._episodes_by(version_id, by)
        found = []
        for row in self.session.execute(query):
            group = {name: row[index] for index, name in enumerate(names)}
            counts = episodes.get(group[names[0]], (0, 0)) if episodes is not None else None
            found.append(
                Aggregate(
                    group=group,
                    expected=int(row.expected),
                    came=int(row.came),
                    on_time=int(row.on_time or 0),
                    median_delay=row.median,
                    p90_delay=row.p90,
                    episodes=None if counts is None else counts[0],
                    left_pathway=None if counts is None else counts[1],
                )
            )
        return found

    def shares(self, version_id: int) -> dict[str, tuple[int, int]]:
        """Per transition: requirements, and those met in time."""
        checks = orm.HandoverCheck
        query = (
            select(
                checks.transition,
                func.count(),
                func.sum(case((checks.on_time, 1), else_=0)),
            )
            .where(checks.version_id == version_id)
            .group_by(checks.transition)
        )
        return {key: (int(n), int(met or 0)) for key, n, met in self.session.execute(query)}

    def _episodes_by(self, version_id: int, by: str) -> dict[str, tuple[int, int]] | None:
        """Episodes and those that left the pathway, by month or by organisation (the
        hospital's or the municipality's); None for other groupings."""
        table = orm.ConformanceEpisode.__table__
        left: ColumnElement[int] = case((table.c.left_pathway, 1), else_=0)
        where = table.c.version_id == version_id
        source: Select[Any] | CompoundSelect[Any]
        if by == "month":
            source = select(table.c.month.label("key"), left.label("left")).where(where)
        elif by == "organization":
            source = union_all(
                select(table.c.hospital.label("key"), left.label("left")).where(where),
                select(table.c.municipality.label("key"), left.label("left")).where(where),
            )
        else:
            return None
        sub = source.subquery()
        query = select(sub.c.key, func.count(), func.sum(sub.c.left)).group_by(sub.c.key)
        return {key: (int(n), int(gone or 0)) for key, n, gone in self.session.execute(query)}

    def payments(self, version_id: int) -> list[tuple[str, int, int, int]]:
        """Per municipality and year: episodes with payment days, and the days."""
        table = orm.PaymentDays
        query = (
            select(
                table.municipality,
                table.year,
                func.count(table.episode.distinct()),
                func.sum(table.days),
            )
            .where(table.version_id == version_id)
            .group_by(table.municipality, table.year)
            .order_by(table.municipality, table.year)
        )
        return [(m, int(y), int(n), int(d)) for m, y, n, d in self.session.execute(query)]

    def episode(
        self, version_id: int, episode: str
    ) -> tuple[orm.ConformanceEpisode, list[orm.HandoverCheck], list[orm.PaymentDays]] | None:
        """One episode's results: the episode, its checks in order, its payment days."""
        found = self.session.get(orm.ConformanceEpisode, (version_id, episode))
        if found is None:
            return None
        checks = orm.HandoverCheck
        rows = self.session.scalars(
            select(checks)
            .where(checks.version_id == version_id, checks.episode == episode)
            .order_by(checks.position)
        )
        paid = orm.PaymentDays
        days = self.session.scalars(
            select(paid)
            .where(paid.version_id == version_id, paid.episode == episode)
            .order_by(paid.year)
        )
        return found, list(rows), list(days)

    def has_events(self, version_id: int) -> bool:
        return (
            self.session.scalar(
                select(literal(1)).where(orm.HandoverEvent.version_id == version_id).limit(1)
            )
            is not None
        )
