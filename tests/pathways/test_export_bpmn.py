"""The ``bpmn`` export: valid against the BPMN 2.0 XSDs, a pool per level, a message flow
per handover, diagram interchange for everything, no dangling reference."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from pathways.export import export
from pathways.export.bpmn import BPMN_NS, BPMNDI_NS, DI_NS
from pathways.model import Pathway
from tests.pathways.test_export_samples import CONTEXT, chain, example, outcomes, tricky

# The product's shared folder stands beside the repository (in CI too).
XSD = Path(__file__).resolve().parents[3] / "shared" / "schemas" / "bpmn" / "BPMN20.xsd"
B, DI, WP = f"{{{BPMN_NS}}}", f"{{{BPMNDI_NS}}}", f"{{{DI_NS}}}"
FLOW_NODES = {"task", "exclusiveGateway", "startEvent", "endEvent"}
SAMPLES = [example, tricky, chain, outcomes]


@cache
def _schema() -> etree.XMLSchema:
    if not XSD.exists():
        pytest.fail(f"the BPMN schemas are missing: {XSD}")
    return etree.XMLSchema(etree.parse(str(XSD)))


def _root(pathway: Pathway) -> Any:
    return etree.fromstring(export(pathway, "bpmn", context=CONTEXT))


def _local(element: Any) -> str:
    return str(element.tag).split("}")[1]


@pytest.mark.parametrize("sample", SAMPLES)
def test_valid_against_the_xsd(sample: Any) -> None:
    schema = _schema()
    root = _root(sample())
    assert schema.validate(etree.ElementTree(root)), schema.error_log


@pytest.mark.parametrize("sample", SAMPLES)
def test_one_pool_per_level_each_with_its_process(sample: Any) -> None:
    root = _root(sample())
    participants = root.findall(f"{B}collaboration/{B}participant")
    assert [p.get("id") for p in participants] == [
        "participant_municipality",
        "participant_hospital",
    ]
    processes = {process.get("id"): process for process in root.findall(f"{B}process")}
    assert [p.get("processRef") for p in participants] == list(processes)


def _node_process(root: Any) -> dict[str, str]:
    owner: dict[str, str] = {}
    for process in root.findall(f"{B}process"):
        for element in process:
            if _local(element) in FLOW_NODES:
                owner[element.get("id")] = process.get("id")
    return owner


@pytest.mark.parametrize("sample", SAMPLES)
def test_steps_and_transitions_are_all_there(sample: Any) -> None:
    pathway: Pathway = sample()
    root = _root(pathway)
    owner = _node_process(root)
    for step in pathway.steps:
        assert owner["step_" + step.key] == "process_" + step.level.value
    flows = {flow.get("id"): flow for flow in root.iter(f"{B}sequenceFlow")}
    message_flows = {flow.get("id"): flow for flow in root.iter(f"{B}messageFlow")}
    for transition in pathway.transitions:
        key = transition.key
        if not pathway.is_cross_level(transition):
            flow = flows["flow_" + key]
            assert (flow.get("sourceRef"), flow.get("targetRef")) == (
                "step_" + transition.source,
                "step_" + transition.target,
            )
            continue
        message_flow = message_flows["messageflow_" + key]
        source, target = message_flow.get("sourceRef"), message_flow.get("targetRef")
        assert owner[source] == "process_" + pathway.step(transition.source).level.value
        assert owner[target] == "process_" + pathway.step(transition.target).level.value
        assert owner[source] != owner[target]
        assert flows["sendflow_" + key].get("sourceRef") == "step_" + transition.source
        assert flows["sendflow_" + key].get("targetRef") == source
        assert flows["receiveflow_" + key].get("sourceRef") == target
        assert flows["receiveflow_" + key].get("targetRef") == "step_" + transition.target
        if transition.handover is not None and transition.handover.messages:
            assert message_flow.get("name") == ", ".join(transition.handover.messages)
    assert len(message_flows) == sum(pathway.is_cross_level(t) for t in pathway.transitions)


@pytest.mark.parametrize("sample", SAMPLES)
def test_every_message_flow_joins_two_pools(sample: Any) -> None:
    root = _root(sample())
    owner = _node_process(root)
    for flow in root.iter(f"{B}messageFlow"):
        assert owner[flow.get("sourceRef")] != owner[flow.get("targetRef")]


@pytest.mark.parametrize("sample", SAMPLES)
def test_every_pool_node_and_flow_has_diagram_interchange(sample: Any) -> None:
    root = _root(sample())
    shapes = {shape.get("bpmnElement"): shape for shape in root.iter(f"{DI}BPMNShape")}
    edges = {edge.get("bpmnElement"): edge for edge in root.iter(f"{DI}BPMNEdge")}
    for participant in root.iter(f"{B}participant"):
        assert participant.get("id") in shapes
    for node_id in _node_process(root):
        assert node_id in shapes
    for flow in [*root.iter(f"{B}sequenceFlow"), *root.iter(f"{B}messageFlow")]:
        waypoints = edges[flow.get("id")].findall(f"{WP}waypoint")
        assert len(waypoints) >= 2
    plane = root.find(f"{DI}BPMNDiagram/{DI}BPMNPlane")
    assert plane is not None
    assert plane.get("bpmnElement") == "collaboration"


@pytest.mark.parametrize("sample", SAMPLES)
def test_no_dangling_references(sample: Any) -> None:
    root = _root(sample())
    ids = {element.get("id") for element in root.iter() if element.get("id")}
    assert len(ids) == sum(1 for element in root.iter() if element.get("id"))
    for element in root.iter():
        for name in ("sourceRef", "targetRef", "processRef", "bpmnElement", "messageRef"):
            if element.get(name) is not None:
                assert element.get(name) in ids, (element.tag, name, element.get(name))
        if _local(element) in {"incoming", "outgoing"}:
            assert element.text in ids


@pytest.mark.parametrize("sample", SAMPLES)
def test_each_process_has_a_start(sample: Any) -> None:
    root = _root(sample())
    for process in root.findall(f"{B}process"):
        if len(process):
            assert process.findall(f"{B}startEvent")


def test_pools_stack_and_nodes_sit_inside_their_pool() -> None:
    root = _root(example())
    bounds = {
        shape.get("bpmnElement"): {k: float(v) for k, v in shape[0].attrib.items()}
        for shape in root.iter(f"{DI}BPMNShape")
    }
    top, bottom = bounds["participant_municipality"], bounds["participant_hospital"]
    assert top["y"] + top["height"] <= bottom["y"]
    owner = _node_process(root)
    for node_id, process in owner.items():
        pool = bounds[process.replace("process_", "participant_")]
        box = bounds[node_id]
        assert pool["y"] <= box["y"]
        assert box["y"] + box["height"] <= pool["y"] + pool["height"]
    ed, surgery = bounds["step_ed"], bounds["step_surgery"]
    assert ed["x"] < surgery["x"]


def test_kinds_map_to_bpmn_elements() -> None:
    root = _root(example())
    tags = {element.get("id"): _local(element) for element in root.iter() if element.get("id")}
    assert tags["step_home-before"] == "startEvent"
    assert tags["step_home-after"] == "endEvent"
    assert tags["step_ready"] == "exclusiveGateway"
    assert tags["step_ward"] == "task"
    tricky_tags = {e.get("id"): _local(e) for e in _root(tricky()).iter() if e.get("id")}
    assert tricky_tags["step_home"] == "task"  # a home step with inputs and outputs
