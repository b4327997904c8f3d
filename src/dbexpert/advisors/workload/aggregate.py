"""Workload events aggregated as they stream: statements grouped by shape, everything else counted.

:class:`WorkloadAggregate` takes :class:`QueryEvent`, :class:`LogEvent` and :class:`ReadProblem`
values one at a time and keeps, per query shape (``dbexpert.sql.fingerprint``): calls, total, mean,
minimum and maximum time, p50/p95/p99 from a :class:`QuantileSketch`, rows, and the raw text of the
first real call as the example. Beside the groups it keeps per database / user / application
tallies, a time histogram, log events by kind and message shape (errors, lock waits, deadlocks,
temporary files, checkpoints, autovacuum) and the count of input it did not understand.

Memory grows with the number of shapes and distinct names, never with the number of events; every
table that could grow with the input (error messages, names, histogram buckets) is capped. Two
aggregates merge (:meth:`WorkloadAggregate.merge`), so chunks of a log read by separate workers
give the same result as one pass, provided the chunks are merged in file order (the first example
seen is kept).

Events from aggregated sources (pg_stat_statements: one event holds many calls and their total
time) add to calls and time but not to the percentiles, which need single calls; a group whose
time comes only from such events reports mean, minimum and maximum but no percentiles.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import reduce
from operator import add
from typing import Any

from dbexpert.advisors.workload.sketch import QuantileSketch
from dbexpert.model import Engine
from dbexpert.model.query_row import QueryRow
from dbexpert.model.workload import LogEvent, Place, QueryEvent, ReadProblem
from dbexpert.sql.fingerprint import Shape, finder, fingerprint, settle

QUANTILES = (0.5, 0.95, 0.99)
SORT_KEYS = ("total", "calls", "mean", "p95", "rows")
MAX_NAMES = 1000  # per breakdown (database, user, application); the rest are tallied as OTHER
MAX_MESSAGE_SHAPES = 500  # per log event kind
MAX_MINUTES = 100_000  # histogram buckets kept per minute before falling back to hours (~70 days)
OTHER = "(other)"
_MAX_TRIPLES = 4096  # cached (database, user, application) triples
_BATCH = 65536  # calls held by WorkloadAggregate.add_items before they are added to their groups
UNKNOWN = "(unknown)"
_HISTOGRAM_WIDTHS = (60, 300, 900, 3600, 6 * 3600, 86400, 7 * 86400, 30 * 86400)

# Message shapes: the same error about different values is one line of the report.
_QUOTED_VALUE = re.compile(r"'(?:[^']|'')*'")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")  # in words too: pgsql_tmp4242.0, a pid in a file name
_KEY_VALUE = re.compile(r"=\((?:[^()]|\([^()]*\))*\)")  # DETAIL: Key (id)=(42) already exists


@dataclass(slots=True)
class Tally:
    """Calls and their time: one breakdown value, one histogram bucket."""

    calls: int = 0
    total_ms: float = 0.0

    def add(self, calls: int, ms: float) -> None:
        self.calls += calls
        self.total_ms += ms

    def merge(self, other: Tally) -> None:
        self.add(other.calls, other.total_ms)


@dataclass(slots=True)
class QueryGroup:
    """One query shape and everything measured about its calls."""

    shape_id: str
    shape: str  # the normalized text: literals as ?
    engine: Engine
    example_sql: str  # the raw text of the first call seen
    example_place: Place
    example_parameters: tuple[str, ...] = ()
    queryid: str | None = None  # the server's own id of the first event that had one
    calls: int = 0
    timed_calls: int = 0  # calls whose time is known
    total_ms: float = 0.0
    min_ms: float | None = None
    max_ms: float | None = None
    rows: int | None = None
    rows_examined: int | None = None
    sketch: QuantileSketch = field(default_factory=QuantileSketch)
    first_seen: float | None = None
    last_seen: float | None = None

    @property
    def mean_ms(self) -> float | None:
        return self.total_ms / self.timed_calls if self.timed_calls else None

    def quantile(self, q: float) -> float | None:
        """A percentile of the call durations; None unless every timed call was timed singly."""
        if self.sketch.count != self.timed_calls:  # some time came in totals of several calls
            return None
        return self.sketch.quantile(q)

    def add(self, event: QueryEvent) -> None:
        self.calls += event.calls
        ms = event.duration_ms
        if ms is not None:
            self.timed_calls += event.calls
            self.total_ms += ms
            low: float | None = ms
            high: float | None = ms
            if event.calls == 1:
                self.sketch.add(ms)
            else:
                low, high = event.min_ms, event.max_ms
            if low is not None and (self.min_ms is None or low < self.min_ms):
                self.min_ms = low
            if high is not None and (self.max_ms is None or high > self.max_ms):
                self.max_ms = high
        if event.rows is not None:
            self.rows = (self.rows or 0) + event.rows
        if event.rows_examined is not None:
            self.rows_examined = (self.rows_examined or 0) + event.rows_examined
        if self.queryid is None:
            self.queryid = event.queryid
        timestamp = event.timestamp
        if timestamp is not None:
            if self.first_seen is None or timestamp < self.first_seen:
                self.first_seen = timestamp
            if self.last_seen is None or timestamp > self.last_seen:
                self.last_seen = timestamp

    def add_one(self, timestamp: float | None, ms: float | None, queryid: str | None) -> None:
        """One call (a log's statement): as :meth:`add` for an event of one call and no row counts."""
        self.calls += 1
        if ms is not None:
            self.timed_calls += 1
            self.total_ms += ms
            self.sketch.add_one(ms)
            if self.min_ms is None or ms < self.min_ms:
                self.min_ms = ms
            if self.max_ms is None or ms > self.max_ms:
                self.max_ms = ms
        if self.queryid is None:
            self.queryid = queryid
        if timestamp is not None:
            if self.first_seen is None or timestamp < self.first_seen:
                self.first_seen = timestamp
            if self.last_seen is None or timestamp > self.last_seen:
                self.last_seen = timestamp

    def add_calls(self, durations: list[float | None], timestamps: list[float | None]) -> None:
        """Calls of one statement each, in order: as :meth:`add_one` for each pair, in fewer steps."""
        self.calls += len(durations)
        timed = [ms for ms in durations if ms is not None]
        if timed:
            self.timed_calls += len(timed)
            self.total_ms = reduce(add, timed, self.total_ms)  # one addition after another, as add_one
            self.sketch.add_many(timed)
            low, high = min(timed), max(timed)
            if self.min_ms is None or low < self.min_ms:
                self.min_ms = low
            if self.max_ms is None or high > self.max_ms:
                self.max_ms = high
        times = [t for t in timestamps if t is not None]
        if times:
            low, high = min(times), max(times)
            if self.first_seen is None or low < self.first_seen:
                self.first_seen = low
            if self.last_seen is None or high > self.last_seen:
                self.last_seen = high

    def add_rows(self, rows: int | None, examined: int | None) -> None:
        if rows is not None:
            self.rows = (self.rows or 0) + rows
        if examined is not None:
            self.rows_examined = (self.rows_examined or 0) + examined

    def merge(self, other: QueryGroup) -> None:
        self.calls += other.calls
        self.timed_calls += other.timed_calls
        self.total_ms += other.total_ms
        self.min_ms = _earliest(self.min_ms, other.min_ms)
        self.max_ms = _latest(self.max_ms, other.max_ms)
        self.rows = _sum(self.rows, other.rows)
        self.rows_examined = _sum(self.rows_examined, other.rows_examined)
        self.sketch.merge(other.sketch)
        self.queryid = self.queryid or other.queryid
        self.first_seen = _earliest(self.first_seen, other.first_seen)
        self.last_seen = _latest(self.last_seen, other.last_seen)

    def sort_value(self, key: str) -> float:
        if key == "calls":
            return self.calls
        if key == "mean":
            return self.mean_ms or 0.0
        if key == "p95":
            return self.quantile(0.95) or self.max_ms or 0.0
        if key == "rows":
            return self.rows or 0
        return self.total_ms

    def facts(self) -> dict[str, Any]:
        """The group as plain data, for reports (times in milliseconds, rounded to microseconds)."""
        return {
            "fingerprint": self.shape_id,
            "shape": self.shape,
            "example": self.example_sql,
            "example_location": {"path": self.example_place.path, "line": self.example_place.line},
            "parameters": list(self.example_parameters),
            "engine": self.engine.value,
            "queryid": self.queryid,
            "calls": self.calls,
            "timed_calls": self.timed_calls,
            "total_ms": _ms(self.total_ms),
            "mean_ms": _ms(self.mean_ms),
            "min_ms": _ms(self.min_ms),
            "max_ms": _ms(self.max_ms),
            **{f"p{round(q * 100)}_ms": _ms(self.quantile(q)) for q in QUANTILES},
            "percentiles_from": self.sketch.count,
            "rows": self.rows,
            "rows_examined": self.rows_examined,
            "first_seen": iso_time(self.first_seen),
            "last_seen": iso_time(self.last_seen),
        }


@dataclass(slots=True)
class LogGroup:
    """Log events of one kind whose messages differ only in values (numbers, quoted strings)."""

    kind: str
    shape: str
    example: str
    place: Place
    severity: str | None = None
    sql: str | None = None
    detail: str | None = None
    count: int = 0
    amount: float | None = None  # the sum of the events' amounts (bytes, ms, seconds)
    max_amount: float | None = None

    def add(self, event: LogEvent) -> None:
        self.count += 1
        if event.amount is not None:
            self.amount = (self.amount or 0.0) + event.amount
            self.max_amount = _latest(self.max_amount, event.amount)

    def merge(self, other: LogGroup) -> None:
        self.count += other.count
        self.amount = _sum(self.amount, other.amount)
        self.max_amount = _latest(self.max_amount, other.max_amount)

    def facts(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "message": self.example,
            "shape": self.shape,
            "count": self.count,
            "severity": self.severity,
            "amount": self.amount,
            "max_amount": self.max_amount,
            "sql": self.sql,
            "detail": self.detail,
            "location": {"path": self.place.path, "line": self.place.line},
        }


@dataclass(slots=True)
class Problems:
    """Input not understood: how much, and where the first was."""

    count: int = 0
    first: ReadProblem | None = None
    by_path: dict[str, int] = field(default_factory=dict)

    def add(self, problem: ReadProblem) -> None:
        self.count += 1
        if self.first is None:
            self.first = problem
        path = problem.place.path
        if path in self.by_path or len(self.by_path) < MAX_NAMES:
            self.by_path[path] = self.by_path.get(path, 0) + 1

    def merge(self, other: Problems) -> None:
        self.count += other.count
        self.first = self.first or other.first
        for path, n in other.by_path.items():
            self.by_path[path] = self.by_path.get(path, 0) + n

    def summary(self) -> str | None:
        """One line: "N lines not understood, first at path:line (reason)"."""
        if not self.first:
            return None
        place = self.first.place
        noun = "line" if self.count == 1 else "lines"
        return f"{self.count} {noun} not understood, first at line {place.line} of {place.path}: {self.first.reason}"


@dataclass(slots=True)
class WorkloadAggregate:
    """Everything the workload report needs, built one event at a time."""

    groups: dict[str, QueryGroup] = field(default_factory=dict)
    databases: dict[str, Tally] = field(default_factory=dict)
    users: dict[str, Tally] = field(default_factory=dict)
    applications: dict[str, Tally] = field(default_factory=dict)
    histogram: dict[int, Tally] = field(default_factory=dict)  # bucket start (seconds) -> tally
    resolution: int = 60  # seconds per histogram bucket
    logs: dict[tuple[str, str], LogGroup] = field(default_factory=dict)
    log_counts: dict[str, int] = field(default_factory=dict)  # kind -> events
    problems: Problems = field(default_factory=Problems)
    query_events: int = 0
    first_seen: float | None = None
    last_seen: float | None = None
    _tallies: dict[tuple[str | None, ...], tuple[Tally, Tally, Tally]] = field(
        default_factory=dict, repr=False, compare=False
    )  # (database, user, application) -> their tallies, a cache

    def add_all(self, events: Iterable[QueryEvent | LogEvent | ReadProblem]) -> WorkloadAggregate:
        add_query, add_log, add_problem = self.add_query, self.add_log, self.problems.add
        for event in events:
            if isinstance(event, QueryEvent):
                add_query(event)
            elif isinstance(event, LogEvent):
                add_log(event)
            else:
                add_problem(event)
        return self

    def add(self, event: QueryEvent | LogEvent | ReadProblem) -> None:
        self.add_all((event,))

    def add_items(
        self,
        items: Iterable[QueryRow | LogEvent | ReadProblem],
        engine: Engine = Engine.POSTGRES,
        watch: Callable[[QueryRow, Shape, Engine], object] | None = None,
    ) -> WorkloadAggregate:
        """As :meth:`add_all` for a reader's fast path: queries come as :data:`QueryRow` tuples (one
        call each, of ``engine``); ``watch`` also receives each row with its shape and engine (the
        request grouping). The same result as :meth:`add_all` on the rows' events, sums in the
        same order."""
        groups, tallies_of = self.groups, self._tallies
        add_log, add_problem = self.add_log, self.problems.add
        find = finder(engine)
        # Per shape, the calls not yet added to its group: durations and times are appended here and
        # added a batch at a time (_flush), the same sums in the same order, fewer steps per call.
        batches: dict[str, tuple[QueryGroup, list[float | None], list[float | None]]] = {}
        batched = 0
        events = 0
        first: float | None = None
        last: float | None = None
        low = high = 0.0  # the histogram bucket of the latest timestamp: [low, high)
        bucket = None
        for item in items:
            if item.__class__ is not tuple:
                if isinstance(item, LogEvent):
                    add_log(item)
                else:
                    add_problem(item)  # type: ignore[arg-type]
                continue
            row: QueryRow = item
            events += 1
            sql = row[0]
            shape = find(sql)
            if shape.__class__ is not Shape:  # a statement whose skeleton is new
                shape = settle(sql, engine, shape)
            batch = batches.get(shape.id)
            if batch is None:
                group = groups.get(shape.id)
                if group is None:
                    group = groups[shape.id] = QueryGroup(
                        shape_id=shape.id,
                        shape=shape.text,
                        engine=engine,
                        example_sql=sql,
                        example_place=Place(row[1], row[2]),
                        example_parameters=row[11],
                    )
                batch = batches[shape.id] = (group, [], [])
            timestamp, ms = row[3], row[4]
            batch[1].append(ms)
            batch[2].append(timestamp)
            if row[13] is not None and batch[0].queryid is None:
                batch[0].queryid = row[13]
            if len(row) > 14:  # a MySQL slow log's row (mysql_slow.SlowRow): rows sent and examined follow
                batch[0].add_rows(row[14], row[15])  # type: ignore[misc]
            batched += 1
            if batched >= _BATCH:
                _flush(batches)
                batched = 0
            names = (row[5], row[6], row[7])
            tallies = tallies_of.get(names)
            if tallies is None:
                tallies = self._tallies_for(names)
            if ms is None:
                ms = 0.0
            database, user, application = tallies
            database.calls += 1
            database.total_ms += ms
            user.calls += 1
            user.total_ms += ms
            application.calls += 1
            application.total_ms += ms
            if timestamp is not None:
                if first is None or timestamp < first:
                    first = timestamp
                if last is None or timestamp > last:
                    last = timestamp
                if bucket is not None and low <= timestamp < high:
                    bucket.calls += 1
                    bucket.total_ms += ms
                else:  # another bucket: the general path, which may also coarsen the histogram
                    self._count_time(timestamp, 1, ms)
                    resolution = self.resolution
                    low = timestamp // resolution * resolution
                    high = low + resolution
                    bucket = self.histogram[int(low)]
            if watch is not None:
                watch(row, shape, engine)
        _flush(batches)
        self.query_events += events
        if first is not None:
            self.first_seen = _earliest(self.first_seen, first)
            self.last_seen = _latest(self.last_seen, last)
        return self

    def add_query(self, event: QueryEvent) -> None:
        self.query_events += 1
        shape = fingerprint(event.sql, event.engine)
        group = self.groups.get(shape.id)
        if group is None:
            group = self.groups[shape.id] = QueryGroup(
                shape_id=shape.id,
                shape=shape.text,
                engine=event.engine,
                example_sql=event.sql,
                example_place=event.place,
                example_parameters=event.parameters,
            )
        group.add(event)
        ms = event.duration_ms or 0.0
        calls = event.calls
        names = (event.database, event.user, event.application)
        tallies = self._tallies.get(names)
        if tallies is None:
            tallies = self._tallies_for(names)
        for tally in tallies:
            tally.calls += calls
            tally.total_ms += ms
        timestamp = event.timestamp
        if timestamp is not None:
            self._count_time(timestamp, calls, ms)

    def _tallies_for(self, names: tuple[str | None, str | None, str | None]) -> tuple[Tally, Tally, Tally]:
        # A log repeats a few (database, user, application) triples millions of times: their three
        # tallies are looked up once per triple, not three times per event.
        if len(self._tallies) >= _MAX_TRIPLES:
            self._tallies.clear()
        tallies = self._tallies[names] = (
            _tally_of(self.databases, names[0]),
            _tally_of(self.users, names[1]),
            _tally_of(self.applications, names[2]),
        )
        return tallies

    def add_log(self, event: LogEvent) -> None:
        kind = event.kind.value
        self.log_counts[kind] = self.log_counts.get(kind, 0) + 1
        shape = message_shape(event.message)
        key = (kind, shape)
        group = self.logs.get(key)
        if group is None:
            if sum(1 for k in self.logs if k[0] == kind) >= MAX_MESSAGE_SHAPES:
                key = (kind, OTHER)
                group = self.logs.get(key)
            if group is None:
                group = self.logs[key] = LogGroup(
                    kind=kind,
                    shape=key[1],
                    example=event.message,
                    place=event.place,
                    severity=event.severity,
                    sql=event.sql,
                    detail=event.detail,
                )
        group.add(event)
        if event.timestamp is not None:
            self.first_seen = _earliest(self.first_seen, event.timestamp)
            self.last_seen = _latest(self.last_seen, event.timestamp)

    def merge(self, other: WorkloadAggregate) -> WorkloadAggregate:
        """Add ``other`` (a later part of the same input) to this aggregate; returns self."""
        for shape_id, group in other.groups.items():
            mine = self.groups.get(shape_id)
            if mine is None:
                self.groups[shape_id] = group
            else:
                mine.merge(group)
        for name in ("databases", "users", "applications"):
            ours, theirs = getattr(self, name), getattr(other, name)
            for key, tally in theirs.items():
                _tally(ours, key, tally.calls, tally.total_ms)
        if other.resolution > self.resolution:
            self._coarsen(other.resolution)
        for start, tally in other.histogram.items():
            self._count_time(start, tally.calls, tally.total_ms)
        for key, log in other.logs.items():
            if key in self.logs:
                self.logs[key].merge(log)
            else:
                self.logs[key] = log
        for kind, n in other.log_counts.items():
            self.log_counts[kind] = self.log_counts.get(kind, 0) + n
        self.problems.merge(other.problems)
        self.query_events += other.query_events
        self.first_seen = _earliest(self.first_seen, other.first_seen)
        self.last_seen = _latest(self.last_seen, other.last_seen)
        return self

    # Reading the result

    @property
    def calls(self) -> int:
        return sum(g.calls for g in self.groups.values())

    @property
    def total_ms(self) -> float:
        return sum(g.total_ms for g in self.groups.values())

    def top(self, n: int, by: str = "total") -> list[QueryGroup]:
        """The ``n`` groups with the largest ``by`` (total, calls, mean, p95, rows); ties by shape id."""
        if by not in SORT_KEYS:
            raise ValueError(f"cannot sort by {by!r} (choose from {', '.join(SORT_KEYS)})")
        ranked = sorted(self.groups.values(), key=lambda g: (-g.sort_value(by), g.shape_id))
        return ranked[:n]

    def breakdown(self, name: str) -> list[dict[str, Any]]:
        """A breakdown (databases, users, applications) as rows, the most time first."""
        table: dict[str, Tally] = getattr(self, name)
        rows = sorted(table.items(), key=lambda item: (-item[1].total_ms, -item[1].calls, item[0]))
        return [{"name": key, "calls": t.calls, "total_ms": _ms(t.total_ms)} for key, t in rows]

    def time_histogram(self, max_buckets: int = 48) -> list[dict[str, Any]]:
        """Calls and time per bucket, the bucket width chosen so that at most ``max_buckets`` remain."""
        if not self.histogram:
            return []
        first, last = min(self.histogram), max(self.histogram)
        width = next(
            (w for w in _HISTOGRAM_WIDTHS if w >= self.resolution and (last - first) // w + 1 <= max_buckets),
            _HISTOGRAM_WIDTHS[-1],
        )
        buckets: dict[int, Tally] = {}
        for start, tally in self.histogram.items():
            buckets.setdefault(start - start % width, Tally()).merge(tally)
        return [
            {"start": iso_time(start), "seconds": width, "calls": t.calls, "total_ms": _ms(t.total_ms)}
            for start, t in sorted(buckets.items())
        ]

    def log_groups(self, kinds: Iterable[str] | None = None) -> list[LogGroup]:
        """Log event groups (of ``kinds``), the most frequent first."""
        wanted = set(kinds) if kinds is not None else None
        chosen = [g for g in self.logs.values() if wanted is None or g.kind in wanted]
        return sorted(chosen, key=lambda g: (-g.count, g.kind, g.shape))

    def _count_time(self, timestamp: float, calls: int, ms: float) -> None:
        first, last = self.first_seen, self.last_seen
        if first is None or timestamp < first:
            self.first_seen = timestamp
        if last is None or timestamp > last:
            self.last_seen = timestamp
        start = int(timestamp // self.resolution * self.resolution)
        tally = self.histogram.get(start)
        if tally is None:
            if len(self.histogram) >= MAX_MINUTES and self.resolution < 3600:
                self._coarsen(3600)
                start = int(timestamp // self.resolution * self.resolution)
            tally = self.histogram.setdefault(start, Tally())
        tally.add(calls, ms)

    def _coarsen(self, resolution: int) -> None:
        merged: dict[int, Tally] = {}
        for start, tally in self.histogram.items():
            merged.setdefault(start - start % resolution, Tally()).merge(tally)
        self.histogram, self.resolution = merged, resolution


def _flush(batches: dict[str, tuple[QueryGroup, list[float | None], list[float | None]]]) -> None:
    """Add the held calls to their groups and forget them."""
    for group, durations, timestamps in batches.values():
        group.add_calls(durations, timestamps)
    batches.clear()


def message_shape(message: str) -> str:
    """A log message with its values (quoted strings, numbers, key values) replaced by ``?``."""
    # Each pattern starts with a literal: without it in the message, its pass changes nothing (most
    # messages, connections first, hold neither).
    text = _KEY_VALUE.sub("=(?)", message) if "=(" in message else message
    if "'" in text:
        text = _QUOTED_VALUE.sub("'?'", text)
    return _NUMBER.sub("?", text)


def _tally(table: dict[str, Tally], name: str | None, calls: int, ms: float) -> None:
    _tally_of(table, name).add(calls, ms)


def _tally_of(table: dict[str, Tally], name: str | None) -> Tally:
    """The tally of ``name`` in ``table`` (created empty; OTHER once the table is full)."""
    key = name if name else UNKNOWN
    tally = table.get(key)
    if tally is None:
        if len(table) >= MAX_NAMES:
            key = OTHER
            tally = table.get(key)
        if tally is None:
            tally = table[key] = Tally()
    return tally


def _earliest(a: float | None, b: float | None) -> float | None:
    return b if a is None else a if b is None else min(a, b)


def _latest(a: float | None, b: float | None) -> float | None:
    return b if a is None else a if b is None else max(a, b)


def _sum(a: Any, b: Any) -> Any:
    return b if a is None else a if b is None else a + b


def _ms(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def iso_time(timestamp: float | None) -> str | None:
    if timestamp is None:
        return None
    return datetime.datetime.fromtimestamp(timestamp, datetime.UTC).isoformat().replace("+00:00", "Z")
