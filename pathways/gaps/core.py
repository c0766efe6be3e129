"""The ``core`` gap rules: the shape of the graph and the completeness of handovers.

Definitions (steps of kind ``home`` are where a pathway starts and ends):

- a *home start* is a home step with at least one transition out of it;
- a *home end* is a home step with at least one transition into it (one home step may
  be both, e.g. when the pathway returns to where it began);
- a transition is *cross-level* when its two steps are on different care levels.

The rules, each with its severity (``E`` error, ``W`` warning):

``no-home-start`` (E)
    there is no home start. Reported once, with no steps.
``no-home-end`` (E)
    no home end can be reached from a home start; when there is no home start at all,
    only when no home step has a transition into it. Reported once, with no steps.
``unreachable-step`` (E)
    one per step that cannot be reached from any home start (only when a home start
    exists: otherwise ``no-home-start`` says it all).
``dead-end`` (E)
    one per step from which no home end and no ``death`` step can be reached, home steps
    included (only when a home end exists: otherwise ``no-home-end`` says it all). Death
    is an outcome, not a dead end: a pathway may end there. A step with no transitions
    at all is both unreachable and a dead end.
``missing-handover`` (E)
    one per cross-level transition whose handover is ``None``.
``incomplete-handover`` (E)
    one per cross-level transition whose handover lacks any of: sender role, receiver
    role (blank text counts as missing), messages, deadline, a checklist item on the
    sender side, a checklist item on the receiver side. The finding lists every missing
    part. Handovers on transitions within one level are optional and not checked.
``single-level`` (E)
    the pathway has steps, all on one level. Reported once, with no steps.
``unowned-step`` (W)
    one per step whose ``responsible`` is blank.
``decision-without-alternatives`` (W)
    one per step of kind ``decision`` with fewer than two transitions out of it.

Transitions naming a step that does not exist are ignored (structural validation
refuses them). Each rule reports in document order.
"""

from __future__ import annotations

from operator import attrgetter

from pathways.findings import Finding
from pathways.gaps import messages
from pathways.gaps.index import GraphIndex
from pathways.gaps.rules import finding
from pathways.model import Handover, Side, StepKind

__all__ = ["check_core", "missing_handover_parts"]

_KIND = attrgetter("kind")


def missing_handover_parts(handover: Handover) -> list[str]:
    """The parts ``handover`` lacks, as keys of :data:`messages.HANDOVER_PARTS`.

    >>> missing_handover_parts(Handover(sender_role="ward nurse", deadline="PT0H"))
    ['receiver_role', 'messages', 'sender_checklist', 'receiver_checklist']
    """
    missing: list[str] = []
    if not handover.sender_role.strip():
        missing.append("sender_role")
    if not handover.receiver_role.strip():
        missing.append("receiver_role")
    if not any(message.strip() for message in handover.messages):
        missing.append("messages")
    if handover.deadline is None or not handover.deadline.strip():
        missing.append("deadline")
    sides = {item.side for item in handover.checklist}
    if Side.SENDER not in sides:
        missing.append("sender_checklist")
    if Side.RECEIVER not in sides:
        missing.append("receiver_checklist")
    return missing


def _zeros(marks: bytearray) -> list[int]:
    """Positions of the zero bytes of ``marks``, found at C speed."""
    found: list[int] = []
    position = marks.find(0)
    while position != -1:
        found.append(position)
        position = marks.find(0, position + 1)
    return found


def _reachability(index: GraphIndex) -> list[Finding]:
    steps = index.steps
    home, death = StepKind.HOME, StepKind.DEATH
    homes = [number for number, kind in enumerate(map(_KIND, steps)) if kind is home]
    starts = [home for home in homes if index.out_degree(home)]
    ends = [home for home in homes if index.in_degree(home)]
    found: list[Finding] = []
    forward = index.reach(starts) if starts else None
    if not starts:
        found.append(finding("no-home-start", messages.no_home_start()))
    if not ends or (forward is not None and not any(forward[end] for end in ends)):
        found.append(finding("no-home-end", messages.no_home_end()))
    if forward is not None:
        found.extend(
            finding(
                "unreachable-step",
                messages.unreachable_step(steps[number]),
                steps=(steps[number].key,),
            )
            for number in _zeros(forward)
        )
    if ends:
        deaths = [number for number, kind in enumerate(map(_KIND, steps)) if kind is death]
        backward = index.reach([*ends, *deaths], reverse=True)
        # A home end is reached from itself; a home start that is not an end must get to
        # one like any other step.
        found.extend(
            finding("dead-end", messages.dead_end(steps[number]), steps=(steps[number].key,))
            for number in _zeros(backward)
        )
    return found


def _handovers(index: GraphIndex) -> list[Finding]:
    steps = index.steps
    found: list[Finding] = []
    for edge in index.cross_level:
        transition = index.transitions[edge]
        source, target = steps[index.sources[edge]], steps[index.targets[edge]]
        located = {"steps": (source.key, target.key), "transitions": (transition.key,)}
        if transition.handover is None:
            found.append(
                finding(
                    "missing-handover",
                    messages.missing_handover(transition, source, target),
                    **located,
                )
            )
            continue
        missing = missing_handover_parts(transition.handover)
        if missing:
            found.append(
                finding(
                    "incomplete-handover",
                    messages.incomplete_handover(transition, source, target, missing),
                    **located,
                )
            )
    return found


def _levels(index: GraphIndex) -> list[Finding]:
    steps = index.steps
    if not steps:
        return []
    on_hospital = index.hospital.count(1)
    if 0 < on_hospital < len(steps):
        return []
    return [finding("single-level", messages.single_level(steps[0].level))]


def _steps(index: GraphIndex) -> list[Finding]:
    steps = index.steps
    unowned = [
        finding("unowned-step", messages.unowned_step(step), steps=(step.key,))
        for step in steps
        if not step.responsible.strip()
    ]
    decision = StepKind.DECISION
    undecided = [
        finding(
            "decision-without-alternatives",
            messages.decision_without_alternatives(steps[number], outcomes),
            steps=(steps[number].key,),
        )
        for number, step in enumerate(steps)
        if step.kind is decision and (outcomes := index.out_degree(number)) < 2
    ]
    return unowned + undecided


def check_core(index: GraphIndex) -> list[Finding]:
    """The findings of the ``core`` rules on the indexed pathway, rule by rule."""
    return [*_reachability(index), *_handovers(index), *_levels(index), *_steps(index)]
