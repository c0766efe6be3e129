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
"""

from __future__ import annotations

import threading
import time
from collections.abc import Hashable
from typing import Generic, TypeVar

from api.services.auth import Client
from pathways.model import Pathway

__all__ = ["Bounded", "TokenCache", "VersionCache"]

V = TypeVar("V")


class Bounded(Generic[V]):
    """A mapping of at most ``capacity`` entries that forgets the oldest first.

    Reads take no lock (a dict lookup is atomic), so the hot path never waits on one;
    writes are serialised.
    """

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._items: dict[Hashable, V] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> V | None:
        return self._items.get(key)

    def put(self, key: Hashable, value: V) -> None:
        with self._lock:
            self._items.pop(key, None)
            self._items[key] = value
            while len(self._items) > self.capacity:
                del self._items[next(iter(self._items))]

    def pop(self, key: Hashable) -> None:
        with self._lock:
            self._items.pop(key, None)

    def __len__(self) -> int:
        return len(self._items)


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
        max_drafts: int = 128,
        max_answers: int = 8192,
    ) -> None:
        self.latest_ttl = latest_ttl
        self.drafts: Bounded[Pathway] = Bounded(max_drafts)
        """Drafts by revision (``db.repositories.pathways.DraftStore``)."""
        self._pathways: Bounded[Pathway] = Bounded(max_versions)
        self._answers: Bounded[object] = Bounded(max_answers)
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
