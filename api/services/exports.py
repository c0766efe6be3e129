"""Exports of an approved version (default: the latest) or of the draft (participants)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from api.errors import BadRequest, NotFound
from api.services.auth import Client
from api.services.borrowing import origin_of
from api.services.editing import versions_visible, visible_pathway
from api.services.pathways import view_of
from db.repositories.pathways import PathwayRepository
from db.repositories.versions import VersionRepository
from pathways.document import read_stored_document
from pathways.errors import Bilingual
from pathways.export import FORMATS, Approval, ExportContext, ExportFormat, export
from pathways.export.context import DEFAULT_BASE_URL
from pathways.gaps import find_gaps
from pathways.model import Level
from pathways.text import printable

__all__ = ["Exported", "export_pathway"]


@dataclass(frozen=True, slots=True)
class Exported:
    content: bytes
    format: ExportFormat
    filename: str
    etag: str
    immutable: bool
    """True for an approved version: the bytes never change."""


def _format(name: str) -> ExportFormat:
    found = FORMATS.get(name)
    if found is None:
        raise BadRequest(
            Bilingual(
                f"unknown export format {name!r}; formats: {', '.join(FORMATS)}",
                f"Ukjent eksportformat «{printable(name)}». Formatene er: {', '.join(FORMATS)}.",
            ),
            extra={"formats": list(FORMATS)},
        )
    return found


def _approval(snapshot: dict[str, object]) -> Approval:
    return Approval(
        organization=str(snapshot["organization_name"]),
        level=Level(str(snapshot["level"])),
        approved_at=datetime.fromisoformat(str(snapshot["approved_at"]).replace("Z", "+00:00")),
        revision=int(str(snapshot["revision"])),
    )


def export_pathway(
    session: Session,
    *,
    client: Client,
    pathway_id: int,
    format_name: str,
    version: int | None,
    draft: bool,
    language: str,
    fhir_base_url: str | None = None,
) -> Exported:
    """``pathway_id`` in ``format_name``: the draft, version ``version``, or the latest.

    ``fhir_base_url`` is the base of canonical URLs in FHIR (``PATHWAYS_FHIR_BASE_URL``;
    default :data:`~pathways.export.context.DEFAULT_BASE_URL`).
    """
    form = _format(format_name)
    base_url = fhir_base_url or DEFAULT_BASE_URL
    if draft:
        row = visible_pathway(session, client=client, pathway_id=pathway_id)
        pathway = PathwayRepository(session).load(row)
        view = view_of(session, row)
        status, changed_since = view.state
        context = ExportContext(
            pathway_id=pathway_id,
            status=status,
            changed_since=changed_since,
            revision=row.revision,
            approvals=tuple(
                Approval(a.organization_name, Level(a.level), a.approved_at, a.revision)
                for a in view.approvals
            ),
            findings=tuple(find_gaps(pathway)),
            language=language,
            base_url=base_url,
            origin=origin_of(row),
        )
        name = f"pathway-{pathway_id}-draft-r{row.revision}"
        etag = None  # of the bytes: approvals and status change them, not only the revision
        immutable = False
    else:
        versions_visible(session, client=client, pathway_id=pathway_id)
        found = VersionRepository(session).get_or_latest(pathway_id, version)
        if found is None:
            wanted = f"version {version}" if version is not None else "approved version"
            wanted_nb = f"versjon {version}" if version is not None else "godkjent versjon"
            raise NotFound(
                Bilingual(
                    f"pathway {pathway_id} has no {wanted}; participants can export the draft "
                    "with version=draft",
                    f"Forløp {pathway_id} har ingen {wanted_nb}. Deltakerne kan eksportere "
                    "utkastet med version=draft.",
                )
            )
        pathway = read_stored_document(found.document)
        context = ExportContext(
            pathway_id=pathway_id,
            status="approved",
            version=found.number,
            revision=found.revision,
            approvals=tuple(_approval(a) for a in found.approvals),
            findings=tuple(find_gaps(pathway)),
            generated_at=found.created_at,
            language=language,
            base_url=base_url,
            # Set when the pathway was created and never changed: the ETag holds.
            origin=origin_of(PathwayRepository(session).get(pathway_id)),
        )
        name = f"pathway-{pathway_id}-v{found.number}"
        etag = f'"v{found.number}-{form.name}-{language}"'
        immutable = version is not None
    content = export(pathway, form.name, context=context)
    if etag is None:
        digest = hashlib.sha256(content).hexdigest()[:20]
        etag = f'"r{row.revision}-{form.name}-{language}-{digest}"'
    return Exported(
        content=content,
        format=form,
        filename=f"{name}.{form.extension}",
        etag=etag,
        immutable=immutable,
    )
