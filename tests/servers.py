"""A real server in a child process (uvicorn via ``pathways serve``), for tests that
need real sockets, several workers or a process to kill."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent

__all__ = ["ROOT", "Server", "cli", "cli_env", "free_port", "running_server"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def cli_env(database_url: str | None, **settings: str) -> dict[str, str]:
    """The environment for a child ``pathways`` process on ``database_url`` (None: the
    embedded SQLite default under its working directory)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("PATHWAYS_DATABASE_URL", None)
    if database_url is not None:
        env["PATHWAYS_DATABASE_URL"] = database_url
    env.update({f"PATHWAYS_{name.upper()}": value for name, value in settings.items()})
    return env


def cli(args: Sequence[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "api.cli", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@dataclass
class Server:
    url: str
    process: subprocess.Popen[str]


@contextmanager
def running_server(
    cwd: Path, env: dict[str, str], *extra: str, output: int | None = subprocess.DEVNULL
) -> Iterator[Server]:
    """``pathways serve`` on a free port, up and answering /health, stopped afterwards."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "serve", "--port", str(port), *extra],
        cwd=cwd,
        env=env,
        stdout=output,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the server did not start"
            assert process.poll() is None, "the server exited"
            time.sleep(0.2)
        yield Server(url, process)
    finally:
        if process.poll() is None:
            process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
