"""Real handovers measured against an approved pathway, through the API, on both databases."""

from __future__ import annotations

import csv
import io
import random
import re
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import replace

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.app import create_app
from api.settings import Settings
from db import models as orm
from db.session import Database
from pathways.document import parse_document
from pathways.handover_log import LogFormat
from pathways.identity import with_control_digits
from pathways.model import Pathway
from pathways.synthetic import SyntheticEpisode, synthetic_episodes, write_log
from tests.conftest import World

MEDIA = {
    LogFormat.CSV: "text/csv",
    LogFormat.JSONL: "application/x-ndjson",
    LogFormat.XES: "application/x-xes+xml",
}
HEADER = "episode,type,code,time,sender,receiver,answer\n"


@pytest.fixture
def pathway(example_bytes: bytes) -> Pathway:
    return parse_document(example_bytes)


def _log(episodes: Iterable[SyntheticEpisode], form: LogFormat = LogFormat.CSV) -> bytes:
    out = io.BytesIO()
    write_log(episodes, out, form)
    return out.getvalue()


def _import(world: World, pathway_id: int, data: bytes, form: LogFormat = LogFormat.CSV) -> dict:
    response = world.hospital.post(
        f"/pathways/{pathway_id}/conformance/events",
        content=data,
        headers={"Content-Type": MEDIA[form]},
    )
    assert response.status_code == 200, response.text
    report: dict = response.json()
    return report


def _figures(world: World, pathway_id: int, by: str) -> dict:
    response = world.municipality.get(f"/pathways/{pathway_id}/conformance?by={by}")
    assert response.status_code == 200, response.text
    figures: dict = response.json()
    return figures


@pytest.mark.parametrize("form", [LogFormat.CSV, LogFormat.XES])
def test_a_generated_log_gives_exactly_its_late_and_missing_findings_and_a_reimport_changes_nothing(
    world: World, approved: tuple[int, str], pathway: Pathway, form: LogFormat
) -> None:
    pathway_id, _ = approved
    episodes = list(
        synthetic_episodes(pathway, episodes=120, seed=5, late=0.2, missing=0.1, leave=0.1)
    )
    data = _log(episodes, form)
    count = sum(len(e.events) for e in episodes)
    report = _import(world, pathway_id, data, form)
    assert report["read"] == count
    assert report["stored"] == count
    assert report["duplicates"] == 0
    assert report["refused"] == 0
    assert report["episodes_checked"] == len(episodes)

    expected: Counter[tuple[str, str, str, str]] = Counter()
    for episode in episodes:
        expected.update((x.transition, x.kind, x.code, x.outcome) for x in episode.expected)
    assert expected[("to-short-term", "message", "LOG_UTSKRIVNINGSKLAR", "late")] > 0

    figures = _figures(world, pathway_id, "item")
    assert figures["version"] == 1
    assert figures["events"] == count
    assert figures["episodes"] == len(episodes)
    assert figures["left_pathway"] == sum(e.left_pathway for e in episodes) > 0
    found: Counter[tuple[str, str, str, str]] = Counter()
    for row in figures["rows"]:
        key = (row["transition"], row["kind"], row["code"])
        found[(*key, "on_time")] += row["on_time"]
        found[(*key, "late")] += row["late"]
        found[(*key, "missing")] += row["missing"]
        assert row["expected"] == row["on_time"] + row["late"] + row["missing"]
    assert +found == +expected

    # Per handover: the same counts summed, and each handover's share for a picture.
    by_transition = _figures(world, pathway_id, "transition")
    for row in by_transition["rows"]:
        mine = [k for k in expected if k[0] == row["transition"]]
        assert row["late"] == sum(expected[k] for k in mine if k[3] == "late")
        assert row["missing"] == sum(expected[k] for k in mine if k[3] == "missing")
        assert by_transition["handovers"][row["transition"]] == row["share_on_time"]
        assert row["median_delay_seconds"] <= row["p90_delay_seconds"]

    # The same file again: nothing stored, nothing checked, the same figures.
    again = _import(world, pathway_id, data, form)
    assert (again["stored"], again["duplicates"], again["episodes_checked"]) == (0, count, 0)
    assert _figures(world, pathway_id, "item") == figures


def test_month_and_organisation_figures_and_the_csv_download(
    world: World, approved: tuple[int, str], pathway: Pathway
) -> None:
    pathway_id, _ = approved
    episodes = list(synthetic_episodes(pathway, episodes=60, seed=9, days=60, leave=0.2))
    _import(world, pathway_id, _log(episodes))
    months = _figures(world, pathway_id, "month")
    assert [row["month"] for row in months["rows"]] == sorted(r["month"] for r in months["rows"])
    assert sum(row["left_pathway"] for row in months["rows"]) == months["left_pathway"]
    organizations = _figures(world, pathway_id, "organization")
    named = {row["organization"] for row in organizations["rows"]}
    assert {"974795787", *{e.municipality for e in episodes}} <= named

    response = world.hospital_reader.get(
        f"/pathways/{pathway_id}/conformance/csv?by=transition",
        headers={"Accept-Language": "nb"},
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    figures = _figures(world, pathway_id, "transition")
    assert [(r["transition"], int(r["late"])) for r in rows] == [
        (row["transition"], row["late"]) for row in figures["rows"]
    ]


def test_a_file_with_a_national_identity_number_is_refused_with_its_row(
    world: World, approved: tuple[int, str]
) -> None:
    pathway_id, _ = approved
    fnr = with_control_digits("010190100")
    data = (
        HEADER
        + "ep1,step,ward,2024-03-01T10:00:00+01:00,HF,,\n"
        + f"{fnr},step,ward,2024-03-01T10:00:00+01:00,HF,,\n"
    ).encode()
    response = world.hospital.post(
        f"/pathways/{pathway_id}/conformance/events",
        content=data,
        headers={"Content-Type": "text/csv", "Accept-Language": "nb"},
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert "Rad 3" in response.json()["detail"]
    assert "fødselsnummer" in response.json()["detail"]
    assert fnr not in response.text
    assert _figures(world, pathway_id, "transition")["events"] == 0  # nothing stored


def test_rows_refused_one_by_one_with_reasons_in_norwegian(
    world: World, approved: tuple[int, str]
) -> None:
    pathway_id, _ = approved
    data = (
        HEADER
        + "ep1,step,ward,2024-03-01T10:00:00+01:00,HF,,\n"
        + "ep1,message,LOG_FINNES_IKKE,2024-03-01T10:00:00+01:00,HF,K,\n"
        + "ep1,step,ready,i går,HF,,\n"
    ).encode()
    response = world.hospital.post(
        f"/pathways/{pathway_id}/conformance/events",
        content=data,
        headers={"Content-Type": "text/csv; charset=utf-8", "Accept-Language": "nb"},
    )
    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["read"], report["stored"], report["refused"]) == (3, 1, 2)
    assert [r["row"] for r in report["refusals"]] == [3, 4]
    assert "ingen melding i katalogen" in report["refusals"][0]["reason"]
    assert "UTC-forskyvning" in report["refusals"][1]["reason"]


def test_unknown_columns_and_other_formats_are_refused(
    world: World, approved: tuple[int, str]
) -> None:
    pathway_id, _ = approved
    url = f"/pathways/{pathway_id}/conformance/events"
    unknown = world.hospital.post(
        url,
        content=b"episode,type,code,time,sender,receiver,name\n",
        headers={"Content-Type": "text/csv"},
    )
    assert unknown.status_code == 422
    assert "name" in unknown.json()["detail"]
    other = world.hospital.post(url, json={"episode": "e"})
    assert other.status_code == 415
    assert other.headers["content-type"] == "application/problem+json"


def test_who_may_import_and_read(world: World, approved: tuple[int, str]) -> None:
    pathway_id, _ = approved
    url = f"/pathways/{pathway_id}/conformance"
    data = (HEADER + "ep1,step,ward,2024-03-01T10:00:00+01:00,HF,,\n").encode()
    headers = {"Content-Type": "text/csv"}
    assert (
        world.hospital_reader.post(f"{url}/events", content=data, headers=headers).status_code
        == 403
    )
    assert world.outsider.post(f"{url}/events", content=data, headers=headers).status_code == 404
    assert world.outsider.get(url).status_code == 404
    assert world.hospital_reader.get(url).status_code == 200
    assert (
        world.municipality.post(f"{url}/events", content=data, headers=headers).status_code == 200
    )


def _paid_csv() -> bytes:
    """Two discharges to the short-term bed, to Fjordvik (K1) and Sørvik (K2).

    ep-a: ready Monday 4 March 2024 at 14:00, no reply, discharged Thursday 7 March at
    10:00: Monday, Tuesday and Wednesday, 3 days. ep-b: ready Friday 29 December 2023 at
    11:00, the municipality answers "no" the same day, discharged Tuesday 2 January 2024:
    29, 30 and 31 December (2023) and 1 January (2024), 4 days."""
    rows = [
        ("ep-a", "step", "ward", "2024-03-01T10:00:00+01:00", "HF", ""),
        ("ep-a", "step", "ready", "2024-03-04T13:00:00+01:00", "HF", ""),
        ("ep-a", "message", "LOG_UTSKRIVNINGSKLAR", "2024-03-04T14:00:00+01:00", "HF", "K1"),
        ("ep-a", "message", "LOG_UTSKREVET", "2024-03-07T10:00:00+01:00", "HF", "K1"),
        ("ep-a", "step", "short-term-bed", "2024-03-07T12:00:00+01:00", "K1", ""),
        ("ep-b", "step", "ward", "2023-12-20T10:00:00+01:00", "HF", ""),
        ("ep-b", "step", "ready", "2023-12-29T10:00:00+01:00", "HF", ""),
        ("ep-b", "message", "LOG_UTSKRIVNINGSKLAR", "2023-12-29T11:00:00+01:00", "HF", "K2"),
        ("ep-b", "message", "LOG_TILBAKEMELDING", "2023-12-29T15:00:00+01:00", "K2", "HF", "no"),
        ("ep-b", "step", "short-term-bed", "2024-01-02T09:00:00+01:00", "K2", ""),
    ]
    return (
        HEADER + "".join(",".join(row) + (",\n" if len(row) == 6 else "\n") for row in rows)
    ).encode()


def test_payment_days_match_a_hand_calculation(world: World, approved: tuple[int, str]) -> None:
    pathway_id, _ = approved
    report = _import(world, pathway_id, _paid_csv())
    assert report["refused"] == 0, report["refusals"]
    response = world.hospital.get(f"/pathways/{pathway_id}/conformance/payments")
    assert response.status_code == 200, response.text
    paid = response.json()
    rows = [
        (r["municipality"], r["year"], r["days"], r["daily_rate"], r["cost"])
        for r in paid["municipalities"]
    ]
    # 2023 has no rate of its own: the earliest given (2024's 5,745 kr) is used.
    assert rows == [
        ("K1", 2024, 3, 5745, 3 * 5745),
        ("K2", 2023, 3, 5745, 3 * 5745),
        ("K2", 2024, 1, 5745, 5745),
    ]
    assert (paid["days"], paid["cost"]) == (7, 7 * 5745)


def test_the_picture_colours_the_late_handover(
    world: World, approved: tuple[int, str], pathway: Pathway
) -> None:
    pathway_id, _ = approved
    episodes = list(
        synthetic_episodes(pathway, episodes=40, seed=2, late=0.0, missing=0.0, leave=0.0)
    )
    requirements = {
        "LOG_UTSKRIVNINGSKLAR", "HELSEOPPL_SOKNAD", "EPIKRISE", "UTSKRIVNINGSRAPPORT",
        "ready-notice", "reply", "epikrise",
    }  # fmt: skip
    for episode in episodes:
        if "short-term-bed" not in {e.code for e in episode.events}:
            continue
        ready = next(e.at for e in episode.events if e.code == "ready")
        episode.events = [
            replace(e, at=e.at + 3 * 86_400)
            if e.kind != "step" and e.code in requirements and e.at >= ready
            else e
            for e in episode.events
        ]
    _import(world, pathway_id, _log(episodes))
    shares = _figures(world, pathway_id, "transition")["handovers"]
    assert shares["admit"] == 1.0
    # In time: the untimed item, and the reply, counted from the (late) notice.
    assert shares["to-short-term"] == pytest.approx(2 / 8)
    response = world.outsider.get(f"/pathways/{pathway_id}/conformance/picture")
    assert response.status_code == 404
    response = world.hospital.get(
        f"/pathways/{pathway_id}/conformance/picture", headers={"Accept-Language": "nb"}
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/svg+xml"
    svg = response.text
    late = re.search(
        r'<g id="transition-to-short-term" class="([^"]*)"[^>]*data-on-time="([^"]*)"', svg
    )
    on_time = re.search(r'<g id="transition-admit" class="([^"]*)"', svg)
    assert late is not None
    assert on_time is not None
    assert "on-time-low" in late.group(1)
    assert float(late.group(2)) == pytest.approx(0.25)
    assert "on-time-high" in on_time.group(1)
    assert "25 % i tide" in svg
    assert "100 % i tide" in svg


def test_hostile_logs_get_small_quick_answers(
    world: World, approved: tuple[int, str], settings: Settings, db: Database
) -> None:
    pathway_id, _ = approved
    url = f"/pathways/{pathway_id}/conformance/events"
    header = ",".join(f"column{i}" for i in range(100_000)).encode() + b"\n"
    started = time.perf_counter()
    flooded = world.hospital.post(url, content=header, headers={"Content-Type": "text/csv"})
    assert flooded.status_code == 422
    assert len(flooded.content) < 4096
    assert time.perf_counter() - started < 1.5
    long_line = b'{"episode": "' + b"x" * 5_000_000 + b'"}\n'
    report = world.hospital.post(
        url, content=long_line, headers={"Content-Type": "application/x-ndjson"}
    )
    assert report.status_code == 200
    assert report.json()["refused"] == 1
    assert len(report.content) < 4096
    # A body over the import's own cap: 413 while it streams, nothing stored.
    small = settings.model_copy(update={"conformance_max_body_bytes": 4096})
    app = create_app(small, database=Database.connect(small.database_url, pool_size=2))
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.post(
            url,
            content=iter([HEADER.encode()] + [b"e1,step,ward,2024-03-01T10:00:00Z,HF,,\n"] * 500),
            headers={"Authorization": f"Bearer {world.hospital.token}", "Content-Type": "text/csv"},
        )
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert _figures(world, pathway_id, "transition")["events"] == 0


def _nearest_rank(values: list[int], share: float) -> int:
    ordered = sorted(values)
    return ordered[max(1, -(-len(ordered) * int(share * 10) // 10)) - 1]


def test_median_and_90th_percentile_are_the_nearest_ranks_of_the_stored_delays(
    world: World, approved: tuple[int, str], pathway: Pathway, db: Database
) -> None:
    """The database's window queries give the same figures as a count by hand over the
    stored checks (on SQLite and PostgreSQL alike)."""
    pathway_id, _ = approved
    episodes = list(synthetic_episodes(pathway, episodes=80, seed=21, late=0.3))
    _import(world, pathway_id, _log(episodes))
    delays: dict[str, list[int]] = {}
    with db.reader() as session:
        for transition, delay in session.execute(
            select(orm.HandoverCheck.transition, orm.HandoverCheck.delay).where(
                orm.HandoverCheck.delay.is_not(None)
            )
        ):
            delays.setdefault(transition, []).append(delay)
    rows = _figures(world, pathway_id, "transition")["rows"]
    assert {row["transition"] for row in rows} == set(delays)
    for row in rows:
        found = delays[row["transition"]]
        assert row["came"] == len(found)
        assert row["median_delay_seconds"] == _nearest_rank(found, 0.5)
        assert row["p90_delay_seconds"] == _nearest_rank(found, 0.9)


def test_episodes_split_over_files_and_rows_in_any_order_give_the_same_findings(
    world: World, approved: tuple[int, str], pathway: Pathway
) -> None:
    """Half of the events in shuffled order first, then the whole log shuffled again:
    each episode is checked on all of its events, wherever they were in which file."""
    pathway_id, _ = approved
    episodes = list(synthetic_episodes(pathway, episodes=60, seed=13, late=0.2, missing=0.1))
    header, *lines = _log(episodes).decode().splitlines(keepends=True)
    rng = random.Random(4)
    rng.shuffle(lines)
    first = _import(world, pathway_id, (header + "".join(lines[::2])).encode())
    assert first["stored"] == len(lines[::2])
    rng.shuffle(lines)
    second = _import(world, pathway_id, (header + "".join(lines)).encode())
    assert second["stored"] == len(lines) - first["stored"]
    assert second["duplicates"] == first["stored"]
    expected: Counter[tuple[str, str, str, str]] = Counter()
    for episode in episodes:
        expected.update((x.transition, x.kind, x.code, x.outcome) for x in episode.expected)
    found: Counter[tuple[str, str, str, str]] = Counter()
    for row in _figures(world, pathway_id, "item")["rows"]:
        for outcome in ("on_time", "late", "missing"):
            found[(row["transition"], row["kind"], row["code"], outcome)] += row[outcome]
    assert +found == +expected


def test_one_episode_says_what_came_late_and_what_is_missing(
    world: World, approved: tuple[int, str]
) -> None:
    """A discharge to the short-term bed: the notice on the day (in time), the reply the
    next morning (late: due the same day), the rest missing."""
    pathway_id, _ = approved
    rows = [
        ("ep-1", "step", "ward", "2024-03-01T10:00:00+01:00", "HF", ""),
        ("ep-1", "step", "ready", "2024-03-04T13:00:00+01:00", "HF", ""),
        ("ep-1", "message", "LOG_UTSKRIVNINGSKLAR", "2024-03-04T14:00:00+01:00", "HF", "K1"),
        ("ep-1", "item", "reply", "2024-03-05T09:30:00+01:00", "K1", "HF"),
        ("ep-1", "step", "short-term-bed", "2024-03-07T12:00:00+01:00", "K1", ""),
    ]
    data = (HEADER + "".join(",".join(row) + ",\n" for row in rows)).encode()
    _import(world, pathway_id, data)
    response = world.municipality.get(
        f"/pathways/{pathway_id}/conformance/episodes/ep-1", headers={"Accept-Language": "nb"}
    )
    assert response.status_code == 200, response.text
    found = response.json()
    checks = {(c["kind"], c["code"]): c for c in found["checks"]}
    assert {c["transition"] for c in found["checks"]} == {"to-short-term"}
    notice = checks[("message", "LOG_UTSKRIVNINGSKLAR")]
    assert notice["status"] == "on_time"
    assert notice["said"] == "kom i tide (frist: samme dag)"
    reply = checks[("item", "reply")]
    assert reply["status"] == "late"
    # Due at midnight (23:59:59 on the 4th), came 09:30 on the 5th.
    assert reply["said"] == "kom 9 timer og 30 minutter for sent (frist: samme dag)"
    assert checks[("message", "EPIKRISE")]["status"] == "missing"
    assert checks[("message", "EPIKRISE")]["said"] == "mangler (frist: samme dag)"
    assert found["payment_days"] == [{"municipality": "K1", "year": 2024, "days": 3}]
    assert (
        world.municipality.get(f"/pathways/{pathway_id}/conformance/episodes/ep-2").status_code
        == 404
    )
    assert (
        world.outsider.get(f"/pathways/{pathway_id}/conformance/episodes/ep-1").status_code == 404
    )
