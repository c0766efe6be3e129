"""A short run of ``benchmarks/load.py`` in CI: mixed reads and ETag-guarded edits from
four times as many clients as each worker has handler threads, on two workers.

Every request is answered, within 5 s, with no 5xx other than 503 with Retry-After
(overload, answered) and no transport error; 412 is the expected answer to an edit
whose ETag someone else's edit made stale, and some edits get through. Runs on the
suite's database: PostgreSQL in CI, SQLite (WAL, BEGIN IMMEDIATE writers, busy timeout,
shared by both worker processes) otherwise.
"""

from __future__ import annotations

from benchmarks.load import EDIT, READS, SLOW_SECONDS, run_load
from db.session import Database

THREADS = 4
WORKERS = 2
SECONDS = 5.0


def test_mixed_load_is_answered_in_time_without_errors(db: Database, database_url: str) -> None:
    report = run_load(
        database_url,
        seconds=SECONDS,
        concurrency=4 * THREADS,
        workers=WORKERS,
        threads=THREADS,
    )
    figures = report.render()
    print(figures)
    context = f"\n{figures}\nserver log (tail):\n{report.server_log[-2000:]}"

    assert report.requests >= 50, f"hardly any requests were made{context}"
    kinds = {sample.kind for sample in report.samples}
    assert set(READS) <= kinds, f"some reads were never made{context}"
    assert not report.transport_errors, f"requests without an answer{context}"
    assert not report.server_errors, f"5xx other than 503 with Retry-After{context}"
    assert all(sample.retry_after for sample in report.samples if sample.status == 503), (
        f"503 without Retry-After{context}"
    )
    slowest = max(sample.seconds for sample in report.samples)
    assert not report.slow, f"slowest answer {slowest:.2f} s, over {SLOW_SECONDS:g} s{context}"
    assert not report.unexpected, f"answers other than 2xx, 412 and 503{context}"
    assert report.edits_ok >= 1, f"no edit got through{context}"
    before, after = report.revisions
    assert after - before == report.edits_ok, f"acknowledged edits and revisions differ{context}"
    edits = [s for s in report.samples if s.kind == EDIT]
    assert {s.status for s in edits} <= {200, 412, 503}, context
    assert not report.failures(), context
