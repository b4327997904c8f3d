"""``workload analyze``: where the database's time goes, from logs, pg_stat_statements and traces.

Every source streams into one :class:`WorkloadAggregate` (statements grouped by shape, log events
counted). pg_stat_statements snapshots — exports or a live ``postgresql://`` URL — are cumulative
counters: with ``baseline`` (or two snapshots given in order, before then after) the report covers
the work done between them. The top queries are then linked to the query checks (their example SQL
through :func:`dbexpert.api.query.check_sql`) and, with ``url``, to a plain EXPLAIN (never ANALYZE:
the statements came from a log and may write); statements with bind parameters are not explained,
since their plan depends on the values.
"""

from __future__ import annotations

import importlib
import json
import re
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from dbexpert.advisors.workload.aggregate import SORT_KEYS, QueryGroup, WorkloadAggregate, iso_time
from dbexpert.advisors.workload.incremental import State
from dbexpert.advisors.workload.nplusone import RequestGrouper
from dbexpert.advisors.workload.parallel import SPLITTABLE, few_collections, read_aggregate
from dbexpert.advisors.workload.stitch import Grouping
from dbexpert.api.config import Config, enabled_rules, rule_options, validate
from dbexpert.engines import SessionOptions, connect
from dbexpert.engines.url import is_url, parse_url
from dbexpert.model import DbexpertError, Engine, Finding, InputError, Location
from dbexpert.model.finding import Mode
from dbexpert.model.query_row import QueryRow
from dbexpert.model.workload import LogEvent, QueryEvent, ReadProblem, RequestTrace
from dbexpert.report import ReportData
from dbexpert.rules.context import run_request_rules
from dbexpert.rules.registry import Registry, Rule, Target, registry
from dbexpert.sources.logs import READERS, ReadOptions, detect_format, open_text
from dbexpert.sources.logs.pg_stat_statements import (
    StatementRow,
    read_rows,
    rows_from_mappings,
    snapshot_delta,
)
from dbexpert.sql.fingerprint import Shape

PG_STAT_STATEMENTS = "pg-stat-statements"
# (path, bytes read, total bytes): how far the current file is; called every few thousand events.
Progress = Callable[[str, int, int], None]
_PROGRESS_EVERY = 20_000
_PLACEHOLDER = re.compile(r"\$\d+|(?<![\w'])\?(?![\w'])")
LOG_KINDS_SHOWN = ("error", "lock-wait", "deadlock", "temp-file", "checkpoint", "autovacuum", "autoanalyze")


@dataclass(frozen=True, slots=True)
class WorkloadOptions:
    top: int = 20
    sort: str = "total"  # one of SORT_KEYS
    url: str | None = None  # explain the top queries on this database
    log_line_prefix: str | None = None
    input_format: str | None = None  # force a reader instead of sniffing
    baseline: Path | None = None  # a pg_stat_statements export taken before
    jobs: int = 1  # processes for each uncompressed PostgreSQL log (split at message boundaries)
    state: Path | None = None  # incremental mode: what earlier runs read, reused and extended
    check_queries: bool = True


@dataclass(frozen=True, slots=True)
class WorkloadResult:
    aggregate: WorkloadAggregate
    queries: tuple[dict[str, Any], ...]  # the top groups, with their checks and plans
    findings: tuple[Finding, ...]
    target: str
    sources: tuple[dict[str, Any], ...]
    sort: str = "total"
    notes: tuple[str, ...] = ()
    seconds: float = 0.0
    live: bool = False
    extra_problems: tuple[str, ...] = field(default=())

    @property
    def problems(self) -> tuple[str, ...]:
        line = self.aggregate.problems.summary()
        return (*self.extra_problems, *((line,) if line else ()))

    def report(self) -> ReportData:
        agg = self.aggregate
        summary = {
            "mode": "live" if self.live else "static",
            "sources": len(self.sources),
            "query_events": agg.query_events,
            "shapes": len(agg.groups),
            "calls": agg.calls,
            "total_ms": round(agg.total_ms, 3),
            "log_events": sum(agg.log_counts.values()),
            "lines_not_understood": agg.problems.count,
            "first_seen": iso_time(agg.first_seen),
            "last_seen": iso_time(agg.last_seen),
            "sorted_by": self.sort,
            "seconds": round(self.seconds, 3),
        }
        workload = {
            "sources": list(self.sources),
            "databases": agg.breakdown("databases"),
            "users": agg.breakdown("users"),
            "applications": agg.breakdown("applications"),
            "histogram": agg.time_histogram(),
            "log_events": dict(sorted(agg.log_counts.items())),
            "logs": [g.facts() for g in agg.log_groups(LOG_KINDS_SHOWN)[:50]],
        }
        return ReportData(
            command="workload analyze",
            findings=self.findings,
            target=self.target,
            summary=MappingProxyType(summary),
            extra=MappingProxyType({"queries": list(self.queries), "workload": workload}),
            problems=self.problems,
            notes=self.notes,
        )


def analyze_workload(
    sources: Iterable[str],
    options: WorkloadOptions | None = None,
    config: Config | None = None,
    rules: Registry | None = None,
    progress: Progress | None = None,
) -> WorkloadResult:
    """Read every source (files of any reader format, gzip too; ``postgresql://`` URLs) and report."""
    options = options or WorkloadOptions()
    config = config or Config()
    rules = rules or registry()
    validate(config, rules)
    if options.sort not in SORT_KEYS:
        raise InputError(f"cannot sort by {options.sort!r} (choose from {', '.join(SORT_KEYS)})")
    if options.input_format is not None and options.input_format not in READERS:
        raise InputError(f"unknown input format {options.input_format!r} (choose from {', '.join(READERS)})")
    started = time.perf_counter()
    names = list(sources)
    if not names:
        raise InputError("give at least one workload file or postgresql:// URL")
    aggregate = WorkloadAggregate()
    read_options = ReadOptions(log_line_prefix=options.log_line_prefix, format=options.input_format)
    facts: list[dict[str, Any]] = []
    snapshots: list[tuple[str, list[StatementRow]]] = []
    live = False
    requests = RequestWatch(config, rules)
    state = State.load(options.state) if options.state is not None else None
    for name in names:
        if is_url(name):
            snapshots.append((parse_url(name).redacted(), live_statements(name)))
            facts.append({"source": snapshots[-1][0], "format": "pg_stat_statements (live)"})
            live = True
            continue
        path = Path(name)
        fmt = options.input_format or detect_format(path)
        if fmt == PG_STAT_STATEMENTS:
            rows = _export_rows(path, aggregate)
            snapshots.append((name, rows))
            facts.append({"source": name, "format": fmt, "rows": len(rows)})
            continue
        before = aggregate.query_events
        grouping = requests.grouping()
        if state is not None:
            aggregate.merge(state.read(path, fmt, read_options, options.jobs, progress, grouping))
            requests.add(grouping)
        elif options.jobs > 1 and fmt in SPLITTABLE:
            aggregate.merge(
                read_aggregate(path, fmt, read_options, options.jobs, progress=progress, grouping=grouping)[0]
            )
            requests.add(grouping)
        else:
            reader = importlib.import_module(f"dbexpert.sources.logs.{READERS[fmt]}")
            with few_collections():
                if hasattr(reader, "read_items"):  # the fast path: queries as plain rows
                    items = _items(path, reader, read_options, progress)
                    aggregate.add_items(items, reader.ENGINE, requests.row_watcher())
                else:
                    aggregate.add_all(requests.watch(_events(path, fmt, read_options, progress)))
        facts.append({"source": name, "format": fmt, "query_events": aggregate.query_events - before})
    notes = _add_snapshots(aggregate, snapshots, options.baseline)
    if state is not None and options.state is not None:
        state.save(options.state)
        notes.append(f"{options.state}: {state.reused} files unchanged since the last run, {state.appended} read from where they ended")
    findings: list[Finding] = requests.finish()
    queries = []
    for group in aggregate.top(options.top, options.sort):
        entry = group.facts()
        if options.check_queries:
            entry["checks"] = _checks(group, config, rules, findings)
        if options.url:
            entry["explain"] = _explain(group, options.url, config, rules, findings)
        queries.append(entry)
    return WorkloadResult(
        aggregate=aggregate,
        queries=tuple(queries),
        findings=tuple(findings),
        target=", ".join(f["source"] for f in facts),
        sources=tuple(facts),
        sort=options.sort,
        notes=tuple(notes),
        seconds=time.perf_counter() - started,
        live=live,
    )


class RequestWatch:
    """Passes events through while grouping them into requests, transactions and sessions; runs the
    request rules (N+1 queries, per-row inserts, duplicate queries) on each unit as it closes."""

    def __init__(self, config: Config, rules: Registry) -> None:
        self._rules: list[Rule] = [r for r in enabled_rules(config, rules) if r.target is Target.REQUEST]
        self._options = rule_options(config, rules)
        self._findings: list[Finding] = []
        self._check = RequestCheck(tuple(r.name for r in self._rules), self._options, self._rules)
        self._pending: list[RequestTrace] = []  # closed units with a repeated shape, checked in batches
        # Every request rule needs a shape run at least min_runs times (its lowest threshold): most
        # units have none and are never built.
        self._grouper = RequestGrouper(min_runs=self._check.min_runs, on_close=self._keep)

    def watch(
        self, events: Iterable[QueryEvent | LogEvent | ReadProblem]
    ) -> Iterator[QueryEvent | LogEvent | ReadProblem]:
        if not self._rules:
            yield from events
            return
        add = self._grouper.add
        for event in events:
            if isinstance(event, QueryEvent):
                add(event)
            yield event

    def row_watcher(self) -> Callable[[QueryRow, Shape, Engine], object] | None:
        """What :meth:`WorkloadAggregate.add_items` calls with each row, its shape and its engine;
        None when no request rule is enabled."""
        return self._grouper.add_row if self._rules else None

    def grouping(self) -> Grouping | None:
        """For a read done elsewhere (``-j N``, ``--state``): the rules to run, where the findings go."""
        return Grouping(self._check) if self._rules else None

    def add(self, grouping: Grouping | None) -> None:
        """The findings of such a read: its closed units' and, the file having ended, its open ones'."""
        if grouping is not None:
            self._findings.extend(_restored(f) for f in grouping.final())

    def finish(self) -> list[Finding]:
        self._grouper.finish()  # the last units go to _keep
        self._run()
        self._findings.sort(key=lambda f: (f.location.path or "", f.location.line or 0))
        return self._findings

    def _keep(self, closed: RequestTrace) -> None:
        self._pending.append(closed)
        if len(self._pending) >= 1000:
            self._run()

    def _run(self) -> None:
        self._findings.extend(run_request_rules(self._pending, self._rules, self._options))
        self._pending = []


class RequestCheck:
    """The request rules as a callable that pickles (by rule name) into the worker processes of
    ``-j N`` and whose findings pickle back (evidence as a plain dict; :func:`_restored` undoes it)."""

    def __init__(
        self, names: tuple[str, ...], options: dict[str, dict[str, Any]], rules: list[Rule] | None = None
    ) -> None:
        self.names, self.options = names, options
        self._rules = rules  # in another process: the shipped rules of those names
        self.min_runs = _min_runs(rules if rules is not None else [registry().get(n) for n in names], options)

    @property
    def key(self) -> str:
        return json.dumps([self.names, self.options], sort_keys=True, default=str)

    def __call__(self, traces: list[RequestTrace]) -> list[Finding]:
        if self._rules is None:
            shipped = registry()
            self._rules = [shipped.get(name) for name in self.names]
        return [replace(f, evidence=dict(f.evidence)) for f in run_request_rules(traces, self._rules, self.options)]

    def __getstate__(self) -> tuple[tuple[str, ...], dict[str, dict[str, Any]], int]:
        return self.names, self.options, self.min_runs

    def __setstate__(self, state: tuple[tuple[str, ...], dict[str, dict[str, Any]], int]) -> None:
        self.names, self.options, self.min_runs = state
        self._rules = None


def _min_runs(rules: list[Rule], options: dict[str, dict[str, Any]]) -> int:
    """The fewest runs of one shape in a unit any of ``rules`` can report, with their options."""
    least = [
        int(options.get(r.name, {}).get(r.runs_option, r.options.get(r.runs_option, 2))) if r.runs_option else 2
        for r in rules
    ]
    return max(1, min(least, default=2))


def _restored(finding: Finding) -> Finding:
    return replace(finding, evidence=MappingProxyType(dict(finding.evidence)))


def find_nplusone_in_events(
    events: Iterable[QueryEvent | LogEvent | ReadProblem], config: Config | None = None, rules: Registry | None = None
) -> list[Finding]:
    """N+1 queries, per-row inserts and duplicate queries within the requests of ``events``."""
    watch = RequestWatch(config or Config(), rules or registry())
    for _ in watch.watch(events):
        pass
    return watch.finish()


def live_statements(url: str) -> list[StatementRow]:
    """pg_stat_statements of the database at ``url``, read-only."""
    from dbexpert.engines.postgres.statements import read_statements

    database = parse_url(url)
    if database.engine is not Engine.POSTGRES:
        raise InputError(
            f"{database.redacted()}: live workload reading needs PostgreSQL (pg_stat_statements); "
            "for MySQL/MariaDB give the slow query log file"
        )
    with connect(database, SessionOptions()) as session:
        rows = read_statements(session)  # type: ignore[arg-type]  # a PostgresSession
    return [row for row in rows_from_mappings(rows, database.redacted()) if isinstance(row, StatementRow)]


def _export_rows(path: Path, aggregate: WorkloadAggregate) -> list[StatementRow]:
    rows: list[StatementRow] = []
    with open_text(path) as text:
        for item in read_rows(text, str(path)):
            if isinstance(item, ReadProblem):
                aggregate.problems.add(item)
            else:
                rows.append(item)
    return rows


def _add_snapshots(
    aggregate: WorkloadAggregate, snapshots: list[tuple[str, list[StatementRow]]], baseline: Path | None
) -> list[str]:
    """Add pg_stat_statements snapshots: each against the baseline, or the second against the first."""
    notes: list[str] = []
    if baseline is not None:
        base = _export_rows(baseline, aggregate)
        pairs = [(str(baseline), base, name, rows) for name, rows in snapshots]
        if not snapshots:
            raise InputError(
                "--baseline needs a pg_stat_statements export or a postgresql:// URL to compare with"
            )
    elif len(snapshots) == 2:
        (first, before), (second, after) = snapshots
        pairs = [(first, before, second, after)]
    elif len(snapshots) > 2:
        raise InputError(
            "give at most two pg_stat_statements snapshots (before, then after) or one with --baseline"
        )
    else:
        for name, rows in snapshots:
            _add_rows(aggregate, rows)
            notes.append(
                f"{name}: pg_stat_statements counts since its last reset; give --baseline (an earlier export) "
                "for the work of one period"
            )
        return notes
    for before_name, before, after_name, after in pairs:
        delta = snapshot_delta(before, after)
        _add_rows(aggregate, delta.rows)
        notes.append(f"pg_stat_statements: the work between {before_name} and {after_name}")
        if delta.reset:
            notes.append(
                f"pg_stat_statements was reset between {before_name} and {after_name}: {delta.reset} "
                "statements are counted from the reset"
            )
    return notes


def _add_rows(aggregate: WorkloadAggregate, rows: Iterable[StatementRow]) -> None:
    aggregate.add_all(row.event() for row in rows if row.calls > 0)


def _events(
    path: Path, fmt: str, options: ReadOptions, progress: Progress | None
) -> Iterator[QueryEvent | LogEvent | ReadProblem]:
    """The events of one file, telling ``progress`` how many of its bytes were read now and then."""
    reader = importlib.import_module(f"dbexpert.sources.logs.{READERS[fmt]}")
    total = path.stat().st_size
    with open_text(path) as text:
        raw = getattr(text.buffer, "fileobj", None) or text.buffer  # the compressed stream's position
        for number, event in enumerate(reader.read(text, str(path), options), start=1):
            if progress is not None and number % _PROGRESS_EVERY == 0:
                progress(str(path), raw.tell(), total)
            yield event
    if progress is not None:
        progress(str(path), total, total)


def _items(
    path: Path, reader: Any, options: ReadOptions, progress: Progress | None
) -> Iterator[QueryRow | LogEvent | ReadProblem]:
    """As :func:`_events` through a reader's fast path (``read_items``: queries as rows)."""
    with open_text(path) as text:
        if progress is None:
            yield from reader.read_items(text, str(path), options)
            return
        total = path.stat().st_size
        raw = getattr(text.buffer, "fileobj", None) or text.buffer
        for number, item in enumerate(reader.read_items(text, str(path), options), start=1):
            if number % _PROGRESS_EVERY == 0:
                progress(str(path), raw.tell(), total)
            yield item
        progress(str(path), total, total)


def _checks(group: QueryGroup, config: Config, rules: Registry, findings: list[Finding]) -> dict[str, Any]:
    """The query checks on the group's example, their findings placed where the example was read."""
    from dbexpert.api.query import check_sql  # sqlglot loads only when queries are checked

    place = group.example_place
    try:
        result = check_sql(group.example_sql, place.path, replace(config, engine=group.engine), rules=rules)
    except DbexpertError as exc:
        return {"findings": [], "problems": [str(exc).splitlines()[0]]}
    placed = [_placed(f, group, Mode.STATIC) for f in result.findings]
    findings.extend(placed)
    return {
        "findings": [{"rule": f.rule, "severity": f.severity.value, "message": f.message} for f in placed],
        "problems": [p.split(": ", 1)[-1] for p in result.problems],
    }


def _explain(
    group: QueryGroup, url: str, config: Config, rules: Registry, findings: list[Finding]
) -> dict[str, Any]:
    """A plain EXPLAIN of the example on ``url``; skipped for statements with parameters."""
    from dbexpert.api.explain import explain

    if group.example_parameters or _PLACEHOLDER.search(group.example_sql):
        return {"skipped": "the statement has bind parameters: its plan depends on their values"}
    try:
        result = explain(
            url, group.example_sql, config, analyze=False, path=group.example_place.path, rules=rules
        )
    except DbexpertError as exc:
        return {"skipped": str(exc).splitlines()[0]}
    placed = [_placed(f, group, Mode.LIVE) for f in result.findings]
    findings.extend(placed)
    root = result.analysis.plan.root
    on = f" on {root.relation}" if root.relation else ""
    return {
        "plan": f"{root.node_type}{on} (cost={root.startup_cost}..{root.total_cost} rows={root.plan_rows})",
        "total_cost": root.total_cost,
        "findings": [{"rule": f.rule, "severity": f.severity.value, "message": f.message} for f in placed],
    }


def _placed(finding: Finding, group: QueryGroup, mode: Mode) -> Finding:
    """The finding at the log line the example came from, with the group's numbers as evidence."""
    place = group.example_place
    evidence = {
        **finding.evidence,
        "fingerprint": group.shape_id,
        "calls": group.calls,
        "total_ms": round(group.total_ms, 3),
        "measured_by": "the workload's own timings, grouped by query shape",
    }
    location = Location(path=place.path, line=place.line, object=finding.location.object)
    return replace(finding, location=location, evidence=MappingProxyType(evidence), mode=mode)
