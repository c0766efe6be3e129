"""Queries on partnerships and their members."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from db import models as orm
from pathways.document import rules_from_dict
from pathways.model import RuleSettings
from pathways.roles import OrganizationKind

__all__ = ["PartnershipRepository", "agreement_of"]

SECRETARIAT = OrganizationKind.SECRETARIAT.value


def agreement_of(row: orm.Partnership) -> RuleSettings:
    """The rule sets and deadlines the partnership's agreement sets for its pathways."""
    return rules_from_dict(row.rules or {})


class PartnershipRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(
        self,
        *,
        name: str,
        rules: dict[str, object],
        approval_policy: str,
        decision_body: str,
        hearing_required: bool = False,
    ) -> orm.Partnership:
        row = orm.Partnership(
            name=name,
            rules=rules,
            approval_policy=approval_policy,
            decision_body=decision_body,
            hearing_required=hearing_required,
        )
        self.session.add(row)
        self.session.flush()
        return row

    def get(self, partnership_id: int, *, for_update: bool = False) -> orm.Partnership | None:
        """The partnership; ``for_update`` locks it (PostgreSQL: ``FOR NO KEY UPDATE``,
        which rows that merely refer to it, such as a new version, do not wait for).

        Whoever locks a partnership and a pathway locks the partnership first."""
        query = select(orm.Partnership).where(orm.Partnership.id == partnership_id)
        if for_update:
            query = query.with_for_update(key_share=True).execution_options(populate_existing=True)
        return self.session.scalar(query)

    def get_by_name(self, name: str) -> orm.Partnership | None:
        return self.session.scalar(select(orm.Partnership).where(orm.Partnership.name == name))

    def get_many(self, ids: Iterable[int | None]) -> dict[int, orm.Partnership]:
        wanted = {i for i in ids if i is not None}
        if not wanted:
            return {}
        rows = self.session.scalars(select(orm.Partnership).where(orm.Partnership.id.in_(wanted)))
        return {row.id: row for row in rows}

    def page(
        self, *, member_id: int | None, limit: int, offset: int
    ) -> tuple[list[orm.Partnership], int]:
        query = select(orm.Partnership)
        if member_id is not None:
            query = query.where(
                orm.Partnership.id.in_(
                    select(orm.PartnershipMember.partnership_id).where(
                        orm.PartnershipMember.organization_id == member_id
                    )
                )
            )
        total = self.session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = self.session.scalars(query.order_by(orm.Partnership.id).limit(limit).offset(offset))
        return list(rows), total

    # -- members -----------------------------------------------------------------------

    def members(self, partnership_id: int) -> list[tuple[orm.PartnershipMember, orm.Organization]]:
        """The members with their organisations, in the order they joined."""
        return self.members_of([partnership_id])[partnership_id]

    def members_of(
        self, partnership_ids: Iterable[int]
    ) -> dict[int, list[tuple[orm.PartnershipMember, orm.Organization]]]:
        ids = set(partnership_ids)
        found: dict[int, list[tuple[orm.PartnershipMember, orm.Organization]]] = {
            i: [] for i in ids
        }
        if ids:
            rows = self.session.execute(
                select(orm.PartnershipMember, orm.Organization)
                .join(
                    orm.Organization, orm.Organization.id == orm.PartnershipMember.organization_id
                )
                .where(orm.PartnershipMember.partnership_id.in_(ids))
                .order_by(orm.PartnershipMember.joined_at, orm.Organization.id)
            )
            for member, organization in rows:
                found[member.partnership_id].append((member, organization))
        return found

    def member_count(self, partnership_id: int) -> int:
        return (
            self.session.scalar(
                select(func.count()).where(orm.PartnershipMember.partnership_id == partnership_id)
            )
            or 0
        )

    def is_member(self, partnership_id: int, organization_id: int) -> bool:
        key = (partnership_id, organization_id)
        return self.session.get(orm.PartnershipMember, key) is not None

    def is_secretariat(self, partnership_id: int, organization_id: int) -> bool:
        """Whether the organisation is a secretariat and a member of the partnership."""
        found = self.session.scalar(
            select(orm.Organization.kind)
            .join(
                orm.PartnershipMember,
                orm.PartnershipMember.organization_id == orm.Organization.id,
            )
            .where(
                orm.PartnershipMember.partnership_id == partnership_id,
                orm.Organization.id == organization_id,
            )
        )
        return found == SECRETARIAT

    def add_member(self, partnership_id: int, organization_id: int) -> None:
        self.session.add(
            orm.PartnershipMember(partnership_id=partnership_id, organization_id=organization_id)
        )
        self.session.flush()

    def remove_member(self, partnership_id: int, organization_id: int) -> None:
        self.session.execute(
            delete(orm.PartnershipMember).where(
                orm.PartnershipMember.partnership_id == partnership_id,
                orm.PartnershipMember.organization_id == organization_id,
            )
        )

    def pathway_ids(self, partnership_id: int) -> list[int]:
        return list(
            self.session.scalars(
                select(orm.Pathway.id)
                .where(orm.Pathway.partnership_id == partnership_id)
                .order_by(orm.Pathway.id)
            )
        )
