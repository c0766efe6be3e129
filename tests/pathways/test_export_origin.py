"""A borrowed pathway names where it came from at the head of its HTML and PDF, and as a
``derived-from`` artifact of its FHIR PlanDefinition (valid under HL7's schema)."""

from __future__ import annotations

import json

from pathways.export import ExportContext, export
from pathways.export.context import Origin
from tests.pathways.test_export_fhir import _plan, _schema_errors
from tests.pathways.test_export_pdf import _squash, read
from tests.pathways.test_export_samples import example

ORIGIN = Origin(7, "Hoftebrudd hos eldre", 3, "Helsefellesskapet Vestvik")


def _context(language: str, origin: Origin | None = ORIGIN) -> ExportContext:
    return ExportContext(pathway_id=12, status="draft", language=language, origin=origin)


def test_the_html_and_pdf_heads_name_the_origin_in_the_readers_language() -> None:
    for language, label, text in (
        (
            "nb",
            "Lånt fra",
            "«Hoftebrudd hos eldre», versjon 3, Helsefellesskapet Vestvik (forløp 7)",
        ),
        (
            "nn",
            "Lånt frå",
            "«Hoftebrudd hos eldre», versjon 3, Helsefellesskapet Vestvik (forløp 7)",
        ),
        (
            "en",
            "Borrowed from",
            "“Hoftebrudd hos eldre”, version 3, Helsefellesskapet Vestvik (pathway 7)",
        ),
    ):
        html = export(example(), "html", context=_context(language)).decode()
        assert f"<dt>{label}</dt>" in html
        assert f"<dd>{text}</dd>" in html
        first = read(export(example(), "pdf", context=_context(language)), pages=[0])[0]
        assert _squash(label) in _squash(first.text)
        assert _squash(text) in _squash(first.text)
    plain = export(example(), "html", context=_context("nb", origin=None)).decode()
    assert "Lånt fra" not in plain


def test_fhir_says_derived_from_the_borrowed_version() -> None:
    bundle = json.loads(export(example(), "fhir", context=_context("nb")))
    assert _schema_errors(bundle) == []
    [derived] = [a for a in _plan(bundle)["relatedArtifact"] if a["type"] == "derived-from"]
    assert derived["resource"].endswith("/PlanDefinition/pathway-7|3")
    assert derived["label"] == "Lånt fra"
    assert "Helsefellesskapet Vestvik" in derived["display"]
