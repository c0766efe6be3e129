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

A picture of conformance (the context's ``on_time``: each handover's share of
required messages and checklist items that came in time) draws each measured handover
green (at least 90 %), amber (at least 75 %) or red (less), with the share in its label
(``87 % i tide``) and in ``data-on-time`` (0-1), and says so in the legend.

Each lane is a ``<g class="lane" data-level="…">``, each step a ``<g id="step-KEY"
data-step="KEY">`` and each transition a ``<g id="transition-KEY" data-transition="KEY">``,
so the picture can be styled, tested and linked to.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from pathways.export._text import (
    LEVELS,
    aware,
    escape,
    index_findings,
    kind_label,
    level_label,
    message_label,
    worst,
    wrap,
    wrap_to_width,
)
from pathways.export._words import words
from pathways.export.context import DEFAULT_CONTEXT, ExportContext
from pathways.export.layout import Box, Layout, LayoutEdge, LayoutNode, Spacing, layout
from pathways.findings import Finding, Severity
from pathways.model import Level, Pathway, Step, StepKind, Transition
from pathways.wording import date_text, deadline_text

__all__ = [
    "ON_TIME_BANDS",
    "PICTURE_CSS",
    "Picture",
    "decision_outline",
    "on_time_band",
    "picture_layout",
    "svg_picture",
    "to_svg",
]

_NODE_WIDTH, _NODE_HEIGHT = 172.0, 92.0
_TITLE_HEIGHT = 64.0
_LEGEND_HEIGHT = 44.0
_SPACING = Spacing(
    lane_header=130, lane_padding=24, lane_gap=0, column_gap=36, row_gap=28, top=_TITLE_HEIGHT
)
_FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', 'DejaVu Sans', sans-serif"
_LANE_FILL = {Level.MUNICIPALITY: "#f4f9ef", Level.HOSPITAL: "#f1f6fd"}
_HEADER_FILL = {Level.MUNICIPALITY: "#dcedc8", Level.HOSPITAL: "#cfe3f8"}
_STEP_STROKE = {Level.MUNICIPALITY: "#558b2f", Level.HOSPITAL: "#1565c0"}
_EDGE = "#455a64"
_HANDOVER = "#6a1b9a"
_SEVERITY = {Severity.ERROR: "#c62828", Severity.WARNING: "#ef6c00"}
_MARK = {"added": "#1a7f37", "changed": "#9a6700", "removed": "#8c959f"}
"""Outline colours of what a picture of a difference marks (with a named badge)."""
ON_TIME_BANDS: tuple[tuple[float, str, str], ...] = (
    (0.9, "high", "#1b7f3b"),
    (0.75, "medium", "#a15c00"),
    (0.0, "low", "#b3261e"),
)
"""A handover's colour by its share on time: (the least share, the band, the colour)."""
_ON_TIME_WORDS = {"en": "on time", "nb": "i tide", "nn": "i tide"}


def on_time_band(share: float) -> tuple[str, str]:
    """The band (``high``, ``medium``, ``low``) and colour of a share on time.

    >>> on_time_band(0.95), on_time_band(0.8)[0], on_time_band(0.2)[0]
    (('high', '#1b7f3b'), 'medium', 'low')
    """
    for least, band, colour in ON_TIME_BANDS:
        if share >= least:
            return band, colour
    return ON_TIME_BANDS[-1][1], ON_TIME_BANDS[-1][2]


def _percent(share: float, lang: str) -> str:
    """``87 %`` in Norwegian, ``87%`` in English (whole percent, rounded down so that
    89.9 % is not shown as the 90 % of the next band)."""
    whole = int(share * 100 + 1e-9)
    return f"{whole}%" if lang == "en" else f"{whole} %"


def _on_time_text(share: float, lang: str) -> str:
    return f"{_percent(share, lang)} {_ON_TIME_WORDS.get(lang, _ON_TIME_WORDS['en'])}"


_CSS = f"""
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
.h2h .edge-label .on-time {{ font-weight: 700; }}
.h2h .marker text {{ font-size: 12px; font-weight: 700; fill: #fff; }}
.h2h .legend text {{ font-size: 11px; }}
""".strip()
_BADGE_CSS = ".h2h .change-badge text { font-size: 10px; font-weight: 700; fill: #ffffff; }"
"""Only in pictures of a difference, which have badges."""

PICTURE_CSS = f"{_CSS}\n{_BADGE_CSS}"
"""Every rule a picture may need, for a page that shows pictures without their own
``<style>`` (the web editor serves it as a file, under a Content-Security-Policy that
refuses inline styles)."""


_esc = escape


def _text_lines(
    lines: Sequence[str], x: float, y: float, css: str, line_height: float, anchor: str
) -> str:
    spans = "".join(
        f'<tspan x="{x:.0f}" dy="{(0 if index == 0 else line_height):.0f}">{_esc(line)}</tspan>'
        for index, line in enumerate(lines)
    )
    return f'<text class="{css}" x="{x:.0f}" y="{y:.0f}" text-anchor="{anchor}">{spans}</text>'


def _defs(marks: Sequence[str] = (), on_time: bool = False) -> str:
    markers = {"arrow": _EDGE, "arrow-handover": _HANDOVER}
    if on_time:
        markers.update({f"arrow-on-time-{band}": colour for _, band, colour in ON_TIME_BANDS})
    markers.update({f"arrow-{severity.value}": colour for severity, colour in _SEVERITY.items()})
    markers.update({f"arrow-{mark}": _MARK[mark] for mark in marks if mark != "changed"})
    parts = [
        f'<marker id="h2h-{name}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="11" '
        f'markerHeight="11" markerUnits="userSpaceOnUse" orient="auto-start-reverse">'
        f'<path d="M0,0 L10,5 L0,10 z" '
        f'fill="{colour}"/></marker>'
        for name, colour in markers.items()
    ]
    style = PICTURE_CSS if marks else _CSS
    return f"<defs><style>{style}</style>{''.join(parts)}</defs>"


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


def decision_outline(box: Box, corner: float = 14.0) -> list[tuple[float, float]]:
    """The corners of a decision step's six-sided outline in ``box``."""
    return [
        (box.x + corner, box.y),
        (box.right - corner, box.y),
        (box.right, box.cy),
        (box.right - corner, box.bottom),
        (box.x + corner, box.bottom),
        (box.x, box.cy),
    ]


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
        coordinates = " ".join(f"{x:.0f},{y:.0f}" for x, y in decision_outline(box))
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


def _badge(box: Box, mark: str, lang: str) -> str:
    """A pill on a step's top edge naming how it differs (``Lagt til``)."""
    text = words(lang)[f"mark_{mark}"]
    width = _text_width(text, True) + 14
    return (
        f'<g class="change-badge"><rect x="{(box.x + 10):.0f}" y="{(box.y - 9):.0f}" '
        f'width="{width:.0f}" height="16" rx="8" fill="{_MARK[mark]}"/>'
        f'<text x="{(box.x + 17):.0f}" y="{(box.y + 3):.0f}">{_esc(text)}</text></g>'
    )


def _step(
    step: Step,
    box: Box,
    names: Sequence[str],
    roles: Sequence[str],
    findings: Sequence[Finding],
    lang: str,
    mark: str | None = None,
) -> str:
    severity = worst(findings)
    flagged = severity in (Severity.ERROR, Severity.WARNING)
    if mark is not None:
        stroke = _MARK[mark]
    elif severity is not None and flagged:
        stroke = _SEVERITY[severity]
    else:
        stroke = _DEATH_STROKE if step.kind is StepKind.DEATH else _STEP_STROKE[step.level]
    css = f"step level-{step.level.value} kind-{step.kind.value}"
    if severity is not None and flagged:
        css += f" finding-{severity.value}"
    if mark is not None:
        css += f" change-{mark}"
    tooltip = step.name + (f" ({step.responsible})" if step.responsible else "")
    if step.description:
        tooltip += "\n" + step.description
    top = box.y + 15
    parts = [
        f'<g id="step-{_esc(step.key)}" class="{css}" data-step="{_esc(step.key)}">',
        f"<title>{_esc(tooltip)}</title>",
        _shape(step, box, stroke, 3 if flagged or mark else 1.5),
        _kind(step, box, top, lang),
        _text_lines(names, box.cx, box.y + _NAME_TOP, "name", _NAME_LINE, "middle"),
    ]
    if roles:
        first = box.bottom - 9 - _ROLE_LINE * (len(roles) - 1)
        parts.append(_text_lines(roles, box.cx, first, "role", _ROLE_LINE, "middle"))
    if severity is not None and flagged:
        parts.append(_marker(box.right - 2, box.y - 4, severity, findings, lang))
    if mark is not None:
        parts.append(_badge(box, mark, lang))
    parts.append("</g>")
    return "".join(parts)


def _path(points: Sequence[tuple[float, float]]) -> str:
    """An SVG path through ``points`` with its corners rounded a little."""
    if len(points) < 3:
        return "M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in points)
    parts = [f"M{points[0][0]:.1f},{points[0][1]:.1f}"]
    for (x0, y0), (x1, y1), (x2, y2) in zip(points, points[1:], points[2:], strict=False):
        before = max(abs(x1 - x0), abs(y1 - y0))
        after = max(abs(x2 - x1), abs(y2 - y1))
        radius = min(_CORNER, before / 2, after / 2)

        ex, ey = _toward((x1, y1), (x0, y0), radius)
        lx, ly = _toward((x1, y1), (x2, y2), radius)
        parts.append(f"L{ex:.1f},{ey:.1f} Q{x1:.1f},{y1:.1f} {lx:.1f},{ly:.1f}")
    parts.append(f"L{points[-1][0]:.1f},{points[-1][1]:.1f}")
    return " ".join(parts)


def _toward(a: tuple[float, float], b: tuple[float, float], length: float) -> tuple[float, float]:
    """The point ``length`` from ``a`` towards ``b`` (on a horizontal or vertical line)."""
    span = max(abs(b[0] - a[0]), abs(b[1] - a[1])) or 1.0
    return a[0] + (b[0] - a[0]) * length / span, a[1] + (b[1] - a[1]) * length / span


_CORNER = 6.0
_LINE_HEIGHT = 12.0


def _label_lines(
    transition: Transition, lang: str, share: float | None = None
) -> list[tuple[str, str]]:
    """The lines of a transition's label: its text, the handover's messages (by their
    names in ``lang``), its deadline, every word kept, and its share on time."""
    lines = [("", line) for line in wrap(transition.label, 26, 12)] if transition.label else []
    handover = transition.handover
    if handover is not None:
        if handover.messages:
            names = ", ".join(message_label(message, lang) for message in handover.messages)
            lines += [("messages", line) for line in wrap(names, 26, 24)]
        if handover.deadline:
            lines.append(("deadline", deadline_text(handover.deadline, lang)))
        if share is not None:
            lines.append(("on-time", _on_time_text(share, lang)))
    return lines


@lru_cache(maxsize=4096)
def _text_width(text: str, bold: bool) -> float:
    """About how wide ``text`` is at 10 px in a sans-serif font (on the wide side)."""
    width = sum(7.2 if char.isupper() else 3.4 if char in " .,:;'|!()[]" else 6.0 for char in text)
    return width * (1.12 if bold else 1.0)


_MARKER_ROOM = 14.0
"""Room kept at the right of a flagged transition's label for its "!" marker."""


def _label_size(lines: Sequence[tuple[str, str]], flagged: bool) -> tuple[float, float]:
    width = max(_text_width(text, css == "messages") for css, text in lines) + 12
    return width + (_MARKER_ROOM + 4 if flagged else 0.0), len(lines) * _LINE_HEIGHT + 6


def _edge_label(
    lines: Sequence[tuple[str, str]],
    box: Box,
    cross: bool,
    flagged: bool,
    marked: str | None = None,
) -> str:
    """The label's box and lines; ``marked``: the colour of its outline in a picture of
    a difference."""
    width = box.width - (_MARKER_ROOM + 4 if flagged else 0.0)
    x = box.x + width / 2
    border = f' stroke="{_HANDOVER}" stroke-width="0.8"' if cross else ""
    if marked is not None:
        border = f' stroke="{marked}" stroke-width="2"'
    spans = "".join(
        f'<tspan x="{x:.0f}" y="{(box.y + 13 + index * _LINE_HEIGHT):.0f}"'
        + (f' class="{css}"' if css else "")
        + f">{_esc(text)}</tspan>"
        for index, (css, text) in enumerate(lines)
    )
    return (
        f'<rect class="label" x="{box.x:.0f}" y="{box.y:.0f}" width="{width:.0f}" '
        f'height="{box.height:.0f}" rx="4" fill="#ffffff"{border}/>'
        f'<text class="edge-label" text-anchor="middle">{spans}</text>'
    )


def _transition(
    pathway: Pathway,
    transition: Transition,
    picture: Picture,
    findings: Sequence[Finding],
    lang: str,
    mark: str | None = None,
    share: float | None = None,
) -> str:
    places = picture.layout
    cross = pathway.is_cross_level(transition)
    severity = worst(findings)
    flagged = severity is not None and severity in _SEVERITY
    band = None
    if share is not None:
        band, band_colour = on_time_band(share)
        colour, marker, width = band_colour, f"arrow-on-time-{band}", 3.0
    elif mark in ("added", "removed"):
        colour, marker, width = _MARK[mark], f"arrow-{mark}", 2.5
    elif severity is not None and flagged:
        colour, marker, width = _SEVERITY[severity], f"arrow-{severity.value}", 2.5
    elif cross:
        colour, marker, width = _HANDOVER, "arrow-handover", 2.2
    else:
        colour, marker, width = _EDGE, "arrow", 1.5
    dash = ' stroke-dasharray="7 4"' if cross or mark == "removed" else ""
    css = "transition handover" if cross else "transition"
    if severity is not None and flagged:
        css += f" finding-{severity.value}"
    if mark is not None:
        css += f" change-{mark}"
    on_time = ""
    if share is not None:
        css += f" on-time-{band}"
        on_time = f' data-on-time="{share:.4f}"'
    title = f"{pathway.step(transition.source).name} → {pathway.step(transition.target).name}"
    if transition.label:
        title += f": {transition.label}"
    if share is not None:
        title += f" ({_on_time_text(share, lang)})"
    parts = [
        f'<g id="transition-{_esc(transition.key)}" class="{css}" '
        f'data-transition="{_esc(transition.key)}" data-from="{_esc(transition.source)}" '
        f'data-to="{_esc(transition.target)}"{on_time}>',
        f"<title>{_esc(title)}</title>",
        f'<path d="{_path(places.routes[transition.key])}" fill="none" stroke="{colour}" '
        f'stroke-width="{width:.1f}"{dash} stroke-linejoin="round" '
        f'marker-end="url(#h2h-{marker})"/>',
    ]
    lines = picture.label_lines.get(transition.key)
    box = places.labels.get(transition.key)
    if lines and box is not None:
        parts.append(_edge_label(lines, box, cross, flagged, _MARK.get(mark or "")))
        if severity is not None and flagged:
            parts.append(_marker(box.right - _MARKER_ROOM / 2, box.y + 9, severity, findings, lang))
    elif severity is not None and flagged:
        x, y = places.routes[transition.key][0]
        parts.append(_marker(x + 10, y - 12, severity, findings, lang))
    parts.append("</g>")
    return "".join(parts)


def _legend(y: float, lang: str, marks: Sequence[str] = (), on_time: bool = False) -> str:
    """What the lines and outlines mean; ``marks``: the kinds of difference shown;
    ``on_time``: the colours of a picture of conformance."""
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
    for mark in marks:
        text = said[f"mark_{mark}"]
        parts.append(
            f'<rect x="{x:.0f}" y="6" width="30" height="16" rx="8" fill="{_MARK[mark]}"/>'
            f'<text x="{(x + 38):.0f}" y="18">{_esc(text)}</text>'
        )
        x += 50 + len(text) * 6.5
    if on_time:
        bands = [(least, band, colour) for least, band, colour in ON_TIME_BANDS]
        for index, (least, band, colour) in enumerate(bands):
            if index == 0:
                text = f"≥ {_on_time_text(least, lang)}"
            elif index == len(bands) - 1:
                text = f"< {_on_time_text(bands[index - 1][0], lang)}"
            else:
                text = f"≥ {_on_time_text(least, lang)}"
            parts.append(
                f'<path class="on-time-{band}" d="M{x:.0f},14 L{(x + 40):.0f},14" '
                f'stroke="{colour}" stroke-width="3" marker-end="url(#h2h-arrow-on-time-{band})"/>'
                f'<text x="{(x + 48):.0f}" y="18">{_esc(text)}</text>'
            )
            x += 60 + len(text) * 6.5
    parts.append("</g>")
    return "".join(parts)


def _subtitle(context: ExportContext, lang: str) -> str:
    parts = [context.status_line(lang)]
    if context.generated_at is not None:
        parts.append(date_text(aware(context.generated_at).date(), lang))
    return " · ".join(part for part in parts if part)


@dataclass(frozen=True, slots=True)
class Picture:
    """What the picture of a pathway shows where: the shared layout, and the lines of
    text of each step and each transition's label (the PDF draws the same)."""

    layout: Layout
    names: Mapping[str, tuple[str, ...]]
    """Each step's name, wrapped."""
    roles: Mapping[str, tuple[str, ...]]
    """Each step's responsible role, wrapped (empty when it has none)."""
    label_lines: Mapping[str, list[tuple[str, str]]]
    """Each labelled transition's lines: (style, text), style "" or "messages"/"deadline"."""
    flagged: frozenset[str]
    """Transitions whose label keeps room for a finding's marker."""


_NAME_TOP, _NAME_LINE, _ROLE_LINE = 30.0, 14.0, 12.0


def _step_height(names: Sequence[str], roles: Sequence[str]) -> float:
    """Room for the kind, the name and the role inside a step's shape."""
    height = _NAME_TOP + _NAME_LINE * (len(names) - 1) + 12
    if roles:
        height += 4 + _ROLE_LINE * len(roles)
    return max(_NODE_HEIGHT, height)


def picture_layout(pathway: Pathway, context: ExportContext | None = None) -> Picture:
    """The layout of the picture of ``pathway`` and its texts (see :class:`Picture`)."""
    context = context or DEFAULT_CONTEXT
    lang = context.language
    _, transition_findings = index_findings(context.findings)
    room = _NODE_WIDTH - 16
    names = {
        step.key: wrap_to_width(step.name, room, 12, bold=True, max_lines=12)
        for step in pathway.steps
    }
    roles = {
        step.key: wrap_to_width(step.responsible, room, 10, max_lines=3) if step.responsible else ()
        for step in pathway.steps
    }
    nodes = [
        LayoutNode(
            step.key,
            step.level.value,
            _NODE_WIDTH,
            _step_height(names[step.key], roles[step.key]),
        )
        for step in pathway.steps
    ]
    label_lines: dict[str, list[tuple[str, str]]] = {}
    flagged: set[str] = set()
    edges = []
    for transition in pathway.transitions:
        lines = _label_lines(transition, lang, context.on_time.get(transition.key))
        severity = worst(transition_findings.get(transition.key, ()))
        marked = severity is not None and severity in _SEVERITY
        if marked:
            flagged.add(transition.key)
        size = _label_size(lines, marked) if lines else None
        if lines:
            label_lines[transition.key] = lines
        edges.append(LayoutEdge(transition.key, transition.source, transition.target, size))
    targets = {transition.target for transition in pathway.transitions}
    starts = [
        step.key for step in pathway.steps if step.kind is StepKind.HOME and step.key not in targets
    ]
    places = layout(
        nodes,
        edges,
        lanes=[level.value for level in LEVELS],
        starts=starts,
        spacing=_SPACING,
    )
    return Picture(places, names, roles, label_lines, frozenset(flagged))


def svg_picture(
    pathway: Pathway, *, context: ExportContext | None = None, picture: Picture | None = None
) -> str:
    """The ``<svg>`` element of the picture (no XML declaration), for embedding in HTML;
    ``picture`` is its layout if already computed. The lanes, steps and transitions are
    one group, ``<g id="h2h-art" class="h2h">`` (styled as the picture wherever it is
    used), of which the printed tiles show parts (``<use>``)."""
    context = context or DEFAULT_CONTEXT
    lang = context.language
    step_findings, transition_findings = index_findings(context.findings)
    picture = picture or picture_layout(pathway, context)
    places = picture.layout
    width = max(places.width, 720.0)
    height = places.height + _LEGEND_HEIGHT + 16
    lanes = {
        level: Box(0, box.y, width, box.height)
        for level in LEVELS
        for box in [places.lanes[level.value]]
    }
    shown = {*context.step_marks.values(), *context.transition_marks.values()}
    marks = [mark for mark in ("added", "changed", "removed") if mark in shown]
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="h2h" width="{width:.0f}" '
        f'height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" role="img" '
        f'aria-labelledby="h2h-picture-title">',
        f'<title id="h2h-picture-title">{_esc(pathway.info.title)}</title>',
        _defs(marks, bool(context.on_time)),
        f'<rect width="{width:.0f}" height="{height:.0f}" fill="#ffffff"/>',
        _text_lines([pathway.info.title], 16, 28, "title", 0, "start"),
        _text_lines([_subtitle(context, lang)], 16, 48, "subtitle", 0, "start"),
    ]
    parts.append('<g id="h2h-art" class="h2h">')
    parts += [_lane(level, lanes[level], lang) for level in LEVELS]
    parts += [
        _transition(
            pathway,
            transition,
            picture,
            transition_findings.get(transition.key, ()),
            lang,
            context.transition_marks.get(transition.key),
            context.on_time.get(transition.key) if pathway.is_cross_level(transition) else None,
        )
        for transition in pathway.transitions
    ]
    parts += [
        _step(
            step,
            places.boxes[step.key],
            picture.names[step.key],
            picture.roles[step.key],
            step_findings.get(step.key, ()),
            lang,
            context.step_marks.get(step.key),
        )
        for step in pathway.steps
    ]
    parts.append("</g>")
    parts.append(_legend(places.height + 8, lang, marks, bool(context.on_time)))
    parts.append("</svg>")
    return "\n".join(parts)


def to_svg(pathway: Pathway, *, context: ExportContext | None = None) -> bytes:
    """The swimlane picture of ``pathway`` as a standalone SVG document (UTF-8)."""
    picture = svg_picture(pathway, context=context)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + picture + "\n").encode("utf-8")
