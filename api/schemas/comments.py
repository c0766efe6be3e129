"""Wire shapes of comments: anchors, threads and replies."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints

from api.schemas.common import Input
from api.services.comments import ThreadView
from db import models as orm
from pathways.comments import MAX_COMMENT_LENGTH, Anchor, AnchorKind, Standing, standing_text
from pathways.document import Key
from pathways.text import REQUIRED_TEXT_PATTERN

__all__ = [
    "AnchorBody",
    "CommentCreate",
    "CommentRead",
    "CommentText",
    "ReplyCreate",
    "ThreadRead",
    "ThreadUpdate",
    "anchor_body",
]

CommentText = Annotated[
    str,
    StringConstraints(min_length=1, max_length=MAX_COMMENT_LENGTH, pattern=REQUIRED_TEXT_PATTERN),
]
"""A comment: not blank, at most 4,000 characters, lines allowed, no control characters."""


class PathwayAnchor(Input):
    """The pathway as a whole (its description)."""

    kind: Literal["pathway"]

    def to_anchor(self) -> Anchor:
        return Anchor(AnchorKind.PATHWAY)


class StepAnchor(Input):
    kind: Literal["step"]
    step: Key

    def to_anchor(self) -> Anchor:
        return Anchor(AnchorKind.STEP, self.step)


class TransitionAnchor(Input):
    kind: Literal["transition"]
    transition: Key

    def to_anchor(self) -> Anchor:
        return Anchor(AnchorKind.TRANSITION, self.transition)


class HandoverAnchor(Input):
    """The handover of a transition: roles, messages, deadline and checklist."""

    kind: Literal["handover"]
    transition: Key

    def to_anchor(self) -> Anchor:
        return Anchor(AnchorKind.HANDOVER, self.transition)


class ChecklistItemAnchor(Input):
    """One item of a transition's handover checklist."""

    kind: Literal["checklist_item"]
    transition: Key
    item: Key

    def to_anchor(self) -> Anchor:
        return Anchor(AnchorKind.CHECKLIST_ITEM, self.transition, self.item)


AnchorBody = Annotated[
    PathwayAnchor | StepAnchor | TransitionAnchor | HandoverAnchor | ChecklistItemAnchor,
    Field(discriminator="kind", description="What the comment is about"),
]


def anchor_body(anchor: Anchor) -> AnchorBody:
    match anchor.kind:
        case AnchorKind.PATHWAY:
            return PathwayAnchor(kind="pathway")
        case AnchorKind.STEP:
            return StepAnchor(kind="step", step=anchor.key)
        case AnchorKind.TRANSITION:
            return TransitionAnchor(kind="transition", transition=anchor.key)
        case AnchorKind.HANDOVER:
            return HandoverAnchor(kind="handover", transition=anchor.key)
        case AnchorKind.CHECKLIST_ITEM:
            return ChecklistItemAnchor(
                kind="checklist_item", transition=anchor.key, item=anchor.item
            )


class CommentCreate(Input):
    anchor: AnchorBody
    text: CommentText


class ReplyCreate(Input):
    text: CommentText


class ThreadUpdate(Input):
    resolved: bool = Field(description="true: resolve the thread; false: reopen it")


class CommentRead(BaseModel):
    id: int
    text: str
    organization_id: int
    organization_name: str
    role: Literal["editor", "commenter", "secretariat", "invitee"] = Field(
        description="The author's role on the pathway then (invitee: heard in a round)"
    )
    token_name: str
    revision: int = Field(description="The pathway's revision when it was written")
    hearing_id: int | None = Field(description="The hearing round it came with, if any")
    created_at: datetime

    @classmethod
    def of(cls, row: orm.Comment) -> CommentRead:
        return cls(
            id=row.id,
            text=row.text,
            organization_id=row.organization_id,
            organization_name=row.organization_name,
            role=row.role,
            token_name=row.token_name,
            revision=row.revision,
            hearing_id=row.hearing_id,
            created_at=row.created_at,
        )


class ThreadRead(BaseModel):
    id: int = Field(description="The thread: its first comment's id")
    anchor: AnchorBody
    revision: int = Field(description="The revision the thread is about")
    current_revision: int = Field(description="The pathway's revision now")
    standing: Standing = Field(
        description="current: the element is as it was; changed: it has changed since (the "
        "thread is about an earlier revision, see changes); removed: it is no longer there"
    )
    standing_text: str = Field(description="The same in words (Accept-Language: nb)")
    changes: dict[str, Any] = Field(
        description="For a changed element: {field: {from, to}} from then to now"
    )
    element: dict[str, Any] | None = Field(
        description="The element as it was on `revision`, in the native document's form"
    )
    resolved: bool
    resolved_at: datetime | None
    resolved_by: str | None
    etag: str = Field(description="The thread's ETag: If-Match for resolving or reopening")
    comments: list[CommentRead] = Field(description="The first comment and its replies")

    @classmethod
    def of(cls, view: ThreadView, language: str) -> ThreadRead:
        first = view.first
        return cls(
            id=first.id,
            anchor=anchor_body(view.anchor),
            revision=first.revision,
            current_revision=view.current_revision,
            standing=view.standing.state,
            standing_text=standing_text(view.standing, view.anchor, first.revision, language),
            changes=view.standing.changes,
            element=first.element,
            resolved=first.resolved_at is not None,
            resolved_at=first.resolved_at,
            resolved_by=first.resolved_by,
            etag=view.etag,
            comments=[CommentRead.of(c) for c in [first, *view.replies]],
        )
