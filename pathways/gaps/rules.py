"""The catalogue of gap rules, their default deadlines, and checks of rule settings.

Each :class:`Rule` names a stable ``code`` (an API: integrations match on it), the rule
set it belongs to, and its severity. Two rule sets exist (:data:`pathways.model.RULE_SETS`):

``core``
    graph shape and handover completeness; on by default.
``norway``
    the Norwegian handover rules (forskrift om kommunal betaling for utskrivningsklare
    pasienter and the e-message standards); switched on per pathway.

Deadlines are data. :data:`DEFAULT_DEADLINES` holds the defaults, and a pathway's
:class:`~pathways.model.RuleSettings` may override each by name with an ISO 8601
duration (e.g. a local agreement's ``{"admission_notice": "PT48H"}``):

===========================  =========  ============================================
name                         default    used by
===========================  =========  ============================================
``admission_notice``         ``PT24H``  ``no-admission-notice`` (LOG_INNLAGT)
``ready_notice``             ``PT0H``   ``no-ready-notice`` (LOG_UTSKRIVNINGSKLAR)
``municipal_reply``          ``PT0H``   ``no-municipal-reply`` (LOG_TILBAKEMELDING)
``discharge_information``    ``PT0H``   ``no-discharge-information`` (epikrise, medication)
``gp_follow_up``             ``P14D``   ``no-gp-follow-up``
===========================  =========  ============================================

``PT0H`` means "at the event itself": the same day.

>>> validate_rule_settings(RuleSettings(rule_sets=("core", "sweden")))
[Violation(loc=('rules', 'rule_sets', 1), message="unknown rule set 'sweden'; known rule sets: core, norway")]
>>> resolve_deadlines(RuleSettings(deadlines={"admission_notice": "PT48H"}))["admission_notice"]
datetime.timedelta(days=2)
"""  # noqa: E501

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from types import MappingProxyType

from pathways.durations import parse_duration
from pathways.errors import Violation
from pathways.findings import Finding, Severity
from pathways.model import RULE_SETS, RuleSettings

__all__ = [
    "DEFAULT_DEADLINES",
    "RULES",
    "RULES_BY_CODE",
    "Rule",
    "finding",
    "resolve_deadlines",
    "validate_rule_settings",
]

DEFAULT_DEADLINES: Mapping[str, str] = MappingProxyType(
    {
        "admission_notice": "PT24H",
        "ready_notice": "PT0H",
        "municipal_reply": "PT0H",
        "discharge_information": "PT0H",
        "gp_follow_up": "P14D",
    }
)
"""The deadlines the ``norway`` rules use, by name, as ISO 8601 durations."""


@dataclass(frozen=True, slots=True)
class Rule:
    """One gap rule: its stable code, rule set, severity and a one-line summary."""

    code: str
    rule_set: str
    severity: Severity
    summary: Mapping[str, str]
    """What the rule checks, per language (``"en"``, ``"nb"``)."""


def _rule(code: str, rule_set: str, severity: Severity, en: str, nb: str) -> Rule:
    return Rule(code, rule_set, severity, MappingProxyType({"en": en, "nb": nb}))


_E, _W = Severity.ERROR, Severity.WARNING

RULES: tuple[Rule, ...] = (
    _rule(
        "no-home-start",
        "core",
        _E,
        "There is a home step the pathway starts from.",
        "Det finnes et hjemmesteg som forløpet starter fra.",
    ),
    _rule(
        "no-home-end",
        "core",
        _E,
        "The pathway brings the patient back to a home step.",
        "Forløpet fører pasienten tilbake til et hjemmesteg.",
    ),
    _rule(
        "unreachable-step",
        "core",
        _E,
        "Every step can be reached from a home step.",
        "Alle steg kan nås fra et hjemmesteg.",
    ),
    _rule(
        "dead-end",
        "core",
        _E,
        "From every step the patient can get back home.",
        "Fra alle steg kan pasienten komme hjem igjen.",
    ),
    _rule(
        "missing-handover",
        "core",
        _E,
        "Every transition between hospital and municipality has a handover.",
        "Alle overganger mellom sykehus og kommune har en overlevering.",
    ),
    _rule(
        "incomplete-handover",
        "core",
        _E,
        "Every handover names sender and receiver roles, messages, a deadline and "
        "checklist items for both sides.",
        "Alle overleveringer har avsender- og mottakerrolle, meldinger, frist og "
        "sjekkpunkter for begge sider.",
    ),
    _rule(
        "single-level",
        "core",
        _E,
        "The pathway has steps on both care levels (home to home).",
        "Forløpet har steg på begge omsorgsnivåer (hjem til hjem).",
    ),
    _rule(
        "unowned-step",
        "core",
        _W,
        "Every step names the role responsible for the patient.",
        "Alle steg har en ansvarlig rolle.",
    ),
    _rule(
        "decision-without-alternatives",
        "core",
        _W,
        "Every decision step has at least two outcomes.",
        "Alle beslutningssteg har minst to utfall.",
    ),
    _rule(
        "no-admission-notice",
        "norway",
        _E,
        "An admission of a patient who will need municipal care afterwards sends "
        "LOG_INNLAGT (melding om innlagt pasient) within the admission_notice deadline.",
        "En innleggelse av en pasient som vil trenge kommunale tjenester etterpå, sender "
        "LOG_INNLAGT (melding om innlagt pasient) innen fristen admission_notice.",
    ),
    _rule(
        "no-ready-notice",
        "norway",
        _E,
        "A discharge to municipal care sends LOG_UTSKRIVNINGSKLAR (melding om "
        "utskrivningsklar pasient) within the ready_notice deadline.",
        "En utskrivning til kommunale tjenester sender LOG_UTSKRIVNINGSKLAR (melding om "
        "utskrivningsklar pasient) innen fristen ready_notice.",
    ),
    _rule(
        "no-municipal-reply",
        "norway",
        _E,
        "After LOG_UTSKRIVNINGSKLAR the municipality replies (LOG_TILBAKEMELDING) within "
        "the municipal_reply deadline.",
        "Etter LOG_UTSKRIVNINGSKLAR gir kommunen tilbakemelding (LOG_TILBAKEMELDING) "
        "innen fristen municipal_reply.",
    ),
    _rule(
        "no-discharge-information",
        "norway",
        _E,
        "A discharge to municipal care sends the epikrise and the medication list within "
        "the discharge_information deadline.",
        "En utskrivning til kommunale tjenester sender epikrise og legemiddelliste innen "
        "fristen discharge_information.",
    ),
    _rule(
        "no-gp-follow-up",
        "norway",
        _W,
        "After discharge the pathway passes a follow-up by the fastlege (GP) on the way "
        "home, within the gp_follow_up deadline.",
        "Etter utskrivning går forløpet innom oppfølging hos fastlegen på veien hjem, innen "
        "fristen gp_follow_up.",
    ),
    _rule(
        "no-readmission-path",
        "norway",
        _W,
        "After discharge there is a way back to the hospital if the patient gets worse.",
        "Etter utskrivning finnes det en vei tilbake til sykehuset hvis pasienten blir dårligere.",
    ),
)
"""Every gap rule, in the order findings of one severity are reported."""

RULES_BY_CODE: Mapping[str, Rule] = MappingProxyType({rule.code: rule for rule in RULES})


def validate_rule_settings(rules: RuleSettings) -> list[Violation]:
    """Every problem with ``rules``: unknown rule sets, unknown deadlines, bad durations.

    Locations start with ``"rules"``: ``("rules", "rule_sets", 1)`` for the second rule
    set, ``("rules", "deadlines", "admission_notice")`` for a deadline. An empty list
    means the settings are good.
    """
    violations: list[Violation] = []
    for number, name in enumerate(rules.rule_sets):
        if name not in RULE_SETS:
            violations.append(
                Violation(
                    ("rules", "rule_sets", number),
                    f"unknown rule set {name!r}; known rule sets: {', '.join(RULE_SETS)}",
                )
            )
    for name, value in rules.deadlines.items():
        loc: tuple[str | int, ...] = ("rules", "deadlines", name)
        if name not in DEFAULT_DEADLINES:
            violations.append(
                Violation(
                    loc,
                    f"unknown deadline {name!r}; known deadlines: {', '.join(DEFAULT_DEADLINES)}",
                )
            )
        elif not isinstance(value, str):
            violations.append(Violation(loc, "must be an ISO 8601 duration such as PT24H"))
        else:
            try:
                parse_duration(value)
            except ValueError as error:
                violations.append(Violation(loc, str(error)))
    return violations


def resolve_deadlines(rules: RuleSettings) -> dict[str, timedelta]:
    """Every deadline in force under ``rules``: the defaults with its overrides applied.

    Raises ``ValueError`` for a duration that does not parse (check with
    :func:`validate_rule_settings` first); unknown names are ignored.
    """
    return {
        name: parse_duration(rules.deadlines.get(name, default))
        for name, default in DEFAULT_DEADLINES.items()
    }


def finding(
    code: str,
    messages: Mapping[str, str],
    *,
    steps: tuple[str, ...] = (),
    transitions: tuple[str, ...] = (),
) -> Finding:
    """A finding of the rule ``code``, with the severity the catalogue gives it."""
    return Finding(
        code=code,
        severity=RULES_BY_CODE[code].severity,
        steps=steps,
        transitions=transitions,
        messages=messages,
    )
