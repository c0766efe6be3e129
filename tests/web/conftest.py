"""A real server and a real browser for the web editor's end-to-end tests.

The server is ``pathways serve`` in a child process on the suite's database (SQLite or
PostgreSQL, whichever the run is on); the browser is the system's Chromium, driven by
Playwright. axe-core (``tests/tools``, from the npm registry) checks each page the walk
shows. As the other browser tests: under CI a missing Chromium or Node.js fails the run;
elsewhere the tests skip (and ``npm ci`` in ``tests/tools`` runs when needed).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from db.session import Database
from tests.conftest import World
from tests.pathways.test_export_bpmn import _node
from tests.pathways.test_export_html_browser import _chromium
from tests.servers import Server, cli, cli_env, running_server

TOOLS = Path(__file__).resolve().parent.parent / "tools"
AXE = TOOLS / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# What WCAG 2.1 AA asks of a Norwegian public body (forskrift om universell utforming).
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Chromium for one module. Not for the session: Playwright's sync API keeps an asyncio
    loop running in this thread while it is open, and later tests that start their own
    (``anyio.run``) would fail."""
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=_chromium(), args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


@pytest.fixture
def server(world: World, database_url: str, tmp_path: Path) -> Iterator[Server]:
    """``pathways serve`` on the test database, after ``world`` wrote its organisations."""
    env = cli_env(database_url, webhook_delivery="false")
    with running_server(tmp_path, env) as running:
        yield running


@pytest.fixture
def demo(
    db: Database, database_url: str, tmp_path: Path
) -> Iterator[tuple[Server, dict[str, str]]]:
    """``pathways demo`` on the test database, then ``pathways serve``; the tokens by
    organisation name."""
    env = cli_env(database_url, webhook_delivery="false")
    loaded = cli(["demo"], tmp_path, env)
    assert loaded.returncode == 0, loaded.stderr
    tokens = {
        match[1]: match[3]
        for match in re.finditer(r"^  (.+?) \((\w+), edit\): (htt_\S+)$", loaded.stdout, re.M)
    }
    assert len(tokens) == 6, loaded.stdout
    with running_server(tmp_path, env) as server:
        yield server, tokens


@pytest.fixture
def screenshots(tmp_path: Path) -> Path:
    """Where the walk leaves its screenshots: ``PATHWAYS_SCREENSHOTS`` if set (to look at
    them), else the test's own temporary folder."""
    chosen = os.environ.get("PATHWAYS_SCREENSHOTS")
    folder = Path(chosen) if chosen else tmp_path / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class Watched:
    """A page whose console errors, uncaught exceptions, CSP violations and requests to
    other hosts are collected, so a test can assert there were none."""

    def __init__(self, page: Page, origin: str) -> None:
        self.page = page
        self.problems: list[str] = []
        page.add_init_script(
            "window.__csp = [];"
            "document.addEventListener('securitypolicyviolation', e =>"
            " window.__csp.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + e.sourceFile"
            " + ':' + e.lineNumber));"
        )
        page.on("pageerror", lambda error: self.problems.append(f"uncaught: {error}"))
        page.on(
            "console",
            lambda message: (
                self.problems.append(f"console: {message.text}")
                if message.type == "error" and "status of 4" not in message.text
                else None
            ),
        )
        page.on(
            "request",
            lambda request: (
                None
                if request.url.startswith((origin, "data:", "blob:"))
                else self.problems.append(f"request to another host: {request.url}")
            ),
        )

    def check(self) -> None:
        violations = self.page.evaluate("window.__csp || []")
        assert not violations, f"Content-Security-Policy violations: {violations}"
        assert not self.problems, self.problems


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.1 A/AA violations on the page as it is now."""
    _node()  # the tools of tests/tools, axe-core among them, installed at their locked versions
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})"
        ".then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' ' + n.failureSummary)})))",
        AXE_TAGS,
    )
    return list(result)


def assert_accessible(page: Page, where: str) -> None:
    violations = axe_violations(page)
    assert not violations, f"axe on {where}: " + json.dumps(
        violations, ensure_ascii=False, indent=1
    )


def signed_in(browser: Browser, server: Server, token: str) -> tuple[Page, Watched]:
    """A new browser context signed in with ``token`` through the sign-in form."""
    page = browser.new_context(viewport={"width": 1440, "height": 1000}).new_page()
    watched = Watched(page, server.url)
    page.goto(f"{server.url}/app/")
    page.fill("#token", token)
    page.get_by_role("button", name="Logg inn").click()
    expect(page.locator("h1")).to_have_text("Mine forløp")
    return page, watched


def approve_demo_by_both_levels(server: Server, tokens: dict[str, str]) -> None:
    """The demo's hospital and Fjordvik kommune approve pathway 1 through the API (its
    partnership then waits for the secretariat's decision)."""
    for name in ("Helse Fjordvik HF", "Fjordvik kommune"):
        headers = {"Authorization": f"Bearer {tokens[name]}"}
        current = httpx.get(f"{server.url}/pathways/1", headers=headers)
        assert current.status_code == 200, current.text
        approved = httpx.post(
            f"{server.url}/pathways/1/approvals",
            headers={**headers, "If-Match": current.headers["etag"]},
        )
        assert approved.status_code == 201, approved.text
