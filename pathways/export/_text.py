"""Small text helpers shared by the exporters: XML-safe text, wrapping, labels, durations."""

from __future__ import annotations

import html
import re
import textwrap
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from functools import lru_cache

from pathways.durations import is_duration
from pathways.findings import Finding, Severity
from pathways.model import Level, StepKind

__all__ = [
    "KIND_LABELS",
    "LEVELS",
    "LEVEL_LABELS",
    "aware",
    "escape",
    "format_datetime",
    "human_duration",
    "index_findings",
    "kind_label",
    "worst",
    "wrap",
    "xml_safe",
]

LEVELS = (Level.MUNICIPALITY, Level.HOSPITAL)
"""The care levels in the order they are drawn: the home's level first."""

LEVEL_LABELS: Mapping[Level, str] = {
    Level.MUNICIPALITY: "Municipality / Kommune",
    Level.HOSPITAL: "Hospital / Sykehus",
}
"""Bilingual level names for pictures that both levels read."""

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
        StepKind.OTHER: "Annet",
    },
}
"""Step kinds for people, per language."""


def kind_label(kind: StepKind, language: str = "en") -> str:
    """The name of a step kind in ``language`` (English if unknown)."""
    return KIND_LABELS.get(language, KIND_LABELS["en"])[kind]


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


_UNITS = {
    "en": {"D": "d", "H": "h", "M": "min", "S": "s"},
    "nb": {"D": "d", "H": "t", "M": "min", "S": "s"},
}
_PARTS = re.compile(r"(\d+)([WDHMS])")


@lru_cache(maxsize=1024)
def human_duration(value: str | None, language: str = "en") -> str:
    """An ISO 8601 duration for people, in the units it was written in.

    ``PT24H`` → ``24 h``, ``P1DT12H`` → ``1 d 12 h``, ``P1W2D`` → ``9 d``; ``""`` for
    ``None``. Text that is not a duration is returned as it is.

    >>> human_duration("PT30M"), human_duration("PT24H", "nb")
    ('30 min', '24 t')
    """
    if value is None:
        return ""
    if not is_duration(value):
        return value
    units = _UNITS.get(language, _UNITS["en"])
    counts: dict[str, int] = {}
    for count, letter in _PARTS.findall(value):
        days = letter in "WD"
        key = "D" if days else letter
        counts[key] = counts.get(key, 0) + int(count) * (7 if letter == "W" else 1)
    return " ".join(f"{count} {units[letter]}" for letter, count in counts.items())


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
