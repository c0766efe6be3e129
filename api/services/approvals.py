"""Approvals: a revision becomes a version when both levels approve it and it has no
error-level gaps."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from api.errors import Conflict
from api.services.auth import Client
from api.services.editing import begin_edit, record_event
from db import models as orm
from db.repositories.pathways import PathwayRepository
from db.repositories.versions import VersionRepository
from pathways.document import dump_document
from pathways.findings import Severity
from pathways.gaps import find_gaps
from pathways.model import Level

__all__ = ["ApprovalOutcome", "approve"]


@dataclass(frozen=True, slots=True)
class ApprovalOutcome:
    approval: orm.Approval
    created: bool
    """False when this organisation had already approved this revision."""
    approvals: list[orm.Approval]
    """All approvals of this revision."""
    version: orm.Version | None
    """The version this approval completed, if it did."""
    missing_levels: list[Level]
    """Levels that have yet to approve this revision."""


def _snapshot(approval: orm.Approval) -> dict[str, object]:
    return {
        "organization_id": approval.organization_id,
        "organization_name": approval.organization_name,
        "level": approval.level,
        "token_name": approval.token_name,
        "revision": approval.revision,
        "approved_at": approval.approved_at.isoformat().replace("+00:00", "Z"),
    }


def approve(
    session: Session, *, client: Client, pathway_id: int, if_match: str | None, language: str
) -> ApprovalOutcome:
    """Approve the revision named by ``If-Match`` on behalf of the caller's organisation."""
    row = begin_edit(
        session,
        client=client,
        pathway_id=pathway_id,
        if_match=if_match,
        action="approving a pathway",
    )
    pathway = PathwayRepository(session).load(row)
    errors = [f for f in find_gaps(pathway) if f.severity is Severity.ERROR]
    if errors:
        raise Conflict(
            f"revision {row.revision} has {len(errors)} error-level gap(s); fix them first",
            extra={
                "findings": [
                    {
                        "code": f.code,
                        "severity": f.severity.value,
                        "message": f.message(language),
                        "steps": list(f.steps),
                        "transitions": list(f.transitions),
                    }
                    for f in errors
                ]
            },
        )
    versions = VersionRepository(session)
    approvals = versions.approvals(row.id, row.revision)
    mine = next((a for a in approvals if a.organization_id == client.organization_id), None)
    created = mine is None
    if mine is None:
        mine = versions.add_approval(
            pathway_id=row.id,
            revision=row.revision,
            organization_id=client.organization_id,
            organization_name=client.organization_name,
            level=client.level.value,
            token_id=client.token_id,
            token_name=client.token_name,
        )
        approvals.append(mine)
        record_event(
            session,
            client=client,
            row=row,
            action="pathway.approve",
            summary=f"{client.organization_name} ({client.level.value}) approved "
            f"revision {row.revision}",
            changes={"revision": row.revision},
        )
    approved_levels = {Level(a.level) for a in approvals}
    missing = [level for level in Level if level not in approved_levels]
    version = None
    latest = versions.latest(row.id)
    if not missing and (latest is None or latest.revision != row.revision):
        version = versions.add_version(
            pathway_id=row.id,
            revision=row.revision,
            info=pathway.info,
            document=dump_document(pathway).decode("utf-8"),
            approvals=[_snapshot(a) for a in approvals],
            participants=[
                organization for _, organization in PathwayRepository(session).participants(row.id)
            ],
        )
        record_event(
            session,
            client=client,
            row=row,
            action="version.create",
            summary=f"Version {version.number} approved by both levels (revision {row.revision})",
            changes={"version": version.number, "revision": row.revision},
        )
    elif latest is not None and latest.revision == row.revision:
        version = latest
    return ApprovalOutcome(mine, created, approvals, version, missing)
