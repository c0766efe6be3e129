"""The texts of gap findings, for a nurse: English (``en``), bokmål (``nb``), nynorsk (``nn``).

Every function returns ``{"en": ..., "nb": ..., "nn": ...}``; deadlines are said as people
say them (:mod:`pathways.wording`), never as ISO 8601 codes. Steps are named as
``«name» (key)``, transitions by their label (if any) and key and the two steps they
join, so a reader can find them both in a drawing and in the document.

>>> from pathways.model import Level, Step, StepKind
>>> unowned_step(Step("ward", "Orthogeriatric ward", Level.HOSPITAL, StepKind.TREATMENT))["nb"]
'Steget «Orthogeriatric ward» (ward) har ingen ansvarlig rolle: angi hvem som har ansvaret for pasienten i dette steget (for eksempel sykepleier på sengeposten, hjemmesykepleien eller fastlegen).'
"""  # noqa: E501

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta

from pathways.model import AgreedItem, Level, Step, Transition
from pathways.wording import deadline_text, duration_text, join

__all__ = [
    "HANDOVER_PARTS",
    "dead_end",
    "decision_without_alternatives",
    "incomplete_handover",
    "missing_agreed_item",
    "missing_handover",
    "no_admission_information",
    "no_admission_notice",
    "no_discharge_information",
    "no_discharged_notice",
    "no_gp_follow_up",
    "no_health_information",
    "no_home_end",
    "no_home_start",
    "no_municipal_reply",
    "no_readmission_path",
    "no_ready_notice",
    "no_withdrawal_notice",
    "single_level",
    "step_ref",
    "transition_ref",
    "unowned_step",
    "unreachable_step",
]

Texts = dict[str, str]

HANDOVER_PARTS: dict[str, Texts] = {
    "sender_role": {
        "en": "the sender's role",
        "nb": "avsenderens rolle",
        "nn": "rolla til sendaren",
    },
    "receiver_role": {
        "en": "the receiver's role",
        "nb": "mottakerens rolle",
        "nn": "rolla til mottakaren",
    },
    "messages": {
        "en": "the messages to send",
        "nb": "meldingene som skal sendes",
        "nn": "meldingane som skal sendast",
    },
    "deadline": {"en": "a deadline", "nb": "en frist", "nn": "ein frist"},
    "sender_checklist": {
        "en": "checklist items for the sender",
        "nb": "sjekkpunkter for avsenderen",
        "nn": "sjekkpunkt for sendaren",
    },
    "receiver_checklist": {
        "en": "checklist items for the receiver",
        "nb": "sjekkpunkter for mottakeren",
        "nn": "sjekkpunkt for mottakaren",
    },
}
"""The parts of a handover, in the order ``incomplete-handover`` lists what is missing."""

_LEVEL = {
    Level.HOSPITAL: {"en": "hospital", "nb": "sykehuset", "nn": "sjukehuset"},
    Level.MUNICIPALITY: {"en": "municipality", "nb": "kommunen", "nn": "kommunen"},
}


_SAME_DAY_AS = {"en": "the same day as", "nb": "samme dag som", "nn": "same dag som"}
_AFTER = {"en": "after", "nb": "etter", "nn": "etter"}


def _after(limit: timedelta, event: Mapping[str, str], language: str) -> str:
    """``within 24 hours after the admission``, ``samme dag som utskrivningen``."""
    if limit <= timedelta(0):
        return f"{_SAME_DAY_AS[language]} {event[language]}"
    return f"{deadline_text(limit, language)} {_AFTER[language]} {event[language]}"


_ADMISSION = {"en": "the admission", "nb": "innleggelsen", "nn": "innlegginga"}
_DISCHARGE = {"en": "the discharge", "nb": "utskrivningen", "nn": "utskrivinga"}
_READY = {
    "en": "the doctor declares the patient ready",
    "nb": "legen vurderer pasienten som utskrivningsklar",
    "nn": "legen vurderer pasienten som utskrivingsklar",
}
_NOTICE = {"en": "the notice", "nb": "meldingen", "nn": "meldinga"}
_VISIT = {"en": "the visit", "nb": "konsultasjonen", "nn": "konsultasjonen"}


def step_ref(step: Step) -> str:
    """``«name» (key)``."""
    return f"«{step.name}» ({step.key})"


def transition_ref(transition: Transition, source: Step, target: Step, language: str) -> str:
    """``«label» (key) from «A» (a) to «B» (b)``; without a label just ``(key)``."""
    label = f"«{transition.label}» " if transition.label.strip() else ""
    between = {"en": ("from", "to"), "nn": ("frå", "til")}.get(language, ("fra", "til"))
    return (
        f"{label}({transition.key}) {between[0]} {step_ref(source)} {between[1]} {step_ref(target)}"
    )


# --- core ------------------------------------------------------------------------------


def no_home_start() -> Texts:
    return {
        "en": "The pathway has no home step to start from: add a step of kind «home» where "
        "the patient lives, with a transition to the first step the patient meets.",
        "nb": "Forløpet har ikke noe hjemmesteg å starte fra: legg til et steg av typen "
        "«home» der pasienten bor, med en overgang til det første steget pasienten møter.",
        "nn": "Forløpet har ikkje noko heimesteg å starte frå: legg til eit steg av typen "
        "«home» der pasienten bur, med ein overgang til det første steget pasienten møter.",
    }


def no_home_end() -> Texts:
    return {
        "en": "The pathway never brings the patient back home: no home step can be reached "
        "at the end. Add a step of kind «home» and a transition into it.",
        "nb": "Forløpet fører aldri pasienten hjem igjen: ingen hjemmesteg kan nås til "
        "slutt. Legg til et steg av typen «home» og en overgang dit.",
        "nn": "Forløpet fører aldri pasienten heim att: ingen heimesteg kan nåast til "
        "slutt. Legg til eit steg av typen «home» og ein overgang dit.",
    }


def unreachable_step(step: Step) -> Texts:
    return {
        "en": f"Step {step_ref(step)} cannot be reached from the patient's home: no chain of "
        "transitions leads to it from a home step.",
        "nb": f"Steget {step_ref(step)} kan ikke nås fra pasientens hjem: ingen kjede av "
        "overganger fører dit fra et hjemmesteg.",
        "nn": f"Steget {step_ref(step)} kan ikkje nåast frå heimen til pasienten: inga kjede "
        "av overgangar fører dit frå eit heimesteg.",
    }


def dead_end(step: Step) -> Texts:
    return {
        "en": f"From step {step_ref(step)} the patient can never get home: no chain of "
        "transitions leads on to a home step (or ends in a death step), so the patient is "
        "stuck there.",
        "nb": f"Fra steget {step_ref(step)} kommer pasienten aldri hjem: ingen kjede av "
        "overganger fører videre til et hjemmesteg (eller ender i et dødssteg), så "
        "pasienten blir stående fast der.",
        "nn": f"Frå steget {step_ref(step)} kjem pasienten aldri heim: inga kjede av "
        "overgangar fører vidare til eit heimesteg (eller endar i eit dødssteg), så "
        "pasienten blir ståande fast der.",
    }


def missing_handover(transition: Transition, source: Step, target: Step) -> Texts:
    ref = _all(transition, source, target)
    return {
        "en": f"The transition {ref['en']} goes from the {_LEVEL[source.level]['en']} to the "
        f"{_LEVEL[target.level]['en']} but has no handover: say who sends, who receives, "
        "which messages, by when, and what each side must check.",
        "nb": f"Overgangen {ref['nb']} går fra {_LEVEL[source.level]['nb']} til "
        f"{_LEVEL[target.level]['nb']}, men har ingen overlevering: angi hvem som sender, "
        "hvem som tar imot, hvilke meldinger, innen når, og hva hver side skal sjekke.",
        "nn": f"Overgangen {ref['nn']} går frå {_LEVEL[source.level]['nn']} til "
        f"{_LEVEL[target.level]['nn']}, men har inga overlevering: skriv kven som sender, "
        "kven som tek imot, kva meldingar, innan når, og kva kvar side skal sjekke.",
    }


def incomplete_handover(
    transition: Transition, source: Step, target: Step, missing: Sequence[str]
) -> Texts:
    """``missing`` holds keys of :data:`HANDOVER_PARTS`."""
    ref = _all(transition, source, target)
    parts = {
        language: join([HANDOVER_PARTS[part][language] for part in missing], language)
        for language in ("en", "nb", "nn")
    }
    return {
        "en": f"The handover on the transition {ref['en']} is incomplete: it lacks {parts['en']}.",
        "nb": f"Overleveringen på overgangen {ref['nb']} er ufullstendig: den mangler "
        f"{parts['nb']}.",
        "nn": f"Overleveringa på overgangen {ref['nn']} er ufullstendig: ho manglar {parts['nn']}.",
    }


_IN_LEVEL = {
    Level.HOSPITAL: {"en": "in the hospital", "nb": "på sykehuset", "nn": "på sjukehuset"},
    Level.MUNICIPALITY: {"en": "in the municipality", "nb": "i kommunen", "nn": "i kommunen"},
}


def single_level(level: Level) -> Texts:
    other = Level.MUNICIPALITY if level is Level.HOSPITAL else Level.HOSPITAL
    return {
        "en": f"All steps are {_IN_LEVEL[level]['en']}: a home-to-home pathway runs between "
        f"municipality and hospital. Add the steps {_IN_LEVEL[other]['en']}.",
        "nb": f"Alle stegene er {_IN_LEVEL[level]['nb']}: et hjem-til-hjem-forløp går mellom "
        f"kommune og sykehus. Legg til stegene {_IN_LEVEL[other]['nb']}.",
        "nn": f"Alle stega er {_IN_LEVEL[level]['nn']}: eit heim-til-heim-forløp går mellom "
        f"kommune og sjukehus. Legg til stega {_IN_LEVEL[other]['nn']}.",
    }


def unowned_step(step: Step) -> Texts:
    return {
        "en": f"Step {step_ref(step)} has no responsible role: say who is responsible for the "
        "patient in this step (for example ward nurse, home nursing or fastlege).",
        "nb": f"Steget {step_ref(step)} har ingen ansvarlig rolle: angi hvem som har ansvaret "
        "for pasienten i dette steget (for eksempel sykepleier på sengeposten, "
        "hjemmesykepleien eller fastlegen).",
        "nn": f"Steget {step_ref(step)} har inga ansvarleg rolle: skriv kven som har ansvaret "
        "for pasienten i dette steget (til dømes sjukepleiar på sengeposten, "
        "heimesjukepleia eller fastlegen).",
    }


def decision_without_alternatives(step: Step, outcomes: int) -> Texts:
    en = "no outcome" if outcomes == 0 else "only one outcome"
    nb = "ingen utfall" if outcomes == 0 else "bare ett utfall"
    nn = "ingen utfall" if outcomes == 0 else "berre eitt utfall"
    return {
        "en": f"Decision step {step_ref(step)} has {en}: a decision needs at least two "
        "transitions out of it, one for each outcome.",
        "nb": f"Beslutningssteget {step_ref(step)} har {nb}: en beslutning trenger minst to "
        "overganger ut, én for hvert utfall.",
        "nn": f"Avgjerdssteget {step_ref(step)} har {nn}: ei avgjerd treng minst to "
        "overgangar ut, éin for kvart utfall.",
    }


# --- agreement -------------------------------------------------------------------------

_KIND = {
    "admission": {"en": "admission", "nb": "innleggelse", "nn": "innlegging"},
    "discharge": {"en": "discharge", "nb": "utskrivning", "nn": "utskriving"},
    "outpatient": {
        "en": "outpatient visit",
        "nb": "poliklinisk konsultasjon",
        "nn": "poliklinisk konsultasjon",
    },
    "case_handling": {
        "en": "case handling during the stay",
        "nb": "saksbehandling under oppholdet",
        "nn": "saksbehandling under opphaldet",
    },
}


def missing_agreed_item(
    transition: Transition, source: Step, target: Step, kind: str, missing: Sequence[AgreedItem]
) -> Texts:
    """``kind`` is the handover's kind (:data:`pathways.model.HANDOVER_KINDS`)."""
    ref = _all(transition, source, target)
    items = {
        language: join([f"«{item.text}»" for item in missing], language)
        for language in ("en", "nb", "nn")
    }
    many = len(missing) > 1
    return {
        "en": f"The handover on the transition {ref['en']} ({_KIND[kind]['en']}) lacks "
        f"{'the checklist items' if many else 'the checklist item'} the agreement requires "
        f"on every {_KIND[kind]['en']}: {items['en']}.",
        "nb": f"Overleveringen på overgangen {ref['nb']} ({_KIND[kind]['nb']}) mangler "
        f"{'sjekkpunktene' if many else 'sjekkpunktet'} avtalen krever ved hver "
        f"{_KIND[kind]['nb']}: {items['nb']}.",
        "nn": f"Overleveringa på overgangen {ref['nn']} ({_KIND[kind]['nn']}) manglar "
        f"{'sjekkpunkta' if many else 'sjekkpunktet'} avtalen krev ved kvar "
        f"{_KIND[kind]['nn']}: {items['nn']}.",
    }


# --- norway ----------------------------------------------------------------------------


def _all(transition: Transition, source: Step, target: Step) -> Texts:
    return {
        language: transition_ref(transition, source, target, language)
        for language in ("en", "nb", "nn")
    }


def no_admission_notice(
    transition: Transition, source: Step, target: Step, limit: timedelta
) -> Texts:
    ref = _all(transition, source, target)
    return {
        "en": f"Admission {ref['en']}: the patient will need municipal care after the "
        "hospital stay, but the hospital does not send the notice of an admitted patient "
        f"(melding om innlagt pasient, LOG_INNLAGT) to the municipality "
        f"{_after(limit, _ADMISSION, 'en')}. Add LOG_INNLAGT to the messages of this "
        "handover with that deadline, "
        "or a required checklist item for the hospital due by then.",
        "nb": f"Innleggelse {ref['nb']}: pasienten vil trenge kommunale tjenester etter "
        "sykehusoppholdet, men sykehuset sender ikke melding om innlagt pasient "
        f"(LOG_INNLAGT) til kommunen {_after(limit, _ADMISSION, 'nb')}. Legg "
        "LOG_INNLAGT til meldingene i denne overleveringen med den fristen, eller et påkrevd "
        "sjekkpunkt for sykehuset med frist innen da.",
        "nn": f"Innlegging {ref['nn']}: pasienten vil trenge kommunale tenester etter "
        "sjukehusopphaldet, men sjukehuset sender ikkje melding om innlagd pasient "
        f"(LOG_INNLAGT) til kommunen {_after(limit, _ADMISSION, 'nn')}. Legg "
        "LOG_INNLAGT til meldingane i denne overleveringa med den fristen, eller eit påkravd "
        "sjekkpunkt for sjukehuset med frist innan då.",
    }


def no_admission_information(transition: Transition, source: Step, target: Step) -> Texts:
    ref = _all(transition, source, target)
    return {
        "en": f"Admission {ref['en']}: the patient comes from municipal services "
        f"({source.responsible or source.name}), but the municipality sends neither the "
        "admission report (innleggelsesrapport) nor an updated medication list "
        "with the patient. Add one of them to the messages of this "
        "handover, or a "
        "required checklist item for the municipality.",
        "nb": f"Innleggelse {ref['nb']}: pasienten kommer fra kommunale tjenester "
        f"({source.responsible or source.name}), men kommunen sender verken "
        "innleggelsesrapport eller oppdatert legemiddelliste med pasienten. "
        "Legg "
        "til en av dem i meldingene i denne overleveringen, eller et påkrevd sjekkpunkt for "
        "kommunen.",
        "nn": f"Innlegging {ref['nn']}: pasienten kjem frå kommunale tenester "
        f"({source.responsible or source.name}), men kommunen sender verken "
        "innleggingsrapport eller oppdatert legemiddelliste med pasienten. "
        "Legg "
        "til ein av dei i meldingane i denne overleveringa, eller eit påkravd sjekkpunkt for "
        "kommunen.",
    }


def no_ready_notice(transition: Transition, source: Step, target: Step, limit: timedelta) -> Texts:
    ref = _all(transition, source, target)
    return {
        "en": f"Discharge {ref['en']}: the hospital does not send the notice that the patient "
        "is ready for discharge (melding om utskrivningsklar pasient, LOG_UTSKRIVNINGSKLAR) "
        f"{_after(limit, _READY, 'en')}, neither on this "
        "handover nor earlier in the stay. Add LOG_UTSKRIVNINGSKLAR with that deadline where "
        "the patient is declared ready (or here), or a required checklist item for the "
        "hospital due by then.",
        "nb": f"Utskrivning {ref['nb']}: sykehuset sender ikke melding om utskrivningsklar "
        f"pasient (LOG_UTSKRIVNINGSKLAR) {_after(limit, _READY, 'nb')}, verken i denne "
        "overleveringen eller tidligere i oppholdet. "
        "Legg LOG_UTSKRIVNINGSKLAR med den fristen der pasienten blir utskrivningsklar (eller "
        "her), eller et påkrevd sjekkpunkt for sykehuset med frist innen da.",
        "nn": f"Utskriving {ref['nn']}: sjukehuset sender ikkje melding om utskrivingsklar "
        f"pasient (LOG_UTSKRIVNINGSKLAR) {_after(limit, _READY, 'nn')}, verken i denne "
        "overleveringa eller tidlegare i opphaldet. "
        "Legg LOG_UTSKRIVNINGSKLAR med den fristen der pasienten blir utskrivingsklar (eller "
        "her), eller eit påkravd sjekkpunkt for sjukehuset med frist innan då.",
    }


def no_municipal_reply(
    transition: Transition, source: Step, target: Step, limit: timedelta
) -> Texts:
    ref = _all(transition, source, target)
    return {
        "en": f"Discharge {ref['en']}: the hospital sends the notice that the patient is ready "
        "for discharge, but the municipality does not reply whether and when it can receive "
        f"the patient (LOG_TILBAKEMELDING) {_after(limit, _NOTICE, 'en')}. Add "
        "LOG_TILBAKEMELDING with that deadline, or a required checklist item for the "
        "municipality due by then.",
        "nb": f"Utskrivning {ref['nb']}: sykehuset sender melding om utskrivningsklar "
        "pasient, men kommunen gir ikke tilbakemelding om den kan ta imot pasienten, og når "
        f"(LOG_TILBAKEMELDING), {_after(limit, _NOTICE, 'nb')}. Legg "
        "LOG_TILBAKEMELDING til med den fristen, eller et påkrevd sjekkpunkt for kommunen "
        "med frist innen da.",
        "nn": f"Utskriving {ref['nn']}: sjukehuset sender melding om utskrivingsklar "
        "pasient, men kommunen gir ikkje tilbakemelding om han kan ta imot pasienten, og når "
        f"(LOG_TILBAKEMELDING), {_after(limit, _NOTICE, 'nn')}. Legg "
        "LOG_TILBAKEMELDING til med den fristen, eller eit påkravd sjekkpunkt for kommunen "
        "med frist innan då.",
    }


_DISCHARGE_INFORMATION = {
    "epikrise": {"en": "the epikrise (discharge summary)", "nb": "epikrise", "nn": "epikrise"},
    "medication": {
        "en": "the medication list",
        "nb": "legemiddelliste",
        "nn": "legemiddelliste",
    },
    "outpatient_note": {
        "en": "an epikrise or outpatient note (poliklinisk notat) to the GP",
        "nb": "epikrise eller poliklinisk notat til fastlegen",
        "nn": "epikrise eller poliklinisk notat til fastlegen",
    },
}


def no_discharge_information(
    transition: Transition,
    source: Step,
    target: Step,
    limit: timedelta,
    missing: Sequence[str],
) -> Texts:
    """``missing`` holds ``"epikrise"``, ``"medication"`` or ``"outpatient_note"``."""
    ref = _all(transition, source, target)
    parts = {
        language: join([_DISCHARGE_INFORMATION[part][language] for part in missing], language)
        for language in ("en", "nb", "nn")
    }
    many = len(missing) > 1
    visit = missing == ["outpatient_note"]
    event = {
        "en": "After the outpatient visit" if visit else "Discharge",
        "nb": "Etter den polikliniske konsultasjonen" if visit else "Utskrivning",
        "nn": "Etter den polikliniske konsultasjonen" if visit else "Utskriving",
    }
    when = _VISIT if visit else _DISCHARGE
    sends = {
        "en": f"sends neither {' nor '.join(parts_of(missing, 'en'))}"
        if many
        else f"does not send {parts['en']}",
        "nb": f"sender verken {' eller '.join(parts_of(missing, 'nb'))}"
        if many
        else f"sender ikke {parts['nb']}",
        "nn": f"sender verken {' eller '.join(parts_of(missing, 'nn'))}"
        if many
        else f"sender ikkje {parts['nn']}",
    }
    return {
        "en": f"{event['en']} {ref['en']}: the hospital {sends['en']} "
        f"{_after(limit, when, 'en')}. Add {'them' if many else 'it'} to the messages of "
        "this handover with that deadline, or as a required checklist item for the "
        "hospital.",
        "nb": f"{event['nb']} {ref['nb']}: sykehuset {sends['nb']} "
        f"{_after(limit, when, 'nb')}. Legg {'dem' if many else 'den'} til i meldingene i "
        "denne overleveringen med den fristen, eller som et påkrevd sjekkpunkt for "
        "sykehuset.",
        "nn": f"{event['nn']} {ref['nn']}: sjukehuset {sends['nn']} "
        f"{_after(limit, when, 'nn')}. Legg {'dei' if many else 'det som manglar'} til i "
        "meldingane i denne overleveringa med den fristen, eller som eit påkravd sjekkpunkt "
        "for sjukehuset.",
    }


def parts_of(missing: Sequence[str], language: str) -> list[str]:
    """The names of the missing discharge information, in ``language``."""
    return [_DISCHARGE_INFORMATION[part][language] for part in missing]


def no_health_information(transition: Transition, source: Step, target: Step) -> Texts:
    ref = _all(transition, source, target)
    return {
        "en": f"Discharge {ref['en']}: the municipality decides on its services without health "
        "information from the hospital (helseopplysninger, HELSEOPPL_SOKNAD): no transition "
        "of the stay before the discharge sends them. Send them where the municipality is "
        "asked for services, for example with the application to the allocation office.",
        "nb": f"Utskrivning {ref['nb']}: kommunen fatter vedtak om tjenester uten "
        "helseopplysninger fra sykehuset (HELSEOPPL_SOKNAD): ingen overgang i oppholdet før "
        "utskrivningen sender dem. Send dem der kommunen blir bedt om tjenester, for eksempel "
        "med søknaden til tildelingskontoret.",
        "nn": f"Utskriving {ref['nn']}: kommunen gjer vedtak om tenester utan "
        "helseopplysningar frå sjukehuset (HELSEOPPL_SOKNAD): ingen overgang i opphaldet før "
        "utskrivinga sender dei. Send dei der kommunen blir beden om tenester, til dømes med "
        "søknaden til tildelingskontoret.",
    }


def no_discharged_notice(
    transition: Transition, source: Step, target: Step, limit: timedelta
) -> Texts:
    ref = _all(transition, source, target)
    return {
        "en": f"Discharge {ref['en']}: the hospital does not tell the municipality that the "
        f"patient has left (melding om utskrevet pasient, LOG_UTSKREVET) "
        f"{_after(limit, _DISCHARGE, 'en')}."
        " Add LOG_UTSKREVET to the messages of this handover.",
        "nb": f"Utskrivning {ref['nb']}: sykehuset gir ikke kommunen melding om utskrevet "
        f"pasient (LOG_UTSKREVET) {_after(limit, _DISCHARGE, 'nb')}. Legg LOG_UTSKREVET til "
        "meldingene "
        "i denne overleveringen.",
        "nn": f"Utskriving {ref['nn']}: sjukehuset gir ikkje kommunen melding om utskriven "
        f"pasient (LOG_UTSKREVET) {_after(limit, _DISCHARGE, 'nn')}. Legg LOG_UTSKREVET til "
        "meldingane "
        "i denne overleveringa.",
    }


def no_withdrawal_notice(transition: Transition, source: Step, target: Step) -> Texts:
    ref = _all(transition, source, target)
    return {
        "en": f"The notice that the patient is ready for discharge is sent on {ref['en']}, but "
        "a way leads from there back to treatment without the hospital withdrawing it "
        "(avmelding av utskrivningsklar pasient, LOG_AVMELDING). If the patient gets worse, "
        "the municipality must be told: add LOG_AVMELDING on the way back to treatment.",
        "nb": f"Melding om utskrivningsklar pasient sendes på {ref['nb']}, men derfra går en "
        "vei tilbake til behandling uten at sykehuset sender avmelding av utskrivningsklar "
        "pasient (LOG_AVMELDING). Blir pasienten dårligere, må kommunen få vite det: legg "
        "LOG_AVMELDING på veien tilbake til behandling.",
        "nn": f"Melding om utskrivingsklar pasient blir send på {ref['nn']}, men derifrå går "
        "ein veg tilbake til behandling utan at sjukehuset sender avmelding av "
        "utskrivingsklar pasient (LOG_AVMELDING). Blir pasienten dårlegare, må kommunen få "
        "vite det: legg LOG_AVMELDING på vegen tilbake til behandling.",
    }


def no_gp_follow_up(
    transition: Transition,
    source: Step,
    target: Step,
    limit: timedelta,
    *,
    late: tuple[Step, timedelta] | None = None,
) -> Texts:
    """Without ``late``: home can be reached without the GP. With ``late``: the GP step
    reached soonest, and how long after discharge the patient gets there at the earliest."""
    ref = _all(transition, source, target)
    if late is None:
        return {
            "en": f"After the discharge {ref['en']} the patient can get back home without a "
            "follow-up by the GP (fastlege): add a follow-up step with the fastlege "
            f"responsible on the way home, {_after(limit, _DISCHARGE, 'en')}.",
            "nb": f"Etter utskrivningen {ref['nb']} kan pasienten komme hjem uten oppfølging "
            "hos fastlegen: legg inn et oppfølgingssteg med fastlegen som ansvarlig på veien "
            f"hjem, {_after(limit, _DISCHARGE, 'nb')}.",
            "nn": f"Etter utskrivinga {ref['nn']} kan pasienten kome heim utan oppfølging "
            "hos fastlegen: legg inn eit oppfølgingssteg med fastlegen som ansvarleg på vegen "
            f"heim, {_after(limit, _DISCHARGE, 'nn')}.",
        }
    step, after = late
    return {
        "en": f"After the discharge {ref['en']} the follow-up by the GP (fastlege) in "
        f"{step_ref(step)} comes {duration_text(after, 'en')} after discharge at the earliest "
        f"(by the expected durations of the steps before it): not {deadline_text(limit, 'en')}.",
        "nb": f"Etter utskrivningen {ref['nb']} kommer oppfølgingen hos fastlegen i "
        f"{step_ref(step)} tidligst {duration_text(after, 'nb')} etter utskrivning (etter "
        f"forventet varighet for stegene før): ikke {deadline_text(limit, 'nb')}.",
        "nn": f"Etter utskrivinga {ref['nn']} kjem oppfølginga hos fastlegen i "
        f"{step_ref(step)} tidlegast {duration_text(after, 'nn')} etter utskriving (etter "
        f"forventa varigheit for stega før): ikkje {deadline_text(limit, 'nn')}.",
    }


def no_readmission_path(transition: Transition, source: Step, target: Step) -> Texts:
    ref = _all(transition, source, target)
    return {
        "en": f"After the discharge {ref['en']} there is no way back to the hospital: if the "
        "patient gets worse in municipal care, no transition leads to a hospital step. Add a "
        "readmission path, for example from home nursing or the fastlege to the emergency "
        "department.",
        "nb": f"Etter utskrivningen {ref['nb']} finnes det ingen vei tilbake til sykehuset: "
        "blir pasienten dårligere i kommunen, fører ingen overgang til et steg på sykehuset. "
        "Legg inn en vei for reinnleggelse, for eksempel fra hjemmesykepleien eller "
        "fastlegen til akuttmottaket.",
        "nn": f"Etter utskrivinga {ref['nn']} finst det ingen veg tilbake til sjukehuset: "
        "blir pasienten dårlegare i kommunen, fører ingen overgang til eit steg på sjukehuset. "
        "Legg inn ein veg for reinnlegging, til dømes frå heimesjukepleia eller fastlegen "
        "til akuttmottaket.",
    }
