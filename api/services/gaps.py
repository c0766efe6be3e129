"""Gap reports of a draft or an approved version, in the reader's language."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from api.services.auth import Client
from api.services.versions import pathway_at
from pathways.findings import Finding
from pathways.gaps import DEFAULT_DEADLINES, find_gaps
from pathways.model import RuleSettings

__all__ = ["GapReport", "gap_report"]


@dataclass(frozen=True, slots=True)
class GapReport:
    pathway_id: int
    version: int | None
    revision: int
    rules: RuleSettings
    deadlines: dict[str, str]
    """Every deadline in force: the pathway's own, else the rule's default."""
    findings: list[Finding]


def gap_report(
    session: Session, *, client: Client, pathway_id: int, version: int | None
) -> GapReport:
    pathway, number, revision = pathway_at(
        session, client=client, pathway_id=pathway_id, version=version
    )
    deadlines = {**DEFAULT_DEADLINES, **pathway.rules.deadlines}
    return GapReport(
        pathway_id=pathway_id,
        version=number,
        revision=revision,
        rules=pathway.rules,
        deadlines=dict(sorted(deadlines.items())),
        findings=find_gaps(pathway),
    )
