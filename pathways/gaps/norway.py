"""The ``norway`` gap rules: the Norwegian handover rules between hospital and municipality.

They follow the forskrift om kommunal betaling for utskrivningsklare pasienter and the
e-message standards (PRODUCT §1). Deadlines are data: see
:data:`pathways.gaps.rules.DEFAULT_DEADLINES`.

Terms
-----
The transitions between the levels are read as a coordinator reads them
(:mod:`pathways.gaps.stays`): *admissions* into and *discharges* out of an inpatient
*stay*, *outpatient visits*, and the municipality's *case handling* during a stay
(which is neither admission nor discharge).

*discharge to municipal care*
    a discharge into a municipal step that is neither a ``home`` nor a ``death`` step,
    nor a follow-up by the GP (the patient is received by a municipal service: home
    nursing, a short-term bed, ...).
*in the stay before the discharge*
    on **every** way from the stay's admission to the step the patient is discharged
    from, through the stay's steps: on a transition inside the hospital (the
    *utskrivningsklar* decision, say) or on a case-handling transition to or from the
    municipality.
*sends M within L*
    a transition's handover sends catalogue message ``M``
    (:mod:`pathways.message_catalogue`) within the limit ``L`` when either

    a. one of its ``messages`` names ``M`` and the handover's ``deadline`` is set and at
       most ``L``, or
    b. one of its **required** checklist items names ``M`` in its key or text, on the
       side of the level that sends ``M`` (the sender of the transition when that level
       sends, the receiver when it receives; either side within one level, or for a
       message either level sends), and is due within ``L``: its ``due``, or, without
       one, a deadline its text says in words ("samme dag", "innen 24 timer").

    *Mentions* ``M``: the same, whatever the deadline. A transition without a handover
    sends nothing; a handover within one level needs no deadline, and what it names
    goes with the transition.

Rules
-----
``no-admission-notice`` (error)
    an admission from which the stay leads to a discharge to municipal care without
    LOG_INNLAGT sent within ``admission_notice`` (24 h) on the admission or on every way
    there in the stay.
``no-admission-information`` (warning)
    an admission of a patient with municipal services (from a municipal step that is
    neither a home nor a doctor's assessment, referral or follow-up: the legevakt and the
    fastlege refer, a short-term bed or home nursing reports) whose handover mentions
    neither the INNLEGGELSESRAPPORT nor an updated LEGEMIDDELLISTE: they go with the
    patient.
``no-ready-notice`` (error)
    a discharge to municipal care without LOG_UTSKRIVNINGSKLAR sent within
    ``ready_notice`` (the same day) on the discharge or in the stay before it.
``no-municipal-reply`` (error)
    a discharge to municipal care after a ready notice (mentioned on it or in the stay
    before it) without LOG_TILBAKEMELDING sent within ``municipal_reply`` after that
    notice: on the discharge or on every way from the notice to it.
``no-discharge-information`` (error)
    a discharge to municipal care whose handover does not send the EPIKRISE *and* the
    LEGEMIDDELLISTE within ``discharge_information`` (the same day); a discharge straight
    home without the EPIKRISE (due to the GP whatever the municipal services); the
    return from an outpatient visit without an EPIKRISE or POLIKLINISK_NOTAT
    (helsepersonelloven § 45a). The finding says what is missing.
``no-health-information`` (warning)
    a discharge to municipal care without HELSEOPPL_SOKNAD mentioned on it or in the
    stay before it: the municipality decides on its services without them.
``no-discharged-notice`` (warning)
    a discharge to municipal care whose handover does not send LOG_UTSKREVET within
    ``discharged_notice`` (the same day).
``no-withdrawal-notice`` (warning)
    a transition in a stay that sends the ready notice, after which a way leads back
    within the stay to where readiness was declared (the transition's source: treatment
    again, then a new decision) without LOG_AVMELDING mentioned on it: readiness can
    lapse and the municipality is not told.
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
    a discharge after which no admission or outpatient visit can be reached through
    municipal steps: the patient has no way back to the hospital if they get worse. Home
    is one place, however many steps draw it: a discharge home (straight, or by the GP)
    has a way back when one starts at any home step; a discharge to municipal care needs
    its own, from the care.

Each rule reports one finding per transition, in document order. Every "on every way"
is one search over the whole graph (:meth:`GraphIndex.reach_avoiding`): the rules stay
linear in the size of the pathway.
"""

from __future__ import annotations

import dataclasses
import heapq
import re
from collections.abc import Collection, Mapping
from datetime import timedelta
from functools import lru_cache

from pathways.durations import parse_duration
from pathways.findings import Finding
from pathways.gaps import messages
from pathways.gaps.index import GraphIndex
from pathways.gaps.rules import finding
from pathways.gaps.stays import Stays
from pathways.message_catalogue import CATALOGUE_BY_CODE, recognise, spoken_deadline
from pathways.model import Handover, Level, Side, Step, StepKind, Transition

__all__ = ["DOCTOR_ROLE", "GP_ROLE", "check_norway", "sends"]

GP_ROLE = re.compile(
    r"\b(?:fastleg\w*|gp|general practitioner|allmennleg\w*|legekontor\w*)\b", re.IGNORECASE
)
"""A ``responsible`` text that names the patient's GP."""

DOCTOR_ROLE = re.compile(
    r"\b(?:\w*lege|legevakt\w*|fastleg\w*|allmennleg\w*|legekontor\w*|gp|doctor|physician"
    r"|general practitioner)\b",
    re.IGNORECASE,
)
"""A ``responsible`` text that names a doctor (fastlege, legevakt, kommunelege, ...): an
admission from a doctor is a referral, not one of a patient with municipal services."""


def _municipal_care(step: Step) -> bool:
    """Whether a discharge into ``step`` is one to municipal care: not home, not death,
    and not straight to the GP (a follow-up step the fastlege is responsible for)."""
    if step.kind in (StepKind.HOME, StepKind.DEATH):
        return False
    return not (step.kind is StepKind.FOLLOW_UP and GP_ROLE.search(step.responsible))


def _with_services(step: Step) -> bool:
    """Whether a patient admitted from ``step`` comes from municipal services: any
    municipal step but home and a doctor's assessment, referral or follow-up (the
    legevakt, the fastlege: they refer; a short-term bed or home nursing reports)."""
    if step.kind is StepKind.HOME:
        return False
    doctor = DOCTOR_ROLE.search(step.responsible) is not None
    return not (doctor and step.kind in _REFERRING)


_UNLIMITED = timedelta.max
_REFERRING = (StepKind.ASSESSMENT, StepKind.REFERRAL, StepKind.FOLLOW_UP)
_BOTH = frozenset(Side)


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


def _sides(code: str, source: Level, target: Level) -> frozenset[Side]:
    """The sides of a transition from ``source`` to ``target`` that send ``code``."""
    sender = CATALOGUE_BY_CODE[code].sender
    if sender is None or source is target:
        return _BOTH
    if sender is source:
        return frozenset((Side.SENDER,))
    return frozenset((Side.RECEIVER,))


def sends(
    handover: Handover | None,
    code: str,
    sides: Collection[Side],
    limit: timedelta | None,
) -> bool:
    """Whether ``handover`` sends catalogue message ``code`` within ``limit`` (``None``:
    whatever the deadline: it *mentions* it), by a message or a required checklist item
    on ``sides``.

    >>> from pathways.model import ChecklistItem
    >>> h = Handover(messages=("Melding om innlagd pasient",), deadline="PT12H")
    >>> sends(h, "LOG_INNLAGT", (Side.RECEIVER,), timedelta(hours=24))
    True
    >>> late = ChecklistItem("notice", "Melding om innlagt pasient", Side.RECEIVER, due="P2D")
    >>> sends(Handover(checklist=(late,)), "LOG_INNLAGT", (Side.RECEIVER,),
    ...       timedelta(hours=24))
    False
    >>> said = ChecklistItem("svar", "Kommunen svarer same dag", Side.RECEIVER)
    >>> sends(Handover(checklist=(said,)), "LOG_TILBAKEMELDING", (Side.RECEIVER,),
    ...       timedelta(0))
    True
    """
    if handover is None:
        return False
    if (limit is None or _within(handover.deadline, limit)) and any(
        code in recognise(message) for message in handover.messages
    ):
        return True
    for item in handover.checklist:
        if not item.required or item.side not in sides:
            continue
        if code not in recognise(f"{item.key} {item.text}"):
            continue
        if limit is None:
            return True
        if item.due is not None:
            if _within(item.due, limit):
                return True
        else:
            said = spoken_deadline(item.text)
            if said is not None and said <= limit:
                return True
    return False


class _Norway:
    """One run of the rules over one index: the shared edge classes, computed once."""

    def __init__(self, index: GraphIndex, stays: Stays, deadlines: Mapping[str, timedelta]) -> None:
        self.index = index
        self.deadlines = deadlines
        self.stays = stays
        steps, targets = index.steps, index.targets
        self.municipal = stays.municipal
        self.to_care = [edge for edge in stays.discharges if _municipal_care(steps[targets[edge]])]
        transitions = index.transitions
        # Only transitions with a handover can send anything.
        self.in_stay = [
            edge
            for edge, (source, target) in enumerate(zip(index.sources, targets, strict=True))
            if stays.stay[source] and stays.stay[target] and transitions[edge].handover is not None
        ]
        self._named: dict[int, frozenset[str]] = {}
        self._answers: dict[tuple[int, str, timedelta | None, Level, Level], bool] = {}

    # -- helpers ------------------------------------------------------------------------

    def _ends(self, edge: int) -> tuple[Transition, Step, Step]:
        index = self.index
        return (
            index.transitions[edge],
            index.steps[index.sources[edge]],
            index.steps[index.targets[edge]],
        )

    def _names(self, handover: Handover) -> frozenset[str]:
        """Every code ``handover`` names anywhere (handovers are often shared objects)."""
        named = self._named.get(id(handover))
        if named is None:
            texts = [*handover.messages, *(f"{i.key} {i.text}" for i in handover.checklist)]
            named = frozenset().union(*map(recognise, texts))
            self._named[id(handover)] = named
        return named

    def _sends(self, edge: int, code: str, limit: timedelta | None) -> bool:
        index = self.index
        handover = index.transitions[edge].handover
        if handover is None or code not in self._names(handover):
            return False
        source, target = (
            index.steps[index.sources[edge]].level,
            index.steps[index.targets[edge]].level,
        )
        asked = (id(handover), code, limit, source, target)
        answer = self._answers.get(asked)
        if answer is None:
            if source is target and handover.deadline is None:
                # Within one level a handover needs no deadline: what it names goes with
                # the transition itself.
                handover = dataclasses.replace(handover, deadline="PT0H")
            answer = sends(handover, code, _sides(code, source, target), limit)
            self._answers[asked] = answer
        return answer

    def _marked(self, code: str, limit: timedelta | None) -> bytearray:
        """1 for each transition inside a stay that sends ``code`` within ``limit``."""
        marks = bytearray(len(self.index.transitions))
        for edge in self.in_stay:
            if self._sends(edge, code, limit):
                marks[edge] = 1
        return marks

    def _without(self, seeds: list[int], code: str, limit: timedelta | None) -> bytearray:
        """Steps of a stay reached from ``seeds`` on a way that does not send ``code``."""
        return self.index.reach_avoiding(seeds, self._marked(code, limit), allowed=self.stays.stay)

    def _finding(self, code: str, edge: int, texts: Mapping[str, str]) -> Finding:
        index = self.index
        return finding(
            code,
            texts,
            steps=(index.steps[index.sources[edge]].key, index.steps[index.targets[edge]].key),
            transitions=(index.transitions[edge].key,),
        )

    # -- admissions ---------------------------------------------------------------------

    def admission_notice(self) -> list[Finding]:
        index, limit = self.index, self.deadlines["admission_notice"]
        leaving = [index.sources[edge] for edge in self.to_care]
        # Steps of a stay from which a discharge to care follows on a way without the notice.
        unnoticed = index.reach_avoiding(
            leaving,
            self._marked("LOG_INNLAGT", limit),
            reverse=True,
            allowed=self.stays.stay,
        )
        found = []
        for edge in self.stays.admissions:
            if unnoticed[index.targets[edge]] and not self._sends(edge, "LOG_INNLAGT", limit):
                texts = messages.no_admission_notice(*self._ends(edge), limit)
                found.append(self._finding("no-admission-notice", edge, texts))
        return found

    def admission_information(self) -> list[Finding]:
        found = []
        for edge in self.stays.admissions:
            transition, source, target = self._ends(edge)
            if not _with_services(source):
                continue
            if not (
                self._sends(edge, "INNLEGGELSESRAPPORT", None)
                or self._sends(edge, "LEGEMIDDELLISTE", None)
            ):
                texts = messages.no_admission_information(transition, source, target)
                found.append(self._finding("no-admission-information", edge, texts))
        return found

    # -- discharges ---------------------------------------------------------------------

    def _admitted(self) -> list[int]:
        return [self.index.targets[edge] for edge in self.stays.admissions]

    def ready_notice(self) -> list[Finding]:
        index, limit = self.index, self.deadlines["ready_notice"]
        unready = self._without(self._admitted(), "LOG_UTSKRIVNINGSKLAR", limit)
        found = []
        for edge in self.to_care:
            if unready[index.sources[edge]] and not self._sends(
                edge, "LOG_UTSKRIVNINGSKLAR", limit
            ):
                texts = messages.no_ready_notice(*self._ends(edge), limit)
                found.append(self._finding("no-ready-notice", edge, texts))
        return found

    def municipal_reply(self) -> list[Finding]:
        index, limit = self.index, self.deadlines["municipal_reply"]
        noticed = [
            index.targets[edge]
            for edge in self.in_stay
            if self._sends(edge, "LOG_UTSKRIVNINGSKLAR", None)
        ]
        nowhere = bytearray(len(index.steps))
        after_notice = index.reach(noticed, allowed=self.stays.stay) if noticed else nowhere
        unanswered = self._without(noticed, "LOG_TILBAKEMELDING", limit) if noticed else nowhere
        found = []
        for edge in self.to_care:
            source = index.sources[edge]
            asked_here = (
                self._sends(edge, "LOG_UTSKRIVNINGSKLAR", None) and not after_notice[source]
            )
            if (unanswered[source] or asked_here) and not self._sends(
                edge, "LOG_TILBAKEMELDING", limit
            ):
                texts = messages.no_municipal_reply(*self._ends(edge), limit)
                found.append(self._finding("no-municipal-reply", edge, texts))
        return found

    def discharge_information(self) -> list[Finding]:
        index, limit = self.index, self.deadlines["discharge_information"]
        steps, targets = index.steps, index.targets
        care = set(self.to_care)
        discharges = set(self.stays.discharges)
        found = []
        for edge in sorted((*discharges, *self.stays.outpatient_returns)):
            if steps[targets[edge]].kind is StepKind.DEATH:
                continue
            if edge in care:
                missing = [
                    part
                    for part, code in (("epikrise", "EPIKRISE"), ("medication", "LEGEMIDDELLISTE"))
                    if not self._sends(edge, code, limit)
                ]
            elif edge in discharges:
                missing = [] if self._sends(edge, "EPIKRISE", limit) else ["epikrise"]
            else:
                noted = self._sends(edge, "EPIKRISE", limit) or self._sends(
                    edge, "POLIKLINISK_NOTAT", limit
                )
                missing = [] if noted else ["outpatient_note"]
            if missing:
                texts = messages.no_discharge_information(*self._ends(edge), limit, missing)
                found.append(self._finding("no-discharge-information", edge, texts))
        return found

    def health_information(self) -> list[Finding]:
        index = self.index
        uninformed = self._without(self._admitted(), "HELSEOPPL_SOKNAD", None)
        found = []
        for edge in self.to_care:
            if uninformed[index.sources[edge]] and not self._sends(edge, "HELSEOPPL_SOKNAD", None):
                texts = messages.no_health_information(*self._ends(edge))
                found.append(self._finding("no-health-information", edge, texts))
        return found

    def discharged_notice(self) -> list[Finding]:
        limit = self.deadlines["discharged_notice"]
        found = []
        for edge in self.to_care:
            if not self._sends(edge, "LOG_UTSKREVET", limit):
                texts = messages.no_discharged_notice(*self._ends(edge), limit)
                found.append(self._finding("no-discharged-notice", edge, texts))
        return found

    def withdrawal_notice(self) -> list[Finding]:
        index = self.index
        ready = [edge for edge in self.in_stay if self._sends(edge, "LOG_UTSKRIVNINGSKLAR", None)]
        if not ready:
            return []
        # Readiness lapses when a way leads from after the notice back to where it was
        # declared (treatment again, then a new decision), with no withdrawal on it.
        declared = [index.sources[edge] for edge in ready]
        lapses = index.reach_avoiding(
            declared,
            self._marked("LOG_AVMELDING", None),
            reverse=True,
            allowed=self.stays.stay,
        )
        found = []
        for edge in ready:
            if lapses[index.targets[edge]]:
                texts = messages.no_withdrawal_notice(*self._ends(edge))
                found.append(self._finding("no-withdrawal-notice", edge, texts))
        return found

    # -- after discharge ----------------------------------------------------------------

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
        discharges = [
            edge
            for edge in self.stays.discharges
            if steps[targets[edge]].kind is not StepKind.DEATH
        ]
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
        timed = {targets[edge] for edge in discharges if not bypass[targets[edge]]}
        earliest = self._earliest_gp(gp_steps, timed) if timed and gp_steps else {}
        found = []
        for edge in discharges:
            transition, source, target = self._ends(edge)
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
        index, stays = self.index, self.stays
        returning = [
            index.sources[edge] for edge in (*stays.admissions, *stays.outpatient_arrivals)
        ]
        can_return = index.reach(returning, reverse=True, allowed=self.municipal)
        # Home is one place, however many steps draw it: a discharge home (straight, or
        # by the GP) can take the way back that starts at home. A discharge to municipal
        # care needs its own way back, from the care.
        homes = [number for number, step in enumerate(index.steps) if step.kind is StepKind.HOME]
        home_returns = any(can_return[home] for home in homes)
        goes_home = (
            index.reach(homes, reverse=True, allowed=self.municipal) if home_returns else None
        )
        care = set(self.to_care)
        found = []
        for edge in stays.discharges:
            target = index.steps[index.targets[edge]]
            if target.kind is StepKind.DEATH:
                continue
            if goes_home is not None and edge not in care and goes_home[index.targets[edge]]:
                continue
            if not can_return[index.targets[edge]]:
                texts = messages.no_readmission_path(*self._ends(edge))
                found.append(self._finding("no-readmission-path", edge, texts))
        return found


def check_norway(
    index: GraphIndex, stays: Stays, deadlines: Mapping[str, timedelta]
) -> list[Finding]:
    """The findings of the ``norway`` rules on the indexed pathway (whose transitions
    ``stays`` reads), rule by rule.

    ``deadlines`` holds every name of :data:`~pathways.gaps.rules.DEFAULT_DEADLINES`
    (see :func:`~pathways.gaps.rules.resolve_deadlines`).
    """
    run = _Norway(index, stays, deadlines)
    return [
        *run.admission_notice(),
        *run.admission_information(),
        *run.ready_notice(),
        *run.municipal_reply(),
        *run.discharge_information(),
        *run.health_information(),
        *run.discharged_notice(),
        *run.withdrawal_notice(),
        *run.gp_follow_up(),
        *run.readmission_path(),
    ]
