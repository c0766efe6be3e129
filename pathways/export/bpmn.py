"""The ``bpmn`` export: a BPMN 2.0 collaboration with diagram interchange.

One pool (``participant``) per care level with steps, each with its own ``process`` (a
level without steps is a black-box pool: a participant without a process). The file
passes bpmnlint's ``recommended`` rules with no problem (``tests/tools``).

Steps:

- a step becomes a ``task``; a ``decision`` with two or more ways on an
  ``exclusiveGateway`` named by its question (a decision with one way on is a task: it
  routes nothing); a ``home`` or ``death`` step with no outgoing transition an
  ``endEvent``; a ``home`` step with no incoming transition a blank ``startEvent`` when
  it is the only step of its level that nobody reaches (else a task behind the process's
  start, below).

Transitions leaving a step are alternatives, either/or, never "do both":

- a step (not a decision) with two or more ways on gets an ``exclusiveGateway`` after it
  (``split_<step>``, ``Diverging``), named "What next after “step”?" (``Videre etter
  «…»?``); every flow out of a split or a decision carries the transition's label as its
  ``name`` and as a ``conditionExpression`` (``xsi:type="bpmn:tFormalExpression"``, the
  text as people wrote it: the processes are not executable), or "To “target”" (``Til
  «…»``) when the label is empty;
- a step with two or more ways in gets an ``exclusiveGateway`` before it (``join_<step>``,
  ``Converging``, no name), so alternatives merge with XOR: no fake join on a task or an
  event, and a decision never joins and forks at once;
- a single way on is a plain flow: a label there goes into the flow's
  ``documentation`` ("Event or condition: …"), since bpmnlint (rightly) calls a name on
  an unconditional flow superfluous. No label is lost.

Handovers: a transition across levels becomes, in the sending pool, a flow into a
message ``endEvent`` (the patient leaves this level's care), in the receiving pool a
message ``startEvent`` with a flow to the target step, and between the two a
``messageFlow`` named by the handover's messages. The two events and the message flow
refer to one ``message`` named by the messages ("Epikrise, Legemiddelliste"), or by
the label or "Handover" when there are none: one ``message`` element per set of
messages, shared by every handover that sends that set, so names are unique. The
handover's roles, deadline and checklist are the events' documentation. Each process is
well-formed on its own and every message flow joins two pools.

Where a process starts and ends: each process has at most one blank start event. The
steps of a level that nobody reaches (no transition in: the pathway's home, or an orphan
step) are its entries. One home entry is the start event itself; any other single entry
gets a blank start event before it (``start_<level>``, "Pathway starts"); two or more
get one start and an ``exclusiveGateway`` ``entry_<level>`` ("Where does the pathway
start?") with a conditional flow to each ("Starts at “…”"). A step that leads nowhere
and is not an end event gets a blank end event after it (``end_<step>``, "Pathway
ends"). So an orphan step with no transition at all becomes start → task → end: no
implicit start or end, nothing disconnected. A process that only loops (nobody enters
or nobody leaves) starts at its first step or may end after its last.

Names and documentation are in the context's language (English, bokmål or nynorsk), with
deadlines and durations said as people say them (``samme dag``, ``innen 24 timer``).
The same pathway and context always give the same bytes.

Ids are NCNames made of a prefix and a key (``step_``, ``join_``, ``split_``, ``end_``,
``flow_``, ``joinflow_``, ``splitflow_``, ``endflow_``, ``entryflow_``, ``send_``,
``receive_``, ``sendflow_``, ``receiveflow_``, ``messageflow_``, ``message_`` with a
step's or a transition's key; ``start_``, ``entry_``, ``startflow_``, ``process_``,
``participant_`` with a level's): prefixes have no ``_`` but the last, so two ids never
meet. The diagram (``BPMNDiagram``) has a shape per pool and flow node and an edge with
waypoints per sequence and message flow, laid out by :mod:`pathways.export.layout`:
pools as bands stacked vertically, nodes left to right by layer.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from pathways.export._text import (
    LEVELS,
    level_label,
    message_label,
    screen_width,
    wrap_to_width,
    xml_safe,
)
from pathways.export._words import words
from pathways.export.context import ExportContext
from pathways.export.layout import Box, Layout, LayoutEdge, LayoutNode, Spacing, layout
from pathways.model import Level, Pathway, Step, StepKind, Transition
from pathways.wording import deadline_text, duration_text

__all__ = ["BPMNDI_NS", "BPMN_NS", "DC_NS", "DI_NS", "to_bpmn"]

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI_NS = "http://www.omg.org/spec/BPMN/20100524/DI"
DC_NS = "http://www.omg.org/spec/DD/20100524/DC"
DI_NS = "http://www.omg.org/spec/DD/20100524/DI"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
"""For ``xsi:type="bpmn:tFormalExpression"`` on the conditions."""
_NSMAP = {"bpmn": BPMN_NS, "bpmndi": BPMNDI_NS, "dc": DC_NS, "di": DI_NS, "xsi": XSI_NS}

_SIZES = {"task": (120.0, 80.0), "exclusiveGateway": (50.0, 50.0)}
_EVENT_SIZE = (36.0, 36.0)
_SPACING = Spacing(lane_header=30, lane_padding=30, lane_gap=40, column_gap=36, row_gap=24, top=0)

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
    direction: str = ""
    """A gateway's ``gatewayDirection``: ``Diverging`` (a split) or ``Converging`` (a join)."""
    incoming: list[str] = field(default_factory=list)
    outgoing: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Flow:
    id: str
    source: str
    target: str
    name: str
    level: Level
    condition: str = ""
    """The text of the ``conditionExpression`` on a flow out of a gateway that splits."""
    documentation: str = ""


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
    """Message id → its name, one message per name."""
    starts: list[str] = field(default_factory=list)
    """The blank start events, at most one per process."""
    levels: list[Level] = field(default_factory=list)
    """The levels with steps: a pool without any is a black box (no process)."""

    def add_node(self, node: _Node) -> None:
        self.nodes[node.id] = node

    def add_flow(self, flow: _Flow) -> None:
        self.flows.append(flow)
        self.nodes[flow.source].outgoing.append(flow.id)
        self.nodes[flow.target].incoming.append(flow.id)


def _step_tag(step: Step, *, alternatives: int, starts_process: bool) -> str:
    """The element of ``step``: ``alternatives`` is how many ways lead on from it,
    ``starts_process`` whether its process starts there (nobody reaches it, and it is the
    only such step of its level)."""
    if step.kind is StepKind.DECISION and alternatives > 1:
        return "exclusiveGateway"
    if step.kind in _ENDS and alternatives == 0:
        return "endEvent"
    if step.kind is StepKind.HOME and starts_process:
        return "startEvent"
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


def _message_name(transition: Transition, said: Mapping[str, str], lang: str) -> str:
    """The handover's messages by their names in ``lang`` (national codes said as words)."""
    handover = transition.handover
    if handover is not None and handover.messages:
        return ", ".join(message_label(message, lang) for message in handover.messages)
    return transition.label or said["handover_name"]


_END = None
"""An alternative that ends the pathway (a blank end event), beside the transitions."""


def _model(pathway: Pathway, lang: str) -> _Model:
    said = words(lang)
    model = _Model()
    into: dict[str, list[Transition]] = {step.key: [] for step in pathway.steps}
    out_of: dict[str, list[Transition | None]] = {step.key: [] for step in pathway.steps}
    for transition in pathway.transitions:
        out_of[transition.source].append(transition)
        into[transition.target].append(transition)
    level_of = {step.key: step.level for step in pathway.steps}

    # Where each process starts, and that each one ends somewhere.
    entries: dict[Level, list[str]] = {}
    for level in LEVELS:
        steps = [step.key for step in pathway.steps if step.level is level]
        if not steps:
            continue
        model.levels.append(level)
        entries[level] = [key for key in steps if not into[key]]
        received = any(level_of[t.source] is not level for key in steps for t in into[key])
        if not entries[level] and not received:
            entries[level] = [steps[0]]  # a loop nobody enters: it starts at its first step
        ends = any(
            not out_of[key] or any(level_of[t.target] is not level for t in out_of[key] if t)
            for key in steps
        )
        if not ends:
            out_of[steps[-1]].append(_END)  # a loop nobody leaves: it may end at its last step

    tags: dict[str, str] = {}
    for step in pathway.steps:
        sole = entries[step.level] == [step.key] and not into[step.key]
        tags[step.key] = _step_tag(step, alternatives=len(out_of[step.key]), starts_process=sole)
        if tags[step.key] not in ("endEvent", "exclusiveGateway") and not out_of[step.key]:
            out_of[step.key].append(_END)  # leads nowhere: the pathway ends after it

    inlet: dict[str, str] = {}
    for step in pathway.steps:
        key = step.key
        arrivals = len(into[key]) + (key in entries[step.level] and tags[key] != "startEvent")
        inlet[key] = ("join_" if arrivals > 1 else "step_") + key

    for level in model.levels:
        first = entries[level]
        if not first:
            continue  # only message start events: the process starts on handovers
        if len(first) == 1 and tags[first[0]] == "startEvent":
            model.starts.append("step_" + first[0])
            continue
        model.add_node(_Node("start_" + level.value, "startEvent", level, said["bpmn_start"]))
        model.starts.append("start_" + level.value)
        if len(first) > 1:
            entry = _Node("entry_" + level.value, "exclusiveGateway", level, said["bpmn_entry"])
            entry.direction = "Diverging"
            model.add_node(entry)

    outlet: dict[str, str] = {}
    for step in pathway.steps:
        key, level = step.key, step.level
        node_id = "step_" + key
        if inlet[key] != node_id:
            model.add_node(_Node(inlet[key], "exclusiveGateway", level, "", direction="Converging"))
        documentation = _step_documentation(step, lang)
        node = _Node(node_id, tags[key], level, step.name, documentation)
        if tags[key] == "exclusiveGateway":
            node.direction = "Diverging"  # a decision: its join, if any, is a gateway before it
        model.add_node(node)
        outlet[key] = node_id
        if tags[key] != "exclusiveGateway" and len(out_of[key]) > 1:
            outlet[key] = "split_" + key
            name = said["bpmn_next"].format(step=step.name)
            model.add_node(
                _Node(outlet[key], "exclusiveGateway", level, name, direction="Diverging")
            )
        if _END in out_of[key]:
            model.add_node(_Node("end_" + key, "endEvent", level, said["bpmn_end"]))

    message_ids: dict[str, str] = {}
    message_sets: dict[frozenset[str], str] = {}
    for transition in pathway.transitions:
        if level_of[transition.source] is level_of[transition.target]:
            continue
        key, handover = transition.key, transition.handover
        name = _message_name(transition, said, lang)
        sent = frozenset(handover.messages) if handover is not None and handover.messages else None
        message_id = message_sets.get(sent) if sent else None
        message_id = message_id or message_ids.get(name)
        if message_id is None:
            message_id = "message_" + key
            model.messages[message_id] = name
            message_ids[name] = message_id
        if sent:
            message_sets.setdefault(sent, message_id)
        documentation = _handover_documentation(transition, lang)
        sender, receiver = level_of[transition.source], level_of[transition.target]
        send = _Node("send_" + key, "endEvent", sender, said["to_" + receiver.value])
        receive = _Node("receive_" + key, "startEvent", receiver, said["from_" + sender.value])
        for node in (send, receive):
            node.documentation, node.message = documentation, message_id
            model.add_node(node)
        model.message_flows.append(
            _MessageFlow(
                "messageflow_" + key,
                send.id,
                receive.id,
                name if handover is not None and handover.messages else "",
                message_id,
            )
        )

    # The sequence flows: into each process, into and out of each step.
    for level in model.levels:
        first, start = entries[level], "start_" + level.value
        if start not in model.nodes:
            continue
        if len(first) == 1:
            model.add_flow(_Flow("startflow_" + level.value, start, inlet[first[0]], "", level))
            continue
        choice = "entry_" + level.value
        model.add_flow(_Flow("startflow_" + level.value, start, choice, "", level))
        for key in first:
            text = said["bpmn_starts_at"].format(step=pathway.step(key).name)
            model.add_flow(_Flow("entryflow_" + key, choice, inlet[key], text, level, text))
    for step in pathway.steps:
        key, level = step.key, step.level
        node_id = "step_" + key
        if inlet[key] != node_id:
            model.add_flow(_Flow("joinflow_" + key, inlet[key], node_id, "", level))
        if outlet[key] != node_id:
            model.add_flow(_Flow("splitflow_" + key, node_id, outlet[key], "", level))
        splits = len(out_of[key]) > 1
        for alternative in out_of[key]:
            if alternative is _END:
                text = said["bpmn_end"] if splits else ""
                model.add_flow(
                    _Flow("endflow_" + key, outlet[key], "end_" + key, text, level, text)
                )
                continue
            transition, target = alternative, pathway.step(alternative.target)
            label = transition.label
            if splits:
                text = label or said["bpmn_to"].format(step=target.name)
                name, condition, documentation = text, text, ""
            else:
                name = condition = ""
                documentation = f"{said['condition']}: {label}" if label else ""
            if target.level is level:
                flow_id, flow_target = "flow_" + transition.key, inlet[target.key]
            else:
                flow_id, flow_target = "sendflow_" + transition.key, "send_" + transition.key
            model.add_flow(
                _Flow(flow_id, outlet[key], flow_target, name, level, condition, documentation)
            )
    for transition in pathway.transitions:
        target = pathway.step(transition.target)
        if level_of[transition.source] is not target.level:
            receive_id = "receive_" + transition.key
            flow_id = "receiveflow_" + transition.key
            model.add_flow(_Flow(flow_id, receive_id, inlet[target.key], "", target.level))
    return model


def _size(node: _Node) -> tuple[float, float]:
    return _SIZES.get(node.tag, _EVENT_SIZE)


_LABEL_SIZE, _LABEL_LINE, _LABEL_WIDTH = 11.0, 13.2, 90.0
"""bpmn.io draws an external label in 11 px Arial, 13.2 px a line, wrapped at 90 px,
from the top left of its bounds."""


def _label_size(text: str) -> tuple[float, float] | None:
    """Room for ``text`` as an external label (an event's, a gateway's, a flow's): as
    many lines as bpmn.io wraps it into on the widest font it may fall back to."""
    if not text:
        return None
    lines = wrap_to_width(text, _LABEL_WIDTH, _LABEL_SIZE, max_lines=60)
    width = min(_LABEL_WIDTH, max(screen_width(line, _LABEL_SIZE) for line in lines) + 4)
    return width, len(lines) * _LABEL_LINE + 4


def _layout(model: _Model) -> Layout:
    nodes = [
        LayoutNode(
            node.id,
            node.level.value,
            *_size(node),
            label=None if node.tag == "task" else _label_size(node.name),
            spread=node.tag == "task",
        )
        for node in model.nodes.values()
    ]
    edges = [
        LayoutEdge(flow.id, flow.source, flow.target, _label_size(flow.name))
        for flow in model.flows
    ]
    edges += [
        LayoutEdge(flow.id, flow.source, flow.target, _label_size(flow.name))
        for flow in model.message_flows
    ]
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
    if node.direction:
        name += f' gatewayDirection="{node.direction}"'
    out.append(f'    <bpmn:{node.tag} id="{node.id}"{name}>')
    if node.documentation:
        out.append(f"      <bpmn:documentation>{_text(node.documentation)}</bpmn:documentation>")
    out.extend(f"      <bpmn:incoming>{flow_id}</bpmn:incoming>" for flow_id in node.incoming)
    out.extend(f"      <bpmn:outgoing>{flow_id}</bpmn:outgoing>" for flow_id in node.outgoing)
    if node.message is not None:
        out.append(f'      <bpmn:messageEventDefinition messageRef="{node.message}"/>')
    out.append(f"    </bpmn:{node.tag}>")


def _sequence_flow(out: list[str], flow: _Flow) -> None:
    name = f' name="{_attribute(flow.name)}"' if flow.name else ""
    head = f'    <bpmn:sequenceFlow id="{flow.id}"{name} sourceRef="{flow.source}" '
    if not flow.documentation and not flow.condition:
        out.append(f'{head}targetRef="{flow.target}"/>')
        return
    out.append(f'{head}targetRef="{flow.target}">')
    if flow.documentation:
        out.append(f"      <bpmn:documentation>{_text(flow.documentation)}</bpmn:documentation>")
    if flow.condition:
        out.append(
            '      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">'
            f"{_text(flow.condition)}</bpmn:conditionExpression>"
        )
    out.append("    </bpmn:sequenceFlow>")


def _bounds(box: Box) -> str:
    return (
        f'<dc:Bounds x="{_number(box.x)}" y="{_number(box.y)}" width="{_number(box.width)}" '
        f'height="{_number(box.height)}"/>'
    )


def _label(box: Box | None) -> str:
    return "" if box is None else f"<bpmndi:BPMNLabel>{_bounds(box)}</bpmndi:BPMNLabel>"


def _shape(
    out: list[str], element_id: str, box: Box, label: Box | None = None, extra: str = ""
) -> None:
    out.append(
        f'      <bpmndi:BPMNShape id="shape_{element_id}" bpmnElement="{element_id}"{extra}>'
        f"{_bounds(box)}{_label(label)}</bpmndi:BPMNShape>"
    )


def _edge(
    out: list[str], element_id: str, points: Sequence[tuple[float, float]], label: Box | None
) -> None:
    waypoints = "".join(f'<di:waypoint x="{_number(x)}" y="{_number(y)}"/>' for x, y in points)
    out.append(
        f'      <bpmndi:BPMNEdge id="edge_{element_id}" bpmnElement="{element_id}">'
        f"{waypoints}{_label(label)}</bpmndi:BPMNEdge>"
    )


def _diagram(out: list[str], model: _Model, places: Layout) -> None:
    """Shapes, edges and label bounds, all from the shared layout: a pool's name in its
    header, a task's inside it, an event's or a gateway's below it, a flow's in the room
    the layout kept for it."""
    out.append('  <bpmndi:BPMNDiagram id="diagram">')
    out.append('    <bpmndi:BPMNPlane id="plane" bpmnElement="collaboration">')
    for level in LEVELS:
        pool = places.lanes[level.value]
        header = Box(pool.x, pool.y, _SPACING.lane_header, pool.height)
        _shape(out, "participant_" + level.value, pool, header, _HORIZONTAL)
    for node in model.nodes.values():
        box = places.boxes[node.id]
        if node.tag == "task":
            label: Box | None = Box(box.x + 5, box.y + 5, box.width - 10, box.height - 10)
        else:
            label = places.node_labels.get(node.id)
        extra = _MARKER if node.tag == "exclusiveGateway" else ""
        _shape(out, node.id, box, label if node.name else None, extra)
    for flow_id in [flow.id for flow in model.flows] + [flow.id for flow in model.message_flows]:
        _edge(out, flow_id, places.routes[flow_id], places.labels.get(flow_id))
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
    for level in LEVELS:
        process = f' processRef="process_{level.value}"' if level in model.levels else ""
        out.append(
            f'    <bpmn:participant id="participant_{level.value}" '
            f'name="{_attribute(level_label(level, lang))}"{process}/>'
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
    for level in model.levels:
        out.append(
            f'  <bpmn:process id="process_{level.value}" '
            f'name="{_attribute(level_label(level, lang))}" isExecutable="false">'
        )
        for node in model.nodes.values():
            if node.level is level:
                _flow_node(out, node)
        for flow in model.flows:
            if flow.level is level:
                _sequence_flow(out, flow)
        out.append("  </bpmn:process>")
    _diagram(out, model, _layout(model))
    out.append("</bpmn:definitions>")
    return ("\n".join(out) + "\n").encode("utf-8")
