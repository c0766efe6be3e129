"""The ``bpmn`` export: valid against the BPMN 2.0 XSDs, a pool per level, a message flow
per handover, diagram interchange for everything, no dangling reference; alternatives
as exclusive gateways with conditions, joins as exclusive gateways, one message per set
of messages, no transition label lost; and no problem under bpmnlint's ``recommended``
rules (run by Node.js from ``tests/tools``, see :func:`bpmnlint`)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from benchmarks.exports import synthetic_pathway
from pathways.export import export
from pathways.export._text import message_label
from pathways.export.bpmn import BPMN_NS, BPMNDI_NS, DI_NS
from pathways.model import Handover, Level, Pathway, PathwayInfo, Step, StepKind, Transition
from tests.pathways.test_export_samples import (
    CONTEXT,
    chain,
    example,
    outcomes,
    partnership,
    tricky,
)

# The product's shared folder stands beside the repository (in CI too).
XSD = Path(__file__).resolve().parents[3] / "shared" / "schemas" / "bpmn" / "BPMN20.xsd"
TOOLS = Path(__file__).resolve().parents[1] / "tools"
B, DI, WP = f"{{{BPMN_NS}}}", f"{{{BPMNDI_NS}}}", f"{{{DI_NS}}}"
XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
FLOW_NODES = {"task", "exclusiveGateway", "startEvent", "endEvent"}
M, H = Level.MUNICIPALITY, Level.HOSPITAL


@cache
def two_entries() -> Pathway:
    """Home and an orphan step on the same level (two entries into one process), and a
    decision with a single way on."""
    steps = (
        Step("home", "Hjemme", M, StepKind.HOME, "pasient"),
        Step("visit", "Hjemmebesøk", M, StepKind.FOLLOW_UP, "hjemmesykepleier"),
        Step("stray", "Kartlegging ingen kommer til", M, StepKind.ASSESSMENT),
        Step("which", "Trenger mer hjelp?", M, StepKind.DECISION, "koordinator"),
        Step("back", "Hjemme igjen", M, StepKind.HOME),
        Step("ward", "Sengepost", H, StepKind.TREATMENT, "sykepleier"),
    )
    transitions = (
        Transition("go", "home", "visit", "Vedtak om hjemmesykepleie"),
        Transition("ask", "visit", "which"),
        Transition("only", "which", "back", "Nei"),
        Transition("admit", "visit", "ward", "", Handover("a", "b", ("HENVISNING",))),
        Transition("home", "ward", "back", "", Handover("b", "a", ("EPIKRISE",))),
    )
    return Pathway(PathwayInfo(title="To inntak"), steps, transitions)


@cache
def one_level() -> Pathway:
    """Steps on the municipal level only: the hospital is a black-box pool."""
    steps = (
        Step("home", "Hjemme", M, StepKind.HOME),
        Step("rehab", "Hverdagsrehabilitering", M, StepKind.FOLLOW_UP, "ergoterapeut"),
        Step("done", "Hjemme igjen", M, StepKind.HOME),
    )
    transitions = (
        Transition("start", "home", "rehab", "Vedtak"),
        Transition("end", "rehab", "done", "Mål nådd"),
    )
    return Pathway(PathwayInfo(title="Bare kommunen"), steps, transitions)


@cache
def loops() -> Pathway:
    """A hospital loop nobody enters and a municipal loop nobody leaves."""
    steps = (
        Step("home", "Hjemme", M, StepKind.HOME),
        Step("a", "Hjemmesykepleie", M, StepKind.FOLLOW_UP),
        Step("b", "Fastlegen følger opp", M, StepKind.FOLLOW_UP),
        Step("p", "Poliklinikk", H, StepKind.OUTPATIENT),
        Step("q", "Dialyse", H, StepKind.TREATMENT),
    )
    transitions = (
        Transition("in", "home", "a"),
        Transition("ab", "a", "b"),
        Transition("ba", "b", "a", "Ny runde"),
        Transition("pq", "p", "q"),
        Transition("qp", "q", "p", "Neste uke"),
        Transition("back", "q", "a", "", Handover("lege", "sykepleier", ("EPIKRISE",))),
    )
    return Pathway(PathwayInfo(title="Løkker"), steps, transitions)


@cache
def thousand() -> Pathway:
    return synthetic_pathway(1000)


def chain120() -> Pathway:
    return chain(120)


SAMPLES = [example, tricky, chain, outcomes, partnership, two_entries, one_level, loops]
LINTED: dict[str, tuple[Callable[[], Pathway], str]] = {
    f"{sample.__name__}-{language}": (sample, language)
    for sample in (example, tricky, partnership, outcomes, chain120, thousand)
    for language in ("en", "nb")
}
LINTED |= {f"{sample.__name__}-nb": (sample, "nb") for sample in (two_entries, one_level, loops)}
LINTED["tricky-nn"] = (tricky, "nn")

# Problems bpmnlint must find in this file: it shows the lint really runs and reports.
FLAWED = f"""<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="{BPMN_NS}" id="flawed" targetNamespace="urn:test">
  <message id="m1" name="EPIKRISE"/>
  <message id="m2" name="EPIKRISE"/>
  <process id="p" isExecutable="false">
    <task id="a" name="A"><outgoing>f1</outgoing><outgoing>f2</outgoing></task>
    <task id="b" name="B"><incoming>f1</incoming><incoming>f3</incoming></task>
    <task id="c" name="C"><incoming>f2</incoming><outgoing>f3</outgoing></task>
    <sequenceFlow id="f1" name="label" sourceRef="a" targetRef="b"/>
    <sequenceFlow id="f2" sourceRef="a" targetRef="c"/>
    <sequenceFlow id="f3" sourceRef="c" targetRef="b"/>
  </process>
</definitions>
"""
FLAWED_RULES = {
    "no-implicit-split",
    "fake-join",
    "superfluous-label",
    "global",
    "start-event-required",
    "end-event-required",
    "no-implicit-start",
    "no-implicit-end",
}


@cache
def _schema() -> etree.XMLSchema:
    if not XSD.exists():
        pytest.fail(f"the BPMN schemas are missing: {XSD}")
    return etree.XMLSchema(etree.parse(str(XSD)))


def _bytes(pathway: Pathway, language: str = "en") -> bytes:
    return export(pathway, "bpmn", context=replace(CONTEXT, language=language))


def _root(pathway: Pathway, language: str = "en") -> Any:
    return etree.fromstring(_bytes(pathway, language))


def _local(element: Any) -> str:
    return str(element.tag).split("}")[1]


# bpmnlint ---------------------------------------------------------------------------


def _unavailable(reason: str) -> None:
    """Fails under CI (which must run the lint), skips elsewhere."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI must run bpmnlint: install Node.js 20 or newer with npm)")
    pytest.skip(reason)


def _installed_tools() -> bool:
    """Whether ``tests/tools/node_modules`` holds each tool (bpmnlint, bpmn-js) at the
    version the lock file names."""
    locked = json.loads((TOOLS / "package-lock.json").read_text(encoding="utf-8"))
    wanted = json.loads((TOOLS / "package.json").read_text(encoding="utf-8"))["dependencies"]
    for name in wanted:
        installed = TOOLS / "node_modules" / name / "package.json"
        if not installed.exists():
            return False
        version = json.loads(installed.read_text(encoding="utf-8"))["version"]
        if version != locked["packages"][f"node_modules/{name}"]["version"]:
            return False
    return True


def _node() -> str:
    """Node's path, with the tools installed in ``tests/tools`` (``npm ci`` there first
    when one is missing or not the locked version)."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        _unavailable("node and npm are not installed: bpmnlint cannot run")
    assert node is not None
    assert npm is not None
    version = subprocess.run([node, "--version"], capture_output=True, text=True, check=True)
    if int(version.stdout.strip().lstrip("v").split(".")[0]) < 20:
        _unavailable(f"bpmnlint 11 needs Node.js 20 or newer, not {version.stdout.strip()}")
    if not _installed_tools():
        result = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund"],
            cwd=TOOLS,
            capture_output=True,
            text=True,
            timeout=600,
        )
        if result.returncode != 0:
            _unavailable(f"npm ci in {TOOLS} failed:\n{result.stdout}\n{result.stderr}")
    return node


@pytest.fixture(scope="session")
def bpmnlint(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict[str, str]]]:
    """bpmnlint's problems (``rule``, ``id``, ``category``, ``message``) in each file of
    :data:`LINTED` and in :data:`FLAWED`, by name: one Node.js run for all of them."""
    node = _node()
    folder = tmp_path_factory.mktemp("bpmnlint")
    files = {"flawed": folder / "flawed.bpmn"}
    files["flawed"].write_text(FLAWED, encoding="utf-8")
    for name, (sample, language) in LINTED.items():
        files[name] = folder / f"{name}.bpmn"
        files[name].write_bytes(_bytes(sample(), language))
    result = subprocess.run(
        [node, str(TOOLS / "lint-bpmn.cjs"), *map(str, files.values())],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    reports: dict[str, list[dict[str, str]]] = json.loads(result.stdout)
    return {name: reports[str(path)] for name, path in files.items()}


@pytest.mark.parametrize("name", LINTED)
def test_bpmnlint_recommended_finds_no_problem(
    name: str, bpmnlint: dict[str, list[dict[str, str]]]
) -> None:
    problems = [f"{p['rule']} {p['id']}: {p['message']}" for p in bpmnlint[name]]
    assert problems == []


def test_bpmnlint_reports_the_problems_of_a_flawed_file(
    bpmnlint: dict[str, list[dict[str, str]]],
) -> None:
    found = {(problem["rule"], problem["id"]) for problem in bpmnlint["flawed"]}
    assert {rule for rule, _id in found} >= FLAWED_RULES
    assert {("no-implicit-split", "a"), ("fake-join", "b"), ("superfluous-label", "f1")} <= found


# The XML ----------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "nb"])
@pytest.mark.parametrize("sample", SAMPLES)
def test_valid_against_the_xsd(sample: Any, language: str) -> None:
    schema = _schema()
    root = _root(sample(), language)
    assert schema.validate(etree.ElementTree(root)), schema.error_log


def test_valid_against_the_xsd_at_1000_steps() -> None:
    schema = _schema()
    assert schema.validate(etree.ElementTree(_root(thousand(), "nb"))), schema.error_log


@pytest.mark.parametrize("sample", SAMPLES)
def test_same_input_same_bytes(sample: Any) -> None:
    assert _bytes(sample(), "nb") == _bytes(sample(), "nb")


@pytest.mark.parametrize("sample", SAMPLES)
def test_one_pool_per_level_each_with_its_process(sample: Any) -> None:
    pathway: Pathway = sample()
    root = _root(pathway)
    participants = root.findall(f"{B}collaboration/{B}participant")
    assert [p.get("id") for p in participants] == [
        "participant_municipality",
        "participant_hospital",
    ]
    processes = {process.get("id"): process for process in root.findall(f"{B}process")}
    used = [p.get("processRef") for p in participants if p.get("processRef")]
    assert used == list(processes)
    levels = {step.level.value for step in pathway.steps}
    assert set(processes) == {"process_" + level for level in levels}


def test_a_level_without_steps_is_a_black_box_pool() -> None:
    root = _root(one_level())
    hospital = root.find(f"{B}collaboration/{B}participant[@id='participant_hospital']")
    assert hospital is not None
    assert hospital.get("processRef") is None
    assert hospital.get("name")
    assert [p.get("id") for p in root.findall(f"{B}process")] == ["process_municipality"]


def _node_process(root: Any) -> dict[str, str]:
    owner: dict[str, str] = {}
    for process in root.findall(f"{B}process"):
        for element in process:
            if _local(element) in FLOW_NODES:
                owner[element.get("id")] = process.get("id")
    return owner


def _graph(root: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """Flow nodes and sequence flows by id."""
    nodes = {e.get("id"): e for e in root.iter() if e.get("id") and _local(e) in FLOW_NODES}
    flows = {flow.get("id"): flow for flow in root.iter(f"{B}sequenceFlow")}
    return nodes, flows


def _into_step(flow: Any, flows: dict[str, Any]) -> str:
    """The step ``flow`` leads into, through a join gateway if there is one."""
    target = str(flow.get("targetRef"))
    if target.startswith("join_"):
        (joined,) = [f for f in flows.values() if f.get("sourceRef") == target]
        target = str(joined.get("targetRef"))
    return target


def _out_of_step(flow: Any, flows: dict[str, Any]) -> str:
    """The step ``flow`` leaves, through a split gateway if there is one."""
    source = str(flow.get("sourceRef"))
    if source.startswith("split_"):
        (split,) = [f for f in flows.values() if f.get("targetRef") == source]
        source = str(split.get("sourceRef"))
    return source


@pytest.mark.parametrize("sample", SAMPLES)
def test_steps_and_transitions_are_all_there(sample: Any) -> None:
    pathway: Pathway = sample()
    root = _root(pathway)
    owner = _node_process(root)
    for step in pathway.steps:
        assert owner["step_" + step.key] == "process_" + step.level.value
    _nodes, flows = _graph(root)
    message_flows = {flow.get("id"): flow for flow in root.iter(f"{B}messageFlow")}
    for transition in pathway.transitions:
        key = transition.key
        source, target = "step_" + transition.source, "step_" + transition.target
        if not pathway.is_cross_level(transition):
            flow = flows["flow_" + key]
            assert (_out_of_step(flow, flows), _into_step(flow, flows)) == (source, target)
            continue
        message_flow = message_flows["messageflow_" + key]
        send, receive = message_flow.get("sourceRef"), message_flow.get("targetRef")
        assert owner[send] == "process_" + pathway.step(transition.source).level.value
        assert owner[receive] == "process_" + pathway.step(transition.target).level.value
        assert owner[send] != owner[receive]
        assert _out_of_step(flows["sendflow_" + key], flows) == source
        assert flows["sendflow_" + key].get("targetRef") == send
        assert flows["receiveflow_" + key].get("sourceRef") == receive
        assert _into_step(flows["receiveflow_" + key], flows) == target
        if transition.handover is not None and transition.handover.messages:
            # The messages by their names, as a modeller reads them, not as codes.
            names = [message_label(code) for code in transition.handover.messages]
            assert message_flow.get("name") == ", ".join(names)
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
def test_each_process_has_one_blank_start_at_most_and_starts_and_ends(sample: Any) -> None:
    root = _root(sample())
    for process in root.findall(f"{B}process"):
        starts = process.findall(f"{B}startEvent")
        blank = [s for s in starts if s.find(f"{B}messageEventDefinition") is None]
        assert starts
        assert len(blank) <= 1
        assert process.findall(f"{B}endEvent")


@pytest.mark.parametrize("sample", SAMPLES)
def test_flows_split_and_join_only_at_exclusive_gateways(sample: Any) -> None:
    """What bpmnlint checks, said once more in Python (so it is checked without Node
    too): no implicit split, no fake join, no gateway that joins and forks or passes one
    flow through, conditions and names on every way out of a split, nothing dangling."""
    nodes, flows = _graph(_root(sample()))
    for node_id, node in nodes.items():
        tag = _local(node)
        incoming = [flows[e.text] for e in node.findall(f"{B}incoming")]
        outgoing = [flows[e.text] for e in node.findall(f"{B}outgoing")]
        assert incoming or tag == "startEvent", node_id
        assert outgoing or tag == "endEvent", node_id
        if tag != "exclusiveGateway":
            assert len(incoming) <= 1, node_id
            assert len(outgoing) <= 1, node_id
            continue
        assert (len(incoming), len(outgoing)) != (1, 1), node_id
        if len(outgoing) > 1:
            assert len(incoming) <= 1, node_id
            assert node.get("name"), node_id
            assert node.get("gatewayDirection") == "Diverging", node_id
            for flow in outgoing:
                condition = flow.find(f"{B}conditionExpression")
                assert condition is not None, flow.get("id")
                assert condition.get(XSI_TYPE) == "bpmn:tFormalExpression"
                assert condition.text
                assert flow.get("name") == condition.text
        else:
            assert node.get("gatewayDirection") == "Converging", node_id
    for flow in flows.values():
        source = nodes[flow.get("sourceRef")]
        forks = _local(source) == "exclusiveGateway" and len(source.findall(f"{B}outgoing")) > 1
        if not forks:
            assert flow.find(f"{B}conditionExpression") is None, flow.get("id")
            assert flow.get("name") is None, flow.get("id")  # bpmnlint: superfluous label


def _condition(flow: Any) -> str | None:
    condition = flow.find(f"{B}conditionExpression")
    return None if condition is None else str(condition.text)


def test_alternatives_out_of_a_step_meet_an_exclusive_gateway_with_conditions() -> None:
    nodes, flows = _graph(_root(outcomes()))
    clinic = nodes["step_clinic"]
    assert _local(clinic) == "task"  # an outpatient visit, not a decision
    assert [e.text for e in clinic.findall(f"{B}outgoing")] == ["splitflow_clinic"]
    split = nodes["split_clinic"]
    assert _local(split) == "exclusiveGateway"
    assert split.get("name") == "What next after “Heart failure clinic”?"
    ways = [flows[e.text] for e in split.findall(f"{B}outgoing")]
    assert [(f.get("id"), f.get("name"), _condition(f)) for f in ways] == [
        ("sendflow_controlled", "Stable", "Stable"),
        ("flow_admit", "Needs a stay", "Needs a stay"),
    ]


def test_an_empty_label_out_of_a_split_says_where_it_leads_in_the_language() -> None:
    nodes, flows = _graph(_root(chain(), "nb"))
    assert nodes["split_start"].get("name") == "Videre etter «Home»?"
    way = flows["sendflow_start--s1-0"]
    assert way.get("sourceRef") == "split_start"
    assert (way.get("name"), _condition(way)) == ("Til «Step s1-0»", "Til «Step s1-0»")
    nodes, _flows = _graph(_root(partnership(), "nn"))
    assert nodes["split_endring"].get("name") == "Vidare etter «Hjemmesykepleien ser endring»?"


def test_a_decision_is_the_gateway_and_its_ways_carry_conditions() -> None:
    nodes, flows = _graph(_root(example()))
    ready = nodes["step_ready"]
    assert _local(ready) == "exclusiveGateway"
    assert "split_ready" not in nodes
    ways = [flows[e.text] for e in ready.findall(f"{B}outgoing")]
    assert len(ways) == 2
    assert all(_condition(way) == way.get("name") != "" for way in ways)


def test_a_decision_with_one_way_on_is_a_task() -> None:
    nodes, flows = _graph(_root(two_entries()))
    assert _local(nodes["step_which"]) == "task"
    assert flows["flow_only"].get("name") is None
    assert flows["flow_only"].findtext(f"{B}documentation") == "Event or condition: Nei"


def test_two_ways_in_meet_a_join_gateway() -> None:
    nodes, flows = _graph(_root(example()))
    join = nodes["join_home-nursing-start"]
    assert _local(join) == "exclusiveGateway"
    assert join.get("gatewayDirection") == "Converging"
    assert join.get("name") is None  # joins need no label
    assert sorted(e.text for e in join.findall(f"{B}incoming")) == [
        "flow_rehab-done",
        "receiveflow_to-home-nursing",
    ]
    assert [e.text for e in nodes["step_home-nursing-start"].findall(f"{B}incoming")] == [
        "joinflow_home-nursing-start"
    ]
    assert flows["joinflow_home-nursing-start"].get("sourceRef") == "join_home-nursing-start"


def test_a_decision_reached_two_ways_joins_before_it_and_only_forks() -> None:
    nodes, _flows = _graph(_root(partnership()))
    decision = nodes["step_innlegges"]
    assert _local(decision) == "exclusiveGateway"
    assert [e.text for e in decision.findall(f"{B}incoming")] == ["joinflow_innlegges"]
    assert len(decision.findall(f"{B}outgoing")) == 3
    assert len(nodes["join_innlegges"].findall(f"{B}incoming")) == 2


@pytest.mark.parametrize("sample", SAMPLES)
def test_messages_have_unique_names_and_are_all_used(sample: Any) -> None:
    root = _root(sample(), "nb")
    messages = {m.get("id"): m.get("name") for m in root.findall(f"{B}message")}
    assert all(name and name.strip() for name in messages.values())
    assert len(set(messages.values())) == len(messages)
    events = {
        event.get("id"): definition.get("messageRef")
        for event in root.iter(f"{B}startEvent", f"{B}endEvent")
        for definition in event.findall(f"{B}messageEventDefinition")
    }
    assert set(events.values()) == set(messages)
    for flow in root.iter(f"{B}messageFlow"):
        # The two events of a handover name one message; the flow itself carries no
        # messageRef, so bpmn.io draws no envelope whose label it would place itself.
        assert events[flow.get("sourceRef")] == events[flow.get("targetRef")]
        assert flow.get("messageRef") is None


def test_handovers_that_send_the_same_messages_share_one_message() -> None:
    pathway = partnership()
    root = _root(pathway)
    sets = {
        frozenset(t.handover.messages)
        for t in pathway.transitions
        if pathway.is_cross_level(t) and t.handover is not None
    }
    messages = {m.get("id"): m.get("name") for m in root.findall(f"{B}message")}
    assert len(messages) == len(sets) == 4
    referral = [
        t.key
        for t in pathway.transitions
        if t.handover is not None and "HENVISNING" in t.handover.messages
    ]
    assert len(referral) == 7
    events = {e.get("id"): e for e in root.iter(f"{B}endEvent")}
    used = {
        events["send_" + key].find(f"{B}messageEventDefinition").get("messageRef")  # type: ignore[union-attr]
        for key in referral
    }
    assert len(used) == 1
    # Named in the export's language, not by the national codes.
    assert messages[used.pop()] == "Referral, Admission report"


@pytest.mark.parametrize("sample", SAMPLES)
def test_transition_labels_are_kept_in_names_or_documentation(sample: Any) -> None:
    pathway: Pathway = sample()
    _nodes, flows = _graph(_root(pathway))
    for transition in pathway.transitions:
        if not transition.label:
            continue
        prefix = "sendflow_" if pathway.is_cross_level(transition) else "flow_"
        flow = flows[prefix + transition.key]
        if flow.get("name") is not None:
            assert flow.get("name") == _condition(flow) == transition.label
        else:
            documentation = flow.findtext(f"{B}documentation")
            assert documentation == f"Event or condition: {transition.label}"


def test_moved_labels_are_documented_in_the_language() -> None:
    _nodes, flows = _graph(_root(example(), "nb"))
    assert flows["flow_fall"].get("name") is None
    assert flows["flow_fall"].findtext(f"{B}documentation") == (
        "Hendelse eller vilkår: Fall, suspected hip fracture"
    )


def test_an_orphan_step_gets_a_start_before_and_an_end_after() -> None:
    nodes, flows = _graph(_root(tricky(), "nb"))
    orphan = nodes["step_orphan"]
    assert _local(orphan) == "task"
    (into,) = [flows[e.text] for e in orphan.findall(f"{B}incoming")]
    (out,) = [flows[e.text] for e in orphan.findall(f"{B}outgoing")]
    start, end = nodes[into.get("sourceRef")], nodes[out.get("targetRef")]
    assert (_local(start), start.get("id"), start.get("name")) == (
        "startEvent",
        "start_hospital",
        "Forløpet starter",
    )
    assert start.find(f"{B}messageEventDefinition") is None
    assert (_local(end), end.get("id"), end.get("name")) == (
        "endEvent",
        "end_orphan",
        "Forløpet slutter",
    )


def test_two_entries_into_a_process_share_one_start_and_a_choice() -> None:
    nodes, flows = _graph(_root(two_entries()))
    assert _local(nodes["step_home"]) == "task"  # not a second blank start
    choice = nodes["entry_municipality"]
    assert choice.get("name") == "Where does the pathway start?"
    assert [e.text for e in choice.findall(f"{B}incoming")] == ["startflow_municipality"]
    ways = [flows[e.text] for e in choice.findall(f"{B}outgoing")]
    assert [(f.get("targetRef"), _condition(f)) for f in ways] == [
        ("step_home", "Starts at “Hjemme”"),
        ("step_stray", "Starts at “Kartlegging ingen kommer til”"),
    ]
    assert flows["endflow_stray"].get("targetRef") == "end_stray"


def test_loops_nobody_enters_or_leaves_still_start_and_end() -> None:
    nodes, flows = _graph(_root(loops()))
    assert flows["startflow_hospital"].get("targetRef") == "join_p"
    assert _local(nodes["step_home"]) == "startEvent"
    split = nodes["split_b"]
    ways = {
        flows[e.text].get("targetRef"): _condition(flows[e.text])
        for e in split.findall(f"{B}outgoing")
    }
    assert ways == {"join_a": "Ny runde", "end_b": "Pathway ends"}


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
