"""Domain errors of the pathway model.

The tree::

    PathwayError
    ├── InvalidPathway        the graph or its metadata breaks a structural rule
    ├── DocumentError         a native document cannot be read (shape, format, version)
    └── ParticipationError    a change to the participants breaks a participation rule

None of these know about HTTP; the API maps each base class to a problem response.
What an error tells a person is :class:`Bilingual`: English and Norwegian bokmål.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "Bilingual",
    "DocumentError",
    "InvalidPathway",
    "LastParticipantOfLevel",
    "ParticipationError",
    "PathwayError",
    "Violation",
]


@dataclass(frozen=True, slots=True)
class Bilingual:
    """A text for a person in English and Norwegian bokmål; ``str()`` is the English.

    Nynorsk readers are given the bokmål (``nn`` and ``no`` read as ``nb``).

    >>> said = Bilingual("the pathway has changed", "Forløpet er endret")
    >>> str(said), said.in_language("nn"), said.in_language("sv")
    ('the pathway has changed', 'Forløpet er endret', 'the pathway has changed')
    """

    en: str
    nb: str

    def __str__(self) -> str:
        return self.en

    def in_language(self, language: str) -> str:
        """The bokmål for ``nb``, ``nn`` and ``no``; the English for anything else."""
        return self.nb if language in ("nb", "nn", "no") else self.en


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken rule, located by a path into the document (``("steps", 3, "key")``)."""

    loc: tuple[str | int, ...]
    message: str


class PathwayError(Exception):
    """Base class of every error raised by :mod:`pathways`."""


class InvalidPathway(PathwayError):
    """The pathway breaks one or more structural rules; ``violations`` lists them all."""

    def __init__(self, violations: Sequence[Violation]) -> None:
        self.violations = tuple(violations)
        first = self.violations[0].message if self.violations else "invalid pathway"
        more = f" (and {len(self.violations) - 1} more)" if len(self.violations) > 1 else ""
        super().__init__(first + more)


class DocumentError(InvalidPathway):
    """A native document could not be read: wrong shape, format or version."""


class ParticipationError(PathwayError):
    """A change to the participants is not allowed; ``text`` says why, in both languages."""

    def __init__(self, text: Bilingual) -> None:
        self.text = text
        super().__init__(text.en)


class LastParticipantOfLevel(ParticipationError):
    """Removing this organisation would leave a care level with no participant."""
