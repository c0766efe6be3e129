"""Partnerships (helsefellesskap): kinds, roles, approval policies, decisions, the
agreement's defaults, membership and the secretariat's overview."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.services.catalogue import today
from api.settings import Settings
from db.session import Database
from pathways.model import Level
from tests.conftest import Actor, World

TODAY = today().isoformat()


def _organization(world: World, name: str, **fields: Any) -> Actor:
    """A new organisation (registered by the operator) with an edit token."""
    created = world.operator.post("/organizations", json={"name": name, **fields})
    assert created.status_code == 201, created.text
    org = created.json()
    issued = world.operator.post(
        f"/organizations/{org['id']}/tokens", json={"name": "editor", "scope": "edit"}
    )
    assert issued.status_code == 201, issued.text
    level = Level(org["level"]) if org["level"] else Level.MUNICIPALITY
    return Actor(world.hospital.http, issued.json()["token"], org["id"], level, name)


@dataclass
class Partnership:
    id: int
    secretariat: Actor
    users: Actor
    municipalities: list[Actor]

    def etag(self, actor: Actor) -> str:
        response = actor.get(f"/partnerships/{self.id}")
        assert response.status_code == 200, response.text
        etag: str = response.headers["ETag"]
        return etag


def _partnership(
    world: World,
    *,
    policy: str = "one_per_level",
    rules: dict[str, Any] | None = None,
    extra_municipalities: int = 1,
    name: str = "Helsefellesskapet Test",
) -> Partnership:
    """A partnership created by its secretariat: the hospital, the world's two
    municipalities and ``extra_municipalities`` more, and a user committee."""
    secretariat = _organization(world, f"Sekretariatet {name}", kind="secretariat")
    users = _organization(world, f"Brukerutvalget {name}", kind="user_representatives")
    body: dict[str, Any] = {
        "name": name,
        "approval_policy": policy,
        "decision_body": "Strategisk samarbeidsutvalg",
    }
    if rules is not None:
        body["rules"] = rules
    created = secretariat.post("/partnerships", json=body)
    assert created.status_code == 201, created.text
    partnership_id = created.json()["id"]
    assert [m["organization_id"] for m in created.json()["members"]] == [
        secretariat.organization_id
    ]
    extra = [
        _organization(world, f"Ekstra {number} kommune {name}", level="municipality")
        for number in range(extra_municipalities)
    ]
    municipalities = [world.municipality, world.municipality_b, *extra]
    etag = created.headers["ETag"]
    for member in (world.hospital, *municipalities, users):
        added = secretariat.put(
            f"/partnerships/{partnership_id}/members/{member.organization_id}", etag=etag
        )
        assert added.status_code == 201, added.text
        etag = added.headers["ETag"]
    return Partnership(partnership_id, secretariat, users, municipalities)


def _shared_pathway(
    world: World, partnership: Partnership, example: bytes, *, users: bool = True
) -> tuple[int, str]:
    """The example in the partnership, with every municipality (and the user committee)."""
    imported = world.hospital.post(
        f"/pathways/import?partnership={partnership.id}",
        content=example,
        headers={"Content-Type": "application/json"},
    )
    assert imported.status_code == 201, imported.text
    pathway_id = imported.json()["id"]
    etag = imported.headers["ETag"]
    joining = [*partnership.municipalities, *([partnership.users] if users else [])]
    for actor in joining:
        joined = world.hospital.put(
            f"/pathways/{pathway_id}/participants/{actor.organization_id}", etag=etag
        )
        assert joined.status_code == 201, joined.text
        etag = joined.headers["ETag"]
    return pathway_id, etag


def _approve(actor: Actor, pathway_id: int, etag: str) -> dict[str, Any]:
    response = actor.post(f"/pathways/{pathway_id}/approvals", etag=etag)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def _versions(actor: Actor, pathway_id: int) -> int:
    total: int = actor.get(f"/pathways/{pathway_id}/versions").json()["total"]
    return total


# -- organisation kinds --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "status", "where"),
    [
        ({"kind": "secretariat", "level": "hospital"}, 422, "level"),
        ({"kind": "user_representatives", "level": "municipality"}, 422, "level"),
        ({"kind": "care_provider"}, 422, "level"),
        ({}, 422, "level"),
        ({"kind": "gp_council"}, 422, "kind"),
        ({"kind": "secretariat"}, 201, None),
        ({"level": "municipality"}, 201, None),
    ],
)
def test_an_organisation_has_a_level_exactly_when_it_is_a_care_provider(
    world: World, fields: dict[str, Any], status: int, where: str | None
) -> None:
    response = world.operator.post("/organizations", json={"name": "Ny", **fields})
    assert response.status_code == status, response.text
    if where is not None:
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["errors"][0]["loc"][-1] == where
    else:
        body = response.json()
        assert body["kind"] == fields.get("kind", "care_provider")
        assert body["level"] == fields.get("level")


def test_organisations_filter_by_kind(world: World) -> None:
    secretariat = _organization(world, "Sekretariatet", kind="secretariat")
    listed = world.hospital.get("/organizations?kind=secretariat").json()
    assert [o["id"] for o in listed["items"]] == [secretariat.organization_id]
    me = secretariat.get("/me").json()
    assert (me["kind"], me["level"]) == ("secretariat", None)
    assert world.hospital.get("/organizations?kind=hospital").status_code == 422


# -- approval policies ---------------------------------------------------------------------


def test_every_participant_needs_every_editor_and_a_commenter_is_not_asked(
    world: World, example_bytes: bytes
) -> None:
    partnership = _partnership(world, policy="every_participant")
    pathway_id, etag = _shared_pathway(world, partnership, example_bytes)
    first, second, third = partnership.municipalities
    pathway = world.hospital.get(f"/pathways/{pathway_id}").json()
    assert pathway["partnership"]["approval_policy"] == "every_participant"
    assert pathway["approval"]["pending"] == [
        {"id": actor.organization_id, "name": actor.name}
        for actor in (world.hospital, first, second, third)
    ]
    for actor in (world.hospital, first, second):
        result = _approve(actor, pathway_id, etag)
        assert result["version"] is None
    assert result["state"]["pending"] == [third.organization_id]
    assert _versions(world.hospital, pathway_id) == 0
    # A municipality that has not approved does not see "approved", and no checklist is
    # served from a version that does not exist.
    assert third.get(f"/pathways/{pathway_id}").json()["status"] == "draft"
    assert third.get(f"/pathways/{pathway_id}/handovers").status_code == 404
    done = _approve(third, pathway_id, etag)
    assert done["version"]["number"] == 1
    version = world.hospital.get(f"/pathways/{pathway_id}/versions/1").json()
    assert version["approval_policy"] == "every_participant"
    assert version["partnership_id"] == partnership.id
    assert sorted(a["organization_id"] for a in version["approvals"]) == sorted(
        a.organization_id for a in (world.hospital, first, second, third)
    )
    # The user committee took part as a commenter: not asked, and not an adopter.
    assert partnership.users.organization_id not in [
        a["organization_id"] for a in version["approvals"]
    ]


def test_one_per_level_inside_a_partnership_is_todays_rule(
    world: World, example_bytes: bytes
) -> None:
    partnership = _partnership(world)
    pathway_id, etag = _shared_pathway(world, partnership, example_bytes)
    _approve(world.hospital, pathway_id, etag)
    done = _approve(world.municipality_b, pathway_id, etag)
    assert done["version"]["number"] == 1
    assert done["state"]["pending"] == [
        a.organization_id for a in (world.municipality, partnership.municipalities[2])
    ]


def test_a_secretariats_approval_never_counts_for_a_level(
    world: World, example_bytes: bytes
) -> None:
    partnership = _partnership(world, policy="decision")
    pathway_id, etag = _shared_pathway(world, partnership, example_bytes)
    refused = partnership.secretariat.post(f"/pathways/{pathway_id}/approvals", etag=etag)
    assert refused.status_code == 403, refused.text
    assert "secretariat" in refused.json()["detail"]
    commenter = partnership.users.post(f"/pathways/{pathway_id}/approvals", etag=etag)
    assert commenter.status_code == 403, commenter.text
    # The hospital approves and the secretariat records a decision: still no version,
    # for no municipal editor approved.
    _approve(world.hospital, pathway_id, etag)
    decided = partnership.secretariat.post(
        f"/pathways/{pathway_id}/decisions",
        json={"decided_on": TODAY, "reference": "Sak 7/2026"},
        etag=etag,
    )
    assert decided.status_code == 201, decided.text
    assert decided.json()["version"] is None
    assert decided.json()["state"]["missing_levels"] == ["municipality"]
    assert _versions(world.hospital, pathway_id) == 0
    pathway = world.hospital.get(f"/pathways/{pathway_id}").json()
    assert [a["organization_id"] for a in pathway["approvals"]] == [world.hospital.organization_id]


def test_decision_policy_makes_the_version_when_the_body_has_decided(
    world: World, example_bytes: bytes
) -> None:
    partnership = _partnership(world, policy="decision")
    pathway_id, etag = _shared_pathway(world, partnership, example_bytes)
    _approve(world.hospital, pathway_id, etag)
    approved = _approve(world.municipality, pathway_id, etag)
    assert approved["version"] is None
    assert approved["state"]["decision_missing"] is True
    shown = world.municipality.get(f"/pathways/{pathway_id}").json()["approval"]
    assert (shown["met"], shown["decision_required"], shown["decision"]) == (False, True, None)
    future = partnership.secretariat.post(
        f"/pathways/{pathway_id}/decisions",
        json={"decided_on": "2999-01-01", "reference": "Sak 7/2026"},
        etag=etag,
    )
    assert future.status_code == 422, future.text
    decided = partnership.secretariat.post(
        f"/pathways/{pathway_id}/decisions",
        json={"decided_on": TODAY, "reference": "Sak 7/2026"},
        etag=etag,
    )
    assert decided.status_code == 201, decided.text
    assert decided.json()["version"]["number"] == 1
    assert decided.headers["Location"] == f"/pathways/{pathway_id}/versions/1"
    again = partnership.secretariat.post(
        f"/pathways/{pathway_id}/decisions",
        json={"decided_on": TODAY, "reference": "Sak 7/2026"},
        etag=etag,
    )
    assert again.status_code == 200, again.text
    other = partnership.secretariat.post(
        f"/pathways/{pathway_id}/decisions",
        json={"decided_on": TODAY, "reference": "Sak 8/2026"},
        etag=etag,
    )
    assert other.status_code == 409, other.text
    version = world.outsider.get(f"/pathways/{pathway_id}/versions/1").json()
    assert version["approval_policy"] == "decision"
    assert version["decision"]["body"] == "Strategisk samarbeidsutvalg"
    assert version["decision"]["reference"] == "Sak 7/2026"
    assert version["decision"]["organization_id"] == partnership.secretariat.organization_id
    history = world.hospital.get(f"/pathways/{pathway_id}/history?limit=200").json()["items"]
    recorded = next(h for h in history if h["action"] == "decision.record")
    assert recorded["organization"] == {
        "id": partnership.secretariat.organization_id,
        "name": partnership.secretariat.name,
        "level": None,
    }
    assert history[-1]["action"] == "version.create"


def test_a_decision_needs_the_decision_policy_and_the_secretariat(
    world: World, example_bytes: bytes
) -> None:
    partnership = _partnership(world)
    pathway_id, etag = _shared_pathway(world, partnership, example_bytes)
    body = {"decided_on": TODAY, "reference": "Sak 1/2026"}
    wrong_policy = partnership.secretariat.post(
        f"/pathways/{pathway_id}/decisions", json=body, etag=etag
    )
    assert wrong_policy.status_code == 409, wrong_policy.text
    assert "one_per_level" in wrong_policy.json()["detail"]
    by_editor = world.hospital.post(f"/pathways/{pathway_id}/decisions", json=body, etag=etag)
    assert by_editor.status_code == 403, by_editor.text
    by_outsider = world.outsider.post(f"/pathways/{pathway_id}/decisions", json=body, etag=etag)
    assert by_outsider.status_code == 404, by_outsider.text


def test_any_change_voids_approvals_and_a_decision(world: World, example_bytes: bytes) -> None:
    partnership = _partnership(world, policy="decision")
    pathway_id, etag = _shared_pathway(world, partnership, example_bytes)
    _approve(world.hospital, pathway_id, etag)
    _approve(world.municipality, pathway_id, etag)
    changed = world.municipality.patch(
        f"/pathways/{pathway_id}", json={"description": "Endret"}, etag=etag
    )
    new_etag = changed.headers["ETag"]
    decided = partnership.secretariat.post(
        f"/pathways/{pathway_id}/decisions",
        json={"decided_on": TODAY, "reference": "Sak 2/2026"},
        etag=new_etag,
    )
    assert decided.status_code == 201
    assert decided.json()["version"] is None
    assert decided.json()["state"]["missing_levels"] == ["hospital", "municipality"]


# -- membership and roles ------------------------------------------------------------------


def test_the_secretariat_removes_a_participant_and_others_may_not(
    world: World, example_bytes: bytes
) -> None:
    partnership = _partnership(world)
    pathway_id, etag = _shared_pathway(world, partnership, example_bytes)
    base = f"/pathways/{pathway_id}/participants"
    target = world.municipality_b.organization_id
    for actor in (world.municipality, world.hospital, partnership.users):
        refused = actor.delete(f"{base}/{target}", etag=etag)
        assert refused.status_code == 403, refused.text
    removed = partnership.secretariat.delete(f"{base}/{target}", etag=etag)
    assert removed.status_code == 204, removed.text
    assert world.municipality_b.get(f"/pathways/{pathway_id}").status_code == 404
    history = world.hospital.get(f"/pathways/{pathway_id}/history?limit=200").json()["items"]
    assert history[-1]["action"] == "participant.remove"
    assert history[-1]["organization"]["id"] == partnership.secretariat.organization_id
    assert history[-1]["changes"]["organization_id"] == target


def test_the_last_editor_of_a_level_stays_even_for_the_secretariat(
    world: World, example_bytes: bytes
) -> None:
    partnership = _partnership(world)
    pathway_id, etag = _shared_pathway(world, partnership, example_bytes)
    refused = partnership.secretariat.delete(
        f"/pathways/{pathway_id}/participants/{world.hospital.organization_id}", etag=etag
    )
    assert refused.status_code == 409, refused.text
    demoted = world.hospital.put(
        f"/pathways/{pathway_id}/participants/{world.hospital.organization_id}",
        json={"role": "commenter"},
        etag=etag,
    )
    assert demoted.status_code == 409, demoted.text


def test_roles_are_checked_and_changed_by_the_organisation_or_the_secretariat(
    world: World, example_bytes: bytes
) -> None:
    partnership = _partnership(world)
    pathway_id, etag = _shared_pathway(world, partnership, example_bytes, users=False)
    base = f"/pathways/{pathway_id}/participants"
    users = partnership.users.organization_id
    as_editor = world.hospital.put(f"{base}/{users}", json={"role": "editor"}, etag=etag)
    assert as_editor.status_code == 422, as_editor.text
    as_secretariat = world.hospital.put(f"{base}/{users}", json={"role": "secretariat"}, etag=etag)
    assert as_secretariat.status_code == 422, as_secretariat.text
    unknown = world.hospital.put(f"{base}/{users}", json={"role": "owner"}, etag=etag)
    assert unknown.status_code == 422, unknown.text
    added = world.hospital.put(f"{base}/{users}", etag=etag)
    assert added.status_code == 201, added.text
    roles = {p["organization_id"]: p["role"] for p in added.json()["participants"]}
    assert roles[users] == "commenter"
    etag = added.headers["ETag"]
    # A commenter reads the draft and changes nothing.
    assert partnership.users.get(f"/pathways/{pathway_id}/graph").status_code == 200
    edit = partnership.users.patch(f"/pathways/{pathway_id}", json={"title": "X"}, etag=etag)
    assert edit.status_code == 403, edit.text
    # Another editor may not demote a municipality; the secretariat may.
    target = f"{base}/{world.municipality_b.organization_id}"
    refused = world.hospital.put(target, json={"role": "commenter"}, etag=etag)
    assert refused.status_code == 403, refused.text
    done = partnership.secretariat.put(target, json={"role": "commenter"}, etag=etag)
    assert done.status_code == 200, done.text
    assert done.headers["ETag"] != etag
    history = world.hospital.get(f"/pathways/{pathway_id}/history?limit=200").json()["items"]
    assert history[-1]["action"] == "participant.role"
    # A commenter does not make itself an editor; any editor may make it one again.
    etag = done.headers["ETag"]
    itself = world.municipality_b.put(target, json={"role": "editor"}, etag=etag)
    assert itself.status_code == 403, itself.text
    again = world.municipality.put(target, json={"role": "editor"}, etag=etag)
    assert again.status_code == 200, again.text
    roles = {p["organization_id"]: p["role"] for p in again.json()["participants"]}
    assert roles[world.municipality_b.organization_id] == "editor"


def test_the_secretariat_reads_its_partnerships_drafts_only(
    world: World, example_bytes: bytes
) -> None:
    partnership = _partnership(world)
    pathway_id, _ = _shared_pathway(world, partnership, example_bytes)
    elsewhere = world.hospital.post("/pathways", json={"title": "Not in the partnership"})
    listed = partnership.secretariat.get("/pathways").json()
    assert [p["id"] for p in listed["items"]] == [pathway_id]
    assert partnership.secretariat.get(f"/pathways/{pathway_id}/graph").status_code == 200
    assert partnership.secretariat.get(f"/pathways/{elsewhere.json()['id']}").status_code == 404
    by_partnership = world.hospital.get(f"/pathways?partnership={partnership.id}").json()
    assert [p["id"] for p in by_partnership["items"]] == [pathway_id]


def test_only_a_member_puts_a_pathway_in_a_partnership(world: World) -> None:
    partnership = _partnership(world)
    outsider = world.outsider.post(
        "/pathways", json={"title": "Mine", "partnership_id": partnership.id}
    )
    assert outsider.status_code == 403, outsider.text
    missing = world.hospital.post("/pathways", json={"title": "Mine", "partnership_id": 999})
    assert missing.status_code == 422, missing.text
    assert missing.json()["errors"][0]["loc"] == ["body", "partnership_id"]
    created = world.hospital.post("/pathways", json={"title": "Mine"})
    moved = world.hospital.patch(
        f"/pathways/{created.json()['id']}",
        json={"partnership_id": partnership.id},
        etag=created.headers["ETag"],
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["partnership"]["id"] == partnership.id
    # An editor cannot take it out again, and so escape the agreement: the secretariat may.
    url = f"/pathways/{created.json()['id']}"
    escape = world.hospital.patch(url, json={"partnership_id": None}, etag=moved.headers["ETag"])
    assert escape.status_code == 403, escape.text
    # The secretariat changes nothing else of the draft.
    both = {"partnership_id": None, "title": "X"}
    title = partnership.secretariat.patch(url, json=both, etag=moved.headers["ETag"])
    assert title.status_code == 403, title.text
    left = partnership.secretariat.patch(
        url, json={"partnership_id": None}, etag=moved.headers["ETag"]
    )
    assert left.status_code == 200, left.text
    assert left.json()["partnership"] is None
    assert left.json()["approval"]["policy"] == "one_per_level"
    # Out of the partnership, its secretariat has no part in it.
    assert partnership.secretariat.get(url).status_code == 404


def test_no_editor_makes_the_partnerships_secretariat_a_commenter(
    world: World, example_bytes: bytes
) -> None:
    partnership = _partnership(world)
    pathway_id, etag = _shared_pathway(world, partnership, example_bytes)
    added = world.hospital.put(
        f"/pathways/{pathway_id}/participants/{partnership.secretariat.organization_id}",
        etag=etag,
    )
    assert added.status_code == 422, added.text
    assert "through its partnership" in added.json()["detail"]
    left = partnership.secretariat.patch(
        f"/pathways/{pathway_id}", json={"partnership_id": None}, etag=etag
    )
    assert left.status_code == 200, left.text


def test_a_pathway_is_not_moved_to_another_partnership_by_an_editor(
    world: World, example_bytes: bytes
) -> None:
    first = _partnership(world)
    other = _partnership(world, name="Helsefellesskapet Annet", policy="decision")
    pathway_id, etag = _shared_pathway(world, first, example_bytes)
    moved = world.municipality.patch(
        f"/pathways/{pathway_id}", json={"partnership_id": other.id}, etag=etag
    )
    assert moved.status_code == 403, moved.text
    # Another partnership's secretariat has no part in it, and cannot be given one.
    assert other.secretariat.get(f"/pathways/{pathway_id}").status_code == 404
    given = world.hospital.put(
        f"/pathways/{pathway_id}/participants/{other.secretariat.organization_id}",
        json={"role": "secretariat"},
        etag=etag,
    )
    assert given.status_code == 422, given.text
    added = world.hospital.put(
        f"/pathways/{pathway_id}/participants/{other.secretariat.organization_id}", etag=etag
    )
    assert added.status_code == 201, added.text
    roles = {p["organization_id"]: p["role"] for p in added.json()["participants"]}
    assert roles[other.secretariat.organization_id] == "commenter"
    decided = other.secretariat.post(
        f"/pathways/{pathway_id}/decisions",
        json={"decided_on": TODAY, "reference": "Sak 1/2026"},
        etag=added.headers["ETag"],
    )
    assert decided.status_code == 403, decided.text


def test_partnership_members_are_managed_by_the_secretariat(world: World) -> None:
    partnership = _partnership(world)
    url = f"/partnerships/{partnership.id}/members"
    etag = partnership.etag(world.hospital)
    for actor in (world.hospital, world.municipality):
        refused = actor.put(f"{url}/{world.outsider.organization_id}", etag=etag)
        assert refused.status_code == 403, refused.text
        removing = actor.delete(f"{url}/{world.municipality_b.organization_id}", etag=etag)
        assert removing.status_code == 403, removing.text
    left = world.municipality_b.delete(f"{url}/{world.municipality_b.organization_id}", etag=etag)
    assert left.status_code == 204, left.text
    stale = partnership.secretariat.delete(f"{url}/{world.municipality.organization_id}", etag=etag)
    assert stale.status_code == 412, stale.text
    removed = partnership.secretariat.delete(
        f"{url}/{world.municipality.organization_id}", etag=left.headers["ETag"]
    )
    assert removed.status_code == 204, removed.text
    members = world.outsider.get(f"/partnerships/{partnership.id}").json()["members"]
    assert world.municipality.organization_id not in [m["organization_id"] for m in members]
    last = partnership.secretariat.delete(
        f"{url}/{partnership.secretariat.organization_id}", etag=removed.headers["ETag"]
    )
    assert last.status_code == 409, last.text


def test_a_secretariat_joining_or_leaving_is_in_each_pathways_history(
    world: World, example_bytes: bytes
) -> None:
    partnership = _partnership(world)
    pathway_id, etag = _shared_pathway(world, partnership, example_bytes)
    second = _organization(world, "Sekretariatet nummer to", kind="secretariat")
    url = f"/partnerships/{partnership.id}/members/{second.organization_id}"
    joined = partnership.secretariat.put(url, etag=partnership.etag(world.hospital))
    assert joined.status_code == 201, joined.text
    assert second.get(f"/pathways/{pathway_id}/graph").status_code == 200
    left = second.delete(url, etag=joined.headers["ETag"])
    assert left.status_code == 204, left.text
    assert second.get(f"/pathways/{pathway_id}").status_code == 404
    history = world.hospital.get(f"/pathways/{pathway_id}/history?limit=200").json()["items"]
    assert [h["action"] for h in history[-2:]] == ["secretariat.join", "secretariat.leave"]
    assert all(h["changes"]["organization_id"] == second.organization_id for h in history[-2:])
    # The role changed hands; the pathway did not: its revision and approvals stand.
    assert world.hospital.get(f"/pathways/{pathway_id}").json()["etag"] == etag


@pytest.fixture
def small_cap(db: Database, settings: Settings) -> Iterator[TestClient]:
    capped = settings.model_copy(update={"max_partnership_members": 6})
    app = create_app(capped, database=Database.connect(capped.database_url, pool_size=2))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def test_members_are_capped(world: World, small_cap: TestClient) -> None:
    partnership = _partnership(world, extra_municipalities=0)  # 5 members
    secretariat = Actor(small_cap, partnership.secretariat.token, 0, Level.HOSPITAL, "s")
    url = f"/partnerships/{partnership.id}/members"
    sixth = secretariat.put(
        f"{url}/{world.outsider.organization_id}", etag=partnership.etag(secretariat)
    )
    assert sixth.status_code == 201, sixth.text
    extra = _organization(world, "Sjuende kommune", level="municipality")
    seventh = secretariat.put(f"{url}/{extra.organization_id}", etag=sixth.headers["ETag"])
    assert seventh.status_code == 422, seventh.text
    assert "at most 6 members" in seventh.json()["detail"]


# -- the agreement's defaults --------------------------------------------------------------


def test_a_pathway_inherits_the_agreement_and_may_only_be_stricter(
    world: World, example_bytes: bytes
) -> None:
    rules = {"rule_sets": ["core", "norway"], "deadlines": {"admission_notice": "PT24H"}}
    partnership = _partnership(world, rules=rules)
    pathway_id, etag = _shared_pathway(world, partnership, example_bytes)
    pathway = world.hospital.get(f"/pathways/{pathway_id}").json()
    assert pathway["rules"] == {"rule_sets": ["core"], "deadlines": {}}
    assert pathway["rules_in_force"] == rules
    report = world.hospital.get(f"/pathways/{pathway_id}/gaps").json()
    assert report["rules"]["rule_sets"] == ["core", "norway"]
    assert report["deadlines"]["admission_notice"] == "PT24H"
    longer = world.municipality.patch(
        f"/pathways/{pathway_id}",
        json={"rules": {"deadlines": {"admission_notice": "PT48H"}}},
        etag=etag,
    )
    assert longer.status_code == 422, longer.text
    assert longer.json()["errors"][0]["loc"][-1] == "admission_notice"
    shorter = world.municipality.patch(
        f"/pathways/{pathway_id}",
        json={"rules": {"deadlines": {"admission_notice": "PT12H"}}},
        etag=etag,
    )
    assert shorter.status_code == 200, shorter.text
    assert shorter.json()["rules_in_force"]["deadlines"] == {"admission_notice": "PT12H"}
    document = json.loads(world.hospital.get(f"/pathways/{pathway_id}/document").content)
    assert document["rules"]["rule_sets"] == ["core", "norway"]


def test_changing_the_agreement_gives_its_pathways_a_new_revision(
    world: World, example_bytes: bytes
) -> None:
    partnership = _partnership(world)
    pathway_id, etag = _shared_pathway(world, partnership, example_bytes)
    _approve(world.hospital, pathway_id, etag)
    by_member = world.hospital.patch(
        f"/partnerships/{partnership.id}",
        json={"approval_policy": "every_participant"},
        etag=partnership.etag(world.hospital),
    )
    assert by_member.status_code == 403, by_member.text
    # A new name or deciding body changes no pathway: its approvals stand.
    renamed = partnership.secretariat.patch(
        f"/partnerships/{partnership.id}",
        json={"name": "Helsefellesskapet Ny", "decision_body": "Partnerskapsmøtet"},
        etag=partnership.etag(world.hospital),
    )
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["name"] == "Helsefellesskapet Ny"
    unchanged = world.hospital.get(f"/pathways/{pathway_id}")
    assert unchanged.json()["etag"] == etag
    assert len(unchanged.json()["approvals"]) == 1
    changed = partnership.secretariat.patch(
        f"/partnerships/{partnership.id}",
        json={"approval_policy": "every_participant"},
        etag=renamed.headers["ETag"],
    )
    assert changed.status_code == 200, changed.text
    pathway = world.hospital.get(f"/pathways/{pathway_id}")
    assert pathway.headers["ETag"] != etag
    assert pathway.json()["approvals"] == []
    assert pathway.json()["partnership"] == {
        "id": partnership.id,
        "approval_policy": "every_participant",
    }
    history = world.hospital.get(f"/pathways/{pathway_id}/history?limit=200").json()["items"]
    assert history[-1]["action"] == "partnership.update"
    assert history[-1]["organization"]["id"] == partnership.secretariat.organization_id
    unknown = partnership.secretariat.patch(
        f"/partnerships/{partnership.id}",
        json={"approval_policy": "majority"},
        etag=partnership.etag(world.hospital),
    )
    assert unknown.status_code == 422, unknown.text


# -- catalogue and overview ----------------------------------------------------------------


def test_the_catalogue_shows_and_filters_by_partnership(world: World, example_bytes: bytes) -> None:
    partnership = _partnership(world)
    pathway_id, etag = _shared_pathway(world, partnership, example_bytes)
    _approve(world.hospital, pathway_id, etag)
    _approve(world.municipality, pathway_id, etag)
    alone = world.hospital.post(
        "/pathways/import", content=example_bytes, headers={"Content-Type": "application/json"}
    )
    alone_id = alone.json()["id"]
    joined = world.hospital.put(
        f"/pathways/{alone_id}/participants/{world.municipality.organization_id}",
        etag=alone.headers["ETag"],
    )
    _approve(world.hospital, alone_id, joined.headers["ETag"])
    _approve(world.municipality, alone_id, joined.headers["ETag"])
    rows = world.outsider.get("/catalogue").json()["items"]
    assert [(r["id"], r["partnership"]) for r in rows] == [
        (pathway_id, {"id": partnership.id, "name": "Helsefellesskapet Test"}),
        (alone_id, None),
    ]
    filtered = world.outsider.get(f"/catalogue?partnership={partnership.id}").json()
    assert [r["id"] for r in filtered["items"]] == [pathway_id]
    assert world.outsider.get("/catalogue?partnership=0").status_code == 422


def test_the_overview_shows_status_pending_approvals_and_adoption(
    world: World, example_bytes: bytes
) -> None:
    partnership = _partnership(world)
    adopted, etag = _shared_pathway(world, partnership, example_bytes)
    _approve(world.hospital, adopted, etag)
    _approve(world.municipality, adopted, etag)
    waiting, _ = _shared_pathway(world, partnership, example_bytes)
    overview = partnership.secretariat.get(f"/partnerships/{partnership.id}/overview")
    assert overview.status_code == 200, overview.text
    body = overview.json()
    assert body["by_status"] == {"draft": 1, "approved": 1, "changed": 0}
    assert body["total"] == 2
    everyone = [world.hospital, *partnership.municipalities]
    assert body["pending"] == [
        {"organization_id": a.organization_id, "name": a.name, "pathways": 1} for a in everyone
    ]
    first, second = body["pathways"]
    assert (first["id"], first["status"], first["pending"]) == (adopted, "approved", [])
    assert first["adopted"] == [
        {"organization_id": a.organization_id, "name": a.name, "version": 1}
        for a in (world.hospital, world.municipality)
    ]
    assert second["id"] == waiting
    assert [p["id"] for p in second["pending"]] == [a.organization_id for a in everyone]
    # It shows drafts: it is the secretariat's, not the members'.
    assert world.outsider.get(f"/partnerships/{partnership.id}/overview").status_code == 403
    assert world.hospital.get(f"/partnerships/{partnership.id}/overview").status_code == 403


# -- a helsefellesskap of 1 hospital trust and 30 municipalities, end to end ----------------


def test_a_partnership_of_a_hospital_trust_and_thirty_municipalities(
    world: World, example_bytes: bytes
) -> None:
    partnership = _partnership(
        world, policy="every_participant", extra_municipalities=28, name="Helsefellesskapet Stor"
    )
    assert len(partnership.municipalities) == 30
    members = world.outsider.get(f"/partnerships/{partnership.id}").json()["members"]
    assert len(members) == 1 + 1 + 30 + 1  # secretariat, hospital, municipalities, users
    pathway_id, etag = _shared_pathway(world, partnership, example_bytes)
    pathway = world.hospital.get(f"/pathways/{pathway_id}").json()
    editors = [p for p in pathway["participants"] if p["role"] == "editor"]
    assert len(editors) == 31
    # Authorship stays the hospital's: adding thirty participants wrote no content.
    assert pathway["authorship"]["municipality"]["elements"] == 0
    *most, last = partnership.municipalities
    for actor in (world.hospital, *most):
        assert _approve(actor, pathway_id, etag)["version"] is None
    overview = partnership.secretariat.get(f"/partnerships/{partnership.id}/overview").json()
    assert overview["pending"] == [
        {"organization_id": last.organization_id, "name": last.name, "pathways": 1}
    ]
    assert _approve(last, pathway_id, etag)["version"]["number"] == 1
    catalogue = world.outsider.get(f"/catalogue?partnership={partnership.id}").json()
    (row,) = catalogue["items"]
    assert row["participants"]["municipality"]["count"] == 30
    assert row["participants"]["hospital"]["count"] == 1
    overview = partnership.secretariat.get(f"/partnerships/{partnership.id}/overview").json()
    assert overview["by_status"]["approved"] == 1
    assert len(overview["pathways"][0]["adopted"]) == 31
