"""Hearing rounds: open one on a revision of a pathway, answer it, reply to the answers,
close it; the rounds an organisation is invited to."""

from __future__ import annotations

from fastapi import APIRouter, Response, status
from fastapi.responses import HTMLResponse

from api.deps import ClientDep, IdPath, IfMatch, LanguageDep, PageDep, PageParams, SessionDep
from api.problems import problem_responses
from api.routers.methods import ResourceRoute
from api.schemas.common import Page
from api.schemas.hearings import AnswerCreate, HearingCreate, HearingRead, ReplyToAnswer
from api.services import hearings as service
from pathways.document import PathwayDocument, read_stored_document

router = APIRouter(tags=["hearings"], route_class=ResourceRoute)


def _round(view: service.HearingView, language: str, response: Response) -> HearingRead:
    response.headers["ETag"] = view.etag
    return HearingRead.of(view, language)


@router.post(
    "/pathways/{pathway_id}/hearings",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(401, 403, 404, 409, 412, 413, 422, 428),
)
def open_hearing(
    pathway_id: IdPath,
    body: HearingCreate,
    if_match: IfMatch,
    session: SessionDep,
    client: ClientDep,
    language: LanguageDep,
    response: Response,
) -> HearingRead:
    """Send the revision `If-Match` names on hearing (editors and the secretariat): the
    invited organisations, participants or not, read its document and answer by the
    deadline (today or later; a past one is 422). One round is open at a time (409)."""
    view = service.open_hearing(
        session,
        client=client,
        pathway_id=pathway_id,
        if_match=if_match,
        title=body.title,
        description=body.description,
        deadline=body.deadline,
        invitee_ids=body.invitees,
    )
    response.headers["Location"] = f"/hearings/{view.row.id}"
    return _round(view, language, response)


def _page(
    found: tuple[list[service.HearingView], int], page: PageParams, language: str
) -> Page[HearingRead]:
    views, total = found
    return Page(
        items=[HearingRead.of(view, language) for view in views],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.get("/pathways/{pathway_id}/hearings", responses=problem_responses(401, 404, 422))
def list_pathway_hearings(
    pathway_id: IdPath,
    session: SessionDep,
    client: ClientDep,
    page: PageDep,
    language: LanguageDep,
) -> Page[HearingRead]:
    """The pathway's hearing rounds, newest first (participants)."""
    found = service.pathway_hearings(
        session, client=client, pathway_id=pathway_id, limit=page.limit, offset=page.offset
    )
    return _page(found, page, language)


@router.get("/hearings", responses=problem_responses(401, 422))
def list_invited_hearings(
    session: SessionDep, client: ClientDep, page: PageDep, language: LanguageDep
) -> Page[HearingRead]:
    """The hearing rounds the caller's organisation is invited to, open ones first."""
    found = service.invited_hearings(session, client=client, limit=page.limit, offset=page.offset)
    return _page(found, page, language)


@router.get("/hearings/{hearing_id}", responses=problem_responses(401, 404, 422))
def get_hearing(
    hearing_id: IdPath,
    session: SessionDep,
    client: ClientDep,
    language: LanguageDep,
    response: Response,
) -> HearingRead:
    """A round: who answered what, who has not, the remarks and the replies (its
    pathway's participants and its invitees)."""
    return _round(
        service.get_hearing(session, client=client, hearing_id=hearing_id), language, response
    )


@router.get("/hearings/{hearing_id}/document", responses=problem_responses(401, 404, 422))
def get_hearing_document(
    hearing_id: IdPath, session: SessionDep, client: ClientDep
) -> PathwayDocument:
    """The native document of the revision heard, for every invitee to read."""
    row = service.hearing_document(session, client=client, hearing_id=hearing_id)
    return PathwayDocument.of(read_stored_document(row.document))


@router.get(
    "/hearings/{hearing_id}/report",
    response_class=HTMLResponse,
    responses={
        200: {"content": {"text/html": {}}, "description": "The summary, a printable page"},
        **problem_responses(401, 404, 422),
    },
)
def get_hearing_report(
    hearing_id: IdPath, session: SessionDep, client: ClientDep, language: LanguageDep
) -> HTMLResponse:
    """The round as a page a secretariat can publish (*høringsoppsummering*): who was
    invited, who answered what and who did not, the remarks, the replies and the
    comments, in the reader's language (`Accept-Language`: nb, nn or en)."""
    page = service.hearing_report(session, client=client, hearing_id=hearing_id, language=language)
    return HTMLResponse(page, headers={"Content-Language": language, "Vary": "Accept-Language"})


@router.post(
    "/hearings/{hearing_id}/answer",
    responses=problem_responses(401, 403, 404, 409, 413, 422),
)
def answer_hearing(
    hearing_id: IdPath,
    body: AnswerCreate,
    session: SessionDep,
    client: ClientDep,
    language: LanguageDep,
    response: Response,
) -> HearingRead:
    """The caller organisation's answer, once per round (409 the second time, or once the
    round is closed): agree, agree with remarks, or disagree, with text and comments on
    elements of the revision heard."""
    view = service.answer_hearing(
        session,
        client=client,
        hearing_id=hearing_id,
        position=body.position,
        text=body.text,
        comments=[comment.to_pair() for comment in body.comments],
    )
    return _round(view, language, response)


@router.post(
    "/hearings/{hearing_id}/answers/{organization_id}/reply",
    responses=problem_responses(401, 403, 404, 409, 412, 413, 422, 428),
)
def reply_to_answer(
    hearing_id: IdPath,
    organization_id: IdPath,
    body: ReplyToAnswer,
    if_match: IfMatch,
    session: SessionDep,
    client: ClientDep,
    language: LanguageDep,
    response: Response,
) -> HearingRead:
    """The working group's reply to an invitee's answer (editors and the secretariat;
    `If-Match`: the round's ETag). A disagreement is answered once it has a reply."""
    view = service.reply_to_answer(
        session,
        client=client,
        hearing_id=hearing_id,
        organization_id=organization_id,
        if_match=if_match,
        text=body.text,
    )
    return _round(view, language, response)


@router.post(
    "/hearings/{hearing_id}/close",
    responses=problem_responses(401, 403, 404, 409, 412, 422, 428),
)
def close_hearing(
    hearing_id: IdPath,
    if_match: IfMatch,
    session: SessionDep,
    client: ClientDep,
    language: LanguageDep,
    response: Response,
) -> HearingRead:
    """Close the round (editors and the secretariat; `If-Match`: the round's ETag): no
    answer is taken after."""
    view = service.close_hearing(session, client=client, hearing_id=hearing_id, if_match=if_match)
    return _round(view, language, response)
