"""A pathway becomes binding only when both levels approve the same, gap-free revision."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import World


@pytest.fixture
def shared(world: World, example_bytes: bytes) -> tuple[int, str]:
    """The example, imported by the hospital, with the municipality taking part."""
    imported = world.hospital.post(
        "/pathways/import", content=example_bytes, headers={"Content-Type": "application/json"}
    )
    pathway_id = imported.json()["id"]
    joined = world.hospital.put(
        f"/pathways/{pathway_id}/participants/{world.municipality.organization_id}",
        etag=imported.headers["ETag"],
    )
    return pathway_id, joined.headers["ETag"]


def _etag(world: World, pathway_id: int) -> str:
    etag: str = world.hospital.get(f"/pathways/{pathway_id}").headers["ETag"]
    return etag


def _versions(world: World, pathway_id: int) -> int:
    total: int = world.hospital.get(f"/pathways/{pathway_id}/versions").json()["total"]
    return total


def test_both_levels_approve_after_a_voiding_edit(world: World, shared: tuple[int, str]) -> None:
    pathway_id, etag = shared
    url = f"/pathways/{pathway_id}"
    first = world.hospital.post(f"{url}/approvals", etag=etag)
    assert first.status_code == 201, first.text
    assert first.json()["missing_levels"] == ["municipality"]
    assert first.json()["version"] is None
    assert [a["level"] for a in world.hospital.get(url).json()["approvals"]] == ["hospital"]

    # The municipality edits: the hospital's approval of the old revision is void.
    edited = world.municipality.patch(
        f"{url}/steps/short-term-bed", json={"expected_duration": "P10D"}, etag=etag
    )
    assert edited.status_code == 200
    pathway = world.hospital.get(url).json()
    assert (pathway["approvals"], pathway["status"]) == ([], "draft")

    etag = edited.headers["ETag"]
    municipal = world.municipality.post(f"{url}/approvals", etag=etag)
    assert municipal.json()["missing_levels"] == ["hospital"]
    assert _versions(world, pathway_id) == 0
    hospital = world.hospital.post(f"{url}/approvals", etag=etag)
    assert hospital.status_code == 201
    version = hospital.json()["version"]
    assert (version["number"], version["revision"]) == (1, int(etag.strip('"')))
    assert {a["level"] for a in version["approvals"]} == {"hospital", "municipality"}
    assert hospital.headers["Location"] == f"{url}/versions/1"

    pathway = world.hospital.get(url).json()
    assert (pathway["status"], pathway["latest_version"]) == ("approved", 1)
    # Approvals are not authorship: the balance counts changes only.
    assert pathway["authorship"]["municipality"]["changes"] == 1

    history = [e["action"] for e in world.hospital.get(f"{url}/history").json()["items"]]
    assert history[-3:] == ["pathway.approve", "pathway.approve", "version.create"]


def test_versions_are_immutable_cacheable_and_public(world: World, shared: tuple[int, str]) -> None:
    pathway_id, etag = shared
    url = f"/pathways/{pathway_id}"
    world.hospital.post(f"{url}/approvals", etag=etag)
    world.municipality.post(f"{url}/approvals", etag=etag)
    first = world.hospital.get(f"{url}/versions/1")
    assert first.status_code == 200
    version_etag = first.headers["ETag"]
    assert version_etag.startswith('"v1-')
    assert "immutable" in first.headers["Cache-Control"]
    assert first.json()["document"]["steps"][0]["key"] == "home-before"

    cached = world.hospital.get(f"{url}/versions/1", headers={"If-None-Match": version_etag})
    assert (cached.status_code, cached.content) == (304, b"")
    assert cached.headers["ETag"] == version_etag
    # Before the version's representation named its policy, its ETag was "v1".
    older = world.hospital.get(f"{url}/versions/1", headers={"If-None-Match": '"v1"'})
    assert older.status_code == 200

    # Later edits leave version 1 byte for byte as it was.
    changed = world.municipality.patch(url, json={"title": "Hip fracture 2.0"}, etag=etag)
    assert changed.status_code == 200
    world.municipality.put(
        f"{url}/graph", json={"steps": [], "transitions": []}, etag=changed.headers["ETag"]
    )
    assert world.hospital.get(f"{url}/versions/1").content == first.content
    status = world.hospital.get(url).json()["status"]
    assert status == "changed since version 1"

    # Approved versions are public agreement documents; the draft is not.
    outsider = world.outsider
    assert outsider.get(f"{url}/versions/1").content == first.content
    assert outsider.get(f"{url}/versions").json()["total"] == 1
    assert outsider.get(f"{url}/gaps", params={"version": 1}).status_code == 200
    assert outsider.get(f"{url}/gaps").status_code == 404
    assert outsider.get(f"{url}/graph").status_code == 404
    assert outsider.get(f"{url}/diff", params={"from": 1}).status_code == 404
    assert outsider.get(f"{url}/versions/2").status_code == 404


def test_one_level_alone_never_creates_a_version(world: World, shared: tuple[int, str]) -> None:
    pathway_id, etag = shared
    url = f"/pathways/{pathway_id}"
    world.hospital.put(f"{url}/participants/{world.municipality_b.organization_id}", etag=etag)
    etag = _etag(world, pathway_id)
    assert world.municipality.post(f"{url}/approvals", etag=etag).status_code == 201
    again = world.municipality.post(f"{url}/approvals", etag=etag)
    assert again.status_code == 200
    assert len(again.json()["approvals"]) == 1
    both_municipal = world.municipality_b.post(f"{url}/approvals", etag=etag)
    assert both_municipal.json()["missing_levels"] == ["hospital"]
    assert _versions(world, pathway_id) == 0


def test_error_gaps_block_approval_with_the_findings(world: World, shared: tuple[int, str]) -> None:
    pathway_id, etag = shared
    url = f"/pathways/{pathway_id}"
    broken = world.hospital.patch(
        f"{url}/transitions/to-home-nursing", json={"handover": None}, etag=etag
    )
    etag = broken.headers["ETag"]
    for actor in (world.hospital, world.municipality):
        refused = actor.post(f"{url}/approvals", etag=etag)
        assert refused.status_code == 409, refused.text
        codes = {(f["code"], tuple(f["transitions"])) for f in refused.json()["findings"]}
        assert ("missing-handover", ("to-home-nursing",)) in codes
    assert world.hospital.get(url).json()["approvals"] == []
    assert _versions(world, pathway_id) == 0


def test_approval_needs_current_etag_and_edit_scope(world: World, shared: tuple[int, str]) -> None:
    pathway_id, etag = shared
    url = f"/pathways/{pathway_id}/approvals"
    assert world.hospital.post(url).status_code == 428
    assert world.hospital.post(url, etag='"1"').status_code == 412
    assert world.hospital_reader.post(url, etag=etag).status_code == 403
    assert world.outsider.post(url, etag=etag).status_code == 404
    assert world.hospital.get(f"/pathways/{pathway_id}").json()["approvals"] == []


def test_diff_from_a_version_to_the_draft(world: World, shared: tuple[int, str]) -> None:
    pathway_id, etag = shared
    url = f"/pathways/{pathway_id}"
    world.hospital.post(f"{url}/approvals", etag=etag)
    world.municipality.post(f"{url}/approvals", etag=etag)
    transition = world.hospital.get(f"{url}/transitions/to-home-nursing").json()
    handover: dict[str, Any] = transition["handover"]
    handover["messages"].append("LOG_TILBAKEMELDING")
    handover["checklist"][2]["due"] = "PT6H"
    handover["checklist"].pop(0)
    handover["checklist"].append(
        {
            "key": "reply",
            "text": "Municipality replies the same day",
            "side": "receiver",
            "required": True,
            "due": "PT0H",
        }
    )
    step = world.municipality.patch(
        f"{url}/steps/gp-follow-up", json={"responsible": "fastlege (GP)"}, etag=etag
    )
    patched = world.municipality.patch(
        f"{url}/transitions/to-home-nursing",
        json={"handover": handover},
        etag=step.headers["ETag"],
    )
    assert patched.status_code == 200, patched.text
    diff = world.hospital.get(f"{url}/diff", params={"from": 1}).json()
    pathway_id = int(url.rsplit("/", 1)[1])
    assert diff["from"] == {
        "pathway_id": pathway_id,
        "version": 1,
        "revision": int(etag.strip('"')),
    }
    assert diff["to"]["version"] is None
    assert diff["to"]["pathway_id"] == pathway_id
    changes = diff["changes"]
    assert changes["steps"]["changed"] == [
        {
            "key": "gp-follow-up",
            "fields": {"responsible": {"from": "fastlege", "to": "fastlege (GP)"}},
        }
    ]
    [changed] = changes["transitions"]["changed"]
    assert changed["key"] == "to-home-nursing"
    assert changed["handover"]["fields"]["messages"]["to"][-1] == "LOG_TILBAKEMELDING"
    checklist = changed["handover"]["checklist"]
    assert [i["key"] for i in checklist["added"]] == ["reply"]
    assert [i["key"] for i in checklist["removed"]] == ["ready-notice"]
    assert checklist["changed"] == [
        {"key": "first-visit", "fields": {"due": {"from": "PT12H", "to": "PT6H"}}}
    ]
    same = world.hospital.get(f"{url}/diff", params={"from": 1, "to": 1}).json()["changes"]
    assert same["steps"] == {"added": [], "removed": [], "changed": []}
    assert world.hospital.get(f"{url}/diff", params={"from": 2}).status_code == 404
    assert world.hospital.get(f"{url}/diff", params={"from": "x"}).status_code == 422


def test_gap_report_in_both_languages_and_with_rule_sets(
    world: World, shared: tuple[int, str]
) -> None:
    pathway_id, etag = shared
    url = f"/pathways/{pathway_id}"
    report = world.hospital.get(f"{url}/gaps").json()
    assert report["summary"]["error"] == 0
    assert report["rules"]["rule_sets"] == ["core"]
    assert report["deadlines"]["admission_notice"] == "PT24H"

    norway = world.municipality.patch(
        url,
        json={
            "rules": {"rule_sets": ["core", "norway"], "deadlines": {"admission_notice": "PT48H"}}
        },
        etag=etag,
    )
    assert norway.status_code == 200, norway.text
    english = world.hospital.get(f"{url}/gaps", headers={"Accept-Language": "en"})
    bokmal = world.hospital.get(f"{url}/gaps", headers={"Accept-Language": "nb-NO, en;q=0.5"})
    assert bokmal.headers["Content-Language"] == "nb"
    assert english.json()["deadlines"]["admission_notice"] == "PT48H"
    codes = [f["code"] for f in english.json()["findings"]]
    assert "no-municipal-reply" in codes
    assert [f["code"] for f in bokmal.json()["findings"]] == codes
    assert english.json()["findings"][0]["message"] != bokmal.json()["findings"][0]["message"]

    for bad in [
        {"rule_sets": ["core", "sweden"]},
        {"rule_sets": ["core"], "deadlines": {"admission_notice": "tomorrow"}},
        {"rule_sets": ["core"], "deadlines": {"coffee_break": "PT15M"}},
        {"rule_sets": ["core"], "extra": 1},
    ]:
        response = world.hospital.patch(url, json={"rules": bad}, etag=norway.headers["ETag"])
        assert response.status_code == 422, (bad, response.text)
    assert world.hospital.get(f"{url}/gaps", params={"version": "7"}).status_code == 404
    assert world.hospital.get(f"{url}/gaps", params={"version": "0"}).status_code == 422


def test_rules_travel_with_the_document(world: World, shared: tuple[int, str]) -> None:
    pathway_id, etag = shared
    url = f"/pathways/{pathway_id}"
    world.hospital.patch(
        url,
        json={"rules": {"rule_sets": ["core", "norway"], "deadlines": {"gp_follow_up": "P7D"}}},
        etag=etag,
    )
    document = world.hospital.get(f"{url}/document").content
    copy = world.municipality.post(
        "/pathways/import", content=document, headers={"Content-Type": "application/json"}
    ).json()
    assert copy["rules"] == {"rule_sets": ["core", "norway"], "deadlines": {"gp_follow_up": "P7D"}}
    assert world.municipality.get(f"/pathways/{copy['id']}/document").content == document
