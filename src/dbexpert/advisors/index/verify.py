"""The executed check: build the chosen indexes on a scratch copy the user designated, run each
workload query before and after (median of 5 runs, one warm-up), and say which indexes no executed
plan used and which made a query more than 30 % slower. The built indexes are always dropped.

One entry point, :func:`verify`, for every engine; the engine specifics live beside their drivers:

* PostgreSQL (``engines.postgres.whatif``): ``EXPLAIN (ANALYZE, FORMAT JSON)`` in a transaction that
  is rolled back; the time is the server's Execution Time.
* MySQL/MariaDB (``engines.mysql.verify``): MariaDB's ``ANALYZE FORMAT=JSON`` or MySQL 8's
  ``EXPLAIN ANALYZE`` (TREE), both of which execute the query and print the plan that ran. The
  plans are read by ``sources.plans.mysql``: the time is ``query_block.r_total_time_ms`` (MariaDB)
  or the root iterator's last-row time (MySQL 8), the indexes every ``key`` the plan reached.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dbexpert.engines.url import DatabaseUrl
from dbexpert.model import ConnectError, DbexpertError, Engine, InputError
from dbexpert.model.plan import Plan

if TYPE_CHECKING:
    from dbexpert.engines.mysql.verify import ExecutedPlan

RUNS = 5
_MERGED = re.compile(r"^\w+\((?P<names>[^()]*)\)$")  # MySQL's "union(a,b)", "intersect(a,b)"


@dataclass(frozen=True, slots=True)
class QueryTiming:
    label: str
    before_ms: float
    after_ms: float
    indexes_used: frozenset[str]

    @property
    def ratio(self) -> float:
        return self.after_ms / self.before_ms if self.before_ms > 0 else 1.0


@dataclass(frozen=True, slots=True)
class VerifyResult:
    timings: tuple[QueryTiming, ...]
    unused: frozenset[str]  # index names no executed plan used
    slower: dict[str, str]  # index name -> the query it made slower

    @property
    def total_ratio(self) -> float:
        before = sum(t.before_ms for t in self.timings)
        return sum(t.after_ms for t in self.timings) / before if before > 0 else 1.0


@dataclass(frozen=True, slots=True)
class Measured:
    median_ms: float
    indexes: frozenset[str]  # index names the executed plans used


_Runs = tuple[dict[str, Measured], dict[str, Measured]]


def verify(
    scratch: DatabaseUrl,
    indexes: Sequence[tuple[str, str]],
    queries: Sequence[tuple[str, str]],
    slower_limit: float = 1.30,
    runs: int = RUNS,
) -> VerifyResult:
    """``indexes``: (name, CREATE INDEX statement); ``queries``: (label, runnable SQL)."""
    if scratch.engine is Engine.POSTGRES:
        before, after = _postgres(scratch, indexes, queries, runs)
    elif scratch.engine is Engine.MYSQL:
        before, after = _mysql(scratch, indexes, queries, runs)
    else:
        raise InputError(
            f"--verify {scratch.redacted()}: the executed check runs on PostgreSQL, MySQL and MariaDB"
        )
    names = [name for name, _ in indexes]
    timings = tuple(
        QueryTiming(label, before[label].median_ms, after[label].median_ms, after[label].indexes)
        for label, _ in queries
    )
    used = frozenset(n for t in timings for n in t.indexes_used)
    slower = {
        name: t.label for t in timings if t.ratio > slower_limit for name in t.indexes_used if name in names
    }
    return VerifyResult(timings, frozenset(n for n in names if n not in used), slower)


# -- PostgreSQL --------------------------------------------------------------------------------------


def _postgres(
    scratch: DatabaseUrl, indexes: Sequence[tuple[str, str]], queries: Sequence[tuple[str, str]], runs: int
) -> _Runs:
    from dbexpert.engines.postgres.scratch import clean_error, connect
    from dbexpert.engines.postgres.whatif import build_indexes, drop_indexes, timed_runs

    def measure(text: str) -> Measured:
        timed = timed_runs(connection, text, runs)
        return Measured(timed.median_ms, timed.indexes)

    connection = connect(scratch)
    try:
        before = {label: measure(text) for label, text in queries}
        try:
            build_indexes(connection, [sql for _, sql in indexes])
            after = {label: measure(text) for label, text in queries}
        finally:
            drop_indexes(connection, [name for name, _ in indexes])
    except Exception as exc:  # psycopg errors: one line, never a traceback
        if connection.broken or connection.closed:
            raise ConnectError(
                f"lost the scratch copy {scratch.redacted()}: {clean_error(exc, scratch)}"
            ) from None
        raise InputError(f"--verify {scratch.redacted()}: {clean_error(exc, scratch)}") from None
    finally:
        connection.close()
    return before, after


# -- MySQL / MariaDB ---------------------------------------------------------------------------------


def _mysql(
    scratch: DatabaseUrl, indexes: Sequence[tuple[str, str]], queries: Sequence[tuple[str, str]], runs: int
) -> _Runs:
    from dbexpert.engines.mysql.verify import ScratchCopy

    names = [name for name, _ in indexes]
    copy = ScratchCopy(scratch)
    try:
        before = {label: _measured(copy.executed(text, runs), names) for label, text in queries}
        try:
            copy.build([sql for _, sql in indexes])
            after = {label: _measured(copy.executed(text, runs), names) for label, text in queries}
        except DbexpertError as exc:
            try:
                copy.drop()
            except DbexpertError as failed:  # say both: the user must know indexes may be left behind
                raise type(exc)(f"{exc}; and then {failed}") from None
            raise
        except BaseException:  # Ctrl-C: still drop what was built
            copy.drop()
            raise
        copy.drop()
    finally:
        copy.close()
    return before, after


def _measured(runs: Sequence[ExecutedPlan], names: Sequence[str]) -> Measured:
    """The median execution time of MySQL/MariaDB executed plans and the indexes they used (with
    the advisor's spelling of the names: MySQL index names are case-insensitive)."""
    from dbexpert.sources.plans.mysql import parse_mysql_plan

    times: list[float] = []
    used: set[str] = set()
    for run in runs:
        plan = parse_mysql_plan(run.text, "<executed plan>")
        times.append(execution_ms(plan, run.wall_ms))
        used.update(plan_indexes(plan))
    spelled = {n.lower(): n for n in names}
    return Measured(statistics.median(times), frozenset(spelled.get(n.lower(), n) for n in used))


def execution_ms(plan: Plan, wall_ms: float) -> float:
    """The executed plan's own time: MariaDB's ``r_total_time_ms``, else the root iterator's time to
    its last row (MySQL 8 EXPLAIN ANALYZE), else the time measured around the statement."""
    if plan.execution_time is not None:
        return plan.execution_time
    root = plan.root
    if root.actual_total_time is not None:
        return root.actual_total_time * (root.actual_loops or 1)
    return wall_ms


def plan_indexes(plan: Plan) -> set[str]:
    """Every index an executed MySQL/MariaDB plan reached, index merges included."""
    names: set[str] = set()
    for node in plan.nodes():
        found = [node.index_name] if node.index_name else []
        found += list(_keys(dict(node.attrs)))
        for name in found:
            merged = _MERGED.match(name)
            parts = merged["names"].split(",") if merged else [name]
            names.update(p.strip().strip("`") for p in parts if p.strip())
    return names


def _keys(value: Any) -> Iterator[str]:
    """``key`` strings at any depth (MariaDB nests an index merge's ranges inside the table)."""
    if isinstance(value, dict):
        for key, inner in value.items():
            if key == "key" and isinstance(inner, str):
                yield inner
            else:
                yield from _keys(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _keys(inner)


def until_stable(
    measure: Callable[[Sequence[str]], VerifyResult], names: Sequence[str]
) -> tuple[VerifyResult, dict[str, str], int]:
    """Check ``names`` with ``measure`` and leave out the indexes no plan used or that made a query
    slower, then check the rest again — without them the planner may pick other plans — until a
    round leaves out nothing (each round leaves out at least one index, so it ends). Returns the
    final set's result, the reason each left-out index was left out, and the number of rounds."""
    left_out: dict[str, str] = {}
    current = list(names)
    rounds = 0
    while True:
        rounds += 1
        result = measure(current)
        out = {n: "no executed plan used it" for n in current if n in result.unused}
        out |= {
            n: f"it made {q} more than 30 % slower"
            for n, q in result.slower.items()
            if n in current and n not in out
        }
        left_out |= out
        current = [n for n in current if n not in out]
        if not out or not current:
            return result, left_out, rounds
