"""What an export knows beyond the pathway itself: status, version, approvals, gaps.

The exporters are pure: everything that depends on the database or the clock (the
pathway's id, its approval status, when the export was made) comes in an
:class:`ExportContext`. The same pathway and the same context always give the same bytes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from pathways.export._words import words
from pathways.findings import Finding
from pathways.model import Level, Pathway
from pathways.wording import status_text

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_CONTEXT",
    "Approval",
    "ExportContext",
    "Fact",
    "Origin",
    "comparison",
]

DEFAULT_BASE_URL = "urn:hjem-til-hjem:fhir"
"""Base of the canonical URLs in FHIR exports when the context names none: a name, not an
address that pretends to be one. A deployment names its own (``PATHWAYS_FHIR_BASE_URL``),
the https address under which it publishes its FHIR artefacts."""


@dataclass(frozen=True, slots=True)
class Approval:
    """One organisation's approval of one revision of a pathway."""

    organization: str
    level: Level
    approved_at: datetime
    revision: int


@dataclass(frozen=True, slots=True)
class Origin:
    """The approved version a borrowed pathway was copied from, as it was then.

    >>> Origin(7, "Hoftebrudd", 3, "Helsefellesskapet Vestvik").text("nb")
    '«Hoftebrudd», versjon 3, Helsefellesskapet Vestvik (forløp 7)'
    """

    pathway_id: int
    title: str
    version: int
    partnership: str = ""
    """The name of the partnership it was approved in ("" outside one)."""

    def text(self, language: str) -> str:
        said = words(language)
        quoted = f"“{self.title}”" if language == "en" else f"«{self.title}»"
        parts = [quoted, f"{said['version'].lower()} {self.version}"]
        if self.partnership:
            parts.append(self.partnership)
        return ", ".join(parts) + f" ({said['pathway_word']} {self.pathway_id})"


@dataclass(frozen=True, slots=True)
class Fact:
    """One line of a document's header: a label and its value (a date or time is shown
    as one; ``status`` marks the status, which a page may style)."""

    label: str
    value: str | int | date | datetime
    status: bool = False


@dataclass(frozen=True, slots=True)
class ExportContext:
    """Facts about a pathway that the pathway value does not hold.

    ``status`` is ``"draft"``, ``"approved"`` or ``"changed"`` (a draft changed since
    approved version ``changed_since``); :meth:`status_label` says it in a language
    (``godkjent``, ``endra sidan versjon 2``), and other text is shown as it is. Formats
    with a status code of their own (FHIR) map ``"approved"`` and ``"active"`` to active
    and anything else to draft. ``findings`` are the gap findings to mark in pictures and
    documents, ``language`` (``"en"``, ``"nb"`` or ``"nn"``) the language of their
    messages and of every text for people in the exports. ``base_url`` is the base of
    canonical URLs in FHIR resources (``{base_url}/PlanDefinition/pathway-42``).

    >>> ExportContext(status="changed", changed_since=2).status_label("nb")
    'endret siden versjon 2'
    >>> ExportContext(status="approved", language="nn").status_label()
    'godkjend'
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
    changed_since: int | None = None
    """The number of the approved version a ``"changed"`` draft was changed since."""
    origin: Origin | None = None
    """Where a borrowed pathway came from."""
    step_marks: Mapping[str, str] = field(default_factory=dict)
    """For a picture of a difference: steps ``added``, ``changed`` or ``removed``
    (:func:`pathways.diff.marked_union`)."""
    transition_marks: Mapping[str, str] = field(default_factory=dict)
    """Likewise for transitions."""
    on_time: Mapping[str, float] = field(default_factory=dict)
    """For a picture of conformance: each handover's share (0-1) of required messages
    and checklist items that came in time (:mod:`pathways.conformance`); the picture
    colours the handover by it."""

    @property
    def is_approved(self) -> bool:
        """Whether :attr:`status` says the exported revision is approved."""
        return self.status.strip().lower() in {"approved", "active"}

    def status_label(self, language: str | None = None) -> str:
        """:attr:`status` for people in ``language`` (default: the context's language)."""
        language = self.language if language is None else language
        if self.status.strip().lower() == "changed":
            if self.changed_since is None:
                return words(language)["changed"]
            return words(language)["changed_since"].format(version=self.changed_since)
        return status_text(self.status, language)

    def status_line(self, language: str | None = None) -> str:
        """The status, version and revision for people: ``godkjent · versjon 3 · revisjon 17``.

        >>> ExportContext(status="approved", version=3, revision=17).status_line("nn")
        'godkjend · versjon 3 · revisjon 17'
        """
        language = self.language if language is None else language
        said = words(language)
        parts = [self.status_label(language)]
        if self.version is not None:
            parts.append(f"{said['version'].lower()} {self.version}")
        if self.revision is not None:
            parts.append(f"{said['revision'].lower()} {self.revision}")
        return " · ".join(part for part in parts if part)

    def facts(self, pathway: Pathway, language: str | None = None) -> list[Fact]:
        """The facts at the head of a printed pathway (HTML and PDF), in order."""
        language = self.language if language is None else language
        said, info = words(language), pathway.info
        facts = [Fact(said["status"], self.status_label(language), status=True)]
        if self.version is not None:
            facts.append(Fact(said["version"], self.version))
        if self.revision is not None:
            facts.append(Fact(said["revision"], self.revision))
        if info.review_due is not None:
            facts.append(Fact(said["review_due"], info.review_due))
        if info.agreement_ref:
            facts.append(Fact(said["agreement"], info.agreement_ref))
        if info.target_group:
            facts.append(Fact(said["target_group"], info.target_group))
        if self.origin is not None:
            facts.append(Fact(said["borrowed_from"], self.origin.text(language)))
        if self.generated_at is not None:
            facts.append(Fact(said["generated"], self.generated_at))
        return facts


DEFAULT_CONTEXT = ExportContext()


def comparison(before: tuple[int, int | None], after: tuple[int, int | None], language: str) -> str:
    """What a picture of a difference compares, each side a pathway and a version
    (None: its draft), as the status line of that picture.

    >>> comparison((3, 1), (3, None), "nb")
    'Fra versjon 1 av forløp 3 til utkastet til forløp 3'
    """
    said = words(language)

    def side(pathway: int, version: int | None) -> str:
        if version is None:
            return said["draft_of"].format(pathway=pathway)
        return said["version_of"].format(version=version, pathway=pathway)

    return said["diff_from_to"].format(before=side(*before), after=side(*after))
