"""Conformance: one episode's events held against the approved pathway.

:func:`plan_of` reads what a version requires at each handover once; :func:`check_episode`
maps an episode onto it and says, for every required message and checklist item of every
handover the episode passed, whether it came and whether in time. The database keeps
these results and aggregates them (share on time, median and 90th percentile delay per
handover, organisation and month); nothing here knows about it.

**The route.** The episode's ``step`` events, in time order (a step reported twice in a
row counts once), are its route. Two consecutive steps joined by a transition of the
pathway mean the episode took it, at the time the second step was reached; a step the
pathway does not have, or two steps no transition joins, mean the episode **left the
pathway** there (what it passed before and after is still checked).

**What a handover requires.** On each cross-level transition with a handover: each of its
``messages`` that is a catalogue message (a withdrawal, ``LOG_AVMELDING``, and a death
notice are sent only when they happen, so they are not required), and each checklist item
with ``required`` set. The side that must act is the message's sending level (the
catalogue's), or the item's side.

**By when.** Each requirement is counted from an anchor: the ready-for-discharge notice
(``LOG_UTSKRIVNINGSKLAR``, or an item that names it) from the moment the patient reached
the transition's *source* step (the doctor's decision); the municipality's reply
(``LOG_TILBAKEMELDING``, or an item that names it) from the moment the notice came; every
other one from the moment the transition was taken (the target step reached). A message's
deadline is the handover's ``deadline``; an item's is its ``due``, else a deadline its
text says in words ("innen 24 timer"); an item with neither is only checked for coming
at all. A deadline of zero is **the same day**: until midnight in Norway
(Europe/Oslo). An event answers a requirement when it has its code and came no earlier
than the day the source step was reached; each event answers one requirement, the
earliest first. The **delay** is the time from the anchor to its arrival (negative when
sent before: an epikrise ready before the patient leaves).

**Payment days** (forskrift om kommunal betaling for utskrivningsklare pasienter, § 11;
:func:`payment_days`): on a handover from the hospital to municipal care that requires
``LOG_UTSKRIVNINGSKLAR``, payment runs from the day the notice came (day 0) when the
municipality does not answer that day or answers ``no``, until the patient is discharged
(``LOG_UTSKREVET``, else the municipal step reached) or the notice is withdrawn
(``LOG_AVMELDING``), whichever comes first. The days counted are the calendar days in
Norway from the notice's day up to, **not including**, the discharge day: a patient ready
on Monday and discharged on Thursday costs three days (Monday, Tuesday, Wednesday); one
discharged the same day costs none. A reply on the notice's day that does not say ``no``
means the municipality could receive the patient: no payment days. Each day is priced at
the rate of its own year.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from pathways.durations import parse_duration
from pathways.handover_log import HandoverEvent, Vocabulary
from pathways.message_catalogue import CATALOGUE_BY_CODE, recognise, spoken_deadline
from pathways.model import Level, Pathway, Side, Transition

__all__ = [
    "NORWAY",
    "Check",
    "EpisodeResult",
    "Payment",
    "Plan",
    "Requirement",
    "check_episode",
    "day_of",
    "due_at",
    "month_of",
    "payment_days",
    "plan_of",
    "vocabulary_of",
]

NORWAY = ZoneInfo("Europe/Oslo")
"""Days and months are counted as they are in Norway."""

READY, REPLY, DISCHARGED, WITHDRAWN = (
    "LOG_UTSKRIVNINGSKLAR",
    "LOG_TILBAKEMELDING",
    "LOG_UTSKREVET",
    "LOG_AVMELDING",
)
_NOT_REQUIRED = frozenset({"withdrawn", "death"})
"""Moments of messages sent only when they happen: never missing."""


@dataclass(frozen=True, slots=True)
class Requirement:
    """One message or checklist item a handover requires."""

    kind: str
    """``message`` or ``item``."""
    code: str
    level: Level
    """The level that must act."""
    deadline: int | None
    """Seconds after the anchor (0: the same day); None: only checked for coming."""
    anchor: str
    """``source`` (the source step reached), ``reply`` (the ready notice came) or
    ``target`` (the transition taken)."""


@dataclass(frozen=True, slots=True)
class Plan:
    """What a version requires, read once: its transitions by (source, target) and the
    requirements of each handover."""

    steps: Mapping[str, Level]
    edges: Mapping[tuple[str, str], Transition]
    requirements: Mapping[str, tuple[Requirement, ...]]
    """By transition key; only cross-level transitions with a handover."""
    payable: frozenset[str]
    """Transitions from the hospital to municipal care that require the ready notice."""


def _seconds(text: str | None) -> int | None:
    if not text:
        return None
    try:
        return int(parse_duration(text).total_seconds())
    except ValueError:
        return None


def _anchor_of(codes: Iterable[str]) -> str:
    moments = {CATALOGUE_BY_CODE[code].moment for code in codes if code in CATALOGUE_BY_CODE}
    if "ready" in moments:
        return "source"
    if "reply" in moments:
        return "reply"
    return "target"


def plan_of(pathway: Pathway) -> Plan:
    """What ``pathway`` requires at its handovers (see the module's docstring)."""
    steps = {step.key: step.level for step in pathway.steps}
    edges = {(t.source, t.target): t for t in pathway.transitions}
    requirements: dict[str, tuple[Requirement, ...]] = {}
    payable: set[str] = set()
    for transition in pathway.transitions:
        handover = transition.handover
        if handover is None or not pathway.is_cross_level(transition):
            continue
        source, target = steps[transition.source], steps[transition.target]
        found: list[Requirement] = []
        seen: set[str] = set()
        for text in handover.messages:
            code = text if text in CATALOGUE_BY_CODE else None
            if code is None:
                named = recognise(text)
                code = next(iter(named)) if len(named) == 1 else None
            if code is None or code in seen:
                continue
            message = CATALOGUE_BY_CODE[code]
            if message.moment in _NOT_REQUIRED:
                continue
            seen.add(code)
            found.append(
                Requirement(
                    "message",
                    code,
                    message.sender or source,
                    _seconds(handover.deadline),
                    _anchor_of([code]),
                )
            )
        for item in handover.checklist:
            if not item.required:
                continue
            due = _seconds(item.due)
            if due is None:
                spoken = spoken_deadline(item.text)
                due = int(spoken.total_seconds()) if spoken is not None else None
            level = source if item.side is Side.SENDER else target
            found.append(
                Requirement("item", item.key, level, due, _anchor_of(recognise(item.text)))
            )
        requirements[transition.key] = tuple(found)
        if (
            source is Level.HOSPITAL
            and target is Level.MUNICIPALITY
            and any(r.kind == "message" and r.code == READY for r in found)
        ):
            payable.add(transition.key)
    return Plan(steps, edges, requirements, frozenset(payable))


def vocabulary_of(pathway: Pathway) -> Vocabulary:
    """The step keys and checklist item keys a log of ``pathway`` may name."""
    items = {
        item.key
        for transition in pathway.transitions
        if transition.handover is not None
        for item in transition.handover.checklist
    }
    return Vocabulary(frozenset(step.key for step in pathway.steps), frozenset(items))


def day_of(at: int) -> date:
    """The calendar day in Norway of ``at`` (seconds since the epoch)."""
    return datetime.fromtimestamp(at, NORWAY).date()


def month_of(at: int) -> str:
    """``YYYY-MM`` of ``at`` in Norway."""
    return datetime.fromtimestamp(at, NORWAY).strftime("%Y-%m")


def _midnight(day: date) -> int:
    return int(datetime.combine(day, time(0), NORWAY).timestamp())


def due_at(anchor: int, deadline: int) -> int:
    """The last second that is in time: ``anchor + deadline``, or for a deadline of zero
    (the same day) the last second of the anchor's day in Norway."""
    if deadline <= 0:
        return _midnight(day_of(anchor) + timedelta(days=1)) - 1
    return anchor + deadline


@dataclass(frozen=True, slots=True)
class Check:
    """One requirement of one handover of one episode: did it come, and in time?"""

    transition: str
    kind: str
    code: str
    organization: str
    """The organisation that had to act (the sender when it came; else the episode's
    organisation of that level; "" when the log never names one)."""
    month: str
    """``YYYY-MM`` in Norway of the handover."""
    anchor: int
    due: int | None
    arrived: int | None
    delay: int | None
    on_time: bool


@dataclass(frozen=True, slots=True)
class Payment:
    """Days of one episode in one year the municipality pays for."""

    municipality: str
    year: int
    days: int


@dataclass(slots=True)
class EpisodeResult:
    episode: str
    route: tuple[str, ...]
    left_pathway: bool
    off_route: tuple[str, ...]
    """Steps the pathway does not have, and ``a>b`` for two steps no transition joins."""
    hospital: str
    municipality: str
    month: str
    """``YYYY-MM`` of the episode's first event."""
    checks: list[Check] = field(default_factory=list)
    payments: list[Payment] = field(default_factory=list)


def _organizations(plan: Plan, events: Sequence[HandoverEvent]) -> dict[Level, str]:
    found: dict[Level, str] = {}
    for event in events:
        if event.kind == "message":
            level = CATALOGUE_BY_CODE[event.code].sender
            if level is not None:
                other = Level.MUNICIPALITY if level is Level.HOSPITAL else Level.HOSPITAL
                found.setdefault(level, event.sender)
                found.setdefault(other, event.receiver)
        elif event.kind == "step" and event.code in plan.steps and event.sender:
            found.setdefault(plan.steps[event.code], event.sender)
        if len(found) == 2:
            break
    return found


class _Inbox:
    """An episode's messages and items by (kind, code), in time order; each answers one
    requirement."""

    def __init__(self, events: Sequence[HandoverEvent]) -> None:
        by_code: dict[tuple[str, str], list[HandoverEvent]] = defaultdict(list)
        for event in events:
            if event.kind != "step":
                by_code[(event.kind, event.code)].append(event)
        self.events = by_code
        self.times = {key: [e.at for e in found] for key, found in by_code.items()}
        self.used: set[int] = set()

    def take(
        self, kind: str, code: str, floor: int, ceiling: int | None = None
    ) -> HandoverEvent | None:
        """The earliest unused event of ``kind`` and ``code`` at or after ``floor`` and
        before ``ceiling`` (where a later handover requiring the same begins)."""
        found = self.events.get((kind, code))
        if not found:
            return None
        index = bisect_left(self.times[(kind, code)], floor)
        for event in found[index:]:
            if ceiling is not None and event.at >= ceiling:
                return None
            if id(event) not in self.used:
                self.used.add(id(event))
                return event
        return None

    def first(self, code: str, floor: int, before: int | None = None) -> HandoverEvent | None:
        for event in self.events.get(("message", code), ()):
            if event.at >= floor and (before is None or event.at < before):
                return event
        return None


def _source_first(requirement: Requirement) -> tuple[bool, bool]:
    return requirement.anchor != "source", requirement.kind != "message"


def _ceilings(
    passed: Sequence[tuple[Transition, int, int, tuple[Requirement, ...]]],
) -> dict[tuple[int, str, str], int]:
    """For each handover passed (by index) and requirement, where the next handover
    passed that requires the same begins: the day its source step was reached."""
    ceilings: dict[tuple[int, str, str], int] = {}
    next_floor: dict[tuple[str, str], int] = {}
    for index in range(len(passed) - 1, -1, -1):
        _, source_at, _, requirements = passed[index]
        floor = _midnight(day_of(source_at))
        for requirement in requirements:
            key = (requirement.kind, requirement.code)
            if key in next_floor:
                ceilings[(index, *key)] = next_floor[key]
        for requirement in requirements:
            next_floor[(requirement.kind, requirement.code)] = floor
    return ceilings


def check_episode(plan: Plan, episode: str, events: Sequence[HandoverEvent]) -> EpisodeResult:
    """Map one episode's events (any order) onto ``plan``: its route, whether it left the
    pathway, a :class:`Check` per requirement of each handover it passed, and its payment
    days."""
    ordered = sorted(events, key=lambda e: (e.at, e.row))
    organizations = _organizations(plan, ordered)
    route: list[tuple[str, int]] = []
    for reached in ordered:
        if reached.kind == "step" and (not route or route[-1][0] != reached.code):
            route.append((reached.code, reached.at))
    off: list[str] = [key for key, _ in route if key not in plan.steps]
    result = EpisodeResult(
        episode=episode,
        route=tuple(key for key, _ in route),
        left_pathway=False,
        off_route=(),
        hospital=organizations.get(Level.HOSPITAL, ""),
        municipality=organizations.get(Level.MUNICIPALITY, ""),
        month=month_of(ordered[0].at) if ordered else "",
    )
    inbox = _Inbox(ordered)
    passed: list[tuple[Transition, int, int, tuple[Requirement, ...]]] = []
    for (source, source_at), (target, target_at) in pairwise(route):
        transition = plan.edges.get((source, target))
        if transition is None:
            if source in plan.steps and target in plan.steps:
                off.append(f"{source}>{target}")
            continue
        requirements = plan.requirements.get(transition.key)
        if requirements is None:
            continue
        passed.append((transition, source_at, target_at, requirements))
    ceilings = _ceilings(passed)
    for index, (transition, source_at, target_at, requirements) in enumerate(passed):
        floor = _midnight(day_of(source_at))
        month = month_of(target_at)
        ready_at: int | None = None
        taken: list[tuple[Requirement, HandoverEvent | None]] = []
        for requirement in sorted(requirements, key=_source_first):
            ceiling = ceilings.get((index, requirement.kind, requirement.code))
            event = inbox.take(requirement.kind, requirement.code, floor, ceiling)
            taken.append((requirement, event))
            if event is not None and requirement.anchor == "source" and ready_at is None:
                ready_at = event.at
        for requirement, event in taken:
            anchor = {"source": source_at, "reply": ready_at or source_at}.get(
                requirement.anchor, target_at
            )
            due = None if requirement.deadline is None else due_at(anchor, requirement.deadline)
            arrived = event.at if event is not None else None
            if event is not None and requirement.kind == "message":
                organization = event.sender
            else:
                organization = organizations.get(requirement.level, "")
            result.checks.append(
                Check(
                    transition=transition.key,
                    kind=requirement.kind,
                    code=requirement.code,
                    organization=organization,
                    month=month,
                    anchor=anchor,
                    due=due,
                    arrived=arrived,
                    delay=None if arrived is None else arrived - anchor,
                    on_time=arrived is not None and (due is None or arrived <= due),
                )
            )
        if transition.key in plan.payable:
            notice = next(
                (e for r, e in taken if r.kind == "message" and r.code == READY and e), None
            )
            if notice is not None:
                result.payments += payment_days(
                    notice,
                    reply=inbox.first(REPLY, notice.at),
                    discharged=inbox.first(DISCHARGED, notice.at),
                    withdrawn=inbox.first(WITHDRAWN, notice.at),
                    arrived_at=target_at,
                )
    result.left_pathway = bool(off)
    result.off_route = tuple(dict.fromkeys(off))
    return result


def payment_days(
    notice: HandoverEvent,
    *,
    reply: HandoverEvent | None,
    discharged: HandoverEvent | None,
    withdrawn: HandoverEvent | None,
    arrived_at: int,
) -> list[Payment]:
    """The days, per year, the notified municipality pays for a patient ready for
    discharge (the rule is in the module's docstring).

    >>> def at(text): return int(datetime.fromisoformat(text).timestamp())
    >>> notice = HandoverEvent("e", "message", READY, at("2024-12-30T14:00+01:00"), "HF", "K")
    >>> payment_days(notice, reply=None, discharged=None, withdrawn=None,
    ...              arrived_at=at("2025-01-02T11:00+01:00"))
    [Payment(municipality='K', year=2024, days=2), Payment(municipality='K', year=2025, days=1)]
    """
    ready_day = day_of(notice.at)
    if reply is not None and day_of(reply.at) == ready_day and reply.answer != "no":
        return []
    end = discharged.at if discharged is not None else arrived_at
    if withdrawn is not None and withdrawn.at < end:
        end = withdrawn.at
    last_day = day_of(end)
    days: dict[int, int] = defaultdict(int)
    day = ready_day
    while day < last_day:
        days[day.year] += 1
        day += timedelta(days=1)
    return [Payment(notice.receiver, year, count) for year, count in sorted(days.items())]
