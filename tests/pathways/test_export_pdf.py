"""The ``pdf`` export, read back with an outside reader (pdfminer.six).

What a secretariat prints: A4 pages, "Side N av M" on each, the title on every page
after the first, no text under 6 pt (the picture is cut into tiles rather than shrunk),
tables that never leave one row on its own, statuses and deadlines as words in the
reader's language, and every step of the pathway on a picture page.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache

import pytest
from pdfminer.high_level import extract_pages
from pdfminer.layout import LTChar, LTComponent, LTPage, LTTextContainer

from pathways.export import ExportContext
from pathways.export.pdf import MIN_ROWS, SHORT_TABLE, Piece, render
from pathways.model import Pathway
from tests.pathways.test_export_samples import (
    CONTEXT,
    chain,
    example,
    outcomes,
    partnership,
    tricky,
)

A4 = (595.28, 841.89)
NB = ExportContext(
    pathway_id=CONTEXT.pathway_id,
    status=CONTEXT.status,
    version=CONTEXT.version,
    revision=CONTEXT.revision,
    approvals=CONTEXT.approvals,
    findings=CONTEXT.findings,
    generated_at=CONTEXT.generated_at,
    language="nb",
)
SAMPLES = {"example": example, "tricky": tricky, "outcomes": outcomes, "partnership": partnership}


@dataclass(frozen=True)
class Page:
    number: int
    width: float
    height: float
    text: str
    sizes: tuple[float, ...]


def _chars(item: LTComponent) -> Iterator[LTChar]:
    if isinstance(item, LTChar):
        yield item
    elif isinstance(item, LTPage | LTTextContainer) or hasattr(item, "__iter__"):
        for child in item:  # type: ignore[attr-defined]
            yield from _chars(child)


def read(data: bytes, pages: Sequence[int] | None = None) -> list[Page]:
    """The pages of ``data`` as pdfminer reads them (``pages``: 0-based, else all)."""
    out = []
    for page in extract_pages(io.BytesIO(data), page_numbers=pages, laparams=None):
        chars = list(_chars(page))
        out.append(
            Page(
                page.pageid,
                page.width,
                page.height,
                "".join(char.get_text() for char in chars),
                tuple(char.size for char in chars if char.get_text().strip()),
            )
        )
    return out


@cache
def rendered(sample: str, language: str = "nb") -> tuple[bytes, tuple[Piece, ...]]:
    pathway = SAMPLES[sample]()
    context = NB if language == "nb" else CONTEXT
    data, pieces = render(pathway, context=context)
    return data, tuple(pieces)


@cache
def pages_of(sample: str, language: str = "nb") -> tuple[Page, ...]:
    return tuple(read(rendered(sample, language)[0]))


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("sample", list(SAMPLES))
def test_every_page_is_a4_and_numbered(sample: str) -> None:
    pages = pages_of(sample)
    total = len(pages)
    for page in pages:
        assert sorted((round(page.width, 1), round(page.height, 1))) == [595.3, 841.9]
        assert f"Side {page.number} av {total}" in page.text
    title = _squash(SAMPLES[sample]().info.title)[:30]
    for page in pages[1:]:
        assert title in _squash(page.text), page.number


@pytest.mark.parametrize("sample", list(SAMPLES))
def test_no_text_under_six_points(sample: str) -> None:
    sizes = [size for page in pages_of(sample) for size in page.sizes]
    assert sizes
    assert min(sizes) >= 6.0


def test_a_thousand_steps_stay_legible() -> None:
    """1,000 steps give hundreds of pages; the same code draws each, so a sample of
    them is read: the first, a tile of the picture, the tables and the last."""
    pathway: Pathway = chain(1000)
    data, _ = render(pathway, context=NB)
    first = read(data, [0])[0]
    total = int(re.search(r"Side 1 av (\d+)", first.text).group(1))  # type: ignore[union-attr]
    assert total > 20
    numbers = [1, 2, total // 2, total - 1]
    for number, page in zip([0, *numbers], [first, *read(data, numbers)], strict=True):
        assert sorted((round(page.width, 1), round(page.height, 1))) == [595.3, 841.9]
        assert page.sizes
        assert min(page.sizes) >= 6.0
        assert f"Side {number + 1} av {total}" in page.text


@pytest.mark.parametrize("sample", list(SAMPLES))
def test_every_step_is_on_a_picture_page(sample: str) -> None:
    pathway = SAMPLES[sample]()
    pages = pages_of(sample)
    pictures = "".join(_squash(page.text) for page in pages if "Forløpet, del" in page.text)
    assert pictures
    for step in pathway.steps:
        # The picture wraps names over lines and shows what Helvetica has; compare the
        # letters and digits of the name's first words.
        start = re.sub(r"[^0-9A-Za-zÆØÅæøå]", "", step.name)[:12]
        assert start in re.sub(r"[^0-9A-Za-zÆØÅæøå]", "", pictures), step.name


def test_wide_pictures_are_tiles_that_name_where_they_continue() -> None:
    pages = pages_of("partnership")
    tiles = [page for page in pages if "Forløpet, del" in page.text]
    assert len(tiles) > 3
    for page in tiles:
        assert page.width > page.height
        assert "fortsetter på side" in page.text
    assert re.search(r"Hele forløpet står på side \d+–\d+", pages[0].text)  # noqa: RUF001


@pytest.mark.parametrize("sample", list(SAMPLES))
def test_tables_never_leave_one_row_alone(sample: str) -> None:
    _, pieces = rendered(sample)
    assert pieces
    for piece in pieces:
        if piece.rows == piece.total:
            continue
        assert piece.total > SHORT_TABLE, piece
        assert piece.rows >= MIN_ROWS, piece


def test_a_long_table_repeats_its_header_on_the_next_page() -> None:
    _, pieces = rendered("partnership")
    split = [piece for piece in pieces if piece.first > 0]
    assert split, "the 46-step sample has tables longer than a page"
    pages = pages_of("partnership")
    for piece in split:
        page = pages[piece.page - 1]
        header = {"steps": "Trinn", "transitions": "Fra", "gaps": "Alvorlighet"}
        word = next((value for key, value in header.items() if piece.table.startswith(key)), None)
        if word is not None:
            assert word in page.text, piece


def test_the_document_speaks_norwegian() -> None:
    text = "".join(page.text for page in pages_of("example"))
    assert "godkjent · versjon 3 · revisjon 17" in text
    assert "approved" not in text
    assert "samme dag" in text
    assert "Overlevering" in text
    assert "Meldingomutskrivningsklarpasient" in _squash(text)


def test_the_english_document_says_page_n_of_m() -> None:
    pages = pages_of("example", "en")
    assert all(f"Page {page.number} of {len(pages)}" in page.text for page in pages)
    assert "approved · version 3 · revision 17" in "".join(page.text for page in pages)


def test_text_no_font_has_is_written_as_letters_not_boxes() -> None:
    text = "".join(page.text for page in pages_of("tricky"))
    # (pdfminer reads the arrow, drawn from the Symbol font, as another glyph; Poppler
    # and the browsers read it right.)
    assert "Ærlig" in text
    assert "ø" in text
    assert "(cid:" not in text
    assert "\ufffd" not in text


def test_the_same_pathway_gives_the_same_bytes() -> None:
    assert render(example(), context=NB)[0] == render(example(), context=NB)[0]
    assert render(example(), context=NB)[0] != render(example(), context=CONTEXT)[0]
