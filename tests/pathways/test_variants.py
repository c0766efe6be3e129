"""Local variants: differences kept against a pinned version, resolved, and moved onto
a new version with conflicts reported instead of guessed."""

from __future__ import annotations

import dataclasses
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from pathways.gaps import find_gaps
from pathways.model import (
    Handover,
    Level,
    Pathway,
    RuleSettings,
    Step,
    StepKind,
    Transition,
)
from pathways.validation import validate_pathway
from pathways.variants import (
    Conflict,
    Differences,
    Status,
    differences,
    differences_dict,
    differences_from_dict,
    rebase,
    resolve,
)
from tests.pathways.test_export_samples import example

M, H = Level.MUNICIPALITY, Level.HOSPITAL


def _with(pathway: Pathway, **changes: object) -> Pathway:
    return dataclasses.replace(pathway, **changes)  # type: ignore[arg-type]


def _step(pathway: Pathway, key: str, **fields: object) -> Pathway:
    steps = tuple(
        dataclasses.replace(step, **fields) if step.key == key else step  # type: ignore[arg-type]
        for step in pathway.steps
    )
    return _with(pathway, steps=steps)


def nordvik(shared: Pathway) -> Pathway:
    """A municipality with acute municipal beds (KAD): patients the GP can treat in the
    municipality go there instead of the hospital; its own short-term unit."""
    steps = list(shared.steps)
    at = [step.key for step in steps].index("emergency-assessment") + 1
    steps.insert(
        at,
        Step("kad", "Kommunal akutt døgnenhet (KAD)", M, StepKind.TREATMENT, "KAD-lege", "P3D"),
    )
    local = _with(
        shared,
        steps=tuple(steps),
        transitions=(
            *shared.transitions,
            Transition(
                "to-kad",
                "emergency-assessment",
                "kad",
                "Kan behandles i kommunen",
            ),
            Transition(
                "kad-to-ed",
                "kad",
                "ed",
                "Forverring",
                Handover("KAD-lege", "akuttmottak", ("LOG_INNLEGGELSE",), "PT1H"),
            ),
            Transition("kad-home", "kad", "home-after", "Frisk nok til å reise hjem"),
        ),
    )
    return _step(local, "short-term-bed", name="Korttidsavdelingen på Nordvik sjukeheim")


def sorvik(shared: Pathway) -> Pathway:
    """A municipality without KAD, which receives discharged patients through home
    nursing under its own name."""
    return _step(shared, "home-nursing-start", name="Første besøk fra hjemmetjenesten i Sørvik")


def version_2(shared: Pathway) -> Pathway:
    """The partnership's next version: the short-term bed a shorter stay, the GP
    follow-up a new name."""
    changed = _step(shared, "short-term-bed", expected_duration="P10D")
    return _step(changed, "gp-follow-up", name="Oppfølging hos fastlegen innen 14 dager")


def test_a_variant_holds_only_its_differences_and_reads_as_edited() -> None:
    shared = example()
    local = nordvik(shared)
    found = differences(shared, local)
    assert [step.key for step in found.steps] == ["kad", "short-term-bed"]
    assert [t.key for t in found.transitions] == ["to-kad", "kad-to-ed", "kad-home"]
    assert found.removed_steps == found.removed_transitions == ()
    assert found.rules is None
    assert len(found) == 5
    resolved = resolve(shared, found)
    assert resolved == local
    # The KAD step stands where Nordvik put it, after the emergency assessment.
    keys = [step.key for step in resolved.steps]
    assert keys.index("kad") == keys.index("emergency-assessment") + 1


def test_removals_and_own_rules_are_differences_too() -> None:
    shared = example()
    gone = {"to-short-term", "rehab-done"}
    local = _with(
        shared,
        steps=tuple(step for step in shared.steps if step.key != "short-term-bed"),
        transitions=tuple(t for t in shared.transitions if t.key not in gone),
        rules=RuleSettings(rule_sets=("core", "norway"), deadlines={"discharged_notice": "PT2H"}),
    )
    found = differences(shared, local)
    assert found.removed_steps == ("short-term-bed",)
    assert set(found.removed_transitions) == gone
    assert found.rules == local.rules
    assert resolve(shared, found) == local


def test_the_stored_form_reads_back_the_same() -> None:
    shared = example()
    found = differences(shared, nordvik(shared))
    stored = json.loads(json.dumps(differences_dict(found)))
    assert differences_from_dict(stored) == found
    assert differences_from_dict(json.loads(json.dumps(differences_dict(Differences())))) == (
        Differences()
    )


def test_gap_analysis_works_on_the_resolved_variant() -> None:
    """The KAD step's way back to the hospital is a handover like any other: the gap
    check reads it on the resolved graph (here: a handover without a checklist)."""
    shared = example()
    resolved = resolve(shared, differences(shared, nordvik(shared)))
    validate_pathway(resolved)
    findings = find_gaps(resolved)
    assert any("kad-to-ed" in finding.transitions for finding in findings)
    assert not any("kad-to-ed" in finding.transitions for finding in find_gaps(shared))


def test_two_variants_on_a_new_version_one_conflict_one_moves() -> None:
    shared = example()
    upstream = version_2(shared)
    north = differences(shared, nordvik(shared))
    south = differences(shared, sorvik(shared))

    moved_north = rebase(shared, upstream, north)
    assert moved_north.upstream["steps"]["changed"] == [
        {"key": "short-term-bed", "fields": {"expected_duration": {"from": "P14D", "to": "P10D"}}},
        {
            "key": "gp-follow-up",
            "fields": {
                "name": {"from": "GP follow-up", "to": "Oppfølging hos fastlegen innen 14 dager"}
            },
        },
    ]
    [conflict] = moved_north.conflicts
    assert (conflict.kind, conflict.key, conflict.conflict) == (
        "step",
        "short-term-bed",
        Conflict.CHANGED_ON_BOTH_SIDES,
    )
    assert moved_north.differences is None
    assert moved_north.pathway is None
    # The other differences are still read and reported as applying.
    applying = {o.key for o in moved_north.outcomes if o.status is Status.APPLIES}
    assert applying == {"kad", "to-kad", "kad-to-ed", "kad-home"}

    moved_south = rebase(shared, upstream, south)
    assert moved_south.conflicts == ()
    assert moved_south.differences == south
    assert moved_south.pathway is not None
    assert moved_south.pathway.step("gp-follow-up").name == (
        "Oppfølging hos fastlegen innen 14 dager"
    )
    assert moved_south.pathway.step("short-term-bed").expected_duration == "P10D"
    assert moved_south.pathway.step("home-nursing-start").name == (
        "Første besøk fra hjemmetjenesten i Sørvik"
    )
    assert moved_south.pathway == resolve(upstream, moved_south.differences)


def test_a_change_upstream_already_made_is_no_longer_a_difference() -> None:
    shared = example()
    local = _step(shared, "gp-follow-up", name="Oppfølging hos fastlegen innen 14 dager")
    moved = rebase(shared, version_2(shared), differences(shared, local))
    [outcome] = moved.outcomes
    assert outcome.status is Status.UPSTREAM
    assert moved.differences == Differences()


def test_a_step_removed_upstream_is_reported_never_dropped() -> None:
    """The variant changed the short-term bed and added a transition into it; the new
    version has no short-term bed."""
    shared = example()
    local = _step(shared, "short-term-bed", responsible="Nordvik sjukeheim")
    local = _with(
        local,
        transitions=(
            *local.transitions,
            Transition("kad-rehab", "emergency-assessment", "short-term-bed", "Rehabilitering"),
        ),
    )
    gone = {"to-short-term", "rehab-done"}
    upstream = _with(
        shared,
        steps=tuple(step for step in shared.steps if step.key != "short-term-bed"),
        transitions=tuple(t for t in shared.transitions if t.key not in gone),
    )
    moved = rebase(shared, upstream, differences(shared, local))
    reasons = {(o.kind, o.key): o.conflict for o in moved.conflicts}
    assert reasons == {("step", "short-term-bed"): Conflict.REMOVED_UPSTREAM}
    assert moved.pathway is None
    # With only the new transition left, it is the transition that no longer applies.
    only_transition = Differences(
        transitions=(local.transitions[-1],),
        after={"transition:kad-rehab": "settled"},
    )
    moved = rebase(shared, upstream, only_transition)
    [conflict] = moved.conflicts
    assert (conflict.key, conflict.conflict) == ("kad-rehab", Conflict.STEP_GONE)
    assert "short-term-bed" in conflict.detail


def test_removing_what_upstream_changed_is_a_conflict() -> None:
    shared = example()
    local = _with(
        shared,
        steps=tuple(step for step in shared.steps if step.key != "short-term-bed"),
        transitions=tuple(
            t for t in shared.transitions if t.key not in {"to-short-term", "rehab-done"}
        ),
    )
    moved = rebase(shared, version_2(shared), differences(shared, local))
    reasons = {(o.kind, o.key): o.conflict for o in moved.conflicts}
    assert reasons == {("step", "short-term-bed"): Conflict.CHANGED_UPSTREAM}


def test_the_same_key_added_on_both_sides_differently_is_a_conflict() -> None:
    shared = example()
    kad = Step("kad", "KAD", M, StepKind.TREATMENT)
    local = _with(shared, steps=(*shared.steps, kad))
    upstream = _with(shared, steps=(*shared.steps, dataclasses.replace(kad, name="KAD-seng")))
    moved = rebase(shared, upstream, differences(shared, local))
    assert [(o.key, o.conflict) for o in moved.conflicts] == [("kad", Conflict.ADDED_ON_BOTH_SIDES)]


def test_rules_changed_on_both_sides_conflict() -> None:
    shared = example()
    local = _with(shared, rules=RuleSettings(deadlines={"discharged_notice": "PT2H"}))
    upstream = _with(shared, rules=RuleSettings(deadlines={"discharged_notice": "PT4H"}))
    moved = rebase(shared, upstream, differences(shared, local))
    assert [(o.kind, o.conflict) for o in moved.conflicts] == [
        ("rules", Conflict.CHANGED_ON_BOTH_SIDES)
    ]
    unchanged = rebase(shared, version_2(shared), differences(shared, local))
    assert unchanged.pathway is not None
    assert unchanged.pathway.rules == local.rules


@st.composite
def _edited(draw: st.DrawFn) -> Pathway:
    """The example with some steps renamed, some removed (with their transitions) and
    new steps and transitions inserted at drawn places."""
    shared = example()
    steps = list(shared.steps)
    keys = [step.key for step in steps]
    removed = set(draw(st.lists(st.sampled_from(keys[1:-1]), max_size=3)))
    renamed = set(draw(st.lists(st.sampled_from(keys), max_size=4)))
    steps = [
        dataclasses.replace(step, name=step.name + " (lokal)") if step.key in renamed else step
        for step in steps
        if step.key not in removed
    ]
    transitions = [
        t for t in shared.transitions if t.source not in removed and t.target not in removed
    ]
    for index in range(draw(st.integers(0, 4))):
        key = f"new-{index}"
        at = draw(st.integers(0, len(steps)))
        level = draw(st.sampled_from([M, H]))
        steps.insert(at, Step(key, f"Ny {index}", level, StepKind.TREATMENT))
        source = draw(st.sampled_from([step.key for step in steps if step.key != key]))
        position = draw(st.integers(0, len(transitions)))
        transitions.insert(position, Transition(f"to-{key}", source, key))
    return _with(shared, steps=tuple(steps), transitions=tuple(transitions))


@settings(max_examples=150, deadline=None)
@given(_edited())
def test_resolving_the_differences_gives_back_the_variant(local: Pathway) -> None:
    shared = example()
    found = differences(shared, local)
    assert resolve(shared, found) == local
    assert differences_from_dict(json.loads(json.dumps(differences_dict(found)))) == found
    # On a version that changed nothing, every difference still applies.
    moved = rebase(shared, shared, found)
    assert moved.conflicts == ()
    assert moved.pathway == local
