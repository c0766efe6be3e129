"""Findings of the gap analysis: what is missing or wrong in a pathway, for whom.

A finding names a stable ``code`` (an API integrations rely on), a severity, the steps
and transitions concerned, and a message for a nurse in English, Norwegian bokmål and
nynorsk.
``error`` findings block approval.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from pathways.wording import LANGUAGES as WORDING_LANGUAGES

__all__ = ["LANGUAGES", "Finding", "Severity"]

LANGUAGES = WORDING_LANGUAGES
"""Languages of finding messages: English, Norwegian bokmål and nynorsk."""


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 0, "warning": 1, "info": 2}[self.value]


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    severity: Severity
    steps: tuple[str, ...] = ()
    transitions: tuple[str, ...] = ()
    messages: Mapping[str, str] = field(default_factory=dict)
    """The message per language (``"en"``, ``"nb"``, ``"nn"``)."""

    def message(self, language: str = "en") -> str:
        """The message in ``language``; nynorsk falls back to bokmål, the rest to English."""
        if language == "nn" and "nn" not in self.messages:
            language = "nb"
        return self.messages.get(language) or self.messages.get("en", self.code)
