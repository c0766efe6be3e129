"""The ``dot`` export: Graphviz DOT, one cluster per care level.

Every id and label is a double-quoted DOT string (so ``:`` is never read as a port,
and keywords such as ``node`` or ``edge`` are plain names); inside it ``\\`` and ``"``
are escaped and line breaks become ``\\n``. Text is UTF-8 (Graphviz's default charset).
Handovers are dashed, coloured edges labelled with their messages and deadline (said as
people say it, ``innen 24 timer``, in the context's language); the graph's label is the
title and the status (``godkjent · versjon 3``). Home steps are houses, decisions
diamonds; a death, an outcome where the pathway ends, is a grey rounded box with a double
outline; an outpatient visit a record with a bar down each side. Steps and transitions
named in gap findings are outlined red (error) or orange (warning). Messages are named
for people (``LOG_INNLAGT`` → "Melding om innlagt pasient").

A ``cluster_legend`` says, in the context's language, what the arrows, the shapes drawn
and the outlines drawn mean: sample nodes (ids starting ``legend:``, which no step key
can) and sample edges between them, never to a step.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

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
from pathways.findings import Finding, Severity
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
_HANDOVER = {"style": "dashed", "color": "#6a1b9a", "penwidth": "2"}
_LEGEND_FONT = {"fontsize": "10"}
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


def _node_attributes(
    kind: StepKind | None,
    label: str,
    severity: Severity | None,
    more: dict[str, str] | None = None,
) -> str:
    """The attributes of a node drawn as a step of ``kind`` is (``None``: a plain box)."""
    attributes = {"label": label, **(more or {})}
    quoted = {}
    if kind in _SHAPES:
        attributes["shape"] = _SHAPES[kind]
        attributes["style"] = "filled"
    elif kind is StepKind.DEATH:
        attributes.update(_DEATH)
    elif kind is StepKind.OUTPATIENT:
        del attributes["label"]
        attributes["shape"] = "record"
        quoted["label"] = quote_record(label)
    if severity in _SEVERITY_COLOUR:
        attributes["color"] = _SEVERITY_COLOUR[severity]
        attributes["penwidth"] = "3"
    return _attributes(attributes, quoted)


def _legend(
    pathway: Pathway,
    step_findings: Mapping[str, Sequence[Finding]],
    transition_findings: Mapping[str, Sequence[Finding]],
    lang: str,
) -> list[str]:
    """The ``cluster_legend`` subgraph: sample nodes and edges, none of them a step.

    Shapes and outlines are shown only when the pathway has them; the arrows always.
    """
    said = words(lang)
    prefix = "legend:"
    while any(step.key.startswith(prefix) for step in pathway.steps):
        prefix = "_" + prefix  # only an unvalidated key can have a ":"

    def node(name: str, kind: StepKind | None, text: str, severity: Severity | None = None) -> str:
        drawn = _node_attributes(kind, text, severity, _LEGEND_FONT)
        return f"    {quote(prefix + name)} [{drawn}];"

    def edge(name: str, text: str, more: Mapping[str, str]) -> str:
        attributes = _attributes({"id": "legend-" + name, "label": text, **_LEGEND_FONT, **more})
        return f"    {quote(prefix + name + '-a')} -> {quote(prefix + name + '-b')} [{attributes}];"

    lines = [f"  subgraph {quote('cluster_legend')} {{"]
    lines += _statements(
        {
            "label": said["diagram_legend"],
            "style": "rounded,dashed",
            "color": "#9e9e9e",
            "fontsize": "12",
        },
        "    ",
    )
    for name in ("transition", "handover"):
        lines += [node(f"{name}-a", None, said["step"]), node(f"{name}-b", None, said["step"])]
    lines.append(edge("transition", said["diagram_within_level"], {}))
    lines.append(edge("handover", said["diagram_handover"].replace(": ", ":\n", 1), _HANDOVER))
    kinds = {step.kind for step in pathway.steps}
    for kind in (StepKind.HOME, StepKind.DECISION, StepKind.OUTPATIENT, StepKind.DEATH):
        if kind in kinds:
            lines.append(node(kind.value, kind, kind_label(kind, lang)))
    marked = [worst(step_findings.get(step.key, ())) for step in pathway.steps]
    marked += [worst(transition_findings.get(t.key, ())) for t in pathway.transitions]
    for severity in (Severity.ERROR, Severity.WARNING):
        if severity in marked:
            lines.append(node(severity.value, None, said["diagram_" + severity.value], severity))
    lines.append("  }")
    return lines


def _edge_label(transition: Transition, lang: str) -> str:
    lines = [transition.label] if transition.label else []
    handover = transition.handover
    if handover is not None:
        if handover.messages:
            lines.append(", ".join(message_label(message, lang) for message in handover.messages))
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
            severity = worst(step_findings.get(step.key, ()))
            tooltip = {"tooltip": step.description or step.name}
            drawn = _node_attributes(step.kind, label, severity, tooltip)
            lines.append(f"    {quote(step.key)} [{drawn}];")
        lines.append("  }")
    for transition in pathway.transitions:
        attributes = {"id": "transition-" + transition.key}
        label = _edge_label(transition, lang)
        if label:
            attributes["label"] = label
        if pathway.is_cross_level(transition):
            attributes.update(_HANDOVER)
        severity = worst(transition_findings.get(transition.key, ()))
        if severity in _SEVERITY_COLOUR:
            attributes.update(color=_SEVERITY_COLOUR[severity], penwidth="3")
        lines.append(
            f"  {quote(transition.source)} -> {quote(transition.target)} "
            f"[{_attributes(attributes)}];"
        )
    lines += _legend(pathway, step_findings, transition_findings, lang)
    lines.append("}")
    return ("\n".join(lines) + "\n").encode("utf-8")
