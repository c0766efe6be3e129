"""The BPMN export as bpmn.io draws it (bpmn-js's viewer in headless Chromium).

Our own diagram tests check the bounds we write; this one measures what bpmn.io made of
them: it imports every sample without a warning, and in what it drew no label's text
overlaps another's, a shape, or a line (sequence or message flow), and every task's
name stays inside the task. Needs Node.js (``npm ci`` in ``tests/tools``) and Chromium:
under CI either missing fails, else the test skips.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from pathways.export import ExportContext, export
from pathways.model import Pathway
from tests.pathways.test_export_bpmn import TOOLS, _node
from tests.pathways.test_export_html_browser import _chromium, _script
from tests.pathways.test_export_samples import chain, example, outcomes, partnership, tricky

SAMPLES: dict[str, Callable[[], Pathway]] = {
    "example": example,
    "tricky": tricky,
    "outcomes": outcomes,
    "partnership": partnership,
    "chain-1000": lambda: chain(1000),
}

# In diagram coordinates: every label's text box, every shape, every line's segments.
MEASURE = """
(() => {
  const registry = viewer.get('elementRegistry');
  const labels = [], shapes = [], segments = [], tasks = [];
  const hits = {labels: [], shapes: [], lines: [], tasks: []};
  registry.forEach((element) => {
    const type = element.type;
    if (type === 'label') {
      const text = registry.getGraphics(element).querySelector('text');
      if (!text || !text.textContent.trim()) return;
      const box = text.getBBox();
      labels.push({id: element.labelTarget.id, owner: element.labelTarget,
                   x: element.x + box.x, y: element.y + box.y,
                   r: element.x + box.x + box.width, b: element.y + box.y + box.height});
    } else if (element.waypoints) {
      const points = element.waypoints;
      for (let i = 1; i < points.length; i++) {
        segments.push({id: element.id, a: points[i - 1], z: points[i]});
      }
    } else if (type !== 'bpmn:Participant' && type !== 'bpmn:Collaboration'
               && type !== 'bpmn:Process' && type !== 'bpmn:Lane' && element.parent) {
      shapes.push({id: element.id, x: element.x, y: element.y,
                   r: element.x + element.width, b: element.y + element.height});
      if (type === 'bpmn:Task') {
        const text = registry.getGraphics(element).querySelector('text');
        if (text && text.textContent.trim()) {
          const box = text.getBBox();
          if (box.x < 0 || box.y < 0 || box.x + box.width > element.width
              || box.y + box.height > element.height) {
            hits.tasks.push(element.id);
          }
        }
      }
    }
  });
  const overlap = (p, q) =>
    p.x < q.r - 0.5 && q.x < p.r - 0.5 && p.y < q.b - 0.5 && q.y < p.b - 0.5;
  for (let i = 0; i < labels.length; i++) {
    for (let j = i + 1; j < labels.length; j++) {
      if (overlap(labels[i], labels[j])) hits.labels.push([labels[i].id, labels[j].id]);
    }
    for (const shape of shapes) {
      if (overlap(labels[i], shape)) hits.shapes.push([labels[i].id, shape.id]);
    }
    for (const s of segments) {
      const box = {x: Math.min(s.a.x, s.z.x), r: Math.max(s.a.x, s.z.x) + 0.01,
                   y: Math.min(s.a.y, s.z.y), b: Math.max(s.a.y, s.z.y) + 0.01};
      if (overlap(labels[i], box)) hits.lines.push([labels[i].id, s.id]);
    }
  }
  for (const key of Object.keys(hits)) hits[key] = hits[key].slice(0, 20);
  return {labels: labels.length, shapes: shapes.length, segments: segments.length, hits};
})()
"""

PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8">
<style>html, body, #canvas {{ margin: 0; width: 100%; height: 100%; }}</style></head>
<body><div id="canvas"></div>
<script src="{viewer}"></script>
<script>
const viewer = new BpmnJS({{container: '#canvas'}});
viewer.importXML({xml}).then((result) => {{
  window.warnings = result.warnings.map((warning) => warning.message);
  window.done = true;
}}).catch((error) => {{
  window.warnings = ['import failed: ' + error.message];
  window.done = true;
}});
</script></body></html>
"""


@pytest.fixture(scope="module")
def viewer() -> Path:
    _node()  # installs tests/tools (bpmn-js with bpmnlint) if need be
    return TOOLS / "node_modules" / "bpmn-js" / "dist" / "bpmn-viewer.production.min.js"


@pytest.mark.parametrize("name", list(SAMPLES))
def test_bpmn_io_draws_labels_clear_of_everything(name: str, viewer: Path, tmp_path: Path) -> None:
    chromium = _chromium()
    pathway = SAMPLES[name]()
    xml = export(pathway, "bpmn", context=ExportContext(language="nb")).decode()
    page = tmp_path / f"{name}.html"
    page.write_text(
        PAGE.format(viewer=viewer.as_uri(), xml=json.dumps(xml).replace("</", "<\\/")),
        encoding="utf-8",
    )
    result = _script().capture(
        page,
        tmp_path / f"{name}.png",
        chromium=chromium,
        width=1600,
        height=900,
        full_page=False,
        ready="window.done === true",
        evaluate=f"({{warnings: window.warnings, measured: {MEASURE.strip()}}})",
    )
    assert result.errors == []
    assert result.value["warnings"] == []  # bpmn.io imported it without a warning
    measured = result.value["measured"]
    assert measured["labels"] >= len(pathway.transitions) // 2  # it measured the labels
    assert measured["shapes"] >= len(pathway.steps)
    assert measured["hits"] == {"labels": [], "shapes": [], "lines": [], "tasks": []}
