"""Unknown query parameters are refused: one route class for every route of the app.

A misspelt filter (``?partcipant=3``) or one the service does not have (``?colour=red``)
would otherwise be ignored, and the client would take the unfiltered answer for the
filtered one. Every route compares the names in its query string with the query
parameters it declares (its own and its dependencies', and those its ``openapi_extra``
documents for routes that read their query themselves) and answers 422, naming each
unknown parameter, before anything else runs (authentication too: the parameters are in
the public spec). The interactive docs pages are not API operations and keep their own
routes (Swagger UI's OAuth2 redirect takes whatever an identity provider sends).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response, params
from fastapi.dependencies.utils import get_flat_params
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute

from pathways.text import printable

__all__ = ["DeclaredQueryRoute", "declared_query", "unknown_query_errors"]


def declared_query(route: APIRoute) -> frozenset[str]:
    """The query parameter names ``route`` declares, as they are sent (aliases)."""
    names = {
        field.alias
        for field in get_flat_params(route.dependant)
        if isinstance(field.field_info, params.Query)
    }
    for parameter in (route.openapi_extra or {}).get("parameters", []):
        if parameter.get("in") == "query":
            names.add(parameter["name"])
    return frozenset(names)


def unknown_query_errors(request: Request, declared: frozenset[str]) -> list[dict[str, Any]]:
    """A validation error for each name in the query string that ``declared`` lacks."""
    unknown = [name for name in dict.fromkeys(request.query_params) if name not in declared]
    allowed = ", ".join(sorted(declared)) or "none"
    return [
        {
            "type": "extra_forbidden",
            "loc": ("query", printable(name, max_length=100)),
            "msg": f"is not a query parameter of this operation (it takes: {allowed})",
            "input": None,
        }
        for name in unknown
    ]


class DeclaredQueryRoute(APIRoute):
    """A route that answers 422 to a query parameter it does not declare."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        declared = declared_query(self)

        async def checked(request: Request) -> Response:
            if request.scope["query_string"]:
                errors = unknown_query_errors(request, declared)
                if errors:
                    raise RequestValidationError(errors)
            return await handler(request)

        return checked
