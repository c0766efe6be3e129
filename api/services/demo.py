"""Demo data: a partnership (helsefellesskap) with one hospital trust, three
municipalities, its secretariat and a user committee; the hip-fracture pathway; tokens.

The partnership adopts pathways by decision: an editor of each level approves, and the
secretariat records the decision of the strategisk samarbeidsutvalg. The hospital and the
three municipalities edit the demo pathway; the user committee comments on it.

Idempotent: running it again creates no second organisation, partnership or pathway.
Tokens are shown once only, so each run revokes the previous demo tokens (every
unrevoked token of a demo organisation named ``demo editor`` or ``demo operator``) and
issues fresh ones: an ``edit`` token for each organisation and an ``operator`` token for
the hospital.
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
from db import models as orm
from db.repositories.organizations import OrganizationRepository
from db.repositories.partnerships import PartnershipRepository
from db.repositories.pathways import PathwayRepository
from db.repositories.tokens import TokenRepository
from db.types import utcnow
from pathways.approval import ApprovalPolicy
from pathways.document import parse_document, rules_dict
from pathways.limits import Limits
from pathways.model import Level, RuleSettings
from pathways.roles import OrganizationKind

__all__ = ["DEMO_ORGANIZATIONS", "DEMO_PARTNERSHIP", "Demo", "DemoToken", "load_demo"]

_CARE = OrganizationKind.CARE_PROVIDER
DEMO_ORGANIZATIONS: tuple[tuple[str, OrganizationKind, Level | None, str, str], ...] = (
    ("Helse Fjordvik HF", _CARE, Level.HOSPITAL, "983974880", "81234"),
    ("Fjordvik kommune", _CARE, Level.MUNICIPALITY, "964338531", "85678"),
    ("Nordvik kommune", _CARE, Level.MUNICIPALITY, "964338532", "85679"),
    ("Sørvik kommune", _CARE, Level.MUNICIPALITY, "964338533", "85680"),
    ("Sekretariatet for Helsefellesskapet Fjordvik", OrganizationKind.SECRETARIAT, None, "", ""),
    ("Brukerutvalget i Helse Fjordvik", OrganizationKind.USER_REPRESENTATIVES, None, "", ""),
)
DEMO_PARTNERSHIP = "Helsefellesskapet Fjordvik"
DECIDING_BODY = "Strategisk samarbeidsutvalg"
EXAMPLE = "hip-fracture.json"


@dataclass(frozen=True, slots=True)
class DemoToken:
    organization: str
    described: str
    """Its level, or its kind without one."""
    scope: Scope
    name: str
    token: str


@dataclass(frozen=True, slots=True)
class Demo:
    partnership_id: int
    pathway_id: int
    tokens: list[DemoToken]


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


def _organizations(session: Session, limits: Limits) -> list[orm.Organization]:
    repository = OrganizationRepository(session)
    return [
        repository.get_by_name(name)
        or create_organization(
            session,
            client=None,
            name=name,
            kind=kind,
            level=level,
            organization_number=number or None,
            her_id=her_id or None,
            limits=limits,
        )
        for name, kind, level, number, her_id in DEMO_ORGANIZATIONS
    ]


def _partnership(session: Session, members: list[orm.Organization]) -> orm.Partnership:
    repository = PartnershipRepository(session)
    row = repository.get_by_name(DEMO_PARTNERSHIP)
    if row is None:
        row = repository.add(
            name=DEMO_PARTNERSHIP,
            rules=rules_dict(RuleSettings()),
            approval_policy=ApprovalPolicy.DECISION.value,
            decision_body=DECIDING_BODY,
        )
    for member in members:
        if not repository.is_member(row.id, member.id):
            repository.add_member(row.id, member.id)
    return row


def load_demo(session: Session, *, limits: Limits) -> Demo:
    """Load the demo data; return the partnership's and the pathway's ids, and fresh
    tokens."""
    rows = _organizations(session, limits)
    hospital, municipality, *others = rows
    partnership = _partnership(session, rows)
    raw = files("pathways.examples").joinpath(EXAMPLE).read_bytes()
    example = parse_document(raw, limits=limits)
    existing, _ = PathwayRepository(session).list_for(
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
        view = import_pathway(
            session, client=loader, pathway=example, partnership_id=partnership.id, limits=limits
        )
        pathway_id, revision = view.row.id, view.row.revision
        for other in (municipality, *others):
            if other.kind == OrganizationKind.SECRETARIAT:
                continue  # the partnership's secretariat takes part through it
            added, _ = add_participant(
                session,
                client=loader,
                pathway_id=pathway_id,
                organization_id=other.id,
                role=None,
                if_match=etag(revision),
            )
            revision = added.row.revision
    tokens = [
        DemoToken(
            row.name,
            row.level or row.kind,
            Scope.EDIT,
            "demo editor",
            _token(session, row.id, "demo editor", Scope.EDIT, limits),
        )
        for row in rows
    ]
    tokens.append(
        DemoToken(
            hospital.name,
            Level.HOSPITAL.value,
            Scope.OPERATOR,
            "demo operator",
            _token(session, hospital.id, "demo operator", Scope.OPERATOR, limits),
        )
    )
    return Demo(partnership.id, pathway_id, tokens)
