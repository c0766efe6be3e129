"""Exporters: a pathway as bytes in each format the secretariats and tools need.

Every exporter is a pure function ``(pathway, *, context=None) -> bytes``: no database,
no clock (an :class:`ExportContext` brings the pathway's id, status, version, approvals,
gap findings and the time of export), and the same input always gives the same bytes.

>>> from importlib.resources import files
>>> from pathways.document import parse_document
>>> pathway = parse_document(files("pathways.examples").joinpath("hip-fracture.json").read_bytes())
>>> export(pathway, "mermaid").startswith(b"---")
True
>>> FORMATS["bpmn"].media_type
'application/bpmn+xml'

Errors (:class:`UnknownFormat`, :class:`UnknownTransition`) are
:class:`pathways.errors.PathwayError`\\ s; see :mod:`pathways.export.errors`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from pathways.export.bpmn import to_bpmn
from pathways.export.context import Approval, ExportContext
from pathways.export.dot import to_dot
from pathways.export.errors import ExportError, UnknownFormat, UnknownTransition
from pathways.export.fhir import questionnaire_for, to_fhir
from pathways.export.graphml import to_graphml
from pathways.export.html import to_html
from pathways.export.mermaid import to_mermaid
from pathways.export.native import to_json
from pathways.export.node_link import to_node_link
from pathways.export.pdf import to_pdf
from pathways.export.svg import to_svg
from pathways.model import Pathway

__all__ = [
    "FORMATS",
    "Approval",
    "ExportContext",
    "ExportError",
    "ExportFormat",
    "Renderer",
    "UnknownFormat",
    "UnknownTransition",
    "export",
    "questionnaire_for",
]

Renderer = Callable[..., bytes]
"""``(pathway, *, context: ExportContext | None = None) -> bytes``."""


@dataclass(frozen=True, slots=True)
class ExportFormat:
    """One export format: its name, how to serve it, and the function that renders it.

    ``extension`` has no leading dot (``"bpmn"``, ``"fhir.json"``); ``media_type`` has no
    charset parameter (every text format is UTF-8).
    """

    name: str
    media_type: str
    extension: str
    render: Renderer
    description: str


FORMATS: Mapping[str, ExportFormat] = MappingProxyType(
    {
        format.name: format
        for format in (
            ExportFormat(
                "json",
                "application/json",
                "json",
                to_json,
                "The native document (lossless; import it again)",
            ),
            ExportFormat(
                "node-link",
                "application/json",
                "node-link.json",
                to_node_link,
                'networkx node-link JSON (edges="edges"), scalar attributes',
            ),
            ExportFormat(
                "graphml",
                "application/graphml+xml",
                "graphml",
                to_graphml,
                "GraphML for networkx, yEd and Gephi",
            ),
            ExportFormat(
                "dot",
                "text/vnd.graphviz",
                "dot",
                to_dot,
                "Graphviz DOT, one cluster per care level",
            ),
            ExportFormat(
                "mermaid",
                "text/vnd.mermaid",
                "mmd",
                to_mermaid,
                "Mermaid flowchart, one subgraph per care level",
            ),
            ExportFormat(
                "bpmn",
                "application/bpmn+xml",
                "bpmn",
                to_bpmn,
                "BPMN 2.0 collaboration with a diagram (bpmn.io, Camunda Modeler)",
            ),
            ExportFormat(
                "fhir",
                "application/fhir+json",
                "fhir.json",
                to_fhir,
                "FHIR R4 Bundle: PlanDefinition and a Questionnaire per checklist",
            ),
            ExportFormat(
                "svg",
                "image/svg+xml",
                "svg",
                to_svg,
                "Swimlane picture, one lane per care level, gaps marked",
            ),
            ExportFormat(
                "html",
                "text/html",
                "html",
                to_html,
                "Printable document with the picture, checklists and open gaps",
            ),
            ExportFormat(
                "pdf",
                "application/pdf",
                "pdf",
                to_pdf,
                "The printable document as an A4 PDF, the picture in page-sized tiles",
            ),
        )
    }
)
"""The export formats by name, in the order they are offered."""


def export(pathway: Pathway, format: str, *, context: ExportContext | None = None) -> bytes:
    """``pathway`` rendered in ``format`` (a name in :data:`FORMATS`).

    Raises :class:`UnknownFormat`, naming the formats there are, for any other name.
    """
    try:
        exporter = FORMATS[format]
    except KeyError:
        raise UnknownFormat(format, FORMATS) from None
    return exporter.render(pathway, context=context)
