"""Comments on pathways: threads anchored to an element of a revision, replies, and
resolving them.

Every participant reads them and writes them, whatever its role (editors, commenters
such as user representatives, and the secretariat); a ``read`` token reads only. A new
thread names the revision it is about with ``If-Match`` (the pathway's ETag) and keeps
the element as it was then, so that it can later say whether the element changed or was
removed since (:mod:`pathways.comments`). A comment never changes the pathway: it makes
no revision. Replying, resolving and reopening need the thread's own ETag.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from api.errors import NotFound, RuleViolation
from api.services.auth import Client
from api.services.editing import (
    begin_edit,
    check_if_match,
    require_acts,
    role_on,
    visible_pathway,
)
from api.services.notifications import notify, pathway_audience
from db import models as orm
from db.repositories.comments import CommentRepository
from db.repositories.pathways import PathwayRepository
from db.types import utcnow
from pathways.comments import Anchor, AnchorKind, StandingOf, element_of, missing_element, standing
from pathways.errors import Bilingual
from pathways.events import EventType
from pathways.model import Pathway
from pathways.roles import Act

__all__ = [
    "ThreadView",
    "add_comment",
    "announce",
    "get_thread",
    "list_threads",
    "reply",
    "set_resolved",
    "thread_view",
]


@dataclass(frozen=True, slots=True)
class ThreadView:
    first: orm.Comment
    replies: list[orm.Comment]
    standing: StandingOf
    """How the element stands in the current draft."""
    current_revision: int

    @property
    def anchor(self) -> Anchor:
        return Anchor.stored(self.first.anchor_kind, self.first.anchor_key)

    @property
    def etag(self) -> str:
        """``"3.7"``: the thread's own revision and the pathway's, since how the element
        stands changes with the pathway. If-Match takes it, or any ``"3.N"`` or ``"3"``:
        only the thread's part is compared."""
        return f'"{self.first.thread_revision}.{self.current_revision}"'


def thread_view(
    first: orm.Comment, replies: list[orm.Comment], draft: Pathway, revision: int
) -> ThreadView:
    """A thread as it stands against ``draft``, the pathway's current draft."""
    anchor = Anchor.stored(first.anchor_kind, first.anchor_key)
    return ThreadView(first, replies, standing(first.element, draft, anchor), revision)


def _not_found(pathway_id: int, comment_id: int) -> NotFound:
    return NotFound(
        Bilingual(
            f"pathway {pathway_id} has no comment thread {comment_id}",
            f"Forløp {pathway_id} har ingen kommentartråd {comment_id}.",
        )
    )


def _author(client: Client, role: str) -> dict[str, object]:
    return {
        "organization_id": client.organization_id,
        "organization_name": client.organization_name,
        "role": role,
        "token_id": client.token_id,
        "token_name": client.token_name,
    }


def announce(
    session: Session,
    row: orm.Pathway,
    comment: orm.Comment,
    client: Client,
    audience: set[int] | None = None,
) -> None:
    """Tell the pathway's other organisations of a new comment (``audience``: the
    pathway's, when the caller has it already)."""
    if audience is None:
        audience = pathway_audience(session, row)
    notify(
        session,
        EventType.COMMENT_CREATED,
        pathway_id=row.id,
        data={
            "pathway_id": row.id,
            "title": row.title,
            "comment_id": comment.id,
            "thread_id": comment.thread_id or comment.id,
            "anchor": {"kind": comment.anchor_kind, "key": comment.anchor_key},
            "revision": comment.revision,
            "organization_id": comment.organization_id,
            "organization_name": comment.organization_name,
            "text": comment.text,
            "thread": f"/pathways/{row.id}/comments/{comment.thread_id or comment.id}",
        },
        recipients=audience - {client.organization_id},
    )


def add_comment(
    session: Session,
    *,
    client: Client,
    pathway_id: int,
    if_match: str | None,
    anchor: Anchor,
    text: str,
) -> ThreadView:
    """A new thread on ``anchor`` of the revision ``If-Match`` names (the current one)."""
    row = begin_edit(
        session, client=client, pathway_id=pathway_id, if_match=if_match, act=Act.COMMENT
    )
    draft = PathwayRepository(session).load(row)
    problem = missing_element(draft, anchor)
    if problem is not None:
        raise RuleViolation.in_body(problem, "anchor")
    role = role_on(session, row, client)
    assert role is not None
    comment = CommentRepository(session).add(
        pathway_id=row.id,
        thread_id=None,
        hearing_id=None,
        anchor_kind=anchor.kind.value,
        anchor_key=anchor.stored_key,
        revision=row.revision,
        element=element_of(draft, anchor),
        text=text,
        **_author(client, role.value),
    )
    announce(session, row, comment, client)
    return thread_view(comment, [], draft, row.revision)


def _thread(
    session: Session, client: Client, pathway_id: int, comment_id: int, *, lock: bool
) -> tuple[orm.Pathway, orm.Comment]:
    row = visible_pathway(session, client=client, pathway_id=pathway_id)
    first = CommentRepository(session).thread(pathway_id, comment_id, for_update=lock)
    if first is None:
        raise _not_found(pathway_id, comment_id)
    return row, first


def _changing(
    session: Session, client: Client, pathway_id: int, comment_id: int, if_match: str | None
) -> tuple[orm.Pathway, orm.Comment]:
    """The pathway and the thread's first comment, locked, once the caller may comment
    and ``If-Match`` names the thread's current revision."""
    row, first = _thread(session, client, pathway_id, comment_id, lock=True)
    require_acts(session, client, row, (Act.COMMENT,))
    check_if_match(if_match, first.thread_revision)
    return row, first


def _as_it_stands(session: Session, row: orm.Pathway, first: orm.Comment) -> ThreadView:
    """The whole thread, against the pathway's current draft."""
    draft = PathwayRepository(session).load(row)
    replies = CommentRepository(session).replies([first.id])[first.id]
    return thread_view(first, replies, draft, row.revision)


def reply(
    session: Session,
    *,
    client: Client,
    pathway_id: int,
    comment_id: int,
    if_match: str | None,
    text: str,
) -> ThreadView:
    """A reply at the end of thread ``comment_id``, as ``If-Match`` (its ETag) read it."""
    row, first = _changing(session, client, pathway_id, comment_id, if_match)
    role = role_on(session, row, client)
    assert role is not None
    comments = CommentRepository(session)
    added = comments.add(
        pathway_id=row.id,
        thread_id=first.id,
        hearing_id=None,
        anchor_kind=first.anchor_kind,
        anchor_key=first.anchor_key,
        revision=row.revision,
        element=None,
        text=text,
        **_author(client, role.value),
    )
    first.thread_revision += 1
    announce(session, row, added, client)
    return _as_it_stands(session, row, first)


def set_resolved(
    session: Session,
    *,
    client: Client,
    pathway_id: int,
    comment_id: int,
    if_match: str | None,
    resolved: bool,
) -> ThreadView:
    """Resolve or reopen thread ``comment_id``; ``If-Match`` names the thread's ETag."""
    row, first = _changing(session, client, pathway_id, comment_id, if_match)
    if (first.resolved_at is not None) != resolved:
        first.resolved_at = utcnow() if resolved else None
        first.resolved_by = client.organization_name if resolved else None
        first.thread_revision += 1
    return _as_it_stands(session, row, first)


def get_thread(session: Session, *, client: Client, pathway_id: int, comment_id: int) -> ThreadView:
    row, first = _thread(session, client, pathway_id, comment_id, lock=False)
    return _as_it_stands(session, row, first)


def list_threads(
    session: Session,
    *,
    client: Client,
    pathway_id: int,
    resolved: bool | None,
    kind: AnchorKind | None,
    key: str | None,
    limit: int,
    offset: int,
) -> tuple[list[ThreadView], int]:
    """A page of the pathway's threads, oldest first, and how many match: only those on
    ``kind`` of element, and, with ``key`` too, on that very element."""
    row = visible_pathway(session, client=client, pathway_id=pathway_id)
    if key is not None and kind is None:
        problem = Bilingual(
            "element names an element of the kind given in kind; give kind too",
            "element angir et element av typen i kind. Oppgi kind også.",
        )
        raise RuleViolation(
            problem, errors=[{"loc": ["query", "element"], "pointer": None, "detail": problem}]
        )
    comments = CommentRepository(session)
    firsts, total = comments.threads(
        pathway_id,
        resolved=resolved,
        anchor_kind=kind.value if kind else None,
        anchor_key=key,
        limit=limit,
        offset=offset,
    )
    draft = PathwayRepository(session).load(row)
    replies = comments.replies([first.id for first in firsts])
    return [thread_view(f, replies[f.id], draft, row.revision) for f in firsts], total
