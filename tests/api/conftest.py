"""Fixtures shared by the API tests."""

from __future__ import annotations

import pytest

from tests.conftest import World


@pytest.fixture
def approved(world: World, example_bytes: bytes) -> tuple[int, str]:
    """The example, approved by both levels as version 1."""
    imported = world.hospital.post(
        "/pathways/import", content=example_bytes, headers={"Content-Type": "application/json"}
    )
    pathway_id = imported.json()["id"]
    etag = world.hospital.put(
        f"/pathways/{pathway_id}/participants/{world.municipality.organization_id}",
        etag=imported.headers["ETag"],
    ).headers["ETag"]
    world.hospital.post(f"/pathways/{pathway_id}/approvals", etag=etag)
    done = world.municipality.post(f"/pathways/{pathway_id}/approvals", etag=etag)
    assert done.json()["version"]["number"] == 1
    return pathway_id, etag
