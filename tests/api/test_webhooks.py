"""Webhooks and the event feed through the API: managing them, who may, which URLs, and
the feed's cursor. The delivery worker is off here, so deliveries stay in the outbox
where these tests read them (``tests/test_webhook_delivery.py`` sends them)."""

from __future__ import annotations

import base64
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from api.app import create_app
from api.services.delivery import DeliveryWorker
from api.settings import Settings
from db import models as orm
from db.session import Database
from db.types import utcnow
from tests.conftest import Actor, World

PROBLEM = "application/problem+json"
HOOK = "https://hooks.example.org/hjem-til-hjem"


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, threads=8, webhook_delivery=False)


def admin_of(world: World, actor: Actor, name: str = "webhooks") -> Actor:
    """An ``admin`` token of ``actor``'s organisation, issued by the operator."""
    issued = world.operator.post(
        f"/organizations/{actor.organization_id}/tokens", json={"name": name, "scope": "admin"}
    )
    assert issued.status_code == 201, issued.text
    return Actor(actor.http, issued.json()["token"], actor.organization_id, actor.level, name)


@pytest.fixture
def admin(world: World) -> Actor:
    """An ``admin`` token of the hospital, which takes part in the pathways approved here."""
    return admin_of(world, world.hospital)


def approve_pathway(world: World, example: bytes, *, review_due: str | None = None) -> int:
    """The example, imported by the hospital with the municipality taking part, approved
    by both (a version.approved event for each)."""
    hospital = world.hospital
    imported = hospital.post(
        "/pathways/import", content=example, headers={"Content-Type": "application/json"}
    )
    assert imported.status_code == 201, imported.text
    pathway_id: int = imported.json()["id"]
    etag = imported.headers["ETag"]
    if review_due is not None:
        changed = hospital.patch(
            f"/pathways/{pathway_id}", json={"review_due": review_due}, etag=etag
        )
        assert changed.status_code == 200, changed.text
        etag = changed.headers["ETag"]
    joined = hospital.put(
        f"/pathways/{pathway_id}/participants/{world.municipality.organization_id}", etag=etag
    )
    assert joined.status_code == 201, joined.text
    etag = joined.headers["ETag"]
    assert hospital.post(f"/pathways/{pathway_id}/approvals", etag=etag).status_code == 201
    done = world.municipality.post(f"/pathways/{pathway_id}/approvals", etag=etag)
    assert done.status_code == 201, done.text
    assert done.json()["version"] is not None
    return pathway_id


def create_hook(actor: Actor, url: str = HOOK, **fields: Any) -> httpx.Response:
    body = {"url": url, "events": ["version.approved"], **fields}
    return actor.post("/webhooks", json=body)


def problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    return body


# -- managing webhooks -----------------------------------------------------------------


def test_create_read_change_and_delete_with_etags(admin: Actor) -> None:
    created = create_hook(admin, description="DIPS integration")
    assert created.status_code == 201, created.text
    hook = created.json()
    assert created.headers["Location"] == f"/webhooks/{hook['id']}"
    assert created.headers["ETag"] == hook["etag"] == '"1"'
    assert created.headers["Cache-Control"] == "no-store"
    assert hook["secret"].startswith("whsec_")
    assert len(base64.b64decode(hook["secret"].removeprefix("whsec_"))) == 24
    assert (hook["url"], hook["events"], hook["active"]) == (HOOK, ["version.approved"], True)
    assert hook["organization_id"] == admin.organization_id
    url = f"/webhooks/{hook['id']}"

    read = admin.get(url)
    assert read.status_code == 200
    assert read.headers["ETag"] == '"1"'
    assert "secret" not in read.json()
    assert read.json() == {k: v for k, v in hook.items() if k != "secret"}
    listed = admin.get("/webhooks").json()
    assert (listed["total"], [h["id"] for h in listed["items"]]) == (1, [hook["id"]])
    assert "secret" not in listed["items"][0]

    problem(admin.patch(url, json={"active": False}), 428)
    stale = problem(admin.patch(url, json={"active": False}, etag='"7"'), 412)
    assert stale["current_etag"] == '"1"'
    changed = admin.patch(
        url,
        json={"events": ["review.due", "version.approved", "review.due"], "active": False},
        etag='"1"',
    )
    assert changed.status_code == 200, changed.text
    assert changed.headers["ETag"] == '"2"'
    assert changed.json()["events"] == ["review.due", "version.approved"]
    assert changed.json()["active"] is False
    assert "secret" not in changed.json()
    same = admin.patch(url, json={"active": False}, etag='"2"')
    assert same.headers["ETag"] == '"2"', "nothing changed, the revision stays"
    problem(admin.patch(url, json={"url": None}, etag='"2"'), 422)

    problem(admin.delete(url), 428)
    problem(admin.delete(url, etag='"1"'), 412)
    deleted = admin.delete(url, etag='"2"')
    assert deleted.status_code == 204
    assert deleted.content == b""
    problem(admin.get(url), 404)
    assert admin.get("/webhooks").json()["total"] == 0


def test_rotating_the_secret_needs_the_current_etag(admin: Actor) -> None:
    hook = create_hook(admin).json()
    url = f"/webhooks/{hook['id']}/secret"
    problem(admin.post(url), 428)
    problem(admin.post(url, etag='"2"'), 412)
    rotated = admin.post(url, etag='"1"')
    assert rotated.status_code == 200, rotated.text
    assert rotated.headers["ETag"] == '"2"'
    assert rotated.headers["Cache-Control"] == "no-store"
    secret = rotated.json()["secret"]
    assert secret.startswith("whsec_")
    assert secret != hook["secret"]
    problem(admin.post(url, etag='"1"'), 412)


def test_managing_needs_an_admin_token_reading_does_not(
    world: World, admin: Actor, example_bytes: bytes
) -> None:
    hook = create_hook(admin).json()
    approve_pathway(world, example_bytes)
    delivery = admin.get(f"/webhooks/{hook['id']}/deliveries").json()["items"][0]
    base = f"/webhooks/{hook['id']}"
    for actor in (world.hospital, world.hospital_reader):  # edit and read tokens
        refused = problem(create_hook(actor), 403)
        assert "'admin'" in refused["detail"]
        for method, url in [
            ("PATCH", base),
            ("DELETE", base),
            ("POST", f"{base}/secret"),
            ("POST", f"{base}/deliveries/{delivery['id']}/replay"),
        ]:
            for etag in ('"1"', None):
                kwargs: dict[str, Any] = {"json": {"active": False}} if method == "PATCH" else {}
                problem(actor.request(method, url, etag=etag, **kwargs), 403)
        # Reading is for every token of the organisation, never with the secret.
        assert actor.get(base).json() == {k: v for k, v in hook.items() if k != "secret"}
        assert actor.get("/webhooks").json()["total"] == 1
        assert actor.get(f"{base}/deliveries").json()["items"] == [delivery]
    norwegian = world.hospital.post(
        "/webhooks",
        json={"url": HOOK, "events": ["version.approved"]},
        headers={"Accept-Language": "nb"},
    )
    assert "opprette en webhook" in problem(norwegian, 403)["detail"]
    assert admin.get(base).json()["revision"] == 1, "nothing changed"


def test_another_organisations_webhooks_are_not_found(
    world: World, admin: Actor, example_bytes: bytes
) -> None:
    hook = create_hook(admin).json()
    approve_pathway(world, example_bytes)
    delivery = admin.get(f"/webhooks/{hook['id']}/deliveries").json()["items"][0]
    base = f"/webhooks/{hook['id']}"
    other = world.admin  # the outsider's admin token
    for method, url in [
        ("GET", base),
        ("PATCH", base),
        ("DELETE", base),
        ("POST", f"{base}/secret"),
        ("GET", f"{base}/deliveries"),
        ("POST", f"{base}/deliveries/{delivery['id']}/replay"),
    ]:
        kwargs: dict[str, Any] = {"json": {"active": False}} if method == "PATCH" else {}
        body = problem(other.request(method, url, etag='"1"', **kwargs), 404)
        assert body["detail"] == f"this organisation has no webhook {hook['id']}"
    missing = problem(other.get(f"/webhooks/{hook['id'] + 100}"), 404)
    assert missing["detail"] == f"this organisation has no webhook {hook['id'] + 100}"
    assert other.get("/webhooks").json() == {"items": [], "total": 0, "limit": 50, "offset": 0}
    # Its own webhook is its own; a delivery of the hospital's is not one of its.
    own = create_hook(other).json()
    problem(other.post(f"/webhooks/{own['id']}/deliveries/{delivery['id']}/replay"), 404)
    assert admin.get(base).json()["revision"] == 1


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("ftp://hooks.example.org/x", "should match pattern"),
        ("hooks.example.org/x", "should match pattern"),
        ("https://hooks.example.org/a b", "should match pattern"),
        ("https://hooks.example.org/" + "x" * 1975, "at most 2000 characters"),
        ("http://user:password@hooks.example.org/x", "user name or password"),
        ("https://@hooks.example.org/x", "user name or password"),
        ("https://hooks.example.org/x#part", "fragment"),
        ("http:///x", "no host"),
        ("http://hooks.example.org:99999/x", "cannot be read"),
        ("http://[::1/x", "cannot be read"),
        ("http://127.0.0.1:8080/x", "loopback"),
        ("http://127.1/x", "loopback"),
        ("http://[::1]/x", "loopback"),
        ("http://[::ffff:127.0.0.1]/x", "loopback"),
        ("http://localhost:8000/x", "loopback"),
        ("http://api.localhost/x", "loopback"),
        ("http://169.254.169.254/latest/meta-data", "link-local"),
        ("http://[fe80::1]/x", "link-local"),
        ("http://0.0.0.0/x", "unspecified"),
        ("http://224.0.0.1/x", "multicast"),
        ("http://localhost./x", "loopback"),
        ("http://240.0.0.1/x", "reserved"),
        ("http://100.100.100.200/latest/meta-data", "shared"),
        ("http://[fd00:ec2::254]/latest/meta-data", "loopback"),
        ("http://[64:ff9b::7f00:1]/x", "loopback"),  # NAT64 of 127.0.0.1
        ("http://[2002:7f00:1::]/x", "loopback"),  # 6to4 of 127.0.0.1
    ],
)
def test_webhook_urls_follow_the_rules(admin: Actor, url: str, words: str) -> None:
    refused = problem(create_hook(admin, url), 422)
    assert words in (refused["detail"] + str(refused["errors"])), refused
    assert any(error["loc"][-1] == "url" for error in refused["errors"]), refused
    hook = create_hook(admin).json()
    changed = admin.patch(f"/webhooks/{hook['id']}", json={"url": url}, etag=hook["etag"])
    problem(changed, 422)
    assert admin.get(f"/webhooks/{hook['id']}").json()["url"] == HOOK


def test_a_url_rule_is_said_in_bokmal(admin: Actor) -> None:
    refused = admin.post(
        "/webhooks",
        json={"url": "http://127.0.0.1/x", "events": ["version.approved"]},
        headers={"Accept-Language": "nb"},
    )
    assert "lokal adresse" in problem(refused, 422)["detail"]


def test_private_and_named_hosts_are_taken(admin: Actor) -> None:
    for url in (
        "http://10.1.2.3:8080/epj",
        "HTTPS://Hooks.Example.org/x?a=1&b=%20",
        "https://[2001:db8::1]/x",
        "http://fjordvik.kommune.no/",
    ):
        assert create_hook(admin, url).status_code == 201, url


def test_loopback_is_taken_when_the_setting_allows_it(
    db: Database, database_url: str, world: World, admin: Actor
) -> None:
    allowing = Settings(
        database_url=database_url, threads=4, webhook_delivery=False, webhook_allow_local=True
    )
    app = create_app(allowing, database=Database.connect(database_url, pool_size=4))
    with TestClient(app, raise_server_exceptions=False) as http:
        local = Actor(http, admin.token, admin.organization_id, admin.level, admin.name)
        for url in ("http://127.0.0.1:8080/x", "http://[::1]/x", "http://localhost/x"):
            assert create_hook(local, url).status_code == 201, url
    problem(create_hook(admin, "http://127.0.0.1:8080/x"), 422)


@pytest.mark.parametrize(
    "body",
    [
        {"url": HOOK, "events": []},
        {"url": HOOK, "events": ["version.rejected"]},
        {"url": HOOK},
        {"events": ["version.approved"]},
        {"url": HOOK, "events": ["version.approved"] * 6},
        {"url": HOOK, "events": ["version.approved"], "active": "yes"},
        {"url": HOOK, "events": ["version.approved"], "active": "true"},
        {"url": HOOK, "events": ["version.approved"], "secret": "whsec_chosen"},
        {"url": HOOK, "events": ["version.approved"], "description": "two\nlines"},
    ],
)
def test_bad_bodies_are_problems(admin: Actor, body: dict[str, Any]) -> None:
    problem(admin.post("/webhooks", json=body), 422)
    assert admin.get("/webhooks").json()["total"] == 0


# -- deliveries and replays (the outbox, not sent here) --------------------------------


def test_an_approval_leaves_one_pending_delivery_per_subscribed_webhook(
    world: World, admin: Actor, example_bytes: bytes
) -> None:
    hook = create_hook(admin).json()
    other = create_hook(admin, events=["review.due"]).json()
    inactive = create_hook(admin, active=False).json()
    pathway_id = approve_pathway(world, example_bytes)
    feed = admin.get("/events").json()["items"]
    assert [e["type"] for e in feed] == ["version.approved"]
    log = admin.get(f"/webhooks/{hook['id']}/deliveries").json()
    assert log["total"] == 1
    (delivery,) = log["items"]
    assert delivery["event_id"] == feed[0]["id"]
    assert (delivery["event_type"], delivery["status"], delivery["attempts"]) == (
        "version.approved",
        "pending",
        0,
    )
    assert delivery["next_attempt_at"] is not None
    assert (delivery["delivered_at"], delivery["log"]) == (None, [])
    assert feed[0]["data"]["pathway_id"] == pathway_id
    for unsent in (other, inactive):
        assert admin.get(f"/webhooks/{unsent['id']}/deliveries").json()["total"] == 0


def test_replay_makes_a_new_delivery_of_the_same_event(
    world: World, admin: Actor, example_bytes: bytes
) -> None:
    hook = create_hook(admin).json()
    approve_pathway(world, example_bytes)
    base = f"/webhooks/{hook['id']}"
    (first,) = admin.get(f"{base}/deliveries").json()["items"]
    replayed = admin.post(f"{base}/deliveries/{first['id']}/replay")
    assert replayed.status_code == 202, replayed.text
    again = replayed.json()
    assert again["id"] != first["id"]
    assert (again["event_id"], again["status"], again["attempts"]) == (
        first["event_id"],
        "pending",
        0,
    )
    log = admin.get(f"{base}/deliveries?limit=1").json()
    assert (log["total"], log["items"]) == (2, [again])
    assert admin.get(f"{base}/deliveries?limit=1&offset=1").json()["items"] == [first]
    problem(admin.post(f"{base}/deliveries/{again['id'] + 100}/replay"), 404)
    off = admin.patch(base, json={"active": False}, etag=hook["etag"])
    conflict = problem(admin.post(f"{base}/deliveries/{first['id']}/replay"), 409)
    assert "not active" in conflict["detail"]
    admin.patch(base, json={"active": True}, etag=off.headers["ETag"])
    assert admin.post(f"{base}/deliveries/{first['id']}/replay").status_code == 202


def test_deleting_a_webhook_deletes_its_deliveries(
    world: World, admin: Actor, example_bytes: bytes, db: Database
) -> None:
    hook = create_hook(admin).json()
    approve_pathway(world, example_bytes)
    assert admin.delete(f"/webhooks/{hook['id']}", etag=hook["etag"]).status_code == 204
    with db.reader() as session:
        assert session.scalar(select(func.count(orm.Delivery.id))) == 0
        assert session.scalar(select(func.count(orm.Event.id))) == 1, "the event stays"


# -- the feed --------------------------------------------------------------------------


def test_the_feed_pages_by_cursor_filters_by_type_and_shows_only_the_callers(
    world: World, example_bytes: bytes, settings: Settings, db: Database
) -> None:
    soon = (utcnow().date() + timedelta(days=10)).isoformat()
    first = approve_pathway(world, example_bytes)
    second = approve_pathway(world, example_bytes, review_due=soon)
    assert DeliveryWorker(db, settings).scan_reviews() == 1
    hospital = world.hospital_reader  # a read token is enough
    whole = hospital.get("/events").json()
    assert [(e["type"], e["data"]["pathway_id"]) for e in whole["items"]] == [
        ("version.approved", first),
        ("version.approved", second),
        ("review.due", second),
    ]
    cursors = [e["cursor"] for e in whole["items"]]
    assert cursors == sorted(cursors)
    assert whole["next"] == cursors[-1]
    event = whole["items"][2]
    assert event["id"].startswith("evt_")
    assert event["timestamp"].endswith("Z")
    assert event["data"]["review_due"] == soon
    assert event["data"]["overdue"] is False

    seen, after = [], 0
    while True:
        page = hospital.get(f"/events?after={after}&limit=2").json()
        if not page["items"]:
            assert page["next"] == after, "an empty page leaves the cursor where it was"
            break
        seen += page["items"]
        after = page["next"]
    assert seen == whole["items"]

    reviews = hospital.get("/events?type=review.due").json()
    assert [e["cursor"] for e in reviews["items"]] == [cursors[2]]
    both = hospital.get("/events?type=review.due&type=version.approved&after=0").json()
    assert both["items"] == whole["items"]
    later = hospital.get(f"/events?type=version.approved&after={cursors[1]}").json()
    assert later == {"items": [], "next": cursors[1]}

    municipality = world.municipality.get("/events").json()["items"]
    assert [e["id"] for e in municipality] == [e["id"] for e in whole["items"]]
    for outsider in (world.outsider, world.municipality_b, world.admin):
        assert outsider.get("/events").json() == {"items": [], "next": 0}
    assert DeliveryWorker(db, settings).scan_reviews() == 0, "once per pathway and date"


@pytest.mark.parametrize(
    "query",
    [
        "after=-1",
        "after=abc",
        "after=1.5",
        "after=2147483648",
        "limit=0",
        "limit=201",
        "type=version.rejected",
        "cursor=3",
        "offset=1",
    ],
)
def test_a_bad_cursor_or_filter_is_a_422(world: World, query: str) -> None:
    problem(world.hospital.get(f"/events?{query}"), 422)


def test_the_feed_keeps_a_lowered_page_cap(
    db: Database, database_url: str, world: World, example_bytes: bytes
) -> None:
    approve_pathway(world, example_bytes)
    approve_pathway(world, example_bytes)
    capped = Settings(
        database_url=database_url,
        threads=4,
        webhook_delivery=False,
        default_page_size=1,
        max_page_size=1,
    )
    app = create_app(capped, database=Database.connect(database_url, pool_size=4))
    with TestClient(app, raise_server_exceptions=False) as http:
        reader = Actor(http, world.hospital.token, 0, world.hospital.level, "capped")
        assert len(reader.get("/events").json()["items"]) == 1
        problem(reader.get("/events?limit=2"), 422)
