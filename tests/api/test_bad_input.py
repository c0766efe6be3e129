"""Bad input gets a 4xx problem response and stores nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import World


@pytest.fixture
def imported(world: World, example_bytes: bytes) -> tuple[int, str]:
    response = world.hospital.post(
        "/pathways/import", content=example_bytes, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 201, response.text
    return response.json()["id"], response.headers["ETag"]


def _state(world: World, pathway_id: int) -> tuple[Any, ...]:
    return (
        world.hospital.get(f"/pathways/{pathway_id}").json(),
        world.hospital.get(f"/pathways/{pathway_id}/graph").json(),
        world.hospital.get(f"/pathways/{pathway_id}/history").json()["total"],
        world.hospital.get("/pathways").json()["total"],
    )


def _assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["title"]
    assert body["detail"]
    assert body["type"].startswith("urn:")
    return body


def _graph(world: World, pathway_id: int) -> dict[str, Any]:
    graph: dict[str, Any] = world.hospital.get(f"/pathways/{pathway_id}/graph").json()
    graph.pop("revision")
    return graph


BAD_GRAPH_CHANGES = {
    "unknown field": lambda g: g["steps"][0].update({"owner": "hospital"}),
    "dangling step key": lambda g: g["transitions"][0].update({"to": "nowhere"}),
    "duplicate step key": lambda g: g["steps"].append(dict(g["steps"][1])),
    "duplicate transition key": lambda g: g["transitions"].append(
        dict(g["transitions"][2], key=g["transitions"][0]["key"], to="home-after")
    ),
    "NUL byte in a name": lambda g: g["steps"][2].update({"name": "Akutt\u0000mottak"}),
    "wrong level": lambda g: g["steps"][2].update({"level": "county"}),
    "wrong kind": lambda g: g["steps"][2].update({"kind": "surgery"}),
    "bad duration": lambda g: g["steps"][2].update({"expected_duration": "four hours"}),
    "huge integer as a name": lambda g: g["steps"][2].update({"name": 10**40}),
    "huge integer as a flag": lambda g: (
        g["transitions"][1]["handover"]["checklist"][0].update({"required": 10**40})
        if g["transitions"][1]["handover"]
        else g["transitions"][1].update(
            {
                "handover": {
                    "checklist": [{"key": "k", "text": "t", "side": "sender", "required": 10**40}]
                }
            }
        )
    ),
    "self-loop": lambda g: g["transitions"][0].update({"to": g["transitions"][0]["from"]}),
    "string where a list belongs": lambda g: g.update({"steps": "all of them"}),
    "over-long name": lambda g: g["steps"][2].update({"name": "x" * 301}),
}


@pytest.mark.parametrize("case", sorted(BAD_GRAPH_CHANGES))
def test_bad_graph_is_refused_and_nothing_changes(
    world: World, imported: tuple[int, str], case: str
) -> None:
    pathway_id, etag = imported
    before = _state(world, pathway_id)
    graph = _graph(world, pathway_id)
    BAD_GRAPH_CHANGES[case](graph)
    response = world.hospital.put(f"/pathways/{pathway_id}/graph", json=graph, etag=etag)
    body = _assert_problem(response, 422)
    assert body["errors"], body
    assert all(error["loc"][0] == "body" for error in body["errors"])
    assert _state(world, pathway_id) == before


def test_error_points_at_the_offending_field(world: World, imported: tuple[int, str]) -> None:
    pathway_id, etag = imported
    graph = _graph(world, pathway_id)
    graph["transitions"][3]["to"] = "nowhere"
    body = world.hospital.put(f"/pathways/{pathway_id}/graph", json=graph, etag=etag).json()
    assert {
        "loc": ["body", "transitions", 3, "to"],
        "pointer": "#/transitions/3/to",
        "detail": "there is no step with key 'nowhere'",
    } in body["errors"]


def test_oversize_body_is_413_and_stores_nothing(
    world: World, imported: tuple[int, str], settings: Any
) -> None:
    pathway_id, etag = imported
    before = _state(world, pathway_id)
    huge = b'{"steps": [' + b'{"key": "a"},' * (settings.max_body_bytes // 12) + b"{}]}"
    response = world.hospital.put(
        f"/pathways/{pathway_id}/graph",
        content=huge,
        etag=etag,
        headers={"Content-Type": "application/json"},
    )
    _assert_problem(response, 413)

    def chunks() -> Any:
        for _ in range(settings.max_body_bytes // 65536 + 2):
            yield b" " * 65536

    streamed = world.hospital.put(
        f"/pathways/{pathway_id}/graph",
        content=chunks(),
        etag=etag,
        headers={"Content-Type": "application/json"},
    )
    _assert_problem(streamed, 413)
    assert _state(world, pathway_id) == before


def test_too_many_steps_is_refused(world: World, imported: tuple[int, str], settings: Any) -> None:
    pathway_id, etag = imported
    steps = [
        {"key": f"s{i}", "name": "S", "level": "hospital", "kind": "treatment"}
        for i in range(settings.max_steps + 1)
    ]
    response = world.hospital.put(
        f"/pathways/{pathway_id}/graph", json={"steps": steps, "transitions": []}, etag=etag
    )
    body = _assert_problem(response, 422)
    assert "more than" in body["detail"]


@pytest.mark.parametrize(
    "path",
    [
        "/pathways/99999999999999999999999999",
        "/pathways/0",
        "/pathways/-1",
        "/pathways/abc",
        "/organizations/4294967296",
    ],
)
def test_bad_ids_are_4xx(world: World, path: str) -> None:
    response = world.hospital.get(path)
    assert 400 <= response.status_code < 500
    assert response.headers["content-type"] == "application/problem+json"


def test_bad_json_and_wrong_types(world: World, imported: tuple[int, str]) -> None:
    pathway_id, etag = imported
    before = _state(world, pathway_id)
    for content in [b"{", b"[]", b'"text"', b"\xff\xfe", b"null", b"[" * 100_000]:
        response = world.hospital.patch(
            f"/pathways/{pathway_id}",
            content=content,
            etag=etag,
            headers={"Content-Type": "application/json"},
        )
        assert response.status_code in (400, 422), (content[:10], response.text)
        assert response.headers["content-type"] == "application/problem+json"
    assert _state(world, pathway_id) == before


@pytest.mark.parametrize(
    "body",
    [
        {"revision": 99},
        {"id": 5},
        {"participants": [1, 2]},
        {"title": None},
        {"title": "ok\u0000"},
        {"review_due": "next year"},
        {"title": 12},
    ],
)
def test_mass_assignment_and_bad_fields_on_patch(
    world: World, imported: tuple[int, str], body: dict[str, Any]
) -> None:
    pathway_id, etag = imported
    before = _state(world, pathway_id)
    response = world.hospital.patch(f"/pathways/{pathway_id}", json=body, etag=etag)
    _assert_problem(response, 422)
    assert _state(world, pathway_id) == before


def test_bad_import_documents_store_nothing(world: World, example_bytes: bytes) -> None:
    total = world.hospital.get("/pathways").json()["total"]
    document = json.loads(example_bytes)
    bad = [
        dict(document, format="bpmn"),
        dict(document, format_version=2),
        dict(document, extra=True),
        dict(document, steps=document["steps"][1:]),  # transitions dangle
    ]
    for data in bad:
        _assert_problem(world.hospital.post("/pathways/import", json=data), 422)
    assert world.hospital.get("/pathways").json()["total"] == total


def test_unknown_route_and_method_are_problems(world: World) -> None:
    _assert_problem(world.hospital.get("/nothing-here"), 404)
    _assert_problem(world.hospital.request("PUT", "/pathways"), 405)


def test_page_size_is_capped(world: World, settings: Any) -> None:
    _assert_problem(
        world.hospital.get("/pathways", params={"limit": settings.max_page_size + 1}), 422
    )
    _assert_problem(world.hospital.get("/pathways", params={"limit": 0}), 422)
    assert (
        world.hospital.get("/pathways", params={"limit": settings.max_page_size}).status_code == 200
    )
