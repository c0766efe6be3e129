"""What a nurse reads in an export is in her language: the status as a word (``godkjent``,
``utkast``, ``endra sidan versjon 2``), deadlines as people say them (``samme dag``,
``innen 24 timer``), never an ISO 8601 duration; nynorsk is nynorsk, not bokmål or English.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import lxml.html
import pytest
from lxml import etree

from pathways.export import ExportContext, export
from pathways.export._text import KIND_LABELS
from pathways.export._words import WORDS
from pathways.export.bpmn import BPMN_NS
from pathways.findings import LANGUAGES as FINDING_LANGUAGES
from pathways.model import StepKind
from pathways.wording import LANGUAGES
from tests.pathways.test_export_dot import _unquote
from tests.pathways.test_export_samples import CONTEXT, example, outcomes

ISO_DURATION = re.compile(r"\bP(T)?\d")
ENGLISH_STATUS = re.compile(r"\b(approved|draft)\b", re.IGNORECASE)
_DOT_TEXT = re.compile(r'\b(?:label|tooltip)=("(?:[^"\\]|\\.)*")')
_FHIR_TEXT = {"title", "description", "display", "label", "text"}


def _svg_text(data: bytes) -> str:
    root = etree.fromstring(data)
    for style in root.iter("{*}style"):
        style.text = ""
    return " ".join(root.itertext())


def _html_text(data: bytes) -> str:
    document = lxml.html.document_fromstring(data)
    for style in document.iter("style"):
        style.text = ""
    titles = [element.get("title") for element in document.iter() if element.get("title")]
    return " ".join([document.text_content(), *titles])


def _bpmn_text(data: bytes) -> str:
    root = etree.fromstring(data)
    texts = [e.text or "" for e in root.iter(f"{{{BPMN_NS}}}documentation")]
    texts += [e.get("name") for e in root.iter() if e.get("name")]
    return "\n".join(texts)


def _dot_text(data: bytes) -> str:
    return "\n".join(_unquote(value) for value in _DOT_TEXT.findall(data.decode()))


def _mermaid_text(data: bytes) -> str:
    styling = ("classDef ", "class ", "linkStyle ")
    lines = data.decode().splitlines()
    return "\n".join(line for line in lines if not line.strip().startswith(styling))


def _fhir_text(data: bytes) -> str:
    texts: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key in _FHIR_TEXT and isinstance(item, str):
                    texts.append(item)
                else:
                    walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(json.loads(data))
    return "\n".join(texts)


PICTURES_AND_DOCUMENTS: dict[str, Callable[[bytes], str]] = {
    "svg": _svg_text,
    "html": _html_text,
    "bpmn": _bpmn_text,
    "dot": _dot_text,
    "mermaid": _mermaid_text,
}
"""The formats people read, each with the text a person sees in it."""
FOR_PEOPLE = {**PICTURES_AND_DOCUMENTS, "fhir": _fhir_text}
"""…and FHIR, whose titles, descriptions and displays are for people too."""

STATUS_WORDS = {
    ("nb", "approved"): "godkjent",
    ("nn", "approved"): "godkjend",
    ("nb", "draft"): "utkast",
    ("nn", "draft"): "utkast",
}


def _context(status: str, language: str, **more: Any) -> ExportContext:
    version = 3 if status == "approved" else None
    return ExportContext(
        status=status,
        version=version,
        revision=17,
        approvals=CONTEXT.approvals,
        language=language,
        **more,
    )


@pytest.mark.parametrize("name", PICTURES_AND_DOCUMENTS)
@pytest.mark.parametrize(("language", "status"), list(STATUS_WORDS))
def test_norwegian_exports_say_the_status_in_norwegian(
    name: str, language: str, status: str
) -> None:
    for sample in (example, outcomes):
        text = FOR_PEOPLE[name](export(sample(), name, context=_context(status, language)))
        assert STATUS_WORDS[language, status] in text
        assert not ENGLISH_STATUS.search(text), ENGLISH_STATUS.search(text)


@pytest.mark.parametrize("name", FOR_PEOPLE)
@pytest.mark.parametrize("language", LANGUAGES)
def test_no_iso_duration_in_what_people_read(name: str, language: str) -> None:
    for sample in (example, outcomes):
        text = FOR_PEOPLE[name](export(sample(), name, context=_context("approved", language)))
        assert not ISO_DURATION.search(text), ISO_DURATION.search(text)
        assert "≤" not in text
        assert " 0 h" not in text


@pytest.mark.parametrize("name", FOR_PEOPLE)
def test_deadlines_said_as_people_say_them(name: str) -> None:
    said = {
        "en": ("the same day", "within 24 hours", "within 14 days"),
        "nb": ("samme dag", "innen 24 timer", "innen 14 dager"),
        "nn": ("same dag", "innan 24 timar", "innan 14 dagar"),
    }
    for language, expected in said.items():
        text = FOR_PEOPLE[name](export(outcomes(), name, context=_context("draft", language)))
        for words in expected:
            assert words in text, (language, words)


@pytest.mark.parametrize("name", PICTURES_AND_DOCUMENTS)
def test_a_changed_draft_says_since_which_version(name: str) -> None:
    said = {
        "en": "changed since version 2",
        "nb": "endret siden versjon 2",
        "nn": "endra sidan versjon 2",
    }
    for language, expected in said.items():
        context = _context("changed", language, changed_since=2)
        assert expected in FOR_PEOPLE[name](export(example(), name, context=context))


def test_a_changed_draft_is_a_draft_to_fhir_and_a_code_to_graph_tools() -> None:
    context = _context("changed", "nb", changed_since=2)
    plan = json.loads(export(example(), "fhir", context=context))["entry"][0]["resource"]
    assert (plan["status"], plan["language"]) == ("draft", "nb")
    graph = json.loads(export(example(), "node-link", context=context))["graph"]
    assert (graph["status"], graph["changed_since"]) == ("changed", 2)


def test_the_html_status_badge() -> None:
    for language, status, expected in (
        ("en", "approved", "approved"),
        ("nb", "approved", "godkjent"),
        ("nn", "approved", "godkjend"),
        ("nn", "draft", "utkast"),
    ):
        data = export(example(), "html", context=_context(status, language))
        badge = lxml.html.document_fromstring(data).find_class("status")[0]
        assert badge.text_content() == expected


def test_every_language_has_every_word_and_kind() -> None:
    assert FINDING_LANGUAGES == LANGUAGES == ("en", "nb", "nn")
    assert set(WORDS) == set(KIND_LABELS) == set(LANGUAGES)
    for language in LANGUAGES:
        assert set(WORDS[language]) == set(WORDS["en"]), language
        assert set(KIND_LABELS[language]) == set(StepKind), language


NYNORSK = {
    "html": ("Overleveringar og sjekklister", "Heime", "Avgjerd", "Innlegging", "Ansvarleg"),
    "svg": ("HEIME", "AVGJERD", "Overlevering mellom nivåa", "Åtvaring", "Sjukehus"),
    "bpmn": ("Frå kommunen", "Til sjukehuset", "Ansvarleg", "Forventa varigheit", "Sjukehus"),
    "dot": ("Sjukehus", "innan 1 time", "same dag"),
    "mermaid": ("Sjukehus", "innan 1 time", "same dag"),
    "fhir": ("Sjekkliste for overlevering", "Frå legevakt doctor", "Meldingar", "Sjukehus"),
}
BOKMÅL_ONLY = ("Hjemme", "Sykehus", "Ansvarlig", "Overleveringer", "innen", "Fra ", "Advarsel")


@pytest.mark.parametrize("name", FOR_PEOPLE)
def test_nynorsk_is_nynorsk(name: str) -> None:
    text = FOR_PEOPLE[name](export(example(), name, context=_context("approved", "nn")))
    for word in NYNORSK[name]:
        assert word in text, word
    for word in BOKMÅL_ONLY:
        assert word not in text, word


def test_another_language_is_english() -> None:
    for name in FOR_PEOPLE:
        text = FOR_PEOPLE[name](export(outcomes(), name, context=_context("draft", "de")))
        assert "within 24 hours" in text, name
