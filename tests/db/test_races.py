"""Races against a real server, on SQLite and on PostgreSQL.

``pathways serve`` runs in a child process with two worker processes, on the test
database; twenty clients, each in its own thread with its own connection already open,
are released at once by a barrier. Whatever the interleaving, the rules hold: one ETag
buys one change, no change is lost or made twice, a revision becomes at most one version
and only the revision that was approved does, and nothing answers 5xx.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from sqlalchemy import func, select

from api.services.auth import Scope
from api.services.organizations import create_organization, create_token
from db import models as orm
from db.session import Database
from pathways.limits import DEFAULT_LIMITS
from pathways.model import Level
from tests.conftest import Actor, World
from tests.servers import cli_env, running_server

N = 20
T = TypeVar("T")
PROBLEM = "application/problem+json"


@pytest.fixture
def server(world: World, database_url: str, tmp_path: Path) -> Iterator[str]:
    """A real server on the test database (its tables emptied and the world created)."""
    env = cli_env(database_url, threads="32", db_wait_seconds="30")
    with running_server(tmp_path, env, "--workers", "2", "--no-access-log") as running:
        yield running.url


def _at_once(url: str, calls: list[Callable[[httpx.Client], T]]) -> list[T]:
    """Run each call in its own thread with its own connection, all released at once."""
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[httpx.Client], T]) -> T:
        with httpx.Client(base_url=url, timeout=60) as client:
            try:
                assert client.get("/health").status_code == 200  # connect before the start
            except BaseException:
                barrier.abort()  # the others stop waiting
                raise
            barrier.wait(timeout=60)
            return call(client)

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def _headers(token: str, etag: str | None = None) -> dict[str, str]:
    headers = {"Authorization": f"Bearer {token}"}
    if etag is not None:
        headers["If-Match"] = etag
    return headers


def _call(
    method: str, path: str, token: str, etag: str | None = None, body: Any = None
) -> Callable[[httpx.Client], httpx.Response]:
    """One request, to be sent by :func:`_at_once`."""

    def call(client: httpx.Client) -> httpx.Response:
        return client.request(method, path, headers=_headers(token, etag), json=body)

    return call


def _revision(etag: str) -> int:
    return int(etag.strip('"'))


@dataclass
class State:
    revision: int
    history: int
    versions: int
    pathway: dict[str, Any]


def _state(world: World, pathway_id: int) -> State:
    base = f"/pathways/{pathway_id}"
    pathway = world.hospital.get(base).json()
    return State(
        revision=pathway["revision"],
        history=world.hospital.get(f"{base}/history").json()["total"],
        versions=world.hospital.get(f"{base}/versions").json()["total"],
        pathway=pathway,
    )


def _history(world: World, pathway_id: int) -> list[dict[str, Any]]:
    page = world.hospital.get(f"/pathways/{pathway_id}/history", params={"limit": 200}).json()
    assert page["total"] <= 200
    items: list[dict[str, Any]] = page["items"]
    return items


def _share(world: World, pathway_id: int, etag: str, *others: int) -> str:
    """Add both municipalities and ``others`` as participants; the new ETag."""
    for organization_id in (
        world.municipality.organization_id,
        world.municipality_b.organization_id,
        *others,
    ):
        joined = world.hospital.put(
            f"/pathways/{pathway_id}/participants/{organization_id}", etag=etag
        )
        assert joined.status_code == 201, joined.text
        etag = joined.headers["ETag"]
    return etag


def _editors(world: World) -> list[Actor]:
    return [world.hospital, world.municipality, world.municipality_b]


def _no_server_errors(responses: list[httpx.Response]) -> None:
    errors = [
        (r.request.method, r.request.url.path, r.status_code, r.text[:300]) for r in responses
    ]
    assert not [e for e in errors if e[2] >= 500], errors


# -- (a) one ETag, twenty writers ---------------------------------------------------------


def test_twenty_writers_holding_one_etag_exactly_one_wins(world: World, server: str) -> None:
    created = world.hospital.post("/pathways", json={"title": "COPD"})
    pathway_id = created.json()["id"]
    etag = _share(world, pathway_id, created.headers["ETag"])
    before = _state(world, pathway_id)
    editors = _editors(world)

    calls = [
        _call(
            "PATCH",
            f"/pathways/{pathway_id}",
            editors[index % len(editors)].token,
            etag,
            {"title": f"Writer {index}"},
        )
        for index in range(N)
    ]
    responses = _at_once(server, calls)
    _no_server_errors(responses)
    assert sorted(r.status_code for r in responses) == [200] + [412] * (N - 1)
    (winner,) = [r for r in responses if r.status_code == 200]
    new_etag = f'"{before.revision + 1}"'
    assert winner.headers["ETag"] == new_etag
    for loser in (r for r in responses if r.status_code == 412):
        assert loser.headers["content-type"] == PROBLEM
        assert loser.json()["current_etag"] == new_etag

    after = _state(world, pathway_id)
    assert (after.revision, after.history) == (before.revision + 1, before.history + 1)
    assert after.pathway["title"] == winner.json()["title"]
    last = _history(world, pathway_id)[-1]
    assert last["action"] == "pathway.update"
    assert last["changes"]["title"]["to"] == winner.json()["title"]
    assert (last["revision_before"], last["revision_after"]) == (before.revision, after.revision)


# -- (b) twenty writers, each retrying until its own change is in -------------------------


def test_twenty_writers_adding_steps_with_retry_lose_nothing(world: World, server: str) -> None:
    created = world.hospital.post("/pathways", json={"title": "Stroke"})
    pathway_id = created.json()["id"]
    etag = _share(world, pathway_id, created.headers["ETag"])
    before = _state(world, pathway_id)
    editors = _editors(world)
    keys = [f"step-{i:02d}" for i in range(N)]

    def writer(index: int) -> Callable[[httpx.Client], list[httpx.Response]]:
        actor = editors[index % len(editors)]
        step = {
            "key": keys[index],
            "name": f"Step {index}",
            "level": actor.level.value,
            "kind": "other",
        }

        def call(client: httpx.Client) -> list[httpx.Response]:
            tries: list[httpx.Response] = []
            current = etag
            # Each 412 means another writer's change went in since `current` was read:
            # no writer can lose more often than there are other writers.
            for _ in range(N + 5):
                response = client.post(
                    f"/pathways/{pathway_id}/steps",
                    json=step,
                    headers=_headers(actor.token, current),
                )
                tries.append(response)
                if response.status_code != 412:
                    break
                current = response.json()["current_etag"]
            return tries

        return call

    outcomes = _at_once(server, [writer(i) for i in range(N)])
    everything = [r for tries in outcomes for r in tries]
    _no_server_errors(everything)
    assert {r.status_code for r in everything} <= {201, 412}, Counter(
        r.status_code for r in everything
    )
    assert [tries[-1].status_code for tries in outcomes] == [201] * N

    after = _state(world, pathway_id)
    assert after.revision == before.revision + N
    assert after.history == before.history + N
    graph = world.hospital.get(f"/pathways/{pathway_id}/graph").json()
    assert sorted(s["key"] for s in graph["steps"]) == keys
    added = [e for e in _history(world, pathway_id) if e["action"] == "step.add"]
    assert sorted(e["changes"]["step"]["key"] for e in added) == keys
    revisions = sorted((e["revision_before"], e["revision_after"]) for e in added)
    assert revisions == [(before.revision + i, before.revision + i + 1) for i in range(N)]
    # Each writer's success answered with the revision it made, all different.
    made = sorted(_revision(tries[-1].headers["ETag"]) for tries in outcomes)
    assert made == list(range(before.revision + 1, before.revision + N + 1))


# -- (c) approvals ----------------------------------------------------------------------


def _organisations(
    db: Database, count: int, level: Level, tokens_each: int
) -> list[tuple[int, list[str]]]:
    """New organisations of ``level``, each with ``tokens_each`` edit tokens."""
    made: list[tuple[int, list[str]]] = []
    with db.writer() as session, session.begin():
        for index in range(count):
            row = create_organization(
                session,
                client=None,
                name=f"Race {level.value} {index}",
                level=level,
                organization_number=None,
                her_id=None,
                limits=DEFAULT_LIMITS,
            )
            secrets = [
                create_token(
                    session,
                    client=None,
                    organization_id=row.id,
                    name=f"race token {token}",
                    scope=Scope.EDIT,
                    limits=DEFAULT_LIMITS,
                )[1]
                for token in range(tokens_each)
            ]
            made.append((row.id, secrets))
    return made


def _import(world: World, example: bytes) -> tuple[int, str]:
    imported = world.hospital.post(
        "/pathways/import", content=example, headers={"Content-Type": "application/json"}
    )
    assert imported.status_code == 201, imported.text
    return imported.json()["id"], imported.headers["ETag"]


def test_twenty_approvals_at_once_make_one_version(
    world: World, db: Database, example_bytes: bytes, server: str
) -> None:
    hospitals = _organisations(db, 5, Level.HOSPITAL, tokens_each=2)
    municipalities = _organisations(db, 5, Level.MUNICIPALITY, tokens_each=2)
    racers = hospitals + municipalities
    pathway_id, etag = _import(world, example_bytes)
    etag = _share(world, pathway_id, etag, *(organization for organization, _ in racers))
    before = _state(world, pathway_id)
    assert (before.versions, before.pathway["approvals"]) == (0, [])
    # Two tokens of each organisation: each organisation races itself, too.
    calls = [
        _call("POST", f"/pathways/{pathway_id}/approvals", token, etag)
        for _, tokens in racers
        for token in tokens
    ]
    assert len(calls) == N
    responses = _at_once(server, calls)
    _no_server_errors(responses)
    statuses = Counter(r.status_code for r in responses)
    assert statuses == Counter({201: len(racers), 200: len(racers)}), [
        (r.status_code, r.text[:200]) for r in responses
    ]
    by_organisation = Counter(r.json()["approval"]["organization_id"] for r in responses)
    assert by_organisation == Counter({organization: 2 for organization, _ in racers})
    versions = {r.json()["version"]["number"] for r in responses if r.json()["version"]}
    assert versions == {1}
    for response in responses:
        body = response.json()
        assert (body["version"] is None) == bool(body["missing_levels"]), body

    after = _state(world, pathway_id)
    assert after.revision == before.revision
    assert after.versions == 1
    version = world.hospital.get(f"/pathways/{pathway_id}/versions/1").json()
    assert version["revision"] == before.revision
    approvers = [a["organization_id"] for a in after.pathway["approvals"]]
    assert sorted(approvers) == sorted(organization for organization, _ in racers)
    actions = Counter(e["action"] for e in _history(world, pathway_id)[before.history :])
    assert actions == Counter({"pathway.approve": len(racers), "version.create": 1})
    with db.reader() as session:
        stored = session.scalar(
            select(func.count())
            .select_from(orm.Approval)
            .where(orm.Approval.pathway_id == pathway_id)
        )
        made = session.scalar(
            select(func.count())
            .select_from(orm.Version)
            .where(orm.Version.pathway_id == pathway_id)
        )
    assert (stored, made) == (len(racers), 1)


def test_an_approval_with_the_etag_before_an_edit_gets_412(
    world: World, example_bytes: bytes, server: str
) -> None:
    pathway_id, etag = _import(world, example_bytes)
    etag = _share(world, pathway_id, etag)
    url = f"/pathways/{pathway_id}"
    assert world.hospital.post(f"{url}/approvals", etag=etag).status_code == 201
    edited = world.municipality_b.patch(url, json={"description": "Edited"}, etag=etag)
    assert edited.status_code == 200
    late = world.municipality.post(f"{url}/approvals", etag=etag)
    assert late.status_code == 412, late.text
    assert late.json()["current_etag"] == edited.headers["ETag"]
    # The hospital's approval was of the old revision: one level is not enough.
    now = world.municipality.post(f"{url}/approvals", etag=edited.headers["ETag"])
    assert now.status_code == 201, now.text
    assert (now.json()["missing_levels"], now.json()["version"]) == (["hospital"], None)
    assert _state(world, pathway_id).versions == 0


def test_approvals_racing_an_edit_never_approve_the_changed_revision(
    world: World, db: Database, example_bytes: bytes, server: str
) -> None:
    pathway_id, etag = _import(world, example_bytes)
    etag = _share(world, pathway_id, etag)
    url = f"/pathways/{pathway_id}"
    outcomes: Counter[str] = Counter()
    for round_ in range(8):
        before = _state(world, pathway_id)
        assert before.pathway["approvals"] == []
        old_description = before.pathway["description"]
        approvers = [world.hospital, world.municipality] * 2  # twice each: 4 approvals
        calls = [_call("POST", f"{url}/approvals", actor.token, etag) for actor in approvers]
        calls.append(
            _call(
                "PATCH", url, world.municipality_b.token, etag, {"description": f"Round {round_}"}
            )
        )
        *approvals, edit = _at_once(server, calls)
        _no_server_errors([*approvals, edit])
        # An approval changes no revision: the edit always goes in.
        assert edit.status_code == 200, edit.text
        new_etag = edit.headers["ETag"]
        assert _revision(new_etag) == before.revision + 1
        for approval in approvals:
            assert approval.status_code in {200, 201, 412}, approval.text
            if approval.status_code == 412:
                assert approval.json()["current_etag"] == new_etag
        won = {a.json()["approval"]["level"] for a in approvals if a.status_code in {200, 201}}
        after = _state(world, pathway_id)
        if won == {"hospital", "municipality"}:
            outcomes["version"] += 1
            assert after.versions == before.versions + 1
            number = after.versions
            version = world.hospital.get(f"{url}/versions/{number}").json()
            # The version is of the revision both approved, as it was then.
            assert version["revision"] == before.revision
            assert version["document"]["pathway"]["description"] == old_description
        else:
            outcomes["no version" if won else "edit first"] += 1
            assert after.versions == before.versions
        assert after.revision == before.revision + 1
        assert after.pathway["approvals"] == []
        assert after.pathway["description"] == f"Round {round_}"
        with db.reader() as session:
            voided = session.scalar(
                select(func.count())
                .select_from(orm.Approval)
                .where(orm.Approval.pathway_id == pathway_id)
                .where(orm.Approval.revision > before.revision)
            )
        assert voided == 0
        etag = new_etag
    # Every version approved a revision both levels approved, and nothing newer.
    versions = world.hospital.get(f"{url}/versions", params={"limit": 200}).json()["items"]
    assert len(versions) == outcomes["version"]
    for version in versions:
        assert {a["level"] for a in version["approvals"]} == {"hospital", "municipality"}
        assert {a["revision"] for a in version["approvals"]} == {version["revision"]}


# -- more races on the same rules ------------------------------------------------------


def test_twenty_participants_adding_one_organisation_add_it_once(
    world: World, db: Database, server: str
) -> None:
    ((newcomer, _),) = _organisations(db, 1, Level.MUNICIPALITY, tokens_each=0)
    created = world.hospital.post("/pathways", json={"title": "Diabetes"})
    pathway_id = created.json()["id"]
    etag = _share(world, pathway_id, created.headers["ETag"])
    before = _state(world, pathway_id)
    editors = _editors(world)

    def adder(index: int) -> Callable[[httpx.Client], list[httpx.Response]]:
        token = editors[index % len(editors)].token

        def call(client: httpx.Client) -> list[httpx.Response]:
            tries: list[httpx.Response] = []
            current = etag
            for _ in range(N + 5):
                response = client.put(
                    f"/pathways/{pathway_id}/participants/{newcomer}",
                    headers=_headers(token, current),
                )
                tries.append(response)
                if response.status_code != 412:
                    break
                current = response.json()["current_etag"]
            return tries

        return call

    outcomes = _at_once(server, [adder(i) for i in range(N)])
    _no_server_errors([r for tries in outcomes for r in tries])
    finals = Counter(tries[-1].status_code for tries in outcomes)
    assert finals == Counter({201: 1, 200: N - 1}), finals
    after = _state(world, pathway_id)
    assert (after.revision, after.history) == (before.revision + 1, before.history + 1)
    joined = [p["organization_id"] for p in after.pathway["participants"]]
    assert joined.count(newcomer) == 1


def test_racing_removals_never_remove_the_last_participant_of_a_level(
    world: World, server: str
) -> None:
    created = world.hospital.post("/pathways", json={"title": "Dementia"})
    pathway_id = created.json()["id"]
    etag = _share(world, pathway_id, created.headers["ETag"])
    before = _state(world, pathway_id)
    # Each municipality leaves by itself, half of the racers each.
    leaving = [world.municipality, world.municipality_b]

    def remover(index: int) -> Callable[[httpx.Client], list[httpx.Response]]:
        actor = leaving[index % 2]
        path = f"/pathways/{pathway_id}/participants/{actor.organization_id}"

        def call(client: httpx.Client) -> list[httpx.Response]:
            tries: list[httpx.Response] = []
            current = etag
            for _ in range(N + 5):
                response = client.delete(path, headers=_headers(actor.token, current))
                tries.append(response)
                if response.status_code != 412:
                    break
                current = response.json()["current_etag"]
            return tries

        return call

    outcomes = _at_once(server, [remover(i) for i in range(N)])
    _no_server_errors([r for tries in outcomes for r in tries])
    finals = Counter(tries[-1].status_code for tries in outcomes)
    # One municipality leaves; it tries again and finds nothing (404, it no longer takes
    # part); the other, now the last of its level, is refused (409).
    assert finals[204] == 1, finals
    assert set(finals) <= {204, 404, 409}, finals
    after = _state(world, pathway_id)
    levels = Counter(p["level"] for p in after.pathway["participants"])
    assert levels == Counter({"hospital": 1, "municipality": 1})
    assert (after.revision, after.history) == (before.revision + 1, before.history + 1)


def test_twenty_operators_registering_one_name_register_it_once(
    world: World, db: Database, server: str
) -> None:
    body = {"name": "Samtidig kommune", "level": "municipality"}
    calls = [_call("POST", "/organizations", world.operator.token, None, body) for _ in range(N)]
    responses = _at_once(server, calls)
    _no_server_errors(responses)
    assert Counter(r.status_code for r in responses) == Counter({201: 1, 409: N - 1}), [
        (r.status_code, r.text[:200]) for r in responses
    ]
    for response in responses:
        if response.status_code == 409:
            assert response.headers["content-type"] == PROBLEM
    with db.reader() as session:
        count = session.scalar(
            select(func.count())
            .select_from(orm.Organization)
            .where(orm.Organization.name == "Samtidig kommune")
        )
    assert count == 1
