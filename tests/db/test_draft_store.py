"""The draft store keeps only what is committed: a session that changed something reads
the database, and a change rolled back leaves the stored revision as it was."""

from __future__ import annotations

import dataclasses
from typing import Any

from fastapi.testclient import TestClient

from api.services.caches import Bounded
from db.repositories.pathways import DRAFTS, PathwayRepository
from db.session import Database
from pathways.model import Pathway
from tests.conftest import World


def _pathway(world: World, example_bytes: bytes) -> int:
    imported = world.hospital.post(
        "/pathways/import", content=example_bytes, headers={"Content-Type": "application/json"}
    )
    assert imported.status_code == 201, imported.text
    return int(imported.json()["id"])


def test_a_read_revision_is_kept_and_a_rolled_back_change_never_reaches_the_store(
    db: Database, world: World, example_bytes: bytes
) -> None:
    pathway_id = _pathway(world, example_bytes)
    store: Bounded[Pathway] = Bounded(8)
    with db.reader(info={DRAFTS: store}) as session:
        repository = PathwayRepository(session)
        first = repository.load(repository.get(pathway_id))  # type: ignore[arg-type]
    assert len(store) == 1
    with db.reader(info={DRAFTS: store}) as session:
        repository = PathwayRepository(session)
        assert repository.load(repository.get(pathway_id)) is first  # type: ignore[arg-type]
        # A read that checks the caller with the light stamp finds the same entry.
        stamp = repository.stamp(pathway_id, world.hospital.organization_id)
        assert stamp is not None
        assert stamp.role == "editor"
        assert repository.cached(stamp) is first

    renamed = first.step("ward").name + " (renamed)"
    with db.writer(info={DRAFTS: store}) as session:
        repository = PathwayRepository(session)
        row = repository.get(pathway_id, for_update=True)
        assert row is not None
        step = first.step("ward")
        repository.update_step(pathway_id, step, dataclasses.replace(step, name=renamed), writer=1)
        # Read after a change in the same session: the database's rows, not the store's.
        changed = repository.load(row)
        assert changed.step("ward").name == renamed
        session.rollback()
    assert len(store) == 1
    with db.reader(info={DRAFTS: store}) as session:
        repository = PathwayRepository(session)
        again = repository.load(repository.get(pathway_id))  # type: ignore[arg-type]
    assert again is first
    assert again.step("ward").name != renamed


def test_what_a_change_keeps_is_what_the_database_reads_back(
    world: World, example_bytes: bytes, app_client: TestClient
) -> None:
    """Every graph change keeps its new draft for the next reads: it must be the draft a
    fresh read of the database gives, for every kind of change."""
    pathway_id = _pathway(world, example_bytes)
    url = f"/pathways/{pathway_id}"
    app = app_client.app
    drafts = app.state.handovers.versions.drafts  # type: ignore[attr-defined]
    database: Database = app.state.database  # type: ignore[attr-defined]
    etag = world.hospital.get(url).headers["ETag"]
    graph = world.hospital.get(f"{url}/graph").json()
    step = {
        "key": "pharmacy",
        "name": "Farmasøyt gjennomgår legemidlene",
        "level": "hospital",
        "kind": "assessment",
        "responsible": "klinisk farmasøyt",
        "expected_duration": "PT2H",
        "description": "Legemiddelsamstemming",
    }
    handover = {
        "sender_role": "sykepleier",
        "receiver_role": "hjemmesykepleie",
        "messages": ["EPIKRISE", "PLO_UTSKRIVNINGSRAPPORT"],
        "deadline": "PT24H",
        "checklist": [
            {"key": "med", "text": "Legemiddelliste sendt", "side": "sender", "required": True}
        ],
    }
    changes = [
        ("PATCH", f"{url}/steps/ward", {"name": "Ortogeriatrisk post", "expected_duration": "P3D"}),
        ("POST", f"{url}/steps", step),
        ("POST", f"{url}/transitions", {"key": "to-pharmacy", "from": "ward", "to": "pharmacy"}),
        ("POST", f"{url}/transitions", {"key": "from-pharmacy", "from": "pharmacy", "to": "ready"}),
        ("PATCH", f"{url}/transitions/to-pharmacy", {"label": "Ved behov"}),
        ("PATCH", f"{url}/transitions/to-home-nursing", {"handover": handover}),
        ("DELETE", f"{url}/transitions/from-pharmacy", None),
        ("DELETE", f"{url}/transitions/to-pharmacy", None),
        ("DELETE", f"{url}/steps/pharmacy", None),
        ("PUT", f"{url}/graph", {"steps": graph["steps"], "transitions": graph["transitions"]}),
        # Steps and transitions reordered, one step renamed and one moved to the end,
        # a transition rerouted, one gone and one new: every kind of difference at once.
        ("PUT", f"{url}/graph", _shuffled(graph)),
        ("PUT", f"{url}/graph", {"steps": graph["steps"], "transitions": graph["transitions"]}),
    ]
    for method, path, body in changes:
        answer = world.hospital.request(method, path, etag=etag, json=body)
        assert answer.status_code in (200, 201, 204), (path, answer.text)
        etag = answer.headers.get("ETag") or world.hospital.get(url).headers["ETag"]
        with database.reader() as session:
            repository = PathwayRepository(session)
            row = repository.get(pathway_id)
            assert row is not None
            kept = drafts.get((row.id, row.created_at, row.revision))
            assert kept is not None, path
            assert kept == repository.load(row), (method, path)
            assert repository._read(row) == kept, (method, path)
        if method == "PUT":
            shown = world.hospital.get(f"{url}/graph").json()
            assert shown["steps"] == body["steps"]
            assert shown["transitions"] == body["transitions"]


def _shuffled(graph: dict[str, Any]) -> dict[str, Any]:
    steps = [dict(step) for step in graph["steps"]]
    steps[0], steps[1] = steps[1], steps[0]
    steps.append(steps.pop(2))
    steps[3]["name"] += " (ny)"
    transitions = [dict(t) for t in graph["transitions"]]
    transitions.reverse()
    gone = transitions.pop(0)
    transitions.append({**gone, "key": gone["key"] + "-ny", "label": "Ny overgang"})
    transitions[1] = {**transitions[1], "label": "Endret"}
    return {"steps": steps, "transitions": transitions}
