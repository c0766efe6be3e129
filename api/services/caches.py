"""Per-process caches: who a token belongs to, and states that never change.

- :class:`TokenCache` remembers who a token belongs to for ``ttl`` seconds, so a read
  needs no database round trip to authenticate. A revoked token therefore keeps reading
  for at most ``ttl`` seconds in another worker process; it stops at once in the process
  that revoked it, and for every change (changes always ask the database).
- :class:`VersionCache` holds approved versions (by number) and drafts (by revision),
  parsed, and the answers rendered from them. What a version or a revision holds never
  changes, so these entries never go stale: a request reads the pathway's row (its
  revision) and finds its answer by it. Only "the latest version of pathway P" can
  change, and the checklist routes keep that lookup for ``latest_ttl`` seconds.

Both are bounded (the oldest entries go first) and thread-safe; reads take no lock.
Per worker: 10,000 tokens; 512 approved versions and 128 drafts, with at most 200,000
and 100,000 steps and transitions in all; 8,192 rendered answers with at most 64 MiB of
bytes in all.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from api.services.auth import Client
from pathways.model import Pathway

__all__ = ["Bounded", "TokenCache", "VersionCache"]

V = TypeVar("V")


class Bounded(Generic[V]):
    """A mapping of at most ``capacity`` entries, and at most ``max_size`` in all by
    ``size`` (e.g. bytes), that forgets the oldest first.

    Reads take no lock (a dict lookup is atomic), so the hot path never waits on one;
    writes are serialised.
    """

    def __init__(
        self,
        capacity: int,
        *,
        max_size: int | None = None,
        size: Callable[[V], int] | None = None,
    ) -> None:
        self.capacity = capacity
        self.max_size = max_size
        self._size = size or (lambda _value: 0)
        self._items: dict[Hashable, tuple[V, int]] = {}
        self._total = 0
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> V | None:
        entry = self._items.get(key)
        return None if entry is None else entry[0]

    def put(self, key: Hashable, value: V) -> None:
        size = self._size(value)
        if self.max_size is not None and size > self.max_size:
            return  # larger than the whole budget: not kept
        with self._lock:
            self._discard(key)
            self._items[key] = (value, size)
            self._total += size
            while len(self._items) > self.capacity or (
                self.max_size is not None and self._total > self.max_size
            ):
                self._discard(next(iter(self._items)))

    def pop(self, key: Hashable) -> None:
        with self._lock:
            self._discard(key)

    def _discard(self, key: Hashable) -> None:
        entry = self._items.pop(key, None)
        if entry is not None:
            self._total -= entry[1]

    @property
    def size(self) -> int:
        """The sum of ``size`` over the entries kept."""
        return self._total

    def __len__(self) -> int:
        return len(self._items)


def _elements(pathway: Pathway) -> int:
    return len(pathway.steps) + len(pathway.transitions)


def _bytes(answer: object) -> int:
    if isinstance(answer, bytes):
        return len(answer)
    body = getattr(answer, "body", None)
    return len(body) if isinstance(body, bytes) else 0


class TokenCache:
    def __init__(self, *, ttl: float, capacity: int = 10_000) -> None:
        self.ttl = ttl
        self._entries: Bounded[tuple[Client, float]] = Bounded(capacity)

    def get(self, secret_hash: str) -> Client | None:
        entry = self._entries.get(secret_hash)
        if entry is None:
            return None
        client, expires = entry
        if time.monotonic() >= expires:
            self._entries.pop(secret_hash)
            return None
        return client

    def put(self, secret_hash: str, client: Client) -> None:
        if self.ttl > 0:
            self._entries.put(secret_hash, (client, time.monotonic() + self.ttl))

    def forget(self, secret_hash: str) -> None:
        self._entries.pop(secret_hash)


class VersionCache:
    def __init__(
        self,
        *,
        latest_ttl: float,
        max_versions: int = 512,
        max_version_elements: int = 200_000,
        max_drafts: int = 128,
        max_draft_elements: int = 100_000,
        max_answers: int = 8192,
        max_answer_bytes: int = 64 * 1024 * 1024,
    ) -> None:
        self.latest_ttl = latest_ttl
        self.drafts: Bounded[Pathway] = Bounded(
            max_drafts, max_size=max_draft_elements, size=_elements
        )
        """Drafts by revision (``db.repositories.pathways.DraftStore``): at most
        ``max_drafts`` of them with ``max_draft_elements`` steps and transitions in all."""
        self._pathways: Bounded[Pathway] = Bounded(
            max_versions, max_size=max_version_elements, size=_elements
        )
        self._answers: Bounded[object] = Bounded(
            max_answers, max_size=max_answer_bytes, size=_bytes
        )
        self._latest: Bounded[tuple[int | None, float]] = Bounded(max_versions)

    def pathway(self, pathway_id: int, number: int) -> Pathway | None:
        return self._pathways.get((pathway_id, number))

    def put_pathway(self, pathway_id: int, number: int, pathway: Pathway) -> None:
        self._pathways.put((pathway_id, number), pathway)

    def answer(self, key: Hashable) -> object | None:
        """An answer rendered from a version or a revision; its key names what it is of."""
        return self._answers.get(key)

    def put_answer(self, key: Hashable, value: object) -> None:
        self._answers.put(key, value)

    def latest(self, pathway_id: int) -> tuple[bool, int | None]:
        """``(known, number)``: whether the latest version is cached, and which it is."""
        entry = self._latest.get(pathway_id)
        if entry is None or time.monotonic() >= entry[1]:
            return False, None
        return True, entry[0]

    def put_latest(self, pathway_id: int, number: int | None) -> None:
        if self.latest_ttl > 0:
            self._latest.put(pathway_id, (number, time.monotonic() + self.latest_ttl))

    def forget_latest(self, pathway_id: int) -> None:
        self._latest.pop(pathway_id)
