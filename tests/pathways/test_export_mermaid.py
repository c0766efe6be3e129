"""The ``mermaid`` export: safe node ids, escaped labels, one subgraph per level, a legend
in the reader's language, and a summary where Mermaid would refuse the whole pathway."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from benchmarks.exports import synthetic_pathway
from pathways.export import ExportContext, export
from pathways.export._text import message_label
from pathways.export._words import words
from pathways.export.mermaid import MAX_EDGES, MAX_TEXT_SIZE, label, node_ids
from pathways.findings import Finding, Severity
from pathways.model import Handover, Level, Pathway, PathwayInfo, Step, StepKind, Transition
from tests.pathways.test_export_samples import (
    CONTEXT,
    NASTY,
    assert_in_language,
    chain,
    example,
    outcomes,
    partnership,
    tricky,
)

ROOT = Path(__file__).resolve().parents[2]

SAFE_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
ENTITY = re.compile(r"#(quot|amp|lt|gt|35|124|96);")


def _unescape(text: str) -> str:
    names = {"quot": '"', "amp": "&", "lt": "<", "gt": ">", "35": "#", "124": "|", "96": "`"}
    return ENTITY.sub(lambda m: names[m.group(1)], text).replace("<br>", "\n")


def test_labels_escape_everything_mermaid_reads() -> None:
    escaped = label(NASTY)
    for character in '"<>|`':
        assert character not in escaped
    assert _unescape(escaped) == NASTY


def test_node_ids_are_safe_and_unique() -> None:
    steps = [
        Step(key, "x", Level.HOSPITAL, StepKind.OTHER)
        for key in ("a-b", "a_b", "end", "1st", "a_b_2")
    ]
    ids = node_ids(steps)
    assert len(set(ids.values())) == len(steps)
    assert all(SAFE_ID.match(value) for value in ids.values())
    assert ids["end"] != "end"


def test_flowchart_structure() -> None:
    pathway = tricky()
    text = export(pathway, "mermaid", context=CONTEXT).decode()
    lines = text.splitlines()
    assert lines[0] == "---"
    assert "flowchart LR" in lines
    assert sum(line.strip().startswith("subgraph ") for line in lines) == 3  # and the legend
    assert sum(line.strip() == "end" for line in lines) == 3
    ids = node_ids(pathway.steps)
    for step in pathway.steps:
        node_line = next(
            line.strip() for line in lines if re.match(rf"\s*{ids[step.key]}[\[({{]", line)
        )
        assert step.name in _unescape(node_line)
        assert node_line.endswith(("]", ")", "}"))
    body = "\n".join(lines[3:])
    for name in ("node", "graph", "subgraph", "end"):
        assert not re.search(rf"(^|\s){name}(\[|\(|\{{)", body)


def test_handover_edges_are_labelled_by_messages() -> None:
    pathway = example()
    text = export(pathway, "mermaid").decode()
    ids = node_ids(pathway.steps)
    for transition in pathway.transitions:
        source, target = ids[transition.source], ids[transition.target]
        line = next(
            line
            for line in text.splitlines()
            if line.strip().startswith(source + " ") and line.strip().endswith(" " + target)
        )
        if transition.handover is not None:
            assert "-.->" in line
            for message in transition.handover.messages:
                assert message_label(message, "en") in line
        else:
            assert "-->" in line


def test_findings_mark_steps() -> None:
    text = export(tricky(), "mermaid", context=CONTEXT).decode()
    assert "class s_subgraph error" in text
    assert "class s_graph warning" in text


# --- Reading a flowchart back -----------------------------------------------------------

NODE = re.compile(r'^\s*(\w+)(\[\[|\[|\(\[|\{\{)"(.*)"(\]\]|\]|\]\)|\}\})$')
LINK = re.compile(r'^\s*(\w+) (-->|-\.->)(?:\|"(.*)"\|)? (\w+)$')
DECLARING_LINK = re.compile(r'^\s*(\w+\["[^"]*"\]) (-->|-\.->)\|"(.*)"\| (\w+\["[^"]*"\])$')
"""A link that declares its nodes, as the legend's do: ``a["x"] --> b["y"]``."""
SUBGRAPH = re.compile(r'^\s*subgraph (\w+)\["(.*)"\]$')
ISO_DURATION = re.compile(r"\bP(T?\d)")


@dataclass
class Flowchart:
    """What a Mermaid reader sees: the title, comments, subgraphs, nodes and links."""

    title: str
    comments: list[str]
    subgraphs: dict[str, str]  # id: title
    nodes: dict[str, tuple[str, str]]  # id: (subgraph id, label)
    links: list[tuple[str, str, str, str]]  # source, arrow, label, target
    classes: dict[str, set[str]]  # class name: node ids
    link_styles: list[int]


def _read(data: bytes) -> Flowchart:
    lines = data.decode("utf-8").splitlines()
    assert lines[0] == "---"
    end = lines.index("---", 1)
    title = next(json.loads(line[7:]) for line in lines[1:end] if line.startswith("title: "))
    assert lines[end + 1] == "flowchart LR"
    chart = Flowchart(title, [], {}, {}, [], {}, [])
    inside: str | None = None
    for line in lines[end + 2 :]:
        stripped = line.strip()
        if match := SUBGRAPH.match(line):
            assert inside is None, "no nested subgraphs"
            inside = match.group(1)
            chart.subgraphs[inside] = _unescape(match.group(2))
        elif stripped == "end":
            assert inside is not None
            inside = None
        elif stripped.startswith("%%"):
            chart.comments.append(stripped[2:].strip())
        elif stripped.startswith("direction ") or stripped.startswith(("classDef ", "style ")):
            continue
        elif stripped.startswith("class "):
            _, members, name = stripped.split(" ")
            chart.classes.setdefault(name, set()).update(members.split(","))
        elif stripped.startswith("linkStyle "):
            chart.link_styles += [int(index) for index in stripped.split(" ")[1].split(",")]
        elif match := LINK.match(line) or DECLARING_LINK.match(line):
            source, arrow, text, target = match.groups()
            chart.links.append(
                (
                    _declare(chart, source, inside),
                    arrow,
                    _unescape(text or ""),
                    _declare(chart, target, inside),
                )
            )
        elif match := NODE.match(line):
            chart.nodes[match.group(1)] = (inside or "", _unescape(match.group(3)))
        else:
            raise AssertionError(f"not a line this module writes: {line!r}")
    assert inside is None, "every subgraph ends"
    for source, _arrow, _text, target in chart.links:
        assert source in chart.nodes, source
        assert target in chart.nodes, target
    for name, members in chart.classes.items():
        assert members <= set(chart.nodes), name
    assert all(0 <= index < len(chart.links) for index in chart.link_styles)
    return chart


def _declare(chart: Flowchart, token: str, inside: str | None) -> str:
    """The node id of a link's end, declaring the node if the end does (``a["x"]``)."""
    declared = NODE.match(token)
    if declared is None:
        return token
    chart.nodes[declared.group(1)] = (inside or "", _unescape(declared.group(3)))
    return declared.group(1)


def _texts(chart: Flowchart) -> list[str]:
    """Every text a person reads in the flowchart."""
    return [
        chart.title,
        *chart.comments,
        *chart.subgraphs.values(),
        *(text for _subgraph, text in chart.nodes.values()),
        *(text for _source, _arrow, text, _target in chart.links),
    ]


def _mermaid(pathway: Pathway, language: str = "nb", **more: Any) -> Flowchart:
    context = ExportContext(status="approved", version=3, language=language, **more)
    data = export(pathway, "mermaid", context=context)
    return _read(data)


def _size(data: bytes) -> int:
    """The length of the text as JavaScript (and so Mermaid) counts it."""
    return len(data.decode("utf-8").encode("utf-16-le")) // 2


@cache
def _thousand_steps() -> Pathway:
    return synthetic_pathway(1000)  # the benchmark's: every transition a handover


# --- The legend ---------------------------------------------------------------------------

LEGEND_WORDS = {
    "en": ("Legend", "Transition within a level", "Handover between levels", "Home", "Decision"),
    "nb": ("Tegnforklaring", "Overgang innen nivået", "Overlevering mellom nivåene", "Hjemme"),
    "nn": ("Teiknforklaring", "Overgang innan nivået", "Overlevering mellom nivåa", "Heime"),
}


@pytest.mark.parametrize("language", list(LEGEND_WORDS))
def test_the_legend_is_in_the_readers_language(language: str) -> None:
    chart = _mermaid(example(), language)
    assert set(chart.subgraphs) == {"level_municipality", "level_hospital", "legend"}
    legend = [chart.subgraphs["legend"]] + [
        text for subgraph, text in chart.nodes.values() if subgraph == "legend"
    ]
    legend += [text for source, _arrow, text, _target in chart.links if source.startswith("legend")]
    joined = "\n".join(legend)
    assert_in_language(joined, LEGEND_WORDS[language], language)


def test_the_legend_explains_the_arrows_with_sample_links() -> None:
    chart = _mermaid(example())
    legend_links = [link for link in chart.links if link[0].startswith("legend_")]
    arrows = {arrow: text for _source, arrow, text, _target in legend_links}
    assert arrows == {
        "-->": "Overgang innen nivået",
        "-.->": "Overlevering mellom nivåene: meldinger og frist",
    }
    # the sample handover is drawn as the pathway's handovers are
    handover = chart.links.index(next(link for link in legend_links if link[1] == "-.->"))
    assert handover in chart.link_styles


@pytest.mark.parametrize("sample", [example, tricky, outcomes, partnership])
def test_the_legend_is_not_linked_to_the_pathway(sample: Any) -> None:
    pathway: Pathway = sample()
    chart = _mermaid(pathway, findings=CONTEXT.findings)
    legend = {node for node, (subgraph, _text) in chart.nodes.items() if subgraph == "legend"}
    steps = set(node_ids(pathway.steps).values())
    assert legend
    assert all(node.startswith("legend_") for node in legend)
    assert not legend & steps
    assert {node for node, (subgraph, _) in chart.nodes.items() if subgraph != "legend"} == steps
    for source, _arrow, _text, target in chart.links:
        assert (source in legend) == (target in legend), (source, target)
    pathway_links = [link for link in chart.links if link[0] not in legend]
    assert len(pathway_links) == len(pathway.transitions)
    assert chart.links[: len(pathway_links)] == pathway_links  # linkStyle indices stay put


def test_the_legend_shows_the_shapes_and_outlines_that_are_drawn() -> None:
    shown = set(_mermaid(outcomes()).nodes)
    assert {"legend_home", "legend_death", "legend_decision", "legend_outpatient"} <= shown
    assert not {"legend_error", "legend_warning"} & shown
    chart = _mermaid(tricky(), findings=CONTEXT.findings)
    assert "legend_outpatient" not in chart.nodes  # no outpatient visit in it
    assert chart.nodes["legend_error"][1] == "Åpen mangel: feil"
    assert chart.nodes["legend_warning"][1] == "Åpen mangel: advarsel"
    assert "legend_error" in chart.classes["error"]
    assert "legend_warning" in chart.classes["warning"]
    assert "legend_death" in _mermaid(outcomes()).classes["death"]


# --- Norwegian throughout -----------------------------------------------------------------


def test_deadlines_and_messages_are_said_for_people() -> None:
    chart = _mermaid(example())
    labels = [text for _source, arrow, text, _target in chart.links if arrow == "-.->"]
    assert any("samme dag" in text for text in labels)  # PT0H
    assert any("innen 1 time" in text for text in labels)  # PT1H
    assert any("Melding om utskrivningsklar pasient" in text for text in labels)
    assert not any("LOG_UTSKRIVNINGSKLAR" in text for text in labels)


@pytest.mark.parametrize("language", ["en", "nb", "nn"])
@pytest.mark.parametrize("sample", [example, outcomes, partnership, _thousand_steps])
def test_no_iso_duration_or_code_in_any_label(sample: Any, language: str) -> None:
    chart = _mermaid(sample(), language)
    for text in _texts(chart):
        assert not ISO_DURATION.search(text), text
        assert not re.search(r"\bLOG_[A-Z]", text), text
        if language != "en":
            assert not re.search(r"\b(approved|draft|summary)\b", text), text


# --- Mermaid's limits ---------------------------------------------------------------------


@pytest.mark.parametrize("sample", [example, partnership, lambda: synthetic_pathway(100)])
def test_a_pathway_that_fits_is_drawn_whole(sample: Any) -> None:
    pathway: Pathway = sample()
    data = export(pathway, "mermaid", context=CONTEXT)
    chart = _read(data)
    assert _size(data) <= MAX_TEXT_SIZE
    assert len(chart.links) <= MAX_EDGES
    assert not chart.comments
    assert "summary" not in chart.title
    ids = node_ids(pathway.steps)
    for step in pathway.steps:
        assert chart.nodes[ids[step.key]][1].split("\n")[0] == step.name
    assert len(chart.links) == len(pathway.transitions) + 2  # and the legend's two


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("nb", "Hele forløpet finnes i DOT-, GraphML- og BPMN-eksportene."),
        ("nn", "Heile forløpet finst i DOT-, GraphML- og BPMN-eksportane."),
        ("en", "The whole pathway is in the DOT, GraphML and BPMN exports."),
    ],
)
def test_1000_steps_are_summarised_under_mermaids_limits(language: str, said: str) -> None:
    pathway = _thousand_steps()
    assert len(pathway.transitions) > MAX_EDGES  # drawn whole, Mermaid would refuse it
    context = ExportContext(status="approved", version=1, language=language)
    data = export(pathway, "mermaid", context=context)
    assert _size(data) <= MAX_TEXT_SIZE == 50_000
    chart = _read(data)
    assert len(chart.links) <= MAX_EDGES == 500
    summary = words(language)["diagram_summary"]
    assert chart.title.endswith(f"{summary})")
    assert len(chart.comments) == 1
    assert said in chart.comments[0]
    assert said in chart.nodes["legend_note"][1]
    assert "1000" in chart.comments[0]
    assert str(len(pathway.transitions)) in chart.comments[0]


def test_a_summary_accounts_for_every_step_on_its_level() -> None:
    pathway = _thousand_steps()
    chart = _mermaid(pathway)
    ids = node_ids(pathway.steps)
    level_of = {ids[step.key]: step.level for step in pathway.steps}
    counted = {Level.MUNICIPALITY: 0, Level.HOSPITAL: 0}
    groups = 0
    for node, (subgraph, text) in chart.nodes.items():
        if subgraph == "legend":
            continue
        level = Level(subgraph.removeprefix("level_"))
        if node in level_of:
            assert level_of[node] is level
            counted[level] += 1
        else:
            match = re.match(r"(\d+) trinn\n", text)
            assert match is not None, text
            counted[level] += int(match.group(1))
            groups += 1
    expected = {level: sum(s.level is level for s in pathway.steps) for level in counted}
    assert counted == expected
    assert 10 <= groups <= len(pathway.steps) // 2
    assert {ids["home-start"], ids["home-end"]} <= set(chart.nodes)  # where it starts and ends


def test_a_summary_links_groups_with_counted_handovers() -> None:
    chart = _mermaid(_thousand_steps())
    handovers = [
        text
        for source, arrow, text, _target in chart.links
        if arrow == "-.->" and not source.startswith("legend_")
    ]
    assert handovers
    counted = [text for text in handovers if re.match(r"\d+ overleveringer\n", text)]
    assert counted
    for text in counted:
        assert "Melding om utskrivningsklar pasient" in text
        assert "innen 24 timer" in text
    assert not any(source == target for source, _arrow, _text, target in chart.links)


def test_a_summary_keeps_the_findings() -> None:
    pathway = _thousand_steps()
    assert "error" not in _mermaid(pathway).classes
    flagged = pathway.steps[5]
    finding = Finding("x", Severity.ERROR, steps=(flagged.key,), messages={"en": "x"})
    chart = _mermaid(pathway, findings=(finding,))
    (group,) = chart.classes["error"] - {"legend_error"}
    assert chart.nodes[group][0] == f"level_{flagged.level.value}"
    assert group in chart.classes["group"]
    assert "legend_error" in chart.nodes


def test_a_summary_says_same_day_as_people_do() -> None:
    chart = _mermaid(chain(1000))
    assert any("samme dag" in text for text in _texts(chart))
    assert not any(ISO_DURATION.search(text) for text in _texts(chart))


def test_a_summary_is_the_same_every_time() -> None:
    """The same bytes in another process, whose strings hash otherwise."""
    script = (
        "import sys\n"
        "from benchmarks.exports import synthetic_pathway\n"
        "from pathways.export import export\n"
        "sys.stdout.buffer.write(export(synthetic_pathway(1000), 'mermaid'))\n"
    )
    environment = {**os.environ, "PYTHONHASHSEED": "12345"}
    other = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        check=True,
        cwd=ROOT,
        env=environment,
        timeout=120,
    )
    assert other.stdout == export(_thousand_steps(), "mermaid")


def test_few_steps_with_long_texts_are_summarised_under_the_limits_too() -> None:
    """Ten steps, but names, labels and messages as long as validation lets them be, and
    each of Mermaid's special characters written as a six-character entity code."""
    long = '"#' * 150
    steps = tuple(
        Step(f"s{index}", long, Level.HOSPITAL if index % 2 else Level.MUNICIPALITY, kind, long)
        for index, kind in enumerate([StepKind.HOME, *[StepKind.TREATMENT] * 8, StepKind.HOME])
    )
    transitions = tuple(
        Transition(
            f"t{index}",
            f"s{index % 9}",
            f"s{index % 9 + 1}",
            long,
            Handover("a", "b", tuple(f"{long}{n}" for n in range(50)), "PT0H"),
        )
        for index in range(60)
    )
    pathway = Pathway(PathwayInfo(long), steps, transitions)
    data = export(pathway, "mermaid", context=CONTEXT)
    assert _size(data) <= MAX_TEXT_SIZE
    chart = _read(data)
    assert len(chart.links) <= MAX_EDGES
    assert chart.comments  # a summary
    assert "the same day" in data.decode()
