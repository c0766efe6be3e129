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

from api.schemas.common import without_null

__all__ = ["SPEC_PATH", "SPEC_REQUIRED", "build_spec", "install_openapi", "render_spec"]

SPEC_PATH = Path(__file__).resolve().parent.parent / "openapi" / "openapi.json"
_PROBLEM = "application/problem+json"

SPEC_REQUIRED = "x-required-in-spec"
"""Put ``{SPEC_REQUIRED: True}`` in a parameter's ``json_schema_extra`` to have the spec
declare it required while the handler still runs without it, to answer with its own
status (``If-Match``: 428, not the 422 of a missing parameter)."""

_STATUS_PHRASES = {
    400: "The body could not be read",
    412: "If-Match is not the current ETag (the body has current_etag)",
    413: "The request body is too large",
    428: "If-Match is missing",
    503: "The database is busy or unreachable (retry after Retry-After seconds)",
}


def _spec_required(operation: dict[str, Any]) -> bool:
    """Mark the parameters declared :data:`SPEC_REQUIRED` required; whether there were."""
    found = False
    for parameter in operation.get("parameters", []):
        # A path, query or header parameter is a string on the wire, never null:
        # ``X | None = None`` only means that it may be left out.
        schema = parameter["schema"] = without_null(parameter.get("schema", {}))
        if schema.pop(SPEC_REQUIRED, False):
            parameter["required"] = True
            found = True
    return found


_PROBLEM_LANGUAGE = (
    "A problem's title and detail are in Norwegian bokmål for nb, nn and no, in English otherwise"
)
_CONTENT_LANGUAGE = {
    "description": "The language of title and detail: en or nb (Vary: Accept-Language)",
    "schema": {"type": "string", "enum": ["en", "nb"]},
}


def _document_language(operation: dict[str, Any]) -> None:
    """``Accept-Language`` on the operation, as every problem honours it; an operation that
    declares it already (for what it answers) has the problems' use added to its text."""
    parameters = operation.setdefault("parameters", [])
    declared = next(
        (
            p
            for p in parameters
            if p.get("in") == "header" and p.get("name", "").lower() == "accept-language"
        ),
        None,
    )
    if declared is None:
        parameters.append(
            {
                "name": "Accept-Language",
                "in": "header",
                "required": False,
                "description": _PROBLEM_LANGUAGE,
                "schema": {"type": "string"},
            }
        )
    elif _PROBLEM_LANGUAGE not in declared.get("description", ""):
        said = declared.get("description", "").rstrip(". ")
        declared["description"] = f"{said}. {_PROBLEM_LANGUAGE}" if said else _PROBLEM_LANGUAGE


def _document(operation: dict[str, Any], status: int) -> None:
    responses = operation.setdefault("responses", {})
    if str(status) not in responses:
        responses[str(status)] = {
            "description": _STATUS_PHRASES[status],
            "content": {_PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }


def build_spec(app: FastAPI) -> dict[str, Any]:
    """The spec, with every 4xx/5xx answer served as ``application/problem+json``."""
    spec = get_openapi(
        title=app.title,
        version=app.version,
        description=app.description,
        routes=app.routes,
        tags=app.openapi_tags,
    )
    for path in spec.get("paths", {}).values():
        for operation in path.values():
            if _spec_required(operation):
                # Only If-Match is: a change without it (428) or with an old one (412).
                _document(operation, 412)
                _document(operation, 428)
            if "requestBody" in operation:
                # The framework answers 400 to a body it cannot read at all (not UTF-8);
                # the body size cap (api.middleware) 413 to one over the cap.
                _document(operation, 400)
                _document(operation, 413)
            # Every operation waits for a place at the database gate (api.gate).
            _document(operation, 503)
            # Every problem says its title and detail in the language asked for.
            _document_language(operation)
            for code, response in operation.get("responses", {}).items():
                content = response.get("content")
                if code[0] in "45" and content:
                    schema = next(iter(content.values())).get("schema", {})
                    response["content"] = {_PROBLEM: {"schema": schema}}
                    response.setdefault("headers", {})["Content-Language"] = _CONTENT_LANGUAGE
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
