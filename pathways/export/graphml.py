"""The ``graphml`` export: GraphML for networkx, yEd and Gephi, scalar attributes only.

Node ids are step keys, edge ids transition keys; the attributes are described in
:mod:`pathways.export.attributes`. Missing values are ``""``, never absent.
"""

from __future__ import annotations

import io

import networkx as nx

from pathways.export.attributes import flat_graph
from pathways.export.context import ExportContext
from pathways.model import Pathway

__all__ = ["to_graphml"]


def to_graphml(pathway: Pathway, *, context: ExportContext | None = None) -> bytes:
    """GraphML of ``pathway`` (UTF-8), as ``nx.write_graphml`` writes it."""
    buffer = io.BytesIO()
    nx.write_graphml(flat_graph(pathway, context), buffer, edge_id_from_attribute="key")
    return buffer.getvalue()
