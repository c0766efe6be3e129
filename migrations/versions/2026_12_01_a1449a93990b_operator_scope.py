"""Token scope ``operator``; the demo's operator token becomes one.

Until now ``admin`` was global: any ``admin`` token managed every organisation and its
tokens. From here ``admin`` manages its own organisation's tokens only, and the new
``operator`` scope (issued from the console only) manages organisations and all tokens.

Data: existing ``admin`` tokens stay ``admin`` (least privilege: they keep managing the
tokens of their own organisation and lose the rest; an operator issues an ``operator``
token with ``pathways token create --scope operator`` where one is needed). The tokens
``pathways demo`` issued as its operator (named ``demo operator``) become ``operator``,
so that the demo walkthrough keeps working. Downgrade turns ``operator`` tokens back into
``admin`` ones, which had the operator's powers before this revision.

The CHECK constraint on ``tokens.scope`` is widened in place. On PostgreSQL it is dropped
and added again. On SQLite a batch migration would copy the table and drop the old one,
which fails ("FOREIGN KEY constraint failed") as soon as history or approval rows refer
to a token, and enforcement cannot be switched off inside the migration's transaction.
So the table's definition is edited in ``sqlite_master`` (``migrations.sqlite_schema``,
the procedure SQLite documents for loosening CHECK constraints): no row is rewritten,
every existing row satisfies the new constraint, and ``PRAGMA integrity_check`` confirms
it afterwards.

Revision ID: a1449a93990b
Revises: 448fd2025780
Create Date: 2026-12-01 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from migrations.sqlite_schema import edit_table_definition

revision: str = "a1449a93990b"
down_revision: str | None = "448fd2025780"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OLD = "scope IN ('read', 'edit', 'admin')"
_NEW = "scope IN ('read', 'edit', 'admin', 'operator')"
_DEMO_OPERATOR = "demo operator"


def _set_scope_check(old: str, new: str) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        op.drop_constraint(op.f("ck_tokens_scope"), "tokens", type_="check")
        op.create_check_constraint(op.f("ck_tokens_scope"), "tokens", sa.text(new))
        return
    edit_table_definition(bind, "tokens", [(old, new)])


def upgrade() -> None:
    _set_scope_check(_OLD, _NEW)
    op.execute(
        sa.text(
            "UPDATE tokens SET scope = 'operator' WHERE scope = 'admin' AND name = :name"
        ).bindparams(name=_DEMO_OPERATOR)
    )


def downgrade() -> None:
    op.execute("UPDATE tokens SET scope = 'admin' WHERE scope = 'operator'")
    _set_scope_check(_NEW, _OLD)
