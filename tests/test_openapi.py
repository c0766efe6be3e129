"""The committed OpenAPI spec is the app's, and it documents problems truthfully."""

from __future__ import annotations

import json

from api.app import create_app
from api.openapi import SPEC_PATH, render_spec
from api.settings import Settings

REGENERATE = "python -m api.openapi"


def _spec_text() -> str:
    return render_spec(create_app(Settings(database_url="sqlite://")))


def test_committed_spec_matches_the_app() -> None:
    committed = SPEC_PATH.read_text(encoding="utf-8") if SPEC_PATH.exists() else ""
    assert committed == _spec_text(), (
        f"openapi/openapi.json is out of date: run `{REGENERATE}` and commit the result"
    )


def test_every_error_response_is_problem_json() -> None:
    spec = json.loads(_spec_text())
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            for code, response in responses.items():
                if code[0] in "45":
                    assert list(response["content"]) == ["application/problem+json"], (
                        method,
                        path,
                        code,
                    )
            params = {p["name"] for p in operation.get("parameters", [])}
            if "If-Match" in params:
                assert {"412", "428"} <= set(responses), (method, path)
            if path != "/health":
                assert "401" in responses, (method, path)
