"""Comments and hearing rounds through the API, on a partnership that approves pathways
only after a clean hearing: a user committee comments on a handover checklist item, the
hospital edits that item, and the comment is marked as about an earlier revision; a round
with three invitees closes with one disagreement, which blocks approval until it is
answered."""

from __future__ import annotations

import copy
from datetime import date, timedelta
from typing import Any

import pytest

from tests.api.test_partnerships import Partnership, _organization, _partnership, _shared_pathway
from tests.api.test_variants import _etag, _graph, _put_graph
from tests.conftest import Actor, World

ITEM = {"kind": "checklist_item", "transition": "to-home-nursing", "item": "first-visit"}


def _item(graph: dict[str, Any], transition: str, item: str) -> dict[str, Any]:
    found = next(t for t in graph["transitions"] if t["key"] == transition)
    checklist: list[dict[str, Any]] = found["handover"]["checklist"]
    return next(i for i in checklist if i["key"] == item)


def _comment(actor: Actor, pathway_id: int, anchor: dict[str, Any], text: str) -> dict[str, Any]:
    created = actor.post(
        f"/pathways/{pathway_id}/comments",
        json={"anchor": anchor, "text": text},
        etag=_etag(actor, pathway_id),
    )
    assert created.status_code == 201, created.text
    assert created.headers["Location"] == f"/pathways/{pathway_id}/comments/{created.json()['id']}"
    assert created.headers["ETag"] == created.json()["etag"]
    thread: dict[str, Any] = created.json()
    return thread


def _thread(actor: Actor, pathway_id: int, thread_id: int, **headers: str) -> dict[str, Any]:
    found = actor.get(f"/pathways/{pathway_id}/comments/{thread_id}", headers=headers)
    assert found.status_code == 200, found.text
    thread: dict[str, Any] = found.json()
    return thread


@pytest.fixture
def heard(world: World, example_bytes: bytes) -> tuple[Partnership, int]:
    """A shared pathway in a partnership that requires a hearing before approval."""
    partnership = _partnership(world)
    changed = partnership.secretariat.patch(
        f"/partnerships/{partnership.id}",
        json={"hearing_required": True},
        etag=partnership.etag(partnership.secretariat),
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["hearing_required"] is True
    pathway_id, _ = _shared_pathway(world, partnership, example_bytes)
    return partnership, pathway_id


def test_a_user_committee_comments_on_a_checklist_item_the_hospital_then_changes(
    world: World, heard: tuple[Partnership, int]
) -> None:
    partnership, pathway_id = heard
    users = partnership.users
    graph, etag = _graph(world.hospital, pathway_id)
    before = copy.deepcopy(_item(graph, "to-home-nursing", "first-visit"))
    revision = int(etag.strip('"').split(".")[0])

    thread = _comment(users, pathway_id, ITEM, "Pasienten må få vite <når> første besøk er.")
    assert thread["comments"][0]["role"] == "commenter"
    assert thread["comments"][0]["organization_name"] == users.name
    assert thread["standing"] == "current"
    assert thread["revision"] == revision
    assert thread["element"] == before
    # A comment is no change to the pathway: the revision stays.
    assert _etag(world.hospital, pathway_id).startswith(f'"{revision}')

    # The hospital edits the item the comment is about.
    _item(graph, "to-home-nursing", "first-visit")["text"] = "Første besøk avtalt med pasienten"
    _put_graph(world.hospital, pathway_id, graph, etag)

    seen = _thread(world.municipality, pathway_id, thread["id"], **{"Accept-Language": "nb"})
    assert seen["standing"] == "changed"
    assert seen["revision"] == revision
    assert seen["current_revision"] == revision + 1
    assert seen["changes"] == {
        "text": {"from": before["text"], "to": "Første besøk avtalt med pasienten"}
    }
    assert seen["element"] == before  # the diff at hand: as it was, and what changed
    # Its representation changed, and so did its ETag; its own part did not (If-Match).
    assert seen["etag"] != thread["etag"]
    assert seen["etag"].split(".")[0] == thread["etag"].split(".")[0]
    assert seen["standing_text"] == (
        f"Skrevet om revisjon {revision}. Sjekklistepunktet first-visit i overgangen "
        "to-home-nursing er endret siden (tekst)."
    )
    # Text is data, never markup: kept as written, served as JSON.
    assert seen["comments"][0]["text"] == "Pasienten må få vite <når> første besøk er."

    # Replies and resolving; the thread's ETag moves with each.
    replies = f"/pathways/{pathway_id}/comments/{thread['id']}/replies"
    assert world.hospital.post(replies, json={"text": "Ja."}).status_code == 428
    replied = world.hospital.post(replies, json={"text": "Tatt inn."}, etag=thread["etag"])
    assert replied.status_code == 201, replied.text
    late = world.municipality.post(replies, json={"text": "Enig."}, etag=thread["etag"])
    assert late.status_code == 412  # it had not seen the hospital's reply
    assert [c["organization_name"] for c in replied.json()["comments"]] == [
        users.name,
        world.hospital.name,
    ]
    stale = thread["etag"]
    assert replied.headers["ETag"] != stale
    url = f"/pathways/{pathway_id}/comments/{thread['id']}"
    assert users.patch(url, json={"resolved": True}).status_code == 428
    assert users.patch(url, json={"resolved": True}, etag=stale).status_code == 412
    resolved = users.patch(url, json={"resolved": True}, etag=replied.headers["ETag"])
    assert resolved.status_code == 200, resolved.text
    assert resolved.json()["resolved"] is True
    assert resolved.json()["resolved_by"] == users.name
    listed = world.hospital.get(f"/pathways/{pathway_id}/comments?state=open")
    assert listed.json()["total"] == 0
    listed = world.hospital.get(
        f"/pathways/{pathway_id}/comments?kind=checklist_item&element=to-home-nursing/first-visit"
    )
    assert [t["id"] for t in listed.json()["items"]] == [thread["id"]]

    # Removing the transition: the comment stays and says so.
    graph, etag = _graph(world.hospital, pathway_id)
    step = _comment(world.municipality, pathway_id, {"kind": "step", "step": "gp-follow-up"}, "Ok")
    graph["transitions"] = [t for t in graph["transitions"] if t["key"] != "to-home-nursing"]
    _put_graph(world.hospital, pathway_id, graph, etag)
    assert _thread(users, pathway_id, thread["id"])["standing"] == "removed"
    assert _thread(users, pathway_id, step["id"])["standing"] == "current"


def test_a_round_with_three_invitees_and_one_disagreement_blocks_approval_until_answered(
    world: World, heard: tuple[Partnership, int]
) -> None:
    partnership, pathway_id = heard
    users = partnership.users
    gp_council = _organization(world, "Allmennlegeutvalget Testvik", level="municipality")
    etag = _etag(world.hospital, pathway_id)

    # Approval before any hearing: refused, and the pathway says why.
    refused = world.hospital.post(
        f"/pathways/{pathway_id}/approvals", etag=etag, headers={"Accept-Language": "nb"}
    )
    assert refused.status_code == 409, refused.text
    assert "høring" in refused.json()["detail"]
    assert world.hospital.get(f"/pathways/{pathway_id}").json()["approval"]["hearing_missing"]

    deadline = (date.today() + timedelta(days=21)).isoformat()
    opened = world.municipality.post(
        f"/pathways/{pathway_id}/hearings",
        json={
            "deadline": deadline,
            "invitees": [
                users.organization_id,
                gp_council.organization_id,
                world.municipality_b.organization_id,
            ],
            "description": "Høring av utkastet fra faglig samarbeidsutvalg.",
        },
        etag=etag,
    )
    assert opened.status_code == 201, opened.text
    hearing = opened.json()
    url = f"/hearings/{hearing['id']}"
    assert opened.headers["Location"] == url
    assert hearing["status"] == "open"
    assert hearing["counts"]["unanswered"] == 3
    assert hearing["title"].startswith("Høring: ")

    # The GP council takes no part in the pathway, but reads what is heard and answers.
    assert gp_council.get(f"/pathways/{pathway_id}").status_code == 404
    assert gp_council.get(url).status_code == 200
    document = gp_council.get(f"{url}/document")
    assert document.status_code == 200
    assert document.json()["format"] == "hjem-til-hjem/pathway"
    assert [h["id"] for h in gp_council.get("/hearings").json()["items"]] == [hearing["id"]]
    listed = world.hospital.get(f"/pathways/{pathway_id}/hearings").json()
    assert listed["total"] == 1
    assert world.outsider.get(url).status_code == 404

    # A participant that is not invited may not answer; a read token may not either.
    assert world.hospital.post(f"{url}/answer", json={"position": "agree"}).status_code == 403
    assert users.post(f"{url}/answer", json={"position": "disagree"}).status_code == 422

    answered = users.post(
        f"{url}/answer",
        json={"position": "agree_with_remarks", "text": "Brukerne bør få skriftlig informasjon."},
    )
    assert answered.status_code == 200, answered.text
    assert users.post(f"{url}/answer", json={"position": "agree"}).status_code == 409
    disagreed = gp_council.post(
        f"{url}/answer",
        json={
            "position": "disagree",
            "text": "Fastlegen får epikrisen for sent.",
            "comments": [
                {"anchor": {"kind": "step", "step": "gp-follow-up"}, "text": "Innen 7 dager."}
            ],
        },
    )
    assert disagreed.status_code == 200, disagreed.text
    round_ = disagreed.json()
    assert round_["counts"] == {
        "invited": 3,
        "answered": 2,
        "unanswered": 1,
        "disagreements": 1,
        "unreplied_disagreements": 1,
        "clean": False,
    }
    gp = next(i for i in round_["invitees"] if i["organization_id"] == gp_council.organization_id)
    assert gp["position"] == "disagree"
    assert len(gp["comments"]) == 1
    comment = world.hospital.get(f"/pathways/{pathway_id}/comments/{gp['comments'][0]}").json()
    assert comment["comments"][0]["role"] == "invitee"
    assert comment["revision"] == hearing["revision"]

    # Before the deadline, a round closes only once every invitee has answered.
    early = world.hospital.post(
        f"{url}/close", etag=disagreed.headers["ETag"], headers={"Accept-Language": "nb"}
    )
    assert early.status_code == 409, early.text
    assert "1 av de inviterte har ikke svart" in early.json()["detail"]
    b = world.municipality_b.post(f"{url}/answer", json={"position": "agree"})
    assert b.status_code == 200, b.text
    tag = b.headers["ETag"]
    # Only the pathway's editors and secretariat close it, with the round's ETag.
    assert gp_council.post(f"{url}/close", etag=tag).status_code == 403
    assert world.hospital.post(f"{url}/close", etag=hearing["etag"]).status_code == 412
    closed = partnership.secretariat.post(f"{url}/close", etag=tag)
    assert closed.status_code == 200, closed.text
    assert closed.json()["status"] == "closed"
    assert world.municipality_b.post(f"{url}/answer", json={"position": "agree"}).status_code == 409

    # Closed, with a disagreement nobody has answered: approval is still blocked.
    etag = _etag(world.hospital, pathway_id)
    refused = world.hospital.post(
        f"/pathways/{pathway_id}/approvals", etag=etag, headers={"Accept-Language": "nb"}
    )
    assert refused.status_code == 409, refused.text
    assert gp_council.name in refused.json()["detail"]

    replied = world.hospital.post(
        f"{url}/answers/{gp_council.organization_id}/reply",
        json={"text": "Fristen for epikrise er satt til samme dag."},
        etag=closed.headers["ETag"],
    )
    assert replied.status_code == 200, replied.text
    assert replied.json()["counts"]["clean"] is True
    report = gp_council.get(f"{url}/report", headers={"Accept-Language": "nb"})
    assert report.status_code == 200, report.text
    assert report.headers["content-type"] == "text/html; charset=utf-8"
    page = report.text
    assert "3 inviterte · 3 har svart · 0 har ikke svart · 1 uenig" in page
    assert "Fastlegen får epikrisen for sent." in page
    assert "Fristen for epikrise er satt til samme dag." in page
    assert "om steget gp-follow-up: <span" in page

    etag = _etag(world.hospital, pathway_id)
    first = world.hospital.post(f"/pathways/{pathway_id}/approvals", etag=etag)
    assert first.status_code == 201, first.text
    done = world.municipality.post(f"/pathways/{pathway_id}/approvals", etag=etag)
    assert done.status_code == 201, done.text
    assert done.json()["version"]["number"] == 1

    history = world.hospital.get(f"/pathways/{pathway_id}/history?limit=200").json()["items"]
    actions = [entry["action"] for entry in history]
    assert [a for a in actions if a.startswith("hearing.")] == [
        "hearing.open",
        "hearing.answer",
        "hearing.answer",
        "hearing.answer",
        "hearing.close",
        "hearing.reply",
    ]


def test_bad_comments_and_rounds_are_refused_clearly(
    world: World, heard: tuple[Partnership, int]
) -> None:
    partnership, pathway_id = heard
    etag = _etag(world.hospital, pathway_id)
    url = f"/pathways/{pathway_id}/comments"
    cases: list[tuple[Actor, dict[str, Any], str | None, int]] = [
        (world.hospital, {"anchor": ITEM, "text": "x" * 4001}, etag, 422),
        (world.hospital, {"anchor": ITEM, "text": "   "}, etag, 422),
        (world.hospital, {"anchor": ITEM, "text": "a\u0000b"}, etag, 422),
        (world.hospital, {"anchor": {"kind": "step", "step": "nowhere"}, "text": "x"}, etag, 422),
        (world.hospital, {"anchor": {"kind": "elsewhere"}, "text": "x"}, etag, 422),
        (world.hospital, {"anchor": ITEM, "text": "x"}, None, 428),
        (world.hospital, {"anchor": ITEM, "text": "x"}, '"1"', 412),
        (world.hospital_reader, {"anchor": ITEM, "text": "x"}, etag, 403),
        (world.outsider, {"anchor": ITEM, "text": "x"}, etag, 404),
    ]
    for actor, body, tag, expected in cases:
        answer = actor.post(url, json=body, etag=tag)
        assert answer.status_code == expected, (body, answer.text)
        assert answer.headers["Content-Type"] == "application/problem+json"
    missing = world.hospital.post(
        url,
        json={"anchor": {"kind": "handover", "transition": "admit"}, "text": "x"},
        etag=etag,
    )
    assert missing.status_code == 201  # a handover that is there
    gone = world.hospital.post(
        url,
        json={"anchor": {**ITEM, "item": "no-such-item"}, "text": "x"},
        etag=etag,
        headers={"Accept-Language": "nb"},
    )
    assert gone.status_code == 422
    assert "sjekklistepunkt no-such-item" in gone.json()["detail"]

    hearings = f"/pathways/{pathway_id}/hearings"
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    future = (date.today() + timedelta(days=10)).isoformat()
    invitees = [partnership.users.organization_id]
    assert (
        world.hospital.post(hearings, json={"deadline": yesterday, "invitees": invitees}, etag=etag)
    ).status_code == 422
    for body in (
        {"deadline": future, "invitees": []},
        {"deadline": future, "invitees": [2_000_000_000]},
        {"deadline": "someday", "invitees": invitees},
    ):
        assert world.hospital.post(hearings, json=body, etag=etag).status_code == 422, body
    alone = {"deadline": future, "invitees": [world.hospital.organization_id]}
    assert world.hospital.post(hearings, json=alone, etag=etag).status_code == 422
    body = {"deadline": future, "invitees": invitees}
    assert partnership.users.post(hearings, json=body, etag=etag).status_code == 403
    assert world.hospital.post(hearings, json=body, etag=etag).status_code == 201
    assert world.municipality.post(hearings, json=body, etag=etag).status_code == 409


def _events(actor: Actor, kind: str) -> list[dict[str, Any]]:
    feed = actor.get(f"/events?type={kind}&limit=200")
    assert feed.status_code == 200, feed.text
    items: list[dict[str, Any]] = feed.json()["items"]
    return items


def test_comments_and_rounds_reach_the_feeds_of_those_they_concern(
    world: World, heard: tuple[Partnership, int]
) -> None:
    """A comment reaches the pathway's other organisations (the secretariat too), not its
    writer's; a round reaches its invitees, participants or not, and no one else."""
    partnership, pathway_id = heard
    gp_council = _organization(world, "Fastlegeutvalget Nabovik", level="municipality")
    thread = _comment(partnership.users, pathway_id, ITEM, "Hva får pasienten med seg?")
    for actor in (world.hospital, world.municipality, partnership.secretariat):
        [event] = _events(actor, "comment.created")
        assert event["data"]["thread_id"] == thread["id"]
        assert event["data"]["organization_name"] == partnership.users.name
        assert event["data"]["text"] == "Hva får pasienten med seg?"
    assert _events(partnership.users, "comment.created") == []
    assert _events(world.outsider, "comment.created") == []

    deadline = (date.today() + timedelta(days=7)).isoformat()
    invitees = [gp_council.organization_id, world.municipality.organization_id]
    opened = world.hospital.post(
        f"/pathways/{pathway_id}/hearings",
        json={"deadline": deadline, "invitees": invitees},
        etag=_etag(world.hospital, pathway_id),
    )
    assert opened.status_code == 201, opened.text
    for actor in (gp_council, world.municipality):
        [event] = _events(actor, "hearing.opened")
        assert event["data"]["hearing_id"] == opened.json()["id"]
        assert event["data"]["deadline"] == deadline
        assert actor.get(event["data"]["document"]).status_code == 200
    for actor in (world.hospital, world.municipality_b, world.outsider, partnership.users):
        assert _events(actor, "hearing.opened") == []
