"""The draft graph: replace it whole, or change one step or transition at a time.

Each change builds the whole new pathway, checks it against the structural rules and
only then writes the difference, so a stored graph is never malformed.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from sqlalchemy.orm import Session

from api.errors import Conflict, NotFound
from api.services.auth import Client
from api.services.editing import begin_edit, not_found, record_change, visible_stamp
from db import models as orm
from db.repositories.pathways import PathwayRepository
from pathways.diff import field_changes, graph_changes
from pathways.document import step_dict, transition_dict
from pathways.errors import Bilingual
from pathways.limits import Limits
from pathways.model import Pathway, Step, Transition
from pathways.validation import validate_pathway

__all__ = [
    "add_step",
    "add_transition",
    "delete_step",
    "delete_transition",
    "get_graph",
    "get_step",
    "get_transition",
    "replace_graph",
    "update_step",
    "update_transition",
]


def get_graph(session: Session, *, client: Client, pathway_id: int) -> tuple[Pathway, int]:
    """The draft pathway with its graph, and its revision."""
    stamp = visible_stamp(session, client=client, pathway_id=pathway_id)
    repository = PathwayRepository(session)
    cached = repository.cached(stamp)
    if cached is not None:
        return cached, stamp.revision
    row = repository.get(pathway_id)
    if row is None:
        raise not_found(pathway_id)
    return repository.load(row), row.revision


def _begin(
    session: Session, client: Client, pathway_id: int, if_match: str | None
) -> tuple[orm.Pathway, Pathway]:
    row = begin_edit(session, client=client, pathway_id=pathway_id, if_match=if_match)
    return row, PathwayRepository(session).load(row)


def _record(
    session: Session,
    client: Client,
    row: orm.Pathway,
    after: Pathway,
    *,
    action: str,
    summary: str,
    changes: dict[str, Any],
) -> None:
    """Record the change that made ``after`` the draft, and keep it for the next reads."""
    record_change(session, client=client, row=row, action=action, summary=summary, changes=changes)
    PathwayRepository(session).remember(row, after)


def replace_graph(
    session: Session,
    *,
    client: Client,
    pathway_id: int,
    if_match: str | None,
    steps: tuple[Step, ...],
    transitions: tuple[Transition, ...],
    limits: Limits,
) -> tuple[Pathway, int]:
    """Replace all steps and transitions at once: all of it is stored, or none."""
    row, before = _begin(session, client, pathway_id, if_match)
    after = dataclasses.replace(before, steps=steps, transitions=transitions)
    validate_pathway(after, limits=limits)
    changes = {
        **graph_changes(before, after),
        "counts": {"steps": len(steps), "transitions": len(transitions)},
    }
    PathwayRepository(session).replace_graph(
        row.id, steps, transitions, writer=client.organization_id, before=before
    )
    _record(
        session,
        client,
        row,
        after,
        action="graph.replace",
        summary=f"Replaced the graph: {len(steps)} steps, {len(transitions)} transitions",
        changes=changes,
    )
    return after, row.revision


def _find_step(pathway: Pathway, key: str) -> Step:
    if not pathway.has_step(key):
        raise NotFound(
            Bilingual(
                f"there is no step {key!r} in this pathway",
                f"Det finnes ikke noe steg «{key}» i dette forløpet.",
            )
        )
    return pathway.step(key)


def _find_transition(pathway: Pathway, key: str) -> Transition:
    for transition in pathway.transitions:
        if transition.key == key:
            return transition
    raise NotFound(
        Bilingual(
            f"there is no transition {key!r} in this pathway",
            f"Det finnes ingen overgang «{key}» i dette forløpet.",
        )
    )


def get_step(session: Session, *, client: Client, pathway_id: int, key: str) -> tuple[Step, int]:
    pathway, revision = get_graph(session, client=client, pathway_id=pathway_id)
    return _find_step(pathway, key), revision


def get_transition(
    session: Session, *, client: Client, pathway_id: int, key: str
) -> tuple[Transition, int]:
    pathway, revision = get_graph(session, client=client, pathway_id=pathway_id)
    return _find_transition(pathway, key), revision


def add_step(
    session: Session,
    *,
    client: Client,
    pathway_id: int,
    if_match: str | None,
    step: Step,
    limits: Limits,
) -> tuple[Step, int]:
    row, before = _begin(session, client, pathway_id, if_match)
    if before.has_step(step.key):
        raise Conflict(
            Bilingual(
                f"there is already a step {step.key!r}; change it with PATCH",
                f"Det finnes allerede et steg «{step.key}». Endre det med PATCH.",
            )
        )
    after = dataclasses.replace(before, steps=(*before.steps, step))
    validate_pathway(after, limits=limits)
    PathwayRepository(session).add_step(row.id, step, writer=client.organization_id)
    _record(
        session,
        client,
        row,
        after,
        action="step.add",
        summary=f"Added step {step.key!r} ({step.name}, {step.level.value})",
        changes={"step": step_dict(step)},
    )
    return step, row.revision


def update_step(
    session: Session,
    *,
    client: Client,
    pathway_id: int,
    if_match: str | None,
    key: str,
    changes: dict[str, Any],
    limits: Limits,
) -> tuple[Step, int]:
    row, before = _begin(session, client, pathway_id, if_match)
    old = _find_step(before, key)
    new = dataclasses.replace(old, **changes)
    steps = tuple(new if step.key == key else step for step in before.steps)
    after = dataclasses.replace(before, steps=steps)
    validate_pathway(after, limits=limits)
    differences = field_changes(step_dict(old), step_dict(new))
    if differences:
        PathwayRepository(session).update_step(row.id, old, new, writer=client.organization_id)
        _record(
            session,
            client,
            row,
            after,
            action="step.update",
            summary=f"Changed step {key!r}: " + ", ".join(differences),
            changes={"key": key, "fields": differences},
        )
    return new, row.revision


def delete_step(
    session: Session, *, client: Client, pathway_id: int, if_match: str | None, key: str
) -> int:
    row, before = _begin(session, client, pathway_id, if_match)
    step = _find_step(before, key)
    using = [t.key for t in before.transitions if key in (t.source, t.target)]
    if using:
        used_by_nb = ", ".join(f"«{used}»" for used in using)
        noun_nb, them_nb = ("overgangen", "den") if len(using) == 1 else ("overgangene", "dem")
        raise Conflict(
            Bilingual(
                f"step {key!r} is used by the transitions {', '.join(map(repr, using))}; "
                "delete or reroute them first (or replace the whole graph)",
                f"Steget «{key}» brukes av {noun_nb} {used_by_nb}. Slett {them_nb} eller "
                f"legg {them_nb} om først (eller erstatt hele grafen).",
            )
        )
    PathwayRepository(session).delete_step(row.id, key)
    _record(
        session,
        client,
        row,
        dataclasses.replace(before, steps=tuple(s for s in before.steps if s.key != key)),
        action="step.delete",
        summary=f"Deleted step {key!r} ({step.name})",
        changes={"step": step_dict(step)},
    )
    return row.revision


def add_transition(
    session: Session,
    *,
    client: Client,
    pathway_id: int,
    if_match: str | None,
    transition: Transition,
    limits: Limits,
) -> tuple[Transition, int]:
    row, before = _begin(session, client, pathway_id, if_match)
    if any(t.key == transition.key for t in before.transitions):
        raise Conflict(
            Bilingual(
                f"there is already a transition {transition.key!r}; change it with PATCH",
                f"Det finnes allerede en overgang «{transition.key}». Endre den med PATCH.",
            )
        )
    after = dataclasses.replace(before, transitions=(*before.transitions, transition))
    validate_pathway(after, limits=limits)
    PathwayRepository(session).add_transition(row.id, transition, writer=client.organization_id)
    cross_level = after.is_cross_level(transition)
    crossing = " (handover between levels)" if cross_level else ""
    _record(
        session,
        client,
        row,
        after,
        action="transition.add",
        summary=f"Added transition {transition.key!r}: {transition.source} → "
        f"{transition.target}{crossing}",
        changes={"transition": transition_dict(transition), "cross_level": cross_level},
    )
    return transition, row.revision


def update_transition(
    session: Session,
    *,
    client: Client,
    pathway_id: int,
    if_match: str | None,
    key: str,
    changes: dict[str, Any],
    limits: Limits,
) -> tuple[Transition, int]:
    row, before = _begin(session, client, pathway_id, if_match)
    old = _find_transition(before, key)
    new = dataclasses.replace(old, **changes)
    transitions = tuple(new if t.key == key else t for t in before.transitions)
    after = dataclasses.replace(before, transitions=transitions)
    validate_pathway(after, limits=limits)
    differences = field_changes(transition_dict(old), transition_dict(new))
    if differences:
        PathwayRepository(session).update_transition(
            row.id, old, new, writer=client.organization_id
        )
        _record(
            session,
            client,
            row,
            after,
            action="transition.update",
            summary=f"Changed transition {key!r}: " + ", ".join(differences),
            changes={"key": key, "fields": differences},
        )
    return new, row.revision


def delete_transition(
    session: Session, *, client: Client, pathway_id: int, if_match: str | None, key: str
) -> int:
    row, before = _begin(session, client, pathway_id, if_match)
    transition = _find_transition(before, key)
    PathwayRepository(session).delete_transition(row.id, key)
    remaining = tuple(t for t in before.transitions if t.key != key)
    _record(
        session,
        client,
        row,
        dataclasses.replace(before, transitions=remaining),
        action="transition.delete",
        summary=f"Deleted transition {key!r}: {transition.source} → {transition.target}",
        changes={"transition": transition_dict(transition)},
    )
    return row.revision
