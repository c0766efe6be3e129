"""What the read caches may and may not do: answers found by revision are never stale,
ETags change with what a pathway shows, revocation and membership act as documented.

A second app on the same database plays a second worker process: it has caches of its
own, and learns of a change only from the database.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.services.caches import Bounded
from api.settings import Settings
from db.session import Database
from tests.conftest import Actor, World

JSON = {"Content-Type": "application/json"}


@pytest.fixture
def second_worker(db: Database, settings: Settings) -> Iterator[TestClient]:
    app = create_app(
        settings.model_copy(update={"token_cache_seconds": 0.5}),
        database=Database.connect(settings.database_url, pool_size=4),
    )
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def _in(worker: TestClient, actor: Actor) -> Actor:
    return dataclasses.replace(actor, http=worker)


def _shared(world: World, example_bytes: bytes) -> tuple[int, str]:
    imported = world.hospital.post("/pathways/import", content=example_bytes, headers=JSON)
    pathway_id = imported.json()["id"]
    etag = imported.headers["ETag"]
    for municipality in (world.municipality, world.municipality_b):
        joined = world.hospital.put(
            f"/pathways/{pathway_id}/participants/{municipality.organization_id}", etag=etag
        )
        assert joined.status_code == 201, joined.text
        etag = joined.headers["ETag"]
    return pathway_id, etag


def test_the_etag_of_a_pathway_changes_with_an_approval_and_an_edit_accepts_it(
    world: World, example_bytes: bytes
) -> None:
    pathway_id, etag = _shared(world, example_bytes)
    url = f"/pathways/{pathway_id}"
    before = world.hospital.get(url)
    assert before.headers["ETag"] == etag
    unchanged = world.hospital.get(url, headers={"If-None-Match": etag})
    assert (unchanged.status_code, unchanged.content) == (304, b"")

    approved = world.hospital.post(f"{url}/approvals", etag=etag)
    assert approved.status_code == 201, approved.text
    after = world.hospital.get(url, headers={"If-None-Match": etag})
    # The approval changed what the pathway shows, not its revision: a new ETag.
    assert after.status_code == 200
    assert after.json()["approvals"]
    assert after.json()["etag"] == etag
    marked = after.headers["ETag"]
    assert marked != etag
    assert marked.startswith(etag[:-1] + ".")
    assert world.hospital.get(url, headers={"If-None-Match": marked}).status_code == 304

    # The pathway's tag names the revision an edit is based on: If-Match accepts it.
    edited = world.municipality.patch(
        f"{url}/steps/ward", json={"name": "Ortogeriatrisk post"}, etag=marked
    )
    assert edited.status_code == 200, edited.text
    # ... and only for that revision.
    stale = world.municipality.patch(f"{url}/steps/ward", json={"name": "Post"}, etag=marked)
    assert stale.status_code == 412
    assert world.hospital.get(url).headers["ETag"] == edited.headers["ETag"]


def test_a_change_in_another_worker_is_seen_at_once(
    world: World, example_bytes: bytes, second_worker: TestClient
) -> None:
    pathway_id, etag = _shared(world, example_bytes)
    url = f"/pathways/{pathway_id}"
    other = _in(second_worker, world.municipality)
    # Both workers have read (and kept) revision 2.
    for actor in (world.hospital, other):
        assert actor.get(f"{url}/steps/ward").json()["name"] == "Orthogeriatric ward"
        assert actor.get(f"{url}/gaps").status_code == 200
        assert actor.get(url).json()["revision"] == 3

    edited = other.patch(f"{url}/steps/ward", json={"name": "Ortogeriatrisk post"}, etag=etag)
    assert edited.status_code == 200, edited.text
    assert world.hospital.get(f"{url}/steps/ward").json()["name"] == "Ortogeriatrisk post"
    graph = world.hospital.get(f"{url}/graph").json()
    assert [s["name"] for s in graph["steps"] if s["key"] == "ward"] == ["Ortogeriatrisk post"]
    shown = world.hospital.get(url)
    assert shown.json()["revision"] == 4
    assert shown.headers["ETag"] == edited.headers["ETag"]
    gaps = world.hospital.get(f"{url}/gaps", headers={"If-None-Match": "x"}).json()
    assert gaps["revision"] == 4


def test_a_participant_that_left_loses_the_draft_at_once_in_every_worker(
    world: World, example_bytes: bytes, second_worker: TestClient
) -> None:
    pathway_id, etag = _shared(world, example_bytes)
    url = f"/pathways/{pathway_id}"
    municipality = _in(second_worker, world.municipality)
    for path in ("", "/graph", "/gaps", "/steps/ward"):
        assert municipality.get(url + path).status_code == 200
    # It leaves (an organisation leaves by itself), in the first worker.
    removed = world.municipality.delete(
        f"{url}/participants/{world.municipality.organization_id}", etag=etag
    )
    assert removed.status_code == 204, removed.text
    for path in ("", "/graph", "/gaps", "/steps/ward"):
        assert municipality.get(url + path).status_code == 404, path


def test_a_revoked_token_stops_at_once_where_revoked_and_within_the_bound_elsewhere(
    world: World, example_bytes: bytes, second_worker: TestClient
) -> None:
    pathway_id, _ = _shared(world, example_bytes)
    url = f"/pathways/{pathway_id}"
    issued = world.operator.post(
        f"/organizations/{world.municipality.organization_id}/tokens",
        json={"name": "soon revoked", "scope": "edit"},
    )
    assert issued.status_code == 201, issued.text
    here = dataclasses.replace(world.municipality, token=issued.json()["token"])
    there = _in(second_worker, here)
    assert here.get(url).status_code == 200
    assert there.get(url).status_code == 200
    revoked = world.operator.delete(f"/tokens/{issued.json()['id']}")
    assert revoked.status_code == 204, revoked.text
    assert here.get(url).status_code == 401
    # The other worker trusts what it saw for at most PATHWAYS_TOKEN_CACHE_SECONDS.
    time.sleep(0.6)
    assert there.get(url).status_code == 401
    assert there.patch(f"{url}/steps/ward", json={"name": "x"}, etag='"3"').status_code == 401


def _feed(actor: Actor, **query: object) -> dict[str, object]:
    answer = actor.get("/handovers", params=query)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def test_the_feed_pages_through_every_version_as_one_list(
    world: World, example_bytes: bytes
) -> None:
    pathway_id, etag = _shared(world, example_bytes)
    url = f"/pathways/{pathway_id}"
    for number in (1, 2, 3):
        world.hospital.post(f"{url}/approvals", etag=etag)
        done = world.municipality.post(f"{url}/approvals", etag=etag)
        assert done.json()["version"]["number"] == number, done.text
        if number < 3:
            etag = world.hospital.patch(
                f"{url}/steps/ward", json={"name": f"Ward {number}"}, etag=etag
            ).headers["ETag"]
    whole = _feed(world.municipality, limit=200)
    items = whole["items"]
    assert isinstance(items, list)
    assert whole["total"] == len(items) > 6
    assert [item["version"] for item in items] == sorted(
        (item["version"] for item in items), reverse=True
    )
    for limit in (1, 2, 5):
        for offset in range(0, len(items) + 2, limit):
            page = _feed(world.municipality, limit=limit, offset=offset)
            assert page["items"] == items[offset : offset + limit], (limit, offset)
            assert page["total"] == whole["total"]

    first = world.municipality.get("/handovers", params={"limit": 2})
    tag = first.headers["ETag"]
    again = world.municipality.get(
        "/handovers", params={"limit": 2}, headers={"If-None-Match": tag}
    )
    assert (again.status_code, again.content) == (304, b"")
    other_page = world.municipality.get(
        "/handovers", params={"limit": 2, "offset": 2}, headers={"If-None-Match": tag}
    )
    assert other_page.status_code == 200
    assert other_page.headers["ETag"] != tag

    # A new version changes the feed; leaving the pathway empties it.
    etag = world.hospital.patch(
        f"{url}/steps/ward", json={"name": "Ward 3"}, etag=world.hospital.get(url).json()["etag"]
    ).headers["ETag"]
    world.hospital.post(f"{url}/approvals", etag=etag)
    assert world.municipality.post(f"{url}/approvals", etag=etag).json()["version"]["number"] == 4
    newer = world.municipality.get(
        "/handovers", params={"limit": 2}, headers={"If-None-Match": tag}
    )
    assert newer.status_code == 200
    assert newer.json()["items"][0]["version"] == 4
    left = world.municipality.delete(
        f"{url}/participants/{world.municipality.organization_id}",
        etag=world.hospital.get(url).json()["etag"],
    )
    assert left.status_code == 204, left.text
    gone = world.municipality.get(
        "/handovers", params={"limit": 2}, headers={"If-None-Match": newer.headers["ETag"]}
    )
    assert gone.status_code == 200
    assert gone.json()["total"] == 0


def test_the_caches_keep_to_their_bounds_by_count_and_by_size() -> None:
    by_count: Bounded[bytes] = Bounded(2)
    for key in "abc":
        by_count.put(key, b"x")
    assert (len(by_count), by_count.get("a"), by_count.get("c")) == (2, None, b"x")

    by_size: Bounded[bytes] = Bounded(100, max_size=10, size=len)
    by_size.put("a", b"12345")
    by_size.put("b", b"1234")
    by_size.put("c", b"123")  # 12 bytes in all: the oldest goes
    assert (by_size.get("a"), by_size.get("b"), by_size.get("c")) == (None, b"1234", b"123")
    assert by_size.size == 7
    by_size.put("b", b"1")  # replaced, not counted twice
    assert by_size.size == 4
    by_size.put("huge", b"x" * 11)  # larger than the whole budget: never kept
    assert by_size.get("huge") is None
    assert by_size.size == 4
    by_size.pop("c")
    assert (len(by_size), by_size.size) == (1, 1)
