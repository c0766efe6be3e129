"""A COPD pathway as coordinators write it, as a native document, and variants of it.

It has what the Norwegian rules used to misread: the municipality's allocation office
deciding services while the patient is still in hospital (case handling, not a discharge
and an admission), the ready-for-discharge notice and the municipality's reply at the
*utskrivningsklar* decision, an outpatient control, death as an outcome, and wording in
nynorsk and in the words people use ("Melding om innlagd pasient", "medisinkort",
"Kommunen svarer same dag"). Under ``core`` and ``norway`` it has no finding at all;
each variant breaks one thing, and the test says which finding that brings.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

Document = dict[str, Any]


def _step(
    key: str, name: str, level: str, kind: str, responsible: str, duration: str | None = None
) -> dict[str, Any]:
    return {
        "key": key,
        "name": name,
        "level": level,
        "kind": kind,
        "responsible": responsible,
        "expected_duration": duration,
        "description": "",
    }


def _item(key: str, text: str, side: str, due: str | None = "PT0H") -> dict[str, Any]:
    return {"key": key, "text": text, "side": side, "required": True, "due": due}


def _handover(
    sender: str, receiver: str, messages: list[str], deadline: str, *items: dict[str, Any]
) -> dict[str, Any]:
    return {
        "sender_role": sender,
        "receiver_role": receiver,
        "messages": messages,
        "deadline": deadline,
        "checklist": list(items),
    }


def _go(
    key: str, source: str, target: str, label: str, handover: dict[str, Any] | None = None
) -> dict[str, Any]:
    return {"key": key, "from": source, "to": target, "label": label, "handover": handover}


def _admission_from_home_nursing() -> dict[str, Any]:
    return _handover(
        "hjemmesykepleier",
        "sykepleier i akuttmottaket",
        ["INNLEGGELSESRAPPORT", "Melding om innlagd pasient"],
        "PT24H",
        _item("medisinkort", "Medisinkort sendt med pasienten", "sender"),
        _item("innlagt", "Melding om innlagd pasient sendt kommunen", "receiver", "PT24H"),
    )


def _discharge(receiver: str) -> dict[str, Any]:
    return _handover(
        "sykepleier på sengeposten",
        receiver,
        ["EPIKRISE", "Oppdatert legemiddelliste", "UTSKRIVNINGSRAPPORT", "LOG_UTSKREVET"],
        "PT0H",
        _item("epikrise", "Epikrise og legemiddelliste sendt", "sender"),
        _item("klar", "Rom, utstyr og personale klart", "receiver"),
    )


def copd() -> Document:
    """The clean pathway: no finding under ``core`` and ``norway``."""
    m, h = "municipality", "hospital"
    steps = [
        _step("hjemme", "Hjemme med KOLS", m, "home", "pasient og pårørende"),
        _step("hjemmesykepleie", "Hjemmesykepleie følger opp", m, "treatment", "hjemmesykepleien"),
        _step("legevakt", "Legevakt vurderer forverring", m, "assessment", "legevaktlege", "PT2H"),
        _step("akuttmottak", "Akuttmottak", h, "admission", "lege i akuttmottaket", "PT4H"),
        _step(
            "sengepost",
            "Lungemedisinsk sengepost",
            h,
            "treatment",
            "sykepleier på sengeposten",
            "P4D",
        ),
        _step("utskrivningsklar", "Utskrivningsklar?", h, "decision", "behandlende lege"),
        _step(
            "tildeling",
            "Tildelingskontoret vurderer tjenester",
            m,
            "assessment",
            "tildelingskontoret",
            "P1D",
        ),
        _step("venter", "Venter på kommunalt tilbud", h, "other", "sykepleier på sengeposten"),
        _step("utskrivning", "Utskrivning", h, "discharge", "sykepleier på sengeposten", "PT4H"),
        _step("korttid", "Korttidsopphold", m, "reception", "sykehjemslege", "P10D"),
        _step(
            "hjemmesykepleie-etter",
            "Hjemmesykepleie etter utskrivning",
            m,
            "reception",
            "hjemmesykepleien",
            "PT2H",
        ),
        _step("fastlege", "Oppfølging hos fastlegen", m, "follow_up", "fastlege", "PT30M"),
        _step("hjemme-igjen", "Hjemme igjen", m, "home", "pasient og pårørende"),
        _step(
            "poliklinikk",
            "Kontroll på lungepoliklinikken",
            h,
            "outpatient",
            "lungepoliklinikken",
            "PT1H",
        ),
        _step("dod", "Død under oppholdet", h, "death", "behandlende lege"),
    ]
    transitions = [
        _go("forverring", "hjemme", "legevakt", "Forverring"),
        _go("oppfolging", "hjemme", "hjemmesykepleie", "Har hjemmesykepleie"),
        _go(
            "innlegges",
            "hjemmesykepleie",
            "akuttmottak",
            "Innlegges",
            _admission_from_home_nursing(),
        ),
        _go(
            "henvises",
            "legevakt",
            "akuttmottak",
            "Henvist til innleggelse",
            _handover(
                "legevaktlege",
                "lege i akuttmottaket",
                ["HENVISNING", "LOG_INNLAGT"],
                "PT24H",
                _item("henvisning", "Henvisning med legemiddelliste", "sender", "PT1H"),
                _item("innlagt", "Melding om innlagt pasient til kommunen", "receiver", "PT24H"),
            ),
        ),
        _go("behandles", "akuttmottak", "sengepost", "Innlagt på sengepost"),
        _go("vurderes", "sengepost", "utskrivningsklar", "Vurderes"),
        _go(
            "klar",
            "utskrivningsklar",
            "tildeling",
            "Utskrivningsklar",
            _handover(
                "behandlende lege",
                "tildelingskontoret",
                ["LOG_UTSKRIVNINGSKLAR", "HELSEOPPL_SOKNAD"],
                "PT0H",
                _item("meldt", "Melding om utskrivingsklar pasient same dag", "sender", None),
                _item("registrert", "Søknaden er registrert", "receiver"),
            ),
        ),
        _go("ikke-klar", "utskrivningsklar", "sengepost", "Ikke utskrivningsklar"),
        _go(
            "svar",
            "tildeling",
            "venter",
            "Kommunen svarer",
            _handover(
                "tildelingskontoret",
                "sykepleier på sengeposten",
                ["Kommunen svarer"],
                "PT0H",
                _item("tilbud", "Tilbud og dato for mottak", "sender"),
                _item("dato", "Dato for utskriving avtalt", "receiver"),
            ),
        ),
        _go(
            "darligere",
            "venter",
            "sengepost",
            "Blir dårligere",
            _handover("behandlende lege", "tildelingskontoret", ["LOG_AVMELDING"], "PT0H"),
        ),
        _go("skrives-ut", "venter", "utskrivning", "Plass klar"),
        _go(
            "til-korttid",
            "utskrivning",
            "korttid",
            "Til korttidsopphold",
            _discharge("sykepleier på korttidsavdelingen"),
        ),
        _go(
            "til-hjemmesykepleie",
            "utskrivning",
            "hjemmesykepleie-etter",
            "Hjem med hjemmesykepleie",
            _discharge("hjemmesykepleier"),
        ),
        _go("hjem-fra-korttid", "korttid", "hjemmesykepleie-etter", "Hjem"),
        _go("til-fastlege", "hjemmesykepleie-etter", "fastlege", "Time hos fastlegen"),
        _go("ferdig", "fastlege", "hjemme-igjen", "Stabil"),
        _go(
            "reinnlegges",
            "hjemmesykepleie-etter",
            "akuttmottak",
            "Ny forverring",
            _admission_from_home_nursing(),
        ),
        _go(
            "kontroll",
            "hjemme",
            "poliklinikk",
            "Kontroll etter tre måneder",
            _handover(
                "fastlege",
                "lungepoliklinikken",
                ["HENVISNING"],
                "P14D",
                _item("henvist", "Henvisning sendt", "sender", "P1D"),
                _item("time", "Time gitt", "receiver", "P14D"),
            ),
        ),
        _go(
            "etter-kontroll",
            "poliklinikk",
            "hjemme-igjen",
            "Tilbake etter kontrollen",
            _handover(
                "lungepoliklinikken",
                "fastlege",
                ["POLIKLINISK_NOTAT"],
                "PT0H",
                _item("notat", "Poliklinisk notat til fastlegen", "sender"),
                _item("lest", "Fastlegen følger opp notatet", "receiver", "P7D"),
            ),
        ),
        _go("dor", "sengepost", "dod", "Dør under oppholdet"),
    ]
    return {
        "format": "hjem-til-hjem/pathway",
        "format_version": 1,
        "pathway": {
            "title": "KOLS-forverring — hjem til hjem",
            "description": "",
            "target_group": "Voksne med kjent KOLS",
            "agreement_ref": "Tjenesteavtale 2 og 5",
            "review_due": None,
        },
        "rules": {"rule_sets": ["core", "norway"], "deadlines": {}},
        "steps": steps,
        "transitions": transitions,
    }


def _transition(document: Document, key: str) -> dict[str, Any]:
    return next(t for t in document["transitions"] if t["key"] == key)


def _drop_message(document: Document, key: str, message: str) -> None:
    handover = _transition(document, key)["handover"]
    handover["messages"] = [m for m in handover["messages"] if m != message]


def _set_checklist(document: Document, key: str, *items: dict[str, Any]) -> None:
    _transition(document, key)["handover"]["checklist"] = list(items)


def variant(change: Callable[[Document], None]) -> Document:
    document = copy.deepcopy(copd())
    change(document)
    return document


def without_admission_report(document: Document) -> None:
    """The readmission from home nursing sends no admission report nor medication list."""
    handover = copy.deepcopy(_transition(document, "reinnlegges")["handover"])
    handover["messages"] = ["Melding om innlagd pasient"]
    handover["checklist"] = [
        _item("triage", "Pasienten vurdert ved ankomst", "sender"),
        _item("innlagt", "Melding om innlagd pasient sendt kommunen", "receiver", "PT24H"),
    ]
    _transition(document, "reinnlegges")["handover"] = handover


def without_withdrawal(document: Document) -> None:
    """Readiness can lapse (back to the ward) without LOG_AVMELDING."""
    _transition(document, "darligere")["handover"] = None


def without_health_information(document: Document) -> None:
    _drop_message(document, "klar", "HELSEOPPL_SOKNAD")


def without_discharged_notice(document: Document) -> None:
    _drop_message(document, "til-korttid", "LOG_UTSKREVET")


def without_outpatient_note(document: Document) -> None:
    _drop_message(document, "etter-kontroll", "POLIKLINISK_NOTAT")
    _transition(document, "etter-kontroll")["handover"]["messages"] = ["Timebekreftelse"]
    _set_checklist(
        document,
        "etter-kontroll",
        _item("time", "Ny time avtalt", "sender"),
        _item("lest", "Fastlegen informert", "receiver", "P7D"),
    )


def with_a_check_that_is_no_notice(document: Document) -> None:
    """The referral's notice replaced by a check that only mentions an earlier stay."""
    _drop_message(document, "henvises", "LOG_INNLAGT")
    _set_checklist(
        document,
        "henvises",
        _item("henvisning", "Henvisning med legemiddelliste", "sender", "PT1H"),
        _item(
            "tidligere", "Sjekk om pasienten har vært innlagt siste 30 dager", "receiver", "PT1H"
        ),
    )


def straight_home_without_epikrise(document: Document) -> None:
    """A discharge straight home, whose handover sends everything but the epikrise."""
    document["steps"].append(
        {
            "key": "rett-hjem",
            "name": "Rett hjem uten tjenester",
            "level": "municipality",
            "kind": "home",
            "responsible": "pasient og pårørende",
            "expected_duration": None,
            "description": "",
        }
    )
    document["transitions"].append(
        _go(
            "hjem-uten-tjenester",
            "utskrivning",
            "rett-hjem",
            "Hjem uten kommunale tjenester",
            _handover(
                "sykepleier på sengeposten",
                "fastlege",
                ["Oppdatert legemiddelliste"],
                "PT0H",
                _item("resept", "Resepter sendt", "sender"),
                _item("time", "Time hos fastlegen", "receiver", "P14D"),
            ),
        )
    )


# --- drawn differently, read the same: no finding -----------------------------------


def with_a_shared_allocation_office(document: Document) -> None:
    """The allocation office also decides on applications from home."""
    document["transitions"] += [
        _go("soker-hjemmefra", "hjemme", "tildeling", "Søker om hjemmesykepleie"),
        _go("vedtak-hjemme", "tildeling", "hjemmesykepleie", "Vedtak om hjemmesykepleie"),
    ]


def with_a_clinic_that_may_admit(document: Document) -> None:
    """The outpatient clinic decides whether to admit; its way home is still a visit."""
    document["steps"].append(
        _step("innlegge", "Innleggelse nødvendig?", "hospital", "decision", "lege på poliklinikken")
    )
    _transition(document, "etter-kontroll")["from"] = "innlegge"
    document["transitions"] += [
        _go("vurdert", "poliklinikk", "innlegge", "Vurdert"),
        _go(
            "legges-inn",
            "innlegge",
            "sengepost",
            "Innlegges fra poliklinikken",
            _handover(
                "lege på poliklinikken",
                "sykepleier på sengeposten",
                ["LOG_INNLAGT"],
                "PT24H",
                _item("innl", "Melding om innlagt pasient sendes innen ett døgn", "sender", None),
                _item("mottak", "Sengeposten tar imot", "receiver"),
            ),
        ),
    ]


def with_a_discharge_to_the_gp(document: Document) -> None:
    """A short observation stay, discharged to a follow-up by the GP: no municipal care."""
    document["steps"].append(
        _step("obs", "Observasjonspost", "hospital", "treatment", "sykepleier", "PT24H")
    )
    document["transitions"] += [
        _go("til-obs", "akuttmottak", "obs", "Observasjon"),
        _go(
            "obs-fastlege",
            "obs",
            "fastlege",
            "Hjem, oppfølging hos fastlegen",
            _handover(
                "lege på observasjonsposten",
                "fastlege",
                ["Epikrisen"],
                "PT0H",
                _item("e", "Epikrisen til fastlegen", "sender"),
                _item("t", "Fastlegen setter opp time", "receiver", "P14D"),
            ),
        ),
    ]


def with_a_notice_without_deadline_inside_the_hospital(document: Document) -> None:
    """The ready notice on a transition inside the hospital, whose handover (optional
    there) has no deadline: it goes with the transition."""
    document["steps"].append(
        _step(
            "klar-sengepost", "Utskrivningsklar på sengeposten", "hospital", "other", "sykepleier"
        )
    )
    klar = _transition(document, "klar")
    klar["from"] = "klar-sengepost"
    klar["handover"]["messages"] = ["HELSEOPPL_SOKNAD"]
    klar["handover"]["checklist"] = [
        _item("sendt", "Søknad sendt", "sender"),
        _item("registrert", "Søknaden er registrert", "receiver"),
    ]
    document["transitions"].append(
        _go(
            "erklaert",
            "utskrivningsklar",
            "klar-sengepost",
            "Erklært utskrivningsklar",
            {
                "sender_role": "lege",
                "receiver_role": "",
                "messages": ["LOG_UTSKRIVNINGSKLAR"],
                "deadline": None,
                "checklist": [],
            },
        )
    )


# --- gaps the rules used to miss ---------------------------------------------------


def readmitted_from_short_term_without_report(document: Document) -> None:
    """Readmitted from the short-term bed (led by the nursing-home doctor) with a
    referral only: the admission report or medication list is missing."""
    document["transitions"].append(
        _go(
            "korttid-reinnlegges",
            "korttid",
            "akuttmottak",
            "Forverring på korttid",
            _handover(
                "sykepleier på korttid",
                "lege i akuttmottaket",
                ["HENVISNING", "Melding om innlagt pasient"],
                "PT24H",
                _item("henv", "Henvisning fra sykehjemslegen", "sender", "PT1H"),
                _item("innl", "Melding om innlagt pasient til kommunen", "receiver", "PT24H"),
            ),
        )
    )


def with_a_feedback_that_is_no_reply(document: Document) -> None:
    """The office's answer only promises feedback on a faulty application."""
    svar = _transition(document, "svar")
    svar["handover"]["messages"] = ["Søknad registrert"]
    svar["handover"]["checklist"] = [
        _item(
            "tb",
            "Gi tilbakemelding til sykehuset samme dag dersom søknaden er mangelfull",
            "sender",
            None,
        ),
        _item("lest", "Lest", "receiver"),
    ]


def encode(document: Document) -> bytes:
    return json.dumps(document, ensure_ascii=False).encode()


NEXT_OF_KIN = {
    "key": "parorende",
    "text": "pårørende informert",
    "on": ["discharge"],
    "side": "sender",
}
"""An agreement's required item: next of kin informed, on every discharge."""
