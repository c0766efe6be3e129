"""The HTML document printed by Chromium (``Page.printToPDF``), read back with pdfminer.

What a reader gets from "Print" in a browser: A4 pages with "Side N av M", the picture
in tiles on landscape pages at a scale where no text is under 6 pt, and the title and
status (as words) at the top of the pages after the first. Fails under CI when
Chromium is missing, else skips (see ``test_export_html_browser``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from pathways.export import export
from pathways.model import Pathway
from tests.pathways.test_export_html_browser import _chromium, _script
from tests.pathways.test_export_pdf import NB, read
from tests.pathways.test_export_samples import example, partnership

SAMPLES: dict[str, Callable[[], Pathway]] = {"example": example, "partnership": partnership}


@pytest.mark.parametrize("name", list(SAMPLES))
def test_the_printed_document(name: str, tmp_path: Path) -> None:
    chromium = _chromium()
    pathway = SAMPLES[name]()
    html = tmp_path / f"{name}.html"
    document = export(pathway, "html", context=NB)
    html.write_bytes(document)
    printed = tmp_path / f"{name}.pdf"
    result = _script().capture(html, tmp_path / f"{name}.png", chromium=chromium, pdf=printed)
    assert result.errors == []

    pages = read(printed.read_bytes())
    total = len(pages)
    tiles = document.count(b'<figure class="tile">')
    assert tiles > 1
    landscape = [page for page in pages if page.width > page.height]
    assert len(landscape) == tiles
    for number, page in enumerate(pages, start=1):
        assert sorted((round(page.width), round(page.height))) == [595, 842]
        assert page.sizes
        assert min(page.sizes) >= 6.0, (number, min(page.sizes))
        assert f"Side {number} av {total}" in page.text
    for page in pages[1:]:
        assert "godkjent · versjon 3 · revisjon 17" in page.text
    words = re.sub(r"\s+", "", "".join(page.text for page in landscape))
    for step in pathway.steps:
        start = re.sub(r"\s+", "", step.name)[:10]
        assert start in words, step.name
