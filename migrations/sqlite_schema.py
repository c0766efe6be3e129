"""Changing a SQLite table's constraints in place, without copying the table.

SQLite's ALTER TABLE cannot change a column's NOT NULL or a CHECK constraint. A batch
migration copies the table and drops the old one instead, which fails as soon as other
tables' foreign keys refer to it (enforcement cannot be switched off inside the
migration's transaction) and drops its triggers. So the table's definition is edited in
``sqlite_master``, the procedure SQLite documents for loosening or removing constraints
(https://www.sqlite.org/lang_altertable.html, "Making Other Kinds Of Table Schema
Changes"): no row is rewritten. Adding a constraint this way is sound only when every
existing row satisfies it, which :func:`edit_table_definition` checks with
``PRAGMA integrity_check`` afterwards (it verifies CHECK and NOT NULL constraints).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy import Connection

__all__ = ["edit_table_definition"]


def edit_table_definition(
    bind: Connection,
    table: str,
    replacements: Sequence[tuple[str, str]] = (),
    *,
    add_constraints: Sequence[str] = (),
    drop_constraints: Sequence[str] = (),
) -> None:
    """Replace each ``(old, new)`` text (which must occur once) in ``table``'s CREATE
    TABLE statement, append ``add_constraints`` (table constraints, e.g. ``CONSTRAINT
    ck_x CHECK (...)``) and remove ``drop_constraints`` (as they were appended)."""
    query = "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = :name"
    definition: str = bind.execute(sa.text(query), {"name": table}).scalar_one()
    edited = definition
    for old, new in replacements:
        if edited.count(old) != 1:
            raise RuntimeError(f"{table}: expected {old!r} once in {definition!r}")
        edited = edited.replace(old, new)
    for constraint in drop_constraints:
        clause = f", \n\t{constraint}"
        if edited.count(clause) != 1:
            raise RuntimeError(f"{table}: expected {constraint!r} once in {definition!r}")
        edited = edited.replace(clause, "")
    if add_constraints:
        body, closing = edited.rstrip().rsplit(")", 1)
        edited = body.rstrip() + "".join(f", \n\t{c}" for c in add_constraints) + "\n)" + closing
    version: int = bind.exec_driver_sql("PRAGMA schema_version").scalar_one()
    bind.exec_driver_sql("PRAGMA writable_schema = ON")
    try:
        bind.execute(
            sa.text("UPDATE sqlite_master SET sql = :sql WHERE type = 'table' AND name = :name"),
            {"sql": edited, "name": table},
        )
        bind.exec_driver_sql(f"PRAGMA schema_version = {int(version) + 1}")
    finally:
        bind.exec_driver_sql("PRAGMA writable_schema = OFF")
    problems = bind.exec_driver_sql(f"PRAGMA integrity_check({table})").scalars().all()
    if problems != ["ok"]:
        raise RuntimeError(f"{table} after editing its definition: {problems}")
