"""The tables, as SQLAlchemy 2 typed ORM classes.

Rows are not the domain: :mod:`db.repositories` map them to and from
:mod:`pathways.model`. Relationships are ``lazy="raise"``: load on purpose.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.sql.expression import false

from db.types import JSONDocument, UTCDateTime, utcnow

__all__ = [
    "Approval",
    "Base",
    "Comment",
    "ConformanceEpisode",
    "Decision",
    "Delivery",
    "DeliveryAttempt",
    "Event",
    "EventRecipient",
    "HandoverCheck",
    "HandoverEvent",
    "Hearing",
    "HearingInvitee",
    "HistoryEntry",
    "Organization",
    "Participant",
    "Partnership",
    "PartnershipMember",
    "Pathway",
    "PaymentDays",
    "Step",
    "Token",
    "Transition",
    "Version",
    "VersionParticipant",
    "Webhook",
]

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

LEVELS = "'hospital', 'municipality'"
KINDS = "'care_provider', 'secretariat', 'user_representatives'"
ROLES = "'editor', 'commenter', 'secretariat'"
POLICIES = "'one_per_level', 'every_participant', 'decision'"
ANCHORS = "'pathway', 'step', 'transition', 'handover', 'checklist_item'"
ANSWERS = "'agree', 'agree_with_remarks', 'disagree'"
DELIVERY_STATES = "'pending', 'delivered', 'failed'"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Organization(Base):
    """A care provider with a care level, or a secretariat or user representatives
    without one (``pathways.roles.OrganizationKind``)."""

    __tablename__ = "organizations"
    __table_args__ = (
        CheckConstraint(f"level IN ({LEVELS})", name="level"),
        CheckConstraint(f"kind IN ({KINDS})", name="kind"),
        CheckConstraint(
            "(kind = 'care_provider') = (level IS NOT NULL)", name="level_of_care_provider"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300), unique=True)
    kind: Mapped[str] = mapped_column(String(30), server_default="care_provider")
    level: Mapped[str | None] = mapped_column(String(20))
    organization_number: Mapped[str | None] = mapped_column(String(9))
    her_id: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Token(Base):
    """A bearer token of one organisation. Only the SHA-256 of the secret is kept."""

    __tablename__ = "tokens"
    __table_args__ = (
        CheckConstraint("scope IN ('read', 'edit', 'admin', 'operator')", name="scope"),
        Index("ix_tokens_organization_id", "organization_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    name: Mapped[str] = mapped_column(String(300))
    scope: Mapped[str] = mapped_column(String(10))
    prefix: Mapped[str] = mapped_column(String(16))
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organization: Mapped[Organization] = relationship(lazy="raise")


class Partnership(Base):
    """A helsefellesskap: its member organisations and its agreement's defaults."""

    __tablename__ = "partnerships"
    __table_args__ = (CheckConstraint(f"approval_policy IN ({POLICIES})", name="approval_policy"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300), unique=True)
    rules: Mapped[dict[str, Any]] = mapped_column(JSONDocument, default=dict)
    """The agreement's gap rule sets and deadlines (``pathways.agreement``)."""
    approval_policy: Mapped[str] = mapped_column(String(20))
    decision_body: Mapped[str] = mapped_column(String(300), default="")
    """Who decides under the ``decision`` policy, e.g. "Strategisk samarbeidsutvalg"."""
    hearing_required: Mapped[bool] = mapped_column(Boolean, server_default=false())
    """The approval policy also needs a closed hearing round on the pathway since its
    latest version, with every disagreement in it answered."""
    revision: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PartnershipMember(Base):
    __tablename__ = "partnership_members"
    __table_args__ = (Index("ix_partnership_members_organization_id", "organization_id"),)

    partnership_id: Mapped[int] = mapped_column(
        ForeignKey("partnerships.id", ondelete="CASCADE"), primary_key=True
    )
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), primary_key=True)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Pathway(Base):
    __tablename__ = "pathways"

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int | None] = mapped_column(ForeignKey("partnerships.id"), index=True)
    """The partnership whose agreement applies; None: none (``one_per_level``)."""
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    target_group: Mapped[str] = mapped_column(String(300), default="")
    agreement_ref: Mapped[str] = mapped_column(String(300), default="")
    review_due: Mapped[date | None] = mapped_column(Date)
    rules: Mapped[dict[str, Any]] = mapped_column(JSONDocument, default=dict)
    """Gap rule sets and deadlines (``pathways.document.rules_dict``)."""
    revision: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    writers: Mapped[dict[str, int] | None] = mapped_column(JSONDocument)
    """The organisation that last wrote each description element that holds a value
    (``pathways.participation.description_elements``): ``{"title": 1, "rules": 2}``."""
    variant_of_id: Mapped[int | None] = mapped_column(ForeignKey("pathways.id"), index=True)
    """For a local variant: the shared pathway it is a variant of (never itself a
    variant); it applies to its municipal editors."""
    variant_of_version: Mapped[int | None] = mapped_column(Integer)
    """For a local variant: the approved version of the shared pathway it is pinned to."""
    origin: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument)
    """For a borrowed pathway: the approved version it was copied from (``pathway_id``,
    ``title``, ``version``, ``partnership_id``, ``partnership``), as it was then."""


class Participant(Base):
    __tablename__ = "participants"
    __table_args__ = (
        Index("ix_participants_organization_id", "organization_id"),
        CheckConstraint(f"role IN ({ROLES})", name="role"),
    )

    pathway_id: Mapped[int] = mapped_column(
        ForeignKey("pathways.id", ondelete="CASCADE"), primary_key=True
    )
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(20), server_default="editor")
    """``pathways.roles.Role``: editor, commenter or secretariat."""
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organization: Mapped[Organization] = relationship(lazy="raise")


class Step(Base):
    __tablename__ = "steps"
    __table_args__ = (
        UniqueConstraint("pathway_id", "key"),
        CheckConstraint(f"level IN ({LEVELS})", name="level"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pathway_id: Mapped[int] = mapped_column(ForeignKey("pathways.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    key: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(300))
    level: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(20))
    responsible: Mapped[str] = mapped_column(String(300), default="")
    expected_duration: Mapped[str | None] = mapped_column(String(40))
    description: Mapped[str] = mapped_column(Text, default="")
    written_by: Mapped[int | None] = mapped_column(Integer)
    """The organisation that last wrote the step (an element as a whole). Like the
    writers on pathways and transitions, a plain id: organisations are never deleted."""


class Transition(Base):
    """An edge; its handover (roles, messages, deadline, checklist) is one JSON value."""

    __tablename__ = "transitions"
    __table_args__ = (
        UniqueConstraint("pathway_id", "key"),
        ForeignKeyConstraint(
            ["pathway_id", "from_key"],
            ["steps.pathway_id", "steps.key"],
            name="fk_transitions_from",
        ),
        ForeignKeyConstraint(
            ["pathway_id", "to_key"], ["steps.pathway_id", "steps.key"], name="fk_transitions_to"
        ),
        # The foreign keys' own columns: deleting a step checks them (PostgreSQL scans
        # every transition of the pathway for each deleted step without these).
        Index("ix_transitions_pathway_id_from_key", "pathway_id", "from_key"),
        Index("ix_transitions_pathway_id_to_key", "pathway_id", "to_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pathway_id: Mapped[int] = mapped_column(ForeignKey("pathways.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    key: Mapped[str] = mapped_column(String(64))
    from_key: Mapped[str] = mapped_column(String(64))
    to_key: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(300), default="")
    handover: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument)
    writers: Mapped[dict[str, int] | None] = mapped_column(JSONDocument)
    """The organisation that last wrote each element of the transition that holds a value
    (``pathways.participation.transition_elements``):
    ``{"transition": 1, "handover.sender_role": 2, "checklist.med-list": 2}``."""


class HistoryEntry(Base):
    """One change to a pathway: append-only, attributed to an organisation and a token."""

    __tablename__ = "history"
    __table_args__ = (Index("ix_history_pathway_id_id", "pathway_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pathway_id: Mapped[int] = mapped_column(ForeignKey("pathways.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    organization_name: Mapped[str] = mapped_column(String(300))
    level: Mapped[str | None] = mapped_column(String(20))
    """The organisation's care level; None for a secretariat or user representatives."""
    token_id: Mapped[int | None] = mapped_column(ForeignKey("tokens.id"))
    token_name: Mapped[str] = mapped_column(String(300))
    action: Mapped[str] = mapped_column(String(40))
    summary: Mapped[str] = mapped_column(String(1000))
    changes: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    revision_before: Mapped[int] = mapped_column(Integer)
    revision_after: Mapped[int] = mapped_column(Integer)


class Approval(Base):
    """One organisation's approval of one revision of a pathway.

    An approval counts only while the pathway is still at that revision: any change
    after it voids it, without touching this row.
    """

    __tablename__ = "approvals"
    __table_args__ = (UniqueConstraint("pathway_id", "revision", "organization_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pathway_id: Mapped[int] = mapped_column(ForeignKey("pathways.id", ondelete="CASCADE"))
    revision: Mapped[int] = mapped_column(Integer)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    organization_name: Mapped[str] = mapped_column(String(300))
    level: Mapped[str] = mapped_column(String(20))
    token_id: Mapped[int | None] = mapped_column(ForeignKey("tokens.id"))
    token_name: Mapped[str] = mapped_column(String(300))
    approved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Decision(Base):
    """A decision recorded by a secretariat on one revision of a pathway, under the
    ``decision`` policy: which body decided, when, and its case or meeting reference.
    Like an approval, it counts only while the pathway is still at that revision."""

    __tablename__ = "decisions"
    __table_args__ = (UniqueConstraint("pathway_id", "revision"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pathway_id: Mapped[int] = mapped_column(ForeignKey("pathways.id", ondelete="CASCADE"))
    revision: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(String(300))
    decided_on: Mapped[date] = mapped_column(Date)
    reference: Mapped[str] = mapped_column(String(300))
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    organization_name: Mapped[str] = mapped_column(String(300))
    token_id: Mapped[int | None] = mapped_column(ForeignKey("tokens.id"))
    token_name: Mapped[str] = mapped_column(String(300))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Version(Base):
    """An approved, immutable snapshot: the native document and who approved it."""

    __tablename__ = "versions"
    __table_args__ = (UniqueConstraint("pathway_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pathway_id: Mapped[int] = mapped_column(ForeignKey("pathways.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    revision: Mapped[int] = mapped_column(Integer)
    document: Mapped[str] = mapped_column(Text)
    """The canonical native document of that revision (``dump_document``)."""
    approvals: Mapped[list[dict[str, Any]]] = mapped_column(JSONDocument)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    approval_policy: Mapped[str] = mapped_column(String(20), server_default="one_per_level")
    """The policy under which it was approved."""
    partnership_id: Mapped[int | None] = mapped_column(ForeignKey("partnerships.id"), index=True)
    """The partnership the pathway belonged to when it was approved."""
    decision: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument)
    """The recorded decision it was adopted by (``decision`` policy), as it was recorded."""
    # What the catalogue shows and filters on, as the document has it (written with the
    # version, immutable like it): no page has to read documents.
    title: Mapped[str] = mapped_column(String(300), server_default="")
    description: Mapped[str] = mapped_column(Text, server_default="")
    target_group: Mapped[str] = mapped_column(String(300), server_default="")
    agreement_ref: Mapped[str] = mapped_column(String(300), server_default="")
    review_due: Mapped[date | None] = mapped_column(Date, index=True)
    search_text: Mapped[str] = mapped_column(Text, server_default="")
    """Title, description, target group and agreement, case-folded, for text search."""
    target_group_key: Mapped[str] = mapped_column(String(300), server_default="")
    """The target group, case-folded."""
    handovers: Mapped[int] = mapped_column(Integer, server_default="0")
    """How many handovers (cross-level transitions with one) the document has: what the
    handover feed pages by, without reading documents."""


class VersionParticipant(Base):
    """An organisation that took part in a pathway when one of its versions was approved.

    The catalogue and the public view show these, not today's participants, who are
    draft state: who joined or left since approval is for participants to see only.
    """

    __tablename__ = "version_participants"
    __table_args__ = (Index("ix_version_participants_organization_id", "organization_id"),)

    version_id: Mapped[int] = mapped_column(
        ForeignKey("versions.id", ondelete="CASCADE"), primary_key=True
    )
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    """The order in which they had joined."""
    name: Mapped[str] = mapped_column(String(300))
    level: Mapped[str] = mapped_column(String(20))


class Comment(Base):
    """A comment on one element of a revision of a pathway, or a reply in its thread.

    A thread's first comment holds the anchor and the element as it was on that
    revision (``element``), so that a later change or removal of it can be shown; replies
    name the thread. Whether the thread is resolved, and its ETag, live on the first one.
    """

    __tablename__ = "comments"
    __table_args__ = (
        CheckConstraint(f"anchor_kind IN ({ANCHORS})", name="anchor_kind"),
        Index("ix_comments_pathway_id_id", "pathway_id", "id"),
        Index("ix_comments_thread_id", "thread_id"),
        Index("ix_comments_hearing_id", "hearing_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pathway_id: Mapped[int] = mapped_column(ForeignKey("pathways.id", ondelete="CASCADE"))
    thread_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    """None for a thread's first comment; else that comment's id."""
    hearing_id: Mapped[int | None] = mapped_column(ForeignKey("hearings.id", ondelete="SET NULL"))
    """The hearing round whose answer it came with, if any."""
    anchor_kind: Mapped[str] = mapped_column(String(20))
    anchor_key: Mapped[str] = mapped_column(String(200), default="")
    """The step or transition key; for a checklist item, ``transition/item``."""
    revision: Mapped[int] = mapped_column(Integer)
    element: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument)
    """The anchored element as it was on ``revision`` (the native document's form)."""
    text: Mapped[str] = mapped_column(Text)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    organization_name: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(20))
    """The author's role on the pathway then, or ``invitee`` for one heard in a round."""
    token_id: Mapped[int | None] = mapped_column(ForeignKey("tokens.id"))
    token_name: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    thread_revision: Mapped[int] = mapped_column(Integer, default=1)
    """A thread's ETag: up by one with each reply, resolution or reopening."""
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by: Mapped[str | None] = mapped_column(String(300))


class Hearing(Base):
    """A hearing round (høring) on one revision of a pathway: the document heard, its
    deadline, and whether it is closed. Its invitees and their answers are
    :class:`HearingInvitee` rows."""

    __tablename__ = "hearings"
    __table_args__ = (Index("ix_hearings_pathway_id_id", "pathway_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pathway_id: Mapped[int] = mapped_column(ForeignKey("pathways.id", ondelete="CASCADE"))
    revision: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    pathway_title: Mapped[str] = mapped_column(String(300))
    """The pathway's title in the revision heard: invitees see no later draft."""
    description: Mapped[str] = mapped_column(Text, default="")
    document: Mapped[str] = mapped_column(Text)
    """The canonical native document of the revision heard (``dump_document``)."""
    deadline: Mapped[date] = mapped_column(Date)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    opened_by_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    opened_by: Mapped[str] = mapped_column(String(300))
    token_name: Mapped[str] = mapped_column(String(300))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by: Mapped[str | None] = mapped_column(String(300))
    etag_revision: Mapped[int] = mapped_column(Integer, default=1)
    """The round's ETag: up by one with each answer, reply or closing."""


class HearingInvitee(Base):
    """An organisation invited to a hearing round, and its one answer."""

    __tablename__ = "hearing_invitees"
    __table_args__ = (
        CheckConstraint(f"position IN ({ANSWERS})", name="position"),
        Index("ix_hearing_invitees_organization_id", "organization_id"),
    )

    hearing_id: Mapped[int] = mapped_column(
        ForeignKey("hearings.id", ondelete="CASCADE"), primary_key=True
    )
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), primary_key=True)
    position_in_list: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(300))
    position: Mapped[str | None] = mapped_column(String(20))
    """None until it answers: agree, agree_with_remarks or disagree."""
    text: Mapped[str] = mapped_column(Text, default="")
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_by: Mapped[str | None] = mapped_column(String(300))
    """The token that answered."""
    reply: Mapped[str | None] = mapped_column(Text)
    """How the working group answered a disagreement (or remarks)."""
    replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    replied_by: Mapped[str | None] = mapped_column(String(300))


class Webhook(Base):
    """Where an organisation wants its events delivered, signed with its secret
    (Standard Webhooks)."""

    __tablename__ = "webhooks"
    __table_args__ = (Index("ix_webhooks_organization_id", "organization_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    url: Mapped[str] = mapped_column(String(2000))
    events: Mapped[list[str]] = mapped_column(JSONDocument)
    """The event types it receives (``pathways.events.EventType``)."""
    description: Mapped[str] = mapped_column(String(300), default="")
    secret: Mapped[str] = mapped_column(String(100))
    """``whsec_`` and the base64 key: kept, since every delivery is signed with it."""
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Event(Base):
    """Something that happened that organisations may want to learn: written in the
    transaction of the change itself (the outbox), with its recipients."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    """The feed's cursor."""
    event_id: Mapped[str] = mapped_column(String(40), unique=True)
    """``evt_`` and a random part: the ``webhook-id`` of every delivery of it."""
    type: Mapped[str] = mapped_column(String(40))
    pathway_id: Mapped[int | None] = mapped_column(
        ForeignKey("pathways.id", ondelete="SET NULL"), index=True
    )
    data: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    """Set for events that must happen once (a review falling due)."""
    transaction_id: Mapped[int | None] = mapped_column(BigInteger)
    """PostgreSQL: the id of the transaction that wrote it (``pg_current_xact_id``). The
    feed serves only events of transactions older than every one still running, so that a
    cursor never passes an event whose transaction commits later (None on SQLite, whose
    writers take turns)."""


class EventRecipient(Base):
    """An organisation an event concerns: its feed shows the event."""

    __tablename__ = "event_recipients"
    __table_args__ = (Index("ix_event_recipients_organization_id", "organization_id", "event_id"),)

    event_id: Mapped[int] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), primary_key=True
    )
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), primary_key=True)


class Delivery(Base):
    """One event to one webhook: pending until the receiver answers 2xx, retried with
    backoff, failed after the last attempt. The outbox the delivery worker reads."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        CheckConstraint(f"status IN ({DELIVERY_STATES})", name="status"),
        Index("ix_webhook_deliveries_status_next_attempt_at", "status", "next_attempt_at"),
        Index("ix_webhook_deliveries_webhook_id_id", "webhook_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    webhook_id: Mapped[int] = mapped_column(ForeignKey("webhooks.id", ondelete="CASCADE"))
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    """A worker is delivering it until then; after, another may take it."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class DeliveryAttempt(Base):
    """One try of a delivery: the delivery log."""

    __tablename__ = "webhook_attempts"
    __table_args__ = (Index("ix_webhook_attempts_delivery_id", "delivery_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_deliveries.id", ondelete="CASCADE")
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status_code: Mapped[int | None] = mapped_column(Integer)
    """The receiver's answer; None when there was none (refused, timed out)."""
    error: Mapped[str] = mapped_column(String(500), default="")
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)


class HandoverEvent(Base):
    """One event of a handover log (:mod:`pathways.handover_log`) imported against an
    approved version. ``key`` is a digest of all its fields: the same event imported
    again is the same row, so a re-import changes nothing."""

    __tablename__ = "handover_events"
    __table_args__ = (Index("ix_handover_events_version_id_episode", "version_id", "episode"),)

    version_id: Mapped[int] = mapped_column(
        ForeignKey("versions.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    episode: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(8))
    code: Mapped[str] = mapped_column(String(200))
    at: Mapped[int] = mapped_column(BigInteger)
    """Seconds since the epoch (UTC)."""
    sender: Mapped[str] = mapped_column(String(200))
    receiver: Mapped[str] = mapped_column(String(200))
    answer: Mapped[str] = mapped_column(String(3))


class ConformanceEpisode(Base):
    """An episode of a version's log as last checked: its organisations, its month, and
    whether it left the pathway (and where)."""

    __tablename__ = "conformance_episodes"

    version_id: Mapped[int] = mapped_column(
        ForeignKey("versions.id", ondelete="CASCADE"), primary_key=True
    )
    episode: Mapped[str] = mapped_column(String(64), primary_key=True)
    hospital: Mapped[str] = mapped_column(String(200))
    municipality: Mapped[str] = mapped_column(String(200))
    month: Mapped[str] = mapped_column(String(7))
    left_pathway: Mapped[bool] = mapped_column(Boolean)
    off_route: Mapped[str] = mapped_column(String(1000))
    """Steps the pathway does not have, and ``a>b`` for steps no transition joins."""


class HandoverCheck(Base):
    """One required message or checklist item of one handover an episode passed: when it
    was due, when it came (None: it did not), and whether in time. The figures are
    aggregates of these rows, made by the database."""

    __tablename__ = "handover_checks"
    __table_args__ = (
        Index("ix_handover_checks_version_id_transition", "version_id", "transition"),
    )

    version_id: Mapped[int] = mapped_column(
        ForeignKey("versions.id", ondelete="CASCADE"), primary_key=True
    )
    episode: Mapped[str] = mapped_column(String(64), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    transition: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(8))
    code: Mapped[str] = mapped_column(String(200))
    organization: Mapped[str] = mapped_column(String(200))
    month: Mapped[str] = mapped_column(String(7))
    due: Mapped[int | None] = mapped_column(BigInteger)
    arrived: Mapped[int | None] = mapped_column(BigInteger)
    delay: Mapped[int | None] = mapped_column(BigInteger)
    """Seconds from the requirement's anchor to its arrival."""
    on_time: Mapped[bool] = mapped_column(Boolean)


class PaymentDays(Base):
    """Days in one year a municipality pays for one episode's patient ready for
    discharge (:func:`pathways.conformance.payment_days`)."""

    __tablename__ = "payment_days"

    version_id: Mapped[int] = mapped_column(
        ForeignKey("versions.id", ondelete="CASCADE"), primary_key=True
    )
    episode: Mapped[str] = mapped_column(String(64), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    municipality: Mapped[str] = mapped_column(String(200))
    days: Mapped[int] = mapped_column(Integer)
