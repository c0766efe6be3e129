"""Pathways as a whole: create, import, list, read, describe, export, history."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from api.errors import NotFound
from api.services.auth import Client, Scope
from api.services.catalogue import PublicPathway, public_pathway
from api.services.editing import begin_edit, record_change, visible_pathway
from db import models as orm
from db.repositories.history import HistoryRepository
from db.repositories.pathways import PathwayRepository, info_of, rules_of
from db.repositories.versions import VersionRepository
from pathways.diff import field_changes
from pathways.document import dump_document, rules_dict
from pathways.errors import InvalidPathway
from pathways.gaps import validate_rule_settings
from pathways.limits import Limits
from pathways.model import Level, Pathway, PathwayInfo, RuleSettings
from pathways.validation import validate_info, validate_pathway

__all__ = [
    "PathwayView",
    "create_pathway",
    "export_document",
    "get_pathway",
    "import_pathway",
    "list_history",
    "list_pathways",
    "update_pathway",
    "view_of",
]


@dataclass(frozen=True, slots=True)
class PathwayView:
    """A pathway row with what is shown with it: participants, sizes, authorship."""

    row: orm.Pathway
    participants: list[tuple[orm.Participant, orm.Organization]]
    step_count: int
    transition_count: int
    changes_per_level: dict[Level, int]
    content_writers: list[tuple[int, str, Level, int]]
    """Each organisation that last wrote elements of the draft: id, name, level, count."""
    latest_version: tuple[int, int] | None
    """The newest approved version's number and the revision it approved."""
    approvals: list[orm.Approval]
    """Approvals of the current revision (a change voids them)."""

    @property
    def status(self) -> str:
        """``draft``, ``approved``, or ``changed since version N``."""
        if self.latest_version is None:
            return "draft"
        number, revision = self.latest_version
        return "approved" if revision == self.row.revision else f"changed since version {number}"


def _views(session: Session, rows: list[orm.Pathway]) -> list[PathwayView]:
    ids = [row.id for row in rows]
    repository = PathwayRepository(session)
    participants = repository.participants_of(ids)
    counts = repository.counts(ids)
    authorship = HistoryRepository(session).changes_per_level(ids)
    writers = repository.content_writers(ids)
    versions = VersionRepository(session)
    latest = versions.latest_of(ids)
    approvals = versions.current_approvals(rows)
    return [
        PathwayView(
            row=row,
            participants=participants[row.id],
            step_count=counts[row.id][0],
            transition_count=counts[row.id][1],
            changes_per_level={Level(k): v for k, v in authorship[row.id].items()},
            content_writers=writers[row.id],
            latest_version=latest.get(row.id),
            approvals=approvals[row.id],
        )
        for row in rows
    ]


def view_of(session: Session, row: orm.Pathway) -> PathwayView:
    """The view of a row the caller has already been allowed to see."""
    return _views(session, [row])[0]


def _info_dict(info: PathwayInfo) -> dict[str, Any]:
    values = dataclasses.asdict(info)
    values["review_due"] = info.review_due.isoformat() if info.review_due else None
    return values


def create_pathway(
    session: Session, *, client: Client, info: PathwayInfo, rules: RuleSettings, limits: Limits
) -> PathwayView:
    """A new, empty pathway in which the caller's organisation takes part."""
    return import_pathway(session, client=client, pathway=Pathway(info, rules=rules), limits=limits)


def import_pathway(
    session: Session, *, client: Client, pathway: Pathway, limits: Limits
) -> PathwayView:
    """A new pathway holding ``pathway``; the caller's organisation takes part in it."""
    client.require(Scope.EDIT, "creating a pathway")
    validate_pathway(pathway, limits=limits)
    repository = PathwayRepository(session)
    row = repository.add(pathway.info, pathway.rules, writer=client.organization_id)
    repository.add_participant(row.id, client.organization_id)
    repository.replace_graph(
        row.id, pathway.steps, pathway.transitions, writer=client.organization_id
    )
    action, summary = (
        (
            "pathway.import",
            f"Imported with {len(pathway.steps)} steps and {len(pathway.transitions)} transitions",
        )
        if pathway.steps or pathway.transitions
        else ("pathway.create", f"Created {pathway.info.title!r}")
    )
    record_change(
        session,
        client=client,
        row=row,
        action=action,
        summary=summary,
        changes={"pathway": _info_dict(pathway.info), "participant": client.organization_id},
    )
    return view_of(session, row)


def list_pathways(
    session: Session,
    *,
    client: Client,
    participant_id: int | None,
    text: str | None,
    status: str | None = None,
    limit: int,
    offset: int,
) -> tuple[list[PathwayView], int]:
    """The pathways the caller's organisation takes part in, filtered; ``status`` is
    ``draft`` (never approved), ``approved`` (at its latest version) or ``changed``
    (changed since its latest version), as :attr:`PathwayView.status` says."""
    rows, total = PathwayRepository(session).list_for(
        viewer_id=client.organization_id,
        participant_id=participant_id,
        text=text,
        status=status,
        limit=limit,
        offset=offset,
    )
    return _views(session, rows), total


def get_pathway(
    session: Session, *, client: Client, pathway_id: int
) -> PathwayView | PublicPathway:
    """The pathway with its draft for a participant; for anyone else the public view of
    its latest approved version (404 if it has none: a draft is for participants)."""
    try:
        return view_of(session, visible_pathway(session, client=client, pathway_id=pathway_id))
    except NotFound:
        public = public_pathway(session, pathway_id)
        if public is None:
            raise
        return public


def update_pathway(
    session: Session,
    *,
    client: Client,
    pathway_id: int,
    if_match: str | None,
    changes: dict[str, Any],
    limits: Limits,
) -> PathwayView:
    """Change the description fields and rule settings named in ``changes``."""
    row = begin_edit(session, client=client, pathway_id=pathway_id, if_match=if_match)
    changes = dict(changes)
    rules_before = rules_of(row)
    rules_after = changes.pop("rules", rules_before)
    before = info_of(row)
    after = dataclasses.replace(before, **changes)
    validate_info(after, limits=limits, loc=())
    violations = validate_rule_settings(rules_after)
    if violations:
        raise InvalidPathway(violations)
    differences = field_changes(_info_dict(before), _info_dict(after))
    if rules_after != rules_before:
        differences["rules"] = {"from": rules_dict(rules_before), "to": rules_dict(rules_after)}
    if differences:
        repository = PathwayRepository(session)
        repository.set_info(row, after, writer=client.organization_id)
        repository.set_rules(row, rules_after, writer=client.organization_id)
        record_change(
            session,
            client=client,
            row=row,
            action="pathway.update",
            summary="Changed " + ", ".join(differences),
            changes=differences,
        )
    return view_of(session, row)


def export_document(session: Session, *, client: Client, pathway_id: int) -> tuple[bytes, int]:
    """The native document of the draft, and the revision it shows."""
    row = visible_pathway(session, client=client, pathway_id=pathway_id)
    return dump_document(PathwayRepository(session).load(row)), row.revision


def list_history(
    session: Session, *, client: Client, pathway_id: int, limit: int, offset: int
) -> tuple[list[orm.HistoryEntry], int]:
    visible_pathway(session, client=client, pathway_id=pathway_id)
    return HistoryRepository(session).page(pathway_id, limit=limit, offset=offset)
