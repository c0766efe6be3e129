"""Organisations, tokens and the caller."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from api.schemas.common import Input
from api.services.auth import Scope
from db import models as orm
from pathways.document import Name
from pathways.model import Level
from pathways.roles import OrganizationKind

__all__ = [
    "MeRead",
    "OrganizationCreate",
    "OrganizationRead",
    "TokenCreate",
    "TokenCreated",
    "TokenRead",
]

OrganizationNumber = Annotated[
    str, StringConstraints(pattern=r"^[0-9]{9}$"), Field(description="Organisasjonsnummer")
]
HerId = Annotated[
    str, StringConstraints(pattern=r"^[0-9]{1,9}$"), Field(description="HER-id (Adresseregisteret)")
]


class OrganizationCreate(Input):
    name: Name
    kind: OrganizationKind = Field(
        default=OrganizationKind.CARE_PROVIDER,
        description="care_provider (a hospital trust or a municipality: it has a level), "
        "secretariat or user_representatives (no level)",
    )
    level: Level | None = Field(
        default=None, description="The care level of a care provider; none for other kinds"
    )
    organization_number: OrganizationNumber | None = None
    her_id: HerId | None = None


class OrganizationRead(BaseModel):
    id: int
    name: str
    kind: OrganizationKind
    level: Level | None = Field(
        description="The care level; null for a secretariat or user representatives"
    )
    organization_number: str | None
    her_id: str | None
    created_at: datetime

    @classmethod
    def of(cls, row: orm.Organization) -> OrganizationRead:
        return cls(
            id=row.id,
            name=row.name,
            kind=OrganizationKind(row.kind),
            level=Level(row.level) if row.level else None,
            organization_number=row.organization_number,
            her_id=row.her_id,
            created_at=row.created_at,
        )


class TokenCreate(Input):
    name: Name = Field(description="What uses it, e.g. 'DIPS integration'")
    scope: Scope = Field(
        description="read (integrations), edit (editors), admin (its own organisation's "
        "tokens); operator tokens are issued from the console only (403 here)"
    )


class TokenRead(BaseModel):
    id: int
    organization_id: int
    name: str
    scope: Scope
    prefix: str = Field(description="The first characters of the token, to recognise it by")
    created_at: datetime
    revoked_at: datetime | None

    @classmethod
    def of(cls, row: orm.Token) -> TokenRead:
        return cls(
            id=row.id,
            organization_id=row.organization_id,
            name=row.name,
            scope=Scope(row.scope),
            prefix=row.prefix,
            created_at=row.created_at,
            revoked_at=row.revoked_at,
        )


class TokenCreated(TokenRead):
    token: str = Field(description="The bearer token. It is shown this once and never again.")


class MeRead(BaseModel):
    organization: OrganizationRead
    level: Level | None
    kind: OrganizationKind
    scope: Scope
    token_name: str
