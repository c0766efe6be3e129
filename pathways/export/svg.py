"""The ``svg`` export: a swimlane picture of a pathway.

One horizontal lane per care level (municipality on top, where home is; hospital
below), steps left to right by layer (:mod:`pathways.export.layout`), transitions as
arrows. Handovers are dashed purple arrows crossing the lanes, labelled with their
messages and deadline (said as people say it: ``samme dag``, ``within 24 hours``). Home
steps are pills; a death, an outcome where the pathway ends, is a grey pill with a double
outline; an outpatient visit a box with a bar down each side (a visit, not a stay); a
decision a hexagon. Every text is in the context's language (English, bokmål or
nynorsk), the level names in English and Norwegian. Steps and transitions named in the
context's findings get a red (error) or orange (warning) outline or stroke and a "!"
marker whose tooltip is the finding's message in the context's language.

Each lane is a ``<g class="lane" data-level="…">``, each step a ``<g id="step-KEY"
data-step="KEY">`` and each transition a ``<g id="transition-KEY" data-transition="KEY">``,
so the picture can be styled, tested and linked to.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache

from pathways.export._text import (
    LEVELS,
    escape,
    format_datetime,
    index_findings,
    kind_label,
    level_label,
    worst,
    wrap,
)
from pathways.export._words import words
from pathways.export.context import DEFAULT_CONTEXT, ExportContext
from pathways.export.layout import Box, Layout, LayoutNode, Spacing, layout
from pathways.findings import Finding, Severity
from pathways.model import Level, Pathway, Step, StepKind, Transition
from pathways.wording import deadline_text

__all__ = ["svg_picture", "to_svg"]

_NODE_WIDTH, _NODE_HEIGHT = 150.0, 92.0
_TITLE_HEIGHT = 64.0
_LEGEND_HEIGHT = 44.0
_SPACING = Spacing(
    lane_header=130, lane_padding=28, lane_gap=0, column_gap=112, row_gap=56, top=_TITLE_HEIGHT
)
_FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', 'DejaVu Sans', sans-serif"
_LANE_FILL = {Level.MUNICIPALITY: "#f4f9ef", Level.HOSPITAL: "#f1f6fd"}
_HEADER_FILL = {Level.MUNICIPALITY: "#dcedc8", Level.HOSPITAL: "#cfe3f8"}
_STEP_STROKE = {Level.MUNICIPALITY: "#558b2f", Level.HOSPITAL: "#1565c0"}
# Where to try a label: along the curve (0 to 1), then shifted up or down by a part of
# its own height, then just clear of a row of steps.
_ALONG = (0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8)
_SHIFTS = (0.0, -0.6, 0.6, -1.2, 1.2)
_EDGE = "#455a64"
_HANDOVER = "#6a1b9a"
_SEVERITY = {Severity.ERROR: "#c62828", Severity.WARNING: "#ef6c00"}

_STYLE = f"""
.h2h text {{ font-family: {_FONT}; fill: #1b1b1b; }}
.h2h .title {{ font-size: 18px; font-weight: 600; }}
.h2h .subtitle {{ font-size: 12px; fill: #555; }}
.h2h .lane-label {{ font-size: 14px; font-weight: 600; }}
.h2h .lane-label .nb {{ font-weight: 400; font-style: italic; }}
.h2h .kind {{ font-size: 9px; letter-spacing: 0.06em; fill: #5f6b73; }}
.h2h .name {{ font-size: 12px; font-weight: 600; }}
.h2h .role {{ font-size: 10px; font-style: italic; fill: #444; }}
.h2h .edge-label {{ font-size: 10px; }}
.h2h .edge-label .messages {{ fill: {_HANDOVER}; font-weight: 600; }}
.h2h .marker text {{ font-size: 12px; font-weight: 700; fill: #fff; }}
.h2h .legend text {{ font-size: 11px; }}
""".strip()


_esc = escape


def _text_lines(
    lines: Sequence[str], x: float, y: float, css: str, line_height: float, anchor: str
) -> str:
    spans = "".join(
        f'<tspan x="{x:.0f}" dy="{(0 if index == 0 else line_height):.0f}">{_esc(line)}</tspan>'
        for index, line in enumerate(lines)
    )
    return f'<text class="{css}" x="{x:.0f}" y="{y:.0f}" text-anchor="{anchor}">{spans}</text>'


def _defs() -> str:
    markers = {"arrow": _EDGE, "arrow-handover": _HANDOVER}
    markers.update({f"arrow-{severity.value}": colour for severity, colour in _SEVERITY.items()})
    parts = [
        f'<marker id="h2h-{name}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="11" '
        f'markerHeight="11" markerUnits="userSpaceOnUse" orient="auto-start-reverse">'
        f'<path d="M0,0 L10,5 L0,10 z" '
        f'fill="{colour}"/></marker>'
        for name, colour in markers.items()
    ]
    return f"<defs><style>{_STYLE}</style>{''.join(parts)}</defs>"


def _marker(x: float, y: float, severity: Severity, findings: Sequence[Finding], lang: str) -> str:
    tooltip = "\n".join(f"{f.severity.value}: {f.message(lang)}" for f in findings)
    return (
        f'<g class="marker finding-{severity.value}"><title>{_esc(tooltip)}</title>'
        f'<circle cx="{x:.0f}" cy="{y:.0f}" r="9" fill="{_SEVERITY[severity]}" '
        f'stroke="#fff" stroke-width="1.5"/>'
        f'<text x="{x:.0f}" y="{(y + 4):.0f}" text-anchor="middle">!</text></g>'
    )


def _lane(level: Level, box: Box, lang: str) -> str:
    name = level_label(level, lang)
    english, norwegian = name.split(" / ")
    middle = box.cy
    label = (
        f'<text class="lane-label" x="{16:.0f}" y="{(middle - 4):.0f}">'
        f"<tspan>{_esc(english)} /</tspan>"
        f'<tspan class="nb" x="{16:.0f}" dy="18">{_esc(norwegian)}</tspan></text>'
    )
    return (
        f'<g class="lane" id="lane-{level.value}" data-level="{level.value}">'
        f"<title>{_esc(name)}</title>"
        f'<rect x="{box.x:.0f}" y="{box.y:.0f}" width="{box.width:.0f}" '
        f'height="{box.height:.0f}" fill="{_LANE_FILL[level]}" stroke="#b0bec5"/>'
        f'<rect x="{box.x:.0f}" y="{box.y:.0f}" width="{_SPACING.lane_header:.0f}" '
        f'height="{box.height:.0f}" fill="{_HEADER_FILL[level]}" stroke="#b0bec5"/>'
        f"{label}</g>"
    )


_DEATH_FILL, _DEATH_STROKE = "#eceff1", "#37474f"
_INSET = 4.0
"""How far inside a death's outline its second outline, and an outpatient box's bars, are."""


def _rect(box: Box, radius: float, attributes: str) -> str:
    return (
        f'<rect x="{box.x:.0f}" y="{box.y:.0f}" width="{box.width:.0f}" '
        f'height="{box.height:.0f}" rx="{radius:.0f}" {attributes}/>'
    )


def _shape(step: Step, box: Box, stroke: str, width: float) -> str:
    common = f'fill="#ffffff" stroke="{stroke}" stroke-width="{width:.0f}"'
    if step.kind is StepKind.DEATH:
        # An end, like home, but grey and with a double outline: sober, not alarming.
        inner = Box(box.x + _INSET, box.y + _INSET, box.width - 2 * _INSET, box.height - 2 * _INSET)
        return _rect(
            box,
            box.height / 2,
            f'fill="{_DEATH_FILL}" stroke="{stroke}" stroke-width="{width:.0f}"',
        ) + _rect(inner, inner.height / 2, f'fill="none" stroke="{_DEATH_STROKE}" stroke-width="1"')
    if step.kind is StepKind.OUTPATIENT:
        # A visit to a clinic and back: a box with a bar down each side.
        bars = "".join(
            f'<path d="M{x:.0f},{box.y:.0f} L{x:.0f},{box.bottom:.0f}" stroke="{stroke}" '
            f'stroke-width="1"/>'
            for x in (box.x + _INSET * 2, box.right - _INSET * 2)
        )
        return _rect(box, 2, common) + bars
    if step.kind is StepKind.DECISION:
        inset = 14.0
        points = [
            (box.x + inset, box.y),
            (box.right - inset, box.y),
            (box.right, box.cy),
            (box.right - inset, box.bottom),
            (box.x + inset, box.bottom),
            (box.x, box.cy),
        ]
        coordinates = " ".join(f"{x:.0f},{y:.0f}" for x, y in points)
        return f'<polygon points="{coordinates}" {common}/>'
    return _rect(box, box.height / 2 if step.kind is StepKind.HOME else 8, common)


def _kind(step: Step, box: Box, y: float, lang: str) -> str:
    """The step's kind above its name, squeezed to fit inside its shape if it is long
    (``POLIKLINISK KONSULTASJON``)."""
    text = kind_label(step.kind, lang).upper()
    room = box.width - {StepKind.DECISION: 30, StepKind.OUTPATIENT: 26}.get(step.kind, 14)
    # 9 px capitals with 0.06 em letter spacing; estimated on the wide side.
    if _text_width(text, False) * 0.9 + 0.54 * len(text) <= room:
        return _text_lines([text], box.cx, y, "kind", 0, "middle")
    return (
        f'<text class="kind" x="{box.cx:.0f}" y="{y:.0f}" text-anchor="middle" '
        f'textLength="{room:.0f}" lengthAdjust="spacingAndGlyphs">{_esc(text)}</text>'
    )


def _step(step: Step, box: Box, findings: Sequence[Finding], lang: str) -> str:
    severity = worst(findings)
    flagged = severity in (Severity.ERROR, Severity.WARNING)
    if severity is not None and flagged:
        stroke = _SEVERITY[severity]
    else:
        stroke = _DEATH_STROKE if step.kind is StepKind.DEATH else _STEP_STROKE[step.level]
    css = f"step level-{step.level.value} kind-{step.kind.value}"
    if severity is not None and flagged:
        css += f" finding-{severity.value}"
    tooltip = step.name + (f" ({step.responsible})" if step.responsible else "")
    if step.description:
        tooltip += "\n" + step.description
    names = wrap(step.name, 19, 3)
    top = box.y + 15
    parts = [
        f'<g id="step-{_esc(step.key)}" class="{css}" data-step="{_esc(step.key)}">',
        f"<title>{_esc(tooltip)}</title>",
        _shape(step, box, stroke, 3 if flagged else 1.5),
        _kind(step, box, top, lang),
        _text_lines(names, box.cx, top + 15, "name", 14, "middle"),
    ]
    if step.responsible:
        role = wrap(step.responsible, 26, 1)
        parts.append(_text_lines(role, box.cx, box.bottom - 9, "role", 0, "middle"))
    if severity is not None and flagged:
        parts.append(_marker(box.right - 4, box.y + 4, severity, findings, lang))
    parts.append("</g>")
    return "".join(parts)


def _curve(source: Box, target: Box, forward: bool) -> tuple[list[tuple[float, float]], bool]:
    """Bézier control points from ``source`` to ``target``; whether it ends on a side."""
    if forward:
        start, end = (source.right, source.cy), (target.x, target.cy)
        reach = max(40.0, (end[0] - start[0]) / 2)
        return [start, (start[0] + reach, start[1]), (end[0] - reach, end[1]), end], True
    if abs(source.cy - target.cy) < 1:
        start, end = (source.cx, source.bottom), (target.cx, target.bottom)
        low = max(source.bottom, target.bottom) + 46
        return [start, (start[0], low), (end[0], low), end], False
    if target.cy < source.cy:
        start, end = (source.cx, source.y), (target.cx, target.bottom)
        return [start, (start[0], start[1] - 60), (end[0], end[1] + 60), end], False
    start, end = (source.cx, source.bottom), (target.cx, target.y)
    return [start, (start[0], start[1] + 60), (end[0], end[1] - 60), end], False


def _point(points: Sequence[tuple[float, float]], t: float) -> tuple[float, float]:
    """The point at ``t`` (0 to 1) on the cubic Bézier curve of ``points``."""
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = points
    a, b, c, d = (1 - t) ** 3, 3 * t * (1 - t) ** 2, 3 * t * t * (1 - t), t**3
    return a * x0 + b * x1 + c * x2 + d * x3, a * y0 + b * y1 + c * y2 + d * y3


_Rect = tuple[float, float, float, float]
"""Left, top, right, bottom."""


class _Placer:
    """Boxes already drawn, in a coarse grid, to find a free place for a label."""

    _CELL = 200.0

    def __init__(self, boxes: Iterable[Box], *, budget: int) -> None:
        self._grid: dict[tuple[int, int], list[_Rect]] = {}
        self._budget = budget
        """How many more places may be tried (a dense picture stops searching early)."""
        for box in boxes:
            self.add((box.x, box.y, box.right, box.bottom))

    def _cells(self, rect: _Rect) -> Iterator[tuple[int, int]]:
        size = self._CELL
        left, top, right, bottom = rect
        for i in range(int(left // size), int(right // size) + 1):
            for j in range(int(top // size), int(bottom // size) + 1):
                yield i, j

    def add(self, rect: _Rect) -> None:
        for cell in self._cells(rect):
            self._grid.setdefault(cell, []).append(rect)

    def is_free(self, rect: _Rect) -> bool:
        left, top, right, bottom = rect
        for cell in self._cells(rect):
            for other_left, other_top, other_right, other_bottom in self._grid.get(cell, ()):
                if (
                    left < other_right
                    and other_left < right
                    and top < other_bottom
                    and other_top < bottom
                ):
                    return False
        return True

    def place(
        self, points: Sequence[tuple[float, float]], width: float, height: float
    ) -> tuple[float, float]:
        """The centre of the first free place along the curve (else its middle)."""
        clear = _NODE_HEIGHT / 2 + height / 2 + 4
        shifts = [part * (height + 6) for part in _SHIFTS] + [-clear, clear]
        half_width, half_height = width / 2, height / 2
        chosen = _point(points, 0.5)
        along = [_point(points, t) for t in _ALONG]
        for shift, (x, y) in itertools.product(shifts, along):
            if self._budget <= 0:
                break
            self._budget -= 1
            top = y + shift - half_height
            if self.is_free((x - half_width, top, x + half_width, top + height)):
                chosen = (x, y + shift)
                break
        x, y = chosen
        self.add((x - half_width, y - half_height, x + half_width, y + half_height))
        return chosen


_LINE_HEIGHT = 12.0


def _label_lines(transition: Transition, lang: str) -> list[tuple[str, str]]:
    lines = [("", line) for line in wrap(transition.label, 28, 2)] if transition.label else []
    handover = transition.handover
    if handover is not None:
        if handover.messages:
            lines += [("messages", line) for line in wrap(", ".join(handover.messages), 26, 2)]
        if handover.deadline:
            lines.append(("deadline", deadline_text(handover.deadline, lang)))
    return lines


@lru_cache(maxsize=4096)
def _text_width(text: str, bold: bool) -> float:
    """About how wide ``text`` is at 10 px in a sans-serif font."""
    width = sum(
        7.0 if char.isupper() else 3.2 if char in " .,:;'|!()[]" else 6.0 if char.isdigit() else 5.8
        for char in text
    )
    return width * (1.1 if bold else 1.0)


def _label_size(lines: Sequence[tuple[str, str]]) -> tuple[float, float]:
    width = max(_text_width(text, css == "messages") for css, text in lines) + 12
    return width, len(lines) * _LINE_HEIGHT + 6


def _edge_label(
    lines: Sequence[tuple[str, str]], size: tuple[float, float], cross: bool, x: float, y: float
) -> str:
    width, height = size
    top = y - height / 2
    border = f' stroke="{_HANDOVER}" stroke-width="0.8"' if cross else ""
    spans = "".join(
        f'<tspan x="{x:.0f}" y="{(top + 13 + index * _LINE_HEIGHT):.0f}"'
        + (f' class="{css}"' if css else "")
        + f">{_esc(text)}</tspan>"
        for index, (css, text) in enumerate(lines)
    )
    return (
        f'<rect x="{(x - width / 2):.0f}" y="{top:.0f}" width="{width:.0f}" '
        f'height="{height:.0f}" rx="4" fill="#ffffff" fill-opacity="0.92"{border}/>'
        f'<text class="edge-label" text-anchor="middle">{spans}</text>'
    )


def _transition(
    pathway: Pathway,
    transition: Transition,
    places: Layout,
    placer: _Placer,
    findings: Sequence[Finding],
    lang: str,
) -> str:
    source, target = places.boxes[transition.source], places.boxes[transition.target]
    forward = places.layers[transition.target] > places.layers[transition.source]
    points, _ = _curve(source, target, forward)
    cross = pathway.is_cross_level(transition)
    severity = worst(findings)
    flagged = severity is not None and severity in _SEVERITY
    if severity is not None and flagged:
        colour, marker, width = _SEVERITY[severity], f"arrow-{severity.value}", 2.5
    elif cross:
        colour, marker, width = _HANDOVER, "arrow-handover", 2.2
    else:
        colour, marker, width = _EDGE, "arrow", 1.5
    dash = ' stroke-dasharray="7 4"' if cross else ""
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = points
    path = f"M{x0:.0f},{y0:.0f} C{x1:.0f},{y1:.0f} {x2:.0f},{y2:.0f} {x3:.0f},{y3:.0f}"
    css = "transition handover" if cross else "transition"
    if severity is not None and flagged:
        css += f" finding-{severity.value}"
    lines = _label_lines(transition, lang)
    if lines:
        label_width, label_height = _label_size(lines)
        middle_x, middle_y = placer.place(points, label_width, label_height)
        label = _edge_label(lines, (label_width, label_height), cross, middle_x, middle_y)
    else:
        (middle_x, middle_y), label_width, label_height = _point(points, 0.5), 0.0, 0.0
        label = ""
    title = f"{pathway.step(transition.source).name} → {pathway.step(transition.target).name}"
    if transition.label:
        title += f": {transition.label}"
    parts = [
        f'<g id="transition-{_esc(transition.key)}" class="{css}" '
        f'data-transition="{_esc(transition.key)}" data-from="{_esc(transition.source)}" '
        f'data-to="{_esc(transition.target)}">',
        f"<title>{_esc(title)}</title>",
        f'<path d="{path}" fill="none" stroke="{colour}" stroke-width="{width:.0f}"{dash} '
        f'marker-end="url(#h2h-{marker})"/>',
        label,
    ]
    if severity is not None and flagged:
        parts.append(
            _marker(
                middle_x + label_width / 2, middle_y - label_height / 2, severity, findings, lang
            )
        )
    parts.append("</g>")
    return "".join(parts)


def _legend(y: float, lang: str) -> str:
    said = words(lang)
    texts = (said["legend_transition"], said["legend_handover"], said["error"], said["warning"])
    x = 16.0
    parts = [f'<g class="legend" transform="translate(0,{y:.0f})">']
    samples = (
        (texts[0], _EDGE, "", "arrow"),
        (texts[1], _HANDOVER, ' stroke-dasharray="7 4"', "arrow-handover"),
    )
    for text, colour, dash, marker in samples:
        parts.append(
            f'<path d="M{x:.0f},14 L{(x + 40):.0f},14" stroke="{colour}" stroke-width="2"{dash} '
            f'marker-end="url(#h2h-{marker})"/>'
            f'<text x="{(x + 48):.0f}" y="18">{_esc(text)}</text>'
        )
        x += 60 + len(text) * 6.5
    for text, severity in ((texts[2], Severity.ERROR), (texts[3], Severity.WARNING)):
        parts.append(
            f'<rect x="{x:.0f}" y="4" width="30" height="20" rx="4" fill="#fff" '
            f'stroke="{_SEVERITY[severity]}" stroke-width="3"/>'
            f'<text x="{(x + 38):.0f}" y="18">{_esc(text)}</text>'
        )
        x += 50 + len(text) * 6.5
    parts.append("</g>")
    return "".join(parts)


def _subtitle(context: ExportContext, lang: str) -> str:
    parts = [context.status_line(lang)]
    if context.generated_at is not None:
        parts.append(format_datetime(context.generated_at))
    return " · ".join(part for part in parts if part)


def svg_picture(pathway: Pathway, *, context: ExportContext | None = None) -> str:
    """The ``<svg>`` element of the picture (no XML declaration), for embedding in HTML."""
    context = context or DEFAULT_CONTEXT
    lang = context.language
    step_findings, transition_findings = index_findings(context.findings)
    nodes = [
        LayoutNode(step.key, step.level.value, _NODE_WIDTH, _NODE_HEIGHT) for step in pathway.steps
    ]
    starts = [
        step.key
        for step in pathway.steps
        if step.kind is StepKind.HOME and not any(t.target == step.key for t in pathway.transitions)
    ]
    places = layout(
        nodes,
        [(t.source, t.target) for t in pathway.transitions],
        lanes=[level.value for level in LEVELS],
        starts=starts,
        spacing=_SPACING,
    )
    width = max(places.width, 720.0)
    height = places.height + _LEGEND_HEIGHT + 16
    # Arrows that loop back dip below their row: the last lane gets room for them.
    shift = 24.0
    height += shift
    lanes = {
        level: Box(0, box.y, width, box.height + (shift if level is LEVELS[-1] else 0))
        for level in LEVELS
        for box in [places.lanes[level.value]]
    }
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="h2h" width="{width:.0f}" '
        f'height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" role="img" '
        f'aria-labelledby="h2h-picture-title">',
        f'<title id="h2h-picture-title">{_esc(pathway.info.title)}</title>',
        _defs(),
        f'<rect width="{width:.0f}" height="{height:.0f}" fill="#ffffff"/>',
        _text_lines([pathway.info.title], 16, 28, "title", 0, "start"),
        _text_lines([_subtitle(context, lang)], 16, 48, "subtitle", 0, "start"),
    ]
    parts += [_lane(level, lanes[level], lang) for level in LEVELS]
    parts += [
        _step(step, places.boxes[step.key], step_findings.get(step.key, ()), lang)
        for step in pathway.steps
    ]
    placer = _Placer(places.boxes.values(), budget=200 + 8 * len(pathway.transitions))
    parts += [
        _transition(
            pathway,
            transition,
            places,
            placer,
            transition_findings.get(transition.key, ()),
            lang,
        )
        for transition in pathway.transitions
    ]
    parts.append(_legend(places.height + shift + 8, lang))
    parts.append("</svg>")
    return "\n".join(parts)


def to_svg(pathway: Pathway, *, context: ExportContext | None = None) -> bytes:
    """The swimlane picture of ``pathway`` as a standalone SVG document (UTF-8)."""
    picture = svg_picture(pathway, context=context)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + picture + "\n").encode("utf-8")
