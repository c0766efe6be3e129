"""Who takes part in a pathway. Any participant, of either level, adds any organisation;
an organisation leaves by itself (another participant may not remove it: 403), and the
last participant of a level cannot leave (409)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from api.errors import Forbidden, NotFound
from api.services.auth import Client
from api.services.editing import begin_edit, record_change
from api.services.pathways import PathwayView, view_of
from db.repositories.organizations import OrganizationRepository
from db.repositories.pathways import PathwayRepository
from pathways.model import Level
from pathways.participation import check_removal

__all__ = ["add_participant", "remove_participant"]


def add_participant(
    session: Session,
    *,
    client: Client,
    pathway_id: int,
    organization_id: int,
    if_match: str | None,
) -> tuple[PathwayView, bool]:
    """Add the organisation; return the pathway and whether it was added just now."""
    row = begin_edit(session, client=client, pathway_id=pathway_id, if_match=if_match)
    organization = OrganizationRepository(session).get(organization_id)
    if organization is None:
        raise NotFound(f"there is no organisation {organization_id}")
    repository = PathwayRepository(session)
    added = not repository.is_participant(row.id, organization_id)
    if added:
        repository.add_participant(row.id, organization_id)
        record_change(
            session,
            client=client,
            row=row,
            action="participant.add",
            summary=f"Added {organization.name} ({organization.level}) as a participant",
            changes={
                "organization_id": organization.id,
                "name": organization.name,
                "level": organization.level,
            },
        )
    return view_of(session, row), added


def remove_participant(
    session: Session,
    *,
    client: Client,
    pathway_id: int,
    organization_id: int,
    if_match: str | None,
) -> int:
    """Remove the organisation; return the new revision."""
    row = begin_edit(session, client=client, pathway_id=pathway_id, if_match=if_match)
    repository = PathwayRepository(session)
    participants = {
        organization.id: Level(organization.level)
        for _, organization in repository.participants(row.id)
    }
    if organization_id not in participants:
        raise NotFound(f"organisation {organization_id} does not take part in this pathway")
    organization = OrganizationRepository(session).get(organization_id)
    assert organization is not None
    if organization_id != client.organization_id:
        raise Forbidden(
            f"an organisation leaves a pathway by itself: {client.organization_name} may not "
            f"remove {organization.name}; ask it to leave"
        )
    check_removal(participants, organization_id)
    repository.remove_participant(row.id, organization_id)
    record_change(
        session,
        client=client,
        row=row,
        action="participant.remove",
        summary=f"Left the pathway: {organization.name} ({organization.level})",
        changes={
            "organization_id": organization.id,
            "name": organization.name,
            "level": organization.level,
        },
    )
    return row.revision
