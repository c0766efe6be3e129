"""The ``mermaid`` export: a ``flowchart LR`` with one ``subgraph`` per care level.

Node ids are ``s_`` and the step key with ``-`` turned into ``_`` (made unique if two
keys meet), so no key can collide with Mermaid syntax or keywords such as ``end``.
Every label is a quoted string in which ``"``, ``#``, ``&``, ``<``, ``>``, ``|`` and
backticks are written as Mermaid entity codes (``#quot;``, ``#35;``…). Home steps are
stadiums, decisions hexagons; a death, an outcome where the pathway ends, is a grey
stadium with a dark outline (class ``death``); an outpatient visit a subroutine, a box
with a bar down each side. Handovers are dotted links labelled with their messages
(named for people: ``LOG_INNLAGT`` → "Melding om innlagt pasient") and deadline (said as
people say it, ``samme dag``, ``innen 24 timer``, in the context's language); the title
names the status (``godkjent · versjon 3``). Findings from the context outline
steps in red (error) or orange (warning). A ``legend`` subgraph of sample nodes and
links, in the context's language, says what the arrows, shapes and outlines mean; it
has no link to a step.

Mermaid refuses a flowchart of more than :data:`MAX_TEXT_SIZE` characters or
:data:`MAX_EDGES` links (its defaults). A pathway whose full flowchart would pass
either is drawn as a summary instead, which a ``%%`` comment, the title and a note in
the legend say, naming the exports that hold the whole pathway. The summary puts steps
in groups, each drawn as one box (``12 trinn``, the first and the last step's names)
in its level's subgraph, and the transitions between two groups as one link
(``8 overleveringer``, their messages and deadlines). The finest grouping that fits is
chosen from, in turn: the runs of care on one level (steps joined by transitions within
the level, readmission loops set aside), then the runs on a level whose first step lies
in the same band of 1, 2, 4… layers (a step's layer is its longest distance from home,
loops set aside), then one group per level. Home and death steps, where the pathway
starts and ends, stay steps of their own until that last grouping. A group is outlined
by the worst finding on its steps or on the transitions inside it. The result is
deterministic.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import networkx as nx

from pathways.export._text import (
    LEVELS,
    index_findings,
    kind_label,
    level_label,
    message_label,
    worst,
)
from pathways.export._words import words
from pathways.export.context import DEFAULT_CONTEXT, ExportContext
from pathways.findings import Severity
from pathways.model import Level, Pathway, Step, StepKind, Transition
from pathways.wording import deadline_text

__all__ = ["MAX_EDGES", "MAX_TEXT_SIZE", "label", "node_ids", "to_mermaid"]

MAX_TEXT_SIZE = 50_000
"""Mermaid's default ``maxTextSize``: longer text is drawn as an error message instead."""
MAX_EDGES = 500
"""Mermaid's default ``maxEdges``: a flowchart with more links fails ("Edge limit exceeded")."""

_ENTITIES = {
    "#": "#35;",
    '"': "#quot;",
    "&": "#amp;",
    "<": "#lt;",
    ">": "#gt;",
    "|": "#124;",
    "`": "#96;",
}
_ESCAPE = str.maketrans(_ENTITIES)
_SHAPES = {
    StepKind.HOME: ('(["', '"])'),
    StepKind.DEATH: ('(["', '"])'),
    StepKind.DECISION: ('{{"', '"}}'),
    StepKind.OUTPATIENT: ('[["', '"]]'),
}
_BOX = ('["', '"]')
_HANDOVER_STYLE = "stroke:#6a1b9a,stroke-width:2px"
_SEVERITY_COLOUR = {Severity.ERROR: "#c62828", Severity.WARNING: "#ef6c00"}
_CLASS_DEFS = (
    "classDef municipality fill:#e8f5e9,stroke:#2e7d32",
    "classDef hospital fill:#e3f2fd,stroke:#1565c0",
    "classDef death fill:#eceff1,stroke:#37474f,stroke-width:3px",
    "classDef error stroke:#c62828,stroke-width:3px",
    "classDef warning stroke:#ef6c00,stroke-width:3px",
    "classDef group fill:#ffffff,stroke-dasharray:6 3",
    "classDef legendItem fill:#ffffff,stroke:#757575",
    "classDef legendMark fill:#ffffff",
    "classDef legendNote fill:#fff8e1,stroke:#f9a825",
)
_LEGEND_STYLE = "style legend fill:#fafafa,stroke:#9e9e9e,stroke-dasharray:4 4"
_LEGEND_LINKS = 2
"""The links of the legend: a transition within a level and a handover."""
_ENDS = frozenset({StepKind.HOME, StepKind.DEATH})
_NAME_WIDTH = 60
"""Names in a summary are cut to this many characters (a group's two names to half)."""
_LIST_LENGTH = 3
"""A summarised link lists at most this many messages and deadlines."""


def label(text: str) -> str:
    """``text`` escaped for a quoted Mermaid label (without the quotes)."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "<br>".join(line.translate(_ESCAPE) for line in lines)


def node_ids(steps: Iterable[Step]) -> dict[str, str]:
    """A safe, unique Mermaid node id per step key, in document order."""
    ids: dict[str, str] = {}
    used: set[str] = set()
    for step in steps:
        base = "s_" + step.key.replace("-", "_")
        candidate, number = base, 2
        while candidate in used:
            candidate, number = f"{base}_{number}", number + 1
        used.add(candidate)
        ids[step.key] = candidate
    return ids


def _short_enough(text: str) -> bool:
    """Whether ``text`` is within :data:`MAX_TEXT_SIZE`, counted as JavaScript counts a
    string's length (in UTF-16 code units)."""
    return len(text) <= MAX_TEXT_SIZE // 2 or len(text.encode("utf-16-le")) // 2 <= MAX_TEXT_SIZE


@dataclass(frozen=True, slots=True)
class _Node:
    id: str
    level: Level
    text: str
    """The label, escaped."""
    kind: StepKind | None
    """The step's kind, for its shape; ``None`` for a group of steps."""
    severity: Severity | None


@dataclass(frozen=True, slots=True)
class _Link:
    source: str
    target: str
    text: str
    """The label, escaped; empty for none."""
    cross: bool
    severity: Severity | None


def _shorten(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _worst(severities: Iterable[Severity | None]) -> Severity | None:
    present = [severity for severity in severities if severity is not None]
    return min(present, key=lambda severity: severity.rank, default=None)


@lru_cache(maxsize=1024)
def _deadline(deadline: str, lang: str) -> str:
    return deadline_text(deadline, lang)


@lru_cache(maxsize=4096)
def _message(message: str, lang: str) -> str:
    return message_label(message, lang)


def _count(what: str, count: int, lang: str) -> str:
    """``12 trinn``, ``1 overlevering``: ``what`` is ``steps``, ``transitions``…"""
    key = f"diagram_{what}_one" if count == 1 else f"diagram_{what}"
    return words(lang)[key].format(count=count)


def _step_text(step: Step, width: int | None = None) -> str:
    name, responsible = step.name, step.responsible
    if width is not None:
        name, responsible = _shorten(name, width), _shorten(responsible, width)
    text = label(name)
    if responsible:
        text += "<br>(" + label(responsible) + ")"
    return text


def _transition_text(transition: Transition, lang: str) -> str:
    parts = [transition.label] if transition.label else []
    handover = transition.handover
    if handover is not None and handover.messages:
        parts.append(", ".join(_message(message, lang) for message in handover.messages))
    if handover is not None and handover.deadline:
        parts.append(_deadline(handover.deadline, lang))
    return label("\n".join(parts))


def _node_line(node: _Node) -> str:
    opening, closing = _SHAPES.get(node.kind, _BOX) if node.kind is not None else _BOX
    return f"{node.id}{opening}{node.text}{closing}"


def _link_line(link: _Link) -> str:
    arrow = "-.->" if link.cross else "-->"
    if not link.text:
        return f"{link.source} {arrow} {link.target}"
    return f'{link.source} {arrow}|"{link.text}"| {link.target}'


def _classes(name: str, members: Sequence[str]) -> list[str]:
    return [f"  class {','.join(members)} {name}"] if members else []


def _legend(
    nodes: Sequence[_Node], links: Sequence[_Link], lang: str, note: str | None
) -> tuple[list[str], list[str]]:
    """The legend subgraph's lines and its class lines; its links come after ``links``."""
    said = words(lang)
    step = label(said["step"])
    lines = [
        f'  subgraph legend["{label(said["diagram_legend"])}"]',
        "    direction LR",
        f'    legend_step_a["{step}"] -->|"{label(said["diagram_within_level"])}"| '
        f'legend_step_b["{step}"]',
        f'    legend_handover_a["{step}"] -.->|"{label(said["diagram_handover"])}"| '
        f'legend_handover_b["{step}"]',
    ]
    items = ["legend_step_a", "legend_step_b", "legend_handover_a", "legend_handover_b"]
    if any(node.kind is None for node in nodes):
        lines.append(f'    legend_group["{label(said["diagram_group"])}"]')
        items.append("legend_group")
    kinds = {node.kind for node in nodes}
    deaths: list[str] = []
    for kind in _SHAPES:
        if kind in kinds:
            opening, closing = _SHAPES[kind]
            node_id = f"legend_{kind.value}"
            lines.append(f"    {node_id}{opening}{label(kind_label(kind, lang))}{closing}")
            (deaths if kind is StepKind.DEATH else items).append(node_id)
    drawn = {node.severity for node in nodes} | {link.severity for link in links}
    marked = [severity for severity in _SEVERITY_COLOUR if severity in drawn]
    for severity in marked:
        text = label(said["diagram_" + severity.value])
        lines.append(f'    legend_{severity.value}["{text}"]')
    if note is not None:
        lines.append(f'    legend_note["{label(note)}"]')
    lines.append("  end")
    classes = _classes("legendItem", items) + _classes("death", deaths)
    classes += _classes("legendMark", [f"legend_{severity.value}" for severity in marked])
    for severity in marked:
        classes += _classes(severity.value, [f"legend_{severity.value}"])
    if note is not None:
        classes += _classes("legendNote", ["legend_note"])
    return lines, classes


def _render(
    title: str, nodes: Sequence[_Node], links: Sequence[_Link], lang: str, note: str | None
) -> str:
    lines = ["---", "title: " + json.dumps(title, ensure_ascii=False), "---", "flowchart LR"]
    if note is not None:
        lines.append("  %% " + " ".join(note.split()))
    for level in LEVELS:
        lines.append(f'  subgraph level_{level.value}["{label(level_label(level, lang))}"]')
        lines.append("    direction LR")
        lines.extend("    " + _node_line(node) for node in nodes if node.level is level)
        lines.append("  end")
    lines.extend("  " + _link_line(link) for link in links)
    legend, legend_classes = _legend(nodes, links, lang, note)
    lines += legend
    lines += ["  " + line for line in _CLASS_DEFS]
    for level in LEVELS:
        lines += _classes(level.value, [node.id for node in nodes if node.level is level])
    lines += _classes("group", [node.id for node in nodes if node.kind is None])
    lines += _classes("death", [node.id for node in nodes if node.kind is StepKind.DEATH])
    for severity in (Severity.ERROR, Severity.WARNING):
        lines += _classes(severity.value, [node.id for node in nodes if node.severity is severity])
    lines += legend_classes
    lines.append("  " + _LEGEND_STYLE)
    handovers = [str(index) for index, link in enumerate(links) if link.cross and not link.severity]
    handovers.append(str(len(links) + 1))  # the legend's handover
    lines.append(f"  linkStyle {','.join(handovers)} {_HANDOVER_STYLE}")
    for severity, colour in _SEVERITY_COLOUR.items():
        flagged = [str(index) for index, link in enumerate(links) if link.severity is severity]
        if flagged:
            lines.append(f"  linkStyle {','.join(flagged)} stroke:{colour},stroke-width:3px")
    return "\n".join(lines) + "\n"


def _full(pathway: Pathway, context: ExportContext) -> str:
    lang = context.language
    ids = node_ids(pathway.steps)
    step_findings, transition_findings = index_findings(context.findings)
    nodes = [
        _Node(
            ids[step.key],
            step.level,
            _step_text(step),
            step.kind,
            _flag(worst(step_findings.get(step.key, ()))),
        )
        for step in pathway.steps
    ]
    links = [
        _Link(
            ids[transition.source],
            ids[transition.target],
            _transition_text(transition, lang),
            pathway.is_cross_level(transition),
            _flag(worst(transition_findings.get(transition.key, ()))),
        )
        for transition in pathway.transitions
    ]
    title = f"{pathway.info.title} ({context.status_line(lang)})"
    return _render(title, nodes, links, lang, None)


def _flag(severity: Severity | None) -> Severity | None:
    """``severity`` if it outlines a step or link (errors and warnings), else ``None``."""
    return severity if severity in _SEVERITY_COLOUR else None


def _layering(pathway: Pathway) -> tuple[dict[str, int], set[tuple[str, str]]]:
    """Each step's layer, and the transitions (source and target) that loop back.

    A transition loops back when it lies on a cycle and leads to a step no farther from
    home than its own (in transitions, from the home steps nothing leads to, then from
    each step not yet reached, in document order). The others make no cycle; a step's
    layer is its longest distance along them from a step with no input.
    """
    successors: dict[str, dict[str, None]] = {step.key: {} for step in pathway.steps}
    for transition in pathway.transitions:
        successors[transition.source][transition.target] = None
    targets = {transition.target for transition in pathway.transitions}
    starts = [s.key for s in pathway.steps if s.kind is StepKind.HOME and s.key not in targets]
    distance: dict[str, int] = {}
    for start in [*starts, *successors]:
        if start in distance:
            continue
        distance[start] = 0
        reached = [start]
        for key in reached:  # grows while it is walked: breadth first
            for child in successors[key]:
                if child not in distance:
                    distance[child] = distance[key] + 1
                    reached.append(child)
    graph = nx.DiGraph()
    graph.add_nodes_from(successors)
    graph.add_edges_from((key, child) for key, children in successors.items() for child in children)
    component = {
        key: index
        for index, members in enumerate(nx.strongly_connected_components(graph))
        for key in members
    }
    loops = {
        (key, child)
        for key, children in successors.items()
        for child in children
        if component[key] == component[child] and distance[child] <= distance[key]
    }
    waiting = dict.fromkeys(successors, 0)
    for key, children in successors.items():
        for child in children:
            waiting[child] += (key, child) not in loops
    layer = dict.fromkeys(successors, 0)
    ready = [key for key, count in waiting.items() if count == 0]
    for key in ready:  # grows while it is walked: Kahn's topological order
        for child in successors[key]:
            if (key, child) not in loops:
                layer[child] = max(layer[child], layer[key] + 1)
                waiting[child] -= 1
                if waiting[child] == 0:
                    ready.append(child)
    return layer, loops


def _groupings(pathway: Pathway) -> Iterator[list[list[Step]]]:
    """Ever coarser partitions of the steps (see the module's docstring), each in order.

    A partition's groups are ordered by their first layer, then their first step in the
    document; a group's steps by layer, then document order.
    """
    layer, loops = _layering(pathway)
    position = {step.key: index for index, step in enumerate(pathway.steps)}
    parent = {step.key: step.key for step in pathway.steps}

    def root(key: str) -> str:
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    for transition in pathway.transitions:
        source, target = pathway.step(transition.source), pathway.step(transition.target)
        if (
            source.level is target.level
            and source.kind not in _ENDS
            and target.kind not in _ENDS
            and (source.key, target.key) not in loops
        ):
            parent[root(source.key)] = root(target.key)
    runs: dict[str, list[Step]] = {}
    for step in sorted(pathway.steps, key=lambda step: (layer[step.key], position[step.key])):
        runs.setdefault(root(step.key), []).append(step)
    first = {key: layer[members[0].key] for key, members in runs.items()}

    def partition(group_of: Mapping[str, object]) -> list[list[Step]]:
        groups: dict[object, list[Step]] = {}
        for key in sorted(runs, key=lambda key: (first[key], position[runs[key][0].key])):
            groups.setdefault(group_of[key], []).extend(runs[key])
        return [
            sorted(members, key=lambda step: (layer[step.key], position[step.key]))
            for members in groups.values()
        ]

    yield partition({key: key for key in runs})
    span = max(layer.values(), default=0) + 1
    width = 1
    while True:
        yield partition(
            {
                key: key
                if runs[key][0].kind in _ENDS
                else (runs[key][0].level, first[key] // width)
                for key in runs
            }
        )
        if width >= span:
            break
        width *= 2
    yield partition({key: runs[key][0].level for key in runs})


def _summary(
    pathway: Pathway, context: ExportContext, groups: Sequence[Sequence[Step]]
) -> str | None:
    """The summary of ``pathway`` in ``groups``; ``None`` if it has too many links."""
    lang = context.language
    said = words(lang)
    ids = node_ids(pathway.steps)
    step_findings, transition_findings = index_findings(context.findings)
    group_of = {step.key: index for index, members in enumerate(groups) for step in members}
    inner: dict[int, list[Severity | None]] = {}
    between: dict[tuple[int, int], list[Transition]] = {}
    for transition in pathway.transitions:
        source, target = group_of[transition.source], group_of[transition.target]
        if source == target:
            inner.setdefault(source, []).append(
                _flag(worst(transition_findings.get(transition.key, ())))
            )
        else:
            between.setdefault((source, target), []).append(transition)
    if len(between) + _LEGEND_LINKS > MAX_EDGES:
        return None
    nodes: list[_Node] = []
    for index, members in enumerate(groups):
        severity = _flag(
            _worst(
                [
                    *(worst(step_findings.get(step.key, ())) for step in members),
                    *inner.get(index, ()),
                ]
            )
        )
        if len(members) == 1:
            step = members[0]
            nodes.append(
                _Node(ids[step.key], step.level, _step_text(step, _NAME_WIDTH), step.kind, severity)
            )
            continue
        names = (
            _shorten(members[0].name, _NAME_WIDTH // 2),
            _shorten(members[-1].name, _NAME_WIDTH // 2),
        )
        text = label(_count("steps", len(members), lang) + "\n" + " \u2013\n".join(names))
        nodes.append(_Node(f"g_{index + 1}", members[0].level, text, None, severity))
    links: list[_Link] = []
    for (source, target), transitions in between.items():
        cross = nodes[source].level is not nodes[target].level
        text = label(_summary_text(transitions, cross, lang))
        severity = _flag(_worst(worst(transition_findings.get(t.key, ())) for t in transitions))
        links.append(_Link(nodes[source].id, nodes[target].id, text, cross, severity))
    note = said["diagram_summary_note"].format(
        steps=_count("steps", len(pathway.steps), lang),
        transitions=_count("transitions", len(pathway.transitions), lang),
    )
    title = (
        f"{_shorten(pathway.info.title, 300)} "
        f"({context.status_line(lang)} · {said['diagram_summary']})"
    )
    return _render(title, nodes, links, lang, note)


def _summary_text(transitions: Sequence[Transition], cross: bool, lang: str) -> str:
    """``8 overleveringer``, their messages and deadlines, each said once and in order.

    One transition is said as in the whole flowchart, by its label, messages and deadline;
    every text is cut short, and at most :data:`_LIST_LENGTH` messages are named.
    """
    if len(transitions) == 1:
        parts = [_shorten(transitions[0].label, _NAME_WIDTH)] if transitions[0].label else []
    elif cross:
        parts = [_count("handovers", len(transitions), lang)]
    else:
        return _count("transitions", len(transitions), lang)
    messages: dict[str, None] = {}
    deadlines: dict[str, None] = {}
    for transition in transitions:
        handover = transition.handover
        if handover is not None:
            messages.update(dict.fromkeys(_message(m, lang) for m in handover.messages))
            if handover.deadline:
                deadlines[_deadline(handover.deadline, lang)] = None
    for said in (messages, deadlines):
        if said:
            listed = [_shorten(text, _NAME_WIDTH) for text in list(said)[:_LIST_LENGTH]]
            parts.append(", ".join(listed) + (", …" if len(said) > _LIST_LENGTH else ""))
    return "\n".join(parts)


def to_mermaid(pathway: Pathway, *, context: ExportContext | None = None) -> bytes:
    """Mermaid flowchart source of ``pathway`` (UTF-8), with the title as front matter.

    The whole pathway if Mermaid's default limits let it draw it, else a summary.
    """
    context = context or DEFAULT_CONTEXT
    if len(pathway.transitions) + _LEGEND_LINKS <= MAX_EDGES:
        text = _full(pathway, context)
        if _short_enough(text):
            return text.encode("utf-8")
    text, previous = "", -1
    for groups in _groupings(pathway):
        if len(groups) == previous:
            continue  # the same partition as the one before: each is coarser or the same
        previous = len(groups)
        summary = _summary(pathway, context, groups)
        if summary is not None:  # the last grouping, one group per level, has few links
            text = summary
            if _short_enough(text):
                break
    return text.encode("utf-8")
