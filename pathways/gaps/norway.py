"""The ``norway`` gap rules: the Norwegian handover rules between hospital and municipality.

They follow the forskrift om kommunal betaling for utskrivningsklare pasienter and the
e-message standards (PRODUCT §1). Deadlines are data: see
:data:`pathways.gaps.rules.DEFAULT_DEADLINES`.

Terms
-----
*admission*
    a transition from a municipal step to a hospital step.
*discharge*
    a transition from a hospital step to a municipal step.
*discharge to municipal care*
    a discharge into a municipal step that is not of kind ``home`` (the patient is
    received by a municipal service: home nursing, a short-term bed, ...). A discharge
    straight into a home step needs no municipal services.
*hospital stay* of an admission
    the hospital steps reachable from the admitted-to step through hospital steps only.
*sends ... within L*
    a handover sends an item within the limit ``L`` when either

    a. one of its ``messages`` mentions the item and the handover's ``deadline`` is set
       and at most ``L``, or
    b. one of its **required** checklist items on the stated side mentions the item in
       its key or text, and its ``due`` is set and at most ``L``.

    "Mentions" is a case-insensitive search for one of the item's terms:

    ==================  ==================================================  ========
    item                terms                                               side
    ==================  ==================================================  ========
    admission notice    ``innlagt`` (LOG_INNLAGT), ``admission notice``     receiver
    ready notice        ``utskrivningsklar`` (LOG_UTSKRIVNINGSKLAR),        sender
                        ``ready for discharge``, ``ready-for-discharge``
    municipal reply     ``tilbakemelding`` (LOG_TILBAKEMELDING),            receiver
                        ``reply``, ``replies``
    epikrise            ``epikrise``, ``discharge summary``                 sender
    medication list     ``legemid``, ``medisiner``, ``medisinliste``,       sender
                        ``medikament``, ``medication``
    ==================  ==================================================  ========

    A transition without a handover sends nothing.

Rules
-----
``no-admission-notice`` (error)
    an admission whose hospital stay has a discharge to municipal care, whose handover
    does not send the admission notice within ``admission_notice`` (default 24 h). On
    the admission the hospital is the receiver, so a checklist item counts on that side.
``no-ready-notice`` (error)
    a discharge to municipal care whose handover does not send the ready notice within
    ``ready_notice`` (default the same day, ``PT0H``).
``no-municipal-reply`` (error)
    a discharge to municipal care whose handover mentions the ready notice (by message
    or required sender checklist item, whatever its deadline) but does not have the
    municipal reply sent within ``municipal_reply`` (default the same day).
``no-discharge-information`` (error)
    a discharge to municipal care whose handover does not send the epikrise *and* the
    medication list within ``discharge_information`` (default the same day); the finding
    says which of the two is missing.
``no-gp-follow-up`` (warning)
    a discharge after which the patient can get to a home step through municipal steps
    without passing a *GP follow-up step*: a municipal step of kind ``follow_up`` whose
    ``responsible`` names the GP (``fastlege``, ``GP``, ``general practitioner``,
    ``allmennlege``, ``legekontor``). Or, when every way home passes one, the GP
    follow-up comes later than ``gp_follow_up`` (default 14 days) after discharge, the
    time being the least sum, over routes through municipal steps, of the expected
    durations of the steps before the GP step (a step without one counts as zero).
    Routes that go back into hospital are readmissions and not followed.
``no-readmission-path`` (warning)
    a discharge after which no admission can be reached through municipal steps: the
    patient has no way back to the hospital if they get worse.

Each rule reports one finding per transition, in document order.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Mapping
from datetime import timedelta
from functools import lru_cache

from pathways.durations import parse_duration
from pathways.findings import Finding
from pathways.gaps import messages
from pathways.gaps.index import GraphIndex
from pathways.gaps.rules import finding
from pathways.model import Handover, Side, StepKind

__all__ = [
    "ADMISSION_NOTICE_TERMS",
    "EPIKRISE_TERMS",
    "GP_ROLE",
    "MEDICATION_TERMS",
    "MUNICIPAL_REPLY_TERMS",
    "READY_NOTICE_TERMS",
    "check_norway",
    "mentions",
    "sends",
]

ADMISSION_NOTICE_TERMS = ("innlagt", "admission notice")
READY_NOTICE_TERMS = ("utskrivningsklar", "ready for discharge", "ready-for-discharge")
MUNICIPAL_REPLY_TERMS = ("tilbakemelding", "reply", "replies")
EPIKRISE_TERMS = ("epikrise", "discharge summary")
MEDICATION_TERMS = ("legemid", "medisiner", "medisinliste", "medikament", "medication")

GP_ROLE = re.compile(
    r"\b(?:fastleg\w*|gp|general practitioner|allmennleg\w*|legekontor\w*)\b", re.IGNORECASE
)
"""A ``responsible`` text that names the patient's GP."""

_UNLIMITED = timedelta.max
_DISCHARGE_INFORMATION = (("epikrise", EPIKRISE_TERMS), ("medication", MEDICATION_TERMS))


def _mentioned(text: str, terms: tuple[str, ...]) -> bool:
    folded = text.casefold()
    return any(term in folded for term in terms)


@lru_cache(maxsize=1024)
def _duration(text: str) -> timedelta | None:
    """The parsed duration, or ``None`` if ``text`` is not one (durations repeat a lot)."""
    try:
        return parse_duration(text)
    except ValueError:
        return None


def _within(duration: str | None, limit: timedelta) -> bool:
    if duration is None:
        return False
    value = _duration(duration)
    return value is not None and value <= limit


def sends(handover: Handover | None, terms: tuple[str, ...], side: Side, limit: timedelta) -> bool:
    """Whether ``handover`` sends the item named by ``terms`` within ``limit``.

    >>> from pathways.model import ChecklistItem
    >>> h = Handover(messages=("LOG_INNLAGT",), deadline="PT12H")
    >>> sends(h, ADMISSION_NOTICE_TERMS, Side.RECEIVER, timedelta(hours=24))
    True
    >>> late = ChecklistItem("notice", "Melding om innlagt pasient", Side.RECEIVER, due="P2D")
    >>> sends(Handover(checklist=(late,)), ADMISSION_NOTICE_TERMS, Side.RECEIVER,
    ...       timedelta(hours=24))
    False
    """
    if handover is None:
        return False
    if _within(handover.deadline, limit) and any(
        _mentioned(message, terms) for message in handover.messages
    ):
        return True
    return any(
        item.required
        and item.side == side
        and _mentioned(f"{item.key} {item.text}", terms)
        and _within(item.due, limit)
        for item in handover.checklist
    )


def mentions(handover: Handover | None, terms: tuple[str, ...], side: Side) -> bool:
    """Whether ``handover`` sends the item named by ``terms`` at all, whatever its deadline."""
    if handover is None:
        return False
    return any(_mentioned(message, terms) for message in handover.messages) or any(
        item.required and item.side == side and _mentioned(f"{item.key} {item.text}", terms)
        for item in handover.checklist
    )


class _Norway:
    """One run of the rules over one index: the shared edge classes, computed once."""

    def __init__(self, index: GraphIndex, deadlines: Mapping[str, timedelta]) -> None:
        self.index = index
        self.deadlines = deadlines
        hospital = index.hospital
        sources, targets, steps = index.sources, index.targets, index.steps
        self.admissions = [edge for edge in index.cross_level if not hospital[sources[edge]]]
        self.discharges = [edge for edge in index.cross_level if hospital[sources[edge]]]
        self.to_care = [
            edge for edge in self.discharges if steps[targets[edge]].kind is not StepKind.HOME
        ]
        self.municipal = hospital.translate(bytes.maketrans(b"\x00\x01", b"\x01\x00"))

    def _finding(self, code: str, edge: int, texts: Mapping[str, str]) -> Finding:
        index = self.index
        return finding(
            code,
            texts,
            steps=(index.steps[index.sources[edge]].key, index.steps[index.targets[edge]].key),
            transitions=(index.transitions[edge].key,),
        )

    def admission_notice(self) -> list[Finding]:
        index, limit = self.index, self.deadlines["admission_notice"]
        # Hospital steps from which, within the hospital, a discharge to care follows.
        leaving = {index.sources[edge] for edge in self.to_care}
        needs_care = index.reach(leaving, reverse=True, allowed=index.hospital)
        found = []
        for edge in self.admissions:
            transition = index.transitions[edge]
            if needs_care[index.targets[edge]] and not sends(
                transition.handover, ADMISSION_NOTICE_TERMS, Side.RECEIVER, limit
            ):
                source = index.steps[index.sources[edge]]
                target = index.steps[index.targets[edge]]
                texts = messages.no_admission_notice(transition, source, target, limit)
                found.append(self._finding("no-admission-notice", edge, texts))
        return found

    def discharge_handovers(self) -> list[Finding]:
        index, deadlines = self.index, self.deadlines
        ready: list[Finding] = []
        reply: list[Finding] = []
        information: list[Finding] = []
        for edge in self.to_care:
            transition = index.transitions[edge]
            source, target = index.steps[index.sources[edge]], index.steps[index.targets[edge]]
            handover = transition.handover
            limit = deadlines["ready_notice"]
            if not sends(handover, READY_NOTICE_TERMS, Side.SENDER, limit):
                texts = messages.no_ready_notice(transition, source, target, limit)
                ready.append(self._finding("no-ready-notice", edge, texts))
            limit = deadlines["municipal_reply"]
            if mentions(handover, READY_NOTICE_TERMS, Side.SENDER) and not sends(
                handover, MUNICIPAL_REPLY_TERMS, Side.RECEIVER, limit
            ):
                texts = messages.no_municipal_reply(transition, source, target, limit)
                reply.append(self._finding("no-municipal-reply", edge, texts))
            limit = deadlines["discharge_information"]
            missing = [
                name
                for name, terms in _DISCHARGE_INFORMATION
                if not sends(handover, terms, Side.SENDER, limit)
            ]
            if missing:
                texts = messages.no_discharge_information(
                    transition, source, target, limit, missing
                )
                information.append(self._finding("no-discharge-information", edge, texts))
        return ready + reply + information

    def _earliest_gp(
        self, gp_steps: list[int], wanted: set[int]
    ) -> dict[int, tuple[timedelta, int]]:
        """For each step in ``wanted``: the least time to a GP step and that step.

        A multi-source Dijkstra backwards from every GP step through municipal steps,
        weighing each step by its expected duration; it stops once ``wanted`` is settled.
        """
        index = self.index
        steps, offsets, flat = index.steps, index.in_offsets, index.in_flat
        municipal = self.municipal

        def duration(step: int) -> timedelta:
            text = steps[step].expected_duration
            return (_duration(text) if text else None) or timedelta(0)

        heap = [(timedelta(0), step, step) for step in gp_steps]
        heapq.heapify(heap)
        best: dict[int, timedelta] = {}
        settled: dict[int, tuple[timedelta, int]] = {}
        pending = set(wanted)
        while heap and pending:
            time, step, gp = heapq.heappop(heap)
            if step in settled:
                continue
            settled[step] = (time, gp)
            pending.discard(step)
            for position in range(offsets[step], offsets[step + 1]):
                before = flat[position]
                if not municipal[before] or before in settled:
                    continue
                arrival = time + duration(before)
                if arrival < best.get(before, _UNLIMITED):
                    best[before] = arrival
                    heapq.heappush(heap, (arrival, before, gp))
        return {step: settled[step] for step in wanted if step in settled}

    def gp_follow_up(self) -> list[Finding]:
        index, limit = self.index, self.deadlines["gp_follow_up"]
        steps, targets = index.steps, index.targets
        gp = bytearray(
            step.kind is StepKind.FOLLOW_UP
            and not index.hospital[number]
            and GP_ROLE.search(step.responsible) is not None
            for number, step in enumerate(steps)
        )
        gp_steps = [number for number, is_gp in enumerate(gp) if is_gp]
        without_gp = bytearray(
            bool(on_municipal and not is_gp)
            for on_municipal, is_gp in zip(self.municipal, gp, strict=True)
        )
        homes = [number for number, step in enumerate(steps) if step.kind is StepKind.HOME]
        bypass = index.reach(homes, reverse=True, allowed=without_gp)
        timed = {targets[edge] for edge in self.discharges if not bypass[targets[edge]]}
        earliest = self._earliest_gp(gp_steps, timed) if timed and gp_steps else {}
        found = []
        for edge in self.discharges:
            transition = index.transitions[edge]
            source, target = steps[index.sources[edge]], steps[targets[edge]]
            if bypass[targets[edge]]:
                texts = messages.no_gp_follow_up(transition, source, target, limit)
            elif targets[edge] in earliest and earliest[targets[edge]][0] > limit:
                time, gp_step = earliest[targets[edge]]
                texts = messages.no_gp_follow_up(
                    transition, source, target, limit, late=(steps[gp_step], time)
                )
            else:
                continue
            found.append(self._finding("no-gp-follow-up", edge, texts))
        return found

    def readmission_path(self) -> list[Finding]:
        index = self.index
        returning = {index.sources[edge] for edge in self.admissions}
        can_return = index.reach(returning, reverse=True, allowed=self.municipal)
        found = []
        for edge in self.discharges:
            if not can_return[index.targets[edge]]:
                transition = index.transitions[edge]
                source = index.steps[index.sources[edge]]
                target = index.steps[index.targets[edge]]
                texts = messages.no_readmission_path(transition, source, target)
                found.append(self._finding("no-readmission-path", edge, texts))
        return found


def check_norway(index: GraphIndex, deadlines: Mapping[str, timedelta]) -> list[Finding]:
    """The findings of the ``norway`` rules on the indexed pathway, rule by rule.

    ``deadlines`` holds every name of :data:`~pathways.gaps.rules.DEFAULT_DEADLINES`
    (see :func:`~pathways.gaps.rules.resolve_deadlines`).
    """
    run = _Norway(index, deadlines)
    return [
        *run.admission_notice(),
        *run.discharge_handovers(),
        *run.gp_follow_up(),
        *run.readmission_path(),
    ]
