"""The national handover messages as data, and how free text is read against them.

A handover names what passes between the care levels: in its ``messages`` (a code such as
``LOG_INNLAGT``, or free text such as "Melding om innlagd pasient") and in its checklist
items ("Send legemiddelliste"). The gap rules never search raw substrings of that text.
They ask :func:`recognise` which catalogue messages a text names, and it answers by
**words**: the text is normalised (Unicode NFKC, case folded) and cut into words, and a
message is named when its code is one of the words or one of its terms (its names in
bokmål, nynorsk and English, and the synonyms people write) stands in the text as whole,
consecutive words. So "Sjekk om pasienten har vært innlagt siste 30 dager" names no
message (``innlagt`` alone is not a term of LOG_INNLAGT: "innlagt pasient" is; nor is
"ready for discharge", a state, the notice of it), and "sykepleieepikrise" is not
"epikrise".

Each :class:`CatalogueMessage` says which level sends it (``None``: either, as an updated
medication list goes both ways) and at which moment of the pathway it belongs
(:data:`MOMENTS`). The same catalogue is what an editor offers as choices.

>>> sorted(recognise("Melding om innlagd pasient (nynorsk)"))
['LOG_INNLAGT']
>>> sorted(recognise("Sjekk om pasienten har vært innlagt siste 30 dager"))
[]
>>> sorted(recognise("Send oppdatert medisinkort og epikrise"))
['EPIKRISE', 'LEGEMIDDELLISTE']
>>> spoken_deadline("Kommunen svarer same dag")
datetime.timedelta(0)
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from types import MappingProxyType

from pathways.model import Level

__all__ = [
    "CATALOGUE",
    "CATALOGUE_BY_CODE",
    "MOMENTS",
    "CatalogueMessage",
    "recognise",
    "spoken_deadline",
    "words",
]

MOMENTS = (
    "referral",
    "admission",
    "stay",
    "ready",
    "reply",
    "withdrawn",
    "discharge",
    "discharged",
    "outpatient",
    "death",
)
"""The moments of a pathway a message belongs to, in the order they come."""


@dataclass(frozen=True, slots=True)
class CatalogueMessage:
    """One national message: its code, its names, the words people use for it."""

    code: str
    names: Mapping[str, str]
    """The message's name per language (``en``, ``nb``, ``nn``)."""
    synonyms: tuple[str, ...]
    """Other words people write for it, in any of the languages."""
    sender: Level | None
    """The level that sends it; ``None`` when either level may."""
    moment: str
    """When it is sent: one of :data:`MOMENTS`."""

    @property
    def terms(self) -> tuple[str, ...]:
        """Every text that names the message: its names first, then its synonyms."""
        return (*dict.fromkeys(self.names.values()), *self.synonyms)


def _message(
    code: str,
    *,
    en: str,
    nb: str,
    nn: str,
    synonyms: tuple[str, ...],
    sender: Level | None,
    moment: str,
) -> CatalogueMessage:
    return CatalogueMessage(
        code, MappingProxyType({"en": en, "nb": nb, "nn": nn}), synonyms, sender, moment
    )


_H, _M = Level.HOSPITAL, Level.MUNICIPALITY

CATALOGUE: tuple[CatalogueMessage, ...] = (
    _message(
        "HENVISNING",
        en="Referral",
        nb="Henvisning",
        nn="Tilvising",
        synonyms=("tilvisning", "innleggelsesbegjæring", "innleggingsbegjæring"),
        sender=_M,
        moment="referral",
    ),
    _message(
        "INNLEGGELSESRAPPORT",
        en="Admission report",
        nb="Innleggelsesrapport",
        nn="Innleggingsrapport",
        synonyms=("innleggelsesskriv", "innleggingsskriv", "admission report from home nursing"),
        sender=_M,
        moment="admission",
    ),
    _message(
        "LOG_INNLAGT",
        en="Notice of admitted patient",
        nb="Melding om innlagt pasient",
        nn="Melding om innlagd pasient",
        synonyms=(
            "varsel om innlagt pasient",
            "varsel om innlagd pasient",
            "melding om innleggelse",
            "melding om innlegging",
            "innleggelsesmelding",
            "innleggingsmelding",
            "admission notice",
            "notice of admission",
            "admitted patient notice",
        ),
        sender=_H,
        moment="admission",
    ),
    _message(
        "HELSEOPPL_SOKNAD",
        en="Health information for the application for municipal services",
        nb="Helseopplysninger ved søknad om kommunale helse- og omsorgstjenester",
        nn="Helseopplysningar ved søknad om kommunale helse- og omsorgstenester",
        synonyms=(
            "helseopplysninger",
            "helseopplysningar",
            "helseopplysninger ved søknad",
            "helseopplysningar ved søknad",
            "health information for the application",
        ),
        sender=_H,
        moment="stay",
    ),
    _message(
        "LOG_UTSKRIVNINGSKLAR",
        en="Notice of patient ready for discharge",
        nb="Melding om utskrivningsklar pasient",
        nn="Melding om utskrivingsklar pasient",
        synonyms=(
            "varsel om utskrivningsklar pasient",
            "varsel om utskrivingsklar pasient",
            "utskrivningsklar melding",
            "utskrivingsklar melding",
            "meldes utskrivningsklar",
            "meldt utskrivningsklar",
            "meldast utskrivingsklar",
            "meldt utskrivingsklar",
            "utskrivningsklarmelding",
            "utskrivingsklarmelding",
            "melding om utskrivningsklar",
            "melding om utskrivingsklar",
            "ready for discharge notice",
            "notice of ready for discharge",
        ),
        sender=_H,
        moment="ready",
    ),
    _message(
        "LOG_TILBAKEMELDING",
        en="Reply on receiving a patient ready for discharge",
        nb="Tilbakemelding på mottak av utskrivningsklar pasient",
        nn="Tilbakemelding på mottak av utskrivingsklar pasient",
        synonyms=(
            "tilbakemelding på mottak",
            "tilbakemelding om mottak",
            "tilbakemelding fra kommunen",
            "tilbakemelding frå kommunen",
            "kommunens tilbakemelding",
            "kommunen gir tilbakemelding",
            "kommunen svarer",
            "kommunen svarar",
            "svar fra kommunen",
            "svar frå kommunen",
            "municipal reply",
            "the municipality replies",
            "municipality replies",
            "reply from the municipality",
        ),
        sender=_M,
        moment="reply",
    ),
    _message(
        "LOG_AVMELDING",
        en="Withdrawal of the notice of a patient ready for discharge",
        nb="Avmelding av utskrivningsklar pasient",
        nn="Avmelding av utskrivingsklar pasient",
        synonyms=(
            "avmelding",
            "ikke lenger utskrivningsklar",
            "ikkje lenger utskrivingsklar",
            "no longer ready for discharge",
            "withdrawal notice",
        ),
        sender=_H,
        moment="withdrawn",
    ),
    _message(
        "UTSKRIVNINGSRAPPORT",
        en="Nursing discharge report",
        nb="Utskrivningsrapport",
        nn="Utskrivingsrapport",
        synonyms=("sykepleieepikrise", "pleieepikrise", "sjukepleieepikrise", "nursing report"),
        sender=_H,
        moment="discharge",
    ),
    _message(
        "EPIKRISE",
        en="Discharge summary",
        nb="Epikrise",
        nn="Epikrise",
        synonyms=("legeepikrise", "discharge letter"),
        sender=_H,
        moment="discharge",
    ),
    _message(
        "POLIKLINISK_NOTAT",
        en="Outpatient note",
        nb="Poliklinisk notat",
        nn="Poliklinisk notat",
        synonyms=(
            "poliklinisk epikrise",
            "notat fra poliklinikken",
            "notat frå poliklinikken",
            "outpatient letter",
        ),
        sender=_H,
        moment="outpatient",
    ),
    _message(
        "LEGEMIDDELLISTE",
        en="Updated medication list",
        nb="Oppdatert legemiddelliste",
        nn="Oppdatert legemiddelliste",
        synonyms=(
            "legemiddelliste",
            "legemiddellister",
            "legemiddeloversikt",
            "legemiddelopplysninger",
            "legemiddelopplysningar",
            "medisinliste",
            "medisinkort",
            "medikamentliste",
            "medikamentoversikt",
            "medication list",
            "list of medications",
            "medication information",
        ),
        sender=None,
        moment="discharge",
    ),
    _message(
        "LOG_UTSKREVET",
        en="Notice of discharged patient",
        nb="Melding om utskrevet pasient",
        nn="Melding om utskriven pasient",
        synonyms=(
            "varsel om utskrevet pasient",
            "varsel om utskriven pasient",
            "utskrivningsmelding",
            "utskrivingsmelding",
            "discharged patient notice",
            "notice of discharge",
        ),
        sender=_H,
        moment="discharged",
    ),
    _message(
        "LOG_DOD",
        en="Notice of death",
        nb="Melding om død pasient",
        nn="Melding om død pasient",
        synonyms=("melding om dødsfall", "dødsmelding", "death notice"),
        sender=_H,
        moment="death",
    ),
)
"""Every national message the rules know, in the order of :data:`MOMENTS`."""

CATALOGUE_BY_CODE: Mapping[str, CatalogueMessage] = MappingProxyType(
    {message.code: message for message in CATALOGUE}
)

_WORD = re.compile(r"\w+")


def words(text: str) -> tuple[str, ...]:
    """``text`` as normalised words: NFKC, case folded, split at anything not a letter,
    digit or ``_`` (so "ready-for-discharge" is three words and ``LOG_INNLAGT`` one).

    >>> words("Melding om INNLAGT pasient, LOG_INNLAGT")
    ('melding', 'om', 'innlagt', 'pasient', 'log_innlagt')
    """
    return tuple(_WORD.findall(unicodedata.normalize("NFKC", text).casefold()))


_ENDINGS = ("e", "en", "et", "a", "n", "ne", "ene", "ane", "er", "ar", "erne", "s")
"""Definite, plural and genitive endings of Norwegian nouns (bokmål and nynorsk)."""


def _inflected(word: str) -> set[str]:
    """``word`` and its inflected forms: "epikrise" → "epikrisen", "legemiddelliste" →
    "legemiddellista", "helseopplysninger" → "helseopplysningene"."""
    stems = {word}
    if word.endswith("e"):
        stems.add(word[:-1])
    if word.endswith(("er", "ar")):
        stems.add(word[:-2])
    return {word} | {stem + ending for stem in stems for ending in _ENDINGS}


def _phrases() -> dict[tuple[str, ...], frozenset[str]]:
    """Every phrase that names a message, the last word of each term in all its forms."""
    named: dict[tuple[str, ...], set[str]] = {}
    for message in CATALOGUE:
        named.setdefault(words(message.code), set()).add(message.code)
        for term in message.terms:
            *first, last = words(term)
            for form in _inflected(last):
                named.setdefault((*first, form), set()).add(message.code)
    return {phrase: frozenset(codes) for phrase, codes in named.items()}


_PHRASES = _phrases()
_LONGEST = max(len(phrase) for phrase in _PHRASES)


@lru_cache(maxsize=16384)
def recognise(text: str) -> frozenset[str]:
    """The codes of the catalogue messages ``text`` names (cached: texts repeat a lot)."""
    found: set[str] = set()
    tokens = words(text)
    phrases = _PHRASES
    for start in range(len(tokens)):
        for end in range(start + 1, min(start + _LONGEST, len(tokens)) + 1):
            codes = phrases.get(tokens[start:end])
            if codes is not None:
                found.update(codes)
    return frozenset(found)


_NUMBERS = {
    "en": 1, "ett": 1, "ein": 1, "eitt": 1, "ei": 1, "one": 1, "a": 1, "an": 1,
    "to": 2, "two": 2, "tre": 3, "three": 3, "fire": 4, "four": 4, "fem": 5, "five": 5,
    "seks": 6, "six": 6, "sju": 7, "syv": 7, "seven": 7, "fjorten": 14, "fourteen": 14,
}  # fmt: skip
_HOURS = {"timer", "timar", "time", "hours", "hour", "t", "h"}
_DAYS = {"døgn", "dager", "dagar", "dag", "days", "day", "d", "virkedag", "virkedager"}
_WEEKS = {"uke", "uker", "veke", "veker", "week", "weeks"}
_NOT = r"(?<!ikke )(?<!ikkje )(?<!not )"
_SAME_DAY = re.compile(
    _NOT + r"\b(?:(?:samme|same) dag(?:en)?|(?:the )?same day|ved utskriv(?:n)?ing(?:a|en)?"
    r"|(?:senest|seinast) (?:på )?utskriv(?:n)?ingsdagen|på utskriv(?:n)?ingsdagen)\b"
)
_WITHIN = re.compile(_NOT + r"\b(?:innen|innan|within)\s+(\d{1,4}|[a-zæøå]+)\s*([a-zæøå]+)\b")


def spoken_deadline(text: str) -> timedelta | None:
    """A deadline said in words in ``text``: "samme dag"/"same dag", "ved utskrivning",
    "senest utskrivningsdagen" (the same day), "innen 24 timer", "innen ett døgn", "innan
    2 dagar", "within 48 hours", "innen to uker"; ``None`` if it says none, or says it is
    not ("ikke samme dag").

    A checklist item without a ``due`` that says its deadline in words is read as due by
    then, as a coordinator reads it.

    >>> spoken_deadline("Send innan 2 døgn"), spoken_deadline("Pårørende informert")
    (datetime.timedelta(days=2), None)
    >>> spoken_deadline("innen ett døgn"), spoken_deadline("ikke samme dag")
    (datetime.timedelta(days=1), None)
    """
    folded = unicodedata.normalize("NFKC", text).casefold()
    if _SAME_DAY.search(folded):
        return timedelta(0)
    match = _WITHIN.search(folded)
    if match is None:
        return None
    amount_text, unit = match.group(1), match.group(2)
    amount = int(amount_text) if amount_text.isdigit() else _NUMBERS.get(amount_text)
    if amount is None:
        return None
    if unit in _HOURS:
        return timedelta(hours=amount)
    if unit in _DAYS:
        return timedelta(days=amount)
    if unit in _WEEKS:
        return timedelta(weeks=amount)
    return None
