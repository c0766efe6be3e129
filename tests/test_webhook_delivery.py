"""Webhook delivery, end to end: a real HTTP receiver started by the test, the app's
delivery worker, signatures checked with the ``standardwebhooks`` library (an outside
reader, not our own code), retries, replays, refusals, two workers at once, and a
``kill -9`` of a real server between the commit of an event and its delivery.

The receiver answers as each test scripts it (a status, or hanging until released);
every wait has a deadline, and no assertion depends on how fast anything runs.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from sqlalchemy import select
from standardwebhooks import Webhook, WebhookVerificationError

from api.services.delivery import DeliveryWorker, backoff_seconds, send
from api.services.notifications import notify
from api.settings import Settings
from db import models as orm
from db.repositories.webhooks import Claim
from db.session import Database
from db.types import utcnow
from pathways.events import EventType
from tests.api.test_webhooks import admin_of, approve_pathway, create_hook
from tests.conftest import Actor, World
from tests.servers import cli, cli_env, running_server

T = TypeVar("T")
WAIT = 20.0
"""The longest any test waits for something to happen (it fails then)."""
HANG = "hang"


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    answered: int | str


@dataclass
class Receiver:
    """A webhook receiver on 127.0.0.1: records every request and answers with the next
    of ``script`` (a status, or :data:`HANG`: nothing until ``released``), then 200;
    while ``holding`` is set, every request hangs."""

    script: deque[int | str] = field(default_factory=deque)
    requests: list[Received] = field(default_factory=list)
    changed: threading.Condition = field(default_factory=threading.Condition)
    released: threading.Event = field(default_factory=threading.Event)
    holding: threading.Event = field(default_factory=threading.Event)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with receiver.changed:
                    answer = receiver.script.popleft() if receiver.script else 200
                    if receiver.holding.is_set():
                        answer = HANG
                    receiver.requests.append(
                        Received(self.path, dict(self.headers.items()), body, answer)
                    )
                    receiver.changed.notify_all()
                if answer == HANG:
                    receiver.released.wait(timeout=60)
                    answer = 200
                try:
                    self.send_response(int(answer))
                    if answer == 302:
                        self.send_header("Location", "/elsewhere")
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"ok")
                except OSError:
                    pass  # the sender went away (killed) while this one hung

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_for(self, count: int, timeout: float = WAIT) -> list[Received]:
        """The first ``count`` requests, once they have come."""
        with self.changed:
            arrived = self.changed.wait_for(lambda: len(self.requests) >= count, timeout)
            assert arrived, f"{len(self.requests)} requests within {timeout} s, not {count}"
            return list(self.requests[:count])

    def close(self) -> None:
        self.released.set()
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    found.start()
    yield found
    found.close()


def fast(database_url: str, **overrides: Any) -> Settings:
    """Settings for a worker that polls often, retries soon and may deliver to 127.0.0.1."""
    values: dict[str, Any] = {
        "database_url": database_url,
        "threads": 4,
        "webhook_allow_local": True,
        "webhook_poll_seconds": 0.05,
        "webhook_retry_seconds": 0.1,
        "webhook_timeout_seconds": 2.0,
        "webhook_lease_seconds": 4.0,
        "webhook_max_attempts": 3,
        **overrides,
    }
    return Settings(**values)


@pytest.fixture
def worker_overrides(request: pytest.FixtureRequest) -> dict[str, Any]:
    """What a test changes in :func:`fast` (parametrized indirectly)."""
    overrides: dict[str, Any] = getattr(request, "param", {})
    return overrides


@pytest.fixture
def settings(database_url: str, worker_overrides: dict[str, Any]) -> Settings:
    """The settings of ``world``'s app, whose worker delivers."""
    return fast(database_url, **worker_overrides)


@pytest.fixture
def admin(world: World) -> Actor:
    return admin_of(world, world.hospital)


def eventually(check: Callable[[], T | None], what: str, timeout: float = WAIT) -> T:
    """``check()``'s first answer that is not None (or False), polled until ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        assert time.monotonic() < deadline, f"not within {timeout} s: {what}"
        time.sleep(0.05)


def deliveries(actor: Actor | tuple[str, str], webhook_id: int) -> list[dict[str, Any]]:
    """The delivery log, newest first: through the app, or (url, token) of a server."""
    if isinstance(actor, Actor):
        response = actor.get(f"/webhooks/{webhook_id}/deliveries")
    else:
        base, token = actor
        response = httpx.get(
            f"{base}/webhooks/{webhook_id}/deliveries",
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def settled(actor: Actor | tuple[str, str], webhook_id: int, count: int = 1) -> Any:
    """A check for :func:`eventually`: the log once ``count`` deliveries are done."""

    def check() -> list[dict[str, Any]] | None:
        log = deliveries(actor, webhook_id)
        done = [d for d in log if d["status"] != "pending"]
        return log if len(log) >= count and len(done) == len(log) else None

    return check


def verified(secret: str, request: Received) -> dict[str, Any]:
    """The event a request carries, after ``standardwebhooks`` verified its signature."""
    event: dict[str, Any] = Webhook(secret).verify(request.body, request.headers)
    return event


# -- delivery ---------------------------------------------------------------------------


def test_the_receiver_gets_the_approved_version_once_signed(
    world: World, admin: Actor, receiver: Receiver, example_bytes: bytes
) -> None:
    hook = create_hook(admin, receiver.url).json()
    pathway_id = approve_pathway(world, example_bytes)
    (log,) = eventually(settled(admin, hook["id"]), "the delivery")
    (request,) = receiver.wait_for(1)
    assert receiver.requests == [request], "delivered once"
    assert log["status"] == "delivered"
    assert (log["attempts"], [a["status_code"] for a in log["log"]]) == (1, [200])
    assert log["delivered_at"] is not None
    assert log["next_attempt_at"] is None

    event = verified(hook["secret"], request)
    (fed,) = admin.get("/events").json()["items"]
    assert event == {k: v for k, v in fed.items() if k != "cursor"}
    assert (event["type"], event["data"]["pathway_id"]) == ("version.approved", pathway_id)
    assert event["data"]["version"] == 1
    assert request.headers["webhook-id"] == event["id"] == log["event_id"]
    assert request.headers["Content-Type"] == "application/json"
    assert request.path == "/hook"
    assert abs(int(request.headers["webhook-timestamp"]) - time.time()) < 600
    # The signature is over exactly these bytes, with this secret.
    with pytest.raises(WebhookVerificationError):
        Webhook(hook["secret"]).verify(request.body + b" ", request.headers)
    other = admin.post(f"/webhooks/{hook['id']}/secret", etag=hook["etag"]).json()["secret"]
    with pytest.raises(WebhookVerificationError):
        verified(other, request)


def test_a_failed_attempt_is_retried_with_the_same_id_and_logged(
    world: World, admin: Actor, receiver: Receiver, example_bytes: bytes
) -> None:
    receiver.script.extend([500])
    hook = create_hook(admin, receiver.url).json()
    approve_pathway(world, example_bytes)
    (log,) = eventually(settled(admin, hook["id"]), "the delivery after a retry")
    failed, retried = receiver.wait_for(2)
    assert (failed.answered, retried.answered) == (500, 200)
    assert len(receiver.requests) == 2
    assert failed.headers["webhook-id"] == retried.headers["webhook-id"] == log["event_id"]
    assert verified(hook["secret"], failed) == verified(hook["secret"], retried)
    assert failed.body == retried.body
    assert (log["status"], log["attempts"]) == ("delivered", 2)
    first, second = log["log"]
    assert (first["status_code"], second["status_code"]) == (500, 200)
    assert first["error"].startswith("HTTP 500")
    assert second["error"] == ""
    assert first["at"] <= second["at"]


def test_replay_delivers_the_same_event_again(
    world: World, admin: Actor, receiver: Receiver, example_bytes: bytes
) -> None:
    hook = create_hook(admin, receiver.url).json()
    approve_pathway(world, example_bytes)
    (first,) = eventually(settled(admin, hook["id"]), "the delivery")
    replayed = admin.post(f"/webhooks/{hook['id']}/deliveries/{first['id']}/replay")
    assert replayed.status_code == 202, replayed.text
    again, before = eventually(settled(admin, hook["id"], 2), "the replay")
    assert before == first
    assert (again["id"], again["status"], again["event_id"]) == (
        replayed.json()["id"],
        "delivered",
        first["event_id"],
    )
    original, replay = receiver.wait_for(2)
    assert len(receiver.requests) == 2
    assert original.headers["webhook-id"] == replay.headers["webhook-id"] == first["event_id"]
    assert verified(hook["secret"], original) == verified(hook["secret"], replay)


def test_after_the_last_attempt_a_delivery_fails_and_a_replay_still_works(
    world: World, admin: Actor, receiver: Receiver, example_bytes: bytes
) -> None:
    receiver.script.extend([503, 500, 302])
    hook = create_hook(admin, receiver.url).json()
    approve_pathway(world, example_bytes)
    (log,) = eventually(settled(admin, hook["id"]), "three failed attempts")
    assert (log["status"], log["attempts"], log["delivered_at"]) == ("failed", 3, None)
    assert [a["status_code"] for a in log["log"]] == [503, 500, 302]
    assert [r.path for r in receiver.wait_for(3)] == ["/hook"] * 3, "no redirect followed"
    replayed = admin.post(f"/webhooks/{hook['id']}/deliveries/{log['id']}/replay").json()
    again, _ = eventually(settled(admin, hook["id"], 2), "the replay")
    assert (again["id"], again["status"]) == (replayed["id"], "delivered")
    assert len(receiver.wait_for(4)) == 4


def test_backoff_doubles_up_to_six_hours() -> None:
    assert [backoff_seconds(n, 30) for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert backoff_seconds(12, 30) == 6 * 3600
    assert backoff_seconds(100, 30) == 6 * 3600


@pytest.mark.parametrize(
    "worker_overrides",
    [{"webhook_timeout_seconds": 30.0, "webhook_lease_seconds": 60.0}],
    indirect=True,
)
def test_a_slow_receiver_never_slows_a_request(
    world: World, admin: Actor, receiver: Receiver, example_bytes: bytes
) -> None:
    """The receiver holds the first delivery until the test lets go, and the worker
    waits for it up to 30 s; meanwhile another approval is answered, the first delivery
    still in flight (no attempt recorded) and the second waiting in the outbox."""
    receiver.script.append(HANG)
    hook = create_hook(admin, receiver.url).json()
    approve_pathway(world, example_bytes)
    receiver.wait_for(1)
    approve_pathway(world, example_bytes)
    log = deliveries(admin, hook["id"])
    assert [(d["status"], d["log"]) for d in log] == [("pending", []), ("pending", [])]
    assert len(receiver.requests) == 1
    receiver.released.set()
    done = eventually(settled(admin, hook["id"], 2), "both deliveries once released")
    assert [d["status"] for d in done] == ["delivered", "delivered"]


# -- refusals ---------------------------------------------------------------------------


def _claim(url: str, secret: str = "whsec_" + "A" * 32) -> Claim:
    event = orm.Event(
        id=1,
        event_id="evt_test",
        type="version.approved",
        pathway_id=None,
        data={"pathway_id": 1},
        created_at=utcnow(),
        dedupe_key=None,
    )
    return Claim(1, 0, utcnow(), url, secret, event)


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "[::ffff:127.0.0.1]"])
def test_a_local_address_is_refused_at_delivery_without_connecting(
    receiver: Receiver, host: str
) -> None:
    """The URL's name is resolved at each delivery; a loopback address is refused there
    (a name may come to point anywhere after the webhook was made)."""
    port = receiver.url.split(":")[2].split("/")[0]
    attempt = send(_claim(f"http://{host}:{port}/hook"), timeout=2, allow_local=False)
    assert attempt.status_code is None
    assert "loopback" in attempt.error
    assert receiver.requests == []
    allowed = send(_claim(f"http://127.0.0.1:{port}/hook"), timeout=2, allow_local=True)
    assert (allowed.status_code, allowed.error) == (200, "")
    assert len(receiver.wait_for(1)) == 1


def test_an_answer_that_does_not_come_is_a_timeout(receiver: Receiver) -> None:
    receiver.script.append(HANG)
    attempt = send(_claim(receiver.url), timeout=0.3, allow_local=True)
    assert (attempt.status_code, attempt.error) == (None, "no answer within 0.3 s")
    unreachable = send(_claim("http://127.0.0.1:9/hook"), timeout=2, allow_local=True)
    assert unreachable.status_code is None
    assert unreachable.error.startswith("cannot connect to 127.0.0.1")


def test_an_answer_dripped_byte_by_byte_is_cut_at_the_attempts_time() -> None:
    """Each byte comes within the time a single read waits, but the whole attempt has
    that time: the worker is not held longer (nor past its lease)."""
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def drip() -> None:
        connection, _ = listener.accept()
        with connection:
            connection.recv(65536)
            for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 400:
                if stop.is_set():
                    return
                with contextlib.suppress(OSError):
                    connection.send(bytes([byte]))
                time.sleep(0.05)

    dripper = threading.Thread(target=drip, daemon=True)
    dripper.start()
    try:
        port = listener.getsockname()[1]
        started = time.monotonic()
        attempt = send(_claim(f"http://127.0.0.1:{port}/hook"), timeout=1.0, allow_local=True)
        took = time.monotonic() - started
    finally:
        stop.set()
        dripper.join(timeout=WAIT)
        listener.close()
    assert (attempt.status_code, attempt.error) == (None, "no answer within 1 s")
    assert took < 5  # about the attempt's second, not the 20 s the drip would take


# -- workers, reviews -------------------------------------------------------------------


@pytest.mark.parametrize("worker_overrides", [{"webhook_delivery": False}], indirect=True)
def test_two_workers_never_deliver_one_delivery_twice(
    world: World, admin: Actor, receiver: Receiver, db: Database, settings: Settings
) -> None:
    """The app's own worker is off; two others race for the same twelve deliveries."""
    hook = create_hook(admin, receiver.url).json()
    count = 12
    with db.writer() as session, session.begin():
        for number in range(count):
            notify(
                session,
                EventType.VERSION_APPROVED,
                pathway_id=None,
                data={"number": number},
                recipients=[world.hospital.organization_id],
            )
    workers = [DeliveryWorker(db, settings) for _ in range(2)]
    start = threading.Barrier(len(workers))
    sent: list[int] = []

    def work(worker: DeliveryWorker) -> None:
        start.wait(timeout=WAIT)
        sent.append(worker.deliver_due())

    threads = [threading.Thread(target=work, args=(w,)) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=WAIT)
    assert sum(sent) == count, sent
    ids = [r.headers["webhook-id"] for r in receiver.wait_for(count)]
    assert len(receiver.requests) == count
    assert len(set(ids)) == count, "each event once"
    with db.reader() as session:
        rows = session.scalars(select(orm.Delivery).where(orm.Delivery.webhook_id == hook["id"]))
        assert {(row.status, row.attempts) for row in rows} == {("delivered", 1)}


@pytest.mark.parametrize("worker_overrides", [{"review_scan_seconds": 0.1}], indirect=True)
def test_the_worker_tells_of_a_review_falling_due_once(
    world: World,
    admin: Actor,
    receiver: Receiver,
    example_bytes: bytes,
    db: Database,
    settings: Settings,
) -> None:
    overdue = (utcnow().date() - timedelta(days=3)).isoformat()
    hook = create_hook(admin, receiver.url, events=["review.due"]).json()
    pathway_id = approve_pathway(world, example_bytes, review_due=overdue)
    (request,) = receiver.wait_for(1)
    event = verified(hook["secret"], request)
    assert (event["type"], event["data"]["pathway_id"]) == ("review.due", pathway_id)
    assert (event["data"]["review_due"], event["data"]["overdue"]) == (overdue, True)
    # The worker scans every 0.1 s; a scan now finds the event recorded already.
    assert DeliveryWorker(db, settings).scan_reviews() == 0
    feed = admin.get("/events?type=review.due").json()["items"]
    assert [e["id"] for e in feed] == [event["id"]]
    (log,) = eventually(settled(admin, hook["id"]), "the review's delivery")
    assert log["attempts"] == 1
    assert len(receiver.requests) == 1


# -- kill -9 ----------------------------------------------------------------------------


def _demo_token(output: str, who: str) -> str:
    found = re.search(rf"^\s+{re.escape(who)}: (htt_\S+)$", output, re.MULTILINE)
    assert found, output
    return found.group(1)


def _call(server: str, token: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}", **kwargs.pop("headers", {})}
    return httpx.request(method, f"{server}{path}", headers=headers, timeout=10, **kwargs)


def test_kill_9_between_commit_and_delivery_still_delivers(
    db: Database, database_url: str, tmp_path: Path, receiver: Receiver
) -> None:
    """A real server commits the version.approved event and its worker starts sending it;
    the receiver holds every request, and the server is killed with SIGKILL. After a
    restart on the same database the delivery is made (once the lease has run out, or
    at once if the killed worker recorded a timeout first), with the same webhook-id and
    a valid signature."""
    receiver.holding.set()
    env = cli_env(
        database_url,
        threads="4",
        webhook_allow_local="true",
        webhook_poll_seconds="0.1",
        webhook_timeout_seconds="3",
        webhook_lease_seconds="6",
        webhook_retry_seconds="0.2",
    )
    demo = cli(["demo"], tmp_path, env)
    assert demo.returncode == 0, demo.stderr
    found = re.search(r"^Demo pathway: /pathways/(\d+)$", demo.stdout, re.MULTILINE)
    assert found, demo.stdout
    path = f"/pathways/{found.group(1)}"
    operator = _demo_token(demo.stdout, "Helse Fjordvik HF (hospital, operator)")
    hospital = _demo_token(demo.stdout, "Helse Fjordvik HF (hospital, edit)")
    municipality = _demo_token(demo.stdout, "Fjordvik kommune (municipality, edit)")
    secretariat = _demo_token(
        demo.stdout, "Sekretariatet for Helsefellesskapet Fjordvik (secretariat, edit)"
    )
    with (tmp_path / "server.log").open("a") as output:
        with running_server(tmp_path, env, "--no-access-log", output=output.fileno()) as s:
            body = {"url": receiver.url, "events": ["version.approved"]}
            created = _call(s.url, operator, "POST", "/webhooks", json=body)
            assert created.status_code == 201, created.text
            hook = created.json()
            etag = {"If-Match": _call(s.url, hospital, "GET", path).headers["ETag"]}
            for token in (hospital, municipality):
                approved = _call(s.url, token, "POST", f"{path}/approvals", headers=etag)
                assert approved.status_code == 201, approved.text
            decision = {"decided_on": utcnow().date().isoformat(), "reference": "Sak 1/2026"}
            decided = _call(
                s.url, secretariat, "POST", f"{path}/decisions", json=decision, headers=etag
            )
            assert decided.status_code == 201, decided.text
            assert decided.json()["version"]["number"] == 1  # committed before this answer
            (held,) = receiver.wait_for(1)  # the worker is sending it
            os.kill(s.process.pid, signal.SIGKILL)
            assert s.process.wait(timeout=10) == -signal.SIGKILL
        with db.reader() as session:
            (row,) = session.scalars(select(orm.Delivery)).all()
            assert row.status == "pending", "nothing was answered 2xx before the kill"
        receiver.holding.clear()
        receiver.released.set()  # the request of the killed server ends

        with running_server(tmp_path, env, "--no-access-log", output=output.fileno()) as s:
            check = settled((s.url, operator), hook["id"])
            (log,) = eventually(check, "the delivery after the restart")
    assert log["status"] == "delivered", log
    assert log["event_id"] == held.headers["webhook-id"]
    delivered = [r for r in receiver.requests if r.answered == 200]
    assert delivered, receiver.requests
    assert all(r.headers["webhook-id"] == held.headers["webhook-id"] for r in receiver.requests)
    event = verified(hook["secret"], delivered[-1])
    assert event == verified(hook["secret"], held)
    assert (event["type"], event["data"]["version"]) == ("version.approved", 1)
