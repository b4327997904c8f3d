"""What the request rules share: a request's statements grouped by shape, and the loops among them.

A *loop* is one shape run several times in one request. Its *values* tell a loop over items
(different parameters or literals each time: N+1, per-row inserts) from the same query asked again
(identical values: duplicates, a caching matter). Pagination — the same shape walking a result
with ``LIMIT … OFFSET`` or a keyset (``WHERE id > ? ORDER BY id LIMIT ?``) — is a loop by design
and is never one.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from dbexpert.model import Location
from dbexpert.model.workload import RequestTrace, TracedQuery

_PAGINATION = re.compile(r"\blimit\b.*\boffset\b|\boffset\b.*\b(?:fetch|limit)\b|\bfetch\s+(?:first|next)\b")
_KEYSET = re.compile(r"[<>]=? ?\?.*\border by\b.*\blimit\b", re.S)


@dataclass(frozen=True, slots=True)
class Loop:
    shape_id: str
    shape: str
    queries: tuple[TracedQuery, ...]  # every run of the shape in the request, in order
    distinct: int  # how many different values (parameters or literals) it ran with
    most_repeated: int  # runs of its most repeated single value
    position: int  # index of its first run in the request

    @property
    def count(self) -> int:
        return len(self.queries)

    @property
    def total_ms(self) -> float:
        return sum(q.event.duration_ms or 0.0 for q in self.queries)

    @property
    def timed(self) -> bool:
        return any(q.event.duration_ms is not None for q in self.queries)

    @property
    def concurrent(self) -> bool:
        """Most runs start before the previous one ended: issued together (``Promise.all``)."""
        runs = [q.event for q in self.queries]
        if any(e.timestamp is None or e.duration_ms is None for e in runs):
            return False
        overlaps = sum(
            after.timestamp < before.timestamp + before.duration_ms / 1000.0  # type: ignore[operator]
            for before, after in zip(runs, runs[1:], strict=False)
        )
        return overlaps * 2 >= len(runs) - 1 > 0

    def verb(self) -> str:
        return self.shape.lstrip("( ").split(" ", 1)[0].lower()


def value(query: TracedQuery) -> tuple[str, ...] | str:
    """What a run varies: its bind parameters, or its text when literals are inline."""
    return query.event.parameters or query.event.sql.strip()


def loops(trace: RequestTrace) -> list[Loop]:
    """The shapes that ran more than once in the request, in order of first run, pagination aside."""
    # Every request rule asks for the same trace in turn: keep the last answer (traces are frozen).
    if _last[0] is not trace:
        _last[:] = [trace, _loops(trace)]
    return list(_last[1])


_last: list[Any] = [None, []]


def _loops(trace: RequestTrace) -> list[Loop]:
    positions: dict[str, list[int]] = {}
    for index, query in enumerate(trace.queries):
        positions.setdefault(query.shape_id, []).append(index)
    found = []
    for shape_id, where in positions.items():
        if len(where) < 2:
            continue
        queries = tuple(trace.queries[i] for i in where)
        if paginates(queries[0].shape):
            continue
        values = Counter(value(q) for q in queries)
        found.append(
            Loop(shape_id, queries[0].shape, queries, len(values), values.most_common(1)[0][1], where[0])
        )
    return found


def paginates(shape: str) -> bool:
    return bool(_PAGINATION.search(shape) or _KEYSET.search(shape))


def source_of(trace: RequestTrace, loop: Loop, exclude: frozenset[str] = frozenset()) -> TracedQuery | None:
    """The query that ran just before the loop started: usually the one that fetched its items."""
    for query in reversed(trace.queries[: loop.position]):
        if query.shape_id != loop.shape_id and query.shape_id not in exclude:
            return query
    return None


def alternating(trace: RequestTrace, candidates: list[Loop]) -> Iterator[tuple[Loop, Loop]]:
    """Pairs of loops whose runs take turns (A B A B …): one loop body running two queries per item."""
    paired: set[str] = set()
    order = [q.shape_id for q in trace.queries]
    for i, first in enumerate(candidates):
        for second in candidates[i + 1 :]:
            if first.shape_id in paired or second.shape_id in paired or abs(first.count - second.count) > 1:
                continue
            turns = [s for s in order if s in (first.shape_id, second.shape_id)]
            if all(a != b for a, b in zip(turns, turns[1:], strict=False)):
                paired.update((first.shape_id, second.shape_id))
                yield first, second


def location(query: TracedQuery) -> Location:
    return Location(path=query.event.place.path, line=query.event.place.line)


def evidence(trace: RequestTrace, loop: Loop, **extra: Any) -> dict[str, Any]:
    first, last = loop.queries[0].event, loop.queries[-1].event
    facts: dict[str, Any] = {
        trace.kind: trace.key,
        "fingerprint": loop.shape_id,
        "shape": loop.shape,
        "count": loop.count,
        "distinct_values": loop.distinct,
        "total_ms": round(loop.total_ms, 3) if loop.timed else None,
        "first_line": first.place.line,
        "last_line": last.place.line,
        **extra,
        "measured_by": f"statements of one {trace.kind} grouped by query shape, timings as logged",
    }
    return {k: v for k, v in facts.items() if v is not None}


ORM_BATCHING = (
    "In the ORM, load the related rows with the parent query instead of touching them one by one: "
    "SQLAlchemy `selectinload()`/`joinedload()`, Django `select_related()`/`prefetch_related()`, "
    "ActiveRecord `includes()`, Prisma `include` or `findMany({ where: { id: { in: ids } } })`, "
    "TypeORM `relations`/`In(ids)`; for lookups issued concurrently, a DataLoader that batches them."
)
