"""Handover checklists on the wire (the bytes are rendered once per approved version;
these models document their shape)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from pathways.model import Level, Side

__all__ = ["FeedItem", "FeedPageRead", "HandoverList", "HandoverRead"]


class StepRef(BaseModel):
    key: str
    name: str
    level: Level


class Party(BaseModel):
    level: Level
    role: str


class ChecklistEntry(BaseModel):
    key: str
    text: str
    side: Side
    level: Level = Field(description="The level that acts on this item")
    role: str = Field(description="The role that acts on it (sender or receiver role)")
    required: bool
    due: str | None = Field(description="ISO 8601 duration after the transition's event")


class HandoverEntry(BaseModel):
    transition: str = Field(description="The transition key")
    label: str
    from_: StepRef = Field(alias="from")
    to: StepRef
    sender: Party
    receiver: Party
    messages: list[str]
    deadline: str | None
    checklist: list[ChecklistEntry]


class HandoverList(BaseModel):
    pathway_id: int
    title: str
    version: int
    handovers: list[HandoverEntry]


class HandoverRead(HandoverEntry):
    pathway_id: int
    title: str
    version: int


class FeedItem(HandoverEntry):
    pathway_id: int
    title: str
    version: int
    approved_at: datetime
    variant_of: int | None = Field(
        description="When the pathway is a local variant: the shared pathway it stands in "
        "for. A municipality with an approved variant gets the variant's checklists and "
        "none of the shared pathway's; without one, the shared pathway's"
    )


class FeedPageRead(BaseModel):
    organization_id: int
    since: datetime | None
    newest: datetime | None = Field(
        description="When the newest matching version was approved: pass it as `since` "
        "next time to get only what is new"
    )
    total: int
    limit: int
    offset: int
    items: list[FeedItem]
