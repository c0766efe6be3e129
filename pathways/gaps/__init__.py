"""Gap analysis: what is missing or wrong in a pathway, especially at the handovers.

:func:`find_gaps` runs the rule sets a pathway's :class:`~pathways.model.RuleSettings`
switch on and returns :class:`~pathways.findings.Finding` values; ``error`` findings
block approval. The rules, their codes and severities are listed in :data:`RULES`:

- ``core`` (:mod:`pathways.gaps.core`): homes to start from and return to, every step
  reachable and with a way home, handovers on every transition between the levels and
  complete, steps on both levels, a responsible role per step, decisions with outcomes;
- ``norway`` (:mod:`pathways.gaps.norway`): the Norwegian handover rules (LOG_INNLAGT,
  LOG_UTSKRIVNINGSKLAR, LOG_TILBAKEMELDING, epikrise and medication list, health
  information, LOG_UTSKREVET, LOG_AVMELDING, GP follow-up, a readmission path), read over
  stays, outpatient visits and case handling (:mod:`pathways.gaps.stays`), with messages
  matched through the catalogue (:mod:`pathways.message_catalogue`) and deadlines as data
  (:data:`DEFAULT_DEADLINES`);
- the agreement's required checklist items (:mod:`pathways.gaps.agreed`), whenever the
  rules in force name some.

Pure: no I/O, no FastAPI, no SQLAlchemy; the pathway is never changed.

>>> from importlib.resources import files
>>> from pathways.document import parse_document
>>> from pathways.model import RuleSettings
>>> raw = files("pathways.examples").joinpath("hip-fracture.json").read_bytes()
>>> example = parse_document(raw)
>>> [f for f in find_gaps(example) if f.severity == "error"]
[]
>>> [f.code for f in find_gaps(example, rules=RuleSettings(("core", "norway")))][:3]
['no-municipal-reply', 'no-health-information', 'no-discharged-notice']
"""

from pathways.gaps.analysis import find_gaps
from pathways.gaps.rules import (
    DEFAULT_DEADLINES,
    RULES,
    RULES_BY_CODE,
    Rule,
    resolve_deadlines,
    validate_rule_settings,
)

__all__ = [
    "DEFAULT_DEADLINES",
    "RULES",
    "RULES_BY_CODE",
    "Rule",
    "find_gaps",
    "resolve_deadlines",
    "validate_rule_settings",
]
