"""Queries on pathways, their participants and their graph.

Maps rows to :mod:`pathways.model` and back. Writers lock the pathway row first
(:meth:`PathwayRepository.get` with ``for_update=True``) so that two changes to one
pathway are serialised by the database and the second one sees the first one's revision.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import delete, exists, func, or_, select
from sqlalchemy.orm import Session

from db import models as orm
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


class PathwayRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # -- the pathway row ---------------------------------------------------------------

    def add(self, info: PathwayInfo, rules: RuleSettings) -> orm.Pathway:
        """A new pathway at revision 0: its first recorded change makes it revision 1."""
        row = orm.Pathway(revision=0)
        self.set_info(row, info)
        self.set_rules(row, rules)
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

    def set_info(self, row: orm.Pathway, info: PathwayInfo) -> None:
        row.title = info.title
        row.description = info.description
        row.target_group = info.target_group
        row.agreement_ref = info.agreement_ref
        row.review_due = info.review_due

    def set_rules(self, row: orm.Pathway, rules: RuleSettings) -> None:
        row.rules = rules_dict(rules)

    def list_for(
        self,
        *,
        viewer_id: int,
        participant_id: int | None,
        text: str | None,
        limit: int,
        offset: int,
    ) -> tuple[list[orm.Pathway], int]:
        """Pathways ``viewer_id`` takes part in, optionally also ``participant_id``,
        optionally matching ``text`` in title, description, target group or agreement."""
        query = select(orm.Pathway).where(self._has_participant(viewer_id))
        if participant_id is not None:
            query = query.where(self._has_participant(participant_id))
        if text:
            needle = text.lower()
            query = query.where(
                or_(
                    *(
                        func.lower(column).contains(needle, autoescape=True)
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

    def is_participant(self, pathway_id: int, organization_id: int) -> bool:
        return self.session.get(orm.Participant, (pathway_id, organization_id)) is not None

    def add_participant(self, pathway_id: int, organization_id: int) -> orm.Participant:
        row = orm.Participant(pathway_id=pathway_id, organization_id=organization_id)
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
            rules=rules_of(row),
        )

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

    def replace_graph(
        self, pathway_id: int, steps: Sequence[Step], transitions: Sequence[Transition]
    ) -> None:
        """Delete the whole graph of the pathway and insert ``steps`` and ``transitions``."""
        self.session.execute(delete(orm.Transition).where(orm.Transition.pathway_id == pathway_id))
        self.session.execute(delete(orm.Step).where(orm.Step.pathway_id == pathway_id))
        self.session.add_all(
            orm.Step(pathway_id=pathway_id, position=position, **_step_values(step))
            for position, step in enumerate(steps)
        )
        self.session.flush()
        self.session.add_all(
            orm.Transition(pathway_id=pathway_id, position=position, **_transition_values(t))
            for position, t in enumerate(transitions)
        )
        self.session.flush()

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

    def add_step(self, pathway_id: int, step: Step) -> None:
        position = self._next_position(orm.Step, pathway_id)
        self.session.add(orm.Step(pathway_id=pathway_id, position=position, **_step_values(step)))
        self.session.flush()

    def update_step(self, pathway_id: int, step: Step) -> None:
        row = self._step_row(pathway_id, step.key)
        if row is None:
            raise LookupError(step.key)
        for name, value in _step_values(step).items():
            setattr(row, name, value)
        self.session.flush()

    def delete_step(self, pathway_id: int, key: str) -> None:
        self.session.execute(
            delete(orm.Step).where(orm.Step.pathway_id == pathway_id, orm.Step.key == key)
        )

    def add_transition(self, pathway_id: int, transition: Transition) -> None:
        position = self._next_position(orm.Transition, pathway_id)
        self.session.add(
            orm.Transition(
                pathway_id=pathway_id, position=position, **_transition_values(transition)
            )
        )
        self.session.flush()

    def update_transition(self, pathway_id: int, transition: Transition) -> None:
        row = self._transition_row(pathway_id, transition.key)
        if row is None:
            raise LookupError(transition.key)
        for name, value in _transition_values(transition).items():
            setattr(row, name, value)
        self.session.flush()

    def delete_transition(self, pathway_id: int, key: str) -> None:
        self.session.execute(
            delete(orm.Transition).where(
                orm.Transition.pathway_id == pathway_id, orm.Transition.key == key
            )
        )
