"""The ``fhir`` export: a Bundle valid under ``fhir.resources.R4B``, an action per step,
related actions that name actions, a Questionnaire per checklist."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.plandefinition import PlanDefinition
from fhir.resources.R4B.questionnaire import Questionnaire

from pathways.errors import PathwayError
from pathways.export import ExportContext, UnknownTransition, export, questionnaire_for
from pathways.export.fhir import duration
from pathways.model import Pathway, Side
from tests.pathways.test_export_samples import CONTEXT, chain, example, outcomes, tricky

SAMPLES = [example, tricky, chain, outcomes]


def _bundle(pathway: Pathway, context: ExportContext | None = CONTEXT) -> dict[str, Any]:
    data = export(pathway, "fhir", context=context)
    Bundle.model_validate_json(data)
    result: dict[str, Any] = json.loads(data)
    return result


def _plan(bundle: dict[str, Any]) -> dict[str, Any]:
    plans = [
        e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "PlanDefinition"
    ]
    assert len(plans) == 1
    plan: dict[str, Any] = plans[0]
    return plan


@pytest.mark.parametrize("sample", SAMPLES)
def test_bundle_is_valid_r4(sample: Any) -> None:
    bundle = _bundle(sample())
    assert bundle["type"] == "collection"
    parsed = Bundle.model_validate(bundle)
    assert parsed.entry is not None
    assert isinstance(parsed.entry[0].resource, PlanDefinition)
    for entry in parsed.entry[1:]:
        assert isinstance(entry.resource, Questionnaire)
    full_urls = [entry["fullUrl"] for entry in bundle["entry"]]
    assert len(set(full_urls)) == len(full_urls)


@pytest.mark.parametrize("sample", SAMPLES)
def test_an_action_per_step_and_related_actions_that_resolve(sample: Any) -> None:
    pathway: Pathway = sample()
    plan = _plan(_bundle(pathway))
    actions = {action["id"]: action for action in plan["action"]}
    assert list(actions) == [step.key for step in pathway.steps]
    for step in pathway.steps:
        action = actions[step.key]
        assert action["title"] == step.name
        participant = action["participant"][0]
        assert participant["role"]["coding"][0]["code"] == step.level.value
        if step.responsible:
            assert participant["role"]["text"] == step.responsible
        for related in action.get("relatedAction", []):
            assert related["actionId"] in actions
            assert related["relationship"] == "after-end"
    for transition in pathway.transitions:
        related = [
            r
            for r in actions[transition.target].get("relatedAction", [])
            if r["actionId"] == transition.source
        ]
        assert len(related) == 1
        handover = transition.handover
        if handover is not None and handover.deadline:
            assert related[0]["offsetDuration"] == duration(handover.deadline)
        else:
            assert "offsetDuration" not in related[0]
        if transition.label:
            expressions = [
                c["expression"]["expression"] for c in actions[transition.target]["condition"]
            ]
            assert transition.label in expressions
            assert all(
                c["kind"] == "applicability" for c in actions[transition.target]["condition"]
            )


def test_status_version_and_approvals_come_from_the_context() -> None:
    plan = _plan(_bundle(example()))
    assert plan["status"] == "active"
    assert plan["version"] == "3"
    assert plan["id"] == "pathway-42"
    assert plan["approvalDate"] == "2026-03-02"
    assert [e["name"] for e in plan["endorser"]] == ["Bærum kommune", 'Vestre Viken HF "medisinsk"']
    draft = _plan(_bundle(example(), ExportContext(status="changed since version 2")))
    assert draft["status"] == "draft"
    assert "version" not in draft
    assert _plan(_bundle(example(), None))["status"] == "draft"


def test_durations_are_ucum() -> None:
    assert duration("PT24H") == {
        "value": 24,
        "unit": "hours",
        "system": "http://unitsofmeasure.org",
        "code": "h",
    }
    assert duration("P14D")["code"] == "d"  # type: ignore[index]
    assert duration("P1DT12H") == {
        "value": 36,
        "unit": "hours",
        "system": "http://unitsofmeasure.org",
        "code": "h",
    }
    assert duration("PT30M")["code"] == "min"  # type: ignore[index]
    assert duration("PT0H")["value"] == 0  # type: ignore[index]
    assert duration(None) is None


@pytest.mark.parametrize("sample", SAMPLES)
def test_a_questionnaire_per_checklist(sample: Any) -> None:
    pathway: Pathway = sample()
    bundle = _bundle(pathway)
    questionnaires = [e["resource"] for e in bundle["entry"][1:]]
    with_checklist = [t for t in pathway.transitions if t.handover and t.handover.checklist]
    assert len(questionnaires) == len(with_checklist)
    for questionnaire, transition in zip(questionnaires, with_checklist, strict=True):
        assert transition.handover is not None
        items = questionnaire["item"]
        assert [item["linkId"] for item in items] == [i.key for i in transition.handover.checklist]
        for item, expected in zip(items, transition.handover.checklist, strict=True):
            assert item["text"] == expected.text
            assert item["type"] == "boolean"
            assert item["required"] is expected.required
            side = [e for e in item["extension"] if e["url"].endswith("/checklist-side")]
            assert side[0]["valueCode"] == expected.side.value
        assert questionnaire["status"] == "active"
        assert questionnaire["url"].endswith("/Questionnaire/" + questionnaire["id"])


def test_questionnaire_for_one_transition_and_side() -> None:
    pathway = example()
    whole = questionnaire_for(pathway, "to-short-term", context=CONTEXT)
    Questionnaire.model_validate(whole)
    sender = questionnaire_for(pathway, "to-short-term", side=Side.SENDER, context=CONTEXT)
    Questionnaire.model_validate(sender)
    assert [i["linkId"] for i in sender["item"]] == ["ready-notice", "epikrise"]
    assert sender["url"] != whole["url"]
    assert sender["version"] == "3"
    empty = questionnaire_for(pathway, "to-surgery")
    Questionnaire.model_validate(empty)
    assert "item" not in empty
    assert empty["status"] == "draft"


def test_questionnaire_for_an_unknown_transition() -> None:
    with pytest.raises(UnknownTransition) as caught:
        questionnaire_for(example(), "nope")
    assert isinstance(caught.value, PathwayError)
    assert "nope" in str(caught.value)
