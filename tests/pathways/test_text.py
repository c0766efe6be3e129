"""The text rules: one set of patterns for the wire schemas, the spec and the domain."""

from __future__ import annotations

import json
import re
from typing import Annotated, Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import StringConstraints, TypeAdapter, ValidationError

from pathways.document import parse_document
from pathways.durations import DURATION_PATTERN, parse_duration
from pathways.errors import DocumentError, InvalidPathway
from pathways.text import (
    KEY_PATTERN,
    LINE_PATTERN,
    REQUIRED_LINE_PATTERN,
    REQUIRED_TEXT_PATTERN,
    TEXT_PATTERN,
    is_key,
    text_violations,
)

PATTERNS = [TEXT_PATTERN, REQUIRED_TEXT_PATTERN, LINE_PATTERN, REQUIRED_LINE_PATTERN, KEY_PATTERN]
SAMPLES = ["Akuttmottak", "", " ", "a\nb", "a\tb", "\ufffe", "x\x00", "ward\n", "ward", "æøå"]


def _pydantic_accepts(pattern: str, value: str) -> bool:
    adapter: TypeAdapter[str] = TypeAdapter(Annotated[str, StringConstraints(pattern=pattern)])
    try:
        adapter.validate_python(value)
    except ValidationError:
        return False
    return True


@pytest.mark.parametrize("pattern", PATTERNS)
@given(value=st.text(max_size=12) | st.sampled_from(SAMPLES))
def test_patterns_mean_the_same_in_python_and_in_pydantic(pattern: str, value: str) -> None:
    if re.search(r"[\ud800-\udfff]", value):
        return  # refused before any pattern: see the lone-surrogate test below
    python = re.fullmatch(pattern.removeprefix("^").removesuffix("$"), value) is not None
    assert _pydantic_accepts(pattern, value) == python


@given(value=st.text(max_size=20))
def test_the_domain_check_agrees_with_the_line_patterns(value: str) -> None:
    refused = bool(list(text_violations(value, ("name",), max_length=300, required=True)))
    assert refused == (not _pydantic_accepts(REQUIRED_LINE_PATTERN, value))


def test_lone_surrogates_are_refused_by_both() -> None:
    value = "Sengepost" + chr(0xD800)
    assert not _pydantic_accepts(TEXT_PATTERN, value)
    [violation] = text_violations(value, ("description",), max_length=300, multiline=True)
    assert "surrogate" in violation.message


@pytest.mark.parametrize("key", ["ward\n", "\nward", "ward ", "Ward", "-ward", "ward-", ""])
def test_a_key_is_the_whole_string(key: str) -> None:
    assert not is_key(key)
    assert not _pydantic_accepts(KEY_PATTERN, key)


@given(
    weeks=st.none() | st.integers(0, 99),
    days=st.none() | st.integers(0, 99),
    hours=st.none() | st.integers(0, 99),
    minutes=st.none() | st.integers(0, 99),
    seconds=st.none() | st.integers(0, 99),
)
def test_the_duration_pattern_takes_every_duration_parse_duration_takes(**parts: Any) -> None:
    date = "".join(
        f"{parts[n]}{u}" for n, u in (("weeks", "W"), ("days", "D")) if parts[n] is not None
    )
    time = "".join(
        f"{parts[n]}{u}"
        for n, u in (("hours", "H"), ("minutes", "M"), ("seconds", "S"))
        if parts[n] is not None
    )
    text = "P" + date + ("T" + time if time else "")
    valid = bool(date or time)
    assert _pydantic_accepts(DURATION_PATTERN, text) == valid
    if valid:
        assert parse_duration(text).total_seconds() >= 0


@pytest.mark.parametrize("text", ["P", "PT", "P1DT", "P1Y", "P1M", "PT1H ", "1D", "pt1h"])
def test_the_duration_pattern_refuses_what_parse_duration_refuses(text: str) -> None:
    assert not _pydantic_accepts(DURATION_PATTERN, text)
    with pytest.raises(ValueError, match="ISO 8601"):
        parse_duration(text)


def test_a_document_review_date_is_a_date_not_a_number(example_bytes: bytes) -> None:
    data = json.loads(example_bytes)
    data["pathway"]["review_due"] = 0
    with pytest.raises(DocumentError) as error:
        parse_document(json.dumps(data))
    assert [v.loc for v in error.value.violations] == [("pathway", "review_due")]


def test_a_document_step_name_with_a_character_xml_cannot_carry_is_refused(
    example_bytes: bytes,
) -> None:
    data = json.loads(example_bytes)
    data["steps"][1]["name"] = "Legevakt\uffff"
    with pytest.raises(InvalidPathway) as error:
        parse_document(json.dumps(data))
    assert [v.loc for v in error.value.violations] == [("steps", 1, "name")]
    assert "U+FFFE" in error.value.violations[0].message
