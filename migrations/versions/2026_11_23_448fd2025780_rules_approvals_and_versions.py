"""Rule settings on pathways; approvals; approved versions (immutable: no UPDATE).

Revision ID: 448fd2025780
Revises: 2ccdcc5fdc24
Create Date: 2026-11-23 07:46:31.403669
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import db.types

revision: str = "448fd2025780"
down_revision: str | None = "2ccdcc5fdc24"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_DEFAULT_RULES = '{"rule_sets": ["core"], "deadlines": {}}'


def _create_immutable_trigger() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            """
            CREATE FUNCTION versions_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'approved versions are immutable';
            END
            $$
            """
        )
        op.execute(
            "CREATE TRIGGER versions_immutable BEFORE UPDATE ON versions "
            "FOR EACH ROW EXECUTE FUNCTION versions_immutable()"
        )
    else:
        op.execute(
            "CREATE TRIGGER versions_immutable BEFORE UPDATE ON versions "
            "BEGIN SELECT RAISE(ABORT, 'approved versions are immutable'); END"
        )


def _drop_immutable_trigger() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS versions_immutable ON versions")
        op.execute("DROP FUNCTION IF EXISTS versions_immutable()")
    else:
        op.execute("DROP TRIGGER IF EXISTS versions_immutable")


def upgrade() -> None:
    op.create_table(
        "versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pathway_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column(
            "approvals",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["pathway_id"],
            ["pathways.id"],
            name=op.f("fk_versions_pathway_id_pathways"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_versions")),
        sa.UniqueConstraint("pathway_id", "number", name=op.f("uq_versions_pathway_id_number")),
    )
    op.create_table(
        "approvals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pathway_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("organization_name", sa.String(length=300), nullable=False),
        sa.Column("level", sa.String(length=20), nullable=False),
        sa.Column("token_id", sa.Integer(), nullable=True),
        sa.Column("token_name", sa.String(length=300), nullable=False),
        sa.Column("approved_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_approvals_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["pathway_id"],
            ["pathways.id"],
            name=op.f("fk_approvals_pathway_id_pathways"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["token_id"], ["tokens.id"], name=op.f("fk_approvals_token_id_tokens")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approvals")),
        sa.UniqueConstraint(
            "pathway_id",
            "revision",
            "organization_id",
            name=op.f("uq_approvals_pathway_id_revision_organization_id"),
        ),
    )
    with op.batch_alter_table("pathways", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "rules",
                sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
                nullable=False,
                server_default=sa.text(f"'{_DEFAULT_RULES}'"),
            )
        )
    with op.batch_alter_table("pathways", schema=None) as batch_op:
        batch_op.alter_column("rules", server_default=None)
    _create_immutable_trigger()


def downgrade() -> None:
    _drop_immutable_trigger()
    with op.batch_alter_table("pathways", schema=None) as batch_op:
        batch_op.drop_column("rules")

    op.drop_table("approvals")
    op.drop_table("versions")
