"""Local variants of a shared pathway, and where a borrowed pathway came from.

A local variant is a pathway of its own (its draft, participants, approvals, versions
and history work as any pathway's) that says which shared pathway it is a variant of
and which approved version of it it is pinned to: ``pathways.variant_of_id`` and
``pathways.variant_of_version``. A borrowed pathway keeps the approved version it was
copied from in ``pathways.origin``.

Data: existing pathways are neither variants nor borrowed: the three columns are NULL.

Revision ID: b7c2d9e4f1a3
Revises: e4b1d2c3a5f6
Create Date: 2026-12-03 15:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from migrations.sqlite_schema import edit_table_definition

revision: str = "b7c2d9e4f1a3"
down_revision: str | None = "e4b1d2c3a5f6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
_REFERENCE = "fk_pathways_variant_of_id_pathways"


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def upgrade() -> None:
    if _sqlite():
        # SQLite adds a foreign key only with the column, inline.
        op.execute(
            "ALTER TABLE pathways ADD COLUMN variant_of_id INTEGER "
            f"CONSTRAINT {_REFERENCE} REFERENCES pathways (id)"
        )
    else:
        op.add_column("pathways", sa.Column("variant_of_id", sa.Integer(), nullable=True))
        op.create_foreign_key(_REFERENCE, "pathways", "pathways", ["variant_of_id"], ["id"])
    op.create_index("ix_pathways_variant_of_id", "pathways", ["variant_of_id"])
    op.add_column("pathways", sa.Column("variant_of_version", sa.Integer(), nullable=True))
    op.add_column("pathways", sa.Column("origin", _JSON, nullable=True))


def downgrade() -> None:
    """Variants become pathways of their own and borrowed pathways forget their origin
    (their history still names it)."""
    op.drop_index("ix_pathways_variant_of_id", table_name="pathways")
    if _sqlite():
        edit_table_definition(
            op.get_bind(),
            "pathways",
            [(f" CONSTRAINT {_REFERENCE} REFERENCES pathways (id)", "")],
        )
    else:
        op.drop_constraint(_REFERENCE, "pathways", type_="foreignkey")
    for column in ("origin", "variant_of_version", "variant_of_id"):
        op.execute(f"ALTER TABLE pathways DROP COLUMN {column}")
