"""The event feed's cursor never passes an event: ids are given at insert, but the
transactions that write events commit in any order."""

from __future__ import annotations

import pytest

from db.repositories.events import EventRepository
from db.session import Database
from tests.conftest import World


def _feed(db: Database, organization_id: int) -> list[int]:
    with db.reader() as session:
        return [e.id for e in EventRepository(session).feed(organization_id, after=0, limit=10)]


def test_an_event_committed_first_waits_for_a_lower_one_still_being_written(
    db: Database, world: World
) -> None:
    if db.is_sqlite:
        pytest.skip("SQLite's writers take turns: a lower id always commits first")
    hospital = world.hospital.organization_id
    slow = db.writer()
    try:
        slow.begin()
        first = EventRepository(slow).add(
            type="comment.created", pathway_id=None, data={"n": 1}, recipients=[hospital]
        )
        slow.flush()
        with db.writer() as fast, fast.begin():
            second = EventRepository(fast).add(
                type="comment.created", pathway_id=None, data={"n": 2}, recipients=[hospital]
            )
            fast.flush()
            second_id = second.id
        first_id = first.id
        assert first_id < second_id
        # The second is committed, but a poller given it would move its cursor past the
        # first, which commits later: the feed holds both back until then.
        assert _feed(db, hospital) == []
        slow.commit()
    finally:
        slow.close()
    assert _feed(db, hospital) == [first_id, second_id]
