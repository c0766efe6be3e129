"""A pathway's history says each entry in the reader's language: bokmål for ``nb``,
``nn`` and ``no``, the summary stored with the entry (English) otherwise and without the
header; the stored summaries and the rest of each entry are the same in both."""

from __future__ import annotations

import re
from typing import Any

from tests.conftest import World

ISO_DURATION = re.compile(r"\bP(?:\d+[YMWD]|T\d)")
CODE = re.compile(r"\b[A-Z]{2,}_[A-Z_]+\b")

READMISSION = {
    "key": "readmit",
    "from": "home-nursing-start",
    "to": "ed",
    "label": "worse at home",
    "handover": {
        "sender_role": "home nursing",
        "receiver_role": "ED nurse",
        "messages": ["INNLEGGELSESRAPPORT"],
        "deadline": "PT0H",
        "checklist": [
            {"key": "report", "text": "Report sent", "side": "sender", "required": True},
            {"key": "read", "text": "Report read", "side": "receiver", "required": True},
        ],
    },
}


def _history(world: World, pathway_id: int, **headers: str) -> tuple[list[dict[str, Any]], Any]:
    answer = world.hospital.get(f"/pathways/{pathway_id}/history", headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.json()["items"], answer.headers


def test_the_history_in_bokmal_and_in_english(world: World, example_bytes: bytes) -> None:
    imported = world.hospital.post(
        "/pathways/import", content=example_bytes, headers={"Content-Type": "application/json"}
    )
    pathway_id = imported.json()["id"]
    url = f"/pathways/{pathway_id}"
    joined = world.hospital.put(
        f"{url}/participants/{world.municipality.organization_id}", etag=imported.headers["ETag"]
    )
    edited = world.municipality.patch(
        f"{url}/steps/short-term-bed",
        json={"expected_duration": "P10D", "responsible": "korttidsavdelingen"},
        etag=joined.headers["ETag"],
    )
    etag = edited.headers["ETag"]
    assert world.hospital.post(f"{url}/approvals", etag=etag).status_code == 201
    assert world.municipality.post(f"{url}/approvals", etag=etag).status_code == 201
    added = world.municipality.post(f"{url}/transitions", json=READMISSION, etag=etag)
    assert added.status_code == 201, added.text
    deleted = world.hospital.delete(f"{url}/transitions/readmit", etag=added.headers["ETag"])
    assert deleted.status_code == 204, deleted.text

    english, english_headers = _history(world, pathway_id, **{"Accept-Language": "en"})
    unasked, unasked_headers = _history(world, pathway_id)
    bokmal, bokmal_headers = _history(world, pathway_id, **{"Accept-Language": "nb"})
    nynorsk, _ = _history(world, pathway_id, **{"Accept-Language": "nn"})

    assert [entry["action"] for entry in bokmal] == [
        "pathway.import",
        "participant.add",
        "step.update",
        "pathway.approve",
        "pathway.approve",
        "version.create",
        "transition.add",
        "transition.delete",
    ]
    assert [entry["summary"] for entry in bokmal] == [
        "Importerte forløpet «Hip fracture, older adults — home to home» med 10 steg og "
        "10 overganger",
        "La til Testvik kommune (kommune) som redaktør",
        "Endret steget «short-term-bed»: ansvarlig rolle og forventet varighet",
        "Helse Test HF (sykehus) godkjente revisjon 3",
        "Testvik kommune (kommune) godkjente revisjon 3",
        "Versjon 1 godkjent av begge nivåene (revisjon 3)",
        "La til overgangen «readmit»: «home-nursing-start» → «ed» (overlevering mellom nivåene)",
        "Slettet overgangen «readmit»: «home-nursing-start» → «ed»",
    ]
    for entry in bokmal:
        assert not ISO_DURATION.search(entry["summary"]), entry["summary"]
        assert not CODE.search(entry["summary"]), entry["summary"]
    assert [entry["summary"] for entry in nynorsk] == [entry["summary"] for entry in bokmal]

    # English readers, and readers who ask for no language, read what was stored.
    assert [entry["summary"] for entry in english] == [
        "Imported with 10 steps and 10 transitions",
        "Added Testvik kommune (municipality) as editor",
        "Changed step 'short-term-bed': responsible, expected_duration",
        "Helse Test HF (hospital) approved revision 3",
        "Testvik kommune (municipality) approved revision 3",
        "Version 1 approved by both levels (revision 3)",
        "Added transition 'readmit': home-nursing-start → ed (handover between levels)",
        "Deleted transition 'readmit': home-nursing-start → ed",
    ]
    assert unasked == english

    # Only the summary differs; each answer says its language.
    for said, stored in zip(bokmal, english, strict=True):
        assert {**said, "summary": None} == {**stored, "summary": None}
    assert bokmal_headers["Content-Language"] == "nb"
    assert english_headers["Content-Language"] == unasked_headers["Content-Language"] == "en"
    assert "accept-language" in bokmal_headers["Vary"].lower()
