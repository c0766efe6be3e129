"""Importing and analysing a year of handover events, against reading the file alone.

Run it from the repository root::

    python benchmarks/conformance.py [--database sqlite|postgresql|both]
                                     [--episodes 45000] [--format csv|jsonl|xes]
                                     [--postgresql-url URL]

It writes a synthetic log of the example pathway (``pathways.synthetic``, seed 1; about
22 events per episode, so the default 45,000 episodes are about a million events) to a
temporary file, then measures, each phase in a process of its own (so that its peak
memory, the maximum resident set size, is its own):

- **baseline**: reading and parsing the file alone (``read_rows`` and ``checked``: every
  row read and validated into an event), nothing stored;
- **import**, per database: the service's import (``api.services.conformance.
  import_events``: parse, store with ``ON CONFLICT DO NOTHING``, map every episode onto
  the version, store the checks), committed; then the **analysis**: the figures by
  transition, item, organisation and month and the payment days, as the API serves them
  (``GROUP BY`` and window queries in the database); then a **re-import** of the same
  file (which must store nothing).

SQLite: a file in a temporary directory. PostgreSQL: ``pathways_conf_bench`` (or the
database of ``--postgresql-url``), **dropped and created anew**. It prints events/s, wall
time, peak memory and the ratio of each to the baseline's; the goals (each database:
import and analysis within 60 s and 1 GiB) are printed as met or NOT met.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from importlib.resources import files
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_POSTGRESQL_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/pathways_conf_bench"
MEDIA = {"csv": "text/csv", "jsonl": "application/x-ndjson", "xes": "application/x-xes+xml"}
GOAL_SECONDS, GOAL_BYTES = 60.0, 1024**3


def _peak() -> int:
    """This process's peak resident set size in bytes (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _cpu() -> float:
    """This process's CPU time so far (user and system), in seconds: a figure other
    processes on the machine do not inflate (PostgreSQL's own work is not in it)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _example() -> Any:
    from pathways.document import parse_document

    return parse_document(files("pathways.examples").joinpath("hip-fracture.json").read_bytes())


def phase_generate(path: Path, episodes: int, form: str) -> dict[str, Any]:
    from pathways.handover_log import LogFormat
    from pathways.synthetic import synthetic_episodes, write_log

    started = time.perf_counter()
    with path.open("wb") as out:
        count = write_log(
            synthetic_episodes(_example(), episodes=episodes, seed=1, days=365),
            out,
            LogFormat(form),
        )
    return {"events": count, "seconds": time.perf_counter() - started, "bytes": path.stat().st_size}


def phase_baseline(path: Path, form: str) -> dict[str, Any]:
    from pathways.conformance import vocabulary_of
    from pathways.handover_log import LogFormat, Refusal, checked, read_rows

    vocabulary = vocabulary_of(_example())
    started, cpu = time.perf_counter(), _cpu()
    events = 0
    with path.open("rb") as source:
        for raw in read_rows(source, LogFormat(form)):
            if not isinstance(raw, Refusal) and not isinstance(checked(raw, vocabulary), Refusal):
                events += 1
    return {
        "events": events,
        "seconds": time.perf_counter() - started,
        "cpu": _cpu() - cpu,
        "peak": _peak(),
    }


def _approved_version(database_url: str) -> tuple[Any, int]:
    """A fresh database with the example pathway approved as version 1, and the
    hospital's client."""
    from fastapi.testclient import TestClient

    from api.app import create_app
    from api.services.auth import Scope, authenticate
    from api.services.organizations import create_organization, create_token
    from api.settings import Settings
    from db.migrate import upgrade
    from db.session import Database
    from pathways.limits import DEFAULT_LIMITS
    from pathways.model import Level

    upgrade(database_url)
    settings = Settings(database_url=database_url, threads=4, webhook_delivery=False)
    database = Database.connect(database_url, pool_size=4)
    tokens = {}
    with database.writer() as session, session.begin():
        for key, name, level in (
            ("hospital", "Helse Fjordvik HF", Level.HOSPITAL),
            ("municipality", "Fjordvik kommune", Level.MUNICIPALITY),
        ):
            row = create_organization(
                session, client=None, name=name, level=level, organization_number=None,
                her_id=None, limits=DEFAULT_LIMITS,
            )  # fmt: skip
            _, tokens[key] = create_token(
                session, client=None, organization_id=row.id, name="bench", scope=Scope.EDIT,
                limits=DEFAULT_LIMITS,
            )  # fmt: skip
            tokens[f"{key}_id"] = str(row.id)
    app = create_app(settings, database=database)
    with TestClient(app) as http:

        def call(method: str, url: str, who: str, **kwargs: Any) -> Any:
            headers = {"Authorization": f"Bearer {tokens[who]}", **kwargs.pop("headers", {})}
            response = http.request(method, url, headers=headers, **kwargs)
            assert response.status_code < 300, response.text
            return response

        example = (ROOT / "pathways" / "examples" / "hip-fracture.json").read_bytes()
        made = call(
            "POST", "/pathways/import", "hospital", content=example,
            headers={"Content-Type": "application/json"},
        )  # fmt: skip
        pathway_id = made.json()["id"]
        etag = call(
            "PUT", f"/pathways/{pathway_id}/participants/{tokens['municipality_id']}",
            "hospital", headers={"If-Match": made.headers["ETag"]},
        ).headers["ETag"]  # fmt: skip
        for who in ("hospital", "municipality"):
            call("POST", f"/pathways/{pathway_id}/approvals", who, headers={"If-Match": etag})
    with database.reader() as session:
        client = authenticate(session, tokens["hospital"])
    return (database, client), pathway_id


def _recreate_postgresql(url: str) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()


def phase_import(path: Path, form: str, database_url: str) -> dict[str, Any]:
    from api.services import conformance

    if database_url.startswith("postgresql"):
        _recreate_postgresql(database_url)
    (database, client), pathway_id = _approved_version(database_url)
    result: dict[str, Any] = {}
    started, cpu = time.perf_counter(), _cpu()
    with path.open("rb") as body, database.writer() as session, session.begin():
        report = conformance.import_events(
            session, client=client, pathway_id=pathway_id, version=None,
            content_type=MEDIA[form], body=body,
        )  # fmt: skip
    result["import_seconds"] = time.perf_counter() - started
    result["import_cpu"] = _cpu() - cpu
    result["stored"], result["read"] = report.stored, report.read
    result["episodes"] = report.episodes_checked
    started = time.perf_counter()
    with database.reader() as session:
        for by in ("transition", "item", "organization", "month"):
            figures = conformance.figures(
                session, client=client, pathway_id=pathway_id, version=None, by=by,
                language="nb",
            )  # fmt: skip
            result[f"rows_by_{by}"] = len(figures.rows)
        paid = conformance.payments(
            session, client=client, pathway_id=pathway_id, version=None, rates={2024: 5745}
        )
        result["payment_days"], result["payment_cost"] = paid.days, paid.cost
        result["share_on_time"] = {
            key: share for key, share in figures.handovers.items() if share is not None
        }
    result["analysis_seconds"] = time.perf_counter() - started
    started = time.perf_counter()
    with path.open("rb") as body, database.writer() as session, session.begin():
        again = conformance.import_events(
            session, client=client, pathway_id=pathway_id, version=None,
            content_type=MEDIA[form], body=body,
        )  # fmt: skip
    result["reimport_seconds"] = time.perf_counter() - started
    result["reimport_stored"] = again.stored
    result["peak"] = _peak()
    database.dispose()
    return result


def _child(*arguments: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", *arguments],
        check=True,
        capture_output=True,
        text=True,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
    )
    found: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return found


def _mib(size: float) -> str:
    return f"{size / 1024**2:,.0f} MiB"


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--episodes", type=int, default=45_000)
    parser.add_argument("--format", choices=tuple(MEDIA), default="csv")
    parser.add_argument("--postgresql-url", default=DEFAULT_POSTGRESQL_URL)
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        phase, *rest = args.child
        if phase == "generate":
            out = phase_generate(Path(rest[0]), int(rest[1]), rest[2])
        elif phase == "baseline":
            out = phase_baseline(Path(rest[0]), rest[1])
        else:
            out = phase_import(Path(rest[0]), rest[1], rest[2])
        print(json.dumps(out))
        return 0

    with tempfile.TemporaryDirectory(prefix="conformance-bench-") as directory:
        log = Path(directory) / f"events.{args.format}"
        made = _child("generate", str(log), str(args.episodes), args.format)
        events = made["events"]
        print(
            f"log: {events:,} events of {args.episodes:,} episodes, {args.format}, "
            f"{_mib(made['bytes'])} (written in {made['seconds']:.1f} s)"
        )
        base = _child("baseline", str(log), args.format)
        base_rate = events / base["seconds"]
        print(
            f"baseline (read and parse alone): {base['seconds']:.1f} s (CPU {base['cpu']:.1f} s), "
            f"{base_rate:,.0f} events/s, peak {_mib(base['peak'])}"
        )
        databases = ("sqlite", "postgresql") if args.database == "both" else (args.database,)
        for name in databases:
            url = f"sqlite:///{directory}/bench.db" if name == "sqlite" else args.postgresql_url
            result = _child("import", str(log), args.format, url)
            total = result["import_seconds"] + result["analysis_seconds"]
            rate = events / result["import_seconds"]
            met = total <= GOAL_SECONDS and result["peak"] <= GOAL_BYTES
            print(
                f"{name}: import {result['import_seconds']:.1f} s (CPU of this process "
                f"{result['import_cpu']:.1f} s; {rate:,.0f} events/s, "
                f"{base_rate / rate:.1f}x the baseline's time), analysis "
                f"{result['analysis_seconds']:.2f} s, total {total:.1f} s; peak "
                f"{_mib(result['peak'])} ({result['peak'] / base['peak']:.1f}x the "
                f"baseline's); re-import {result['reimport_seconds']:.1f} s storing "
                f"{result['reimport_stored']}; {result['episodes']:,} episodes, "
                f"{result['payment_days']:,} payment days ({result['payment_cost']:,} kr); "
                f"goal (<= {GOAL_SECONDS:.0f} s, <= 1 GiB): {'met' if met else 'NOT met'}"
            )
            print(f"  share on time by handover: {result['share_on_time']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
