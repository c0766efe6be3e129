"""Local variants through the API: two municipalities' variants of a shared pathway
(one with a KAD step, one without), a new shared version, one conflict, one move, and
each municipality's integration pulling its own variant's checklists."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.test_partnerships import Partnership, _approve, _partnership, _shared_pathway
from tests.conftest import Actor, World

KAD = {
    "key": "kad",
    "name": "Kommunal akutt døgnenhet (KAD)",
    "level": "municipality",
    "kind": "treatment",
    "responsible": "KAD-lege",
    "expected_duration": "P3D",
    "description": "",
}
KAD_TRANSITIONS = [
    {
        "key": "to-kad",
        "from": "emergency-assessment",
        "to": "kad",
        "label": "Kan behandles i kommunen",
        "handover": None,
    },
    {
        "key": "kad-to-ed",
        "from": "kad",
        "to": "ed",
        "label": "Forverring",
        "handover": {
            "sender_role": "KAD-lege",
            "receiver_role": "akuttmottak",
            "messages": ["HENVISNING"],
            "deadline": "PT1H",
            "checklist": [
                {
                    "key": "kad-notat",
                    "text": "Notat fra KAD sendt med pasienten",
                    "side": "sender",
                    "required": True,
                    "due": "PT0H",
                },
                {
                    "key": "mottatt",
                    "text": "Akuttmottaket har lest notatet",
                    "side": "receiver",
                    "required": True,
                    "due": "PT1H",
                },
            ],
        },
    },
    {"key": "kad-home", "from": "kad", "to": "home-after", "label": "Frisk nok", "handover": None},
]


def _graph(actor: Actor, pathway_id: int) -> tuple[dict[str, Any], str]:
    response = actor.get(f"/pathways/{pathway_id}/graph")
    assert response.status_code == 200, response.text
    return response.json(), response.headers["ETag"]


def _put_graph(actor: Actor, pathway_id: int, graph: dict[str, Any], etag: str) -> str:
    body = {"steps": graph["steps"], "transitions": graph["transitions"]}
    response = actor.put(f"/pathways/{pathway_id}/graph", json=body, etag=etag)
    assert response.status_code == 200, response.text
    return str(response.headers["ETag"])


def _rename(graph: dict[str, Any], key: str, **fields: Any) -> None:
    for step in graph["steps"]:
        if step["key"] == key:
            step.update(fields)


def _etag(actor: Actor, pathway_id: int) -> str:
    return str(actor.get(f"/pathways/{pathway_id}").headers["ETag"])


def _variant(actor: Actor, pathway_id: int, **body: Any) -> dict[str, Any]:
    created = actor.post(f"/pathways/{pathway_id}/variants", json=body)
    assert created.status_code == 201, created.text
    assert created.headers["Location"] == f"/pathways/{created.json()['id']}"
    found: dict[str, Any] = created.json()
    return found


def _approved_shared(world: World, example: bytes) -> tuple[Partnership, int, str]:
    partnership = _partnership(world, rules={"deadlines": {"gp_follow_up": "P14D"}})
    pathway_id, etag = _shared_pathway(world, partnership, example)
    _approve(world.hospital, pathway_id, etag)
    done = _approve(world.municipality, pathway_id, etag)
    assert done["version"]["number"] == 1
    return partnership, pathway_id, etag


@pytest.fixture
def shared(world: World, example_bytes: bytes) -> tuple[Partnership, int, str]:
    return _approved_shared(world, example_bytes)


def _feed(actor: Actor) -> list[dict[str, Any]]:
    response = actor.get("/handovers?limit=200")
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def test_two_variants_a_new_version_one_conflict_one_move_and_own_checklists(
    world: World, shared: tuple[Partnership, int, str]
) -> None:
    partnership, pathway_id, _ = shared
    north, south = world.municipality, world.municipality_b

    # Nordvik has acute municipal beds (KAD) and its own short-term unit.
    kad_variant = _variant(north, pathway_id)
    kad_id = kad_variant["id"]
    assert kad_variant["variant_of"] == {"pathway_id": pathway_id, "version": 1}
    assert kad_variant["partnership"]["id"] == partnership.id
    roles = {p["organization_id"]: p["role"] for p in kad_variant["participants"]}
    assert roles[north.organization_id] == "editor"
    assert roles[world.hospital.organization_id] == "editor"
    assert roles[partnership.users.organization_id] == "commenter"
    assert south.organization_id not in roles  # it applies to Nordvik only
    graph, etag = _graph(north, kad_id)
    graph["steps"].insert(2, KAD)
    graph["transitions"] += KAD_TRANSITIONS
    _rename(graph, "short-term-bed", name="Korttidsavdelingen på Nordvik sjukeheim")
    _put_graph(north, kad_id, graph, etag)

    # Sørvik has no KAD; it receives discharged patients through home nursing.
    plain = _variant(south, pathway_id, title="Hoftebrudd i Sørvik")
    plain_id = plain["id"]
    assert plain["title"] == "Hoftebrudd i Sørvik"
    graph, etag = _graph(south, plain_id)
    _rename(graph, "home-nursing-start", name="Første besøk fra hjemmetjenesten i Sørvik")
    _put_graph(south, plain_id, graph, etag)

    read = north.get(f"/pathways/{kad_id}/variant").json()
    assert read["pinned_version"] == read["latest_version"] == 1
    assert read["upstream"] is None
    assert read["difference_count"] == 5
    assert [step["key"] for step in read["differences"]["steps"]["added"]] == ["kad"]
    assert [c["key"] for c in read["differences"]["steps"]["changed"]] == ["short-term-bed"]
    assert [t["key"] for t in read["differences"]["transitions"]["added"]] == [
        "to-kad",
        "kad-to-ed",
        "kad-home",
    ]
    # The variant is a pathway: the gap check and the checklists read it resolved.
    gaps = north.get(f"/pathways/{kad_id}/gaps")
    assert gaps.status_code == 200, gaps.text

    # Both municipalities' integrations get the shared pathway's checklists until their
    # variant is approved.
    assert {item["pathway_id"] for item in _feed(north)} == {pathway_id}
    assert all(item["variant_of"] is None for item in _feed(north))
    etag = _etag(north, kad_id)
    _approve(world.hospital, kad_id, etag)
    approved = _approve(north, kad_id, etag)
    assert approved["version"]["number"] == 1
    items = _feed(north)
    assert {item["pathway_id"] for item in items} == {kad_id}
    assert {item["variant_of"] for item in items} == {pathway_id}
    assert "kad-to-ed" in {item["transition"] for item in items}
    assert {item["pathway_id"] for item in _feed(south)} == {pathway_id}
    # The hospital takes part in both and gets both, each saying which it is.
    hospital = {(item["pathway_id"], item["variant_of"]) for item in _feed(world.hospital)}
    assert hospital == {(pathway_id, None), (kad_id, pathway_id)}

    # Version 2 of the shared pathway changes the short-term bed, which Nordvik changed
    # too, and renames the GP follow-up.
    graph, etag = _graph(world.hospital, pathway_id)
    _rename(graph, "short-term-bed", expected_duration="P10D")
    _rename(graph, "gp-follow-up", name="Oppfølging hos fastlegen innen 14 dager")
    etag = _put_graph(world.hospital, pathway_id, graph, etag)
    described = world.hospital.patch(
        f"/pathways/{pathway_id}",
        json={"target_group": "Eldre over 65 år med hoftebrudd"},
        etag=etag,
    )
    assert described.status_code == 200, described.text
    etag = described.headers["ETag"]
    _approve(world.hospital, pathway_id, etag)
    assert _approve(south, pathway_id, etag)["version"]["number"] == 2

    north_read = north.get(f"/pathways/{kad_id}/variant", headers={"Accept-Language": "nb"})
    upstream = north_read.json()["upstream"]
    assert upstream["version"] == 2
    assert [c["key"] for c in upstream["changes"]["steps"]["changed"]] == [
        "short-term-bed",
        "gp-follow-up",
    ]
    assert upstream["conflicts"] == 1
    [conflict] = [o for o in upstream["outcomes"] if o["status"] == "conflict"]
    assert conflict == {
        "kind": "step",
        "key": "short-term-bed",
        "change": "changed",
        "status": "conflict",
        "conflict": "changed_on_both_sides",
        "name": "Korttidsavdelingen på Nordvik sjukeheim",
        "detail": "",
        "text": "Steget «Korttidsavdelingen på Nordvik sjukeheim» er endret både her og i den nye"
        " versjonen.",
    }
    south_read = south.get(f"/pathways/{plain_id}/variant").json()
    assert south_read["upstream"]["conflicts"] == 0

    # Moving Nordvik reports the conflict and moves nothing.
    etag = _etag(north, kad_id)
    refused = north.post(f"/pathways/{kad_id}/variant/rebase", etag=etag)
    assert refused.status_code == 409, refused.text
    assert refused.headers["Content-Type"].startswith("application/problem+json")
    assert [c["key"] for c in refused.json()["conflicts"]] == ["short-term-bed"]
    assert north.get(f"/pathways/{kad_id}").json()["variant_of"]["version"] == 1
    assert _etag(north, kad_id) == etag

    # Moving Sørvik succeeds: version 2's changes, and its own.
    etag = _etag(south, plain_id)
    moved = south.post(f"/pathways/{plain_id}/variant/rebase", etag=etag)
    assert moved.status_code == 200, moved.text
    assert moved.json()["pinned_version"] == 2
    assert moved.json()["upstream"] is None
    assert moved.json()["difference_count"] == 1
    assert moved.headers["ETag"] != etag
    graph, _ = _graph(south, plain_id)
    names = {step["key"]: step for step in graph["steps"]}
    assert names["gp-follow-up"]["name"] == "Oppfølging hos fastlegen innen 14 dager"
    assert names["short-term-bed"]["expected_duration"] == "P10D"
    assert names["home-nursing-start"]["name"] == "Første besøk fra hjemmetjenesten i Sørvik"
    # The description moved too where Sørvik kept the pin's; its own title stays.
    moved_row = south.get(f"/pathways/{plain_id}").json()
    assert moved_row["target_group"] == "Eldre over 65 år med hoftebrudd"
    assert moved_row["title"] == "Hoftebrudd i Sørvik"
    history = south.get(f"/pathways/{plain_id}/history?limit=200").json()["items"]
    assert [entry["action"] for entry in history][:1] == ["variant.create"]
    assert history[-1]["action"] == "variant.rebase"
    assert history[-1]["changes"]["variant_of_version"] == {"from": 1, "to": 2}
    # The shared pathway never changed because of a variant.
    assert world.hospital.get(f"/pathways/{pathway_id}").json()["latest_version"] == 2
    listed = world.hospital.get(f"/pathways/{pathway_id}/variants").json()
    assert [variant["id"] for variant in listed] == [kad_id, plain_id]

    # The two municipalities' variants side by side, for the hospital that takes part
    # in both: Sørvik's draft has no KAD and version 2's changes.
    side_by_side = world.hospital.get(
        f"/pathways/{kad_id}/diff", params={"from": "draft", "against": plain_id}
    )
    assert side_by_side.status_code == 200, side_by_side.text
    compared = side_by_side.json()
    assert compared["from"]["pathway_id"] == kad_id
    assert compared["to"]["pathway_id"] == plain_id
    assert [s["key"] for s in compared["changes"]["steps"]["removed"]] == ["kad"]
    changed = {c["key"] for c in compared["changes"]["steps"]["changed"]}
    assert {"short-term-bed", "gp-follow-up", "home-nursing-start"} <= changed
    # Nordvik does not take part in Sørvik's draft: it compares with its approved
    # versions only (it has none yet), never the draft.
    hidden = north.get(f"/pathways/{kad_id}/diff", params={"from": "draft", "against": plain_id})
    assert hidden.status_code == 404, hidden.text
    with_shared = north.get(
        f"/pathways/{kad_id}/diff", params={"from": "1", "against": pathway_id, "to": "2"}
    )
    assert with_shared.status_code == 200, with_shared.text
    # The same, as a picture: Sørvik's draft with Nordvik's KAD step put back, marked.
    picture = world.hospital.get(
        f"/pathways/{kad_id}/diff/picture",
        params={"from": "draft", "against": plain_id},
        headers={"Accept-Language": "nb"},
    )
    assert picture.status_code == 200, picture.text
    assert picture.headers["Content-Type"].startswith("image/svg+xml")
    svg = picture.text
    assert 'id="step-kad" class="step level-municipality kind-treatment change-removed"' in svg
    assert "change-changed" in svg
    assert f"Fra utkastet til forløp {kad_id} til utkastet til forløp {plain_id}" in svg
    assert ">Fjernet<" in svg
    assert (
        north.get(
            f"/pathways/{kad_id}/diff/picture", params={"from": "draft", "against": plain_id}
        ).status_code
        == 404
    )


def test_a_variant_cannot_widen_a_deadline_the_partnership_sets(
    world: World, shared: tuple[Partnership, int, str]
) -> None:
    _, pathway_id, _ = shared
    variant = _variant(world.municipality, pathway_id)
    refused = world.municipality.patch(
        f"/pathways/{variant['id']}",
        json={"rules": {"rule_sets": ["core"], "deadlines": {"gp_follow_up": "P30D"}}},
        etag=variant["etag"],
    )
    assert refused.status_code == 422, refused.text
    assert "gp_follow_up" in refused.text
    shorter = world.municipality.patch(
        f"/pathways/{variant['id']}",
        json={"rules": {"rule_sets": ["core"], "deadlines": {"gp_follow_up": "P7D"}}},
        etag=variant["etag"],
    )
    assert shorter.status_code == 200, shorter.text
    read = world.municipality.get(f"/pathways/{variant['id']}/variant").json()
    assert read["differences"]["rules"] != {}


def test_what_a_variant_may_not_be(world: World, shared: tuple[Partnership, int, str]) -> None:
    partnership, pathway_id, _ = shared
    variant = _variant(world.municipality, pathway_id)
    # A variant of a variant: make it of the shared pathway.
    again = world.municipality.post(f"/pathways/{variant['id']}/variants", json={})
    assert again.status_code == 422, again.text
    # For a municipality that is not the caller's: each makes its own.
    other = world.municipality.post(
        f"/pathways/{pathway_id}/variants",
        json={"organizations": [world.municipality_b.organization_id]},
    )
    assert other.status_code == 403, other.text
    # For the hospital, or the user committee: a variant applies to municipalities.
    for organization in (world.hospital, partnership.users):
        refused = world.municipality.post(
            f"/pathways/{pathway_id}/variants",
            json={
                "organizations": [world.municipality.organization_id, organization.organization_id]
            },
        )
        assert refused.status_code == 422, refused.text
    # By a commenter, or an organisation that takes no part.
    commenter = partnership.users.post(f"/pathways/{pathway_id}/variants", json={})
    assert commenter.status_code == 403, commenter.text
    # Pinned to a version that does not exist; unknown fields.
    missing = world.municipality_b.post(f"/pathways/{pathway_id}/variants", json={"version": 9})
    assert missing.status_code == 404, missing.text
    # A municipality lives by one variant of a pathway at a time.
    second = world.municipality.post(f"/pathways/{pathway_id}/variants", json={})
    assert second.status_code == 409, second.text
    unknown = world.municipality.post(f"/pathways/{pathway_id}/variants", json={"colour": "red"})
    assert unknown.status_code == 422, unknown.text
    # A pathway that is not a variant has no variant view; a move needs a newer version.
    assert world.hospital.get(f"/pathways/{pathway_id}/variant").status_code == 404
    stay = world.municipality.post(
        f"/pathways/{variant['id']}/variant/rebase", etag=variant["etag"]
    )
    assert stay.status_code == 409, stay.text
    stale = world.municipality.post(f"/pathways/{variant['id']}/variant/rebase", etag='"0"')
    assert stale.status_code == 412, stale.text


def test_no_variant_of_a_pathway_never_approved(world: World, example_bytes: bytes) -> None:
    partnership = _partnership(world)
    pathway_id, _ = _shared_pathway(world, partnership, example_bytes)
    refused = world.municipality.post(f"/pathways/{pathway_id}/variants", json={})
    assert refused.status_code == 409, refused.text


def test_a_borrowed_pathway_names_its_origin(
    world: World, shared: tuple[Partnership, int, str], example_bytes: bytes
) -> None:
    """A municipality of another partnership borrows the approved pathway: a draft of
    its own, in its own partnership, that names where it came from in its history and
    its exports. The origin does not change."""
    partnership, pathway_id, _ = shared
    other = _partnership(world, name="Helsefellesskapet Vestvik", extra_municipalities=0)
    borrower = world.municipality_b
    response = borrower.post(
        f"/pathways/{pathway_id}/borrow",
        json={"version": 1, "partnership_id": other.id, "title": "Hoftebrudd i Vestvik"},
    )
    assert response.status_code == 201, response.text
    borrowed = response.json()
    assert borrowed["title"] == "Hoftebrudd i Vestvik"
    assert borrowed["partnership"]["id"] == other.id
    assert borrowed["origin"] == {
        "pathway_id": pathway_id,
        "version": 1,
        "title": "Hip fracture, older adults — home to home",
        "partnership_id": partnership.id,
        "partnership": "Helsefellesskapet Test",
    }
    assert [p["organization_id"] for p in borrowed["participants"]] == [borrower.organization_id]
    assert borrowed["step_count"] == 10
    history = borrower.get(f"/pathways/{borrowed['id']}/history").json()["items"]
    assert history[0]["action"] == "pathway.borrow"
    assert history[0]["changes"]["origin"] == borrowed["origin"]
    assert f"pathway {pathway_id}" in history[0]["summary"]

    html = borrower.get(
        f"/pathways/{borrowed['id']}/export?format=html&version=draft",
        headers={"Accept-Language": "nb"},
    )
    assert html.status_code == 200, html.text
    assert "Lånt fra" in html.text
    origin = "«Hip fracture, older adults — home to home», versjon 1, Helsefellesskapet Test"
    assert f"{origin} (forløp {pathway_id})" in html.text
    fhir = borrower.get(f"/pathways/{borrowed['id']}/export?format=fhir&version=draft").json()
    plan = next(
        entry["resource"]
        for entry in fhir["entry"]
        if entry["resource"]["resourceType"] == "PlanDefinition"
    )
    [derived] = [a for a in plan["relatedArtifact"] if a["type"] == "derived-from"]
    assert derived["resource"].endswith(f"/PlanDefinition/pathway-{pathway_id}|1")
    pdf = borrower.get(f"/pathways/{borrowed['id']}/export?format=pdf&version=draft")
    assert pdf.status_code == 200

    # Only approved versions are borrowed: a draft stays the participants'.
    draft_only = world.hospital.post("/pathways", json={"title": "Utkast"}).json()["id"]
    assert borrower.post(f"/pathways/{draft_only}/borrow", json={}).status_code == 404
    assert borrower.post(f"/pathways/{pathway_id}/borrow", json={"version": 5}).status_code == 404
    # A partnership the borrower is not a member of.
    outside = borrower.post(
        f"/pathways/{pathway_id}/borrow", json={"partnership_id": partnership.id + 99}
    )
    assert outside.status_code == 422, outside.text


def test_each_municipality_adopts_a_variant_for_itself(
    world: World, shared: tuple[Partnership, int, str]
) -> None:
    """A variant for a group of municipalities, approved by one of them and the
    hospital: only the one that approved it gets its checklists; the other keeps the
    shared pathway's until it approves the variant too. Being added to a variant
    switches nothing, and a municipality is an editor of one variant of a pathway."""
    partnership, pathway_id, _ = shared
    north, south = world.municipality, world.municipality_b
    third = partnership.municipalities[2]
    group = _variant(
        north, pathway_id, organizations=[north.organization_id, south.organization_id]
    )
    variant_id = group["id"]
    etag = group["etag"]
    _approve(world.hospital, variant_id, etag)
    assert _approve(north, variant_id, etag)["version"]["number"] == 1
    assert {item["pathway_id"] for item in _feed(north)} == {variant_id}
    # Sørvik takes part but has not adopted it: the shared pathway's, not the variant's.
    assert {item["pathway_id"] for item in _feed(south)} == {pathway_id}
    _approve(south, variant_id, etag)
    assert {item["pathway_id"] for item in _feed(south)} == {variant_id}
    # A third municipality added to the approved variant: still the shared pathway's.
    etag = _etag(north, variant_id)
    added = north.put(f"/pathways/{variant_id}/participants/{third.organization_id}", etag=etag)
    assert added.status_code == 201, added.text
    assert {item["pathway_id"] for item in _feed(third)} == {pathway_id}
    # It cannot then make a variant of its own.
    own = third.post(f"/pathways/{pathway_id}/variants", json={})
    assert own.status_code == 409, own.text
    # The secretariat lists the partnership's variants.
    listed = partnership.secretariat.get(f"/pathways/{pathway_id}/variants")
    assert [variant["id"] for variant in listed.json()] == [variant_id]
