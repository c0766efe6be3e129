"""Organisations and tokens: the operator's work, and each admin's for its own
organisation's tokens; tokens shown once, stored as hashes."""

from __future__ import annotations

import hashlib

from sqlalchemy import select

from api.services.auth import Scope
from api.services.organizations import create_token
from db import models as orm
from db.session import Database
from pathways.limits import DEFAULT_LIMITS
from tests.conftest import Actor, World

PROBLEM = "application/problem+json"


def test_me_names_organisation_level_and_scope(world: World) -> None:
    me = world.municipality.get("/me").json()
    assert me["organization"]["name"] == "Testvik kommune"
    assert (me["level"], me["scope"], me["token_name"]) == (
        "municipality",
        "edit",
        "municipality token",
    )


def test_missing_or_unknown_token_is_401(world: World) -> None:
    anonymous = world.hospital.http.get("/me")
    assert anonymous.status_code == 401
    assert anonymous.headers["WWW-Authenticate"] == "Bearer"
    assert anonymous.headers["content-type"] == "application/problem+json"
    wrong = world.hospital.http.get("/me", headers={"Authorization": "Bearer htt_nope"})
    assert wrong.status_code == 401
    basic = world.hospital.http.get("/me", headers={"Authorization": "Basic dXNlcjpwdw=="})
    assert basic.status_code == 401


def test_operator_creates_organisation_and_token_shown_once(world: World, db: Database) -> None:
    created = world.operator.post(
        "/organizations",
        json={
            "name": "Fjellvik kommune",
            "level": "municipality",
            "organization_number": "123456789",
            "her_id": "4242",
        },
    )
    assert created.status_code == 201, created.text
    org = created.json()
    issued = world.operator.post(
        f"/organizations/{org['id']}/tokens", json={"name": "Gerica integration", "scope": "read"}
    )
    assert issued.status_code == 201, issued.text
    assert issued.headers["Cache-Control"] == "no-store"
    token = issued.json()["token"]
    assert token.startswith(issued.json()["prefix"])
    with db.reader() as session:
        stored = session.scalars(select(orm.Token).where(orm.Token.id == issued.json()["id"])).one()
    assert stored.secret_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in (stored.prefix, stored.name, stored.secret_hash)

    newcomer = Actor(world.hospital.http, token, org["id"], world.municipality.level, org["name"])
    me = newcomer.get("/me").json()
    assert (me["organization"]["id"], me["scope"]) == (org["id"], "read")

    revoked = world.operator.delete(f"/tokens/{issued.json()['id']}")
    assert revoked.status_code == 204
    assert newcomer.get("/me").status_code == 401
    assert world.operator.delete(f"/tokens/{issued.json()['id']}").status_code == 204


def test_only_the_operator_manages_organisations_and_tokens(world: World) -> None:
    for actor in (world.hospital, world.hospital_reader, world.municipality, world.admin):
        assert (
            actor.post("/organizations", json={"name": "X", "level": "hospital"}).status_code == 403
        )
    for actor in (world.hospital, world.hospital_reader, world.municipality):
        assert (
            actor.post(
                f"/organizations/{actor.organization_id}/tokens",
                json={"name": "x", "scope": "admin"},
            ).status_code
            == 403
        )
        assert actor.delete("/tokens/1").status_code == 403


def test_organisation_rules(world: World) -> None:
    duplicate = world.operator.post(
        "/organizations", json={"name": "Helse Test HF", "level": "hospital"}
    )
    assert duplicate.status_code == 409
    for body in [
        {"name": "X", "level": "county"},
        {"name": "X", "level": "hospital", "organization_number": "12"},
        {"name": "", "level": "hospital"},
        {"name": "A\u0000B", "level": "hospital"},
        {"name": "X", "level": "hospital", "owner": 1},
    ]:
        response = world.operator.post("/organizations", json=body)
        assert response.status_code == 422, (body, response.text)
    assert (
        world.operator.post(
            "/organizations/999/tokens", json={"name": "x", "scope": "read"}
        ).status_code
        == 404
    )


def test_organisations_are_listed_and_filtered(world: World) -> None:
    everyone = world.municipality.get("/organizations").json()
    assert everyone["total"] == 4
    hospitals = world.municipality.get("/organizations", params={"level": "hospital"}).json()
    assert [o["name"] for o in hospitals["items"]] == ["Helse Test HF"]
    one = world.municipality.get(f"/organizations/{world.hospital.organization_id}")
    assert one.json()["level"] == "hospital"
    assert world.municipality.get("/organizations/999").status_code == 404


def _token_id(world: World, actor: Actor) -> int:
    """The id of ``actor``'s token, as the operator lists it."""
    listed = world.operator.get(f"/organizations/{actor.organization_id}/tokens")
    assert listed.status_code == 200, listed.text
    names = {t["name"]: t["id"] for t in listed.json()["items"]}
    return names[actor.get("/me").json()["token_name"]]


def test_admin_manages_the_tokens_of_its_own_organisation(world: World) -> None:
    own = world.admin.organization_id
    issued = world.admin.post(
        f"/organizations/{own}/tokens", json={"name": "Gerica integration", "scope": "read"}
    )
    assert issued.status_code == 201, issued.text
    token = issued.json()
    colleague = world.admin.post(
        f"/organizations/{own}/tokens", json={"name": "Second admin", "scope": "admin"}
    )
    assert colleague.status_code == 201, colleague.text

    listed = world.admin.get(f"/organizations/{own}/tokens")
    assert listed.status_code == 200, listed.text
    items = listed.json()["items"]
    assert {t["name"]: t["scope"] for t in items} == {
        "outsider token": "edit",
        "admin token": "admin",
        "Gerica integration": "read",
        "Second admin": "admin",
    }
    assert all("token" not in t and "secret_hash" not in t for t in items)
    assert token["token"] not in listed.text

    newcomer = Actor(world.admin.http, token["token"], own, world.admin.level, "newcomer")
    assert newcomer.get("/me").status_code == 200
    assert world.admin.delete(f"/tokens/{token['id']}").status_code == 204
    assert newcomer.get("/me").status_code == 401
    revoked = world.admin.get(f"/organizations/{own}/tokens").json()["items"]
    assert next(t for t in revoked if t["id"] == token["id"])["revoked_at"] is not None


def test_admin_cannot_touch_another_organisations_tokens(world: World) -> None:
    """Before the operator scope, any admin token issued tokens for every organisation."""
    hospital = world.hospital.organization_id
    for scope in ("read", "edit", "admin"):
        stolen = world.admin.post(
            f"/organizations/{hospital}/tokens", json={"name": "stolen", "scope": scope}
        )
        assert stolen.status_code == 403, stolen.text
        assert stolen.headers["content-type"] == PROBLEM
        assert "own organisation" in stolen.json()["detail"]
    listed = world.admin.get(f"/organizations/{hospital}/tokens")
    assert listed.status_code == 403
    assert "htt_" not in listed.text

    victim_id = _token_id(world, world.hospital)
    hidden = world.admin.delete(f"/tokens/{victim_id}")
    missing = world.admin.delete("/tokens/99999")
    assert (hidden.status_code, missing.status_code) == (404, 404)
    assert hidden.json()["detail"].replace(str(victim_id), "N") == missing.json()["detail"].replace(
        "99999", "N"
    )
    assert world.hospital.get("/me").status_code == 200
    # Without admin, no token learns whether a token exists: 403 either way.
    for token_id in (victim_id, 99999):
        assert world.hospital.delete(f"/tokens/{token_id}").status_code == 403


def test_operator_tokens_come_from_the_console_only(world: World, db: Database) -> None:
    for actor in (world.operator, world.admin):
        refused = actor.post(
            f"/organizations/{actor.organization_id}/tokens",
            json={"name": "ops", "scope": "operator"},
        )
        assert refused.status_code == 403, refused.text
        assert refused.headers["content-type"] == PROBLEM
        assert "console" in refused.json()["detail"]
    with db.writer() as session, session.begin():
        row, _ = create_token(
            session,
            client=None,
            organization_id=world.admin.organization_id,
            name="night operator",
            scope=Scope.OPERATOR,
            limits=DEFAULT_LIMITS,
        )
        operator_id = row.id
    # An admin of the same organisation sees it, but cannot revoke it; the operator can.
    seen = world.admin.get(f"/organizations/{world.admin.organization_id}/tokens").json()
    assert {"name": "night operator", "scope": "operator"}.items() <= next(
        t for t in seen["items"] if t["id"] == operator_id
    ).items()
    assert world.admin.delete(f"/tokens/{operator_id}").status_code == 403
    assert world.operator.delete(f"/tokens/{operator_id}").status_code == 204


def test_operator_manages_every_organisations_tokens(world: World) -> None:
    for actor in (world.hospital, world.municipality, world.admin):
        org = actor.organization_id
        listed = world.operator.get(f"/organizations/{org}/tokens")
        assert listed.status_code == 200, listed.text
        assert actor.get("/me").json()["token_name"] in {t["name"] for t in listed.json()["items"]}
        issued = world.operator.post(
            f"/organizations/{org}/tokens", json={"name": "by the operator", "scope": "admin"}
        )
        assert issued.status_code == 201, issued.text
        assert world.operator.delete(f"/tokens/{issued.json()['id']}").status_code == 204
    assert world.operator.get("/organizations/999/tokens").status_code == 404
    paged = world.operator.get(
        f"/organizations/{world.hospital.organization_id}/tokens", params={"limit": 1}
    ).json()
    assert (len(paged["items"]), paged["total"]) == (1, 4)  # 3 + the revoked one above
