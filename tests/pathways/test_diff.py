"""The diff names what changed, down to handover fields and checklist items."""

from __future__ import annotations

import dataclasses

from pathways.diff import diff_pathways
from pathways.document import parse_document
from pathways.model import ChecklistItem, Side


def test_identical_pathways_have_an_empty_diff(example_bytes: bytes) -> None:
    pathway = parse_document(example_bytes)
    diff = diff_pathways(pathway, pathway)
    assert diff["pathway"] == {}
    assert diff["rules"] == {}
    assert diff["steps"] == {"added": [], "removed": [], "changed": []}
    assert diff["transitions"] == {"added": [], "removed": [], "changed": []}


def test_changes_added_removed_and_checklist_items(example_bytes: bytes) -> None:
    before = parse_document(example_bytes)
    steps = tuple(
        dataclasses.replace(s, name="Akuttmottak") if s.key == "ed" else s
        for s in before.steps
        if s.key != "short-term-bed"
    )
    transitions = []
    for t in before.transitions:
        if "short-term-bed" in (t.source, t.target):
            continue
        if t.key == "admit" and t.handover is not None:
            items = (
                *t.handover.checklist[1:],
                ChecklistItem("new", "New item", Side.RECEIVER, True, "PT2H"),
            )
            t = dataclasses.replace(
                t, handover=dataclasses.replace(t.handover, deadline="PT2H", checklist=items)
            )
        transitions.append(t)
    after = dataclasses.replace(before, steps=steps, transitions=tuple(transitions))
    diff = diff_pathways(before, after)
    assert [s["key"] for s in diff["steps"]["removed"]] == ["short-term-bed"]
    assert diff["steps"]["changed"] == [
        {"key": "ed", "fields": {"name": {"from": "Emergency department", "to": "Akuttmottak"}}}
    ]
    assert sorted(t["key"] for t in diff["transitions"]["removed"]) == [
        "rehab-done",
        "to-short-term",
    ]
    [admit] = diff["transitions"]["changed"]
    assert admit["fields"] == {}
    assert admit["handover"]["fields"] == {"deadline": {"from": "PT1H", "to": "PT2H"}}
    assert [i["key"] for i in admit["handover"]["checklist"]["added"]] == ["new"]
    assert [i["key"] for i in admit["handover"]["checklist"]["removed"]] == ["referral"]
    back = diff_pathways(after, before)
    assert [s["key"] for s in back["steps"]["added"]] == ["short-term-bed"]
