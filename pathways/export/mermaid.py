"""The ``mermaid`` export: a ``flowchart LR`` with one ``subgraph`` per care level.

Node ids are ``s_`` and the step key with ``-`` turned into ``_`` (made unique if two
keys meet), so no key can collide with Mermaid syntax or keywords such as ``end``.
Every label is a quoted string in which ``"``, ``#``, ``&``, ``<``, ``>``, ``|`` and
backticks are written as Mermaid entity codes (``#quot;``, ``#35;``…). Home steps are
stadiums, decisions hexagons; a death, an outcome where the pathway ends, is a grey
stadium with a dark outline (class ``death``); an outpatient visit a subroutine, a box
with a bar down each side. Handovers are dotted links labelled with their messages and
deadline (said as people say it, ``innen 24 timer``, in the context's language); the
title names the status (``godkjent · versjon 3``). Findings from the context outline
steps in red (error) or orange (warning).
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from pathways.export._text import LEVELS, index_findings, level_label, worst
from pathways.export.context import DEFAULT_CONTEXT, ExportContext
from pathways.findings import Severity
from pathways.model import Pathway, Step, StepKind, Transition
from pathways.wording import deadline_text

__all__ = ["label", "node_ids", "to_mermaid"]

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


def _node(step: Step, node_id: str) -> str:
    opening, closing = _SHAPES.get(step.kind, ('["', '"]'))
    text = label(step.name)
    if step.responsible:
        text += "<br>(" + label(step.responsible) + ")"
    return f"{node_id}{opening}{text}{closing}"


def _link(transition: Transition, ids: dict[str, str], cross_level: bool, lang: str) -> str:
    source, target = ids[transition.source], ids[transition.target]
    parts = [transition.label] if transition.label else []
    handover = transition.handover
    if handover is not None and handover.messages:
        parts.append(", ".join(handover.messages))
    if handover is not None and handover.deadline:
        parts.append(deadline_text(handover.deadline, lang))
    arrow = "-.->" if cross_level else "-->"
    if not parts:
        return f"{source} {arrow} {target}"
    return f'{source} {arrow}|"{label(chr(10).join(parts))}"| {target}'


def _classes(name: str, node_ids: list[str]) -> list[str]:
    return [f"class {','.join(node_ids)} {name}"] if node_ids else []


def to_mermaid(pathway: Pathway, *, context: ExportContext | None = None) -> bytes:
    """Mermaid flowchart source of ``pathway`` (UTF-8), with the title as front matter."""
    context = context or DEFAULT_CONTEXT
    lang = context.language
    ids = node_ids(pathway.steps)
    step_findings, transition_findings = index_findings(context.findings)
    title = f"{pathway.info.title} ({context.status_line(lang)})"
    lines = ["---", "title: " + json.dumps(title, ensure_ascii=False), "---"]
    lines.append("flowchart LR")
    for level in LEVELS:
        lines.append(f'  subgraph level_{level.value}["{label(level_label(level, lang))}"]')
        lines.append("    direction LR")
        lines.extend(
            "    " + _node(step, ids[step.key]) for step in pathway.steps if step.level is level
        )
        lines.append("  end")
    handover_links: list[str] = []
    flagged_links: dict[Severity, list[str]] = {Severity.ERROR: [], Severity.WARNING: []}
    for index, transition in enumerate(pathway.transitions):
        cross = pathway.is_cross_level(transition)
        lines.append("  " + _link(transition, ids, cross, lang))
        severity = worst(transition_findings.get(transition.key, ()))
        if severity in flagged_links:
            flagged_links[severity].append(str(index))
        elif cross:
            handover_links.append(str(index))
    lines += [
        "  classDef municipality fill:#e8f5e9,stroke:#2e7d32",
        "  classDef hospital fill:#e3f2fd,stroke:#1565c0",
        "  classDef death fill:#eceff1,stroke:#37474f,stroke-width:3px",
        "  classDef error stroke:#c62828,stroke-width:3px",
        "  classDef warning stroke:#ef6c00,stroke-width:3px",
    ]
    for level in LEVELS:
        members = [ids[step.key] for step in pathway.steps if step.level is level]
        lines += ["  " + line for line in _classes(level.value, members)]
    deaths = [ids[step.key] for step in pathway.steps if step.kind is StepKind.DEATH]
    lines += ["  " + line for line in _classes("death", deaths)]
    for severity in (Severity.ERROR, Severity.WARNING):
        members = [
            ids[step.key]
            for step in pathway.steps
            if worst(step_findings.get(step.key, ())) is severity
        ]
        lines += ["  " + line for line in _classes(severity.value, members)]
    if handover_links:
        lines.append(f"  linkStyle {','.join(handover_links)} stroke:#6a1b9a,stroke-width:2px")
    colours = {Severity.ERROR: "#c62828", Severity.WARNING: "#ef6c00"}
    for severity, links in flagged_links.items():
        if links:
            lines.append(
                f"  linkStyle {','.join(links)} stroke:{colours[severity]},stroke-width:3px"
            )
    return ("\n".join(lines) + "\n").encode("utf-8")
