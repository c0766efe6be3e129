"""Demo data: one hospital trust, one municipality, the hip-fracture pathway, tokens.

Idempotent: running it again creates no second organisation or pathway. Tokens are shown
once only, so each run revokes the previous demo tokens (every unrevoked token of a demo
organisation named ``demo editor`` or ``demo operator``) and issues fresh ones: an
``edit`` token for each organisation and an ``operator`` token for the hospital.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.resources import files

from sqlalchemy.orm import Session

from api.services.auth import Client, Scope
from api.services.editing import etag
from api.services.organizations import create_organization, create_token
from api.services.participants import add_participant
from api.services.pathways import import_pathway
from db.repositories.organizations import OrganizationRepository
from db.repositories.pathways import PathwayRepository
from db.repositories.tokens import TokenRepository
from db.types import utcnow
from pathways.document import parse_document
from pathways.limits import Limits
from pathways.model import Level

__all__ = ["DEMO_ORGANIZATIONS", "DemoToken", "load_demo"]

DEMO_ORGANIZATIONS = (
    ("Helse Fjordvik HF", Level.HOSPITAL, "983974880", "81234"),
    ("Fjordvik kommune", Level.MUNICIPALITY, "964338531", "85678"),
)
EXAMPLE = "hip-fracture.json"


@dataclass(frozen=True, slots=True)
class DemoToken:
    organization: str
    level: Level
    scope: Scope
    name: str
    token: str


def _token(session: Session, organization_id: int, name: str, scope: Scope, limits: Limits) -> str:
    tokens = TokenRepository(session)
    for old in tokens.active_named(organization_id=organization_id, name=name):
        tokens.revoke(old, at=utcnow())
    _, secret = create_token(
        session,
        client=None,
        organization_id=organization_id,
        name=name,
        scope=scope,
        limits=limits,
    )
    return secret


def load_demo(session: Session, *, limits: Limits) -> tuple[int, list[DemoToken]]:
    """Load the demo data; return the demo pathway's id and fresh tokens."""
    organizations = OrganizationRepository(session)
    rows = []
    for name, level, number, her_id in DEMO_ORGANIZATIONS:
        row = organizations.get_by_name(name) or create_organization(
            session,
            client=None,
            name=name,
            level=level,
            organization_number=number,
            her_id=her_id,
            limits=limits,
        )
        rows.append(row)
    hospital, municipality = rows
    raw = files("pathways.examples").joinpath(EXAMPLE).read_bytes()
    example = parse_document(raw, limits=limits)
    pathways = PathwayRepository(session)
    existing, _ = pathways.list_for(
        viewer_id=hospital.id,
        participant_id=municipality.id,
        text=example.info.title,
        limit=1,
        offset=0,
    )
    if existing:
        pathway_id = existing[0].id
    else:
        loader = Client(
            token_id=None,
            token_name="pathways demo",  # noqa: S106 (a label, not a secret)
            scope=Scope.EDIT,
            organization_id=hospital.id,
            organization_name=hospital.name,
            level=Level.HOSPITAL,
        )
        view = import_pathway(session, client=loader, pathway=example, limits=limits)
        pathway_id = view.row.id
        add_participant(
            session,
            client=loader,
            pathway_id=pathway_id,
            organization_id=municipality.id,
            if_match=etag(view.row.revision),
        )
    tokens = [
        DemoToken(
            row.name,
            Level(row.level),
            Scope.EDIT,
            "demo editor",
            _token(session, row.id, "demo editor", Scope.EDIT, limits),
        )
        for row in rows
    ]
    tokens.append(
        DemoToken(
            hospital.name,
            Level.HOSPITAL,
            Scope.OPERATOR,
            "demo operator",
            _token(session, hospital.id, "demo operator", Scope.OPERATOR, limits),
        )
    )
    return pathway_id, tokens
