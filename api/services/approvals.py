"""Approvals and decisions: a revision becomes a version when its approval policy is
met (``pathways.approval``) and it has no error-level gaps.

The policy is the pathway's partnership's (``one_per_level`` outside a partnership).
Editors approve; under the ``decision`` policy the secretariat also records the named
body's decision. Either may come first: the one that completes the policy creates the
version, which records who adopted it, under which policy and by which decision.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from api.errors import Conflict, RuleViolation
from api.services.auth import Client
from api.services.editing import begin_edit, record_event
from api.services.hearings import hearing_problem
from api.services.notifications import notify, pathway_audience
from db import models as orm
from db.repositories.pathways import PathwayRepository
from db.repositories.versions import VersionRepository
from db.types import utcnow
from pathways.approval import ApprovalPolicy, ApprovalState, approval_state
from pathways.checklists import handover_transitions
from pathways.document import dump_document
from pathways.errors import Bilingual
from pathways.events import EventType
from pathways.findings import Severity
from pathways.gaps import find_gaps
from pathways.model import Level, Pathway
from pathways.roles import Act, Role
from pathways.wording import date_text

__all__ = [
    "ApprovalOutcome",
    "DecisionOutcome",
    "approve",
    "editors_of",
    "policy_of",
    "record_decision",
    "state_of",
]


@dataclass(frozen=True, slots=True)
class ApprovalOutcome:
    approval: orm.Approval
    created: bool
    """False when this organisation had already approved this revision."""
    approvals: list[orm.Approval]
    """All approvals of this revision."""
    state: ApprovalState[int]
    version: orm.Version | None
    """The version of this revision, if the policy is met."""


@dataclass(frozen=True, slots=True)
class DecisionOutcome:
    decision: orm.Decision
    created: bool
    """False when the same decision had already been recorded on this revision."""
    state: ApprovalState[int]
    version: orm.Version | None


_POLICIES_NB = {
    ApprovalPolicy.ONE_PER_LEVEL: "minst én redaktør fra hvert nivå godkjenner det",
    ApprovalPolicy.EVERY_PARTICIPANT: "hver deltaker vedtar det",
    ApprovalPolicy.DECISION: "helsefellesskapet fatter vedtak",
}
"""How a pathway is adopted under each policy, in bokmål, for problems."""


def policy_of(partnership: orm.Partnership | None) -> ApprovalPolicy:
    """The partnership's policy; ``one_per_level`` for a pathway in no partnership."""
    if partnership is None:
        return ApprovalPolicy.ONE_PER_LEVEL
    return ApprovalPolicy(partnership.approval_policy)


def editors_of(
    participants: Sequence[tuple[orm.Participant, orm.Organization]],
) -> dict[int, Level]:
    """The editors among ``participants``, each with its care level, in joining order."""
    return {
        organization.id: Level(organization.level)
        for participant, organization in participants
        if participant.role == Role.EDITOR and organization.level is not None
    }


def state_of(
    policy: ApprovalPolicy,
    participants: Sequence[tuple[orm.Participant, orm.Organization]],
    approvals: Sequence[orm.Approval],
    decision: orm.Decision | None,
    *,
    heard: bool = True,
) -> ApprovalState[int]:
    return approval_state(
        policy,
        editors_of(participants),
        {a.organization_id for a in approvals},
        decided=decision is not None,
        heard=heard,
    )


def _snapshot(approval: orm.Approval) -> dict[str, object]:
    return {
        "organization_id": approval.organization_id,
        "organization_name": approval.organization_name,
        "level": approval.level,
        "token_name": approval.token_name,
        "revision": approval.revision,
        "approved_at": _timestamp(approval.approved_at),
    }


def _timestamp(value: Any) -> str:
    return str(value.isoformat()).replace("+00:00", "Z")


def decision_snapshot(decision: orm.Decision) -> dict[str, object]:
    """A decision as a version keeps it."""
    return {
        "body": decision.body,
        "decided_on": decision.decided_on.isoformat(),
        "reference": decision.reference,
        "organization_id": decision.organization_id,
        "organization_name": decision.organization_name,
        "token_name": decision.token_name,
        "revision": decision.revision,
        "recorded_at": _timestamp(decision.recorded_at),
    }


def _check_no_errors(pathway: Pathway, revision: int, language: str) -> None:
    errors = [f for f in find_gaps(pathway) if f.severity is Severity.ERROR]
    if errors:
        raise Conflict(
            Bilingual(
                f"revision {revision} has {len(errors)} error-level gap(s); fix them first",
                f"Revisjon {revision} har {len(errors)} feil som stopper godkjenningen. Rett "
                f"{'den' if len(errors) == 1 else 'dem'} først.",
            ),
            extra={
                "findings": [
                    {
                        "code": f.code,
                        "severity": f.severity.value,
                        "message": f.message(language),
                        "steps": list(f.steps),
                        "transitions": list(f.transitions),
                    }
                    for f in errors
                ]
            },
        )


def _check_heard(session: Session, row: orm.Pathway) -> None:
    """409 while a hearing the partnership requires has not been held (cleanly)."""
    partnership = session.get(orm.Partnership, row.partnership_id) if row.partnership_id else None
    if partnership is None or not partnership.hearing_required:
        return
    problem = hearing_problem(session, row)
    if problem is not None:
        raise Conflict(problem)


def _complete(
    session: Session,
    *,
    client: Client,
    row: orm.Pathway,
    pathway: Pathway,
    approvals: list[orm.Approval],
) -> tuple[ApprovalState[int], orm.Version | None]:
    """The state of the revision, and its version: made now if the policy is met."""
    partnership = session.get(orm.Partnership, row.partnership_id) if row.partnership_id else None
    policy = policy_of(partnership)
    versions = VersionRepository(session)
    participants = PathwayRepository(session).participants(row.id)
    decision = versions.decision(row.id, row.revision) if policy.needs_decision else None
    state = state_of(policy, participants, approvals, decision)
    latest = versions.latest(row.id)
    if latest is not None and latest.revision == row.revision:
        return state, latest
    if not state.met:
        return state, None
    editors = editors_of(participants)
    version = versions.add_version(
        pathway_id=row.id,
        revision=row.revision,
        info=pathway.info,
        document=dump_document(pathway).decode("utf-8"),
        handovers=len(handover_transitions(pathway)),
        approvals=[_snapshot(a) for a in approvals if a.organization_id in editors],
        participants=[
            organization for _, organization in participants if organization.id in editors
        ],
        approval_policy=policy.value,
        partnership_id=row.partnership_id,
        decision=decision_snapshot(decision) if decision is not None else None,
    )
    adopted = (
        f"adopted by decision of {decision.body}"
        if decision is not None
        else "approved by every participating editor"
        if policy is ApprovalPolicy.EVERY_PARTICIPANT
        else "approved by both levels"
    )
    record_event(
        session,
        client=client,
        row=row,
        action="version.create",
        summary=f"Version {version.number} {adopted} (revision {row.revision})",
        changes={
            "version": version.number,
            "revision": row.revision,
            "policy": policy.value,
            **({"body": decision.body} if decision is not None else {}),
        },
    )
    _announce(session, row=row, version=version)
    return state, version


def _announce(session: Session, *, row: orm.Pathway, version: orm.Version) -> None:
    """Tell the pathway's participants (and secretariat) of the new version, and those of
    each of its local variants that their shared pathway moved on."""
    data = {
        "pathway_id": row.id,
        "title": version.title,
        "version": version.number,
        "revision": version.revision,
        "partnership_id": version.partnership_id,
        "approval_policy": version.approval_policy,
        "review_due": version.review_due.isoformat() if version.review_due else None,
        "document": f"/pathways/{row.id}/versions/{version.number}",
    }
    notify(
        session,
        EventType.VERSION_APPROVED,
        pathway_id=row.id,
        data=data,
        recipients=pathway_audience(session, row),
    )
    for variant in PathwayRepository(session).variants_of(row.id):
        notify(
            session,
            EventType.VARIANT_UPSTREAM_CHANGED,
            pathway_id=variant.id,
            data={
                "pathway_id": variant.id,
                "title": variant.title,
                "shared_pathway_id": row.id,
                "pinned_version": variant.variant_of_version,
                "new_version": version.number,
                "status": f"/pathways/{variant.id}/variant",
            },
            recipients=pathway_audience(session, variant),
        )


def approve(
    session: Session, *, client: Client, pathway_id: int, if_match: str | None, language: str
) -> ApprovalOutcome:
    """Approve the revision named by ``If-Match`` on behalf of the caller's organisation,
    which must be an editor of the pathway."""
    row = begin_edit(
        session, client=client, pathway_id=pathway_id, if_match=if_match, act=Act.APPROVE
    )
    pathway = PathwayRepository(session).load(row)
    _check_no_errors(pathway, row.revision, language)
    _check_heard(session, row)
    versions = VersionRepository(session)
    approvals = versions.approvals(row.id, row.revision)
    mine = next((a for a in approvals if a.organization_id == client.organization_id), None)
    created = mine is None
    if mine is None:
        assert client.level is not None  # an editor is a care provider
        mine = versions.add_approval(
            pathway_id=row.id,
            revision=row.revision,
            organization_id=client.organization_id,
            organization_name=client.organization_name,
            level=client.level.value,
            token_id=client.token_id,
            token_name=client.token_name,
        )
        approvals.append(mine)
        record_event(
            session,
            client=client,
            row=row,
            action="pathway.approve",
            summary=f"{client.described} approved revision {row.revision}",
            changes={"revision": row.revision},
        )
    state, version = _complete(
        session, client=client, row=row, pathway=pathway, approvals=approvals
    )
    return ApprovalOutcome(mine, created, approvals, state, version)


def record_decision(
    session: Session,
    *,
    client: Client,
    pathway_id: int,
    if_match: str | None,
    body: str | None,
    decided_on: date,
    reference: str,
    language: str,
) -> DecisionOutcome:
    """Record the decision of ``body`` (default: the partnership's deciding body) on the
    revision named by ``If-Match``; the caller must be the pathway's secretariat."""
    row = begin_edit(
        session, client=client, pathway_id=pathway_id, if_match=if_match, act=Act.RECORD_DECISION
    )
    partnership = session.get(orm.Partnership, row.partnership_id) if row.partnership_id else None
    policy = policy_of(partnership)
    if not policy.needs_decision:
        raise Conflict(
            Bilingual(
                f"this pathway is adopted under the {policy.value} policy, which takes no "
                "recorded decision; decisions are recorded under the 'decision' policy",
                f"Dette forløpet godkjennes ved at {_POLICIES_NB[policy]} ({policy.value}), og "
                "da registreres det ikke noe vedtak. Vedtak registreres bare når "
                "helsefellesskapet godkjenner forløp ved vedtak (decision).",
            )
        )
    assert partnership is not None
    deciding = body or partnership.decision_body
    if not deciding:
        problem = Bilingual(
            "name the body that decided (the partnership names none)",
            "Oppgi hvilket organ som fattet vedtaket (helsefellesskapet har ikke oppgitt noe).",
        )
        raise RuleViolation.in_body(problem, "body")
    if decided_on > utcnow().date():
        problem = Bilingual(
            f"{decided_on.isoformat()} is in the future; record a decision once it is made",
            f"Datoen {date_text(decided_on, 'nb')} er fram i tid. Registrer vedtaket når det "
            "er fattet.",
        )
        raise RuleViolation.in_body(problem, "decided_on")
    pathway = PathwayRepository(session).load(row)
    _check_no_errors(pathway, row.revision, language)
    _check_heard(session, row)
    versions = VersionRepository(session)
    decision = versions.decision(row.id, row.revision)
    created = decision is None
    if decision is None:
        decision = versions.add_decision(
            pathway_id=row.id,
            revision=row.revision,
            body=deciding,
            decided_on=decided_on,
            reference=reference,
            organization_id=client.organization_id,
            organization_name=client.organization_name,
            token_id=client.token_id,
            token_name=client.token_name,
        )
        record_event(
            session,
            client=client,
            row=row,
            action="decision.record",
            summary=f"Decision of {deciding} on {decided_on.isoformat()} ({reference}) "
            f"recorded for revision {row.revision}",
            changes={
                "revision": row.revision,
                "body": deciding,
                "decided_on": decided_on.isoformat(),
                "reference": reference,
            },
        )
    elif (decision.body, decision.decided_on, decision.reference) != (
        deciding,
        decided_on,
        reference,
    ):
        raise Conflict(
            Bilingual(
                f"a decision is already recorded on revision {row.revision}: {decision.body}, "
                f"{decision.decided_on.isoformat()}, {decision.reference}",
                f"Det er allerede registrert et vedtak for revisjon {row.revision}: "
                f"{decision.body}, {date_text(decision.decided_on, 'nb')}, {decision.reference}.",
            )
        )
    approvals = versions.approvals(row.id, row.revision)
    state, version = _complete(
        session, client=client, row=row, pathway=pathway, approvals=approvals
    )
    return DecisionOutcome(decision, created, state, version)
