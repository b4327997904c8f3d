"""Workload events grouped into the units N+1 patterns live in: requests, transactions, sessions.

An event belongs to its request when it carries a trace or request id (application traces,
OpenTelemetry), else to its transaction (server logs with ``%x``), else to a stretch of its session
(a connection id or backend pid): a session's statements form one stretch until a pause longer than
``session_gap_ms`` or the end of a transaction (``COMMIT``/``ROLLBACK``), since a pooled connection
serves one request after another and a query run once per request must not look like a loop.

The grouper streams: :meth:`RequestGrouper.add` hands back the units it has closed (a session
stretch after its pause), :meth:`RequestGrouper.finish` the rest. Memory is bounded: at most
``max_open`` units are held (the oldest is closed first) and a unit holds at most ``max_queries``
statements (a longer one is closed and a new one starts); a session stretch silent for
``stale_after_s`` of log time is closed without waiting for its session's next statement. Within a
unit, statements are ordered by start time (trace exporters write a span when it ends, so file
order is not start order).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from dbexpert.model import Engine
from dbexpert.model.workload import LogEvent, QueryEvent, ReadProblem, RequestTrace, TracedQuery
from dbexpert.sql.fingerprint import fingerprint

_TRANSACTION_END = re.compile(r"^\s*(?:commit|rollback|end)\b", re.I)


@dataclass(frozen=True, slots=True)
class GroupingOptions:
    session_gap_ms: float = 200.0  # a pause this long ends a session stretch
    max_open: int = 50_000  # units held at once
    max_queries: int = 10_000  # statements per unit
    # A session stretch silent this long in log time is closed without waiting for the session's
    # next statement (which may never come: a backend that exits, a pid not reused). Far longer than
    # session_gap_ms, so that lines written slightly out of order split no stretch.
    stale_after_s: float = 60.0


class _Open:
    __slots__ = ("key", "kind", "engine", "queries", "last")

    def __init__(self, key: str, kind: str, engine: Engine) -> None:
        self.key, self.kind, self.engine = key, kind, engine
        self.queries: list[TracedQuery] = []
        self.last: float | None = None  # end time of the latest statement

    def close(self) -> RequestTrace:
        ordered = sorted(self.queries, key=lambda q: q.event.timestamp if q.event.timestamp is not None else float("-inf"))
        if any(q.event.timestamp is None for q in self.queries):
            ordered = self.queries  # without times, file order is the only order there is
        return RequestTrace(key=self.key, kind=self.kind, queries=tuple(ordered), engine=self.engine)


class RequestGrouper:
    """Collects query events into :class:`RequestTrace` units (see the module docstring)."""

    def __init__(self, options: GroupingOptions | None = None) -> None:
        self.options = options or GroupingOptions()
        self._open: dict[tuple[str, str], _Open] = {}
        self._sweep_at = float("-inf")  # log time of the next look for stale session stretches

    def add(self, event: QueryEvent | LogEvent | ReadProblem) -> list[RequestTrace]:
        if not isinstance(event, QueryEvent) or event.calls != 1:
            return []  # aggregated sources (pg_stat_statements) have no order to look at
        closed: list[RequestTrace] = []
        kind, key = _unit(event)
        if key is None:
            return closed
        which = (kind, key)
        timestamp = event.timestamp
        if timestamp is not None and timestamp >= self._sweep_at:
            self._sweep(timestamp, closed)
        unit = self._open.get(which)
        session = kind == "session"
        if (
            unit is not None
            and session
            and unit.last is not None
            and timestamp is not None
            and (timestamp - unit.last) * 1000.0 > self.options.session_gap_ms
        ):  # a pause: the stretch of the session ended
            closed.append(self._close(which))
            unit = None
        if unit is None:
            if len(self._open) >= self.options.max_open:
                closed.append(self._close(next(iter(self._open))))
            unit = self._open[which] = _Open(key, kind, event.engine)
        sql = event.sql
        shape = fingerprint(sql, event.engine)
        queries = unit.queries
        queries.append(TracedQuery(event, shape.id, shape.text))
        if timestamp is not None:
            end = timestamp + (event.duration_ms or 0.0) / 1000.0
            if unit.last is None or end > unit.last:
                unit.last = end
        if len(queries) >= self.options.max_queries or (session and _TRANSACTION_END.match(sql)):
            closed.append(self._close(which))
        return closed

    def finish(self) -> list[RequestTrace]:
        return [self._close(k) for k in list(self._open)]

    def _sweep(self, now: float, closed: list[RequestTrace]) -> None:
        """Close the session stretches silent since ``stale_after_s`` before ``now``: what is held
        stays proportional to the sessions active lately, not to every session the log ever had."""
        stale = self.options.stale_after_s
        self._sweep_at = now + stale / 4
        silent = [
            which
            for which, unit in self._open.items()
            if unit.kind == "session" and unit.last is not None and now - unit.last > stale
        ]
        closed.extend(self._close(which) for which in silent)

    def _close(self, which: tuple[str, str]) -> RequestTrace:
        unit = self._open.pop(which)
        if unit.kind == "session":  # each stretch of a session gets its own key: where it starts
            first = unit.queries[0].event.place
            unit.key = f"{unit.key}@{first.path}:{first.line}"
        return unit.close()


def group_requests(
    events: Iterable[QueryEvent | LogEvent | ReadProblem], options: GroupingOptions | None = None
) -> Iterator[RequestTrace]:
    """Every unit of ``events``, as each is closed."""
    grouper = RequestGrouper(options)
    for event in events:
        yield from grouper.add(event)
    yield from grouper.finish()


def _unit(event: QueryEvent) -> tuple[str, str | None]:
    if event.request:
        return "request", event.request
    if event.transaction:
        return "transaction", f"{event.session or ''}/{event.transaction}"
    return "session", event.session
