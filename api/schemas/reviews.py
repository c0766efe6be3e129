"""Gap reports, approvals, versions and diffs on the wire."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from api.schemas.partnerships import DecisionRead
from api.schemas.pathways import ApprovalRead
from api.services.approvals import ApprovalOutcome, DecisionOutcome
from api.services.gaps import GapReport
from api.services.versions import Diff
from db import models as orm
from pathways.approval import ApprovalPolicy, ApprovalState
from pathways.document import PathwayDocument, RulesDoc, read_stored_document
from pathways.findings import Finding, Severity
from pathways.model import Level

__all__ = [
    "ApprovalResult",
    "DecisionResult",
    "DiffRead",
    "FindingRead",
    "GapReportRead",
    "VersionRead",
    "VersionSummary",
]


class FindingRead(BaseModel):
    code: str = Field(description="Stable code, e.g. missing-handover, no-admission-notice")
    severity: Severity
    message: str
    steps: list[str]
    transitions: list[str]

    @classmethod
    def of(cls, finding: Finding, language: str) -> FindingRead:
        return cls(
            code=finding.code,
            severity=finding.severity,
            message=finding.message(language),
            steps=list(finding.steps),
            transitions=list(finding.transitions),
        )


class GapSummary(BaseModel):
    error: int
    warning: int
    info: int


class GapReportRead(BaseModel):
    pathway_id: int
    version: int | None = Field(description="The approved version checked, or null: the draft")
    revision: int
    language: str
    rules: RulesDoc
    deadlines: dict[str, str] = Field(description="Every deadline in force, by name")
    summary: GapSummary
    findings: list[FindingRead]

    @classmethod
    def of(cls, report: GapReport, language: str) -> GapReportRead:
        counts = dict.fromkeys(Severity, 0)
        for finding in report.findings:
            counts[finding.severity] += 1
        return cls(
            pathway_id=report.pathway_id,
            version=report.version,
            revision=report.revision,
            language=language,
            rules=RulesDoc.of(report.rules),
            deadlines=report.deadlines,
            summary=GapSummary(**{s.value: n for s, n in counts.items()}),
            findings=[FindingRead.of(f, language) for f in report.findings],
        )


class ApprovalSnapshot(BaseModel):
    organization_id: int
    organization_name: str
    level: Level
    token_name: str
    revision: int
    approved_at: datetime


class VersionSummary(BaseModel):
    pathway_id: int
    number: int
    revision: int
    created_at: datetime
    approval_policy: ApprovalPolicy = Field(description="The policy it was adopted under")
    partnership_id: int | None = Field(description="The partnership it was adopted in")
    approvals: list[ApprovalSnapshot] = Field(description="Who adopted it, and when")
    decision: DecisionRead | None = Field(description="The decision it was adopted by")

    @classmethod
    def of(cls, row: orm.Version) -> VersionSummary:
        return cls(
            pathway_id=row.pathway_id,
            number=row.number,
            revision=row.revision,
            created_at=row.created_at,
            approval_policy=ApprovalPolicy(row.approval_policy),
            partnership_id=row.partnership_id,
            approvals=[ApprovalSnapshot.model_validate(a) for a in row.approvals],
            decision=DecisionRead.model_validate(row.decision) if row.decision else None,
        )


class VersionRead(VersionSummary):
    """An approved version: immutable, so its representation never changes."""

    document: PathwayDocument

    @classmethod
    def of(cls, row: orm.Version) -> VersionRead:
        return cls(
            **VersionSummary.of(row).model_dump(),
            document=PathwayDocument.of(read_stored_document(row.document)),
        )


class PolicyState(BaseModel):
    policy: ApprovalPolicy
    met: bool = Field(description="The policy is met for this revision")
    missing_levels: list[Level] = Field(description="Levels no editor of which has approved")
    pending: list[int] = Field(description="Editor organisations yet to approve this revision")
    decision_missing: bool = Field(description="The policy needs a decision not yet recorded")
    hearing_missing: bool = Field(
        description="The partnership approves after a hearing round: closed, since the latest "
        "version, every disagreement replied to; there is none yet"
    )

    @classmethod
    def of(cls, state: ApprovalState[int]) -> PolicyState:
        return cls(
            policy=state.policy,
            met=state.met,
            missing_levels=list(state.missing_levels),
            pending=list(state.pending),
            decision_missing=state.decision_missing,
            hearing_missing=state.hearing_missing,
        )


class ApprovalResult(BaseModel):
    approval: ApprovalRead
    approvals: list[ApprovalRead] = Field(description="Every approval of this revision")
    missing_levels: list[Level] = Field(description="Levels yet to approve this revision")
    state: PolicyState = Field(description="The revision under the pathway's approval policy")
    version: VersionSummary | None = Field(
        description="The approved version of this revision, once its policy is met"
    )

    @classmethod
    def of(cls, outcome: ApprovalOutcome) -> ApprovalResult:
        return cls(
            approval=ApprovalRead.of(outcome.approval),
            approvals=[ApprovalRead.of(a) for a in outcome.approvals],
            missing_levels=list(outcome.state.missing_levels),
            state=PolicyState.of(outcome.state),
            version=VersionSummary.of(outcome.version) if outcome.version else None,
        )


class DecisionResult(BaseModel):
    decision: DecisionRead
    state: PolicyState = Field(description="The revision under the pathway's approval policy")
    version: VersionSummary | None = Field(
        description="The approved version of this revision, once its policy is met"
    )

    @classmethod
    def of(cls, outcome: DecisionOutcome) -> DecisionResult:
        return cls(
            decision=DecisionRead.of(outcome.decision),
            state=PolicyState.of(outcome.state),
            version=VersionSummary.of(outcome.version) if outcome.version else None,
        )


class DiffSide(BaseModel):
    pathway_id: int
    version: int | None = Field(description="Version number, or null for the draft")
    revision: int


class DiffRead(BaseModel):
    from_: DiffSide = Field(alias="from")
    to: DiffSide
    changes: dict[str, Any] = Field(
        description="pathway and rules field changes; steps and transitions added, removed "
        "and changed field by field (with handover fields and checklist items by key)"
    )

    @classmethod
    def of(cls, diff: Diff) -> DiffRead:
        return cls.model_validate(
            {
                "from": DiffSide(
                    pathway_id=diff.from_pathway,
                    version=diff.from_version,
                    revision=diff.from_revision,
                ),
                "to": DiffSide(
                    pathway_id=diff.to_pathway, version=diff.to_version, revision=diff.to_revision
                ),
                "changes": diff.changes,
            }
        )
