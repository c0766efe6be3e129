"""Approvals of revisions, and the approved versions they create."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db import models as orm
from pathways.model import PathwayInfo

__all__ = ["VersionRepository", "search_text"]


def search_text(info: PathwayInfo) -> str:
    """What the catalogue's text search reads: the description's texts, case-folded."""
    texts = (info.title, info.description, info.target_group, info.agreement_ref)
    return "\n".join(texts).casefold()


class VersionRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # -- approvals ---------------------------------------------------------------------

    def approvals(self, pathway_id: int, revision: int) -> list[orm.Approval]:
        """The approvals of that revision, oldest first."""
        return list(
            self.session.scalars(
                select(orm.Approval)
                .where(orm.Approval.pathway_id == pathway_id, orm.Approval.revision == revision)
                .order_by(orm.Approval.id)
            )
        )

    def current_approvals(self, rows: Iterable[orm.Pathway]) -> dict[int, list[orm.Approval]]:
        """For each pathway, the approvals of its current revision."""
        revisions = {row.id: row.revision for row in rows}
        result: dict[int, list[orm.Approval]] = {i: [] for i in revisions}
        if not revisions:
            return result
        approvals = self.session.scalars(
            select(orm.Approval)
            .where(orm.Approval.pathway_id.in_(revisions))
            .order_by(orm.Approval.id)
        )
        for approval in approvals:
            if approval.revision == revisions[approval.pathway_id]:
                result[approval.pathway_id].append(approval)
        return result

    def add_approval(
        self,
        *,
        pathway_id: int,
        revision: int,
        organization_id: int,
        organization_name: str,
        level: str,
        token_id: int | None,
        token_name: str,
    ) -> orm.Approval:
        row = orm.Approval(
            pathway_id=pathway_id,
            revision=revision,
            organization_id=organization_id,
            organization_name=organization_name,
            level=level,
            token_id=token_id,
            token_name=token_name,
        )
        self.session.add(row)
        self.session.flush()
        return row

    # -- decisions ---------------------------------------------------------------------

    def decision(self, pathway_id: int, revision: int) -> orm.Decision | None:
        return self.session.scalar(
            select(orm.Decision).where(
                orm.Decision.pathway_id == pathway_id, orm.Decision.revision == revision
            )
        )

    def current_decisions(self, rows: Iterable[orm.Pathway]) -> dict[int, orm.Decision]:
        """For each pathway that has one, the decision recorded on its current revision."""
        revisions = {row.id: row.revision for row in rows}
        if not revisions:
            return {}
        found = self.session.scalars(
            select(orm.Decision).where(orm.Decision.pathway_id.in_(revisions))
        )
        return {d.pathway_id: d for d in found if d.revision == revisions[d.pathway_id]}

    def add_decision(self, **values: Any) -> orm.Decision:
        row = orm.Decision(**values)
        self.session.add(row)
        self.session.flush()
        return row

    # -- versions ----------------------------------------------------------------------

    def add_version(
        self,
        *,
        pathway_id: int,
        revision: int,
        info: PathwayInfo,
        document: str,
        handovers: int,
        approvals: list[dict[str, Any]],
        participants: Sequence[orm.Organization],
        approval_policy: str,
        partnership_id: int | None,
        decision: dict[str, Any] | None,
    ) -> orm.Version:
        """A new version, with what the catalogue shows of it: its description and who
        took part (``participants``, in the order they joined), and how it was adopted:
        the policy, the partnership and the decision, if any; ``handovers`` is how many
        the document has (``pathways.checklists.handover_transitions``)."""
        number = (
            self.session.scalar(
                select(func.max(orm.Version.number)).where(orm.Version.pathway_id == pathway_id)
            )
            or 0
        ) + 1
        row = orm.Version(
            pathway_id=pathway_id,
            number=number,
            revision=revision,
            document=document,
            handovers=handovers,
            approvals=approvals,
            approval_policy=approval_policy,
            partnership_id=partnership_id,
            decision=decision,
            title=info.title,
            description=info.description,
            target_group=info.target_group,
            agreement_ref=info.agreement_ref,
            review_due=info.review_due,
            search_text=search_text(info),
            target_group_key=info.target_group.casefold(),
        )
        self.session.add(row)
        self.session.flush()
        self.session.add_all(
            orm.VersionParticipant(
                version_id=row.id,
                organization_id=organization.id,
                position=position,
                name=organization.name,
                level=organization.level,
            )
            for position, organization in enumerate(participants)
            if organization.level is not None
        )
        self.session.flush()
        return row

    def participants_of(
        self, version_ids: Iterable[int]
    ) -> dict[int, list[orm.VersionParticipant]]:
        """Who took part in each version when it was approved, in the order they joined."""
        ids = list(version_ids)
        found: dict[int, list[orm.VersionParticipant]] = {version_id: [] for version_id in ids}
        if ids:
            rows = self.session.scalars(
                select(orm.VersionParticipant)
                .where(orm.VersionParticipant.version_id.in_(ids))
                .order_by(orm.VersionParticipant.version_id, orm.VersionParticipant.position)
            )
            for participant in rows:
                found[participant.version_id].append(participant)
        return found

    def get(self, pathway_id: int, number: int) -> orm.Version | None:
        return self.session.scalar(
            select(orm.Version).where(
                orm.Version.pathway_id == pathway_id, orm.Version.number == number
            )
        )

    def get_or_latest(self, pathway_id: int, number: int | None) -> orm.Version | None:
        """Version ``number``, or the latest when it is None."""
        return self.get(pathway_id, number) if number is not None else self.latest(pathway_id)

    def has_any(self, pathway_id: int) -> bool:
        """Whether the pathway has an approved version (without reading one)."""
        return (
            self.session.scalar(
                select(orm.Version.id).where(orm.Version.pathway_id == pathway_id).limit(1)
            )
            is not None
        )

    def latest(self, pathway_id: int) -> orm.Version | None:
        return self.session.scalar(
            select(orm.Version)
            .where(orm.Version.pathway_id == pathway_id)
            .order_by(orm.Version.number.desc())
            .limit(1)
        )

    def page(self, pathway_id: int, *, limit: int, offset: int) -> tuple[list[orm.Version], int]:
        """Versions, newest first."""
        query = select(orm.Version).where(orm.Version.pathway_id == pathway_id)
        total = self.session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = self.session.scalars(
            query.order_by(orm.Version.number.desc()).limit(limit).offset(offset)
        )
        return list(rows), total

    def latest_of(self, pathway_ids: Iterable[int]) -> dict[int, tuple[int, int]]:
        """For each pathway with versions: its latest version number and that revision."""
        ids = set(pathway_ids)
        if not ids:
            return {}
        latest = (
            select(orm.Version.pathway_id, func.max(orm.Version.number).label("number"))
            .where(orm.Version.pathway_id.in_(ids))
            .group_by(orm.Version.pathway_id)
            .subquery()
        )
        rows = self.session.execute(
            select(orm.Version.pathway_id, orm.Version.number, orm.Version.revision).join(
                latest,
                (latest.c.pathway_id == orm.Version.pathway_id)
                & (latest.c.number == orm.Version.number),
            )
        ).all()
        return {pathway_id: (number, revision) for pathway_id, number, revision in rows}
