"""Checklist hot path against a bare FastAPI app serving the same bytes from memory.

Starts the service (uvicorn, one worker, SQLite, demo data approved by both levels) and,
in the same run, a bare FastAPI app that returns the same bytes with the same ETag. Both
are loaded with the same generator (wrk if installed, else a Python client) at the same
concurrency, for the 200 path and the 304 path (If-None-Match). Prints req/s, p50/p99 and
the ratio ours/bare. Then loads the service at 4x its thread pool and checks that every
request was answered and none with a 5xx.

    python benchmarks/checklists.py [--seconds 10] [--connections 32] [--access-log]

``--access-log`` serves with uvicorn's access log on (``PATHWAYS_ACCESS_LOG=true``, one
line per request to standard output, sent to ``/dev/null`` here), to measure what it
costs; the bare app never logs requests. The database is a SQLite file in a temporary
directory, never the user's default database.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
THREADS = 32  # PATHWAYS_THREADS for the service under test


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_up(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server exited: {url}")
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise SystemExit(f"server did not start: {url}")


@dataclass
class Load:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int
    """Socket errors, timeouts and non-2xx/3xx answers."""


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if match is None:
        raise ValueError(f"unexpected wrk latency {text!r}")
    value, unit = match.groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def run_wrk(url: str, headers: dict[str, str], seconds: int, connections: int) -> Load:
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "5s"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", out, re.MULTILINE).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", out, re.MULTILINE).group(1))  # type: ignore[union-attr]
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    errors = 0
    if match := re.search(r"Non-2xx or 3xx responses: (\d+)", out):
        errors += int(match.group(1))
    if match := re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    ):
        errors += sum(int(g) for g in match.groups())
    return Load(rps, p50, p99, total, errors)


def run_python(url: str, headers: dict[str, str], seconds: int, connections: int) -> Load:
    async def main() -> Load:
        latencies: list[float] = []
        errors = 0
        stop = time.monotonic() + seconds
        limits = httpx.Limits(max_connections=connections)
        async with httpx.AsyncClient(headers=headers, limits=limits, timeout=5) as client:

            async def worker() -> None:
                nonlocal errors
                while time.monotonic() < stop:
                    started = time.perf_counter()
                    try:
                        response = await client.get(url)
                        if response.status_code >= 400:
                            errors += 1
                    except httpx.HTTPError:
                        errors += 1
                    latencies.append((time.perf_counter() - started) * 1000)

            began = time.monotonic()
            await asyncio.gather(*(worker() for _ in range(connections)))
            elapsed = time.monotonic() - began
        latencies.sort()
        return Load(
            rps=len(latencies) / elapsed,
            p50_ms=statistics.median(latencies),
            p99_ms=latencies[int(len(latencies) * 0.99) - 1],
            requests=len(latencies),
            errors=errors,
        )

    return asyncio.run(main())


BARE_APP = textwrap.dedent(
    """
    import os
    from pathlib import Path
    from fastapi import FastAPI, Request, Response

    BODY = Path(os.environ["BARE_BODY"]).read_bytes()
    ETAG = os.environ["BARE_ETAG"]
    app = FastAPI()

    @app.get("/bare")
    async def bare(request: Request) -> Response:
        headers = {"ETag": ETAG, "Cache-Control": "private, no-cache"}
        if request.headers.get("if-none-match") == ETAG:
            return Response(status_code=304, headers=headers)
        return Response(BODY, media_type="application/json", headers=headers)
    """
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds per path")
    parser.add_argument(
        "--access-log", action="store_true", help="serve with the access log on (its cost)"
    )
    args = parser.parse_args()
    generator = "wrk" if shutil.which("wrk") else "python (httpx)"
    load = run_wrk if shutil.which("wrk") else run_python

    work = Path(tempfile.mkdtemp(prefix="checklists-bench-"))
    env = dict(
        os.environ,
        PYTHONPATH=str(ROOT),
        PATHWAYS_THREADS=str(THREADS),
        PATHWAYS_DATABASE_URL=f"sqlite:///{work / 'pathways.db'}",
        PATHWAYS_ACCESS_LOG="true" if args.access_log else "false",
    )
    demo = subprocess.run(
        [sys.executable, "-m", "api.cli", "demo"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    tokens = [line.rsplit(" ", 1)[-1] for line in demo.splitlines() if "htt_" in line]
    hospital, municipality = tokens[0], tokens[1]

    ours_port, bare_port = free_port(), free_port()
    ours = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "api.cli",
            "serve",
            "--port",
            str(ours_port),
            "--log-level",
            "info" if args.access_log else "warning",
            *([] if args.access_log else ["--no-access-log"]),
        ],
        cwd=work,
        env=env,
        stdout=subprocess.DEVNULL if args.access_log else None,
        stderr=subprocess.DEVNULL if args.access_log else None,
    )
    processes = [ours]
    try:
        base = f"http://127.0.0.1:{ours_port}"
        wait_up(f"{base}/health", ours)
        for token in (hospital, municipality):
            response = httpx.post(
                f"{base}/pathways/1/approvals",
                headers={"Authorization": f"Bearer {token}", "If-Match": '"2"'},
            )
            response.raise_for_status()
        auth = {"Authorization": f"Bearer {municipality}"}
        url = f"{base}/pathways/1/handovers"
        first = httpx.get(url, headers=auth)
        first.raise_for_status()
        etag = first.headers["ETag"]
        (work / "body.json").write_bytes(first.content)
        (work / "bare.py").write_text(BARE_APP)
        bare = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "bare:app",
                "--port",
                str(bare_port),
                "--log-level",
                "warning",
                "--no-access-log",
            ],
            cwd=work,
            env=dict(env, BARE_BODY=str(work / "body.json"), BARE_ETAG=etag),
        )
        processes.append(bare)
        bare_url = f"http://127.0.0.1:{bare_port}/bare"
        wait_up(bare_url, bare)
        assert httpx.get(bare_url).content == first.content

        print(
            f"generator: {generator}; {args.connections} connections, {args.seconds} s each; "
            f"body {len(first.content)} bytes; service threads {THREADS}; "
            f"access log {'on' if args.access_log else 'off'}"
        )
        print(
            f"{'path':6} {'app':6} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}"
            f"   (median of {args.rounds} alternating rounds)"
        )
        ratios = {}
        for path, extra in (("200", {}), ("304", {"If-None-Match": etag})):
            runs: dict[str, list[Load]] = {"bare": [], "ours": []}
            for target in (bare_url, url):
                load(target, {**auth, **extra}, 2, args.connections)  # warm-up
            for _ in range(args.rounds):
                for name, target in (("bare", bare_url), ("ours", url)):
                    runs[name].append(
                        load(target, {**auth, **extra}, args.seconds, args.connections)
                    )
            medians = {}
            for name in ("bare", "ours"):
                r = sorted(runs[name], key=lambda run: run.rps)[len(runs[name]) // 2]
                medians[name] = r
                errors = sum(run.errors for run in runs[name])
                print(f"{path:6} {name:6} {r.rps:9.0f} {r.p50_ms:8.2f} {r.p99_ms:8.2f} {errors:7d}")
            per_round = [o.rps / b.rps for b, o in zip(runs["bare"], runs["ours"], strict=True)]
            ratios[path] = statistics.median(per_round)
            print(f"{'':6} ratio per round: {', '.join(f'{r:.2f}' for r in per_round)}")
        goals = {"200": 0.80, "304": 0.90}
        for path, ratio in ratios.items():
            verdict = "met" if ratio >= goals[path] else "NOT met"
            print(
                f"ratio ours/bare on the {path} path: {ratio:.2f} (goal >= {goals[path]:.2f}: "
                f"{verdict})"
            )

        stress = 4 * THREADS
        r = load(url, auth, args.seconds, stress)
        answered = "every request answered" if r.errors == 0 else f"{r.errors} errors"
        print(
            f"at {stress} connections (4x the thread pool): {r.rps:.0f} req/s, "
            f"p99 {r.p99_ms:.1f} ms, {r.requests} requests, {answered}"
        )
        feed = load(f"{base}/handovers", auth, args.seconds, stress)
        answered = "every request answered" if feed.errors == 0 else f"{feed.errors} errors"
        print(
            f"feed (thread pool, database) at {stress} connections: {feed.rps:.0f} req/s, "
            f"p99 {feed.p99_ms:.1f} ms, {answered}"
        )
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
