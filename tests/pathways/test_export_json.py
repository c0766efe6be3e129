"""The ``json`` export is the native document."""

from __future__ import annotations

from pathways.document import dump_document, parse_document
from pathways.export import export
from tests.pathways.test_export_samples import CONTEXT, example, tricky


def test_json_is_the_native_document() -> None:
    for pathway in (example(), tricky()):
        data = export(pathway, "json", context=CONTEXT)
        assert data == dump_document(pathway)
        assert parse_document(data) == pathway
