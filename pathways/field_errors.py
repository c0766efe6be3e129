"""The words for one field's error from pydantic, in English and Norwegian bokmål.

Pydantic says what is wrong in English, by an error ``type`` and its context (``ctx``:
the limit, the allowed values). Where the error is one of our own (a text or key
pattern, a cap on a list, a validator's :class:`~pathways.errors.InvalidValue`), both
texts are ours; for pydantic's own types the bokmål is said here from the type and its
context, and the English is pydantic's. A type not listed keeps pydantic's English in
both languages: an error is never lost for want of words.

>>> said = error_text({"type": "string_too_long", "msg": "String should have at most "
...     "300 characters", "ctx": {"max_length": 300}})
>>> said.en, said.nb
('String should have at most 300 characters', 'kan ha høyst 300 tegn')
>>> error_text({"type": "missing", "msg": "Field required"}).nb
'mangler'
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pathways.durations import DURATION_NB, DURATION_PATTERN
from pathways.errors import Bilingual, text_of
from pathways.text import (
    KEY_PATTERN,
    LINE_PATTERN,
    REQUIRED_LINE_PATTERN,
    REQUIRED_TEXT_PATTERN,
    TEXT_PATTERN,
    printable,
)

__all__ = ["NB_BY_TYPE", "PATTERN_MESSAGES", "error_message", "error_text"]

_CONTROL_NB = "usynlige kontrolltegn (for eksempel NUL, U+FFFE eller U+FFFF)"

PATTERN_MESSAGES: Mapping[str, Bilingual] = {
    TEXT_PATTERN: Bilingual(
        "contains a character that cannot be stored or exported (a control "
        "character such as NUL, or U+FFFE/U+FFFF)",
        "inneholder et tegn som ikke kan lagres eller eksporteres: et usynlig kontrolltegn "
        "(for eksempel NUL, U+FFFE eller U+FFFF)",
    ),
    REQUIRED_TEXT_PATTERN: Bilingual(
        "must not be empty, and may hold no control character (such as NUL) and no U+FFFE/U+FFFF",
        f"kan ikke være tomt, og kan ikke inneholde {_CONTROL_NB}",
    ),
    LINE_PATTERN: Bilingual(
        "must be a single line without control characters (such as NUL) and without U+FFFE/U+FFFF",
        f"må stå på én linje, uten {_CONTROL_NB}",
    ),
    REQUIRED_LINE_PATTERN: Bilingual(
        "must not be empty, and must be a single line without control "
        "characters (such as NUL) and without U+FFFE/U+FFFF",
        f"kan ikke være tomt, og må stå på én linje, uten {_CONTROL_NB}",
    ),
    KEY_PATTERN: Bilingual(
        "is not a key: use lower-case letters, digits, '-' and '_', starting and "
        "ending with a letter or digit",
        "er ikke en gyldig nøkkel: bruk små bokstaver, sifre, bindestrek (-) og "
        "understrek (_), og begynn og slutt med en bokstav eller et siffer",
    ),
    DURATION_PATTERN: Bilingual(
        "is not an ISO 8601 duration in weeks, days, hours, minutes and "
        "seconds (e.g. PT24H, P14D, P1DT12H)",
        DURATION_NB,
    ),
}
"""What each of our patterns asks for: the pattern itself is for machines."""

_SURROGATE = Bilingual(
    "contains a lone surrogate (such as \\ud800), which is not a character",
    "inneholder et ugyldig tegn (et enslig surrogattegn, for eksempel \\ud800)",
)


def _count(number: object, one: str, many: str) -> str:
    return f"{number} {one if number == 1 else many}"


def _one_of(ctx: Mapping[str, Any]) -> str:
    """What may be chosen, from pydantic's ``expected`` (``'a', 'b' or 'c'``): ``må være en
    av: 'a', 'b', 'c'``, or ``må være 'a'`` when there is one."""
    expected = str(ctx["expected"])
    if " or " not in expected:
        return f"må være {expected}"
    return f"må være en av: {expected.replace(' or ', ', ')}"


_DATE_NB = "må være en dato (ÅÅÅÅ-MM-DD)"
_DATE_TIME_NB = "må være en dato og et klokkeslett, for eksempel 2026-05-01T12:00:00Z"
_INTEGER_NB = "må være et heltall"
_NUMBER_NB = "må være et tall"
_BOOL_NB = "må være true eller false (ja eller nei)"
_OBJECT_NB = "må være et objekt med felt og verdier (et JSON-objekt)"
_URL_NB = "må være en nettadresse (URL), for eksempel https://eksempel.no/varsler"

NB_BY_TYPE: Mapping[str, Callable[[Mapping[str, Any]], str]] = {
    "missing": lambda ctx: "mangler",
    "extra_forbidden": lambda ctx: "er ikke et kjent felt",
    "string_too_short": lambda ctx: f"må ha minst {ctx['min_length']} tegn",
    "string_too_long": lambda ctx: f"kan ha høyst {ctx['max_length']} tegn",
    "too_short": lambda ctx: f"må ha minst {_count(ctx['min_length'], 'element', 'elementer')}",
    "greater_than": lambda ctx: f"må være større enn {ctx['gt']}",
    "greater_than_equal": lambda ctx: f"må være minst {ctx['ge']}",
    "less_than": lambda ctx: f"må være mindre enn {ctx['lt']}",
    "less_than_equal": lambda ctx: f"kan være høyst {ctx['le']}",
    "multiple_of": lambda ctx: f"må gå opp i {ctx['multiple_of']}",
    "int_parsing": lambda ctx: _INTEGER_NB,
    "int_type": lambda ctx: _INTEGER_NB,
    "int_from_float": lambda ctx: _INTEGER_NB,
    "int_parsing_size": lambda ctx: "er et for stort tall",
    "float_parsing": lambda ctx: _NUMBER_NB,
    "float_type": lambda ctx: _NUMBER_NB,
    "finite_number": lambda ctx: "må være et endelig tall",
    "bool_type": lambda ctx: _BOOL_NB,
    "bool_parsing": lambda ctx: _BOOL_NB,
    "string_type": lambda ctx: "må være tekst",
    "string_sub_type": lambda ctx: "må være tekst",
    "string_pattern_mismatch": lambda ctx: "har ikke riktig form",
    "date_type": lambda ctx: _DATE_NB,
    "date_parsing": lambda ctx: _DATE_NB,
    "date_from_datetime_parsing": lambda ctx: _DATE_NB,
    "date_from_datetime_inexact": lambda ctx: _DATE_NB,
    "datetime_type": lambda ctx: _DATE_TIME_NB,
    "datetime_parsing": lambda ctx: _DATE_TIME_NB,
    "datetime_from_date_parsing": lambda ctx: _DATE_TIME_NB,
    "datetime_object_invalid": lambda ctx: _DATE_TIME_NB,
    "timezone_aware": lambda ctx: "må ha en tidssone, for eksempel Z for UTC",
    "enum": _one_of,
    "literal_error": _one_of,
    "json_invalid": lambda ctx: "er ikke gyldig JSON",
    "json_type": lambda ctx: "må være tekst som inneholder JSON",
    "model_type": lambda ctx: _OBJECT_NB,
    "model_attributes_type": lambda ctx: _OBJECT_NB,
    "dict_type": lambda ctx: _OBJECT_NB,
    "list_type": lambda ctx: "må være en liste",
    "set_type": lambda ctx: "må være en liste",
    "tuple_type": lambda ctx: "må være en liste",
    "none_required": lambda ctx: "må være null",
    "uuid_type": lambda ctx: "må være en UUID",
    "uuid_parsing": lambda ctx: "må være en UUID",
    "url_type": lambda ctx: _URL_NB,
    "url_parsing": lambda ctx: _URL_NB,
    "url_syntax_violation": lambda ctx: _URL_NB,
    "url_too_long": lambda ctx: f"kan ha høyst {ctx['max_length']} tegn",
    "url_scheme": lambda ctx: f"må være en nettadresse som begynner med {ctx['expected_schemes']}",
}
"""The bokmål of pydantic's own error types, said from the error's ``ctx``."""


def _ours(kind: object, ctx: Mapping[str, Any]) -> Bilingual | None:
    """Both texts of an error whose words are ours, not pydantic's."""
    if kind == "string_pattern_mismatch" and ctx.get("pattern") in PATTERN_MESSAGES:
        return PATTERN_MESSAGES[ctx["pattern"]]
    if kind == "too_long":
        most, sent = ctx.get("max_length"), ctx.get("actual_length")
        return Bilingual(
            f"more than {most} items ({sent} sent); none of them was read",
            f"har mer enn {_count(most, 'element', 'elementer')} ({sent} sendt); "
            "ingen av dem ble lest",
        )
    if kind == "string_unicode":
        return _SURROGATE
    if kind == "value_error" and "error" in ctx:
        said = ctx["error"]
        text = text_of(said) if isinstance(said, Exception) else Bilingual(str(said), str(said))
        # Our own words, not "Value error, ..."
        return Bilingual(printable(text.en, max_length=500), printable(text.nb, max_length=500))
    return None


def error_text(error: Mapping[str, Any]) -> Bilingual:
    """The words for one pydantic error, in both languages: what a pattern or cap asks
    for (not the pattern), and pydantic's own errors in bokmål by their type.

    >>> error_text({"type": "enum", "msg": "Input should be 'a' or 'b'",
    ...     "ctx": {"expected": "'a' or 'b'"}}).nb
    "må være en av: 'a', 'b'"
    >>> error_text({"type": "no_such_type", "msg": "Something odd"}).nb
    'Something odd'
    """
    kind = error.get("type")
    ctx = error.get("ctx") or {}
    ours = _ours(kind, ctx)
    if ours is not None:
        return ours
    english = printable(str(error.get("msg", "")), max_length=500)
    make = NB_BY_TYPE.get(str(kind))
    if make is None:
        return Bilingual(english, english)
    try:
        nb = make(ctx)
    except (KeyError, TypeError, ValueError):
        return Bilingual(english, english)
    return Bilingual(english, printable(nb, max_length=500))


def error_message(error: Mapping[str, Any]) -> str:
    """The English words for one pydantic error (:func:`error_text`'s English).

    >>> error_message({"type": "string_pattern_mismatch", "ctx": {"pattern": DURATION_PATTERN}})
    'is not an ISO 8601 duration in weeks, days, hours, minutes and seconds (e.g. PT24H, ...)'
    """
    return error_text(error).en
