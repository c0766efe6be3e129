"""The catalogue of approved pathways, and the public view of one, on the wire.

Rows may gain fields: clients ignore fields they do not know.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from api.services.catalogue import CatalogueEntry, PublicPathway
from db import models as orm
from pathways.approval import ApprovalPolicy
from pathways.document import RulesDoc
from pathways.model import Level

__all__ = [
    "CatalogueEntryRead",
    "LevelParticipants",
    "OrganizationRef",
    "ParticipantsByLevel",
    "PartnershipName",
    "PathwayPublicRead",
    "VersionParticipantRead",
]


class OrganizationRef(BaseModel):
    id: int
    name: str


class PartnershipName(BaseModel):
    """A partnership by id and name (its members and agreement: GET /partnerships/{id})."""

    id: int
    name: str


class VersionParticipantRead(BaseModel):
    organization_id: int
    name: str = Field(description="As it was when the version was approved")
    level: Level


class LevelParticipants(BaseModel):
    count: int
    organizations: list[OrganizationRef] = Field(description="In the order they had joined")


class ParticipantsByLevel(BaseModel):
    """The organisations that took part when the version was approved, by care level."""

    hospital: LevelParticipants
    municipality: LevelParticipants

    @classmethod
    def of(cls, participants: Iterable[orm.VersionParticipant]) -> ParticipantsByLevel:
        found: dict[Level, list[OrganizationRef]] = {level: [] for level in Level}
        for participant in participants:
            found[Level(participant.level)].append(
                OrganizationRef(id=participant.organization_id, name=participant.name)
            )
        return cls(
            **{
                level.value: LevelParticipants(count=len(orgs), organizations=orgs)
                for level, orgs in found.items()
            }
        )


def _version_url(pathway_id: int, number: int) -> str:
    return f"/pathways/{pathway_id}/versions/{number}"


class CatalogueEntryRead(BaseModel):
    """One approved pathway, as its latest approved version shows it."""

    id: int
    partnership: PartnershipName | None = Field(
        description="The partnership the latest version was approved in"
    )
    title: str
    target_group: str
    agreement_ref: str
    version: int = Field(description="The latest approved version's number")
    approved_at: datetime = Field(description="When that version was approved")
    review_due: date | None
    review_overdue: bool = Field(description="review_due is before today (UTC)")
    participants: ParticipantsByLevel
    version_url: str = Field(description="The version's document, e.g. /pathways/1/versions/2")
    url: str = Field(description="The pathway (its public view for non-participants)")

    @classmethod
    def of(cls, entry: CatalogueEntry) -> CatalogueEntryRead:
        row = entry.row
        return cls(
            id=row.pathway_id,
            partnership=PartnershipName(id=row.partnership_id, name=row.partnership_name)
            if row.partnership_id is not None and row.partnership_name is not None
            else None,
            title=row.title,
            target_group=row.target_group,
            agreement_ref=row.agreement_ref,
            version=row.version,
            approved_at=row.approved_at,
            review_due=row.review_due,
            review_overdue=entry.overdue,
            participants=ParticipantsByLevel.of(entry.participants),
            version_url=_version_url(row.pathway_id, row.version),
            url=f"/pathways/{row.pathway_id}",
        )


class PathwayPublicRead(BaseModel):
    """An approved pathway as a non-participant sees it: its latest approved version,
    nothing of the draft (no revision, ETag, approvals in progress or authorship)."""

    id: int
    view: Literal["public"] = Field(
        description="'public': the latest approved version, not the draft (participants "
        "get the draft, without this field)"
    )
    title: str
    description: str
    target_group: str
    agreement_ref: str
    review_due: date | None
    review_overdue: bool = Field(description="review_due is before today (UTC)")
    rules: RulesDoc = Field(description="The rules in force when the version was approved")
    partnership: PartnershipName | None = Field(
        description="The partnership the version was approved in"
    )
    approval_policy: ApprovalPolicy = Field(description="The policy it was adopted under")
    status: Literal["approved"]
    latest_version: int = Field(description="The newest approved version")
    approved_at: datetime = Field(description="When that version was approved")
    version_url: str = Field(description="The version's document, e.g. /pathways/1/versions/2")
    participants: list[VersionParticipantRead] = Field(
        description="The organisations that took part when the version was approved, "
        "in the order they had joined"
    )
    step_count: int = Field(description="Steps of the approved version")
    transition_count: int = Field(description="Transitions of the approved version")

    @classmethod
    def of(cls, public: PublicPathway) -> PathwayPublicRead:
        info = public.pathway.info
        version = public.version
        return cls(
            id=public.pathway_id,
            view="public",
            title=info.title,
            description=info.description,
            target_group=info.target_group,
            agreement_ref=info.agreement_ref,
            review_due=info.review_due,
            review_overdue=public.overdue,
            rules=RulesDoc.of(public.pathway.rules),
            partnership=PartnershipName(id=public.partnership.id, name=public.partnership.name)
            if public.partnership
            else None,
            approval_policy=ApprovalPolicy(version.approval_policy),
            status="approved",
            latest_version=version.number,
            approved_at=version.created_at,
            version_url=_version_url(public.pathway_id, version.number),
            participants=[
                VersionParticipantRead(
                    organization_id=participant.organization_id,
                    name=participant.name,
                    level=Level(participant.level),
                )
                for participant in public.participants
            ],
            step_count=len(public.pathway.steps),
            transition_count=len(public.pathway.transitions),
        )
