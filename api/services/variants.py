"""Local variants of a shared pathway: create one, read what it does differently and
what changed upstream, and move it onto a newer approved version.

A variant is a pathway of its own: its draft, participants, approvals, versions,
history and checklists work as any pathway's, and it is in the shared pathway's
partnership (so the agreement's deadlines and approval policy apply to it). What makes
it a variant is ``variant_of_id`` and ``variant_of_version``: the shared pathway and the
approved version it is pinned to. Its differences are what its draft does differently
from that version (:func:`pathways.variants.differences`). It applies to its municipal
editors; the hospital level's editors of the shared pathway take part to approve it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from api.errors import Conflict, Forbidden, NotFound, RuleViolation
from api.services.auth import Client, Scope
from api.services.editing import begin_edit, not_found, record_change, visible_pathway
from api.services.pathways import PathwayView, view_of
from api.services.versions import version_of
from db import models as orm
from db.repositories.pathways import PathwayRepository, info_of, rules_of
from db.repositories.versions import VersionRepository
from pathways.diff import diff_pathways
from pathways.document import read_stored_document
from pathways.errors import Bilingual
from pathways.limits import Limits
from pathways.model import Level, Pathway, PathwayInfo
from pathways.roles import Role
from pathways.validation import validate_info, validate_pathway
from pathways.variants import Differences, Outcome, Rebase, describe, differences, rebase

__all__ = [
    "VariantStatus",
    "check_one_variant_each",
    "create_variant",
    "list_variants",
    "outcome_dict",
    "rebase_variant",
    "variant_status",
]


@dataclass(frozen=True, slots=True)
class VariantStatus:
    """A variant, what it does differently from its pinned version, and, when the
    shared pathway has a newer approved version, what moving onto it would do."""

    view: PathwayView
    shared: orm.Pathway
    shared_title: str
    """The shared pathway's title in the pinned version (its draft is its participants')."""
    pinned: int
    changes: Differences
    differences: dict[str, Any]
    """:func:`pathways.diff.diff_pathways` of the pinned version and the draft, without
    the description (the variant has its own title)."""
    latest: int
    upstream: Rebase | None
    """None when the variant is pinned to the latest version."""


def _document(session: Session, pathway_id: int, number: int) -> Pathway:
    return read_stored_document(version_of(session, pathway_id, number).document)


def _editors(session: Session, pathway_id: int) -> list[tuple[orm.Participant, orm.Organization]]:
    return [
        (participant, organization)
        for participant, organization in PathwayRepository(session).participants(pathway_id)
        if participant.role == Role.EDITOR
    ]


def create_variant(
    session: Session,
    *,
    client: Client,
    pathway_id: int,
    organization_ids: list[int] | None,
    title: str | None,
    version: int | None,
    limits: Limits,
) -> PathwayView:
    """A local variant of the shared pathway ``pathway_id`` for ``organization_ids``
    (municipal editors of it, the caller's among them; default: the caller's), pinned
    to approved ``version`` (default: the latest), its draft that version."""
    client.require(Scope.EDIT, Bilingual("creating a local variant", "opprette en lokal variant"))
    visible_pathway(session, client=client, pathway_id=pathway_id)
    # Locked: two variants for the same municipality cannot be made at once.
    shared = PathwayRepository(session).get(pathway_id, for_update=True)
    if shared is None:
        raise not_found(pathway_id)
    if shared.variant_of_id is not None:
        raise RuleViolation(
            Bilingual(
                f"pathway {pathway_id} is itself a variant of pathway {shared.variant_of_id}; "
                "make the variant of the shared pathway",
                f"Forløp {pathway_id} er selv en lokal variant av forløp "
                f"{shared.variant_of_id}. Lag varianten av det felles forløpet.",
            ),
            errors=[
                {
                    "loc": ["path", "pathway_id"],
                    "pointer": None,
                    "detail": Bilingual("a variant", "er selv en lokal variant"),
                }
            ],
        )
    editors = _editors(session, pathway_id)
    editor_ids = {organization.id for _, organization in editors}
    if client.organization_id not in editor_ids:
        raise Forbidden(
            Bilingual(
                f"{client.organization_name} is not an editor of pathway {pathway_id}; an "
                "editor makes a local variant of it",
                f"{client.organization_name} er ikke redaktør i forløp {pathway_id}. Det er "
                "redaktørene som lager lokale varianter av det.",
            )
        )
    wanted = list(dict.fromkeys(organization_ids or [client.organization_id]))
    municipal = {
        organization.id: organization
        for _, organization in editors
        if organization.level == Level.MUNICIPALITY
    }
    outside = [organization_id for organization_id in wanted if organization_id not in municipal]
    if outside:
        listed = ", ".join(map(str, outside))
        raise RuleViolation(
            Bilingual(
                f"organisation(s) {listed} are not municipal editors of pathway {pathway_id}: "
                "a local variant applies to municipalities that take part in it",
                (
                    f"Organisasjonene {listed} er ikke kommunale redaktører"
                    if len(outside) > 1
                    else f"Organisasjonen {listed} er ikke kommunal redaktør"
                )
                + f" i forløp {pathway_id}. En lokal variant gjelder kommuner som deltar i det.",
            ),
            errors=[
                {
                    "loc": ["body", "organizations"],
                    "pointer": None,
                    "detail": Bilingual("not municipal", "er ikke kommunale redaktører"),
                }
            ],
        )
    if client.organization_id not in wanted:
        raise Forbidden(
            Bilingual(
                "a municipality makes its own local variant: the caller's organisation must be "
                "one of those it applies to",
                "En kommune lager sin egen lokale variant: organisasjonen din må være blant dem "
                "varianten gjelder for.",
            )
        )
    check_one_variant_each(session, pathway_id, wanted)
    versions = VersionRepository(session)
    latest = versions.latest(pathway_id)
    if latest is None:
        raise Conflict(
            Bilingual(
                f"pathway {pathway_id} has no approved version yet; a local variant is pinned "
                "to one",
                f"Forløp {pathway_id} har ingen godkjent versjon ennå. En lokal variant bygger "
                "på en godkjent versjon.",
            )
        )
    number = version if version is not None else latest.number
    pinned = _document(session, pathway_id, number)
    names = ", ".join(municipal[organization_id].name for organization_id in wanted)
    info = PathwayInfo(
        title=title or _default_title(pinned.info.title, names, limits.max_name_length),
        description=pinned.info.description,
        target_group=pinned.info.target_group,
        agreement_ref=pinned.info.agreement_ref,
        review_due=pinned.info.review_due,
    )
    validate_info(info, limits=limits, loc=("body",))
    validate_pathway(pinned, limits=limits)
    repository = PathwayRepository(session)
    row = repository.add(info, pinned.rules, writer=client.organization_id)
    row.partnership_id = shared.partnership_id
    row.variant_of_id = shared.id
    row.variant_of_version = number
    for organization_id in wanted:
        repository.add_participant(row.id, organization_id)
    # The hospital level approves it with them; the partnership's secretariat and the
    # commenters of the shared pathway follow it as they follow the shared one.
    for participant, member in repository.participants(pathway_id):
        if member.id in wanted:
            continue
        if participant.role != Role.EDITOR or member.level == Level.HOSPITAL:
            repository.add_participant(row.id, member.id, role=participant.role)
    repository.replace_graph(
        row.id, pinned.steps, pinned.transitions, writer=client.organization_id
    )
    record_change(
        session,
        client=client,
        row=row,
        action="variant.create",
        summary=f"Local variant of pathway {shared.id}, version {number}, for {names}",
        changes={
            "variant_of": {"pathway_id": shared.id, "version": number},
            "applies_to": wanted,
            "names": [municipal[organization_id].name for organization_id in wanted],
            "pathway": {"title": info.title},
        },
    )
    return view_of(session, row)


def _default_title(shared: str, names: str, room: int) -> str:
    """``"<shared title>: <municipalities>"``, cut with "…" to ``room`` characters,
    the shared title first so that the municipalities' names stay."""
    title = f"{shared}: {names}"
    if len(title) <= room:
        return title
    keep = max(room - len(names) - 3, 0)
    title = f"{shared[:keep].rstrip()}…: {names}" if keep else names
    return title if len(title) <= room else title[: room - 1].rstrip() + "…"


def check_one_variant_each(
    session: Session,
    shared_id: int,
    organization_ids: list[int],
    *,
    variant_id: int | None = None,
) -> None:
    """409 if one of ``organization_ids`` is already an editor of another local variant
    of ``shared_id``: a municipality lives by one variant of a pathway at a time."""
    taken = PathwayRepository(session).variant_editors(
        shared_id, organization_ids, other_than=variant_id
    )
    if taken:
        organization, variant = next(iter(taken.items()))
        raise Conflict(
            Bilingual(
                f"organisation {organization} is an editor of local variant {variant} of "
                f"pathway {shared_id} already; a municipality has one variant of a pathway",
                f"Organisasjon {organization} er allerede redaktør i den lokale varianten "
                f"{variant} av forløp {shared_id}. En kommune har én variant av et forløp.",
            )
        )


def _variant(session: Session, client: Client, pathway_id: int) -> orm.Pathway:
    row = visible_pathway(session, client=client, pathway_id=pathway_id)
    if row.variant_of_id is None or row.variant_of_version is None:
        raise _not_a_variant(pathway_id)
    return row


def _not_a_variant(pathway_id: int) -> NotFound:
    return NotFound(
        Bilingual(
            f"pathway {pathway_id} is not a local variant",
            f"Forløp {pathway_id} er ikke en lokal variant.",
        )
    )


def _status(session: Session, row: orm.Pathway) -> VariantStatus:
    assert row.variant_of_id is not None
    assert row.variant_of_version is not None
    shared = PathwayRepository(session).get(row.variant_of_id)
    if shared is None:  # a foreign key keeps it
        raise not_found(row.variant_of_id)
    pinned = _document(session, shared.id, row.variant_of_version)
    draft = PathwayRepository(session).load(row)
    own = _own(draft, row)
    changes = differences(pinned, own)
    found = diff_pathways(pinned, own)
    found.pop("pathway")
    latest = VersionRepository(session).latest(shared.id)
    number = latest.number if latest is not None else row.variant_of_version
    upstream = None
    if number > row.variant_of_version:
        upstream = rebase(pinned, _document(session, shared.id, number), changes)
    return VariantStatus(
        view=view_of(session, row),
        shared=shared,
        shared_title=pinned.info.title,
        pinned=row.variant_of_version,
        changes=changes,
        differences=found,
        latest=number,
        upstream=upstream,
    )


def _own(draft: Pathway, row: orm.Pathway) -> Pathway:
    """The draft with its own rules, not the ones in force (a variant's own rules start
    as the rules its pinned version was approved under, so the two compare as equal
    until the variant changes them)."""
    return Pathway(draft.info, draft.steps, draft.transitions, rules_of(row))


def variant_status(session: Session, *, client: Client, pathway_id: int) -> VariantStatus:
    """See :class:`VariantStatus`; for the variant's participants."""
    return _status(session, _variant(session, client, pathway_id))


def rebase_variant(
    session: Session,
    *,
    client: Client,
    pathway_id: int,
    if_match: str | None,
    version: int | None,
    limits: Limits,
    language: str,
) -> VariantStatus:
    """Move the variant onto approved ``version`` of its shared pathway (default: the
    latest): its differences carried over, as one change. With any conflict nothing
    moves: a 409 lists them."""
    row = begin_edit(session, client=client, pathway_id=pathway_id, if_match=if_match)
    if row.variant_of_id is None or row.variant_of_version is None:
        raise _not_a_variant(pathway_id)
    latest = VersionRepository(session).latest(row.variant_of_id)
    target = version if version is not None else (latest.number if latest else 0)
    if target <= row.variant_of_version:
        raise Conflict(
            Bilingual(
                f"the variant is pinned to version {row.variant_of_version} already; it moves "
                "only onto a newer version",
                f"Varianten bygger allerede på versjon {row.variant_of_version}. Den kan bare "
                "flyttes til en nyere versjon.",
            )
        )
    pinned = _document(session, row.variant_of_id, row.variant_of_version)
    upstream = _document(session, row.variant_of_id, target)
    before = PathwayRepository(session).load(row)
    moved = rebase(pinned, upstream, differences(pinned, _own(before, row)))
    if moved.pathway is None:
        raise Conflict(
            Bilingual(
                f"{len(moved.conflicts)} of the variant's differences conflict with version "
                f"{target}; nothing was moved",
                f"{len(moved.conflicts)} av variantens forskjeller er i konflikt med versjon "
                f"{target}. Ingenting er flyttet.",
            ),
            extra={"conflicts": [outcome_dict(outcome, language) for outcome in moved.conflicts]},
        )
    result = moved.pathway
    validate_pathway(result, limits=limits)
    repository = PathwayRepository(session)
    repository.replace_graph(
        row.id, result.steps, result.transitions, writer=client.organization_id, before=before
    )
    repository.set_rules(row, result.rules, writer=client.organization_id)
    # The description moves too, field by field, where the variant kept the pin's.
    own_info = info_of(row)
    carried = {
        name: getattr(upstream.info, name)
        for name in ("description", "target_group", "agreement_ref", "review_due")
        if getattr(own_info, name) == getattr(pinned.info, name)
    }
    repository.set_info(
        row, dataclasses.replace(own_info, **carried), writer=client.organization_id
    )
    pinned_before = row.variant_of_version
    row.variant_of_version = target
    record_change(
        session,
        client=client,
        row=row,
        action="variant.rebase",
        summary=f"Moved onto version {target} of pathway {row.variant_of_id}",
        changes={
            "variant_of_version": {"from": pinned_before, "to": target},
            "outcomes": [outcome_dict(outcome, "en") for outcome in moved.outcomes],
        },
    )
    return _status(session, row)


def list_variants(session: Session, *, client: Client, pathway_id: int) -> list[PathwayView]:
    """The local variants of a shared pathway whose drafts the caller may see (as a
    participant, or as the secretariat of their partnership)."""
    visible_pathway(session, client=client, pathway_id=pathway_id)
    views = []
    for variant in PathwayRepository(session).variants_of(pathway_id):
        try:
            row = visible_pathway(session, client=client, pathway_id=variant.id)
        except NotFound:
            continue
        views.append(view_of(session, row))
    return views


def outcome_dict(outcome: Outcome, language: str) -> dict[str, Any]:
    """One outcome for the wire: codes for programs, ``text`` for people."""
    return {
        "kind": outcome.kind,
        "key": outcome.key,
        "change": outcome.change,
        "status": outcome.status.value,
        "conflict": outcome.conflict.value if outcome.conflict else None,
        "name": outcome.name,
        "detail": outcome.detail,
        "text": describe(outcome, language),
    }
