"""Wire shapes of local variants: creating one, moving it, and what it does differently."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from api.schemas.common import Input
from api.schemas.pathways import PathwayRead
from api.services.variants import VariantStatus, outcome_dict
from pathways.document import Name
from pathways.variants import Conflict, Status

__all__ = ["OutcomeRead", "UpstreamRead", "VariantCreate", "VariantRead", "VariantRebase"]

OrganizationId = Annotated[int, Field(ge=1, le=2_147_483_647)]


class VariantCreate(Input):
    organizations: list[OrganizationId] | None = Field(
        default=None,
        min_length=1,
        max_length=100,
        description="The municipalities it applies to, editors of the shared pathway, the "
        "caller's among them (default: the caller's organisation)",
    )
    title: Name | None = Field(
        default=None, description="Default: the shared pathway's title and the municipalities"
    )
    version: int | None = Field(
        default=None,
        ge=1,
        le=2_147_483_647,
        description="The approved version to pin it to (default: the latest)",
    )


class VariantRebase(Input):
    version: int | None = Field(
        default=None,
        ge=1,
        le=2_147_483_647,
        description="The newer approved version to move onto (default: the latest)",
    )


class OutcomeRead(BaseModel):
    """What becomes of one difference on a newer version."""

    kind: Literal["step", "transition", "rules", "pathway"]
    key: str
    change: Literal["added", "changed", "removed"]
    status: Status = Field(
        description="applies (carried over), upstream (the new version has the same "
        "change) or conflict"
    )
    conflict: Conflict | None
    name: str = Field(description="A step's name or a transition's label, if it has one")
    detail: str = Field(description="For a structural conflict: the rule it breaks (English)")
    text: str = Field(description="The conflict for people, in the asked language")


class UpstreamRead(BaseModel):
    """The shared pathway's newer version, and what moving onto it would do."""

    version: int
    changes: dict[str, Any] = Field(
        description="What changed there since the pin: pathway, rules, steps and "
        "transitions added, removed and changed"
    )
    outcomes: list[OutcomeRead]
    conflicts: int = Field(description="How many outcomes are conflicts: 0 means it can move")


class VariantRead(BaseModel):
    pathway: PathwayRead
    variant_of: int = Field(description="The shared pathway")
    shared_title: str = Field(description="The shared pathway's title in the pinned version")
    pinned_version: int
    latest_version: int = Field(description="The shared pathway's latest approved version")
    difference_count: int = Field(
        description="Steps and transitions added, changed or removed, and own rules"
    )
    differences: dict[str, Any] = Field(
        description="What the draft does differently from the pinned version: rules, steps "
        "and transitions added, removed and changed (fields from and to)"
    )
    upstream: UpstreamRead | None = Field(
        description="When the shared pathway has a newer approved version"
    )

    @classmethod
    def of(cls, status: VariantStatus, language: str) -> VariantRead:
        moved = status.upstream
        return cls(
            pathway=PathwayRead.of(status.view),
            variant_of=status.shared.id,
            shared_title=status.shared_title,
            pinned_version=status.pinned,
            latest_version=status.latest,
            difference_count=len(status.changes),
            differences=status.differences,
            upstream=UpstreamRead(
                version=status.latest,
                changes=dict(moved.upstream),
                outcomes=[
                    OutcomeRead.model_validate(outcome_dict(outcome, language))
                    for outcome in moved.outcomes
                ],
                conflicts=len(moved.conflicts),
            )
            if moved is not None
            else None,
        )
