"""The ``node-link`` export: networkx node-link JSON with scalar attributes.

Read it back with ``nx.node_link_graph(json.loads(data), edges="edges")``; the
attributes are described in :mod:`pathways.export.attributes`.
"""

from __future__ import annotations

import json

import networkx as nx

from pathways.export.attributes import flat_graph
from pathways.export.context import ExportContext
from pathways.model import Pathway

__all__ = ["to_node_link"]


def to_node_link(pathway: Pathway, *, context: ExportContext | None = None) -> bytes:
    """Node-link JSON (``edges="edges"``) of ``pathway``: UTF-8, 2-space indent."""
    data = nx.node_link_data(flat_graph(pathway, context), edges="edges")
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
