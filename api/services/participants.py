"""Who takes part in a pathway, and in which role (``pathways.roles``).

Editors and the secretariat add organisations, and make a participating care provider
an editor. The secretariat role is never given: it comes with the partnership. An
organisation leaves or gives up a role by itself, or the secretariat removes it or
changes its role; another participant may not (403). The last editor of a level can
neither leave nor stop editing (409). Every change of membership or role is recorded
in the history and voids approvals.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from api.errors import Forbidden, NotFound, RuleViolation
from api.services.approvals import editors_of
from api.services.auth import Client
from api.services.editing import begin_edit, record_change, role_on
from api.services.pathways import PathwayView, view_of
from api.services.variants import check_one_variant_each
from db import models as orm
from db.repositories.organizations import OrganizationRepository
from db.repositories.partnerships import PartnershipRepository
from db.repositories.pathways import PathwayRepository
from pathways.errors import Bilingual
from pathways.model import Level
from pathways.participation import check_removal
from pathways.roles import Act, OrganizationKind, Role, may, role_problem

__all__ = ["add_participant", "default_role", "remove_participant"]


def default_role(kind: OrganizationKind) -> Role:
    """A care provider edits; a secretariat (of another partnership, say) and user
    representatives comment, unless the request says otherwise."""
    return Role.EDITOR if kind is OrganizationKind.CARE_PROVIDER else Role.COMMENTER


def _editors(session: Session, pathway_id: int) -> dict[int, Level]:
    return editors_of(PathwayRepository(session).participants(pathway_id))


def _described(organization: orm.Organization) -> str:
    return f"{organization.name} ({organization.level or organization.kind})"


def _entry(organization: orm.Organization, role: Role) -> dict[str, object]:
    return {
        "organization_id": organization.id,
        "name": organization.name,
        "kind": organization.kind,
        "level": organization.level,
        "role": role.value,
    }


def add_participant(
    session: Session,
    *,
    client: Client,
    pathway_id: int,
    organization_id: int,
    role: Role | None,
    if_match: str | None,
) -> tuple[PathwayView, bool]:
    """Add the organisation, or change its role; return the pathway and whether it was
    added just now."""
    row = begin_edit(
        session, client=client, pathway_id=pathway_id, if_match=if_match, act=Act.ADD_PARTICIPANT
    )
    organization = OrganizationRepository(session).get(organization_id)
    if organization is None:
        raise NotFound(
            Bilingual(
                f"there is no organisation {organization_id}",
                f"Organisasjon {organization_id} finnes ikke.",
            )
        )
    wanted = role or default_role(OrganizationKind(organization.kind))
    problem = role_problem(wanted, OrganizationKind(organization.kind))
    if problem is not None:
        raise RuleViolation.in_body(
            problem,
            "role",
            detail=Bilingual(
                f"{organization.name}: {problem.en}", f"{organization.name}: {problem.nb}"
            ),
        )
    if row.partnership_id is not None and PartnershipRepository(session).is_secretariat(
        row.partnership_id, organization_id
    ):
        through = Bilingual(
            "it holds the secretariat role on this pathway through its partnership",
            "har allerede sekretariatsrollen på dette forløpet gjennom helsefellesskapet",
        )
        raise RuleViolation(
            Bilingual(
                f"{organization.name}: {through.en}",
                f"{organization.name} {through.nb}.",
            ),
            errors=[{"loc": ["path", "organization_id"], "pointer": None, "detail": through}],
        )
    repository = PathwayRepository(session)
    existing = repository.participant(row.id, organization_id)
    if row.variant_of_id is not None and wanted is Role.EDITOR:
        check_one_variant_each(session, row.variant_of_id, [organization_id], variant_id=row.id)
    if existing is None:
        repository.add_participant(row.id, organization_id, role=wanted.value)
        record_change(
            session,
            client=client,
            row=row,
            action="participant.add",
            summary=f"Added {_described(organization)} as {wanted.value}",
            changes=_entry(organization, wanted),
        )
        return view_of(session, row), True
    before = Role(existing.role)
    if role is not None and role is not before:
        if role is not Role.EDITOR:  # making an editor is adding one; the rest is not
            _check_may_change(session, client, row, organization)
        if before is Role.EDITOR:
            check_removal(_editors(session, row.id), organization_id)
        existing.role = role.value
        record_change(
            session,
            client=client,
            row=row,
            action="participant.role",
            summary=f"{_described(organization)} takes part as {role.value}, "
            f"no longer as {before.value}",
            changes={**_entry(organization, role), "from": before.value},
        )
    return view_of(session, row), False


def _check_may_change(
    session: Session, client: Client, row: orm.Pathway, organization: orm.Organization
) -> None:
    """An organisation changes its own participation; only the secretariat another's."""
    if organization.id == client.organization_id:
        return
    role = role_on(session, row, client)
    if role is None or not may(role, Act.MANAGE_MEMBERS):
        raise Forbidden(
            Bilingual(
                f"an organisation leaves a pathway or changes its role by itself, or the "
                f"partnership's secretariat does it: {client.organization_name} may not do "
                f"it for {organization.name}",
                "En organisasjon forlater et forløp eller endrer rollen sin selv, eller så gjør "
                f"sekretariatet i helsefellesskapet det. {client.organization_name} kan ikke "
                f"gjøre det for {organization.name}.",
            )
        )


def remove_participant(
    session: Session,
    *,
    client: Client,
    pathway_id: int,
    organization_id: int,
    if_match: str | None,
) -> int:
    """Remove the organisation; return the new revision."""
    row = begin_edit(
        session, client=client, pathway_id=pathway_id, if_match=if_match, act=Act.LEAVE
    )
    repository = PathwayRepository(session)
    participant = repository.participant(row.id, organization_id)
    if participant is None:
        raise NotFound(
            Bilingual(
                f"organisation {organization_id} does not take part in this pathway",
                f"Organisasjon {organization_id} deltar ikke i dette forløpet.",
            )
        )
    organization = OrganizationRepository(session).get(organization_id)
    assert organization is not None
    _check_may_change(session, client, row, organization)
    check_removal(_editors(session, row.id), organization_id)
    repository.remove_participant(row.id, organization_id)
    left = organization_id == client.organization_id
    record_change(
        session,
        client=client,
        row=row,
        action="participant.remove",
        summary=f"Left the pathway: {_described(organization)}"
        if left
        else f"Removed {_described(organization)}, by {client.described}",
        changes=_entry(organization, Role(participant.role)),
    )
    return row.revision
