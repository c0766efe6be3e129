"""Comments on a pathway: threads anchored to its elements, replies, resolving."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response, status

from api.deps import ClientDep, IdPath, IfMatch, LanguageDep, PageDep, SessionDep
from api.problems import problem_responses
from api.routers.methods import ResourceRoute
from api.schemas.comments import CommentCreate, ReplyCreate, ThreadRead, ThreadUpdate
from api.schemas.common import Page
from api.services import comments as service
from pathways.comments import AnchorKind
from pathways.limits import DEFAULT_LIMITS
from pathways.text import KEY_PATTERN

router = APIRouter(tags=["comments"], route_class=ResourceRoute)

_KEY = KEY_PATTERN.removeprefix("^").removesuffix("$")
_ELEMENT = f"^{_KEY}(?:/{_KEY})?$"
"""A step's or transition's key, or a transition's and a checklist item's."""


def _thread(view: service.ThreadView, language: str, response: Response) -> ThreadRead:
    response.headers["ETag"] = view.etag
    return ThreadRead.of(view, language)


@router.get("/pathways/{pathway_id}/comments", responses=problem_responses(401, 404, 422))
def list_comments(
    pathway_id: IdPath,
    session: SessionDep,
    client: ClientDep,
    page: PageDep,
    language: LanguageDep,
    state: Annotated[
        Literal["open", "resolved"] | None, Query(description="Only open or resolved threads")
    ] = None,
    kind: Annotated[AnchorKind | None, Query(description="Only threads on this kind")] = None,
    element: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=2 * DEFAULT_LIMITS.max_key_length + 1,
            pattern=_ELEMENT,
            description="With kind: the step's or transition's key (checklist_item: "
            "transition/item)",
        ),
    ] = None,
) -> Page[ThreadRead]:
    """The pathway's comment threads, oldest first, each saying whether its element is
    as it was, has changed since (with the changes) or was removed (participants of
    every role)."""
    views, total = service.list_threads(
        session,
        client=client,
        pathway_id=pathway_id,
        resolved=None if state is None else state == "resolved",
        kind=kind,
        key=element,
        limit=page.limit,
        offset=page.offset,
    )
    return Page(
        items=[ThreadRead.of(v, language) for v in views],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.post(
    "/pathways/{pathway_id}/comments",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(401, 403, 404, 412, 413, 422, 428),
)
def create_comment(
    pathway_id: IdPath,
    body: CommentCreate,
    if_match: IfMatch,
    session: SessionDep,
    client: ClientDep,
    language: LanguageDep,
    response: Response,
) -> ThreadRead:
    """Comment on an element of the revision `If-Match` names (the pathway's ETag): the
    pathway, a step, a transition, a handover or a checklist item. Every participant
    comments, whatever its role; a comment makes no new revision."""
    view = service.add_comment(
        session,
        client=client,
        pathway_id=pathway_id,
        if_match=if_match,
        anchor=body.anchor.to_anchor(),
        text=body.text,
    )
    response.headers["Location"] = f"/pathways/{pathway_id}/comments/{view.first.id}"
    return _thread(view, language, response)


@router.get(
    "/pathways/{pathway_id}/comments/{comment_id}", responses=problem_responses(401, 404, 422)
)
def get_comment(
    pathway_id: IdPath,
    comment_id: IdPath,
    session: SessionDep,
    client: ClientDep,
    language: LanguageDep,
    response: Response,
) -> ThreadRead:
    """One thread, with its ETag."""
    view = service.get_thread(session, client=client, pathway_id=pathway_id, comment_id=comment_id)
    return _thread(view, language, response)


@router.post(
    "/pathways/{pathway_id}/comments/{comment_id}/replies",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(401, 403, 404, 412, 413, 422, 428),
)
def reply_to_comment(
    pathway_id: IdPath,
    comment_id: IdPath,
    body: ReplyCreate,
    if_match: IfMatch,
    session: SessionDep,
    client: ClientDep,
    language: LanguageDep,
    response: Response,
) -> ThreadRead:
    """Reply at the end of a thread; `If-Match` names the thread's ETag (the thread as
    the reply's writer read it)."""
    view = service.reply(
        session,
        client=client,
        pathway_id=pathway_id,
        comment_id=comment_id,
        if_match=if_match,
        text=body.text,
    )
    return _thread(view, language, response)


@router.patch(
    "/pathways/{pathway_id}/comments/{comment_id}",
    responses=problem_responses(401, 403, 404, 412, 413, 422, 428),
)
def update_comment(
    pathway_id: IdPath,
    comment_id: IdPath,
    body: ThreadUpdate,
    if_match: IfMatch,
    session: SessionDep,
    client: ClientDep,
    language: LanguageDep,
    response: Response,
) -> ThreadRead:
    """Resolve or reopen a thread; `If-Match` names the thread's ETag."""
    view = service.set_resolved(
        session,
        client=client,
        pathway_id=pathway_id,
        comment_id=comment_id,
        if_match=if_match,
        resolved=body.resolved,
    )
    return _thread(view, language, response)
