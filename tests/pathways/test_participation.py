"""Authorship by content, the pure part: elements, their writers, the shares."""

from __future__ import annotations

from datetime import date

from pathways.model import (
    ChecklistItem,
    Handover,
    Level,
    PathwayInfo,
    RuleSettings,
    Side,
    Step,
    StepKind,
    Transition,
)
from pathways.participation import (
    Share,
    content_shares,
    description_elements,
    rewrite_writers,
    step_elements,
    transition_elements,
)

H, K = Level.HOSPITAL, Level.MUNICIPALITY
HANDOVER = Handover(
    sender_role="ward nurse",
    receiver_role="home nursing",
    messages=("LOG_UTSKRIVNINGSKLAR", "EPIKRISE"),
    deadline="PT0H",
    checklist=(
        ChecklistItem("med-list", "Medication list sent", Side.SENDER),
        ChecklistItem("visit", "First visit planned", Side.RECEIVER, due="PT12H"),
    ),
)
DISCHARGE = Transition("discharge", "ward", "home", label="Ready", handover=HANDOVER)


def test_content_shares_per_organisation_and_level() -> None:
    by_org, by_level = content_shares({1: 3, 2: 40, 3: 6, 4: 0}, {1: H, 2: K, 3: K, 4: H})
    assert by_org == {
        1: Share(3, 0.0612),
        2: Share(40, 0.8163),
        3: Share(6, 0.1224),
        4: Share(0, 0.0),
    }
    assert by_level == {H: Share(3, 0.0612), K: Share(46, 0.9388)}


def test_both_levels_are_always_present_and_an_empty_draft_shares_nothing() -> None:
    assert content_shares({}, {}) == ({}, {H: Share(0, 0.0), K: Share(0, 0.0)})
    _, by_level = content_shares({7: 5}, {7: K})
    assert by_level == {H: Share(0, 0.0), K: Share(5, 1.0)}


def test_an_organisation_of_no_known_level_is_left_out() -> None:
    by_org, by_level = content_shares({1: 1, 2: 3}, {1: H})
    assert by_org == {1: Share(1, 1.0)}
    assert by_level[H] == Share(1, 1.0)


def test_transition_elements_one_per_handover_field_and_checklist_item() -> None:
    elements = transition_elements(DISCHARGE)
    assert list(elements) == [
        "transition",
        "handover.sender_role",
        "handover.receiver_role",
        "handover.messages",
        "handover.deadline",
        "checklist.med-list",
        "checklist.visit",
    ]
    assert list(transition_elements(Transition("t", "a", "b"))) == ["transition"]
    empty = Transition("t", "a", "b", handover=Handover(receiver_role="home nursing"))
    assert list(transition_elements(empty)) == ["transition", "handover.receiver_role"]


def test_description_elements_hold_a_value_and_default_rules_are_none() -> None:
    info = PathwayInfo("Stroke", description="", agreement_ref="Delavtale 5")
    assert list(description_elements(info, RuleSettings())) == ["title", "agreement_ref"]
    full = PathwayInfo("Stroke", "d", "Adults", "Delavtale 5", date(2027, 12, 31))
    rules = RuleSettings(rule_sets=("core", "norway"))
    assert list(description_elements(full, rules)) == [
        "title",
        "description",
        "target_group",
        "agreement_ref",
        "review_due",
        "rules",
    ]
    deadlines = RuleSettings(deadlines={"admission_notice": "PT48H"})
    assert "rules" in description_elements(info, deadlines)


def test_rewrite_keeps_unchanged_writers_and_gives_changes_to_the_writer() -> None:
    before = transition_elements(DISCHARGE)
    writers = dict.fromkeys(before, 1)
    item = ChecklistItem("visit", "First visit within 12 hours", Side.RECEIVER, due="PT12H")
    changed = Transition(
        "discharge",
        "ward",
        "home",
        label="Ready",
        handover=Handover(
            sender_role="ward nurse",
            receiver_role="home nursing",
            messages=("LOG_UTSKRIVNINGSKLAR", "EPIKRISE"),
            deadline=None,
            checklist=(HANDOVER.checklist[0], item, ChecklistItem("gp", "GP told", Side.SENDER)),
        ),
    )
    assert rewrite_writers(before, writers, transition_elements(changed), 2) == {
        "transition": 1,
        "handover.sender_role": 1,
        "handover.receiver_role": 1,
        "handover.messages": 1,
        "checklist.med-list": 1,
        "checklist.visit": 2,
        "checklist.gp": 2,
    }
    assert rewrite_writers(before, writers, before, 2) == writers


def test_an_unchanged_element_of_unknown_writer_stays_unknown() -> None:
    """Content stored before writers were kept: resending it unchanged claims nothing;
    changing it does."""
    assert rewrite_writers({"title": "A"}, {}, {"title": "A"}, 5) == {}
    assert rewrite_writers({"title": "A"}, {}, {"title": "B"}, 5) == {"title": 5}


def test_a_step_is_one_element_of_its_whole_content() -> None:
    step = Step("ward", "Ward", H, StepKind.TREATMENT)
    assert list(step_elements(step)) == ["step"]
    moved = Step("ward", "Ward", K, StepKind.TREATMENT)
    assert step_elements(step) != step_elements(moved)
