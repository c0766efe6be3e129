"""Outpatient visits and deaths in every export: a death is an end of the pathway (an end
event in BPMN, a grey end shape with a double or thick outline in the pictures), an
outpatient visit a box with a bar down each side (a visit and back, not a stay)."""

from __future__ import annotations

import io
import json
import subprocess
from typing import Any

import lxml.html
import networkx as nx
import pydot
import pytest
from fhir.resources.R4B.bundle import Bundle
from lxml import etree

from pathways.export import FORMATS, ExportContext, export
from pathways.export.bpmn import BPMN_NS
from pathways.export.dot import quote, quote_record
from pathways.export.mermaid import node_ids
from pathways.findings import Finding, Severity
from pathways.model import Level, Pathway, PathwayInfo, Step, StepKind, Transition
from tests.pathways.test_export_bpmn import _schema
from tests.pathways.test_export_dot import NEEDS_DOT, _label, _unquote
from tests.pathways.test_export_samples import CONTEXT, NASTY, outcomes

pytestmark = pytest.mark.filterwarnings("ignore:.*deprecated - use:DeprecationWarning")
SVG = "{http://www.w3.org/2000/svg}"
B = f"{{{BPMN_NS}}}"
NB = ExportContext(status="approved", version=3, language="nb")


def _svg_step(root: Any, key: str) -> Any:
    return next(g for g in root.iter(f"{SVG}g") if g.get("data-step") == key)


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_every_format_exports_them(name: str) -> None:
    for context in (CONTEXT, NB, None):
        assert export(outcomes(), name, context=context)


def test_svg_draws_a_death_as_a_grey_end_and_a_visit_with_side_bars() -> None:
    root = etree.fromstring(export(outcomes(), "svg", context=NB))
    died = _svg_step(root, "died")
    assert "kind-death" in died.get("class")
    outline, inner = died.findall(f"{SVG}rect")
    assert float(outline.get("rx")) == float(outline.get("height")) / 2  # an end, like home
    assert outline.get("fill") == "#eceff1"
    assert inner.get("fill") == "none"
    assert float(inner.get("width")) < float(outline.get("width"))
    clinic = _svg_step(root, "clinic")
    assert "kind-outpatient" in clinic.get("class")
    box = clinic.find(f"{SVG}rect")
    bars = clinic.findall(f"{SVG}path")
    assert len(bars) == 2
    left, right = float(box.get("x")), float(box.get("x")) + float(box.get("width"))
    xs = sorted(float(bar.get("d").split(",")[0][1:]) for bar in bars)
    assert left < xs[0] < left + 12
    assert right - 12 < xs[1] < right
    texts = {"".join(t.itertext()): t for t in clinic.iter(f"{SVG}text")}
    kind = texts["POLIKLINISK KONSULTASJON"]  # squeezed between the bars
    assert float(kind.get("textLength")) < xs[1] - xs[0]
    assert "DØD" in ["".join(t.itertext()) for t in died.iter(f"{SVG}text")]
    for key in ("home", "ward"):  # other kinds keep their short labels as they are
        for text in _svg_step(root, key).iter(f"{SVG}text"):
            assert text.get("textLength") is None


def test_a_flagged_death_is_outlined_by_its_finding() -> None:
    flagged = ExportContext(findings=(Finding("x", Severity.ERROR, steps=("died",)),))
    died = _svg_step(etree.fromstring(export(outcomes(), "svg", context=flagged)), "died")
    assert "finding-error" in died.get("class")
    assert died.find(f"{SVG}rect").get("stroke") == "#c62828"


def test_bpmn_ends_at_a_death_and_stays_valid() -> None:
    data = export(outcomes(), "bpmn", context=NB)
    root = etree.fromstring(data)
    schema = _schema()
    assert schema.validate(etree.ElementTree(root)), schema.error_log
    tags = {e.get("id"): etree.QName(e).localname for e in root.iter() if e.get("id")}
    assert tags["step_died"] == "endEvent"
    assert tags["step_clinic"] == "task"
    died = root.find(f".//{B}endEvent[@id='step_died']")
    assert died.get("name") == "Died in hospital"
    assert died.find(f"{B}outgoing") is None
    assert died.find(f"{B}incoming").text == "flow_death"


def test_bpmn_a_death_that_goes_on_stays_a_task_and_is_never_a_start() -> None:
    h = Level.HOSPITAL
    pathway = Pathway(
        PathwayInfo(title="Odd"),
        (
            Step("died", "Died", h, StepKind.DEATH, "lege"),
            Step("after", "Autopsy", h, StepKind.OTHER, "patolog"),
        ),
        (Transition("next", "died", "after"),),
    )
    root = etree.fromstring(export(pathway, "bpmn"))
    assert root.find(f".//{B}task[@id='step_died']") is not None
    assert root.find(f".//{B}startEvent[@id='step_died']") is None
    assert _schema().validate(etree.ElementTree(root)), _schema().error_log


def test_dot_draws_them_and_graphviz_reads_them() -> None:
    text = export(outcomes(), "dot", context=NB).decode()
    graphs = pydot.graph_from_dot_data(text)
    assert graphs is not None
    nodes = {
        _unquote(node.get_name()): node
        for subgraph in graphs[0].get_subgraphs()
        for node in subgraph.get_nodes()
    }
    died, clinic = nodes["died"], nodes["clinic"]
    assert _unquote(died.get("peripheries")) == "2"
    assert _unquote(died.get("fillcolor")) == "#eceff1"
    assert "rounded" in _unquote(died.get("style"))
    assert clinic.get("shape") == quote("record")
    assert _label(clinic) == "Heart failure clinic\n(cardiologist)"


def test_record_labels_keep_their_text() -> None:
    label = quote_record(NASTY + "\nline two")
    assert _unquote(label) == "{ |" + NASTY + "\nline two| }"


@NEEDS_DOT
def test_graphviz_draws_a_record_with_nasty_text() -> None:
    pathway = Pathway(
        PathwayInfo(title="Records"),
        (Step("clinic", f"{NASTY} {{a|b}} <c>", Level.HOSPITAL, StepKind.OUTPATIENT, "lege"),),
    )
    result = subprocess.run(
        ["dot", "-Tsvg"],
        input=export(pathway, "dot"),
        capture_output=True,
        check=True,
        timeout=30,
    )
    assert not result.stderr
    assert "{a|b}" in "".join(etree.fromstring(result.stdout).itertext())


def test_mermaid_shapes() -> None:
    pathway = outcomes()
    text = export(pathway, "mermaid", context=NB).decode()
    ids = node_ids(pathway.steps)
    assert f'{ids["clinic"]}[["Heart failure clinic' in text  # a subroutine: bars at the sides
    assert f'{ids["died"]}(["Died in hospital' in text  # an end, like home
    assert f"class {ids['died']} death" in text
    assert "classDef death fill:#eceff1" in text


def test_fhir_graphml_and_html_name_the_kinds() -> None:
    pathway = outcomes()
    data = export(pathway, "fhir", context=NB)
    Bundle.model_validate_json(data)
    plan = json.loads(data)["entry"][0]["resource"]
    codes = {a["id"]: a["code"][0]["coding"][0]["code"] for a in plan["action"]}
    assert (codes["clinic"], codes["died"]) == ("outpatient", "death")
    graph = nx.read_graphml(io.BytesIO(export(pathway, "graphml")))
    assert (graph.nodes["clinic"]["kind"], graph.nodes["died"]["kind"]) == ("outpatient", "death")
    for language, visit, death in (
        ("en", "Outpatient visit", "Death"),
        ("nb", "Poliklinisk konsultasjon", "Død"),
        ("nn", "Poliklinisk konsultasjon", "Død"),
    ):
        html = export(pathway, "html", context=ExportContext(language=language))
        steps = lxml.html.document_fromstring(html).get_element_by_id("steps").text_content()
        assert visit in steps
        assert death in steps
