"""Denied attempts are logged with who and what; history commits with its change."""

from __future__ import annotations

import logging

import pytest

from db.repositories.history import HistoryRepository
from tests.conftest import World


def _denials(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "pathways.audit"]


def test_denied_attempts_are_logged_with_who_and_what(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    created = world.hospital.post("/pathways", json={"title": "Stroke"})
    pathway_id, etag = created.json()["id"], created.headers["ETag"]
    url = f"/pathways/{pathway_id}"
    with caplog.at_level(logging.WARNING, logger="pathways.audit"):
        assert world.outsider.patch(url, json={"title": "x"}, etag=etag).status_code == 404
        assert world.hospital_reader.patch(url, json={"title": "x"}, etag=etag).status_code == 403
        assert world.hospital.patch(url, json={"title": "x"}, etag='"9"').status_code == 412
        assert world.hospital.patch(url, json={"title": "x"}).status_code == 428
        assert world.hospital.http.get(url).status_code == 401
    lines = _denials(caplog)
    assert len(lines) == 5, lines
    outsider, reader, stale, missing, anonymous = lines
    assert f"status=404 method=PATCH path={url}" in outsider
    assert f"organization={world.outsider.organization_id} level=municipality" in outsider
    assert "status=403" in reader
    assert "token_name='hospital_reader token' scope=read" in reader
    assert "status=412" in stale
    assert "status=428" in missing
    assert "status=401" in anonymous
    assert "organization=- token=-" in anonymous


def test_successful_requests_are_not_audit_noise(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="pathways.audit"):
        world.hospital.post("/pathways", json={"title": "Stroke"})
        world.hospital.get("/pathways")
    assert _denials(caplog) == []


def test_a_change_and_its_history_row_commit_together(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    created = world.hospital.post("/pathways", json={"title": "Stroke"})
    pathway_id, etag = created.json()["id"], created.headers["ETag"]

    def broken_append(*args: object, **kwargs: object) -> None:
        raise RuntimeError("history unavailable")

    monkeypatch.setattr(HistoryRepository, "append", broken_append)
    failed = world.hospital.patch(f"/pathways/{pathway_id}", json={"title": "Lost?"}, etag=etag)
    assert failed.status_code == 500
    assert failed.headers["content-type"] == "application/problem+json"
    monkeypatch.undo()
    pathway = world.hospital.get(f"/pathways/{pathway_id}").json()
    assert (pathway["title"], pathway["revision"]) == ("Stroke", 1)
