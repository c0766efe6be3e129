"""More requests than threads and connections: answered, never stalled.

Runs a real server (uvicorn) with two handler threads and two database places, and
sends twenty times as many requests at once. Before the database gate, this deadlocked:
every thread waited for a connection held by a request that waited for a thread.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx
from sqlalchemy.engine import make_url

from db.session import Database
from tests.servers import cli, cli_env, running_server


def test_many_concurrent_requests_are_all_answered(
    db: Database, database_url: str, tmp_path: Path
) -> None:
    postgres = make_url(database_url).get_backend_name() == "postgresql"
    env = cli_env(database_url if postgres else None, threads="2", db_wait_seconds="10")
    demo = cli(["demo"], tmp_path, env)
    assert demo.returncode == 0, demo.stderr
    token = next(
        line.rsplit(" ", 1)[-1] for line in demo.stdout.splitlines() if "municipality, edit" in line
    )
    with running_server(tmp_path, env, "--no-access-log") as server:
        base = server.url

        async def burst() -> list[int]:
            headers = {"Authorization": f"Bearer {token}"}
            limits = httpx.Limits(max_connections=40)
            async with httpx.AsyncClient(
                base_url=base, headers=headers, limits=limits, timeout=15
            ) as client:
                paths = ["/me", "/pathways/1", "/pathways/1/graph", "/handovers"] * 10
                responses = await asyncio.gather(*(client.get(path) for path in paths))
                return [response.status_code for response in responses]

        started = time.monotonic()
        statuses = asyncio.run(burst())
        elapsed = time.monotonic() - started
        assert len(statuses) == 40
        assert set(statuses) <= {200, 503}, statuses
        assert statuses.count(200) >= 20, statuses
        assert elapsed < 12, f"40 requests took {elapsed:.1f} s"
