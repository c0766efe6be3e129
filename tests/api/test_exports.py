"""Exports over the API: every format, with its media type and a download name."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest
from fastapi.testclient import TestClient
from lxml import etree

from api.app import create_app
from api.settings import Settings
from db.session import Database
from pathways.export import FORMATS
from pathways.export.context import DEFAULT_BASE_URL
from tests.conftest import World
from tests.servers import ROOT

BPMN_XSD = ROOT.parent / "shared" / "schemas" / "bpmn" / "BPMN20.xsd"


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_every_format_of_the_latest_version(
    world: World, approved: tuple[int, str], name: str
) -> None:
    pathway_id, _ = approved
    response = world.outsider.get(f"/pathways/{pathway_id}/export", params={"format": name})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(FORMATS[name].media_type)
    disposition = response.headers["Content-Disposition"]
    assert f'filename="pathway-{pathway_id}-v1.{FORMATS[name].extension}"' in disposition
    assert response.content


def test_exports_read_back_in_their_tools(world: World, approved: tuple[int, str]) -> None:
    pathway_id, _ = approved
    url = f"/pathways/{pathway_id}/export"
    graphml = world.hospital.get(url, params={"format": "graphml"}).content
    graph = nx.read_graphml(io.BytesIO(graphml))
    assert graph.number_of_nodes() == 10
    assert graph.number_of_edges() == 10
    bpmn = etree.fromstring(world.hospital.get(url, params={"format": "bpmn"}).content)
    if BPMN_XSD.exists():
        schema = etree.XMLSchema(etree.parse(str(BPMN_XSD)))
        assert schema.validate(bpmn), schema.error_log
    native = world.hospital.get(url, params={"format": "json"}).content
    assert (
        native == world.hospital.get(f"/pathways/{pathway_id}/versions/1").json()["document"]
        or json.loads(native)
        == world.hospital.get(f"/pathways/{pathway_id}/versions/1").json()["document"]
    )


def test_html_names_status_version_and_approvals(world: World, approved: tuple[int, str]) -> None:
    pathway_id, _ = approved
    html = world.hospital.get(
        f"/pathways/{pathway_id}/export",
        params={"format": "html"},
        headers={"Accept-Language": "nb"},
    ).text
    assert "Hip fracture, older adults" in html
    assert "Helse Test HF" in html
    assert "Testvik kommune" in html


def _fhir_urls(bundle: dict[str, object]) -> tuple[str, list[str]]:
    plan = bundle["entry"][0]["resource"]  # type: ignore[index]
    links = [d["resource"] for a in plan["action"] for d in a.get("documentation", [])]
    return plan["url"], links


def test_the_fhir_base_url_setting_reaches_the_export_and_the_checklists(
    world: World, approved: tuple[int, str], settings: Settings
) -> None:
    pathway_id, etag = approved
    export_url = f"/pathways/{pathway_id}/export"
    checklist_url = f"/pathways/{pathway_id}/handovers/to-short-term"
    # Unset: the default, a name that is no address.
    plan_url, links = _fhir_urls(world.hospital.get(export_url, params={"format": "fhir"}).json())
    assert plan_url == f"{DEFAULT_BASE_URL}/PlanDefinition/pathway-{pathway_id}"
    assert links
    assert all(link.startswith(DEFAULT_BASE_URL) for link in links)

    base = "https://fhir.example.org/hjem-til-hjem"
    configured = settings.model_copy(update={"fhir_base_url": base})
    app = create_app(configured, database=Database.connect(settings.database_url, pool_size=2))
    headers = {"Authorization": f"Bearer {world.hospital.token}"}
    with TestClient(app) as client:
        pinned = client.get(export_url, params={"format": "fhir", "version": 1}, headers=headers)
        plan_url, links = _fhir_urls(pinned.json())
        assert plan_url == f"{base}/PlanDefinition/pathway-{pathway_id}"
        assert links
        assert all(link.startswith(f"{base}/Questionnaire/") for link in links)
        assert all(link.endswith("|1") for link in links)
        world.municipality.patch(f"/pathways/{pathway_id}", json={"title": "Changed"}, etag=etag)
        draft = client.get(
            export_url, params={"format": "fhir", "version": "draft"}, headers=headers
        )
        plan_url, links = _fhir_urls(draft.json())
        plan = draft.json()["entry"][0]["resource"]
        assert plan_url.startswith(base + "/")
        assert (plan["status"], plan["version"][0]) == ("draft", "r")  # the draft's revision
        assert links
        assert all(link.endswith("|" + plan["version"]) for link in links)
        questionnaire = client.get(checklist_url, params={"format": "fhir"}, headers=headers).json()
        assert questionnaire["url"] == f"{base}/Questionnaire/pathway-{pathway_id}-to-short-term"
        assert questionnaire["version"] == "1"
        assert f"{questionnaire['url']}|1" in _fhir_urls(pinned.json())[1]


def test_pinned_exports_are_immutable_and_drafts_for_participants(
    world: World, approved: tuple[int, str]
) -> None:
    pathway_id, etag = approved
    url = f"/pathways/{pathway_id}/export"
    pinned = world.outsider.get(url, params={"format": "svg", "version": 1})
    assert "immutable" in pinned.headers["Cache-Control"]
    again = world.outsider.get(
        url,
        params={"format": "svg", "version": 1},
        headers={"If-None-Match": pinned.headers["ETag"]},
    )
    assert again.status_code == 304
    world.municipality.patch(f"/pathways/{pathway_id}", json={"title": "Changed"}, etag=etag)
    draft = world.municipality.get(url, params={"format": "json", "version": "draft"})
    assert draft.status_code == 200
    assert json.loads(draft.content)["pathway"]["title"] == "Changed"
    assert "draft" in draft.headers["Content-Disposition"]
    assert world.outsider.get(url, params={"format": "json", "version": "draft"}).status_code == 404
    assert world.outsider.get(url, params={"format": "svg", "version": 1}).content == pinned.content


def test_exports_say_status_and_deadlines_in_the_readers_language(
    world: World, approved: tuple[int, str]
) -> None:
    pathway_id, etag = approved
    url = f"/pathways/{pathway_id}/export"
    nynorsk = world.outsider.get(url, params={"format": "svg"}, headers={"Accept-Language": "nn"})
    assert "godkjend · versjon 1" in nynorsk.text
    assert "same dag" in nynorsk.text
    assert "approved" not in nynorsk.text
    assert "≤" not in nynorsk.text
    english = world.outsider.get(url, params={"format": "dot"}).text
    assert "approved · version 1" in english
    assert "the same day" in english
    world.municipality.patch(f"/pathways/{pathway_id}", json={"title": "Changed"}, etag=etag)
    for language, said in (("nb", "endret siden versjon 1"), ("en", "changed since version 1")):
        draft = world.municipality.get(
            url,
            params={"format": "html", "version": "draft"},
            headers={"Accept-Language": language},
        )
        assert said in draft.text
    graph = world.municipality.get(url, params={"format": "node-link", "version": "draft"})
    assert (graph.json()["graph"]["status"], graph.json()["graph"]["changed_since"]) == (
        "changed",
        1,
    )


def test_unknown_format_lists_the_formats(world: World, approved: tuple[int, str]) -> None:
    pathway_id, _ = approved
    response = world.hospital.get(f"/pathways/{pathway_id}/export", params={"format": "docx"})
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["formats"] == list(FORMATS)
    assert "bpmn" in response.json()["detail"]


def test_pdf_is_served_as_a_download(world: World, approved: tuple[int, str]) -> None:
    pathway_id, _ = approved
    url = f"/pathways/{pathway_id}/export"
    response = world.hospital.get(url, params={"format": "pdf"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].endswith('.pdf"')
    assert response.content.startswith(b"%PDF-")
    again = world.hospital.get(
        url, params={"format": "pdf"}, headers={"If-None-Match": response.headers["etag"]}
    )
    assert again.status_code == 304


def test_no_approved_version_yet(world: World, example_bytes: bytes) -> None:
    imported = world.hospital.post(
        "/pathways/import", content=example_bytes, headers={"Content-Type": "application/json"}
    ).json()
    url = f"/pathways/{imported['id']}/export"
    assert world.hospital.get(url).status_code == 404
    assert world.hospital.get(url, params={"version": "draft", "format": "dot"}).status_code == 200


def test_export_command(tmp_path: Path) -> None:
    example = ROOT / "pathways" / "examples" / "hip-fracture.json"
    out = tmp_path / "hip.bpmn"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "api.cli",
            "export",
            str(example),
            "--format",
            "bpmn",
            "-o",
            str(out),
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    assert etree.parse(str(out)).getroot().tag.endswith("definitions")
    piped = subprocess.run(
        [sys.executable, "-m", "api.cli", "export", str(example), "--format", "mermaid"],
        capture_output=True,
        check=False,
        cwd=ROOT,
    )
    assert piped.stdout.startswith(b"---")
