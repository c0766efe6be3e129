"""The ``bpmn`` export: a BPMN 2.0 collaboration with diagram interchange.

One pool (``participant``) per care level, each with its own ``process``:

- a step becomes a ``task``; a ``decision`` an ``exclusiveGateway``; a ``home`` step with
  no incoming transition a ``startEvent`` and one with no outgoing transition an
  ``endEvent`` (a home step with both stays a ``task``); a ``death`` step, an outcome
  where the pathway ends, an ``endEvent`` too (a task if it goes on anywhere);
- a transition inside a level becomes a ``sequenceFlow``;
- a transition across levels (a handover) becomes, in the sending pool, a sequence flow
  into a message ``endEvent`` (the patient leaves this level's care), in the receiving
  pool a message ``startEvent`` with a sequence flow to the target step, and between the
  two a ``messageFlow`` named by the handover's messages (the two events refer to a
  ``message`` of that name; the handover's roles, deadline and checklist are the events'
  documentation). So each process is well-formed on its own and every message flow
  joins two pools.

Names and documentation are in the context's language (English, bokmål or nynorsk), with
deadlines and durations said as people say them (``samme dag``, ``innen 24 timer``).

Ids are NCNames made of a prefix and a key (``step_``, ``flow_``, ``send_``,
``receive_``, ``sendflow_``, ``receiveflow_``, ``messageflow_``, ``message_``): prefixes
have no ``_`` but the last, so two ids never meet. The diagram (``BPMNDiagram``) has a
shape per pool and flow node and an edge with waypoints per sequence and message flow,
laid out by :mod:`pathways.export.layout`: pools as bands stacked vertically, nodes
left to right by layer.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from pathways.export._text import LEVELS, level_label, xml_safe
from pathways.export._words import words
from pathways.export.context import ExportContext
from pathways.export.layout import Box, Layout, LayoutNode, Spacing, layout
from pathways.model import Level, Pathway, Step, StepKind, Transition
from pathways.wording import deadline_text, duration_text

__all__ = ["BPMNDI_NS", "BPMN_NS", "DC_NS", "DI_NS", "to_bpmn"]

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI_NS = "http://www.omg.org/spec/BPMN/20100524/DI"
DC_NS = "http://www.omg.org/spec/DD/20100524/DC"
DI_NS = "http://www.omg.org/spec/DD/20100524/DI"
_NSMAP = {"bpmn": BPMN_NS, "bpmndi": BPMNDI_NS, "dc": DC_NS, "di": DI_NS}

_SIZES = {"task": (120.0, 80.0), "exclusiveGateway": (50.0, 50.0)}
_EVENT_SIZE = (36.0, 36.0)
_SPACING = Spacing(lane_header=30, lane_padding=30, lane_gap=40, column_gap=50, row_gap=40, top=0)

_ENDS = (StepKind.HOME, StepKind.DEATH)
"""Kinds of step where a pathway may end: an end event when nothing follows."""


@dataclass(slots=True)
class _Node:
    id: str
    tag: str
    level: Level
    name: str
    documentation: str = ""
    message: str | None = None
    """The id of the message a message event sends or receives."""
    incoming: list[str] = field(default_factory=list)
    outgoing: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Flow:
    id: str
    source: str
    target: str
    name: str
    level: Level


@dataclass(frozen=True, slots=True)
class _MessageFlow:
    id: str
    source: str
    target: str
    name: str
    message: str


@dataclass(slots=True)
class _Model:
    nodes: dict[str, _Node] = field(default_factory=dict)
    flows: list[_Flow] = field(default_factory=list)
    message_flows: list[_MessageFlow] = field(default_factory=list)
    messages: dict[str, str] = field(default_factory=dict)
    starts: list[str] = field(default_factory=list)

    def add_flow(self, flow: _Flow) -> None:
        self.flows.append(flow)
        self.nodes[flow.source].outgoing.append(flow.id)
        self.nodes[flow.target].incoming.append(flow.id)


def _step_tag(step: Step, has_incoming: bool, has_outgoing: bool) -> str:
    if step.kind is StepKind.DECISION:
        return "exclusiveGateway"
    if step.kind is StepKind.HOME and not has_incoming:
        return "startEvent"
    if step.kind in _ENDS and not has_outgoing:
        return "endEvent"
    return "task"


def _step_documentation(step: Step, lang: str) -> str:
    said = words(lang)
    lines = []
    if step.responsible:
        lines.append(f"{said['responsible']}: {step.responsible}")
    if step.expected_duration:
        lines.append(f"{said['duration']}: {duration_text(step.expected_duration, lang)}")
    if step.description:
        lines.append(step.description)
    return "\n".join(lines)


def _handover_documentation(transition: Transition, lang: str) -> str:
    said = words(lang)
    handover = transition.handover
    if handover is None:
        return said["handover_undescribed"]
    lines = []
    if handover.sender_role or handover.receiver_role:
        lines.append(f"{handover.sender_role or '?'} → {handover.receiver_role or '?'}")
    if handover.deadline:
        lines.append(f"{said['deadline']}: {deadline_text(handover.deadline, lang)}")
    for item in handover.checklist:
        due = f" ({deadline_text(item.due, lang)})" if item.due else ""
        lines.append(f"[{said[item.side.value]}] {item.text}{due}")
    return "\n".join(lines)


def _model(pathway: Pathway, lang: str) -> _Model:
    said = words(lang)
    model = _Model()
    sources = {transition.source for transition in pathway.transitions}
    targets = {transition.target for transition in pathway.transitions}
    for step in pathway.steps:
        tag = _step_tag(step, step.key in targets, step.key in sources)
        node_id = "step_" + step.key
        model.nodes[node_id] = _Node(
            node_id, tag, step.level, step.name, documentation=_step_documentation(step, lang)
        )
        if tag == "startEvent":
            model.starts.append(node_id)
    for transition in pathway.transitions:
        source, target = pathway.step(transition.source), pathway.step(transition.target)
        key = transition.key
        if source.level is target.level:
            model.add_flow(
                _Flow(
                    "flow_" + key,
                    "step_" + source.key,
                    "step_" + target.key,
                    transition.label,
                    source.level,
                )
            )
            continue
        handover = transition.handover
        messages = ", ".join(handover.messages) if handover else ""
        message_id = "message_" + key
        model.messages[message_id] = messages or transition.label or said["handover_name"]
        documentation = _handover_documentation(transition, lang)
        send = _Node(
            "send_" + key,
            "endEvent",
            source.level,
            said["to_" + target.level.value],
            documentation,
            message_id,
        )
        receive = _Node(
            "receive_" + key,
            "startEvent",
            target.level,
            said["from_" + source.level.value],
            documentation,
            message_id,
        )
        model.nodes[send.id] = send
        model.nodes[receive.id] = receive
        model.add_flow(
            _Flow("sendflow_" + key, "step_" + source.key, send.id, transition.label, source.level)
        )
        model.add_flow(
            _Flow("receiveflow_" + key, receive.id, "step_" + target.key, "", target.level)
        )
        model.message_flows.append(
            _MessageFlow("messageflow_" + key, send.id, receive.id, messages, message_id)
        )
    return model


def _size(node: _Node) -> tuple[float, float]:
    return _SIZES.get(node.tag, _EVENT_SIZE)


def _layout(model: _Model) -> Layout:
    nodes = [LayoutNode(node.id, node.level.value, *_size(node)) for node in model.nodes.values()]
    edges = [(flow.source, flow.target) for flow in model.flows]
    edges += [(flow.source, flow.target) for flow in model.message_flows]
    return layout(
        nodes,
        edges,
        lanes=[level.value for level in LEVELS],
        starts=model.starts,
        spacing=_SPACING,
    )


def _number(value: float) -> str:
    return str(round(value))


_PLAIN = re.compile(r"[^&<>\"\x00-\x1f\ufffe\uffff]*")


def _attribute(text: str) -> str:
    """``text`` escaped for a double-quoted XML attribute (line breaks kept)."""
    text = _text(text)
    if '"' in text:
        text = text.replace('"', "&quot;")
    if "\n" in text or "\t" in text:
        text = text.replace("\n", "&#10;").replace("\t", "&#9;")
    return text


def _text(text: str) -> str:
    """``text`` escaped for XML character data."""
    if _PLAIN.fullmatch(text):
        return text
    text = xml_safe(text)
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text or ">" in text:
        text = text.replace("<", "&lt;").replace(">", "&gt;")
    if "\r" in text:
        text = text.replace("\r", "&#13;")
    return text


def _flow_node(out: list[str], node: _Node) -> None:
    name = f' name="{_attribute(node.name)}"' if node.name else ""
    out.append(f'    <bpmn:{node.tag} id="{node.id}"{name}>')
    if node.documentation:
        out.append(f"      <bpmn:documentation>{_text(node.documentation)}</bpmn:documentation>")
    out.extend(f"      <bpmn:incoming>{flow_id}</bpmn:incoming>" for flow_id in node.incoming)
    out.extend(f"      <bpmn:outgoing>{flow_id}</bpmn:outgoing>" for flow_id in node.outgoing)
    if node.message is not None:
        out.append(f'      <bpmn:messageEventDefinition messageRef="{node.message}"/>')
    out.append(f"    </bpmn:{node.tag}>")


def _shape(out: list[str], element_id: str, box: Box, extra: str = "") -> None:
    out.append(
        f'      <bpmndi:BPMNShape id="shape_{element_id}" bpmnElement="{element_id}"{extra}>'
        f'<dc:Bounds x="{_number(box.x)}" y="{_number(box.y)}" width="{_number(box.width)}" '
        f'height="{_number(box.height)}"/></bpmndi:BPMNShape>'
    )


def _edge(out: list[str], element_id: str, points: Sequence[tuple[float, float]]) -> None:
    waypoints = "".join(f'<di:waypoint x="{_number(x)}" y="{_number(y)}"/>' for x, y in points)
    out.append(
        f'      <bpmndi:BPMNEdge id="edge_{element_id}" bpmnElement="{element_id}">'
        f"{waypoints}</bpmndi:BPMNEdge>"
    )


def _sequence_points(source: Box, target: Box) -> list[tuple[float, float]]:
    if target.x >= source.right:
        if abs(source.cy - target.cy) < 1:
            return [(source.right, source.cy), (target.x, target.cy)]
        middle = (source.right + target.x) / 2
        return [
            (source.right, source.cy),
            (middle, source.cy),
            (middle, target.cy),
            (target.x, target.cy),
        ]
    below = max(source.bottom, target.bottom) + 20
    return [
        (source.cx, source.bottom),
        (source.cx, below),
        (target.cx, below),
        (target.cx, target.bottom),
    ]


def _message_points(
    source: Box,
    target: Box,
    source_pool: Box,
    target_pool: Box,
    lanes: tuple[int, int, int],
) -> list[tuple[float, float]]:
    """Out of the sending event's right side, across the gap between the pools, into the
    receiving event's left side; ``lanes`` spreads flows that share a column or the gap.
    """
    leaving, entering, index = lanes
    reach = _SPACING.column_gap - 10
    out_x = source.right + min(12 + 7 * leaving, reach)
    in_x = target.x - min(12 + 7 * entering, reach)
    upper, lower = sorted((source_pool, target_pool), key=lambda pool: pool.y)
    middle = (upper.bottom + lower.y) / 2 + (index % 5 - 2) * 5
    return [
        (source.right, source.cy),
        (out_x, source.cy),
        (out_x, middle),
        (in_x, middle),
        (in_x, target.cy),
        (target.x, target.cy),
    ]


def _diagram(out: list[str], model: _Model, places: Layout) -> None:
    out.append('  <bpmndi:BPMNDiagram id="diagram">')
    out.append('    <bpmndi:BPMNPlane id="plane" bpmnElement="collaboration">')
    for level in LEVELS:
        _shape(out, "participant_" + level.value, places.lanes[level.value], _HORIZONTAL)
    for node in model.nodes.values():
        extra = _MARKER if node.tag == "exclusiveGateway" else ""
        _shape(out, node.id, places.boxes[node.id], extra)
    for flow in model.flows:
        _edge(out, flow.id, _sequence_points(places.boxes[flow.source], places.boxes[flow.target]))
    leaving: dict[int, int] = {}
    entering: dict[int, int] = {}
    for index, message_flow in enumerate(model.message_flows):
        source, target = model.nodes[message_flow.source], model.nodes[message_flow.target]
        out_column, in_column = places.layers[source.id], places.layers[target.id]
        lanes = (leaving.get(out_column, 0), entering.get(in_column, 0), index)
        leaving[out_column] = lanes[0] + 1
        entering[in_column] = lanes[1] + 1
        _edge(
            out,
            message_flow.id,
            _message_points(
                places.boxes[source.id],
                places.boxes[target.id],
                places.lanes[source.level.value],
                places.lanes[target.level.value],
                lanes,
            ),
        )
    out.append("    </bpmndi:BPMNPlane>")
    out.append("  </bpmndi:BPMNDiagram>")


_HORIZONTAL = ' isHorizontal="true"'
_MARKER = ' isMarkerVisible="true"'


def _collaboration_documentation(pathway: Pathway, context: ExportContext | None, lang: str) -> str:
    said = words(lang)
    info = pathway.info
    lines = [info.title]
    if context is not None:
        lines.append(f"{said['status']}: {context.status_line(lang)}")
    for label, value in (
        (said["target_group"], info.target_group),
        (said["agreement"], info.agreement_ref),
        (said["review_due"], info.review_due.isoformat() if info.review_due else ""),
    ):
        if value:
            lines.append(f"{label}: {value}")
    if info.description:
        lines += ["", info.description]
    return "\n".join(lines)


def to_bpmn(pathway: Pathway, *, context: ExportContext | None = None) -> bytes:
    """BPMN 2.0 XML of ``pathway`` (UTF-8) with a diagram, valid against the BPMN XSDs."""
    lang = context.language if context is not None else "en"
    model = _model(pathway, lang)
    target_namespace = "urn:hjem-til-hjem:pathway"
    if context is not None and context.pathway_id is not None:
        target_namespace += f":{context.pathway_id}"
    namespaces = " ".join(f'xmlns:{prefix}="{uri}"' for prefix, uri in _NSMAP.items())
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<bpmn:definitions {namespaces} id="definitions" '
        f'name="{_attribute(pathway.info.title)}" targetNamespace="{target_namespace}" '
        'exporter="Hjem til hjem" exporterVersion="1">',
        '  <bpmn:collaboration id="collaboration">',
        "    <bpmn:documentation>"
        f"{_text(_collaboration_documentation(pathway, context, lang))}</bpmn:documentation>",
    ]
    out.extend(
        f'    <bpmn:participant id="participant_{level.value}" '
        f'name="{_attribute(level_label(level, lang))}" processRef="process_{level.value}"/>'
        for level in LEVELS
    )
    for message_flow in model.message_flows:
        name = f' name="{_attribute(message_flow.name)}"' if message_flow.name else ""
        out.append(
            f'    <bpmn:messageFlow id="{message_flow.id}"{name} '
            f'sourceRef="{message_flow.source}" targetRef="{message_flow.target}"/>'
        )
    out.append("  </bpmn:collaboration>")
    out.extend(
        f'  <bpmn:message id="{message_id}" name="{_attribute(name)}"/>'
        for message_id, name in model.messages.items()
    )
    for level in LEVELS:
        out.append(
            f'  <bpmn:process id="process_{level.value}" '
            f'name="{_attribute(level_label(level, lang))}" isExecutable="false">'
        )
        for node in model.nodes.values():
            if node.level is level:
                _flow_node(out, node)
        for flow in model.flows:
            if flow.level is level:
                name = f' name="{_attribute(flow.name)}"' if flow.name else ""
                out.append(
                    f'    <bpmn:sequenceFlow id="{flow.id}"{name} sourceRef="{flow.source}" '
                    f'targetRef="{flow.target}"/>'
                )
        out.append("  </bpmn:process>")
    _diagram(out, model, _layout(model))
    out.append("</bpmn:definitions>")
    return ("\n".join(out) + "\n").encode("utf-8")
