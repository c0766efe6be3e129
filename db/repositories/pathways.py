"""Queries on pathways, their participants and their graph.

Maps rows to :mod:`pathways.model` and back. Writers lock the pathway row first
(:meth:`PathwayRepository.get` with ``for_update=True``) so that two changes to one
pathway are serialised by the database and the second one sees the first one's revision.

Every method that writes content takes ``writer``, the organisation making the change,
and keeps the last writer of each element (``pathways.participation``) here, in one
place: on the step row (``written_by``), on the transition row and on the pathway row
(``writers``, a map from element to organisation). An element whose value is unchanged
keeps its writer, whatever else changed with it; a new or changed one becomes the
writer's. :meth:`PathwayRepository.content_writers` counts them.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from datetime import datetime
from typing import Any, NamedTuple, Protocol

from sqlalchemy import (
    Integer,
    and_,
    bindparam,
    cast,
    delete,
    event,
    exists,
    func,
    insert,
    or_,
    select,
    true,
    union_all,
    update,
)
from sqlalchemy.orm import ORMExecuteState, Session
from sqlalchemy.orm.attributes import set_committed_value

from db import models as orm
from db.repositories.history import event_on
from db.types import unicode_lower, utcnow
from pathways.agreement import rules_in_force
from pathways.document import (
    handover_from_dict,
    rules_dict,
    rules_from_dict,
    step_dict,
    transition_dict,
)
from pathways.model import (
    Level,
    Pathway,
    PathwayInfo,
    RuleSettings,
    Step,
    StepKind,
    Transition,
)
from pathways.participation import (
    description_elements,
    rewrite_writers,
    step_elements,
    transition_elements,
)
from pathways.roles import OrganizationKind

__all__ = ["DRAFTS", "DraftStore", "PathwayRepository", "Stamp", "info_of", "rules_of"]

DRAFTS = "drafts"
"""The ``Session.info`` key of a :class:`DraftStore`: where :meth:`PathwayRepository.load`
keeps the drafts it read, by revision. A session without one reads every time."""

_CHANGED = "pathways_changed"
_PENDING = "pathways_pending_drafts"


class DraftStore(Protocol):
    """Drafts by ``(pathway id, created at, revision)``: what a revision holds never
    changes, so an entry never goes stale (the creation time tells a pathway from a later
    one that got the same id)."""

    def get(self, key: Hashable) -> Pathway | None: ...

    def put(self, key: Hashable, value: Pathway) -> None: ...


@event.listens_for(Session, "after_flush")
def _flushed(session: Session, _context: object) -> None:
    session.info[_CHANGED] = True


@event.listens_for(Session, "do_orm_execute")
def _executed(state: ORMExecuteState) -> None:
    if not state.is_select:
        state.session.info[_CHANGED] = True


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    if pending:
        store: DraftStore = session.info[DRAFTS]
        for key, pathway in pending:
            store.put(key, pathway)
    session.info.pop(_CHANGED, None)


@event.listens_for(Session, "after_rollback")
def _rolled_back(session: Session) -> None:
    session.info.pop(_PENDING, None)
    session.info.pop(_CHANGED, None)


def _draft_key(row: orm.Pathway) -> tuple[int, object, int]:
    return (row.id, row.created_at, row.revision)


def info_of(row: orm.Pathway) -> PathwayInfo:
    return PathwayInfo(
        title=row.title,
        description=row.description,
        target_group=row.target_group,
        agreement_ref=row.agreement_ref,
        review_due=row.review_due,
    )


def rules_of(row: orm.Pathway) -> RuleSettings:
    return rules_from_dict(row.rules or {})


def _step_of(row: orm.Step) -> Step:
    return Step(
        key=row.key,
        name=row.name,
        level=Level(row.level),
        kind=StepKind(row.kind),
        responsible=row.responsible,
        expected_duration=row.expected_duration,
        description=row.description,
    )


def _transition_of(row: orm.Transition) -> Transition:
    handover = handover_from_dict(row.handover) if row.handover else None
    return Transition(
        key=row.key, source=row.from_key, target=row.to_key, label=row.label, handover=handover
    )


_step_values = step_dict
"""A step's column values: the steps table has the native document's step fields."""


def _transition_values(transition: Transition) -> dict[str, Any]:
    values = transition_dict(transition)
    values["from_key"], values["to_key"] = values.pop("from"), values.pop("to")
    return values


def _unchanged(old: Step | None, step: Step) -> bool:
    """Whether ``step`` is ``old``'s value (as authorship counts it): equal objects
    first, the cheap and usual case."""
    return old is not None and (old == step or step_elements(old) == step_elements(step))


class Stamp(NamedTuple):
    """What a read needs of a pathway before its answer: which state it is in and the
    caller's part in it (read without the row's content)."""

    id: int
    created_at: datetime
    revision: int
    partnership_id: int | None
    role: str | None
    """The organisation's role as a participant, or None."""
    last_event: int | None
    """The history entry of the latest approval, decision or version recorded on the
    current revision after it was made, or None: what, beside the revision, changes
    what ``GET /pathways/{id}`` shows."""

    @property
    def draft_key(self) -> tuple[int, datetime, int]:
        return (self.id, self.created_at, self.revision)


def _last_history(column: Any) -> Any:
    return (
        select(column)
        .where(orm.HistoryEntry.pathway_id == orm.Pathway.id)
        .order_by(orm.HistoryEntry.id.desc())
        .limit(1)
        .correlate(orm.Pathway)
        .scalar_subquery()
    )


def _with_role(*columns: Any) -> Any:
    """``columns`` of the pathway ``:pathway`` and the role of organisation ``:org``."""
    return (
        select(*columns, orm.Participant.role)
        .outerjoin(
            orm.Participant,
            and_(
                orm.Participant.pathway_id == orm.Pathway.id,
                orm.Participant.organization_id == bindparam("org"),
            ),
        )
        .where(orm.Pathway.id == bindparam("pathway"))
    )


_TABLES = orm.Base.metadata.tables
_UPDATE_STEP = update(_TABLES[orm.Step.__tablename__]).where(
    _TABLES[orm.Step.__tablename__].c.pathway_id == bindparam("b_pathway"),
    _TABLES[orm.Step.__tablename__].c.key == bindparam("b_key"),
)
_UPDATE_TRANSITION = update(_TABLES[orm.Transition.__tablename__]).where(
    _TABLES[orm.Transition.__tablename__].c.pathway_id == bindparam("b_pathway"),
    _TABLES[orm.Transition.__tablename__].c.key == bindparam("b_key"),
)
"""Both set the columns their parameters name."""
_BUMP = (
    update(_TABLES[orm.Pathway.__tablename__])
    .where(_TABLES[orm.Pathway.__tablename__].c.id == bindparam("b_id"))
    .values(revision=bindparam("b_revision"), updated_at=bindparam("b_at"))
)
_STAMP = _with_role(
    orm.Pathway.id,
    orm.Pathway.created_at,
    orm.Pathway.revision,
    orm.Pathway.partnership_id,
).add_columns(_last_history(orm.HistoryEntry.id), _last_history(orm.HistoryEntry.revision_before))
"""Built once: a read runs it on the session's connection, without the ORM's work."""
_ROW_WITH_ROLE = _with_role(orm.Pathway)
_ROW_WITH_ROLE_LOCKED = _ROW_WITH_ROLE.with_for_update(of=orm.Pathway).execution_options(
    populate_existing=True
)


class PathwayRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # -- the pathway row ---------------------------------------------------------------

    def add(self, info: PathwayInfo, rules: RuleSettings, *, writer: int) -> orm.Pathway:
        """A new pathway at revision 0: its first recorded change makes it revision 1."""
        row = orm.Pathway(revision=0, writers={})
        self._set_description(row, info, rules, writer=writer, before={})
        self.session.add(row)
        self.session.flush()
        return row

    def bump_revision(self, row: orm.Pathway) -> None:
        """The next revision of ``row``, changed now: one UPDATE, and the row object
        says so without another flush."""
        revision, now = row.revision + 1, utcnow()
        self.session.execute(_BUMP, {"b_id": row.id, "b_revision": revision, "b_at": now})
        set_committed_value(row, "revision", revision)
        set_committed_value(row, "updated_at", now)

    @property
    def locked_from_start(self) -> bool:
        """Whether a writer's transaction holds the lock from its first statement: on
        SQLite it starts with ``BEGIN IMMEDIATE`` (``db.session``)."""
        return self.session.get_bind().dialect.name == "sqlite"

    def get(self, pathway_id: int, *, for_update: bool = False) -> orm.Pathway | None:
        query = select(orm.Pathway).where(orm.Pathway.id == pathway_id)
        if for_update:
            # Locked reads must see the row as it is now, not as an earlier read in this
            # session left it in the identity map.
            query = query.with_for_update().execution_options(populate_existing=True)
        return self.session.scalar(query)

    def stamp(self, pathway_id: int, organization_id: int) -> Stamp | None:
        """The pathway's :class:`Stamp` for the organisation: one indexed query."""
        found = (
            self.session.connection()
            .execute(_STAMP, {"pathway": pathway_id, "org": organization_id})
            .one_or_none()
        )
        if found is None:
            return None
        id_, created_at, revision, partnership_id, role, last_id, last_before = found
        event = event_on(revision, last_id, last_before)
        return Stamp(id_, created_at, revision, partnership_id, role, event)

    def get_with_role(
        self, pathway_id: int, organization_id: int, *, for_update: bool = False
    ) -> tuple[orm.Pathway, str | None] | None:
        """The row and the organisation's role as a participant (None: it takes no part),
        in one query; ``for_update`` locks the row, as :meth:`get` does."""
        query = _ROW_WITH_ROLE_LOCKED if for_update else _ROW_WITH_ROLE
        found = self.session.execute(
            query, {"pathway": pathway_id, "org": organization_id}
        ).one_or_none()
        return None if found is None else (found[0], found[1])

    def cached(self, stamp: Stamp) -> Pathway | None:
        """The draft at ``stamp``'s revision if it is in the session's draft store."""
        store = self._store()
        return None if store is None else store.get(stamp.draft_key)

    def _store(self) -> DraftStore | None:
        """The session's draft store, unless the session has changed anything (what it
        reads then is not what is committed)."""
        if self.session.info.get(_CHANGED):
            return None
        store: DraftStore | None = self.session.info.get(DRAFTS)
        return store

    def set_info(self, row: orm.Pathway, info: PathwayInfo, *, writer: int) -> None:
        """Set the description fields; ``writer`` wrote those whose value changed."""
        self._set_description(row, info, rules_of(row), writer=writer)

    def set_rules(self, row: orm.Pathway, rules: RuleSettings, *, writer: int) -> None:
        """Set the rule settings; ``writer`` wrote them if they changed."""
        self._set_description(row, info_of(row), rules, writer=writer)

    def _set_description(
        self,
        row: orm.Pathway,
        info: PathwayInfo,
        rules: RuleSettings,
        *,
        writer: int,
        before: dict[str, object] | None = None,
    ) -> None:
        if before is None:
            before = description_elements(info_of(row), rules_of(row))
        row.title = info.title
        row.description = info.description
        row.target_group = info.target_group
        row.agreement_ref = info.agreement_ref
        row.review_due = info.review_due
        row.rules = rules_dict(rules)
        row.writers = rewrite_writers(
            before, row.writers or {}, description_elements(info, rules), writer
        )

    def list_for(
        self,
        *,
        viewer_id: int,
        participant_id: int | None,
        text: str | None,
        status: str | None = None,
        partnership_id: int | None = None,
        limit: int,
        offset: int,
    ) -> tuple[list[orm.Pathway], int]:
        """Pathways ``viewer_id`` takes part in (as a participant, or as a secretariat
        member of their partnership), optionally also ``participant_id``, optionally of
        one partnership,
        optionally matching ``text`` in title, description, target group or agreement
        (ignoring case, of any letter), optionally of one ``status``: ``draft`` (no
        approved version), ``approved`` (at its latest version's revision), ``changed``
        (changed since)."""
        query = select(orm.Pathway).where(
            or_(self._has_participant(viewer_id), self._in_secretariat_of(viewer_id))
        )
        if participant_id is not None:
            query = query.where(self._has_participant(participant_id))
        if partnership_id is not None:
            query = query.where(orm.Pathway.partnership_id == partnership_id)
        if status is not None:
            approved_revision = (
                select(orm.Version.revision)
                .where(orm.Version.pathway_id == orm.Pathway.id)
                .order_by(orm.Version.number.desc())
                .limit(1)
                .correlate(orm.Pathway)
                .scalar_subquery()
            )
            query = query.where(
                ~exists().where(orm.Version.pathway_id == orm.Pathway.id)
                if status == "draft"
                else approved_revision == orm.Pathway.revision
                if status == "approved"
                else approved_revision != orm.Pathway.revision
            )
        if text:
            needle = text.lower()
            query = query.where(
                or_(
                    *(
                        unicode_lower(column).contains(needle, autoescape=True)
                        for column in (
                            orm.Pathway.title,
                            orm.Pathway.description,
                            orm.Pathway.target_group,
                            orm.Pathway.agreement_ref,
                        )
                    )
                )
            )
        total = self.session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = self.session.scalars(query.order_by(orm.Pathway.id).limit(limit).offset(offset))
        return list(rows), total

    @staticmethod
    def _in_secretariat_of(organization_id: int) -> Any:
        """The pathway's partnership has ``organization_id`` as a secretariat member."""
        return orm.Pathway.partnership_id.in_(
            select(orm.PartnershipMember.partnership_id)
            .join(orm.Organization, orm.Organization.id == orm.PartnershipMember.organization_id)
            .where(
                orm.PartnershipMember.organization_id == organization_id,
                orm.Organization.kind == OrganizationKind.SECRETARIAT.value,
            )
        )

    @staticmethod
    def _has_participant(organization_id: int) -> Any:
        return exists().where(
            orm.Participant.pathway_id == orm.Pathway.id,
            orm.Participant.organization_id == organization_id,
        )

    # -- participants ------------------------------------------------------------------

    def participants(self, pathway_id: int) -> list[tuple[orm.Participant, orm.Organization]]:
        rows = self.session.execute(
            select(orm.Participant, orm.Organization)
            .join(orm.Organization, orm.Organization.id == orm.Participant.organization_id)
            .where(orm.Participant.pathway_id == pathway_id)
            .order_by(orm.Participant.joined_at, orm.Organization.id)
        )
        return [(participant, organization) for participant, organization in rows]

    def participants_of(
        self, pathway_ids: Iterable[int]
    ) -> dict[int, list[tuple[orm.Participant, orm.Organization]]]:
        ids = set(pathway_ids)
        result: dict[int, list[tuple[orm.Participant, orm.Organization]]] = {i: [] for i in ids}
        if not ids:
            return result
        rows = self.session.execute(
            select(orm.Participant, orm.Organization)
            .join(orm.Organization, orm.Organization.id == orm.Participant.organization_id)
            .where(orm.Participant.pathway_id.in_(ids))
            .order_by(orm.Participant.joined_at, orm.Organization.id)
        )
        for participant, organization in rows:
            result[participant.pathway_id].append((participant, organization))
        return result

    def variants_of(self, shared_id: int) -> list[orm.Pathway]:
        """The local variants of ``shared_id``, oldest first."""
        return list(
            self.session.scalars(
                select(orm.Pathway)
                .where(orm.Pathway.variant_of_id == shared_id)
                .order_by(orm.Pathway.id)
            )
        )

    def variant_editors(
        self, shared_id: int, organization_ids: Iterable[int], *, other_than: int | None = None
    ) -> dict[int, int]:
        """Of ``organization_ids``, those that are editors of a local variant of
        ``shared_id`` (other than ``other_than``): organisation → variant."""
        ids = set(organization_ids)
        if not ids:
            return {}
        query = (
            select(orm.Participant.organization_id, orm.Pathway.id)
            .join(orm.Pathway, orm.Pathway.id == orm.Participant.pathway_id)
            .where(
                orm.Pathway.variant_of_id == shared_id,
                orm.Participant.organization_id.in_(ids),
                orm.Participant.role == "editor",
            )
        )
        if other_than is not None:
            query = query.where(orm.Pathway.id != other_than)
        return {row.organization_id: row.id for row in self.session.execute(query)}

    def participant(self, pathway_id: int, organization_id: int) -> orm.Participant | None:
        return self.session.get(orm.Participant, (pathway_id, organization_id))

    def add_participant(
        self, pathway_id: int, organization_id: int, *, role: str = "editor"
    ) -> orm.Participant:
        row = orm.Participant(pathway_id=pathway_id, organization_id=organization_id, role=role)
        self.session.add(row)
        self.session.flush()
        return row

    def remove_participant(self, pathway_id: int, organization_id: int) -> None:
        self.session.execute(
            delete(orm.Participant).where(
                orm.Participant.pathway_id == pathway_id,
                orm.Participant.organization_id == organization_id,
            )
        )

    # -- the graph ---------------------------------------------------------------------

    def load(self, row: orm.Pathway) -> Pathway:
        """The pathway of ``row`` with its whole graph, in document order.

        With a :data:`DRAFTS` store in the session, a revision is read once: later loads
        of it come from the store. Only what is committed goes into it: nothing read
        after this session changed anything, and nothing a concurrent change may have
        mixed into the read (the revision is read again after the graph).
        """
        store = self._store()
        if store is None:
            return self._read(row)
        key = _draft_key(row)
        pathway = store.get(key)
        if pathway is None:
            pathway = self._read(row)
            now = self.session.scalar(select(orm.Pathway.revision).where(orm.Pathway.id == row.id))
            if now == row.revision:
                store.put(key, pathway)
        return pathway

    def _read(self, row: orm.Pathway) -> Pathway:
        steps = self.session.scalars(
            select(orm.Step).where(orm.Step.pathway_id == row.id).order_by(orm.Step.position)
        )
        transitions = self.session.scalars(
            select(orm.Transition)
            .where(orm.Transition.pathway_id == row.id)
            .order_by(orm.Transition.position)
        )
        return Pathway(
            info=info_of(row),
            steps=tuple(_step_of(step) for step in steps),
            transitions=tuple(_transition_of(transition) for transition in transitions),
            rules=self.rules_in_force(row),
        )

    def remember(self, row: orm.Pathway, pathway: Pathway) -> None:
        """Keep ``pathway`` as the draft of ``row``'s revision once this session commits:
        the caller has just written it (as :meth:`load` would read it back), so the next
        request need not read it again. Forgotten if the session rolls back."""
        if self.session.info.get(DRAFTS) is not None:
            self.session.info.setdefault(_PENDING, []).append((_draft_key(row), pathway))

    def agreement(self, row: orm.Pathway) -> RuleSettings | None:
        """The rules its partnership's agreement sets, or None outside a partnership."""
        if row.partnership_id is None:
            return None
        partnership = self.session.get(orm.Partnership, row.partnership_id)
        return rules_from_dict(partnership.rules or {}) if partnership is not None else None

    def rules_in_force(self, row: orm.Pathway) -> RuleSettings:
        """Its own rule settings made as strict as its partnership's agreement."""
        return rules_in_force(self.agreement(row), rules_of(row))

    def counts(self, pathway_ids: Iterable[int]) -> dict[int, tuple[int, int]]:
        """Number of steps and of transitions per pathway."""
        ids = set(pathway_ids)
        result = dict.fromkeys(ids, (0, 0))
        if not ids:
            return result
        steps = dict(
            self.session.execute(
                select(orm.Step.pathway_id, func.count())
                .where(orm.Step.pathway_id.in_(ids))
                .group_by(orm.Step.pathway_id)
            ).all()
        )
        transitions = dict(
            self.session.execute(
                select(orm.Transition.pathway_id, func.count())
                .where(orm.Transition.pathway_id.in_(ids))
                .group_by(orm.Transition.pathway_id)
            ).all()
        )
        return {i: (steps.get(i, 0), transitions.get(i, 0)) for i in ids}

    def content_writers(
        self, pathway_ids: Iterable[int]
    ) -> dict[int, list[tuple[int, str, Level, int]]]:
        """Per pathway, each organisation that last wrote elements of its draft, as
        ``(id, name, level, elements)``, most elements first. One query for all of them."""
        ids = set(pathway_ids)
        result: dict[int, list[tuple[int, str, Level, int]]] = {i: [] for i in ids}
        if not ids:
            return result
        each = (
            func.jsonb_each_text
            if self.session.get_bind().dialect.name == "postgresql"
            else func.json_each
        )

        def mapped(model: type[orm.Transition] | type[orm.Pathway], pathway_id: Any) -> Any:
            entries = each(model.writers).table_valued("key", "value")
            return (
                select(pathway_id.label("pathway_id"), cast(entries.c.value, Integer).label("org"))
                .select_from(model)
                .join(entries, true())
                .where(pathway_id.in_(ids))
            )

        writers = union_all(
            select(orm.Step.pathway_id.label("pathway_id"), orm.Step.written_by.label("org")).where(
                orm.Step.pathway_id.in_(ids), orm.Step.written_by.is_not(None)
            ),
            mapped(orm.Transition, orm.Transition.pathway_id),
            mapped(orm.Pathway, orm.Pathway.id),
        ).subquery()
        elements = func.count().label("elements")
        rows = self.session.execute(
            select(
                writers.c.pathway_id,
                orm.Organization.id,
                orm.Organization.name,
                orm.Organization.level,
                elements,
            )
            .join(orm.Organization, orm.Organization.id == writers.c.org)
            .group_by(
                writers.c.pathway_id,
                orm.Organization.id,
                orm.Organization.name,
                orm.Organization.level,
            )
            .order_by(writers.c.pathway_id, elements.desc(), orm.Organization.id)
        )
        for pathway_id, organization_id, name, level, count in rows:
            if level is not None:  # only care providers edit
                result[pathway_id].append((organization_id, name, Level(level), count))
        return result

    def replace_graph(
        self,
        pathway_id: int,
        steps: Sequence[Step],
        transitions: Sequence[Transition],
        *,
        writer: int,
        before: Pathway | None = None,
    ) -> None:
        """Make the stored graph ``steps`` and ``transitions``, in this order.

        ``before`` is the graph as it is stored (None: there is none yet). Steps and
        transitions are matched by key: only what is new, changed, moved or gone is
        written (bulk statements of plain rows, no ORM object a row). An element whose
        value is unchanged keeps its writer; new and changed ones are ``writer``'s.
        """
        old_steps = {step.key: step for step in before.steps} if before else {}
        old_transitions = {t.key: t for t in before.transitions} if before else {}
        step_at = (
            {step.key: position for position, step in enumerate(before.steps)} if before else {}
        )
        transition_at = (
            {t.key: position for position, t in enumerate(before.transitions)} if before else {}
        )
        new_steps: list[dict[str, Any]] = []
        changed_steps: list[dict[str, Any]] = []
        moved_steps: list[dict[str, Any]] = []
        for position, step in enumerate(steps):
            where = {"b_pathway": pathway_id, "b_key": step.key}
            if step.key not in old_steps:
                new_steps.append(
                    {
                        "pathway_id": pathway_id,
                        "position": position,
                        "written_by": writer,
                        **_step_values(step),
                    }
                )
            elif not _unchanged(old_steps[step.key], step):
                changed_steps.append(
                    {**where, "position": position, "written_by": writer, **_step_values(step)}
                )
            elif step_at[step.key] != position:
                moved_steps.append({**where, "position": position})
        new_transitions: list[dict[str, Any]] = []
        changed_transitions: dict[str, tuple[Transition, int]] = {}
        moved_transitions: list[dict[str, Any]] = []
        for position, transition in enumerate(transitions):
            old = old_transitions.get(transition.key)
            if old is None:
                new_transitions.append(
                    {
                        "pathway_id": pathway_id,
                        "position": position,
                        "writers": rewrite_writers({}, {}, transition_elements(transition), writer),
                        **_transition_values(transition),
                    }
                )
            elif old != transition:
                changed_transitions[transition.key] = (transition, position)
            elif transition_at[transition.key] != position:
                moved_transitions.append(
                    {"b_pathway": pathway_id, "b_key": transition.key, "position": position}
                )
        kept_steps = {step.key for step in steps}
        kept_transitions = {t.key for t in transitions}
        gone_steps = [key for key in old_steps if key not in kept_steps]
        gone_transitions = [key for key in old_transitions if key not in kept_transitions]
        steps_table = _TABLES[orm.Step.__tablename__]
        transitions_table = _TABLES[orm.Transition.__tablename__]
        # Transitions away from steps that go first, steps that go last: the foreign keys
        # hold after every statement.
        if gone_transitions:
            self.session.execute(
                delete(transitions_table).where(
                    transitions_table.c.pathway_id == pathway_id,
                    transitions_table.c.key.in_(gone_transitions),
                )
            )
        if new_steps:
            self.session.execute(insert(steps_table), new_steps)
        for rows in (changed_steps, moved_steps):
            if rows:
                self.session.execute(_UPDATE_STEP, rows)
        if changed_transitions:
            writers = dict(
                self.session.execute(
                    select(transitions_table.c.key, transitions_table.c.writers).where(
                        transitions_table.c.pathway_id == pathway_id,
                        transitions_table.c.key.in_(list(changed_transitions)),
                    )
                ).all()
            )
            self.session.execute(
                _UPDATE_TRANSITION,
                [
                    {
                        "b_pathway": pathway_id,
                        "b_key": key,
                        "position": position,
                        "writers": rewrite_writers(
                            transition_elements(old_transitions[key]),
                            writers.get(key) or {},
                            transition_elements(transition),
                            writer,
                        ),
                        **_transition_values(transition),
                    }
                    for key, (transition, position) in changed_transitions.items()
                ],
            )
        if moved_transitions:
            self.session.execute(_UPDATE_TRANSITION, moved_transitions)
        if new_transitions:
            self.session.execute(insert(transitions_table), new_transitions)
        if gone_steps:
            self.session.execute(
                delete(steps_table).where(
                    steps_table.c.pathway_id == pathway_id, steps_table.c.key.in_(gone_steps)
                )
            )

    def _next_position(self, model: type[orm.Step] | type[orm.Transition], pathway_id: int) -> int:
        highest = self.session.scalar(
            select(func.max(model.position)).where(model.pathway_id == pathway_id)
        )
        return 0 if highest is None else highest + 1

    def add_step(self, pathway_id: int, step: Step, *, writer: int) -> None:
        position = self._next_position(orm.Step, pathway_id)
        self.session.add(
            orm.Step(
                pathway_id=pathway_id, position=position, written_by=writer, **_step_values(step)
            )
        )
        self.session.flush()

    def update_step(self, pathway_id: int, old: Step, step: Step, *, writer: int) -> None:
        """Store ``step`` in place of ``old``; ``writer`` wrote it if its value changed.
        One UPDATE of the row, no ORM object."""
        values = _step_values(step)
        if not _unchanged(old, step):
            values["written_by"] = writer
        done = self.session.execute(
            _UPDATE_STEP, {"b_pathway": pathway_id, "b_key": old.key, **values}
        )
        if not getattr(done, "rowcount", 1):
            raise LookupError(old.key)

    def delete_step(self, pathway_id: int, key: str) -> None:
        self.session.execute(
            delete(orm.Step).where(orm.Step.pathway_id == pathway_id, orm.Step.key == key)
        )

    def add_transition(self, pathway_id: int, transition: Transition, *, writer: int) -> None:
        position = self._next_position(orm.Transition, pathway_id)
        self.session.add(
            orm.Transition(
                pathway_id=pathway_id,
                position=position,
                writers=rewrite_writers({}, {}, transition_elements(transition), writer),
                **_transition_values(transition),
            )
        )
        self.session.flush()

    def update_transition(
        self, pathway_id: int, old: Transition, transition: Transition, *, writer: int
    ) -> None:
        """Store ``transition`` in place of ``old``; ``writer`` wrote the elements whose
        value changed. One UPDATE of the row, no ORM object."""
        transitions = orm.Base.metadata.tables[orm.Transition.__tablename__]
        where = (transitions.c.pathway_id == pathway_id, transitions.c.key == old.key)
        writers = self.session.execute(select(transitions.c.writers).where(*where)).first()
        if writers is None:
            raise LookupError(old.key)
        values = _transition_values(transition)
        values["writers"] = rewrite_writers(
            transition_elements(old), writers[0] or {}, transition_elements(transition), writer
        )
        self.session.execute(update(transitions).where(*where).values(values))

    def delete_transition(self, pathway_id: int, key: str) -> None:
        self.session.execute(
            delete(orm.Transition).where(
                orm.Transition.pathway_id == pathway_id, orm.Transition.key == key
            )
        )
