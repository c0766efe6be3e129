"""Handover checklists for integrations: pinned, cacheable, approved versions only."""

from __future__ import annotations

import time

from fastapi.testclient import TestClient
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.questionnaire import Questionnaire

from api.app import create_app
from api.schemas.handovers import FeedPageRead, HandoverList, HandoverRead
from api.settings import Settings
from tests.conftest import World


def test_read_token_gets_every_handover_of_the_latest_version(
    world: World, approved: tuple[int, str]
) -> None:
    pathway_id, _ = approved
    response = world.hospital_reader.get(f"/pathways/{pathway_id}/handovers")
    assert response.status_code == 200, response.text
    body = HandoverList.model_validate(response.json())
    assert body.version == 1
    assert [h.transition for h in body.handovers] == ["admit", "to-short-term", "to-home-nursing"]
    admit = body.handovers[0]
    assert (admit.sender.level, admit.receiver.level) == ("municipality", "hospital")
    assert admit.messages == ["HENVISNING", "INNLEGGELSESRAPPORT"]
    assert [(i.key, i.level, i.role) for i in admit.checklist][-1] == (
        "notify-municipality",
        "hospital",
        "ED physician",
    )
    assert response.headers["ETag"] == '"v1"'
    assert response.headers["Cache-Control"] == "private, no-cache"


def test_filters_by_side_and_level(world: World, approved: tuple[int, str]) -> None:
    pathway_id, _ = approved
    url = f"/pathways/{pathway_id}/handovers"
    senders = world.hospital_reader.get(url, params={"side": "sender"}).json()
    assert all(i["side"] == "sender" for h in senders["handovers"] for i in h["checklist"])
    hospital = world.hospital_reader.get(url, params={"level": "hospital"}).json()
    keys = {h["transition"]: [i["key"] for i in h["checklist"]] for h in hospital["handovers"]}
    assert keys == {
        "admit": ["notify-municipality"],
        "to-short-term": ["ready-notice", "epikrise"],
        "to-home-nursing": ["ready-notice", "epikrise"],
    }
    both = world.hospital_reader.get(url, params={"level": "hospital", "side": "receiver"})
    assert [len(h["checklist"]) for h in both.json()["handovers"]] == [1, 0, 0]
    one = world.hospital_reader.get(f"{url}/to-home-nursing", params={"side": "receiver"})
    entry = HandoverRead.model_validate(one.json())
    assert (entry.transition, [i.key for i in entry.checklist]) == (
        "to-home-nursing",
        ["first-visit"],
    )
    for bad in [{"side": "both"}, {"level": "county"}, {"format": "xml"}, {"version": 0}]:
        assert world.hospital_reader.get(url, params=bad).status_code == 422


def test_fhir_questionnaires_are_valid_and_keep_keys_and_required_flags(
    world: World, approved: tuple[int, str]
) -> None:
    pathway_id, _ = approved
    url = f"/pathways/{pathway_id}/handovers"
    one = world.hospital_reader.get(f"{url}/to-short-term", params={"format": "fhir"})
    assert one.headers["content-type"] == "application/fhir+json"
    assert one.headers["ETag"] == '"v1-fhir"'
    questionnaire = Questionnaire.model_validate_json(one.content)
    assert questionnaire.version == "1"  # the approved version: integrations pin url|version
    items = {item.linkId: item.required for item in questionnaire.item or []}
    assert items == {"ready-notice": True, "reply": True, "epikrise": True, "receive": True}
    municipal = world.hospital_reader.get(
        f"{url}/to-short-term", params={"format": "fhir", "level": "municipality"}
    )
    linked = [
        item.linkId for item in Questionnaire.model_validate_json(municipal.content).item or []
    ]
    assert linked == ["reply", "receive"]
    bundle = Bundle.model_validate_json(
        world.hospital_reader.get(url, params={"format": "fhir"}).content
    )
    assert [entry.resource.get_resource_type() for entry in bundle.entry or []] == [
        "Questionnaire"
    ] * 3


def test_version_pinning_and_304(world: World, approved: tuple[int, str]) -> None:
    pathway_id, etag = approved
    url = f"/pathways/{pathway_id}/handovers"
    pinned = world.hospital_reader.get(url, params={"version": 1})
    assert "immutable" in pinned.headers["Cache-Control"]
    cached = world.hospital_reader.get(
        url, params={"version": 1}, headers={"If-None-Match": '"v1"'}
    )
    assert (cached.status_code, cached.content) == (304, b"")

    # A second version changes the latest answer, never version 1's.
    changed = world.municipality.patch(
        f"/pathways/{pathway_id}/transitions/admit",
        json={"label": "Referred for admission by legevakt"},
        etag=etag,
    )
    new = changed.headers["ETag"]
    world.hospital.post(f"/pathways/{pathway_id}/approvals", etag=new)
    world.municipality.post(f"/pathways/{pathway_id}/approvals", etag=new)
    latest = world.hospital_reader.get(url)
    assert latest.json()["version"] == 2
    assert latest.json()["handovers"][0]["label"] == "Referred for admission by legevakt"
    assert world.hospital_reader.get(url, params={"version": 1}).content == pinned.content
    stale = world.hospital_reader.get(url, headers={"If-None-Match": '"v1"'})
    assert stale.status_code == 200


def test_drafts_are_never_served(world: World, example_bytes: bytes) -> None:
    imported = world.hospital.post(
        "/pathways/import", content=example_bytes, headers={"Content-Type": "application/json"}
    )
    pathway_id = imported.json()["id"]
    for actor in (world.hospital, world.hospital_reader, world.outsider):
        response = actor.get(f"/pathways/{pathway_id}/handovers")
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"
        assert actor.get(f"/pathways/{pathway_id}/handovers/admit").status_code == 404
    assert world.hospital.get("/pathways/999/handovers").status_code == 404


def test_unknown_handover_and_missing_token(world: World, approved: tuple[int, str]) -> None:
    pathway_id, _ = approved
    url = f"/pathways/{pathway_id}/handovers"
    assert world.hospital_reader.get(f"{url}/to-surgery").status_code == 404  # same level
    assert world.hospital_reader.get(f"{url}/nothing").status_code == 404
    assert world.hospital_reader.get(url, params={"version": 2}).status_code == 404
    anonymous = world.hospital.http.get(url)
    assert anonymous.status_code == 401
    assert anonymous.headers["content-type"] == "application/problem+json"


def test_revoked_token_stops_within_the_cache_bound(
    world: World, approved: tuple[int, str]
) -> None:
    pathway_id, _ = approved
    url = f"/pathways/{pathway_id}/handovers"
    issued = world.operator.post(
        f"/organizations/{world.municipality.organization_id}/tokens",
        json={"name": "Gerica", "scope": "read"},
    ).json()
    headers = {"Authorization": f"Bearer {issued['token']}"}
    assert world.hospital.http.get(url, headers=headers).status_code == 200
    assert world.operator.delete(f"/tokens/{issued['id']}").status_code == 204
    # This process forgets the token at once.
    assert world.hospital.http.get(url, headers=headers).status_code == 401


def test_revocation_reaches_another_worker_within_the_cache_bound(
    world: World, approved: tuple[int, str], settings: Settings
) -> None:
    """A second app instance on the same database stands for another worker process."""
    pathway_id, _ = approved
    url = f"/pathways/{pathway_id}/handovers"
    issued = world.operator.post(
        f"/organizations/{world.municipality.organization_id}/tokens",
        json={"name": "EPJ", "scope": "read"},
    ).json()
    headers = {"Authorization": f"Bearer {issued['token']}"}
    bound = 0.5
    other_settings = settings.model_copy(update={"token_cache_seconds": bound})
    other_app = create_app(other_settings)
    with TestClient(other_app) as other_worker:
        assert other_worker.get(url, headers=headers).status_code == 200
        assert world.operator.delete(f"/tokens/{issued['id']}").status_code == 204
        revoked_at = time.monotonic()
        assert world.hospital.http.get(url, headers=headers).status_code == 401
        # The other worker may still trust its cache, but never longer than the bound.
        while other_worker.get(url, headers=headers).status_code == 200:
            assert time.monotonic() - revoked_at < bound + 0.5
            time.sleep(0.05)
        assert other_worker.get(url, headers=headers).status_code == 401
        # Editing routes always ask the database: no grace period there.
        assert other_worker.get("/me", headers=headers).status_code == 401


def test_feed_of_an_organisation_syncs_incrementally(
    world: World, approved: tuple[int, str]
) -> None:
    pathway_id, etag = approved
    first = world.municipality.get("/handovers")
    assert first.status_code == 200, first.text
    page = FeedPageRead.model_validate(first.json())
    assert page.total == 3
    assert {(i.pathway_id, i.version) for i in page.items} == {(pathway_id, 1)}
    assert (
        world.municipality.get(
            "/handovers", headers={"If-None-Match": first.headers["ETag"]}
        ).status_code
        == 304
    )

    time.sleep(0.01)
    new = world.municipality.patch(
        f"/pathways/{pathway_id}", json={"title": "Hip fracture v2"}, etag=etag
    ).headers["ETag"]
    world.hospital.post(f"/pathways/{pathway_id}/approvals", etag=new)
    world.municipality.post(f"/pathways/{pathway_id}/approvals", etag=new)
    since = page.newest
    assert since is not None
    update = world.municipality.get("/handovers", params={"since": since.isoformat()}).json()
    assert update["total"] == 3
    assert {i["version"] for i in update["items"]} == {2}
    assert update["items"][0]["title"] == "Hip fracture v2"
    everything = world.municipality.get("/handovers", params={"limit": 4}).json()
    assert everything["total"] == 6
    assert [i["version"] for i in everything["items"]] == [2, 2, 2, 1]
    assert world.outsider.get("/handovers").json()["total"] == 0
    other = world.outsider.get(
        "/handovers", params={"organization": world.hospital.organization_id}
    )
    assert other.json()["total"] == 6
    assert world.outsider.get("/handovers", params={"organization": 999}).status_code == 404
