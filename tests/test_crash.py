"""kill -9 during a stream of whole-graph replacements: nothing torn, nothing lost.

A real server (``pathways serve``, one worker, so uvicorn serves in the process we
start) takes a stream of ``PUT /pathways/{id}/graph``, one after the other, each with
the ETag of the previous answer. Graph number *n* is recognisable: every step name and
transition label carries *n*, and the number of steps depends on *n*. After a random
number of acknowledgements and a random short delay the server is killed with SIGKILL,
mostly while a replacement is in flight. After a restart on the same database:

- the graph is wholly one of the graphs sent (same number everywhere, the step count
  and transitions of that graph, field for field);
- no acknowledged change is lost: the number is at least the last acknowledged one;
- the revision is the one its acknowledgement named (or, for the one replacement that
  was in flight and never answered, one more than the last acknowledged revision);
- the history has exactly one entry per revision, contiguous from 0, the last one
  describing the graph found;
- the pathway can be changed again with the recovered ETag.

Several kill/restart rounds run on the same database; on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import os
import random
import re
import signal
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from db.session import Database
from tests.servers import Server, cli, cli_env, running_server

ROUNDS = 3
TOKEN_LINE = re.compile(r"^\s+Fjordvik kommune \(municipality, edit\): (htt_\S+)$", re.MULTILINE)
PATHWAY_LINE = re.compile(r"^Demo pathway: /pathways/(\d+)$", re.MULTILINE)
NAME = re.compile(r"^seq (\d+) step (\d+)$")


def step_count(seq: int) -> int:
    """3 to 42 steps: neighbouring graphs differ in size, some are large."""
    return 3 + (seq * 7) % 40


def graph(seq: int) -> dict[str, list[dict[str, Any]]]:
    """Graph number ``seq``, exactly as the API returns it: home, a chain of steps that
    alternate between the levels, home again, with a handover at each level change."""
    count = step_count(seq)
    steps: list[dict[str, Any]] = []
    for index in range(count):
        home = index in (0, count - 1)
        level = "municipality" if home or index % 2 == 0 else "hospital"
        steps.append(
            {
                "key": f"s{index}",
                "name": f"seq {seq} step {index}",
                "level": level,
                "kind": "home" if home else "treatment",
                "responsible": f"team {seq}",
                "expected_duration": None if home else f"PT{index}H",
                "description": f"graph {seq}, {count} steps",
            }
        )
    transitions: list[dict[str, Any]] = []
    for index in range(count - 1):
        source, target = steps[index], steps[index + 1]
        handover = None
        if source["level"] != target["level"]:
            handover = {
                "sender_role": f"sender {seq}",
                "receiver_role": f"receiver {seq}",
                "messages": ["EPIKRISE"],
                "deadline": "PT24H",
                "checklist": [
                    {
                        "key": f"c{seq}",
                        "text": f"checklist of graph {seq}",
                        "side": "sender",
                        "required": True,
                        "due": "PT1H",
                    }
                ],
            }
        transitions.append(
            {
                "key": f"t{index}",
                "from": source["key"],
                "to": target["key"],
                "label": f"seq {seq} transition {index}",
                "handover": handover,
            }
        )
    return {"steps": steps, "transitions": transitions}


@dataclass
class Stream:
    """What the client sent and what the server acknowledged."""

    revision: int
    next_seq: int
    acknowledged: dict[int, int] = field(default_factory=dict)
    """Sequence number → the revision its 2xx answer carried."""
    unanswered: int | None = None
    """The sequence number in flight when the connection broke, if any."""
    rejected: list[tuple[int, int, str]] = field(default_factory=list)
    """Non-2xx answers: sequence number, status, body."""

    @property
    def last_acknowledged(self) -> int | None:
        return max(self.acknowledged, default=None)


def _headers(token: str, etag: str | None = None) -> dict[str, str]:
    headers = {"Authorization": f"Bearer {token}"}
    if etag is not None:
        headers["If-Match"] = etag
    return headers


def _stream_until_killed(
    server: Server, token: str, pathway_id: int, stream: Stream, rng: random.Random
) -> float:
    """Replace the graph again and again; a second thread kills the server after a random
    number of acknowledgements and a random delay. Returns the delay used."""
    kill_after = rng.randint(3, 30)
    delay = rng.uniform(0.0, 0.06)
    lock = threading.Lock()
    enough = threading.Event()
    killing = threading.Event()
    cancelled = False

    def killer() -> None:
        if enough.wait(timeout=30):
            time.sleep(delay)
        with lock:
            if not cancelled:
                killing.set()
                os.kill(server.process.pid, signal.SIGKILL)

    thread = threading.Thread(target=killer, daemon=True)
    thread.start()
    acknowledged_here = 0
    url = f"{server.url}/pathways/{pathway_id}/graph"
    try:
        with httpx.Client(timeout=20) as client:
            while True:
                seq = stream.next_seq
                stream.next_seq += 1
                try:
                    response = client.put(
                        url, json=graph(seq), headers=_headers(token, f'"{stream.revision}"')
                    )
                except httpx.TransportError as error:
                    stream.unanswered = seq
                    if not killing.is_set():
                        raise AssertionError("the connection broke before the kill") from error
                    break
                if not response.is_success:
                    stream.rejected.append((seq, response.status_code, response.text[:500]))
                    break
                body = response.json()
                assert body["steps"] == graph(seq)["steps"], "the answer is not the graph sent"
                assert body["transitions"] == graph(seq)["transitions"]
                assert response.headers["ETag"] == f'"{body["revision"]}"'
                assert body["revision"] == stream.revision + 1
                stream.revision = body["revision"]
                stream.acknowledged[seq] = body["revision"]
                acknowledged_here += 1
                if acknowledged_here == kill_after:
                    enough.set()
    finally:
        with lock:
            cancelled = not killing.is_set()  # the stream ended otherwise: no kill now
        enough.set()
        thread.join()
    assert not stream.rejected, f"refused: {stream.rejected}"
    assert server.process.wait(timeout=10) == -signal.SIGKILL
    # One worker: the process we killed was the one serving, so nothing answers any more.
    with pytest.raises(httpx.TransportError):
        httpx.get(f"{server.url}/health", timeout=1)
    return delay


def _history(server: Server, token: str, pathway_id: int) -> tuple[int, list[dict[str, Any]]]:
    entries: list[dict[str, Any]] = []
    total = -1
    while total < 0 or len(entries) < total:
        page = httpx.get(
            f"{server.url}/pathways/{pathway_id}/history",
            params={"limit": 200, "offset": len(entries)},
            headers=_headers(token),
            timeout=10,
        )
        assert page.status_code == 200, page.text
        body = page.json()
        total = body["total"]
        if not body["items"]:
            break
        entries.extend(body["items"])
    return total, entries


def _check_recovered(
    server: Server, token: str, pathway_id: int, stream: Stream, context: str
) -> None:
    """The state after a restart is one whole graph sent, with no acknowledged one lost,
    and its revision and history agree; then continue the stream from it."""
    found = httpx.get(
        f"{server.url}/pathways/{pathway_id}/graph", headers=_headers(token), timeout=10
    )
    assert found.status_code == 200, found.text
    body = found.json()
    revision = body["revision"]
    assert found.headers["ETag"] == f'"{revision}"'
    assert body["steps"], f"{context}: the graph is empty at revision {revision}"
    names = [NAME.match(step["name"]) for step in body["steps"]]
    assert all(names), f"{context}: a step that no graph sent has: {body['steps']}"
    seqs = {int(match.group(1)) for match in names if match}
    assert len(seqs) == 1, f"{context}: a torn graph, steps of graphs {sorted(seqs)}"
    (seq,) = seqs
    assert len(body["steps"]) == step_count(seq), f"{context}: graph {seq} is incomplete"
    assert body["steps"] == graph(seq)["steps"], f"{context}: graph {seq} differs"
    assert body["transitions"] == graph(seq)["transitions"], (
        f"{context}: the transitions are not those of graph {seq}"
    )

    last = stream.last_acknowledged
    if last is not None:
        assert seq >= last, f"{context}: graph {last} was acknowledged but {seq} is stored"
    if seq in stream.acknowledged:
        assert revision == stream.acknowledged[seq], (
            f"{context}: graph {seq} was acknowledged at revision "
            f"{stream.acknowledged[seq]} but is stored at {revision}"
        )
    else:
        # Committed before the kill, answer never received.
        assert seq == stream.unanswered, (
            f"{context}: graph {seq} was never sent or was refused, yet it is stored "
            f"(last acknowledged {last}, in flight {stream.unanswered})"
        )
        assert revision == stream.revision + 1, (
            f"{context}: the unacknowledged graph {seq} is at revision {revision}, "
            f"expected {stream.revision + 1}"
        )

    total, entries = _history(server, token, pathway_id)
    assert total == revision, f"{context}: {total} history entries for revision {revision}"
    assert len(entries) == total
    steps = [(entry["revision_before"], entry["revision_after"]) for entry in entries]
    assert steps == [(n, n + 1) for n in range(revision)], (
        f"{context}: the history's revisions are not contiguous: {steps}"
    )
    count = step_count(seq)
    if revision > 2:  # the demo's own two entries come first
        assert entries[-1]["action"] == "graph.replace"
        assert entries[-1]["summary"] == (
            f"Replaced the graph: {count} steps, {count - 1} transitions"
        ), f"{context}: the last history entry is not that of graph {seq}"

    stream.revision = revision
    stream.acknowledged[seq] = revision
    stream.unanswered = None


def _demo(env: dict[str, str], cwd: Path) -> tuple[str, int]:
    demo = cli(["demo"], cwd, env)
    assert demo.returncode == 0, demo.stderr
    token = TOKEN_LINE.search(demo.stdout)
    pathway = PATHWAY_LINE.search(demo.stdout)
    assert token, demo.stdout
    assert pathway, demo.stdout
    return token.group(1), int(pathway.group(1))


def test_kill_9_during_graph_replacements_tears_and_loses_nothing(
    db: Database, database_url: str, tmp_path: Path
) -> None:
    seed = random.randrange(2**32)
    rng = random.Random(seed)
    print(f"random seed {seed}")
    env = cli_env(database_url, threads="4")
    token, pathway_id = _demo(env, tmp_path)
    stream = Stream(revision=0, next_seq=1)
    log = tmp_path / "server.log"
    history: list[str] = []
    with log.open("a") as output:
        for round_number in range(ROUNDS):
            with running_server(tmp_path, env, "--no-access-log", output=output.fileno()) as s:
                if round_number:
                    _check_recovered(s, token, pathway_id, stream, f"seed {seed}, {history}")
                else:
                    first = httpx.get(f"{s.url}/pathways/{pathway_id}", headers=_headers(token))
                    stream.revision = int(first.json()["revision"])
                delay = _stream_until_killed(s, token, pathway_id, stream, rng)
                history.append(
                    f"round {round_number}: acknowledged up to {stream.last_acknowledged}, "
                    f"in flight {stream.unanswered}, killed {delay * 1000:.0f} ms later"
                )
        with running_server(tmp_path, env, "--no-access-log", output=output.fileno()) as server:
            context = f"seed {seed}, {history}, server log: {log.read_text()[-3000:]}"
            _check_recovered(server, token, pathway_id, stream, context)
            assert len(stream.acknowledged) >= ROUNDS * 3, context
            again = httpx.put(
                f"{server.url}/pathways/{pathway_id}/graph",
                json=graph(stream.next_seq),
                headers=_headers(token, f'"{stream.revision}"'),
                timeout=10,
            )
            assert again.status_code == 200, f"{context}: {again.text}"
            assert again.json()["revision"] == stream.revision + 1
