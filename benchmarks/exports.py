"""Benchmark of the exporters on synthetic pathways of 100 and 1,000 steps.

The pathway: a home start, then layers of four steps whose care level alternates layer
by layer, each step leading to two steps of the next layer (so every such transition is
a handover, with messages, a deadline and a three-item checklist), a readmission loop
every tenth layer, and a home end. Each format is timed (median of ``--runs`` runs after
a warm-up), the layout of the pictures and the BPMN diagram included and computed anew
each time, against its goal (200 ms at 100 steps, 3 s at 1,000), and compared with
``dump_document`` (the native ``json`` export) as the baseline::

    .venv/bin/python benchmarks/exports.py [--steps 100 1000] [--runs 7]

Exits 1 if a format misses the goal.
"""

from __future__ import annotations

import argparse
import functools
import statistics
import sys
import time
from collections.abc import Callable

from pathways.document import dump_document
from pathways.export import FORMATS, ExportContext
from pathways.findings import Finding, Severity
from pathways.model import (
    ChecklistItem,
    Handover,
    Level,
    Pathway,
    PathwayInfo,
    Side,
    Step,
    StepKind,
    Transition,
)
from pathways.validation import validate_pathway

GOALS_MS = {100: 200.0, 1000: 3000.0}
"""The goal per size; other sizes are held to the goal of the next size up."""
WIDTH = 4


def synthetic_pathway(steps: int = 1000) -> Pathway:
    """A valid pathway of ``steps`` steps, laid out as described in the module docstring."""
    layers = max(1, (steps - 2) // WIDTH)
    extra = max(0, steps - 2 - layers * WIDTH)  # the last layer is wider if need be
    step_list = [Step("home-start", "At home", Level.MUNICIPALITY, StepKind.HOME, "home nursing")]
    transitions: list[Transition] = []
    previous = ["home-start"]
    previous_level = Level.MUNICIPALITY
    for layer in range(layers):
        level = Level.HOSPITAL if layer % 2 == 0 else Level.MUNICIPALITY
        kind = StepKind.DECISION if layer % 7 == 3 else StepKind.TREATMENT
        width = WIDTH + (extra if layer == layers - 1 else 0)
        current = [f"l{layer}-s{index}" for index in range(width)]
        step_list += [
            Step(
                key,
                f"Step {index + 1} of layer {layer + 1}: a name long enough to wrap",
                level,
                kind,
                "ward nurse" if level is Level.HOSPITAL else "home nursing",
                "PT4H",
                "A description.",
            )
            for index, key in enumerate(current)
        ]
        pairs = [
            (source, current[(position + offset) % width])
            for position, source in enumerate(previous)
            for offset in ((0, 1) if len(previous) > 1 else range(width))
        ]
        reached = {target for _source, target in pairs}
        pairs += [(previous[0], target) for target in current if target not in reached]
        for source, target in pairs:
            transitions.append(
                Transition(
                    f"{source}-to-{target}",
                    source,
                    target,
                    "Condition met",
                    _handover(source, target) if level is not previous_level else None,
                )
            )
        if layer % 10 == 9:
            transitions.append(
                Transition(f"loop-{layer}", current[0], f"l{layer - 9}-s1", "Readmission")
            )
        previous, previous_level = current, level
    step_list.append(
        Step("home-end", "Back at home", Level.MUNICIPALITY, StepKind.HOME, "home nursing")
    )
    for source in previous:
        handover = _handover(source, "home-end") if previous_level is Level.HOSPITAL else None
        transitions.append(Transition(f"{source}-home", source, "home-end", "", handover))
    pathway = Pathway(
        PathwayInfo(title=f"Synthetic pathway, {len(step_list)} steps", description="Benchmark"),
        tuple(step_list),
        tuple(transitions),
    )
    validate_pathway(pathway)
    return pathway


def _handover(source: str, target: str) -> Handover:
    return Handover(
        sender_role="ward nurse",
        receiver_role="home nursing",
        messages=("LOG_UTSKRIVNINGSKLAR", "EPIKRISE"),
        deadline="PT24H",
        checklist=(
            ChecklistItem("notice", f"Notice from {source} sent", Side.SENDER, True, "PT0H"),
            ChecklistItem("epikrise", "Epikrise and medication list sent", Side.SENDER),
            ChecklistItem("reply", f"{target} replies the same day", Side.RECEIVER, True, "PT0H"),
        ),
    )


def _median_ms(function: Callable[[], bytes], runs: int) -> tuple[float, int]:
    size = len(function())  # warm-up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), size


def _goal(steps: int) -> float:
    for size, goal in sorted(GOALS_MS.items()):
        if steps <= size:
            return goal
    return max(GOALS_MS.values())


def _run(steps: int, runs: int) -> list[str]:
    """Time every format on a pathway of ``steps`` steps; the formats that missed."""
    pathway = synthetic_pathway(steps)
    goal = _goal(steps)
    cross = sum(pathway.is_cross_level(t) for t in pathway.transitions)
    context = ExportContext(
        pathway_id=1,
        status="approved",
        version=1,
        language="nb",
        findings=(
            Finding("x", Severity.ERROR, steps=(pathway.steps[5].key,), messages={"en": "x"}),
        ),
    )
    print(
        f"\n{len(pathway.steps)} steps, {len(pathway.transitions)} transitions "
        f"({cross} across the levels); median of {runs} runs"
    )
    baseline, baseline_size = _median_ms(lambda: dump_document(pathway), runs)
    header = f"{'format':<12}{'ms':>9}{'x json':>9}{'KiB':>9}  goal ≤ {goal:.0f} ms"
    print(header)
    print("-" * len(header))
    print(f"{'baseline':<12}{baseline:>9.1f}{1:>9.1f}{baseline_size / 1024:>9.0f}  (dump_document)")
    missed = []
    for name, format in FORMATS.items():
        elapsed, size = _median_ms(functools.partial(format.render, pathway, context=context), runs)
        ok = elapsed <= goal
        if not ok:
            missed.append(f"{name} at {steps} steps")
        print(
            f"{name:<12}{elapsed:>9.1f}{elapsed / baseline:>9.1f}{size / 1024:>9.0f}  "
            f"{'yes' if ok else 'NO'}"
        )
    return missed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Time every export format.")
    parser.add_argument("--steps", type=int, nargs="+", default=sorted(GOALS_MS))
    parser.add_argument("--runs", type=int, default=7)
    arguments = parser.parse_args(argv)
    missed = [name for steps in arguments.steps for name in _run(steps, arguments.runs)]
    if missed:
        print(f"missed the goal: {', '.join(missed)}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
