"""Handover events and conformance: real handovers measured against approved versions.

- ``handover_events``: the imported log of each approved version, one row per event,
  keyed by a digest of its fields (a re-import adds nothing);
- ``conformance_episodes``, ``handover_checks`` and ``payment_days``: each episode
  mapped onto its version (written at import, for the episodes the import touched),
  which the figures aggregate in SQL.

Data: nothing existing changes; the new tables start empty.

Revision ID: 231a765ff083
Revises: d5e8a3c1f7b2
Create Date: 2026-12-07 23:10:34.607899
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "231a765ff083"
down_revision: str | None = "d5e8a3c1f7b2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "conformance_episodes",
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("episode", sa.String(length=64), nullable=False),
        sa.Column("hospital", sa.String(length=200), nullable=False),
        sa.Column("municipality", sa.String(length=200), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("left_pathway", sa.Boolean(), nullable=False),
        sa.Column("off_route", sa.String(length=1000), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["versions.id"],
            name=op.f("fk_conformance_episodes_version_id_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("version_id", "episode", name=op.f("pk_conformance_episodes")),
    )
    op.create_table(
        "handover_checks",
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("episode", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("transition", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("code", sa.String(length=200), nullable=False),
        sa.Column("organization", sa.String(length=200), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("due", sa.BigInteger(), nullable=True),
        sa.Column("arrived", sa.BigInteger(), nullable=True),
        sa.Column("delay", sa.BigInteger(), nullable=True),
        sa.Column("on_time", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["versions.id"],
            name=op.f("fk_handover_checks_version_id_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "version_id", "episode", "position", name=op.f("pk_handover_checks")
        ),
    )
    op.create_index(
        "ix_handover_checks_version_id_transition",
        "handover_checks",
        ["version_id", "transition"],
        unique=False,
    )

    op.create_table(
        "handover_events",
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("episode", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("code", sa.String(length=200), nullable=False),
        sa.Column("at", sa.BigInteger(), nullable=False),
        sa.Column("sender", sa.String(length=200), nullable=False),
        sa.Column("receiver", sa.String(length=200), nullable=False),
        sa.Column("answer", sa.String(length=3), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["versions.id"],
            name=op.f("fk_handover_events_version_id_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("version_id", "key", name=op.f("pk_handover_events")),
    )
    op.create_index(
        "ix_handover_events_version_id_episode",
        "handover_events",
        ["version_id", "episode"],
        unique=False,
    )

    op.create_table(
        "payment_days",
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("episode", sa.String(length=64), nullable=False),
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("municipality", sa.String(length=200), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["versions.id"],
            name=op.f("fk_payment_days_version_id_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("version_id", "episode", "year", name=op.f("pk_payment_days")),
    )


def downgrade() -> None:
    op.drop_table("payment_days")
    op.drop_index("ix_handover_events_version_id_episode", table_name="handover_events")
    op.drop_table("handover_events")
    op.drop_index("ix_handover_checks_version_id_transition", table_name="handover_checks")
    op.drop_table("handover_checks")
    op.drop_table("conformance_episodes")
