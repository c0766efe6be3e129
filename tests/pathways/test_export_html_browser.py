"""The HTML export renders in headless Chromium with no console error.

Runs ``scripts/screenshot_html.py`` when Chromium is at ``/usr/bin/chromium``. Without
it the test fails when ``CI`` is set (CI must install the Debian package ``chromium``)
and is skipped otherwise.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType

import pytest

CHROMIUM = Path("/usr/bin/chromium")
SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "screenshot_html.py"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _script() -> ModuleType:
    """The script as a module (``scripts/`` is not a package)."""
    if "screenshot_html" in sys.modules:
        return sys.modules["screenshot_html"]
    spec = importlib.util.spec_from_file_location("screenshot_html", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["screenshot_html"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def _chromium() -> str:
    """Chromium's path; fails the test under CI when it is missing, else skips it."""
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(
                f"{CHROMIUM} is missing: install it in CI with 'apt-get install -y chromium'"
            )
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install -y chromium)")
    return str(CHROMIUM)


def test_html_export_renders_without_console_errors(tmp_path: Path) -> None:
    chromium = _chromium()
    script = _script()
    html, svg = script.render_example(tmp_path)
    result = script.capture(html, tmp_path / "page.png", chromium=chromium, width=1280, height=900)
    assert result.errors == []
    data = result.png.read_bytes()
    assert data.startswith(PNG_SIGNATURE)
    assert result.height > 2000  # the whole document, not only the first screen
    picture = script.capture(svg, tmp_path / "picture.png", chromium=chromium, full_page=False)
    assert picture.errors == []
    assert picture.png.read_bytes().startswith(PNG_SIGNATURE)


def test_a_page_with_errors_is_reported(tmp_path: Path) -> None:
    chromium = _chromium()
    page = tmp_path / "broken.html"
    page.write_text(
        "<!DOCTYPE html><title>x</title><script>console.error('boom')</script>", encoding="utf-8"
    )
    result = _script().capture(page, tmp_path / "broken.png", chromium=chromium)
    assert any("boom" in error for error in result.errors)
