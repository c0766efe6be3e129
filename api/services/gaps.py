"""Gap reports of a draft or an approved version, in the reader's language."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from api.conditional import Prebuilt
from api.services.auth import Client
from api.services.caches import VersionCache
from api.services.editing import versions_visible, visible_stamp
from api.services.versions import pathway_at
from pathways.findings import Finding
from pathways.gaps import DEFAULT_DEADLINES, find_gaps
from pathways.model import RuleSettings

__all__ = ["GAPS_CACHE_CONTROL", "GapReport", "gap_answer", "gap_report"]

GAPS_CACHE_CONTROL = "private, no-cache"
"""A draft changes, and so may the rules with the service: clients revalidate (→ 304)."""


@dataclass(frozen=True, slots=True)
class GapReport:
    pathway_id: int
    version: int | None
    revision: int
    rules: RuleSettings
    deadlines: dict[str, str]
    """Every deadline in force: the pathway's own, else the rule's default."""
    findings: list[Finding]


def gap_report(
    session: Session, *, client: Client, pathway_id: int, version: int | None
) -> GapReport:
    pathway, number, revision = pathway_at(
        session, client=client, pathway_id=pathway_id, version=version
    )
    deadlines = {**DEFAULT_DEADLINES, **pathway.rules.deadlines}
    return GapReport(
        pathway_id=pathway_id,
        version=number,
        revision=revision,
        rules=pathway.rules,
        deadlines=dict(sorted(deadlines.items())),
        findings=find_gaps(pathway),
    )


def gap_answer(
    session: Session,
    *,
    client: Client,
    pathway_id: int,
    version: int | None,
    language: str,
    cache: VersionCache,
    render: Callable[[GapReport], bytes],
) -> Prebuilt:
    """The gap report as ``render`` writes it, with an ETag of its content; worked out
    once per revision of the draft (or approved version) and language, and then found
    after the query that checks the caller may see it."""
    if version is None:
        stamp = visible_stamp(session, client=client, pathway_id=pathway_id)
        key: tuple[object, ...] = ("gaps", *stamp.draft_key, language)
    else:
        versions_visible(session, client=client, pathway_id=pathway_id)
        key = ("gaps", pathway_id, "version", version, language)
    answer = cache.answer(key)
    if not isinstance(answer, Prebuilt):
        body = render(gap_report(session, client=client, pathway_id=pathway_id, version=version))
        answer = Prebuilt(
            body,
            etag=f'"{hashlib.sha256(body).hexdigest()[:24]}"',
            media_type="application/json",
            cache_control=GAPS_CACHE_CONTROL,
            headers={"Content-Language": language, "Vary": "Accept-Language"},
        )
        cache.put_answer(key, answer)
    return answer
