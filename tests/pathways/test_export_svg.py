"""The ``svg`` export: well-formed, a lane per level, every step and transition drawn,
handovers distinct, findings marked, text escaped."""

from __future__ import annotations

from typing import Any

import pytest
from lxml import etree

from pathways.export import ExportContext, export
from pathways.model import Pathway
from tests.pathways.test_export_samples import CONTEXT, NASTY, chain, example, outcomes, tricky

SVG = "{http://www.w3.org/2000/svg}"
SAMPLES = [example, tricky, chain, outcomes]


def _root(pathway: Pathway, context: ExportContext | None = CONTEXT) -> Any:
    data = export(pathway, "svg", context=context)
    assert data.startswith(b"<?xml")
    return etree.fromstring(data)


def _groups(root: Any, attribute: str) -> dict[str, Any]:
    return {g.get(attribute): g for g in root.iter(f"{SVG}g") if g.get(attribute) is not None}


@pytest.mark.parametrize("sample", SAMPLES)
def test_one_lane_per_level_and_everything_drawn(sample: Any) -> None:
    pathway: Pathway = sample()
    root = _root(pathway)
    assert root.tag == f"{SVG}svg"
    lanes = [g for g in root.iter(f"{SVG}g") if g.get("class") == "lane"]
    assert [lane.get("data-level") for lane in lanes] == ["municipality", "hospital"]
    titles = [lane.find(f"{SVG}title").text for lane in lanes]
    assert titles == ["Municipality / Kommune", "Hospital / Sykehus"]
    steps = _groups(root, "data-step")
    assert list(steps) == [step.key for step in pathway.steps]
    for step in pathway.steps:
        assert steps[step.key].get("id") == f"step-{step.key}"
        assert f"level-{step.level.value}" in steps[step.key].get("class")
    transitions = _groups(root, "data-transition")
    assert list(transitions) == [t.key for t in pathway.transitions]
    for transition in pathway.transitions:
        group = transitions[transition.key]
        assert (group.get("data-from"), group.get("data-to")) == (
            transition.source,
            transition.target,
        )
        assert group.find(f"{SVG}path") is not None
        assert ("handover" in group.get("class").split()) == pathway.is_cross_level(transition)


def test_steps_sit_in_their_lane_left_to_right() -> None:
    root = _root(example())
    lanes = {
        g.get("data-level"): g.find(f"{SVG}rect")
        for g in root.iter(f"{SVG}g")
        if g.get("class") == "lane"
    }
    steps = _groups(root, "data-step")
    boxes = {}
    for key, group in steps.items():
        shape = group.find(f"{SVG}rect")
        if shape is None:  # a decision is a polygon
            points = [
                tuple(map(float, p.split(",")))
                for p in group.find(f"{SVG}polygon").get("points").split()
            ]
            xs, ys = [p[0] for p in points], [p[1] for p in points]
            boxes[key] = (min(xs), min(ys), max(ys))
        else:
            y = float(shape.get("y"))
            boxes[key] = (float(shape.get("x")), y, y + float(shape.get("height")))
    for step in example().steps:
        lane = lanes[step.level.value]
        top = float(lane.get("y"))
        assert top <= boxes[step.key][1]
        assert boxes[step.key][2] <= top + float(lane.get("height"))
    assert boxes["home-before"][0] < boxes["ed"][0] < boxes["ward"][0] < boxes["home-after"][0]


def test_handovers_are_labelled_with_messages() -> None:
    root = _root(example(), None)
    transitions = _groups(root, "data-transition")
    text = "".join(transitions["admit"].itertext())
    # The national messages by their names, not their codes.
    assert "Referral, Admission report" in text
    assert "HENVISNING" not in text
    assert "within 1 hour" in text


def test_findings_are_marked() -> None:
    root = _root(tricky())
    steps = _groups(root, "data-step")
    transitions = _groups(root, "data-transition")
    assert "finding-error" in steps["subgraph"].get("class")
    assert "finding-warning" in steps["graph"].get("class")
    assert "finding-error" in transitions["readmit"].get("class")
    assert "finding-" not in steps["home"].get("class")
    marker = steps["subgraph"].find(f"{SVG}g[@class='marker finding-error']")
    assert marker is not None
    assert 'No handover <here> & "now"' in marker.find(f"{SVG}title").text
    nb = _root(tricky(), ExportContext(findings=CONTEXT.findings, language="nb"))
    nb_marker = _groups(nb, "data-step")["subgraph"].find(f"{SVG}g[@class='marker finding-error']")
    assert "Mangler overlevering" in nb_marker.find(f"{SVG}title").text


def test_text_is_escaped_and_kept() -> None:
    root = _root(tricky())
    title = root.find(f"{SVG}title").text
    assert title == f"Tricky: {NASTY}"
    tooltip = _groups(root, "data-step")["home"].find(f"{SVG}title").text
    assert NASTY in tooltip
    assert not list(root.iter("{*}b"))


def test_a_cycle_and_an_unreachable_step_are_laid_out() -> None:
    root = _root(tricky())
    assert set(_groups(root, "data-step")) == {step.key for step in tricky().steps}
