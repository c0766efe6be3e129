"""Properties of the gap analysis over generated pathways (hypothesis).

The reachability rules are checked against networkx itself as the oracle, on
:func:`pathways.graph.to_digraph` of the same pathway.
"""

from __future__ import annotations

import dataclasses
from itertools import pairwise

import networkx as nx
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from pathways.document import dump_document
from pathways.findings import LANGUAGES, Severity
from pathways.gaps import RULES, find_gaps
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
from pathways.validation import validate_pathway
from tests.pathways.test_gaps_core import COMPLETE, example

BOTH = RuleSettings(rule_sets=("core", "norway"))
ORDER = {rule.code: number for number, rule in enumerate(RULES)}
KINDS = [kind for kind in StepKind if kind not in (StepKind.HOME, StepKind.DECISION)]
HANDOVERS = [
    None,
    COMPLETE,
    Handover(),
    Handover(sender_role="ward nurse", messages=("LOG_UTSKRIVNINGSKLAR",), deadline="PT0H"),
    Handover(
        sender_role="ward nurse",
        receiver_role="home nursing",
        messages=("LOG_UTSKRIVNINGSKLAR", "EPIKRISE"),
        deadline="PT24H",
        checklist=(
            ChecklistItem("reply", "Tilbakemelding på mottak", Side.RECEIVER, True, "PT0H"),
        ),
    ),
]


def errors(pathway: Pathway, rules: RuleSettings | None = None) -> list[str]:
    return [f.code for f in find_gaps(pathway, rules=rules) if f.severity is Severity.ERROR]


@st.composite
def layered_pathways(draw: st.DrawFn) -> Pathway:
    """home -> layers of 1-3 steps (levels drawn, the hospital among them) -> home.

    Adjacent layers are fully joined; extra transitions between any two steps (forwards
    or back) are added at random. Every cross-level transition has a complete handover.
    """
    levels = draw(st.lists(st.sampled_from(list(Level)), min_size=1, max_size=6))
    if Level.HOSPITAL not in levels:
        levels[draw(st.integers(0, len(levels) - 1))] = Level.HOSPITAL
    layers: list[list[Step]] = [
        [Step("home-start", "At home", Level.MUNICIPALITY, StepKind.HOME, "home nursing")]
    ]
    for number, level in enumerate(levels):
        width = draw(st.integers(1, 3))
        layers.append(
            [
                Step(
                    f"l{number}-{place}",
                    f"Layer {number}, step {place}",
                    level,
                    draw(st.sampled_from(KINDS)),
                    "ward nurse" if level is Level.HOSPITAL else "home nursing",
                )
                for place in range(width)
            ]
        )
    layers.append([Step("home-end", "Back home", Level.MUNICIPALITY, StepKind.HOME, "fastlege")])
    steps = [step for layer in layers for step in layer]
    pairs = [
        (source, target)
        for before, after in pairwise(layers)
        for source in before
        for target in after
    ]
    extra = draw(
        st.lists(
            st.tuples(st.sampled_from(steps), st.sampled_from(steps)),
            max_size=6,
        )
    )
    seen = {(source.key, target.key) for source, target in pairs}
    for source, target in extra:
        if source.key != target.key and (source.key, target.key) not in seen:
            seen.add((source.key, target.key))
            pairs.append((source, target))
    transitions = [
        Transition(
            f"t{number}",
            source.key,
            target.key,
            handover=COMPLETE if source.level is not target.level else None,
        )
        for number, (source, target) in enumerate(pairs)
    ]
    return Pathway(PathwayInfo("Generated"), tuple(steps), tuple(transitions))


@st.composite
def any_pathways(draw: st.DrawFn) -> Pathway:
    """Any structurally valid pathway: random steps, random transitions and handovers."""
    count = draw(st.integers(0, 9))
    steps = []
    for number in range(count):
        kind = draw(st.sampled_from(list(StepKind)))
        level = Level.MUNICIPALITY if kind is StepKind.HOME else draw(st.sampled_from(list(Level)))
        steps.append(
            Step(
                f"s{number}",
                f"Step {number}",
                level,
                kind,
                draw(st.sampled_from(["", "fastlege", "ward nurse"])),
                draw(st.sampled_from([None, "PT2H", "P15D"])),
            )
        )
    pairs = (
        draw(
            st.lists(
                st.tuples(st.integers(0, count - 1), st.integers(0, count - 1)),
                max_size=16,
                unique=True,
            )
        )
        if count
        else []
    )
    transitions = tuple(
        Transition(
            f"t{number}", f"s{source}", f"s{target}", handover=draw(st.sampled_from(HANDOVERS))
        )
        for number, (source, target) in enumerate(pairs)
        if source != target
    )
    return Pathway(PathwayInfo("Random"), tuple(steps), transitions)


@settings(max_examples=75, deadline=None)
@given(layered_pathways())
def test_a_layered_home_to_home_pathway_with_complete_handovers_has_no_core_findings(
    pathway: Pathway,
) -> None:
    validate_pathway(pathway)
    assert find_gaps(pathway) == []


@settings(max_examples=75, deadline=None)
@given(layered_pathways(), st.data())
def test_a_cross_level_transition_without_handover_is_always_named(
    pathway: Pathway, data: st.DataObject
) -> None:
    existing = {(t.source, t.target) for t in pathway.transitions}
    candidates = [
        (source.key, target.key)
        for source in pathway.steps
        for target in pathway.steps
        if source.level is not target.level and (source.key, target.key) not in existing
    ]
    assume(candidates)
    source, target = data.draw(st.sampled_from(candidates))
    added = Transition("added", source, target)
    changed = dataclasses.replace(pathway, transitions=(*pathway.transitions, added))
    validate_pathway(changed)
    findings = [f for f in find_gaps(changed) if f.code == "missing-handover"]
    assert [(f.transitions, f.steps) for f in findings] == [(("added",), (source, target))]
    assert errors(changed) == ["missing-handover"]


@settings(max_examples=50, deadline=None)
@given(st.data())
def test_removing_a_handover_from_the_example_gives_missing_handover(data: st.DataObject) -> None:
    pathway = example()
    crossing = [t for t in pathway.transitions if pathway.is_cross_level(t)]
    chosen = data.draw(st.sampled_from(crossing))
    transitions = tuple(
        dataclasses.replace(t, handover=None) if t.key == chosen.key else t
        for t in pathway.transitions
    )
    findings = find_gaps(dataclasses.replace(pathway, transitions=transitions))
    assert [(f.code, f.transitions) for f in findings] == [("missing-handover", (chosen.key,))]


@settings(max_examples=100, deadline=None)
@given(any_pathways(), st.sampled_from([RuleSettings(), BOTH, RuleSettings(("norway",))]))
def test_findings_are_deterministic_ordered_and_well_formed(
    pathway: Pathway, rules: RuleSettings
) -> None:
    before = dump_document(pathway)
    findings = find_gaps(pathway, rules=rules)
    assert dump_document(pathway) == before
    assert find_gaps(dataclasses.replace(pathway), rules=rules) == findings
    keys = [(f.severity.rank, ORDER[f.code]) for f in findings]
    assert keys == sorted(keys)
    step_keys = {step.key for step in pathway.steps}
    transition_keys = {transition.key for transition in pathway.transitions}
    for found in findings:
        assert set(found.steps) <= step_keys
        assert set(found.transitions) <= transition_keys
        assert {rule.rule_set for rule in RULES if rule.code == found.code} <= set(rules.rule_sets)
        for language in LANGUAGES:
            assert found.messages[language].strip()
        assert found.messages["en"] != found.messages["nb"]
    located = [(f.code, f.steps, f.transitions) for f in findings if f.steps or f.transitions]
    assert len(located) == len(set(located))


@settings(max_examples=100, deadline=None)
@given(any_pathways())
def test_reachability_rules_agree_with_networkx(pathway: Pathway) -> None:
    graph = to_digraph(pathway)
    homes = [key for key, step in graph.nodes(data="step") if step.kind is StepKind.HOME]
    starts = [key for key in homes if graph.out_degree(key)]
    ends = [key for key in homes if graph.in_degree(key)]
    # Death is an outcome: a step from which a death step can be reached is no dead end.
    deaths = [key for key, step in graph.nodes(data="step") if step.kind is StepKind.DEATH]
    outcomes = [*ends, *deaths]
    reached = set(starts).union(*(nx.descendants(graph, key) for key in starts))
    returning = set(outcomes).union(*(nx.ancestors(graph, key) for key in outcomes))
    findings = find_gaps(pathway)
    by_code = {
        code: [f.steps[0] for f in findings if f.code == code]
        for code in ("unreachable-step", "dead-end")
    }
    order = [step.key for step in pathway.steps]
    expected_unreachable = [key for key in order if key not in reached] if starts else []
    expected_dead = [key for key in order if key not in returning] if ends else []
    assert by_code["unreachable-step"] == expected_unreachable
    assert by_code["dead-end"] == expected_dead
    codes = {f.code for f in findings}
    assert ("no-home-start" in codes) == (not starts)
    assert ("no-home-end" in codes) == (not ends or bool(starts and not reached & set(ends)))


@settings(max_examples=100, deadline=None)
@given(any_pathways())
def test_missing_handovers_agree_with_networkx(pathway: Pathway) -> None:
    graph = to_digraph(pathway)
    expected = sorted(
        data["key"]
        for _, _, data in graph.edges(data=True)
        if data["cross_level"] and data["transition"].handover is None
    )
    found = sorted(f.transitions[0] for f in find_gaps(pathway) if f.code == "missing-handover")
    assert found == expected
