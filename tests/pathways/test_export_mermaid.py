"""The ``mermaid`` export: safe node ids, escaped labels, one subgraph per level."""

from __future__ import annotations

import re

from pathways.export import export
from pathways.export.mermaid import label, node_ids
from pathways.model import Level, Step, StepKind
from tests.pathways.test_export_samples import CONTEXT, NASTY, example, tricky

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
    assert sum(line.strip().startswith("subgraph ") for line in lines) == 2
    assert sum(line.strip() == "end" for line in lines) == 2
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
                assert message in line
        else:
            assert "-->" in line


def test_findings_mark_steps() -> None:
    text = export(tricky(), "mermaid", context=CONTEXT).decode()
    assert "class s_subgraph error" in text
    assert "class s_graph warning" in text
