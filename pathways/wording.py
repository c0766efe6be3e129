"""Words for people: durations, deadlines, lists and statuses as a nurse says them.

Every text a person reads (a finding, a checklist, a printed pathway) says a deadline the
way people do: ``samme dag``, ``innen 24 timer``, ``innen 14 dager``, never an ISO 8601
code such as ``PT24H``. Three languages: English (``en``), Norwegian bokmål (``nb``) and
nynorsk (``nn``).

>>> deadline_text("PT24H", "nb"), deadline_text("PT0H", "nn"), deadline_text("P14D", "en")
('innen 24 timer', 'same dag', 'within 14 days')
>>> join(["epikrise", "legemiddelliste"], "nb")
'epikrise og legemiddelliste'
>>> status_text("approved", "nb")
'godkjent'
>>> date_text(date(2026, 7, 1), "nb"), date_text(date(2026, 7, 1), "en")
('1.7.2026', '2026-07-01')
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta

from pathways.durations import parse_duration
from pathways.model import StepKind

__all__ = [
    "KIND_LABELS",
    "LANGUAGES",
    "UNIT_NAMES",
    "date_text",
    "deadline_text",
    "duration_text",
    "join",
    "kind_label",
    "language_or_default",
    "status_text",
]

LANGUAGES = ("en", "nb", "nn")
"""The languages of texts for people: English, Norwegian bokmål and nynorsk."""

UNIT_NAMES: Mapping[str, Mapping[str, tuple[str, str]]] = {
    "en": {
        "wk": ("week", "weeks"),
        "d": ("day", "days"),
        "h": ("hour", "hours"),
        "min": ("minute", "minutes"),
        "s": ("second", "seconds"),
    },
    "nb": {
        "wk": ("uke", "uker"),
        "d": ("dag", "dager"),
        "h": ("time", "timer"),
        "min": ("minutt", "minutter"),
        "s": ("sekund", "sekunder"),
    },
    "nn": {
        "wk": ("veke", "veker"),
        "d": ("dag", "dagar"),
        "h": ("time", "timar"),
        "min": ("minutt", "minutt"),
        "s": ("sekund", "sekund"),
    },
}
"""Units of time (singular, plural) per language, by their UCUM codes."""
_UNITS: Mapping[str, tuple[tuple[str, str], ...]] = {
    language: tuple(names[code] for code in ("d", "h", "min", "s"))
    for language, names in UNIT_NAMES.items()
}
_AND = {"en": "and", "nb": "og", "nn": "og"}
_SAME_DAY = {"en": "the same day", "nb": "samme dag", "nn": "same dag"}
_WITHIN = {"en": "within", "nb": "innen", "nn": "innan"}
_STATUSES: Mapping[str, Mapping[str, str]] = {
    "approved": {"en": "approved", "nb": "godkjent", "nn": "godkjend"},
    "draft": {"en": "draft", "nb": "utkast", "nn": "utkast"},
    "active": {"en": "approved", "nb": "godkjent", "nn": "godkjend"},
    "retired": {"en": "withdrawn", "nb": "trukket tilbake", "nn": "trekt tilbake"},
}


def language_or_default(language: str) -> str:
    """``language`` if it is one of :data:`LANGUAGES`, else English."""
    return language if language in LANGUAGES else "en"


def join(parts: Sequence[str], language: str) -> str:
    """``a``, ``a and b``, ``a, b and c`` (no serial comma, in any of the languages)."""
    if len(parts) <= 1:
        return "".join(parts)
    word = _AND[language_or_default(language)]
    return f"{', '.join(parts[:-1])} {word} {parts[-1]}"


def _as_timedelta(value: timedelta | str) -> timedelta | None:
    if isinstance(value, timedelta):
        return value
    try:
        return parse_duration(value)
    except ValueError:
        return None


def duration_text(value: timedelta | str, language: str) -> str:
    """A length of time as people say it: ``24 timer``, ``14 days and 2 hours``.

    Up to three days that are whole hours are said in hours (``36 timer``), as deadlines
    are; zero is ``the same day``. Text that is not a duration is returned as it is.

    >>> duration_text("P1DT12H", "nb"), duration_text(timedelta(days=14, hours=2), "en")
    ('36 timer', '14 days and 2 hours')
    >>> duration_text("PT30M", "nn")
    '30 minutt'
    """
    delta = _as_timedelta(value)
    if delta is None:
        return str(value)
    language = language_or_default(language)
    seconds = int(delta.total_seconds())
    if seconds <= 0:
        return _SAME_DAY[language]
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
    return join(parts, language)


def deadline_text(value: timedelta | str, language: str) -> str:
    """A deadline as people say it: ``samme dag``, ``innen 24 timer``, ``within 14 days``.

    >>> deadline_text(timedelta(0), "en"), deadline_text("PT36H", "nn")
    ('the same day', 'innan 36 timar')
    """
    delta = _as_timedelta(value)
    if delta is None:
        return str(value)
    language = language_or_default(language)
    if delta <= timedelta(0):
        return _SAME_DAY[language]
    return f"{_WITHIN[language]} {duration_text(delta, language)}"


def status_text(status: str, language: str) -> str:
    """A pathway's status for people (``approved`` → ``godkjent``); other text as it is.

    >>> status_text("draft", "nn"), status_text("changed since version 2", "nb")
    ('utkast', 'changed since version 2')
    """
    words = _STATUSES.get(status.strip().lower())
    return words[language_or_default(language)] if words else status


def date_text(value: date, language: str) -> str:
    """A date as its readers write it: ``1.7.2026`` in Norwegian, ISO 8601 in English."""
    if language_or_default(language) == "en":
        return value.isoformat()
    return f"{value.day}.{value.month}.{value.year}"


KIND_LABELS: Mapping[str, Mapping[StepKind, str]] = {
    "en": {
        StepKind.HOME: "Home",
        StepKind.REFERRAL: "Referral",
        StepKind.ASSESSMENT: "Assessment",
        StepKind.ADMISSION: "Admission",
        StepKind.TREATMENT: "Treatment",
        StepKind.DECISION: "Decision",
        StepKind.DISCHARGE: "Discharge",
        StepKind.RECEPTION: "Reception",
        StepKind.FOLLOW_UP: "Follow-up",
        StepKind.OUTPATIENT: "Outpatient visit",
        StepKind.DEATH: "Death",
        StepKind.OTHER: "Other",
    },
    "nb": {
        StepKind.HOME: "Hjemme",
        StepKind.REFERRAL: "Henvisning",
        StepKind.ASSESSMENT: "Vurdering",
        StepKind.ADMISSION: "Innleggelse",
        StepKind.TREATMENT: "Behandling",
        StepKind.DECISION: "Beslutning",
        StepKind.DISCHARGE: "Utskrivning",
        StepKind.RECEPTION: "Mottak",
        StepKind.FOLLOW_UP: "Oppfølging",
        StepKind.OUTPATIENT: "Poliklinisk konsultasjon",
        StepKind.DEATH: "Død",
        StepKind.OTHER: "Annet",
    },
    "nn": {
        StepKind.HOME: "Heime",
        StepKind.REFERRAL: "Tilvising",
        StepKind.ASSESSMENT: "Vurdering",
        StepKind.ADMISSION: "Innlegging",
        StepKind.TREATMENT: "Behandling",
        StepKind.DECISION: "Avgjerd",
        StepKind.DISCHARGE: "Utskriving",
        StepKind.RECEPTION: "Mottak",
        StepKind.FOLLOW_UP: "Oppfølging",
        StepKind.OUTPATIENT: "Poliklinisk konsultasjon",
        StepKind.DEATH: "Død",
        StepKind.OTHER: "Anna",
    },
}
"""Step kinds for people, per language."""


def kind_label(kind: StepKind, language: str = "en") -> str:
    """The name of a step kind in ``language`` (English if unknown).

    >>> kind_label(StepKind.DISCHARGE, "nn"), kind_label(StepKind.DEATH, "en")
    ('Utskriving', 'Death')
    """
    return KIND_LABELS[language_or_default(language)][kind]
