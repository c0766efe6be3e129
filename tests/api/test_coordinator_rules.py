"""The coordinator's reading of a pathway through the API, on either database: the COPD
pathway passes, its variants show the new gaps, the partnership's agreement brings its
required checklist items and severities, and the reference data lists messages and rules."""

from __future__ import annotations

import re
from typing import Any

from tests import coordinator_cases as cases
from tests.api.test_partnerships import _partnership
from tests.conftest import Actor, World

ISO_DURATION = re.compile(r"\bP(?:T?\d+[WDHMS])")


def _import(actor: Actor, document: cases.Document, partnership: int | None = None) -> int:
    url = "/pathways/import" + (f"?partnership={partnership}" if partnership else "")
    created = actor.post(
        url, content=cases.encode(document), headers={"Content-Type": "application/json"}
    )
    assert created.status_code == 201, created.text
    pathway_id: int = created.json()["id"]
    return pathway_id


def _gaps(actor: Actor, pathway_id: int, language: str = "en") -> dict[str, Any]:
    report = actor.get(f"/pathways/{pathway_id}/gaps", headers={"Accept-Language": language})
    assert report.status_code == 200, report.text
    body: dict[str, Any] = report.json()
    return body


def _located(report: dict[str, Any]) -> list[tuple[str, str, list[str]]]:
    return [(f["code"], f["severity"], f["transitions"]) for f in report["findings"]]


def test_the_copd_pathway_passes_and_can_be_approved(world: World) -> None:
    pathway_id = _import(world.hospital, cases.copd())
    report = _gaps(world.hospital, pathway_id)
    assert report["findings"] == []
    assert report["rules"]["rule_sets"] == ["core", "norway"]
    etag = world.hospital.get(f"/pathways/{pathway_id}").headers["ETag"]
    added = world.hospital.put(
        f"/pathways/{pathway_id}/participants/{world.municipality.organization_id}", etag=etag
    )
    assert added.status_code == 201, added.text
    etag = added.headers["ETag"]
    assert world.hospital.post(f"/pathways/{pathway_id}/approvals", etag=etag).status_code == 201
    approved = world.municipality.post(f"/pathways/{pathway_id}/approvals", etag=etag)
    assert approved.status_code == 201, approved.text
    assert approved.json()["version"] is not None


def test_variants_show_the_new_gaps_in_plain_words(world: World) -> None:
    for change, expected in [
        (cases.without_withdrawal, [("no-withdrawal-notice", "warning", ["klar"])]),
        (cases.without_discharged_notice, [("no-discharged-notice", "warning", ["til-korttid"])]),
        (cases.with_a_check_that_is_no_notice, [("no-admission-notice", "error", ["henvises"])]),
        (
            cases.without_outpatient_note,
            [("no-discharge-information", "error", ["etter-kontroll"])],
        ),
    ]:
        pathway_id = _import(world.hospital, cases.variant(change))
        for language, same_day in (("en", "the same day"), ("nb", "samme dag"), ("nn", "same dag")):
            report = _gaps(world.hospital, pathway_id, language)
            assert _located(report) == expected, change.__name__
            assert report["language"] == language
            for finding in report["findings"]:
                assert ISO_DURATION.search(finding["message"]) is None, finding["message"]
            if change is cases.without_discharged_notice:
                assert same_day in report["findings"][0]["message"]


def test_the_partnerships_agreement_brings_items_and_severities(world: World) -> None:
    rules = {
        "rule_sets": ["core", "norway"],
        "deadlines": {},
        "severities": {"no-discharged-notice": "error"},
        "required_items": [cases.NEXT_OF_KIN],
    }
    partnership = _partnership(world, rules=rules)
    read = partnership.secretariat.get(f"/partnerships/{partnership.id}").json()
    assert read["rules"]["required_items"] == [cases.NEXT_OF_KIN]
    assert read["rules"]["severities"] == {"no-discharged-notice": "error"}
    pathway_id = _import(
        world.hospital, cases.variant(cases.without_discharged_notice), partnership.id
    )
    report = _gaps(world.hospital, pathway_id, "nb")
    assert _located(report) == [
        ("no-discharged-notice", "error", ["til-korttid"]),
        ("missing-agreed-item", "warning", ["til-korttid"]),
        ("missing-agreed-item", "warning", ["til-hjemmesykepleie"]),
    ]
    assert "«pårørende informert»" in report["findings"][1]["message"]
    # A pathway may make a severity stricter, never milder than the agreement.
    etag = world.hospital.get(f"/pathways/{pathway_id}").headers["ETag"]
    milder = world.hospital.patch(
        f"/pathways/{pathway_id}",
        etag=etag,
        json={
            "rules": {
                "rule_sets": ["core", "norway"],
                "severities": {"no-discharged-notice": "warning"},
            }
        },
    )
    assert milder.status_code == 422, milder.text
    assert "no-discharged-notice" in milder.text
    stricter = world.hospital.patch(
        f"/pathways/{pathway_id}",
        etag=etag,
        json={
            "rules": {
                "rule_sets": ["core", "norway"],
                "severities": {"missing-agreed-item": "error"},
            }
        },
    )
    assert stricter.status_code == 200, stricter.text
    assert {f["severity"] for f in _gaps(world.hospital, pathway_id)["findings"]} == {"error"}


def test_unknown_rule_codes_kinds_and_severities_are_refused(world: World) -> None:
    document = cases.copd()
    for bad in (
        {"severities": {"no-such-rule": "error"}},
        {"severities": {"no-discharged-notice": "fatal"}},
        {"required_items": [{"key": "x", "text": "x", "on": ["surgery"]}]},
        {"required_items": [{"key": "x", "text": "x", "on": []}]},
    ):
        document["rules"] = {"rule_sets": ["core"], "deadlines": {}, **bad}
        refused = world.hospital.post(
            "/pathways/import",
            content=cases.encode(document),
            headers={"Content-Type": "application/json"},
        )
        assert refused.status_code == 422, (bad, refused.text)
        assert refused.headers["content-type"].startswith("application/problem+json")


def test_reference_data_lists_messages_and_rules(world: World) -> None:
    messages = world.municipality.get("/reference/messages")
    assert messages.status_code == 200
    by_code = {message["code"]: message for message in messages.json()}
    assert by_code["LOG_INNLAGT"]["names"]["nn"] == "Melding om innlagd pasient"
    assert by_code["LOG_TILBAKEMELDING"]["sender"] == "municipality"
    assert by_code["LEGEMIDDELLISTE"]["sender"] is None
    again = world.municipality.get(
        "/reference/messages", headers={"If-None-Match": messages.headers["ETag"]}
    )
    assert again.status_code == 304
    rules = world.municipality.get("/reference/rules", headers={"Accept-Language": "nb"})
    assert rules.status_code == 200
    assert rules.headers["Content-Language"] == "nb"
    deadlines = {d["name"]: d["text"] for d in rules.json()["deadlines"]}
    assert deadlines["admission_notice"] == "innen 24 timer"
    assert deadlines["ready_notice"] == "samme dag"
    english = world.municipality.get("/reference/rules")
    assert english.headers["ETag"] != rules.headers["ETag"]
    codes = [rule["code"] for rule in english.json()["rules"]]
    assert len(codes) == len(set(codes)) == 20
    assert {"no-withdrawal-notice", "missing-agreed-item"} <= set(codes)
    assert world.municipality.http.get("/reference/rules").status_code == 401
