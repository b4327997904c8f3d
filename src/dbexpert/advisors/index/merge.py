"""Merging the overlapping indexes of a selected set.

A greedy search adds an index where it pays at that step, so a final set can hold two indexes on
one key prefix — ``(o_orderkey, o_orderstatus)`` beside ``(o_orderkey) INCLUDE (o_orderpriority)``
— or an index whose keys an existing index already starts with (``(o_orderkey) INCLUDE (…)``
beside the primary key on ``o_orderkey``). One index serves both for less: the longer key with the
union of the INCLUDE columns, or the existing index alone.

Each merge is re-costed over the whole workload (the caller's ``total``) and kept only if it saves
bytes and the workload cost stays within ``tolerance`` of the cost before any merge (a bound on
all the merges together, not on each); among the merges that qualify, the one saving most bytes
goes first, until none is left.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from dbexpert.advisors.index.candidates import Candidate

Config = tuple[Candidate, ...]


@dataclass(frozen=True, slots=True)
class Merge:
    replaced: tuple[Candidate, ...]  # the selected indexes that go
    into: Candidate | None  # the merged index, or None when ``existing`` takes their place
    existing: str | None
    saved_bytes: int
    cost_change: float  # workload cost after / before this merge, minus 1


def overlap(a: Candidate, b: Candidate) -> bool:
    """Same table, predicate and method, and one's key columns are a prefix of the other's."""
    if a is b or a.expression or b.expression:
        return False
    if (a.table, a.where, a.method) != (b.table, b.where, b.method):
        return False
    short, long = (a, b) if len(a.keys) <= len(b.keys) else (b, a)
    return long.keys[: len(short.keys)] == short.keys


def merged(a: Candidate, b: Candidate) -> Candidate:
    """The longer key of the two with the INCLUDE columns of both (those not already keys)."""
    long, short = (a, b) if len(a.keys) >= len(b.keys) else (b, a)
    include: list[str] = []
    for column in (*long.include, *short.include, *short.keys):
        if column not in long.keys and column not in include:
            include.append(column)
    return replace(long, include=tuple(include), name_="")


def merge_overlaps(
    chosen: Sequence[Candidate],
    total: Callable[[Config], float],
    sizes: Sequence[Callable[[Candidate], int]],
    tolerance: float,
    existing_key: Callable[[Candidate], str | None] | None = None,
) -> tuple[list[Candidate], list[Merge]]:
    """``chosen`` with overlapping indexes merged, and the merges made. ``sizes`` are the byte
    measures a merge must save on (the modelled size and the budget's bound); ``existing_key``
    names an existing index whose key columns begin with a candidate's, if any."""
    current = list(chosen)
    reference = total(tuple(current))
    merges: list[Merge] = []
    while True:
        before = total(tuple(current))
        best: tuple[int, list[Candidate], Merge] | None = None
        for replaced, into, existing in _options(current, existing_key):
            gone = [c for c in current if c in replaced]
            saved = [sum(size(c) for c in gone) - (size(into) if into is not None else 0) for size in sizes]
            if min(saved) <= 0:
                continue
            config = [c for c in current if c not in replaced] + ([into] if into is not None else [])
            cost = total(tuple(config))
            if cost > reference * (1 + tolerance):
                continue
            change = cost / before - 1 if before else 0.0
            if best is None or saved[0] > best[0]:
                best = (saved[0], config, Merge(tuple(gone), into, existing, saved[0], change))
        if best is None:
            return current, merges
        current = best[1]
        merges.append(best[2])


def _options(
    current: Sequence[Candidate], existing_key: Callable[[Candidate], str | None] | None
) -> list[tuple[tuple[Candidate, ...], Candidate | None, str | None]]:
    found: list[tuple[tuple[Candidate, ...], Candidate | None, str | None]] = []
    for i, a in enumerate(current):
        for b in current[i + 1 :]:
            if overlap(a, b):
                found.append(((a, b), merged(a, b), None))
        name = existing_key(a) if existing_key is not None and not a.expression else None
        if name is not None:
            found.append(((a,), None, name))
    return found
