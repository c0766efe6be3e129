"""Every problem answers in the language the client accepts: Norwegian bokmål for ``nb``,
``nn`` and ``no``, English otherwise (and without the header), with ``Content-Language``
and ``Vary: Accept-Language``. Through the real app, for each kind of problem: from the
body-size cap, authentication, routing, request validation, the domain and the services."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from typing import Any

import anyio
import httpx
import pytest
from sqlalchemy.exc import OperationalError

from api.errors import ApiError, Unavailable
from api.gate import DatabaseGate
from api.problems import INVALID_PATHWAY, STATUS_TITLES, language_headers
from api.services import pathways as pathways_service
from api.settings import Settings
from pathways.errors import Bilingual
from pathways.roles import Act, Role
from tests.conftest import World

MAX_BODY_BYTES = 1024
"""The body cap of these tests' app, so that a body over it is small to send."""

HOME = {"key": "home", "name": "Hjemme", "level": "municipality", "kind": "home"}

ISO_DURATION = re.compile(r"\bP(?:\d+[YMWD]|T\d)")
"""An ISO 8601 duration such as PT24H or P14D, which people never read in a problem."""


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, threads=8, max_body_bytes=MAX_BODY_BYTES)


@pytest.fixture
def pathway(world: World) -> tuple[int, str]:
    """A pathway of the hospital with one step, and its current ETag."""
    created = world.hospital.post("/pathways", json={"title": "Hoftebrudd"})
    pathway_id = created.json()["id"]
    step = world.hospital.post(
        f"/pathways/{pathway_id}/steps", json=HOME, etag=created.headers["ETag"]
    )
    assert step.status_code == 201, step.text
    return pathway_id, step.headers["ETag"]


def _streamed() -> Iterator[bytes]:
    """A body with no Content-Length, over the cap only once it is read."""
    for _ in range(4):
        yield b" " * MAX_BODY_BYTES


Send = Callable[[World, tuple[int, str], dict[str, str]], httpx.Response]

CASES: dict[str, tuple[int, Send]] = {
    "400 body not UTF-8": (
        400,
        lambda w, p, h: w.hospital.post(
            "/pathways",
            content=b'{"title": "\xff"}',
            headers={**h, "Content-Type": "application/json"},
        ),
    ),
    "400 Content-Length not a number": (
        400,
        lambda w, p, h: w.hospital.post("/pathways", headers={**h, "Content-Length": "many"}),
    ),
    "401 without a token": (401, lambda w, p, h: w.hospital.http.get("/pathways", headers=h)),
    "401 with an unknown token": (
        401,
        lambda w, p, h: w.hospital.http.get(
            "/pathways", headers={**h, "Authorization": "Bearer htt_unknown"}
        ),
    ),
    "403 a read token changes": (
        403,
        lambda w, p, h: w.hospital_reader.post("/pathways", json={"title": "X"}, headers=h),
    ),
    "403 a role that may not": (
        403,
        lambda w, p, h: w.admin.post(
            f"/organizations/{w.hospital.organization_id}/tokens",
            json={"name": "x", "scope": "read"},
            headers=h,
        ),
    ),
    "404 unknown pathway": (404, lambda w, p, h: w.hospital.get("/pathways/999999", headers=h)),
    "404 pathway of others": (404, lambda w, p, h: w.outsider.get(f"/pathways/{p[0]}", headers=h)),
    "404 unknown step": (
        404,
        lambda w, p, h: w.hospital.get(f"/pathways/{p[0]}/steps/ward", headers=h),
    ),
    "404 unknown route": (404, lambda w, p, h: w.hospital.get("/nowhere", headers=h)),
    "405 method not allowed": (405, lambda w, p, h: w.hospital.delete("/pathways", headers=h)),
    "409 step exists": (
        409,
        lambda w, p, h: w.hospital.post(f"/pathways/{p[0]}/steps", json=HOME, etag=p[1], headers=h),
    ),
    "409 last editor of a level": (
        409,
        lambda w, p, h: w.hospital.delete(
            f"/pathways/{p[0]}/participants/{w.hospital.organization_id}", etag=p[1], headers=h
        ),
    ),
    "412 stale If-Match": (
        412,
        lambda w, p, h: w.hospital.patch(
            f"/pathways/{p[0]}", json={"title": "Ny"}, etag='"1"', headers=h
        ),
    ),
    "413 declared body": (
        413,
        lambda w, p, h: w.hospital.post(
            "/pathways",
            content=b'{"title": "' + b"x" * MAX_BODY_BYTES + b'"}',
            headers={**h, "Content-Type": "application/json"},
        ),
    ),
    "413 streamed body": (
        413,
        lambda w, p, h: w.hospital.post(
            "/pathways", content=_streamed(), headers={**h, "Content-Type": "application/json"}
        ),
    ),
    "422 unknown field": (
        422,
        lambda w, p, h: w.hospital.post(
            "/pathways", json={"title": "X", "owner": "hospital"}, headers=h
        ),
    ),
    "422 missing field": (422, lambda w, p, h: w.hospital.post("/pathways", json={}, headers=h)),
    "422 not JSON": (
        422,
        lambda w, p, h: w.hospital.post(
            "/pathways", content=b"{title", headers={**h, "Content-Type": "application/json"}
        ),
    ),
    "422 checklist parameter": (
        422,
        lambda w, p, h: w.hospital.get(f"/pathways/{p[0]}/handovers?side=nurse", headers=h),
    ),
    "422 invalid pathway": (
        422,
        lambda w, p, h: w.hospital.put(
            f"/pathways/{p[0]}/graph",
            json={"steps": [HOME], "transitions": [{"key": "t", "from": "home", "to": "ward"}]},
            etag=p[1],
            headers=h,
        ),
    ),
    "422 against the rules": (
        422,
        lambda w, p, h: w.operator.post(
            "/organizations",
            json={"name": "Sekretariatet", "kind": "secretariat", "level": "hospital"},
            headers=h,
        ),
    ),
    "428 missing If-Match": (
        428,
        lambda w, p, h: w.hospital.patch(f"/pathways/{p[0]}", json={"title": "Ny"}, headers=h),
    ),
}


def _ask(
    world: World, pathway: tuple[int, str], case: str, accept: str | None
) -> tuple[httpx.Response, dict[str, Any]]:
    status, send = CASES[case]
    response = send(world, pathway, {} if accept is None else {"Accept-Language": accept})
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert "accept-language" in response.headers["vary"].lower().replace(" ", "").split(",")
    body: dict[str, Any] = response.json()
    return response, body


@pytest.mark.parametrize("case", sorted(CASES))
def test_norwegian_is_answered_in_bokmal_and_english_by_default(
    world: World, pathway: tuple[int, str], case: str
) -> None:
    english, en = _ask(world, pathway, case, None)
    norwegian, nb = _ask(world, pathway, case, "nb")
    assert english.headers["content-language"] == "en"
    assert norwegian.headers["content-language"] == "nb"
    assert nb["title"] != en["title"]
    assert nb["detail"] != en["detail"]
    for text in (nb["title"], nb["detail"], *_field_details(nb)):
        assert not ISO_DURATION.search(text), text
    # Only title, detail and the field errors' details are said in another language: the
    # rest is the same problem, and every field error is said in bokmål.
    assert _said_apart(nb) == _said_apart(en)
    for said_nb, said_en in zip(_field_details(nb), _field_details(en), strict=True):
        assert said_nb != said_en, said_nb
    for accept in ("en", "en-GB", "sv", "de-DE, fr;q=0.5", "nb;q=0.1, en"):
        response, body = _ask(world, pathway, case, accept)
        assert response.headers["content-language"] == "en", accept
        assert (body["title"], body["detail"]) == (en["title"], en["detail"]), accept
        assert _field_details(body) == _field_details(en), accept
    for accept in ("nn", "no", "nb-NO", "nn-NO", "en;q=0.3, nn;q=0.8", "da, nb"):
        response, body = _ask(world, pathway, case, accept)
        assert response.headers["content-language"] == "nb", accept
        assert (body["title"], body["detail"]) == (nb["title"], nb["detail"]), accept
        assert _field_details(body) == _field_details(nb), accept


def _field_details(problem: dict[str, Any]) -> list[str]:
    """The ``detail`` of each of the problem's field errors, in order."""
    return [error["detail"] for error in problem.get("errors", [])]


def _said_apart(problem: dict[str, Any]) -> dict[str, Any]:
    """The problem without what is said in a language: its title, its detail and its field
    errors' details."""
    kept = {k: v for k, v in problem.items() if k not in ("title", "detail")}
    if "errors" in kept:
        kept["errors"] = [
            {k: v for k, v in error.items() if k != "detail"} for error in kept["errors"]
        ]
    return kept


EXACT: dict[str, tuple[tuple[str, str], tuple[str, str]]] = {
    # case: (English title and detail as before), (bokmål title and detail)
    "401 without a token": (
        ("Not authenticated", "send a bearer token: 'Authorization: Bearer <token>'"),
        (
            "Ikke autentisert",
            "Forespørselen mangler tilgangstoken. Send det slik: «Authorization: Bearer <token>».",
        ),
    ),
    "403 a read token changes": (
        ("Not allowed", "this token has the 'read' scope; creating a pathway needs 'edit'"),
        (
            "Ikke tillatt",
            "Tilgangstokenet har tilgangsnivået «read». For å opprette et forløp trengs "
            "tilgangsnivået «edit».",
        ),
    ),
    "404 unknown pathway": (
        ("Not found", "there is no pathway 999999 that this organisation takes part in"),
        ("Ikke funnet", "Det finnes ikke noe forløp 999999 som denne organisasjonen deltar i."),
    ),
    "404 unknown route": (
        ("Not Found", "there is nothing at /nowhere"),
        ("Ikke funnet", "Det finnes ingenting på /nowhere."),
    ),
    "405 method not allowed": (
        ("Method Not Allowed", "DELETE is not allowed here; allowed: GET, POST"),
        ("Metoden er ikke tillatt", "DELETE er ikke tillatt her. Tillatte metoder: GET, POST."),
    ),
    "409 step exists": (
        ("Conflict", "there is already a step 'home'; change it with PATCH"),
        ("Konflikt", "Det finnes allerede et steg «home». Endre det med PATCH."),
    ),
    "409 last editor of a level": (
        (
            "Conflict",
            "the last editor of the hospital level cannot leave the pathway or stop editing "
            "it; add another hospital organisation as an editor first",
        ),
        (
            "Konflikt",
            "Den siste redaktøren på sykehusnivået kan ikke forlate forløpet eller slutte å "
            "redigere det. Legg først til et annet helseforetak som redaktør.",
        ),
    ),
    "413 declared body": (
        ("Request body too large", f"the request body is larger than {MAX_BODY_BYTES} bytes"),
        (
            "Forespørselen er for stor",
            f"Innholdet i forespørselen er større enn {MAX_BODY_BYTES} byte.",
        ),
    ),
    "413 streamed body": (
        ("Request body too large", f"the request body is larger than {MAX_BODY_BYTES} bytes"),
        (
            "Forespørselen er for stor",
            f"Innholdet i forespørselen er større enn {MAX_BODY_BYTES} byte.",
        ),
    ),
    "422 unknown field": (
        ("Invalid input", "body.owner: Extra inputs are not permitted"),
        ("Ugyldige data", "Feltet body.owner er ukjent."),
    ),
    "422 invalid pathway": (
        ("Invalid pathway", "body.transitions.0.to: there is no step with key 'ward'"),
        ("Ugyldig forløp", "Feltet body.transitions.0.to har en ugyldig verdi."),
    ),
    "422 against the rules": (
        (
            "Against the rules",
            "an organisation of kind secretariat has no care level; leave level out",
        ),
        ("I strid med reglene", "Et sekretariat hører ikke til noe omsorgsnivå. Utelat level."),
    ),
    "428 missing If-Match": (
        (
            "If-Match required",
            'send If-Match with the ETag you read (now "2"), so that changes made by others '
            "since are not overwritten",
        ),
        (
            "If-Match er påkrevd",
            'Send If-Match med ETag-en du leste (nå "2"), slik at endringer som andre har '
            "gjort i mellomtiden, ikke blir overskrevet.",
        ),
    ),
}


@pytest.mark.parametrize("case", sorted(EXACT))
def test_what_a_reader_is_told(world: World, pathway: tuple[int, str], case: str) -> None:
    english, norwegian = EXACT[case]
    _, en = _ask(world, pathway, case, "en")
    _, nb = _ask(world, pathway, case, "nb")
    assert (en["title"], en["detail"]) == english
    assert (nb["title"], nb["detail"]) == norwegian


def test_a_stale_if_match_is_explained_with_the_current_etag(
    world: World, pathway: tuple[int, str]
) -> None:
    _, nb = _ask(world, pathway, "412 stale If-Match", "nb")
    assert nb["title"] == "Ressursen er endret i mellomtiden"
    assert nb["detail"].startswith('If-Match var "1", men gjeldende revisjon er "2".')
    assert nb["current_etag"] == '"2"'


@pytest.mark.parametrize(
    ("raised", "status", "english", "norwegian"),
    [
        (
            RuntimeError("boom"),
            500,
            ("Internal Server Error", "an unexpected error occurred; it is logged"),
            ("Intern feil i tjenesten", "Det oppstod en uventet feil. Feilen er logget."),
        ),
        (
            OperationalError("SELECT 1", {}, Exception("gone")),
            503,
            ("Service Unavailable", "the database is busy or unreachable; retry shortly"),
            (
                "Tjenesten er ikke tilgjengelig",
                "Databasen er opptatt eller kan ikke nås. Prøv igjen om litt.",
            ),
        ),
    ],
)
def test_a_failure_of_the_service_is_said_in_bokmal(
    world: World,
    monkeypatch: pytest.MonkeyPatch,
    raised: Exception,
    status: int,
    english: tuple[str, str],
    norwegian: tuple[str, str],
) -> None:
    def failing(*args: object, **kwargs: object) -> None:
        raise raised

    monkeypatch.setattr(pathways_service, "list_pathways", failing)
    for accept, said in ((None, english), ("nb-NO", norwegian)):
        response = world.hospital.get(
            "/pathways", headers={} if accept is None else {"Accept-Language": accept}
        )
        assert response.status_code == status
        assert response.headers["content-language"] == ("en" if accept is None else "nb")
        assert response.headers["vary"] == "Accept-Language"
        assert (response.json()["title"], response.json()["detail"]) == said


def test_a_full_database_gate_is_said_in_bokmal() -> None:
    gate = DatabaseGate(slots=1, wait_seconds=0.05)

    async def second_place() -> None:
        async with gate.place(), gate.place():
            pass

    with pytest.raises(Unavailable) as refused:
        anyio.run(second_place)
    assert refused.value.detail == (
        "the service is busy: no database connection came free within 0.05 s; retry shortly"
    )
    assert refused.value.text.nb == (
        "Tjenesten er opptatt: ingen databaseforbindelse ble ledig innen 0,05 sekunder. "
        "Prøv igjen om litt."
    )


def test_validation_counts_the_other_errors_in_bokmal(world: World) -> None:
    response = world.hospital.post(
        "/pathways",
        json={"title": "", "owner": "x", "colour": "red"},
        headers={"Accept-Language": "nb"},
    )
    body = response.json()
    assert response.status_code == 422
    assert body["detail"].endswith(", og det er 2 feil til.")
    assert len(body["errors"]) == 3


def test_the_audit_log_keeps_english(
    world: World, pathway: tuple[int, str], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="pathways.audit"):
        _ask(world, pathway, "403 a read token changes", "nb")
    (line,) = [r.getMessage() for r in caplog.records if r.name == "pathways.audit"]
    assert "creating a pathway needs 'edit'" in line
    assert "opprette" not in line


def test_vary_keeps_what_it_names_already() -> None:
    assert language_headers("nb", {"Vary": "Authorization", "ETag": '"3"'}) == {
        "Vary": "Authorization, Accept-Language",
        "ETag": '"3"',
        "Content-Language": "nb",
    }
    assert language_headers("en", {"vary": "accept-language"}) == {
        "vary": "accept-language",
        "Content-Language": "en",
    }
    assert language_headers("en") == {"Vary": "Accept-Language", "Content-Language": "en"}


def _subclasses(cls: type[ApiError]) -> list[type[ApiError]]:
    return [cls, *(sub for child in cls.__subclasses__() for sub in _subclasses(child))]


def _said(text: Bilingual) -> None:
    assert text.en.strip(), text
    assert text.nb.strip(), text
    assert text.nb != text.en, text


@pytest.mark.parametrize("error", _subclasses(ApiError), ids=lambda error: error.__name__)
def test_every_error_has_a_bokmal_title(error: type[ApiError]) -> None:
    _said(error.title)


def test_every_title_of_the_handlers_has_bokmal() -> None:
    for status, title in STATUS_TITLES.items():
        assert 400 <= status < 600
        _said(title)
    _said(INVALID_PATHWAY)
    assert len({title.nb for title in STATUS_TITLES.values()}) >= len(STATUS_TITLES) - 3


def test_every_act_and_role_is_said_in_bokmal() -> None:
    for said in (*(act.said for act in Act), *(role.said for role in Role)):
        _said(said)


def test_the_spec_documents_the_language_of_problems(world: World) -> None:
    spec = world.hospital.http.app.openapi()  # type: ignore[attr-defined]
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            declared = [
                p
                for p in operation.get("parameters", [])
                if p["in"] == "header" and p["name"].lower() == "accept-language"
            ]
            assert len(declared) == 1, (method, path)
            assert "bokmål for nb, nn and no" in declared[0]["description"], (method, path)
            for code, response in operation["responses"].items():
                if code[0] in "45":
                    assert "Content-Language" in response["headers"], (method, path, code)
