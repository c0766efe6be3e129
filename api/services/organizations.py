"""Organisations and their tokens.

Who may do what, each rule in one function below:

* organisations are registered by the operator (an ``operator`` token or the console):
  :func:`_require_operator`;
* an organisation's tokens are issued, listed and revoked by its own ``admin`` tokens
  and by the operator (every organisation's): :func:`_manages_tokens_of`. Organisations
  are listed to every client, so a refusal about one is 403; a token the client may not
  manage is one it may not see, so revoking it is 404 like a token that does not exist;
* ``operator`` tokens are issued from the console only, never over HTTP:
  :func:`_require_issuable`; no token issues or revokes one above its own scope (403).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from api.errors import Conflict, Forbidden, NotFound, RuleViolation, Unprocessable
from api.services.auth import Client, Scope, issue_token
from db import models as orm
from db.repositories.organizations import OrganizationRepository
from db.repositories.tokens import TokenRepository
from db.types import utcnow
from pathways.errors import Bilingual, Violation
from pathways.limits import Limits
from pathways.model import Level
from pathways.roles import OrganizationKind, kind_problem
from pathways.text import text_violations

__all__ = [
    "create_organization",
    "create_token",
    "get_organization",
    "list_organizations",
    "list_tokens",
    "revoke_token",
]


def _require_operator(client: Client | None, action: Bilingual) -> None:
    """Organisations are the operator's: an ``operator`` token, or the console (None)."""
    if client is not None:
        client.require(Scope.OPERATOR, action)


def _manages_tokens_of(client: Client | None, organization_id: int) -> bool:
    """Whose tokens ``client`` issues, lists and revokes: the console's and an ``operator``
    token's, every organisation's; an ``admin`` token's, its own organisation's."""
    if client is None or client.allows(Scope.OPERATOR):
        return True
    return client.allows(Scope.ADMIN) and client.organization_id == organization_id


def _require_token_manager(client: Client | None, organization_id: int, action: Bilingual) -> None:
    """403 unless ``client`` manages the tokens of ``organization_id`` (organisations are
    public: the refusal reveals nothing)."""
    if client is None:
        return
    client.require(Scope.ADMIN, action)
    if not _manages_tokens_of(client, organization_id):
        raise Forbidden(
            Bilingual(
                f"an 'admin' token manages the tokens of its own organisation only; "
                f"{action.en} for organisation {organization_id} needs the 'operator' scope",
                "Et tilgangstoken med tilgangsnivået «admin» forvalter bare tokenene til sin "
                f"egen organisasjon. For å {action.nb} for organisasjon {organization_id} "
                "trengs tilgangsnivået «operator».",
            )
        )


def _require_issuable(client: Client | None, scope: Scope) -> None:
    """No token issues one above its own scope, and ``operator`` tokens are the
    console's alone: an HTTP client asking for one gets 403."""
    if client is None:
        return
    if scope is Scope.OPERATOR:
        raise Forbidden(
            Bilingual(
                "'operator' tokens are issued from the console only: "
                "pathways token create --org ID --scope operator --name NAME",
                "Tilgangstokener med tilgangsnivået «operator» utstedes bare fra konsollen: "
                "pathways token create --org ID --scope operator --name NAVN",
            )
        )
    client.require(
        scope,
        Bilingual(
            f"issuing a {scope.value!r} token",
            f"utstede et tilgangstoken med tilgangsnivået «{scope.value}»",
        ),
    )


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
            Bilingual(
                f"{violations[0].loc[0]}: {violations[0].message}",
                f"Feltet {violations[0].loc[0]} har en ugyldig verdi"
                + (f", og det er {len(violations) - 1} feil til." if len(violations) > 1 else "."),
            ),
            errors=[
                {"loc": ["body", *v.loc], "pointer": f"#/{v.loc[0]}", "detail": v.text}
                for v in violations
            ],
        )


def create_organization(
    session: Session,
    *,
    client: Client | None,
    name: str,
    level: Level | None,
    kind: OrganizationKind = OrganizationKind.CARE_PROVIDER,
    organization_number: str | None,
    her_id: str | None,
    limits: Limits,
) -> orm.Organization:
    """Create an organisation: a care provider with a ``level``, or a secretariat or
    user representatives without one. ``client`` is ``None`` for the console."""
    _require_operator(client, Bilingual("registering organisations", "registrere organisasjoner"))
    _check_text({"name": name}, limits)
    problem = kind_problem(kind, level)
    if problem is not None:
        raise RuleViolation.in_body(problem, "level")
    repository = OrganizationRepository(session)
    if repository.get_by_name(name) is not None:
        raise Conflict(
            Bilingual(
                f"an organisation named {name!r} already exists",
                f"Det finnes allerede en organisasjon som heter «{name}».",
            )
        )
    return repository.add(
        name=name,
        kind=kind.value,
        level=level.value if level else None,
        organization_number=organization_number,
        her_id=her_id,
    )


def get_organization(session: Session, organization_id: int) -> orm.Organization:
    row = OrganizationRepository(session).get(organization_id)
    if row is None:
        raise NotFound(
            Bilingual(
                f"there is no organisation {organization_id}",
                f"Organisasjon {organization_id} finnes ikke.",
            )
        )
    return row


def list_organizations(
    session: Session,
    *,
    level: Level | None,
    kind: OrganizationKind | None = None,
    limit: int,
    offset: int,
) -> tuple[list[orm.Organization], int]:
    return OrganizationRepository(session).page(
        level=level.value if level else None,
        kind=kind.value if kind else None,
        limit=limit,
        offset=offset,
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
    """Issue a token for an organisation; return its row and the secret (shown once).

    ``client`` is ``None`` for the console, which issues every scope, ``operator`` too.
    """
    _require_token_manager(
        client, organization_id, Bilingual("issuing tokens", "utstede tilgangstokener")
    )
    _require_issuable(client, scope)
    get_organization(session, organization_id)
    _check_text({"name": name}, limits)
    return issue_token(session, organization_id=organization_id, name=name, scope=scope)


def list_tokens(
    session: Session,
    *,
    client: Client | None,
    organization_id: int,
    limit: int | None,
    offset: int = 0,
) -> tuple[list[orm.Token], int]:
    """The organisation's tokens, revoked ones too, oldest first (``limit`` None: all)."""
    _require_token_manager(
        client, organization_id, Bilingual("listing tokens", "liste opp tilgangstokener")
    )
    get_organization(session, organization_id)
    return TokenRepository(session).page(
        organization_id=organization_id, limit=limit, offset=offset
    )


def revoke_token(session: Session, *, client: Client | None, token_id: int) -> orm.Token:
    """Revoke a token (harmless when it is revoked already); ``client`` None: the console.

    A token ``client`` does not manage is one it cannot see: 404, as for none at all.
    """
    if client is not None:
        client.require(Scope.ADMIN, Bilingual("revoking tokens", "trekke tilbake tilgangstokener"))
    repository = TokenRepository(session)
    row = repository.get(token_id)
    if row is None or not _manages_tokens_of(client, row.organization_id):
        raise NotFound(
            Bilingual(f"there is no token {token_id}", f"Tilgangstoken {token_id} finnes ikke.")
        )
    if client is not None:
        client.require(
            Scope(row.scope),
            Bilingual(
                f"revoking a {row.scope!r} token",
                f"trekke tilbake et tilgangstoken med tilgangsnivået «{row.scope}»",
            ),
        )
    if row.revoked_at is None:
        repository.revoke(row, at=utcnow())
    return row
