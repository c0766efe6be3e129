"""Domain errors of the pathway model.

The tree::

    PathwayError
    ├── InvalidPathway        the graph or its metadata breaks a structural rule
    ├── DocumentError         a native document cannot be read (shape, format, version)
    └── ParticipationError    a change to the participants breaks a participation rule

None of these know about HTTP; the API maps each base class to a problem response.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "DocumentError",
    "InvalidPathway",
    "LastParticipantOfLevel",
    "ParticipationError",
    "PathwayError",
    "Violation",
]


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
    """A change to the participants is not allowed."""


class LastParticipantOfLevel(ParticipationError):
    """Removing this organisation would leave a care level with no participant."""
