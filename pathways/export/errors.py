"""Errors of the exporters.

The tree (under :class:`pathways.errors.PathwayError`)::

    ExportError
    ├── UnknownFormat        no exporter has that name
    └── UnknownTransition    the pathway has no transition with that key
"""

from __future__ import annotations

from collections.abc import Iterable

from pathways.errors import PathwayError

__all__ = ["ExportError", "UnknownFormat", "UnknownTransition"]


class ExportError(PathwayError):
    """Base class of the errors raised by :mod:`pathways.export`."""


class UnknownFormat(ExportError):
    """No exporter has the requested name; ``formats`` lists the names there are."""

    def __init__(self, format: str, formats: Iterable[str]) -> None:
        self.format = format
        self.formats = tuple(formats)
        super().__init__(
            f"unknown export format {format!r}; choose one of: {', '.join(self.formats)}"
        )


class UnknownTransition(ExportError):
    """The pathway has no transition with the requested key."""

    def __init__(self, key: str) -> None:
        self.key = key
        super().__init__(f"there is no transition with key {key!r}")
