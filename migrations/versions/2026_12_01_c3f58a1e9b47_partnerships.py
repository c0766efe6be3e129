"""Partnerships, organisation kinds, participant roles, decisions.

- ``partnerships`` (a helsefellesskap: name, the agreement's rule sets and deadlines, the
  approval policy and the body that decides) and ``partnership_members``;
- ``pathways.partnership_id``: the partnership a pathway belongs to, if any;
- ``organizations.kind``: ``care_provider`` (with a level), ``secretariat`` or
  ``user_representatives`` (without one): ``level`` becomes nullable, and a CHECK ties
  it to the kind;
- ``participants.role``: ``editor``, ``commenter`` or ``secretariat``;
- ``history.level`` becomes nullable: a secretariat's changes are recorded without one;
- ``decisions``: a body's decision on a revision, recorded by a secretariat;
- ``versions`` gain the policy they were approved under, the partnership and the
  decision.

Data: every organisation is a care provider (it has a level); every participant an
editor, with the rights it had; every pathway belongs to no partnership, and every
version was approved under ``one_per_level``, which was the only rule. Nothing is
rewritten: new columns get these values as defaults.

On SQLite the NOT NULL of ``organizations.level`` and ``history.level`` and the new CHECK
constraints are changed in the tables' definitions (``migrations.sqlite_schema``): a
batch copy fails on the foreign keys pointing at ``organizations``, and would drop the
trigger that keeps ``history`` append-only.

Revision ID: c3f58a1e9b47
Revises: 7d3e9b2c4f10
Create Date: 2026-12-01 22:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import db.types
from migrations.sqlite_schema import edit_table_definition

revision: str = "c3f58a1e9b47"
down_revision: str | None = "7d3e9b2c4f10"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_KIND = "kind IN ('care_provider', 'secretariat', 'user_representatives')"
_LEVEL_OF_CARE_PROVIDER = "(kind = 'care_provider') = (level IS NOT NULL)"
_ROLE = "role IN ('editor', 'commenter', 'secretariat')"
_POLICY = "approval_policy IN ('one_per_level', 'every_participant', 'decision')"
_SQLITE_LEVEL = ("level VARCHAR(20) NOT NULL", "level VARCHAR(20)")
_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def _create_tables() -> None:
    op.create_table(
        "partnerships",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("rules", _JSON, nullable=False),
        sa.Column("approval_policy", sa.String(length=20), nullable=False),
        sa.Column("decision_body", sa.String(length=300), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("created_at", db.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", db.types.UTCDateTime(), nullable=False),
        sa.CheckConstraint(_POLICY, name=op.f("ck_partnerships_approval_policy")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partnerships")),
        sa.UniqueConstraint("name", name=op.f("uq_partnerships_name")),
    )
    op.create_table(
        "partnership_members",
        sa.Column("partnership_id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("joined_at", db.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_partnership_members_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["partnership_id"],
            ["partnerships.id"],
            name=op.f("fk_partnership_members_partnership_id_partnerships"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "partnership_id", "organization_id", name=op.f("pk_partnership_members")
        ),
    )
    op.create_index(
        "ix_partnership_members_organization_id", "partnership_members", ["organization_id"]
    )
    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pathway_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("body", sa.String(length=300), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("reference", sa.String(length=300), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("organization_name", sa.String(length=300), nullable=False),
        sa.Column("token_id", sa.Integer(), nullable=True),
        sa.Column("token_name", sa.String(length=300), nullable=False),
        sa.Column("recorded_at", db.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_decisions_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["pathway_id"],
            ["pathways.id"],
            name=op.f("fk_decisions_pathway_id_pathways"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["token_id"], ["tokens.id"], name=op.f("fk_decisions_token_id_tokens")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decisions")),
        sa.UniqueConstraint(
            "pathway_id", "revision", name=op.f("uq_decisions_pathway_id_revision")
        ),
    )


def _add_reference(table: str, column: str) -> None:
    """A nullable column referring to a partnership, with its index."""
    name = f"fk_{table}_{column}_partnerships"
    if _sqlite():
        # SQLite adds a foreign key only with the column, inline.
        op.execute(
            f"ALTER TABLE {table} ADD COLUMN {column} INTEGER "
            f"CONSTRAINT {name} REFERENCES partnerships (id)"
        )
    else:
        op.add_column(table, sa.Column(column, sa.Integer(), nullable=True))
        op.create_foreign_key(name, table, "partnerships", [column], ["id"])
    op.create_index(f"ix_{table}_{column}", table, [column])


def upgrade() -> None:
    _create_tables()
    _add_reference("pathways", "partnership_id")
    _add_reference("versions", "partnership_id")
    op.add_column(
        "versions",
        sa.Column(
            "approval_policy", sa.String(length=20), nullable=False, server_default="one_per_level"
        ),
    )
    op.add_column("versions", sa.Column("decision", _JSON, nullable=True))
    op.add_column(
        "participants",
        sa.Column("role", sa.String(length=20), nullable=False, server_default="editor"),
    )
    op.add_column(
        "organizations",
        sa.Column("kind", sa.String(length=30), nullable=False, server_default="care_provider"),
    )
    if _sqlite():
        bind = op.get_bind()
        edit_table_definition(
            bind,
            "organizations",
            [_SQLITE_LEVEL],
            add_constraints=[
                f"CONSTRAINT ck_organizations_kind CHECK ({_KIND})",
                "CONSTRAINT ck_organizations_level_of_care_provider "
                f"CHECK ({_LEVEL_OF_CARE_PROVIDER})",
            ],
        )
        edit_table_definition(
            bind,
            "participants",
            add_constraints=[f"CONSTRAINT ck_participants_role CHECK ({_ROLE})"],
        )
        edit_table_definition(bind, "history", [_SQLITE_LEVEL])
    else:
        op.alter_column("organizations", "level", existing_type=sa.String(20), nullable=True)
        op.create_check_constraint(op.f("ck_organizations_kind"), "organizations", sa.text(_KIND))
        op.create_check_constraint(
            op.f("ck_organizations_level_of_care_provider"),
            "organizations",
            sa.text(_LEVEL_OF_CARE_PROVIDER),
        )
        op.create_check_constraint(op.f("ck_participants_role"), "participants", sa.text(_ROLE))
        op.alter_column("history", "level", existing_type=sa.String(20), nullable=True)


def downgrade() -> None:
    """Back to two kinds of participant, both care levels' editors. Refused while the
    data has what the old schema cannot hold: an organisation without a care level,
    or history written by one (history is append-only). Commenters become editors,
    partnerships and decisions are dropped."""
    bind = op.get_bind()
    without_level = bind.exec_driver_sql(
        "SELECT (SELECT count(*) FROM organizations WHERE level IS NULL)"
        " + (SELECT count(*) FROM history WHERE level IS NULL)"
    ).scalar_one()
    if without_level:
        raise RuntimeError(
            "cannot downgrade: organisations without a care level (secretariats, user "
            "representatives) exist or wrote history, which the older schema cannot hold"
        )
    if _sqlite():
        edit_table_definition(bind, "history", [(_SQLITE_LEVEL[1] + ",", _SQLITE_LEVEL[0] + ",")])
        edit_table_definition(
            bind,
            "participants",
            drop_constraints=[f"CONSTRAINT ck_participants_role CHECK ({_ROLE})"],
        )
        edit_table_definition(
            bind,
            "organizations",
            [(_SQLITE_LEVEL[1] + ",", _SQLITE_LEVEL[0] + ",")],
            drop_constraints=[
                f"CONSTRAINT ck_organizations_kind CHECK ({_KIND})",
                "CONSTRAINT ck_organizations_level_of_care_provider "
                f"CHECK ({_LEVEL_OF_CARE_PROVIDER})",
            ],
        )
    else:
        op.alter_column("history", "level", existing_type=sa.String(20), nullable=False)
        op.drop_constraint(op.f("ck_participants_role"), "participants", type_="check")
        op.drop_constraint(
            op.f("ck_organizations_level_of_care_provider"), "organizations", type_="check"
        )
        op.drop_constraint(op.f("ck_organizations_kind"), "organizations", type_="check")
        op.alter_column("organizations", "level", existing_type=sa.String(20), nullable=False)
    # ALTER TABLE ... DROP COLUMN on both databases (SQLite 3.35+): a batch copy would
    # fail on the foreign keys pointing at organizations and lose the versions trigger.
    for table in ("versions", "pathways"):
        op.drop_index(f"ix_{table}_partnership_id", table_name=table)
        reference = f"fk_{table}_partnership_id_partnerships"
        if _sqlite():
            edit_table_definition(
                bind, table, [(f" CONSTRAINT {reference} REFERENCES partnerships (id)", "")]
            )
        else:
            op.drop_constraint(reference, table, type_="foreignkey")
    for table, column in (
        ("organizations", "kind"),
        ("participants", "role"),
        ("versions", "decision"),
        ("versions", "approval_policy"),
        ("versions", "partnership_id"),
        ("pathways", "partnership_id"),
    ):
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    op.drop_table("decisions")
    op.drop_index("ix_partnership_members_organization_id", table_name="partnership_members")
    op.drop_table("partnership_members")
    op.drop_table("partnerships")
