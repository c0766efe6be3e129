"""The texts of gap findings, for a nurse, in English (``en``) and Norwegian bokmål (``nb``).

Every function returns ``{"en": ..., "nb": ...}``. Steps are named as
``«name» (key)``, transitions by their label (if any) and key and the two steps they
join, so a reader can find them both in a drawing and in the document.

>>> from pathways.model import Level, Step, StepKind
>>> unowned_step(Step("ward", "Orthogeriatric ward", Level.HOSPITAL, StepKind.TREATMENT))["nb"]
'Steget «Orthogeriatric ward» (ward) har ingen ansvarlig rolle: angi hvem som har ansvaret for pasienten i dette steget (for eksempel sykepleier på sengeposten, hjemmesykepleien eller fastlegen).'
"""  # noqa: E501

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from pathways.model import Level, Step, Transition

__all__ = [
    "HANDOVER_PARTS",
    "dead_end",
    "decision_without_alternatives",
    "duration_text",
    "incomplete_handover",
    "missing_handover",
    "no_admission_notice",
    "no_discharge_information",
    "no_gp_follow_up",
    "no_home_end",
    "no_home_start",
    "no_municipal_reply",
    "no_readmission_path",
    "no_ready_notice",
    "single_level",
    "step_ref",
    "transition_ref",
    "unowned_step",
    "unreachable_step",
]

Texts = dict[str, str]

HANDOVER_PARTS: dict[str, Texts] = {
    "sender_role": {"en": "the sender's role", "nb": "avsenderens rolle"},
    "receiver_role": {"en": "the receiver's role", "nb": "mottakerens rolle"},
    "messages": {"en": "the messages to send", "nb": "meldingene som skal sendes"},
    "deadline": {"en": "a deadline", "nb": "en frist"},
    "sender_checklist": {
        "en": "checklist items for the sender",
        "nb": "sjekkpunkter for avsenderen",
    },
    "receiver_checklist": {
        "en": "checklist items for the receiver",
        "nb": "sjekkpunkter for mottakeren",
    },
}
"""The parts of a handover, in the order ``incomplete-handover`` lists what is missing."""

_LEVEL = {
    Level.HOSPITAL: {"en": "hospital", "nb": "sykehuset"},
    Level.MUNICIPALITY: {"en": "municipality", "nb": "kommunen"},
}
_UNITS = {
    "en": (("day", "days"), ("hour", "hours"), ("minute", "minutes"), ("second", "seconds")),
    "nb": (("dag", "dager"), ("time", "timer"), ("minutt", "minutter"), ("sekund", "sekunder")),
}
_AND = {"en": "and", "nb": "og"}


def _join(parts: Sequence[str], language: str) -> str:
    """``a``, ``a and b``, ``a, b and c`` (no serial comma, in either language)."""
    if len(parts) <= 1:
        return "".join(parts)
    return f"{', '.join(parts[:-1])} {_AND[language]} {parts[-1]}"


def duration_text(value: timedelta, language: str) -> str:
    """A duration as a nurse says it: ``the same day``, ``24 hours``, ``14 days``.

    >>> duration_text(timedelta(hours=24), "nb")
    '24 timer'
    >>> duration_text(timedelta(days=14, hours=2), "en")
    '14 days and 2 hours'
    """
    seconds = int(value.total_seconds())
    if seconds <= 0:
        return "the same day" if language == "en" else "samme dag"
    days, rest = divmod(seconds, 86_400)
    if days < 3 and rest % 3600 == 0:
        days, rest = 0, seconds
    hours, rest = divmod(rest, 3600)
    minutes, rest = divmod(rest, 60)
    parts = [
        f"{amount} {unit[0] if amount == 1 else unit[1]}"
        for amount, unit in zip((days, hours, minutes, rest), _UNITS[language], strict=True)
        if amount
    ]
    return _join(parts, language)


def _within(limit: timedelta, language: str) -> str:
    """``within the deadline (24 hours, PT24H)``."""
    if language == "en":
        return f"within the deadline ({duration_text(limit, 'en')}, {_iso(limit)})"
    return f"innen fristen ({duration_text(limit, 'nb')}, {_iso(limit)})"


def _iso(value: timedelta) -> str:
    seconds = int(value.total_seconds())
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    units = ((hours, "H"), (minutes, "M"), (seconds, "S"))
    time = "".join(f"{amount}{unit}" for amount, unit in units if amount)
    if days and not time:
        return f"P{days}D"
    return f"P{days}DT{time}" if days else f"PT{time or '0H'}"


def step_ref(step: Step) -> str:
    """``«name» (key)``."""
    return f"«{step.name}» ({step.key})"


def transition_ref(transition: Transition, source: Step, target: Step, language: str) -> str:
    """``«label» (key) from «A» (a) to «B» (b)``; without a label just ``(key)``."""
    label = f"«{transition.label}» " if transition.label.strip() else ""
    between = ("from", "to") if language == "en" else ("fra", "til")
    return (
        f"{label}({transition.key}) {between[0]} {step_ref(source)} {between[1]} {step_ref(target)}"
    )


def _both(transition: Transition, source: Step, target: Step) -> Texts:
    return {
        language: transition_ref(transition, source, target, language) for language in ("en", "nb")
    }


# --- core ------------------------------------------------------------------------------


def no_home_start() -> Texts:
    return {
        "en": "The pathway has no home step to start from: add a step of kind «home» where "
        "the patient lives, with a transition to the first step the patient meets.",
        "nb": "Forløpet har ikke noe hjemmesteg å starte fra: legg til et steg av typen "
        "«home» der pasienten bor, med en overgang til det første steget pasienten møter.",
    }


def no_home_end() -> Texts:
    return {
        "en": "The pathway never brings the patient back home: no home step can be reached "
        "at the end. Add a step of kind «home» and a transition into it.",
        "nb": "Forløpet fører aldri pasienten hjem igjen: ingen hjemmesteg kan nås til "
        "slutt. Legg til et steg av typen «home» og en overgang dit.",
    }


def unreachable_step(step: Step) -> Texts:
    return {
        "en": f"Step {step_ref(step)} cannot be reached from the patient's home: no chain of "
        "transitions leads to it from a home step.",
        "nb": f"Steget {step_ref(step)} kan ikke nås fra pasientens hjem: ingen kjede av "
        "overganger fører dit fra et hjemmesteg.",
    }


def dead_end(step: Step) -> Texts:
    return {
        "en": f"From step {step_ref(step)} the patient can never get home: no chain of "
        "transitions leads on to a home step, so the patient is stuck there.",
        "nb": f"Fra steget {step_ref(step)} kommer pasienten aldri hjem: ingen kjede av "
        "overganger fører videre til et hjemmesteg, så pasienten blir stående fast der.",
    }


def missing_handover(transition: Transition, source: Step, target: Step) -> Texts:
    ref = _both(transition, source, target)
    return {
        "en": f"The transition {ref['en']} goes from the {_LEVEL[source.level]['en']} to the "
        f"{_LEVEL[target.level]['en']} but has no handover: say who sends, who receives, "
        "which messages, by when, and what each side must check.",
        "nb": f"Overgangen {ref['nb']} går fra {_LEVEL[source.level]['nb']} til "
        f"{_LEVEL[target.level]['nb']}, men har ingen overlevering: angi hvem som sender, "
        "hvem som tar imot, hvilke meldinger, innen når, og hva hver side skal sjekke.",
    }


def incomplete_handover(
    transition: Transition, source: Step, target: Step, missing: Sequence[str]
) -> Texts:
    """``missing`` holds keys of :data:`HANDOVER_PARTS`."""
    ref = _both(transition, source, target)
    parts = {
        language: _join([HANDOVER_PARTS[part][language] for part in missing], language)
        for language in ("en", "nb")
    }
    return {
        "en": f"The handover on the transition {ref['en']} is incomplete: it lacks {parts['en']}.",
        "nb": f"Overleveringen på overgangen {ref['nb']} er ufullstendig: den mangler "
        f"{parts['nb']}.",
    }


_IN_LEVEL = {
    Level.HOSPITAL: {"en": "in the hospital", "nb": "på sykehuset"},
    Level.MUNICIPALITY: {"en": "in the municipality", "nb": "i kommunen"},
}


def single_level(level: Level) -> Texts:
    other = Level.MUNICIPALITY if level is Level.HOSPITAL else Level.HOSPITAL
    return {
        "en": f"All steps are {_IN_LEVEL[level]['en']}: a home-to-home pathway runs between "
        f"municipality and hospital. Add the steps {_IN_LEVEL[other]['en']}.",
        "nb": f"Alle stegene er {_IN_LEVEL[level]['nb']}: et hjem-til-hjem-forløp går mellom "
        f"kommune og sykehus. Legg til stegene {_IN_LEVEL[other]['nb']}.",
    }


def unowned_step(step: Step) -> Texts:
    return {
        "en": f"Step {step_ref(step)} has no responsible role: say who is responsible for the "
        "patient in this step (for example ward nurse, home nursing or fastlege).",
        "nb": f"Steget {step_ref(step)} har ingen ansvarlig rolle: angi hvem som har ansvaret "
        "for pasienten i dette steget (for eksempel sykepleier på sengeposten, "
        "hjemmesykepleien eller fastlegen).",
    }


def decision_without_alternatives(step: Step, outcomes: int) -> Texts:
    en = "no outcome" if outcomes == 0 else "only one outcome"
    nb = "ingen utfall" if outcomes == 0 else "bare ett utfall"
    return {
        "en": f"Decision step {step_ref(step)} has {en}: a decision needs at least two "
        "transitions out of it, one for each outcome.",
        "nb": f"Beslutningssteget {step_ref(step)} har {nb}: en beslutning trenger minst to "
        "overganger ut, én for hvert utfall.",
    }


# --- norway ----------------------------------------------------------------------------


def no_admission_notice(
    transition: Transition, source: Step, target: Step, limit: timedelta
) -> Texts:
    ref = _both(transition, source, target)
    return {
        "en": f"Admission {ref['en']}: the patient will need municipal care after the "
        "hospital stay, but the handover does not send the notice of an admitted patient "
        f"(LOG_INNLAGT, melding om innlagt pasient) to the municipality {_within(limit, 'en')}. "
        "Add LOG_INNLAGT to the messages with that deadline, or a required checklist item "
        "for the hospital (the receiver) due by then.",
        "nb": f"Innleggelse {ref['nb']}: pasienten vil trenge kommunale tjenester etter "
        "sykehusoppholdet, men overleveringen sender ikke melding om innlagt pasient "
        f"(LOG_INNLAGT) til kommunen {_within(limit, 'nb')}. Legg LOG_INNLAGT til "
        "meldingene med den fristen, eller et påkrevd sjekkpunkt for sykehuset (mottakeren) "
        "med frist innen da.",
    }


def no_ready_notice(transition: Transition, source: Step, target: Step, limit: timedelta) -> Texts:
    ref = _both(transition, source, target)
    return {
        "en": f"Discharge {ref['en']}: the handover does not send the notice that the patient "
        "is ready for discharge (LOG_UTSKRIVNINGSKLAR, melding om utskrivningsklar pasient) "
        f"{_within(limit, 'en')} after the doctor has declared the patient ready. Add "
        "LOG_UTSKRIVNINGSKLAR to the "
        "messages with that deadline, or a required checklist item for the hospital "
        "(the sender) due by then.",
        "nb": f"Utskrivning {ref['nb']}: overleveringen sender ikke melding om "
        f"utskrivningsklar pasient (LOG_UTSKRIVNINGSKLAR) {_within(limit, 'nb')} etter at "
        "legen har vurdert pasienten som utskrivningsklar. Legg LOG_UTSKRIVNINGSKLAR til "
        "meldingene med den fristen, eller et påkrevd sjekkpunkt for sykehuset "
        "(avsenderen) med frist innen da.",
    }


def no_municipal_reply(
    transition: Transition, source: Step, target: Step, limit: timedelta
) -> Texts:
    ref = _both(transition, source, target)
    return {
        "en": f"Discharge {ref['en']}: the hospital sends the ready-for-discharge notice, but "
        "the handover has no reply from the municipality on whether and when it can receive "
        f"the patient (LOG_TILBAKEMELDING) {_within(limit, 'en')}. Add LOG_TILBAKEMELDING "
        "to the messages with that deadline, or a required checklist item for the "
        "municipality (the receiver) due by then.",
        "nb": f"Utskrivning {ref['nb']}: sykehuset sender melding om utskrivningsklar "
        "pasient, men overleveringen har ingen tilbakemelding fra kommunen om den kan ta imot "
        f"pasienten, og når (LOG_TILBAKEMELDING), {_within(limit, 'nb')}. Legg "
        "LOG_TILBAKEMELDING til meldingene med den fristen, eller et påkrevd sjekkpunkt for "
        "kommunen (mottakeren) med frist innen da.",
    }


_DISCHARGE_INFORMATION = {
    "epikrise": {"en": "the epikrise (discharge summary)", "nb": "epikrise"},
    "medication": {"en": "the medication list", "nb": "legemiddelliste"},
}


def no_discharge_information(
    transition: Transition,
    source: Step,
    target: Step,
    limit: timedelta,
    missing: Sequence[str],
) -> Texts:
    """``missing`` holds ``"epikrise"`` and/or ``"medication"``."""
    ref = _both(transition, source, target)
    parts = {
        language: _join([_DISCHARGE_INFORMATION[part][language] for part in missing], language)
        for language in ("en", "nb")
    }
    return {
        "en": f"Discharge {ref['en']}: the handover does not send {parts['en']} "
        f"{_within(limit, 'en')} after discharge. Add it to the messages with that deadline, "
        "or as a required checklist item for the hospital (the sender) due by then.",
        "nb": f"Utskrivning {ref['nb']}: overleveringen sender ikke {parts['nb']} "
        f"{_within(limit, 'nb')} etter utskrivning. Legg det til i meldingene med den "
        "fristen, eller som et påkrevd sjekkpunkt for sykehuset (avsenderen) med frist "
        "innen da.",
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
    ref = _both(transition, source, target)
    if late is None:
        return {
            "en": f"After the discharge {ref['en']} the patient can get back home without a "
            "follow-up by the GP (fastlege): add a follow-up step with the fastlege "
            f"responsible on the way home, {_within(limit, 'en')} after discharge.",
            "nb": f"Etter utskrivningen {ref['nb']} kan pasienten komme hjem uten oppfølging "
            "hos fastlegen: legg inn et oppfølgingssteg med fastlegen som ansvarlig på veien "
            f"hjem, {_within(limit, 'nb')} etter utskrivning.",
        }
    step, after = late
    return {
        "en": f"After the discharge {ref['en']} the follow-up by the GP (fastlege) in "
        f"{step_ref(step)} comes {duration_text(after, 'en')} after discharge at the earliest "
        f"(by the expected durations of the steps before it): not {_within(limit, 'en')}.",
        "nb": f"Etter utskrivningen {ref['nb']} kommer oppfølgingen hos fastlegen i "
        f"{step_ref(step)} tidligst {duration_text(after, 'nb')} etter utskrivning (etter "
        f"forventet varighet for stegene før): ikke {_within(limit, 'nb')}.",
    }


def no_readmission_path(transition: Transition, source: Step, target: Step) -> Texts:
    ref = _both(transition, source, target)
    return {
        "en": f"After the discharge {ref['en']} there is no way back to the hospital: if the "
        "patient gets worse in municipal care, no transition leads to a hospital step. Add a "
        "readmission path, for example from home nursing or the fastlege to the emergency "
        "department.",
        "nb": f"Etter utskrivningen {ref['nb']} finnes det ingen vei tilbake til sykehuset: "
        "blir pasienten dårligere i kommunen, fører ingen overgang til et steg på sykehuset. "
        "Legg inn en vei for reinnleggelse, for eksempel fra hjemmesykepleien eller "
        "fastlegen til akuttmottaket.",
    }
