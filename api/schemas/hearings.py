"""Wire shapes of hearing rounds: opening one, answering, replying, and the round."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from api.schemas.comments import AnchorBody, CommentRead, CommentText, anchor_body
from api.schemas.common import Input
from api.services.hearings import HearingView
from db import models as orm
from pathways.comments import MAX_COMMENT_LENGTH, Anchor
from pathways.document import DateText, Name, Text
from pathways.hearings import Position
from pathways.text import TEXT_PATTERN

__all__ = ["AnswerCreate", "HearingCreate", "HearingRead", "ReplyToAnswer"]

OrganizationId = Annotated[int, Field(ge=1, le=2_147_483_647)]
AnswerText = Annotated[str, StringConstraints(max_length=MAX_COMMENT_LENGTH, pattern=TEXT_PATTERN)]


class HearingCreate(Input):
    deadline: DateText = Field(description="The last day to answer, YYYY-MM-DD: today or later")
    invitees: list[OrganizationId] = Field(
        min_length=1,
        max_length=200,
        description="The organisations invited to answer: participants or not (a user "
        "organisation, a GP council)",
    )
    title: Name | None = Field(default=None, description="Default: 'Høring: ' and the title")
    description: Text = Field(default="", description="What the round asks, for the invitees")


class AnchoredComment(Input):
    anchor: AnchorBody
    text: CommentText

    def to_pair(self) -> tuple[Anchor, str]:
        return self.anchor.to_anchor(), self.text


class AnswerCreate(Input):
    position: Position = Field(
        description="agree, agree_with_remarks or disagree (the last two say why in text)"
    )
    text: AnswerText = Field(default="", description="The answer's remarks")
    comments: list[AnchoredComment] = Field(
        default_factory=list,
        max_length=50,
        description="Comments on elements of the revision heard: each becomes a comment "
        "thread on the pathway",
    )


class ReplyToAnswer(Input):
    text: CommentText = Field(description="How the working group answers it")


class RoundCounts(BaseModel):
    invited: int
    answered: int
    unanswered: int
    disagreements: int
    unreplied_disagreements: int
    clean: bool = Field(description="Closed, and every disagreement replied to")


class InviteeRead(BaseModel):
    organization_id: int
    name: str
    answered: bool
    position: Position | None
    position_text: str | None = Field(description="The position in words (Accept-Language: nb)")
    text: str
    answered_at: datetime | None
    answered_by: str | None = Field(description="The token that answered")
    reply: str | None
    replied_at: datetime | None
    replied_by: str | None
    comments: list[int] = Field(description="The comments (threads) it came with")

    @classmethod
    def of(cls, row: orm.HearingInvitee, comments: list[int], language: str) -> InviteeRead:
        position = Position(row.position) if row.position else None
        return cls(
            organization_id=row.organization_id,
            name=row.name,
            answered=position is not None,
            position=position,
            position_text=position.said.in_language(language) if position else None,
            text=row.text,
            answered_at=row.answered_at,
            answered_by=row.answered_by,
            reply=row.reply,
            replied_at=row.replied_at,
            replied_by=row.replied_by,
            comments=comments,
        )


class HearingCommentRead(CommentRead):
    anchor: AnchorBody


class HearingRead(BaseModel):
    id: int
    pathway_id: int
    pathway_title: str = Field(description="The pathway's title in the revision heard")
    revision: int = Field(description="The revision heard (its document: /hearings/{id}/document)")
    title: str
    description: str
    deadline: date
    status: Literal["open", "closed"] = Field(
        description="open until closed, also past its deadline (answers are taken until then)"
    )
    opened_at: datetime
    opened_by: str
    closed_at: datetime | None
    closed_by: str | None
    etag: str = Field(description="The round's ETag: If-Match for replying and closing")
    counts: RoundCounts
    invitees: list[InviteeRead] = Field(description="In the order invited")
    comments: list[HearingCommentRead] = Field(description="The comments the answers came with")

    @classmethod
    def of(cls, view: HearingView, language: str) -> HearingRead:
        row, state = view.row, view.state
        by_author: dict[int, list[int]] = {}
        for comment in view.comments:
            by_author.setdefault(comment.organization_id, []).append(comment.id)
        return cls(
            id=row.id,
            pathway_id=row.pathway_id,
            pathway_title=row.pathway_title,
            revision=row.revision,
            title=row.title,
            description=row.description,
            deadline=row.deadline,
            status="closed" if row.closed_at else "open",
            opened_at=row.opened_at,
            opened_by=row.opened_by,
            closed_at=row.closed_at,
            closed_by=row.closed_by,
            etag=view.etag,
            counts=RoundCounts(
                invited=len(view.invitees),
                answered=state.answered,
                unanswered=state.unanswered,
                disagreements=state.disagreements,
                unreplied_disagreements=state.unreplied_disagreements,
                clean=state.clean,
            ),
            invitees=[
                InviteeRead.of(i, by_author.get(i.organization_id, []), language)
                for i in view.invitees
            ],
            comments=[
                HearingCommentRead(
                    **CommentRead.of(c).model_dump(),
                    anchor=anchor_body(Anchor.stored(c.anchor_kind, c.anchor_key)),
                )
                for c in view.comments
            ],
        )
