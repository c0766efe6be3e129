"""The spec tells the truth: what it calls required, bounded, an enum or nullable is what
the server enforces, and every status an operation can answer is documented."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from api.app import create_app
from api.deps import IF_MATCH_PATTERN
from api.schemas.common import PartialInput
from api.schemas.pathways import PathwayUpdate, StepUpdate, TransitionUpdate
from api.settings import Settings
from pathways.export import FORMATS
from pathways.text import KEY_PATTERN
from tests.conftest import World

_CHANGES = ("post", "put", "patch", "delete")
_NOT_DRAFT_CHANGES = {
    "/pathways",
    "/pathways/import",
    "/organizations",
    # They make a new pathway from an approved version: the one in the URL stays as it is.
    "/pathways/{pathway_id}/borrow",
    "/pathways/{pathway_id}/variants",
    # It records what happened to patients, against an approved version (immutable): the
    # draft and its revision stay as they are, so there is no ETag to send.
    "/pathways/{pathway_id}/conformance/events",
}


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    return create_app(Settings(database_url="sqlite://")).openapi()


def _operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, operations in spec["paths"].items()
        for method, operation in operations.items()
    ]


def _parameter(operation: dict[str, Any], name: str) -> dict[str, Any] | None:
    return next((p for p in operation.get("parameters", []) if p["name"] == name), None)


def test_if_match_is_required_on_every_change_of_a_pathway(spec: dict[str, Any]) -> None:
    changes = [
        (path, method, operation)
        for path, method, operation in _operations(spec)
        if method in _CHANGES
        and path.startswith("/pathways/{pathway_id}")
        and path not in _NOT_DRAFT_CHANGES
    ]
    assert len(changes) >= 10
    for path, method, operation in changes:
        if_match = _parameter(operation, "If-Match")
        assert if_match is not None, (method, path)
        assert if_match["required"] is True, (method, path)
        assert if_match["schema"]["type"] == "string", (method, path)
        assert {"412", "428"} <= set(operation["responses"]), (method, path)
    for path, method, operation in _operations(spec):
        if path in _NOT_DRAFT_CHANGES or method == "get":
            assert _parameter(operation, "If-Match") is None, (method, path)


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        *[("", False), ("   ", False), ("*", False), (" * ", False)],
        *[('"9"', True), ("**", True), ("1", True), ('W/"1"', True), ('"0", "2"', True)],
        ("* x", True),
    ],
)
def test_the_if_match_pattern_is_what_the_server_takes(
    world: World, value: str, valid: bool
) -> None:
    """Blank and ``*`` get 428 (outside the pattern); anything else is an entity tag the
    server compares (412 when it is not the current one)."""
    assert (re.search(IF_MATCH_PATTERN, value) is not None) is valid
    created = world.hospital.post("/pathways", json={"title": "COPD"})
    changed = world.hospital.patch(
        f"/pathways/{created.json()['id']}", json={"title": "New"}, etag=value
    )
    assert changed.status_code == (412 if valid else 428), changed.text


def test_if_match_left_out_still_gets_428(world: World) -> None:
    created = world.hospital.post("/pathways", json={"title": "COPD"})
    changed = world.hospital.patch(f"/pathways/{created.json()['id']}", json={"title": "New"})
    assert changed.status_code == 428
    assert changed.headers["content-type"] == "application/problem+json"


def test_the_page_size_limit_is_the_servers_cap(spec: dict[str, Any], world: World) -> None:
    cap = Settings().max_page_size
    for path, method, operation in _operations(spec):
        limit = _parameter(operation, "limit")
        if limit is not None:
            assert limit["schema"]["maximum"] == cap, (method, path)
    assert world.hospital.get(f"/pathways?limit={cap}").status_code == 200
    assert world.hospital.get(f"/pathways?limit={cap + 1}").status_code == 422


def test_export_formats_are_the_registry(spec: dict[str, Any]) -> None:
    export = spec["paths"]["/pathways/{pathway_id}/export"]["get"]
    assert _parameter(export, "format")["schema"]["enum"] == list(FORMATS)  # type: ignore[index]
    assert set(export["responses"]["200"]["content"]) == {f.media_type for f in FORMATS.values()}
    assert "application/fhir+json" in export["responses"]["200"]["content"]


def test_checklists_document_their_fhir_answers(spec: dict[str, Any]) -> None:
    for path in ("/pathways/{pathway_id}/handovers", "/pathways/{pathway_id}/handovers/{key}"):
        operation = spec["paths"][path.replace("{key}", "{transition_key}")]["get"]
        assert set(operation["responses"]["200"]["content"]) == {
            "application/json",
            "application/fhir+json",
        }
        assert _parameter(operation, "format")["schema"]["enum"] == ["json", "fhir"]  # type: ignore[index]


def _takes_null(schema: dict[str, Any]) -> bool:
    return schema.get("type") == "null" or any(_takes_null(s) for s in schema.get("anyOf", []))


@pytest.mark.parametrize("model", [PathwayUpdate, StepUpdate, TransitionUpdate])
def test_patch_bodies_take_null_exactly_where_the_server_does(
    spec: dict[str, Any], model: type[PartialInput]
) -> None:
    properties = spec["components"]["schemas"][model.__name__]["properties"]
    by_name = {field.alias or name: name for name, field in model.model_fields.items()}
    nullable = {by_name[key] for key, schema in properties.items() if _takes_null(schema)}
    assert nullable == model.NULLABLE
    for key, schema in properties.items():
        if by_name[key] not in model.NULLABLE:
            assert schema.get("default", "unset") is not None, key


def test_no_parameter_is_documented_as_null(spec: dict[str, Any]) -> None:
    for path, method, operation in _operations(spec):
        for parameter in operation.get("parameters", []):
            assert not _takes_null(parameter["schema"]), (method, path, parameter["name"])


def test_step_and_transition_keys_in_paths_are_keys(spec: dict[str, Any]) -> None:
    for path, method, operation in _operations(spec):
        for name in ("key", "transition_key"):
            parameter = _parameter(operation, name)
            if parameter is not None:
                assert parameter["schema"]["pattern"] == KEY_PATTERN, (method, path)


def test_every_status_an_operation_can_answer_is_documented(spec: dict[str, Any]) -> None:
    for path, method, operation in _operations(spec):
        responses = operation["responses"]
        assert "503" in responses, (method, path)  # the database gate
        if "requestBody" in operation:
            assert {"400", "413", "422"} <= set(responses), (method, path)
        if "304" in responses:
            assert _parameter(operation, "If-None-Match") is not None, (method, path)


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("OPTIONS", "/pathways", "GET, POST"),
        ("DELETE", "/pathways", "GET, POST"),
        ("PATCH", "/pathways/import", "POST"),
        ("GET", "/pathways/import", "POST"),
        ("DELETE", "/pathways/1", "GET, PATCH"),
        ("POST", "/pathways/1/steps/ward", "DELETE, GET, PATCH"),
        ("PUT", "/pathways/1/handovers", "GET"),
        ("OPTIONS", "/organizations", "GET, POST"),
    ],
)
def test_an_undeclared_method_gets_405_with_every_allowed_method(
    world: World, method: str, path: str, allow: str
) -> None:
    response = world.hospital.request(method, path)
    assert response.status_code == 405, response.text
    assert response.headers["Allow"] == allow
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 405


def test_allow_matches_the_spec_for_every_path(spec: dict[str, Any], world: World) -> None:
    for path, operations in spec["paths"].items():
        concrete = re.sub(r"{[^}]*}", "1", path)
        response = world.hospital.request("OPTIONS", concrete)
        assert response.status_code == 405, path
        assert response.headers["Allow"] == ", ".join(sorted(m.upper() for m in operations))


@pytest.mark.parametrize("since", ["0.5", "1700000000", "2026-05-01"])
def test_the_feed_takes_only_a_date_time_as_since(world: World, since: str) -> None:
    assert world.hospital.get(f"/handovers?since={since}").status_code == 422
    assert world.hospital.get("/handovers?since=2026-05-01T00:00:00Z").status_code == 200


def test_review_dates_are_dates_not_numbers(world: World) -> None:
    refused = world.hospital.post("/pathways", json={"title": "COPD", "review_due": 0})
    assert refused.status_code == 422, refused.text
    created = world.hospital.post("/pathways", json={"title": "COPD", "review_due": "2027-01-01"})
    assert created.status_code == 201
    changed = world.hospital.patch(
        f"/pathways/{created.json()['id']}", json={"review_due": 0}, etag=created.headers["ETag"]
    )
    assert changed.status_code == 422, changed.text


def test_an_imported_review_date_is_a_date_not_a_number(world: World, example_bytes: bytes) -> None:
    document = json.loads(example_bytes)
    document["pathway"]["review_due"] = 0
    refused = world.hospital.post("/pathways/import", json=document)
    assert refused.status_code == 422, refused.text
