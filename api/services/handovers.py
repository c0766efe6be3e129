"""Handover checklists for integrations, served from immutable approved versions.

The hot path (:meth:`HandoverService.checklist`) answers from memory: the token from the
:class:`~api.services.caches.TokenCache`, the version and the rendered bytes from the
:class:`~api.services.caches.VersionCache`. It reaches the database (in a worker thread,
one short read transaction) only on a miss: an unknown token, a version not yet loaded,
or a "latest version" lookup older than ``latest_ttl``. Drafts are never served here.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.conditional import IMMUTABLE, Prebuilt
from api.errors import NotFound, Unauthorized
from api.gate import DatabaseGate
from api.services.auth import Client, authenticate, hash_token
from api.services.caches import TokenCache, VersionCache
from db import models as orm
from db.repositories.versions import VersionRepository
from db.session import Database
from pathways.checklists import handover_entries, handover_entry
from pathways.document import parse_document
from pathways.export.context import ExportContext
from pathways.export.fhir import questionnaire_for
from pathways.model import Level, Pathway, Side

__all__ = ["FeedPage", "HandoverService", "feed"]

REVALIDATE = "private, no-cache"
"""Cache-Control for "the latest version": it can move, so clients revalidate (→ 304)."""


def _dumps(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _fhir_side(
    pathway: Pathway, transition_key: str, side: Side | None, level: Level | None
) -> tuple[Side | None, bool]:
    """The side to ask FHIR for, and whether the filters leave no item at all."""
    if level is None:
        return side, False
    transition = next(t for t in pathway.transitions if t.key == transition_key)
    acting = Side.SENDER if pathway.step(transition.source).level is level else Side.RECEIVER
    return acting, side is not None and side is not acting


class HandoverService:
    def __init__(
        self, database: Database, gate: DatabaseGate, versions: VersionCache, tokens: TokenCache
    ) -> None:
        self.database = database
        self.gate = gate
        self.versions = versions
        self.tokens = tokens

    # -- authentication ------------------------------------------------------------------

    async def authenticate(self, token: str | None) -> Client:
        if not token:
            raise Unauthorized("send a bearer token: 'Authorization: Bearer <token>'")
        secret_hash = hash_token(token)
        client = self.tokens.get(secret_hash)
        if client is None:
            client = await self.gate.run(self._authenticate, token)
            self.tokens.put(secret_hash, client)
        return client

    def _authenticate(self, token: str) -> Client:
        with self.database.reader() as session, session.begin():
            return authenticate(session, token)

    # -- versions --------------------------------------------------------------------------

    def _load_latest(self, pathway_id: int) -> int | None:
        with self.database.reader() as session, session.begin():
            row = VersionRepository(session).latest(pathway_id)
            return None if row is None else row.number

    def _load_version(self, pathway_id: int, number: int) -> Pathway | None:
        with self.database.reader() as session, session.begin():
            row = VersionRepository(session).get(pathway_id, number)
            return None if row is None else parse_document(row.document)

    async def _number(self, pathway_id: int, version: int | None) -> int:
        if version is not None:
            return version
        known, number = self.versions.latest(pathway_id)
        if not known:
            number = await self.gate.run(self._load_latest, pathway_id)
            self.versions.put_latest(pathway_id, number)
        if number is None:
            raise NotFound(f"pathway {pathway_id} has no approved version")
        return number

    async def pathway(self, pathway_id: int, number: int) -> Pathway:
        pathway = self.versions.pathway(pathway_id, number)
        if pathway is None:
            pathway = await self.gate.run(self._load_version, pathway_id, number)
            if pathway is None:
                raise NotFound(f"pathway {pathway_id} has no approved version {number}")
            self.versions.put_pathway(pathway_id, number, pathway)
        return pathway

    # -- the checklists ---------------------------------------------------------------------

    async def checklist(
        self,
        *,
        pathway_id: int,
        version: int | None,
        transition_key: str | None,
        side: Side | None,
        level: Level | None,
        fhir: bool,
    ) -> Prebuilt:
        """The handovers of an approved version (default: the latest), rendered once."""
        number = await self._number(pathway_id, version)
        pinned = version is not None
        key = (pathway_id, number, transition_key, side, level, fhir, pinned)
        answer = self.versions.answer(key)
        if not isinstance(answer, Prebuilt):
            pathway = await self.pathway(pathway_id, number)
            answer = Prebuilt(
                self._render(pathway, pathway_id, number, transition_key, side, level, fhir),
                etag=f'"v{number}-fhir"' if fhir else f'"v{number}"',
                media_type="application/fhir+json" if fhir else "application/json",
                cache_control=IMMUTABLE if pinned else REVALIDATE,
            )
            self.versions.put_answer(key, answer)
        return answer

    def _render(
        self,
        pathway: Pathway,
        pathway_id: int,
        number: int,
        transition_key: str | None,
        side: Side | None,
        level: Level | None,
        fhir: bool,
    ) -> bytes:
        handovers = {
            t.key: t
            for t in pathway.transitions
            if t.handover is not None and pathway.is_cross_level(t)
        }
        if transition_key is not None and transition_key not in handovers:
            raise NotFound(
                f"version {number} of pathway {pathway_id} has no handover {transition_key!r}"
            )
        if fhir:
            context = ExportContext(pathway_id=pathway_id, status="approved", version=number)
            keys = [transition_key] if transition_key else list(handovers)
            resources = []
            for key in keys:
                asked, empty = _fhir_side(pathway, key, side, level)
                resource = questionnaire_for(pathway, key, side=asked, context=context)
                if empty:
                    resource["item"] = []
                resources.append(resource)
            if transition_key:
                return _dumps(resources[0])
            return _dumps(
                {
                    "resourceType": "Bundle",
                    "type": "collection",
                    "entry": [{"resource": resource} for resource in resources],
                }
            )
        head = {
            "pathway_id": pathway_id,
            "title": pathway.info.title,
            "version": number,
        }
        if transition_key is not None:
            entry = handover_entry(pathway, handovers[transition_key], side=side, level=level)
            return _dumps({**head, **entry})
        return _dumps({**head, "handovers": handover_entries(pathway, side=side, level=level)})


@dataclass(frozen=True, slots=True)
class FeedPage:
    body: bytes
    etag: str


def feed(
    session: Session,
    *,
    cache: VersionCache,
    organization_id: int,
    since: datetime | None,
    limit: int,
    offset: int,
) -> FeedPage:
    """Handovers of the approved versions of every pathway the organisation takes part
    in, newest version first, each with its pathway, version and transition key."""
    if session.get(orm.Organization, organization_id) is None:
        raise NotFound(f"there is no organisation {organization_id}")
    query = (
        select(orm.Version)
        .join(orm.Participant, orm.Participant.pathway_id == orm.Version.pathway_id)
        .where(orm.Participant.organization_id == organization_id)
        .order_by(orm.Version.created_at.desc(), orm.Version.id.desc())
    )
    if since is not None:
        query = query.where(orm.Version.created_at > since)
    items: list[dict[str, Any]] = []
    newest: datetime | None = None
    for row in session.scalars(query):
        pathway = cache.pathway(row.pathway_id, row.number)
        if pathway is None:
            pathway = parse_document(row.document)
            cache.put_pathway(row.pathway_id, row.number, pathway)
        approved_at = row.created_at.isoformat().replace("+00:00", "Z")
        newest = row.created_at if newest is None else max(newest, row.created_at)
        for entry in handover_entries(pathway):
            items.append(
                {
                    "pathway_id": row.pathway_id,
                    "title": pathway.info.title,
                    "version": row.number,
                    "approved_at": approved_at,
                    **entry,
                }
            )
    body = _dumps(
        {
            "organization_id": organization_id,
            "since": since.isoformat().replace("+00:00", "Z") if since else None,
            "newest": newest.isoformat().replace("+00:00", "Z") if newest else None,
            "total": len(items),
            "limit": limit,
            "offset": offset,
            "items": items[offset : offset + limit],
        }
    )
    return FeedPage(body=body, etag='"' + hashlib.sha256(body).hexdigest()[:32] + '"')
