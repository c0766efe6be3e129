"""The gap analysis: the ``core`` rules, the catalogue, the order and the API contract."""

from __future__ import annotations

import dataclasses
import doctest
import subprocess
import sys
from collections.abc import Callable
from datetime import timedelta
from importlib.resources import files
from types import ModuleType

import pytest

import pathways.gaps
from pathways.document import dump_document, parse_document
from pathways.errors import InvalidPathway, Violation
from pathways.findings import LANGUAGES, Finding, Severity
from pathways.gaps import (
    DEFAULT_DEADLINES,
    RULES,
    RULES_BY_CODE,
    analysis,
    core,
    find_gaps,
    index,
    messages,
    norway,
    resolve_deadlines,
    rules,
    validate_rule_settings,
)
from pathways.gaps.messages import HANDOVER_PARTS
from pathways.model import (
    RULE_SETS,
    ChecklistItem,
    Handover,
    Level,
    Pathway,
    PathwayInfo,
    RuleSettings,
    Side,
    Step,
    StepKind,
    Transition,
)
from pathways.validation import validate_pathway
from pathways.wording import duration_text

H, M = Level.HOSPITAL, Level.MUNICIPALITY

COMPLETE = Handover(
    sender_role="ward nurse",
    receiver_role="home nursing",
    messages=("LOG_UTSKREVET",),
    deadline="PT0H",
    checklist=(
        ChecklistItem("send", "Send the discharge report", Side.SENDER, True, "PT0H"),
        ChecklistItem("receive", "Plan the first home visit", Side.RECEIVER, True, "PT12H"),
    ),
)

CORE_CODES = (
    "no-home-start",
    "no-home-end",
    "unreachable-step",
    "dead-end",
    "missing-handover",
    "incomplete-handover",
    "single-level",
    "unowned-step",
    "decision-without-alternatives",
    "missing-agreed-item",
)
NORWAY_CODES = (
    "no-admission-notice",
    "no-admission-information",
    "no-ready-notice",
    "no-municipal-reply",
    "no-discharge-information",
    "no-health-information",
    "no-discharged-notice",
    "no-withdrawal-notice",
    "no-gp-follow-up",
    "no-readmission-path",
)
BOTH = RuleSettings(rule_sets=("core", "norway"))


def example() -> Pathway:
    raw = files("pathways.examples").joinpath("hip-fracture.json").read_bytes()
    return parse_document(raw)


def step(
    key: str,
    level: Level = M,
    kind: StepKind = StepKind.OTHER,
    responsible: str = "nurse",
    expected_duration: str | None = None,
) -> Step:
    return Step(
        key, key.replace("-", " ").capitalize(), level, kind, responsible, expected_duration
    )


def home(key: str) -> Step:
    return step(key, M, StepKind.HOME, "home nursing")


def go(source: str, target: str, handover: Handover | None = None, key: str = "") -> Transition:
    return Transition(key or f"{source}--{target}", source, target, handover=handover)


def pathway(
    steps: list[Step], transitions: list[Transition], rules: RuleSettings | None = None
) -> Pathway:
    return Pathway(
        PathwayInfo("Test pathway"), tuple(steps), tuple(transitions), rules or RuleSettings()
    )


def base_steps() -> list[Step]:
    return [
        home("home"),
        step("ed", H, StepKind.ADMISSION, "ED nurse"),
        step("ward", H, StepKind.TREATMENT, "ward nurse"),
        step("home-care", M, StepKind.RECEPTION, "home nursing"),
        home("back-home"),
    ]


def base_transitions() -> list[Transition]:
    return [
        go("home", "ed", COMPLETE, "admit"),
        go("ed", "ward", key="treat"),
        go("ward", "home-care", COMPLETE, "discharge"),
        go("home-care", "back-home", key="settle"),
    ]


def base() -> Pathway:
    """A small, complete home-to-home pathway: no core findings."""
    return pathway(base_steps(), base_transitions())


def codes(findings: list[Finding]) -> list[str]:
    return [found.code for found in findings]


def only(findings: list[Finding], code: str) -> list[Finding]:
    return [found for found in findings if found.code == code]


# --- the API contract -----------------------------------------------------------------


def test_catalogue_lists_every_code_once_with_its_rule_set_and_severity() -> None:
    assert [rule.code for rule in RULES] == [*CORE_CODES, *NORWAY_CODES]
    assert {rule.rule_set for rule in RULES} == set(RULE_SETS)
    assert all(rule.rule_set == "core" for rule in RULES if rule.code in CORE_CODES)
    warnings = {rule.code for rule in RULES if rule.severity is Severity.WARNING}
    assert warnings == {
        "unowned-step",
        "decision-without-alternatives",
        "missing-agreed-item",
        "no-admission-information",
        "no-health-information",
        "no-discharged-notice",
        "no-withdrawal-notice",
        "no-gp-follow-up",
        "no-readmission-path",
    }
    assert all(rule.severity in (Severity.ERROR, Severity.WARNING) for rule in RULES)
    assert RULES_BY_CODE["dead-end"].severity is Severity.ERROR
    for rule in RULES:
        assert set(rule.summary) == set(LANGUAGES)
        assert rule.summary["en"] != rule.summary["nb"]


def test_default_deadlines_are_named_durations() -> None:
    assert dict(DEFAULT_DEADLINES) == {
        "admission_notice": "PT24H",
        "ready_notice": "PT0H",
        "municipal_reply": "PT0H",
        "discharge_information": "PT0H",
        "discharged_notice": "PT0H",
        "gp_follow_up": "P14D",
    }
    resolved = resolve_deadlines(RuleSettings())
    assert resolved["gp_follow_up"].days == 14
    assert resolved["admission_notice"].total_seconds() == 24 * 3600
    with pytest.raises(TypeError):
        DEFAULT_DEADLINES["ready_notice"] = "PT1H"  # type: ignore[index]


def test_empty_pathway_has_no_home_to_start_from_or_return_to() -> None:
    findings = find_gaps(pathway([], []))
    assert codes(findings) == ["no-home-start", "no-home-end"]
    assert all(found.severity is Severity.ERROR for found in findings)
    assert all(found.steps == () and found.transitions == () for found in findings)


def test_complete_pathway_has_no_findings() -> None:
    assert find_gaps(base()) == []


def test_example_has_no_findings_under_default_rules() -> None:
    assert find_gaps(example()) == []


def test_rules_none_means_the_pathways_own_rules() -> None:
    incomplete = dataclasses.replace(base(), rules=RuleSettings(rule_sets=()))
    assert find_gaps(incomplete) == []
    assert find_gaps(incomplete, rules=RuleSettings()) == []
    with_norway = dataclasses.replace(example(), rules=BOTH)
    assert find_gaps(with_norway) == find_gaps(example(), rules=BOTH) != []
    assert find_gaps(with_norway, rules=RuleSettings()) == []


def test_core_can_be_switched_off() -> None:
    assert find_gaps(pathway([], []), rules=RuleSettings(rule_sets=())) == []
    assert find_gaps(pathway([], []), rules=RuleSettings(rule_sets=("norway",))) == []


def test_bad_rule_settings_are_refused_with_their_location() -> None:
    bad = RuleSettings(
        rule_sets=("core", "sweden"),
        deadlines={"admission_notice": "P1Y", "coffee_break": "PT15M", "ready_notice": "PT2H"},
    )
    violations = validate_rule_settings(bad)
    assert [violation.loc for violation in violations] == [
        ("rules", "rule_sets", 1),
        ("rules", "deadlines", "admission_notice"),
        ("rules", "deadlines", "coffee_break"),
    ]
    assert "sweden" in violations[0].message
    assert "coffee_break" in violations[2].message
    with pytest.raises(InvalidPathway) as raised:
        find_gaps(base(), rules=bad)
    assert raised.value.violations == tuple(violations)
    assert validate_rule_settings(BOTH) == []
    assert validate_rule_settings(RuleSettings(deadlines=dict(DEFAULT_DEADLINES))) == []


def test_a_deadline_that_is_not_text_is_refused() -> None:
    settings = RuleSettings(deadlines={"gp_follow_up": 14})  # type: ignore[dict-item]
    assert validate_rule_settings(settings) == [
        Violation(
            ("rules", "deadlines", "gp_follow_up"), "must be an ISO 8601 duration such as PT24H"
        )
    ]


# --- one literal graph per rule: one that triggers it, one that does not ----------------


def test_no_home_start() -> None:
    steps = base_steps()
    steps[0] = step("home", M, StepKind.ASSESSMENT, "legevakt doctor")
    findings = find_gaps(pathway(steps, base_transitions()))
    assert codes(findings) == ["no-home-start"]
    assert "no-home-start" not in codes(find_gaps(base()))


def test_no_home_end_when_no_home_step_is_entered() -> None:
    steps = base_steps()
    steps[4] = step("back-home", M, StepKind.FOLLOW_UP, "fastlege")
    findings = find_gaps(pathway(steps, base_transitions()))
    assert codes(findings) == ["no-home-end"]


def test_no_home_end_when_the_only_home_end_cannot_be_reached() -> None:
    steps = [*base_steps(), step("orphan", M, StepKind.OTHER)]
    transitions = base_transitions()
    transitions[3] = go("orphan", "back-home", key="settle")
    findings = find_gaps(pathway(steps, transitions))
    assert "no-home-end" in codes(findings)
    # Everything the patient reaches is stuck, and the orphan cannot be reached.
    assert [found.steps for found in only(findings, "dead-end")] == [
        ("home",),
        ("ed",),
        ("ward",),
        ("home-care",),
    ]
    assert [found.steps for found in only(findings, "unreachable-step")] == [
        ("back-home",),
        ("orphan",),
    ]


def test_no_home_end_is_not_claimed_when_only_the_start_is_missing() -> None:
    steps = base_steps()
    steps[0] = step("home", M, StepKind.ASSESSMENT)
    assert "no-home-end" not in codes(find_gaps(pathway(steps, base_transitions())))


def test_unreachable_step() -> None:
    steps = [*base_steps(), step("day-centre", M, StepKind.OTHER, "day centre staff")]
    transitions = [*base_transitions(), go("day-centre", "back-home", key="from-day-centre")]
    findings = find_gaps(pathway(steps, transitions))
    assert codes(findings) == ["unreachable-step"]
    (found,) = findings
    assert found.steps == ("day-centre",)
    assert "«Day centre» (day-centre)" in found.messages["en"]
    assert "«Day centre» (day-centre)" in found.messages["nb"]


def test_dead_end() -> None:
    steps = [*base_steps(), step("waiting", H, StepKind.DISCHARGE, "ward nurse")]
    transitions = [*base_transitions(), go("ward", "waiting", key="ready")]
    findings = find_gaps(pathway(steps, transitions))
    assert codes(findings) == ["dead-end"]
    assert findings[0].steps == ("waiting",)
    assert "stuck" in findings[0].messages["en"]
    assert "fast" in findings[0].messages["nb"]


def test_a_step_with_no_transitions_is_unreachable_and_a_dead_end() -> None:
    steps = [*base_steps(), step("island", H)]
    findings = find_gaps(pathway(steps, base_transitions()))
    assert codes(findings) == ["unreachable-step", "dead-end"]


def test_missing_handover() -> None:
    transitions = base_transitions()
    transitions[0] = go("home", "ed", None, "admit")
    findings = find_gaps(pathway(base_steps(), transitions))
    assert codes(findings) == ["missing-handover"]
    (found,) = findings
    assert found.transitions == ("admit",)
    assert found.steps == ("home", "ed")
    assert "(admit)" in found.messages["en"]
    assert "overlevering" in found.messages["nb"]


def test_a_transition_within_one_level_needs_no_handover() -> None:
    assert only(find_gaps(base()), "missing-handover") == []
    transitions = base_transitions()
    transitions[1] = go("ed", "ward", Handover(sender_role="ED nurse"), "treat")
    assert find_gaps(pathway(base_steps(), transitions)) == []


@pytest.mark.parametrize(
    ("part", "change"),
    [
        ("sender_role", {"sender_role": "  "}),
        ("receiver_role", {"receiver_role": ""}),
        ("messages", {"messages": ()}),
        ("deadline", {"deadline": None}),
        ("sender_checklist", {"checklist": COMPLETE.checklist[1:]}),
        ("receiver_checklist", {"checklist": COMPLETE.checklist[:1]}),
    ],
)
def test_incomplete_handover_says_which_part_is_missing(
    part: str, change: dict[str, object]
) -> None:
    transitions = base_transitions()
    handover = dataclasses.replace(COMPLETE, **change)  # type: ignore[arg-type]
    transitions[2] = go("ward", "home-care", handover, "discharge")
    findings = find_gaps(pathway(base_steps(), transitions))
    assert codes(findings) == ["incomplete-handover"]
    (found,) = findings
    assert found.transitions == ("discharge",)
    assert found.steps == ("ward", "home-care")
    for language in LANGUAGES:
        assert HANDOVER_PARTS[part][language] in found.messages[language]
    others = [name for name in HANDOVER_PARTS if name != part]
    assert not any(HANDOVER_PARTS[name]["en"] in found.messages["en"] for name in others)


def test_incomplete_handover_lists_every_missing_part_in_one_finding() -> None:
    transitions = base_transitions()
    transitions[2] = go("ward", "home-care", Handover(), "discharge")
    (found,) = find_gaps(pathway(base_steps(), transitions))
    assert found.code == "incomplete-handover"
    assert core.missing_handover_parts(Handover()) == list(HANDOVER_PARTS)
    assert found.messages["en"].endswith(
        "the sender's role, the receiver's role, the messages to send, a deadline, "
        "checklist items for the sender and checklist items for the receiver."
    )
    assert found.messages["nb"].endswith(
        "avsenderens rolle, mottakerens rolle, meldingene som skal sendes, en frist, "
        "sjekkpunkter for avsenderen og sjekkpunkter for mottakeren."
    )


def test_single_level() -> None:
    steps = [home("home"), step("home-care", M, StepKind.RECEPTION), home("back-home")]
    transitions = [go("home", "home-care"), go("home-care", "back-home")]
    findings = find_gaps(pathway(steps, transitions))
    assert codes(findings) == ["single-level"]
    assert "municipality" in findings[0].messages["en"]
    assert "kommunen" in findings[0].messages["nb"]
    assert only(find_gaps(base()), "single-level") == []


def test_unowned_step() -> None:
    steps = base_steps()
    steps[2] = step("ward", H, StepKind.TREATMENT, responsible=" ")
    findings = find_gaps(pathway(steps, base_transitions()))
    assert codes(findings) == ["unowned-step"]
    assert findings[0].severity is Severity.WARNING
    assert findings[0].steps == ("ward",)
    assert "fastlege" in findings[0].messages["en"]
    assert "hjemmesykepleien" in findings[0].messages["nb"]


def test_decision_without_alternatives() -> None:
    steps = base_steps()
    steps[2] = step("ward", H, StepKind.DECISION, "ward physician")
    findings = find_gaps(pathway(steps, base_transitions()))
    assert codes(findings) == ["decision-without-alternatives"]
    assert findings[0].severity is Severity.WARNING
    assert "only one outcome" in findings[0].messages["en"]
    assert "bare ett utfall" in findings[0].messages["nb"]
    steps.append(step("nursing-home", M, StepKind.RECEPTION, "nursing home physician"))
    transitions = [
        *base_transitions(),
        go("ward", "nursing-home", COMPLETE, "to-nursing-home"),
        go("nursing-home", "back-home", key="from-nursing-home"),
    ]
    assert find_gaps(pathway(steps, transitions)) == []


def test_decision_with_no_outcome_is_also_a_dead_end() -> None:
    steps = [*base_steps(), step("choose", H, StepKind.DECISION, "ward physician")]
    transitions = [*base_transitions(), go("ward", "choose", key="decide")]
    findings = find_gaps(pathway(steps, transitions))
    assert codes(findings) == ["dead-end", "decision-without-alternatives"]
    assert "no outcome" in findings[1].messages["en"]
    assert "ingen utfall" in findings[1].messages["nb"]


def test_transitions_to_missing_steps_are_ignored() -> None:
    transitions = [*base_transitions(), go("ward", "nowhere", key="dangling")]
    broken = pathway(base_steps(), transitions)
    with pytest.raises(InvalidPathway):
        validate_pathway(broken)
    assert find_gaps(broken) == []


# --- properties of every result --------------------------------------------------------


def messy() -> Pathway:
    """A pathway with a finding of every core rule but ``no-home-*`` and single-level."""
    steps = [
        *base_steps(),
        step("waiting", H, StepKind.DECISION, ""),
        step("island", M, StepKind.OTHER),
    ]
    transitions = base_transitions()
    transitions[0] = go("home", "ed", None, "admit")
    transitions[2] = go("ward", "home-care", Handover(sender_role="ward nurse"), "discharge")
    transitions.append(go("ward", "waiting", key="wait"))
    return pathway(steps, transitions)


def test_findings_come_in_a_stable_documented_order() -> None:
    findings = find_gaps(messy())
    assert [(found.code, found.steps, found.transitions) for found in findings] == [
        ("unreachable-step", ("island",), ()),
        ("dead-end", ("waiting",), ()),
        ("dead-end", ("island",), ()),
        ("missing-handover", ("home", "ed"), ("admit",)),
        ("incomplete-handover", ("ward", "home-care"), ("discharge",)),
        ("unowned-step", ("waiting",), ()),
        ("decision-without-alternatives", ("waiting",), ()),
    ]
    order = {rule.code: number for number, rule in enumerate(RULES)}
    keys = [(found.severity.rank, order[found.code]) for found in findings]
    assert keys == sorted(keys)


def test_findings_are_the_same_every_time() -> None:
    first = find_gaps(messy(), rules=BOTH)
    assert find_gaps(messy(), rules=BOTH) == first
    assert find_gaps(dataclasses.replace(messy()), rules=BOTH) == first


@pytest.mark.parametrize("subject", [messy, example, base])
def test_input_is_not_changed(subject: Callable[[], Pathway]) -> None:
    checked = subject()
    before = dump_document(checked)
    copy = dataclasses.replace(checked)
    find_gaps(checked, rules=BOTH)
    assert dump_document(checked) == before
    assert checked == copy


@pytest.mark.parametrize("subject", [messy, example, lambda: pathway([], [])])
def test_every_message_is_in_english_and_bokmal(subject: Callable[[], Pathway]) -> None:
    findings = find_gaps(subject(), rules=BOTH)
    assert findings
    for found in findings:
        assert set(found.messages) == set(LANGUAGES)
        assert found.messages["en"].strip()
        assert found.messages["nb"].strip()
        assert found.messages["en"] != found.messages["nb"]
        assert found.message("nb") == found.messages["nb"]
        assert found.severity is RULES_BY_CODE[found.code].severity


def test_findings_name_steps_by_name_and_key() -> None:
    for found in find_gaps(messy()):
        checked = messy()
        for key in found.steps:
            named = f"«{checked.step(key).name}» ({key})"
            assert named in found.messages["en"]
            assert named in found.messages["nb"]
        for key in found.transitions:
            assert f"({key})" in found.messages["en"]
            assert f"({key})" in found.messages["nb"]


def test_result_is_a_plain_list_of_findings() -> None:
    result = find_gaps(messy())
    assert type(result) is list
    assert all(isinstance(found, Finding) for found in result)


@pytest.mark.parametrize(
    ("hours", "en", "nb"),
    [
        (0, "the same day", "samme dag"),
        (1, "1 hour", "1 time"),
        (24, "24 hours", "24 timer"),
        (48, "48 hours", "48 timer"),
        (14 * 24, "14 days", "14 dager"),
        (14 * 24 + 2, "14 days and 2 hours", "14 dager og 2 timer"),
        (0.5, "30 minutes", "30 minutter"),
    ],
)
def test_durations_read_as_a_nurse_says_them(hours: float, en: str, nb: str) -> None:
    assert duration_text(timedelta(hours=hours), "en") == en
    assert duration_text(timedelta(hours=hours), "nb") == nb


@pytest.mark.parametrize("module", [pathways.gaps, analysis, core, index, messages, norway, rules])
def test_docstring_examples_hold(module: ModuleType) -> None:
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


def test_the_package_imports_neither_fastapi_nor_sqlalchemy() -> None:
    code = (
        "import sys, pathways.gaps; "
        "bad = [m for m in ('fastapi', 'sqlalchemy', 'starlette') if m in sys.modules]; "
        "sys.exit(', '.join(bad) or None)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
