"""A history entry's summary in the reader's language: a real bokmål sentence for every
action the services record, the stored English for English readers, and the stored
English for whatever the bokmål cannot be said for (never an error)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from pathways.history_wording import ACTIONS, FIELD_NAMES, Actor, summary_text

HOSPITAL = Actor(1, "Helse Test HF", "hospital")
MUNICIPALITY = Actor(2, "Testvik kommune", "municipality")
SECRETARIAT = Actor(5, "Sekretariatet Helsefellesskap Test", None)

ISO_DURATION = re.compile(r"\bP(?:\d+[YMWD]|T\d)")
CODE = re.compile(r"\b[A-Z]{2,}_[A-Z_]+\b")
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")

SENGEPOST = {
    "key": "sengepost",
    "name": "Sengepost",
    "level": "hospital",
    "kind": "treatment",
    "responsible": "sykepleier",
    "expected_duration": "P3D",
    "description": "",
}
HANDOVER = {
    "sender_role": "sykepleier",
    "receiver_role": "hjemmesykepleien",
    "messages": ["LOG_UTSKREVET", "EPIKRISE"],
    "deadline": "PT24H",
    "checklist": [
        {"key": "med", "text": "Legemiddelliste sendt", "side": "sender", "required": True}
    ],
}
UTSKREVET = {
    "key": "utskrevet",
    "from": "sengepost",
    "to": "hjemme",
    "label": "",
    "handover": HANDOVER,
}
TESTVIK = {
    "organization_id": 2,
    "name": "Testvik kommune",
    "kind": "care_provider",
    "level": "municipality",
}
PATHWAY_INFO = {
    "title": "Hoftebrudd",
    "description": "",
    "target_group": "",
    "agreement_ref": "",
    "review_due": None,
}


def _steps_and_transitions(**changed: list[str]) -> dict[str, Any]:
    def part(prefix: str) -> dict[str, Any]:
        return {
            "added": changed.get(f"{prefix}_added", []),
            "removed": changed.get(f"{prefix}_removed", []),
            "changed": {key: {"name": {}} for key in changed.get(f"{prefix}_changed", [])},
        }

    return {"steps": part("steps"), "transitions": part("transitions")}


# (action, changes, actor, stored English, expected bokmål): each as the services write it.
CASES: list[tuple[str, dict[str, Any], Actor, str, str]] = [
    (
        "pathway.create",
        {"pathway": PATHWAY_INFO, "participant": 1, "partnership_id": None},
        HOSPITAL,
        "Created 'Hoftebrudd'",
        "Opprettet forløpet «Hoftebrudd»",
    ),
    (
        "pathway.import",
        {
            "pathway": PATHWAY_INFO,
            "participant": 1,
            "partnership_id": None,
            "counts": {"steps": 7, "transitions": 1},
        },
        HOSPITAL,
        "Imported with 7 steps and 1 transitions",
        "Importerte forløpet «Hoftebrudd» med 7 steg og 1 overgang",
    ),
    (
        "pathway.borrow",
        {
            "pathway": PATHWAY_INFO,
            "participant": 2,
            "partnership_id": 3,
            "origin": {"pathway_id": 4, "version": 2, "title": "Hoftebrudd", "partnership": {}},
        },
        MUNICIPALITY,
        "Borrowed version 2 of pathway 4 ('Hoftebrudd')",
        "Lånte versjon 2 av forløp 4 («Hoftebrudd»)",
    ),
    (
        "pathway.update",
        {
            "title": {"from": "Hoftebrudd", "to": "Hoftebrudd hos eldre"},
            "review_due": {"from": None, "to": "2027-06-30"},
            "rules": {"from": {}, "to": {}},
        },
        MUNICIPALITY,
        "Changed title, review_due, rules",
        "Endret tittel, revisjonsdato og regler",
    ),
    (
        "graph.replace",
        {
            **_steps_and_transitions(
                steps_added=["kad"], steps_removed=["korttid", "rehab"], transitions_changed=["ut"]
            ),
            "counts": {"steps": 6, "transitions": 5},
        },
        HOSPITAL,
        "Replaced the graph: 6 steps, 5 transitions",
        "Erstattet hele grafen (nå 6 steg og 5 overganger): la til 1 steg, fjernet 2 steg, "
        "endret 1 overgang",
    ),
    (
        "step.add",
        {"step": SENGEPOST},
        HOSPITAL,
        "Added step 'sengepost' (Sengepost, hospital)",
        "La til steget «Sengepost» på sykehuset (behandling)",
    ),
    (
        "step.update",
        {
            "key": "sengepost",
            "fields": {
                "description": {"from": "", "to": "Pasienten ligger på sengepost"},
                "expected_duration": {"from": "P3D", "to": "PT24H"},
                "responsible": {"from": "sykepleier", "to": "lege"},
            },
        },
        MUNICIPALITY,
        "Changed step 'sengepost': description, expected_duration, responsible",
        "Endret steget «sengepost»: beskrivelse, forventet varighet og ansvarlig rolle",
    ),
    (
        "step.delete",
        {"step": SENGEPOST},
        HOSPITAL,
        "Deleted step 'sengepost' (Sengepost)",
        "Slettet steget «Sengepost»",
    ),
    (
        "transition.add",
        {"transition": UTSKREVET, "cross_level": True},
        HOSPITAL,
        "Added transition 'utskrevet': sengepost → hjemme (handover between levels)",
        "La til overgangen «utskrevet»: «sengepost» → «hjemme» (overlevering mellom nivåene)",
    ),
    (
        "transition.update",
        {
            "key": "utskrevet",
            "fields": {"label": {"from": "", "to": "utskrevet"}, "handover": {}},
        },
        MUNICIPALITY,
        "Changed transition 'utskrevet': label, handover",
        "Endret overgangen «utskrevet»: hendelse og overlevering",
    ),
    (
        "transition.delete",
        {"transition": UTSKREVET},
        HOSPITAL,
        "Deleted transition 'utskrevet': sengepost → hjemme",
        "Slettet overgangen «utskrevet»: «sengepost» → «hjemme»",
    ),
    (
        "participant.add",
        {**TESTVIK, "role": "editor"},
        HOSPITAL,
        "Added Testvik kommune (municipality) as editor",
        "La til Testvik kommune (kommune) som redaktør",
    ),
    (
        "participant.role",
        {**TESTVIK, "role": "commenter", "from": "editor"},
        MUNICIPALITY,
        "Testvik kommune (municipality) takes part as commenter, no longer as editor",
        "Testvik kommune (kommune) deltar nå som kommentator, ikke lenger som redaktør",
    ),
    (
        "participant.remove",
        {**TESTVIK, "role": "editor"},
        MUNICIPALITY,
        "Left the pathway: Testvik kommune (municipality)",
        "Testvik kommune (kommune) forlot forløpet",
    ),
    (
        "participant.remove",
        {**TESTVIK, "role": "editor"},
        SECRETARIAT,
        "Removed Testvik kommune (municipality), by Sekretariatet Helsefellesskap Test "
        "(secretariat)",
        "Sekretariatet Helsefellesskap Test fjernet Testvik kommune (kommune) fra forløpet",
    ),
    (
        "pathway.approve",
        {"revision": 8},
        HOSPITAL,
        "Helse Test HF (hospital) approved revision 8",
        "Helse Test HF (sykehus) godkjente revisjon 8",
    ),
    (
        "version.create",
        {"version": 1, "revision": 8, "policy": "one_per_level"},
        MUNICIPALITY,
        "Version 1 approved by both levels (revision 8)",
        "Versjon 1 godkjent av begge nivåene (revisjon 8)",
    ),
    (
        "version.create",
        {"version": 2, "revision": 11, "policy": "every_participant"},
        MUNICIPALITY,
        "Version 2 approved by every participating editor (revision 11)",
        "Versjon 2 godkjent av alle redaktørene som deltar (revisjon 11)",
    ),
    (
        "version.create",
        {"version": 3, "revision": 14, "policy": "decision", "body": "Strategisk samarbeidsutvalg"},
        SECRETARIAT,
        "Version 3 adopted by decision of Strategisk samarbeidsutvalg (revision 14)",
        "Versjon 3 vedtatt av Strategisk samarbeidsutvalg (revisjon 14)",
    ),
    (
        "decision.record",
        {
            "revision": 14,
            "body": "Strategisk samarbeidsutvalg",
            "decided_on": "2026-07-01",
            "reference": "Sak 12/26",
        },
        SECRETARIAT,
        "Decision of Strategisk samarbeidsutvalg on 2026-07-01 (Sak 12/26) recorded for "
        "revision 14",
        "Vedtaket i Strategisk samarbeidsutvalg 1.7.2026 (Sak 12/26) er registrert for revisjon 14",
    ),
    (
        "hearing.open",
        {
            "hearing": 3,
            "revision": 8,
            "invitees": [2, 6],
            "names": ["Testvik kommune", "Brukerutvalget"],
            "deadline": "2026-09-15",
        },
        HOSPITAL,
        "Hearing round 3 opened on revision 8, deadline 2026-09-15: Testvik kommune, "
        "Brukerutvalget",
        "Høring 3 åpnet på revisjon 8, med frist 15.9.2026: Testvik kommune og Brukerutvalget",
    ),
    (
        "hearing.answer",
        {"hearing": 3, "position": "agree_with_remarks", "comments": 2},
        MUNICIPALITY,
        "Testvik kommune (municipality) answered hearing round 3: agree_with_remarks",
        "Testvik kommune (kommune) svarte på høring 3: enig, med merknader",
    ),
    (
        "hearing.reply",
        {"hearing": 3, "organization": 2, "name": "Testvik kommune"},
        HOSPITAL,
        "Helse Test HF (hospital) replied to Testvik kommune in hearing round 3",
        "Helse Test HF (sykehus) svarte på høringssvaret fra Testvik kommune i høring 3",
    ),
    (
        "hearing.close",
        {"hearing": 3, "answered": 2, "unanswered": 1, "disagreements": 1},
        HOSPITAL,
        "Hearing round 3 closed: 2 answered, 1 did not, 1 disagreed",
        "Høring 3 avsluttet: 2 svarte, 1 svarte ikke, 1 var uenig",
    ),
    (
        "partnership.update",
        {
            "partnership_id": 3,
            "approval_policy": {"from": "one_per_level", "to": "decision"},
            "hearing_required": {"from": False, "to": True},
        },
        SECRETARIAT,
        "The agreement of Helsefellesskap Test changed: approval_policy, hearing_required",
        "Samarbeidsavtalen i helsefellesskapet er endret: godkjenningsordning og krav om høring",
    ),
    (
        "secretariat.join",
        {"partnership_id": 3, "organization_id": 5, "name": "Sekretariatet"},
        SECRETARIAT,
        "Sekretariatet joined Helsefellesskap Test and holds its secretariat role here",
        "Sekretariatet ble med i helsefellesskapet og har sekretariatsrollen på forløpet",
    ),
    (
        "secretariat.leave",
        {"partnership_id": 3, "organization_id": 5, "name": "Sekretariatet"},
        SECRETARIAT,
        "Sekretariatet left Helsefellesskap Test and no longer holds its secretariat role",
        "Sekretariatet forlot helsefellesskapet og har ikke lenger sekretariatsrollen på forløpet",
    ),
    (
        "variant.create",
        {
            "variant_of": {"pathway_id": 4, "version": 2},
            "applies_to": [2, 7],
            "names": ["Testvik kommune", "Nabovik kommune"],
            "pathway": {"title": "Hoftebrudd i Testvik og Nabovik"},
        },
        MUNICIPALITY,
        "Local variant of pathway 4, version 2, for Testvik kommune, Nabovik kommune",
        "Lokal variant av forløp 4, versjon 2, for Testvik kommune og Nabovik kommune",
    ),
    (
        "variant.rebase",
        {"variant_of_version": {"from": 2, "to": 3}, "outcomes": []},
        MUNICIPALITY,
        "Moved onto version 3 of pathway 4",
        "Flyttet over på versjon 3 av det felles forløpet",
    ),
]


IDS = [f"{case[0]}-{number}" for number, case in enumerate(CASES)]


def test_every_action_has_a_case() -> None:
    assert {case[0] for case in CASES} == ACTIONS


@pytest.mark.parametrize(("action", "changes", "by", "english", "bokmal"), CASES, ids=IDS)
@pytest.mark.parametrize("language", ["nb", "nn", "no"])
def test_bokmal(
    action: str, changes: dict[str, Any], by: Actor, english: str, bokmal: str, language: str
) -> None:
    said = summary_text(action, changes, language=language, fallback=english, by=by)
    assert said == bokmal
    assert not ISO_DURATION.search(said)
    assert not CODE.search(said)
    assert not ISO_DATE.search(said)


@pytest.mark.parametrize(("action", "changes", "by", "english", "bokmal"), CASES, ids=IDS)
@pytest.mark.parametrize("language", ["en", "sv", ""])
def test_english_is_the_stored_summary(
    action: str, changes: dict[str, Any], by: Actor, english: str, bokmal: str, language: str
) -> None:
    assert summary_text(action, changes, language=language, fallback=english, by=by) == english


def test_a_transition_within_a_level_is_no_handover() -> None:
    said = summary_text(
        "transition.add",
        {"transition": {**UTSKREVET, "to": "rontgen", "handover": None}, "cross_level": False},
        language="nb",
        fallback="Added transition 'utskrevet': sengepost → rontgen",
    )
    assert said == "La til overgangen «utskrevet»: «sengepost» → «rontgen»"


@pytest.mark.parametrize(
    ("fallback", "crossing"),
    [
        ("Added transition 'utskrevet': sengepost → hjemme (handover between levels)", True),
        ("Added transition 'utskrevet': sengepost → hjemme", False),
    ],
)
def test_older_entries_say_a_crossing_only_in_their_summary(fallback: str, crossing: bool) -> None:
    said = summary_text(
        "transition.add", {"transition": UTSKREVET}, language="nb", fallback=fallback
    )
    assert said.endswith("(overlevering mellom nivåene)") is crossing
    assert said.startswith("La til overgangen «utskrevet»")


def test_older_imports_and_graph_replacements_are_said_without_their_counts() -> None:
    imported = summary_text(
        "pathway.import",
        {"pathway": PATHWAY_INFO, "participant": 1, "partnership_id": None},
        language="nb",
        fallback="Imported with 7 steps and 1 transitions",
    )
    assert imported == "Importerte forløpet «Hoftebrudd»"
    replaced = summary_text(
        "graph.replace",
        _steps_and_transitions(),
        language="nb",
        fallback="Replaced the graph: 6 steps, 5 transitions",
    )
    assert replaced == "Erstattet hele grafen, uten endringer i steg eller overganger"


def test_a_pathway_with_a_new_partnership_says_so() -> None:
    said = summary_text(
        "pathway.update",
        {"partnership_id": {"from": None, "to": 3}},
        language="nb",
        fallback="Changed partnership_id",
    )
    assert said == "Endret helsefellesskap"


def test_participants_without_a_level_are_named_by_their_kind() -> None:
    said = summary_text(
        "participant.add",
        {
            "organization_id": 9,
            "name": "Brukerutvalget",
            "kind": "user_representatives",
            "level": None,
            "role": "commenter",
        },
        language="nb",
        fallback="Added Brukerutvalget (user_representatives) as commenter",
    )
    assert said == "La til Brukerutvalget (brukerrepresentanter) som kommentator"


FALLBACKS: list[tuple[str, Any, Actor | None]] = [
    ("pathway.rename", {"title": "x"}, HOSPITAL),  # an action this module does not know
    ("step.add", {}, HOSPITAL),  # nothing in changes
    ("step.add", {"step": {**SENGEPOST, "kind": "sightseeing"}}, HOSPITAL),
    ("step.update", {"key": "sengepost", "fields": {"colour": {}}}, HOSPITAL),
    ("step.update", {"key": "sengepost", "fields": {}}, HOSPITAL),
    ("step.update", {"key": 7, "fields": {"name": {}}}, HOSPITAL),
    ("transition.update", {"key": "ut", "fields": ["label"]}, HOSPITAL),
    ("pathway.update", {"colour": {"from": 1, "to": 2}}, HOSPITAL),
    ("participant.add", {**TESTVIK, "role": "owner"}, HOSPITAL),
    ("participant.remove", {**TESTVIK, "role": "editor"}, None),  # who made it is unknown
    ("pathway.approve", {"revision": 8}, None),
    ("pathway.approve", {"revision": "8"}, HOSPITAL),
    ("version.create", {"version": 3, "revision": 14, "policy": "decision"}, SECRETARIAT),
    ("version.create", {"version": 3, "revision": 14, "policy": "lottery"}, SECRETARIAT),
    (
        "decision.record",
        {"revision": 14, "body": "SSU", "decided_on": "1. juli", "reference": "12/26"},
        SECRETARIAT,
    ),
    ("hearing.open", {"hearing": 3, "revision": 8, "invitees": [2, 6]}, HOSPITAL),  # older
    ("hearing.reply", {"hearing": 3, "organization": 2}, HOSPITAL),  # older entries
    ("hearing.answer", {"hearing": 3, "position": "maybe", "comments": 0}, MUNICIPALITY),
    (
        "variant.create",
        {"variant_of": {"pathway_id": 4, "version": 2}, "applies_to": [2]},
        MUNICIPALITY,
    ),  # older entries
    ("graph.replace", {"steps": {"added": []}}, HOSPITAL),
    ("step.add", ["not", "a", "mapping"], HOSPITAL),
]


@pytest.mark.parametrize(("action", "changes", "by"), FALLBACKS)
def test_what_cannot_be_said_is_the_stored_english(
    action: str, changes: Any, by: Actor | None
) -> None:
    stored = "The summary stored with the entry"
    assert summary_text(action, changes, language="nb", fallback=stored, by=by) == stored


def test_every_field_a_service_records_has_a_bokmal_name() -> None:
    from pathways.document import step_dict, transition_dict
    from pathways.model import Level, Step, StepKind, Transition

    step = step_dict(Step("a", "A", Level.HOSPITAL, StepKind.TREATMENT))
    assert set(step) == set(FIELD_NAMES["step"])
    assert set(transition_dict(Transition("ab", "a", "b"))) == set(FIELD_NAMES["transition"])
