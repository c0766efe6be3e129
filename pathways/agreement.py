"""A partnership's agreement: the rules its pathways inherit, and what they may change.

A partnership (helsefellesskap) sets defaults for its pathways in its cooperation
agreement: the gap rule sets (e.g. the Norwegian rules on) and deadlines. A pathway in a
partnership inherits them and may be stricter, never looser:

- it may **add** rule sets; it cannot drop one the agreement applies;
- it may **shorten** a deadline the agreement sets; it cannot lengthen it. A deadline the
  agreement does not set, the pathway sets freely (the rule's default applies otherwise);
- it may make a rule's severity **stricter** than the agreement sets it (a warning an
  error), never milder; a severity the agreement does not set, the pathway sets freely;
- it may **add** required checklist items to the agreement's; it cannot drop one (an item
  of its own with the key of one of the agreement's is the agreement's).

The rules in force (:func:`rules_in_force`) are the agreement's rule sets and the
pathway's, and for each deadline the shorter of the two. Because they are computed,
an agreement made stricter later applies to every pathway at once, and a pathway never
has to repeat what the agreement says. :func:`override_violations` tells a pathway's own
settings that try to be looser than the agreement, so that they are refused rather than
silently ignored.

>>> agreement = RuleSettings(("core", "norway"), {"admission_notice": "PT24H"})
>>> rules_in_force(agreement, RuleSettings(("core",), {"admission_notice": "PT12H"})).deadlines
{'admission_notice': 'PT12H'}
>>> [v.message for v in override_violations(agreement,
...     RuleSettings(("core",), {"admission_notice": "PT48H"}))]
['the agreement sets admission_notice to PT24H; a pathway may shorten it, not lengthen it']
"""

from __future__ import annotations

from pathways.durations import parse_duration
from pathways.errors import Violation
from pathways.findings import Severity
from pathways.model import RULE_SETS, RuleSettings
from pathways.wording import duration_text

__all__ = ["override_violations", "rules_in_force"]


def rules_in_force(agreement: RuleSettings | None, own: RuleSettings) -> RuleSettings:
    """The rules a pathway's gaps are checked by: its own, made at least as strict as
    ``agreement`` (None: the pathway is in no partnership)."""
    if agreement is None:
        return own
    wanted = set(agreement.rule_sets) | set(own.rule_sets)
    rule_sets = tuple(name for name in RULE_SETS if name in wanted) + tuple(
        sorted(wanted - set(RULE_SETS))
    )
    deadlines = dict(agreement.deadlines)
    for name, value in own.deadlines.items():
        if name not in deadlines or _shorter(value, deadlines[name]):
            deadlines[name] = value
    severities = dict(agreement.severities)
    for code, value in own.severities.items():
        if code not in severities or _stricter(value, severities[code]):
            severities[code] = value
    agreed = {item.key for item in agreement.required_items}
    return RuleSettings(
        rule_sets=rule_sets,
        deadlines=dict(sorted(deadlines.items())),
        severities=dict(sorted(severities.items())),
        required_items=(
            *agreement.required_items,
            *(item for item in own.required_items if item.key not in agreed),
        ),
    )


def _rank(value: str) -> int | None:
    try:
        return Severity(value).rank
    except ValueError:
        return None


def _stricter(value: str, than: str) -> bool:
    mine, theirs = _rank(value), _rank(than)
    return mine is not None and theirs is not None and mine < theirs


def _shorter(value: str, than: str) -> bool:
    try:
        return parse_duration(value) < parse_duration(than)
    except ValueError:
        return False


def override_violations(agreement: RuleSettings | None, own: RuleSettings) -> list[Violation]:
    """A pathway's own deadlines that are longer than the agreement's, located as in
    :func:`pathways.gaps.validate_rule_settings`. Missing rule sets are no violation:
    the agreement's apply whether the pathway names them or not."""
    if agreement is None:
        return []
    violations = []
    for name, value in own.deadlines.items():
        limit = agreement.deadlines.get(name)
        if limit is None:
            continue
        try:
            longer = parse_duration(value) > parse_duration(limit)
        except ValueError:
            continue
        if longer:
            violations.append(
                Violation(
                    ("rules", "deadlines", name),
                    f"the agreement sets {name} to {limit}; a pathway may shorten it, "
                    "not lengthen it",
                    f"avtalen setter fristen {name} til {duration_text(limit, 'nb')}. Et "
                    "forløp kan korte den inn, ikke gjøre den lengre",
                )
            )
    for code, value in own.severities.items():
        agreed = agreement.severities.get(code)
        if agreed is not None and _stricter(agreed, value):
            violations.append(
                Violation(
                    ("rules", "severities", code),
                    f"the agreement makes {code} {agreed}; a pathway may make it stricter, "
                    "not milder",
                    f"avtalen gir regelen {code} alvorlighetsgraden {agreed}. Et forløp kan "
                    "gjøre den strengere, ikke mildere",
                )
            )
    return violations
