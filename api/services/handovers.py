"""Handover checklists for integrations, served from immutable approved versions.

The hot path (:meth:`HandoverService.checklist`) answers from memory: the token from the
:class:`~api.services.caches.TokenCache`, the version and the rendered bytes from the
:class:`~api.services.caches.VersionCache`. It reaches the database (in a worker thread,
one short read transaction) only on a miss: an unknown token, a version not yet loaded,
or a "latest version" lookup older than ``latest_ttl``. Drafts are never served here.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple, TypeVar

from sqlalchemy import bindparam, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from api.conditional import IMMUTABLE, Prebuilt
from api.errors import NotFound, Unauthorized
from api.gate import DatabaseGate
from api.services.auth import NO_TOKEN, Client, authenticate, hash_token
from api.services.caches import TokenCache, VersionCache
from db import models as orm
from db.repositories.versions import VersionRepository
from db.session import Database
from pathways.checklists import handover_entries, handover_entry
from pathways.document import read_stored_document
from pathways.errors import Bilingual
from pathways.export.context import DEFAULT_BASE_URL, ExportContext
from pathways.export.fhir import questionnaire_for
from pathways.model import Level, Pathway, Side
from pathways.roles import Role

__all__ = ["REVALIDATE", "ChecklistAsk", "FeedPage", "HandoverService", "feed", "feed_answer"]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class ChecklistAsk:
    """What a checklist request asks for (hashable: it keys the rendered answers)."""

    pathway_id: int
    version: int | None
    """An approved version; ``None`` for the latest."""
    transition_key: str | None
    """One handover; ``None`` for all of them."""
    side: Side | None
    level: Level | None
    fhir: bool


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
        self,
        database: Database,
        gate: DatabaseGate,
        versions: VersionCache,
        tokens: TokenCache,
        *,
        fhir_base_url: str | None = None,
    ) -> None:
        self.database = database
        self.fhir_base_url = fhir_base_url or DEFAULT_BASE_URL
        """The base of the Questionnaires' canonical URLs (``PATHWAYS_FHIR_BASE_URL``)."""
        self.gate = gate
        self._lookups: dict[Hashable, asyncio.Task[Any]] = {}
        self.versions = versions
        self.tokens = tokens

    async def _once(self, key: Hashable, function: Callable[..., T], *args: Any) -> T:
        """``function(*args)`` in a worker thread, at most once at a time per ``key``.

        When a cache entry expires, every request in flight misses it at once; they
        share one database lookup instead of each starting its own (which showed as a
        long tail of slow answers every few seconds).
        """
        task = self._lookups.get(key)
        if task is None:
            task = asyncio.ensure_future(self.gate.run(function, *args))
            self._lookups[key] = task

            def done(finished: asyncio.Task[Any]) -> None:
                self._lookups.pop(key, None)
                if not finished.cancelled():
                    finished.exception()  # retrieved here, whoever else awaits it

            task.add_done_callback(done)
        result: T = await asyncio.shield(task)
        return result

    # -- authentication ------------------------------------------------------------------

    def cached_client(self, token: str | None) -> Client | None:
        """The client of ``token`` if this worker has seen it within the cache bound."""
        return self.tokens.get(hash_token(token)) if token else None

    async def authenticate(self, token: str | None) -> Client:
        if not token:
            raise Unauthorized(NO_TOKEN)
        secret_hash = hash_token(token)
        client = self.tokens.get(secret_hash)
        if client is None:
            client = await self._once(("token", secret_hash), self._authenticate, token)
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
            return None if row is None else read_stored_document(row.document)

    async def _number(self, pathway_id: int, version: int | None) -> int:
        if version is not None:
            return version
        known, number = self.versions.latest(pathway_id)
        if not known:
            number = await self._once(("latest", pathway_id), self._load_latest, pathway_id)
            self.versions.put_latest(pathway_id, number)
        if number is None:
            raise NotFound(
                Bilingual(
                    f"pathway {pathway_id} has no approved version",
                    f"Forløp {pathway_id} har ingen godkjent versjon.",
                )
            )
        return number

    async def pathway(self, pathway_id: int, number: int) -> Pathway:
        pathway = self.versions.pathway(pathway_id, number)
        if pathway is None:
            pathway = await self._once(
                ("version", pathway_id, number), self._load_version, pathway_id, number
            )
            if pathway is None:
                raise NotFound(
                    Bilingual(
                        f"pathway {pathway_id} has no approved version {number}",
                        f"Forløp {pathway_id} har ingen godkjent versjon {number}.",
                    )
                )
            self.versions.put_pathway(pathway_id, number, pathway)
        return pathway

    # -- the checklists ---------------------------------------------------------------------

    def cached_checklist(self, ask: ChecklistAsk) -> Prebuilt | None:
        """The answer if it is in memory: no await, no thread, no database."""
        number = ask.version
        if number is None:
            known, number = self.versions.latest(ask.pathway_id)
            if not known or number is None:
                return None
        answer = self.versions.answer((ask, number))
        return answer if isinstance(answer, Prebuilt) else None

    async def checklist(self, ask: ChecklistAsk) -> Prebuilt:
        """The handovers of an approved version (default: the latest), rendered once."""
        number = await self._number(ask.pathway_id, ask.version)
        answer = self.versions.answer((ask, number))
        if not isinstance(answer, Prebuilt):
            pathway = await self.pathway(ask.pathway_id, number)
            answer = Prebuilt(
                self._render(
                    pathway,
                    ask.pathway_id,
                    number,
                    ask.transition_key,
                    ask.side,
                    ask.level,
                    ask.fhir,
                ),
                etag=f'"v{number}-fhir"' if ask.fhir else f'"v{number}"',
                media_type="application/fhir+json" if ask.fhir else "application/json",
                cache_control=IMMUTABLE if ask.version is not None else REVALIDATE,
            )
            self.versions.put_answer((ask, number), answer)
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
                Bilingual(
                    f"version {number} of pathway {pathway_id} has no handover {transition_key!r}",
                    f"Versjon {number} av forløp {pathway_id} har ingen overlevering "
                    f"«{transition_key}».",
                )
            )
        if fhir:
            context = ExportContext(
                pathway_id=pathway_id,
                status="approved",
                version=number,
                base_url=self.fhir_base_url,
            )
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


FEED_FORMAT = 4
"""Goes into every feed ETag: raise it when the feed's representation changes."""


class _FeedPathway(NamedTuple):
    """What the feed holds of one pathway: its versions (approved after ``since``)."""

    pathway_id: int
    versions: int
    first: int
    last: int
    numbers: int
    """The sum of the version numbers."""
    handovers: int
    newest: datetime


class FeedPage:
    """A page of the feed: its ETag is known from one grouped query, before anything
    is read for its body, and the body is rendered once per ETag."""

    __slots__ = (
        "_cache",
        "_pathways",
        "_session",
        "etag",
        "limit",
        "offset",
        "organization_id",
        "since",
    )

    def __init__(
        self,
        session: Session,
        cache: VersionCache,
        *,
        organization_id: int,
        since: datetime | None,
        limit: int,
        offset: int,
        pathways: list[_FeedPathway],
    ) -> None:
        self._session = session
        self._cache = cache
        self.organization_id = organization_id
        self.since = since
        self.limit = limit
        self.offset = offset
        self._pathways = pathways
        # Versions never change, and each pathway's are numbered 1, 2, ... in the order
        # they were approved: which numbers of which pathways the feed holds, and the
        # page asked for, say everything the page shows.
        held = sorted((p.pathway_id, p.versions, p.first, p.last, p.numbers) for p in pathways)
        basis = repr((FEED_FORMAT, organization_id, since, limit, offset, held))
        self.etag = '"' + hashlib.sha256(basis.encode()).hexdigest()[:32] + '"'

    def body(self) -> bytes:
        """The page, rendered once per ETag: the documents of the versions on it only
        (found by a running count of handovers in the database), parsed once."""
        key = ("feed", self.etag)
        cached = self._cache.answer(key)
        if isinstance(cached, bytes):
            return cached
        start, end = self.offset, self.offset + self.limit
        on_page = list(
            self._session.connection().execute(
                _FEED_PAGE_SINCE if self.since is not None else _FEED_PAGE,
                {
                    "organization": self.organization_id,
                    "since": self.since,
                    "start": start,
                    "end": end,
                },
            )
        )
        documents = self._documents([(row.id, row.pathway_id, row.number) for row in on_page])
        shared: dict[int, int | None] = {
            found.id: found.variant_of_id
            for found in self._session.connection().execute(
                select(orm.Pathway.id, orm.Pathway.variant_of_id).where(
                    orm.Pathway.id.in_({row.pathway_id for row in on_page})
                )
            )
        }
        items: list[dict[str, Any]] = []
        for row in on_page:
            pathway = documents[row.id]
            first = row.upto - row.handovers
            approved_at = _utc_text(row.created_at)
            for entry in handover_entries(pathway)[max(start - first, 0) : max(end - first, 0)]:
                items.append(
                    {
                        "pathway_id": row.pathway_id,
                        "title": pathway.info.title,
                        "version": row.number,
                        "approved_at": approved_at,
                        "variant_of": shared.get(row.pathway_id),
                        **entry,
                    }
                )
        newest = max((p.newest for p in self._pathways), default=None)
        body = _dumps(
            {
                "organization_id": self.organization_id,
                "since": _utc_text(self.since) if self.since else None,
                "newest": _utc_text(newest) if newest else None,
                "total": sum(p.handovers for p in self._pathways),
                "limit": self.limit,
                "offset": self.offset,
                "items": items,
            }
        )
        self._cache.put_answer(key, body)
        return body

    def _documents(self, versions: list[tuple[int, int, int]]) -> dict[int, Pathway]:
        found: dict[int, Pathway] = {}
        missing: dict[int, tuple[int, int]] = {}
        for version_id, pathway_id, number in versions:
            pathway = self._cache.pathway(pathway_id, number)
            if pathway is None:
                missing[version_id] = (pathway_id, number)
            else:
                found[version_id] = pathway
        if missing:
            rows = self._session.connection().execute(
                select(orm.Version.id, orm.Version.document).where(orm.Version.id.in_(missing))
            )
            for version_id, document in rows:
                pathway = read_stored_document(document)
                self._cache.put_pathway(*missing[version_id], pathway)
                found[version_id] = pathway
        return found


def _utc_text(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


_ORGANIZATION = select(orm.Organization.id).where(orm.Organization.id == bindparam("organization"))


def _adopted(variant_id: Any) -> Any:
    """Whether the organisation, as a municipality, approved a revision of the variant
    that became a version: it adopted the variant for itself."""
    approval = aliased(orm.Approval)
    approved = aliased(orm.Version)
    return exists(
        select(approval.id)
        .join(
            approved,
            (approved.pathway_id == approval.pathway_id) & (approved.revision == approval.revision),
        )
        .where(
            approval.pathway_id == variant_id,
            approval.organization_id == bindparam("organization"),
            approval.level == Level.MUNICIPALITY.value,
        )
    )


def _not_the_organisations_variant() -> Any:
    """Whether the version's pathway is not the one that applies to the organisation
    among a shared pathway and its local variants.

    A municipality that is an editor of a local variant and adopted it gets the
    variant's versions and none of the shared pathway's; until it adopts it, the shared
    pathway's and none of the variant's. Everyone else (the hospital, a municipality
    with no variant) gets every pathway it takes part in.
    """
    variant = aliased(orm.Pathway)
    member = aliased(orm.Participant)
    replaced = exists(
        select(variant.id)
        .join(member, member.pathway_id == variant.id)
        .where(
            variant.variant_of_id == orm.Version.pathway_id,
            member.organization_id == bindparam("organization"),
            member.role == Role.EDITOR.value,
            _adopted(variant.id),
        )
    )
    this = aliased(orm.Pathway)
    organization = aliased(orm.Organization)
    not_adopted = exists(
        select(this.id)
        .join(organization, organization.id == bindparam("organization"))
        .where(
            this.id == orm.Version.pathway_id,
            this.variant_of_id.is_not(None),
            organization.level == Level.MUNICIPALITY.value,
            ~_adopted(this.id),
        )
    )
    return or_(replaced, not_adopted)


def _feed_versions(since: bool) -> Any:
    query = (
        select(orm.Version)
        .join(orm.Participant, orm.Participant.pathway_id == orm.Version.pathway_id)
        .where(orm.Participant.organization_id == bindparam("organization"))
        .where(~_not_the_organisations_variant())
    )
    return query.where(orm.Version.created_at > bindparam("since")) if since else query


def _grouped(since: bool) -> Any:
    versions = _feed_versions(since).subquery()
    return select(
        versions.c.pathway_id,
        func.count(),
        func.min(versions.c.number),
        func.max(versions.c.number),
        func.sum(versions.c.number),
        func.sum(versions.c.handovers),
        func.max(versions.c.created_at),
    ).group_by(versions.c.pathway_id)


def _page(since: bool) -> Any:
    newest_first = (orm.Version.created_at.desc(), orm.Version.id.desc())
    running = (
        _feed_versions(since)
        .with_only_columns(
            orm.Version.id,
            orm.Version.pathway_id,
            orm.Version.number,
            orm.Version.created_at,
            orm.Version.handovers,
            func.sum(orm.Version.handovers).over(order_by=newest_first).label("upto"),
        )
        .subquery()
    )
    return (
        select(running)
        .where(
            running.c.handovers > 0,
            running.c.upto > bindparam("start"),
            running.c.upto - running.c.handovers < bindparam("end"),
        )
        .order_by(running.c.upto)
    )


_FEED, _FEED_SINCE = _grouped(since=False), _grouped(since=True)
_FEED_PAGE, _FEED_PAGE_SINCE = _page(since=False), _page(since=True)
"""Built once; run on the session's connection, without the ORM's work."""


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
    in, newest version first, each with its pathway, version and transition key. A
    municipality that adopted a local variant of a pathway gets the variant's versions
    instead of the shared pathway's (see :func:`_not_the_organisations_variant`).

    One grouped query (a row per pathway, not per version) gives the page its ETag, its
    total and the newest approval; only :meth:`FeedPage.body` reads the versions on the
    page, so a client that holds the page's ETag needs no more.
    """
    connection = session.connection()
    if connection.execute(_ORGANIZATION, {"organization": organization_id}).first() is None:
        raise NotFound(
            Bilingual(
                f"there is no organisation {organization_id}",
                f"Organisasjon {organization_id} finnes ikke.",
            )
        )
    query = _FEED_SINCE if since is not None else _FEED
    rows = connection.execute(query, {"organization": organization_id, "since": since})
    return FeedPage(
        session,
        cache,
        organization_id=organization_id,
        since=since,
        limit=limit,
        offset=offset,
        pathways=[_FeedPathway(*row) for row in rows],
    )


def feed_answer(
    session: Session,
    *,
    client: Client,
    cache: VersionCache,
    organization_id: int | None,
    since: datetime | None,
    limit: int,
    offset: int,
    held: Callable[[str], bool],
) -> tuple[str, bytes | None]:
    """The feed page of ``organization_id`` (default: the caller's) as its ETag and its
    body, or no body when the caller ``held`` that ETag already (304)."""
    page = feed(
        session,
        cache=cache,
        organization_id=organization_id or client.organization_id,
        since=since,
        limit=limit,
        offset=offset,
    )
    return page.etag, None if held(page.etag) else page.body()
