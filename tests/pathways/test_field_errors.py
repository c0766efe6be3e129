"""Pydantic's errors and our own, said in bokmål and English (:mod:`pathways.field_errors`)."""

from __future__ import annotations

import dataclasses
import enum
import re
from datetime import date, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

import pytest
from pydantic import (
    AnyUrl,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    HttpUrl,
    StrictBool,
    StrictInt,
    StrictStr,
    TypeAdapter,
    ValidationError,
)

from pathways.document import DurationText, Key, Name, parse_document
from pathways.durations import parse_duration
from pathways.errors import (
    Bilingual,
    DocumentError,
    InvalidPathway,
    InvalidValue,
    Violation,
    text_of,
)
from pathways.field_errors import NB_BY_TYPE, PATTERN_MESSAGES, error_message, error_text
from pathways.text import text_violations
from pathways.validation import validate_pathway

ISO_DURATION = re.compile(r"\bP(?:\d+[YMWD]|T\d)")


class Colour(enum.Enum):
    RED = "red"
    GREEN = "green"


CASES: dict[str, tuple[Any, Any, str]] = {
    # type: (the annotation, a value it refuses, the bokmål)
    "missing": (int, None, "mangler"),
    "extra_forbidden": (int, None, "er ikke et kjent felt"),
    "string_too_short": (Annotated[str, Field(min_length=1)], "", "må ha minst 1 tegn"),
    "string_too_long": (Annotated[str, Field(max_length=300)], "x" * 301, "kan ha høyst 300 tegn"),
    "too_short": (Annotated[list[int], Field(min_length=2)], [1], "må ha minst 2 elementer"),
    "greater_than": (Annotated[int, Field(gt=0)], 0, "må være større enn 0"),
    "greater_than_equal": (Annotated[int, Field(ge=1)], 0, "må være minst 1"),
    "less_than": (Annotated[int, Field(lt=10)], 10, "må være mindre enn 10"),
    "less_than_equal": (Annotated[int, Field(le=200)], 201, "kan være høyst 200"),
    "multiple_of": (Annotated[int, Field(multiple_of=5)], 7, "må gå opp i 5"),
    "int_parsing": (int, "seven", "må være et heltall"),
    "int_type": (StrictInt, "7", "må være et heltall"),
    "int_from_float": (int, 7.5, "må være et heltall"),
    "int_parsing_size": (int, "9" * 5000, "er et for stort tall"),
    "float_parsing": (float, "seven", "må være et tall"),
    "float_type": (float, [], "må være et tall"),
    "finite_number": (Annotated[float, Field(allow_inf_nan=False)], float("inf"), "endelig"),
    "bool_type": (StrictBool, "yes", "må være true eller false (ja eller nei)"),
    "bool_parsing": (bool, "kanskje", "må være true eller false (ja eller nei)"),
    "string_type": (str, 7, "må være tekst"),
    "string_sub_type": (StrictStr, None, "må være tekst"),
    "string_pattern_mismatch": (Annotated[str, Field(pattern=r"^[0-9]+$")], "x", "riktig form"),
    "date_type": (date, [], "må være en dato (ÅÅÅÅ-MM-DD)"),
    "date_parsing": (date, None, "må være en dato (ÅÅÅÅ-MM-DD)"),
    "date_from_datetime_parsing": (date, "i morgen", "må være en dato (ÅÅÅÅ-MM-DD)"),
    "date_from_datetime_inexact": (date, 1_800_000_001, "må være en dato (ÅÅÅÅ-MM-DD)"),
    "datetime_type": (datetime, [], "må være en dato og et klokkeslett"),
    "datetime_parsing": (datetime, None, "må være en dato og et klokkeslett"),
    "datetime_from_date_parsing": (datetime, "i morgen", "må være en dato og et klokkeslett"),
    "datetime_object_invalid": (datetime, None, "må være en dato og et klokkeslett"),
    "timezone_aware": (AwareDatetime, "2026-05-01T12:00:00", "må ha en tidssone"),
    "enum": (Colour, "blue", "må være en av: 'red', 'green'"),
    "literal_error": (Literal["nb", "nn", "en"], "sv", "må være en av: 'nb', 'nn', 'en'"),
    "json_invalid": (int, None, "er ikke gyldig JSON"),
    "json_type": (int, None, "må være tekst som inneholder JSON"),
    "model_type": (int, None, "må være et objekt med felt og verdier (et JSON-objekt)"),
    "model_attributes_type": (int, None, "et JSON-objekt"),
    "dict_type": (dict[str, int], [], "må være et objekt med felt og verdier (et JSON-objekt)"),
    "list_type": (list[int], "1,2", "må være en liste"),
    "set_type": (set[int], "1,2", "må være en liste"),
    "tuple_type": (tuple[int, ...], "1,2", "må være en liste"),
    "none_required": (None, 7, "må være null"),
    "uuid_type": (UUID, 7, "må være en UUID"),
    "uuid_parsing": (UUID, "not-a-uuid", "må være en UUID"),
    "url_type": (AnyUrl, 7, "må være en nettadresse (URL)"),
    "url_parsing": (AnyUrl, "not a url", "må være en nettadresse (URL)"),
    "url_syntax_violation": (AnyUrl, None, "må være en nettadresse (URL)"),
    "url_too_long": (Annotated[AnyUrl, Field()], None, "kan ha høyst 2083 tegn"),
    "url_scheme": (HttpUrl, "ftp://example.org", "må være en nettadresse som begynner med"),
}
"""One case per type in :data:`NB_BY_TYPE`; a value of ``None`` is a type pydantic raises
only from a model or a JSON string, or whose input is awkward to make: its error is made
by hand below."""

BY_HAND: dict[str, dict[str, Any]] = {
    "missing": {"msg": "Field required"},
    "extra_forbidden": {"msg": "Extra inputs are not permitted"},
    "json_invalid": {"msg": "JSON decode error", "ctx": {"error": "Expecting value"}},
    "json_type": {"msg": "JSON input should be string, bytes or bytearray"},
    "model_type": {"msg": "Input should be a valid dictionary or instance of Step"},
    "model_attributes_type": {"msg": "Input should be a valid dictionary or object"},
    "datetime_object_invalid": {"msg": "Invalid datetime object, got year 0 is out of range"},
    "url_syntax_violation": {"msg": "Input should be a valid URL, bad syntax"},
    "date_parsing": {"msg": "Input should be a valid date in the format YYYY-MM-DD, ..."},
    "datetime_parsing": {"msg": "Input should be a valid datetime, invalid character ..."},
    "string_sub_type": {"msg": "Input should be a string, not an instance of a subclass ..."},
    "url_too_long": {"msg": "URL should have at most 2083 characters", "ctx": {"max_length": 2083}},
}


def test_every_type_said_in_bokmal_has_a_case() -> None:
    assert set(CASES) == set(NB_BY_TYPE)


def _error(kind: str) -> dict[str, Any]:
    annotation, value, _ = CASES[kind]
    if kind in BY_HAND:
        return {"type": kind, "loc": ("field",), **BY_HAND[kind]}
    with pytest.raises(ValidationError) as raised:
        TypeAdapter(annotation).validate_python(value)
    errors = [error for error in raised.value.errors() if error["type"] == kind]
    assert errors, raised.value.errors()
    return dict(errors[0])


@pytest.mark.parametrize("kind", sorted(CASES))
def test_pydantic_errors_are_said_in_bokmal(kind: str) -> None:
    error = _error(kind)
    said = error_text(error)
    assert said.en == error["msg"]  # the English is pydantic's, as before
    assert CASES[kind][2] in said.nb, said.nb
    assert said.nb != said.en
    assert error_message(error) == said.en


def test_an_unknown_type_keeps_the_english() -> None:
    said = error_text({"type": "decimal_max_digits", "msg": "Decimal input should have ..."})
    assert said == Bilingual("Decimal input should have ...", "Decimal input should have ...")


def test_a_type_whose_context_is_missing_keeps_the_english() -> None:
    said = error_text({"type": "less_than_equal", "msg": "Input should be at most 5"})
    assert said == Bilingual("Input should be at most 5", "Input should be at most 5")


@pytest.mark.parametrize(
    ("annotation", "value", "nb"),
    [
        (Key, "Ward", "er ikke en gyldig nøkkel"),
        (Name, "", "kan ikke være tomt, og må stå på én linje"),
        (Name, "A\nB", "må stå på én linje"),
        (DurationText, "P1Y", "er ikke en gyldig varighet"),
        (DurationText, "four hours", "for eksempel 24 timer, 14 dager"),
    ],
)
def test_our_patterns_are_said_in_words(annotation: Any, value: str, nb: str) -> None:
    with pytest.raises(ValidationError) as raised:
        TypeAdapter(annotation).validate_python(value)
    (error,) = raised.value.errors()
    said = error_text(error)
    assert nb in said.nb
    assert said.en == PATTERN_MESSAGES[error["ctx"]["pattern"]].en
    assert "^" not in said.nb
    assert "^" not in said.en


def test_every_pattern_has_both_texts() -> None:
    for said in PATTERN_MESSAGES.values():
        assert not ISO_DURATION.search(said.nb), said.nb
        assert said.en
        assert said.nb
        assert said.en != said.nb


def test_a_list_over_its_cap_is_said_in_bokmal() -> None:
    error = {"type": "too_long", "msg": "…", "ctx": {"max_length": 50, "actual_length": 51}}
    assert error_text(error) == Bilingual(
        "more than 50 items (51 sent); none of them was read",
        "har mer enn 50 elementer (51 sendt); ingen av dem ble lest",
    )


def test_a_lone_surrogate_is_said_in_bokmal() -> None:
    said = error_text({"type": "string_unicode", "msg": "Input should be a valid string, ..."})
    assert said.en == "contains a lone surrogate (such as \\ud800), which is not a character"
    assert said.nb.startswith("inneholder et ugyldig tegn")


class _Checked(BaseModel):
    model_config = ConfigDict(extra="forbid")
    when: Annotated[str, Field()]

    def model_post_init(self, __context: Any) -> None:
        if self.when == "bilingual":
            raise InvalidValue(Bilingual("must be later", "må være senere"))
        if self.when == "plain":
            raise ValueError("must be sooner")


def test_a_validator_says_both_texts_when_it_raises_invalid_value() -> None:
    with pytest.raises(ValidationError) as raised:
        _Checked(when="bilingual")
    said = error_text(raised.value.errors()[0])
    assert said == Bilingual("must be later", "må være senere")


def test_a_validator_that_raises_a_plain_value_error_keeps_its_english() -> None:
    with pytest.raises(ValidationError) as raised:
        _Checked(when="plain")
    assert error_text(raised.value.errors()[0]) == Bilingual("must be sooner", "must be sooner")


def test_text_of_an_error() -> None:
    assert text_of(InvalidValue(Bilingual("a", "b"))) == Bilingual("a", "b")
    assert text_of(ValueError("a")) == Bilingual("a", "a")


def test_a_violation_keeps_the_english_and_compares_by_it() -> None:
    violation = Violation.of(("name",), Bilingual("must not be empty", "kan ikke være tomt"))
    assert violation.message == "must not be empty"
    assert violation.text == Bilingual("must not be empty", "kan ikke være tomt")
    assert violation == Violation(("name",), "must not be empty")
    assert Violation(("name",), "odd").text == Bilingual("odd", "odd")


def test_text_rules_are_said_in_bokmal() -> None:
    said = [v.text.nb for v in text_violations("\x00\n" + "x" * 10, ("name",), max_length=5)]
    assert said == [
        "har 12 tegn, men kan ha høyst 5",
        "inneholder et tegn som ikke kan lagres eller eksporteres: et usynlig kontrolltegn "
        "(for eksempel NUL, U+FFFE eller U+FFFF)",
        "må stå på én linje",
    ]


def test_a_duration_is_refused_in_both_languages() -> None:
    with pytest.raises(ValueError, match="is longer than 3660 days") as raised:
        parse_duration("P9999D")
    assert text_of(raised.value).nb == "er lenger enn 3660 dager"
    for text in ("P1Y", "PT", "P99999999999W"):
        with pytest.raises(ValueError, match=re.escape(repr(text))) as raised:
            parse_duration(text)
        assert not ISO_DURATION.search(text_of(raised.value).nb), text_of(raised.value).nb


def test_a_documents_structural_rules_are_said_in_bokmal(example_bytes: bytes) -> None:
    pathway = parse_document(example_bytes)
    broken = dataclasses.replace(
        pathway, transitions=(*pathway.transitions, pathway.transitions[0])
    )
    with pytest.raises(InvalidPathway) as raised:
        validate_pathway(broken)
    said = [violation.text.nb for violation in raised.value.violations]
    assert any("er allerede brukt av en annen overgang" in text for text in said), said
    for text in said:
        assert not ISO_DURATION.search(text), text


def test_a_document_in_the_wrong_format_is_said_in_bokmal() -> None:
    with pytest.raises(DocumentError) as raised:
        parse_document(b'{"format": "bpmn"}')
    (violation,) = raised.value.violations
    assert violation.message == "expected 'hjem-til-hjem/pathway', found 'bpmn'"
    assert violation.text.nb == (
        "Filen er ikke et forløpsdokument: format skal være «hjem-til-hjem/pathway», men er «bpmn»"
    )
