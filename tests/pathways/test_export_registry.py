"""The export registry: names, media types, unknown formats, determinism, purity."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import pathways.export
from pathways.errors import PathwayError
from pathways.export import FORMATS, ExportContext, UnknownFormat, export
from pathways.model import Pathway, PathwayInfo
from tests.pathways.test_export_samples import CONTEXT, chain, example, outcomes, tricky

NAMES = ["json", "node-link", "graphml", "dot", "mermaid", "bpmn", "fhir", "svg", "html", "pdf"]
BINARY = {"pdf"}
SAMPLES = {"example": example, "tricky": tricky, "chain": chain, "outcomes": outcomes}


def test_formats_are_the_product_list() -> None:
    assert list(FORMATS) == NAMES
    for name, format in FORMATS.items():
        assert format.name == name
        assert "/" in format.media_type
        assert ";" not in format.media_type
        assert format.extension
        assert not format.extension.startswith(".")
        assert callable(format.render)


def test_media_types() -> None:
    assert FORMATS["bpmn"].media_type == "application/bpmn+xml"
    assert FORMATS["fhir"].media_type == "application/fhir+json"
    assert FORMATS["svg"].media_type == "image/svg+xml"
    assert FORMATS["html"].media_type == "text/html"
    assert FORMATS["pdf"].media_type == "application/pdf"
    assert FORMATS["graphml"].media_type == "application/graphml+xml"


def test_unknown_format_is_a_domain_error_listing_the_formats() -> None:
    with pytest.raises(UnknownFormat) as caught:
        export(example(), "docx")
    assert isinstance(caught.value, PathwayError)
    assert caught.value.formats == tuple(NAMES)
    for name in NAMES:
        assert name in str(caught.value)
    assert "'docx'" in str(caught.value)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("sample", list(SAMPLES))
def test_exports_are_deterministic_bytes(name: str, sample: str) -> None:
    pathway = SAMPLES[sample]()
    first = export(pathway, name, context=CONTEXT)
    assert isinstance(first, bytes)
    assert first == export(pathway, name, context=CONTEXT)
    assert export(pathway, name) == export(pathway, name, context=None)
    if name in BINARY:
        assert first.startswith(b"%PDF-")
    else:
        first.decode("utf-8")


@pytest.mark.parametrize("name", NAMES)
def test_an_empty_pathway_exports(name: str) -> None:
    assert export(Pathway(PathwayInfo(title="Empty")), name, context=ExportContext())


@pytest.mark.parametrize("name", NAMES)
def test_the_renderer_is_the_registered_function(name: str) -> None:
    format = FORMATS[name]
    assert format.render(example(), context=CONTEXT) == export(example(), name, context=CONTEXT)


def test_exporters_import_no_web_or_database_framework() -> None:
    package = Path(pathways.export.__file__).parent
    for module in package.glob("*.py"):
        tree = ast.parse(module.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                root = name.split(".")[0]
                assert root not in {"fastapi", "sqlalchemy", "starlette", "api", "db"}, module
