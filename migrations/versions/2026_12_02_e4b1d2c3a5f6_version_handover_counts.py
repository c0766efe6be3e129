"""Versions know how many handovers they have; the transitions' foreign keys get indexes.

The handover feed (``GET /handovers``) pages through the handovers of every approved
version an organisation takes part in. Until now it parsed every version's document to
count them, so a page cost as much as the whole feed. ``versions.handovers`` holds the
count, written with the version (immutable, like it), so the feed reads only the
documents of the versions on the page.

Data: each existing version gets the count from its own document: its transitions with
a handover whose two steps are on different levels (as ``pathways.checklists``
counts them).

``transitions(pathway_id, from_key)`` and ``(pathway_id, to_key)`` get an index each:
deleting a step checks the foreign keys that point at it, and without an index
PostgreSQL scans every transition of the pathway for each step (a whole-graph PUT of
1,000 steps spent most of its time there).

Revision ID: e4b1d2c3a5f6
Revises: c3f58a1e9b47
Create Date: 2026-12-02 05:00:00.000000
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e4b1d2c3a5f6"
down_revision: str | None = "c3f58a1e9b47"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_versions = sa.table(
    "versions",
    sa.column("id", sa.Integer),
    sa.column("document", sa.Text),
    sa.column("handovers", sa.Integer),
)


def handover_count(document: str) -> int:
    """Transitions of a stored native document with a handover between the levels."""
    found = json.loads(document)
    levels = {step["key"]: step["level"] for step in found.get("steps", [])}
    return sum(
        1
        for transition in found.get("transitions", [])
        if transition.get("handover") is not None
        and levels.get(transition["from"]) != levels.get(transition["to"])
    )


def _immutable_trigger(create: bool) -> None:
    # The trigger of 448fd2025780 (on PostgreSQL its function stays in place).
    postgresql = op.get_bind().dialect.name == "postgresql"
    if not create:
        op.execute(
            "DROP TRIGGER IF EXISTS versions_immutable" + (" ON versions" if postgresql else "")
        )
    elif postgresql:
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
    op.create_index("ix_transitions_pathway_id_from_key", "transitions", ["pathway_id", "from_key"])
    op.create_index("ix_transitions_pathway_id_to_key", "transitions", ["pathway_id", "to_key"])
    op.add_column(
        "versions", sa.Column("handovers", sa.Integer(), nullable=False, server_default="0")
    )
    bind = op.get_bind()
    versions = bind.execute(sa.select(_versions.c.id, _versions.c.document)).all()
    if not versions:
        return
    _immutable_trigger(create=False)
    for version_id, document in versions:
        bind.execute(
            _versions.update()
            .where(_versions.c.id == version_id)
            .values(handovers=handover_count(document))
        )
    _immutable_trigger(create=True)


def downgrade() -> None:
    # ALTER TABLE ... DROP COLUMN on both databases (SQLite 3.35+): a batch copy of the
    # table on SQLite would lose its immutability trigger.
    op.execute("ALTER TABLE versions DROP COLUMN handovers")
    op.drop_index("ix_transitions_pathway_id_to_key", table_name="transitions")
    op.drop_index("ix_transitions_pathway_id_from_key", table_name="transitions")
