"""The catalogue of gap rules, their default deadlines, and checks of rule settings.

Each :class:`Rule` names a stable ``code`` (an API: integrations match on it), the rule
set it belongs to, and its default severity, which a partnership or pathway may change
(``RuleSettings.severities``). Two rule sets exist (:data:`pathways.model.RULE_SETS`):

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
``discharged_notice``        ``PT0H``   ``no-discharged-notice`` (LOG_UTSKREVET)
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
from pathways.errors import Violation, text_of
from pathways.findings import Finding, Severity
from pathways.model import HANDOVER_KINDS, RULE_SETS, RuleSettings

__all__ = [
    "DEFAULT_DEADLINES",
    "RULES",
    "RULES_BY_CODE",
    "Rule",
    "finding",
    "resolve_deadlines",
    "severity_of",
    "validate_rule_settings",
]

DEFAULT_DEADLINES: Mapping[str, str] = MappingProxyType(
    {
        "admission_notice": "PT24H",
        "ready_notice": "PT0H",
        "municipal_reply": "PT0H",
        "discharge_information": "PT0H",
        "discharged_notice": "PT0H",
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
    """What the rule checks, per language (``"en"``, ``"nb"``, ``"nn"``)."""


_NYNORSK: Mapping[str, str] = {
    "no-home-start": "Det finst eit heimesteg som forløpet startar frå.",
    "no-home-end": "Forløpet fører pasienten tilbake til eit heimesteg.",
    "unreachable-step": "Alle steg kan nåast frå eit heimesteg.",
    "dead-end": "Frå alle steg kan pasienten kome heim att, eller forløpet endar i død.",
    "missing-handover": "Alle overgangar mellom sjukehus og kommune har ei overlevering.",
    "incomplete-handover": (
        "Alle overleveringar har rolle for sendar og mottakar, meldingar, frist og "
        "sjekkpunkt for begge sider."
    ),
    "single-level": "Forløpet har steg på begge omsorgsnivåa (heim til heim).",
    "unowned-step": "Alle steg har ei ansvarleg rolle.",
    "decision-without-alternatives": "Alle avgjerdssteg har minst to utfall.",
    "missing-agreed-item": (
        "Alle overleveringar har sjekkpunkta avtalen krev for den typen overlevering."
    ),
    "no-admission-notice": (
        "Ei innlegging av ein pasient som vil trenge kommunale tenester etterpå, sender "
        "LOG_INNLAGT (melding om innlagd pasient) innan fristen admission_notice."
    ),
    "no-admission-information": (
        "Ei innlegging av ein pasient med kommunale tenester sender innleggingsrapport "
        "eller oppdatert legemiddelliste med pasienten."
    ),
    "no-ready-notice": (
        "Ei utskriving til kommunale tenester sender LOG_UTSKRIVNINGSKLAR (melding om "
        "utskrivingsklar pasient) innan fristen ready_notice, ved utskrivinga eller "
        "tidlegare i opphaldet."
    ),
    "no-municipal-reply": (
        "Etter LOG_UTSKRIVNINGSKLAR gir kommunen tilbakemelding (LOG_TILBAKEMELDING) "
        "innan fristen municipal_reply."
    ),
    "no-discharge-information": (
        "Ei utskriving sender epikrise (og legemiddelliste ved utskriving til kommunale "
        "tenester), og ein poliklinisk konsultasjon epikrise eller poliklinisk notat, "
        "innan fristen discharge_information."
    ),
    "no-health-information": (
        "Før utskriving til kommunale tenester blir helseopplysningar sende til vedtaket "
        "i kommunen (HELSEOPPL_SOKNAD)."
    ),
    "no-discharged-notice": (
        "Ei utskriving til kommunale tenester sender LOG_UTSKREVET (melding om utskriven "
        "pasient) innan fristen discharged_notice."
    ),
    "no-withdrawal-notice": (
        "Der pasienten kan slutte å vere utskrivingsklar, sender sjukehuset avmelding "
        "(LOG_AVMELDING)."
    ),
    "no-gp-follow-up": (
        "Etter utskriving går forløpet innom oppfølging hos fastlegen på vegen heim, "
        "innan fristen gp_follow_up."
    ),
    "no-readmission-path": (
        "Etter utskriving finst det ein veg tilbake til sjukehuset om pasienten blir dårlegare."
    ),
}
"""What each rule checks, in nynorsk."""


def _rule(code: str, rule_set: str, severity: Severity, en: str, nb: str) -> Rule:
    texts = {"en": en, "nb": nb, "nn": _NYNORSK[code]}
    return Rule(code, rule_set, severity, MappingProxyType(texts))


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
        "From every step the patient can get back home, or the pathway ends in death.",
        "Fra alle steg kan pasienten komme hjem igjen, eller forløpet ender i død.",
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
        "missing-agreed-item",
        "core",
        _W,
        "Every handover has the checklist items the agreement requires on handovers of its kind.",
        "Alle overleveringer har sjekkpunktene avtalen krever for den typen overlevering.",
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
        "no-admission-information",
        "norway",
        _W,
        "An admission of a patient with municipal services sends the admission report "
        "(innleggelsesrapport) or an updated medication list with the patient.",
        "En innleggelse av en pasient med kommunale tjenester sender innleggelsesrapport "
        "eller oppdatert legemiddelliste med pasienten.",
    ),
    _rule(
        "no-ready-notice",
        "norway",
        _E,
        "A discharge to municipal care sends LOG_UTSKRIVNINGSKLAR (melding om "
        "utskrivningsklar pasient) within the ready_notice deadline, on the discharge or "
        "earlier in the stay.",
        "En utskrivning til kommunale tjenester sender LOG_UTSKRIVNINGSKLAR (melding om "
        "utskrivningsklar pasient) innen fristen ready_notice, ved utskrivningen eller "
        "tidligere i oppholdet.",
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
        "A discharge sends the epikrise (and, to municipal care, the medication list), "
        "and an outpatient visit an epikrise or outpatient note, within the "
        "discharge_information deadline.",
        "En utskrivning sender epikrise (og legemiddelliste ved utskrivning til kommunale "
        "tjenester), og en poliklinisk konsultasjon epikrise eller poliklinisk notat, innen "
        "fristen discharge_information.",
    ),
    _rule(
        "no-health-information",
        "norway",
        _W,
        "A discharge to municipal care is preceded by health information for the "
        "municipality's decision (HELSEOPPL_SOKNAD).",
        "Før utskrivning til kommunale tjenester sendes helseopplysninger til kommunens "
        "vedtak (HELSEOPPL_SOKNAD).",
    ),
    _rule(
        "no-discharged-notice",
        "norway",
        _W,
        "A discharge to municipal care sends LOG_UTSKREVET (melding om utskrevet pasient) "
        "within the discharged_notice deadline.",
        "En utskrivning til kommunale tjenester sender LOG_UTSKREVET (melding om utskrevet "
        "pasient) innen fristen discharged_notice.",
    ),
    _rule(
        "no-withdrawal-notice",
        "norway",
        _W,
        "Where readiness for discharge can lapse, the hospital withdraws the notice "
        "(LOG_AVMELDING).",
        "Der pasienten kan slutte å være utskrivningsklar, sender sykehuset avmelding "
        "(LOG_AVMELDING).",
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
                    f"«{name}» er ikke et kjent regelsett. Kjente regelsett: "
                    f"{', '.join(RULE_SETS)}",
                )
            )
    for name, value in rules.deadlines.items():
        loc: tuple[str | int, ...] = ("rules", "deadlines", name)
        if name not in DEFAULT_DEADLINES:
            violations.append(
                Violation(
                    loc,
                    f"unknown deadline {name!r}; known deadlines: {', '.join(DEFAULT_DEADLINES)}",
                    f"«{name}» er ikke en kjent frist. Kjente frister: "
                    f"{', '.join(DEFAULT_DEADLINES)}",
                )
            )
        elif not isinstance(value, str):
            violations.append(
                Violation(
                    loc,
                    "must be an ISO 8601 duration such as PT24H",
                    "må være en varighet, for eksempel 24 timer",
                )
            )
        else:
            try:
                parse_duration(value)
            except ValueError as error:
                violations.append(Violation.of(loc, text_of(error)))
    severities = [severity.value for severity in Severity]
    for code, severity in rules.severities.items():
        loc = ("rules", "severities", code)
        if code not in RULES_BY_CODE:
            violations.append(
                Violation(loc, f"unknown rule {code!r}", f"«{code}» er ikke en kjent regel")
            )
        elif severity not in severities:
            violations.append(
                Violation(
                    loc,
                    f"unknown severity {severity!r}; known: {', '.join(severities)}",
                    f"«{severity}» er ikke en kjent alvorlighetsgrad. Kjente: "
                    f"{', '.join(severities)}",
                )
            )
    for number, item in enumerate(rules.required_items):
        loc = ("rules", "required_items", number)
        if not item.key.strip() or not item.text.strip():
            violations.append(
                Violation(
                    loc,
                    "a required item needs a key and a text",
                    "et påkrevd punkt må ha en nøkkel og en tekst",
                )
            )
        unknown = [kind for kind in item.on if kind not in HANDOVER_KINDS]
        if unknown or not item.on:
            violations.append(
                Violation(
                    (*loc, "on"),
                    f"must name handover kinds among: {', '.join(HANDOVER_KINDS)}",
                    f"må nevne typer overlevering blant: {', '.join(HANDOVER_KINDS)}",
                )
            )
    return violations


def severity_of(code: str, rules: RuleSettings) -> Severity:
    """The severity of rule ``code`` under ``rules``: its override, else its default."""
    override = rules.severities.get(code)
    return Severity(override) if override is not None else RULES_BY_CODE[code].severity


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
