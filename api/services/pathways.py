"""Pathways as a whole: create, import, list, read, describe, export, history."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from api.conditional import Prebuilt
from api.errors import Forbidden, NotFound, RuleViolation
from api.services.approvals import policy_of, state_of
from api.services.auth import Client, Scope
from api.services.caches import VersionCache
from api.services.catalogue import PublicPathway, public_pathway
from api.services.editing import (
    begin_edit,
    not_found,
    pathway_etag,
    record_change,
    require_acts,
    visible_pathway,
    visible_stamp,
)
from api.services.hearings import hearing_problem
from db import models as orm
from db.repositories.history import HistoryRepository
from db.repositories.partnerships import PartnershipRepository, agreement_of
from db.repositories.pathways import PathwayRepository, Stamp, info_of, rules_of
from db.repositories.versions import VersionRepository
from pathways.agreement import override_violations, rules_in_force
from pathways.approval import ApprovalPolicy, ApprovalState
from pathways.diff import field_changes
from pathways.document import dump_document, rules_dict
from pathways.errors import Bilingual, InvalidPathway
from pathways.gaps import validate_rule_settings
from pathways.limits import Limits
from pathways.model import Level, Pathway, PathwayInfo, RuleSettings
from pathways.roles import Act
from pathways.validation import validate_info, validate_pathway

__all__ = [
    "PathwayView",
    "create_pathway",
    "export_document",
    "get_pathway",
    "import_pathway",
    "list_history",
    "list_pathways",
    "update_pathway",
    "view_of",
]


@dataclass(frozen=True, slots=True)
class PathwayView:
    """A pathway row with what is shown with it: participants, sizes, authorship."""

    row: orm.Pathway
    participants: list[tuple[orm.Participant, orm.Organization]]
    step_count: int
    transition_count: int
    changes_per_level: dict[Level, int]
    content_writers: list[tuple[int, str, Level, int]]
    """Each organisation that last wrote elements of the draft: id, name, level, count."""
    latest_version: tuple[int, int] | None
    """The newest approved version's number and the revision it approved."""
    approvals: list[orm.Approval]
    """Approvals of the current revision (a change voids them)."""
    partnership: orm.Partnership | None
    decision: orm.Decision | None
    """The decision recorded on the current revision, if any."""
    hearing_missing: bool = False
    """The partnership approves after a clean hearing round, and there is none yet."""
    last_event: int | None = None
    """The latest approval, decision or version recorded on the current revision (its
    history entry), if any: with the revision, what the representation's ETag says."""

    @property
    def etag(self) -> str:
        return pathway_etag(self.row.revision, self.last_event)

    @property
    def policy(self) -> ApprovalPolicy:
        return policy_of(self.partnership)

    @property
    def approval(self) -> ApprovalState[int]:
        """How far the current revision is from approval under the policy."""
        return state_of(
            self.policy,
            self.participants,
            self.approvals,
            self.decision,
            heard=not self.hearing_missing,
        )

    @property
    def rules_in_force(self) -> RuleSettings:
        agreement = agreement_of(self.partnership) if self.partnership else None
        return rules_in_force(agreement, rules_of(self.row))

    @property
    def state(self) -> tuple[str, int | None]:
        """``("draft", None)``, ``("approved", None)``, or ``("changed", N)``: the draft
        changed since approved version N (the exports say it in the reader's language)."""
        if self.latest_version is None:
            return "draft", None
        number, revision = self.latest_version
        return ("approved", None) if revision == self.row.revision else ("changed", number)

    @property
    def status(self) -> str:
        """``draft``, ``approved``, or ``changed since version N``."""
        state, since = self.state
        return state if since is None else f"changed since version {since}"


def _views(session: Session, rows: list[orm.Pathway]) -> list[PathwayView]:
    ids = [row.id for row in rows]
    repository = PathwayRepository(session)
    participants = repository.participants_of(ids)
    counts = repository.counts(ids)
    authorship = HistoryRepository(session).changes_per_level(ids)
    writers = repository.content_writers(ids)
    versions = VersionRepository(session)
    latest = versions.latest_of(ids)
    approvals = versions.current_approvals(rows)
    decisions = versions.current_decisions(rows)
    partnerships = PartnershipRepository(session).get_many(row.partnership_id for row in rows)
    return [
        PathwayView(
            row=row,
            participants=participants[row.id],
            step_count=counts[row.id][0],
            transition_count=counts[row.id][1],
            changes_per_level={Level(k): v for k, v in authorship[row.id].items()},
            content_writers=writers[row.id],
            latest_version=latest.get(row.id),
            approvals=approvals[row.id],
            partnership=partnerships.get(row.partnership_id) if row.partnership_id else None,
            decision=decisions.get(row.id),
            hearing_missing=_hearing_missing(
                session, row, partnerships.get(row.partnership_id) if row.partnership_id else None
            ),
        )
        for row in rows
    ]


def _hearing_missing(
    session: Session, row: orm.Pathway, partnership: orm.Partnership | None
) -> bool:
    if partnership is None or not partnership.hearing_required:
        return False
    return hearing_problem(session, row) is not None


def view_of(session: Session, row: orm.Pathway, stamp: Stamp | None = None) -> PathwayView:
    """The view of a row the caller has already been allowed to see, with its ETag
    (from ``stamp`` when it is of the row's revision, else looked up)."""
    last_event = (
        stamp.last_event
        if stamp is not None and stamp.revision == row.revision
        else HistoryRepository(session).last_event(row.id, row.revision)
    )
    return dataclasses.replace(_views(session, [row])[0], last_event=last_event)


def _info_dict(info: PathwayInfo) -> dict[str, Any]:
    values = dataclasses.asdict(info)
    values["review_due"] = info.review_due.isoformat() if info.review_due else None
    return values


def create_pathway(
    session: Session,
    *,
    client: Client,
    info: PathwayInfo,
    rules: RuleSettings,
    partnership_id: int | None = None,
    limits: Limits,
) -> PathwayView:
    """A new, empty pathway in which the caller's organisation takes part."""
    return import_pathway(
        session,
        client=client,
        pathway=Pathway(info, rules=rules),
        partnership_id=partnership_id,
        limits=limits,
    )


def _partnership_for(
    session: Session, client: Client, partnership_id: int | None, loc: list[str]
) -> orm.Partnership | None:
    """The partnership a pathway is to belong to; the caller must be a member of it."""
    if partnership_id is None:
        return None
    # Locked: a pathway joins a partnership while its agreement stays as it was read.
    partnership = PartnershipRepository(session).get(partnership_id, for_update=True)
    if partnership is None:
        problem = Bilingual(
            f"there is no partnership {partnership_id}",
            f"Helsefellesskap {partnership_id} finnes ikke.",
        )
        raise RuleViolation(
            problem,
            errors=[{"loc": loc, "pointer": None, "detail": problem}],
        )
    if not PartnershipRepository(session).is_member(partnership_id, client.organization_id):
        raise Forbidden(
            Bilingual(
                f"{client.organization_name} is not a member of {partnership.name}; a member "
                "puts pathways in it",
                f"{client.organization_name} er ikke medlem av {partnership.name}. Bare "
                "medlemmer kan legge forløp i helsefellesskapet.",
            )
        )
    return partnership


def _check_overrides(partnership: orm.Partnership | None, rules: RuleSettings) -> None:
    violations = override_violations(agreement_of(partnership) if partnership else None, rules)
    if violations:
        raise InvalidPathway(violations)


def import_pathway(
    session: Session,
    *,
    client: Client,
    pathway: Pathway,
    partnership_id: int | None = None,
    limits: Limits,
    origin: dict[str, Any] | None = None,
) -> PathwayView:
    """A new pathway holding ``pathway``, in the partnership if one is named; the
    caller's organisation takes part in it as an editor. ``origin``: the approved version
    it was borrowed from (see :mod:`api.services.borrowing`)."""
    client.require(Scope.EDIT, Bilingual("creating a pathway", "opprette et forløp"))
    if client.level is None:
        raise Forbidden(
            Bilingual(
                f"{client.described} has no care level: a care provider creates pathways, "
                "and adds the secretariat or user representatives",
                f"{client.organization_name} hører ikke til noe omsorgsnivå. Det er "
                "tjenesteyterne som oppretter forløp, og de legger til sekretariatet eller "
                "brukerrepresentantene.",
            )
        )
    validate_pathway(pathway, limits=limits)
    partnership = _partnership_for(session, client, partnership_id, ["body", "partnership_id"])
    _check_overrides(partnership, pathway.rules)
    repository = PathwayRepository(session)
    row = repository.add(pathway.info, pathway.rules, writer=client.organization_id)
    row.partnership_id = partnership.id if partnership else None
    row.origin = origin
    repository.add_participant(row.id, client.organization_id)
    repository.replace_graph(
        row.id, pathway.steps, pathway.transitions, writer=client.organization_id
    )
    action, summary = (
        (
            "pathway.borrow",
            f"Borrowed version {origin['version']} of pathway {origin['pathway_id']} "
            f"({origin['title']!r})",
        )
        if origin is not None
        else (
            "pathway.import",
            f"Imported with {len(pathway.steps)} steps and {len(pathway.transitions)} transitions",
        )
        if pathway.steps or pathway.transitions
        else ("pathway.create", f"Created {pathway.info.title!r}")
    )
    changes: dict[str, Any] = {
        "pathway": _info_dict(pathway.info),
        "participant": client.organization_id,
        "partnership_id": row.partnership_id,
    }
    if origin is not None:
        changes["origin"] = origin
    elif action == "pathway.import":
        changes["counts"] = {"steps": len(pathway.steps), "transitions": len(pathway.transitions)}
    record_change(
        session,
        client=client,
        row=row,
        action=action,
        summary=summary,
        changes=changes,
    )
    return view_of(session, row)


def list_pathways(
    session: Session,
    *,
    client: Client,
    participant_id: int | None,
    text: str | None,
    status: str | None = None,
    partnership_id: int | None = None,
    limit: int,
    offset: int,
) -> tuple[list[PathwayView], int]:
    """The pathways the caller's organisation takes part in, filtered; ``status`` is
    ``draft`` (never approved), ``approved`` (at its latest version) or ``changed``
    (changed since its latest version), as :attr:`PathwayView.status` says."""
    rows, total = PathwayRepository(session).list_for(
        viewer_id=client.organization_id,
        participant_id=participant_id,
        text=text,
        status=status,
        partnership_id=partnership_id,
        limit=limit,
        offset=offset,
    )
    return _views(session, rows), total


PATHWAY_CACHE_CONTROL = "private, no-cache"
"""A pathway's draft can change at any time: clients revalidate (→ 304)."""


def get_pathway(
    session: Session,
    *,
    client: Client,
    pathway_id: int,
    cache: VersionCache,
    render: Callable[[PathwayView], bytes],
) -> Prebuilt | PublicPathway:
    """The pathway with its draft for a participant, as ``render`` writes it, with its
    ETag; for anyone else the public view of its latest approved version (404 if it has
    none: a draft is for participants).

    A participant's answer is rendered once per state (revision and last event) and then
    found by the one query that reads the row and checks the caller's role.
    """
    try:
        visible = visible_stamp(session, client=client, pathway_id=pathway_id)
    except NotFound:
        public = public_pathway(session, pathway_id)
        if public is None:
            raise
        return public
    key = ("pathway", *visible.draft_key, visible.last_event)
    answer = cache.answer(key)
    if not isinstance(answer, Prebuilt):
        row = PathwayRepository(session).get(pathway_id)
        if row is None:
            raise not_found(pathway_id)
        view = view_of(session, row, visible)
        answer = Prebuilt(
            render(view),
            etag=view.etag,
            media_type="application/json",
            cache_control=PATHWAY_CACHE_CONTROL,
        )
        if view.etag == pathway_etag(visible.revision, visible.last_event):
            cache.put_answer(key, answer)
    return answer


def update_pathway(
    session: Session,
    *,
    client: Client,
    pathway_id: int,
    if_match: str | None,
    changes: dict[str, Any],
    limits: Limits,
) -> PathwayView:
    """Change the description fields, rule settings and partnership named in ``changes``.

    An editor that is a member of a partnership puts a pathway in it; only the
    partnership's secretariat takes it out again (to another, a member then puts it in).
    """
    changes = dict(changes)
    moving = "partnership_id" in changes
    target: int | None = changes.get("partnership_id")
    if moving and target is not None:
        # The partnership first, then the pathway: the order a change of the partnership
        # takes its locks in (api.services.partnerships).
        PartnershipRepository(session).get(target, for_update=True)
    peeked = PathwayRepository(session).get(pathway_id)
    row = begin_edit(
        session,
        client=client,
        pathway_id=pathway_id,
        if_match=if_match,
        act=_update_acts(peeked.partnership_id if peeked else None, changes),
    )
    require_acts(session, client, row, _update_acts(row.partnership_id, changes))
    partnership_before = row.partnership_id
    partnership_after = changes.pop("partnership_id", partnership_before)
    rules_before = rules_of(row)
    rules_after = changes.pop("rules", rules_before)
    before = info_of(row)
    after = dataclasses.replace(before, **changes)
    validate_info(after, limits=limits, loc=())
    violations = validate_rule_settings(rules_after)
    if violations:
        raise InvalidPathway(violations)
    if partnership_after != partnership_before:
        partnership = _partnership_for(
            session, client, partnership_after, ["body", "partnership_id"]
        )
        _check_overrides(partnership, rules_after)
    elif rules_after != rules_before:
        partnership = PartnershipRepository(session).get(row.partnership_id or 0)
        _check_overrides(partnership, rules_after)
    differences = field_changes(_info_dict(before), _info_dict(after))
    if rules_after != rules_before:
        differences["rules"] = {"from": rules_dict(rules_before), "to": rules_dict(rules_after)}
    if partnership_after != partnership_before:
        differences["partnership_id"] = {"from": partnership_before, "to": partnership_after}
    if differences:
        repository = PathwayRepository(session)
        row.partnership_id = partnership_after
        repository.set_info(row, after, writer=client.organization_id)
        repository.set_rules(row, rules_after, writer=client.organization_id)
        record_change(
            session,
            client=client,
            row=row,
            action="pathway.update",
            summary="Changed " + ", ".join(differences),
            changes=differences,
        )
    return view_of(session, row)


def _update_acts(current: int | None, changes: dict[str, Any]) -> tuple[Act, ...]:
    """What a change of ``changes`` is, for a pathway now in partnership ``current``."""
    acts = [Act.EDIT] if set(changes) - {"partnership_id"} else []
    target = changes.get("partnership_id", current)
    if target != current:
        if current is not None:
            acts.append(Act.LEAVE_PARTNERSHIP)
        if target is not None:
            acts.append(Act.EDIT)
    return tuple(dict.fromkeys(acts)) or (Act.EDIT,)


def export_document(session: Session, *, client: Client, pathway_id: int) -> tuple[bytes, int]:
    """The native document of the draft, and the revision it shows."""
    row = visible_pathway(session, client=client, pathway_id=pathway_id)
    return dump_document(PathwayRepository(session).load(row)), row.revision


def list_history(
    session: Session, *, client: Client, pathway_id: int, limit: int, offset: int
) -> tuple[list[orm.HistoryEntry], int]:
    visible_pathway(session, client=client, pathway_id=pathway_id)
    return HistoryRepository(session).page(pathway_id, limit=limit, offset=offset)
