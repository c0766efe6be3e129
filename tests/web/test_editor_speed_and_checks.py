"""The web editor's speed on a 50-step pathway, its page's security headers, and the
accessibility check itself (that it can fail).

Speed, as the issue asks: the first view of a 50-step pathway from a cold start of the
page (a new browser context: nothing cached) under 1 s, and an edit reflected on the
page under 200 ms after the API has answered it. Both are measured in the browser
(Performance API): navigation start to the diagram and lists drawn; the end of the
PATCH's response to the list showing the new name.
"""

from __future__ import annotations

import json
import re

import httpx
from playwright.sync_api import Browser, expect

from pathways.document import dump_document
from tests.conftest import World
from tests.pathways.test_export_samples import chain
from tests.servers import ROOT, Server
from tests.web.conftest import Watched, axe_violations


def _import(server: Server, token: str, document: bytes) -> int:
    answer = httpx.post(
        f"{server.url}/pathways/import",
        content=document,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    assert answer.status_code == 201, answer.text
    pathway_id: int = answer.json()["id"]
    return pathway_id


def _signed_in(token: str, me: dict[str, object]) -> str:
    """A script that leaves what the sign-in form leaves in the tab's storage."""
    return (
        f"sessionStorage.setItem('htt.token', {json.dumps(token)});"
        f"sessionStorage.setItem('htt.me', {json.dumps(json.dumps(me))});"
    )


def test_a_50_step_pathway_opens_under_1_s_cold_and_an_edit_shows_under_200_ms(
    browser: Browser, server: Server, world: World
) -> None:
    fifty = chain(50)
    assert len(fifty.steps) == 50
    pathway_id = _import(server, world.hospital.token, dump_document(fifty))
    me = httpx.get(
        f"{server.url}/me", headers={"Authorization": f"Bearer {world.hospital.token}"}
    ).json()
    timings = []
    for _ in range(3):  # the median of three cold starts: a shared machine is noisy
        context = browser.new_context(viewport={"width": 1440, "height": 1000})
        try:
            context.add_init_script(_signed_in(world.hospital.token, me))
            page = context.new_page()
            watched = Watched(page, server.url)
            page.goto(f"{server.url}/app/#/pathways/{pathway_id}")
            expect(page.locator('[data-select="step:finish"]')).to_be_visible()
            expect(page.locator('#diagram [data-step="finish"]')).to_be_attached()
            timings.append(page.evaluate("performance.now()"))
            watched.check()
        finally:
            context.close()
    first_view = sorted(timings)[1]
    print(
        f"first view of 50 steps, cold: {[round(t) for t in timings]} ms, median {first_view:.0f}"
    )
    assert first_view < 1000

    # An edit: from the end of the PATCH's answer to the list showing it.
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    try:
        context.add_init_script(_signed_in(world.hospital.token, me))
        page = context.new_page()
        page.goto(f"{server.url}/app/#/pathways/{pathway_id}")
        page.locator('[data-select="step:s3-0"]').click()
        page.locator("#step-name").fill("Vurdering i akuttmottaket")
        page.evaluate(
            """() => { window.__shown = {};
            const seen = (name, found) => { if (!window.__shown[name] && found())
              window.__shown[name] = performance.now(); };
            new MutationObserver(() => {
              seen('list', () => (document.querySelector('[data-select="step:s3-0"]') || {})
                .textContent?.includes('Vurdering i akuttmottaket'));
              seen('diagram', () => (document.querySelector('#diagram [data-step="s3-0"]') || {})
                .textContent?.includes('Vurdering i akuttmottaket'));
            }).observe(document.getElementById('main'), {subtree: true, childList: true,
              characterData: true}); }"""
        )
        page.locator("#save").click()
        # (not wait_for_function: the page's CSP refuses the eval it uses)
        expect(page.locator('#diagram [data-step="s3-0"]')).to_contain_text("Vurdering")
        list_ms, diagram_ms = page.evaluate(
            """() => { const patch = performance.getEntriesByType('resource')
                .filter(e => e.name.endsWith('/steps/s3-0')).pop();
              return [window.__shown.list - patch.responseEnd,
                      window.__shown.diagram - patch.responseEnd]; }"""
        )
        print(
            f"edit shown in the list {list_ms:.0f} ms and on the diagram {diagram_ms:.0f} ms "
            "after the API answered"
        )
        assert list_ms < 200
    finally:
        context.close()


def test_the_page_is_served_with_a_strict_content_security_policy(server: Server) -> None:
    page = httpx.get(f"{server.url}/app/")
    assert page.status_code == 200
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["referrer-policy"] == "no-referrer"
    # Every script and stylesheet the page names is served from here, revalidated by ETag.
    for path in ("/app/static/js/main.js", "/app/static/app.css", "/app/static/picture.css"):
        asset = httpx.get(f"{server.url}{path}")
        assert asset.status_code == 200, path
        again = httpx.get(f"{server.url}{path}", headers={"If-None-Match": asset.headers["etag"]})
        assert again.status_code == 304
    # Every module is preloaded by the page, so a cold start fetches them side by side.
    static = ROOT / "api" / "web" / "static"
    modules = {path.relative_to(static).as_posix() for path in static.rglob("*.js")}
    preloaded = set(re.findall(r'<link rel="modulepreload" href="/app/static/([^"]+)">', page.text))
    assert modules - {"js/main.js"} == preloaded
    missing = httpx.get(f"{server.url}/app/static/js/nothing.js")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    assert httpx.get(f"{server.url}/app").headers["location"] == "/app/"


def test_the_accessibility_check_finds_what_it_should(browser: Browser) -> None:
    """axe really runs: a field without a label and grey-on-grey text are reported."""
    page = browser.new_page()
    try:
        page.set_content(
            '<!doctype html><html lang="nb"><head><title>x</title></head><body><main>'
            '<h1>Test</h1><input type="text">'
            '<p style="color:#bbb;background:#ccc">lite kontrast</p>'
            "</main></body></html>"
        )
        found = {violation["id"] for violation in axe_violations(page)}
        assert {"label", "color-contrast"} <= found
    finally:
        page.close()


def test_hostile_text_from_the_api_is_shown_as_text(
    browser: Browser, server: Server, world: World
) -> None:
    """Names that look like markup or script stay text: nothing runs, nothing is parsed."""
    hostile = '<img src=x onerror="window.__pwned=1">"\'&amp; <script>window.__pwned=2</script>'
    document = json.loads(dump_document(chain(6)))
    document["pathway"]["title"] = f"Tittel {hostile}"
    document["steps"][1]["name"] = f"Steg {hostile}"
    pathway_id = _import(server, world.hospital.token, json.dumps(document).encode())
    me = httpx.get(
        f"{server.url}/me", headers={"Authorization": f"Bearer {world.hospital.token}"}
    ).json()
    context = browser.new_context()
    try:
        context.add_init_script(_signed_in(world.hospital.token, me))
        page = context.new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        watched = Watched(page, server.url)
        page.goto(f"{server.url}/app/#/pathways/{pathway_id}")
        key = document["steps"][1]["key"]
        expect(page.locator("h1")).to_have_text(f"Tittel {hostile}")
        expect(page.locator(f'[data-select="step:{key}"]')).to_contain_text(f"Steg {hostile}")
        expect(page.locator(f'#diagram [data-step="{key}"]')).to_be_attached()
        assert page.evaluate("window.__pwned === undefined")
        assert page.locator("main img, main script").count() == 0
        assert dialogs == []
        watched.check()
    finally:
        context.close()
