"""The catalogue's fields on each approved version: title, description, target group,
agreement and review date, as the version's own document has them.

The catalogue shows every pathway as its latest approved version does. Until now those
fields lived only inside the version's document (JSON text), so a filtered catalogue page
parsed the document of every pathway changed since its approval (PostgreSQL: a text
search took 263 ms a page at 5,000 pathways). The columns are written with the version
and never change, like the rest of it.

Data: every existing version gets its fields from its own document. Versions are
immutable (a trigger refuses UPDATE on both databases): the trigger is dropped for the
copy and created again, exactly as before.

Revision ID: 7d3e9b2c4f10
Revises: 5c0d7e1f9a2b
Create Date: 2026-12-01 13:00:00.000000
"""

import json
from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa
from alembic import op

revision: str = "7d3e9b2c4f10"
down_revision: str | None = "5c0d7e1f9a2b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TEXT_FIELDS = ("title", "target_group", "agreement_ref")

_versions = sa.table(
    "versions",
    sa.column("id", sa.Integer),
    sa.column("document", sa.Text),
    sa.column("title", sa.String),
    sa.column("description", sa.Text),
    sa.column("target_group", sa.String),
    sa.column("agreement_ref", sa.String),
    sa.column("review_due", sa.Date),
)


def _drop_immutable_trigger() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS versions_immutable ON versions")
    else:
        op.execute("DROP TRIGGER IF EXISTS versions_immutable")


def _create_immutable_trigger() -> None:
    # The same trigger as in 448fd2025780 (on PostgreSQL its function stays in place).
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE TRIGGER versions_immutable BEFORE UPDATE ON versions "
            "FOR EACH ROW EXECUTE FUNCTION versions_immutable()"
        )
    else:
        op.execute(
            "CREATE TRIGGER versions_immutable BEFORE UPDATE ON versions "
            "BEGIN SELECT RAISE(ABORT, 'approved versions are immutable'); END"
        )


def upgrade() -> None:
    # Plain ADD COLUMN on both databases (no table copy on SQLite); NOT NULL columns get
    # a server default for the rows that exist, filled in just below.
    for name in _TEXT_FIELDS:
        op.add_column(
            "versions",
            sa.Column(name, sa.String(length=300), nullable=False, server_default=""),
        )
    op.add_column(
        "versions", sa.Column("description", sa.Text(), nullable=False, server_default="")
    )
    op.add_column("versions", sa.Column("review_due", sa.Date(), nullable=True))
    bind = op.get_bind()
    rows = bind.execute(sa.select(_versions.c.id, _versions.c.document)).all()
    if rows:
        _drop_immutable_trigger()
        for version_id, document in rows:
            info = json.loads(document)["pathway"]
            due = info.get("review_due")
            bind.execute(
                _versions.update()
                .where(_versions.c.id == version_id)
                .values(
                    title=info.get("title", ""),
                    description=info.get("description", ""),
                    target_group=info.get("target_group", ""),
                    agreement_ref=info.get("agreement_ref", ""),
                    review_due=date.fromisoformat(due) if due else None,
                )
            )
        _create_immutable_trigger()
    op.create_index("ix_versions_review_due", "versions", ["review_due"])


def downgrade() -> None:
    op.drop_index("ix_versions_review_due", table_name="versions")
    # ALTER TABLE ... DROP COLUMN on both databases (SQLite 3.35+): a batch copy of the
    # table on SQLite would lose its immutability trigger.
    for name in ("review_due", "description", *_TEXT_FIELDS):
        op.execute(f"ALTER TABLE versions DROP COLUMN {name}")
