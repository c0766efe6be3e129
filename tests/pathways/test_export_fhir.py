"""The ``fhir`` export: a Bundle valid under HL7's official R4 JSON schema and
``fhir.resources``, an action per step, related actions that name actions, conditions
FHIR reads as alternatives, deadlines as upper bounds, a Questionnaire per checklist
linked by versioned canonicals, and a definition for every extension and code system."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.codesystem import CodeSystem
from fhir.resources.R4B.plandefinition import PlanDefinition
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.structuredefinition import StructureDefinition
from jsonschema import Draft6Validator, validators

from benchmarks.exports import synthetic_pathway
from pathways.errors import PathwayError
from pathways.export import ExportContext, UnknownTransition, export, questionnaire_for
from pathways.export.context import DEFAULT_BASE_URL
from pathways.export.fhir import duration
from pathways.model import Pathway, Side
from tests.pathways.test_export_samples import (
    CONTEXT,
    chain,
    example,
    outcomes,
    partnership,
    tricky,
)

SCHEMA = (
    Path(__file__).resolve().parents[2] / ".." / "shared" / "schemas" / "fhir" / "fhir.schema.json"
)
"""HL7's official FHIR R4 JSON schema (draft-06), in the product's shared files."""

SAMPLES = [example, tricky, chain, outcomes, partnership]
MODELS = {
    "PlanDefinition": PlanDefinition,
    "Questionnaire": Questionnaire,
    "StructureDefinition": StructureDefinition,
    "CodeSystem": CodeSystem,
}
_CQL_IDENTIFIER = re.compile(r'"((?:[^"\\]|\\.)*)"')


@cache
def _schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(SCHEMA.read_bytes())
    return schema


@cache
def _validator() -> Draft6Validator:
    """The official schema, compiled once, with one shortcut that changes no verdict.

    The schema says "a resource" as ``oneOf`` the 146 resource definitions, so a plain
    draft-06 validator tries every entry of a Bundle against all of them (about a minute
    for a 1,000-step pathway). Each of those definitions requires ``resourceType`` and
    fixes it (``const``) to its own name (checked by
    :func:`test_the_schema_shortcut_is_sound`), so an instance matches exactly one of
    them iff it matches the one its ``resourceType`` names: that one is checked alone.
    """
    schema = _schema()
    resources = schema["oneOf"]
    by_type = {ref["$ref"].rsplit("/", 1)[1]: ref for ref in resources}
    one_of = Draft6Validator.VALIDATORS["oneOf"]

    def resource_one_of(
        validator: Any, subschemas: Any, instance: Any, subschema: Any
    ) -> Iterator[Any]:
        if subschemas == resources and isinstance(instance, dict):
            named = by_type.get(instance.get("resourceType"))  # type: ignore[arg-type]
            if named is not None:
                yield from validator.descend(instance, named)
                return
        yield from one_of(validator, subschemas, instance, subschema)

    checker = validators.extend(Draft6Validator, {"oneOf": resource_one_of})
    return checker(schema)  # type: ignore[no-any-return]


def _schema_errors(data: dict[str, Any]) -> list[str]:
    return [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message[:300]}"
        for error in _validator().iter_errors(data)
    ]


def _bundle(pathway: Pathway, context: ExportContext | None = CONTEXT) -> dict[str, Any]:
    data = export(pathway, "fhir", context=context)
    Bundle.model_validate_json(data)
    result: dict[str, Any] = json.loads(data)
    return result


def _resources(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def _plan(bundle: dict[str, Any]) -> dict[str, Any]:
    plans = _resources(bundle, "PlanDefinition")
    assert len(plans) == 1
    return plans[0]


def _actions(pathway: Pathway, context: ExportContext = CONTEXT) -> dict[str, dict[str, Any]]:
    return {action["id"]: action for action in _plan(_bundle(pathway, context))["action"]}


def _walk(value: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """Every (path of keys, value) in ``value``, lists looked through."""
    yield path, value
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _walk(item, (*path, key))
    elif isinstance(value, list):
        for item in value:
            yield from _walk(item, path)


def _nb(**more: Any) -> ExportContext:
    return ExportContext(
        pathway_id=42, status="approved", version=3, revision=17, language="nb", **more
    )


# -- valid under the official schema and fhir.resources ------------------------------------


def _forty_six() -> Pathway:
    return partnership()


def _thousand() -> Pathway:
    return synthetic_pathway(1000)


VALIDATED: list[Callable[[], Pathway]] = [example, tricky, outcomes, _forty_six, _thousand]


@pytest.mark.parametrize("sample", VALIDATED, ids=lambda sample: sample.__name__.strip("_"))
def test_the_bundle_and_each_resource_are_valid_under_the_official_schema(
    sample: Callable[[], Pathway],
) -> None:
    pathway = sample()
    bundle = json.loads(export(pathway, "fhir", context=CONTEXT))
    assert _schema_errors(bundle) == []
    parsed = Bundle.model_validate(bundle)
    assert parsed.entry is not None
    for entry, parsed_entry in zip(bundle["entry"], parsed.entry, strict=True):
        resource = entry["resource"]
        assert _schema_errors(resource) == [], resource["resourceType"]
        model = MODELS[resource["resourceType"]]
        model.model_validate(resource)
        assert isinstance(parsed_entry.resource, model)
    if sample is _forty_six:
        assert len(pathway.steps) == 46
    if sample is _thousand:
        assert len(pathway.steps) == 1000


def test_the_schema_shortcut_is_sound() -> None:
    """The precondition of :func:`_validator`'s shortcut, and that it finds what a plain
    validator of the official schema finds, on a valid Bundle and on a broken one."""
    schema = _schema()
    assert schema["$schema"] == "http://json-schema.org/draft-06/schema#"
    assert schema["oneOf"] == schema["definitions"]["ResourceList"]["oneOf"]
    for ref in schema["oneOf"]:
        name = ref["$ref"].removeprefix("#/definitions/")
        definition = schema["definitions"][name]
        assert definition["properties"]["resourceType"]["const"] == name
        assert "resourceType" in definition["required"]
    plain = Draft6Validator(schema)
    valid = json.loads(export(example(), "fhir", context=CONTEXT))
    assert plain.is_valid(valid)
    assert _validator().is_valid(valid)
    broken = json.loads(export(tricky(), "fhir", context=CONTEXT))
    condition = next(a for a in _plan(broken)["action"] if "condition" in a)["condition"][0]
    condition["expression"]["language"] = "text/plain"  # what the export used to write
    assert not plain.is_valid(broken)
    assert any("text/plain" in error for error in _schema_errors(broken))
    _plan(broken)["action"][0]["relatedAction"] = [{"offsetDuration": {"value": "24 h"}}]
    assert any("offsetDuration" in error for error in _schema_errors(broken))


@pytest.mark.parametrize("sample", SAMPLES)
def test_bundle_is_valid_r4(sample: Any) -> None:
    bundle = _bundle(sample())
    assert bundle["type"] == "collection"
    parsed = Bundle.model_validate(bundle)
    assert parsed.entry is not None
    assert isinstance(parsed.entry[0].resource, PlanDefinition)
    kinds = [entry["resource"]["resourceType"] for entry in bundle["entry"]]
    order = ["PlanDefinition", "Questionnaire", "StructureDefinition", "CodeSystem"]
    assert kinds == sorted(kinds, key=order.index)
    full_urls = [entry["fullUrl"] for entry in bundle["entry"]]
    assert len(set(full_urls)) == len(full_urls)
    for entry in bundle["entry"]:
        resource = entry["resource"]
        assert entry["fullUrl"] == resource["url"]
        assert resource["url"].endswith(f"/{resource['resourceType']}/{resource['id']}")


def test_the_same_input_gives_the_same_bytes() -> None:
    for pathway in (tricky(), partnership(), synthetic_pathway(1000)):
        assert export(pathway, "fhir", context=CONTEXT) == export(pathway, "fhir", context=CONTEXT)


# -- actions, ways in, conditions --------------------------------------------------------


def _identifiers(expression: str) -> list[str]:
    """The quoted identifiers of a CQL ``"a" or "b"``, checking that that is all it is."""
    found = _CQL_IDENTIFIER.findall(expression)
    assert expression == " or ".join(f'"{name}"' for name in found), expression
    return [re.sub(r"\\(.)", r"\1", name) for name in found]


@pytest.mark.parametrize("sample", SAMPLES)
def test_an_action_per_step_and_related_actions_that_resolve(sample: Any) -> None:
    pathway: Pathway = sample()
    actions = _actions(pathway)
    assert list(actions) == [step.key for step in pathway.steps]
    for step in pathway.steps:
        action = actions[step.key]
        assert action["title"] == step.name
        assert action["code"][0]["coding"][0]["code"] == step.kind.value
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
            if r["extension"][0]["valueString"] == transition.key
        ]
        assert len(related) == 1
        assert related[0]["actionId"] == transition.source
        assert related[0]["extension"][0]["url"].endswith("/StructureDefinition/transition")


@pytest.mark.parametrize("sample", SAMPLES)
def test_a_step_has_at_most_one_condition_naming_every_way_in(sample: Any) -> None:
    """FHIR combines an action's conditions with AND: the ways in are one condition, an
    OR of named conditions (CQL identifiers, one per incoming transition key), the labels
    said for people in ``description``."""
    pathway: Pathway = sample()
    actions = _actions(pathway)
    leaving = {transition.source for transition in pathway.transitions}
    for step in pathway.steps:
        incoming = [t for t in pathway.transitions if t.target == step.key]
        conditions = actions[step.key].get("condition", [])
        starts = step.kind.value == "home" and step.key in leaving
        if starts or not any(t.label for t in incoming):
            assert conditions == [], step.key
            continue
        assert len(conditions) == 1, step.key
        condition = conditions[0]
        assert condition["kind"] == "applicability"
        expression = condition["expression"]
        assert expression["language"] == "text/cql"
        assert _identifiers(expression["expression"]) == [t.key for t in incoming]
        related = [r["extension"][0]["valueString"] for r in actions[step.key]["relatedAction"]]
        assert related == [t.key for t in incoming]
        for transition in incoming:
            assert transition.label in expression["description"]
            assert pathway.step(transition.source).name in expression["description"]


def test_two_ways_in_read_as_or_in_the_context_language() -> None:
    english = _actions(tricky())["node"]["condition"]
    assert len(english) == 1
    expression = english[0]["expression"]
    assert expression["expression"] == '"admit" or "readmit"'
    assert expression["description"] == (
        '(GP "fastlege": first look → Akuttmottak: A\\B: Referred) or '
        "(Korttidsplass → Akuttmottak: A\\B: Readmission <30 d)"
    )
    for language in ("nb", "nn"):
        context = ExportContext(language=language)
        said = _actions(tricky(), context)["node"]["condition"][0]["expression"]["description"]
        assert ": Referred) eller (Korttidsplass" in said


def test_where_the_pathway_starts_or_no_way_in_has_a_label_there_is_no_condition() -> None:
    actions = _actions(tricky())
    # Home is where the pathway starts: reached again by "straight-home" (labelled), yet
    # it applies without it.
    assert "condition" not in actions["home"]
    assert [r["actionId"] for r in actions["home"]["relatedAction"]] == ["subgraph"]
    assert "condition" not in actions["end"]  # one way in, no label
    assert "condition" not in actions["home_again"]
    assert "relatedAction" not in actions["orphan"]


# -- deadlines and durations ---------------------------------------------------------------


@pytest.mark.parametrize("sample", SAMPLES)
def test_deadlines_are_upper_bounds(sample: Any) -> None:
    pathway: Pathway = sample()
    bundle = _bundle(pathway)
    assert not any("offsetDuration" in path for path, _value in _walk(bundle))
    actions = {action["id"]: action for action in _plan(bundle)["action"]}
    for transition in pathway.transitions:
        (related,) = [
            r
            for r in actions[transition.target]["relatedAction"]
            if r["extension"][0]["valueString"] == transition.key
        ]
        handover = transition.handover
        if handover is None or not handover.deadline:
            assert "offsetRange" not in related
            continue
        bound = related["offsetRange"]
        assert bound["high"] == duration(handover.deadline)
        assert bound["low"]["value"] == 0
        assert bound["low"]["code"] == bound["high"]["code"]
        assert bound["low"]["system"] == "http://unitsofmeasure.org"


def test_the_same_day_is_zero_days_and_units_are_named_in_the_language() -> None:
    actions = _actions(tricky(), _nb())
    same_day = next(r for r in actions["graph"]["relatedAction"] if r["actionId"] == "subgraph")
    zero_days = {"value": 0, "unit": "dager", "system": "http://unitsofmeasure.org", "code": "d"}
    assert same_day["offsetRange"] == {"low": zero_days, "high": zero_days}
    within_an_hour = actions["node"]["relatedAction"][0]["offsetRange"]
    assert within_an_hour["high"] == {
        "value": 1,
        "unit": "time",
        "system": "http://unitsofmeasure.org",
        "code": "h",
    }
    assert within_an_hour["low"]["unit"] == "timer"
    questionnaire = _resources(_bundle(tricky(), _nb()), "Questionnaire")[0]
    assert "Frist: innen 1 time." in questionnaire["description"]
    same_day_text = questionnaire_for(outcomes(), "discharged", context=_nb())["description"]
    assert "Frist: samme dag." in same_day_text


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
    assert duration("P2W", "nn") == {
        "value": 2,
        "unit": "veker",
        "system": "http://unitsofmeasure.org",
        "code": "wk",
    }
    assert duration("PT0H") == {
        "value": 0,
        "unit": "days",
        "system": "http://unitsofmeasure.org",
        "code": "d",
    }
    assert duration("PT1H", "nn")["unit"] == "time"  # type: ignore[index]
    assert duration(None) is None
    assert duration("soon") is None


# -- canonical URLs, versions, dates -------------------------------------------------------


def _our_urls(bundle: dict[str, Any]) -> list[str]:
    """Every URL the export mints: canonicals, full URLs, extension URLs, code systems,
    links to Questionnaires."""
    found = []
    for path, value in _walk(bundle):
        if not isinstance(value, str) or not path:
            continue
        if path[-1] in {"url", "fullUrl", "resource", "system", "baseDefinition", "fixedUri"}:
            found.append(value)
    others = (
        "http://hl7.org/fhir/",
        "http://terminology.hl7.org/",
        "http://unitsofmeasure.org",
        "urn:iso:std:iso:3166",
    )
    # Sub-extensions of the approval extension have relative names (level, approvedAt, …).
    return [url for url in found if not url.startswith(others) and ("/" in url or ":" in url)]


def test_the_canonical_base_comes_from_the_context() -> None:
    base = "https://fhir.example.org/hjem-til-hjem"
    for context_base in (base, base + "/"):
        context = ExportContext(pathway_id=42, status="approved", version=3, base_url=context_base)
        bundle = _bundle(tricky(), context)
        urls = _our_urls(bundle)
        assert len(urls) > 20
        assert all(url.startswith(base + "/") and "//" not in url[8:] for url in urls), urls
        assert _plan(bundle)["url"] == f"{base}/PlanDefinition/pathway-42"
    default = _bundle(tricky(), ExportContext())
    assert DEFAULT_BASE_URL == "urn:hjem-til-hjem:fhir"
    assert all(url.startswith(DEFAULT_BASE_URL + "/") for url in _our_urls(default))
    assert "example" not in export(tricky(), "fhir").decode()


def test_questionnaire_links_carry_the_version() -> None:
    for context, version in (
        (CONTEXT, "3"),
        (ExportContext(pathway_id=42, status="draft", revision=17), "r17"),
        (ExportContext(pathway_id=42, status="changed", revision=18, changed_since=3), "r18"),
    ):
        bundle = _bundle(example(), context)
        plan = _plan(bundle)
        questionnaires = {q["url"]: q for q in _resources(bundle, "Questionnaire")}
        assert plan["version"] == version
        links = [d["resource"] for a in plan["action"] for d in a.get("documentation", [])]
        assert len(links) == len(questionnaires) > 0
        for link in links:
            url, _, linked_version = link.partition("|")
            assert linked_version == version
            assert questionnaires[url]["version"] == version
    unversioned = _bundle(example(), ExportContext())
    assert "version" not in _plan(unversioned)
    for action in _plan(unversioned)["action"]:
        for documentation in action.get("documentation", []):
            assert "|" not in documentation["resource"]


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


def test_review_and_approval_dates() -> None:
    bundle = _bundle(tricky())
    plan = _plan(bundle)
    (review_due,) = [e for e in plan["extension"] if e["url"].endswith("/review-due")]
    assert review_due["valueDate"] == "2027-01-31"
    for resource in [plan, *_resources(bundle, "Questionnaire")]:
        assert resource["approvalDate"] == "2026-03-02"  # the latest approval
        assert resource["lastReviewDate"] == "2026-03-02"
    # Approvals of a draft not yet approved by all: reviewed, not approved.
    draft = ExportContext(status="draft", revision=17, approvals=CONTEXT.approvals[:1])
    plan = _plan(_bundle(tricky(), draft))
    assert (plan["lastReviewDate"], "approvalDate" in plan) == ("2026-03-01", False)
    plan = _plan(_bundle(chain(), ExportContext(status="draft")))
    assert "lastReviewDate" not in plan
    assert "approvalDate" not in plan
    assert "extension" not in plan


# -- definitions -------------------------------------------------------------------------


def _extension_uses(bundle: dict[str, Any]) -> dict[str, set[tuple[str, str]]]:
    """Per top-level extension URL: where it is used (FHIR path) and with which value."""
    uses: dict[str, set[tuple[str, str]]] = {}
    for entry in bundle["entry"]:
        resource = entry["resource"]
        kind = resource["resourceType"]
        for path, value in _walk(resource):
            if path[-1:] != ("extension",) or "extension" in path[:-1]:
                continue
            if not isinstance(value, list):
                continue
            for extension in value:
                where = ".".join((kind, *path[:-1]))
                value_key = next((k for k in extension if k.startswith("value")), "extension")
                uses.setdefault(extension["url"], set()).add((where, value_key))
    return uses


@pytest.mark.parametrize("sample", SAMPLES)
def test_every_extension_has_its_definition_in_the_bundle(sample: Any) -> None:
    bundle = _bundle(sample())
    definitions = {sd["url"]: sd for sd in _resources(bundle, "StructureDefinition")}
    uses = _extension_uses(bundle)
    assert set(definitions) == set(uses)
    for url, used in uses.items():
        definition = definitions[url]
        assert definition["kind"] == "complex-type"
        assert definition["type"] == "Extension"
        assert definition["derivation"] == "constraint"
        assert definition["baseDefinition"] == "http://hl7.org/fhir/StructureDefinition/Extension"
        assert definition["abstract"] is False
        contexts = {c["expression"] for c in definition["context"]}
        assert {c["type"] for c in definition["context"]} == {"element"}
        elements = {e["id"]: e for e in definition["differential"]["element"]}
        assert elements["Extension.url"]["fixedUri"] == url
        for where, value_key in used:
            assert where in contexts, (url, where)
            if value_key == "extension":
                assert elements["Extension.value[x]"]["max"] == "0"
            else:
                (value_type,) = elements["Extension.value[x]"]["type"]
                assert value_key == "value" + value_type["code"][0].upper() + value_type["code"][1:]


def test_the_approval_extension_defines_its_parts() -> None:
    bundle = _bundle(example())
    (definition,) = [
        sd for sd in _resources(bundle, "StructureDefinition") if sd["id"] == "approval"
    ]
    elements = {e["id"]: e for e in definition["differential"]["element"]}
    endorser = _plan(bundle)["endorser"][0]["extension"][0]["extension"]
    for part in endorser:
        name = part["url"]
        assert elements[f"Extension.extension:{name}"]["sliceName"] == name
        assert elements[f"Extension.extension:{name}.url"]["fixedUri"] == name
        (value_type,) = elements[f"Extension.extension:{name}.value[x]"]["type"]
        assert "value" + value_type["code"][0].upper() + value_type["code"][1:] in part


@pytest.mark.parametrize("sample", SAMPLES)
def test_every_code_of_ours_is_in_a_code_system_in_the_bundle(sample: Any) -> None:
    bundle = _bundle(sample())
    systems = {
        cs["url"]: {c["code"]: c["display"] for c in cs["concept"]}
        for cs in _resources(bundle, "CodeSystem")
    }
    used: set[str] = set()
    for _path, value in _walk(bundle):
        mine = isinstance(value, dict) and str(value.get("system")).startswith(DEFAULT_BASE_URL)
        if mine and "code" in value:
            used.add(value["system"])
            assert value["display"] == systems[value["system"]][value["code"]]
    sides = [
        e
        for path, e in _walk(bundle)
        if path[-1:] == ("extension",) and isinstance(e, dict) and "checklist-side" in e["url"]
    ]
    side_system = f"{DEFAULT_BASE_URL}/CodeSystem/checklist-side"
    for side in sides:
        assert side["valueCode"] in systems[side_system]
    assert used | ({side_system} if sides else set()) == set(systems)  # and no more


def test_definitions_speak_the_context_language() -> None:
    bundle = _bundle(example(), _nb(approvals=CONTEXT.approvals))
    titles = {sd["id"]: sd["title"] for sd in _resources(bundle, "StructureDefinition")}
    assert titles == {
        "review-due": "Revideres innen",
        "approval": "Godkjenning",
        "transition": "Overgang",
        "checklist-side": "Side i sjekklisten",
        "checklist-due": "Frist for punktet",
    }
    sides = next(cs for cs in _resources(bundle, "CodeSystem") if cs["id"] == "checklist-side")
    assert [c["display"] for c in sides["concept"]] == ["Avsender", "Mottaker"]
    for resource in [e["resource"] for e in bundle["entry"]]:
        assert resource["language"] == "nb"


# -- Questionnaires ----------------------------------------------------------------------


@pytest.mark.parametrize("sample", SAMPLES)
def test_a_questionnaire_per_checklist(sample: Any) -> None:
    pathway: Pathway = sample()
    bundle = _bundle(pathway)
    questionnaires = _resources(bundle, "Questionnaire")
    with_checklist = [t for t in pathway.transitions if t.handover and t.handover.checklist]
    assert len(questionnaires) == len(with_checklist)
    for questionnaire, transition in zip(questionnaires, with_checklist, strict=True):
        assert transition.handover is not None
        assert questionnaire["extension"][0]["valueString"] == transition.key
        items = questionnaire["item"]
        assert [item["linkId"] for item in items] == [i.key for i in transition.handover.checklist]
        for item, expected in zip(items, transition.handover.checklist, strict=True):
            assert item["text"] == expected.text
            assert item["type"] == "boolean"
            assert item["required"] is expected.required
            side = [e for e in item["extension"] if e["url"].endswith("/checklist-side")]
            assert side[0]["valueCode"] == expected.side.value
            due = [e for e in item["extension"] if e["url"].endswith("/checklist-due")]
            assert [e["valueDuration"] for e in due] == (
                [duration(expected.due)] if expected.due else []
            )
        assert questionnaire["status"] == "active"
        assert questionnaire["version"] == "3"
        assert questionnaire["url"].endswith("/Questionnaire/" + questionnaire["id"])


def test_questionnaire_for_one_transition_and_side() -> None:
    pathway = example()
    whole = questionnaire_for(pathway, "to-short-term", context=CONTEXT)
    Questionnaire.model_validate(whole)
    assert _schema_errors(whole) == []
    sender = questionnaire_for(pathway, "to-short-term", side=Side.SENDER, context=CONTEXT)
    Questionnaire.model_validate(sender)
    assert _schema_errors(sender) == []
    assert [i["linkId"] for i in sender["item"]] == ["ready-notice", "epikrise"]
    assert sender["url"] != whole["url"]
    assert sender["version"] == "3"
    empty = questionnaire_for(pathway, "to-surgery")
    Questionnaire.model_validate(empty)
    assert _schema_errors(empty) == []
    assert "item" not in empty
    assert empty["status"] == "draft"
    assert "version" not in empty


def test_questionnaire_for_an_unknown_transition() -> None:
    with pytest.raises(UnknownTransition) as caught:
        questionnaire_for(example(), "nope")
    assert isinstance(caught.value, PathwayError)
    assert "nope" in str(caught.value)
