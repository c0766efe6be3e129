"""The catalogue of approved pathways, the public view, and unknown query parameters."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.routing import APIRoute

from api.app import create_app
from api.routers.query import DeclaredQueryRoute
from api.services.catalogue import review_window, today
from api.settings import Settings
from db.session import Database
from tests.conftest import Actor, World

PROBLEM = "application/problem+json"
TODAY = today()  # in UTC, as the service compares review dates


def _approved(
    world: World,
    example: bytes,
    *,
    title: str = "Hip fracture",
    review_due: date | None = None,
    target_group: str = "Patients 65+ with hip fracture",
    municipality: Actor | None = None,
) -> tuple[int, str]:
    """The example under ``title``, approved by the hospital and a municipality."""
    document = json.loads(example)
    document["pathway"].update(
        title=title,
        target_group=target_group,
        review_due=review_due.isoformat() if review_due else None,
    )
    municipality = municipality or world.municipality
    imported = world.hospital.post("/pathways/import", json=document)
    assert imported.status_code == 201, imported.text
    pathway_id = imported.json()["id"]
    joined = world.hospital.put(
        f"/pathways/{pathway_id}/participants/{municipality.organization_id}",
        etag=imported.headers["ETag"],
    )
    etag = joined.headers["ETag"]
    assert world.hospital.post(f"/pathways/{pathway_id}/approvals", etag=etag).status_code == 201
    done = municipality.post(f"/pathways/{pathway_id}/approvals", etag=etag)
    assert done.json()["version"]["number"] == 1, done.text
    return pathway_id, etag


def _draft(world: World, title: str = "Only a draft") -> int:
    created = world.hospital.post("/pathways", json={"title": title})
    assert created.status_code == 201
    pathway_id: int = created.json()["id"]
    return pathway_id


def _ids(actor: Actor, query: str = "") -> list[int]:
    response = actor.get(f"/catalogue{'?' + query if query else ''}")
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


def _read_token(world: World) -> Actor:
    issued = world.operator.post(
        f"/organizations/{world.outsider.organization_id}/tokens",
        json={"name": "catalogue reader", "scope": "read"},
    )
    assert issued.status_code == 201, issued.text
    outsider = world.outsider
    return Actor(
        outsider.http, issued.json()["token"], outsider.organization_id, outsider.level, "r"
    )


def test_an_outsiders_read_token_lists_approved_pathways(
    world: World, example_bytes: bytes
) -> None:
    pathway_id, _ = _approved(world, example_bytes, review_due=TODAY + timedelta(days=400))
    _draft(world)
    reader = _read_token(world)
    response = reader.get("/catalogue")
    assert response.status_code == 200, response.text
    page = response.json()
    assert (page["total"], page["limit"], page["offset"]) == (1, 50, 0)
    (item,) = page["items"]
    version = world.hospital.get(f"/pathways/{pathway_id}/versions/1").json()
    assert item == {
        "id": pathway_id,
        "partnership": None,
        "title": "Hip fracture",
        "target_group": "Patients 65+ with hip fracture",
        "agreement_ref": version["document"]["pathway"]["agreement_ref"],
        "version": 1,
        "approved_at": version["created_at"],
        "review_due": (TODAY + timedelta(days=400)).isoformat(),
        "review_overdue": False,
        "participants": {
            "hospital": {
                "count": 1,
                "organizations": [{"id": world.hospital.organization_id, "name": "Helse Test HF"}],
            },
            "municipality": {
                "count": 1,
                "organizations": [
                    {"id": world.municipality.organization_id, "name": "Testvik kommune"}
                ],
            },
        },
        "version_url": f"/pathways/{pathway_id}/versions/1",
        "url": f"/pathways/{pathway_id}",
    }
    assert reader.get(item["version_url"]).status_code == 200


def test_a_pathway_never_approved_is_not_listed(world: World, example_bytes: bytes) -> None:
    draft = _draft(world, "Hip fracture draft")
    assert _ids(world.hospital) == []
    approved, _ = _approved(world, example_bytes)
    assert _ids(world.hospital) == [approved]
    assert _ids(world.outsider, "q=draft") == []
    assert draft not in _ids(world.municipality)


def test_the_catalogue_shows_the_approved_version_not_the_draft(
    world: World, example_bytes: bytes
) -> None:
    due = TODAY + timedelta(days=10)
    pathway_id, etag = _approved(world, example_bytes, title="Hip fracture", review_due=due)
    changed = world.hospital.patch(
        f"/pathways/{pathway_id}",
        json={"title": "SECRET retitled draft", "target_group": "SECRET group", "review_due": None},
        etag=etag,
    )
    assert changed.status_code == 200
    assert world.hospital.get(f"/pathways/{pathway_id}").json()["title"] == "SECRET retitled draft"

    for actor in (world.outsider, world.hospital):
        page = actor.get("/catalogue").json()
        assert [i["title"] for i in page["items"]] == ["Hip fracture"]
        assert page["items"][0]["review_due"] == due.isoformat()
        assert _ids(actor, "review=P10D") == [pathway_id]
        assert "SECRET" not in json.dumps(page)
        assert _ids(actor, "q=secret") == []
        assert _ids(actor, "q=hip") == [pathway_id]
        assert _ids(actor, "target_group=SECRET%20group") == []
    public = world.outsider.get(f"/pathways/{pathway_id}")
    assert public.status_code == 200, public.text
    assert "SECRET" not in public.text
    assert "ETag" not in public.headers


def test_review_overdue_and_within_a_duration(world: World, example_bytes: bytes) -> None:
    due = {
        "overdue": TODAY - timedelta(days=3),
        "yesterday": TODAY - timedelta(days=1),
        "today": TODAY,
        "in-30": TODAY + timedelta(days=30),
        "in-90": TODAY + timedelta(days=90),
        "in-91": TODAY + timedelta(days=91),
        "in-400": TODAY + timedelta(days=400),
    }
    ids = {
        name: _approved(world, example_bytes, title=name, review_due=d)[0]
        for name, d in due.items()
    }
    undated, _ = _approved(world, example_bytes, title="undated")

    def names(query: str) -> set[str]:
        found = set(_ids(world.outsider, query))
        return {name for name, i in ids.items() if i in found} | (
            {"undated"} if undated in found else set()
        )

    assert names("review=overdue") == {"overdue", "yesterday"}
    assert names("review=P90D") == {"today", "in-30", "in-90"}
    assert names("review=P30D") == {"today", "in-30"}
    assert names("review=P0D") == {"today"}
    assert names("review=PT36H") == {"today"}  # whole days: 36 hours is one day
    assert names("review=P13W") == {"today", "in-30", "in-90", "in-91"}  # 91 days
    assert names("review=P99999D") == set(due) - {"overdue", "yesterday"}
    assert names("") == set(due) | {"undated"}
    overdue = {
        i["id"]: i["review_overdue"] for i in world.outsider.get("/catalogue").json()["items"]
    }
    assert overdue[ids["yesterday"]] is True
    assert overdue[ids["today"]] is False
    assert overdue[undated] is False


def test_review_window_counts_whole_days() -> None:
    day = date(2027, 1, 31)
    assert review_window(None, day) == (None, None)
    assert review_window("overdue", day) == (None, date(2027, 1, 30))
    assert review_window("P90D", day) == (day, date(2027, 5, 1))
    assert review_window("P1W", day) == (day, date(2027, 2, 7))
    assert review_window("PT23H", day) == (day, day)


@pytest.mark.parametrize(
    "query",
    ["review=soon", "review=P1Y", "review=90", "review=", "organization=0", "limit=0", "q=a%00b"],
)
def test_unknown_values_are_refused_naming_the_parameter(world: World, query: str) -> None:
    response = world.outsider.get(f"/catalogue?{query}")
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM
    name = query.split("=")[0]
    assert ["query", name] in [error["loc"] for error in response.json()["errors"]]


def test_text_and_organisation_filters(world: World, example_bytes: bytes) -> None:
    first, _ = _approved(world, example_bytes, title="Ørsta hjertesvikt")
    second, _ = _approved(
        world, example_bytes, title="KOLS", municipality=world.municipality_b, target_group="KOLS"
    )
    outsider = world.outsider
    assert _ids(outsider, "q=ØRSTA") == [first]
    assert _ids(outsider, "q=ørsta") == [first]
    assert _ids(outsider, "q=kols") == [second]
    assert _ids(outsider, "q=tjenesteavtale") == [first, second]  # the agreement_ref
    assert _ids(outsider, "q=50%25") == []  # % is a character, not a wildcard
    assert _ids(outsider, f"organization={world.municipality.organization_id}") == [first]
    assert _ids(outsider, f"organization={world.municipality_b.organization_id}") == [second]
    assert _ids(outsider, f"organization={world.hospital.organization_id}") == [first, second]
    assert _ids(outsider, f"organization={world.outsider.organization_id}") == []
    assert _ids(outsider, "target_group=kols") == [second]
    assert _ids(outsider, "target_group=kol") == []  # the whole target group
    query = f"q=kols&organization={world.municipality.organization_id}"
    assert _ids(outsider, query) == []


def test_paging(world: World, example_bytes: bytes, settings: Settings) -> None:
    ids = [_approved(world, example_bytes, title=f"P{n}")[0] for n in range(3)]
    page = world.outsider.get("/catalogue?limit=2&offset=1").json()
    assert ([i["id"] for i in page["items"]], page["total"]) == (ids[1:], 3)
    beyond = world.outsider.get("/catalogue?offset=10").json()
    assert (beyond["items"], beyond["total"]) == ([], 3)
    cap = settings.max_page_size
    assert world.outsider.get(f"/catalogue?limit={cap}").status_code == 200
    refused = world.outsider.get(f"/catalogue?limit={cap + 1}")
    assert refused.status_code == 422
    assert ["query", "limit"] in [e["loc"] for e in refused.json()["errors"]]


# -- the public view of an approved pathway -----------------------------------------------


def test_a_non_participant_reads_the_public_view_of_an_approved_pathway(
    world: World, example_bytes: bytes
) -> None:
    pathway_id, etag = _approved(world, example_bytes, review_due=TODAY - timedelta(days=1))
    world.hospital.patch(
        f"/pathways/{pathway_id}", json={"description": "SECRET draft text"}, etag=etag
    )
    public = world.outsider.get(f"/pathways/{pathway_id}").json()
    version = world.outsider.get(f"/pathways/{pathway_id}/versions/1").json()
    info = version["document"]["pathway"]
    assert public["view"] == "public"
    assert (public["status"], public["latest_version"]) == ("approved", 1)
    assert {k: public[k] for k in info} == info
    assert public["review_overdue"] is True
    assert public["step_count"] == len(version["document"]["steps"])
    assert public["version_url"] == f"/pathways/{pathway_id}/versions/1"
    assert {p["organization_id"] for p in public["participants"]} == {
        world.hospital.organization_id,
        world.municipality.organization_id,
    }
    for draft_only in ("revision", "etag", "approvals", "authorship", "created_at"):
        assert draft_only not in public
    # Participants still get the draft, as before.
    own = world.municipality.get(f"/pathways/{pathway_id}").json()
    assert own["description"] == "SECRET draft text"
    assert "view" not in own


def test_a_draft_never_approved_stays_404_for_non_participants(world: World) -> None:
    draft = _draft(world)
    seen = world.outsider.get(f"/pathways/{draft}")
    missing = world.outsider.get(f"/pathways/{draft + 100}")
    assert (seen.status_code, missing.status_code) == (404, 404)
    assert seen.json()["detail"].replace(str(draft), "N") == missing.json()["detail"].replace(
        str(draft + 100), "N"
    )


# -- GET /pathways -------------------------------------------------------------------------


def test_pathways_filters_by_status_text_and_participant(
    world: World, example_bytes: bytes
) -> None:
    approved, _ = _approved(world, example_bytes, title="Ørsta approved")
    changed, etag = _approved(world, example_bytes, title="Changed one")
    world.hospital.patch(f"/pathways/{changed}", json={"title": "Changed again"}, etag=etag)
    draft = _draft(world, "Ørsta draft")

    def ids(query: str) -> list[int]:
        response = world.hospital.get(f"/pathways?{query}")
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["items"]]

    assert ids("status=approved") == [approved]
    assert ids("status=changed") == [changed]
    assert ids("status=draft") == [draft]
    assert ids("q=ørsta") == [approved, draft]
    assert ids("q=ØRSTA&status=draft") == [draft]
    assert ids(f"participant={world.municipality.organization_id}") == [approved, changed]
    assert ids(f"participant={world.municipality_b.organization_id}") == []
    refused = world.hospital.get("/pathways?status=published")
    assert refused.status_code == 422
    assert ["query", "status"] in [e["loc"] for e in refused.json()["errors"]]


# -- unknown query parameters ---------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/catalogue?colour=red",
        "/pathways?colour=red",
        "/pathways?q=x&colour=red",
        "/pathways/{id}?colour=red",
        "/pathways/{id}/handovers?colour=red",
        "/pathways/{id}/handovers/to-home-nursing?version=1&colour=red",
        "/handovers?colour=red",
        "/organizations?colour=red",
        "/health?colour=red",
        "/me?colour=red",
    ],
)
def test_an_unknown_query_parameter_is_a_422_naming_it(
    world: World, example_bytes: bytes, url: str
) -> None:
    pathway_id, _ = _approved(world, example_bytes)
    response = world.hospital.get(url.replace("{id}", str(pathway_id)))
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM
    problem = response.json()
    assert problem["errors"][0]["loc"] == ["query", "colour"]
    assert "colour" in problem["detail"]


def test_unknown_parameters_on_changes_change_nothing(world: World) -> None:
    created = world.hospital.post("/pathways", json={"title": "COPD"})
    url = f"/pathways/{created.json()['id']}"
    refused = world.hospital.patch(
        f"{url}?dry_run=1", json={"title": "New"}, etag=created.headers["ETag"]
    )
    assert refused.status_code == 422, refused.text
    assert world.hospital.get(url).json()["title"] == "COPD"
    assert world.hospital.post("/pathways?colour=red", json={"title": "X"}).status_code == 422
    assert world.hospital.get("/pathways").json()["total"] == 1


def test_every_unknown_parameter_is_named(world: World) -> None:
    response = world.hospital.get("/catalogue?colour=red&q=x&size=3&colour=blue")
    assert [e["loc"] for e in response.json()["errors"]] == [
        ["query", "colour"],
        ["query", "size"],
    ]


def test_declared_parameters_are_still_taken(world: World, example_bytes: bytes) -> None:
    pathway_id, _ = _approved(world, example_bytes)
    base = f"/pathways/{pathway_id}"
    for url in (
        f"{base}/handovers?version=1&side=sender&level=hospital&format=json",
        f"{base}/export?format=mermaid&version=1",
        f"{base}/diff?from=1&to=draft",
        f"{base}/gaps?version=draft",
        "/handovers?since=2026-01-01T00:00:00Z&limit=5&offset=0",
        "/catalogue?q=hip&review=P90D&organization=1&target_group=x&limit=5&offset=0",
    ):
        assert world.hospital.get(url).status_code == 200, url


def test_every_route_of_the_app_refuses_unknown_query_parameters(settings: Settings) -> None:
    app = create_app(settings, database=Database.connect(settings.database_url, pool_size=1))
    try:
        from fastapi.routing import iter_route_contexts

        routes: list[Any] = [
            getattr(context, "original_route", context)
            for context in iter_route_contexts(app.routes)
        ]
    finally:
        app.state.database.dispose()
    # Every operation of the spec; the docs pages (/docs, its OAuth2 redirect that takes
    # whatever an identity provider sends, /redoc) are not API operations.
    api_routes = [r for r in routes if isinstance(r, APIRoute) and r.include_in_schema]
    assert len(api_routes) >= 35
    plain = [route.path for route in api_routes if not isinstance(route, DeclaredQueryRoute)]
    assert plain == []


def test_who_joins_or_leaves_after_approval_is_not_public(
    world: World, example_bytes: bytes
) -> None:
    """Membership is draft state: the catalogue, its organization filter and the public
    view show who took part in the approved version, not who joined or left since."""
    pathway_id, etag = _approved(world, example_bytes, title="Membership is draft state")
    joined = world.hospital.put(
        f"/pathways/{pathway_id}/participants/{world.municipality_b.organization_id}", etag=etag
    )
    assert joined.status_code == 201, joined.text
    left = world.municipality.delete(
        f"/pathways/{pathway_id}/participants/{world.municipality.organization_id}",
        etag=joined.headers["ETag"],
    )
    assert left.status_code == 204, left.text
    [row] = [
        item
        for item in world.outsider.get("/catalogue").json()["items"]
        if item["id"] == pathway_id
    ]
    names = {o["name"] for o in row["participants"]["municipality"]["organizations"]}
    assert names == {"Testvik kommune"}
    assert _ids(world.outsider, f"organization={world.municipality.organization_id}") == [
        pathway_id
    ]
    assert _ids(world.outsider, f"organization={world.municipality_b.organization_id}") == []
    public = world.outsider.get(f"/pathways/{pathway_id}").json()
    assert public["view"] == "public"
    assert [p["name"] for p in public["participants"]] == ["Helse Test HF", "Testvik kommune"]
    # Participants see today's membership on the draft.
    draft = world.hospital.get(f"/pathways/{pathway_id}").json()
    assert {p["name"] for p in draft["participants"]} == {"Helse Test HF", "Nabovik kommune"}


def test_text_search_folds_every_letter(world: World, example_bytes: bytes) -> None:
    pathway_id, _ = _approved(
        world, example_bytes, title="Hoftebrudd i Ørsta og Ålesund", target_group="ELDRE 65+"
    )
    for query in ("q=ørsta", "q=ØRSTA", "q=ålesund", "target_group=eldre%2065%2B"):
        assert _ids(world.outsider, query) == [pathway_id], query
    assert _ids(world.outsider, "q=%25") == []  # a LIKE wildcard is a character here
