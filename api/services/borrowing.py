"""Borrowing: an approved pathway, from any partnership, as the start of a new draft.

Approved versions are public agreement documents, so any care provider may borrow
one (a learning network: "det er enklest å spørre en venn"). The new pathway is the
borrower's own draft, in its partnership if it names one; it keeps a reference to its
origin (pathway, version, title and partnership as they were), which its history and
its exports show. Nothing of the origin changes.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from sqlalchemy.orm import Session

from api.errors import NotFound
from api.services.auth import Client, Scope
from api.services.editing import versions_visible
from api.services.pathways import PathwayView, import_pathway
from db import models as orm
from db.repositories.versions import VersionRepository
from pathways.document import read_stored_document
from pathways.errors import Bilingual
from pathways.export.context import Origin
from pathways.limits import Limits

__all__ = ["borrow_pathway", "origin_of"]


def origin_of(row: orm.Pathway | None) -> Origin | None:
    """The origin a borrowed pathway's row keeps, for its exports."""
    found = row.origin if row is not None else None
    if not found:
        return None
    return Origin(
        pathway_id=int(found["pathway_id"]),
        title=str(found["title"]),
        version=int(found["version"]),
        partnership=str(found.get("partnership") or ""),
    )


def borrow_pathway(
    session: Session,
    *,
    client: Client,
    pathway_id: int,
    version: int | None,
    title: str | None,
    partnership_id: int | None,
    limits: Limits,
) -> PathwayView:
    """A new draft of the caller's organisation holding approved ``version`` (default:
    the latest) of ``pathway_id``, in ``partnership_id`` if named, with its origin."""
    client.require(Scope.EDIT, Bilingual("borrowing a pathway", "låne et forløp"))
    versions_visible(session, client=client, pathway_id=pathway_id)
    found = VersionRepository(session).get_or_latest(pathway_id, version)
    if found is None:
        wanted = f"approved version {version}" if version is not None else "approved version"
        wanted_nb = f"godkjent versjon {version}" if version is not None else "godkjent versjon"
        raise NotFound(
            Bilingual(
                f"pathway {pathway_id} has no {wanted}; only approved versions are borrowed",
                f"Forløp {pathway_id} har ingen {wanted_nb}. Bare godkjente versjoner kan lånes.",
            )
        )
    borrowed = read_stored_document(found.document)
    partnership = (
        session.get(orm.Partnership, found.partnership_id) if found.partnership_id else None
    )
    origin: dict[str, Any] = {
        "pathway_id": pathway_id,
        "version": found.number,
        "title": borrowed.info.title,
        "partnership_id": found.partnership_id,
        "partnership": partnership.name if partnership else None,
    }
    info = borrowed.info if title is None else dataclasses.replace(borrowed.info, title=title)
    return import_pathway(
        session,
        client=client,
        pathway=dataclasses.replace(borrowed, info=info),
        partnership_id=partnership_id,
        limits=limits,
        origin=origin,
    )
