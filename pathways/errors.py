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
from dataclasses import dataclass, field

__all__ = [
    "Bilingual",
    "DocumentError",
    "InvalidPathway",
    "InvalidValue",
    "LastParticipantOfLevel",
    "ParticipationError",
    "PathwayError",
    "Violation",
    "text_of",
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


def text_of(error: Exception) -> Bilingual:
    """What ``error`` says, in both languages: an :class:`InvalidValue`'s own texts, and
    for any other error its English in both (nothing better is known).

    >>> text_of(InvalidValue(Bilingual("must be a date", "må være en dato"))).nb
    'må være en dato'
    >>> text_of(ValueError("bad")).nb
    'bad'
    """
    text = getattr(error, "text", None)
    if isinstance(text, Bilingual):
        return text
    return Bilingual(str(error), str(error))


class InvalidValue(ValueError):
    """A ``ValueError`` that says what is wrong in English and bokmål: raised by our own
    checks (pydantic validators among them), so that the words reach the person in the
    language they read. ``str()`` is the English."""

    def __init__(self, text: Bilingual) -> None:
        super().__init__(text.en)
        self.text = text


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken rule, located by a path into the document (``("steps", 3, "key")``).

    ``message`` is the English (what logs and the command line say); ``nb`` the bokmål,
    where it is written (it takes no part in comparing violations).

    >>> Violation(("name",), "must not be empty", "kan ikke være tomt").text.nb
    'kan ikke være tomt'
    """

    loc: tuple[str | int, ...]
    message: str
    nb: str | None = field(default=None, compare=False, repr=False)

    @classmethod
    def of(cls, loc: tuple[str | int, ...], text: Bilingual) -> Violation:
        """The violation at ``loc`` that says ``text``."""
        return cls(loc, text.en, text.nb)

    @property
    def text(self) -> Bilingual:
        """The message in both languages (the English twice where no bokmål is written)."""
        return Bilingual(self.message, self.message if self.nb is None else self.nb)


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
