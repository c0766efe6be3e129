"""Synthetic handover logs of a pathway, for tests, benchmarks and the demo.

:func:`synthetic_episodes` walks a pathway's graph from a home step, as patients do,
with each step taking about its expected duration. At each handover it sends every
required message and checklist item (:func:`pathways.conformance.plan_of`) on time,
late (after its deadline) or not at all, drawn per requirement; some episodes leave the
pathway (a step it does not have, in place of a transition). Each episode says what a
conformance check must find in it (:attr:`SyntheticEpisode.expected`). Seeded by
``random.Random(seed)``: the same arguments give the same log, byte for byte.

>>> from importlib.resources import files
>>> from pathways.document import parse_document
>>> pathway = parse_document(files("pathways.examples").joinpath("hip-fracture.json").read_bytes())
>>> first = next(synthetic_episodes(pathway, episodes=1, seed=7))
>>> first == next(synthetic_episodes(pathway, episodes=1, seed=7))
True
"""

from __future__ import annotations

import csv
import io
import json
import random
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO
from xml.sax.saxutils import quoteattr

from pathways.conformance import NORWAY, REPLY, due_at, plan_of
from pathways.durations import parse_duration
from pathways.handover_log import COLUMNS, HandoverEvent, LogFormat
from pathways.model import Level, Pathway, StepKind

__all__ = ["OFF_PATHWAY_STEP", "Expected", "SyntheticEpisode", "synthetic_episodes", "write_log"]

OFF_PATHWAY_STEP = "off-pathway"
"""The step an episode that leaves the pathway goes through (no pathway has it)."""
_DEFAULT_START = datetime(2024, 1, 1, 8, 0, tzinfo=NORWAY)


@dataclass(frozen=True, slots=True)
class Expected:
    """What a conformance check must find for one requirement of one handover."""

    transition: str
    kind: str
    code: str
    outcome: str
    """``on_time``, ``late`` or ``missing``."""


@dataclass(slots=True)
class SyntheticEpisode:
    episode: str
    municipality: str
    events: list[HandoverEvent] = field(default_factory=list)
    expected: list[Expected] = field(default_factory=list)
    left_pathway: bool = False


def _route(pathway: Pathway, rng: random.Random) -> list[str]:
    targets = {t.target for t in pathway.transitions}
    homes = [s.key for s in pathway.steps if s.kind is StepKind.HOME and s.key not in targets]
    starts = homes or [pathway.steps[0].key]
    outgoing: dict[str, list[str]] = {}
    for transition in pathway.transitions:
        outgoing.setdefault(transition.source, []).append(transition.target)
    route = [rng.choice(starts)]
    while len(route) < 50:
        step = pathway.step(route[-1])
        if len(route) > 1 and step.kind in (StepKind.HOME, StepKind.DEATH):
            break
        choices = [t for t in outgoing.get(route[-1], []) if t not in route]
        if not choices:
            break
        route.append(rng.choice(choices))
    return route


def _duration(text: str | None, rng: random.Random) -> int:
    try:
        seconds = parse_duration(text).total_seconds() if text else 7200.0
    except ValueError:
        seconds = 7200.0
    return max(300, int(seconds * rng.uniform(0.5, 1.5)))


def synthetic_episodes(
    pathway: Pathway,
    *,
    episodes: int,
    seed: int,
    start: datetime = _DEFAULT_START,
    days: int = 30,
    hospital: str = "974795787",
    municipalities: Sequence[str] = ("K-4601", "K-4626", "K-4627"),
    late: float = 0.1,
    missing: float = 0.05,
    leave: float = 0.03,
    prefix: str = "ep",
) -> Iterator[SyntheticEpisode]:
    """``episodes`` episodes through ``pathway``, starting over ``days`` days from
    ``start``; each requirement late with probability ``late``, missing with ``missing``;
    each episode leaving the pathway with ``leave``. Organisations are named by
    ``hospital`` and ``municipalities`` (one drawn per episode)."""
    rng = random.Random(seed)  # noqa: S311 (reproducible test data, no secret)
    plan = plan_of(pathway)
    first = int(start.timestamp())
    for number in range(episodes):
        municipality = rng.choice(municipalities)
        org = {Level.HOSPITAL: hospital, Level.MUNICIPALITY: municipality}
        episode = SyntheticEpisode(f"{prefix}{number:07d}", municipality)
        route = _route(pathway, rng)
        at = first + rng.randrange(days * 86_400)
        times = []
        for key in route:
            times.append(at)
            at += _duration(pathway.step(key).expected_duration, rng)
        detour = -1
        if len(route) > 1 and rng.random() < leave:
            detour = rng.randrange(len(route) - 1)
            episode.left_pathway = True

        def emit(
            kind: str,
            code: str,
            when: int,
            sender: str,
            receiver: str,
            answer: str = "",
            episode: SyntheticEpisode = episode,
        ) -> None:
            episode.events.append(
                HandoverEvent(
                    episode.episode,
                    kind,
                    code,
                    when,
                    sender,
                    receiver,
                    answer,
                    len(episode.events) + 1,
                )
            )

        for index, key in enumerate(route):
            emit("step", key, times[index], org[plan.steps[key]], "")
            if index == detour:
                middle = (times[index] + times[index + 1]) // 2
                emit("step", OFF_PATHWAY_STEP, middle, org[plan.steps[key]], "")
        for index in range(len(route) - 1):
            if index == detour:
                continue
            transition = plan.edges[(route[index], route[index + 1])]
            requirements = plan.requirements.get(transition.key, ())
            source_at, target_at = times[index], times[index + 1]
            ready_at = None
            for requirement in sorted(
                requirements, key=lambda r: (r.anchor != "source", r.kind != "message")
            ):
                draw = rng.random()
                outcome = (
                    "missing" if draw < missing else "late" if draw < missing + late else "on_time"
                )
                if requirement.deadline is None and outcome == "late":
                    outcome = "on_time"
                anchor = {"source": source_at, "reply": ready_at or source_at}.get(
                    requirement.anchor, target_at
                )
                episode.expected.append(
                    Expected(transition.key, requirement.kind, requirement.code, outcome)
                )
                if outcome == "missing":
                    continue
                if requirement.deadline is None:
                    when = anchor + rng.randrange(1, 7200)
                else:
                    due = due_at(anchor, requirement.deadline)
                    if outcome == "on_time":
                        when = anchor + rng.randrange(0, max(1, due - anchor))
                    else:
                        when = due + rng.randrange(600, 2 * 86_400)
                if requirement.anchor == "source" and ready_at is None:
                    ready_at = when
                sender = org[requirement.level]
                receiver = org[
                    Level.MUNICIPALITY if requirement.level is Level.HOSPITAL else Level.HOSPITAL
                ]
                answer = ""
                if requirement.kind == "message" and requirement.code == REPLY:
                    answer = "yes" if rng.random() < 0.7 else "no"
                emit(requirement.kind, requirement.code, when, sender, receiver, answer)
            # The municipality's reply where this handover does not list it: it decides
            # the payment days all the same (most municipalities answer).
            if (
                transition.key in plan.payable
                and ready_at is not None
                and not any(r.kind == "message" and r.code == REPLY for r in requirements)
                and rng.random() < 0.85
            ):
                answer = "yes" if rng.random() < 0.7 else "no"
                when = ready_at + rng.randrange(0, 6 * 3600)
                emit("message", REPLY, when, municipality, hospital, answer)
        episode.events.sort(key=lambda e: (e.at, e.row))
        yield episode


def _iso(at: int) -> str:
    return datetime.fromtimestamp(at, NORWAY).isoformat()


def write_log(episodes: Iterable[SyntheticEpisode], out: IO[bytes], form: LogFormat) -> int:
    """Write the events of ``episodes`` to ``out`` in ``form``; the number written."""
    text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=False)
    count = 0
    try:
        if form is LogFormat.CSV:
            writer = csv.writer(text, lineterminator="\n")
            writer.writerow(COLUMNS)
            for episode in episodes:
                for e in episode.events:
                    writer.writerow(
                        (e.episode, e.kind, e.code, _iso(e.at), e.sender, e.receiver, e.answer)
                    )
                    count += 1
        elif form is LogFormat.JSONL:
            for episode in episodes:
                for e in episode.events:
                    record = dict(
                        zip(
                            COLUMNS,
                            (e.episode, e.kind, e.code, _iso(e.at), e.sender, e.receiver, e.answer),
                            strict=True,
                        )
                    )
                    if not e.answer:
                        del record["answer"]
                    text.write(json.dumps(record, ensure_ascii=False) + "\n")
                    count += 1
        else:
            text.write(
                '<?xml version="1.0" encoding="UTF-8"?>\n'
                '<log xes.version="1849-2016" xmlns="http://www.xes-standard.org/">\n'
                '<extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>\n'
                '<extension name="Time" prefix="time" uri="http://www.xes-standard.org/time.xesext"/>\n'
            )
            for episode in episodes:
                text.write(
                    f'<trace><string key="concept:name" value={quoteattr(episode.episode)}/>\n'
                )
                for e in episode.events:
                    parts = [
                        f'<string key="concept:name" value={quoteattr(e.code)}/>',
                        f'<date key="time:timestamp" value="{_iso(e.at)}"/>',
                        f'<string key="h2h:type" value="{e.kind}"/>',
                        f'<string key="h2h:sender" value={quoteattr(e.sender)}/>',
                    ]
                    if e.receiver:
                        parts.append(f'<string key="h2h:receiver" value={quoteattr(e.receiver)}/>')
                    if e.answer:
                        parts.append(f'<string key="h2h:answer" value="{e.answer}"/>')
                    text.write("<event>" + "".join(parts) + "</event>\n")
                    count += 1
                text.write("</trace>\n")
            text.write("</log>\n")
    finally:
        text.flush()
        text.detach()
    return count
