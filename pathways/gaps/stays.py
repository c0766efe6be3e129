"""How a coordinator reads the transitions between the levels: stays, visits, case handling.

A transition between a municipal and a hospital step is not always an admission or a
discharge. This module reads a pathway's graph the way the people who wrote it mean it:

*case handling during a stay*
    a group of municipal steps, joined by municipal transitions, that only handle the
    case (every step of kind ``assessment``, ``decision``, ``referral`` or ``other``:
    none receives or treats the patient), that a transition from the hospital enters and
    from which a transition leads back to the hospital. That is the municipality's
    *tildelingskontor* deciding services on the hospital's application while the patient
    is still in hospital, however many steps it draws and whether or not it also handles
    applications from home. The patient never leaves the stay; the transitions between
    such a group and the hospital are ``case_handling``, neither admission nor discharge.
    (A group with a ``reception`` or ``treatment`` step, say a short-term bed between two
    stays, is municipal care: the patient was discharged to it and is admitted again.)
*the stay*
    the hospital steps and the municipal case-handling steps: the steps a patient is in
    while the hospital has them (:attr:`Stays.stay`).
*arrival* and *departure*
    a transition from a municipal step outside the stay into the hospital, and one from
    the stay to a municipal step outside it.
*inpatient steps*
    hospital steps of kind ``admission``, ``treatment`` or ``discharge``.
*outpatient visit*
    an arrival into a hospital step of kind ``outpatient`` or ``follow_up`` from which no
    inpatient step can be reached within the stay (a poliklinisk control), and a
    departure from a hospital step that no inpatient step leads to within the stay, when
    an outpatient arrival does. No admission or ready-for-discharge notices belong to it;
    an epikrise or a poliklinisk notat to the GP does (helsepersonelloven § 45a). A
    clinic that may admit the patient is an admission (the notice is due on the way to
    the inpatient step), and its way home without admission is still a visit.
*admission* and *discharge*
    the other arrivals, and the departures that an inpatient step leads to within the
    stay (a departure that nothing leads to, in an unfinished draft, is read as a
    discharge).

All of it takes a few linear searches over the :class:`~pathways.gaps.index.GraphIndex`.
"""

from __future__ import annotations

from dataclasses import dataclass

from pathways.gaps.index import GraphIndex
from pathways.model import StepKind

__all__ = ["Stays"]

_CASE_WORK = (StepKind.ASSESSMENT, StepKind.DECISION, StepKind.REFERRAL, StepKind.OTHER)
_OUTPATIENT = (StepKind.OUTPATIENT, StepKind.FOLLOW_UP)
_INPATIENT = (StepKind.ADMISSION, StepKind.TREATMENT, StepKind.DISCHARGE)


@dataclass(frozen=True, slots=True, eq=False)
class Stays:
    """The cross-level transitions of one pathway, sorted by what they are (edge
    numbers of the index, in document order)."""

    stay: bytearray
    """1 for a step of a stay: a hospital step or a municipal case-handling step."""
    municipal: bytearray
    """1 for a municipal step (case handling included)."""
    admissions: list[int]
    discharges: list[int]
    outpatient_arrivals: list[int]
    outpatient_returns: list[int]
    case_handling: list[int]

    @classmethod
    def of(cls, index: GraphIndex) -> Stays:
        steps, hospital = index.steps, index.hospital
        sources, targets = index.sources, index.targets
        municipal = hospital.translate(bytes.maketrans(b"\x00\x01", b"\x01\x00"))
        stay = bytearray(hospital)
        for step in _case_handling(index, hospital):
            stay[step] = 1
        arrivals: list[int] = []
        departures: list[int] = []
        case_handling: list[int] = []
        for edge in index.cross_level:
            source, target = sources[edge], targets[edge]
            if stay[source] and stay[target]:
                case_handling.append(edge)
            elif stay[target]:
                arrivals.append(edge)
            else:
                departures.append(edge)
        inpatient = [
            number
            for number, step in enumerate(steps)
            if hospital[number] and step.kind in _INPATIENT
        ]
        visits = [edge for edge in arrivals if steps[targets[edge]].kind in _OUTPATIENT]
        outpatient_arrivals: list[int] = []
        returns: list[int] = []
        if visits:  # searches only when there is a visit to tell from a stay
            leads_to_inpatient = index.reach(inpatient, reverse=True, allowed=stay)
            outpatient_arrivals = [edge for edge in visits if not leads_to_inpatient[targets[edge]]]
            after_inpatient = index.reach(inpatient, allowed=stay)
            visit = index.reach([targets[edge] for edge in visits], allowed=stay)
            returns = [
                edge
                for edge in departures
                if visit[sources[edge]] and not after_inpatient[sources[edge]]
            ]
        back = set(returns)
        outpatient = set(outpatient_arrivals)
        return cls(
            stay=stay,
            municipal=municipal,
            admissions=[edge for edge in arrivals if edge not in outpatient],
            discharges=[edge for edge in departures if edge not in back],
            outpatient_arrivals=outpatient_arrivals,
            outpatient_returns=returns,
            case_handling=case_handling,
        )

    def kind_of(self) -> dict[int, str]:
        """Each cross-level edge's kind (:data:`pathways.model.HANDOVER_KINDS`)."""
        kinds = dict.fromkeys(self.admissions, "admission")
        kinds.update(dict.fromkeys(self.discharges, "discharge"))
        kinds.update(dict.fromkeys(self.outpatient_arrivals, "outpatient"))
        kinds.update(dict.fromkeys(self.outpatient_returns, "outpatient"))
        kinds.update(dict.fromkeys(self.case_handling, "case_handling"))
        return kinds


def _case_handling(index: GraphIndex, hospital: bytearray) -> list[int]:
    """The municipal steps of case handling during a stay (see the module docstring)."""
    steps = index.steps
    work = bytearray(
        1 if not on_hospital and step.kind in _CASE_WORK else 0
        for on_hospital, step in zip(hospital, steps, strict=True)
    )
    # Union-find over the transitions between case-work steps: linear, and a group is
    # judged as a whole.
    parent = list(range(len(steps)))

    def root(step: int) -> int:
        while parent[step] != step:
            parent[step] = parent[parent[step]]
            step = parent[step]
        return step

    sources, targets = index.sources, index.targets
    for source, target in zip(sources, targets, strict=True):
        if work[source] and work[target]:
            parent[root(source)] = root(target)
    entered = {
        root(target)
        for source, target in zip(sources, targets, strict=True)
        if work[target] and hospital[source]
    }
    left = {
        root(source)
        for source, target in zip(sources, targets, strict=True)
        if work[source] and hospital[target]
    }
    groups = entered & left
    if not groups:
        return []
    return [number for number in range(len(steps)) if work[number] and root(number) in groups]
