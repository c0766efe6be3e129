"""The SVG picture as Chromium draws it: no two texts on top of each other, and every
text of a step inside the step's outline.

The layout estimates how wide texts are; this test measures what the browser really drew
(the box of every ``<tspan>`` and ``<text>`` on the page) for the example, a
46-step pathway and a chain of 120 steps, in bokmål and English. Fails under CI when
Chromium is missing, else skips (see ``test_export_html_browser``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from pathways.export import ExportContext, export
from pathways.model import Pathway
from tests.pathways.test_export_html_browser import _chromium, _script
from tests.pathways.test_export_samples import CONTEXT, chain, example, partnership, tricky

# Boxes of every piece of text, then each pair that overlaps by more than half a unit.
MEASURE = """
(() => {
  const boxes = [];
  for (const text of document.querySelectorAll('text')) {
    const spans = text.querySelectorAll('tspan');
    for (const piece of (spans.length ? spans : [text])) {
      if (!piece.textContent.trim()) continue;
      const b = piece.getBoundingClientRect();
      boxes.push([piece.textContent, b.x, b.y, b.x + b.width, b.y + b.height,
                  text.closest('[id]') ? text.closest('[id]').id : '']);
    }
  }
  const clashes = [];
  boxes.sort((a, b) => a[1] - b[1]);
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length && boxes[j][1] < boxes[i][3] - 0.5; j++) {
      const a = boxes[i], b = boxes[j];
      if (a[2] < b[4] - 0.5 && b[2] < a[4] - 0.5) clashes.push([a[0], a[5], b[0], b[5]]);
    }
  }
  // Every text of a step inside the step's outline (its first shape), 2 units in.
  const outside = [];
  for (const step of document.querySelectorAll('g[data-step]')) {
    const shape = step.querySelector('rect, polygon, path, ellipse');
    if (!shape) continue;
    const s = shape.getBoundingClientRect();
    for (const piece of step.querySelectorAll('tspan')) {
      if (!piece.textContent.trim()) continue;
      const b = piece.getBoundingClientRect();
      if (b.x < s.x + 2 || b.x + b.width > s.x + s.width - 2 || b.y < s.y
          || b.y + b.height > s.y + s.height) {
        outside.push([step.dataset.step, piece.textContent]);
      }
    }
  }
  return {count: boxes.length, clashes: clashes.slice(0, 20), outside: outside.slice(0, 20)};
})()
"""

SAMPLES: dict[str, Callable[[], Pathway]] = {
    "example": example,
    "tricky": tricky,
    "partnership": partnership,
    "chain-120": lambda: chain(120),
}


@pytest.mark.parametrize("language", ["nb", "en"])
@pytest.mark.parametrize("name", list(SAMPLES))
def test_no_two_texts_overlap_in_chromium(name: str, language: str, tmp_path: Path) -> None:
    chromium = _chromium()
    pathway = SAMPLES[name]()
    context = ExportContext(
        pathway_id=CONTEXT.pathway_id,
        status="approved",
        version=3,
        findings=CONTEXT.findings if name == "tricky" else (),
        language=language,
    )
    picture = tmp_path / f"{name}.svg"
    picture.write_bytes(export(pathway, "svg", context=context))
    result = _script().capture(
        picture, tmp_path / f"{name}.png", chromium=chromium, full_page=False, evaluate=MEASURE
    )
    assert result.errors == []
    assert result.value["count"] > 2 * len(pathway.steps)  # it measured the texts
    assert result.value["clashes"] == []
    assert result.value["outside"] == []
