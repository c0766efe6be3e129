"""Concurrent edits never silently overwrite each other: If-Match on every change."""

from __future__ import annotations

import threading
from typing import Any

import httpx
import pytest

from tests.conftest import World


def _pathway(world: World) -> tuple[int, str]:
    created = world.hospital.post("/pathways", json={"title": "COPD"})
    return created.json()["id"], created.headers["ETag"]


def _state(world: World, pathway_id: int) -> tuple[Any, ...]:
    pathway = world.hospital.get(f"/pathways/{pathway_id}").json()
    history = world.hospital.get(f"/pathways/{pathway_id}/history").json()["total"]
    return pathway["title"], pathway["revision"], history


@pytest.mark.parametrize(
    ("if_match", "status"),
    [
        (None, 428),
        ("", 428),
        ("*", 428),
        ('"999"', 412),
        ('W/"1"', 412),
        ("1", 412),
        ('"0", "2"', 412),
    ],
)
def test_change_without_the_current_etag_changes_nothing(
    world: World, if_match: str | None, status: int
) -> None:
    pathway_id, _ = _pathway(world)
    before = _state(world, pathway_id)
    headers = {} if if_match is None else {"If-Match": if_match}
    response = world.hospital.patch(
        f"/pathways/{pathway_id}", json={"title": "Changed"}, headers=headers
    )
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    if status == 412:
        assert response.json()["current_etag"] == '"1"'
        assert response.headers["ETag"] == '"1"'
    assert _state(world, pathway_id) == before


def test_a_list_of_etags_matches_when_it_holds_the_current_one(world: World) -> None:
    pathway_id, _ = _pathway(world)
    response = world.hospital.patch(
        f"/pathways/{pathway_id}", json={"title": "New"}, etag='"7", "1"'
    )
    assert response.status_code == 200
    assert response.headers["ETag"] == '"2"'


def test_second_writer_with_the_same_etag_gets_412(world: World) -> None:
    pathway_id, etag = _pathway(world)
    first = world.hospital.patch(f"/pathways/{pathway_id}", json={"title": "A"}, etag=etag)
    second = world.municipality.patch(f"/pathways/{pathway_id}", json={"title": "B"}, etag=etag)
    assert first.status_code == 200
    # The municipality is not a participant yet: it cannot even see the pathway.
    assert second.status_code == 404
    world.hospital.put(
        f"/pathways/{pathway_id}/participants/{world.municipality.organization_id}",
        etag=first.headers["ETag"],
    )
    stale = world.municipality.patch(
        f"/pathways/{pathway_id}", json={"title": "B"}, etag=first.headers["ETag"]
    )
    assert stale.status_code == 412
    assert stale.json()["current_etag"] == '"3"'
    assert world.hospital.get(f"/pathways/{pathway_id}").json()["title"] == "A"


def test_parallel_writers_holding_one_etag_exactly_one_wins(world: World) -> None:
    pathway_id, etag = _pathway(world)
    results: list[int] = []
    barrier = threading.Barrier(8)

    def write(index: int) -> None:
        barrier.wait()
        response = world.hospital.patch(
            f"/pathways/{pathway_id}", json={"title": f"Writer {index}"}, etag=etag
        )
        results.append(response.status_code)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [200] + [412] * 7
    title, revision, history = _state(world, pathway_id)
    assert (revision, history) == (2, 2)
    assert title.startswith("Writer ")


def test_every_change_answers_with_the_new_etag(world: World) -> None:
    pathway_id, etag = _pathway(world)
    step = {"key": "gp", "name": "GP", "level": "municipality", "kind": "assessment"}
    responses: list[httpx.Response] = []
    responses.append(world.hospital.post(f"/pathways/{pathway_id}/steps", json=step, etag=etag))
    responses.append(
        world.hospital.patch(
            f"/pathways/{pathway_id}/steps/gp",
            json={"name": "Fastlege"},
            etag=responses[-1].headers["ETag"],
        )
    )
    responses.append(
        world.hospital.delete(
            f"/pathways/{pathway_id}/steps/gp", etag=responses[-1].headers["ETag"]
        )
    )
    assert [r.status_code for r in responses] == [201, 200, 204]
    assert [r.headers["ETag"] for r in responses] == ['"2"', '"3"', '"4"']
    assert world.hospital.get(f"/pathways/{pathway_id}/graph").json()["revision"] == 4


def test_a_change_that_changes_nothing_keeps_the_revision(world: World) -> None:
    pathway_id, etag = _pathway(world)
    same = world.hospital.patch(f"/pathways/{pathway_id}", json={"title": "COPD"}, etag=etag)
    assert same.status_code == 200
    assert same.headers["ETag"] == etag
