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

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Integer, cast, delete, exists, func, insert, or_, select, true, union_all
from sqlalchemy.orm import Session

from db import models as orm
from db.types import unicode_lower
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

__all__ = ["PathwayRepository", "info_of", "rules_of"]


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


def _step_writer(row: orm.Step | None, step: Step, writer: int) -> int | None:
    """The step's writer: the old row's if its value is unchanged, else ``writer``."""
    if row is not None and step_elements(_step_of(row)) == step_elements(step):
        return row.written_by
    return writer


def _transition_writers(
    row: orm.Transition | None, transition: Transition, writer: int
) -> dict[str, int]:
    """The writers of the transition's elements, given its old row (``None``: new)."""
    before = transition_elements(_transition_of(row)) if row is not None else {}
    writers = (row.writers or {}) if row is not None else {}
    return rewrite_writers(before, writers, transition_elements(transition), writer)


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

    def get(self, pathway_id: int, *, for_update: bool = False) -> orm.Pathway | None:
        query = select(orm.Pathway).where(orm.Pathway.id == pathway_id)
        if for_update:
            # Locked reads must see the row as it is now, not as an earlier read in this
            # session left it in the identity map.
            query = query.with_for_update().execution_options(populate_existing=True)
        return self.session.scalar(query)

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
        """The pathway of ``row`` with its whole graph, in document order."""
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
    ) -> None:
        """Delete the whole graph of the pathway and insert ``steps`` and ``transitions``.

        Steps and transitions are matched by key: an element whose value is unchanged
        keeps its writer; new and changed ones are ``writer``'s.
        """
        old_steps = {
            row.key: row
            for row in self.session.scalars(
                select(orm.Step).where(orm.Step.pathway_id == pathway_id)
            )
        }
        old_transitions = {
            row.key: row
            for row in self.session.scalars(
                select(orm.Transition).where(orm.Transition.pathway_id == pathway_id)
            )
        }
        step_writers = {
            step.key: _step_writer(old_steps.get(step.key), step, writer) for step in steps
        }
        transition_writers = {
            t.key: _transition_writers(old_transitions.get(t.key), t, writer) for t in transitions
        }
        self.session.execute(delete(orm.Transition).where(orm.Transition.pathway_id == pathway_id))
        self.session.execute(delete(orm.Step).where(orm.Step.pathway_id == pathway_id))
        # Bulk INSERTs (one statement of many rows each), not one ORM object a row: the
        # rows are read back by query, never through the identity map.
        if steps:
            self.session.execute(
                insert(orm.Step),
                [
                    {
                        "pathway_id": pathway_id,
                        "position": position,
                        "written_by": step_writers[step.key],
                        **_step_values(step),
                    }
                    for position, step in enumerate(steps)
                ],
            )
        if transitions:
            self.session.execute(
                insert(orm.Transition),
                [
                    {
                        "pathway_id": pathway_id,
                        "position": position,
                        "writers": transition_writers[t.key],
                        **_transition_values(t),
                    }
                    for position, t in enumerate(transitions)
                ],
            )

    def _step_row(self, pathway_id: int, key: str) -> orm.Step | None:
        return self.session.scalar(
            select(orm.Step).where(orm.Step.pathway_id == pathway_id, orm.Step.key == key)
        )

    def _transition_row(self, pathway_id: int, key: str) -> orm.Transition | None:
        return self.session.scalar(
            select(orm.Transition).where(
                orm.Transition.pathway_id == pathway_id, orm.Transition.key == key
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

    def update_step(self, pathway_id: int, step: Step, *, writer: int) -> None:
        """Store ``step``; ``writer`` wrote it if its value changed."""
        row = self._step_row(pathway_id, step.key)
        if row is None:
            raise LookupError(step.key)
        row.written_by = _step_writer(row, step, writer)
        for name, value in _step_values(step).items():
            setattr(row, name, value)
        self.session.flush()

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
                writers=_transition_writers(None, transition, writer),
                **_transition_values(transition),
            )
        )
        self.session.flush()

    def update_transition(self, pathway_id: int, transition: Transition, *, writer: int) -> None:
        """Store ``transition``; ``writer`` wrote the elements whose value changed."""
        row = self._transition_row(pathway_id, transition.key)
        if row is None:
            raise LookupError(transition.key)
        row.writers = _transition_writers(row, transition, writer)
        for name, value in _transition_values(transition).items():
            setattr(row, name, value)
        self.session.flush()

    def delete_transition(self, pathway_id: int, key: str) -> None:
        self.session.execute(
            delete(orm.Transition).where(
                orm.Transition.pathway_id == pathway_id, orm.Transition.key == key
            )
        )
