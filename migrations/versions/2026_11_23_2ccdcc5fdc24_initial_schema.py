"""Initial schema: organisations, tokens, pathways, participants, graph, history.

History is append-only: a trigger refuses UPDATE on its rows, on both databases.

Revision ID: 2ccdcc5fdc24
Revises:
Create Date: 2026-11-23 07:31:34.082537
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import db.types

revision: str = "2ccdcc5fdc24"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


_APPEND_ONLY_SQLITE = """
CREATE TRIGGER history_append_only BEFORE UPDATE ON history
BEGIN
    SELECT RAISE(ABORT, 'history is append-only');
END
"""
_APPEND_ONLY_POSTGRESQL = (
    """
CREATE FUNCTION history_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'history is append-only';
END
$$
""",
    """
CREATE TRIGGER history_append_only BEFORE UPDATE ON history
FOR EACH ROW EXECUTE FUNCTION history_append_only()
""",
)


def _create_append_only_trigger() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in _APPEND_ONLY_POSTGRESQL:
            op.execute(statement)
    else:
        op.execute(_APPEND_ONLY_SQLITE)


def _drop_append_only_trigger() -> None:
    op.execute(
        "DROP TRIGGER IF EXISTS history_append_only"
        + (" ON history" if op.get_bind().dialect.name == "postgresql" else "")
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS history_append_only()")


def upgrade() -> None:
    op.create_table(
        "organizations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("level", sa.String(length=20), nullable=False),
        sa.Column("organization_number", sa.String(length=9), nullable=True),
        sa.Column("her_id", sa.String(length=20), nullable=True),
        sa.Column("created_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "level IN ('hospital', 'municipality')", name=op.f("ck_organizations_level")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organizations")),
        sa.UniqueConstraint("name", name=op.f("uq_organizations_name")),
    )
    op.create_table(
        "pathways",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("target_group", sa.String(length=300), nullable=False),
        sa.Column("agreement_ref", sa.String(length=300), nullable=False),
        sa.Column("review_due", sa.Date(), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("created_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pathways")),
    )
    op.create_table(
        "participants",
        sa.Column("pathway_id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("joined_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_participants_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["pathway_id"],
            ["pathways.id"],
            name=op.f("fk_participants_pathway_id_pathways"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("pathway_id", "organization_id", name=op.f("pk_participants")),
    )
    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.create_index("ix_participants_organization_id", ["organization_id"], unique=False)

    op.create_table(
        "steps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pathway_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("level", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("responsible", sa.String(length=300), nullable=False),
        sa.Column("expected_duration", sa.String(length=40), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.CheckConstraint("level IN ('hospital', 'municipality')", name=op.f("ck_steps_level")),
        sa.ForeignKeyConstraint(
            ["pathway_id"],
            ["pathways.id"],
            name=op.f("fk_steps_pathway_id_pathways"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_steps")),
        sa.UniqueConstraint("pathway_id", "key", name=op.f("uq_steps_pathway_id_key")),
    )
    op.create_table(
        "tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("scope", sa.String(length=10), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", db.types.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("scope IN ('read', 'edit', 'admin')", name=op.f("ck_tokens_scope")),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_tokens_organization_id_organizations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tokens")),
        sa.UniqueConstraint("secret_hash", name=op.f("uq_tokens_secret_hash")),
    )
    with op.batch_alter_table("tokens", schema=None) as batch_op:
        batch_op.create_index("ix_tokens_organization_id", ["organization_id"], unique=False)

    op.create_table(
        "history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pathway_id", sa.Integer(), nullable=False),
        sa.Column("at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("organization_name", sa.String(length=300), nullable=False),
        sa.Column("level", sa.String(length=20), nullable=False),
        sa.Column("token_id", sa.Integer(), nullable=True),
        sa.Column("token_name", sa.String(length=300), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("summary", sa.String(length=1000), nullable=False),
        sa.Column(
            "changes",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("revision_before", sa.Integer(), nullable=False),
        sa.Column("revision_after", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_history_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["pathway_id"],
            ["pathways.id"],
            name=op.f("fk_history_pathway_id_pathways"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["token_id"], ["tokens.id"], name=op.f("fk_history_token_id_tokens")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_history")),
    )
    with op.batch_alter_table("history", schema=None) as batch_op:
        batch_op.create_index("ix_history_pathway_id_id", ["pathway_id", "id"], unique=False)
    _create_append_only_trigger()

    op.create_table(
        "transitions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pathway_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("from_key", sa.String(length=64), nullable=False),
        sa.Column("to_key", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=300), nullable=False),
        sa.Column(
            "handover",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(
            ["pathway_id", "from_key"],
            ["steps.pathway_id", "steps.key"],
            name="fk_transitions_from",
        ),
        sa.ForeignKeyConstraint(
            ["pathway_id", "to_key"], ["steps.pathway_id", "steps.key"], name="fk_transitions_to"
        ),
        sa.ForeignKeyConstraint(
            ["pathway_id"],
            ["pathways.id"],
            name=op.f("fk_transitions_pathway_id_pathways"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transitions")),
        sa.UniqueConstraint("pathway_id", "key", name=op.f("uq_transitions_pathway_id_key")),
    )


def downgrade() -> None:
    op.drop_table("transitions")
    _drop_append_only_trigger()
    with op.batch_alter_table("history", schema=None) as batch_op:
        batch_op.drop_index("ix_history_pathway_id_id")

    op.drop_table("history")
    with op.batch_alter_table("tokens", schema=None) as batch_op:
        batch_op.drop_index("ix_tokens_organization_id")

    op.drop_table("tokens")
    op.drop_table("steps")
    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.drop_index("ix_participants_organization_id")

    op.drop_table("participants")
    op.drop_table("pathways")
    op.drop_table("organizations")
