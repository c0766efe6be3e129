"""Both care levels edit one pathway on equal terms; outsiders see and change nothing."""

from __future__ import annotations

from typing import Any

from tests.conftest import World

HOSPITAL_STEP = {
    "key": "ward",
    "name": "Orthogeriatric ward",
    "level": "hospital",
    "kind": "treatment",
    "responsible": "ward nurse",
    "expected_duration": "P4D",
    "description": "",
}
HOME = {"key": "home", "name": "At home", "level": "municipality", "kind": "home"}
HANDOVER: dict[str, Any] = {
    "sender_role": "ward nurse",
    "receiver_role": "home nursing",
    "messages": ["LOG_UTSKRIVNINGSKLAR", "EPIKRISE"],
    "deadline": "PT0H",
    "checklist": [
        {
            "key": "epikrise",
            "text": "Epikrise sent",
            "side": "sender",
            "required": True,
            "due": "PT0H",
        },
        {
            "key": "visit",
            "text": "First visit planned",
            "side": "receiver",
            "required": True,
            "due": "PT12H",
        },
    ],
}


def _create(world: World) -> tuple[int, str]:
    created = world.hospital.post("/pathways", json={"title": "Heart failure"})
    assert created.status_code == 201, created.text
    assert created.headers["Location"] == f"/pathways/{created.json()['id']}"
    return created.json()["id"], created.headers["ETag"]


def test_hospital_and_municipality_co_edit_and_history_shows_both(world: World) -> None:
    pathway_id, etag = _create(world)
    added = world.hospital.post(f"/pathways/{pathway_id}/steps", json=HOSPITAL_STEP, etag=etag)
    assert added.status_code == 201, added.text
    joined = world.hospital.put(
        f"/pathways/{pathway_id}/participants/{world.municipality.organization_id}",
        etag=added.headers["ETag"],
    )
    assert joined.status_code == 201, joined.text
    levels = {p["level"] for p in joined.json()["participants"]}
    assert levels == {"hospital", "municipality"}

    # The municipality changes the hospital's own step: there is no owner.
    etag = world.municipality.get(f"/pathways/{pathway_id}").headers["ETag"]
    changed = world.municipality.patch(
        f"/pathways/{pathway_id}/steps/ward",
        json={"responsible": "ward nurse and discharge coordinator"},
        etag=etag,
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["responsible"] == "ward nurse and discharge coordinator"

    # ... and adds a municipal step and a cross-level transition with a handover.
    home = world.municipality.post(
        f"/pathways/{pathway_id}/steps", json=HOME, etag=changed.headers["ETag"]
    )
    assert home.status_code == 201, home.text
    transition = world.municipality.post(
        f"/pathways/{pathway_id}/transitions",
        json={"key": "discharge", "from": "ward", "to": "home", "handover": HANDOVER},
        etag=home.headers["ETag"],
    )
    assert transition.status_code == 201, transition.text
    assert transition.json()["from"] == "ward"
    assert transition.json()["handover"]["checklist"][1]["side"] == "receiver"

    graph = world.hospital.get(f"/pathways/{pathway_id}/graph").json()
    assert [s["key"] for s in graph["steps"]] == ["ward", "home"]
    assert graph["transitions"][0]["handover"] == HANDOVER

    history = world.hospital.get(f"/pathways/{pathway_id}/history").json()
    entries = [(e["action"], e["organization"]["level"]) for e in history["items"]]
    assert entries == [
        ("pathway.create", "hospital"),
        ("step.add", "hospital"),
        ("participant.add", "hospital"),
        ("step.update", "municipality"),
        ("step.add", "municipality"),
        ("transition.add", "municipality"),
    ]
    update = history["items"][3]
    assert update["token_name"] == "municipality token"
    assert update["organization"]["name"] == "Testvik kommune"
    assert update["changes"]["fields"]["responsible"]["from"] == "ward nurse"
    assert [(e["revision_before"], e["revision_after"]) for e in history["items"]] == [
        (0, 1),
        (1, 2),
        (2, 3),
        (3, 4),
        (4, 5),
        (5, 6),
    ]

    pathway = world.municipality.get(f"/pathways/{pathway_id}").json()
    assert pathway["revision"] == 6
    # Three changes each; but of the draft's ten elements the hospital wrote the title
    # only: the municipality changed its step and wrote the rest (a step, a transition,
    # four handover fields and two checklist items).
    assert pathway["authorship"]["hospital"] == {
        "changes": 3,
        "share": 0.5,
        "elements": 1,
        "content_share": 0.1,
    }
    assert pathway["authorship"]["municipality"] == {
        "changes": 3,
        "share": 0.5,
        "elements": 9,
        "content_share": 0.9,
    }


def _snapshot(world: World, pathway_id: int) -> tuple[Any, Any, Any]:
    reader = world.hospital
    return (
        reader.get(f"/pathways/{pathway_id}").json(),
        reader.get(f"/pathways/{pathway_id}/graph").json(),
        reader.get(f"/pathways/{pathway_id}/history").json()["total"],
    )


def test_non_participant_gets_404_everywhere_and_changes_nothing(world: World) -> None:
    pathway_id, etag = _create(world)
    world.hospital.post(f"/pathways/{pathway_id}/steps", json=HOSPITAL_STEP, etag=etag)
    before = _snapshot(world, pathway_id)
    etag = world.hospital.get(f"/pathways/{pathway_id}").headers["ETag"]
    outsider = world.outsider
    base = f"/pathways/{pathway_id}"
    attempts = [
        outsider.get(base),
        outsider.get(f"{base}/graph"),
        outsider.get(f"{base}/history"),
        outsider.get(f"{base}/document"),
        outsider.get(f"{base}/steps/ward"),
        outsider.patch(base, json={"title": "Taken over"}, etag=etag),
        outsider.put(f"{base}/graph", json={"steps": [], "transitions": []}, etag=etag),
        outsider.post(f"{base}/steps", json=HOME, etag=etag),
        outsider.patch(f"{base}/steps/ward", json={"name": "x"}, etag=etag),
        outsider.delete(f"{base}/steps/ward", etag=etag),
        outsider.put(f"{base}/participants/{outsider.organization_id}", etag=etag),
        outsider.delete(f"{base}/participants/{world.hospital.organization_id}", etag=etag),
    ]
    for response in attempts:
        assert response.status_code == 404, (response.request.url, response.text)
        assert response.headers["content-type"] == "application/problem+json"
    listed = outsider.get("/pathways").json()
    assert listed["total"] == 0
    assert _snapshot(world, pathway_id) == before


def test_read_token_of_participant_reads_but_never_changes(world: World) -> None:
    pathway_id, etag = _create(world)
    reader = world.hospital_reader
    assert reader.get(f"/pathways/{pathway_id}/graph").status_code == 200
    before = _snapshot(world, pathway_id)
    for response in [
        reader.patch(f"/pathways/{pathway_id}", json={"title": "x"}, etag=etag),
        reader.post(f"/pathways/{pathway_id}/steps", json=HOME, etag=etag),
        reader.put(f"/pathways/{pathway_id}/graph", json={"steps": []}, etag=etag),
        reader.post("/pathways", json={"title": "Mine"}),
    ]:
        assert response.status_code == 403, response.text
        assert response.json()["status"] == 403
    assert _snapshot(world, pathway_id) == before


def test_any_participant_adds_any_other_but_each_leaves_by_itself(world: World) -> None:
    pathway_id, etag = _create(world)
    base = f"/pathways/{pathway_id}/participants"
    r = world.hospital.put(f"{base}/{world.municipality.organization_id}", etag=etag)
    # The municipality adds a second municipality: adding is any participant's right.
    r = world.municipality.put(
        f"{base}/{world.municipality_b.organization_id}", etag=r.headers["ETag"]
    )
    assert r.status_code == 201
    again = world.municipality.put(
        f"{base}/{world.municipality_b.organization_id}", etag=r.headers["ETag"]
    )
    assert again.status_code == 200
    assert again.headers["ETag"] == r.headers["ETag"]
    before = _snapshot(world, pathway_id)
    # Removing another is never a participant's right, of either level.
    for actor, other in [
        (world.municipality_b, world.municipality),
        (world.hospital, world.municipality_b),
        (world.municipality, world.municipality_b),
    ]:
        refused = actor.delete(f"{base}/{other.organization_id}", etag=r.headers["ETag"])
        assert refused.status_code == 403, refused.text
        assert "leaves a pathway or changes its role by itself" in refused.json()["detail"]
    assert _snapshot(world, pathway_id) == before
    assert world.municipality.get(f"/pathways/{pathway_id}").status_code == 200
    left = world.municipality_b.delete(
        f"{base}/{world.municipality_b.organization_id}", etag=r.headers["ETag"]
    )
    assert left.status_code == 204, left.text
    assert world.municipality_b.get(f"/pathways/{pathway_id}").status_code == 404
    history = world.hospital.get(f"/pathways/{pathway_id}/history").json()["items"]
    assert history[-1]["action"] == "participant.remove"
    assert history[-1]["organization"]["id"] == world.municipality_b.organization_id
    assert history[-1]["summary"].startswith("Left the pathway: Nabovik kommune")


def test_last_editor_of_a_level_cannot_leave(world: World) -> None:
    pathway_id, etag = _create(world)
    base = f"/pathways/{pathway_id}/participants"
    etag = world.hospital.put(f"{base}/{world.municipality.organization_id}", etag=etag).headers[
        "ETag"
    ]
    before = _snapshot(world, pathway_id)
    for actor in (world.hospital, world.municipality):
        response = actor.delete(f"{base}/{actor.organization_id}", etag=etag)
        assert response.status_code == 409, response.text
        assert "last editor of the" in response.json()["detail"]
    assert _snapshot(world, pathway_id) == before


def test_list_filters_by_participant_and_text(world: World) -> None:
    first, etag = _create(world)
    world.hospital.put(
        f"/pathways/{first}/participants/{world.municipality.organization_id}", etag=etag
    )
    world.hospital.post("/pathways", json={"title": "Stroke", "target_group": "Adults 18+"})
    listed = world.hospital.get("/pathways").json()
    assert listed["total"] == 2
    with_municipality = world.hospital.get(
        "/pathways", params={"participant": world.municipality.organization_id}
    ).json()
    assert [p["id"] for p in with_municipality["items"]] == [first]
    assert (
        world.hospital.get("/pathways", params={"q": "ADULTS"}).json()["items"][0]["title"]
        == "Stroke"
    )
    assert world.hospital.get("/pathways", params={"q": "%"}).json()["total"] == 0
    page = world.hospital.get("/pathways", params={"limit": 1, "offset": 1}).json()
    assert (page["total"], len(page["items"]), page["items"][0]["title"]) == (2, 1, "Stroke")
    assert world.municipality.get("/pathways").json()["total"] == 1
