"""The gap analysis: :func:`find_gaps`, the one entry point over all rule sets."""

from __future__ import annotations

import dataclasses

from pathways.errors import InvalidPathway
from pathways.findings import Finding
from pathways.gaps.agreed import check_agreed_items
from pathways.gaps.core import check_core
from pathways.gaps.index import GraphIndex
from pathways.gaps.norway import check_norway
from pathways.gaps.rules import RULES, resolve_deadlines, severity_of, validate_rule_settings
from pathways.gaps.stays import Stays
from pathways.model import Pathway, RuleSettings

__all__ = ["find_gaps"]

_RULE_ORDER = {rule.code: number for number, rule in enumerate(RULES)}


def find_gaps(pathway: Pathway, *, rules: RuleSettings | None = None) -> list[Finding]:
    """Find the gaps in ``pathway``: every finding of the rule sets in force.

    Parameters
    ----------
    pathway
        The pathway to check. It is only read; a draft may be incomplete in any way.
    rules
        The rule sets and deadlines to apply; ``None`` (the default) uses
        ``pathway.rules``.

    Returns
    -------
    list of Finding
        Errors first, then warnings, then notes (severities as the rules in force set
        them); within one severity in the order of
        :data:`~pathways.gaps.rules.RULES`; within one rule in document order (of the
        steps, or of the transitions). The same pathway always gives the same list.

    Raises
    ------
    InvalidPathway
        If the rule settings name an unknown rule set or deadline, or a deadline is not
        a duration (the violations of :func:`validate_rule_settings`).

    Examples
    --------
    >>> from pathways.model import Level, Pathway, PathwayInfo, Step, StepKind
    >>> lonely = Pathway(PathwayInfo("t"), steps=(
    ...     Step("home", "At home", Level.MUNICIPALITY, StepKind.HOME, "home nursing"),))
    >>> [(f.code, f.severity.value) for f in find_gaps(lonely)]
    [('no-home-start', 'error'), ('no-home-end', 'error'), ('single-level', 'error')]
    """
    settings = pathway.rules if rules is None else rules
    violations = validate_rule_settings(settings)
    if violations:
        raise InvalidPathway(violations)
    index = GraphIndex.of(pathway)
    findings: list[Finding] = []
    if "core" in settings.rule_sets:
        findings.extend(check_core(index))
    if settings.required_items or "norway" in settings.rule_sets:
        # How the transitions between the levels read: once, for both rule sets.
        stays = Stays.of(index)
        if settings.required_items:
            findings.extend(check_agreed_items(index, stays, settings.required_items))
        if "norway" in settings.rule_sets:
            findings.extend(check_norway(index, stays, resolve_deadlines(settings)))
    if settings.severities:
        findings = [
            dataclasses.replace(found, severity=severity_of(found.code, settings))
            if found.code in settings.severities
            else found
            for found in findings
        ]
    # Stable: findings of one rule keep the document order the rule produced them in.
    findings.sort(key=lambda found: (found.severity.rank, _RULE_ORDER[found.code]))
    return findings
