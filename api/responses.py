"""Answers a route has built itself, serialised once.

FastAPI checks a model a route returns against the route's response model before it
writes it, and for a sync route it does that in a trip to the thread pool of its own.
A route that builds the model from its own schema (``GraphRead.of``) needs neither: it
returns the bytes, and declares ``response_model`` for the spec.
"""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import Response
from pydantic import BaseModel

__all__ = ["json_answer"]


def json_answer(
    content: BaseModel | bytes,
    *,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """``content`` (a model, written by alias as FastAPI writes a response model, or its
    JSON already written) with ``headers``."""
    return Response(
        content if isinstance(content, bytes) else content.model_dump_json(by_alias=True),
        status_code=status_code,
        media_type="application/json",
        headers=dict(headers or {}),
    )
