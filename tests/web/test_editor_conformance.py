"""The conformance page of the web editor, on the demo's pathway once it is approved: the
secretariat imports a handover log (made by the synthetic generator), reads the figures,
the payment days and the picture coloured by share on time; the same file again changes
nothing; a file with a national identity number is refused, naming its row."""

from __future__ import annotations

import io
import re
from pathlib import Path

import httpx
from playwright.sync_api import Browser, expect

from pathways.document import parse_document
from pathways.handover_log import LogFormat
from pathways.identity import with_control_digits
from pathways.synthetic import synthetic_episodes, write_log
from tests.conftest import EXAMPLE
from tests.servers import Server
from tests.web.conftest import approve_demo_by_both_levels, assert_accessible, signed_in


def _approve_demo(server: Server, tokens: dict[str, str]) -> None:
    """Both levels approve the demo pathway and the secretariat records the decision."""
    approve_demo_by_both_levels(server, tokens)
    headers = {"Authorization": f"Bearer {tokens['Sekretariatet for Helsefellesskapet Fjordvik']}"}
    etag = httpx.get(f"{server.url}/pathways/1", headers=headers).headers["etag"]
    decided = httpx.post(
        f"{server.url}/pathways/1/decisions",
        headers={**headers, "If-Match": etag},
        json={"decided_on": "2026-11-26", "reference": "Sak 12/2026"},
    )
    assert decided.status_code == 201, decided.text


def test_a_log_is_imported_measured_and_shown(
    browser: Browser, demo: tuple[Server, dict[str, str]], screenshots: Path, tmp_path: Path
) -> None:
    server, tokens = demo
    _approve_demo(server, tokens)
    pathway = parse_document(EXAMPLE.read_bytes())
    log = tmp_path / "hendelser.csv"
    buffer = io.BytesIO()
    events = write_log(synthetic_episodes(pathway, episodes=200, seed=11), buffer, LogFormat.CSV)
    log.write_bytes(buffer.getvalue())
    header, first = log.read_text(encoding="utf-8").splitlines()[:2]
    identity = with_control_digits("010190100")  # a fødselsnummer-shaped value
    bad = tmp_path / "med-fnr.csv"
    bad.write_text("\n".join([header, first, first.replace("ep0000000", identity, 1)]) + "\n")

    page, watched = signed_in(
        browser, server, tokens["Sekretariatet for Helsefellesskapet Fjordvik"]
    )
    page.goto(f"{server.url}/app/#/pathways/1/conformance")
    expect(page.locator("h2", has_text="Samsvar med forløpet")).to_be_visible()

    page.set_input_files("#log-file", str(log))
    page.locator("#import-log").click()
    report = page.locator("#import-report")
    expect(report).to_contain_text(f"Lest {events}, lagret {events}, fantes fra før 0, avvist 0")
    table = page.locator("#conformance-table")
    expect(table).to_contain_text("Andel i tide")
    expect(table.locator("tbody tr").first).to_be_visible()
    coloured = page.locator("#conformance-figures [data-on-time]")
    expect(coloured.first).to_be_attached()
    expect(page.locator("#payments-table")).to_contain_text("kr")
    folder = screenshots / "conformance"
    folder.mkdir(exist_ok=True)
    assert_accessible(page, "conformance")
    page.screenshot(path=str(folder / "01-figures.png"), full_page=True)

    # The same file again changes nothing.
    page.set_input_files("#log-file", str(log))
    page.locator("#import-log").click()
    expect(report).to_contain_text(f"lagret 0, fantes fra før {events}")

    # A national identity number refuses the file, naming the row (the header is row 1).
    page.set_input_files("#log-file", str(bad))
    page.locator("#import-log").click()
    expect(report).to_contain_text(re.compile(r"\b3\b"))
    assert_accessible(page, "conformance refused")
    page.screenshot(path=str(folder / "02-refused.png"), full_page=True)
    watched.check()
