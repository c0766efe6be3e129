"""Comments, hearing rounds, and notifications (an event feed and signed webhooks).

- ``comments``: threads anchored to an element of a revision of a pathway, each first
  comment keeping the element as it was then;
- ``hearings`` and ``hearing_invitees``: rounds on a revision (its document kept), with
  their invitees and each one's answer and the reply to it;
- ``webhooks``, ``events``, ``event_recipients``, ``webhook_deliveries`` and
  ``webhook_attempts``: what organisations subscribe to, what happened and whom it
  concerns, and the outbox with its delivery log;
- ``partnerships.hearing_required``: the approval policy also asks for a clean hearing.

Data: no pathway has comments or hearings yet; every partnership keeps its policy as it
was (``hearing_required`` false).

Revision ID: d5e8a3c1f7b2
Revises: b7c2d9e4f1a3
Create Date: 2026-12-04 18:44:43.435424
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import db.types

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")

revision: str = "d5e8a3c1f7b2"
down_revision: str | None = "b7c2d9e4f1a3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "webhooks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("events", _JSON, nullable=False),
        sa.Column("description", sa.String(length=300), nullable=False),
        sa.Column("secret", sa.String(length=100), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("created_at", db.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", db.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_webhooks_organization_id_organizations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhooks")),
    )
    op.create_index("ix_webhooks_organization_id", "webhooks", ["organization_id"], unique=False)

    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.String(length=40), nullable=False),
        sa.Column("type", sa.String(length=40), nullable=False),
        sa.Column("pathway_id", sa.Integer(), nullable=True),
        sa.Column("data", _JSON, nullable=False),
        sa.Column("created_at", db.types.UTCDateTime(), nullable=False),
        sa.Column("dedupe_key", sa.String(length=200), nullable=True),
        sa.Column("transaction_id", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["pathway_id"],
            ["pathways.id"],
            name=op.f("fk_events_pathway_id_pathways"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_events_dedupe_key")),
        sa.UniqueConstraint("event_id", name=op.f("uq_events_event_id")),
    )
    op.create_index("ix_events_pathway_id", "events", ["pathway_id"], unique=False)

    op.create_table(
        "hearings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pathway_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("pathway_title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("opened_at", db.types.UTCDateTime(), nullable=False),
        sa.Column("opened_by_id", sa.Integer(), nullable=False),
        sa.Column("opened_by", sa.String(length=300), nullable=False),
        sa.Column("token_name", sa.String(length=300), nullable=False),
        sa.Column("closed_at", db.types.UTCDateTime(), nullable=True),
        sa.Column("closed_by", sa.String(length=300), nullable=True),
        sa.Column("etag_revision", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["opened_by_id"],
            ["organizations.id"],
            name=op.f("fk_hearings_opened_by_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["pathway_id"],
            ["pathways.id"],
            name=op.f("fk_hearings_pathway_id_pathways"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hearings")),
    )
    op.create_index("ix_hearings_pathway_id_id", "hearings", ["pathway_id", "id"], unique=False)

    op.create_table(
        "comments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pathway_id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=True),
        sa.Column("hearing_id", sa.Integer(), nullable=True),
        sa.Column("anchor_kind", sa.String(length=20), nullable=False),
        sa.Column("anchor_key", sa.String(length=200), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("element", _JSON, nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("organization_name", sa.String(length=300), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("token_id", sa.Integer(), nullable=True),
        sa.Column("token_name", sa.String(length=300), nullable=False),
        sa.Column("created_at", db.types.UTCDateTime(), nullable=False),
        sa.Column("thread_revision", sa.Integer(), nullable=False),
        sa.Column("resolved_at", db.types.UTCDateTime(), nullable=True),
        sa.Column("resolved_by", sa.String(length=300), nullable=True),
        sa.CheckConstraint(
            "anchor_kind IN ('pathway', 'step', 'transition', 'handover', 'checklist_item')",
            name=op.f("ck_comments_anchor_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["hearing_id"],
            ["hearings.id"],
            name=op.f("fk_comments_hearing_id_hearings"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_comments_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["pathway_id"],
            ["pathways.id"],
            name=op.f("fk_comments_pathway_id_pathways"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["thread_id"],
            ["comments.id"],
            name=op.f("fk_comments_thread_id_comments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["token_id"], ["tokens.id"], name=op.f("fk_comments_token_id_tokens")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comments")),
    )
    op.create_index("ix_comments_hearing_id", "comments", ["hearing_id"], unique=False)
    op.create_index("ix_comments_pathway_id_id", "comments", ["pathway_id", "id"], unique=False)
    op.create_index("ix_comments_thread_id", "comments", ["thread_id"], unique=False)

    op.create_table(
        "event_recipients",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_event_recipients_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_event_recipients_organization_id_organizations"),
        ),
        sa.PrimaryKeyConstraint("event_id", "organization_id", name=op.f("pk_event_recipients")),
    )
    op.create_index(
        "ix_event_recipients_organization_id",
        "event_recipients",
        ["organization_id", "event_id"],
        unique=False,
    )

    op.create_table(
        "hearing_invitees",
        sa.Column("hearing_id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("position_in_list", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("position", sa.String(length=20), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("answered_at", db.types.UTCDateTime(), nullable=True),
        sa.Column("answered_by", sa.String(length=300), nullable=True),
        sa.Column("reply", sa.Text(), nullable=True),
        sa.Column("replied_at", db.types.UTCDateTime(), nullable=True),
        sa.Column("replied_by", sa.String(length=300), nullable=True),
        sa.CheckConstraint(
            "position IN ('agree', 'agree_with_remarks', 'disagree')",
            name=op.f("ck_hearing_invitees_position"),
        ),
        sa.ForeignKeyConstraint(
            ["hearing_id"],
            ["hearings.id"],
            name=op.f("fk_hearing_invitees_hearing_id_hearings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_hearing_invitees_organization_id_organizations"),
        ),
        sa.PrimaryKeyConstraint("hearing_id", "organization_id", name=op.f("pk_hearing_invitees")),
    )
    op.create_index(
        "ix_hearing_invitees_organization_id", "hearing_invitees", ["organization_id"], unique=False
    )

    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("webhook_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", db.types.UTCDateTime(), nullable=False),
        sa.Column("lease_until", db.types.UTCDateTime(), nullable=True),
        sa.Column("created_at", db.types.UTCDateTime(), nullable=False),
        sa.Column("delivered_at", db.types.UTCDateTime(), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'delivered', 'failed')",
            name=op.f("ck_webhook_deliveries_status"),
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_webhook_deliveries_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["webhook_id"],
            ["webhooks.id"],
            name=op.f("fk_webhook_deliveries_webhook_id_webhooks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_deliveries")),
    )
    op.create_index(
        "ix_webhook_deliveries_status_next_attempt_at",
        "webhook_deliveries",
        ["status", "next_attempt_at"],
        unique=False,
    )
    op.create_index(
        "ix_webhook_deliveries_webhook_id_id",
        "webhook_deliveries",
        ["webhook_id", "id"],
        unique=False,
    )

    op.create_table(
        "webhook_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("delivery_id", sa.Integer(), nullable=False),
        sa.Column("at", db.types.UTCDateTime(), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("error", sa.String(length=500), nullable=False),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["delivery_id"],
            ["webhook_deliveries.id"],
            name=op.f("fk_webhook_attempts_delivery_id_webhook_deliveries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_attempts")),
    )
    op.create_index(
        "ix_webhook_attempts_delivery_id", "webhook_attempts", ["delivery_id"], unique=False
    )

    op.add_column(
        "partnerships",
        sa.Column("hearing_required", sa.Boolean(), server_default=sa.false(), nullable=False),
    )


def downgrade() -> None:
    """Comments, hearing rounds, subscriptions and the event log are dropped; each
    partnership keeps its approval policy without the hearing it asked for."""
    for table in (
        "webhook_attempts",
        "webhook_deliveries",
        "hearing_invitees",
        "event_recipients",
        "comments",
        "hearings",
        "events",
        "webhooks",
    ):
        op.drop_table(table)
    # Not a batch copy of the table: on SQLite that would drop and re-create it, and its
    # members and pathways with it (or fail on their foreign keys).
    op.execute("ALTER TABLE partnerships DROP COLUMN hearing_required")
