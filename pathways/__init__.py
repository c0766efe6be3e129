"""Pure domain of Hjem til hjem: the pathway model, its rules and its formats.

Imports neither FastAPI nor SQLAlchemy. Errors are in :mod:`pathways.errors`.
"""

from pathways.document import dump_document, parse_document
from pathways.errors import DocumentError, InvalidPathway, PathwayError, Violation
from pathways.graph import to_digraph
from pathways.limits import DEFAULT_LIMITS, Limits
from pathways.model import (
    ChecklistItem,
    Handover,
    Level,
    Pathway,
    PathwayInfo,
    Side,
    Step,
    StepKind,
    Transition,
)
from pathways.validation import validate_pathway

__all__ = [
    "DEFAULT_LIMITS",
    "ChecklistItem",
    "DocumentError",
    "Handover",
    "InvalidPathway",
    "Level",
    "Limits",
    "Pathway",
    "PathwayError",
    "PathwayInfo",
    "Side",
    "Step",
    "StepKind",
    "Transition",
    "Violation",
    "dump_document",
    "parse_document",
    "to_digraph",
    "validate_pathway",
]
