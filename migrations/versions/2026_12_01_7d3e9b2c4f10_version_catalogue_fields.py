"""What the catalogue shows of each approved version, kept with the version.

The catalogue and the public view show every pathway as its latest approved version
does. Until now the fields lived only inside the version's document (JSON text), so a
filtered catalogue page parsed the document of every pathway changed since approval
(PostgreSQL: a text search took 263 ms a page at 5,000 pathways), and the participants
shown were today's, who are draft state (an outsider could see who joined since).

- ``versions`` gains the fields as the document has them (title, description, target
  group, agreement, review date) and two case-folded search keys, written with the
  version and never changed, like the rest of it;
- ``version_participants``: the organisations that took part when the version was
  approved (name and level as then), in the order they had joined.

Data: each existing version gets its fields from its own document. Its participants are
found by replaying the pathway's history up to the version's ``version.create`` entry:
the creator joins with ``pathway.create`` / ``pathway.import`` (the first entry),
``participant.add`` adds and ``participant.remove`` removes. A version without such an
entry gets the pathway's participants of today. Versions are immutable (a trigger
refuses UPDATE on both databases): the trigger is set aside for the copy and put back
exactly as before.

Revision ID: 7d3e9b2c4f10
Revises: 5c0d7e1f9a2b
Create Date: 2026-12-01 13:00:00.000000
"""

import json
from collections.abc import Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "7d3e9b2c4f10"
down_revision: str | None = "5c0d7e1f9a2b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TEXT_FIELDS = ("title", "target_group", "agreement_ref", "target_group_key")
_LONG_FIELDS = ("description", "search_text")

_versions = sa.table(
    "versions",
    sa.column("id", sa.Integer),
    sa.column("pathway_id", sa.Integer),
    sa.column("number", sa.Integer),
    sa.column("document", sa.Text),
    *(sa.column(name, sa.String) for name in (*_TEXT_FIELDS, *_LONG_FIELDS)),
    sa.column("review_due", sa.Date),
)
_history = sa.table(
    "history",
    sa.column("id", sa.Integer),
    sa.column("pathway_id", sa.Integer),
    sa.column("organization_id", sa.Integer),
    sa.column("action", sa.String),
    sa.column("changes"),  # no type: the driver's value, text on SQLite, a dict on PostgreSQL
)
_participants = sa.table(
    "participants",
    sa.column("pathway_id", sa.Integer),
    sa.column("organization_id", sa.Integer),
    sa.column("joined_at", sa.DateTime),
)
_organizations = sa.table(
    "organizations",
    sa.column("id", sa.Integer),
    sa.column("name", sa.String),
    sa.column("level", sa.String),
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


def _fields(document: str) -> dict[str, Any]:
    """The catalogue's fields of a stored document (as db.repositories.versions writes)."""
    info = json.loads(document)["pathway"]
    texts = {name: info.get(name) or "" for name in ("title", "description", "target_group")}
    texts["agreement_ref"] = info.get("agreement_ref") or ""
    due = info.get("review_due")
    return {
        **texts,
        "review_due": date.fromisoformat(due) if due else None,
        "search_text": "\n".join(
            texts[name] for name in ("title", "description", "target_group", "agreement_ref")
        ).casefold(),
        "target_group_key": texts["target_group"].casefold(),
    }


def _changes(value: Any) -> dict[str, Any]:
    found = json.loads(value) if isinstance(value, str) else value
    return found if isinstance(found, dict) else {}


def _members_at_versions(bind: Any, pathway_id: int) -> dict[int, list[int]]:
    """Version number → the organisations taking part then, in the order they joined."""
    entries = bind.execute(
        sa.select(_history.c.organization_id, _history.c.action, _history.c.changes)
        .where(_history.c.pathway_id == pathway_id)
        .order_by(_history.c.id)
    ).all()
    members: list[int] = []
    found: dict[int, list[int]] = {}
    for index, (organization_id, action, value) in enumerate(entries):
        changes = _changes(value)
        creates = index == 0 or action in ("pathway.create", "pathway.import")
        if creates and organization_id not in members:
            members.append(organization_id)
        if action == "participant.add" and changes.get("organization_id") not in members:
            members.append(changes["organization_id"])
        elif action == "participant.remove" and changes.get("organization_id") in members:
            members.remove(changes["organization_id"])
        elif action == "version.create" and "version" in changes:
            found[int(changes["version"])] = list(members)
    return found


def upgrade() -> None:
    # Plain ADD COLUMN on both databases (no table copy on SQLite); NOT NULL columns get
    # a server default for the rows that exist, filled in just below.
    for name in _TEXT_FIELDS:
        op.add_column(
            "versions",
            sa.Column(name, sa.String(length=300), nullable=False, server_default=""),
        )
    for name in _LONG_FIELDS:
        op.add_column("versions", sa.Column(name, sa.Text(), nullable=False, server_default=""))
    op.add_column("versions", sa.Column("review_due", sa.Date(), nullable=True))
    op.create_index("ix_versions_review_due", "versions", ["review_due"])
    op.create_table(
        "version_participants",
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("level", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_version_participants_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["versions.id"],
            name=op.f("fk_version_participants_version_id_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "version_id", "organization_id", name=op.f("pk_version_participants")
        ),
    )
    op.create_index(
        "ix_version_participants_organization_id", "version_participants", ["organization_id"]
    )
    bind = op.get_bind()
    versions = bind.execute(
        sa.select(_versions.c.id, _versions.c.pathway_id, _versions.c.number, _versions.c.document)
    ).all()
    if not versions:
        return
    organizations = {
        row.id: (row.name, row.level) for row in bind.execute(sa.select(_organizations)).all()
    }
    _drop_immutable_trigger()
    replayed: dict[int, dict[int, list[int]]] = {}
    participant_rows = []
    for version_id, pathway_id, number, document in versions:
        bind.execute(
            _versions.update().where(_versions.c.id == version_id).values(**_fields(document))
        )
        if pathway_id not in replayed:
            replayed[pathway_id] = _members_at_versions(bind, pathway_id)
        members = replayed[pathway_id].get(number)
        if members is None:
            members = list(
                bind.execute(
                    sa.select(_participants.c.organization_id)
                    .where(_participants.c.pathway_id == pathway_id)
                    .order_by(_participants.c.joined_at, _participants.c.organization_id)
                ).scalars()
            )
        for position, organization_id in enumerate(members):
            if organization_id in organizations:
                name, level = organizations[organization_id]
                participant_rows.append(
                    {
                        "version_id": version_id,
                        "organization_id": organization_id,
                        "position": position,
                        "name": name,
                        "level": level,
                    }
                )
    _create_immutable_trigger()
    if participant_rows:
        op.bulk_insert(
            sa.table(
                "version_participants",
                sa.column("version_id", sa.Integer),
                sa.column("organization_id", sa.Integer),
                sa.column("position", sa.Integer),
                sa.column("name", sa.String),
                sa.column("level", sa.String),
            ),
            participant_rows,
        )


def downgrade() -> None:
    op.drop_index("ix_version_participants_organization_id", table_name="version_participants")
    op.drop_table("version_participants")
    op.drop_index("ix_versions_review_due", table_name="versions")
    # ALTER TABLE ... DROP COLUMN on both databases (SQLite 3.35+): a batch copy of the
    # table on SQLite would lose its immutability trigger.
    for name in ("review_due", *_LONG_FIELDS, *_TEXT_FIELDS):
        op.execute(f"ALTER TABLE versions DROP COLUMN {name}")
