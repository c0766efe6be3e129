"""Which methods a path allows: the ``Allow`` header of 405 answers, and routing that
lets a concrete path (``/pathways/import``) win over a template (``/pathways/{id}``).

A path is one resource, as in the spec: the most specific route template that matches it
(concrete before templated, as OpenAPI matches paths), with every method declared on
that template. Starlette's router answers 405 from the first route whose path matches
and names only that route's methods; :func:`allowed_methods` names them all.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from fastapi.routing import iter_route_contexts
from starlette.routing import BaseRoute, Match
from starlette.types import Scope

from api.routers.query import DeclaredQueryRoute

__all__ = ["ResourceRoute", "allowed_methods"]

_PARAMETER = re.compile(r"{[^}]*}")


def _templates(routes: Sequence[BaseRoute]) -> list[tuple[str, re.Pattern[str], frozenset[str]]]:
    """Every route's path template, regex and methods, through included routers."""
    found = []
    for route in iter_route_contexts(routes):
        path = getattr(route, "path", None)
        regex = getattr(route, "path_regex", None)
        methods = getattr(route, "methods", None)
        if isinstance(path, str) and regex is not None and methods:
            found.append((path, regex, frozenset(methods)))
    return found


def _specificity(template: str) -> int:
    return len(_PARAMETER.findall(template))


def allowed_methods(routes: Sequence[BaseRoute], path: str) -> list[str]:
    """The methods of the resource at ``path`` (empty if no route matches it)."""
    matching = [t for t in _templates(routes) if t[1].match(path)]
    if not matching:
        return []
    best = min(_specificity(template) for template, _, _ in matching)
    chosen = next(template for template, _, _ in matching if _specificity(template) == best)
    methods: set[str] = set()
    for template, _, declared in matching:
        if template == chosen:
            methods |= declared
    return sorted(methods)


class ResourceRoute(DeclaredQueryRoute):
    """An API route that does not claim the paths of more specific routes (and, as every
    route of the app, refuses query parameters it does not declare).

    ``PATCH /pathways/import`` matches ``/pathways/{pathway_id}`` as a template, but the
    path is the import resource, which has no PATCH: 405 (with its ``Allow``), not a 422
    for an id that is not a number. The routes that could shadow this one are found once,
    on the first request.
    """

    _shadowing: list[re.Pattern[str]] | None = None

    def _find_shadowing(self, routes: Sequence[BaseRoute]) -> list[re.Pattern[str]]:
        mine = _specificity(self.path)
        if not mine:
            return []
        return [
            regex
            for template, regex, _ in _templates(routes)
            if _specificity(template) < mine
            and self.path_regex.match(_PARAMETER.sub("x", template))
        ]

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        match, child = super().matches(scope)
        if match is Match.NONE:
            return match, child
        shadowing = self._shadowing
        if shadowing is None:
            app: Any = scope.get("app")
            routes = app.router.routes if app is not None else []
            shadowing = self._shadowing = self._find_shadowing(routes)
        path = scope.get("path", "")
        if any(regex.match(path) for regex in shadowing):
            return Match.NONE, {}
        return match, child
