"""Workload events grouped into the units N+1 patterns live in: requests, transactions, sessions.

An event belongs to its request when it carries a trace or request id (application traces,
OpenTelemetry), else to its transaction (server logs with ``%x``), else to a stretch of its session
(a connection id or backend pid): a session's statements form one stretch until a pause longer than
``session_gap_ms`` or the end of a transaction (``COMMIT``/``ROLLBACK``), since a pooled connection
serves one request after another and a query run once per request must not look like a loop.

The grouper streams: :meth:`RequestGrouper.add` hands back the units it has closed (a session
stretch after its pause), :meth:`RequestGrouper.finish` the rest. Memory is bounded: at most
``max_open`` units are held (the oldest is closed first) and a unit holds at most ``max_queries``
statements (a longer one is closed and a new one starts); a transaction ends with its ``COMMIT`` or
``ROLLBACK`` when the log gives that statement its transaction id; a session stretch or transaction
silent for ``stale_after_s`` of log time is closed without waiting for a next statement (looked
for whenever log time enters a new quarter of ``stale_after_s``, counted from the epoch, so that
the moments do not depend on where reading started). Within a unit, statements are ordered by
start time (trace exporters write a span when it ends, so file order is not start order).

What is open can be taken out (:meth:`RequestGrouper.state`) and put back into another grouper
(``RequestGrouper(state=...)``): reading then continues exactly as one pass would, in another
process or another run. :meth:`GroupingState.digest` tells whether two groupers would go on alike.
"""

from __future__ import annotations

import hashlib
import pickle
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from dbexpert.model import Engine
from dbexpert.model.query_row import QueryRow, row_event
from dbexpert.model.workload import LogEvent, QueryEvent, ReadProblem, RequestTrace, TracedQuery
from dbexpert.sql.fingerprint import Shape, fingerprint

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
        # (statement, shape): a QueryEvent, or a reader's QueryRow turned into one only when the
        # unit is handed out
        self.queries: list[tuple[QueryEvent | QueryRow, Shape]] = []
        self.last: float | None = None  # end time of the latest statement

    def copy(self) -> _Open:
        twin = _Open(self.key, self.kind, self.engine)
        twin.queries, twin.last = list(self.queries), self.last
        return twin

    def runs_at_least(self, times: int) -> bool:
        """Whether some shape ran at least ``times`` times: what every request rule looks for."""
        queries = self.queries
        if times <= 1:
            return True
        if len(queries) < times:
            return False
        ids = [shape.id for _, shape in queries]
        if len(set(ids)) == len(ids):  # no shape ran twice: most units
            return False
        return times <= 2 or max(Counter(ids).values()) >= times

    def close(self) -> RequestTrace:
        engine = self.engine
        traced = [
            TracedQuery(row_event(item, engine) if item.__class__ is tuple else item, shape.id, shape.text)  # type: ignore[arg-type]
            for item, shape in self.queries
        ]
        ordered = sorted(traced, key=lambda q: q.event.timestamp if q.event.timestamp is not None else float("-inf"))
        if any(q.event.timestamp is None for q in traced):
            ordered = traced  # without times, file order is the only order there is
        return RequestTrace(key=self.key, kind=self.kind, queries=tuple(ordered), engine=engine)


@dataclass(frozen=True, slots=True)
class GroupingState:
    """The units a grouper holds open, oldest first, with the log time of its next look for silent
    units: everything its next decisions depend on."""

    units: tuple[_Open, ...] = ()
    sweep_at: float = float("-inf")

    def digest(self) -> bytes:
        """A hash of the whole state (units in order, their statements' places, kinds, keys and times,
        the next look for silent units): groupers whose states have the same digest decide alike
        from there on."""
        facts = (
            self.sweep_at,
            [
                (u.key, u.kind, u.engine.value, u.last, [_place(item) for item, _ in u.queries])
                for u in self.units
            ],
        )
        return hashlib.blake2b(pickle.dumps(facts, protocol=pickle.HIGHEST_PROTOCOL), digest_size=16).digest()


def _place(item: QueryEvent | QueryRow) -> tuple[str, int]:
    if item.__class__ is tuple:
        return item[1], item[2]
    return item.place.path, item.place.line  # type: ignore[union-attr]


class RequestGrouper:
    """Collects query events into :class:`RequestTrace` units (see the module docstring).

    With ``min_runs``, a unit in which no shape ran that many times is dropped when it closes, never
    built: every request rule looks for a shape run several times (its threshold: 3 runs for
    duplicate queries, 5 for N+1 queries by default), and most units have none. With
    ``on_close``, each unit is handed to it as it closes (:meth:`add` and :meth:`add_row` then
    return nothing): the caller of :meth:`add_row` can be a plain loop that ignores its result."""

    def __init__(
        self,
        options: GroupingOptions | None = None,
        min_runs: int = 1,
        on_close: Callable[[RequestTrace], None] | None = None,
        state: GroupingState | None = None,
    ) -> None:
        self.options = options or GroupingOptions()
        self.min_runs = min_runs
        self.on_close = on_close  # given, units go there as they close instead of being returned
        # Open units by _which(kind, key), oldest first.
        self._open: dict[str | tuple[str, str], _Open] = {}
        self._sweep_at = float("-inf")  # log time of the next look for silent units
        self._gap_ms = self.options.session_gap_ms
        self._max_open, self._max_queries = self.options.max_open, self.options.max_queries
        if state is not None:  # go on from where another grouper stopped
            for unit in state.units:
                self._open[_which(unit.kind, unit.key)] = unit.copy()
            self._sweep_at = state.sweep_at

    def state(self) -> GroupingState:
        """What is open now (a copy: this grouper may go on)."""
        return GroupingState(tuple(u.copy() for u in self._open.values()), self._sweep_at)

    def add(self, event: QueryEvent | LogEvent | ReadProblem) -> list[RequestTrace]:
        if not isinstance(event, QueryEvent) or event.calls != 1:
            return []  # aggregated sources (pg_stat_statements) have no order to look at
        kind, key = _unit(event)
        if key is None:
            return []
        sql = event.sql
        entry = (event, fingerprint(sql, event.engine))
        return self._add(_which(kind, key), kind, key, event.timestamp, event.duration_ms, sql, entry, event.engine)

    def add_row(self, row: QueryRow, shape: Shape, engine: Engine = Engine.POSTGRES) -> list[RequestTrace]:
        """As :meth:`add` for a reader's row, its shape already known."""
        session, transaction = row[9], row[10]
        if transaction:
            key = f"{session or ''}/{transaction}"
            return self._add(("transaction", key), "transaction", key, row[3], row[4], row[0], (row, shape), engine)
        if session is None:
            return []
        return self._add(session, "session", session, row[3], row[4], row[0], (row, shape), engine)

    def _add(
        self,
        which: str | tuple[str, str],
        kind: str,
        key: str,
        timestamp: float | None,
        duration_ms: float | None,
        sql: str,
        entry: tuple[QueryEvent | QueryRow, Shape],
        engine: Engine,
    ) -> list[RequestTrace]:
        """Add ``entry`` to the unit ``which`` (:func:`_which` of its kind and key); what that closes."""
        closed: list[RequestTrace] = []
        if timestamp is not None and timestamp >= self._sweep_at:
            self._sweep(timestamp, closed)
        unit = self._open.get(which)
        session = kind == "session"
        ordered = kind != "request"  # ends with COMMIT / ROLLBACK; swept when silent
        if (
            unit is not None
            and session
            and unit.last is not None
            and timestamp is not None
            and (timestamp - unit.last) * 1000.0 > self._gap_ms
        ):  # a pause: the stretch of the session ended
            self._close(which, closed)
            unit = None
        if unit is None:
            if len(self._open) >= self._max_open:
                self._close(next(iter(self._open)), closed)
            unit = self._open[which] = _Open(key, kind, engine)
        queries = unit.queries
        queries.append(entry)
        if timestamp is not None:
            end = timestamp + (duration_ms or 0.0) / 1000.0
            if unit.last is None or end > unit.last:
                unit.last = end
        if len(queries) >= self._max_queries or (
            # the first character first: c, r, e or a blank is what the regex can start with
            ordered and (sql[:1] in "cCrReE" or sql[:1].isspace()) and _TRANSACTION_END.match(sql)
        ):
            self._close(which, closed)
        return closed

    def finish(self) -> list[RequestTrace]:
        closed: list[RequestTrace] = []
        for which in list(self._open):
            self._close(which, closed)
        return closed

    def _sweep(self, now: float, closed: list[RequestTrace]) -> None:
        """Close the session stretches and transactions silent since ``stale_after_s`` before ``now``:
        what is held stays proportional to the sessions active lately, not to every session (or
        transaction) the log ever had."""
        stale = self.options.stale_after_s
        step = stale / 4
        self._sweep_at = (now // step + 1) * step
        silent = [
            which
            for which, unit in self._open.items()
            if unit.kind != "request" and unit.last is not None and now - unit.last > stale
        ]
        for which in silent:
            self._close(which, closed)

    def _close(self, which: str | tuple[str, str], closed: list[RequestTrace]) -> None:
        unit = self._open.pop(which)
        runs = self.min_runs
        # too short to hold a shape run that often: most units (a session stretch averages 3 statements)
        if runs > 1 and (len(unit.queries) < runs or not unit.runs_at_least(runs)):
            return
        if unit.kind == "session":  # each stretch of a session gets its own key: where it starts
            first = unit.queries[0][0]
            if first.__class__ is tuple:
                path, line = first[1], first[2]
            else:
                path, line = first.place.path, first.place.line  # type: ignore[union-attr]
            unit.key = f"{unit.key}@{path}:{line}"
        if self.on_close is None:
            closed.append(unit.close())
        else:
            self.on_close(unit.close())


def group_requests(
    events: Iterable[QueryEvent | LogEvent | ReadProblem], options: GroupingOptions | None = None
) -> Iterator[RequestTrace]:
    """Every unit of ``events``, as each is closed."""
    grouper = RequestGrouper(options)
    for event in events:
        yield from grouper.add(event)
    yield from grouper.finish()


def _which(kind: str, key: str) -> str | tuple[str, str]:
    """A unit's key in the open units: a session's is its key alone (the most common kind, the
    cheapest key), the other kinds' a (kind, key) pair, which no string equals."""
    return key if kind == "session" else (kind, key)


def _unit(event: QueryEvent) -> tuple[str, str | None]:
    if event.request:
        return "request", event.request
    if event.transaction:
        return "transaction", f"{event.session or ''}/{event.transaction}"
    return "session", event.session
