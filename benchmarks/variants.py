"""Benchmark of local variants: resolving a variant of a 1,000-step pathway with 50
differences, against loading the shared version alone, in the same run.

The shared pathway is the exports benchmark's synthetic pathway (``--steps``, default
1,000). The variant renames 25 steps (and gives them a local team), relabels 10
transitions, names another receiver in 10 handovers and removes 5 transitions: 50
differences. (It adds no step: the 1,000-step pathway is at the cap a deployment can
set; adding steps is the API tests' business.) Each operation is timed (median of
``--runs`` runs after a warm-up) against the baseline, ``read_stored_document`` of the
shared version's stored document (what serving a version costs before any rendering)::

    .venv/bin/python benchmarks/variants.py [--steps 1000] [--runs 15]

Rows:
- resolve: load the shared version and apply the stored differences (a variant stored
  as differences, read);
- differences: what ``GET /pathways/{id}/variant`` adds to loading the two graphs: the
  variant's differences from its pin and their field-by-field diff;
- rebase: reading the differences against a newer shared version (20 steps changed
  there, 2 of them also changed in the variant: two conflicts).

Each row prints its ratio to the baseline.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import time
from collections.abc import Callable

from exports import synthetic_pathway

from pathways.diff import diff_pathways
from pathways.document import dump_document, read_stored_document
from pathways.model import Pathway
from pathways.validation import validate_pathway
from pathways.variants import differences, rebase, resolve


def local_variant(shared: Pathway) -> Pathway:
    """50 differences from ``shared``: see the module's description."""
    steps = list(shared.steps)
    for index in range(1, 26):
        at = index * (len(steps) // 27)
        steps[at] = dataclasses.replace(
            steps[at], name=steps[at].name + " (lokalt)", responsible="kommunens team"
        )
    transitions = list(shared.transitions)
    for index in range(10):
        at = (index + 1) * (len(transitions) // 12)
        transitions[at] = dataclasses.replace(transitions[at], label="Lokal vurdering")
    handovers = [i for i, t in enumerate(transitions) if t.handover is not None]
    for at in handovers[5::97][:10]:
        handover = transitions[at].handover
        assert handover is not None
        transitions[at] = dataclasses.replace(
            transitions[at],
            handover=dataclasses.replace(handover, receiver_role="tildelingskontoret"),
        )
    # Transitions whose source has another way on, so every step stays reachable.
    outgoing: dict[str, int] = {}
    for transition in transitions:
        outgoing[transition.source] = outgoing.get(transition.source, 0) + 1
    removable = [t.key for t in transitions[50:] if outgoing[t.source] > 1 and t.handover]
    gone = set(removable[::60][:5])
    transitions = [t for t in transitions if t.key not in gone]
    variant = dataclasses.replace(shared, steps=tuple(steps), transitions=tuple(transitions))
    validate_pathway(variant)
    return variant


def upstream_of(shared: Pathway, variant: Pathway) -> Pathway:
    """A newer shared version: 20 steps get a new duration, 2 of them renamed in the
    variant too."""
    changed = {step.key for step in variant.steps if step.name.endswith("(lokalt)")}
    both = sorted(changed)[:2]
    others = [s.key for s in shared.steps if s.key not in changed and s.expected_duration][:18]
    touched = {*both, *others}
    steps = tuple(
        dataclasses.replace(step, expected_duration="PT6H") if step.key in touched else step
        for step in shared.steps
    )
    return dataclasses.replace(shared, steps=steps)


def _median_ms(function: Callable[[], object], runs: int) -> float:
    function()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Time resolving a local variant.")
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=15)
    arguments = parser.parse_args(argv)
    shared = synthetic_pathway(arguments.steps)
    stored = dump_document(shared)
    variant = local_variant(shared)
    changes = differences(shared, variant)
    upstream = upstream_of(shared, variant)
    moved = rebase(shared, upstream, changes)
    assert len(changes) == 50, len(changes)
    assert resolve(read_stored_document(stored), changes) == variant
    assert len(moved.conflicts) == 2, moved.conflicts

    baseline = _median_ms(lambda: read_stored_document(stored), arguments.runs)
    rows = {
        "resolve": lambda: resolve(read_stored_document(stored), changes),
        "differences": lambda: diff_pathways(shared, variant) and differences(shared, variant),
        "rebase": lambda: rebase(shared, upstream, changes),
    }
    print(
        f"\n{len(shared.steps)} steps, {len(shared.transitions)} transitions; a variant with "
        f"{len(changes)} differences; median of {arguments.runs} runs"
    )
    header = f"{'operation':<14}{'ms':>9}{'x load':>9}"
    print(header)
    print("-" * len(header))
    print(f"{'load shared':<14}{baseline:>9.2f}{1:>9.2f}  (read_stored_document)")
    for name, function in rows.items():
        elapsed = _median_ms(function, arguments.runs)
        print(f"{name:<14}{elapsed:>9.2f}{elapsed / baseline:>9.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
