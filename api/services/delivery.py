"""The delivery worker: sends the outbox's webhook deliveries, signed, and records
review.due events.

One daemon thread per server process (started and stopped in the app's lifespan when
``webhook_delivery`` is on). Every ``webhook_poll_seconds`` it looks for due deliveries
(a plain read), and for each it:

1. claims it in a short transaction of its own: a lease of ``webhook_lease_seconds``
   (``db.repositories.webhooks.OutboxRepository.claim``; workers of other processes skip
   it meanwhile, and take it again if this one dies before recording);
2. sends it with no transaction open: the host is resolved and refused, with no
   connection, when an address is local (``api.services.webhooks.is_local_address``,
   unless ``webhook_allow_local``); the connection goes to the address checked;
   redirects are not followed; connecting, sending and the answer's status must come
   within ``webhook_timeout_seconds`` in all (a watchdog shuts the socket then); the
   answer's body is not read, and the log keeps its status only;
3. records the attempt in a second short transaction: a 2xx answer is delivered;
   anything else is tried again after ``webhook_retry_seconds``, doubling each time (at
   most 6 hours), until ``webhook_max_attempts`` (then failed).

Each delivery is signed as Standard Webhooks say: ``webhook-id`` (the event's id, the
same on every retry and replay), ``webhook-timestamp`` (this attempt's Unix time) and
``webhook-signature: v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`` with the
secret's key; the body is the compact JSON of :func:`~api.services.notifications.event_body`.

At most every ``review_scan_seconds`` it also records a review.due event for each
pathway whose latest approved version is due for review within ``review_notice_days``
(or overdue), once per pathway and review date. A database or receiver error is logged
and the worker carries on.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import http.client
import ipaddress
import json
import logging
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.services.notifications import event_body, notify, pathway_audience
from api.services.webhooks import SECRET_PREFIX, is_local_address
from api.settings import Settings
from db import models as orm
from db.repositories.versions import VersionRepository
from db.repositories.webhooks import Claim, OutboxRepository
from db.session import Database
from db.types import utcnow
from pathways.events import EventType
from pathways.text import printable

__all__ = [
    "MAX_BACKOFF_SECONDS",
    "Attempt",
    "DeliveryWorker",
    "backoff_seconds",
    "body_bytes",
    "send",
    "signature",
]

log = logging.getLogger("pathways.webhooks")

MAX_BACKOFF_SECONDS = 6 * 3600.0
_USER_AGENT = "hjem-til-hjem-webhooks/0.1"
_MAX_ADDRESSES = 3


@dataclass(frozen=True, slots=True)
class Attempt:
    """How one try went: the receiver's status (None without an answer), what went
    wrong, and how long it took."""

    status_code: int | None
    error: str
    duration_ms: int

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def body_bytes(event: orm.Event) -> bytes:
    """The body of every delivery of ``event``: the exact bytes signed."""
    return json.dumps(event_body(event), separators=(",", ":"), ensure_ascii=False).encode()


def signature(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """``v1,`` and the base64 HMAC-SHA256 of ``{id}.{timestamp}.{body}``."""
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    digest = hmac.new(key, f"{message_id}.{timestamp}.".encode() + body, hashlib.sha256)
    return "v1," + base64.b64encode(digest.digest()).decode("ascii")


def backoff_seconds(attempts: int, base: float) -> float:
    """The wait after the ``attempts``-th failed attempt: ``base``, doubling, capped."""
    return float(min(base * 2 ** min(attempts - 1, 40), MAX_BACKOFF_SECONDS))


class _Refused(Exception):
    pass


def _addresses(host: str, port: int, allow_local: bool) -> list[str]:
    """The addresses to connect to; :class:`_Refused` if any is local (not allowed)."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise _Refused(f"cannot resolve {host}: {error}") from None
    addresses = list(dict.fromkeys(str(info[4][0]) for info in found))
    for address in addresses:
        parsed = ipaddress.ip_address(address.split("%", 1)[0])
        if not allow_local and is_local_address(parsed):
            raise _Refused(
                f"{host} resolves to {address}, a loopback, link-local, unspecified, "
                "multicast, reserved or shared (CGNAT) address: not delivered "
                "(PATHWAYS_WEBHOOK_ALLOW_LOCAL allows it)"
            )
    if not addresses:
        raise _Refused(f"cannot resolve {host}: no address")
    return addresses[:_MAX_ADDRESSES]


class _Pinned(http.client.HTTPConnection):
    """A connection to the address that was checked, whatever the name resolves to now;
    the name stays in Host and, over TLS, for the certificate."""

    def __init__(self, url: httpx.URL, address: str, timeout: float) -> None:
        port = url.port or (443 if url.scheme == "https" else 80)
        super().__init__(url.raw_host.decode("ascii"), port, timeout=timeout)
        self.address = address
        self.tls = ssl.create_default_context() if url.scheme == "https" else None

    def connect(self) -> None:
        raw = socket.create_connection((self.address, self.port), self.timeout)
        if self.tls is None:
            self.sock = raw
            return
        wrapped = self.tls.wrap_socket(
            raw, server_hostname=self.host, do_handshake_on_connect=False
        )
        self.sock = wrapped  # before the handshake: the watchdog can cut that too
        wrapped.do_handshake()


def _cut(connection: _Pinned, fired: threading.Event) -> None:
    """The attempt's deadline: shut the socket, waking whatever waits on it."""
    fired.set()
    sock = connection.sock
    if sock is not None:
        with contextlib.suppress(OSError):
            socket.socket.shutdown(sock, socket.SHUT_RDWR)


def _post(
    url: httpx.URL, address: str, headers: dict[str, str], body: bytes, timeout: float
) -> Attempt:
    """POST to ``url`` at ``address``: connecting, TLS, sending and the answer's status
    and headers, all within ``timeout`` in total. Each wait on the socket is bounded by
    it, and a watchdog shuts the socket at the deadline, so a receiver that drips its
    answer byte by byte cannot hold the worker longer. The answer's body is not read:
    the delivery log keeps the status, never what a receiver (or a service behind it)
    says."""
    started = time.monotonic()
    connection = _Pinned(url, address, timeout)
    fired = threading.Event()
    watchdog = threading.Timer(timeout, _cut, (connection, fired))
    watchdog.daemon = True
    watchdog.start()
    try:
        try:
            connection.connect()
        except ssl.SSLError:
            raise
        except OSError as error:
            if fired.is_set() or isinstance(error, TimeoutError):
                raise _NoAnswer from None
            raise _Unreachable(f"cannot connect to {address}: {error}") from None
        connection.request(
            "POST",
            url.raw_path.decode("ascii"),
            body=body,
            headers={**headers, "Host": url.netloc.decode("ascii")},
        )
        status = connection.getresponse().status
        if fired.is_set():  # the answer was cut short at the deadline
            raise _NoAnswer
    except (OSError, http.client.HTTPException) as error:
        if fired.is_set() or isinstance(error, TimeoutError):
            raise _NoAnswer from None
        raise
    finally:
        watchdog.cancel()
        connection.close()
    elapsed = int((time.monotonic() - started) * 1000)
    return Attempt(status, "" if 200 <= status < 300 else f"HTTP {status}", elapsed)


class _NoAnswer(Exception):
    """No answer within the attempt's time."""


class _Unreachable(Exception):
    """No connection to this address (nothing was sent: the next may be tried)."""


def send(claim: Claim, *, timeout: float, allow_local: bool) -> Attempt:
    """One attempt of the claimed delivery; never raises for what the receiver does."""
    started = time.monotonic()
    body = body_bytes(claim.event)
    timestamp = int(time.time())
    headers = {
        "webhook-id": claim.event.event_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(claim.secret, claim.event.event_id, timestamp, body),
        "Content-Type": "application/json",
        "User-Agent": _USER_AGENT,
    }

    def failed(error: str) -> Attempt:
        elapsed = int((time.monotonic() - started) * 1000)
        return Attempt(None, printable(error, max_length=500), elapsed)

    try:
        url = httpx.URL(claim.url)
        port = url.port or (443 if url.scheme == "https" else 80)
        addresses = _addresses(url.raw_host.decode("ascii"), port, allow_local)
    except _Refused as error:
        return failed(str(error))
    except (httpx.InvalidURL, ValueError) as error:
        return failed(f"the URL cannot be used: {error}")
    error_text = ""
    for address in addresses:
        try:
            return _post(url, address, headers, body, timeout)
        except _NoAnswer:
            return failed(f"no answer within {timeout:g} s")
        except ssl.SSLError as error:
            return failed(f"TLS with {address} failed: {error}")
        except _Unreachable as error:
            error_text = str(error)
        except (OSError, http.client.HTTPException) as error:
            return failed(f"{type(error).__name__}: {error}")
    return failed(error_text)


class DeliveryWorker:
    """The thread that delivers the outbox and records review notices (module doc)."""

    def __init__(self, database: Database, settings: Settings) -> None:
        self.database = database
        self.settings = settings
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._next_scan = 0.0
        self._failing = False

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="webhook-delivery", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop after the attempt in flight, waiting for it as long as one may take."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.settings.webhook_timeout_seconds + 5)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.is_set():
            self.run_once()
            self._stop.wait(self.settings.webhook_poll_seconds)

    def run_once(self) -> int:
        """Deliver what is due and, when it is time, scan for reviews falling due; how
        many deliveries were attempted. Errors are logged, never raised."""
        attempted = 0
        try:
            attempted = self.deliver_due()
            if time.monotonic() >= self._next_scan:
                self.scan_reviews()
                self._next_scan = time.monotonic() + self.settings.review_scan_seconds
        except Exception:
            if not self._failing:
                log.exception("webhook delivery: the database failed; retrying every poll")
            self._failing = True
        else:
            if self._failing:
                log.info("webhook delivery: the database answers again")
            self._failing = False
        return attempted

    # -- deliveries --------------------------------------------------------------------

    def deliver_due(self) -> int:
        """Claim, send and record due deliveries one at a time until none is due."""
        with self.database.reader() as session:
            if not OutboxRepository(session).has_due(utcnow()):
                return 0
        attempted = 0
        while not self._stop.is_set():
            claim = self._claim()
            if claim is None:
                break
            try:
                attempt = send(
                    claim,
                    timeout=self.settings.webhook_timeout_seconds,
                    allow_local=self.settings.webhook_allow_local,
                )
            except Exception as error:  # a fault of ours: logged as the attempt's error
                log.exception("webhook delivery %d could not be sent", claim.delivery_id)
                attempt = Attempt(None, f"internal error: {type(error).__name__}", 0)
            self._record(claim, attempt)
            attempted += 1
        return attempted

    def _claim(self) -> Claim | None:
        now = utcnow()
        lease = now + timedelta(seconds=self.settings.webhook_lease_seconds)
        with self.database.writer() as session, session.begin():
            return OutboxRepository(session).claim(now=now, lease_until=lease)

    def _record(self, claim: Claim, attempt: Attempt) -> None:
        at = utcnow()
        number = claim.attempts + 1
        retry_at: datetime | None = None
        if not attempt.delivered and number < self.settings.webhook_max_attempts:
            wait = backoff_seconds(number, self.settings.webhook_retry_seconds)
            retry_at = at + timedelta(seconds=wait)
        with self.database.writer() as session, session.begin():
            OutboxRepository(session).record(
                claim,
                at=at,
                status_code=attempt.status_code,
                error=attempt.error,
                duration_ms=attempt.duration_ms,
                delivered=attempt.delivered,
                retry_at=retry_at,
            )
        if not attempt.delivered:
            log.info(
                "webhook delivery %d of %s: attempt %d failed: %s",
                claim.delivery_id,
                claim.event.event_id,
                number,
                attempt.error,
            )

    # -- review notices ----------------------------------------------------------------

    def scan_reviews(self) -> int:
        """Record review.due for each pathway due for review that has none for its
        date yet; how many were recorded."""
        until = utcnow().date() + timedelta(days=self.settings.review_notice_days)
        with self.database.reader() as session:
            outbox = OutboxRepository(session)
            due = {
                f"review.due:{pathway_id}:{review_due.isoformat()}": (pathway_id, number)
                for pathway_id, number, review_due in outbox.reviews_due(until)
            }
            wanted = set(due) - outbox.existing_keys(due)
        if not wanted:
            return 0
        recorded = 0
        with self.database.writer() as session, session.begin():
            for key in sorted(wanted):
                pathway_id, number = due[key]
                recorded += _notify_review(session, key, pathway_id, number)
        return recorded


def _notify_review(session: Session, key: str, pathway_id: int, number: int) -> int:
    """Record review.due for version ``number`` of the pathway (1), or nothing (0) when it
    is gone or another worker recorded it first."""
    pathway = session.get(orm.Pathway, pathway_id)
    version = VersionRepository(session).get(pathway_id, number)
    if pathway is None or version is None or version.review_due is None:
        return 0
    today = utcnow().date()
    data = {
        "pathway_id": pathway_id,
        "title": version.title,
        "version": version.number,
        "review_due": version.review_due.isoformat(),
        "overdue": version.review_due < today,
        "document": f"/pathways/{pathway_id}/versions/{version.number}",
    }
    try:
        with session.begin_nested():
            recorded = notify(
                session,
                EventType.REVIEW_DUE,
                pathway_id=pathway_id,
                data=data,
                recipients=pathway_audience(session, pathway),
                dedupe_key=key,
            )
    except IntegrityError:
        return 0  # another process recorded it between the read and now
    return 0 if recorded is None else 1
