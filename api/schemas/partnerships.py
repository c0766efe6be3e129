"""Partnerships, their members, decisions and the secretariat's overview on the wire."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field, StrictBool

from api.schemas.catalogue import OrganizationRef
from api.schemas.common import Input, PartialInput
from api.services.editing import etag
from api.services.partnerships import Overview, OverviewPathway, PartnershipView
from db import models as orm
from pathways.approval import ApprovalPolicy
from pathways.document import DateText, Line, Name, RulesDoc
from pathways.model import Level
from pathways.roles import OrganizationKind

__all__ = [
    "DecisionCreate",
    "DecisionRead",
    "MemberRead",
    "OverviewRead",
    "PartnershipCreate",
    "PartnershipRead",
    "PartnershipRef",
    "PartnershipUpdate",
]

_RULES = (
    "The agreement's gap rule sets and deadlines, which its pathways inherit: a pathway may "
    "add rule sets and shorten deadlines, never drop or lengthen them"
)
_POLICY = (
    "one_per_level: an editor of each level approves; every_participant: every editor "
    "organisation approves; decision: an editor of each level approves and the secretariat "
    "records the decision of the deciding body"
)
_HEARING = (
    "Whether a pathway is approved only after a hearing round: closed, on a revision "
    "after its latest version, no round open, and every disagreement in it replied to"
)


class PartnershipCreate(Input):
    name: Name
    rules: RulesDoc = Field(default_factory=RulesDoc, description=_RULES)
    approval_policy: ApprovalPolicy = Field(
        default=ApprovalPolicy.ONE_PER_LEVEL, description=_POLICY
    )
    decision_body: Line = Field(
        default="",
        description="Who decides under the decision policy, e.g. 'Strategisk samarbeidsutvalg'",
    )
    hearing_required: StrictBool = Field(default=False, description=_HEARING)


class PartnershipUpdate(PartialInput):
    name: Name | None = None
    rules: RulesDoc | None = Field(default=None, description=_RULES)
    approval_policy: ApprovalPolicy | None = Field(default=None, description=_POLICY)
    decision_body: Line | None = None
    hearing_required: StrictBool | None = Field(default=None, description=_HEARING)

    def changes(self) -> dict[str, Any]:
        values = super().changes()
        if isinstance(values.get("rules"), RulesDoc):
            values["rules"] = values["rules"].to_model()
        return values


class PartnershipRef(BaseModel):
    id: int
    name: str
    approval_policy: ApprovalPolicy


class MemberRead(BaseModel):
    organization_id: int
    name: str
    kind: OrganizationKind
    level: Level | None
    joined_at: datetime

    @classmethod
    def of(cls, member: orm.PartnershipMember, organization: orm.Organization) -> MemberRead:
        return cls(
            organization_id=organization.id,
            name=organization.name,
            kind=OrganizationKind(organization.kind),
            level=Level(organization.level) if organization.level else None,
            joined_at=member.joined_at,
        )


class PartnershipRead(BaseModel):
    id: int
    name: str
    rules: RulesDoc = Field(description=_RULES)
    approval_policy: ApprovalPolicy
    decision_body: str
    hearing_required: bool = Field(description=_HEARING)
    members: list[MemberRead] = Field(description="In the order they joined")
    revision: int
    etag: str = Field(description="The strong ETag to send as If-Match when changing it")
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, view: PartnershipView) -> PartnershipRead:
        row = view.row
        return cls(
            id=row.id,
            name=row.name,
            rules=RulesDoc.of(view.agreement),
            approval_policy=ApprovalPolicy(row.approval_policy),
            decision_body=row.decision_body,
            hearing_required=row.hearing_required,
            members=[MemberRead.of(m, o) for m, o in view.members],
            revision=row.revision,
            etag=etag(row.revision),
            created_at=row.created_at,
            updated_at=row.updated_at,
        )


class DecisionCreate(Input):
    body: Line | None = Field(
        default=None,
        min_length=1,
        description="The body that decided (default: the partnership's deciding body)",
    )
    decided_on: DateText = Field(description="The date of the decision, YYYY-MM-DD")
    reference: Line = Field(
        min_length=1, description="The case or meeting reference, e.g. 'Sak 12/2026'"
    )


class DecisionRead(BaseModel):
    body: str
    decided_on: date
    reference: str
    revision: int
    organization_id: int = Field(description="The secretariat that recorded it")
    organization_name: str
    token_name: str
    recorded_at: datetime

    @classmethod
    def of(cls, row: orm.Decision) -> DecisionRead:
        return cls(
            body=row.body,
            decided_on=row.decided_on,
            reference=row.reference,
            revision=row.revision,
            organization_id=row.organization_id,
            organization_name=row.organization_name,
            token_name=row.token_name,
            recorded_at=row.recorded_at,
        )


class OrganizationCount(BaseModel):
    organization_id: int
    name: str
    pathways: int = Field(description="Pathways whose current revision awaits its approval")


class AdoptedVersion(BaseModel):
    organization_id: int
    name: str
    version: int = Field(description="The newest version this organisation approved itself")


class OverviewPathwayRead(BaseModel):
    id: int
    title: str
    status: str = Field(description="draft, approved or changed (since its latest version)")
    revision: int
    latest_version: int | None
    review_due: date | None
    review_overdue: bool
    pending: list[OrganizationRef] = Field(
        description="Editors yet to approve the current revision"
    )
    adopted: list[AdoptedVersion]

    @classmethod
    def of(cls, entry: OverviewPathway) -> OverviewPathwayRead:
        row = entry.row
        return cls(
            id=row.id,
            title=row.title,
            status=entry.status,
            revision=row.revision,
            latest_version=entry.latest_version,
            review_due=row.review_due,
            review_overdue=entry.overdue,
            pending=[OrganizationRef(id=o.id, name=o.name) for o in entry.pending],
            adopted=[
                AdoptedVersion(organization_id=o.id, name=o.name, version=number)
                for o, number in entry.adopted
            ],
        )


class OverviewRead(BaseModel):
    partnership: PartnershipRef
    by_status: dict[str, int] = Field(description="Pathways per status: draft, approved, changed")
    review_overdue: int = Field(description="Pathways whose review date has passed")
    pending: list[OrganizationCount] = Field(
        description="Organisations with pathways awaiting their approval, most first"
    )
    pathways: list[OverviewPathwayRead] = Field(description="One page of pathways, by id")
    total: int = Field(description="The partnership's pathways in all")
    limit: int
    offset: int

    @classmethod
    def of(cls, overview: Overview, *, limit: int, offset: int) -> OverviewRead:
        partnership = overview.partnership
        return cls(
            partnership=PartnershipRef(
                id=partnership.id, name=partnership.name, approval_policy=overview.policy
            ),
            by_status={s: overview.by_status.get(s, 0) for s in ("draft", "approved", "changed")},
            review_overdue=overview.overdue,
            pending=[
                OrganizationCount(organization_id=o.id, name=o.name, pathways=count)
                for o, count in overview.pending
            ],
            pathways=[OverviewPathwayRead.of(entry) for entry in overview.pathways],
            total=overview.total,
            limit=limit,
            offset=offset,
        )
