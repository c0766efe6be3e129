"""The Norwegian rules read a pathway as a coordinator means it (native documents).

The COPD pathway of :mod:`tests.coordinator_cases` holds every case the rules used to
misread: case handling during the stay, the ready notice at the *utskrivningsklar*
decision, an outpatient control, death as an outcome, nynorsk and everyday wording. It
has no finding; each variant brings exactly the finding a coordinator would expect.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable

import pytest

from pathways.document import parse_document
from pathways.findings import LANGUAGES, Finding, Severity
from pathways.gaps import RULES_BY_CODE, find_gaps
from pathways.message_catalogue import CATALOGUE, MOMENTS, recognise, spoken_deadline
from pathways.model import AgreedItem, Pathway, Side
from tests import coordinator_cases as cases

ISO_DURATION = re.compile(r"\bP(?:T?\d+[WDHMS])")


def parsed(document: cases.Document) -> Pathway:
    return parse_document(cases.encode(document))


def located(findings: list[Finding]) -> list[tuple[str, tuple[str, ...]]]:
    return [(finding.code, finding.transitions) for finding in findings]


def test_the_copd_pathway_has_no_finding() -> None:
    pathway = parsed(cases.copd())
    assert pathway.rules.rule_sets == ("core", "norway")
    assert find_gaps(pathway) == []


def test_case_handling_during_the_stay_is_no_discharge_and_no_admission() -> None:
    # The allocation office works on the application while the patient is in hospital:
    # no LOG_INNLAGT on its reply, no epikrise or ready notice on the application itself.
    document = cases.copd()
    for transition in document["transitions"]:
        if transition["key"] in {"klar", "svar"}:
            transition["handover"]["messages"] = ["Søknad om tjenester"]
            transition["handover"]["checklist"] = [
                {"key": "sendt", "text": "Søknad sendt", "side": "sender", "required": True},
                {"key": "mottatt", "text": "Søknad mottatt", "side": "receiver", "required": True},
            ]
            transition["handover"]["deadline"] = "PT0H"
    findings = find_gaps(parsed(document))
    # What is missing now is the ready notice and the health information, on the
    # discharges they must precede: never an admission or discharge finding on the
    # case handling itself (and no reply is due where no ready notice was sent).
    assert located(findings) == [
        ("no-ready-notice", ("til-korttid",)),
        ("no-ready-notice", ("til-hjemmesykepleie",)),
        ("no-health-information", ("til-korttid",)),
        ("no-health-information", ("til-hjemmesykepleie",)),
    ]


@pytest.mark.parametrize(
    "change",
    [
        cases.with_a_shared_allocation_office,
        cases.with_a_clinic_that_may_admit,
        cases.with_a_discharge_to_the_gp,
        cases.with_a_notice_without_deadline_inside_the_hospital,
    ],
)
def test_drawn_differently_read_the_same(change: Callable[[cases.Document], None]) -> None:
    assert located(find_gaps(parsed(cases.variant(change)))) == []


def test_the_ready_notice_and_the_reply_count_at_the_decision() -> None:
    pathway = parsed(cases.copd())
    discharges = [t for t in pathway.transitions if t.key in {"til-korttid", "til-hjemmesykepleie"}]
    assert all(
        not recognise(message) & {"LOG_UTSKRIVNINGSKLAR", "LOG_TILBAKEMELDING"}
        for transition in discharges
        for message in transition.handover.messages  # type: ignore[union-attr]
    )
    assert find_gaps(pathway) == []


def test_the_ready_notice_must_come_on_every_way_to_the_discharge() -> None:
    # A second way to the discharge step that skips the decision.
    document = cases.copd()
    document["transitions"].append(
        {"key": "snarvei", "from": "sengepost", "to": "utskrivning", "label": "", "handover": None}
    )
    assert located(find_gaps(parsed(document))) == [
        ("no-ready-notice", ("til-korttid",)),
        ("no-ready-notice", ("til-hjemmesykepleie",)),
        ("no-health-information", ("til-korttid",)),
        ("no-health-information", ("til-hjemmesykepleie",)),
    ]


def test_an_outpatient_control_is_no_stay_but_owes_the_gp_a_note() -> None:
    pathway = parsed(cases.copd())
    assert [f for f in find_gaps(pathway) if "kontroll" in f.transitions] == []
    findings = find_gaps(parsed(cases.variant(cases.without_outpatient_note)))
    (finding,) = findings
    assert located(findings) == [("no-discharge-information", ("etter-kontroll",))]
    assert "poliklinisk notat til fastlegen" in finding.message("nb")
    assert "LOG_INNLAGT" not in finding.message("nb")


def test_death_is_an_outcome_not_a_dead_end() -> None:
    pathway = parsed(cases.copd())
    assert "dod" in {step.key for step in pathway.steps}
    as_other = cases.copd()
    for step in as_other["steps"]:
        if step["key"] == "dod":
            step["kind"] = "other"
    assert located(find_gaps(parsed(as_other))) == [("dead-end", ())]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (cases.without_admission_report, [("no-admission-information", ("reinnlegges",))]),
        (cases.without_withdrawal, [("no-withdrawal-notice", ("klar",))]),
        (
            cases.without_health_information,
            [
                ("no-health-information", ("til-korttid",)),
                ("no-health-information", ("til-hjemmesykepleie",)),
            ],
        ),
        (cases.without_discharged_notice, [("no-discharged-notice", ("til-korttid",))]),
        (cases.with_a_check_that_is_no_notice, [("no-admission-notice", ("henvises",))]),
        (
            cases.readmitted_from_short_term_without_report,
            [("no-admission-information", ("korttid-reinnlegges",))],
        ),
        (
            cases.with_a_feedback_that_is_no_reply,
            [
                ("no-municipal-reply", ("til-korttid",)),
                ("no-municipal-reply", ("til-hjemmesykepleie",)),
            ],
        ),
        (
            cases.straight_home_without_epikrise,
            # Home is one place: the way back starts at home.
            [
                ("no-discharge-information", ("hjem-uten-tjenester",)),
                ("no-gp-follow-up", ("hjem-uten-tjenester",)),
            ],
        ),
    ],
)
def test_each_gap_is_found_where_it_is(
    change: Callable[[cases.Document], None], expected: list[tuple[str, tuple[str, ...]]]
) -> None:
    findings = find_gaps(parsed(cases.variant(change)))
    assert located(findings) == expected
    for finding in findings:
        assert finding.severity is RULES_BY_CODE[finding.code].severity


def test_straight_home_owes_the_epikrise_but_not_the_municipal_notices() -> None:
    findings = find_gaps(parsed(cases.variant(cases.straight_home_without_epikrise)))
    (information,) = [f for f in findings if f.code == "no-discharge-information"]
    assert "epikrise" in information.message("nb")
    assert "legemiddelliste" not in information.message("nb")


def test_the_agreements_required_items_are_checked_on_their_kind_of_handover() -> None:
    pathway = parsed(cases.copd())
    kin = AgreedItem("parorende", "pårørende informert", ("discharge",), Side.SENDER)
    interpreter = AgreedItem("tolk", "behov for tolk", ("admission",))
    rules = dataclasses.replace(pathway.rules, required_items=(kin, interpreter))
    findings = find_gaps(pathway, rules=rules)
    assert located(findings) == [
        ("missing-agreed-item", ("innlegges",)),
        ("missing-agreed-item", ("henvises",)),
        ("missing-agreed-item", ("til-korttid",)),
        ("missing-agreed-item", ("til-hjemmesykepleie",)),
        ("missing-agreed-item", ("reinnlegges",)),
    ]
    assert all(f.severity is Severity.WARNING for f in findings)
    assert "«pårørende informert»" in findings[2].message("nb")
    # Said in the coordinator's own words, on the agreed side, it is there.
    document = cases.copd()
    for transition in document["transitions"]:
        if transition["key"] == "til-korttid":
            transition["handover"]["checklist"].append(
                {"key": "kin", "text": "Pårørende informert om utskrivningen", "side": "sender"}
            )
        if transition["key"] == "til-hjemmesykepleie":
            transition["handover"]["checklist"].append(
                {"key": "kin", "text": "Pårørende informert", "side": "receiver"}
            )
    findings = find_gaps(parsed(document), rules=dataclasses.replace(rules, required_items=(kin,)))
    assert located(findings) == [("missing-agreed-item", ("til-hjemmesykepleie",))]
    # In any order and form, nynorsk too; a word of the agreed text missing is not enough.
    for text, counts in (
        ("Informer pårørande", True),
        ("Pårørende er informerte", True),
        ("Pårørende", False),
    ):
        for transition in document["transitions"]:
            if transition["key"] == "til-hjemmesykepleie":
                transition["handover"]["checklist"][-1] = {
                    "key": "kin",
                    "text": text,
                    "side": "sender",
                }
        findings = find_gaps(
            parsed(document), rules=dataclasses.replace(rules, required_items=(kin,))
        )
        assert (findings == []) is counts, text


def test_severities_are_data() -> None:
    pathway = parsed(cases.variant(cases.without_discharged_notice))
    stricter = dataclasses.replace(pathway.rules, severities={"no-discharged-notice": "error"})
    (finding,) = find_gaps(pathway, rules=stricter)
    assert finding.severity is Severity.ERROR
    quiet = dataclasses.replace(pathway.rules, severities={"no-discharged-notice": "info"})
    assert [f.severity for f in find_gaps(pathway, rules=quiet)] == [Severity.INFO]


# --- the catalogue and the words -------------------------------------------------------


def test_the_catalogue_is_data_for_every_national_message() -> None:
    codes = [message.code for message in CATALOGUE]
    assert len(codes) == len(set(codes))
    for wanted in (
        "LOG_INNLAGT",
        "HELSEOPPL_SOKNAD",
        "LOG_UTSKRIVNINGSKLAR",
        "LOG_TILBAKEMELDING",
        "LOG_AVMELDING",
        "EPIKRISE",
        "LOG_UTSKREVET",
        "LOG_DOD",
        "INNLEGGELSESRAPPORT",
        "LEGEMIDDELLISTE",
        "POLIKLINISK_NOTAT",
    ):
        assert wanted in codes
    for message in CATALOGUE:
        assert set(message.names) == set(LANGUAGES)
        assert message.moment in MOMENTS
        assert recognise(message.code) == {message.code}
        for term in message.terms:
            assert message.code in recognise(term), term


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("Melding om innlagd pasient", {"LOG_INNLAGT"}),
        (
            "Pasienten er utskrivingsklar: melding om utskrivingsklar pasient",
            {"LOG_UTSKRIVNINGSKLAR"},
        ),
        ("Melding om utskriven pasient", {"LOG_UTSKREVET"}),
        ("Medisinkort sendt med pasienten", {"LEGEMIDDELLISTE"}),
        ("Oppdatert legemiddelliste", {"LEGEMIDDELLISTE"}),
        ("Kommunen svarer same dag", {"LOG_TILBAKEMELDING"}),
        ("Kommunen svarar", {"LOG_TILBAKEMELDING"}),
        ("log_innlagt", {"LOG_INNLAGT"}),
        ("Sjekk om pasienten har vært innlagt siste 30 dager", set()),
        ("Sykepleieepikrise", {"UTSKRIVNINGSRAPPORT"}),
        ("Pasienten er innlagt", set()),
        ("Epikrisen og legemiddellista sendt", {"EPIKRISE", "LEGEMIDDELLISTE"}),
        ("Helseopplysningene sendt tildelingskontoret", {"HELSEOPPL_SOKNAD"}),
        ("Pasienten meldes utskrivningsklar", {"LOG_UTSKRIVNINGSKLAR"}),
        ("Utskrivningsklar-melding sendt", {"LOG_UTSKRIVNINGSKLAR"}),
        ("Avklar om innlagt pasient har kommunale tjenester", set()),
        ("Gi tilbakemelding til fastlegen", set()),
        ("Sjekk at pasienten er utskrevet med resepter", set()),
        ("Tilbakemelding på mottak av utskrivningsklar pasient", {"LOG_TILBAKEMELDING"}),
    ],
)
def test_free_text_is_matched_by_words_not_substrings(text: str, codes: set[str]) -> None:
    assert recognise(text) == codes


def test_deadlines_said_in_words() -> None:
    assert spoken_deadline("Svar same dag") == spoken_deadline("samme dag") is not None
    assert spoken_deadline("innen 24 timer").total_seconds() == 24 * 3600  # type: ignore[union-attr]
    assert spoken_deadline("innan 3 dagar").days == 3  # type: ignore[union-attr]
    assert spoken_deadline("Pårørende informert") is None
    assert spoken_deadline("Melding sendes innen ett døgn").days == 1  # type: ignore[union-attr]
    assert spoken_deadline("innan to veker").days == 14  # type: ignore[union-attr]
    assert spoken_deadline("senest utskrivningsdagen") == spoken_deadline("ved utskrivning")
    assert spoken_deadline("ved utskrivning") is not None
    assert spoken_deadline("Svar ikke samme dag, men neste virkedag") is None


def test_messages_say_deadlines_as_people_do_in_three_languages() -> None:
    checked = [
        *find_gaps(parsed(cases.variant(cases.without_discharged_notice))),
        *find_gaps(parsed(cases.variant(cases.with_a_check_that_is_no_notice))),
        *find_gaps(parsed(cases.variant(cases.without_outpatient_note))),
    ]
    for finding in checked:
        for language in LANGUAGES:
            assert ISO_DURATION.search(finding.message(language)) is None, finding.message(language)
    notice = next(f for f in checked if f.code == "no-admission-notice")
    assert "innen 24 timer etter innleggelsen" in notice.message("nb")
    assert "innan 24 timar etter innlegginga" in notice.message("nn")
    assert "within 24 hours after the admission" in notice.message("en")
    discharged = next(f for f in checked if f.code == "no-discharged-notice")
    assert "samme dag som utskrivningen" in discharged.message("nb")
    assert "same dag som utskrivinga" in discharged.message("nn")


def test_two_missing_things_are_them() -> None:
    document = cases.copd()
    for transition in document["transitions"]:
        if transition["key"] == "til-korttid":
            transition["handover"]["messages"] = ["UTSKRIVNINGSRAPPORT", "LOG_UTSKREVET"]
            transition["handover"]["checklist"] = [
                {"key": "rapport", "text": "Rapport sendt", "side": "sender"},
                {"key": "klar", "text": "Rom klart", "side": "receiver"},
            ]
    (finding,) = [f for f in find_gaps(parsed(document)) if f.code == "no-discharge-information"]
    assert "sender verken epikrise eller legemiddelliste" in finding.message("nb")
    assert "Legg dem til" in finding.message("nb")
    assert "Legg dei til" in finding.message("nn")
    assert "Add them" in finding.message("en")
