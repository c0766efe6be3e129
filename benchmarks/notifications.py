"""Benchmark of the notification outbox: what a change pays to tell organisations, and
what a poll of the event feed costs, against bare baselines of the same run.

A change that concerns a partnership's pathway (a comment, an approval that makes a
version) writes, in its own transaction, one event, a recipient row per organisation it
concerns and a pending delivery per subscribed webhook (``api.services.notifications``).
This measures that write for ``--organisations`` recipients (default 30: a hospital
trust and its municipalities), each with a webhook, on a fresh database (SQLite in a
temporary directory; PostgreSQL with ``--postgresql-url``, a database **dropped and
created anew**, whose name must end in ``_bench``)::

    .venv/bin/python benchmarks/notifications.py [--organisations 30] [--runs 200]
        [--postgresql-url postgresql+psycopg://postgres@127.0.0.1:5432/outbox_bench]

Rows (median of ``--runs`` after a warm-up, each its ratio to its baseline):
- ``change``: a transaction appending one history entry (what every change writes), the
  baseline of ``change + notify``: the same transaction with the event, its recipients
  and their deliveries;
- ``read``: one pathway row by id, the baseline of ``feed``: one organisation's next 50
  events after a cursor, out of ``--runs`` events.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from api.services.notifications import notify
from db import models as orm
from db.migrate import upgrade
from db.repositories.events import EventRepository
from db.repositories.history import HistoryRepository
from db.session import Database
from pathways.events import EventType


def _fresh_postgresql(url: str) -> None:
    parsed = make_url(url)
    if not (parsed.database or "").endswith("_bench"):
        raise SystemExit("the PostgreSQL database's name must end in _bench: it is dropped")
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()


def _setup(database: Database, organisations: int) -> tuple[int, list[int]]:
    with database.writer() as session, session.begin():
        ids = []
        for number in range(organisations):
            row = orm.Organization(
                name=f"Kommune {number}", kind="care_provider", level="municipality"
            )
            session.add(row)
            session.flush()
            ids.append(row.id)
            session.add(
                orm.Webhook(
                    organization_id=row.id,
                    url=f"https://epj{number}.example.no/hook",
                    events=[t.value for t in EventType],
                    description="",
                    secret="whsec_" + "QUJD" * 8,
                    active=True,
                )
            )
        pathway = orm.Pathway(title="Hoftebrudd", rules={})
        session.add(pathway)
        session.flush()
        return pathway.id, ids


def _median_ms(run: Callable[[], object], runs: int) -> float:
    for _ in range(5):
        run()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def bench(url: str, organisations: int, runs: int) -> None:
    upgrade(url)
    database = Database.connect(url, pool_size=2)
    pathway_id, ids = _setup(database, organisations)

    def change(with_notify: bool) -> None:
        with database.writer() as session, session.begin():
            HistoryRepository(session).append(
                pathway_id=pathway_id,
                organization_id=ids[0],
                organization_name="Kommune 0",
                level="municipality",
                token_id=None,
                token_name="bench",
                action="comment.create",
                summary="A comment",
                changes={},
                revision_before=1,
                revision_after=1,
            )
            if with_notify:
                notify(
                    session,
                    EventType.COMMENT_CREATED,
                    pathway_id=pathway_id,
                    data={"pathway_id": pathway_id, "text": "Når kommer første besøk?"},
                    recipients=ids,
                )

    def read_row() -> None:
        with database.reader() as session:
            session.execute(
                select(orm.Pathway.id, orm.Pathway.title).where(orm.Pathway.id == pathway_id)
            ).one()

    def feed() -> None:
        with database.reader() as session:
            EventRepository(session).feed(ids[-1], after=runs // 2, limit=50)

    bare_change = _median_ms(lambda: change(False), runs)
    outbox = _median_ms(lambda: change(True), runs)
    bare_read = _median_ms(read_row, runs)
    polled = _median_ms(feed, runs)
    name = make_url(url).get_backend_name()
    print(f"\n{name}: {organisations} recipients, each with a webhook; median of {runs}")
    print(f"{'row':<18}{'ms':>9}{'ratio':>9}")
    print(f"{'change':<18}{bare_change:>9.3f}{1:>9.2f}  (one history entry)")
    print(f"{'change + notify':<18}{outbox:>9.3f}{outbox / bare_change:>9.2f}")
    print(f"{'read':<18}{bare_read:>9.3f}{1:>9.2f}  (one pathway row)")
    print(f"{'feed (50 events)':<18}{polled:>9.3f}{polled / bare_read:>9.2f}")
    database.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Time the notification outbox.")
    parser.add_argument("--organisations", type=int, default=30)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--postgresql-url")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as work:
        bench(f"sqlite:///{work}/outbox.db", args.organisations, args.runs)
    if args.postgresql_url:
        _fresh_postgresql(args.postgresql_url)
        bench(args.postgresql_url, args.organisations, args.runs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
