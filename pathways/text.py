"""What text the service accepts: one set of rules for every string a client sends.

Every string is stored, exported to XML (BPMN, GraphML, SVG) and sent on to other
systems, so it may hold only characters that XML 1.0 can carry: no control characters
other than tab, line feed and carriage return, no lone surrogates, no U+FFFE or U+FFFF.
Names, roles and labels are a single line (tab allowed); descriptions and checklist
texts may have line breaks. Keys are slugs.

The character classes are written once, and the patterns built from them mean the
same in Python's ``re``, in pydantic's Rust engine and in ECMA-262 (the OpenAPI spec):
the wire schemas use the patterns, and :func:`text_violations` checks the same classes
one by one, to say which rule a value breaks.

>>> list(text_violations("Akuttmottak", ("name",), max_length=300))
[]
>>> [v.message for v in text_violations("A\\nB", ("name",), max_length=300)]
['must be a single line']
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from pathways.errors import Violation

__all__ = [
    "KEY_PATTERN",
    "LINE_PATTERN",
    "REQUIRED_LINE_PATTERN",
    "REQUIRED_TEXT_PATTERN",
    "TEXT_PATTERN",
    "is_key",
    "printable",
    "text_violations",
]

# Characters XML 1.0 cannot carry, and DEL (refused since the first version). Lone
# surrogates are refused before any pattern runs: they cannot be encoded at all.
_NOT_XML = r"\x00-\x08\x0B\x0C\x0E-\x1F\x7F\uFFFE\uFFFF"
# Line breaks in a single-line field (tab stays allowed there).
_BREAKS = r"\x0A\x0D\u2028\u2029"
# Whitespace: a required field needs one character that is not.
_SPACE = r"\x09-\x0D\x20\x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000"

TEXT_PATTERN = rf"^[^{_NOT_XML}]*$"
"""Multi-line text: XML 1.0 characters, tab, line feed and carriage return."""
REQUIRED_TEXT_PATTERN = rf"^[^{_NOT_XML}]*[^{_NOT_XML}{_SPACE}][^{_NOT_XML}]*$"
"""Multi-line text with at least one character that is not whitespace."""
LINE_PATTERN = rf"^[^{_NOT_XML}{_BREAKS}]*$"
"""A single line: XML 1.0 characters and tab, no line breaks."""
REQUIRED_LINE_PATTERN = rf"^[^{_NOT_XML}{_BREAKS}]*[^{_NOT_XML}{_SPACE}][^{_NOT_XML}{_BREAKS}]*$"
"""A single line with at least one character that is not whitespace."""
KEY_PATTERN = r"^[a-z0-9](?:[a-z0-9_-]*[a-z0-9])?$"
"""A key: lower-case letters, digits, '-' and '_', starting and ending with a letter or digit."""

_SURROGATE = re.compile(r"[\ud800-\udfff]")
_CONTROL = re.compile(rf"[{_NOT_XML}]")
_BREAK = re.compile(rf"[{_BREAKS}]")
_KEY = re.compile(KEY_PATTERN.removeprefix("^").removesuffix("$"))

Loc = tuple[str | int, ...]


def printable(value: str, *, max_length: int = 100) -> str:
    """``value`` safe to echo in an answer: lone surrogates replaced, at most ``max_length``.

    >>> printable("ward" + chr(0xD800)) == "ward\N{REPLACEMENT CHARACTER}"
    True
    >>> printable("x" * 200, max_length=5)
    'xxxx…'
    """
    value = _SURROGATE.sub("\ufffd", value)
    return value if len(value) <= max_length else value[: max_length - 1] + "…"


def is_key(value: str) -> bool:
    """Whether ``value`` is a key (the whole of it: a trailing newline is not allowed).

    >>> is_key("ward"), is_key("ward\\n"), is_key("Ward")
    (True, False, False)
    """
    return _KEY.fullmatch(value) is not None


def text_violations(
    value: str, loc: Loc, *, max_length: int, multiline: bool = False, required: bool = False
) -> Iterator[Violation]:
    """Violations of one text field: length, characters, line breaks, emptiness."""
    if required and not value.strip():
        yield Violation(loc, "must not be empty", "kan ikke være tomt")
    if len(value) > max_length:
        yield Violation(
            loc,
            f"is {len(value)} characters long; at most {max_length} allowed",
            f"har {len(value)} tegn, men kan ha høyst {max_length}",
        )
    if _SURROGATE.search(value):
        yield Violation(
            loc,
            "contains a lone surrogate, which is not a character",
            "inneholder et ugyldig tegn (et enslig surrogattegn)",
        )
    elif _CONTROL.search(value):
        yield Violation(
            loc,
            "contains a character that cannot be stored or exported (a control character "
            "such as NUL, or U+FFFE/U+FFFF)",
            "inneholder et tegn som ikke kan lagres eller eksporteres: et usynlig kontrolltegn "
            "(for eksempel NUL, U+FFFE eller U+FFFF)",
        )
    if not multiline and _BREAK.search(value):
        yield Violation(loc, "must be a single line", "må stå på én linje")
