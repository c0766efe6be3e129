"""The ``dot`` export: Graphviz DOT, one cluster per care level.

Every id and label is a double-quoted DOT string (so ``:`` is never read as a port,
and keywords such as ``node`` or ``edge`` are plain names); inside it ``\\`` and ``"``
are escaped and line breaks become ``\\n``. Text is UTF-8 (Graphviz's default charset).
Handovers are dashed, coloured edges labelled with their messages and deadline (said as
people say it, ``innen 24 timer``, in the context's language); the graph's label is the
title and the status (``godkjent · versjon 3``). Home steps are houses, decisions
diamonds; a death, an outcome where the pathway ends, is a grey rounded box with a double
outline; an outpatient visit a record with a bar down each side. Steps and transitions
named in gap findings are outlined red (error) or orange (warning).
"""

from __future__ import annotations

import re

from pathways.export._text import LEVELS, index_findings, level_label, worst
from pathways.export.context import DEFAULT_CONTEXT, ExportContext
from pathways.findings import Severity
from pathways.model import Pathway, StepKind, Transition
from pathways.wording import deadline_text

__all__ = ["quote", "quote_record", "to_dot"]

_LEVEL_FILL = {"municipality": "#e8f5e9", "hospital": "#e3f2fd"}
_SEVERITY_COLOUR = {Severity.ERROR: "#c62828", Severity.WARNING: "#ef6c00"}
_SHAPES = {StepKind.HOME: "house", StepKind.DECISION: "diamond"}
_DEATH = {
    "style": "rounded,filled",
    "peripheries": "2",
    "fillcolor": "#eceff1",
    "color": "#37474f",
}
_RECORD_SPECIAL = re.compile(r"([{}|<>])")


def quote(text: str) -> str:
    """``text`` as a double-quoted DOT string (an ID or an ``escString`` label)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    escaped = escaped.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")
    return f'"{escaped}"'


def quote_record(text: str) -> str:
    """``text`` as the double-quoted label of a ``record`` node with a bar down each side.

    The fields are an empty one, ``text`` and an empty one, side by side in a left to right
    graph; ``{``, ``}``, ``|``, ``<`` and ``>`` in ``text`` stay text.

    >>> quote_record("Poliklinikk {a|b}")
    '"{ |Poliklinikk \\\\{a\\\\|b\\\\}| }"'
    """
    escaped = text.replace("\\", "\\\\")
    escaped = _RECORD_SPECIAL.sub(r"\\\1", escaped).replace('"', '\\"')
    escaped = escaped.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")
    return f'"{{ |{escaped}| }}"'


def _attributes(pairs: dict[str, str], quoted: dict[str, str] | None = None) -> str:
    """``name="value"`` pairs; ``quoted`` holds values that are DOT strings already."""
    texts = [f"{name}={quote(value)}" for name, value in pairs.items()]
    texts += [f"{name}={value}" for name, value in (quoted or {}).items()]
    return ", ".join(texts)


def _statements(pairs: dict[str, str], indent: str) -> list[str]:
    """Graph attributes as ``name="value";`` statements (read alike by every DOT parser)."""
    return [f"{indent}{name}={quote(value)};" for name, value in pairs.items()]


def _edge_label(transition: Transition, lang: str) -> str:
    lines = [transition.label] if transition.label else []
    handover = transition.handover
    if handover is not None:
        if handover.messages:
            lines.append(", ".join(handover.messages))
        if handover.deadline:
            lines.append(deadline_text(handover.deadline, lang))
    return "\n".join(lines)


def to_dot(pathway: Pathway, *, context: ExportContext | None = None) -> bytes:
    """Graphviz DOT of ``pathway`` (UTF-8): ``dot -Tsvg`` draws it left to right."""
    context = context or DEFAULT_CONTEXT
    lang = context.language
    step_findings, transition_findings = index_findings(context.findings)
    lines = [
        "// " + " ".join(pathway.info.title.split()) + " (Hjem til hjem)",
        "digraph pathway {",
        *_statements(
            {
                "label": f"{pathway.info.title}\n{context.status_line(lang)}",
                "labelloc": "t",
                "rankdir": "LR",
                "fontname": "Helvetica",
                "charset": "UTF-8",
            },
            "  ",
        ),
        '  node [shape="box", style="rounded,filled", fillcolor="white", fontname="Helvetica"];',
        '  edge [fontname="Helvetica", fontsize="10"];',
    ]
    for level in LEVELS:
        lines.append(f"  subgraph {quote('cluster_' + level.value)} {{")
        lines += _statements(
            {"label": level_label(level, lang), "style": "filled", "color": _LEVEL_FILL[level]},
            "    ",
        )
        for step in pathway.steps:
            if step.level is not level:
                continue
            label = step.name + (f"\n({step.responsible})" if step.responsible else "")
            attributes = {"label": label, "tooltip": step.description or step.name}
            quoted = {}
            if step.kind in _SHAPES:
                attributes["shape"] = _SHAPES[step.kind]
                attributes["style"] = "filled"
            elif step.kind is StepKind.DEATH:
                attributes.update(_DEATH)
            elif step.kind is StepKind.OUTPATIENT:
                del attributes["label"]
                attributes["shape"] = "record"
                quoted["label"] = quote_record(label)
            severity = worst(step_findings.get(step.key, ()))
            if severity in _SEVERITY_COLOUR:
                attributes["color"] = _SEVERITY_COLOUR[severity]
                attributes["penwidth"] = "3"
            lines.append(f"    {quote(step.key)} [{_attributes(attributes, quoted)}];")
        lines.append("  }")
    for transition in pathway.transitions:
        attributes = {"id": "transition-" + transition.key}
        label = _edge_label(transition, lang)
        if label:
            attributes["label"] = label
        if pathway.is_cross_level(transition):
            attributes.update(style="dashed", color="#6a1b9a", penwidth="2")
        severity = worst(transition_findings.get(transition.key, ()))
        if severity in _SEVERITY_COLOUR:
            attributes.update(color=_SEVERITY_COLOUR[severity], penwidth="3")
        lines.append(
            f"  {quote(transition.source)} -> {quote(transition.target)} "
            f"[{_attributes(attributes)}];"
        )
    lines.append("}")
    return ("\n".join(lines) + "\n").encode("utf-8")
