"""The ``html`` export: a printable, self-contained HTML5 document of a pathway.

For agreement secretariats: title, status, version, approvals, review date, agreement
reference, target group and description; the swimlane picture (inline SVG); the steps
per level; the transitions; the handovers with their checklists; and the open gaps
(the context's findings), all in the context's language (English, Norwegian bokmål or
nynorsk): the status as a word (``godkjent``, ``utkast``), deadlines and durations as
people say them (``samme dag``, ``innen 24 timer``), the ISO 8601 value kept only for
machines in a ``<time datetime>``.

No script, no external resource: inline CSS with print rules. Printed, it is A4 with
"Side 3 av 9" on every page and the title on every page after the first; the picture
is printed as tiles on landscape pages at a fixed scale (no text under 6 pt), cut
where the ``pdf`` export cuts it (:mod:`pathways.export._print`), each showing its part
of the one inline picture (``<use>``) with the lane headers, and naming the parts it
continues in. Rows never break; tables of up to six rows stay on one page, longer ones
keep at least two rows on each side of a break; the header row repeats. Every text is
escaped.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime

from pathways.durations import parse_duration
from pathways.export._print import SCALE, SHORT_TABLE, Tile, connectors, tiles
from pathways.export._text import (
    LEVELS,
    aware,
    escape,
    kind_label,
    level_label,
)
from pathways.export._words import words as words_of
from pathways.export.context import DEFAULT_CONTEXT, Approval, ExportContext, Fact
from pathways.export.layout import Layout
from pathways.export.svg import picture_layout, svg_picture
from pathways.findings import Finding
from pathways.model import Handover, Pathway, Transition
from pathways.wording import deadline_text, duration_text, join, language_or_default

__all__ = ["to_html"]

_CSS = """
:root { color-scheme: light; --muni: #2e7d32; --hosp: #1565c0; --handover: #6a1b9a;
  --error: #c62828; --warning: #ef6c00; --line: #d0d7de; }
* { box-sizing: border-box; }
html { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans",
  "DejaVu Sans", sans-serif; font-size: 15px; line-height: 1.45; color: #1b1b1b;
  background: #fff; }
body { margin: 0 auto; padding: 24px 32px 48px; max-width: 1200px; }
h1 { font-size: 1.9rem; line-height: 1.2; margin: 0.2rem 0 1rem; }
h2 { font-size: 1.35rem; margin: 2rem 0 0.6rem; padding-bottom: 0.25rem;
  border-bottom: 2px solid #263238; }
h3 { font-size: 1.08rem; margin: 1.3rem 0 0.4rem; }
.kicker { margin: 0; text-transform: uppercase; letter-spacing: 0.08em; font-size: 0.78rem;
  color: #546e7a; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.2rem 1.2rem;
  margin: 0; }
dl.facts dt { font-weight: 600; color: #37474f; }
dl.facts dd { margin: 0; }
.status { display: inline-block; padding: 0 0.5rem; border-radius: 0.8rem;
  background: #eceff1; font-weight: 600; }
.status.approved { background: #e8f5e9; color: #1b5e20; }
.prose { white-space: pre-line; max-width: 60rem; }
table { border-collapse: collapse; width: 100%; margin: 0.3rem 0 0.8rem; font-size: 0.93rem; }
th, td { text-align: left; vertical-align: top; padding: 0.35rem 0.5rem;
  border-bottom: 1px solid var(--line); }
th { background: #f5f7f8; font-weight: 600; }
td.num { width: 2.5rem; color: #607d8b; }
td.desc { white-space: pre-line; }
h3.level-municipality { color: var(--muni); }
h3.level-hospital { color: var(--hosp); }
.muted { color: #607d8b; }
.figure { margin: 0; }
.scroll { overflow-x: auto; border: 1px solid var(--line); border-radius: 6px; }
.scroll svg { display: block; }
figcaption { font-size: 0.85rem; color: #546e7a; margin-top: 0.4rem; }
.handover { border-left: 4px solid var(--handover); padding: 0.2rem 0 0.2rem 0.9rem;
  margin: 1rem 0 1.4rem; }
.handover h3 { margin-top: 0.2rem; }
.handover dl.facts { margin-bottom: 0.5rem; }
.handover.missing { border-left-color: var(--error); }
.tag { display: inline-block; padding: 0 0.45rem; border-radius: 0.7rem; font-size: 0.8rem;
  font-weight: 600; background: #eceff1; }
.tag.sender { background: #ede7f6; color: #4527a0; }
.tag.receiver { background: #e0f2f1; color: #00695c; }
.tag.error { background: #ffebee; color: var(--error); }
.tag.warning { background: #fff3e0; color: #a84300; }
.tag.info { background: #e3f2fd; color: #0d47a1; }
code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace;
  font-size: 0.88em; }
footer { margin-top: 2.5rem; font-size: 0.8rem; color: #607d8b;
  border-top: 1px solid var(--line); padding-top: 0.5rem; }
.tiles { display: none; }
@media print {
  html { font-size: 10pt; }
  body { padding: 0; max-width: none; }
  #picture { page: wide; }
  #picture .figure { display: none; }
  .tiles { display: block; }
  .tile { margin: 0; }
  .tile + .tile { break-before: page; }
  .tile svg { display: block; }
  .tile figcaption { display: block; margin: 0 0 2mm; font-size: 8pt; }
  h2, h3, h4 { break-after: avoid; }
  tr, .handover dl { break-inside: avoid; }
  table.short { break-inside: avoid; }
  tbody tr:first-child { break-after: avoid; }
  tbody tr:last-child { break-before: avoid; }
  thead { display: table-header-group; }
  footer { display: none; }
}
""".strip()

_PAGE_CSS = """
@page { size: A4; margin: 16mm 13mm 15mm;
  @top-left { content: %(title)s; font: 600 7pt sans-serif; color: #5f6b73; }
  @top-right { content: %(status)s; font: 7pt sans-serif; color: #5f6b73; }
  @bottom-left { content: %(footer)s; font: 7pt sans-serif; color: #5f6b73; }
  @bottom-right { content: %(page)s; font: 7pt sans-serif; color: #5f6b73; } }
@page :first { @top-left { content: none; } @top-right { content: none; } }
@page wide { size: A4 landscape; margin: 12mm 10mm; }
""".strip()
"""The printed pages; the margin boxes hold CSS strings (:func:`_css_string`)."""

_TILE_ROOM = (277 * 72 / 25.4, 165 * 72 / 25.4)
"""The room for a tile on a landscape page (the page less margins, heading and
caption), in points."""


def _e(text: object) -> str:
    return escape(text if isinstance(text, str) else str(text))


def _css_string(text: str) -> str:
    r"""``text`` as a CSS string, safe inside ``<style>``: quotes, backslashes and
    markup characters as CSS escapes.

    >>> print(_css_string('Side "3" </style>'))
    "Side \22 3\22  \3c /style\3e "
    """
    out = []
    for char in text:
        if char in '"\\<>&' or not char.isprintable():
            out.append(f"\\{ord(char):x} ")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _page_css(pathway: Pathway, context: ExportContext, words: Mapping[str, str]) -> str:
    """The ``@page`` rules: title and status at the top, "Side 3 av 9" at the bottom."""
    before, _, rest = words["page_of"].partition("{page}")
    between, _, after = rest.partition("{pages}")
    page = " ".join(
        part
        for part in (
            _css_string(before) if before else "",
            "counter(page)",
            _css_string(between) if between else "",
            "counter(pages)",
            _css_string(after) if after else "",
        )
        if part
    )
    return _PAGE_CSS % {
        "title": _css_string(pathway.info.title[:120]),
        "status": _css_string(context.status_line(context.language)),
        "footer": _css_string(words["footer"]),
        "page": page,
    }


def _time(value: datetime | date) -> str:
    if isinstance(value, datetime):
        value = aware(value)
        shown = value.strftime("%Y-%m-%d %H:%M")
        offset = value.utcoffset()
        shown += " UTC" if not offset else " " + value.strftime("%z")
        return f'<time datetime="{_e(value.isoformat())}">{_e(shown)}</time>'
    return f'<time datetime="{_e(value.isoformat())}">{_e(value.isoformat())}</time>'


def _machine_duration(value: str) -> str | None:
    """``value`` as an HTML duration string (days and time, no weeks), if it is one.

    >>> _machine_duration("P1W2D"), _machine_duration("PT0H"), _machine_duration("P1DT30M")
    ('P9D', 'PT0S', 'P1DT30M')
    """
    try:
        seconds = int(parse_duration(value).total_seconds())
    except ValueError:
        return None
    if seconds <= 0:
        return "PT0S"
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3600)
    minutes, rest = divmod(rest, 60)
    time = "".join(f"{n}{unit}" for n, unit in ((hours, "H"), (minutes, "M"), (rest, "S")) if n)
    return "P" + (f"{days}D" if days else "") + (f"T{time}" if time else "")


def _said(value: str | None, text: str) -> str:
    """``text`` (a duration said for people) with ``value`` kept for machines."""
    machine = _machine_duration(value) if value else None
    if machine is None:
        return _e(text)
    return f'<time datetime="{_e(machine)}">{_e(text)}</time>'


def _duration(value: str | None, lang: str) -> str:
    """A length of time (a step's expected duration): ``4 timer``, ``14 days``."""
    return _said(value, duration_text(value, lang)) if value else ""


def _deadline(value: str | None, lang: str) -> str:
    """A deadline (a handover's or a checklist item's): ``samme dag``, ``innen 24 timer``."""
    return _said(value, deadline_text(value, lang)) if value else ""


def _table(headers: Sequence[str], rows: Iterable[Sequence[str]], css: str = "") -> str:
    """A table; ``rows`` hold HTML that is already escaped."""
    head = "".join(f'<th scope="col">{_e(header)}</th>' for header in headers)
    lines = ["<tr>" + "".join(row) + "</tr>" for row in rows]
    body = "".join(lines)
    css = " ".join(part for part in (css, "short" if len(lines) <= SHORT_TABLE else "") if part)
    class_attribute = f' class="{css}"' if css else ""
    return f"<table{class_attribute}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _header(pathway: Pathway, context: ExportContext, words: Mapping[str, str], lang: str) -> str:
    status_class = "status approved" if context.is_approved else "status"
    rows = "".join(
        f"<dt>{_e(fact.label)}</dt><dd>{_fact(fact, status_class)}</dd>"
        for fact in context.facts(pathway, lang)
    )
    return (
        f'<header><p class="kicker">{_e(words["kicker"])}</p>'
        f"<h1>{_e(pathway.info.title)}</h1>"
        f'<dl class="facts" id="facts">{rows}</dl></header>'
    )


def _fact(fact: Fact, status_class: str) -> str:
    if fact.status:
        return f'<span class="{status_class}">{_e(fact.value)}</span>'
    if isinstance(fact.value, date):  # a datetime is a date too
        return _time(fact.value)
    return _e(fact.value)


def _section(section_id: str, title: str, body: str) -> str:
    return f'<section id="{section_id}"><h2>{_e(title)}</h2>{body}</section>'


def _approvals(approvals: Sequence[Approval], words: Mapping[str, str], lang: str) -> str:
    if not approvals:
        return f'<p class="muted">{_e(words["no_approvals"])}</p>'
    ordered = sorted(
        approvals, key=lambda approval: (aware(approval.approved_at), approval.organization)
    )
    return _table(
        [words["organisation"], words["level"], words["approved_at"], words["revision"]],
        (
            [
                f"<td>{_e(approval.organization)}</td>",
                f"<td>{_e(level_label(approval.level, lang))}</td>",
                f"<td>{_time(approval.approved_at)}</td>",
                f"<td>{_e(approval.revision)}</td>",
            ]
            for approval in ordered
        ),
    )


def _steps(pathway: Pathway, words: Mapping[str, str], lang: str) -> str:
    parts = []
    number = 0
    for level in LEVELS:
        parts.append(f'<h3 class="level-{level.value}">{_e(level_label(level, lang))}</h3>')
        rows = []
        for step in pathway.steps:
            if step.level is not level:
                continue
            number += 1
            rows.append(
                [
                    f'<td class="num">{number}</td>',
                    f"<td><strong>{_e(step.name)}</strong></td>",
                    f"<td>{_e(kind_label(step.kind, lang))}</td>",
                    f"<td>{_e(step.responsible)}</td>",
                    f"<td>{_duration(step.expected_duration, lang)}</td>",
                    f'<td class="desc">{_e(step.description)}</td>',
                ]
            )
        if rows:
            headers = ["#", words["step"], words["kind"], words["responsible"]]
            headers += [words["duration"], words["description"]]
            parts.append(_table(headers, rows, f"steps level-{level.value}"))
        else:
            parts.append(f'<p class="muted">{_e(words["no_steps"])}</p>')
    return "".join(parts)


def _step_name(pathway: Pathway, key: str) -> str:
    return pathway.step(key).name if pathway.has_step(key) else key


def _transitions(pathway: Pathway, words: Mapping[str, str]) -> str:
    if not pathway.transitions:
        return f'<p class="muted">{_e(words["no_transitions"])}</p>'
    rows = []
    for transition in pathway.transitions:
        handover = ""
        if pathway.is_cross_level(transition):
            handover = (
                f'<a href="#handover-{_e(transition.key)}">{_e(words["handover"])}</a>'
                if transition.handover is not None
                else f'<span class="tag error">{_e(words["no"])}</span>'
            )
        elif transition.handover is not None:
            handover = f'<a href="#handover-{_e(transition.key)}">{_e(words["handover"])}</a>'
        rows.append(
            [
                f"<td>{_e(_step_name(pathway, transition.source))}</td>",
                f"<td>{_e(_step_name(pathway, transition.target))}</td>",
                f"<td>{_e(transition.label)}</td>",
                f"<td>{handover}</td>",
            ]
        )
    headers = [words["from"], words["to"], words["condition"], words["handover"]]
    return _table(headers, rows, "transitions")


def _handover(
    pathway: Pathway,
    transition: Transition,
    handover: Handover | None,
    words: Mapping[str, str],
    lang: str,
) -> str:
    source, target = pathway.step(transition.source), pathway.step(transition.target)
    heading = (
        f"<h3>{_e(source.name)} → {_e(target.name)}"
        + (f' <span class="muted">({_e(transition.label)})</span>' if transition.label else "")
        + "</h3>"
    )
    anchor = f'id="handover-{_e(transition.key)}"'
    if handover is None:
        return (
            f'<article class="handover missing" {anchor}>{heading}'
            f'<p><span class="tag error">{_e(words["no_handover"])}</span></p></article>'
        )
    facts = [
        (words["sender_role"], _e(handover.sender_role)),
        (words["receiver_role"], _e(handover.receiver_role)),
        (words["messages"], ", ".join(f"<code>{_e(m)}</code>" for m in handover.messages)),
        (words["deadline"], _deadline(handover.deadline, lang)),
    ]
    rows = "".join(f"<dt>{_e(name)}</dt><dd>{value or '—'}</dd>" for name, value in facts)
    if handover.checklist:
        checklist = _table(
            [words["item"], words["side"], words["required"], words["due"]],
            (
                [
                    f'<td class="desc">{_e(item.text)}</td>',
                    f'<td><span class="tag {item.side.value}">'
                    f"{_e(words[item.side.value])}</span></td>",
                    f"<td>{_e(words['yes'] if item.required else words['no'])}</td>",
                    f"<td>{_deadline(item.due, lang)}</td>",
                ]
                for item in handover.checklist
            ),
            "checklist",
        )
    else:
        checklist = f'<p class="muted">{_e(words["no_checklist"])}</p>'
    return (
        f'<article class="handover" {anchor}>{heading}<dl class="facts">{rows}</dl>'
        f"<h4>{_e(words['checklist'])}</h4>{checklist}</article>"
    )


def _handovers(pathway: Pathway, words: Mapping[str, str], lang: str) -> str:
    parts = [
        _handover(pathway, transition, transition.handover, words, lang)
        for transition in pathway.transitions
        if transition.handover is not None or pathway.is_cross_level(transition)
    ]
    return "".join(parts) or f'<p class="muted">{_e(words["no_handovers"])}</p>'


def _gaps(
    pathway: Pathway, findings: Sequence[Finding], words: Mapping[str, str], lang: str
) -> str:
    if not findings:
        return f'<p class="muted">{_e(words["no_gaps"])}</p>'
    ordered = sorted(findings, key=lambda finding: finding.severity.rank)
    transitions = {transition.key: transition for transition in pathway.transitions}
    rows = []
    for finding in ordered:
        concerns = [_step_name(pathway, key) for key in finding.steps]
        for key in finding.transitions:
            transition = transitions.get(key)
            concerns.append(
                f"{_step_name(pathway, transition.source)} → "
                f"{_step_name(pathway, transition.target)}"
                if transition is not None
                else key
            )
        severity = finding.severity
        rows.append(
            [
                f'<td><span class="tag {severity.value}">{_e(words[severity.value])}</span></td>',
                f'<td>{_e(finding.message(lang))} <code class="muted">{_e(finding.code)}</code>'
                "</td>",
                f"<td>{'<br>'.join(_e(concern) for concern in concerns)}</td>",
            ]
        )
    return _table([words["severity"], words["finding"], words["concerns"]], rows, "gaps")


def _tile(places: Layout, tile: Tile, words: Mapping[str, str], count: int, goes: str) -> str:
    """One printed tile: the lane headers and the tile's window onto the picture."""
    header = places.header
    x0 = tile.content_x0(header)
    width, height = tile.x1 - x0, tile.height
    caption = words["picture_part"].format(part=tile.index + 1, parts=count)
    if goes:
        caption += " · " + words["continues_in"].format(parts=goes)
    scale = f'style="width: {(header + width) * SCALE:.1f}pt; height: {height * SCALE:.1f}pt"'
    return (
        f'<figure class="tile"><figcaption>{_e(caption)}</figcaption>'
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {header + width:.1f} '
        f'{height:.1f}" {scale} role="img" aria-label="{_e(caption)}">'
        f'<svg x="0" y="0" width="{header:.1f}" height="{height:.1f}" '
        f'viewBox="0 {tile.y0:.1f} {header:.1f} {height:.1f}"><use href="#h2h-art"/></svg>'
        f'<svg x="{header:.1f}" y="0" width="{width:.1f}" height="{height:.1f}" '
        f'viewBox="{x0:.1f} {tile.y0:.1f} {width:.1f} {height:.1f}">'
        '<use href="#h2h-art"/></svg></svg></figure>'
    )


def _tiles(places: Layout, words: Mapping[str, str], lang: str) -> str:
    """The picture as printed: page-sized tiles, each naming the parts it continues in."""
    parts = tiles(places, width=_TILE_ROOM[0] / SCALE, height=_TILE_ROOM[1] / SCALE)
    crossing = connectors(places, parts)
    out = []
    for tile in parts:
        others = sorted({connector.other + 1 for connector in crossing.get(tile.index, ())})
        goes = join([str(number) for number in others], lang) if others else ""
        out.append(_tile(places, tile, words, len(parts), goes))
    return f'<div class="tiles">{"".join(out)}</div>'


def to_html(pathway: Pathway, *, context: ExportContext | None = None) -> bytes:
    """The printable HTML5 document of ``pathway`` (UTF-8)."""
    context = context or DEFAULT_CONTEXT
    lang = language_or_default(context.language)
    words = words_of(lang)
    info = pathway.info
    description = (
        f'<p class="prose">{_e(info.description)}</p>'
        if info.description
        else f'<p class="muted">{_e(words["no_description"])}</p>'
    )
    places = picture_layout(pathway, context)
    svg = svg_picture(pathway, context=context, picture=places)
    picture = (
        f'<figure class="figure"><div class="scroll">{svg}</div>'
        f"<figcaption>{_e(words['picture_caption'])}</figcaption></figure>"
        + _tiles(places.layout, words, lang)
    )
    body = [
        _header(pathway, context, words, lang),
        "<main>",
        _section("description", words["description"], description),
        _section("approvals", words["approvals"], _approvals(context.approvals, words, lang)),
        _section("picture", words["picture"], picture),
        _section("steps", words["steps"], _steps(pathway, words, lang)),
        _section("transitions", words["transitions"], _transitions(pathway, words)),
        _section("handovers", words["handovers"], _handovers(pathway, words, lang)),
        _section("gaps", words["gaps"], _gaps(pathway, context.findings, words, lang)),
        "</main>",
        f"<footer>{_e(words['footer'])}"
        + (f" · {_time(context.generated_at)}" if context.generated_at else "")
        + "</footer>",
    ]
    document = (
        "<!DOCTYPE html>\n"
        f'<html lang="{_e(lang)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="generator" content="Hjem til hjem">\n'
        f"<title>{_e(info.title)}</title>\n<style>\n{_CSS}\n{_page_css(pathway, context, words)}"
        "\n</style>\n</head>\n<body>\n" + "\n".join(body) + "\n</body>\n</html>\n"
    )
    return document.encode("utf-8")
