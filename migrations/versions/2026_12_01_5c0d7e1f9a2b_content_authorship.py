"""Authorship by content: the last writer of each element of a draft.

Columns (all nullable, added with ``ALTER TABLE ... ADD COLUMN`` on both databases, so
SQLite copies no table and no foreign key that points at ``steps`` or ``transitions``
is in the way):

- ``steps.written_by``: the organisation that last wrote the step (one element);
- ``transitions.writers``: ``{element: organisation}`` for the transition's elements
  (``transition``, ``handover.sender_role``, ``handover.receiver_role``,
  ``handover.messages``, ``handover.deadline``, ``checklist.<key>``);
- ``pathways.writers``: the same for the description fields (``title``,
  ``description``, ``target_group``, ``agreement_ref``, ``review_due``, ``rules``).

Only elements that hold a value are in the maps (``pathways.participation`` states the
elements; this migration keeps its own copy of those rules, as migrations must).
Organisation ids are plain integers: organisations are never deleted, and JSON values
cannot have foreign keys anyway.

Data: the history of each pathway is replayed, oldest first, and each existing element
gets the organisation of the **latest history entry that touched it**:

- ``pathway.create`` / ``pathway.import`` touch every description field, and
  ``pathway.update`` the fields it names;
- ``step.add`` and ``step.update`` touch the step, ``graph.replace`` the steps it
  added or changed;
- ``transition.add`` (and a transition added by ``graph.replace``) touches all of the
  transition's elements; ``transition.update`` (and a transition changed by
  ``graph.replace``) touches ``transition`` when from, to or label changed and, when
  the handover changed, each handover field and checklist item whose value differs.

An element no entry touched (the steps and transitions of an import, whose entry does
not list them) gets the organisation that created the pathway: that of its first
history entry. A pathway without history gets no writers. Downgrade drops the columns.

Revision ID: 5c0d7e1f9a2b
Revises: a1449a93990b
Create Date: 2026-12-01 12:00:00.000000
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "5c0d7e1f9a2b"
down_revision: str | None = "a1449a93990b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
_DEFAULT_RULES = {"rule_sets": ["core"], "deadlines": {}}
_INFO = ("title", "description", "target_group", "agreement_ref", "review_due")

_pathways = sa.table(
    "pathways",
    sa.column("id", sa.Integer),
    *(sa.column(name, sa.String) for name in _INFO),
    sa.column("rules", _JSON),
    sa.column("writers", _JSON),
)
_steps = sa.table(
    "steps",
    sa.column("id", sa.Integer),
    sa.column("pathway_id", sa.Integer),
    sa.column("key", sa.String),
    sa.column("written_by", sa.Integer),
)
_transitions = sa.table(
    "transitions",
    sa.column("id", sa.Integer),
    sa.column("pathway_id", sa.Integer),
    sa.column("key", sa.String),
    sa.column("from_key", sa.String),
    sa.column("to_key", sa.String),
    sa.column("label", sa.String),
    sa.column("handover", _JSON),
    sa.column("writers", _JSON),
)
_history = sa.table(
    "history",
    sa.column("id", sa.Integer),
    sa.column("pathway_id", sa.Integer),
    sa.column("organization_id", sa.Integer),
    sa.column("action", sa.String),
    sa.column("changes", _JSON),
)


def _handover_elements(handover: Any) -> dict[str, object]:
    if not isinstance(handover, dict):
        return {}
    fields = {
        "handover.sender_role": handover.get("sender_role") or "",
        "handover.receiver_role": handover.get("receiver_role") or "",
        "handover.messages": tuple(handover.get("messages") or ()),
        "handover.deadline": handover.get("deadline"),
    }
    elements = {name: value for name, value in fields.items() if value not in ("", (), None)}
    for item in handover.get("checklist") or ():
        if isinstance(item, dict) and "key" in item:
            elements[f"checklist.{item['key']}"] = (
                item.get("text"),
                item.get("side"),
                item.get("required"),
                item.get("due"),
            )
    return elements


def _description_elements(row: Any) -> list[str]:
    names = [name for name in _INFO if getattr(row, name) not in ("", None)]
    if row.rules not in (None, {}, _DEFAULT_RULES):
        names.append("rules")
    return names


class _Replay:
    """The latest history entry that touched each element: ``{element: (seq, org)}``."""

    def __init__(self) -> None:
        self.touched: dict[str, tuple[int, int]] = {}
        self.seq = 0
        self.org = 0

    def touch(self, element: str) -> None:
        self.touched[element] = (self.seq, self.org)

    def transition_changed(self, key: Any, fields: Any) -> None:
        if not isinstance(fields, dict):
            return
        if {"from", "to", "label"} & fields.keys():
            self.touch(f"transition:{key}:transition")
        handover = fields.get("handover")
        if isinstance(handover, dict):
            before = _handover_elements(handover.get("from"))
            after = _handover_elements(handover.get("to"))
            for element, value in after.items():
                if before.get(element) != value:
                    self.touch(f"transition:{key}:{element}")

    def entry(self, seq: int, org: int, action: str, changes: Any) -> None:
        self.seq, self.org = seq, org
        changes = changes if isinstance(changes, dict) else {}
        if action in ("pathway.create", "pathway.import"):
            for name in (*_INFO, "rules"):
                self.touch(f"pathway:{name}")
        elif action == "pathway.update":
            for name in changes:
                self.touch(f"pathway:{name}")
        elif action == "step.add" and isinstance(changes.get("step"), dict):
            self.touch(f"step:{changes['step'].get('key')}")
        elif action == "step.update":
            self.touch(f"step:{changes.get('key')}")
        elif action == "transition.add" and isinstance(changes.get("transition"), dict):
            self.touch(f"transition:{changes['transition'].get('key')}")
        elif action == "transition.update":
            self.transition_changed(changes.get("key"), changes.get("fields"))
        elif action == "graph.replace":
            steps = changes.get("steps") or {}
            transitions = changes.get("transitions") or {}
            for key in [*(steps.get("added") or ()), *(steps.get("changed") or {})]:
                self.touch(f"step:{key}")
            for key in transitions.get("added") or ():
                self.touch(f"transition:{key}")
            for key, fields in (transitions.get("changed") or {}).items():
                self.transition_changed(key, fields)

    def writer(self, *elements: str, default: int) -> int:
        """The organisation of the latest entry that touched any of ``elements``."""
        found = [self.touched[e] for e in elements if e in self.touched]
        return max(found)[1] if found else default


def _move_data() -> None:
    bind = op.get_bind()
    for row in bind.execute(sa.select(_pathways)).all():
        entries = bind.execute(
            sa.select(
                _history.c.id, _history.c.organization_id, _history.c.action, _history.c.changes
            )
            .where(_history.c.pathway_id == row.id)
            .order_by(_history.c.id)
        ).all()
        if not entries:
            continue
        creator = entries[0].organization_id
        replay = _Replay()
        for entry in entries:
            replay.entry(entry.id, entry.organization_id, entry.action, entry.changes)
        bind.execute(
            _pathways.update()
            .where(_pathways.c.id == row.id)
            .values(
                writers={
                    name: replay.writer(f"pathway:{name}", default=creator)
                    for name in _description_elements(row)
                }
            )
        )
        steps = bind.execute(
            sa.select(_steps.c.id, _steps.c.key).where(_steps.c.pathway_id == row.id)
        ).all()
        if steps:
            bind.execute(
                _steps.update().where(_steps.c.id == sa.bindparam("step_id")),
                [
                    {
                        "step_id": step.id,
                        "written_by": replay.writer(f"step:{step.key}", default=creator),
                    }
                    for step in steps
                ],
            )
        transitions = bind.execute(
            sa.select(_transitions).where(_transitions.c.pathway_id == row.id)
        ).all()
        for transition in transitions:
            key = transition.key
            elements = ["transition", *_handover_elements(transition.handover)]
            writers = {
                element: replay.writer(
                    f"transition:{key}", f"transition:{key}:{element}", default=creator
                )
                for element in elements
            }
            bind.execute(
                _transitions.update()
                .where(_transitions.c.id == transition.id)
                .values(writers=writers)
            )


def upgrade() -> None:
    op.add_column("pathways", sa.Column("writers", _JSON, nullable=True))
    op.add_column("steps", sa.Column("written_by", sa.Integer(), nullable=True))
    op.add_column("transitions", sa.Column("writers", _JSON, nullable=True))
    _move_data()


def downgrade() -> None:
    op.drop_column("transitions", "writers")
    op.drop_column("steps", "written_by")
    op.drop_column("pathways", "writers")
