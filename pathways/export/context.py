"""What an export knows beyond the pathway itself: status, version, approvals, gaps.

The exporters are pure: everything that depends on the database or the clock (the
pathway's id, its approval status, when the export was made) comes in an
:class:`ExportContext`. The same pathway and the same context always give the same bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pathways.findings import Finding
from pathways.model import Level

__all__ = ["DEFAULT_BASE_URL", "DEFAULT_CONTEXT", "Approval", "ExportContext"]

DEFAULT_BASE_URL = "https://hjem-til-hjem.example/fhir"
"""Base of the canonical URLs in FHIR exports when the context names none."""


@dataclass(frozen=True, slots=True)
class Approval:
    """One organisation's approval of one revision of a pathway."""

    organization: str
    level: Level
    approved_at: datetime
    revision: int


@dataclass(frozen=True, slots=True)
class ExportContext:
    """Facts about a pathway that the pathway value does not hold.

    ``status`` is free text for people (``"draft"``, ``"approved"``, ``"changed since
    version 2"``); formats with a status code of their own (FHIR) map ``"approved"`` and
    ``"active"`` to active and anything else to draft. ``findings`` are the gap findings
    to mark in pictures and documents, ``language`` (``"en"`` or ``"nb"``) the language of
    their messages and of the printable document. ``base_url`` is the base of canonical
    URLs in FHIR resources.
    """

    pathway_id: int | None = None
    status: str = "draft"
    version: int | None = None
    revision: int | None = None
    approvals: tuple[Approval, ...] = ()
    findings: tuple[Finding, ...] = ()
    generated_at: datetime | None = None
    language: str = "en"
    base_url: str = DEFAULT_BASE_URL

    @property
    def is_approved(self) -> bool:
        """Whether :attr:`status` says the exported revision is approved."""
        return self.status.strip().lower() in {"approved", "active"}


DEFAULT_CONTEXT = ExportContext()
