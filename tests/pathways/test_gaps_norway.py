"""The ``norway`` gap rules: the Norwegian handover rules, with deadlines as data."""

from __future__ import annotations

import dataclasses

import pytest

from pathways.findings import LANGUAGES, Finding, Severity
from pathways.gaps import find_gaps
from pathways.model import (
    ChecklistItem,
    Handover,
    Pathway,
    RuleSettings,
    Side,
    StepKind,
    Transition,
)
from tests.pathways.test_gaps_core import BOTH, NORWAY_CODES, H, M, example, go, home, pathway, step

ADMIT = Handover(
    sender_role="home nursing",
    receiver_role="ED nurse",
    messages=("INNLEGGELSESRAPPORT", "LOG_INNLAGT"),
    deadline="PT24H",
    checklist=(
        ChecklistItem("report", "Innleggelsesrapport sent", Side.SENDER, True, "PT1H"),
        ChecklistItem("triage", "Patient triaged on arrival", Side.RECEIVER, True, "PT1H"),
    ),
)
DISCHARGE = Handover(
    sender_role="ward nurse",
    receiver_role="home nursing",
    messages=(
        "HELSEOPPL_SOKNAD",
        "LOG_UTSKRIVNINGSKLAR",
        "LOG_TILBAKEMELDING",
        "EPIKRISE",
        "LEGEMIDDELLISTE",
        "LOG_UTSKREVET",
    ),
    deadline="PT0H",
    checklist=(
        ChecklistItem("report", "Utskrivningsrapport sent", Side.SENDER, True, "PT0H"),
        ChecklistItem("first-visit", "First home visit planned", Side.RECEIVER, True, "PT12H"),
    ),
)


def clean(
    *,
    admit: Handover | None = ADMIT,
    discharge: Handover | None = DISCHARGE,
    care_kind: StepKind = StepKind.RECEPTION,
    care_duration: str | None = "PT2H",
    gp_responsible: str = "fastlege",
    with_gp: bool = True,
    with_readmission: bool = True,
    deadlines: dict[str, str] | None = None,
) -> Pathway:
    """A pathway that passes every Norwegian rule; each keyword breaks one part of it."""
    care = "home-care" if care_kind is not StepKind.HOME else "home-again"
    after = "gp" if with_gp else care
    steps = [
        home("home"),
        step("ed", H, StepKind.ADMISSION, "ED physician"),
        step("ward", H, StepKind.TREATMENT, "ward nurse"),
        step(care, M, care_kind, "home nursing", care_duration),
        step("gp", M, StepKind.FOLLOW_UP, gp_responsible, "PT30M"),
        home("back-home"),
    ]
    transitions = [
        go("home", "ed", admit, "admit"),
        go("ed", "ward", key="treat"),
        go("ward", care, discharge, "discharge"),
        go(care, "gp", key="to-gp"),
        go(after, "back-home", key="settled"),
    ]
    if not with_gp:
        del steps[4], transitions[3]
    if with_readmission:
        transitions.append(go(after, "ed", ADMIT, "readmit"))
    return pathway(steps, transitions, RuleSettings(("core", "norway"), deadlines or {}))


def found(checked: Pathway, code: str) -> list[Finding]:
    return [finding for finding in find_gaps(checked) if finding.code == code]


def norway_codes(checked: Pathway) -> list[str]:
    return [finding.code for finding in find_gaps(checked) if finding.code in NORWAY_CODES]


def item(key: str, text: str, side: Side, due: str | None, required: bool = True) -> ChecklistItem:
    return ChecklistItem(key, text, side, required, due)


def with_items(handover: Handover, *items: ChecklistItem) -> Handover:
    return dataclasses.replace(handover, checklist=(*handover.checklist, *items))


def without(handover: Handover, message: str) -> Handover:
    kept = tuple(code for code in handover.messages if code != message)
    return dataclasses.replace(handover, messages=kept)


def test_the_clean_pathway_passes_every_rule() -> None:
    assert find_gaps(clean()) == []


def test_the_norway_rules_are_off_by_default() -> None:
    broken = clean(admit=without(ADMIT, "LOG_INNLAGT"), with_gp=False, with_readmission=False)
    assert norway_codes(broken)
    assert find_gaps(broken, rules=RuleSettings()) == []


def test_severities() -> None:
    broken = clean(
        admit=without(ADMIT, "LOG_INNLAGT"),
        discharge=Handover(sender_role="ward nurse"),
        with_gp=False,
        with_readmission=False,
    )
    severities = {finding.code: finding.severity for finding in find_gaps(broken)}
    assert severities["no-admission-notice"] is Severity.ERROR
    assert severities["no-ready-notice"] is Severity.ERROR
    assert severities["no-discharge-information"] is Severity.ERROR
    assert severities["no-gp-follow-up"] is Severity.WARNING
    assert severities["no-readmission-path"] is Severity.WARNING


# --- no-admission-notice ---------------------------------------------------------------


def test_admission_without_log_innlagt() -> None:
    (finding,) = found(clean(admit=without(ADMIT, "LOG_INNLAGT")), "no-admission-notice")
    assert finding.transitions == ("admit",)
    assert finding.steps == ("home", "ed")
    assert "LOG_INNLAGT" in finding.messages["en"]
    assert "melding om innlagt pasient" in finding.messages["nb"]
    assert "24 timer" in finding.messages["nb"]
    assert "24 hours" in finding.messages["en"]


def test_admission_notice_too_late() -> None:
    late = dataclasses.replace(ADMIT, deadline="P2D")
    assert norway_codes(clean(admit=late)) == ["no-admission-notice"]
    assert norway_codes(clean(admit=late, deadlines={"admission_notice": "P3D"})) == []


def test_admission_notice_as_a_hospital_checklist_item() -> None:
    notice = item("notify", "Melding om innlagt pasient sendt kommunen", Side.RECEIVER, "PT24H")
    admit = with_items(without(ADMIT, "LOG_INNLAGT"), notice)
    assert norway_codes(clean(admit=admit)) == []


@pytest.mark.parametrize(
    "notice",
    [
        item("notify", "Melding om innlagt pasient", Side.SENDER, "PT24H"),
        item("notify", "Melding om innlagt pasient", Side.RECEIVER, "PT24H", required=False),
        item("notify", "Melding om innlagt pasient", Side.RECEIVER, None),
        item("notify", "Melding om innlagt pasient", Side.RECEIVER, "PT36H"),
    ],
    ids=["sender-side", "optional", "no-due", "too-late"],
)
def test_admission_notice_checklist_items_that_do_not_count(notice: ChecklistItem) -> None:
    admit = with_items(without(ADMIT, "LOG_INNLAGT"), notice)
    assert norway_codes(clean(admit=admit)) == ["no-admission-notice"]


def test_no_admission_notice_needed_when_the_patient_goes_straight_home() -> None:
    straight_home = clean(admit=without(ADMIT, "LOG_INNLAGT"), care_kind=StepKind.HOME)
    assert found(straight_home, "no-admission-notice") == []


def test_admission_without_a_handover_needs_the_notice_too() -> None:
    checked = clean(admit=None)
    assert [finding.code for finding in find_gaps(checked)] == [
        "missing-handover",
        "no-admission-notice",
    ]


# --- no-ready-notice -------------------------------------------------------------------


def test_discharge_without_log_utskrivningsklar() -> None:
    checked = clean(discharge=without(DISCHARGE, "LOG_UTSKRIVNINGSKLAR"))
    assert norway_codes(checked) == ["no-ready-notice"]
    (finding,) = found(checked, "no-ready-notice")
    assert finding.transitions == ("discharge",)
    assert finding.steps == ("ward", "home-care")
    assert "LOG_UTSKRIVNINGSKLAR" in finding.messages["en"]
    assert "utskrivningsklar pasient" in finding.messages["nb"]
    assert "samme dag" in finding.messages["nb"]


def test_ready_notice_deadline_is_data() -> None:
    slow = dataclasses.replace(DISCHARGE, deadline="PT24H")
    assert "no-ready-notice" in norway_codes(clean(discharge=slow))
    lenient = {
        "ready_notice": "PT24H",
        "municipal_reply": "PT24H",
        "discharge_information": "P1D",
        "discharged_notice": "PT24H",
    }
    assert norway_codes(clean(discharge=slow, deadlines=lenient)) == []


def test_ready_notice_as_a_sender_checklist_item() -> None:
    notice = item("ready", "Melding om utskrivningsklar pasient", Side.SENDER, "PT0H")
    discharge = with_items(without(DISCHARGE, "LOG_UTSKRIVNINGSKLAR"), notice)
    assert norway_codes(clean(discharge=discharge)) == []


def test_no_ready_notice_needed_when_the_patient_goes_straight_home() -> None:
    straight_home = clean(discharge=Handover(sender_role="ward nurse"), care_kind=StepKind.HOME)
    assert found(straight_home, "no-ready-notice") == []
    # The epikrise to the GP is due whatever the municipal services; the list is not.
    (finding,) = found(straight_home, "no-discharge-information")
    assert "epikrise" in finding.messages["nb"]
    assert "legemiddelliste" not in finding.messages["nb"]
    epikrise = Handover(sender_role="ward nurse", messages=("EPIKRISE",), deadline="PT0H")
    assert (
        found(clean(discharge=epikrise, care_kind=StepKind.HOME), "no-discharge-information") == []
    )


# --- no-municipal-reply ----------------------------------------------------------------


def test_ready_notice_without_a_reply() -> None:
    checked = clean(discharge=without(DISCHARGE, "LOG_TILBAKEMELDING"))
    assert norway_codes(checked) == ["no-municipal-reply"]
    (finding,) = found(checked, "no-municipal-reply")
    assert finding.transitions == ("discharge",)
    assert "LOG_TILBAKEMELDING" in finding.messages["en"]
    assert "tilbakemelding" in finding.messages["nb"]


def test_reply_as_a_municipal_checklist_item() -> None:
    reply = item("reply", "Kommunen gir tilbakemelding om mottak", Side.RECEIVER, "PT0H")
    discharge = with_items(without(DISCHARGE, "LOG_TILBAKEMELDING"), reply)
    assert norway_codes(clean(discharge=discharge)) == []
    on_the_wrong_side = dataclasses.replace(reply, side=Side.SENDER)
    discharge = with_items(without(DISCHARGE, "LOG_TILBAKEMELDING"), on_the_wrong_side)
    assert norway_codes(clean(discharge=discharge)) == ["no-municipal-reply"]


def test_no_reply_is_asked_for_without_a_ready_notice() -> None:
    bare = without(without(DISCHARGE, "LOG_TILBAKEMELDING"), "LOG_UTSKRIVNINGSKLAR")
    assert norway_codes(clean(discharge=bare)) == ["no-ready-notice"]


# --- no-discharge-information ----------------------------------------------------------


def test_discharge_without_epikrise() -> None:
    (finding,) = found(clean(discharge=without(DISCHARGE, "EPIKRISE")), "no-discharge-information")
    assert finding.transitions == ("discharge",)
    assert "epikrise" in finding.messages["en"]
    assert "medication" not in finding.messages["en"]
    assert "legemiddelliste" not in finding.messages["nb"]


def test_discharge_without_medication_list() -> None:
    checked = clean(discharge=without(DISCHARGE, "LEGEMIDDELLISTE"))
    (finding,) = found(checked, "no-discharge-information")
    assert "medication list" in finding.messages["en"]
    assert "epikrise" not in finding.messages["en"]
    assert "legemiddelliste" in finding.messages["nb"]


def test_discharge_information_as_one_checklist_item() -> None:
    both = item("epikrise", "Epikrise og oppdatert legemiddelliste sendt", Side.SENDER, "PT0H")
    bare = without(without(DISCHARGE, "EPIKRISE"), "LEGEMIDDELLISTE")
    assert norway_codes(clean(discharge=with_items(bare, both))) == []
    late = dataclasses.replace(both, due="PT48H")
    (finding,) = found(clean(discharge=with_items(bare, late)), "no-discharge-information")
    assert "verken epikrise eller legemiddelliste" in finding.messages["nb"]


def test_discharge_without_a_handover_sends_nothing() -> None:
    checked = clean(discharge=None)
    assert [finding.code for finding in find_gaps(checked)] == [
        "missing-handover",
        "no-ready-notice",
        "no-discharge-information",
        "no-health-information",
        "no-discharged-notice",
    ]


# --- no-gp-follow-up -------------------------------------------------------------------


def test_home_without_gp_follow_up() -> None:
    checked = clean(with_gp=False)
    assert norway_codes(checked) == ["no-gp-follow-up"]
    (finding,) = found(checked, "no-gp-follow-up")
    assert finding.severity is Severity.WARNING
    assert finding.transitions == ("discharge",)
    assert "fastlege" in finding.messages["en"]
    assert "fastlegen" in finding.messages["nb"]
    assert "14 dager" in finding.messages["nb"]


def test_a_follow_up_by_someone_else_is_not_a_gp_follow_up() -> None:
    assert norway_codes(clean(gp_responsible="physiotherapist")) == ["no-gp-follow-up"]
    assert norway_codes(clean(gp_responsible="Fastlegen")) == []
    assert norway_codes(clean(gp_responsible="GP")) == []


def test_gp_follow_up_too_late() -> None:
    checked = clean(care_duration="P15D")
    (finding,) = found(checked, "no-gp-follow-up")
    assert "«Gp» (gp)" in finding.messages["en"]
    assert "15 days" in finding.messages["en"]
    assert "15 dager" in finding.messages["nb"]
    assert norway_codes(clean(care_duration="P15D", deadlines={"gp_follow_up": "P21D"})) == []


def test_gp_follow_up_on_one_way_home_only() -> None:
    checked = clean()
    steps = (*checked.steps, home("elsewhere"))
    transitions = (*checked.transitions, Transition("shortcut", "home-care", "elsewhere"))
    checked = dataclasses.replace(checked, steps=steps, transitions=transitions)
    assert norway_codes(checked) == ["no-gp-follow-up"]


# --- no-readmission-path ---------------------------------------------------------------


def test_no_way_back_to_hospital() -> None:
    checked = clean(with_readmission=False)
    assert norway_codes(checked) == ["no-readmission-path"]
    (finding,) = found(checked, "no-readmission-path")
    assert finding.severity is Severity.WARNING
    assert finding.transitions == ("discharge",)
    assert "readmission" in finding.messages["en"]
    assert "reinnleggelse" in finding.messages["nb"]


# --- the shipped example ---------------------------------------------------------------


def test_the_example_under_the_norwegian_rules() -> None:
    findings = find_gaps(example(), rules=BOTH)
    assert [(f.code, f.severity.value, f.transitions) for f in findings] == [
        ("no-municipal-reply", "error", ("to-home-nursing",)),
        # The discharge to home nursing sends no health information; the one to the
        # short-term bed does, but not the notice that the patient has left.
        ("no-health-information", "warning", ("to-home-nursing",)),
        ("no-discharged-notice", "warning", ("to-short-term",)),
        ("no-gp-follow-up", "warning", ("to-short-term",)),
        ("no-readmission-path", "warning", ("to-short-term",)),
        ("no-readmission-path", "warning", ("to-home-nursing",)),
    ]
    # The short-term bed (P14D) and the first home visit (PT2H) come before the GP.
    assert "14 days and 2 hours" in findings[3].messages["en"]
    for finding in findings:
        assert all(finding.messages[language] for language in LANGUAGES)
