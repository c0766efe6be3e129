"""Approved versions: immutable snapshots, readable by every authenticated client."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from api.conditional import IMMUTABLE, Prebuilt
from api.errors import NotFound
from api.services.auth import Client
from api.services.caches import VersionCache
from api.services.editing import versions_visible, visible_pathway
from db import models as orm
from db.repositories.pathways import PathwayRepository
from db.repositories.versions import VersionRepository
from pathways.diff import diff_pathways, marked_union
from pathways.document import read_stored_document
from pathways.errors import Bilingual
from pathways.export import ExportContext, export
from pathways.export.context import comparison
from pathways.model import Pathway

__all__ = [
    "DRAFT",
    "Diff",
    "diff",
    "get_version",
    "list_versions",
    "pathway_at",
    "version_answer",
    "version_of",
]

DRAFT = "draft"


def list_versions(
    session: Session, *, client: Client, pathway_id: int, limit: int, offset: int
) -> tuple[list[orm.Version], int]:
    versions_visible(session, client=client, pathway_id=pathway_id)
    return VersionRepository(session).page(pathway_id, limit=limit, offset=offset)


def version_of(session: Session, pathway_id: int, number: int) -> orm.Version:
    row = VersionRepository(session).get(pathway_id, number)
    if row is None:
        raise NotFound(
            Bilingual(
                f"pathway {pathway_id} has no approved version {number}",
                f"Forløp {pathway_id} har ingen godkjent versjon {number}.",
            )
        )
    return row


def get_version(session: Session, *, client: Client, pathway_id: int, number: int) -> orm.Version:
    versions_visible(session, client=client, pathway_id=pathway_id)
    return version_of(session, pathway_id, number)


def version_answer(
    session: Session,
    *,
    client: Client,
    pathway_id: int,
    number: int,
    cache: VersionCache,
    render: Callable[[orm.Version], bytes],
) -> Prebuilt:
    """An approved version as ``render`` writes it, with a strong ETag of its number and
    a digest of the representation (which a new field would change); rendered once."""
    versions_visible(session, client=client, pathway_id=pathway_id)
    key = ("version", pathway_id, number)
    answer = cache.answer(key)
    if not isinstance(answer, Prebuilt):
        body = render(version_of(session, pathway_id, number))
        digest = hashlib.sha256(body).hexdigest()[:16]
        answer = Prebuilt(
            body,
            etag=f'"v{number}-{digest}"',
            media_type="application/json",
            cache_control=IMMUTABLE,
        )
        cache.put_answer(key, answer)
    return answer


def pathway_at(
    session: Session, *, client: Client, pathway_id: int, version: int | None
) -> tuple[Pathway, int | None, int]:
    """The pathway as approved in ``version``, or its draft when ``version`` is None.

    Returns the pathway, the version number (None for the draft) and the revision.
    Drafts are for participants; approved versions for every authenticated client.
    """
    if version is None:
        row = visible_pathway(session, client=client, pathway_id=pathway_id)
        return PathwayRepository(session).load(row), None, row.revision
    found = get_version(session, client=client, pathway_id=pathway_id, number=version)
    return read_stored_document(found.document), found.number, found.revision


@dataclass(frozen=True, slots=True)
class Diff:
    from_version: int | None
    from_revision: int
    to_version: int | None
    to_revision: int
    changes: dict[str, Any]
    from_pathway: int
    to_pathway: int


def diff(
    session: Session,
    *,
    client: Client,
    pathway_id: int,
    from_version: int | None,
    to_version: int | None,
    against: int | None = None,
) -> Diff:
    """What changed from one version (or the draft) to another (or the draft); with
    ``against``, ``to_version`` is of that other pathway (two municipalities' variants
    side by side). Each side is visible as it is on its own: drafts to participants,
    versions to everyone."""
    found, _, _ = _compared(session, client, pathway_id, from_version, to_version, against)
    return found


def _compared(
    session: Session,
    client: Client,
    pathway_id: int,
    from_version: int | None,
    to_version: int | None,
    against: int | None,
) -> tuple[Diff, Pathway, Pathway]:
    before, from_number, from_revision = pathway_at(
        session, client=client, pathway_id=pathway_id, version=from_version
    )
    other = against if against is not None else pathway_id
    after, to_number, to_revision = pathway_at(
        session, client=client, pathway_id=other, version=to_version
    )
    changes = diff_pathways(before, after)
    found = Diff(from_number, from_revision, to_number, to_revision, changes, pathway_id, other)
    return found, before, after


def diff_picture(
    session: Session,
    *,
    client: Client,
    pathway_id: int,
    from_version: int | None,
    to_version: int | None,
    against: int | None,
    language: str,
) -> bytes:
    """The difference as a picture (SVG, as the exports draw pathways): the ``to`` side
    with what the ``from`` side had and it has not put back, steps and transitions
    marked added, changed or removed."""
    found, before, after = _compared(session, client, pathway_id, from_version, to_version, against)
    union, step_marks, transition_marks = marked_union(before, after)
    context = ExportContext(
        pathway_id=found.to_pathway,
        status=comparison(
            (found.from_pathway, found.from_version),
            (found.to_pathway, found.to_version),
            language,
        ),
        language=language,
        step_marks={key: mark.value for key, mark in step_marks.items()},
        transition_marks={key: mark.value for key, mark in transition_marks.items()},
    )
    return export(union, "svg", context=context)
