"""Object-level authorisation, generated from the app's route table.

Every route the app serves is tried by every kind of client that must not change it:

* a token of an organisation that does not take part (``outsider``, scope ``edit``):
  404 on everything about a draft — also on a pathway with an approved version — and
  200 only where approved versions are served (they are public agreement documents:
  the catalogue, and the public view of an approved pathway at ``/pathways/{id}``);
* a participant's ``read`` token (``hospital_reader``): 403 on every change, 200 on reads;
* an ``admin`` token of the organisation that does not take part (``admin``): the
  outsider's answers on pathways (admin is no key to drafts); 403 on registering
  organisations and on another organisation's tokens, 404 on revoking a token of another
  organisation (one it may not see); reading its own organisation's tokens is 200;
* on partnerships (helsefellesskap), which are public (200 on reading them, so 403 and
  not 404 on the rest): 403 on creating one, changing one or its members (the
  secretariat's and the operator's) — whatever If-Match is sent — and 403 on the
  overview, which shows drafts and is the secretariat's and the operator's (also for
  the hospital's read token: the hospital is a member, not the secretariat);
* afterwards nothing has changed, neither as the hospital's editor sees it nor in any row
  of the database.

The routes come from the app itself, so a new route is covered without anyone
remembering to add it: a read or a body-less change under ``/pathways/{pathway_id}`` is
treated as a draft route (participants only); a route with a body, or one that is not
about a pathway, must be described in :data:`CASES` or the matrix fails and says so.
A control (:func:`test_every_change_in_the_matrix_works_for_an_editor`) shows that each
change in the matrix is one an editor may make: what stops the others is authorisation,
not a bad body or a stale ETag (the operator for organisations, tokens and
partnerships; a secretariat for a decision, on a pathway of a partnership that takes one).
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from sqlalchemy import select

from api.app import create_app
from api.settings import Settings
from db.models import Base
from db.session import Database
from tests.conftest import Actor, World

CHANGES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
PROBLEM = "application/problem+json"
MARKER = "DRAFTMARKER"
"""Written into the drafts only: a response to a non-participant must never contain it."""
SPARE = "spare"
"""A step no transition uses (the only kind of step an editor may delete)."""
STEP_KEY = "ward"
TRANSITION_KEY = "to-short-term"
"""A cross-level transition with a handover (ward → short-term bed)."""


class Kind(StrEnum):
    DRAFT = "draft"
    """About the draft of a pathway: participants only (others 404, read tokens 403)."""
    APPROVED = "approved"
    """Serves approved versions: every authenticated client."""
    OPERATOR = "operator"
    """Registering organisations: the operator (``operator`` scope) only, 403 for others."""
    TOKENS = "tokens"
    """An organisation's tokens: its own ``admin`` tokens and the operator; 403 for other
    clients, but 404 for a token an admin may not see (another organisation's)."""
    OPEN = "open"
    """About no pathway in particular; every authenticated client."""
    CREATE = "create"
    """Creates a new pathway of the caller's own: every ``edit`` token."""
    FOUNDING = "founding"
    """Creating a partnership: the operator, or an ``edit`` token of an organisation of
    kind secretariat (which becomes its first member); 403 for others."""
    PARTNERSHIP = "partnership"
    """Changing a partnership or its members: its secretariat and the operator (and a
    member leaving by itself); 403 for others, before If-Match is looked at — the
    partnership is public, so there is nothing to hide behind a 404."""
    SECRETARIAT = "secretariat"
    """Read by a partnership's secretariat and the operator (it shows drafts): 403 for
    others, members too."""
    HOOKS = "hooks"
    """A webhook of the hospital and its deliveries: read by every token of its own
    organisation, changed with an ``admin`` one (403 for a token without ``admin``,
    before anything is looked up); another organisation's admin gets 404."""
    HOOK_CREATE = "hook-create"
    """Subscribing the caller's own organisation to events: ``admin`` tokens (403 for
    others)."""


@dataclass(frozen=True)
class Case:
    kind: Kind
    query: str = ""
    """Query string; ``{hospital}`` stands for the hospital's organisation id."""
    body: Any = None
    """The JSON body (None: none); a minimal valid one, so that 422 masks nothing."""
    needs_version: bool = False
    """Only answers 200 when the pathway has an approved version (404 otherwise)."""
    needs_variant: bool = False
    """Only answers 200 for a local variant, which no pathway of the matrix is (404)."""
    control: str = ""
    """Where the control of a change is, when it needs a state the matrix does not build
    (an approved shared pathway and a municipality; a variant behind its shared pathway):
    the control test leaves it to that test."""


DECISION_BODY = {"decided_on": "2026-11-30", "reference": "Sak 1/2026"}
"""A decision of the partnership's deciding body (a date in the past: not a 422)."""
STEP_BODY = {"key": "intruder", "name": "Intruder", "level": "municipality", "kind": "other"}
TRANSITION_BODY = {"key": "intruder", "from": "ed", "to": "ward"}
IMPORTED = "IMPORTED"
"""Stands for the example document as the body of an import."""
BORROW_CONTROL = "tests/api/test_variants.py::test_a_borrowed_pathway_names_its_origin"
VARIANT_CONTROL = (
    "tests/api/test_variants.py::"
    "test_two_variants_a_new_version_one_conflict_one_move_and_own_checklists"
)
COMMENT_CONTROL = (
    "tests/api/test_hearings_and_comments.py::"
    "test_a_user_committee_comments_on_a_checklist_item_the_hospital_then_changes"
)
HEARING_CONTROL = (
    "tests/api/test_hearings_and_comments.py::"
    "test_a_round_with_three_invitees_and_one_disagreement_blocks_approval_until_answered"
)
"""Every matrix pathway has a round open already (a second one is 409), to which the
hospital is not invited (it may not answer); a thread's ETag is not the pathway's."""
DEADLINE = (date.today() + timedelta(days=30)).isoformat()
HOOK_URL = "https://intruder.example.org/hook"
REPLAY_CONTROL = "tests/test_webhook_delivery.py::test_replay_delivers_the_same_event_again"
CONFORMANCE_CONTROL = "tests/api/test_conformance.py::test_who_may_import_and_read"
EPISODE = "ep-matrix"
"""An episode of the approved pathway's handover log."""
EVENT_LOG_HEADER = "episode,type,code,time,sender,receiver"
"""An import's body is a handover log (CSV, JSON lines, XES), not JSON."""

CASES: dict[tuple[str, str], tuple[Case, ...]] = {
    # Not about one pathway.
    ("GET", "/health"): (Case(Kind.OPEN),),
    ("GET", "/me"): (Case(Kind.OPEN),),
    ("GET", "/reference/messages"): (Case(Kind.OPEN),),
    ("GET", "/reference/rules"): (Case(Kind.OPEN),),
    ("GET", "/handovers"): (Case(Kind.OPEN), Case(Kind.OPEN, "organization={hospital}")),
    ("GET", "/organizations"): (Case(Kind.OPEN),),
    ("GET", "/organizations/{organization_id}"): (Case(Kind.OPEN),),
    ("GET", "/pathways"): (
        Case(Kind.OPEN),
        Case(Kind.OPEN, "participant={hospital}"),
        Case(Kind.OPEN, "status=changed&q=hip"),
    ),
    ("GET", "/catalogue"): (
        Case(Kind.OPEN),
        Case(Kind.OPEN, "organization={hospital}&q=hip&review=P3650D"),
        Case(Kind.OPEN, "q=DRAFTMARKER"),
    ),
    ("POST", "/organizations"): (
        Case(Kind.OPERATOR, body={"name": "Falsk kommune", "level": "municipality"}),
    ),
    ("POST", "/organizations/{organization_id}/tokens"): (
        Case(Kind.TOKENS, body={"name": "stolen", "scope": "admin"}),
        Case(Kind.TOKENS, body={"name": "stolen", "scope": "edit"}),
    ),
    ("GET", "/organizations/{organization_id}/tokens"): (Case(Kind.TOKENS),),
    ("DELETE", "/tokens/{token_id}"): (Case(Kind.TOKENS),),
    ("POST", "/pathways"): (Case(Kind.CREATE, body={"title": "Mine"}),),
    ("POST", "/pathways/import"): (Case(Kind.CREATE, body=IMPORTED),),
    # Borrowing an approved version: a new pathway of the borrower's own.
    ("POST", "/pathways/{pathway_id}/borrow"): (
        Case(Kind.CREATE, body={}, needs_version=True, control=BORROW_CONTROL),
    ),
    # Partnerships: public; changed by their secretariat and the operator. A member's
    # URL names the hospital (a member): the outsider is not the secretariat, and a read
    # token may not take its own organisation out either.
    ("GET", "/partnerships"): (Case(Kind.OPEN), Case(Kind.OPEN, "member={hospital}")),
    ("GET", "/partnerships/{partnership_id}"): (Case(Kind.OPEN),),
    ("POST", "/partnerships"): (Case(Kind.FOUNDING, body={"name": "Falskt helsefellesskap"}),),
    ("PATCH", "/partnerships/{partnership_id}"): (
        Case(Kind.PARTNERSHIP, body={"name": "Taken over"}),
        Case(Kind.PARTNERSHIP, body={"approval_policy": "decision", "decision_body": "Falsk"}),
    ),
    ("PUT", "/partnerships/{partnership_id}/members/{organization_id}"): (Case(Kind.PARTNERSHIP),),
    ("DELETE", "/partnerships/{partnership_id}/members/{organization_id}"): (
        Case(Kind.PARTNERSHIP),
    ),
    ("GET", "/partnerships/{partnership_id}/overview"): (Case(Kind.SECRETARIAT),),
    # Webhooks: the organisation's own (the matrix's is the hospital's, inactive, so
    # that nothing is sent while it runs); the event feed is the caller's own.
    ("POST", "/webhooks"): (
        Case(Kind.HOOK_CREATE, body={"url": HOOK_URL, "events": ["version.approved"]}),
    ),
    ("GET", "/webhooks"): (Case(Kind.OPEN),),
    ("GET", "/webhooks/{webhook_id}"): (Case(Kind.HOOKS),),
    ("PATCH", "/webhooks/{webhook_id}"): (Case(Kind.HOOKS, body={"url": HOOK_URL}),),
    ("DELETE", "/webhooks/{webhook_id}"): (Case(Kind.HOOKS),),
    ("POST", "/webhooks/{webhook_id}/secret"): (Case(Kind.HOOKS),),
    ("GET", "/webhooks/{webhook_id}/deliveries"): (Case(Kind.HOOKS),),
    ("POST", "/webhooks/{webhook_id}/deliveries/{delivery_id}/replay"): (
        Case(Kind.HOOKS, control=REPLAY_CONTROL),
    ),
    ("GET", "/events"): (Case(Kind.OPEN), Case(Kind.OPEN, "type=version.approved&limit=5")),
    # Comments and hearing rounds: the pathway's participants, and a round's invitees.
    ("POST", "/pathways/{pathway_id}/comments"): (
        Case(Kind.DRAFT, body={"anchor": {"kind": "step", "step": STEP_KEY}, "text": "Intruder"}),
    ),
    ("POST", "/pathways/{pathway_id}/comments/{comment_id}/replies"): (
        Case(Kind.DRAFT, body={"text": "Intruder"}, control=COMMENT_CONTROL),
    ),
    ("PATCH", "/pathways/{pathway_id}/comments/{comment_id}"): (
        Case(Kind.DRAFT, body={"resolved": True}, control=COMMENT_CONTROL),
    ),
    ("POST", "/pathways/{pathway_id}/hearings"): (
        Case(Kind.DRAFT, body={"deadline": DEADLINE, "invitees": [1]}, control=HEARING_CONTROL),
    ),
    ("GET", "/hearings"): (Case(Kind.OPEN),),
    ("GET", "/hearings/{hearing_id}"): (Case(Kind.DRAFT),),
    ("GET", "/hearings/{hearing_id}/document"): (Case(Kind.DRAFT),),
    ("GET", "/hearings/{hearing_id}/report"): (Case(Kind.DRAFT),),
    ("POST", "/hearings/{hearing_id}/answer"): (
        Case(Kind.DRAFT, body={"position": "agree"}, control=HEARING_CONTROL),
    ),
    ("POST", "/hearings/{hearing_id}/answers/{organization_id}/reply"): (
        Case(Kind.DRAFT, body={"text": "Intruder"}, control=HEARING_CONTROL),
    ),
    ("POST", "/hearings/{hearing_id}/close"): (Case(Kind.DRAFT, control=HEARING_CONTROL),),
    # Changes to a draft that carry a body.
    ("PATCH", "/pathways/{pathway_id}"): (Case(Kind.DRAFT, body={"title": "Taken over"}),),
    ("PUT", "/pathways/{pathway_id}/graph"): (
        Case(Kind.DRAFT, body={"steps": [], "transitions": []}),
    ),
    ("POST", "/pathways/{pathway_id}/steps"): (Case(Kind.DRAFT, body=STEP_BODY),),
    ("PATCH", "/pathways/{pathway_id}/steps/{key}"): (
        Case(Kind.DRAFT, body={"name": "Taken over"}),
    ),
    ("POST", "/pathways/{pathway_id}/transitions"): (Case(Kind.DRAFT, body=TRANSITION_BODY),),
    ("PATCH", "/pathways/{pathway_id}/transitions/{key}"): (
        Case(Kind.DRAFT, body={"label": "Taken over"}),
    ),
    # The body is optional: without one, the organisation's default role.
    ("PUT", "/pathways/{pathway_id}/participants/{organization_id}"): (
        Case(Kind.DRAFT),
        Case(Kind.DRAFT, body={"role": "commenter"}),
    ),
    # The secretariat's; a participant of another role gets 403, anyone else 404.
    ("POST", "/pathways/{pathway_id}/decisions"): (Case(Kind.DRAFT, body=DECISION_BODY),),
    # Local variants: made by a municipality of an approved version; moved when behind.
    ("POST", "/pathways/{pathway_id}/variants"): (
        Case(Kind.DRAFT, body={}, control=VARIANT_CONTROL),
    ),
    ("POST", "/pathways/{pathway_id}/variant/rebase"): (
        Case(Kind.DRAFT, body={}, control=VARIANT_CONTROL),
    ),
    ("GET", "/pathways/{pathway_id}/variant"): (
        Case(Kind.DRAFT, needs_variant=True, control=VARIANT_CONTROL),
    ),
    # Reads with approved variants, or that need a query. An approved pathway's public
    # view: its latest version, nothing of the draft (the MARKER check holds it to that).
    ("GET", "/pathways/{pathway_id}"): (Case(Kind.APPROVED),),
    # Reads with approved variants, or that need a query.
    ("GET", "/pathways/{pathway_id}/gaps"): (
        Case(Kind.DRAFT),
        Case(Kind.DRAFT, "version=draft"),
        Case(Kind.APPROVED, "version=1", needs_version=True),
    ),
    ("GET", "/pathways/{pathway_id}/versions"): (Case(Kind.APPROVED),),
    ("GET", "/pathways/{pathway_id}/versions/{number}"): (Case(Kind.APPROVED, needs_version=True),),
    ("GET", "/pathways/{pathway_id}/export"): (
        Case(Kind.APPROVED, needs_version=True),
        Case(Kind.APPROVED, "version=1", needs_version=True),
        Case(Kind.APPROVED, "format=mermaid&version=1", needs_version=True),
        Case(Kind.DRAFT, "version=draft"),
        Case(Kind.DRAFT, "format=mermaid&version=draft"),
    ),
    ("GET", "/pathways/{pathway_id}/diff"): (
        Case(Kind.DRAFT, "from=draft"),
        Case(Kind.DRAFT, "from=1", needs_version=True),
        Case(Kind.DRAFT, "from=draft&to=1", needs_version=True),
        Case(Kind.APPROVED, "from=1&to=1", needs_version=True),
    ),
    ("GET", "/pathways/{pathway_id}/diff/picture"): (
        Case(Kind.DRAFT, "from=draft"),
        Case(Kind.DRAFT, "from=draft&to=1", needs_version=True),
        Case(Kind.APPROVED, "from=1&to=1", needs_version=True),
    ),
    ("GET", "/pathways/{pathway_id}/handovers"): (
        Case(Kind.APPROVED, needs_version=True),
        Case(Kind.APPROVED, "version=1", needs_version=True),
        Case(Kind.APPROVED, "format=fhir&side=receiver", needs_version=True),
    ),
    # Conformance: against an approved version; its participants' (and the secretariat's)
    # only, draft-only pathway or not: the log is about their patients.
    ("POST", "/pathways/{pathway_id}/conformance/events"): (
        Case(Kind.DRAFT, needs_version=True, control=CONFORMANCE_CONTROL),
    ),
    ("GET", "/pathways/{pathway_id}/conformance"): (
        Case(Kind.DRAFT, needs_version=True),
        Case(Kind.DRAFT, "by=item&version=1", needs_version=True),
    ),
    ("GET", "/pathways/{pathway_id}/conformance/csv"): (
        Case(Kind.DRAFT, "by=month", needs_version=True),
    ),
    ("GET", "/pathways/{pathway_id}/conformance/payments"): (Case(Kind.DRAFT, needs_version=True),),
    ("GET", "/pathways/{pathway_id}/conformance/picture"): (Case(Kind.DRAFT, needs_version=True),),
    ("GET", "/pathways/{pathway_id}/conformance/episodes/{episode}"): (
        Case(Kind.DRAFT, needs_version=True),
    ),
    ("GET", "/pathways/{pathway_id}/handovers/{transition_key}"): (
        Case(Kind.APPROVED, needs_version=True),
        Case(Kind.APPROVED, "version=1&format=fhir", needs_version=True),
    ),
}
"""What the matrix cannot derive from a route itself. A read or a body-less change under
``/pathways/{pathway_id}`` that is not listed is a draft route (participants only)."""


# -- the route table ---------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    has_body: bool


def _routes(app: FastAPI) -> list[Route]:
    """Every (method, path) the app serves through FastAPI, included routers and routes
    added with ``app.add_api_route`` alike."""
    found: set[Route] = set()
    for context in _route_contexts(app):
        original = getattr(context, "original_route", context)
        if not isinstance(original, APIRoute) or not original.include_in_schema:
            continue  # /openapi.json and the docs pages (/docs, /redoc): public, no data
        path: str = context.path
        for method in context.methods or ():
            if method in {"HEAD", "OPTIONS"}:
                continue
            found.add(Route(method, path, original.body_field is not None))
    return sorted(found, key=lambda r: (r.path, r.method))


def _route_contexts(app: FastAPI) -> Iterator[Any]:
    try:  # FastAPI ≥ 0.16x keeps included routers lazily
        from fastapi.routing import iter_route_contexts
    except ImportError:  # pragma: no cover - older FastAPI: a flat list
        yield from app.routes
    else:
        yield from iter_route_contexts(app.routes)


def _cases(route: Route) -> tuple[Case, ...] | None:
    listed = CASES.get((route.method, route.path))
    if listed is not None:
        return listed
    if "{pathway_id}" in route.path and (route.method == "GET" or not route.has_body):
        return (Case(Kind.DRAFT),)
    return None


def _matrix(settings: Settings) -> list[tuple[Route, Case]]:
    app = create_app(settings, database=Database.connect(settings.database_url, pool_size=1))
    try:
        routes = _routes(app)
    finally:
        app.state.database.dispose()
    missing = [f"{r.method} {r.path}" for r in routes if _cases(r) is None]
    assert not missing, (
        "routes the authorisation matrix cannot derive (a body, or not about a pathway): "
        f"{missing}; add each to CASES in {__name__} with its kind and a minimal valid body"
    )
    return [(route, case) for route in routes for case in _cases(route) or ()]


# -- the world the matrix runs in --------------------------------------------------------


@dataclass
class Target:
    pathway_id: int
    approved: bool
    comment_id: int = 0
    """A comment thread of the hospital's on the pathway."""
    hearing_id: int = 0
    """An open hearing round on it, to which municipality B is invited."""


@dataclass
class Setting:
    draft: Target
    """Never approved: a draft only."""
    approved: Target
    """Approved as version 1, then changed (its draft is not public)."""
    victim_token_id: int
    victim_token: str
    example: bytes
    editor: Actor
    """Reads the current ETag for every change (the hospital's edit token)."""
    partnership_id: int
    """A partnership of the hospital and both municipalities (not the outsider's)."""
    webhook_id: int = 0
    """An inactive webhook of the hospital (:func:`_webhook`)."""


def _prepare(world: World, example: bytes, *, approve: bool, spare: bool = True) -> Target:
    """The example, shared by the hospital and both municipalities, with a marked draft."""
    hospital = world.hospital
    imported = hospital.post(
        "/pathways/import", content=example, headers={"Content-Type": "application/json"}
    )
    assert imported.status_code == 201, imported.text
    pathway_id = imported.json()["id"]
    etag = imported.headers["ETag"]
    for actor in (world.municipality, world.municipality_b):
        joined = hospital.put(
            f"/pathways/{pathway_id}/participants/{actor.organization_id}", etag=etag
        )
        assert joined.status_code == 201, joined.text
        etag = joined.headers["ETag"]
    if approve:
        assert hospital.post(f"/pathways/{pathway_id}/approvals", etag=etag).status_code == 201
        done = world.municipality.post(f"/pathways/{pathway_id}/approvals", etag=etag)
        assert done.status_code == 201, done.text
        assert done.json()["version"]["number"] == 1
        logged = hospital.post(
            f"/pathways/{pathway_id}/conformance/events",
            content=f"{EVENT_LOG_HEADER}\n{EPISODE},step,ward,2024-03-01T10:00:00+01:00,HF,\n",
            headers={"Content-Type": "text/csv"},
        )
        assert logged.status_code == 200, logged.text
    marked = hospital.patch(
        f"/pathways/{pathway_id}", json={"description": f"{MARKER}: not approved"}, etag=etag
    )
    assert marked.status_code == 200, marked.text
    etag = marked.headers["ETag"]
    if spare:
        step = {"key": SPARE, "name": f"{MARKER} spare", "level": "municipality", "kind": "other"}
        added = hospital.post(f"/pathways/{pathway_id}/steps", json=step, etag=etag)
        assert added.status_code == 201, added.text
        etag = added.headers["ETag"]
    comment = {"anchor": {"kind": "step", "step": STEP_KEY}, "text": f"{MARKER} comment"}
    commented = hospital.post(f"/pathways/{pathway_id}/comments", json=comment, etag=etag)
    assert commented.status_code == 201, commented.text
    round_ = {
        "deadline": DEADLINE,
        "invitees": [world.municipality_b.organization_id],
        "description": f"{MARKER} hearing",
    }
    opened = hospital.post(f"/pathways/{pathway_id}/hearings", json=round_, etag=etag)
    assert opened.status_code == 201, opened.text
    return Target(pathway_id, approve, commented.json()["id"], opened.json()["id"])


def _partnership(world: World, name: str, members: list[Actor], **agreement: Any) -> int:
    """A partnership the operator creates and adds ``members`` to."""
    operator = world.operator
    created = operator.post("/partnerships", json={"name": name, **agreement})
    assert created.status_code == 201, created.text
    partnership_id: int = created.json()["id"]
    etag = created.headers["ETag"]
    for member in members:
        added = operator.put(
            f"/partnerships/{partnership_id}/members/{member.organization_id}", etag=etag
        )
        assert added.status_code == 201, added.text
        etag = added.headers["ETag"]
    return partnership_id


def _members(world: World) -> list[Actor]:
    return [world.hospital, world.municipality, world.municipality_b]


def _secretariat(world: World) -> Actor:
    """An ``edit`` token of a new organisation of kind secretariat (no care level)."""
    operator = world.operator
    registered = operator.post(
        "/organizations", json={"name": "Sekretariatet", "kind": "secretariat"}
    )
    assert registered.status_code == 201, registered.text
    organization = registered.json()
    issued = operator.post(
        f"/organizations/{organization['id']}/tokens",
        json={"name": "secretariat", "scope": "edit"},
    )
    assert issued.status_code == 201, issued.text
    token, level = issued.json()["token"], organization["level"]  # level: None
    return Actor(world.hospital.http, token, organization["id"], level, "secretariat")


def _victim(world: World) -> tuple[int, str]:
    issued = world.operator.post(
        f"/organizations/{world.municipality.organization_id}/tokens",
        json={"name": "victim", "scope": "edit"},
    )
    assert issued.status_code == 201, issued.text
    return issued.json()["id"], issued.json()["token"]


@pytest.fixture
def setting(world: World, example_bytes: bytes) -> Setting:
    victim_id, victim = _victim(world)
    return Setting(
        draft=_prepare(world, example_bytes, approve=False),
        approved=_prepare(world, example_bytes, approve=True),
        victim_token_id=victim_id,
        victim_token=victim,
        example=example_bytes,
        editor=world.hospital,
        partnership_id=_partnership(world, "Helsefellesskap Test", _members(world)),
        webhook_id=_webhook(world),
    )


def _webhook(world: World) -> int:
    """A webhook of the hospital, marked, and inactive: nothing is ever sent to it, so
    the delivery worker changes no row while the matrix runs."""
    created = world.operator.post(
        "/webhooks",
        json={
            "url": f"https://hooks.example.org/{MARKER}",
            "events": ["version.approved", "comment.created", "hearing.opened"],
            "description": f"{MARKER} webhook",
            "active": False,
        },
    )
    assert created.status_code == 201, created.text
    webhook_id: int = created.json()["id"]
    return webhook_id


def _needs_spare(method: str, path: str) -> bool:
    return method == "DELETE" and path.endswith("/steps/{key}")


def _urls(
    world: World, setting: Setting, route: Route, case: Case, pathway_id: int | None
) -> list[str]:
    """Concrete URLs for ``route``: every placeholder filled with something real."""
    choices: list[list[str]] = []
    names = re.findall(r"{(\w+)}", route.path)
    for name in names:
        if name == "pathway_id":
            assert pathway_id is not None
            values = [str(pathway_id)]
        elif name == "key" and "/steps/" in route.path:
            values = [SPARE if _needs_spare(route.method, route.path) else STEP_KEY]
        elif (name == "key" and "/transitions/" in route.path) or name == "transition_key":
            values = [TRANSITION_KEY]
        elif name == "number":
            values = ["1"]
        elif name == "episode":
            values = [EPISODE]
        elif name in {"comment_id", "hearing_id"}:
            target = next(
                t for t in (setting.draft, setting.approved) if t.pathway_id == pathway_id
            )
            values = [str(getattr(target, name))]
        elif name == "partnership_id":
            values = [str(setting.partnership_id)]
        elif name == "organization_id" and "/members/" in route.path:
            values = [str(world.hospital.organization_id)]  # a member, not the secretariat
        elif name == "organization_id" and "/participants/" in route.path:
            # Adding oneself (or anyone) and removing a participant that may be removed.
            joining = world.outsider if route.method == "PUT" else world.municipality_b
            values = [str(joining.organization_id)]
        elif name == "organization_id":
            values = [str(world.hospital.organization_id), str(world.outsider.organization_id)]
        elif name == "token_id":
            values = [str(setting.victim_token_id)]
        elif name == "webhook_id":
            values = [str(setting.webhook_id)]
        elif name == "delivery_id":
            values = ["1"]  # none exists: who may not replay is answered before it is read
        else:
            pytest.fail(
                f"{route.method} {route.path}: the matrix has no value for {{{name}}}; "
                f"teach _urls in {__name__} what to put there"
            )
        choices.append(values)
    query = case.query.format(hospital=world.hospital.organization_id)
    urls = []
    for chosen in itertools.product(*choices):
        url = route.path
        for name, value in zip(names, chosen, strict=True):
            url = url.replace(f"{{{name}}}", value, 1)
        urls.append(f"{url}?{query}" if query else url)
    return urls


ETAGS = ("current", "stale", "none")
"""The If-Match a change is tried with: the matrix's answers must not depend on it (a
412 or 428 would tell a non-participant that the pathway exists, and its revision; on a
partnership, that the If-Match is looked at before who may change it)."""


def _takes_if_match(route: Route, pathway_id: int | None) -> bool:
    """Whether a change is made against an ETag: a pathway's, a partnership's, or a
    webhook's (a replay is not)."""
    webhook = "{webhook_id}" in route.path and "/deliveries/" not in route.path
    return route.method in CHANGES and (
        pathway_id is not None or "{partnership_id}" in route.path or webhook
    )


def _current(setting: Setting, route: Route, pathway_id: int | None) -> str | None:
    """The current ETag of what ``route`` changes (None: it takes no If-Match)."""
    if not _takes_if_match(route, pathway_id):
        return None
    if pathway_id is not None:
        return _etag(setting.editor, pathway_id)
    if "{webhook_id}" in route.path:
        found = setting.editor.get(f"/webhooks/{setting.webhook_id}")
        assert found.status_code == 200, found.text
        etag: str = found.headers["ETag"]
        return etag
    return _partnership_etag(setting.editor, setting.partnership_id)


def _send(
    actor: Actor,
    setting: Setting,
    route: Route,
    case: Case,
    url: str,
    pathway_id: int | None,
    if_match: str = "current",
) -> httpx.Response:
    """The request; on changes to a pathway or a partnership with its current ETag as the
    hospital reads it (default)."""
    kwargs: dict[str, Any] = {}
    current = _current(setting, route, pathway_id) if if_match != "none" else None
    if current is not None:
        kwargs["etag"] = current if if_match == "current" else f'"{_revision(current) - 1}"'
    if case.body == IMPORTED:
        kwargs["content"] = setting.example
        kwargs["headers"] = {"Content-Type": "application/json"}
    elif case.body is not None:
        kwargs["json"] = case.body
    return actor.request(route.method, url, **kwargs)


def _revision(etag: str) -> int:
    """The revision of a pathway's ETag, ``"7"`` or ``"7.123"``, or a partnership's."""
    return int(etag.strip('"').split(".")[0])


def _etag(reader: Actor, pathway_id: int) -> str:
    response = reader.get(f"/pathways/{pathway_id}")
    assert response.status_code == 200, response.text
    etag: str = response.headers["ETag"]
    return etag


def _partnership_etag(reader: Actor, partnership_id: int) -> str:
    response = reader.get(f"/partnerships/{partnership_id}")
    assert response.status_code == 200, response.text
    etag: str = response.headers["ETag"]
    return etag


# -- what must not change ----------------------------------------------------------------


def _dump(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in primary-key order."""
    with db.reader() as session:
        return {
            table.name: [
                tuple(row)
                for row in session.execute(select(table).order_by(*table.primary_key.columns)).all()
            ]
            for table in Base.metadata.sorted_tables
        }


def _snapshot(world: World, targets: list[Target]) -> list[dict[str, Any]]:
    """What the hospital's editor sees of each pathway."""
    hospital = world.hospital
    seen = []
    for target in targets:
        base = f"/pathways/{target.pathway_id}"
        pathway = hospital.get(base).json()
        seen.append(
            {
                "pathway": pathway,
                "revision": pathway["revision"],
                "participants": pathway["participants"],
                "approvals": pathway["approvals"],
                "graph": hospital.get(f"{base}/graph").json(),
                "versions": hospital.get(f"{base}/versions").json()["total"],
                "history": hospital.get(f"{base}/history").json()["total"],
            }
        )
    return seen


# -- the matrix --------------------------------------------------------------------------


MANAGEMENT = frozenset({Kind.OPERATOR, Kind.TOKENS, Kind.FOUNDING, Kind.PARTNERSHIP})
"""Changes the operator makes in the control (and that refuse every client of the
matrix with 403, never 404)."""
HOOK_KINDS = frozenset({Kind.HOOKS, Kind.HOOK_CREATE})
"""Webhooks: the operator (the hospital's, admin and more) makes their changes in the
control."""


def _expected(actor: str, route: Route, case: Case, target: Target | None, own: bool) -> int | None:
    """The status ``actor`` must get, or None where the matrix does not try it. ``own``:
    the URL names the actor's own organisation."""
    if actor == "admin" and case.kind is Kind.TOKENS:
        if route.path == "/tokens/{token_id}":
            return 404  # the victim token is another organisation's: not to be seen
        if own:
            # Its own organisation's tokens are its to manage: reading them changes
            # nothing; issuing one would (test_tokens_and_organizations covers that).
            return None if route.method in CHANGES else 200
        return 403
    if case.kind is Kind.HOOK_CREATE:
        return None if actor == "admin" else 403  # an admin subscribes its own organisation
    if case.kind is Kind.HOOKS and actor in {"outsider", "admin"}:
        # A token without admin may change no webhook (403, whosever); another
        # organisation's webhook is not to be seen (404).
        return 403 if actor == "outsider" and route.method in CHANGES else 404
    if actor in {"outsider", "admin"}:
        if case.kind is Kind.CREATE:
            return None  # it may create pathways of its own: not this matrix's business
        if case.kind is Kind.OPEN:
            return 200
        if case.kind in MANAGEMENT or case.kind is Kind.SECRETARIAT:
            return 403  # the outsider's organisation is not the partnership's secretariat
        assert target is not None
        if case.kind is Kind.APPROVED and target.approved:
            return 200
        return 404
    assert actor == "reader"
    if route.method in CHANGES or case.kind in MANAGEMENT or case.kind is Kind.SECRETARIAT:
        return 403
    if target is not None and case.needs_version and not target.approved:
        return 404
    if case.needs_variant:
        return 404
    return 200


def _attempts(
    world: World, setting: Setting, settings: Settings, actor_name: str, actor: Actor
) -> Iterator[tuple[Route, Case, Target | None, str, str, int]]:
    targets = [setting.draft, setting.approved]
    own = f"/organizations/{actor.organization_id}/"
    for route, case in _matrix(settings):
        about = targets if _about_a_pathway(route) else [None]
        for target in about:
            pathway_id = target.pathway_id if target else None
            if_matches = ETAGS if _takes_if_match(route, pathway_id) else ETAGS[:1]
            for url in _urls(world, setting, route, case, pathway_id):
                expected = _expected(actor_name, route, case, target, url.startswith(own))
                if expected is None:
                    continue
                for if_match in if_matches:
                    yield route, case, target, url, if_match, expected


def _about_a_pathway(route: Route) -> bool:
    """Whether the route is about one of the matrix's pathways (or its hearing round)."""
    return "{pathway_id}" in route.path or "{hearing_id}" in route.path


def _label(target: Target | None) -> str:
    if target is None:
        return ""
    return " [approved pathway]" if target.approved else " [draft-only pathway]"


def _problem(response: httpx.Response) -> str | None:
    """What is wrong with an error response's form, if anything."""
    if response.status_code < 400:
        return None
    if response.headers.get("content-type") != PROBLEM:
        return f"content-type {response.headers.get('content-type')!r}, not {PROBLEM}"
    if response.json().get("status") != response.status_code:
        return "its problem's status differs from the response's"
    return None


def _run_matrix(
    world: World, setting: Setting, settings: Settings, actor_name: str, actor: Actor
) -> tuple[list[str], int]:
    failures: list[str] = []
    tried = 0
    attempts = _attempts(world, setting, settings, actor_name, actor)
    for route, case, target, url, if_match, expected in attempts:
        pathway_id = target.pathway_id if target else None
        response = _send(actor, setting, route, case, url, pathway_id, if_match)
        tried += 1
        where = f"{actor_name} {route.method} {url}{_label(target)}"
        if if_match != "current":
            where += f" (If-Match: {if_match})"
        if response.status_code != expected:
            failures.append(
                f"{where}: expected {expected}, got {response.status_code} {response.text[:300]}"
            )
        elif (wrong := _problem(response)) is not None:
            failures.append(f"{where}: {wrong}")
        if actor_name in {"outsider", "admin"} and MARKER in response.text:
            failures.append(f"{where}: the answer shows the draft ({MARKER!r} in it)")
    return failures, tried


@pytest.mark.parametrize("kind", ["outsider", "admin"])
def test_non_participant_sees_only_approved_versions_and_changes_nothing(
    world: World, setting: Setting, settings: Settings, db: Database, kind: str
) -> None:
    """An editor of another organisation, and an ``admin`` of one: ``admin`` manages its
    own organisation's tokens, nothing else (before the operator scope it issued tokens
    for every organisation, and read their drafts through them)."""
    actor = getattr(world, kind)
    targets = [setting.draft, setting.approved]
    before, rows = _snapshot(world, targets), _dump(db)
    failures, tried = _run_matrix(world, setting, settings, kind, actor)
    assert tried > 60
    assert not failures, "\n".join(failures)
    assert _snapshot(world, targets) == before
    assert _dump(db) == rows
    assert actor.get("/pathways").json()["total"] == 0
    victim = world.hospital.get("/me", headers={"Authorization": f"Bearer {setting.victim_token}"})
    assert victim.status_code == 200


def test_read_token_of_a_participant_reads_everything_and_changes_nothing(
    world: World, setting: Setting, settings: Settings, db: Database
) -> None:
    targets = [setting.draft, setting.approved]
    before, rows = _snapshot(world, targets), _dump(db)
    failures, tried = _run_matrix(world, setting, settings, "reader", world.hospital_reader)
    assert tried > 60
    assert not failures, "\n".join(failures)
    assert _snapshot(world, targets) == before
    assert _dump(db) == rows
    victim = world.hospital.get("/me", headers={"Authorization": f"Bearer {setting.victim_token}"})
    assert victim.status_code == 200


def test_a_draft_of_another_organisation_looks_like_no_pathway_at_all(
    world: World, setting: Setting, settings: Settings
) -> None:
    """The outsider's 404 on a draft is the 404 of a pathway that does not exist."""
    missing = max(setting.draft.pathway_id, setting.approved.pathway_id) + 1000
    failures = []
    for route, case in _matrix(settings):
        if "{pathway_id}" not in route.path or case.kind is Kind.CREATE:
            continue
        for url in _urls(world, setting, route, case, setting.draft.pathway_id):
            seen = _send(world.outsider, setting, route, case, url, setting.draft.pathway_id)
            other_url = url.replace(f"/{setting.draft.pathway_id}", f"/{missing}", 1)
            other = world.outsider.request(
                route.method,
                other_url,
                etag=world.hospital.get(f"/pathways/{setting.draft.pathway_id}").headers["ETag"],
                **({"json": case.body} if case.body not in (None, IMPORTED) else {}),
            )
            detail = _anonymous(seen, setting.draft.pathway_id)
            other_detail = _anonymous(other, missing)
            if (seen.status_code, detail) != (other.status_code, other_detail):
                failures.append(
                    f"{route.method} {url}: {seen.status_code} {detail!r} on a draft, "
                    f"{other.status_code} {other_detail!r} where there is no pathway"
                )
    assert not failures, "\n".join(failures)


def _anonymous(response: httpx.Response, pathway_id: int) -> str:
    """The problem's detail with the pathway's id taken out."""
    detail: str = response.json().get("detail", "")
    return re.sub(rf"\bpathway {pathway_id}\b", "pathway N", detail)


def test_every_change_in_the_matrix_works_for_an_editor(
    world: World, example_bytes: bytes, settings: Settings
) -> None:
    """The control: each change the matrix refuses to others is one an editor of a
    participant (the operator for organisations, tokens and partnerships, the leaving
    organisation for leaving a pathway or a partnership, a secretariat for a decision)
    may make, with the same URL, body and ETag. So the matrix's 403s and 404s come from
    authorisation alone."""
    secretariat = _secretariat(world)
    failures = []
    tried = 0
    for number, (route, case) in enumerate(_matrix(settings)):
        if route.method not in CHANGES or case.control:
            continue
        target = _prepare(
            world, example_bytes, approve=False, spare=_needs_spare(route.method, route.path)
        )
        victim_id, _ = _victim(world)
        members = _members(world)
        if route.method == "PUT" and "/members/" in route.path:
            members.remove(world.hospital)  # so that it is added, not confirmed
        partnership_id = _partnership(world, f"Helsefellesskap {number}", members)
        editor = world.operator if case.kind in MANAGEMENT | HOOK_KINDS else world.hospital
        if route.method == "DELETE" and "/participants/" in route.path:
            editor = world.municipality_b  # an organisation leaves by itself, no other
        elif route.method == "DELETE" and "/members/" in route.path:
            editor = world.hospital  # the member named in the URL leaves by itself
        elif route.path.endswith("/decisions"):
            # Only under the decision policy, by the partnership's secretariat.
            editor = secretariat
            partnership_id = _partnership(
                world,
                f"Samarbeidsutvalg {number}",
                [secretariat, *_members(world)],
                approval_policy="decision",
                decision_body="Strategisk samarbeidsutvalg",
            )
            moved = world.hospital.patch(
                f"/pathways/{target.pathway_id}",
                json={"partnership_id": partnership_id},
                etag=_etag(world.hospital, target.pathway_id),
            )
            assert moved.status_code == 200, moved.text
        setting = Setting(
            target, target, victim_id, "", example_bytes, world.hospital, partnership_id
        )
        if "{webhook_id}" in route.path:
            setting.webhook_id = _webhook(world)
        pathway_id = target.pathway_id if "{pathway_id}" in route.path else None
        for url in _urls(world, setting, route, case, pathway_id):
            response = _send(editor, setting, route, case, url, pathway_id)
            tried += 1
            if not 200 <= response.status_code < 300:
                failures.append(
                    f"{route.method} {url}: an editor got {response.status_code} "
                    f"{response.text[:300]}; the matrix's body or URL is not a valid change"
                )
    assert tried >= 15
    assert not failures, "\n".join(failures)


def test_the_matrix_covers_every_route_of_the_app(settings: Settings) -> None:
    app = create_app(settings, database=Database.connect(settings.database_url, pool_size=1))
    try:
        routes = _routes(app)
        documented = {
            (method.upper(), path)
            for path, operations in app.openapi()["paths"].items()
            for method in operations
        }
    finally:
        app.state.database.dispose()
    served = {(r.method, r.path) for r in routes}
    # The route walk sees every documented operation (also on a newer FastAPI) ...
    assert documented <= served, f"routes the matrix does not see: {documented - served}"
    # ... the table names no route that is gone ...
    assert set(CASES) <= served, f"CASES lists routes the app no longer has: {set(CASES) - served}"
    # ... and every route is in the matrix (this fails with a message naming new ones).
    pairs = _matrix(settings)
    assert {(r.method, r.path) for r, _ in pairs} == served
    assert len(served) >= 35


def test_every_route_but_health_needs_a_valid_token(
    world: World, setting: Setting, settings: Settings
) -> None:
    anonymous = Actor(world.hospital.http, "", 0, world.hospital.level, "anonymous")
    forged = Actor(world.hospital.http, "htt_" + "x" * 43, 0, world.hospital.level, "forged")
    failures = []
    for route, case in _matrix(settings):
        if (route.method, route.path) == ("GET", "/health"):
            continue
        pathway_id = setting.draft.pathway_id if _about_a_pathway(route) else None
        for url in _urls(world, setting, route, case, pathway_id):
            for actor in (anonymous, forged):
                kwargs: dict[str, Any] = {}
                if (current := _current(setting, route, pathway_id)) is not None:
                    kwargs["etag"] = current
                if case.body == IMPORTED:
                    kwargs["content"] = setting.example
                    kwargs["headers"] = {"Content-Type": "application/json"}
                elif case.body is not None:
                    kwargs["json"] = case.body
                response: Any
                if actor is anonymous:
                    response = world.hospital.http.request(route.method, url, **_plain(kwargs))
                else:
                    response = actor.request(route.method, url, **kwargs)
                if response.status_code != 401 or _problem(response) is not None:
                    failures.append(
                        f"{actor.name} {route.method} {url}: {response.status_code} "
                        f"{response.text[:200]}"
                    )
    assert not failures, "\n".join(failures)


def _plain(kwargs: dict[str, Any]) -> dict[str, Any]:
    """``Actor.request`` keyword arguments for a bare client: If-Match as a header."""
    result = dict(kwargs)
    headers = dict(result.pop("headers", {}))
    if "etag" in result:
        headers["If-Match"] = result.pop("etag")
    return {**result, "headers": headers}


# -- mass assignment -------------------------------------------------------------------

SERVER_FIELDS: list[tuple[str, Any]] = [
    ("revision", 99),
    ("id", 12345),
    ("etag", '"99"'),
    ("participants", [{"organization_id": 1, "name": "x", "level": "municipality"}]),
    ("status", "approved"),
    ("approvals", [{"organization_id": 1, "level": "hospital", "revision": 1}]),
    ("created_at", "2000-01-01T00:00:00Z"),
    ("updated_at", "2000-01-01T00:00:00Z"),
    ("latest_version", 1),
    ("authorship", {"hospital": {"changes": 99, "share": 1.0}}),
    ("step_count", 0),
]


def _refused(response: httpx.Response, field: str) -> None:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM
    locs = [error["loc"] for error in response.json()["errors"]]
    assert any(field in loc for loc in locs), locs


@pytest.mark.parametrize(("field", "value"), SERVER_FIELDS, ids=[f for f, _ in SERVER_FIELDS])
def test_pathway_fields_the_server_keeps_cannot_be_set(
    world: World, example_bytes: bytes, db: Database, field: str, value: Any
) -> None:
    target = _prepare(world, example_bytes, approve=False)
    url = f"/pathways/{target.pathway_id}"
    etag = _etag(world.hospital, target.pathway_id)
    rows = _dump(db)
    for body in ({field: value}, {"title": "Renamed", field: value}):
        _refused(world.hospital.patch(url, json=body, etag=etag), field)
        _refused(world.hospital.post("/pathways", json={"title": "New", **body}), field)
    assert _dump(db) == rows


PART_FIELDS: list[tuple[str, str, str, dict[str, Any], str]] = [
    ("POST", "/steps", "step", {**STEP_BODY, "id": 1}, "id"),
    ("POST", "/steps", "step", {**STEP_BODY, "pathway_id": 1}, "pathway_id"),
    ("POST", "/steps", "step", {**STEP_BODY, "position": 0}, "position"),
    ("POST", "/steps", "step", {**STEP_BODY, "revision": 99}, "revision"),
    ("POST", "/steps", "step", {**STEP_BODY, "owner": "hospital"}, "owner"),
    ("POST", "/transitions", "transition", {**TRANSITION_BODY, "id": 1}, "id"),
    ("POST", "/transitions", "transition", {**TRANSITION_BODY, "pathway_id": 1}, "pathway_id"),
    ("POST", "/transitions", "transition", {**TRANSITION_BODY, "position": 0}, "position"),
    ("POST", "/transitions", "transition", {**TRANSITION_BODY, "approved": True}, "approved"),
    ("PATCH", f"/steps/{STEP_KEY}", "step key", {"key": "renamed"}, "key"),
    ("PATCH", f"/steps/{STEP_KEY}", "step id", {"name": "x", "id": 3}, "id"),
    ("PATCH", f"/transitions/{TRANSITION_KEY}", "transition key", {"key": "renamed"}, "key"),
    (
        "PATCH",
        f"/transitions/{TRANSITION_KEY}",
        "transition pathway",
        {"label": "x", "pathway_id": 1},
        "pathway_id",
    ),
    ("PUT", "/graph", "graph", {"steps": [], "transitions": [], "revision": 99}, "revision"),
    (
        "PUT",
        "/graph",
        "graph participants",
        {"steps": [], "transitions": [], "participants": []},
        "participants",
    ),
]


@pytest.mark.parametrize(
    ("method", "suffix", "what", "body", "field"),
    PART_FIELDS,
    ids=[f"{m} {what} {field}" for m, _, what, _, field in PART_FIELDS],
)
def test_parts_refuse_unknown_fields(
    world: World,
    example_bytes: bytes,
    db: Database,
    method: str,
    suffix: str,
    what: str,
    body: dict[str, Any],
    field: str,
) -> None:
    target = _prepare(world, example_bytes, approve=False)
    etag = _etag(world.hospital, target.pathway_id)
    rows = _dump(db)
    response = world.hospital.request(
        method, f"/pathways/{target.pathway_id}{suffix}", json=body, etag=etag
    )
    _refused(response, field)
    assert _dump(db) == rows


@pytest.mark.parametrize(
    ("where", "field"),
    [("", "id"), ("", "participants"), ("", "revision"), ("pathway", "id"), ("pathway", "status")],
)
def test_import_refuses_fields_the_server_keeps(
    world: World, example_bytes: bytes, db: Database, where: str, field: str
) -> None:
    document = json.loads(example_bytes)
    (document[where] if where else document)[field] = 7
    rows = _dump(db)
    _refused(world.hospital.post("/pathways/import", json=document), field)
    assert _dump(db) == rows


def test_organisation_and_token_bodies_refuse_unknown_fields(world: World, db: Database) -> None:
    rows = _dump(db)
    operator = world.operator
    _refused(
        operator.post("/organizations", json={"name": "Ny", "level": "hospital", "id": 1}), "id"
    )
    _refused(
        operator.post(
            f"/organizations/{world.hospital.organization_id}/tokens",
            json={"name": "t", "scope": "read", "organization_id": world.outsider.organization_id},
        ),
        "organization_id",
    )
    _refused(
        operator.post(
            f"/organizations/{world.hospital.organization_id}/tokens",
            json={"name": "t", "scope": "read", "secret": "htt_chosen"},
        ),
        "secret",
    )
    assert _dump(db) == rows
