"""The web editor for the other people of a helsefellesskap, on the demo's data: the
secretariat's partnership overview (who owes approvals, who adopted which version) and
its decision, the user committee reading a draft it may comment on but not change, and
the hearing a municipality is invited to answer. axe-core checks each page; the pages
are left as screenshots (``PATHWAYS_SCREENSHOTS``).
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from tests.servers import Server
from tests.web.conftest import (
    Watched,
    approve_demo_by_both_levels,
    assert_accessible,
    signed_in,
)


def _look(page: Page, watched: Watched, folder: Path, name: str) -> None:
    assert_accessible(page, name)
    watched.check()
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def test_secretariat_user_committee_and_an_invited_municipality(
    browser: Browser, demo: tuple[Server, dict[str, str]], screenshots: Path
) -> None:
    server, tokens = demo
    folder = screenshots / "roles"
    folder.mkdir(exist_ok=True)
    hospital = tokens["Helse Fjordvik HF"]
    secretariat = tokens["Sekretariatet for Helsefellesskapet Fjordvik"]
    committee = tokens["Brukerutvalget i Helse Fjordvik"]

    # Both levels approve the demo pathway through the API; its policy wants a decision.
    approve_demo_by_both_levels(server, tokens)

    # The secretariat: its overview, then the decision that makes version 1.
    page, watched = signed_in(browser, server, secretariat)
    page.get_by_role("link", name="Helsefellesskap", exact=True).click()
    page.get_by_role("link", name="Helsefellesskapet Fjordvik").click()
    expect(page.locator("h1")).to_have_text("Helsefellesskapet Fjordvik")
    expect(page.locator("main")).to_contain_text("Nordvik kommune")  # owes its approval
    _look(page, watched, folder, "01-secretariat-overview")
    page.get_by_role("link", name=re.compile("Hip fracture")).click()
    approval = page.locator("#approval")
    expect(approval).to_contain_text("Vedtaket må registreres av sekretariatet")
    expect(page.locator("#approve")).to_have_count(0)  # the secretariat does not approve
    page.fill("#decision-reference", "Sak 12/2026")
    page.fill("#decision-body", "Strategisk samarbeidsutvalg")
    _look(page, watched, folder, "02-secretariat-decision")
    page.get_by_role("button", name="Registrer vedtak").click()
    expect(approval).to_contain_text("Vedtak: Strategisk samarbeidsutvalg")
    expect(page.locator("#pathway-facts")).to_contain_text("Godkjent")
    page.get_by_role("link", name="Helsefellesskap", exact=True).click()
    page.get_by_role("link", name="Helsefellesskapet Fjordvik").click()
    expect(page.locator("main")).to_contain_text("Fjordvik kommune: Versjon 1")
    _look(page, watched, folder, "03-secretariat-adopted")

    # The user committee reads the draft, cannot change it, and comments on a step.
    page, watched = signed_in(browser, server, committee)
    page.get_by_role("link", name=re.compile("Hip fracture")).click()
    expect(page.locator("main")).to_contain_text("Du kan lese utkastet, men ikke endre det")
    expect(page.locator("#new-step")).to_have_count(0)
    page.locator('[data-select="step:ward"]').click()
    expect(page.locator("#form-pane")).to_contain_text("ward nurse")
    expect(page.locator("#form-pane input, #form-pane button")).to_have_count(0)
    _look(page, watched, folder, "04-committee-reads")
    page.get_by_role("link", name="Kommentarer og høringer").click()
    page.select_option("#comment-anchor", "step:ward")
    page.fill("#comment-text", "Husk pårørende ved utskrivning.")
    page.get_by_role("button", name="Send kommentar").click()
    expect(page.locator("#threads")).to_contain_text("Husk pårørende ved utskrivning.")
    _look(page, watched, folder, "05-committee-comments")

    # The hospital opens a hearing round; the municipality answers it from its list.
    page, watched = signed_in(browser, server, hospital)
    page.get_by_role("link", name=re.compile("Hip fracture")).click()
    page.get_by_role("link", name="Kommentarer og høringer").click()
    page.fill("#hearing-deadline", (date.today() + timedelta(days=30)).isoformat())
    page.get_by_label("Sørvik kommune").check()
    page.get_by_role("button", name="Send på høring").click()
    expect(page.locator("main")).to_contain_text("Åpen")
    _look(page, watched, folder, "06-hearing-opened")
    page, watched = signed_in(browser, server, tokens["Sørvik kommune"])
    page.get_by_role("link", name="Høringer til meg").click()
    page.get_by_label("Enig, med merknader").check()
    page.fill("textarea", "Vi ønsker en kontaktperson i kommunen.")
    _look(page, watched, folder, "07-hearing-to-answer")
    page.get_by_role("button", name="Svar på høringen").click()
    expect(page.locator("main")).to_contain_text("Svaret er sendt")
    _look(page, watched, folder, "08-hearing-answered")

    # English is one button away; the page says which language it is in.
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Hearings for me")
    expect(page.get_by_role("button", name="Norsk")).to_be_visible()
    _look(page, watched, folder, "09-english")
