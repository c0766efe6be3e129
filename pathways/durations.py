"""ISO 8601 durations as used for deadlines and expected durations.

Durations are kept as the text the user wrote (so documents round-trip byte for byte) and
parsed only to check them and to compare them with limits.

>>> parse_duration("PT24H")
datetime.timedelta(days=1)
>>> parse_duration("P1DT12H")
datetime.timedelta(days=1, seconds=43200)
"""

from __future__ import annotations

import re
from datetime import timedelta

from pathways.errors import Bilingual, InvalidValue

__all__ = ["DURATION_NB", "DURATION_PATTERN", "MAX_DURATION", "is_duration", "parse_duration"]

# Calendar years and months have no fixed length; deadlines in care are counted in
# days and hours, so years and months are refused rather than approximated. Written
# without look-arounds or groups so that it means the same as a ``pattern`` in the
# OpenAPI spec: at least one part, and a ``T`` only before a time part.
_DATE_PART = r"(?:[0-9]{1,4}W(?:[0-9]{1,5}D)?|[0-9]{1,5}D)"
_TIME_PART = (
    r"T(?:[0-9]{1,6}H(?:[0-9]{1,7}M)?(?:[0-9]{1,9}S)?"
    r"|[0-9]{1,7}M(?:[0-9]{1,9}S)?"
    r"|[0-9]{1,9}S)"
)
DURATION_PATTERN = rf"^P(?:{_DATE_PART}(?:{_TIME_PART})?|{_TIME_PART})$"
"""ISO 8601 durations in weeks, days, hours, minutes and seconds (``PT24H``, ``P1DT12H``)."""
_DURATION = re.compile(DURATION_PATTERN.removeprefix("^").removesuffix("$"))
_PART = re.compile(r"([0-9]+)([WDHMS])")
_UNITS = {"W": "weeks", "D": "days", "H": "hours", "M": "minutes", "S": "seconds"}

DURATION_NB = (
    "er ikke en gyldig varighet. Oppgi den i uker, dager, timer, minutter og sekunder, "
    "for eksempel 24 timer, 14 dager eller 1 dag og 12 timer"
)
"""What a duration must be, in bokmål: in words, for the code is not for people."""

MAX_DURATION = timedelta(days=3660)
"""Longest duration accepted (about ten years): longer ones are typing mistakes."""


def parse_duration(text: str, *, longest: timedelta | None = MAX_DURATION) -> timedelta:
    """Return the ``timedelta`` of an ISO 8601 duration such as ``PT24H`` or ``P14D``.

    Raises ``ValueError`` (an :class:`~pathways.errors.InvalidValue`, in both languages)
    for anything else, including years and months (``P1Y``,
    ``P2M``) whose length is not fixed, and durations longer than ``longest`` (a
    deadline's cap against typing mistakes; ``None`` for none, e.g. a search window).
    """
    if _DURATION.fullmatch(text) is None:
        raise InvalidValue(
            Bilingual(
                f"{text!r} is not an ISO 8601 duration in weeks, days, hours, minutes "
                "and seconds (e.g. PT24H, P14D, P1DT12H)",
                DURATION_NB,
            )
        )
    parts = {_UNITS[unit]: int(number) for number, unit in _PART.findall(text)}
    try:
        value = timedelta(**parts)
    except OverflowError:
        raise InvalidValue(
            Bilingual(f"{text!r} is too long a duration", "er en altfor lang varighet")
        ) from None
    if longest is not None and value > longest:
        raise InvalidValue(
            Bilingual(
                f"{text!r} is longer than {longest.days} days",
                f"er lenger enn {longest.days} dager",
            )
        )
    return value


def is_duration(text: str) -> bool:
    """Whether ``text`` is a duration :func:`parse_duration` accepts."""
    try:
        parse_duration(text)
    except ValueError:
        return False
    return True
