"""The ``json`` export: the native document, exactly as :func:`dump_document` writes it."""

from __future__ import annotations

from pathways.document import dump_document
from pathways.export.context import ExportContext
from pathways.model import Pathway

__all__ = ["to_json"]


def to_json(pathway: Pathway, *, context: ExportContext | None = None) -> bytes:
    """The native document of ``pathway`` (the context adds nothing to it)."""
    return dump_document(pathway)
