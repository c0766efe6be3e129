"""National identity numbers, so that none is ever stored as a pseudonym.

A Norwegian fødselsnummer has 11 digits: the birth date (``DDMMYY``), an individual
number (3 digits) and two control digits, each a modulus-11 check over the digits before
it. A D-number (the day plus 4 in its first digit) and an H-number (the month plus 40)
carry the same control digits, so the check digits alone find all three: an 11-digit
run of digits in an id that passes both checks is taken for one.

>>> is_national_identity_number("01010112345")
False
>>> is_national_identity_number(with_control_digits("150599123"))
True
>>> national_identity_numbers_in("episode-" + with_control_digits("551299876"))
True
"""

from __future__ import annotations

import re

__all__ = ["is_national_identity_number", "national_identity_numbers_in", "with_control_digits"]

_FIRST = (3, 7, 6, 1, 8, 9, 4, 5, 2)
_SECOND = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
_ELEVEN_DIGITS = re.compile(r"(?<![0-9])[0-9]{11}(?![0-9])")


def _control(digits: str, weights: tuple[int, ...]) -> int | None:
    remainder = sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11
    control = (11 - remainder) % 11
    return None if control == 10 else control


def with_control_digits(nine: str) -> str:
    """``nine`` digits with the two control digits of a fødselsnummer appended
    (``ValueError`` when the first one would be 10: no number has those nine digits)."""
    first = _control(nine, _FIRST)
    if first is None:
        raise ValueError(f"{nine} has no valid control digits")
    second = _control(nine + str(first), _SECOND)
    if second is None:
        raise ValueError(f"{nine} has no valid control digits")
    return f"{nine}{first}{second}"


def is_national_identity_number(value: str) -> bool:
    """Whether ``value`` is 11 digits whose control digits are a fødselsnummer's (or a
    D- or H-number's, which share them)."""
    if len(value) != 11 or not value.isascii() or not value.isdigit():
        return False
    first = _control(value[:9], _FIRST)
    if first is None or first != int(value[9]):
        return False
    second = _control(value[:10], _SECOND)
    return second is not None and second == int(value[10])


def national_identity_numbers_in(text: str) -> bool:
    """Whether ``text`` holds an 11-digit run (not part of a longer number) that is a
    national identity number: ``episode-15059912345`` is refused like the bare number."""
    if len(text) < 11:
        return False
    return any(is_national_identity_number(m.group()) for m in _ELEVEN_DIGITS.finditer(text))
