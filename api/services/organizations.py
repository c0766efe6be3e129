"""Organisations and their tokens (the operator's work, ``admin`` scope)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from api.errors import Conflict, NotFound, Unprocessable
from api.services.auth import Client, Scope, issue_token
from db import models as orm
from db.repositories.organizations import OrganizationRepository
from db.repositories.tokens import TokenRepository
from db.types import utcnow
from pathways.errors import Violation
from pathways.limits import Limits
from pathways.model import Level
from pathways.validation import text_violations

__all__ = [
    "create_organization",
    "create_token",
    "get_organization",
    "list_organizations",
    "revoke_token",
]


def _check_text(fields: dict[str, str | None], limits: Limits) -> None:
    violations: list[Violation] = []
    for name, value in fields.items():
        if value is not None:
            violations.extend(
                text_violations(
                    value, (name,), max_length=limits.max_name_length, required=name == "name"
                )
            )
    if violations:
        raise Unprocessable(
            f"{violations[0].loc[0]}: {violations[0].message}",
            errors=[
                {"loc": ["body", *v.loc], "pointer": f"#/{v.loc[0]}", "detail": v.message}
                for v in violations
            ],
        )


def create_organization(
    session: Session,
    *,
    client: Client | None,
    name: str,
    level: Level,
    organization_number: str | None,
    her_id: str | None,
    limits: Limits,
) -> orm.Organization:
    """Create an organisation. ``client`` is ``None`` for the console (the operator)."""
    if client is not None:
        client.require(Scope.ADMIN, "creating organisations")
    _check_text({"name": name}, limits)
    repository = OrganizationRepository(session)
    if repository.get_by_name(name) is not None:
        raise Conflict(f"an organisation named {name!r} already exists")
    return repository.add(
        name=name, level=level.value, organization_number=organization_number, her_id=her_id
    )


def get_organization(session: Session, organization_id: int) -> orm.Organization:
    row = OrganizationRepository(session).get(organization_id)
    if row is None:
        raise NotFound(f"there is no organisation {organization_id}")
    return row


def list_organizations(
    session: Session, *, level: Level | None, limit: int, offset: int
) -> tuple[list[orm.Organization], int]:
    return OrganizationRepository(session).page(
        level=level.value if level else None, limit=limit, offset=offset
    )


def create_token(
    session: Session,
    *,
    client: Client | None,
    organization_id: int,
    name: str,
    scope: Scope,
    limits: Limits,
) -> tuple[orm.Token, str]:
    """Issue a token for an organisation; return its row and the secret (shown once)."""
    if client is not None:
        client.require(Scope.ADMIN, "issuing tokens")
    get_organization(session, organization_id)
    _check_text({"name": name}, limits)
    return issue_token(session, organization_id=organization_id, name=name, scope=scope)


def revoke_token(session: Session, *, client: Client, token_id: int) -> orm.Token:
    client.require(Scope.ADMIN, "revoking tokens")
    repository = TokenRepository(session)
    row = repository.get(token_id)
    if row is None:
        raise NotFound(f"there is no token {token_id}")
    if row.revoked_at is None:
        repository.revoke(row, at=utcnow())
    return row
