"""Organisations and tokens: the operator's work; tokens shown once, stored as hashes."""

from __future__ import annotations

import hashlib

from sqlalchemy import select

from db import models as orm
from db.session import Database
from tests.conftest import Actor, World


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
    for actor in (world.hospital, world.hospital_reader, world.municipality):
        assert (
            actor.post("/organizations", json={"name": "X", "level": "hospital"}).status_code == 403
        )
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
