"""The interactive API docs work on a closed hospital network: nothing from another host.

Swagger UI and ReDoc come from the installed package (``fastapi-offline``), served under
``/docs/assets``. The page is checked twice: what its HTML references, and what a real
browser (headless Chromium) actually requests while it renders the spec.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from tests.pathways.test_export_html_browser import _chromium, _script
from tests.servers import cli_env, running_server

_REFERENCE = re.compile(r"""(?:src|href|url|spec-url)\s*[:=]\s*["']([^"']+)["']""")


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_docs_pages_reference_only_this_service(app_client: TestClient, page: str) -> None:
    response = app_client.get(page)
    assert response.status_code == 200
    assert "http://" not in response.text
    assert "https://" not in response.text
    references = _REFERENCE.findall(response.text)
    assert "/openapi.json" in references
    assets = [reference for reference in references if reference.startswith("/docs/assets/")]
    assert len(assets) >= 2, references
    for reference in references:
        parts = urlsplit(reference)
        assert (parts.scheme, parts.netloc) == ("", ""), reference
        assert app_client.get(reference).status_code == 200, reference


def test_swagger_ui_renders_from_local_assets_in_a_browser(
    database_url: str, tmp_path: Path
) -> None:
    chromium = _chromium()
    env = cli_env(f"sqlite:///{tmp_path / 'docs.db'}")
    with running_server(tmp_path, env) as server:
        result = _script().capture(
            f"{server.url}/docs",
            tmp_path / "docs.png",
            chromium=chromium,
            full_page=False,
            ready="document.querySelectorAll('.opblock').length > 10",
        )
    assert result.errors == [], result.errors
    assert f"{server.url}/openapi.json" in result.requests
    elsewhere = [
        url
        for url in result.requests
        if not url.startswith(f"{server.url}/") and not url.startswith(("data:", "blob:"))
    ]
    assert elsewhere == [], elsewhere
    assert result.png.stat().st_size > 20_000  # a rendered page, not a blank one
    if shots := os.environ.get("PATHWAYS_SCREENSHOTS"):
        shutil.copy(result.png, Path(shots) / "docs.png")
