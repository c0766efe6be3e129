"""A picture of a difference: one side drawn as the exports draw pathways, what the
other side had put back, and steps and transitions marked added, changed or removed,
checked as Chromium draws it (no two texts on top of each other)."""

from __future__ import annotations

from pathlib import Path

from pathways.diff import Mark, marked_union
from pathways.export import ExportContext, export
from pathways.export.context import comparison
from tests.pathways.test_export_html_browser import _chromium, _script
from tests.pathways.test_export_samples import example
from tests.pathways.test_export_svg_browser import MEASURE
from tests.pathways.test_variants import nordvik, sorvik


def _picture(language: str = "nb") -> bytes:
    shared = example()
    union, steps, transitions = marked_union(nordvik(shared), sorvik(shared))
    context = ExportContext(
        pathway_id=5,
        status=comparison((4, None), (5, None), language),
        language=language,
        step_marks={key: mark.value for key, mark in steps.items()},
        transition_marks={key: mark.value for key, mark in transitions.items()},
    )
    return export(union, "svg", context=context)


def test_the_union_marks_what_each_side_has_and_the_other_has_not() -> None:
    shared = example()
    north, south = nordvik(shared), sorvik(shared)
    union, steps, transitions = marked_union(north, south)
    assert steps == {
        "short-term-bed": Mark.CHANGED,
        "home-nursing-start": Mark.CHANGED,
        "kad": Mark.REMOVED,
    }
    assert transitions == dict.fromkeys(("to-kad", "kad-to-ed", "kad-home"), Mark.REMOVED)
    assert [step.key for step in union.steps] == [*(s.key for s in south.steps), "kad"]
    # The other way round, the KAD step is what was added.
    _, steps, _ = marked_union(south, north)
    assert steps["kad"] is Mark.ADDED
    assert marked_union(shared, shared)[1:] == ({}, {})


def test_the_marks_are_drawn_and_explained() -> None:
    svg = _picture("nb").decode()
    assert 'class="step level-municipality kind-treatment change-removed"' in svg
    assert svg.count("change-changed") == 2
    assert svg.count("change-removed") == 4  # the KAD step and its three transitions
    assert ">Endret<" in svg
    assert ">Fjernet<" in svg
    assert "Fra utkastet til forløp 4 til utkastet til forløp 5" in svg
    english = _picture("en").decode()
    assert ">Changed<" in english
    assert ">Removed<" in english
    # A picture of no difference has no marks, badges or extra legend.
    plain = export(example(), "svg", context=ExportContext(language="nb")).decode()
    assert "change-" not in plain
    assert "Fjernet" not in plain


def test_no_two_texts_overlap_in_chromium(tmp_path: Path) -> None:
    chromium = _chromium()
    picture = tmp_path / "difference.svg"
    picture.write_bytes(_picture("nb"))
    result = _script().capture(
        picture, tmp_path / "difference.png", chromium=chromium, full_page=False, evaluate=MEASURE
    )
    assert result.errors == []
    assert result.value["count"] > 20
    assert result.value["clashes"] == []
    assert result.value["outside"] == []
