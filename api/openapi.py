"""The OpenAPI spec: generated from the app, committed as ``openapi/openapi.json``.

Regenerate with ``python -m api.openapi``; a test fails when the committed file drifts.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

__all__ = ["SPEC_PATH", "build_spec", "install_openapi", "render_spec"]

SPEC_PATH = Path(__file__).resolve().parent.parent / "openapi" / "openapi.json"
_PROBLEM = "application/problem+json"


def build_spec(app: FastAPI) -> dict[str, Any]:
    """The spec, with every 4xx/5xx answer served as ``application/problem+json``."""
    spec = get_openapi(
        title=app.title,
        version=app.version,
        description=app.description,
        routes=app.routes,
        tags=app.openapi_tags,
    )
    problem_ref = {"$ref": "#/components/schemas/Problem"}
    for path in spec.get("paths", {}).values():
        for operation in path.values():
            if "requestBody" in operation and "400" not in operation["responses"]:
                # The framework answers 400 to a body it cannot read at all (not UTF-8).
                operation["responses"]["400"] = {
                    "description": "The body could not be read",
                    "content": {_PROBLEM: {"schema": problem_ref}},
                }
            for code, response in operation.get("responses", {}).items():
                content = response.get("content")
                if code[0] in "45" and content:
                    schema = next(iter(content.values())).get("schema", {})
                    response["content"] = {_PROBLEM: {"schema": schema}}
    schemas = spec.get("components", {}).get("schemas", {})
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    return spec


def install_openapi(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = build_spec(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def render_spec(app: FastAPI) -> str:
    return json.dumps(app.openapi(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main() -> None:
    from api.app import create_app
    from api.settings import Settings

    text = render_spec(create_app(Settings(database_url="sqlite://")))
    SPEC_PATH.parent.mkdir(parents=True, exist_ok=True)
    SPEC_PATH.write_text(text, encoding="utf-8")
    sys.stdout.write(f"wrote {SPEC_PATH}\n")


if __name__ == "__main__":
    main()
