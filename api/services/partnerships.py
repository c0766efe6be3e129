"""Partnerships (helsefellesskap): members, the agreement's defaults, the overview.

Who may do what:

* every authenticated client reads partnerships and their members (who is in which
  helsefellesskap is public);
* the operator, or a secretariat organisation's ``edit`` token, creates one (the
  secretariat becomes its first member);
* the partnership's secretariat (its members of kind ``secretariat``, with ``edit``
  tokens) and the operator change its name, defaults and policy, and add members;
* a member leaves by itself, or the secretariat removes it; any other member gets 403;
* the secretariat and the operator read the overview (it shows every pathway's status,
  drafts' too, and who has yet to approve); a member sees its pathways in ``GET
  /pathways``.

A change of the policy changes how each of the partnership's pathways is approved, and a
change of the agreement's rules may change the rules in force of some: each such pathway
gets a new revision and a history entry, which voids approvals of the revision before,
like any change. A new name or deciding body changes no pathway (a pathway shows its
partnership's id and policy, not its name).

Locks: a partnership first, then pathways (``PartnershipRepository.get``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.errors import Conflict, Forbidden, NotFound, RuleViolation
from api.services.approvals import policy_of, state_of
from api.services.auth import Client, Scope
from api.services.catalogue import is_overdue, today
from api.services.editing import check_if_match, record_change, record_event
from db import models as orm
from db.repositories.organizations import OrganizationRepository
from db.repositories.partnerships import PartnershipRepository, agreement_of
from db.repositories.pathways import PathwayRepository, rules_of
from db.repositories.versions import VersionRepository
from db.types import utcnow
from pathways.agreement import rules_in_force
from pathways.approval import ApprovalPolicy
from pathways.document import rules_dict
from pathways.errors import Bilingual, InvalidPathway
from pathways.gaps import validate_rule_settings
from pathways.limits import Limits
from pathways.model import RuleSettings
from pathways.roles import OrganizationKind

__all__ = [
    "Overview",
    "OverviewPathway",
    "PartnershipView",
    "add_member",
    "create_partnership",
    "get_partnership",
    "list_partnerships",
    "overview",
    "remove_member",
    "update_partnership",
]


@dataclass(frozen=True, slots=True)
class PartnershipView:
    row: orm.Partnership
    members: list[tuple[orm.PartnershipMember, orm.Organization]]

    @property
    def agreement(self) -> RuleSettings:
        return agreement_of(self.row)


def _not_found(partnership_id: int) -> NotFound:
    return NotFound(
        Bilingual(
            f"there is no partnership {partnership_id}",
            f"Helsefellesskap {partnership_id} finnes ikke.",
        )
    )


def _view(session: Session, row: orm.Partnership) -> PartnershipView:
    return PartnershipView(row, PartnershipRepository(session).members(row.id))


def _is_operator(client: Client) -> bool:
    return client.allows(Scope.OPERATOR)


def _require_secretariat(
    session: Session, client: Client, row: orm.Partnership, act: Bilingual
) -> None:
    """The partnership's secretariat (with an edit token) or the operator."""
    if _is_operator(client):
        return
    if not PartnershipRepository(session).is_secretariat(row.id, client.organization_id):
        raise Forbidden(
            Bilingual(
                f"{act.en} is for the secretariat of {row.name}",
                f"Bare sekretariatet i {row.name} kan {act.nb}.",
            )
        )
    client.require(Scope.EDIT, act)


def _check_rules(rules: RuleSettings) -> None:
    violations = validate_rule_settings(rules)
    if violations:
        raise InvalidPathway(violations)


def create_partnership(
    session: Session,
    *,
    client: Client,
    name: str,
    rules: RuleSettings,
    approval_policy: ApprovalPolicy,
    decision_body: str,
    hearing_required: bool = False,
) -> PartnershipView:
    """A new partnership; a secretariat creating it becomes its first member."""
    if not _is_operator(client):
        if client.kind is not OrganizationKind.SECRETARIAT:
            raise Forbidden(
                Bilingual(
                    "a partnership is created by its secretariat (an organisation of kind "
                    "secretariat) or the operator",
                    "Et helsefellesskap opprettes av sekretariatet sitt (en organisasjon av "
                    "typen secretariat) eller av driftsoperatøren.",
                )
            )
        client.require(
            Scope.EDIT, Bilingual("creating a partnership", "opprette et helsefellesskap")
        )
    _check_rules(rules)
    repository = PartnershipRepository(session)
    if repository.get_by_name(name) is not None:
        raise Conflict(
            Bilingual(
                f"a partnership named {name!r} already exists",
                f"Det finnes allerede et helsefellesskap som heter «{name}».",
            )
        )
    row = repository.add(
        name=name,
        rules=rules_dict(rules),
        approval_policy=approval_policy.value,
        decision_body=decision_body,
        hearing_required=hearing_required,
    )
    if client.kind is OrganizationKind.SECRETARIAT:
        repository.add_member(row.id, client.organization_id)
    return _view(session, row)


def get_partnership(session: Session, partnership_id: int) -> PartnershipView:
    row = PartnershipRepository(session).get(partnership_id)
    if row is None:
        raise _not_found(partnership_id)
    return _view(session, row)


def list_partnerships(
    session: Session, *, member_id: int | None, limit: int, offset: int
) -> tuple[list[PartnershipView], int]:
    repository = PartnershipRepository(session)
    rows, total = repository.page(member_id=member_id, limit=limit, offset=offset)
    members = repository.members_of(row.id for row in rows)
    return [PartnershipView(row, members[row.id]) for row in rows], total


def _begin(session: Session, partnership_id: int, if_match: str | None) -> orm.Partnership:
    """The partnership, locked, at the revision ``If-Match`` names."""
    row = PartnershipRepository(session).get(partnership_id, for_update=True)
    if row is None:
        raise _not_found(partnership_id)
    check_if_match(if_match, row.revision)
    return row


def _bump(row: orm.Partnership) -> None:
    row.revision += 1
    row.updated_at = utcnow()


def update_partnership(
    session: Session,
    *,
    client: Client,
    partnership_id: int,
    if_match: str | None,
    changes: dict[str, Any],
) -> PartnershipView:
    """Change the name, the agreement's rules, the policy (and whether it requires a
    hearing) or the deciding body."""
    row = PartnershipRepository(session).get(partnership_id)
    if row is None:
        raise _not_found(partnership_id)
    _require_secretariat(
        session, client, row, Bilingual("changing a partnership", "endre helsefellesskapet")
    )
    row = _begin(session, partnership_id, if_match)
    before: dict[str, Any] = {
        "name": row.name,
        "rules": row.rules,
        "approval_policy": row.approval_policy,
        "decision_body": row.decision_body,
        "hearing_required": row.hearing_required,
    }
    after = dict(before)
    if "name" in changes:
        other = PartnershipRepository(session).get_by_name(changes["name"])
        if other is not None and other.id != row.id:
            raise Conflict(
                Bilingual(
                    f"a partnership named {changes['name']!r} already exists",
                    f"Det finnes allerede et helsefellesskap som heter «{changes['name']}».",
                )
            )
        after["name"] = changes["name"]
    if "rules" in changes:
        _check_rules(changes["rules"])
        after["rules"] = rules_dict(changes["rules"])
    if "approval_policy" in changes:
        after["approval_policy"] = ApprovalPolicy(changes["approval_policy"]).value
    if "decision_body" in changes:
        after["decision_body"] = changes["decision_body"]
    if "hearing_required" in changes:
        after["hearing_required"] = bool(changes["hearing_required"])
    differences = {
        name: {"from": before[name], "to": after[name]}
        for name in before
        if before[name] != after[name]
    }
    if differences:
        agreement_before = agreement_of(row)
        row.name, row.rules = after["name"], after["rules"]
        row.approval_policy, row.decision_body = after["approval_policy"], after["decision_body"]
        row.hearing_required = after["hearing_required"]
        _bump(row)
        _touch_pathways(session, client, row, differences, agreement_before)
    return _view(session, row)


def _touch_pathways(
    session: Session,
    client: Client,
    row: orm.Partnership,
    differences: dict[str, Any],
    agreement_before: RuleSettings,
) -> None:
    """Give each pathway the change concerns a new revision recording what changed: all
    of them for a new policy (or a hearing required or no longer), those whose rules in
    force change for new rules."""
    concerning: dict[str, Any] = {
        name: differences[name]
        for name in ("approval_policy", "hearing_required", "rules")
        if name in differences
    }
    if not concerning:
        return
    pathways = PathwayRepository(session)
    agreement = agreement_of(row)
    for pathway_id in PartnershipRepository(session).pathway_ids(row.id):
        pathway = pathways.get(pathway_id, for_update=True)
        if pathway is None:
            continue
        own = rules_of(pathway)
        if concerning.keys() == {"rules"} and rules_in_force(
            agreement_before, own
        ) == rules_in_force(agreement, own):
            continue
        record_change(
            session,
            client=client,
            row=pathway,
            action="partnership.update",
            summary=f"The agreement of {row.name} changed: " + ", ".join(concerning),
            changes={"partnership_id": row.id, **concerning},
        )


def add_member(
    session: Session,
    *,
    client: Client,
    partnership_id: int,
    organization_id: int,
    if_match: str | None,
    limits: Limits,
) -> tuple[PartnershipView, bool]:
    """Add the organisation (the secretariat or the operator); whether it was added now."""
    row = PartnershipRepository(session).get(partnership_id)
    if row is None:
        raise _not_found(partnership_id)
    _require_secretariat(
        session,
        client,
        row,
        Bilingual("adding a member to a partnership", "legge til medlemmer i helsefellesskapet"),
    )
    row = _begin(session, partnership_id, if_match)
    organization = OrganizationRepository(session).get(organization_id)
    if organization is None:
        raise NotFound(
            Bilingual(
                f"there is no organisation {organization_id}",
                f"Organisasjon {organization_id} finnes ikke.",
            )
        )
    repository = PartnershipRepository(session)
    if repository.is_member(row.id, organization_id):
        return _view(session, row), False
    if repository.member_count(row.id) >= limits.max_partnership_members:
        problem = Bilingual(
            f"a partnership has at most {limits.max_partnership_members} members",
            f"Et helsefellesskap har høyst {limits.max_partnership_members} medlemmer.",
        )
        raise RuleViolation(
            problem,
            errors=[{"loc": ["path", "organization_id"], "pointer": None, "detail": problem}],
        )
    repository.add_member(row.id, organization_id)
    _bump(row)
    _secretariat_changed(session, client, row, organization, joined=True)
    return _view(session, row), True


def remove_member(
    session: Session,
    *,
    client: Client,
    partnership_id: int,
    organization_id: int,
    if_match: str | None,
) -> int:
    """A member leaves, or the secretariat (or the operator) removes it; the revision."""
    row = PartnershipRepository(session).get(partnership_id)
    if row is None:
        raise _not_found(partnership_id)
    repository = PartnershipRepository(session)
    if organization_id == client.organization_id:
        client.require(Scope.EDIT, Bilingual("leaving a partnership", "forlate helsefellesskapet"))
    else:
        _require_secretariat(
            session, client, row, Bilingual("removing another member", "fjerne et annet medlem")
        )
    row = _begin(session, partnership_id, if_match)
    if not repository.is_member(row.id, organization_id):
        raise NotFound(
            Bilingual(
                f"organisation {organization_id} is not a member of {row.name}",
                f"Organisasjon {organization_id} er ikke medlem av {row.name}.",
            )
        )
    secretariats = [
        organization.id
        for _, organization in repository.members(row.id)
        if organization.kind == OrganizationKind.SECRETARIAT
    ]
    if secretariats == [organization_id] and not _is_operator(client):
        raise Conflict(
            Bilingual(
                f"the last secretariat of {row.name} cannot leave it; add another secretariat "
                "first, or ask the operator",
                f"Det siste sekretariatet i {row.name} kan ikke forlate det. Legg først til et "
                "annet sekretariat, eller spør driftsoperatøren.",
            )
        )
    repository.remove_member(row.id, organization_id)
    _bump(row)
    organization = OrganizationRepository(session).get(organization_id)
    assert organization is not None
    _secretariat_changed(session, client, row, organization, joined=False)
    return row.revision


def _secretariat_changed(
    session: Session,
    client: Client,
    row: orm.Partnership,
    organization: orm.Organization,
    *,
    joined: bool,
) -> None:
    """A secretariat joining or leaving the partnership gains or loses the secretariat
    role on each of its pathways: each pathway's history says so (no new revision: the
    pathway's representation and approvals do not change)."""
    if organization.kind != OrganizationKind.SECRETARIAT:
        return
    pathways = PathwayRepository(session)
    summary = (
        f"{organization.name} joined {row.name} and holds its secretariat role here"
        if joined
        else f"{organization.name} left {row.name} and no longer holds its secretariat role"
    )
    for pathway_id in PartnershipRepository(session).pathway_ids(row.id):
        pathway = pathways.get(pathway_id)
        if pathway is None:
            continue
        record_event(
            session,
            client=client,
            row=pathway,
            action="secretariat.join" if joined else "secretariat.leave",
            summary=summary,
            changes={
                "partnership_id": row.id,
                "organization_id": organization.id,
                "name": organization.name,
            },
        )


# -- the secretariat's overview ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OverviewPathway:
    row: orm.Pathway
    status: str
    latest_version: int | None
    overdue: bool
    pending: list[orm.Organization]
    """Editors that have not approved the current revision (none once it is approved)."""
    adopted: list[tuple[orm.Organization, int]]
    """Each editor and the newest version it approved itself."""


@dataclass(frozen=True, slots=True)
class Overview:
    partnership: orm.Partnership
    policy: ApprovalPolicy
    by_status: dict[str, int]
    overdue: int
    pending: list[tuple[orm.Organization, int]]
    """Each organisation with pathways awaiting its approval, and how many, most first."""
    pathways: list[OverviewPathway]
    """One page of the partnership's pathways, by id."""
    total: int


def overview(
    session: Session, *, client: Client, partnership_id: int, limit: int, offset: int
) -> Overview:
    """The partnership's pathways by status, overdue reviews, approvals pending per
    organisation and which organisation adopted which version (the secretariat and the
    operator)."""
    repository = PartnershipRepository(session)
    partnership = repository.get(partnership_id)
    if partnership is None:
        raise _not_found(partnership_id)
    if not _is_operator(client) and not repository.is_secretariat(
        partnership_id, client.organization_id
    ):
        raise Forbidden(
            Bilingual(
                f"the overview of {partnership.name} is for its secretariat: it shows drafts; "
                "a member lists the pathways it takes part in with GET /pathways",
                f"Oversikten over {partnership.name} er for sekretariatet, fordi den viser "
                "utkast. Et medlem finner forløpene det deltar i med GET /pathways.",
            )
        )
    rows = list(
        session.scalars(
            select(orm.Pathway)
            .where(orm.Pathway.partnership_id == partnership_id)
            .order_by(orm.Pathway.id)
        )
    )
    ids = [row.id for row in rows]
    pathways = PathwayRepository(session)
    versions = VersionRepository(session)
    participants = pathways.participants_of(ids)
    approvals = versions.current_approvals(rows)
    decisions = versions.current_decisions(rows)
    latest = versions.latest_of(ids)
    adopted = _adopted(session, ids)
    policy = policy_of(partnership)
    on = today()
    organizations = {o.id: o for each in participants.values() for _, o in each}
    entries = []
    for row in rows:
        version = latest.get(row.id)
        status = (
            "draft" if version is None else "approved" if version[1] == row.revision else "changed"
        )
        state = state_of(policy, participants[row.id], approvals[row.id], decisions.get(row.id))
        pending = [] if status == "approved" else [organizations[i] for i in state.pending]
        entries.append(
            OverviewPathway(
                row=row,
                status=status,
                latest_version=version[0] if version else None,
                overdue=is_overdue(row.review_due, on),
                pending=pending,
                adopted=[
                    (organizations[org], number)
                    for org, number in adopted.get(row.id, {}).items()
                    if org in organizations
                ],
            )
        )
    waiting = Counter(o.id for entry in entries for o in entry.pending)
    return Overview(
        partnership=partnership,
        policy=policy,
        by_status=dict(Counter(entry.status for entry in entries)),
        overdue=sum(entry.overdue for entry in entries),
        pending=[(organizations[org], count) for org, count in waiting.most_common()],
        pathways=entries[offset : offset + limit],
        total=len(entries),
    )


def _adopted(session: Session, pathway_ids: list[int]) -> dict[int, dict[int, int]]:
    """Per pathway, each organisation's newest version among those it approved."""
    found: dict[int, dict[int, int]] = {}
    if not pathway_ids:
        return found
    rows = session.execute(
        select(orm.Version.pathway_id, orm.Version.number, orm.Version.approvals)
        .where(orm.Version.pathway_id.in_(pathway_ids))
        .order_by(orm.Version.pathway_id, orm.Version.number)
    )
    for pathway_id, number, approvals in rows:
        for approval in approvals:
            found.setdefault(pathway_id, {})[int(approval["organization_id"])] = number
    return found
