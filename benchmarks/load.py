"""Mixed load on a real server: reads and ETag-guarded edits, more clients than places.

Run it with ``python benchmarks/load.py`` (``--seconds``, ``--threads``, ``--workers``,
``--concurrency``, ``--database-url``; ``--help`` for all). By default it drops and
creates the PostgreSQL database ``pathways_load`` (or the one named by
``PATHWAYS_LOAD_DATABASE_URL``), loads the demo data with ``pathways demo``, starts
``pathways serve --workers 2`` with ``PATHWAYS_THREADS=16`` and sends, from 64
concurrent clients (four times the thread pool of a worker, twice the places at the
database gates of both workers together), for 20 seconds:

- reads: ``GET /pathways/1``, ``/pathways/1/graph``, ``/pathways/1/gaps``,
  ``/pathways/1/history``, ``/me`` and ``/pathways/1/handovers`` (the demo pathway is
  approved by both levels first, so that it has a version with handovers);
- edits: ``GET /pathways/1/steps/{key}`` for the ETag, then ``PATCH`` of that step with
  ``If-Match``. 412 (someone else changed the pathway in between) is an answer, not an
  error.

It prints the number of requests, requests per second of each kind, the histogram of
status codes, latency percentiles (p50, p95, p99, max) and the goals, and exits 1 if a
goal fails. Goals:

- no 5xx, except 503 with ``Retry-After`` (overload, answered);
- no request slower than 5 s;
- no transport errors or timeouts;
- no other unexpected status (a 4xx other than 412 means the load is wrong);
- at least one successful edit, and every acknowledged edit is one revision (none lost,
  none twice).

:func:`run_load` does one run against a database that already has its schema (or none:
``pathways demo`` migrates it) and returns a :class:`LoadReport`; the CI smoke test
(``tests/test_load_smoke.py``) calls it.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/pathways_load"
SLOW_SECONDS = 5.0
CLIENT_TIMEOUT_SECONDS = 30.0
EDIT_SHARE = 0.2
READS = ("pathway", "graph", "gaps", "history", "me", "handovers")
EDIT_READ, EDIT = "step (for ETag)", "step PATCH"
KINDS = (*READS, EDIT_READ, EDIT)
STEP_KEYS = ("emergency-assessment", "ed", "surgery", "ward", "short-term-bed", "gp-follow-up")

_SERVE = (sys.executable, "-m", "api.cli", "serve")
_TOKEN = re.compile(
    r"^\s+(.+?) \((hospital|municipality|secretariat), (read|edit|admin)\): (htt_\S+)$"
)
_PATHWAY = re.compile(r"^Demo pathway: /pathways/(\d+)$", re.MULTILINE)

__all__ = ["LoadReport", "Sample", "main", "recreate_database", "run_load"]


@dataclass(frozen=True, slots=True)
class Sample:
    """One request: what it was, how it was answered and how long that took."""

    kind: str
    status: int | None
    """``None`` for a transport error or timeout."""
    seconds: float
    retry_after: bool = False
    error: str | None = None


@dataclass
class LoadReport:
    database: str
    seconds: float
    concurrency: int
    workers: int
    threads: int
    samples: list[Sample] = field(default_factory=list)
    revisions: tuple[int, int] = (0, 0)
    """The demo pathway's revision before and after the load."""
    server_log: str = ""

    @property
    def requests(self) -> int:
        return len(self.samples)

    @property
    def statuses(self) -> Counter[str]:
        return Counter(
            "transport error" if s.status is None else str(s.status) for s in self.samples
        )

    @property
    def server_errors(self) -> list[Sample]:
        """5xx other than 503 with Retry-After."""
        return [
            s
            for s in self.samples
            if s.status is not None and s.status >= 500 and not (s.status == 503 and s.retry_after)
        ]

    @property
    def overloaded(self) -> int:
        """503 with Retry-After: the gate said "busy", an answer."""
        return sum(1 for s in self.samples if s.status == 503 and s.retry_after)

    @property
    def unexpected(self) -> list[Sample]:
        """Answers this load should never get: 1xx/3xx other than 304, 4xx other than 412."""
        return [
            s
            for s in self.samples
            if s.status is not None
            and s.status < 500
            and not (200 <= s.status < 300 or s.status in (304, 412))
        ]

    @property
    def slow(self) -> list[Sample]:
        return [s for s in self.samples if s.seconds > SLOW_SECONDS]

    @property
    def transport_errors(self) -> list[Sample]:
        return [s for s in self.samples if s.status is None]

    @property
    def edits_ok(self) -> int:
        return sum(1 for s in self.samples if s.kind == EDIT and s.status == 200)

    @property
    def edits_conflict(self) -> int:
        return sum(1 for s in self.samples if s.kind == EDIT and s.status == 412)

    def percentile(self, fraction: float, kind: str | None = None) -> float:
        times = sorted(s.seconds for s in self.samples if kind is None or s.kind == kind)
        if not times:
            return 0.0
        return times[min(len(times) - 1, int(fraction * len(times)))]

    def failures(self) -> list[str]:
        """The goals this run missed, in words (empty: all met)."""
        failed = []
        if self.server_errors:
            examples = Counter(f"{s.kind} {s.status}" for s in self.server_errors)
            failed.append(f"{len(self.server_errors)} 5xx answers: {dict(examples)}")
        if self.slow:
            failed.append(
                f"{len(self.slow)} requests slower than {SLOW_SECONDS:g} s "
                f"(slowest {max(s.seconds for s in self.slow):.2f} s)"
            )
        if self.transport_errors:
            examples = Counter(f"{s.kind}: {s.error}" for s in self.transport_errors)
            failed.append(
                f"{len(self.transport_errors)} transport errors: {dict(examples.most_common(5))}"
            )
        if self.unexpected:
            examples = Counter(f"{s.kind} {s.status}" for s in self.unexpected)
            failed.append(f"{len(self.unexpected)} unexpected answers: {dict(examples)}")
        if not self.edits_ok:
            failed.append("no edit succeeded")
        before, after = self.revisions
        if after - before != self.edits_ok:
            failed.append(
                f"{self.edits_ok} edits were acknowledged but the revision went from "
                f"{before} to {after}"
            )
        return failed

    def render(self) -> str:
        ms = 1000.0
        lines = [
            f"database {self.database}, {self.workers} workers x {self.threads} threads, "
            f"{self.concurrency} concurrent clients, {self.seconds:.1f} s",
            f"requests: {self.requests} ({self.requests / self.seconds:.0f} req/s)",
            "",
            f"{'kind':<18}{'count':>8}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
            f"{'max ms':>9}",
        ]
        for kind in KINDS:
            count = sum(1 for s in self.samples if s.kind == kind)
            if not count:
                continue
            worst = max(s.seconds for s in self.samples if s.kind == kind)
            lines.append(
                f"{kind:<18}{count:>8}{count / self.seconds:>9.1f}"
                f"{self.percentile(0.50, kind) * ms:>9.1f}{self.percentile(0.95, kind) * ms:>9.1f}"
                f"{self.percentile(0.99, kind) * ms:>9.1f}{worst * ms:>9.1f}"
            )
        worst_all = max((s.seconds for s in self.samples), default=0.0)
        lines += [
            f"{'all':<18}{self.requests:>8}{self.requests / self.seconds:>9.1f}"
            f"{self.percentile(0.50) * ms:>9.1f}{self.percentile(0.95) * ms:>9.1f}"
            f"{self.percentile(0.99) * ms:>9.1f}{worst_all * ms:>9.1f}",
            "",
            "status codes: "
            + ", ".join(f"{code}: {n}" for code, n in sorted(self.statuses.items())),
            f"edits: {self.edits_ok} applied, {self.edits_conflict} refused with 412 (stale ETag);"
            f" revision {self.revisions[0]} -> {self.revisions[1]}",
            f"503 with Retry-After (overload, answered): {self.overloaded}",
            f"5xx otherwise: {len(self.server_errors)} (goal 0)",
            f"slower than {SLOW_SECONDS:g} s: {len(self.slow)} (goal 0)",
            f"transport errors and timeouts: {len(self.transport_errors)} (goal 0)",
            f"unexpected answers: {len(self.unexpected)} (goal 0)",
        ]
        failed = self.failures()
        lines.append("goals: " + ("all met" if not failed else "FAILED: " + "; ".join(failed)))
        return "\n".join(lines)


def recreate_database(database_url: str) -> None:
    """Drop and create the PostgreSQL database of ``database_url``; for SQLite, delete the
    file. ``pathways demo`` builds the schema afterwards."""
    parsed = make_url(database_url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            for suffix in ("", "-wal", "-shm"):
                Path(parsed.database + suffix).unlink(missing_ok=True)
        return
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            name = parsed.database
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _environment(database_url: str, threads: int, db_wait_seconds: float | None) -> dict[str, str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT), PATHWAYS_DATABASE_URL=database_url)
    env["PATHWAYS_THREADS"] = str(threads)
    if db_wait_seconds is not None:
        env["PATHWAYS_DB_WAIT_SECONDS"] = str(db_wait_seconds)
    return env


@dataclass(frozen=True, slots=True)
class _Demo:
    pathway_id: int
    hospital: str
    municipality: str
    secretariat: str
    """The demo partnership adopts by decision: its secretariat records it."""


def _load_demo(cwd: Path, env: dict[str, str]) -> _Demo:
    done = subprocess.run(
        [sys.executable, "-m", "api.cli", "demo"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"pathways demo failed: {done.stderr}")
    tokens = {}
    for line in done.stdout.splitlines():
        match = _TOKEN.match(line)
        if match and match.group(3) == "edit":
            tokens[match.group(2)] = match.group(4)
    pathway = _PATHWAY.search(done.stdout)
    if pathway is None or set(tokens) != {"hospital", "municipality", "secretariat"}:
        raise RuntimeError(f"unexpected output of pathways demo: {done.stdout}")
    return _Demo(
        int(pathway.group(1)), tokens["hospital"], tokens["municipality"], tokens["secretariat"]
    )


@contextmanager
def _server(cwd: Path, env: dict[str, str], workers: int, log: Path) -> Iterator[str]:
    """``pathways serve --workers N`` on a free port, answering /health; stopped after."""
    port = _free_port()
    with log.open("w") as output:
        process = subprocess.Popen(
            [*_SERVE, "--port", str(port), "--workers", str(workers), "--no-access-log"],
            cwd=cwd,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the workers go with it
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None:
                raise RuntimeError(f"the server exited: {log.read_text()[-3000:]}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"the server did not start: {log.read_text()[-3000:]}")
            time.sleep(0.2)
        yield url
    finally:
        stop_server(process)


def stop_server(process: subprocess.Popen[bytes]) -> None:
    """Stop a server started in a session of its own: politely, then its whole group."""
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def _revision(url: str, demo: _Demo) -> int:
    answer = httpx.get(
        f"{url}/pathways/{demo.pathway_id}",
        headers={"Authorization": f"Bearer {demo.hospital}"},
        timeout=10,
    )
    answer.raise_for_status()
    return int(answer.json()["revision"])


def _approve(url: str, demo: _Demo) -> None:
    """Both levels approve the current revision and the secretariat records the decision
    (the demo partnership's policy), so that it becomes a version."""
    base = f"{url}/pathways/{demo.pathway_id}"
    steps: list[tuple[str, str, dict[str, str] | None]] = [
        (demo.hospital, "approvals", None),
        (demo.municipality, "approvals", None),
        (
            demo.secretariat,
            "decisions",
            {"decided_on": datetime.now(UTC).date().isoformat(), "reference": "Load"},
        ),
    ]
    for token, route, body in steps:
        headers = {"Authorization": f"Bearer {token}"}
        current = httpx.get(base, headers=headers, timeout=10)
        current.raise_for_status()
        headers["If-Match"] = current.headers["ETag"]
        approved = httpx.post(f"{base}/{route}", headers=headers, json=body, timeout=10)
        if approved.status_code != 201:
            raise RuntimeError(f"{route} failed: {approved.status_code} {approved.text}")
    handovers = httpx.get(
        f"{base}/handovers", headers={"Authorization": f"Bearer {demo.hospital}"}, timeout=10
    )
    if handovers.status_code != 200:
        raise RuntimeError(f"no handovers after approval: {handovers.status_code}")


class _User:
    """One client: its own connection (kept alive), its own token, one request at a time.

    One ``httpx.AsyncClient`` per user rather than one shared pool: a shared pool of 64
    connections costs the client about three times the CPU per request, and on a small
    machine the client then measures itself rather than the server.
    """

    def __init__(
        self, url: str, demo: _Demo, number: int, deadline: float, samples: list[Sample]
    ) -> None:
        self.url = url
        self.demo = demo
        self.number = number
        self.deadline = deadline
        self.samples = samples
        self.rng = random.Random(number)
        self.token = demo.hospital if number % 2 else demo.municipality
        self.edits = 0

    async def _send(
        self,
        client: httpx.AsyncClient,
        kind: str,
        method: str,
        path: str,
        etag: str | None = None,
        json: dict[str, str] | None = None,
    ) -> httpx.Response | None:
        headers = {"Authorization": f"Bearer {self.token}"}
        if etag is not None:
            headers["If-Match"] = etag
        started = time.perf_counter()
        try:
            response = await client.request(method, path, headers=headers, json=json)
        except httpx.TransportError as error:
            elapsed = time.perf_counter() - started
            self.samples.append(Sample(kind, None, elapsed, error=type(error).__name__))
            return None
        elapsed = time.perf_counter() - started
        retry_after = "retry-after" in response.headers
        self.samples.append(Sample(kind, response.status_code, elapsed, retry_after))
        return response

    async def _read(self, client: httpx.AsyncClient) -> None:
        kind = self.rng.choice(READS)
        base = f"/pathways/{self.demo.pathway_id}"
        path = {
            "pathway": base,
            "graph": f"{base}/graph",
            "gaps": f"{base}/gaps",
            "history": f"{base}/history",
            "me": "/me",
            "handovers": f"{base}/handovers",
        }[kind]
        await self._send(client, kind, "GET", path)

    async def _edit(self, client: httpx.AsyncClient) -> None:
        key = self.rng.choice(STEP_KEYS)
        path = f"/pathways/{self.demo.pathway_id}/steps/{key}"
        read = await self._send(client, EDIT_READ, "GET", path)
        if read is None or read.status_code != 200:
            return
        self.edits += 1
        field_name = self.rng.choice(("responsible", "description"))
        body = {field_name: f"load test change {self.number}.{self.edits}"}
        await self._send(client, EDIT, "PATCH", path, read.headers.get("ETag"), json=body)

    async def run(self) -> None:
        async with httpx.AsyncClient(base_url=self.url, timeout=CLIENT_TIMEOUT_SECONDS) as client:
            while time.monotonic() < self.deadline:
                if self.rng.random() < EDIT_SHARE:
                    await self._edit(client)
                else:
                    await self._read(client)


async def _drive(url: str, demo: _Demo, seconds: float, concurrency: int) -> list[Sample]:
    samples: list[Sample] = []
    deadline = time.monotonic() + seconds
    users = [_User(url, demo, number, deadline, samples) for number in range(concurrency)]
    await asyncio.gather(*(user.run() for user in users))
    return samples


def run_load(
    database_url: str,
    *,
    seconds: float = 20.0,
    concurrency: int | None = None,
    workers: int = 2,
    threads: int = 16,
    db_wait_seconds: float | None = None,
) -> LoadReport:
    """Load the demo into ``database_url`` (which must exist; ``pathways demo`` migrates
    it), serve it with ``workers`` x ``threads``, approve the demo pathway, and send the
    mixed load from ``concurrency`` clients (default: 4 x ``threads``) for
    ``seconds``. A SQLite URL should name an absolute path."""
    clients = concurrency if concurrency is not None else 4 * threads
    env = _environment(database_url, threads, db_wait_seconds)
    with tempfile.TemporaryDirectory(prefix="pathways-load-") as directory:
        cwd = Path(directory)
        demo = _load_demo(cwd, env)
        log = cwd / "server.log"
        with _server(cwd, env, workers, log) as url:
            _approve(url, demo)
            before = _revision(url, demo)
            started = time.monotonic()
            samples = asyncio.run(_drive(url, demo, seconds, clients))
            elapsed = time.monotonic() - started
            after = _revision(url, demo)
        return LoadReport(
            database=make_url(database_url).render_as_string(hide_password=True),
            seconds=elapsed,
            concurrency=clients,
            workers=workers,
            threads=threads,
            samples=samples,
            revisions=(before, after),
            server_log=log.read_text()[-5000:],
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("PATHWAYS_LOAD_DATABASE_URL", DEFAULT_DATABASE_URL),
        help="dropped and created anew (default: $PATHWAYS_LOAD_DATABASE_URL or "
        f"{DEFAULT_DATABASE_URL})",
    )
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=16, help="PATHWAYS_THREADS per worker")
    parser.add_argument(
        "--concurrency", type=int, default=None, help="clients (default: 4 x threads)"
    )
    parser.add_argument("--db-wait-seconds", type=float, default=None)
    args = parser.parse_args(argv)
    recreate_database(args.database_url)
    report = run_load(
        args.database_url,
        seconds=args.seconds,
        concurrency=args.concurrency,
        workers=args.workers,
        threads=args.threads,
        db_wait_seconds=args.db_wait_seconds,
    )
    print(report.render())
    failed = report.failures()
    if failed and (report.server_errors or report.transport_errors):
        print("\nserver log (tail):\n" + report.server_log)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
