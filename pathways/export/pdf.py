"""The ``pdf`` export: the printable document of a pathway as an A4 PDF (reportlab).

The same document as :mod:`pathways.export.html` prints: title, status, version,
approvals, review date, agreement, target group and description; the picture; the steps
per level; the transitions; each handover with its checklist; and the open gaps, all in
the context's language (statuses as words, deadlines as people say them: ``samme dag``,
``innen 24 timer``; handover messages by their names).

**Pages.** Text on A4 portrait, the picture on A4 landscape. Pages are laid out first and
written once their number is known, so every footer says "Side 3 av 7" ("Page 3 of 7"),
and every page after the first has the title in its header.

**The picture** is drawn natively from the shared layout
(:func:`pathways.export.svg.picture_layout`) at :data:`SCALE` points per pixel, so its
smallest text (a step's kind, 9 px) is :data:`MIN_TEXT` points or more. A picture wider
or taller than a page is cut into tiles (:mod:`pathways.export._print`): each tile
repeats the lane headers, and where a route crosses a cut, a tag at the edge names the
page it continues on. Page 1 has an overview of the whole pathway, a frame and a page
number for each tile.

**Tables** repeat their header row on every page; a table of up to :data:`SHORT_TABLE`
rows is kept on one page, a longer one split only where at least :data:`MIN_ROWS` rows
stay on each side. A heading stays with the start of what follows it, a handover's
heading, facts and checklist together.

Fonts are the PDF's standard Helvetica (WinAnsi, with every Norwegian letter), with
Symbol and ZapfDingbats for arrows and signs; a character none of them has is written as
its closest letters (``ő`` as ``o``) or ``?``, never as a black box. The same pathway
and context always give the same bytes: the creation date is the context's
``generated_at`` (else 2000-01-01).

reportlab writes the file (pages, fonts, compression, cross-references); the page
content is written here as PDF operators, since reportlab's own drawing calls cost
ten times as much per text and the export has a time budget (200 ms at 100 steps).
"""

from __future__ import annotations

import bisect
import io
import itertools
import unicodedata
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import lru_cache

from reportlab import rl_config
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.rl_accel import escapePDF, unicode2T1
from reportlab.pdfbase.pdfmetrics import getFont, stringWidth
from reportlab.pdfgen.canvas import Canvas

from pathways.export._print import (
    MIN_ROWS,
    MIN_TEXT,
    SCALE,
    SHORT_TABLE,
    Connector,
    Tile,
    connectors,
    tiles,
)
from pathways.export._text import (
    LEVELS,
    aware,
    index_findings,
    kind_label,
    level_label,
    message_label,
    worst,
)
from pathways.export._words import words as words_of
from pathways.export.context import DEFAULT_CONTEXT, Approval, ExportContext
from pathways.export.layout import Box
from pathways.export.svg import Picture, decision_outline, picture_layout
from pathways.findings import Finding, Severity
from pathways.model import Handover, Level, Pathway, Step, StepKind, Transition
from pathways.wording import deadline_text, duration_text, join, language_or_default

__all__ = ["MIN_ROWS", "MIN_TEXT", "SCALE", "SHORT_TABLE", "Piece", "render", "to_pdf"]

MM = 72 / 25.4
PORTRAIT: tuple[float, float] = A4
LANDSCAPE: tuple[float, float] = landscape(A4)

rl_config.useA85 = 0
"""Streams as binary Flate, not also ASCII85: a quarter smaller, and reportlab's ASCII85
encoder (pure Python without its optional C module) took half the export's time."""


_PX = {"kind": 9.0, "name": 12.0, "role": 10.0, "label": 10.0, "lane": 14.0, "marker": 12.0}
"""The picture's text sizes, in the layout's pixels (as the SVG has them)."""
assert min(_PX.values()) * SCALE >= MIN_TEXT

_FONT, _BOLD, _ITALIC = "Helvetica", "Helvetica-Bold", "Helvetica-Oblique"
_FONTS = (_FONT, _BOLD, _ITALIC, "Symbol", "ZapfDingbats")
"""Registered in this order in every document, so their resource names are the same."""

_PORTRAIT_MARGINS = (18 * MM, 18 * MM, 20 * MM, 18 * MM)
"""Left, right, top, bottom."""
_LANDSCAPE_MARGINS = (10 * MM, 10 * MM, 13 * MM, 12 * MM)
_TILE_CAPTION = 13.0
"""Room at the top of a picture page for its caption, and at the bottom for the legend."""
_STRIP = 13.0
"""Room at each side of a tile for the tags that name the page a route continues on."""


# --- Colours and raw drawing ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Colour:
    fill: str
    stroke: str


def _rgb(code: str) -> _Colour:
    red, green, blue = (int(code[index : index + 2], 16) / 255 for index in (1, 3, 5))
    values = f"{red:.3f} {green:.3f} {blue:.3f}"
    return _Colour(f"{values} rg", f"{values} RG")


_INK = _rgb("#1b1b1b")
_MUTED = _rgb("#5f6b73")
_DARK = _rgb("#37474f")
_ROLE = _rgb("#444444")
_RULE = _rgb("#d0d7de")
_HEAD_FILL = _rgb("#eef1f3")
_WHITE = _rgb("#ffffff")
_LANE_FILL = {Level.MUNICIPALITY: _rgb("#f4f9ef"), Level.HOSPITAL: _rgb("#f1f6fd")}
_HEADER_FILL = {Level.MUNICIPALITY: _rgb("#dcedc8"), Level.HOSPITAL: _rgb("#cfe3f8")}
_STEP_STROKE = {Level.MUNICIPALITY: _rgb("#558b2f"), Level.HOSPITAL: _rgb("#1565c0")}
_LANE_STROKE = _rgb("#b0bec5")
_EDGE = _rgb("#455a64")
_HANDOVER = _rgb("#6a1b9a")
_SEVERITY = {Severity.ERROR: _rgb("#c62828"), Severity.WARNING: _rgb("#ef6c00")}
_DEATH_FILL, _DEATH_STROKE = _rgb("#eceff1"), _rgb("#37474f")

_KAPPA = 0.5523
_HELVETICA = getFont(_FONT)
_NOTDEF = ("ZapfDingbats", b"n")
"""What reportlab writes for a character no font has (a black box)."""


@lru_cache(maxsize=4096)
def _covered(char: str) -> bool:
    """Whether Helvetica (or its Symbol and ZapfDingbats stand-ins) can show ``char``."""
    if char == "\u25a0":  # the black square is ZapfDingbats' own "n"
        return True
    fonts = [_HELVETICA, *_HELVETICA.substitutionFonts]
    return all((font.fontName, data) != _NOTDEF for font, data in unicode2T1(char, fonts))


@lru_cache(maxsize=16384)
def _safe(text: str) -> str:
    """``text`` with only characters the fonts have: others as their closest letters,
    or ``?``; tabs as spaces, other control characters dropped (line breaks kept)."""
    if text.isascii() and text.isprintable():
        return text
    out = []
    for char in text:
        if char == "\n":
            out.append(char)
        elif char == "\t":
            out.append(" ")
        elif not char.isprintable():
            continue
        elif char.isascii() or _covered(char):
            out.append(char)
        else:
            plain = "".join(
                part
                for part in unicodedata.normalize("NFKD", char)
                if not unicodedata.combining(part) and part.isprintable() and _covered(part)
            )
            out.append(plain or "?")
    return "".join(out)


@lru_cache(maxsize=65536)
def _width(text: str, font: str, size: float) -> float:
    return float(stringWidth(text, font, size))


@lru_cache(maxsize=32768)
def _encoded(text: str, font: str) -> tuple[tuple[str, str], ...]:
    """``text`` (already safe) as runs of (font, PDF string), Symbol and ZapfDingbats
    standing in for the characters Helvetica lacks."""
    if text.isascii():
        return ((font, escapePDF(text.encode("ascii"))),)
    face = getFont(font)
    return tuple(
        (run.fontName, escapePDF(data))
        for run, data in unicode2T1(text, [face, *face.substitutionFonts])
    )


class _Ink:
    """The content of one page, as PDF operators."""

    __slots__ = ("fonts", "parts", "runs")

    def __init__(self, fonts: Mapping[str, str], runs: dict[tuple[str, str, float], str]) -> None:
        self.parts: list[str] = []
        self.fonts = fonts
        self.runs = runs
        """The text operators of a (text, font, size), shared by a document's pages."""

    def add(self, operators: str) -> None:
        self.parts.append(operators)

    def fill(self, colour: _Colour) -> None:
        self.parts.append(colour.fill)

    def stroke(self, colour: _Colour, width: float) -> None:
        self.parts.append(f"{colour.stroke} {width:.2f} w")

    def dash(self, on: float = 0.0, off: float = 0.0) -> None:
        self.parts.append(f"[{on:.2f} {off:.2f}] 0 d" if on else "[] 0 d")

    def rect(self, x: float, y: float, width: float, height: float, paint: str) -> None:
        self.parts.append(f"{x:.2f} {y:.2f} {width:.2f} {height:.2f} re {paint}")

    def line(self, x0: float, y0: float, x1: float, y1: float) -> None:
        self.parts.append(f"{x0:.2f} {y0:.2f} m {x1:.2f} {y1:.2f} l S")

    def path(self, points: Iterable[tuple[float, float]], paint: str) -> None:
        self.path_of([f"{x:.2f} {y:.2f}" for x, y in points], paint)

    def path_of(self, points: Sequence[str], paint: str) -> None:
        """A path through ``points``, each already written as ``"x y"``."""
        if len(points) > 1:
            self.parts.append(f"{points[0]} m {' l '.join(points[1:])} l {paint}")
        elif points:
            self.parts.append(f"{points[0]} m {paint}")

    def round_rect(
        self, x: float, y: float, width: float, height: float, radius: float, paint: str
    ) -> None:
        r = max(0.0, min(radius, width / 2, height / 2))
        k = _KAPPA * r
        right, top = x + width, y + height
        self.parts.append(
            f"{x + r:.2f} {y:.2f} m {right - r:.2f} {y:.2f} l "
            f"{right - r + k:.2f} {y:.2f} {right:.2f} {y + r - k:.2f} {right:.2f} {y + r:.2f} c "
            f"{right:.2f} {top - r:.2f} l "
            f"{right:.2f} {top - r + k:.2f} {right - r + k:.2f} {top:.2f} {right - r:.2f} "
            f"{top:.2f} c {x + r:.2f} {top:.2f} l "
            f"{x + r - k:.2f} {top:.2f} {x:.2f} {top - r + k:.2f} {x:.2f} {top - r:.2f} c "
            f"{x:.2f} {y + r:.2f} l {x:.2f} {y + r - k:.2f} {x + r - k:.2f} {y:.2f} "
            f"{x + r:.2f} {y:.2f} c h {paint}"
        )

    def circle(self, x: float, y: float, r: float, paint: str) -> None:
        self.round_rect(x - r, y - r, 2 * r, 2 * r, r, paint)

    def text(
        self, x: float, y: float, text: str, font: str, size: float, squeeze: float = 1.0
    ) -> None:
        """``text`` (already safe) with its baseline's start at ``x``, ``y``."""
        key = (text, font, size)
        runs = self.runs.get(key)
        if runs is None:
            runs = self.runs[key] = " ".join(
                f"{self.fonts[run]} {size:.2f} Tf ({data}) Tj" for run, data in _encoded(text, font)
            )
        if squeeze != 1.0:
            self.parts.append(f"BT {squeeze * 100:.1f} Tz {x:.2f} {y:.2f} Td {runs} 100 Tz ET")
        else:
            self.parts.append(f"BT {x:.2f} {y:.2f} Td {runs} ET")


# --- Text -------------------------------------------------------------------------


@lru_cache(maxsize=32768)
def _wrap(text: str, font: str, size: float, width: float) -> tuple[str, ...]:
    """``text`` (already safe) in lines no wider than ``width``; its line breaks kept,
    words longer than a line broken."""
    lines: list[str] = []
    space = _width(" ", font, size)
    for paragraph in text.split("\n"):
        line: list[str] = []
        used = 0.0
        for word in paragraph.split():
            wide = _width(word, font, size)
            if wide > width:
                if line:
                    lines.append(" ".join(line))
                piece = ""
                for char in word:
                    if piece and _width(piece + char, font, size) > width:
                        lines.append(piece)
                        piece = ""
                    piece += char
                line, used = [piece], _width(piece, font, size)
                continue
            if line and used + space + wide > width:
                lines.append(" ".join(line))
                line, used = [word], wide
            else:
                used += (space if line else 0.0) + wide
                line.append(word)
        lines.append(" ".join(line))
    return tuple(lines)


def _fit(text: str, font: str, size: float, room: float) -> str:
    """``text`` cut with an ellipsis to fit ``room``."""
    if _width(text, font, size) <= room:
        return text
    while text and _width(text + "…", font, size) > room:
        text = text[:-1]
    return text.rstrip() + "…"


@dataclass(frozen=True, slots=True)
class _Style:
    font: str = _FONT
    size: float = 8.5
    leading: float = 10.8
    colour: _Colour = _INK


_BODY = _Style(size=9.5, leading=13)
_MUTED_TEXT = _Style(size=9.5, leading=13, colour=_MUTED)
_CELL = _Style()
_CELL_BOLD = _Style(font=_BOLD)
_CELL_MUTED = _Style(colour=_MUTED)
_HEAD = _Style(font=_BOLD, colour=_DARK)
_H1 = _Style(font=_BOLD, size=18, leading=22)
_H2 = _Style(font=_BOLD, size=13, leading=16)
_H3 = _Style(font=_BOLD, size=10.5, leading=13)
_H4 = _Style(font=_BOLD, size=9, leading=12, colour=_DARK)
_KICKER = _Style(size=7.5, leading=10, colour=_MUTED)
_CAPTION = _Style(size=8, leading=10.5, colour=_MUTED)
_SMALL = 7.0
"""Footers, headers, legends and page tags."""
_TAGS = {
    "error": _Style(font=_BOLD, colour=_SEVERITY[Severity.ERROR]),
    "warning": _Style(font=_BOLD, colour=_rgb("#a84300")),
    "info": _Style(font=_BOLD, colour=_rgb("#0d47a1")),
    "sender": _Style(font=_BOLD, colour=_rgb("#4527a0")),
    "receiver": _Style(font=_BOLD, colour=_rgb("#00695c")),
}
_LEVEL_HEADING = {
    Level.MUNICIPALITY: _Style(font=_BOLD, size=10.5, leading=13, colour=_rgb("#2e7d32")),
    Level.HOSPITAL: _Style(font=_BOLD, size=10.5, leading=13, colour=_rgb("#1565c0")),
}


def _when(value: datetime | date) -> str:
    """A date, or a time to the minute with its zone: ``2026-03-01 14:05 UTC``."""
    if isinstance(value, datetime):
        value = aware(value)
        offset = value.utcoffset()
        zone = " UTC" if not offset else " " + value.strftime("%z")
        return value.strftime("%Y-%m-%d %H:%M") + zone
    return value.isoformat()


# --- Pages and the flow of blocks -------------------------------------------------


@dataclass(frozen=True, slots=True)
class Piece:
    """One part of a table as drawn: its page, the table's name, its first row (counted
    from 0 in the whole table), how many rows it has and how many the whole table has."""

    page: int
    table: str
    first: int
    rows: int
    total: int


@dataclass(slots=True)
class _Page:
    number: int
    size: tuple[float, float]
    ink: _Ink
    later: list[Callable[[_Ink, _Book], None]] = field(default_factory=list)
    """Drawn once every page is laid out (what needs the page numbers)."""


@dataclass(slots=True)
class _Book:
    """The document's pages and what they learn from each other."""

    words: Mapping[str, str]
    lang: str
    title: str
    status: str
    footer: str
    fonts: Mapping[str, str]
    pages: list[_Page] = field(default_factory=list)
    runs: dict[tuple[str, str, float], str] = field(default_factory=dict)
    """See :attr:`_Ink.runs`."""
    first_tile_page: int | None = None
    pieces: list[Piece] = field(default_factory=list)


class _Block:
    """Something placed in the flow of a portrait page: it has a height for a width,
    may split, and draws itself with its top-left corner at ``x``, ``top``."""

    before: float = 0.0
    keep_with_next: bool = False

    def measure(self, width: float) -> float:
        raise NotImplementedError

    def least(self, width: float) -> float:
        """The height of the smallest first part it can be split into."""
        return self.measure(width)

    def split(self, width: float, room: float, at_top: bool) -> list[_Block] | None:
        """Blocks to put in its place, the first no taller than ``room``; ``None`` if it
        should move to the next page (never ``None`` ``at_top``, unless it fits)."""
        return None

    def draw(self, book: _Book, page: _Page, x: float, top: float, width: float) -> None:
        raise NotImplementedError


@dataclass(slots=True)
class _Break(_Block):
    """A page break; the next page is ``template`` (``portrait`` or ``landscape``)."""

    template: str = "portrait"


class _Flow:
    """Places blocks on portrait pages, top to bottom, and breaks pages."""

    def __init__(self, book: _Book) -> None:
        self.book = book
        self.page: _Page | None = None
        self.template = "portrait"
        self.y = 0.0

    def frame(self) -> tuple[float, float, float, float]:
        size = PORTRAIT if self.template == "portrait" else LANDSCAPE
        left, right, top, bottom = (
            _PORTRAIT_MARGINS if self.template == "portrait" else _LANDSCAPE_MARGINS
        )
        return left, size[1] - top, size[0] - left - right, bottom

    def new_page(self) -> _Page:
        size = PORTRAIT if self.template == "portrait" else LANDSCAPE
        page = _Page(len(self.book.pages) + 1, size, _Ink(self.book.fonts, self.book.runs))
        self.book.pages.append(page)
        self.page = page
        self.y = self.frame()[1]
        return page

    def run(self, blocks: Iterable[_Block]) -> None:
        queue = deque(blocks)
        while queue:
            block = queue.popleft()
            if isinstance(block, _Break):
                self.template = block.template
                self.page = None
                continue
            if self.page is None:
                self.new_page()
            assert self.page is not None
            left, top, width, bottom = self.frame()
            at_top = self.y >= top - 0.01
            before = 0.0 if at_top else block.before
            room = self.y - bottom - before
            height = block.measure(width)
            need = height
            if block.keep_with_next and queue and not isinstance(queue[0], _Break):
                following = queue[0]
                need += following.before + following.least(width)
            if need <= room + 0.01 or (at_top and height <= room + 0.01):
                block.draw(self.book, self.page, left, self.y - before, width)
                self.y -= before + height
                continue
            if block.keep_with_next and not at_top:
                self.page = None
                queue.appendleft(block)
                continue
            parts = block.split(width, room, at_top)
            if parts:
                queue.extendleft(reversed(parts))
                continue
            if at_top:  # nothing else to do: let it run over the page
                block.draw(self.book, self.page, left, self.y - before, width)
                self.page = None
                continue
            self.page = None
            queue.appendleft(block)


class _Text(_Block):
    """Plain text in one style: wrapped, split between lines (two or more on each side)."""

    def __init__(
        self,
        text: str,
        style: _Style,
        *,
        before: float = 0.0,
        after: float = 0.0,
        keep_with_next: bool = False,
        lines: tuple[str, ...] | None = None,
    ) -> None:
        self.text = _safe(text)
        self.style = style
        self.before, self.after = before, after
        self.keep_with_next = keep_with_next
        self.lines = lines

    def _lines(self, width: float) -> tuple[str, ...]:
        if self.lines is None:
            self.lines = _wrap(self.text, self.style.font, self.style.size, width)
        return self.lines

    def measure(self, width: float) -> float:
        return len(self._lines(width)) * self.style.leading + self.after

    def least(self, width: float) -> float:
        lines = len(self._lines(width))
        return (2 if lines >= 4 else lines) * self.style.leading

    def split(self, width: float, room: float, at_top: bool) -> list[_Block] | None:
        lines = self._lines(width)
        fit = int(room // self.style.leading)
        if at_top:
            fit = max(1, fit)
        elif len(lines) < 4 or fit < 2:
            return None
        else:
            fit = min(fit, len(lines) - 2)
        if fit >= len(lines):
            return None
        first = _Text("", self.style, before=self.before, lines=lines[:fit])
        rest = _Text("", self.style, after=self.after, lines=lines[fit:])
        return [first, rest]

    def draw(self, book: _Book, page: _Page, x: float, top: float, width: float) -> None:
        style = self.style
        ink = page.ink
        ink.fill(style.colour)
        y = top - style.size
        for line in self._lines(width):
            ink.text(x, y, line, style.font, style.size)
            y -= style.leading


class _Group(_Block):
    """Blocks kept on one page; split into its blocks only when a page cannot hold it."""

    def __init__(self, blocks: Sequence[_Block]) -> None:
        self.blocks = list(blocks)
        self.before = self.blocks[0].before if self.blocks else 0.0

    def measure(self, width: float) -> float:
        return sum(
            (block.before if index else 0.0) + block.measure(width)
            for index, block in enumerate(self.blocks)
        )

    def split(self, width: float, room: float, at_top: bool) -> list[_Block] | None:
        return list(self.blocks) if at_top else None

    def draw(self, book: _Book, page: _Page, x: float, top: float, width: float) -> None:
        y = top
        for index, block in enumerate(self.blocks):
            if index:
                y -= block.before
            block.draw(book, page, x, y, width)
            y -= block.measure(width)


Cell = tuple[str, _Style]
"""A table cell: its text and its style."""

_PAD_X, _PAD_Y = 4.0, 3.0


class _Rows:
    """A table's rows, wrapped for one width: shared by the parts a table splits into."""

    def __init__(self, fractions: Sequence[float], rows: Sequence[Sequence[Cell]]) -> None:
        self.fractions = fractions
        self.cells = [[(_safe(text), style) for text, style in row] for row in rows]
        self.width = -1.0
        self.lines: list[list[tuple[str, ...]]] = []
        self.heights: list[float] = []
        self.sums: list[float] = [0.0]
        """``sums[i]``: the height of the rows before row ``i``."""

    def layout(self, width: float) -> None:
        if self.width == width and len(self.lines) == len(self.cells):
            return
        widths = [max(fraction * width - 2 * _PAD_X, 10.0) for fraction in self.fractions]
        self.lines = [
            [
                _wrap(text, style.font, style.size, cell)
                for (text, style), cell in zip(row, widths, strict=True)
            ]
            for row in self.cells
        ]
        self._measure()
        self.width = width

    def _measure(self) -> None:
        self.heights = [
            2 * _PAD_Y
            + max(len(lines) * style.leading for lines, (_, style) in zip(cells, row, strict=True))
            for cells, row in zip(self.lines, self.cells, strict=True)
        ]
        self.sums = list(itertools.accumulate(self.heights, initial=0.0))


class _Grid(_Block):
    """A table: headings above it, a header row repeated on every page, rows with a rule
    below each. Split only between rows, with at least :data:`MIN_ROWS` rows on each
    side, and not at all if it has at most :data:`SHORT_TABLE` rows, unless a whole page
    cannot hold it (then as needed, a row taller than a page between its lines)."""

    def __init__(
        self,
        name: str,
        widths: Sequence[float],
        header: Sequence[str] | None,
        rows: Sequence[Sequence[Cell]] | _Rows,
        *,
        headings: Sequence[tuple[str, _Style, float]] = (),
        before: float = 0.0,
        after: float = 8.0,
        start: int = 0,
        end: int | None = None,
        first: int = 0,
    ) -> None:
        self.name = name
        self.fractions = tuple(widths)
        self.header = tuple(_safe(text) for text in header) if header is not None else None
        self.data = rows if isinstance(rows, _Rows) else _Rows(self.fractions, rows)
        self.start = start
        self.end = len(self.data.cells) if end is None else end
        self.first = first
        """The number of this part's first row in the whole table."""
        self.headings = [(_safe(text), style, space) for text, style, space in headings]
        self.before, self.after = before, after
        self._width = -1.0
        self._top = 0.0

    @property
    def count(self) -> int:
        return self.end - self.start

    def _layout(self, width: float) -> None:
        self.data.layout(width)
        if self._width == width:
            return
        widths = [max(fraction * width - 2 * _PAD_X, 10.0) for fraction in self.fractions]
        self._headings = [
            (_wrap(text, style.font, style.size, width), style, space)
            for text, style, space in self.headings
        ]
        self._header = (
            [
                _wrap(text, _HEAD.font, _HEAD.size, cell)
                for text, cell in zip(self.header, widths, strict=True)
            ]
            if self.header is not None
            else []
        )
        self._header_height = (
            2 * _PAD_Y + max(len(lines) for lines in self._header) * _HEAD.leading
            if self._header
            else 0.0
        )
        self._top = (
            sum(
                (space if index else 0.0) + len(lines) * style.leading + 3
                for index, (lines, style, space) in enumerate(self._headings)
            )
            + self._header_height
        )
        self._width = width

    def _rows_height(self, start: int, end: int) -> float:
        return self.data.sums[end] - self.data.sums[start]

    def measure(self, width: float) -> float:
        self._layout(width)
        return self._top + self._rows_height(self.start, self.end) + self.after

    def least(self, width: float) -> float:
        self._layout(width)
        if self.count <= SHORT_TABLE:
            return self.measure(width)
        return self._top + self._rows_height(self.start, self.start + MIN_ROWS)

    def _part(self, start: int, end: int, *, head: bool) -> _Grid:
        """Rows ``start`` to ``end``: the part before a page break has the headings and no
        room below; the part after it the room below."""
        return _Grid(
            self.name,
            self.fractions,
            self.header,
            self.data,
            headings=self.headings if head else (),
            before=self.before if head else 0.0,
            after=0.0 if head else self.after,
            start=start,
            end=end,
            first=self.first + start - self.start,
        )

    def split(self, width: float, room: float, at_top: bool) -> list[_Block] | None:
        self._layout(width)
        sums = self.data.sums
        limit = sums[self.start] + room - self._top + 0.01
        fit = min(bisect.bisect_right(sums, limit) - 1, self.end) - self.start
        count = self.count
        if not at_top:
            if count <= SHORT_TABLE or fit < MIN_ROWS:
                return None
            fit = min(fit, count - MIN_ROWS)
            if fit < MIN_ROWS:
                return None
        elif fit <= 0:
            return self._split_row(room - self._top)
        elif count - fit < MIN_ROWS:
            fit = max(1, count - MIN_ROWS)
        if fit >= count:
            return None
        middle = self.start + fit
        return [
            self._part(self.start, middle, head=True),
            self._part(middle, self.end, head=False),
        ]

    def _split_row(self, space: float) -> list[_Block] | None:
        """The first row is taller than a page: split it between its lines."""
        data = self.data
        row = self.start
        leading = max(style.leading for _, style in data.cells[row])
        keep = max(1, int((space - 2 * _PAD_Y) // leading))
        cells = data.lines[row]
        if keep >= max(len(lines) for lines in cells):
            return None
        rest = _Rows(self.fractions, ())
        rest.cells = data.cells[row : self.end]
        rest.lines = [[lines[keep:] for lines in cells], *data.lines[row + 1 : self.end]]
        rest.width = data.width
        rest._measure()
        head = _Rows(self.fractions, ())
        head.cells = [data.cells[row]]
        head.lines = [[lines[:keep] for lines in cells]]
        head.width = data.width
        head._measure()
        first = _Grid(
            self.name, self.fractions, self.header, head, headings=self.headings,
            before=self.before, after=0.0, first=self.first,
        )  # fmt: skip
        tail = _Grid(
            self.name, self.fractions, self.header, rest, after=self.after, first=self.first
        )
        return [first, tail]

    def draw(self, book: _Book, page: _Page, x: float, top: float, width: float) -> None:
        self._layout(width)
        data = self.data
        ink = page.ink
        widths = [fraction * width for fraction in self.fractions]
        y = top
        for index, (lines, style, space) in enumerate(self._headings):
            if index:
                y -= space
            ink.fill(style.colour)
            for line in lines:
                ink.text(x, y - style.size, line, style.font, style.size)
                y -= style.leading
            y -= 3
        ink.stroke(_RULE, 0.5)
        if self._header:
            height = self._header_height
            ink.fill(_HEAD_FILL)
            ink.rect(x, y - height, width, height, "f")
            self._cells(ink, self._header, [_HEAD] * len(self._header), widths, x, y)
            y -= height
            ink.line(x, y, x + width, y)
        for index in range(self.start, self.end):
            row = data.cells[index]
            self._cells(ink, data.lines[index], [style for _, style in row], widths, x, y)
            y -= data.heights[index]
            ink.line(x, y, x + width, y)
        total = self.first + (len(data.cells) - self.start)
        book.pieces.append(Piece(page.number, self.name, self.first, self.count, total))

    @staticmethod
    def _cells(
        ink: _Ink,
        cells: Sequence[tuple[str, ...]],
        styles: Sequence[_Style],
        widths: Sequence[float],
        x: float,
        top: float,
    ) -> None:
        for lines, style, width in zip(cells, styles, widths, strict=True):
            if lines and lines[0]:
                ink.fill(style.colour)
                y = top - _PAD_Y - style.size
                for line in lines:
                    ink.text(x + _PAD_X, y, line, style.font, style.size)
                    y -= style.leading
            x += width


# --- The picture ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Scene:
    """The picture to draw, and how it is cut into pages."""

    pathway: Pathway
    picture: Picture
    tiles: tuple[Tile, ...]
    connectors: Mapping[int, list[Connector]]
    step_findings: Mapping[str, list[Finding]]
    transition_findings: Mapping[str, list[Finding]]
    transitions: Mapping[str, Transition]
    columns: tuple[tuple[list[str], list[str], list[str]], ...]
    """Per column of tiles: the steps, edge labels and routes that reach into it."""
    lang: str

    @property
    def header(self) -> float:
        return self.picture.layout.header

    @property
    def top(self) -> float:
        return min((lane.y for lane in self.picture.layout.lanes.values()), default=0.0)

    @property
    def bottom(self) -> float:
        lanes = self.picture.layout.lanes.values()
        return max((lane.bottom for lane in lanes), default=self.picture.layout.height)


def _scene(pathway: Pathway, context: ExportContext, area: tuple[float, float]) -> _Scene:
    """The picture of ``pathway`` (the adapter to :func:`picture_layout`: the only place
    that knows its shape), cut for pages whose picture area is ``area`` points."""
    picture = picture_layout(pathway, context)
    places = picture.layout
    parts = tiles(places, width=area[0] / SCALE, height=area[1] / SCALE)
    step_findings, transition_findings = index_findings(context.findings)
    spans = {
        key: (min(x for x, _ in route), max(x for x, _ in route))
        for key, route in places.routes.items()
        if len(route) > 1
    }
    columns = []
    for x0, x1 in sorted({(tile.x0, tile.x1) for tile in parts}):
        steps = [key for key, box in places.boxes.items() if box.x < x1 and box.right > x0]
        labels = [key for key, box in places.labels.items() if box.x < x1 and box.right > x0]
        routes = [key for key, (low, high) in spans.items() if low <= x1 and high >= x0]
        columns.append((steps, labels, routes))
    return _Scene(
        pathway,
        picture,
        parts,
        connectors(places, parts),
        step_findings,
        transition_findings,
        {transition.key: transition for transition in pathway.transitions},
        tuple(columns),
        language_or_default(context.language),
    )


class _Pen:
    """Draws in the layout's pixels: ``x`` from ``x0`` at ``left``, ``y`` from ``y0``
    downwards from ``top``, at ``scale`` points per pixel."""

    __slots__ = ("ink", "left", "s", "top", "x0", "y0")

    def __init__(
        self, ink: _Ink, left: float, top: float, x0: float, y0: float, scale: float
    ) -> None:
        self.ink, self.left, self.top, self.x0, self.y0, self.s = ink, left, top, x0, y0, scale

    def x(self, x: float) -> float:
        return self.left + (x - self.x0) * self.s

    def y(self, y: float) -> float:
        return self.top - (y - self.y0) * self.s

    def box(self, box: Box, paint: str, radius: float = 0.0) -> None:
        x, y = self.x(box.x), self.y(box.bottom)
        width, height = box.width * self.s, box.height * self.s
        if radius > 0:
            self.ink.round_rect(x, y, width, height, radius * self.s, paint)
        else:
            self.ink.rect(x, y, width, height, paint)

    def path(self, points: Iterable[tuple[float, float]], paint: str) -> None:
        left, top, x0, y0, scale = self.left, self.top, self.x0, self.y0, self.s
        self.ink.path_of(
            [f"{left + (x - x0) * scale:.2f} {top - (y - y0) * scale:.2f}" for x, y in points],
            paint,
        )

    def text(
        self,
        text: str,
        x: float,
        y: float,
        font: str,
        px: float,
        *,
        room: float | None = None,
        centred: bool = True,
    ) -> None:
        """``text`` at ``px`` pixels, its baseline at ``y``, centred on ``x`` (or from
        it); squeezed sideways, never made smaller, to fit ``room`` pixels."""
        size = px * self.s
        width = _width(text, font, size)
        squeeze = 1.0
        if room is not None and width > room * self.s:
            squeeze = max(0.6, room * self.s / width)
            width *= squeeze
        left = self.x(x) - (width / 2 if centred else 0.0)
        self.ink.text(left, self.y(y), text, font, size, squeeze)


def _arrowhead(pen: _Pen, route: Sequence[tuple[float, float]]) -> None:
    (xa, ya), (xb, yb) = route[-2], route[-1]
    length = max(abs(xb - xa), abs(yb - ya)) or 1.0
    dx, dy = (xb - xa) / length, (yb - ya) / length
    bx, by = xb - dx * 10.0, yb - dy * 10.0
    pen.path([(xb, yb), (bx - dy * 5.0, by + dx * 5.0), (bx + dy * 5.0, by - dx * 5.0)], "h f")


def _marker(pen: _Pen, x: float, y: float, severity: Severity) -> None:
    ink = pen.ink
    ink.fill(_SEVERITY[severity])
    ink.stroke(_WHITE, 1.5 * pen.s)
    ink.circle(pen.x(x), pen.y(y), 9 * pen.s, "B")
    ink.fill(_WHITE)
    pen.text("!", x, y + 4, _BOLD, _PX["marker"])


def _route_style(scene: _Scene, transition: Transition) -> tuple[_Colour, float, bool]:
    severity = worst(scene.transition_findings.get(transition.key, ()))
    cross = scene.pathway.is_cross_level(transition)
    if severity is not None and severity in _SEVERITY:
        return _SEVERITY[severity], 2.5, cross
    if cross:
        return _HANDOVER, 2.2, True
    return _EDGE, 1.5, False


def _visible_runs(
    route: Sequence[tuple[float, float]], window: tuple[float, float, float, float]
) -> list[list[tuple[float, float]]]:
    """The runs of ``route``'s segments that reach into ``window`` (x0, x1, y0, y1): a
    tile draws only those, not the whole of every long line that passes it."""
    x0, x1, y0, y1 = window
    runs: list[list[tuple[float, float]]] = []
    run: list[tuple[float, float]] = []
    for (xa, ya), (xb, yb) in itertools.pairwise(route):
        if min(xa, xb) <= x1 and max(xa, xb) >= x0 and min(ya, yb) <= y1 and max(ya, yb) >= y0:
            if not run:
                run.append((xa, ya))
            run.append((xb, yb))
        elif run:
            runs.append(run)
            run = []
    if run:
        runs.append(run)
    return runs


def _draw_route(
    pen: _Pen,
    scene: _Scene,
    transition: Transition,
    window: tuple[float, float, float, float],
) -> None:
    """The parts of a transition's line that reach into ``window``, and its arrow if
    the arrow is there."""
    route = scene.picture.layout.routes.get(transition.key)
    if not route or len(route) < 2:
        return
    runs = _visible_runs(route, window)
    if not runs:
        return
    colour, width, dashed = _route_style(scene, transition)
    ink = pen.ink
    ink.stroke(colour, width * pen.s)
    ink.fill(colour)
    if dashed:
        ink.dash(7 * pen.s, 4 * pen.s)
    ends_here = runs[-1][-1] == route[-1]
    for run in runs[:-1] if ends_here else runs:
        pen.path(run, "S")
    if ends_here:
        # The line stops short of the arrow's tip, so that the tip stays sharp.
        last = runs[-1]
        (xa, ya), (xb, yb) = last[-2], last[-1]
        length = max(abs(xb - xa), abs(yb - ya)) or 1.0
        trim = min(8.0, length) / length
        pen.path([*last[:-1], (xb - (xb - xa) * trim, yb - (yb - ya) * trim)], "S")
    if dashed:
        ink.dash()
    if ends_here:
        _arrowhead(pen, route)


def _draw_label(pen: _Pen, scene: _Scene, transition: Transition) -> None:
    key = transition.key
    layout = scene.picture.layout
    box = layout.labels.get(key)
    lines = scene.picture.label_lines.get(key)
    severity = worst(scene.transition_findings.get(key, ()))
    flagged = severity is not None and severity in _SEVERITY
    if box is None or not lines:
        route = layout.routes.get(key)
        if severity is not None and flagged and route:
            _marker(pen, route[0][0] + 10, route[0][1] - 12, severity)
        return
    ink = pen.ink
    width = box.width - (18.0 if key in scene.picture.flagged else 0.0)
    ink.fill(_WHITE)
    ink.stroke(_HANDOVER, 0.8 * pen.s)
    paint = "B" if scene.pathway.is_cross_level(transition) else "f"
    pen.box(Box(box.x, box.y, width, box.height), paint, radius=4)
    middle = box.x + width / 2
    for index, (css, text) in enumerate(lines):
        messages = css == "messages"
        ink.fill(_HANDOVER if messages else _INK)
        font = _BOLD if messages else _FONT
        y = box.y + 13 + index * 12
        pen.text(_safe(text), middle, y, font, _PX["label"], room=width - 6)
    if severity is not None and flagged:
        _marker(pen, box.right - 7, box.y + 9, severity)


_SIDE_ROOM = {StepKind.DECISION: 30.0, StepKind.OUTPATIENT: 26.0}


def _draw_step(pen: _Pen, scene: _Scene, step: Step) -> None:
    box = scene.picture.layout.boxes[step.key]
    ink = pen.ink
    severity = worst(scene.step_findings.get(step.key, ()))
    flagged = severity is not None and severity in _SEVERITY
    if severity is not None and flagged:
        stroke = _SEVERITY[severity]
    else:
        stroke = _DEATH_STROKE if step.kind is StepKind.DEATH else _STEP_STROKE[step.level]
    ink.stroke(stroke, (3.0 if flagged else 1.5) * pen.s)
    ink.fill(_WHITE)
    inset = 4.0
    if step.kind is StepKind.DEATH:
        # An end, like home, but grey and with a double outline.
        ink.fill(_DEATH_FILL)
        pen.box(box, "B", radius=box.height / 2)
        inner = Box(box.x + inset, box.y + inset, box.width - 2 * inset, box.height - 2 * inset)
        ink.stroke(_DEATH_STROKE, pen.s)
        pen.box(inner, "S", radius=inner.height / 2)
    elif step.kind is StepKind.OUTPATIENT:
        # A visit and back: a box with a bar down each side.
        pen.box(box, "B", radius=2)
        ink.stroke(stroke, pen.s)
        for x in (box.x + 2 * inset, box.right - 2 * inset):
            pen.path([(x, box.y), (x, box.bottom)], "S")
    elif step.kind is StepKind.DECISION:
        pen.path(decision_outline(box), "h B")
    else:
        pen.box(box, "B", radius=box.height / 2 if step.kind is StepKind.HOME else 8)
    side = _SIDE_ROOM.get(step.kind, 14.0)
    ink.fill(_MUTED)
    kind = _safe(kind_label(step.kind, scene.lang).upper())
    pen.text(kind, box.cx, box.y + 15, _FONT, _PX["kind"], room=box.width - side)
    ink.fill(_INK)
    room = box.width - (side if step.kind is StepKind.DECISION else 12.0)
    for index, line in enumerate(scene.picture.names[step.key]):
        pen.text(_safe(line), box.cx, box.y + 30 + 14 * index, _BOLD, _PX["name"], room=room)
    roles = scene.picture.roles[step.key]
    if roles:
        ink.fill(_ROLE)
        first = box.bottom - 9 - 12 * (len(roles) - 1)
        for index, line in enumerate(roles):
            y = first + 12 * index
            pen.text(_safe(line), box.cx, y, _ITALIC, _PX["role"], room=room)
    if severity is not None and flagged:
        _marker(pen, box.right - 2, box.y - 4, severity)


def _lane_headers(pen: _Pen, scene: _Scene, y0: float, y1: float) -> None:
    """The lane headers at the left of a tile: each lane's name in its visible part."""
    ink = pen.ink
    header = scene.header
    for level in LEVELS:
        lane = scene.picture.layout.lanes.get(level.value)
        if lane is None or lane.bottom <= y0 or lane.y >= y1:
            continue
        top, bottom = max(lane.y, y0), min(lane.bottom, y1)
        ink.fill(_HEADER_FILL[level])
        ink.stroke(_LANE_STROKE, 0.7)
        pen.box(Box(pen.x0, top, header, bottom - top), "B")
        if bottom - top < 44:
            continue
        english, _, norwegian = level_label(level, scene.lang).partition(" / ")
        middle = (top + bottom) / 2
        ink.fill(_INK)
        x, room = pen.x0 + 12, header - 20
        pen.text(_safe(english + " /"), x, middle - 4, _BOLD, _PX["lane"], room=room, centred=False)
        pen.text(_safe(norwegian), x, middle + 14, _ITALIC, _PX["lane"], room=room, centred=False)


def _legend(ink: _Ink, said: Mapping[str, str], x: float, y: float, page: int | None) -> None:
    """One line that explains the picture's lines, outlines and page tags, from ``x``
    with its baseline at ``y``; ``page`` is a page to name in the tag's example."""
    size = _SMALL
    middle = y + size * 0.35
    for text, colour, dashed in (
        (_safe(said["legend_transition"]), _EDGE, False),
        (_safe(said["legend_handover"]), _HANDOVER, True),
    ):
        ink.stroke(colour, 1.4)
        ink.fill(colour)
        if dashed:
            ink.dash(4.9, 2.8)
        ink.line(x, middle, x + 22, middle)
        if dashed:
            ink.dash()
        ink.path([(x + 28, middle), (x + 21, middle + 3.5), (x + 21, middle - 3.5)], "h f")
        ink.fill(_INK)
        ink.text(x + 32, y, text, _FONT, size)
        x += 44 + _width(text, _FONT, size)
    for text, severity in ((said["error"], Severity.ERROR), (said["warning"], Severity.WARNING)):
        text = _safe(text)
        ink.stroke(_SEVERITY[severity], 2)
        ink.round_rect(x, y - 2, 18, 10, 2, "S")
        ink.fill(_INK)
        ink.text(x + 23, y, text, _FONT, size)
        x += 35 + _width(text, _FONT, size)
    if page is not None:
        ink.fill(_HANDOVER)
        ink.path([(x, middle - 2.5), (x + 3.5, middle), (x, middle + 2.5)], "h f")
        number = str(page)
        ink.text(x + 5, y, number, _BOLD, size)
        ink.fill(_INK)
        text = _safe(": " + said["continues_on"].format(pages=number))
        ink.text(x + 5 + _width(number, _BOLD, size), y, text, _FONT, size)


class _Legend(_Block):
    before = 2.0

    def __init__(self, said: Mapping[str, str]) -> None:
        self.said = said

    def measure(self, width: float) -> float:
        return 16.0

    def draw(self, book: _Book, page: _Page, x: float, top: float, width: float) -> None:
        _legend(page.ink, self.said, x, top - 11, None)


class _Overview(_Block):
    """The whole picture, small and without text: a frame for each tile and, once the
    tiles' pages are known, the page it is on."""

    _MAX_HEIGHT = 230.0

    def __init__(self, scene: _Scene) -> None:
        self.scene = scene

    def _scale(self, width: float) -> float:
        scene = self.scene
        return min(
            width / max(scene.picture.layout.width, 1.0),
            self._MAX_HEIGHT / max(scene.bottom - scene.top, 1.0),
        )

    def measure(self, width: float) -> float:
        scene = self.scene
        return (scene.bottom - scene.top) * self._scale(width) + 2 * _CAPTION.leading + 8

    def draw(self, book: _Book, page: _Page, x: float, top: float, width: float) -> None:
        scene = self.scene
        layout = scene.picture.layout
        pen = _Pen(page.ink, x, top, 0.0, scene.top, self._scale(width))
        ink = page.ink
        for level in LEVELS:
            lane = layout.lanes.get(level.value)
            if lane is None:
                continue
            ink.fill(_LANE_FILL[level])
            ink.stroke(_LANE_STROKE, 0.4)
            pen.box(lane, "B")
            ink.fill(_HEADER_FILL[level])
            pen.box(Box(lane.x, lane.y, layout.header, lane.height), "B")
        for transition in scene.pathway.transitions:
            route = layout.routes.get(transition.key)
            if route and len(route) > 1:
                colour, _, _ = _route_style(scene, transition)
                ink.stroke(colour, 0.35)
                pen.path(route, "S")
        ink.fill(_WHITE)
        for step in scene.pathway.steps:
            severity = worst(scene.step_findings.get(step.key, ()))
            outline = _SEVERITY.get(severity) if severity is not None else None
            ink.stroke(outline or _STEP_STROKE[step.level], 0.5)
            pen.box(layout.boxes[step.key], "B")
        ink.stroke(_INK, 0.6)
        ink.dash(2, 1.5)
        frames = []
        for tile in scene.tiles:
            left, right, upper, lower = (
                pen.x(tile.x0),
                pen.x(tile.x1),
                pen.y(tile.y0),
                pen.y(tile.y1),
            )
            ink.rect(left, lower, right - left, upper - lower, "S")
            frames.append((left, lower, right, upper))
        ink.dash()
        caption_y = pen.y(scene.bottom) - 4 - _CAPTION.size

        def later(ink: _Ink, book: _Book) -> None:
            first = book.first_tile_page
            if first is None:
                return
            if all(r - l >= 16 and u - lo >= 10 for l, lo, r, u in frames):  # noqa: E741
                for index, (left, lower, right, upper) in enumerate(frames):
                    number = str(first + index)
                    label = _width(number, _BOLD, _SMALL) + 4
                    cx, cy = (left + right) / 2, (lower + upper) / 2
                    ink.fill(_WHITE)
                    ink.rect(cx - label / 2, cy - 4.5, label, 9, "f")
                    ink.fill(_INK)
                    ink.text(cx - label / 2 + 2, cy - 2.4, number, _BOLD, _SMALL)
            text = book.words["picture_pages"].format(
                first=first, last=first + len(frames) - 1, parts=len(frames)
            )
            ink.fill(_CAPTION.colour)
            y = caption_y
            for line in _wrap(_safe(text), _CAPTION.font, _CAPTION.size, width)[:2]:
                ink.text(x, y, line, _CAPTION.font, _CAPTION.size)
                y -= _CAPTION.leading

        page.later.append(later)


def _tile_page(book: _Book, scene: _Scene, tile: Tile) -> None:
    """One tile of the picture on a landscape page of its own."""
    left_margin, _, top_margin, bottom_margin = _LANDSCAPE_MARGINS
    size = LANDSCAPE
    page = _Page(len(book.pages) + 1, size, _Ink(book.fonts, book.runs))
    book.pages.append(page)
    if tile.index == 0:
        book.first_tile_page = page.number
    first = book.first_tile_page
    assert first is not None
    ink = page.ink
    frame_top = size[1] - top_margin
    header = scene.header
    content_x0 = tile.content_x0(header)
    left = left_margin + _STRIP
    top = frame_top - _TILE_CAPTION - _STRIP
    content_left = left + header * SCALE
    pen = _Pen(ink, content_left, top, content_x0, tile.y0, SCALE)
    right, bottom = pen.x(tile.x1), pen.y(tile.y1)
    layout = scene.picture.layout
    ink.add("q")
    ink.rect(content_left, bottom, right - content_left, top - bottom, "W n")
    for level in LEVELS:
        lane = layout.lanes.get(level.value)
        if lane is not None and lane.bottom > tile.y0 and lane.y < tile.y1:
            ink.fill(_LANE_FILL[level])
            ink.stroke(_LANE_STROKE, 0.7)
            pen.box(Box(content_x0, lane.y, tile.x1 - content_x0, lane.height), "B")
    steps, labels, routes = scene.columns[tile.column]
    transitions = scene.transitions
    ink.add("1 j")
    margin = 20.0  # line widths and arrowheads reaching in from outside
    window = (content_x0 - margin, tile.x1 + margin, tile.y0 - margin, tile.y1 + margin)
    for key in routes:
        transition = transitions.get(key)
        if transition is not None:
            _draw_route(pen, scene, transition, window)
    flagged_without_label = [
        key for key in routes if key not in layout.labels and scene.transition_findings.get(key)
    ]
    for key in [*labels, *flagged_without_label]:
        box = layout.labels.get(key)
        if (box is None or (box.bottom > tile.y0 and box.y < tile.y1)) and key in transitions:
            _draw_label(pen, scene, transitions[key])
    for key in steps:
        box = layout.boxes[key]
        if box.bottom + 14 > tile.y0 and box.y - 14 < tile.y1:
            _draw_step(pen, scene, scene.pathway.step(key))
    ink.add("Q")
    _lane_headers(_Pen(ink, left, top, 0.0, tile.y0, SCALE), scene, tile.y0, tile.y1)
    ink.stroke(_LANE_STROKE, 0.7)
    ink.rect(left, bottom, right - left, top - bottom, "S")
    near = _tile_connectors(ink, scene, tile, pen, left, right, bottom, first)
    said = book.words
    caption = said["picture"]
    if len(scene.tiles) > 1:
        caption = said["picture_part"].format(part=tile.index + 1, parts=len(scene.tiles))
    if near:
        listed = join([str(number) for number in near], book.lang)
        caption += " · " + said["continues_on"].format(pages=listed)
    ink.fill(_INK)
    ink.text(left_margin, frame_top - 9, _safe(caption), _BOLD, 8)
    _legend(ink, said, left_margin, bottom_margin + 3, near[0] if near else None)


def _tile_connectors(
    ink: _Ink,
    scene: _Scene,
    tile: Tile,
    pen: _Pen,
    left: float,
    right: float,
    bottom: float,
    first: int,
) -> list[int]:
    """At each side that routes leave by: a small arrow where each crosses, and a tag
    with the page it continues on (one for each run of crossings close together).
    Returns those pages."""
    size = 6.5
    top = pen.top
    pages: set[int] = set()
    ink.fill(_HANDOVER)
    for connector in scene.connectors.get(tile.index, ()):
        page = first + connector.other
        number = str(page)
        marks: list[float] = []
        for position in connector.positions:
            if connector.side in ("left", "right"):
                if tile.y0 <= position <= tile.y1:
                    marks.append(pen.y(position))
            elif tile.x0 <= position <= tile.x1:
                marks.append(pen.x(position))
        if not marks:
            continue
        pages.add(page)
        tags: list[float] = []
        for mark in sorted(marks):
            if not tags or abs(mark - tags[-1]) > 11:
                tags.append(mark)
            if connector.side == "right":
                ink.path([(right, mark - 2.5), (right + 3.5, mark), (right, mark + 2.5)], "h f")
            elif connector.side == "left":
                ink.path([(left, mark - 2.5), (left - 3.5, mark), (left, mark + 2.5)], "h f")
            elif connector.side == "top":
                ink.path([(mark - 2.5, top), (mark, top + 3.5), (mark + 2.5, top)], "h f")
            else:
                ink.path([(mark - 2.5, bottom), (mark, bottom - 3.5), (mark + 2.5, bottom)], "h f")
        wide = _width(number, _BOLD, size)
        for mark in tags:
            if connector.side == "right":
                ink.text(right + 4.5, mark - size * 0.35, number, _BOLD, size)
            elif connector.side == "left":
                ink.text(left - 4.5 - wide, mark - size * 0.35, number, _BOLD, size)
            elif connector.side == "top":
                ink.text(mark + 3.5, top + 2.5, number, _BOLD, size)
            else:
                ink.text(mark + 3.5, bottom - 2.5 - size, number, _BOLD, size)
    return sorted(pages)


@dataclass(slots=True)
class _Tiles(_Block):
    """The picture's tiles, each on a landscape page; the flow goes on on a portrait page."""

    scene: _Scene | None = None


# --- The document -----------------------------------------------------------------


class _Document:
    """The blocks of the document, section by section."""

    def __init__(self, pathway: Pathway, context: ExportContext, lang: str) -> None:
        self.pathway, self.context, self.lang = pathway, context, lang
        self.said = words_of(lang)

    def section(self, title: str, body: list[_Block]) -> list[_Block]:
        """A section: its heading kept with (the start of) what follows."""
        if body and isinstance(body[0], _Grid):
            body[0].headings = [(_safe(title), _H2, 14.0), *body[0].headings]
            body[0].before = 14.0
            return body
        return [_Text(title, _H2, before=14.0, after=4.0, keep_with_next=True), *body]

    def muted(self, text: str) -> _Text:
        return _Text(text, _MUTED_TEXT, after=6.0)

    def header(self) -> list[_Block]:
        info, context, said, lang = self.pathway.info, self.context, self.said, self.lang
        facts = [
            (fact.label, _when(fact.value) if isinstance(fact.value, date) else str(fact.value))
            for fact in context.facts(self.pathway, lang)
        ]
        rows = [[(name, _CELL_BOLD), (value, _CELL)] for name, value in facts]
        return [
            _Text(said["kicker"].upper(), _KICKER, after=2.0),
            _Text(info.title, _H1, after=6.0),
            _Grid("facts", (0.26, 0.74), None, rows, after=4.0),
        ]

    def description(self) -> list[_Block]:
        text = self.pathway.info.description
        body: list[_Block] = (
            [_Text(text, _BODY, after=4.0)] if text else [self.muted(self.said["no_description"])]
        )
        return self.section(self.said["description"], body)

    def approvals(self, approvals: Sequence[Approval]) -> list[_Block]:
        said = self.said
        if not approvals:
            return self.section(said["approvals"], [self.muted(said["no_approvals"])])
        ordered = sorted(approvals, key=lambda item: (aware(item.approved_at), item.organization))
        rows = [
            [
                (approval.organization, _CELL),
                (level_label(approval.level, self.lang), _CELL),
                (_when(approval.approved_at), _CELL),
                (str(approval.revision), _CELL),
            ]
            for approval in ordered
        ]
        header = [said["organisation"], said["level"], said["approved_at"], said["revision"]]
        grid = _Grid("approvals", (0.4, 0.26, 0.22, 0.12), header, rows)
        return self.section(said["approvals"], [grid])

    def picture(self, scene: _Scene) -> list[_Block]:
        said = self.said
        heading = _Text(said["picture"], _H2, before=14.0, after=6.0)
        caption = _Text(said["picture_caption"], _CAPTION, after=2.0)
        return [_Group([heading, _Overview(scene), caption, _Legend(said)])]

    def steps(self) -> list[_Block]:
        said, lang = self.said, self.lang
        parts: list[_Block] = []
        number = 0
        header = [said["step"], said["kind"], said["responsible"], said["duration"]]
        header = ["#", *header, said["description"]]
        for level in LEVELS:
            heading = (level_label(level, lang), _LEVEL_HEADING[level], 8.0)
            rows = []
            for step in self.pathway.steps:
                if step.level is not level:
                    continue
                number += 1
                duration = step.expected_duration
                rows.append(
                    [
                        (str(number), _CELL_MUTED),
                        (step.name, _CELL_BOLD),
                        (kind_label(step.kind, lang), _CELL),
                        (step.responsible, _CELL),
                        (duration_text(duration, lang) if duration else "", _CELL),
                        (step.description, _CELL),
                    ]
                )
            if rows:
                widths = (0.05, 0.22, 0.13, 0.15, 0.13, 0.32)
                grid = _Grid(f"steps-{level.value}", widths, header, rows, headings=[heading])
                grid.before = 8.0
                parts.append(grid)
            else:
                parts.append(
                    _Text(heading[0], heading[1], before=8.0, after=3.0, keep_with_next=True)
                )
                parts.append(self.muted(said["no_steps"]))
        return self.section(said["steps"], parts)

    def name(self, key: str) -> str:
        return self.pathway.step(key).name if self.pathway.has_step(key) else key

    def transitions(self) -> list[_Block]:
        said = self.said
        if not self.pathway.transitions:
            return self.section(said["transitions"], [self.muted(said["no_transitions"])])
        rows = []
        for transition in self.pathway.transitions:
            handover: Cell = ("", _CELL)
            if transition.handover is not None:
                handover = (said["handover"], _CELL)
            elif self.pathway.is_cross_level(transition):
                handover = (said["no"], _TAGS["error"])
            rows.append(
                [
                    (self.name(transition.source), _CELL),
                    (self.name(transition.target), _CELL),
                    (transition.label, _CELL),
                    handover,
                ]
            )
        header = [said["from"], said["to"], said["condition"], said["handover"]]
        grid = _Grid("transitions", (0.29, 0.29, 0.27, 0.15), header, rows)
        return self.section(said["transitions"], [grid])

    def handover(self, transition: Transition, handover: Handover | None) -> list[_Block]:
        said, lang = self.said, self.lang
        title = f"{self.name(transition.source)} → {self.name(transition.target)}"
        if transition.label:
            title += f" ({transition.label})"
        heading = _Text(title, _H3, before=10.0, after=3.0)
        if handover is None:
            return [heading, _Text(said["no_handover"], _TAGS["error"], after=4.0)]
        messages = ", ".join(message_label(message, lang) for message in handover.messages)
        deadline = deadline_text(handover.deadline, lang) if handover.deadline else ""
        facts = [
            (said["sender_role"], handover.sender_role),
            (said["receiver_role"], handover.receiver_role),
            (said["messages"], messages),
            (said["deadline"], deadline),
        ]
        rows = [[(name, _CELL_BOLD), (value or "—", _CELL)] for name, value in facts]
        parts: list[_Block] = [heading, _Grid("handover", (0.22, 0.78), None, rows, after=2.0)]
        if handover.checklist:
            items = [
                [
                    (item.text, _CELL),
                    (said[item.side.value], _TAGS[item.side.value]),
                    (said["yes"] if item.required else said["no"], _CELL),
                    (deadline_text(item.due, lang) if item.due else "", _CELL),
                ]
                for item in handover.checklist
            ]
            header = [said["item"], said["side"], said["required"], said["due"]]
            widths = (0.56, 0.15, 0.12, 0.17)
            heading_row = [(said["checklist"], _H4, 2.0)]
            parts.append(_Grid("checklist", widths, header, items, headings=heading_row))
        else:
            parts.append(_Text(said["checklist"], _H4, before=2.0, after=2.0, keep_with_next=True))
            parts.append(self.muted(said["no_checklist"]))
        return parts

    def handovers(self) -> list[_Block]:
        said = self.said
        blocks = [
            self.handover(transition, transition.handover)
            for transition in self.pathway.transitions
            if transition.handover is not None or self.pathway.is_cross_level(transition)
        ]
        if not blocks:
            return self.section(said["handovers"], [self.muted(said["no_handovers"])])
        blocks[0].insert(0, _Text(said["handovers"], _H2, before=14.0, after=0.0))
        return [_Group(block) for block in blocks]

    def gaps(self, findings: Sequence[Finding]) -> list[_Block]:
        said, lang = self.said, self.lang
        if not findings:
            return self.section(said["gaps"], [self.muted(said["no_gaps"])])
        transitions = {transition.key: transition for transition in self.pathway.transitions}
        rows = []
        for finding in sorted(findings, key=lambda finding: finding.severity.rank):
            concerns = [self.name(key) for key in finding.steps]
            for key in finding.transitions:
                transition = transitions.get(key)
                concerns.append(
                    f"{self.name(transition.source)} → {self.name(transition.target)}"
                    if transition is not None
                    else key
                )
            severity = finding.severity.value
            rows.append(
                [
                    (said[severity], _TAGS.get(severity, _CELL_BOLD)),
                    (finding.message(lang), _CELL),
                    ("\n".join(concerns), _CELL),
                ]
            )
        header = [said["severity"], said["finding"], said["concerns"]]
        return self.section(said["gaps"], [_Grid("gaps", (0.15, 0.55, 0.30), header, rows)])


_TILE_AREA = (
    LANDSCAPE[0] - _LANDSCAPE_MARGINS[0] - _LANDSCAPE_MARGINS[1] - 2 * _STRIP,
    LANDSCAPE[1] - _LANDSCAPE_MARGINS[2] - _LANDSCAPE_MARGINS[3] - 2 * _TILE_CAPTION - 2 * _STRIP,
)
"""The room for the picture on a landscape page, in points."""


def _decorate(book: _Book, page: _Page, total: int) -> None:
    """The footer ("Side 3 av 7") and, after the first page, the header with the title."""
    width, height = page.size
    portrait = width < height
    left, right, top, bottom = _PORTRAIT_MARGINS if portrait else _LANDSCAPE_MARGINS
    ink = page.ink
    ink.stroke(_RULE, 0.5)
    line = bottom - 12
    ink.line(left, line + 8, width - right, line + 8)
    ink.fill(_MUTED)
    ink.text(left, line, _safe(book.footer), _FONT, _SMALL)
    number = _safe(book.words["page_of"].format(page=page.number, pages=total))
    ink.text(width - right - _width(number, _FONT, _SMALL), line, number, _FONT, _SMALL)
    if page.number > 1:
        head = height - top + 10
        status = _safe(book.status)
        status_width = _width(status, _FONT, _SMALL)
        room = width - left - right - status_width - 24
        ink.text(left, head, _fit(_safe(book.title), _BOLD, _SMALL, room), _BOLD, _SMALL)
        ink.text(width - right - status_width, head, status, _FONT, _SMALL)
        ink.line(left, head - 4, width - right, head - 4)


def _pdf_date(value: datetime | None) -> str:
    when = aware(value).astimezone(UTC) if value is not None else datetime(2000, 1, 1, tzinfo=UTC)
    return when.strftime("D:%Y%m%d%H%M%S+00'00'")


def render(pathway: Pathway, *, context: ExportContext | None = None) -> tuple[bytes, list[Piece]]:
    """The PDF of ``pathway``, and the parts of its tables as drawn (for checks)."""
    context = context or DEFAULT_CONTEXT
    lang = language_or_default(context.language)
    said = words_of(lang)
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=PORTRAIT, invariant=1, pageCompression=1, lang=lang)
    # The names the fonts have inside this file; reportlab keeps them on its document.
    document_fonts = canvas._doc  # type: ignore[attr-defined]
    fonts = {name: str(document_fonts.getInternalFontName(name)) for name in _FONTS}
    created = _pdf_date(context.generated_at)
    canvas.setDateFormatter(lambda *_: created)
    canvas.setTitle(_safe(pathway.info.title))
    canvas.setAuthor("Hjem til hjem")
    canvas.setCreator("Hjem til hjem")
    canvas.setSubject(_safe(said["kicker"]))
    footer = said["footer"] + (f" · {_when(context.generated_at)}" if context.generated_at else "")
    book = _Book(said, lang, pathway.info.title, context.status_line(lang), footer, fonts)

    scene = _scene(pathway, context, _TILE_AREA)
    document = _Document(pathway, context, lang)
    flow = _Flow(book)
    flow.run([*document.header(), *document.description(), *document.approvals(context.approvals)])
    flow.run(document.picture(scene))
    for tile in scene.tiles:
        _tile_page(book, scene, tile)
    flow.page = None
    flow.run(
        [
            *document.steps(),
            *document.transitions(),
            *document.handovers(),
            *document.gaps(context.findings),
        ]
    )

    total = len(book.pages)
    for page in book.pages:
        for later in page.later:
            later(page.ink, book)
        _decorate(book, page, total)
        canvas.setPageSize(page.size)
        canvas.addLiteral("\n".join(page.ink.parts))
        canvas.showPage()
    canvas.save()
    return out.getvalue(), book.pieces


def to_pdf(pathway: Pathway, *, context: ExportContext | None = None) -> bytes:
    """The printable document of ``pathway`` as an A4 PDF."""
    return render(pathway, context=context)[0]
