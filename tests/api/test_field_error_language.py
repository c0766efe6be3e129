"""A 422 problem's field errors are said in the problem's language: the bokmål for
``Accept-Language: nb`` (and ``nn``), the English as before for ``en``. For each source of
field errors: a rule of the service (``RuleViolation.in_body``), request validation
(pydantic) and the domain's rules (a document import)."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from tests.conftest import World

ENGLISH = {"Accept-Language": "en"}
BOKMÅL = {"Accept-Language": "nb"}
NYNORSK = {"Accept-Language": "nn"}

ISO_DURATION = re.compile(r"\bP(?:\d+[YMWD]|T\d)")


def _errors(response: httpx.Response, language: str) -> list[dict[str, Any]]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["content-language"] == language
    errors: list[dict[str, Any]] = response.json()["errors"]
    assert errors
    return errors


def _details(response: httpx.Response, language: str) -> dict[str, str]:
    """Each field error's detail, by its JSON pointer or else its location."""
    return {
        error["pointer"] or ".".join(map(str, error["loc"])): error["detail"]
        for error in _errors(response, language)
    }


@pytest.fixture
def pathway(world: World) -> tuple[int, str]:
    created = world.hospital.post("/pathways", json={"title": "Hoftebrudd"})
    assert created.status_code == 201, created.text
    step = world.hospital.post(
        f"/pathways/{created.json()['id']}/steps",
        json={"key": "ward", "name": "Sengepost", "level": "hospital", "kind": "treatment"},
        etag=created.headers["ETag"],
    )
    assert step.status_code == 201, step.text
    return created.json()["id"], step.headers["ETag"]


def test_a_rule_of_the_service_is_said_in_bokmal_at_the_field(
    world: World, pathway: tuple[int, str]
) -> None:
    pathway_id, etag = pathway
    deadline = date.today() + timedelta(days=3 * 366)
    body = {"deadline": deadline.isoformat(), "invitees": [world.municipality.organization_id]}

    def send(headers: dict[str, str]) -> httpx.Response:
        return world.hospital.post(
            f"/pathways/{pathway_id}/hearings", json=body, etag=etag, headers=headers
        )

    nb = send(BOKMÅL)
    assert nb.json()["title"] == "I strid med reglene"
    said = f"{deadline.day}.{deadline.month}.{deadline.year}"
    assert _details(nb, "nb") == {"#/deadline": f"Fristen {said} er mer enn to år fram i tid."}
    assert _details(send(NYNORSK), "nb") == _details(nb, "nb")
    en = send(ENGLISH)
    assert en.json()["title"] == "Against the rules"
    assert _details(en, "en") == {
        "#/deadline": f"the deadline {deadline.isoformat()} is more than two years ahead"
    }
    # Without the header: English, as the problem's title and detail.
    assert _details(send({}), "en") == _details(en, "en")


def test_an_empty_step_name_is_said_in_bokmal(world: World, pathway: tuple[int, str]) -> None:
    pathway_id, etag = pathway

    def send(headers: dict[str, str]) -> httpx.Response:
        return world.hospital.patch(
            f"/pathways/{pathway_id}/steps/ward", json={"name": ""}, etag=etag, headers=headers
        )

    nb = send(BOKMÅL)
    assert nb.json()["detail"] == "Feltet body.name har en ugyldig verdi."
    assert _details(nb, "nb") == {
        "#/name": "kan ikke være tomt, og må stå på én linje, uten usynlige kontrolltegn "
        "(for eksempel NUL, U+FFFE eller U+FFFF)"
    }
    assert _details(send(ENGLISH), "en") == {
        "#/name": "must not be empty, and must be a single line without control characters "
        "(such as NUL) and without U+FFFE/U+FFFF"
    }


@pytest.mark.parametrize(
    ("body", "pointer", "nb", "en"),
    [
        ({}, "#/title", "mangler", "Field required"),
        (
            {"title": "x" * 301},
            "#/title",
            "kan ha høyst 300 tegn",
            "String should have at most 300 characters",
        ),
        (
            {"title": "Hoftebrudd", "colour": "red"},
            "#/colour",
            "er ikke et kjent felt",
            "Extra inputs are not permitted",
        ),
        ({"title": 7}, "#/title", "må være tekst", "Input should be a valid string"),
    ],
    ids=["missing", "too long", "unknown field", "not text"],
)
def test_request_validation_is_said_in_bokmal(
    world: World, body: dict[str, Any], pointer: str, nb: str, en: str
) -> None:
    said_nb = world.hospital.post("/pathways", json=body, headers=BOKMÅL)
    assert _details(said_nb, "nb") == {pointer: nb}
    said_en = world.hospital.post("/pathways", json=body, headers=ENGLISH)
    assert _details(said_en, "en") == {pointer: en}
    # The English summary repeats the field's English, as it always has.
    assert said_en.json()["detail"] == f"body.{pointer.removeprefix('#/')}: {en}"


def test_a_choice_lists_what_is_allowed(world: World, pathway: tuple[int, str]) -> None:
    pathway_id, etag = pathway
    nb = world.hospital.patch(
        f"/pathways/{pathway_id}/steps/ward", json={"level": "county"}, etag=etag, headers=BOKMÅL
    )
    (detail,) = _details(nb, "nb").values()
    assert detail.startswith("må være en av: ")
    assert "'hospital'" in detail
    assert "'municipality'" in detail
    assert " or " not in detail


def _document(example_bytes: bytes) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(example_bytes)
    document["transitions"][0]["to"] = "nowhere"
    return document


def test_a_broken_document_is_said_in_bokmal(world: World, example_bytes: bytes) -> None:
    document = _document(example_bytes)
    nb = world.hospital.post("/pathways/import", json=document, headers=BOKMÅL)
    assert nb.json()["title"] == "Ugyldig forløp"
    said = _details(nb, "nb")
    assert said == {"#/transitions/0/to": "det finnes ikke noe steg med nøkkelen «nowhere»"}
    en = world.hospital.post("/pathways/import", json=document, headers=ENGLISH)
    assert _details(en, "en") == {"#/transitions/0/to": "there is no step with key 'nowhere'"}


def test_a_document_of_the_wrong_shape_is_said_in_bokmal(
    world: World, example_bytes: bytes
) -> None:
    document = json.loads(example_bytes)
    document["steps"][1]["expected_duration"] = "four hours"
    document["steps"][2]["colour"] = "red"
    nb = world.hospital.post("/pathways/import", json=document, headers=BOKMÅL)
    said = _details(nb, "nb")
    assert said["#/steps/2/colour"] == "er ikke et kjent felt"
    duration = said["#/steps/1/expected_duration"]
    assert duration.startswith("er ikke en gyldig varighet")
    assert "24 timer" in duration
    en = world.hospital.post("/pathways/import", json=document, headers=ENGLISH)
    assert _details(en, "en") == {
        "#/steps/1/expected_duration": "is not an ISO 8601 duration in weeks, days, hours, "
        "minutes and seconds (e.g. PT24H, P14D, P1DT12H)",
        "#/steps/2/colour": "Extra inputs are not permitted",
    }


def test_the_format_of_a_document_is_said_in_bokmal(world: World) -> None:
    body = {"format": "bpmn", "format_version": 1}
    nb = world.hospital.post("/pathways/import", json=body, headers=BOKMÅL)
    assert _details(nb, "nb") == {
        "#/format": "må være 'hjem-til-hjem/pathway'",
        "#/pathway": "mangler",
    }
    en = world.hospital.post("/pathways/import", json=body, headers=ENGLISH)
    assert _details(en, "en") == {
        "#/format": "Input should be 'hjem-til-hjem/pathway'",
        "#/pathway": "Field required",
    }
