"""Import and export of the native document over the API: lossless, byte-identical."""

from __future__ import annotations

from pathways.document import dump_document, parse_document
from tests.conftest import World


def test_example_imports_and_round_trips_byte_identically(
    world: World, example_bytes: bytes
) -> None:
    imported = world.municipality.post(
        "/pathways/import", content=example_bytes, headers={"Content-Type": "application/json"}
    )
    assert imported.status_code == 201, imported.text
    body = imported.json()
    assert (body["step_count"], body["transition_count"]) == (10, 10)
    assert [p["level"] for p in body["participants"]] == ["municipality"]

    exported = world.municipality.get(f"/pathways/{body['id']}/document")
    assert exported.status_code == 200
    assert exported.headers["ETag"] == imported.headers["ETag"]
    assert "attachment" in exported.headers["Content-Disposition"]
    assert exported.content == dump_document(parse_document(example_bytes))

    again = world.municipality.post(
        "/pathways/import", content=exported.content, headers={"Content-Type": "application/json"}
    )
    second = world.municipality.get(f"/pathways/{again.json()['id']}/document")
    assert second.content == exported.content
    first_graph = world.municipality.get(f"/pathways/{body['id']}/graph").json()
    second_graph = world.municipality.get(f"/pathways/{again.json()['id']}/graph").json()
    assert first_graph == second_graph


def test_graph_put_is_atomic_replace(world: World, example_bytes: bytes) -> None:
    imported = world.hospital.post(
        "/pathways/import", content=example_bytes, headers={"Content-Type": "application/json"}
    )
    pathway_id, etag = imported.json()["id"], imported.headers["ETag"]
    graph = world.hospital.get(f"/pathways/{pathway_id}/graph").json()
    graph.pop("revision")
    graph["steps"] = [s for s in graph["steps"] if s["key"] != "short-term-bed"]
    graph["transitions"] = [
        t for t in graph["transitions"] if "short-term-bed" not in (t["from"], t["to"])
    ]
    replaced = world.hospital.put(f"/pathways/{pathway_id}/graph", json=graph, etag=etag)
    assert replaced.status_code == 200, replaced.text
    assert len(replaced.json()["steps"]) == 9
    history = world.hospital.get(f"/pathways/{pathway_id}/history").json()["items"][-1]
    assert history["action"] == "graph.replace"
    assert history["changes"]["steps"]["removed"] == ["short-term-bed"]
    assert sorted(history["changes"]["transitions"]["removed"]) == ["rehab-done", "to-short-term"]


def test_step_in_use_cannot_be_deleted(world: World, example_bytes: bytes) -> None:
    imported = world.hospital.post(
        "/pathways/import", content=example_bytes, headers={"Content-Type": "application/json"}
    )
    pathway_id, etag = imported.json()["id"], imported.headers["ETag"]
    refused = world.hospital.delete(f"/pathways/{pathway_id}/steps/ward", etag=etag)
    assert refused.status_code == 409
    assert "'to-ward'" in refused.json()["detail"]
    assert world.hospital.get(f"/pathways/{pathway_id}/steps/ward").status_code == 200


def test_transition_patch_reroutes_and_removes_handover(world: World, example_bytes: bytes) -> None:
    imported = world.hospital.post(
        "/pathways/import", content=example_bytes, headers={"Content-Type": "application/json"}
    )
    pathway_id, etag = imported.json()["id"], imported.headers["ETag"]
    url = f"/pathways/{pathway_id}/transitions/to-home-nursing"
    patched = world.hospital.patch(url, json={"handover": None, "label": "Home"}, etag=etag)
    assert patched.status_code == 200, patched.text
    assert patched.json()["handover"] is None
    rerouted = world.hospital.patch(url, json={"to": "gp-follow-up"}, etag=patched.headers["ETag"])
    assert rerouted.json()["to"] == "gp-follow-up"
    dangling = world.hospital.patch(url, json={"from": "nowhere"}, etag=rerouted.headers["ETag"])
    assert dangling.status_code == 422
    assert world.hospital.get(url).json()["from"] == "ready"
