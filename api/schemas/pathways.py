"""Pathways, their participants, their graph and their history on the wire."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, Field

from api.schemas.catalogue import OrganizationRef
from api.schemas.common import Input, PartialInput
from api.schemas.partnerships import DecisionRead
from api.services.editing import etag
from api.services.pathways import PathwayView
from db import models as orm
from db.repositories.pathways import rules_of
from pathways.approval import ApprovalPolicy
from pathways.document import (
    DateText,
    DurationText,
    HandoverDoc,
    Key,
    Line,
    Name,
    PathwayInfoDoc,
    RulesDoc,
    StepDoc,
    Text,
    TransitionDoc,
    step_dict,
    transition_dict,
)
from pathways.history_wording import Actor, summary_text
from pathways.model import Level, Pathway, Step, StepKind, Transition
from pathways.participation import authorship_shares, content_shares
from pathways.roles import OrganizationKind, Role

__all__ = [
    "ApprovalRead",
    "AuthorshipRead",
    "GraphRead",
    "HistoryEntryRead",
    "OrganizationAuthorship",
    "ParticipantPut",
    "ParticipantRead",
    "PathwayCreate",
    "PathwayRead",
    "PathwayUpdate",
    "StepUpdate",
    "TransitionUpdate",
    "step_read",
    "transition_read",
]


_PARTNERSHIP = (
    "The partnership (helsefellesskap) whose agreement applies: its rule sets, deadlines "
    "and approval policy. The caller's organisation must be a member. Null: none"
)


class PathwayCreate(PathwayInfoDoc):
    """The description of a new pathway (as in the native document) and its rules."""

    rules: RulesDoc = Field(
        default_factory=RulesDoc,
        description="Gap rule sets and deadlines (default: core); in a partnership, added "
        "to its agreement's, and no deadline longer than the agreement's",
    )
    partnership_id: int | None = Field(
        default=None, ge=1, le=2_147_483_647, description=_PARTNERSHIP
    )


class PathwayUpdate(PartialInput):
    NULLABLE: ClassVar[frozenset[str]] = frozenset({"review_due", "partnership_id"})

    title: Name | None = None
    description: Text | None = None
    target_group: Line | None = None
    agreement_ref: Line | None = None
    review_due: DateText | None = None
    rules: RulesDoc | None = Field(
        default=None, description="Replaces the rule sets and deadlines as a whole"
    )
    partnership_id: int | None = Field(
        default=None, ge=1, le=2_147_483_647, description=_PARTNERSHIP
    )

    def changes(self) -> dict[str, Any]:
        values = super().changes()
        if isinstance(values.get("rules"), RulesDoc):
            values["rules"] = values["rules"].to_model()
        return values


class ApprovalRead(BaseModel):
    organization_id: int
    organization_name: str
    level: Level
    token_name: str
    revision: int
    approved_at: datetime

    @classmethod
    def of(cls, row: orm.Approval) -> ApprovalRead:
        return cls(
            organization_id=row.organization_id,
            organization_name=row.organization_name,
            level=Level(row.level),
            token_name=row.token_name,
            revision=row.revision,
            approved_at=row.approved_at,
        )


class ParticipantRead(BaseModel):
    organization_id: int
    name: str
    kind: OrganizationKind
    level: Level | None = Field(description="The care level; null for other kinds")
    role: Role = Field(
        description="editor (changes the draft, approves) or commenter (reads the draft); "
        "the partnership's secretariat holds the secretariat role without being listed"
    )
    joined_at: datetime


class ParticipantPut(Input):
    role: Literal["editor", "commenter"] | None = Field(
        default=None,
        description="editor or commenter (default: editor for a care provider, commenter "
        "for others); the secretariat role comes with the partnership, never given here",
    )

    def to_role(self) -> Role | None:
        return Role(self.role) if self.role else None


class PathwayPartnership(BaseModel):
    """What of its partnership a pathway's representation shows: what decides how it is
    approved. A new name of the partnership changes no pathway."""

    id: int
    approval_policy: ApprovalPolicy


class PathwayBorrow(Input):
    """What to borrow: an approved version (default: the latest), and where to keep it."""

    version: int | None = Field(default=None, ge=1, le=2_147_483_647)
    title: Name | None = Field(default=None, description="Default: the borrowed title")
    partnership_id: int | None = Field(
        default=None, ge=1, le=2_147_483_647, description=_PARTNERSHIP
    )


class OriginRead(BaseModel):
    """The approved version a borrowed pathway was copied from, as it was then."""

    pathway_id: int
    version: int
    title: str
    partnership_id: int | None
    partnership: str | None


class VariantOf(BaseModel):
    """For a local variant: the shared pathway and the approved version it is pinned to
    (what it does differently: GET /pathways/{id}/variant)."""

    pathway_id: int
    version: int


class ApprovalStatusRead(BaseModel):
    """Where the current revision stands under the pathway's approval policy."""

    policy: ApprovalPolicy
    met: bool = Field(
        description="The policy is met for the current revision (it is, or becomes, a version)"
    )
    missing_levels: list[Level] = Field(description="Levels no editor of which has approved")
    pending: list[OrganizationRef] = Field(
        description="Editors yet to approve the current revision (under every_participant, "
        "each of them is needed)"
    )
    decision_required: bool = Field(description="The policy needs a recorded decision")
    decision: DecisionRead | None = Field(description="The decision on the current revision")
    hearing_missing: bool = Field(
        description="The partnership approves after a hearing round (closed, since the latest "
        "version, every disagreement replied to), and there is none yet"
    )

    @classmethod
    def of(cls, view: PathwayView) -> ApprovalStatusRead:
        state = view.approval
        names = {organization.id: organization.name for _, organization in view.participants}
        return cls(
            policy=state.policy,
            met=state.met,
            missing_levels=list(state.missing_levels),
            pending=[OrganizationRef(id=i, name=names[i]) for i in state.pending],
            decision_required=state.policy.needs_decision,
            decision=DecisionRead.of(view.decision) if view.decision else None,
            hearing_missing=state.hearing_missing,
        )


class LevelAuthorship(BaseModel):
    changes: int = Field(description="Changes this level's organisations made (history events)")
    share: float = Field(description="Share of all recorded changes, 0 to 1")
    elements: int = Field(description="Elements of the draft this level's organisations wrote last")
    content_share: float = Field(
        description="Share of the draft's elements this level wrote last, 0 to 1"
    )


class OrganizationAuthorship(BaseModel):
    organization_id: int
    name: str
    level: Level
    elements: int = Field(description="Elements of the draft this organisation wrote last")
    content_share: float = Field(
        description="Share of the draft's elements this organisation wrote last, 0 to 1"
    )


class AuthorshipRead(BaseModel):
    """How authorship is spread across the two care levels and the organisations.

    ``changes`` and ``share`` count history events (every change to the pathway or its
    participants; approvals are not changes). ``elements`` and ``content_share``
    measure the draft's content: each description field, step, transition, handover
    field and checklist item that holds a value is one element, credited to the
    organisation that last changed its value (``pathways.participation``). Adding or
    removing participants writes no element.
    """

    hospital: LevelAuthorship
    municipality: LevelAuthorship
    organizations: list[OrganizationAuthorship] = Field(
        description="Each organisation that last wrote elements of the draft, most first"
    )

    @classmethod
    def of(cls, view: PathwayView) -> AuthorshipRead:
        shares = authorship_shares(view.changes_per_level)
        by_organization, by_level = content_shares(
            {org: count for org, _, _, count in view.content_writers},
            {org: level for org, _, level, _ in view.content_writers},
        )
        return cls(
            **{
                level.value: LevelAuthorship(
                    changes=view.changes_per_level.get(level, 0),
                    share=shares[level.value],
                    elements=by_level[level].elements,
                    content_share=by_level[level].share,
                )
                for level in Level
            },
            organizations=[
                OrganizationAuthorship(
                    organization_id=org,
                    name=name,
                    level=level,
                    elements=by_organization[org].elements,
                    content_share=by_organization[org].share,
                )
                for org, name, level, _ in view.content_writers
            ],
        )


class PathwayRead(BaseModel):
    id: int
    title: str
    description: str
    target_group: str
    agreement_ref: str
    review_due: date | None
    rules: RulesDoc = Field(description="The pathway's own rule sets and deadlines")
    rules_in_force: RulesDoc = Field(
        description="What its gaps are checked by: its own rules made as strict as its "
        "partnership's agreement (the same as rules outside a partnership)"
    )
    partnership: PathwayPartnership | None = Field(
        description="The partnership whose agreement applies (its name and members: "
        "GET /partnerships/{id})"
    )
    variant_of: VariantOf | None = Field(
        description="For a local variant: its shared pathway and pinned version"
    )
    origin: OriginRead | None = Field(
        description="For a borrowed pathway: the approved version it was copied from"
    )
    revision: int
    etag: str = Field(description="The strong ETag to send as If-Match when changing it")
    status: str = Field(description="draft, approved, or 'changed since version N'")
    latest_version: int | None = Field(description="The newest approved version, if any")
    approval: ApprovalStatusRead
    approvals: list[ApprovalRead] = Field(
        description="Approvals of the current revision; a change voids them"
    )
    participants: list[ParticipantRead]
    authorship: AuthorshipRead
    step_count: int
    transition_count: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, view: PathwayView) -> PathwayRead:
        row = view.row
        return cls(
            id=row.id,
            title=row.title,
            description=row.description,
            target_group=row.target_group,
            agreement_ref=row.agreement_ref,
            review_due=row.review_due,
            rules=RulesDoc.of(rules_of(row)),
            rules_in_force=RulesDoc.of(view.rules_in_force),
            partnership=PathwayPartnership(id=view.partnership.id, approval_policy=view.policy)
            if view.partnership
            else None,
            variant_of=VariantOf(pathway_id=row.variant_of_id, version=row.variant_of_version)
            if row.variant_of_id is not None and row.variant_of_version is not None
            else None,
            origin=OriginRead.model_validate(row.origin) if row.origin else None,
            revision=row.revision,
            etag=etag(row.revision),
            status=view.status,
            latest_version=view.latest_version[0] if view.latest_version else None,
            approval=ApprovalStatusRead.of(view),
            approvals=[ApprovalRead.of(a) for a in view.approvals],
            participants=[
                ParticipantRead(
                    organization_id=organization.id,
                    name=organization.name,
                    kind=OrganizationKind(organization.kind),
                    level=Level(organization.level) if organization.level else None,
                    role=Role(participant.role),
                    joined_at=participant.joined_at,
                )
                for participant, organization in view.participants
            ],
            authorship=AuthorshipRead.of(view),
            step_count=view.step_count,
            transition_count=view.transition_count,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )


def step_read(step: Step) -> StepDoc:
    return StepDoc.of(step)


def transition_read(transition: Transition) -> TransitionDoc:
    return TransitionDoc.of(transition)


class GraphRead(BaseModel):
    revision: int
    steps: list[StepDoc]
    transitions: list[TransitionDoc]

    @classmethod
    def of(cls, pathway: Pathway, revision: int) -> GraphRead:
        return cls(
            revision=revision,
            steps=[step_read(step) for step in pathway.steps],
            transitions=[transition_read(t) for t in pathway.transitions],
        )

    @staticmethod
    def json_of(pathway: Pathway, revision: int) -> bytes:
        """The JSON of ``GraphRead.of(pathway, revision)``, written from the native
        document's own dicts: no model object per step and transition (a graph of 1,000
        steps is half a megabyte)."""
        return json.dumps(
            {
                "revision": revision,
                "steps": [step_dict(step) for step in pathway.steps],
                "transitions": [transition_dict(t) for t in pathway.transitions],
            },
            ensure_ascii=False,
            separators=(",", ":"),
        ).encode("utf-8")


class StepUpdate(PartialInput):
    """Fields of a step to change. The key names the step and does not change."""

    NULLABLE: ClassVar[frozenset[str]] = frozenset({"expected_duration"})

    name: Name | None = None
    level: Level | None = None
    kind: StepKind | None = None
    responsible: Line | None = None
    expected_duration: DurationText | None = None
    description: Text | None = None


class TransitionUpdate(PartialInput):
    """Fields of a transition to change. ``handover: null`` removes the handover."""

    NULLABLE: ClassVar[frozenset[str]] = frozenset({"handover"})

    from_: Key | None = Field(default=None, alias="from")
    to: Key | None = None
    label: Line | None = None
    handover: HandoverDoc | None = Field(
        default=None, description="A whole handover (replaces the old one), or null"
    )

    def changes(self) -> dict[str, Any]:
        """The fields sent, named as on :class:`pathways.model.Transition`."""
        renamed = {"from_": "source", "to": "target"}
        result = {renamed.get(name, name): value for name, value in super().changes().items()}
        if isinstance(result.get("handover"), HandoverDoc):
            result["handover"] = result["handover"].to_model()
        return result


class HistoryOrganization(BaseModel):
    id: int
    name: str
    level: Level | None = Field(description="Its care level; null for other kinds")


class HistoryEntryRead(BaseModel):
    id: int
    at: datetime
    organization: HistoryOrganization
    token_name: str
    action: str
    summary: str = Field(
        description="What changed, as a sentence in the response's language "
        "(`Content-Language`): Norwegian bokmål for `Accept-Language: nb`, `nn` or `no`, "
        "English otherwise. The English is the summary stored with the entry when the "
        "change was made; an entry that cannot be said in bokmål is given in English."
    )
    changes: dict[str, Any]
    revision_before: int
    revision_after: int

    @classmethod
    def of(cls, row: orm.HistoryEntry, language: str) -> HistoryEntryRead:
        """The entry for a reader of ``language`` (its summary said in that language)."""
        by = Actor(row.organization_id, row.organization_name, row.level)
        return cls(
            id=row.id,
            at=row.at,
            organization=HistoryOrganization(
                id=row.organization_id,
                name=row.organization_name,
                level=Level(row.level) if row.level else None,
            ),
            token_name=row.token_name,
            action=row.action,
            summary=summary_text(
                row.action, row.changes, language=language, fallback=row.summary, by=by
            ),
            changes=row.changes,
            revision_before=row.revision_before,
            revision_after=row.revision_after,
        )
