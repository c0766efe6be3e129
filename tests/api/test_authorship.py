"""Authorship by content: each element of the draft is credited to its last writer.

Next to the event counts (``changes``, ``share``), the pathway shows how many elements
of its draft each organisation and each level wrote last (``elements``,
``content_share``): steps, transitions, handover fields, checklist items and the
description fields that hold a value.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

from tests.conftest import Actor, World

STEPS = 26


def _document(steps: int = STEPS) -> dict[str, Any]:
    """A chain of ``steps`` steps: home, hospital steps, home again; one handover each
    way across the levels."""
    keys = [f"s{i:02d}" for i in range(steps)]
    levels = ["municipality", *(["hospital"] * (steps - 2)), "municipality"]
    kinds = ["home", *(["treatment"] * (steps - 2)), "home"]
    handover = {
        "sender_role": "ward nurse",
        "receiver_role": "home nursing",
        "messages": ["LOG_UTSKRIVNINGSKLAR"],
        "deadline": "PT0H",
        "checklist": [
            {"key": "med-list", "text": "Medication list sent", "side": "sender"},
            {"key": "visit", "text": "First visit planned", "side": "receiver"},
        ],
    }
    transitions = [
        {
            "key": f"t{i:02d}",
            "from": keys[i],
            "to": keys[i + 1],
            "handover": handover if levels[i] != levels[i + 1] else None,
        }
        for i in range(steps - 1)
    ]
    return {
        "format": "hjem-til-hjem/pathway",
        "format_version": 1,
        "pathway": {"title": "Imported by the municipality", "target_group": "Adults"},
        "steps": [
            {"key": key, "name": f"Step {key}", "level": level, "kind": kind}
            for key, level, kind in zip(keys, levels, kinds, strict=True)
        ],
        "transitions": transitions,
    }


def _import(actor: Actor, document: dict[str, Any]) -> tuple[int, str]:
    imported = actor.post("/pathways/import", json=document)
    assert imported.status_code == 201, imported.text
    return imported.json()["id"], imported.headers["ETag"]


def _elements_of(document: dict[str, Any]) -> int:
    """Elements of the document: description fields with a value, steps, and per
    transition itself, its non-empty handover fields and checklist items."""
    count = sum(1 for value in document["pathway"].values() if value)
    count += len(document["steps"])
    for transition in document["transitions"]:
        count += 1
        handover = transition.get("handover")
        if handover:
            count += sum(
                1
                for name in ("sender_role", "receiver_role", "messages", "deadline")
                if handover.get(name)
            )
            count += len(handover.get("checklist", []))
    return count


def _authorship(actor: Actor, pathway_id: int) -> dict[str, Any]:
    response = actor.get(f"/pathways/{pathway_id}")
    assert response.status_code == 200, response.text
    authorship: dict[str, Any] = response.json()["authorship"]
    return authorship


def _by_org(authorship: dict[str, Any]) -> dict[int, int]:
    return {o["organization_id"]: o["elements"] for o in authorship["organizations"]}


def _join(actor: Actor, pathway_id: int, organization_id: int, etag: str) -> str:
    joined = actor.put(f"/pathways/{pathway_id}/participants/{organization_id}", etag=etag)
    assert joined.status_code == 201, joined.text
    return joined.headers["ETag"]


def test_a_large_import_outweighs_a_few_small_edits(world: World) -> None:
    """The municipality imports 26 steps; the hospital then fixes three step names. By
    events the hospital leads (3 to 2); by content the municipality wrote all but 3."""
    document = _document()
    pathway_id, etag = _import(world.municipality, document)
    etag = _join(world.municipality, pathway_id, world.hospital.organization_id, etag)
    for key in ("s01", "s02", "s03"):
        changed = world.hospital.patch(
            f"/pathways/{pathway_id}/steps/{key}", json={"name": f"Step {key}."}, etag=etag
        )
        assert changed.status_code == 200, changed.text
        etag = changed.headers["ETag"]

    authorship = _authorship(world.hospital, pathway_id)
    total = _elements_of(document)
    assert total == 26 + 25 + 2 * 6 + 2
    hospital, municipality = authorship["hospital"], authorship["municipality"]
    # The event counts, as before: the hospital made more changes.
    assert (hospital["changes"], municipality["changes"]) == (3, 2)
    assert hospital["share"] == 0.6
    # By content, the municipality's voice is what the draft holds.
    assert (hospital["elements"], municipality["elements"]) == (3, total - 3)
    assert hospital["content_share"] == round(3 / total, 4)
    assert municipality["content_share"] == round((total - 3) / total, 4)
    assert municipality["content_share"] > hospital["content_share"]
    assert authorship["organizations"] == [
        {
            "organization_id": world.municipality.organization_id,
            "name": "Testvik kommune",
            "level": "municipality",
            "elements": total - 3,
            "content_share": round((total - 3) / total, 4),
        },
        {
            "organization_id": world.hospital.organization_id,
            "name": "Helse Test HF",
            "level": "hospital",
            "elements": 3,
            "content_share": round(3 / total, 4),
        },
    ]


def _content(authorship: dict[str, Any]) -> Any:
    return (
        {
            level: (authorship[level]["elements"], authorship[level]["content_share"])
            for level in ("hospital", "municipality")
        },
        authorship["organizations"],
    )


def test_adding_participants_writes_no_content(world: World) -> None:
    pathway_id, etag = _import(world.hospital, _document(6))
    etag = _join(world.hospital, pathway_id, world.municipality.organization_id, etag)
    changed = world.municipality.patch(
        f"/pathways/{pathway_id}/steps/s05", json={"responsible": "home nursing"}, etag=etag
    )
    etag = changed.headers["ETag"]
    before = _authorship(world.hospital, pathway_id)
    assert before["municipality"]["elements"] == 1

    for number in range(20):
        created = world.operator.post(
            "/organizations", json={"name": f"Kommune {number}", "level": "municipality"}
        )
        assert created.status_code == 201, created.text
        etag = _join(world.hospital, pathway_id, created.json()["id"], etag)

    after = _authorship(world.hospital, pathway_id)
    assert after["hospital"]["changes"] == before["hospital"]["changes"] + 20
    assert after["hospital"]["share"] > before["hospital"]["share"]
    assert _content(after) == _content(before)


def test_a_patch_with_unchanged_values_changes_no_writer(world: World) -> None:
    document = _document(4)
    pathway_id, etag = _import(world.hospital, document)
    etag = _join(world.hospital, pathway_id, world.municipality.organization_id, etag)
    base = f"/pathways/{pathway_id}"
    handover = document["transitions"][2]["handover"]
    unchanged = [
        (base, {"title": document["pathway"]["title"]}),
        (base, {"title": document["pathway"]["title"], "description": ""}),
        (f"{base}/steps/s01", {"name": "Step s01", "level": "hospital"}),
        (f"{base}/transitions/t02", {"handover": handover, "label": ""}),
    ]
    for url, body in unchanged:
        response = world.municipality.patch(url, json=body, etag=etag)
        assert response.status_code == 200, response.text
        assert response.headers["ETag"] == etag
    assert _by_org(_authorship(world.hospital, pathway_id)) == {
        world.hospital.organization_id: _elements_of(document)
    }

    # The same whole handover with one checklist item changed: only that item moves;
    # a PATCH of the pathway with one new field besides an unchanged one: only it.
    item = {**handover["checklist"][1], "text": "First visit within 12 hours"}
    changed = world.municipality.patch(
        f"{base}/transitions/t02",
        json={"handover": {**handover, "checklist": [handover["checklist"][0], item]}},
        etag=etag,
    )
    assert changed.status_code == 200, changed.text
    renamed = world.municipality.patch(
        base,
        json={"title": document["pathway"]["title"], "agreement_ref": "Delavtale 2"},
        etag=changed.headers["ETag"],
    )
    assert renamed.status_code == 200, renamed.text
    assert _by_org(_authorship(world.hospital, pathway_id)) == {
        world.hospital.organization_id: _elements_of(document) - 1,
        world.municipality.organization_id: 2,
    }


def test_a_whole_graph_put_keeps_the_writers_of_unchanged_elements(world: World) -> None:
    document = _document(6)
    pathway_id, etag = _import(world.hospital, document)
    etag = _join(world.hospital, pathway_id, world.municipality.organization_id, etag)
    graph = world.municipality.get(f"/pathways/{pathway_id}/graph").json()
    # Reordered, one step renamed, one deadline changed, one step and transition added.
    steps = list(reversed(graph["steps"]))
    steps[0] = {**steps[0], "name": "Home again, with follow-up"}
    transitions = graph["transitions"]
    crossing = next(t for t in transitions if t["handover"])
    crossing["handover"]["deadline"] = "PT2H"
    steps.append({"key": "gp", "name": "GP", "level": "municipality", "kind": "follow_up"})
    transitions.append({"key": "to-gp", "from": steps[0]["key"], "to": "gp"})
    replaced = world.municipality.put(
        f"/pathways/{pathway_id}/graph",
        json={"steps": steps, "transitions": transitions},
        etag=etag,
    )
    assert replaced.status_code == 200, replaced.text
    authorship = _authorship(world.hospital, pathway_id)
    assert _by_org(authorship) == {
        world.hospital.organization_id: _elements_of(document) - 2,
        world.municipality.organization_id: 4,
    }

    # The same graph again: nothing changes hands, even though it is a new revision.
    again = world.hospital.put(
        f"/pathways/{pathway_id}/graph",
        json={"steps": steps, "transitions": transitions},
        etag=replaced.headers["ETag"],
    )
    assert again.status_code == 200, again.text
    assert _by_org(_authorship(world.hospital, pathway_id)) == _by_org(authorship)


def test_description_fields_and_rules_are_elements_and_empty_ones_are_not(world: World) -> None:
    created = world.hospital.post("/pathways", json={"title": "Stroke"})
    pathway_id, etag = created.json()["id"], created.headers["ETag"]
    assert _authorship(world.hospital, pathway_id)["hospital"] == {
        "changes": 1,
        "share": 1.0,
        "elements": 1,
        "content_share": 1.0,
    }
    etag = _join(world.hospital, pathway_id, world.municipality.organization_id, etag)
    changed = world.municipality.patch(
        f"/pathways/{pathway_id}",
        json={"rules": {"rule_sets": ["core", "norway"]}, "review_due": "2027-12-31"},
        etag=etag,
    )
    assert changed.status_code == 200, changed.text
    assert _by_org(changed.json()["authorship"]) == {
        world.hospital.organization_id: 1,
        world.municipality.organization_id: 2,
    }
    # Emptying a field removes its element: nobody wrote what is not there.
    cleared = world.hospital.patch(
        f"/pathways/{pathway_id}", json={"review_due": None}, etag=changed.headers["ETag"]
    )
    assert _by_org(cleared.json()["authorship"]) == {
        world.hospital.organization_id: 1,
        world.municipality.organization_id: 1,
    }


def test_removing_a_step_removes_its_element_and_a_writer_stays_after_leaving(
    world: World,
) -> None:
    pathway_id, etag = _import(world.hospital, _document(4))
    etag = _join(world.hospital, pathway_id, world.municipality.organization_id, etag)
    etag = _join(world.hospital, pathway_id, world.municipality_b.organization_id, etag)
    added = world.municipality_b.post(
        f"/pathways/{pathway_id}/steps",
        json={"key": "gp", "name": "GP", "level": "municipality", "kind": "follow_up"},
        etag=etag,
    )
    etag = added.headers["ETag"]
    left = world.municipality_b.delete(
        f"/pathways/{pathway_id}/participants/{world.municipality_b.organization_id}",
        etag=etag,
    )
    assert left.status_code == 204, left.text
    etag = world.hospital.get(f"/pathways/{pathway_id}").headers["ETag"]
    assert (
        _by_org(_authorship(world.hospital, pathway_id))[world.municipality_b.organization_id] == 1
    )
    deleted = world.hospital.delete(f"/pathways/{pathway_id}/steps/gp", etag=etag)
    assert deleted.status_code == 204, deleted.text
    assert world.municipality_b.organization_id not in _by_org(
        _authorship(world.hospital, pathway_id)
    )


@contextmanager
def _statements() -> Iterator[list[str]]:
    seen: list[str] = []

    def count(*args: Any) -> None:
        seen.append(args[2])

    event.listen(Engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", count)


def test_a_list_page_counts_authorship_in_one_query(world: World) -> None:
    """The number of statements for a page does not grow with the pathways on it."""
    for _ in range(2):
        _import(world.hospital, _document(4))
    with _statements() as few:
        assert world.hospital.get("/pathways").json()["total"] == 2
    for _ in range(4):
        _import(world.hospital, _document(4))
    with _statements() as more:
        listed = world.hospital.get("/pathways").json()
    assert listed["total"] == 6
    assert all(item["authorship"]["hospital"]["elements"] > 0 for item in listed["items"])
    assert len(more) == len(few)
    assert sum("written_by" in sql for sql in more) == 1
