"""Benchmark of the gap analysis on large synthetic pathways.

Run it with ``python benchmarks/gaps.py`` (add ``--quick`` for fewer repetitions).

Each pathway runs from a home step through blocks of steps that alternate between the
municipal and the hospital level, back to a home step. A block is
``entry -> decide -> (a | b) -> exit``: one decision with two branches that meet again.
Consecutive blocks are joined by a cross-level transition with a complete handover
(carrying the Norwegian messages), so the ``core`` rules find nothing and the ``norway``
rules next to nothing: the figures are of the rules reading the graph, not of writing
findings. The last column is the ``core`` + ``norway`` check against the same traversal.

For each size it measures, in the same run and on the same pathway:

- ``find_gaps`` with the default rules (``core``), best and median of several runs;
- ``find_gaps`` with ``core`` and ``norway``;
- one bare ``networkx.descendants(G, "home-start")`` on ``pathways.graph.to_digraph``
  of the pathway (the graph is built beforehand, outside the timing).

Goals: 10^4 steps within 50 ms, 10^5 steps within 1 s, and the default gap check within
5 times the bare traversal.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import networkx as nx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pathways.gaps import find_gaps
from pathways.graph import to_digraph
from pathways.model import (
    ChecklistItem,
    Handover,
    Level,
    Pathway,
    PathwayInfo,
    RuleSettings,
    Side,
    Step,
    StepKind,
    Transition,
)

SIZES = (1_000, 10_000, 100_000)
GOALS_MS = {10_000: 50.0, 100_000: 1000.0}
MAX_RATIO = 5.0
BLOCK = 5

ADMISSION = Handover(
    sender_role="home nursing",
    receiver_role="ED nurse",
    messages=("INNLEGGELSESRAPPORT", "LOG_INNLAGT"),
    deadline="PT12H",
    checklist=(
        ChecklistItem("report", "Innleggelsesrapport sent", Side.SENDER, True, "PT1H"),
        ChecklistItem("notice", "Melding om innlagt pasient sent", Side.RECEIVER, True, "PT24H"),
    ),
)
DISCHARGE = Handover(
    sender_role="ward nurse",
    receiver_role="home nursing",
    messages=(
        "HELSEOPPL_SOKNAD",
        "LOG_UTSKRIVNINGSKLAR",
        "LOG_TILBAKEMELDING",
        "EPIKRISE",
        "LEGEMIDDELLISTE",
        "LOG_UTSKREVET",
    ),
    deadline="PT0H",
    checklist=(
        ChecklistItem("epikrise", "Epikrise and medication list sent", Side.SENDER, True, "PT0H"),
        ChecklistItem("reply", "Municipality replies the same day", Side.RECEIVER, True, "PT0H"),
    ),
)


def layered_pathway(size: int) -> Pathway:
    """A valid home-to-home pathway of about ``size`` steps (see the module docstring)."""
    steps = [Step("home-start", "At home", Level.MUNICIPALITY, StepKind.HOME, "home nursing")]
    transitions: list[Transition] = []
    previous = "home-start"
    blocks = max(2, (size - 2) // BLOCK)
    for block in range(blocks):
        level = Level.MUNICIPALITY if block % 2 == 0 else Level.HOSPITAL
        role = "home nursing" if level is Level.MUNICIPALITY else "ward nurse"
        keys = [f"b{block}-{part}" for part in ("entry", "decide", "a", "b", "exit")]
        kinds = (
            StepKind.RECEPTION,
            StepKind.DECISION,
            StepKind.TREATMENT,
            StepKind.TREATMENT,
            StepKind.ASSESSMENT,
        )
        steps.extend(
            Step(key, key.replace("-", " "), level, kind, role)
            for key, kind in zip(keys, kinds, strict=True)
        )
        handover = None
        if block:
            handover = ADMISSION if level is Level.HOSPITAL else DISCHARGE
        entry, decide, a, b, exit_ = keys
        transitions += [
            Transition(f"to-{entry}", previous, entry, handover=handover),
            Transition(f"to-{decide}", entry, decide),
            Transition(f"to-{a}", decide, a, label="yes"),
            Transition(f"to-{b}", decide, b, label="no"),
            Transition(f"from-{a}", a, exit_),
            Transition(f"from-{b}", b, exit_),
        ]
        previous = exit_
    last_level = steps[-1].level
    steps.append(Step("home-end", "Back home", Level.MUNICIPALITY, StepKind.HOME, "home nursing"))
    transitions.append(
        Transition(
            "to-home-end",
            previous,
            "home-end",
            handover=DISCHARGE if last_level is Level.HOSPITAL else None,
        )
    )
    return Pathway(PathwayInfo(f"Synthetic, {len(steps)} steps"), tuple(steps), tuple(transitions))


def measure(run: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Best and median wall time of ``run`` in milliseconds."""
    run()  # warm up
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    return min(times), statistics.median(times)


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    norway = RuleSettings(rule_sets=("core", "norway"))
    header = (
        f"{'steps':>8} {'transitions':>11} {'gap-check ms':>17} {'traversal ms':>17} "
        f"{'ratio':>6} {'core+norway ms':>17} {'ratio':>6}"
    )
    print("find_gaps (default rules: core) vs one bare nx.descendants; best / median")
    print(header)
    print("-" * len(header))
    verdicts: list[str] = []
    for size in SIZES:
        pathway = layered_pathway(size)
        repeat = 3 if quick else (5 if size >= 100_000 else 9)
        errors = [f.code for f in find_gaps(pathway) if f.severity == "error"]
        assert not errors, errors
        # Every handover is complete under the Norwegian rules too: only the GP and
        # readmission warnings of the last discharge remain.
        norwegian = {f.code for f in find_gaps(pathway, rules=norway)}
        assert norwegian <= {"no-gp-follow-up", "no-readmission-path"}, norwegian
        graph = to_digraph(pathway)
        gaps = measure(partial(find_gaps, pathway), repeat)
        both = measure(partial(find_gaps, pathway, rules=norway), repeat)
        walk = measure(partial(nx.descendants, graph, "home-start"), repeat)
        ratio = gaps[0] / walk[0]
        print(
            f"{len(pathway.steps):>8} {len(pathway.transitions):>11} "
            f"{gaps[0]:>8.1f} /{gaps[1]:>7.1f} {walk[0]:>8.1f} /{walk[1]:>7.1f} "
            f"{ratio:>6.2f} {both[0]:>8.1f} /{both[1]:>7.1f} {both[0] / walk[0]:>6.2f}"
        )
        goal = GOALS_MS.get(size)
        if goal is not None:
            met = "met" if gaps[0] <= goal else "NOT met"
            verdicts.append(f"{size:>7} steps: gap check {gaps[0]:.1f} ms <= {goal:.0f} ms: {met}")
        met = "met" if ratio <= MAX_RATIO else "NOT met"
        verdicts.append(
            f"{size:>7} steps: ratio {ratio:.2f} <= {MAX_RATIO:.0f}x one traversal: {met}"
        )
    print()
    print("Goals")
    for verdict in verdicts:
        print("  " + verdict)
    return 0 if all(verdict.endswith(": met") for verdict in verdicts) else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
