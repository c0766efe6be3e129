"""The ``html`` export: a self-contained printable document with every section."""

from __future__ import annotations

from typing import Any

import lxml.html
import pytest

from pathways.export import ExportContext, export
from pathways.model import Pathway
from tests.pathways.test_export_samples import CONTEXT, NASTY, chain, example, outcomes, tricky

SECTIONS = ["description", "approvals", "picture", "steps", "transitions", "handovers", "gaps"]


def _document(pathway: Pathway, context: ExportContext | None = CONTEXT) -> Any:
    data = export(pathway, "html", context=context)
    assert data.startswith(b"<!DOCTYPE html>")
    return lxml.html.document_fromstring(data)


def _text(element: Any) -> str:
    return " ".join("".join(element.itertext()).split())


@pytest.mark.parametrize("sample", [example, tricky, chain, outcomes])
def test_every_section_step_and_checklist_item(sample: Any) -> None:
    pathway: Pathway = sample()
    document = _document(pathway)
    for section in SECTIONS:
        assert document.get_element_by_id(section) is not None
    steps = _text(document.get_element_by_id("steps"))
    for step in pathway.steps:
        assert " ".join(step.name.split()) in steps
    handovers = _text(document.get_element_by_id("handovers"))
    for transition in pathway.transitions:
        for item in transition.handover.checklist if transition.handover else ():
            assert " ".join(item.text.split()) in handovers


def test_facts_approvals_and_gaps() -> None:
    document = _document(tricky())
    assert document.find(".//title").text == f"Tricky: {NASTY}"
    assert document.find(".//h1").text == f"Tricky: {NASTY}"
    facts = _text(document.get_element_by_id("facts"))
    for expected in ("approved", "3", "17", "2027-01-31", 'Avtale "2"', "Alle & enhver"):
        assert expected in facts
    approvals = _text(document.get_element_by_id("approvals"))
    assert "Bærum kommune" in approvals
    assert "Municipality / Kommune" in approvals
    assert "2026-03-01 14:05 UTC" in approvals
    gaps = _text(document.get_element_by_id("gaps"))
    assert 'No handover <here> & "now"' in gaps
    assert "Error" in gaps
    assert "Warning" in gaps
    handovers = _text(document.get_element_by_id("handovers"))
    assert "Receiver" in handovers
    assert "within 1 hour" in handovers


def test_in_norwegian() -> None:
    document = _document(tricky(), ExportContext(findings=CONTEXT.findings, language="nb"))
    assert document.get("lang") == "nb"
    gaps = _text(document.get_element_by_id("gaps"))
    assert "Mangler overlevering" in gaps
    assert "Feil" in gaps


def test_self_contained_and_escaped() -> None:
    data = export(tricky(), "html", context=CONTEXT)
    document = lxml.html.document_fromstring(data)
    assert not document.findall(".//script")
    assert not document.findall(".//link")
    assert not document.findall(".//b")  # the <b> in names stays text
    for element in document.iter():
        for name in ("src", "href"):
            value = element.get(name)
            assert value is None or value.startswith("#")
    assert b"@media print" in data
    assert document.find(".//svg") is not None or b"<svg" in data


def test_without_context() -> None:
    document = _document(example(), None)
    assert "draft" in _text(document.get_element_by_id("facts"))
    assert "No open gaps" in _text(document.get_element_by_id("gaps"))
