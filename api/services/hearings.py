"""Hearing rounds: open one on a revision, answer it, reply to answers, close it.

An editor or the secretariat of a pathway opens a round on the revision ``If-Match``
names, with a deadline and the organisations it invites (participants or not: a user
organisation, a GP council). The round keeps that revision's document, which every
invitee may read. Each invitee answers once (agrees, agrees with remarks, disagrees),
with text and comments on elements of the revision heard; the working group replies to
the answers and closes the round. The round's ETag goes up with every answer, reply and
closing; opening, answering, replying and closing are recorded in the pathway's
history. Under a partnership that requires a hearing (``hearing_required``) a pathway
is approved only after a clean round since its latest version (:func:`hearing_problem`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.orm import Session

from api.errors import Conflict, Forbidden, NotFound, RuleViolation
from api.services.auth import Client, Scope
from api.services.comments import announce
from api.services.editing import (
    begin_edit,
    check_if_match,
    etag,
    record_event,
    require_acts,
    role_on,
    visible_pathway,
)
from api.services.notifications import notify, pathway_audience
from db import models as orm
from db.repositories.comments import CommentRepository
from db.repositories.hearings import HearingRepository
from db.repositories.organizations import OrganizationRepository
from db.repositories.pathways import PathwayRepository
from db.repositories.versions import VersionRepository
from db.types import utcnow
from pathways.comments import Anchor, element_of, missing_element
from pathways.document import dump_document, read_stored_document
from pathways.errors import Bilingual
from pathways.events import EventType
from pathways.export.hearing import HearingReport, ReportAnswer, ReportComment, hearing_html
from pathways.hearings import Answer, Position, RoundState, round_state
from pathways.roles import Act
from pathways.wording import date_text, join

__all__ = [
    "MAX_DEADLINE_DAYS",
    "HearingView",
    "answer_hearing",
    "close_hearing",
    "get_hearing",
    "hearing_document",
    "hearing_problem",
    "hearing_report",
    "invited_hearings",
    "open_hearing",
    "pathway_hearings",
    "reply_to_answer",
]

MAX_DEADLINE_DAYS = 730
"""A deadline at most two years ahead."""


@dataclass(frozen=True, slots=True)
class HearingView:
    row: orm.Hearing
    invitees: list[orm.HearingInvitee]
    comments: list[orm.Comment]
    """The comments that came with the answers."""

    @property
    def etag(self) -> str:
        """The round's own revision, ``"4"``: up with every answer, reply and closing.
        Nothing else it shows changes (the pathway's title is the one heard)."""
        return etag(self.row.etag_revision)

    @property
    def state(self) -> RoundState:
        return _state(self.row, self.invitees)


def _state(row: orm.Hearing, invitees: Sequence[orm.HearingInvitee]) -> RoundState:
    return round_state(
        (
            Answer(
                Position(i.position) if i.position else None,
                replied=bool(i.reply),
            )
            for i in invitees
        ),
        closed=row.closed_at is not None,
    )


def _not_found(hearing_id: int) -> NotFound:
    return NotFound(
        Bilingual(
            f"there is no hearing round {hearing_id} that this organisation takes part in or "
            "is invited to",
            f"Det finnes ingen høring {hearing_id} som denne organisasjonen deltar i eller er "
            "invitert til.",
        )
    )


def _view(session: Session, row: orm.Hearing) -> HearingView:
    return HearingView(
        row=row,
        invitees=HearingRepository(session).invitees(row.id),
        comments=CommentRepository(session).of_hearing(row.id),
    )


def _visible(
    session: Session, client: Client, hearing_id: int, *, lock: bool = False
) -> tuple[orm.Hearing, orm.Pathway, orm.HearingInvitee | None, bool]:
    """The round, its pathway, the caller's invitation (if any) and whether the caller
    takes part in the pathway; :class:`NotFound` for a caller that is neither."""
    hearings = HearingRepository(session)
    row = hearings.get(hearing_id, for_update=lock)
    if row is None:
        raise _not_found(hearing_id)
    pathway = PathwayRepository(session).get(row.pathway_id)
    assert pathway is not None
    invitation = hearings.invitee(row.id, client.organization_id)
    participates = role_on(session, pathway, client) is not None
    if invitation is None and not participates:
        raise _not_found(hearing_id)
    return row, pathway, invitation, participates


def open_hearing(
    session: Session,
    *,
    client: Client,
    pathway_id: int,
    if_match: str | None,
    title: str | None,
    description: str,
    deadline: date,
    invitee_ids: list[int],
) -> HearingView:
    """A round on the revision ``If-Match`` names; 409 while another round is open."""
    row = begin_edit(
        session, client=client, pathway_id=pathway_id, if_match=if_match, act=Act.HOLD_HEARING
    )
    today = utcnow().date()
    if deadline < today:
        raise RuleViolation.in_body(
            Bilingual(
                f"the deadline {deadline.isoformat()} is in the past; give a date from today on",
                f"Fristen {date_text(deadline, 'nb')} har allerede vært. Sett en frist fra og "
                "med i dag.",
            ),
            "deadline",
        )
    if deadline > today + timedelta(days=MAX_DEADLINE_DAYS):
        raise RuleViolation.in_body(
            Bilingual(
                f"the deadline {deadline.isoformat()} is more than two years ahead",
                f"Fristen {date_text(deadline, 'nb')} er mer enn to år fram i tid.",
            ),
            "deadline",
        )
    hearings = HearingRepository(session)
    already = hearings.open_round(row.id)
    if already is not None:
        raise Conflict(
            Bilingual(
                f"hearing round {already.id} on this pathway is still open; close it before "
                "opening another",
                f"Høringen {already.id} av dette forløpet er fortsatt åpen. Avslutt den før du "
                "sender forløpet på en ny høring.",
            )
        )
    wanted = list(dict.fromkeys(invitee_ids))
    if wanted == [client.organization_id]:
        raise RuleViolation.in_body(
            Bilingual(
                "a hearing asks others: invite at least one organisation besides your own",
                "En høring spør andre. Inviter minst én annen organisasjon enn din egen.",
            ),
            "invitees",
        )
    found = OrganizationRepository(session).get_many(wanted)
    unknown = [i for i in wanted if i not in found]
    if unknown:
        listed = ", ".join(map(str, unknown))
        raise RuleViolation.in_body(
            Bilingual(
                f"there is no organisation {listed}",
                f"Det finnes ingen organisasjon med id {listed}.",
            ),
            "invitees",
        )
    pathway = PathwayRepository(session).load(row)
    hearing = hearings.add(
        invitees=[found[i] for i in wanted],
        pathway_id=row.id,
        revision=row.revision,
        title=title or f"Høring: {row.title}"[:300],
        pathway_title=row.title,
        description=description,
        document=dump_document(pathway).decode("utf-8"),
        deadline=deadline,
        opened_by_id=client.organization_id,
        opened_by=client.organization_name,
        token_name=client.token_name,
    )
    names = ", ".join(found[i].name for i in wanted)
    record_event(
        session,
        client=client,
        row=row,
        action="hearing.open",
        summary=f"Hearing round {hearing.id} opened on revision {row.revision}, deadline "
        f"{deadline.isoformat()}: {names}"[:1000],
        changes={
            "hearing": hearing.id,
            "revision": row.revision,
            "invitees": wanted,
            "names": [found[i].name for i in wanted],
            "deadline": deadline.isoformat(),
        },
    )
    notify(
        session,
        EventType.HEARING_OPENED,
        pathway_id=row.id,
        data={
            "hearing_id": hearing.id,
            "pathway_id": row.id,
            "title": hearing.title,
            "pathway_title": row.title,
            "revision": row.revision,
            "deadline": deadline.isoformat(),
            "opened_by": client.organization_name,
            "hearing": f"/hearings/{hearing.id}",
            "document": f"/hearings/{hearing.id}/document",
        },
        recipients=wanted,
    )
    return _view(session, hearing)


def get_hearing(session: Session, *, client: Client, hearing_id: int) -> HearingView:
    row, _, _, _ = _visible(session, client, hearing_id)
    return _view(session, row)


def hearing_document(session: Session, *, client: Client, hearing_id: int) -> orm.Hearing:
    """The round, for its document: the revision heard."""
    row, _, _, _ = _visible(session, client, hearing_id)
    return row


def hearing_report(session: Session, *, client: Client, hearing_id: int, language: str) -> bytes:
    """The round as a page a secretariat can publish (``pathways.export.hearing``)."""
    row, _, _, _ = _visible(session, client, hearing_id)
    view = _view(session, row)
    comments: dict[int, list[ReportComment]] = {}
    for comment in view.comments:
        element = Anchor.stored(comment.anchor_kind, comment.anchor_key).said
        comments.setdefault(comment.organization_id, []).append(
            ReportComment(element.in_language(language), comment.text)
        )
    report = HearingReport(
        title=row.title,
        pathway_title=row.pathway_title,
        revision=row.revision,
        deadline=row.deadline,
        closed=row.closed_at is not None,
        opened_by=row.opened_by,
        opened_on=row.opened_at.date(),
        closed_on=row.closed_at.date() if row.closed_at else None,
        description=row.description,
        answers=tuple(
            ReportAnswer(
                organization=invitee.name,
                position=invitee.position,
                text=invitee.text,
                reply=invitee.reply or "",
                comments=tuple(comments.get(invitee.organization_id, ())),
            )
            for invitee in view.invitees
        ),
    )
    return hearing_html(report, language)


def pathway_hearings(
    session: Session, *, client: Client, pathway_id: int, limit: int, offset: int
) -> tuple[list[HearingView], int]:
    """A page of the rounds of a pathway, newest first (participants)."""
    visible_pathway(session, client=client, pathway_id=pathway_id)
    rows, total = HearingRepository(session).page_of_pathway(pathway_id, limit=limit, offset=offset)
    return [_view(session, row) for row in rows], total


def invited_hearings(
    session: Session, *, client: Client, limit: int, offset: int
) -> tuple[list[HearingView], int]:
    """A page of the rounds the caller's organisation is invited to, open ones first."""
    rows, total = HearingRepository(session).invited(
        client.organization_id, limit=limit, offset=offset
    )
    return [_view(session, row) for row in rows], total


def _closed(row: orm.Hearing) -> Conflict:
    closed = row.closed_at.date() if row.closed_at else utcnow().date()
    return Conflict(
        Bilingual(
            f"hearing round {row.id} was closed on {closed.isoformat()}",
            f"Høringen {row.id} ble avsluttet {date_text(closed, 'nb')}.",
        )
    )


def answer_hearing(
    session: Session,
    *,
    client: Client,
    hearing_id: int,
    position: Position,
    text: str,
    comments: list[tuple[Anchor, str]],
) -> HearingView:
    """The caller organisation's one answer to the round."""
    row, pathway_row, invitation, _ = _visible(session, client, hearing_id, lock=True)
    client.require(Scope.EDIT, Bilingual("answering a hearing", "svare på en høring"))
    if invitation is None:
        raise Forbidden(
            Bilingual(
                f"{client.organization_name} is not invited to hearing round {row.id}; the "
                "invited organisations answer it",
                f"{client.organization_name} er ikke invitert til høringen {row.id}. Det er "
                "de inviterte organisasjonene som svarer.",
            )
        )
    if row.closed_at is not None:
        raise _closed(row)
    if invitation.position is not None:
        raise Conflict(
            Bilingual(
                f"{client.organization_name} answered hearing round {row.id} already "
                f"({invitation.position}); each invitee answers once",
                f"{client.organization_name} har allerede svart på høringen {row.id} "
                f"({Position(invitation.position).said.nb}). Hver inviterte organisasjon "
                "svarer én gang.",
            )
        )
    if position.needs_text and not text.strip():
        raise RuleViolation.in_body(
            Bilingual(
                f"an answer that is {position.said.en} says why: write the remarks in text",
                f"Når svaret er «{position.said.nb}», må det begrunnes. Skriv begrunnelsen i text.",
            ),
            "text",
        )
    heard = read_stored_document(row.document)
    for index, (anchor, _) in enumerate(comments):
        problem = missing_element(heard, anchor)
        if problem is not None:
            raise RuleViolation.in_body(problem, "comments", index, "anchor")
    now = utcnow()
    invitation.position = position.value
    invitation.text = text
    invitation.answered_at = now
    invitation.answered_by = client.token_name
    row.etag_revision += 1
    role = role_on(session, pathway_row, client)
    repository = CommentRepository(session)
    audience = pathway_audience(session, pathway_row) if comments else set()
    for anchor, comment_text in comments:
        comment = repository.add(
            pathway_id=row.pathway_id,
            thread_id=None,
            hearing_id=row.id,
            anchor_kind=anchor.kind.value,
            anchor_key=anchor.stored_key,
            revision=row.revision,
            element=element_of(heard, anchor),
            text=comment_text,
            organization_id=client.organization_id,
            organization_name=client.organization_name,
            role=role.value if role else "invitee",
            token_id=client.token_id,
            token_name=client.token_name,
        )
        announce(session, pathway_row, comment, client, audience)
    record_event(
        session,
        client=client,
        row=pathway_row,
        action="hearing.answer",
        summary=f"{client.described} answered hearing round {row.id}: {position.value}",
        changes={"hearing": row.id, "position": position.value, "comments": len(comments)},
    )
    return _view(session, row)


def _hold(
    session: Session, client: Client, hearing_id: int, if_match: str | None
) -> tuple[orm.Hearing, orm.Pathway]:
    row, pathway_row, _, participates = _visible(session, client, hearing_id, lock=True)
    if not participates:
        raise Forbidden(
            Bilingual(
                f"{client.organization_name} is invited to hearing round {row.id}; the "
                "pathway's editors and secretariat follow it up",
                f"{client.organization_name} er invitert til høringen {row.id}. Det er "
                "forløpets redaktører og sekretariat som følger den opp.",
            )
        )
    require_acts(session, client, pathway_row, (Act.HOLD_HEARING,))
    check_if_match(if_match, row.etag_revision)
    return row, pathway_row


def reply_to_answer(
    session: Session,
    *,
    client: Client,
    hearing_id: int,
    organization_id: int,
    if_match: str | None,
    text: str,
) -> HearingView:
    """The working group's reply to one invitee's answer (replacing an earlier reply)."""
    row, pathway_row = _hold(session, client, hearing_id, if_match)
    invitation = HearingRepository(session).invitee(row.id, organization_id)
    if invitation is None:
        raise NotFound(
            Bilingual(
                f"organisation {organization_id} is not invited to hearing round {row.id}",
                f"Organisasjon {organization_id} er ikke invitert til høringen {row.id}.",
            )
        )
    if invitation.position is None:
        raise Conflict(
            Bilingual(
                f"{invitation.name} has not answered hearing round {row.id} yet; reply once it has",
                f"{invitation.name} har ikke svart på høringen {row.id} ennå. Svar når den har "
                "svart.",
            )
        )
    if not text.strip():
        raise RuleViolation.in_body(
            Bilingual("write the reply in text", "Skriv svaret i text."),
            "text",
        )
    invitation.reply = text
    invitation.replied_at = utcnow()
    invitation.replied_by = client.organization_name
    row.etag_revision += 1
    record_event(
        session,
        client=client,
        row=pathway_row,
        action="hearing.reply",
        summary=f"{client.described} replied to {invitation.name} in hearing round {row.id}",
        changes={"hearing": row.id, "organization": organization_id, "name": invitation.name},
    )
    return _view(session, row)


def close_hearing(
    session: Session, *, client: Client, hearing_id: int, if_match: str | None
) -> HearingView:
    row, pathway_row = _hold(session, client, hearing_id, if_match)
    if row.closed_at is not None:
        raise _closed(row)
    state = _state(row, HearingRepository(session).invitees(row.id))
    if state.unanswered and row.deadline >= utcnow().date():
        raise Conflict(
            Bilingual(
                f"hearing round {row.id} runs until {row.deadline.isoformat()} and "
                f"{state.unanswered} invitee(s) have not answered: close it after the "
                "deadline, or once every invitee has answered",
                f"Høringsfristen for høring {row.id} er {date_text(row.deadline, 'nb')}, og "
                f"{state.unanswered} av de inviterte har ikke svart ennå. Avslutt høringen "
                "etter fristen, eller når alle har svart.",
            )
        )
    row.closed_at = utcnow()
    row.closed_by = client.organization_name
    row.etag_revision += 1
    record_event(
        session,
        client=client,
        row=pathway_row,
        action="hearing.close",
        summary=f"Hearing round {row.id} closed: {state.answered} answered, "
        f"{state.unanswered} did not, {state.disagreements} disagreed",
        changes={
            "hearing": row.id,
            "answered": state.answered,
            "unanswered": state.unanswered,
            "disagreements": state.disagreements,
        },
    )
    return _view(session, row)


def hearing_problem(session: Session, row: orm.Pathway) -> Bilingual | None:
    """Why the pathway's current revision may not be approved yet under a policy that
    requires a hearing, or None: it needs a closed round since its latest version, none
    open, and a reply to every disagreement in the newest one."""
    hearings = HearingRepository(session)
    latest = VersionRepository(session).latest(row.id)
    since = latest.revision if latest is not None else 0
    every = hearings.of_pathway(row.id)
    rounds = [h for h in every if h.revision > since]
    open_ = next((h for h in every if h.closed_at is None), None)
    if open_ is not None:
        return Bilingual(
            f"hearing round {open_.id} is still open (deadline {open_.deadline.isoformat()}); "
            "the partnership approves pathways after a closed hearing",
            f"Høringen {open_.id} er fortsatt åpen (frist {date_text(open_.deadline, 'nb')}). "
            "Helsefellesskapet godkjenner forløp etter en avsluttet høring.",
        )
    closed = next(iter(rounds), None)
    if closed is None:
        return Bilingual(
            "the partnership approves pathways after a hearing round, and there has been none "
            + ("since the latest version" if latest else "on this pathway")
            + f"; open one (POST /pathways/{row.id}/hearings)",
            "Helsefellesskapet godkjenner forløp etter en høring, og forløpet har ikke vært "
            + ("på høring siden forrige versjon." if latest else "på høring.")
            + " Send det på høring først.",
        )
    invitees = hearings.invitees(closed.id)
    open_disagreements = [
        i.name for i in invitees if i.position == Position.DISAGREE and not i.reply
    ]
    if open_disagreements:
        several = len(open_disagreements) > 1
        return Bilingual(
            f"in hearing round {closed.id}, {join(open_disagreements, 'en')} disagreed, and "
            f"{'no disagreement has' if several else 'the disagreement has no'} reply yet; "
            "reply first",
            f"I høringen {closed.id} var {join(open_disagreements, 'nb')} "
            f"{'uenige' if several else 'uenig'}, og det er ikke svart på "
            f"{'uenighetene' if several else 'uenigheten'} ennå. Svar først.",
        )
    return None
