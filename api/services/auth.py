"""Bearer tokens: issuing, authenticating, and what a token's scope allows.

A token is ``htt_`` and 43 URL-safe characters (256 random bits). Only its SHA-256 is
stored, with the first 12 characters as a prefix to recognise it by in listings.

Scopes rank ``read < edit < admin < operator``. ``admin`` manages the tokens of its own
organisation; ``operator`` manages every organisation and every token, and is issued
from the console only.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy.orm import Session

from api.errors import Forbidden, Unauthorized
from db import models as orm
from db.repositories.tokens import TokenRepository
from pathways.errors import Bilingual
from pathways.model import Level
from pathways.roles import OrganizationKind

__all__ = ["NO_TOKEN", "Client", "Scope", "authenticate", "hash_token", "issue_token"]

NO_TOKEN = Bilingual(
    "send a bearer token: 'Authorization: Bearer <token>'",
    "Forespørselen mangler tilgangstoken. Send det slik: «Authorization: Bearer <token>».",
)
"""What a request without a token is told (401)."""

TOKEN_PREFIX = "htt_"  # noqa: S105 (a marker that helps secret scanners, not a secret)
_PREFIX_LENGTH = 12
_TOKEN_MAX_LENGTH = 200


class Scope(StrEnum):
    """What a token may do; each scope includes the ones before it."""

    READ = "read"
    EDIT = "edit"
    ADMIN = "admin"
    """Manages the tokens of its own organisation."""
    OPERATOR = "operator"
    """Manages every organisation and every token; issued from the console only."""

    @property
    def rank(self) -> int:
        return list(Scope).index(self)


@dataclass(frozen=True, slots=True)
class Client:
    """The caller: a token and the organisation it belongs to."""

    token_id: int | None
    """``None`` for the console, which acts as the operator."""
    token_name: str
    scope: Scope
    organization_id: int
    organization_name: str
    level: Level | None
    """The organisation's care level; None for a secretariat or user representatives."""
    kind: OrganizationKind = OrganizationKind.CARE_PROVIDER

    @property
    def described(self) -> str:
        """The organisation and its level or kind, e.g. "Fjordvik kommune (municipality)"."""
        return f"{self.organization_name} ({(self.level or self.kind).value})"

    def allows(self, scope: Scope) -> bool:
        return self.scope.rank >= scope.rank

    def require(self, scope: Scope, action: Bilingual) -> None:
        """:class:`Forbidden` unless the token allows ``scope``; ``action`` is what it is
        for, in English as a gerund and in bokmål as an infinitive (``opprette et forløp``)."""
        if not self.allows(scope):
            raise Forbidden(
                Bilingual(
                    f"this token has the {self.scope.value!r} scope; {action.en} needs "
                    f"{scope.value!r}",
                    f"Tilgangstokenet har tilgangsnivået «{self.scope.value}». For å "
                    f"{action.nb} trengs tilgangsnivået «{scope.value}».",
                )
            )


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(
    session: Session, *, organization_id: int, name: str, scope: Scope
) -> tuple[orm.Token, str]:
    """Create a token; return its row and the secret, which is never stored or shown again."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = TokenRepository(session).add(
        organization_id=organization_id,
        name=name,
        scope=scope.value,
        prefix=secret[:_PREFIX_LENGTH],
        secret_hash=hash_token(secret),
    )
    return row, secret


def authenticate(session: Session, token: str | None) -> Client:
    """The client presenting ``token``; :class:`Unauthorized` if it is unknown or revoked."""
    if not token:
        raise Unauthorized(NO_TOKEN)
    if len(token) > _TOKEN_MAX_LENGTH or not token.startswith(TOKEN_PREFIX):
        raise Unauthorized(
            Bilingual("the bearer token is not valid", "Tilgangstokenet er ikke gyldig.")
        )
    found = TokenRepository(session).find_active(hash_token(token))
    if found is None:
        raise Unauthorized(
            Bilingual(
                "the bearer token is unknown or has been revoked",
                "Tilgangstokenet er ukjent eller trukket tilbake.",
            )
        )
    row, organization = found
    return Client(
        token_id=row.id,
        token_name=row.name,
        scope=Scope(row.scope),
        organization_id=organization.id,
        organization_name=organization.name,
        level=Level(organization.level) if organization.level else None,
        kind=OrganizationKind(organization.kind),
    )
