"""Queries on bearer tokens (stored as SHA-256 hashes only)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db import models as orm

__all__ = ["TokenRepository"]


class TokenRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(
        self, *, organization_id: int, name: str, scope: str, prefix: str, secret_hash: str
    ) -> orm.Token:
        row = orm.Token(
            organization_id=organization_id,
            name=name,
            scope=scope,
            prefix=prefix,
            secret_hash=secret_hash,
        )
        self.session.add(row)
        self.session.flush()
        return row

    def get(self, token_id: int) -> orm.Token | None:
        return self.session.get(orm.Token, token_id)

    def find_active(self, secret_hash: str) -> tuple[orm.Token, orm.Organization] | None:
        """The unrevoked token with this hash and its organisation."""
        row = self.session.execute(
            select(orm.Token, orm.Organization)
            .join(orm.Organization, orm.Organization.id == orm.Token.organization_id)
            .where(orm.Token.secret_hash == secret_hash, orm.Token.revoked_at.is_(None))
        ).one_or_none()
        return None if row is None else (row[0], row[1])

    def active_named(self, *, organization_id: int, name: str) -> list[orm.Token]:
        return list(
            self.session.scalars(
                select(orm.Token).where(
                    orm.Token.organization_id == organization_id,
                    orm.Token.name == name,
                    orm.Token.revoked_at.is_(None),
                )
            )
        )

    def page(
        self, *, organization_id: int, limit: int | None, offset: int = 0
    ) -> tuple[list[orm.Token], int]:
        """The organisation's tokens, revoked ones too, oldest first (``limit`` None: all)."""
        query = select(orm.Token).where(orm.Token.organization_id == organization_id)
        total = self.session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = self.session.scalars(query.order_by(orm.Token.id).limit(limit).offset(offset)).all()
        return list(rows), total

    def revoke(self, token: orm.Token, *, at: datetime) -> None:
        token.revoked_at = at
        self.session.flush()
