"""Small text helpers shared by the exporters: XML-safe text, wrapping, labels.

Durations, deadlines and statuses for people are said by :mod:`pathways.wording`.
"""

from __future__ import annotations

import html
import re
import textwrap
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from functools import lru_cache

from reportlab.pdfbase.pdfmetrics import stringWidth

from pathways.findings import Finding, Severity
from pathways.message_catalogue import CATALOGUE_BY_CODE
from pathways.model import Level
from pathways.wording import KIND_LABELS, kind_label, language_or_default

__all__ = [
    "KIND_LABELS",
    "LEVELS",
    "LEVEL_LABELS",
    "aware",
    "escape",
    "format_datetime",
    "index_findings",
    "kind_label",
    "level_label",
    "message_label",
    "screen_width",
    "worst",
    "wrap",
    "wrap_to_width",
    "xml_safe",
]

LEVELS = (Level.MUNICIPALITY, Level.HOSPITAL)
"""The care levels in the order they are drawn: the home's level first."""

LEVEL_LABELS: Mapping[Level, str] = {
    Level.MUNICIPALITY: "Municipality / Kommune",
    Level.HOSPITAL: "Hospital / Sykehus",
}
"""Bilingual level names for pictures that both levels read (English and bokmål)."""

_NYNORSK_LEVEL_LABELS: Mapping[Level, str] = {
    Level.MUNICIPALITY: "Municipality / Kommune",
    Level.HOSPITAL: "Hospital / Sjukehus",
}


def level_label(level: Level, language: str = "en") -> str:
    """The bilingual name of ``level``: English and, in a nynorsk export, nynorsk.

    >>> level_label(Level.HOSPITAL, "nb"), level_label(Level.HOSPITAL, "nn")
    ('Hospital / Sykehus', 'Hospital / Sjukehus')
    """
    return (_NYNORSK_LEVEL_LABELS if language == "nn" else LEVEL_LABELS)[level]


# Characters XML 1.0 cannot hold at all (validation refuses them, but an exporter may be
# handed an unvalidated pathway): replaced rather than failing the whole export.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


_SPECIAL = re.compile("[&<>\"'\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@lru_cache(maxsize=8192)
def escape(text: str) -> str:
    """``text`` safe for XML and HTML text and double- or single-quoted attributes.

    Cached: the same roles, messages and words come back again and again.
    """
    if _SPECIAL.search(text) is None:
        return text
    return html.escape(xml_safe(text), quote=True)


def xml_safe(text: str) -> str:
    """``text`` without the characters XML 1.0 cannot represent (replaced by U+FFFD)."""
    return _NOT_XML.sub("\ufffd", text) if _NOT_XML.search(text) else text


@lru_cache(maxsize=4096)
def wrap(text: str, width: int, max_lines: int) -> tuple[str, ...]:
    """``text`` broken into at most ``max_lines`` lines of about ``width`` characters.

    Long words are broken; text that does not fit ends in an ellipsis.
    """
    lines = textwrap.wrap(" ".join(text.split()), width, break_on_hyphens=True) or [""]
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1]
        lines[-1] = (last[: width - 1].rstrip() if len(last) >= width else last) + "…"
    return tuple(lines)


SCREEN_FONT_FACTOR = 1.24
"""How much wider than Helvetica (whose metrics reportlab has) the pictures' screen
fonts may run: DejaVu Sans, the widest of the font stack, is up to 1.24 times as wide
(measured on Norwegian names; bold and regular)."""


@lru_cache(maxsize=65536)
def screen_width(text: str, size: float, bold: bool = False) -> float:
    """How wide ``text`` may be at ``size`` pixels on the widest screen font."""
    font = "Helvetica-Bold" if bold else "Helvetica"
    return float(stringWidth(text, font, size)) * SCREEN_FONT_FACTOR


@lru_cache(maxsize=16384)
def wrap_to_width(
    text: str, room: float, size: float, *, bold: bool = False, max_lines: int = 12
) -> tuple[str, ...]:
    """``text`` in lines no wider than ``room`` pixels at ``size`` on any screen font:
    words that do not fit a line are hyphenated, text that does not fit ``max_lines``
    ends in an ellipsis.

    >>> wrap_to_width("Legemiddelgjennomgang hos fastlegen", 156, 12, bold=True)
    ('Legemiddelgjennom-', 'gang hos fastlegen')
    """
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if screen_width(candidate, size, bold) <= room:
            line = candidate
            continue
        if line:
            lines.append(line)
            line = ""
        while screen_width(word, size, bold) > room:
            cut = len(word) - 1
            while cut > 1 and screen_width(word[:cut] + "-", size, bold) > room:
                cut -= 1
            lines.append(word[:cut] + "-")
            word = word[cut:]
        line = word
    lines.append(line)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1]
        while last and screen_width(last + "…", size, bold) > room:
            last = last[:-1]
        lines[-1] = last.rstrip() + "…"
    return tuple(lines)


def message_label(message: str, language: str = "en") -> str:
    """A handover message for people: the national message's name in ``language`` for a
    catalogue code (``LOG_INNLAGT`` → "Melding om innlagt pasient"), else as written.

    >>> message_label("EPIKRISE", "nb"), message_label("Telefon til fastlegen", "nb")
    ('Epikrise', 'Telefon til fastlegen')
    """
    known = CATALOGUE_BY_CODE.get(message)
    if known is None:
        return message
    return known.names.get(language_or_default(language), known.names["en"])


def aware(value: datetime) -> datetime:
    """``value`` with a time zone: naive timestamps are taken as UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def format_datetime(value: datetime) -> str:
    """A timestamp as ISO 8601 to the second; naive timestamps are taken as UTC."""
    return aware(value).isoformat(timespec="seconds").replace("+00:00", "Z")


def index_findings(
    findings: Iterable[Finding],
) -> tuple[dict[str, list[Finding]], dict[str, list[Finding]]]:
    """The findings per step key and per transition key, most severe first."""
    steps: dict[str, list[Finding]] = {}
    transitions: dict[str, list[Finding]] = {}
    for finding in sorted(findings, key=lambda finding: finding.severity.rank):
        for key in finding.steps:
            steps.setdefault(key, []).append(finding)
        for key in finding.transitions:
            transitions.setdefault(key, []).append(finding)
    return steps, transitions


def worst(findings: Iterable[Finding]) -> Severity | None:
    """The most severe of ``findings``, or ``None`` if there are none."""
    return min((finding.severity for finding in findings), key=lambda s: s.rank, default=None)
