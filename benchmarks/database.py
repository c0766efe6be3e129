"""Database-backed routes against bare SQLAlchemy baselines of the same run.

Run it from the repository root::

    python benchmarks/database.py [--database sqlite|postgresql|both] [--only ROW]
                                  [--seconds 3] [--rounds 3] [--connections 32]

``ROW`` is one of ``pathway``, ``version``, ``feed``, ``edits``, ``put``, ``gaps``
(default: all of them). The whole script takes about eight minutes with the defaults.

For each database it loads ``pathways demo`` into a fresh database (SQLite: a file in a
temporary directory, never the user's default database; PostgreSQL: ``pathways_bench``,
or the database of ``--postgresql-url``, **dropped and created anew**), starts the
service (``pathways serve``, one worker) and a bare FastAPI app (``bare.py``, written
from :data:`BARE_APP` into the temporary directory) on the same database, both under
uvicorn with ``--no-access-log --log-level warning``. Loads come from wrk (``--timeout
5s``); each figure is the median of ``--rounds`` alternating rounds (bare, ours, bare,
ours, ...) after a short warm-up, and a ratio is the median of the per-round ratios.
The service runs with its default ``PATHWAYS_THREADS``. Rows and their baselines:

- ``pathway``, ``version`` and ``feed`` (reads, wrk ``-c32``, the demo hospital's
  token): ``GET /pathways/1``, ``GET /pathways/1/versions/1`` (200, and 304 with
  ``If-None-Match``) and the organisation feed ``GET /handovers?limit=H`` (200 and 304),
  where ``H`` is the number of handovers of one version of the demo pathway, so that the
  page holds the same items whatever the number of versions. The feed is measured with
  pathway 1 approved once, and again after ~100 versions of a second pathway (a copy of
  the demo outside any partnership: an approval of each level makes a version), also
  as the median latency of a single client. Baseline: the bare app's ``GET /bare/1``, a
  sync route on a plain ``create_engine(url)`` pool running ``SELECT id, title,
  revision, updated_at FROM pathways WHERE id = :id`` and returning it as JSON.
- ``edits``: 8 wrk threads with one connection each; each thread owns a copy of the
  demo pathway and PATCHes the name of its step ``ward`` with ``If-Match`` (the ETag of
  its previous answer; a GET of the step first). Baseline: the bare app's ``PATCH
  /bare/{id}`` on its own 8 copies, in one transaction: ``BEGIN IMMEDIATE`` (SQLite;
  ``SELECT ... FOR UPDATE`` on PostgreSQL), ``SELECT revision``, ``UPDATE steps``,
  ``UPDATE pathways`` (revision, updated_at), ``INSERT INTO history``, ``COMMIT``, on
  SQLite with the service's connection settings (WAL, ``synchronous=NORMAL``, foreign
  keys on). On SQLite with one worker; on PostgreSQL with one and with two workers
  (``serve --workers 2``, the bare app under ``uvicorn --workers 2``).
- ``put``: ``PUT /pathways/{id}/graph`` of a ~1,000-step pathway (``layered_pathway``
  of ``benchmarks/gaps.py``, with the demo pathway's rules), alternating between two
  graphs that differ in one step's name; median of sequential requests. Baseline, in
  this process on a plain SQLAlchemy Core connection to the same database (same SQLite
  settings), on a second copy of that pathway: one transaction that deletes its
  transitions and steps and inserts the same rows with the column values the service
  stores (``executemany``); its DELETEs and INSERTs are printed apart (on PostgreSQL the
  DELETE of the steps checks the transitions' foreign keys, for the service too).
- ``gaps``: ``GET /pathways/{id}/gaps`` on that pathway, median of sequential requests.
  Baseline: the pure ``find_gaps`` in this process on the same pathway (its document as
  the service serves it, with the rules in force) plus the median latency of one
  ``GET /bare/1``.

Goals (printed as met / NOT met; the exit status is 0 whatever they are):

- every database-backed read >= 0.5x the bare one-row read, and a 304 cheaper than the
  200 of the same route (a higher ratio);
- the feed >= 0.5x at ~100 versions too, and its cost independent of the number of
  versions: its ratio at ~100 versions >= 0.8x its ratio with one;
- edits >= 0.5x the bare write's edits/s, and p99 <= 10x its p99 (SQLite with one
  worker, PostgreSQL with two);
- the whole-graph PUT <= 3x the bare store; the gap endpoint <= 2x the pure function
  plus one bare read.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine, MetaData, Table, create_engine, delete, event, insert
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.checklists import Load, _ms, free_port, run_wrk, wait_up
from benchmarks.gaps import layered_pathway
from benchmarks.load import _approve, _Demo, _load_demo, recreate_database, stop_server
from pathways.document import document_dict, parse_document, step_dict, transition_dict
from pathways.gaps import find_gaps
from pathways.model import Pathway
from pathways.participation import transition_elements

ROOT = Path(__file__).resolve().parent.parent
"""The repository this script is in: the service it starts is this one's (PYTHONPATH)."""
ROWS = ("pathway", "version", "feed", "edits", "put", "gaps")
DEFAULT_POSTGRESQL_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/pathways_bench"
LOGGING = ("--no-access-log", "--log-level", "warning")
EDIT_STEP = "ward"
WARM_UP_SECONDS = 1
READ_GOAL, FEED_STABILITY_GOAL = 0.5, 0.8
EDIT_GOAL, EDIT_P99_GOAL = 0.5, 10.0
PUT_GOAL, GAPS_GOAL = 3.0, 2.0

BARE_APP = textwrap.dedent(
    """
    import json
    import os
    from datetime import UTC, datetime

    from fastapi import FastAPI, Response
    from pydantic import BaseModel
    from sqlalchemy import create_engine, event, text

    URL = os.environ["BARE_DATABASE_URL"]
    SQLITE = URL.startswith("sqlite")
    KEY = os.environ["BARE_STEP_KEY"]
    read_engine = create_engine(URL)
    write_engine = create_engine(URL)

    if SQLITE:
        # The service's connection settings, and BEGIN IMMEDIATE for the writer.
        @event.listens_for(write_engine, "connect")
        def _connect(dbapi_connection, _record):
            dbapi_connection.isolation_level = None
            for pragma in ("synchronous=NORMAL", "foreign_keys=ON", "busy_timeout=30000"):
                dbapi_connection.execute("PRAGMA " + pragma)

        @event.listens_for(write_engine, "begin")
        def _begin(connection):
            connection.exec_driver_sql("BEGIN IMMEDIATE")

    READ = text("SELECT id, title, revision, updated_at FROM pathways WHERE id = :id")
    LOCK = text("SELECT revision FROM pathways WHERE id = :id" + ("" if SQLITE else " FOR UPDATE"))
    STEP = text("UPDATE steps SET name = :name WHERE pathway_id = :id AND key = :key")
    BUMP = text("UPDATE pathways SET revision = revision + 1, updated_at = :now WHERE id = :id")
    HISTORY = text(
        "INSERT INTO history (pathway_id, at, organization_id, organization_name, level, "
        "token_id, token_name, action, summary, changes, revision_before, revision_after) "
        "VALUES (:id, :now, 1, 'Helse Fjordvik HF', 'hospital', NULL, 'bare', "
        "'step.update', :summary, :changes, :before, :after)"
    )
    app = FastAPI()


    class Change(BaseModel):
        name: str


    @app.get("/bare/{pathway_id}")
    def read(pathway_id: int):
        with read_engine.connect() as connection:
            return dict(connection.execute(READ, {"id": pathway_id}).mappings().one())


    @app.patch("/bare/{pathway_id}")
    def write(pathway_id: int, change: Change, response: Response):
        now = datetime.now(UTC)
        with write_engine.begin() as connection:
            before = connection.execute(LOCK, {"id": pathway_id}).scalar_one()
            connection.execute(STEP, {"name": change.name, "id": pathway_id, "key": KEY})
            stamp = now.replace(tzinfo=None).isoformat(sep=" ") if SQLITE else now
            connection.execute(BUMP, {"id": pathway_id, "now": stamp})
            changes = {"key": KEY, "fields": {"name": {"from": None, "to": change.name}}}
            connection.execute(
                HISTORY,
                {
                    "id": pathway_id,
                    "now": stamp,
                    "summary": f"Changed step {KEY!r}: name",
                    "changes": json.dumps(changes),
                    "before": before,
                    "after": before + 1,
                },
            )
        response.headers["ETag"] = f'"{before + 1}"'
        return {"key": KEY, "name": change.name}
    """
)

EDITS_LUA = """\
-- Each wrk thread (one connection) owns one pathway and PATCHes one of its steps.
local pathways = {%(pathways)s}
local counter = 0
local threads = {}

function setup(thread)
  counter = counter + 1
  thread:set("number", counter)
  table.insert(threads, thread)
end

function init(args)
  path = string.format("%(path)s", pathways[number])
  etag = %(etag)s
  sent, edits, refused, other, patching = 0, 0, 0, 0, false
end

function request()
  local headers = {["Authorization"] = "Bearer %(token)s"}
  if etag == nil then
    patching = false
    return wrk.format("GET", path, headers)
  end
  patching = true
  sent = sent + 1
  headers["If-Match"] = etag
  headers["Content-Type"] = "application/json"
  local body = string.format('{"name": "Edited by client %%d, edit %%d"}', number, sent)
  return wrk.format("PATCH", path, headers, body)
end

function response(status, headers, body)
  if patching then
    if status == 200 then edits = edits + 1
    elseif status == 412 then refused = refused + 1
    else other = other + 1 end
  end
  local tag = headers["ETag"] or headers["etag"]
  if status == 200 and tag ~= nil then
    etag = tag
  elseif %(prefetch)s then
    etag = nil
  end
end

function done(summary, latency, requests)
  local e, r, o = 0, 0, 0
  for _, thread in ipairs(threads) do
    e = e + thread:get("edits")
    r = r + thread:get("refused")
    o = o + thread:get("other")
  end
  io.write(string.format("EDITS %%d REFUSED %%d OTHER %%d\\n", e, r, o))
end
"""


# -- results ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Result:
    row: str
    database: str
    ours: str
    baseline: str
    """The bare figure, or the figure it is compared with."""
    ratio: str
    goal: str
    met: bool | None
    """None: printed for information, no goal."""


RESULTS: list[Result] = []


def record(result: Result) -> None:
    RESULTS.append(result)
    verdict = "" if result.met is None else ("met" if result.met else "NOT met")
    print(
        f"  {result.row}: ours {result.ours} | baseline {result.baseline} | ratio {result.ratio} "
        f"(goal {result.goal}) {verdict}",
        flush=True,
    )


def print_table() -> None:
    columns = ("row", "database", "ours", "baseline", "ratio", "goal", "")
    cells = [
        (
            r.row,
            r.database,
            r.ours,
            r.baseline,
            r.ratio,
            r.goal,
            "" if r.met is None else ("met" if r.met else "NOT met"),
        )
        for r in RESULTS
    ]
    widths = [max(len(str(c[i])) for c in [columns, *cells]) for i in range(len(columns))]
    line = "  ".join(f"{{:<{width}}}" for width in widths)
    print()
    print(line.format(*columns).rstrip())
    print(line.format(*("-" * w for w in widths)).rstrip())
    for cell in cells:
        print(line.format(*cell).rstrip())


def _rps(load: Load) -> str:
    return f"{load.rps:.0f} req/s, p99 {load.p99_ms:.1f} ms"


# -- processes -------------------------------------------------------------------------


@contextmanager
def _process(
    command: list[str], *, cwd: Path, env: dict[str, str], log: Path, health: str
) -> Iterator[subprocess.Popen[bytes]]:
    """A server in its own process group, answering ``health``; stopped after."""
    with log.open("ab") as output:
        process = subprocess.Popen(
            command,
            cwd=cwd,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        try:
            wait_up(health, process)
        except SystemExit:
            print(log.read_text()[-3000:], file=sys.stderr)
            raise
        yield process
    finally:
        stop_server(process)


@dataclass(frozen=True, slots=True)
class Servers:
    ours: str
    bare: str


@contextmanager
def servers(work: Path, env: dict[str, str], database_url: str, workers: int) -> Iterator[Servers]:
    """The service (``pathways serve``) and the bare app, ``workers`` each."""
    ours_port, bare_port = free_port(), free_port()
    ours, bare = f"http://127.0.0.1:{ours_port}", f"http://127.0.0.1:{bare_port}"
    serve = [sys.executable, "-m", "api.cli", "serve", "--port", str(ours_port)]
    uvicorn = [sys.executable, "-m", "uvicorn", "bare:app", "--port", str(bare_port)]
    workers_option = ["--workers", str(workers)]
    bare_env = dict(env, BARE_DATABASE_URL=database_url, BARE_STEP_KEY=EDIT_STEP)
    (work / "bare.py").write_text(BARE_APP)
    with (
        _process(
            [*serve, *workers_option, *LOGGING],
            cwd=work,
            env=env,
            log=work / "service.log",
            health=f"{ours}/health",
        ),
        _process(
            [*uvicorn, *workers_option, *LOGGING],
            cwd=work,
            env=bare_env,
            log=work / "bare.log",
            health=f"{bare}/bare/1",
        ),
    ):
        yield Servers(ours, bare)


# -- the API ---------------------------------------------------------------------------


class Api:
    """Sequential calls to the service, with the demo's tokens."""

    def __init__(self, base: str, demo: _Demo) -> None:
        self.demo = demo
        self.client = httpx.Client(base_url=base, timeout=60)

    def headers(self, token: str | None = None, etag: str | None = None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {token or self.demo.hospital}"}
        if etag is not None:
            headers["If-Match"] = etag
        return headers

    def call(self, method: str, path: str, expect: int = 200, **kwargs: Any) -> httpx.Response:
        answer = self.client.request(method, path, **kwargs)
        if answer.status_code != expect:
            raise RuntimeError(
                f"{method} {path}: {answer.status_code} (expected {expect}) {answer.text[:500]}"
            )
        return answer

    def etag(self, pathway_id: int) -> str:
        return self.call("GET", f"/pathways/{pathway_id}", headers=self.headers()).headers["ETag"]

    def import_pathway(self, document: dict[str, Any]) -> int:
        answer = self.call("POST", "/pathways/import", 201, headers=self.headers(), json=document)
        pathway_id: int = answer.json()["id"]
        return pathway_id

    def document(self, pathway_id: int) -> dict[str, Any]:
        answer = self.call("GET", f"/pathways/{pathway_id}/document", headers=self.headers())
        document: dict[str, Any] = answer.json()
        return document

    def add_municipality(self, pathway_id: int) -> None:
        """The demo's municipality token's organisation takes part as an editor: with the
        hospital, an editor of each level."""
        me = self.call("GET", "/me", headers=self.headers(self.demo.municipality)).json()
        etag = self.etag(pathway_id)
        path = f"/pathways/{pathway_id}/participants/{me['organization']['id']}"
        self.call("PUT", path, 201, headers=self.headers(etag=etag))

    def approve_both_levels(self, pathway_id: int) -> None:
        """The hospital and the municipality approve: a version, outside a partnership."""
        etag = self.etag(pathway_id)
        answer = None
        for token in (self.demo.hospital, self.demo.municipality):
            path = f"/pathways/{pathway_id}/approvals"
            answer = self.call("POST", path, 201, headers=self.headers(token, etag))
        if answer is None or answer.json()["version"] is None:
            raise RuntimeError(f"pathway {pathway_id}: no version after both approvals")

    def rename_step(self, pathway_id: int, key: str, name: str) -> None:
        etag = self.etag(pathway_id)
        path = f"/pathways/{pathway_id}/steps/{key}"
        self.call("PATCH", path, headers=self.headers(etag=etag), json={"name": name})


def _median_ms(run: Callable[[], object], count: int) -> float:
    """The median wall time of ``run`` in milliseconds, after one warm-up call."""
    run()
    times = []
    for _ in range(count):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


# -- reads -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Pair:
    bare: Load
    ours: Load
    ratio: float
    """Median of the per-round ratios ours/bare of req/s."""
    errors: int


def read_pair(
    bare_url: str, ours_url: str, headers: dict[str, str], args: argparse.Namespace
) -> Pair:
    """Alternating wrk rounds against the bare read and one of our routes."""
    for url in (bare_url, ours_url):
        run_wrk(url, headers, WARM_UP_SECONDS, args.connections)
    runs: dict[str, list[Load]] = {"bare": [], "ours": []}
    for _ in range(args.rounds):
        for name, url in (("bare", bare_url), ("ours", ours_url)):
            runs[name].append(run_wrk(url, headers, args.seconds, args.connections))
    ratios = [o.rps / b.rps for b, o in zip(runs["bare"], runs["ours"], strict=True)]

    def median(loads: list[Load]) -> Load:
        return sorted(loads, key=lambda load: load.rps)[len(loads) // 2]

    errors = sum(load.errors for loads in runs.values() for load in loads)
    return Pair(median(runs["bare"]), median(runs["ours"]), statistics.median(ratios), errors)


def record_read(
    row: str, database: str, pair: Pair, goal: float = READ_GOAL, extra: str = ""
) -> None:
    errors = f"; {pair.errors} errors/non-2xx-3xx" if pair.errors else ""
    record(
        Result(
            row,
            database,
            _rps(pair.ours) + errors,
            _rps(pair.bare),
            f"{pair.ratio:.2f}",
            f">= {goal:.2f}{extra}",
            pair.ratio >= goal,
        )
    )


def record_cheaper(row: str, database: str, ok: Pair, not_modified: Pair) -> None:
    record(
        Result(
            row,
            database,
            f"304 at {not_modified.ratio:.2f}x bare",
            f"200 at {ok.ratio:.2f}x bare",
            f"{not_modified.ratio / ok.ratio:.2f}",
            "> 1 (304 cheaper)",
            not_modified.ratio > ok.ratio,
        )
    )


def bench_pathway(servers: Servers, api: Api, database: str, args: argparse.Namespace) -> None:
    pair = read_pair(f"{servers.bare}/bare/1", f"{servers.ours}/pathways/1", api.headers(), args)
    record_read("GET /pathways/1", database, pair)


def bench_version(servers: Servers, api: Api, database: str, args: argparse.Namespace) -> None:
    path = "/pathways/1/versions/1"
    etag = api.call("GET", path, headers=api.headers()).headers["ETag"]
    bare = f"{servers.bare}/bare/1"
    ok = read_pair(bare, f"{servers.ours}{path}", api.headers(), args)
    record_read(f"GET {path} 200", database, ok)
    conditional = {**api.headers(), "If-None-Match": etag}
    assert api.client.get(path, headers=conditional).status_code == 304
    not_modified = read_pair(bare, f"{servers.ours}{path}", conditional, args)
    record_read(f"GET {path} 304", database, not_modified)
    record_cheaper(f"{path}: 304 vs 200", database, ok, not_modified)


@dataclass(frozen=True, slots=True)
class Feed:
    versions: int
    ok: Pair
    not_modified: Pair
    latency_ms: float
    """Median latency of a single client (200)."""


def bench_feed(
    servers: Servers, api: Api, database: str, args: argparse.Namespace, path: str, versions: int
) -> Feed:
    first = api.call("GET", path, headers=api.headers())
    conditional = {**api.headers(), "If-None-Match": first.headers["ETag"]}
    assert api.client.get(path, headers=conditional).status_code == 304
    latency = _median_ms(lambda: api.call("GET", path, headers=api.headers()), args.latency_count)
    bare, ours = f"{servers.bare}/bare/1", f"{servers.ours}{path}"
    ok = read_pair(bare, ours, api.headers(), args)
    what = f"GET {path}, {versions} version{'s' if versions > 1 else ''}"
    record_read(f"{what}, 200", database, ok)
    not_modified = read_pair(bare, ours, conditional, args)
    record_read(f"{what}, 304", database, not_modified)
    record_cheaper(f"{what}: 304 vs 200", database, ok, not_modified)
    print(f"  {what}: single client {latency:.1f} ms (median of {args.latency_count})")
    return Feed(versions, ok, not_modified, latency)


def record_feed_stability(database: str, few: Feed, many: Feed) -> None:
    for status, a, b in (
        ("200", few.ok, many.ok),
        ("304", few.not_modified, many.not_modified),
    ):
        stability = b.ratio / a.ratio
        record(
            Result(
                f"GET /handovers {status}: {many.versions} vs {few.versions} versions",
                database,
                f"{b.ratio:.2f}x bare at {many.versions}",
                f"{a.ratio:.2f}x bare at {few.versions}",
                f"{stability:.2f}",
                f">= {FEED_STABILITY_GOAL:.2f} (independent)",
                stability >= FEED_STABILITY_GOAL,
            )
        )
    record(
        Result(
            f"GET /handovers single client: {many.versions} vs {few.versions} versions",
            database,
            f"{many.latency_ms:.1f} ms",
            f"{few.latency_ms:.1f} ms",
            f"{many.latency_ms / few.latency_ms:.2f}",
            "(information)",
            None,
        )
    )


# -- edits -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EditLoad:
    per_second: float
    p50_ms: float
    p99_ms: float
    edits: int
    refused: int
    """412 answers: the script would be wrong, each client owns its pathway."""
    other: int
    errors: int


def run_edits(
    url: str,
    path: str,
    pathway_ids: list[int],
    token: str,
    prefetch: bool,
    seconds: int,
    script: Path,
) -> EditLoad:
    """One wrk run: a thread and a connection per pathway."""
    script.write_text(
        EDITS_LUA
        % {
            "pathways": ", ".join(map(str, pathway_ids)),
            "path": path,
            "token": token,
            "etag": "nil" if prefetch else "'\"0\"'",
            "prefetch": "true" if prefetch else "false",
        }
    )
    clients = len(pathway_ids)
    command = ["wrk", f"-t{clients}", f"-c{clients}", f"-d{seconds}s", "--latency"]
    command += ["--timeout", "5s", "-s", str(script), url]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout

    def find(pattern: str) -> str:
        match = re.search(pattern, out, re.MULTILINE)
        if match is None:
            raise RuntimeError(f"unexpected wrk output: {out}")
        return match.group(1)

    elapsed = _ms(find(r"requests in ([\d.]+(?:us|ms|s|m)),")) / 1000
    edits, refused, other = (int(find(rf"{word} (\d+)")) for word in ("EDITS", "REFUSED", "OTHER"))
    errors = 0
    if match := re.search(r"connect (\d+), read (\d+), write (\d+), timeout (\d+)", out):
        errors = sum(int(group) for group in match.groups())
    return EditLoad(
        per_second=edits / elapsed,
        p50_ms=_ms(find(r"^\s+50%\s+(\S+)")),
        p99_ms=_ms(find(r"^\s+99%\s+(\S+)")),
        edits=edits,
        refused=refused,
        other=other,
        errors=errors,
    )


def bench_edits(
    servers: Servers,
    api: Api,
    database: str,
    args: argparse.Namespace,
    ours_ids: list[int],
    bare_ids: list[int],
    work: Path,
    workers: int,
    goal: bool,
) -> None:
    def bare(seconds: int) -> EditLoad:
        path = "/bare/%d"
        token = api.demo.hospital
        return run_edits(servers.bare, path, bare_ids, token, False, seconds, work / "bare.lua")

    def ours(seconds: int) -> EditLoad:
        path = f"/pathways/%d/steps/{EDIT_STEP}"
        token = api.demo.hospital
        return run_edits(servers.ours, path, ours_ids, token, True, seconds, work / "ours.lua")

    bare(WARM_UP_SECONDS)
    ours(WARM_UP_SECONDS)
    runs: dict[str, list[EditLoad]] = {"bare": [], "ours": []}
    for _ in range(args.rounds):
        runs["bare"].append(bare(args.seconds))
        runs["ours"].append(ours(args.seconds))
    ratios = [o.per_second / b.per_second for b, o in zip(runs["bare"], runs["ours"], strict=True)]
    p99s = [o.p99_ms / b.p99_ms for b, o in zip(runs["bare"], runs["ours"], strict=True)]

    def median(loads: list[EditLoad]) -> EditLoad:
        return sorted(loads, key=lambda load: load.per_second)[len(loads) // 2]

    def shown(loads: list[EditLoad]) -> str:
        m = median(loads)
        text = f"{m.per_second:.0f} edits/s, p50 {m.p50_ms:.1f} ms, p99 {m.p99_ms:.1f} ms"
        refused = sum(load.refused for load in loads)
        other = sum(load.other for load in loads)
        errors = sum(load.errors for load in loads)
        if refused or other or errors:
            text += f"; {refused} x 412, {other} other non-200, {errors} socket errors"
        return text

    ratio, p99 = statistics.median(ratios), statistics.median(p99s)
    row = f"edits, {len(ours_ids)} clients, {workers} worker{'s' if workers > 1 else ''}"
    record(
        Result(
            row,
            database,
            shown(runs["ours"]),
            shown(runs["bare"]),
            f"{ratio:.2f}",
            f">= {EDIT_GOAL:.2f}" if goal else "(information)",
            ratio >= EDIT_GOAL if goal else None,
        )
    )
    record(
        Result(
            f"{row}: p99",
            database,
            f"{median(runs['ours']).p99_ms:.1f} ms",
            f"{median(runs['bare']).p99_ms:.1f} ms",
            f"{p99:.1f}x",
            f"<= {EDIT_P99_GOAL:.0f}x" if goal else "(information)",
            p99 <= EDIT_P99_GOAL if goal else None,
        )
    )


# -- the whole graph and its gaps --------------------------------------------------------


def big_document(rules: dict[str, Any]) -> dict[str, Any]:
    """A ~1,000-step pathway with the demo pathway's rules, as a native document."""
    document = document_dict(layered_pathway(1_000))
    document["rules"] = rules
    return document


def variant(document: dict[str, Any]) -> dict[str, Any]:
    """The same graph with one step renamed."""
    changed: dict[str, Any] = json.loads(json.dumps(document))
    changed["steps"][1]["name"] += " (renamed)"
    return changed


def sqlite_settings(engine: Engine) -> None:
    """The service's SQLite connection settings (``db.session``): the same work."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        for pragma in ("synchronous=NORMAL", "foreign_keys=ON", "busy_timeout=30000"):
            dbapi_connection.execute("PRAGMA " + pragma)


class BareStore:
    """Delete a pathway's graph and insert it again, on a plain Core connection."""

    def __init__(self, database_url: str, pathway_id: int) -> None:
        self.engine = create_engine(database_url)
        if make_url(database_url).get_backend_name() == "sqlite":
            sqlite_settings(self.engine)
        metadata = MetaData()
        self.steps = Table("steps", metadata, autoload_with=self.engine)
        self.transitions = Table("transitions", metadata, autoload_with=self.engine)
        self.pathway_id = pathway_id

    def rows(self, pathway: Pathway) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """The column values ``replace_graph`` stores, for a pathway written by org 1."""
        steps = [
            {"pathway_id": self.pathway_id, "position": n, "written_by": 1, **step_dict(step)}
            for n, step in enumerate(pathway.steps)
        ]
        transitions = []
        for n, transition in enumerate(pathway.transitions):
            values = transition_dict(transition)
            values["from_key"], values["to_key"] = values.pop("from"), values.pop("to")
            writers = dict.fromkeys(transition_elements(transition), 1)
            transitions.append(
                {"pathway_id": self.pathway_id, "position": n, "writers": writers, **values}
            )
        return steps, transitions

    def store(self, rows: tuple[list[dict[str, Any]], list[dict[str, Any]]]) -> tuple[float, float]:
        """One transaction; the milliseconds of its DELETEs and of the rest (INSERTs,
        COMMIT)."""
        steps, transitions = rows
        started = time.perf_counter()
        with self.engine.begin() as connection:
            where = self.transitions.c.pathway_id == self.pathway_id
            connection.execute(delete(self.transitions).where(where))
            connection.execute(delete(self.steps).where(self.steps.c.pathway_id == self.pathway_id))
            deleted = time.perf_counter()
            connection.execute(insert(self.steps), steps)
            connection.execute(insert(self.transitions), transitions)
        done = time.perf_counter()
        return (deleted - started) * 1000, (done - deleted) * 1000

    def dispose(self) -> None:
        self.engine.dispose()


def bench_put(
    api: Api,
    database: str,
    database_url: str,
    args: argparse.Namespace,
    documents: list[Any],
    ours_id: int,
    bare_id: int,
) -> None:
    graphs = [{"steps": d["steps"], "transitions": d["transitions"]} for d in documents]
    pathways = [parse_document(json.dumps(d)) for d in documents]
    store = BareStore(database_url, bare_id)
    rows = [store.rows(pathway) for pathway in pathways]
    etag = api.etag(ours_id)
    ours_ms: list[float] = []
    bare_ms: list[tuple[float, float]] = []
    try:
        for n in range(args.repeat + 1):  # the first of each is a warm-up
            parts = store.store(rows[n % 2])
            if n:
                bare_ms.append(parts)
            started = time.perf_counter()
            answer = api.call(
                "PUT",
                f"/pathways/{ours_id}/graph",
                headers=api.headers(etag=etag),
                json=graphs[n % 2],
            )
            elapsed = (time.perf_counter() - started) * 1000
            etag = answer.headers["ETag"]
            if n:
                ours_ms.append(elapsed)
    finally:
        store.dispose()
    ours, bare = statistics.median(ours_ms), statistics.median(sum(p) for p in bare_ms)
    deleting = statistics.median(p[0] for p in bare_ms)
    inserting = statistics.median(p[1] for p in bare_ms)
    steps = len(documents[0]["steps"])
    transitions = len(documents[0]["transitions"])
    record(
        Result(
            f"PUT /pathways/{{id}}/graph, {steps} steps, {transitions} transitions",
            database,
            f"{ours:.1f} ms",
            f"{bare:.1f} ms (DELETEs {deleting:.1f}, INSERTs + COMMIT {inserting:.1f})",
            f"{ours / bare:.1f}x",
            f"<= {PUT_GOAL:.0f}x",
            ours / bare <= PUT_GOAL,
        )
    )


def bench_gaps(
    servers: Servers, api: Api, database: str, args: argparse.Namespace, pathway_id: int
) -> None:
    pathway = parse_document(json.dumps(api.document(pathway_id)))
    path = f"/pathways/{pathway_id}/gaps"
    bare_read = httpx.Client(timeout=60)
    samples: dict[str, list[float]] = {"ours": [], "pure": [], "bare": []}
    runs: dict[str, Callable[[], object]] = {
        "ours": lambda: api.call("GET", path, headers=api.headers()),
        "pure": lambda: find_gaps(pathway),
        "bare": lambda: bare_read.get(f"{servers.bare}/bare/1").raise_for_status(),
    }
    try:
        for n in range(args.gap_count + 1):  # the first of each is a warm-up
            for name, run in runs.items():
                started = time.perf_counter()
                run()
                if n:
                    samples[name].append((time.perf_counter() - started) * 1000)
    finally:
        bare_read.close()
    ours, pure, bare = (statistics.median(samples[name]) for name in ("ours", "pure", "bare"))
    findings = len(find_gaps(pathway))
    record(
        Result(
            f"GET {path.replace(str(pathway_id), '{id}')}, {len(pathway.steps)} steps "
            f"({findings} findings)",
            database,
            f"{ours:.1f} ms",
            f"{pure + bare:.1f} ms (find_gaps {pure:.1f} + one bare read {bare:.1f})",
            f"{ours / (pure + bare):.1f}x",
            f"<= {GAPS_GOAL:.0f}x",
            ours / (pure + bare) <= GAPS_GOAL,
        )
    )


# -- one database ----------------------------------------------------------------------


def _service_code(env: dict[str, str], cwd: Path) -> str:
    """Where the service's ``api`` package is imported from, with this environment."""
    return subprocess.run(
        [sys.executable, "-c", "import api; print(api.__file__)"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def _log_problems(work: Path) -> None:
    for name in ("service.log", "bare.log"):
        log = work / name
        if not log.exists():
            continue
        lines = log.read_text(errors="replace").splitlines()
        bad = [line for line in lines if "Traceback" in line or "ERROR" in line]
        if bad:
            print(f"  {name}: {len(bad)} lines with Traceback/ERROR, e.g. {bad[0][:200]}")


def run_database(database: str, database_url: str, args: argparse.Namespace) -> None:
    wanted = set(args.only or ROWS)
    work = Path(tempfile.mkdtemp(prefix=f"database-bench-{database}-"))
    if database == "sqlite":
        database_url = f"sqlite:///{work / 'pathways.db'}"
    recreate_database(database_url)
    env = dict(os.environ, PYTHONPATH=str(ROOT), PATHWAYS_DATABASE_URL=database_url)
    env.pop("PATHWAYS_THREADS", None)
    env["PATHWAYS_ACCESS_LOG"] = "false"
    print(f"\n== {database}: {make_url(database_url).render_as_string(hide_password=True)}")
    print(f"   service code: {_service_code(env, work)}", flush=True)
    demo = _load_demo(work, env)
    edit_ids: tuple[list[int], list[int]] = ([], [])
    try:
        with servers(work, env, database_url, workers=1) as running:
            api = Api(running.ours, demo)
            demo_document = api.document(demo.pathway_id)
            copy = json.loads(json.dumps(demo_document))
            if wanted & {"version", "feed"}:
                _approve(running.ours, demo)
            if "pathway" in wanted:
                bench_pathway(running, api, database, args)
            if "version" in wanted:
                bench_version(running, api, database, args)
            if "feed" in wanted:
                per_version = api.call("GET", "/handovers", headers=api.headers()).json()["total"]
                path = f"/handovers?limit={per_version}"
                copy["pathway"]["title"] = "Versions"
                versions_id = api.import_pathway(copy)
                api.add_municipality(versions_id)
                few = bench_feed(running, api, database, args, path, 1)
                started = time.monotonic()
                for n in range(args.versions):
                    if n:
                        api.rename_step(versions_id, EDIT_STEP, f"Ward, version {n + 1}")
                    api.approve_both_levels(versions_id)
                print(
                    f"  made {args.versions} versions of pathway {versions_id} in "
                    f"{time.monotonic() - started:.1f} s",
                    flush=True,
                )
                many = bench_feed(running, api, database, args, path, 1 + args.versions)
                record_feed_stability(database, few, many)
            if wanted & {"put", "gaps"}:
                document = big_document(demo_document["rules"])
                document["pathway"]["title"] = "Whole graph"
                ours_id = api.import_pathway(document)
                if "put" in wanted:
                    bare_id = api.import_pathway(document)
                    documents = [document, variant(document)]
                    bench_put(api, database, database_url, args, documents, ours_id, bare_id)
                if "gaps" in wanted:
                    bench_gaps(running, api, database, args, ours_id)
            if "edits" in wanted:
                for owner, ids in zip(("ours", "bare"), edit_ids, strict=True):
                    for n in range(args.clients):
                        copy["pathway"]["title"] = f"Edits, {owner} {n + 1}"
                        ids.append(api.import_pathway(copy))
                bench_edits(
                    running, api, database, args, *edit_ids, work, 1, goal=database == "sqlite"
                )
            api.client.close()
        if "edits" in wanted and database == "postgresql":
            with servers(work, env, database_url, workers=2) as running:
                api = Api(running.ours, demo)
                bench_edits(running, api, database, args, *edit_ids, work, 2, goal=True)
                api.client.close()
    finally:
        _log_problems(work)
        shutil.rmtree(work, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--only", choices=ROWS, action="append", help="one row (repeatable)")
    parser.add_argument("--seconds", type=int, default=3, help="per wrk round")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds per figure")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections, reads")
    parser.add_argument("--clients", type=int, default=8, help="editing clients (pathways)")
    parser.add_argument("--versions", type=int, default=100, help="versions for the feed row")
    parser.add_argument("--repeat", type=int, default=10, help="whole-graph PUTs")
    parser.add_argument("--gap-count", type=int, default=20, help="gap requests")
    parser.add_argument("--latency-count", type=int, default=50, help="single-client feed reads")
    parser.add_argument(
        "--postgresql-url",
        default=DEFAULT_POSTGRESQL_URL,
        help=f"dropped and created anew (default {DEFAULT_POSTGRESQL_URL})",
    )
    args = parser.parse_args()
    print(
        f"database benchmark: wrk -t1 -c{args.connections} for reads, -t{args.clients} "
        f"-c{args.clients} for edits, --timeout 5s, {args.seconds} s per round, median of "
        f"{args.rounds} alternating rounds (bare, ours) after {WARM_UP_SECONDS} s of warm-up; "
        f"both apps under uvicorn with {' '.join(LOGGING)}; service PATHWAYS_THREADS default"
    )
    databases = ("sqlite", "postgresql") if args.database == "both" else (args.database,)
    started = time.monotonic()
    for database in databases:
        run_database(database, args.postgresql_url, args)
    print_table()
    failed = sum(1 for r in RESULTS if r.met is False)
    print(
        f"\n{len(RESULTS)} figures, {sum(1 for r in RESULTS if r.met)} goals met, {failed} NOT "
        f"met; {time.monotonic() - started:.0f} s (benchmark: exit 0 whatever the goals)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
