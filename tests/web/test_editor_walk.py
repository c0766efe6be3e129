"""The web editor end to end, in Chromium, on the suite's database.

A hospital and a municipality sign in in two browser contexts and co-edit one pathway;
the hospital's edit meets a 412 and is saved again on the new revision without losing
what was typed; the municipality's discharge without a handover shows a gap in the list
and on the diagram, which goes away when the handover is filled in; both approve, and
the version is in the catalogue for a third organisation. axe-core checks every page of
the walk. The walk runs twice: with the mouse, and with the keyboard alone.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Protocol

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

from tests.conftest import World
from tests.servers import Server
from tests.web.conftest import Watched, assert_accessible

TITLE = "Hjertesvikt – hjem til hjem"  # noqa: RUF001 (a Norwegian title has its dash)
TYPED = "Hjertesviktsykepleier følger opp før utskrivning."


class Driver(Protocol):
    def press(self, target: Locator) -> None: ...
    def fill(self, target: Locator, text: str) -> None: ...
    def choose(self, target: Locator, value: str) -> None: ...
    def check(self, target: Locator) -> None: ...


class Mouse:
    """Clicks and types into fields, as most users do."""

    def press(self, target: Locator) -> None:
        target.click()

    def fill(self, target: Locator, text: str) -> None:
        target.fill(text)

    def choose(self, target: Locator, value: str) -> None:
        if target.get_attribute("type") == "radio":
            target.check()
        else:
            target.select_option(value)

    def check(self, target: Locator) -> None:
        target.check()


class Keyboard:
    """Tab to each control and use it with keys only: the walk fails if a control cannot
    be reached with Tab or used without a mouse."""

    MAX_TABS = 800

    def __init__(self, page: Page) -> None:
        self.page = page

    def _focus(self, target: Locator) -> None:
        target.wait_for(state="visible")
        handle = target.element_handle()
        assert handle is not None
        for _ in range(self.MAX_TABS):
            if self.page.evaluate("element => document.activeElement === element", handle):
                return
            self.page.keyboard.press("Tab")
        where = self.page.evaluate(
            "element => [element.isConnected, document.activeElement.outerHTML.slice(0, 80)]",
            handle,
        )
        raise AssertionError(f"not reachable with Tab: {target} (attached, focus: {where})")

    def press(self, target: Locator) -> None:
        self._focus(target)
        kind = target.evaluate("e => e.tagName + ':' + (e.getAttribute('type') || '')")
        self.page.keyboard.press("Space" if kind in {"INPUT:checkbox", "INPUT:radio"} else "Enter")

    def fill(self, target: Locator, text: str) -> None:
        self._focus(target)
        self.page.keyboard.press("Control+A")
        self.page.keyboard.press("Delete")
        self.page.keyboard.type(text)

    def choose(self, target: Locator, value: str) -> None:
        if target.get_attribute("type") == "radio":
            name = target.get_attribute("name")
            group = self.page.locator(f'input[type="radio"][name="{name}"]:checked')
            self._focus(group)
            for _ in range(6):
                if target.is_checked():
                    return
                self.page.keyboard.press("ArrowDown")
            raise AssertionError(f"could not choose {value} with the arrow keys")
        self._focus(target)
        for key in ("ArrowDown", "ArrowUp"):
            for _ in range(40):
                if target.input_value() == value:
                    return
                self.page.keyboard.press(key)
        raise AssertionError(f"could not choose {value} with the arrow keys")

    def check(self, target: Locator) -> None:
        self._focus(target)
        if not target.is_checked():
            self.page.keyboard.press("Space")
        assert target.is_checked()


class User:
    """One organisation's person in their own browser context (own sessionStorage)."""

    def __init__(
        self, context: BrowserContext, server: Server, keyboard: bool, shots: Path
    ) -> None:
        self.page = context.new_page()
        self.watched = Watched(self.page, server.url)
        self.url = server.url
        self.drive: Driver = Keyboard(self.page) if keyboard else Mouse()
        self.shots = shots

    def shot(self, name: str) -> None:
        self.page.screenshot(path=str(self.shots / f"{name}.png"), full_page=True)

    def checked(self, name: str) -> None:
        """Look at the page as it is: axe finds nothing, nothing went wrong, a screenshot."""
        assert_accessible(self.page, name)
        self.watched.check()
        self.shot(name)

    def sign_in(self, token: str, organisation: str) -> None:
        self.page.goto(f"{self.url}/app/")
        expect(self.page.locator("h1")).to_have_text("Logg inn")
        self.drive.fill(self.page.locator("#token"), token)
        self.drive.press(self.page.get_by_role("button", name="Logg inn"))
        expect(self.page.locator("#who")).to_contain_text(organisation)
        expect(self.page.locator("h1")).to_have_text("Mine forløp")

    def nav(self, name: str) -> None:
        self.drive.press(self.page.get_by_role("link", name=name, exact=True))

    def settled(self) -> None:
        """The form is not being brought up to date (it is aria-busy while it is)."""
        expect(self.page.locator("#form-pane[aria-busy]")).to_have_count(0)

    def select_element(self, kind: str, key: str) -> None:
        """By the diagram with the mouse; by the lists (its text alternative) by keyboard."""
        if isinstance(self.drive, Mouse):  # a step's shape, a transition's label
            part = "text.edge-label" if kind == "transition" else ""
            self.page.locator(f'#diagram [data-{kind}="{key}"] {part}'.strip()).first.click()
        else:
            self.drive.press(self.page.locator(f'[data-select="{kind}:{key}"]'))
        self.settled()
        expect(self.page.locator("#form-title")).to_be_focused()

    def save(self) -> None:
        self.drive.press(self.page.locator("#save"))

    def new_step(self, name: str, key: str, level: str, kind: str, responsible: str) -> None:
        page = self.page
        self.drive.press(page.locator("#new-step"))
        expect(page.locator("#form-title")).to_have_text("Nytt steg")
        self.settled()
        self.drive.fill(page.locator("#step-name"), name)
        expect(page.locator("#step-key")).to_have_value(key)
        self.drive.choose(page.locator(f'#step-level input[value="{level}"]'), level)
        self.drive.choose(page.locator("#step-kind"), kind)
        self.drive.fill(page.locator("#step-responsible"), responsible)
        self.save()
        expect(page.locator(f'[data-select="step:{key}"]')).to_be_visible()
        expect(page.locator(f'#diagram [data-step="{key}"]')).to_be_attached()

    def fill_handover(
        self, sender: str, receiver: str, message: str, items: list[tuple[str, str]]
    ) -> None:
        page, drive = self.page, self.drive
        drive.check(page.locator("#tr-has-handover"))
        drive.fill(page.locator("#tr-handover-sender_role"), sender)
        drive.fill(page.locator("#tr-handover-receiver_role"), receiver)
        drive.check(page.locator(f'input[data-message="{message}"]'))
        drive.fill(page.locator("#tr-handover-deadline-amount"), "0")
        drive.choose(page.locator("#tr-handover-deadline-unit"), "hours")
        expect(page.locator("#tr-handover-deadline-read")).to_have_text("Leses som: samme dag")
        for index, (text, side) in enumerate(items):
            drive.press(page.locator("#tr-handover-add-item"))
            drive.fill(page.locator(f"#tr-handover-checklist-{index}-text"), text)
            drive.choose(page.locator(f"#tr-handover-checklist-{index}-side"), side)

    def new_transition(self, label: str, key: str, source: str, target: str) -> None:
        page = self.page
        self.drive.press(page.locator("#new-transition"))
        expect(page.locator("#form-title")).to_have_text("Ny overgang")
        self.settled()
        self.drive.choose(page.locator("#tr-from"), source)
        self.drive.choose(page.locator("#tr-to"), target)
        self.drive.fill(page.locator("#tr-label"), label)
        expect(page.locator("#tr-key")).to_have_value(key)

    def approve(self) -> None:
        self.drive.press(self.page.locator("#approve"))


def _api(server: Server, token: str, path: str) -> httpx.Response:
    return httpx.get(f"{server.url}{path}", headers={"Authorization": f"Bearer {token}"})


def walk(browser: Browser, server: Server, world: World, shots: Path, *, keyboard: bool) -> None:
    contexts = [
        browser.new_context(viewport={"width": 1440, "height": 1000}, locale="nb-NO")
        for _ in range(3)
    ]
    try:
        hospital, municipality, third = (User(c, server, keyboard, shots) for c in contexts)

        # The hospital signs in and starts a pathway.
        hospital.page.goto(f"{server.url}/app/")
        hospital.checked("01-sign-in")
        hospital.sign_in(world.hospital.token, "Helse Test HF")
        hospital.checked("02-my-pathways-empty")
        hospital.drive.fill(hospital.page.locator("#new-title"), TITLE)
        hospital.drive.press(hospital.page.get_by_role("button", name="Opprett"))
        expect(hospital.page.locator("h1")).to_have_text(TITLE)
        pathway_id = int(hospital.page.url.rsplit("/", 1)[1])

        # It brings the municipality in as an editor: equal rights.
        hospital.drive.press(hospital.page.get_by_role("link", name="Deltakere og godkjenning"))
        hospital.drive.choose(
            hospital.page.locator("#participant-organisation"),
            str(world.municipality.organization_id),
        )
        hospital.drive.press(hospital.page.locator("#add-participant"))
        expect(hospital.page.locator("#participants")).to_contain_text("Testvik kommune")
        hospital.checked("03-participants")

        # Two steps and the admission, with its handover.
        hospital.drive.press(hospital.page.get_by_role("link", name="Rediger", exact=True))
        hospital.new_step("Hjemme", "hjemme", "municipality", "home", "hjemmesykepleien")
        hospital.new_step("Sengepost", "sengepost", "hospital", "treatment", "sykepleier")
        hospital.new_transition("Innlagt", "innlagt", "hjemme", "sengepost")
        hospital.fill_handover(
            "fastlege",
            "sykepleier i mottak",
            "INNLEGGELSESRAPPORT",
            [("Innleggelsesrapport sendt", "sender"), ("Rapporten er lest", "receiver")],
        )
        hospital.save()
        expect(hospital.page.locator('[data-select="transition:innlagt"]')).to_be_visible()
        hospital.checked("04-editor-hospital")

        # The hospital starts typing into the ward step while the municipality works.
        hospital.select_element("step", "sengepost")
        hospital.drive.fill(hospital.page.locator("#step-description"), TYPED)

        # The municipality signs in elsewhere, opens the pathway and adds the discharge home
        # with no handover yet: a gap, in the list and on the diagram.
        municipality.sign_in(world.municipality.token, "Testvik kommune")
        expect(municipality.page.get_by_role("link", name=TITLE)).to_be_visible()
        municipality.checked("05-my-pathways-municipality")
        municipality.drive.press(municipality.page.get_by_role("link", name=TITLE))
        municipality.new_transition("Utskrevet", "utskrevet", "sengepost", "hjemme")
        municipality.save()
        gaps = municipality.page.locator("#gaps")
        expect(gaps).to_contain_text("1 feil")
        expect(gaps).to_contain_text("ingen overlevering")
        expect(
            municipality.page.locator(
                '#diagram [data-transition="utskrevet"] .marker.finding-error'
            )
        ).to_be_attached()
        municipality.checked("06-gap-on-the-handover")

        # The hospital saves on its old revision: 412. Its text is kept, the change made
        # meanwhile is shown, and it saves the same edit on the new revision.
        hospital.save()
        conflict = hospital.page.locator("#conflict")
        expect(conflict).to_contain_text("Noen andre har endret forløpet")
        expect(conflict).to_contain_text("Testvik kommune")
        expect(conflict).to_contain_text("La til overgangen «utskrevet»")  # said in bokmål
        expect(hospital.page.locator("#step-description")).to_have_value(TYPED)
        hospital.checked("07-conflict-412")
        hospital.drive.press(hospital.page.locator("#redo"))
        expect(hospital.page.locator("#form-pane")).to_contain_text("er lagret")
        step = _api(server, world.hospital.token, f"/pathways/{pathway_id}/steps/sengepost").json()
        assert step["description"] == TYPED
        assert step["name"] == "Sengepost"

        # The municipality fills in the handover: the gap goes away.
        municipality.select_element("transition", "utskrevet")
        municipality.fill_handover(
            "sykepleier på sengepost",
            "hjemmesykepleien",
            "LOG_UTSKREVET",
            [("Epikrise og legemiddelliste sendt", "sender"), ("Første hjemmebesøk", "receiver")],
        )
        municipality.save()
        expect(gaps).to_contain_text("Ingen mangler")
        expect(municipality.page.locator("#diagram .marker")).to_have_count(0)
        municipality.checked("08-gap-gone")

        # Both approve the same revision: version 1.
        hospital.page.reload()
        expect(hospital.page.locator("#approve")).to_be_visible()
        hospital.approve()
        expect(hospital.page.locator("#approval")).to_contain_text("Du har godkjent")
        hospital.checked("09-approved-by-hospital")
        municipality.page.reload()
        expect(municipality.page.locator("#approvals-list")).to_contain_text("Helse Test HF")
        municipality.approve()
        expect(municipality.page.locator("#approval")).to_contain_text("Versjon 1 er godkjent")
        municipality.checked("10-version-1")

        # After version 1 the municipality changes the ward's role: the draft differs.
        municipality.select_element("step", "sengepost")
        municipality.drive.fill(
            municipality.page.locator("#step-responsible"), "sykepleier på hjerteposten"
        )
        municipality.save()
        expect(municipality.page.locator("#pathway-facts")).to_contain_text(
            "Endret siden versjon 1"
        )

        # Other parts of the pathway, looked at once each.
        page = municipality.page
        for link, name in [
            ("Historikk og forfatterskap", "11-history"),
            ("Sammenlign", "12-diff"),
            ("Eksport", "13-export"),
            ("Kommentarer og høringer", "14-comments"),
            ("Lokale varianter", "15-variants"),
        ]:
            municipality.drive.press(page.get_by_role("link", name=link))
            expect(page.get_by_role("link", name=link)).to_have_attribute("aria-current", "page")
            if link == "Historikk og forfatterskap":
                expect(page.locator("#history")).to_contain_text(
                    "La til steget «Sengepost» på sykehuset (behandling)"
                )
            if link == "Sammenlign":  # version 1 against the draft, listed and drawn
                expect(page.locator("#diff-table")).to_contain_text("sengepost: Ansvarlig rolle")
                expect(
                    page.locator('#diff-result [data-step="sengepost"] .change-badge')
                ).to_have_text("Endret")
            if link == "Eksport":  # the printable document, one press away
                with page.expect_download() as download:
                    municipality.drive.press(page.locator('[data-format="pdf"]').first)
                saved = download.value.path()
                assert Path(saved).read_bytes().startswith(b"%PDF")
                expect(page.locator("#export-status")).to_contain_text(".pdf")
            municipality.checked(name)

        # A third organisation, taking no part, finds it in the catalogue.
        third.sign_in(world.outsider.token, "Utenfor kommune")
        third.nav("Katalog")
        row = third.page.locator("tr", has_text=TITLE)
        expect(row).to_contain_text("1")
        expect(row).to_contain_text("Testvik kommune")
        third.checked("16-catalogue")
        third.drive.press(third.page.get_by_role("link", name=TITLE))
        expect(third.page.locator("main")).to_contain_text("Du ser den godkjente versjonen")
        third.checked("17-public-view")
        version = _api(server, world.outsider.token, f"/pathways/{pathway_id}/versions/1")
        assert version.status_code == 200
    finally:
        for context in contexts:
            context.close()


@pytest.mark.parametrize("keyboard", [False, True], ids=["mouse", "keyboard-only"])
def test_two_levels_co_edit_recover_from_412_fix_a_gap_and_approve(
    browser: Browser, server: Server, world: World, screenshots: Path, keyboard: bool
) -> None:
    started = time.monotonic()
    walk(
        browser,
        server,
        world,
        screenshots / ("keyboard" if keyboard else "mouse"),
        keyboard=keyboard,
    )
    assert time.monotonic() - started < 240
