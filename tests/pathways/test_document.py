"""The native document: lossless, canonical, and strict about what it accepts."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pathways.document import document_dict, dump_document, parse_document
from pathways.errors import DocumentError, InvalidPathway
from pathways.model import Level, StepKind


def test_example_round_trips_byte_identically(example_bytes: bytes) -> None:
    pathway = parse_document(example_bytes)
    exported = dump_document(pathway)
    again = dump_document(parse_document(exported))
    assert again == exported
    assert parse_document(again) == pathway


def test_example_keeps_every_field(example_bytes: bytes) -> None:
    original = json.loads(example_bytes)
    exported = document_dict(parse_document(example_bytes))
    assert exported["pathway"] == original["pathway"]
    assert exported["steps"] == original["steps"]
    assert exported["transitions"] == original["transitions"]


def _doc(example_bytes: bytes) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(example_bytes)
    return data


def _locs(error: pytest.ExceptionInfo[InvalidPathway]) -> list[tuple[str | int, ...]]:
    return [violation.loc for violation in error.value.violations]


def test_unknown_field_is_refused_with_its_path(example_bytes: bytes) -> None:
    data = _doc(example_bytes)
    data["steps"][2]["colour"] = "red"
    with pytest.raises(DocumentError) as error:
        parse_document(json.dumps(data))
    assert ("steps", 2, "colour") in _locs(error)


def test_wrong_format_and_version_are_refused(example_bytes: bytes) -> None:
    data = _doc(example_bytes)
    data["format_version"] = 2
    with pytest.raises(DocumentError, match="format version"):
        parse_document(json.dumps(data))
    with pytest.raises(DocumentError, match="not valid JSON"):
        parse_document(b"{")
    with pytest.raises(DocumentError, match="JSON object"):
        parse_document(b"[]")


@pytest.mark.parametrize(
    ("change", "loc", "message"),
    [
        (lambda d: d["steps"].append(dict(d["steps"][0])), ("steps", 10, "key"), "duplicate"),
        (
            lambda d: d["transitions"][0].update({"to": "nowhere"}),
            ("transitions", 0, "to"),
            "no step",
        ),
        (
            lambda d: d["transitions"][0].update({"to": "home-before"}),
            ("transitions", 0, "to"),
            "back",
        ),
        (lambda d: d["steps"][1].update({"name": "Legevakt\x00"}), ("steps", 1, "name"), "control"),
        (
            lambda d: d["steps"][1].update({"expected_duration": "2 hours"}),
            ("steps", 1, "expected_duration"),
            "ISO 8601",
        ),
        (lambda d: d["steps"][0].update({"level": "hospital"}), ("steps", 0, "level"), "home step"),
        (lambda d: d["steps"][1].update({"key": "Not A Slug"}), ("steps", 1, "key"), "not a key"),
        (lambda d: d["pathway"].update({"title": "  "}), ("pathway", "title"), "empty"),
        (
            lambda d: d["transitions"].append(dict(d["transitions"][0], key="fall-2")),
            ("transitions", 10),
            "same two steps",
        ),
    ],
)
def test_structural_rules(
    example_bytes: bytes, change: Any, loc: tuple[Any, ...], message: str
) -> None:
    data = _doc(example_bytes)
    change(data)
    with pytest.raises(InvalidPathway) as error:
        parse_document(json.dumps(data))
    matching = [v for v in error.value.violations if v.loc == loc]
    assert matching, _locs(error)
    assert message in matching[0].message


def test_wrong_level_value_is_refused(example_bytes: bytes) -> None:
    data = _doc(example_bytes)
    data["steps"][3]["level"] = "county"
    with pytest.raises(DocumentError) as error:
        parse_document(json.dumps(data))
    assert ("steps", 3, "level") in _locs(error)


# -- property: any valid pathway round-trips -------------------------------------------

_text = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=0, max_size=30)
_key = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?", fullmatch=True)


@st.composite
def documents(draw: st.DrawFn) -> dict[str, Any]:
    keys = draw(st.lists(_key, min_size=1, max_size=8, unique=True))
    steps = []
    for key in keys:
        kind = draw(st.sampled_from(list(StepKind)))
        level = Level.MUNICIPALITY if kind is StepKind.HOME else draw(st.sampled_from(list(Level)))
        steps.append(
            {
                "key": key,
                "name": draw(_text.filter(lambda s: s.strip() and "\n" not in s and "\r" not in s)),
                "level": level.value,
                "kind": kind.value,
                "responsible": draw(_text.filter(lambda s: "\n" not in s and "\r" not in s)),
                "expected_duration": draw(st.sampled_from([None, "PT2H", "P14D", "P1DT12H"])),
                "description": draw(_text),
            }
        )
    pairs = draw(
        st.lists(
            st.tuples(st.sampled_from(keys), st.sampled_from(keys)).filter(lambda p: p[0] != p[1]),
            unique=True,
            max_size=10,
        )
    )
    transitions = [
        {
            "key": f"t{index}",
            "from": source,
            "to": target,
            "label": "",
            "handover": draw(
                st.sampled_from(
                    [
                        None,
                        {
                            "sender_role": "ward nurse",
                            "receiver_role": "home nursing",
                            "messages": ["LOG_UTSKREVET"],
                            "deadline": "PT0H",
                            "checklist": [
                                {
                                    "key": "a",
                                    "text": "Å sende",
                                    "side": "sender",
                                    "required": True,
                                    "due": None,
                                }
                            ],
                        },
                    ]
                )
            ),
        }
        for index, (source, target) in enumerate(pairs)
    ]
    return {
        "format": "hjem-til-hjem/pathway",
        "format_version": 1,
        "pathway": {
            "title": "T",
            "description": draw(_text),
            "target_group": "",
            "agreement_ref": "",
            "review_due": None,
        },
        "steps": steps,
        "transitions": transitions,
    }


@settings(max_examples=60, deadline=None)
@given(documents())
def test_any_valid_document_round_trips(data: dict[str, Any]) -> None:
    first = dump_document(parse_document(json.dumps(data)))
    assert dump_document(parse_document(first)) == first
    assert json.loads(first)["steps"] == data["steps"]
