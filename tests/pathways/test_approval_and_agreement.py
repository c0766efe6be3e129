"""The approval policies, the agreement's override rule and the roles, as pure rules."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pathways.agreement import override_violations, rules_in_force
from pathways.approval import ApprovalPolicy, approval_state
from pathways.durations import parse_duration
from pathways.model import Level, RuleSettings
from pathways.roles import Act, OrganizationKind, Role, kind_problem, may, role_problem

H, K = Level.HOSPITAL, Level.MUNICIPALITY
EDITORS = {"hf": H, "a": K, "b": K, "c": K}


@pytest.mark.parametrize("policy", list(ApprovalPolicy))
def test_approvals_by_non_editors_never_count(policy: ApprovalPolicy) -> None:
    state = approval_state(policy, EDITORS, {"hf", "secretariat", "users"}, decided=True)
    assert not state.met
    assert state.missing_levels == (K,)


def test_one_per_level_needs_an_editor_of_each_level() -> None:
    assert approval_state(ApprovalPolicy.ONE_PER_LEVEL, EDITORS, {"hf", "b"}).met
    assert not approval_state(ApprovalPolicy.ONE_PER_LEVEL, EDITORS, {"a", "b", "c"}).met


def test_every_participant_needs_every_editor_and_both_levels() -> None:
    policy = ApprovalPolicy.EVERY_PARTICIPANT
    state = approval_state(policy, EDITORS, {"hf", "a", "b"})
    assert (state.met, state.pending) == (False, ("c",))
    assert approval_state(policy, EDITORS, set(EDITORS)).met
    # A pathway only the hospital edits so far is not approved by the hospital alone.
    alone = approval_state(policy, {"hf": H}, {"hf"})
    assert (alone.met, alone.missing_levels) == (False, (K,))


def test_decision_needs_both_levels_and_the_decision() -> None:
    policy = ApprovalPolicy.DECISION
    assert not approval_state(policy, EDITORS, {"hf", "a"}).met
    assert approval_state(policy, EDITORS, {"hf", "a"}, decided=True).met
    assert not approval_state(policy, EDITORS, {"hf"}, decided=True).met


deadline = st.sampled_from(["PT6H", "PT12H", "PT24H", "PT48H", "P3D"])
names = st.sampled_from(["admission_notice", "ready_notice", "municipal_reply"])


@given(
    agreement=st.dictionaries(names, deadline),
    own=st.dictionaries(names, deadline),
    sets=st.sets(st.sampled_from(["core", "norway"])),
    own_sets=st.sets(st.sampled_from(["core", "norway"])),
)
def test_rules_in_force_are_never_looser_than_either(
    agreement: dict[str, str], own: dict[str, str], sets: set[str], own_sets: set[str]
) -> None:
    settings = RuleSettings(tuple(sorted(sets)), agreement)
    mine = RuleSettings(tuple(sorted(own_sets)), own)
    merged = rules_in_force(settings, mine)
    assert set(merged.rule_sets) == sets | own_sets
    for name, value in merged.deadlines.items():
        limits = [d[name] for d in (agreement, own) if name in d]
        assert parse_duration(value) == min(parse_duration(v) for v in limits)
    assert set(merged.deadlines) == set(agreement) | set(own)
    refused = {v.loc[-1] for v in override_violations(settings, mine)}
    assert refused == {
        name
        for name in own
        if name in agreement and parse_duration(own[name]) > parse_duration(agreement[name])
    }


def test_outside_a_partnership_the_pathways_own_rules_apply() -> None:
    own = RuleSettings(("core",), {"admission_notice": "PT72H"})
    assert rules_in_force(None, own) is own
    assert override_violations(None, own) == []


def test_roles_and_kinds() -> None:
    assert role_problem(Role.EDITOR, OrganizationKind.USER_REPRESENTATIVES) is not None
    assert role_problem(Role.EDITOR, OrganizationKind.SECRETARIAT) is not None
    assert role_problem(Role.COMMENTER, OrganizationKind.SECRETARIAT) is None
    assert role_problem(Role.SECRETARIAT, OrganizationKind.CARE_PROVIDER) is not None
    # The secretariat role comes with the partnership, never as a participant's.
    assert role_problem(Role.SECRETARIAT, OrganizationKind.SECRETARIAT) is not None
    assert kind_problem(OrganizationKind.CARE_PROVIDER, None) is not None
    assert kind_problem(OrganizationKind.CARE_PROVIDER, H) is None
    assert kind_problem(OrganizationKind.SECRETARIAT, None) is None
    # Both levels' editors have the same rights; only editors approve and edit.
    allowed = {role: {act for act in Act if may(role, act)} for role in Role}
    assert allowed[Role.COMMENTER] == {Act.READ_DRAFT, Act.LEAVE, Act.COMMENT}
    # Every role comments; only editors and the secretariat hold hearing rounds.
    assert all(Act.COMMENT in acts for acts in allowed.values())
    assert Act.HOLD_HEARING not in allowed[Role.COMMENTER]
    assert Act.HOLD_HEARING in allowed[Role.EDITOR] & allowed[Role.SECRETARIAT]
    assert Act.APPROVE not in allowed[Role.SECRETARIAT]
    assert Act.EDIT not in allowed[Role.SECRETARIAT]
    assert Act.MANAGE_MEMBERS not in allowed[Role.EDITOR]
    assert Act.RECORD_DECISION in allowed[Role.SECRETARIAT]
