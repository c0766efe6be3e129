"""How many requests may use the database at once, and what happens beyond that.

FastAPI runs each sync dependency and the endpoint in separate thread-pool calls, and a
session keeps its connection between them. Left alone, more requests in flight than
connections deadlock: every thread waits for a connection while every connection is
held by a request that waits for a thread. The :class:`DatabaseGate` prevents that:
a request takes one of ``slots`` places (waiting in the event loop, not in a thread)
before it touches the database, and ``slots`` is no larger than the connection pool
or the thread pool. A request that cannot get a place within ``wait_seconds`` is
answered 503 with ``Retry-After`` instead of waiting without end.

SQLite lets one writer in at a time, and a writer that waits for it in ``BEGIN
IMMEDIATE`` waits in a thread, beyond the gate's bound. With ``one_writer`` the gate
also queues writers for a single writer's place (in the event loop, before they take a
database place), so the same ``wait_seconds`` bounds the whole wait.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import TypeVar

import anyio
import anyio.to_thread

from api.errors import Unavailable
from pathways.errors import Bilingual

__all__ = ["DatabaseGate"]

T = TypeVar("T")


class DatabaseGate:
    def __init__(self, *, slots: int, wait_seconds: float, one_writer: bool = False) -> None:
        self.slots = slots
        self.wait_seconds = wait_seconds
        self._places = anyio.Semaphore(slots)
        self._writer = anyio.Semaphore(1) if one_writer else None

    @asynccontextmanager
    async def place(self, *, write: bool = False) -> AsyncIterator[None]:
        """Hold one of the places (and, for a ``write`` with ``one_writer``, the writer's
        place) for the duration of the block."""
        writer = self._writer if write else None
        try:
            with anyio.fail_after(self.wait_seconds):
                if writer is not None:
                    await writer.acquire()
                try:
                    await self._places.acquire()
                except BaseException:
                    if writer is not None:
                        writer.release()
                    raise
        except TimeoutError:
            seconds = f"{self.wait_seconds:g}"
            unit_nb = "sekund" if self.wait_seconds == 1 else "sekunder"
            raise Unavailable(
                Bilingual(
                    f"the service is busy: no database connection came free within "
                    f"{seconds} s; retry shortly",
                    f"Tjenesten er opptatt: ingen databaseforbindelse ble ledig innen "
                    f"{seconds.replace('.', ',')} {unit_nb}. Prøv igjen om litt.",
                ),
                retry_after=1,
            ) from None
        try:
            yield
        finally:
            self._places.release()
            if writer is not None:
                writer.release()

    async def run(self, function: Callable[..., T], *args: object) -> T:
        """Run ``function(*args)`` in a worker thread, holding a place meanwhile."""
        async with self.place():
            return await anyio.to_thread.run_sync(function, *args)
