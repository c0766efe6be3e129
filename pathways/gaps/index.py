"""A lean, read-only index of a pathway's graph, built once per gap analysis.

The gap rules need reachability over graphs of up to 10^5 steps in well under a second.
Building a networkx ``DiGraph`` (:func:`pathways.graph.to_digraph`) costs several times
more than the traversals themselves, so the rules work on this index instead: steps are
numbered in document order and the transitions are stored as compressed adjacency arrays
(CSR) in both directions. Every traversal is a single multi-source search, linear in the
size of the graph; no rule traverses once per step.

Transitions whose ``source`` or ``target`` names no step (a malformed draft that
:func:`pathways.validation.validate_pathway` would refuse) are left out of the index.

>>> from pathways.model import Level, Pathway, PathwayInfo, Step, StepKind, Transition
>>> p = Pathway(
...     PathwayInfo("t"),
...     steps=(Step("home", "Home", Level.MUNICIPALITY, StepKind.HOME),
...            Step("ed", "ED", Level.HOSPITAL, StepKind.ADMISSION)),
...     transitions=(Transition("admit", "home", "ed"),),
... )
>>> index = GraphIndex.of(p)
>>> list(index.reach([0]))
[1, 1]
>>> index.cross_level
[0]
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import accumulate
from operator import attrgetter
from typing import cast

from pathways.model import Level, Pathway, Step, Transition

__all__ = ["GraphIndex"]

_KEY = attrgetter("key")
_SOURCE = attrgetter("source")
_TARGET = attrgetter("target")


def _csr(
    count: int, heads: Sequence[int], tails: Sequence[int]
) -> tuple[list[int], list[int], list[int]]:
    """Compressed adjacency: the neighbours of ``v`` are ``flat[offsets[v]:offsets[v + 1]]``
    and ``edges`` holds, at the same positions, the edges that lead to them.

    Flat integer lists instead of one list per step: far fewer objects for the garbage
    collector to track, which matters at 10^5 steps.
    """
    counts = [0] * (count + 1)
    for head in heads:
        counts[head + 1] += 1
    offsets = list(accumulate(counts))
    fill = offsets[:-1]
    flat = [0] * len(heads)
    edges = [0] * len(heads)
    for edge, (head, tail) in enumerate(zip(heads, tails, strict=True)):
        position = fill[head]
        flat[position] = tail
        edges[position] = edge
        fill[head] = position + 1
    return offsets, flat, edges


def _start(count: int, seeds: Iterable[int]) -> tuple[bytearray, list[int]]:
    """The marks and the stack of a search that begins at ``seeds``."""
    seen = bytearray(count)
    stack: list[int] = []
    for seed in seeds:
        if not seen[seed]:
            seen[seed] = 1
            stack.append(seed)
    return seen, stack


def _search(
    offsets: Sequence[int],
    flat: Sequence[int],
    count: int,
    seeds: Iterable[int],
    allowed: bytes | bytearray | None,
) -> bytearray:
    seen, stack = _start(count, seeds)
    pop, push = stack.pop, stack.append
    # Two copies of the loop, so that the common case tests nothing but ``seen``.
    if allowed is None:
        while stack:
            node = pop()
            for neighbour in flat[offsets[node] : offsets[node + 1]]:
                if not seen[neighbour]:
                    seen[neighbour] = 1
                    push(neighbour)
    else:
        while stack:
            node = pop()
            for neighbour in flat[offsets[node] : offsets[node + 1]]:
                if not seen[neighbour] and allowed[neighbour]:
                    seen[neighbour] = 1
                    push(neighbour)
    return seen


def _search_avoiding(
    offsets: Sequence[int],
    flat: Sequence[int],
    edges: Sequence[int],
    count: int,
    seeds: Iterable[int],
    blocked: bytes | bytearray,
    allowed: bytes | bytearray | None,
) -> bytearray:
    seen, stack = _start(count, seeds)
    pop, push = stack.pop, stack.append
    while stack:
        node = pop()
        for position in range(offsets[node], offsets[node + 1]):
            neighbour = flat[position]
            if (
                not seen[neighbour]
                and not blocked[edges[position]]
                and (allowed is None or allowed[neighbour])
            ):
                seen[neighbour] = 1
                push(neighbour)
    return seen


@dataclass(frozen=True, slots=True, eq=False)
class GraphIndex:
    """Steps numbered in document order and the transitions between them.

    Edge ``e`` runs from step ``sources[e]`` to step ``targets[e]`` and is the transition
    ``transitions[e]``; edges keep the document order of the transitions.
    """

    steps: tuple[Step, ...]
    sources: list[int]
    targets: list[int]
    transitions: list[Transition]
    hospital: bytearray
    """``hospital[v]`` is 1 for a step on the hospital level, 0 for the municipal level."""
    cross_level: list[int]
    """The edges joining steps on different levels, in document order."""
    out_offsets: list[int]
    out_flat: list[int]
    out_edges: list[int]
    in_offsets: list[int]
    in_flat: list[int]
    in_edges: list[int]

    @classmethod
    def of(cls, pathway: Pathway) -> GraphIndex:
        """Index ``pathway``; the pathway itself is only read."""
        steps = pathway.steps
        position = dict(zip(map(_KEY, steps), range(len(steps)), strict=True))
        get = position.get
        transitions = list(pathway.transitions)
        found_sources = list(map(get, map(_SOURCE, transitions)))
        found_targets = list(map(get, map(_TARGET, transitions)))
        if None in found_sources or None in found_targets:
            kept = [
                edge
                for edge, (source, target) in enumerate(
                    zip(found_sources, found_targets, strict=True)
                )
                if source is not None and target is not None
            ]
            transitions = [transitions[edge] for edge in kept]
            found_sources = [found_sources[edge] for edge in kept]
            found_targets = [found_targets[edge] for edge in kept]
        sources = cast("list[int]", found_sources)
        targets = cast("list[int]", found_targets)
        on_hospital = Level.HOSPITAL
        hospital = bytearray([step.level is on_hospital for step in steps])
        level = hospital.__getitem__
        cross_level = [
            edge
            for edge, source_level, target_level in zip(
                range(len(sources)), map(level, sources), map(level, targets), strict=True
            )
            if source_level != target_level
        ]
        out_offsets, out_flat, out_edges = _csr(len(steps), sources, targets)
        in_offsets, in_flat, in_edges = _csr(len(steps), targets, sources)
        return cls(
            steps=steps,
            sources=sources,
            targets=targets,
            transitions=transitions,
            hospital=hospital,
            cross_level=cross_level,
            out_offsets=out_offsets,
            out_flat=out_flat,
            out_edges=out_edges,
            in_offsets=in_offsets,
            in_flat=in_flat,
            in_edges=in_edges,
        )

    def out_degree(self, step: int) -> int:
        return self.out_offsets[step + 1] - self.out_offsets[step]

    def in_degree(self, step: int) -> int:
        return self.in_offsets[step + 1] - self.in_offsets[step]

    def successors(self, step: int) -> list[int]:
        return self.out_flat[self.out_offsets[step] : self.out_offsets[step + 1]]

    def predecessors(self, step: int) -> list[int]:
        return self.in_flat[self.in_offsets[step] : self.in_offsets[step + 1]]

    def reach(
        self,
        seeds: Iterable[int],
        *,
        reverse: bool = False,
        allowed: bytes | bytearray | None = None,
    ) -> bytearray:
        """Mark (``1``) every step reachable from ``seeds``, the seeds included.

        With ``reverse`` the transitions are followed backwards: the marks are then the
        steps from which a seed can be reached. With ``allowed`` the search only enters
        steps whose ``allowed`` byte is non-zero (the seeds are always marked).
        """
        if reverse:
            return _search(self.in_offsets, self.in_flat, len(self.steps), seeds, allowed)
        return _search(self.out_offsets, self.out_flat, len(self.steps), seeds, allowed)

    def reach_avoiding(
        self,
        seeds: Iterable[int],
        blocked: bytes | bytearray,
        *,
        reverse: bool = False,
        allowed: bytes | bytearray | None = None,
    ) -> bytearray:
        """Like :meth:`reach`, but never along an edge ``e`` whose ``blocked[e]`` is
        non-zero: "which steps can be reached without passing such a transition"."""
        if not any(blocked):
            return self.reach(seeds, reverse=reverse, allowed=allowed)
        if reverse:
            return _search_avoiding(
                self.in_offsets,
                self.in_flat,
                self.in_edges,
                len(self.steps),
                seeds,
                blocked,
                allowed,
            )
        return _search_avoiding(
            self.out_offsets,
            self.out_flat,
            self.out_edges,
            len(self.steps),
            seeds,
            blocked,
            allowed,
        )
