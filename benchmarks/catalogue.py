"""One filtered catalogue page against a bare one-row read, on 5,000 approved pathways.

Fills a SQLite file (and, with ``--postgres URL``, a PostgreSQL database whose name ends
in ``_bench``: it is dropped and created anew) with approved pathways: rows inserted
straight into the tables, each with a version document the size of the example (about
6 kB), one hospital and one to three of 30 municipalities taking part; a share of them
(``--changed``) has a draft changed since approval, with another title and review date
in its row (the catalogue must show the version's). The pathways are spread over
``PARTNERSHIPS`` partnerships, each version approved in its pathway's. Then it serves,
in this process and through the same test client, the real app and a bare FastAPI app
that reads one pathway row by primary key from the same database, and prints p50 and
p99 of each, the ratio ours/bare (median of alternating rounds) and how many SQL
statements one page takes.

    python benchmarks/catalogue.py [--pathways 5000] [--requests 200] [--rounds 3]
                                   [--changed 0.2] [--postgres URL]
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, event, insert, select, text
from sqlalchemy.engine import Engine, make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from api.app import create_app  # noqa: E402
from api.services.auth import Scope  # noqa: E402
from api.services.organizations import create_token  # noqa: E402
from api.settings import Settings  # noqa: E402
from db import models as orm  # noqa: E402
from db.migrate import upgrade  # noqa: E402
from db.repositories.versions import search_text  # noqa: E402
from db.session import Database  # noqa: E402
from pathways.limits import DEFAULT_LIMITS  # noqa: E402
from pathways.model import PathwayInfo  # noqa: E402

EXAMPLE = json.loads((ROOT / "pathways" / "examples" / "hip-fracture.json").read_text())
CONDITIONS = [
    "Hip fracture",
    "Heart failure (hjertesvikt)",
    "COPD (KOLS)",
    "Stroke (hjerneslag)",
    "Dementia",
    "Diabetes type 2",
    "Palliative care",
    "Mental health and substance use",
    "Frail elderly",
    "Cancer follow-up",
]
MUNICIPALITIES = 30
PARTNERSHIPS = 4
TODAY = date.today()


def _document(title: str, target_group: str, review_due: date) -> str:
    document = json.loads(json.dumps(EXAMPLE))
    document["pathway"].update(
        title=title, target_group=target_group, review_due=review_due.isoformat()
    )
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def fill(database: Database, pathways: int, changed: float) -> tuple[str, int]:
    """The rows; returns a read token of a municipality that takes part in none, and the
    id of a municipality to filter by."""
    rng = random.Random(7)
    now = datetime.now(UTC)
    with database.writer() as session, session.begin():
        orgs = [{"id": 1, "name": "Helse Bench HF", "level": "hospital", "created_at": now}]
        orgs += [
            {"id": 2 + n, "name": f"Bench {n} kommune", "level": "municipality", "created_at": now}
            for n in range(MUNICIPALITIES + 1)
        ]
        session.execute(insert(orm.Organization), orgs)
        session.execute(
            insert(orm.Partnership),
            [
                {
                    "id": n,
                    "name": f"Bench helsefellesskap {n}",
                    "rules": {"rule_sets": ["core"], "deadlines": {}},
                    "approval_policy": "one_per_level",
                    "decision_body": "",
                    "revision": 1,
                    "created_at": now,
                    "updated_at": now,
                }
                for n in range(1, PARTNERSHIPS + 1)
            ],
        )
        outsider = orgs[-1]["id"]
        _, token = create_token(
            session,
            client=None,
            organization_id=outsider,
            name="bench reader",
            scope=Scope.READ,
            limits=DEFAULT_LIMITS,
        )
        rows, members, versions, took_part = [], [], [], []
        names = dict(session.execute(select(orm.Organization.id, orm.Organization.name)).all())
        for i in range(1, pathways + 1):
            condition = CONDITIONS[i % len(CONDITIONS)]
            title = f"{condition} — home to home, area {i}"
            group = f"Adults with {condition.lower()}"
            due = TODAY + timedelta(days=rng.randint(-200, 800))
            document = _document(title, group, due)
            is_changed = rng.random() < changed
            rows.append(
                {
                    "id": i,
                    "title": f"Draft retitled {i}" if is_changed else title,
                    "description": EXAMPLE["pathway"]["description"],
                    "target_group": group,
                    "agreement_ref": EXAMPLE["pathway"]["agreement_ref"],
                    "review_due": due + timedelta(days=365) if is_changed else due,
                    "rules": {"rule_sets": ["core"], "deadlines": {}},
                    "revision": 9 if is_changed else 6,
                    "created_at": now,
                    "updated_at": now,
                    "partnership_id": 1 + i % PARTNERSHIPS,
                }
            )
            chosen = rng.sample(range(2, 2 + MUNICIPALITIES), rng.randint(1, 3))
            for position, organization_id in enumerate([1, *chosen]):
                members.append(
                    {"pathway_id": i, "organization_id": organization_id, "joined_at": now}
                )
                took_part.append(
                    {
                        "version_id": i,
                        "organization_id": organization_id,
                        "position": position,
                        "name": names[organization_id],
                        "level": "hospital" if organization_id == 1 else "municipality",
                    }
                )
            info = PathwayInfo(
                title=title,
                description=EXAMPLE["pathway"]["description"],
                target_group=group,
                agreement_ref=EXAMPLE["pathway"]["agreement_ref"],
                review_due=due,
            )
            versions.append(
                {
                    "id": i,
                    "pathway_id": i,
                    "number": 1,
                    "revision": 6,
                    "document": document,
                    "approvals": [],
                    "created_at": now,
                    "partnership_id": 1 + i % PARTNERSHIPS,
                    # The catalogue's fields, as the service writes them with a version.
                    "title": info.title,
                    "description": info.description,
                    "target_group": info.target_group,
                    "agreement_ref": info.agreement_ref,
                    "review_due": info.review_due,
                    "search_text": search_text(info),
                    "target_group_key": info.target_group.casefold(),
                }
            )
        session.execute(insert(orm.Pathway), rows)
        session.execute(insert(orm.Participant), members)
        session.execute(insert(orm.Version), versions)
        session.execute(insert(orm.VersionParticipant), took_part)
    if not database.is_sqlite:
        with database.engine.begin() as connection:
            connection.execute(text("ANALYZE"))
    return token, 2


def bare_app(database: Database) -> FastAPI:
    """A minimal app reading one pathway row by primary key from the same database."""
    app = FastAPI()

    @app.get("/bare/{pathway_id}")
    def bare(pathway_id: int) -> dict[str, Any]:
        with database.reader() as session:
            row = session.execute(
                select(orm.Pathway.id, orm.Pathway.title, orm.Pathway.review_due).where(
                    orm.Pathway.id == pathway_id
                )
            ).one()
        return {"id": row.id, "title": row.title, "review_due": row.review_due}

    return app


@contextmanager
def counting(engine: Engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def before(_c: Any, _cur: Any, statement: str, *_a: Any) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)


def timed(call: Callable[[], Any], n: int) -> list[float]:
    for _ in range(10):
        call()
    result = []
    for _ in range(n):
        started = time.perf_counter()
        call()
        result.append((time.perf_counter() - started) * 1000)
    return sorted(result)


def p(values: list[float], q: float) -> float:
    return values[min(len(values) - 1, int(len(values) * q))]


def run(url: str, label: str, args: argparse.Namespace) -> None:
    upgrade(url)
    database = Database.connect(url, pool_size=8)
    token, municipality = fill(database, args.pathways, args.changed)
    app = create_app(Settings(database_url=url, threads=8), database=database)
    headers = {"Authorization": f"Bearer {token}"}
    queries = {
        "filtered": f"/catalogue?q=hjerte&review=overdue&organization={municipality}",
        "first page": "/catalogue",
        "q only": "/catalogue?q=kols",
        "partnership": "/catalogue?partnership=2&review=P365D",
    }
    with TestClient(app) as ours, TestClient(bare_app(database)) as bare:
        print(f"{label}: {args.pathways} approved pathways, {args.changed:.0%} changed since")
        for name, path in queries.items():
            with counting(database.engine) as statements:
                answer = ours.get(path, headers=headers)
            answer.raise_for_status()
            page = answer.json()
            print(
                f"  {name}: {path}: {page['total']} match, {len(page['items'])} on the page, "
                f"{len(statements)} SQL statements (authentication included)"
            )
        rounds: dict[str, list[list[float]]] = {"bare": [], **{name: [] for name in queries}}
        for _ in range(args.rounds):
            rounds["bare"].append(
                timed(lambda: bare.get("/bare/1234").raise_for_status(), args.requests)
            )
            for name, path in queries.items():
                rounds[name].append(
                    timed(
                        lambda path=path: ours.get(path, headers=headers).raise_for_status(),
                        args.requests,
                    )
                )
        print(f"  {'':12} {'p50 ms':>8} {'p99 ms':>8} {'ratio p50':>10}  (median of rounds)")
        bare_p50 = statistics.median(p(r, 0.5) for r in rounds["bare"])
        for name, runs in rounds.items():
            p50 = statistics.median(p(r, 0.5) for r in runs)
            p99 = statistics.median(p(r, 0.99) for r in runs)
            ratios = [p(o, 0.5) / p(b, 0.5) for o, b in zip(runs, rounds["bare"], strict=True)]
            print(f"  {name:12} {p50:8.2f} {p99:8.2f} {statistics.median(ratios):10.1f}")
        print(f"  (bare p50 {bare_p50:.2f} ms: one row by primary key through FastAPI)")
    database.dispose()


def _recreate(url: str) -> None:
    parsed = make_url(url)
    name = parsed.database or ""
    if not name.endswith("_bench"):
        raise SystemExit(f"refusing to drop {name!r}: the database name must end in _bench")
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pathways", type=int, default=5000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--changed", type=float, default=0.2)
    parser.add_argument("--postgres", help="a PostgreSQL URL whose database ends in _bench")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="catalogue-bench-"))
    try:
        run(f"sqlite:///{work / 'pathways.db'}", "SQLite", args)
        if args.postgres:
            _recreate(args.postgres)
            run(args.postgres, "PostgreSQL", args)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
