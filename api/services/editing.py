"""The one way a pathway changes: lock, check, change, bump the revision, record it.

Every change to a pathway or its graph goes through :func:`begin_edit` and
:func:`record_change`, inside the request's transaction:

1. the pathway row is locked (``FOR UPDATE``; SQLite writers hold the database lock);
2. a client that does not take part gets 404; one whose token may not edit, or whose
   role on the pathway does not allow the change (``pathways.roles``), gets 403;
3. ``If-Match`` must name the current revision (428 when missing, 412 when stale): its
   ETag, ``"7"``, or the pathway's, ``"7.123"``, which also marks approvals, decisions
   and versions recorded on revision 7 (nothing a change could overwrite);
4. the caller changes what it changes;
5. the revision goes up by one and a history entry names the organisation, its level,
   the token and both revisions.

Any error after step 1 rolls the whole transaction back: nothing is half-changed.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from api.errors import Forbidden, NotFound, PreconditionFailed, PreconditionRequired
from api.services.auth import Client, Scope
from db import models as orm
from db.repositories.history import HistoryRepository
from db.repositories.partnerships import PartnershipRepository
from db.repositories.pathways import PathwayRepository, Stamp
from db.repositories.versions import VersionRepository
from pathways.errors import Bilingual
from pathways.roles import Act, OrganizationKind, Role, may

__all__ = [
    "begin_edit",
    "etag",
    "not_found",
    "pathway_etag",
    "record_change",
    "record_event",
    "require_acts",
    "role_on",
    "versions_visible",
    "visible_pathway",
    "visible_stamp",
]


def etag(revision: int) -> str:
    """The strong entity tag of a revision: ``"7"``."""
    return f'"{revision}"'


def pathway_etag(revision: int, last_event: int | None) -> str:
    """The strong entity tag of a pathway's representation: its revision's, ``"7"``,
    or, once an approval, decision or version is recorded on it, ``"7.123"`` (the
    latest such history entry), since those change what ``GET /pathways/{id}`` shows."""
    return etag(revision) if last_event is None else f'"{revision}.{last_event}"'


def _if_match_allows(header: str, current: str) -> bool:
    marked = current[:-1] + "."  # '"7.': the pathway's tag of the same revision
    # Strong comparison (RFC 9110 §13.1.1): weak tags never match.
    return any(
        tag == current
        or (tag.startswith(marked) and tag.endswith('"') and tag[len(marked) : -1].isdigit())
        for tag in (tag.strip() for tag in header.split(","))
    )


def check_if_match(header: str | None, revision: int) -> None:
    if header is None or not header.strip():
        raise PreconditionRequired(
            Bilingual(
                f"send If-Match with the ETag you read (now {etag(revision)}), so that "
                "changes made by others since are not overwritten",
                f"Send If-Match med ETag-en du leste (nå {etag(revision)}), slik at endringer "
                "som andre har gjort i mellomtiden, ikke blir overskrevet.",
            )
        )
    if header.strip() == "*":
        raise PreconditionRequired(
            Bilingual(
                "If-Match: * would overwrite changes made by others; send the ETag you read "
                f"(now {etag(revision)})",
                "If-Match: * ville overskrevet endringer som andre har gjort. Send ETag-en du "
                f"leste (nå {etag(revision)}).",
            )
        )
    current = etag(revision)
    if not _if_match_allows(header, current):
        raise PreconditionFailed(current_etag=current, sent=header.strip()[:100])


def not_found(pathway_id: int) -> NotFound:
    return NotFound(
        Bilingual(
            f"there is no pathway {pathway_id} that this organisation takes part in",
            f"Det finnes ikke noe forløp {pathway_id} som denne organisasjonen deltar i.",
        )
    )


def _role(
    session: Session, partnership_id: int | None, client: Client, participant_role: str | None
) -> Role | None:
    if (
        client.kind is OrganizationKind.SECRETARIAT
        and partnership_id is not None
        and PartnershipRepository(session).is_secretariat(partnership_id, client.organization_id)
    ):
        return Role.SECRETARIAT
    return Role(participant_role) if participant_role is not None else None


def role_on(session: Session, row: orm.Pathway, client: Client) -> Role | None:
    """The client's role on the pathway: ``secretariat`` as a secretariat member of the
    pathway's partnership (whatever else), else its role as a participant; None if it
    takes no part. Only a secretariat's role needs the partnership looked up."""
    participant = PathwayRepository(session).participant(row.id, client.organization_id)
    role = participant.role if participant is not None else None
    return _role(session, row.partnership_id, client, role)


def require_acts(session: Session, client: Client, row: orm.Pathway, acts: tuple[Act, ...]) -> None:
    """Check that ``client`` may do each of ``acts`` on the (locked) pathway ``row``."""
    _require_all(client, row, role_on(session, row, client), acts)


def _require_all(
    client: Client, row: orm.Pathway, role: Role | None, acts: tuple[Act, ...]
) -> None:
    if role is None:
        raise not_found(row.id)
    for act in acts:
        client.require(Scope.EDIT, act.said)
        _require(role, act, client)


def _require(role: Role, act: Act, client: Client) -> None:
    if not may(role, act):
        raise Forbidden(
            Bilingual(
                f"{client.organization_name} takes part in this pathway as {role.value}; "
                f"{act.value} is not part of that role",
                f"{client.organization_name} deltar i dette forløpet som {role.said.nb}. Den "
                f"rollen gir ikke rett til å {act.said.nb}.",
            )
        )


def visible_stamp(session: Session, *, client: Client, pathway_id: int) -> Stamp:
    """The :class:`~db.repositories.pathways.Stamp` of the pathway if ``client`` may see
    its draft, else :class:`NotFound`. One query for a participant."""
    found = PathwayRepository(session).stamp(pathway_id, client.organization_id)
    if found is None or _role(session, found.partnership_id, client, found.role) is None:
        raise not_found(pathway_id)
    return found


def visible_pathway(session: Session, *, client: Client, pathway_id: int) -> orm.Pathway:
    """The pathway's row if ``client`` may see its draft, else :class:`NotFound`."""
    found = PathwayRepository(session).get_with_role(pathway_id, client.organization_id)
    if found is None or _role(session, found[0].partnership_id, client, found[1]) is None:
        raise not_found(pathway_id)
    return found[0]


def versions_visible(session: Session, *, client: Client, pathway_id: int) -> None:
    """:class:`NotFound` unless ``client`` may see the pathway's approved versions.

    Approved versions are public agreement documents: every authenticated client may
    read them. A pathway with no approved version is a draft, seen by participants only.
    """
    found = PathwayRepository(session).stamp(pathway_id, client.organization_id)
    if found is None:
        raise not_found(pathway_id)
    if _role(session, found.partnership_id, client, found.role) is not None:
        return
    if not VersionRepository(session).has_any(pathway_id):
        raise not_found(pathway_id)


def begin_edit(
    session: Session,
    *,
    client: Client,
    pathway_id: int,
    if_match: str | None,
    act: Act | tuple[Act, ...] = Act.EDIT,
) -> orm.Pathway:
    """Lock the pathway for ``act`` (or each of several) by ``client`` and check that it
    may do it.

    On PostgreSQL the checks run once on a plain read, so that a stale or refused change
    is answered without queueing for the row lock, and again under the lock, which is
    what counts. On SQLite the first read is under the database lock already.
    """
    acts = act if isinstance(act, tuple) else (act,)
    repository = PathwayRepository(session)
    # Where the transaction holds the lock from its first statement (SQLite), the
    # plain read would be under it already: only the locked one is made.
    for for_update in (True,) if repository.locked_from_start else (False, True):
        found = repository.get_with_role(pathway_id, client.organization_id, for_update=for_update)
        if found is None:
            raise not_found(pathway_id)
        row, participant_role = found
        _require_all(
            client, row, _role(session, row.partnership_id, client, participant_role), acts
        )
        check_if_match(if_match, row.revision)
    return row


def record_change(
    session: Session,
    *,
    client: Client,
    row: orm.Pathway,
    action: str,
    summary: str,
    changes: dict[str, Any],
) -> None:
    """Bump the revision of ``row`` and append the history entry of the change."""
    before = row.revision
    PathwayRepository(session).bump_revision(row)
    _append(session, client, row, action, summary, changes, before)


def record_event(
    session: Session,
    *,
    client: Client,
    row: orm.Pathway,
    action: str,
    summary: str,
    changes: dict[str, Any],
) -> None:
    """Append a history entry for something that does not change the pathway itself
    (an approval, a new version): the revision stays as it is."""
    _append(session, client, row, action, summary, changes, row.revision)


def _append(
    session: Session,
    client: Client,
    row: orm.Pathway,
    action: str,
    summary: str,
    changes: dict[str, Any],
    before: int,
) -> None:
    HistoryRepository(session).append(
        pathway_id=row.id,
        organization_id=client.organization_id,
        organization_name=client.organization_name,
        level=client.level.value if client.level else None,
        token_id=client.token_id,
        token_name=client.token_name,
        action=action,
        summary=summary,
        changes=changes,
        revision_before=before,
        revision_after=row.revision,
    )
