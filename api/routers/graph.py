"""The draft graph: whole, or one step or transition at a time.

Every change needs ``If-Match`` with the pathway's ETag; every answer carries the new one.
"""

from __future__ import annotations

from fastapi import APIRouter, Response, status
from pydantic import BaseModel

from api.deps import ClientDep, IdPath, IfMatch, KeyPath, LimitsDep, SessionDep
from api.problems import problem_responses
from api.responses import json_answer
from api.routers.methods import ResourceRoute
from api.schemas.pathways import (
    GraphRead,
    StepUpdate,
    TransitionUpdate,
    step_read,
    transition_read,
)
from api.services import graph as service
from api.services.editing import etag
from pathways.document import GraphDoc, StepDoc, TransitionDoc

router = APIRouter(tags=["graph"], route_class=ResourceRoute)

_READ_PROBLEMS = problem_responses(401, 404, 422)
_CHANGE_PROBLEMS = problem_responses(401, 403, 404, 409, 412, 413, 422, 428)


def _answer(
    content: BaseModel | bytes,
    revision: int,
    *,
    status_code: int = 200,
    location: str | None = None,
) -> Response:
    headers = {"ETag": etag(revision)}
    if location is not None:
        headers["Location"] = location
    return json_answer(content, status_code=status_code, headers=headers)


@router.get("/pathways/{pathway_id}/graph", response_model=GraphRead, responses=_READ_PROBLEMS)
def get_graph(pathway_id: IdPath, session: SessionDep, client: ClientDep) -> Response:
    """All steps and transitions of the draft, in order."""
    pathway, revision = service.get_graph(session, client=client, pathway_id=pathway_id)
    return _answer(GraphRead.json_of(pathway, revision), revision)


@router.put("/pathways/{pathway_id}/graph", response_model=GraphRead, responses=_CHANGE_PROBLEMS)
def replace_graph(
    pathway_id: IdPath,
    body: GraphDoc,
    if_match: IfMatch,
    session: SessionDep,
    client: ClientDep,
    limits: LimitsDep,
) -> Response:
    """Replace all steps and transitions at once: either all of it is stored, or nothing."""
    pathway, revision = service.replace_graph(
        session,
        client=client,
        pathway_id=pathway_id,
        if_match=if_match,
        steps=tuple(step.to_model() for step in body.steps),
        transitions=tuple(transition.to_model() for transition in body.transitions),
        limits=limits,
    )
    return _answer(GraphRead.json_of(pathway, revision), revision)


@router.post(
    "/pathways/{pathway_id}/steps",
    status_code=status.HTTP_201_CREATED,
    response_model=StepDoc,
    responses=_CHANGE_PROBLEMS,
)
def add_step(
    pathway_id: IdPath,
    body: StepDoc,
    if_match: IfMatch,
    session: SessionDep,
    client: ClientDep,
    limits: LimitsDep,
) -> Response:
    step, revision = service.add_step(
        session,
        client=client,
        pathway_id=pathway_id,
        if_match=if_match,
        step=body.to_model(),
        limits=limits,
    )
    return _answer(
        step_read(step),
        revision,
        status_code=status.HTTP_201_CREATED,
        location=f"/pathways/{pathway_id}/steps/{step.key}",
    )


@router.get("/pathways/{pathway_id}/steps/{key}", response_model=StepDoc, responses=_READ_PROBLEMS)
def get_step(pathway_id: IdPath, key: KeyPath, session: SessionDep, client: ClientDep) -> Response:
    step, revision = service.get_step(session, client=client, pathway_id=pathway_id, key=key)
    return _answer(step_read(step), revision)


@router.patch(
    "/pathways/{pathway_id}/steps/{key}", response_model=StepDoc, responses=_CHANGE_PROBLEMS
)
def update_step(
    pathway_id: IdPath,
    key: KeyPath,
    body: StepUpdate,
    if_match: IfMatch,
    session: SessionDep,
    client: ClientDep,
    limits: LimitsDep,
) -> Response:
    """Change fields of a step, whichever level it is on: both levels edit every step."""
    step, revision = service.update_step(
        session,
        client=client,
        pathway_id=pathway_id,
        if_match=if_match,
        key=key,
        changes=body.changes(),
        limits=limits,
    )
    return _answer(step_read(step), revision)


@router.delete(
    "/pathways/{pathway_id}/steps/{key}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=_CHANGE_PROBLEMS,
)
def delete_step(
    pathway_id: IdPath,
    key: KeyPath,
    if_match: IfMatch,
    session: SessionDep,
    client: ClientDep,
    response: Response,
) -> None:
    """Delete a step no transition uses (409 names the transitions that still do)."""
    revision = service.delete_step(
        session, client=client, pathway_id=pathway_id, if_match=if_match, key=key
    )
    response.headers["ETag"] = etag(revision)


@router.post(
    "/pathways/{pathway_id}/transitions",
    status_code=status.HTTP_201_CREATED,
    response_model=TransitionDoc,
    responses=_CHANGE_PROBLEMS,
)
def add_transition(
    pathway_id: IdPath,
    body: TransitionDoc,
    if_match: IfMatch,
    session: SessionDep,
    client: ClientDep,
    limits: LimitsDep,
) -> Response:
    transition, revision = service.add_transition(
        session,
        client=client,
        pathway_id=pathway_id,
        if_match=if_match,
        transition=body.to_model(),
        limits=limits,
    )
    return _answer(
        transition_read(transition),
        revision,
        status_code=status.HTTP_201_CREATED,
        location=f"/pathways/{pathway_id}/transitions/{transition.key}",
    )


@router.get(
    "/pathways/{pathway_id}/transitions/{key}",
    response_model=TransitionDoc,
    responses=_READ_PROBLEMS,
)
def get_transition(
    pathway_id: IdPath, key: KeyPath, session: SessionDep, client: ClientDep
) -> Response:
    transition, revision = service.get_transition(
        session, client=client, pathway_id=pathway_id, key=key
    )
    return _answer(transition_read(transition), revision)


@router.patch(
    "/pathways/{pathway_id}/transitions/{key}",
    response_model=TransitionDoc,
    responses=_CHANGE_PROBLEMS,
)
def update_transition(
    pathway_id: IdPath,
    key: KeyPath,
    body: TransitionUpdate,
    if_match: IfMatch,
    session: SessionDep,
    client: ClientDep,
    limits: LimitsDep,
) -> Response:
    transition, revision = service.update_transition(
        session,
        client=client,
        pathway_id=pathway_id,
        if_match=if_match,
        key=key,
        changes=body.changes(),
        limits=limits,
    )
    return _answer(transition_read(transition), revision)


@router.delete(
    "/pathways/{pathway_id}/transitions/{key}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=_CHANGE_PROBLEMS,
)
def delete_transition(
    pathway_id: IdPath,
    key: KeyPath,
    if_match: IfMatch,
    session: SessionDep,
    client: ClientDep,
    response: Response,
) -> None:
    revision = service.delete_transition(
        session, client=client, pathway_id=pathway_id, if_match=if_match, key=key
    )
    response.headers["ETag"] = etag(revision)
