"""The executed check: build the chosen indexes on a scratch copy the user designated, run each
workload query before and after (median of 5 runs, one warm-up, each run under a time limit), and
say which indexes no executed plan used and which made a query more than 30 % slower. The built
indexes are always dropped.

When a query is slower, the indexes its plan used are the suspects, but rarely all of them are to
blame: each suspect is hidden from the planner in turn (without a rebuild) and the query timed
again; the one whose absence helps most is blamed if it helps clearly, and if the query is still too
slow the next one is looked for among the indexes its new plan uses. A slower query that hiding
none of the set makes clearly faster is not the set's doing and blames nothing (the machine's load,
say). Where the server cannot hide an index, every suspect is blamed.

The check runs in rounds (:func:`until_stable`): without the left-out indexes the planner may pick
other plans, so the rest is built and timed again until a round leaves out nothing. The "before"
times are measured once.

One entry point, :func:`verify`, for every engine; the engine specifics live beside their drivers:

* PostgreSQL (``engines.postgres.verify``): ``EXPLAIN (ANALYZE, FORMAT JSON)`` in a transaction that
  is rolled back; the time is the server's Execution Time; an index is hidden by ``DROP INDEX`` in a
  transaction that is rolled back.
* MySQL/MariaDB (``engines.mysql.verify``): MariaDB's ``ANALYZE FORMAT=JSON`` or MySQL 8's
  ``EXPLAIN ANALYZE`` (TREE), both of which execute the query and print the plan that ran. The
  plans are read by ``sources.plans.mysql``: the time is ``query_block.r_total_time_ms`` (MariaDB)
  or the root iterator's last-row time (MySQL 8), the indexes every ``key`` the plan reached; an
  index is hidden by ``ALTER INDEX … IGNORED`` (MariaDB 10.6+) or ``INVISIBLE`` (MySQL 8).
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from dbexpert.engines.url import DatabaseUrl
from dbexpert.model import DbexpertError, Engine, InputError
from dbexpert.model.plan import Plan
from dbexpert.model.timing import Measured

if TYPE_CHECKING:
    from dbexpert.engines.mysql.verify import ExecutedPlan, ScratchCopy

RUNS = 5
TIMEOUT_MS = 300_000  # per run of a query: past it the query counts as timed out
_MERGED = re.compile(r"^\w+\((?P<names>[^()]*)\)$")  # MySQL's "union(a,b)", "intersect(a,b)"


@dataclass(frozen=True, slots=True)
class QueryTiming:
    label: str
    before_ms: float  # the time limit when ``before_timed_out`` (a lower bound), likewise after
    after_ms: float
    indexes_used: frozenset[str]
    before_timed_out: bool = False
    after_timed_out: bool = False

    @property
    def ratio(self) -> float:
        """after / before; with a timeout on one side a bound, and 1.0 when both timed out."""
        if self.before_timed_out and self.after_timed_out:
            return 1.0
        return self.after_ms / self.before_ms if self.before_ms > 0 else 1.0

    @property
    def settled(self) -> bool:
        """Both times measured (neither run past the time limit)."""
        return not (self.before_timed_out or self.after_timed_out)


@dataclass(frozen=True, slots=True)
class VerifyResult:
    timings: tuple[QueryTiming, ...]
    unused: frozenset[str]  # index names no executed plan used
    slower: dict[str, str]  # index name -> the query it made slower
    unexplained: tuple[str, ...] = ()  # queries too slow that no index of the set explains

    @property
    def total_ratio(self) -> float:
        """Σ after / Σ before over the queries whose both times were measured."""
        settled = [t for t in self.timings if t.settled]
        before = sum(t.before_ms for t in settled)
        return sum(t.after_ms for t in settled) / before if before > 0 else 1.0


class Checker(Protocol):
    """One engine's scratch copy: build and drop the set, time a query, hide built indexes."""

    def build(self, indexes: Sequence[tuple[str, str]]) -> None: ...

    def drop(self) -> None: ...

    def measure(self, text: str, runs: int) -> Measured: ...

    def hidden(self, names: Sequence[str]) -> AbstractContextManager[bool]: ...

    def close(self) -> None: ...


def verify(
    scratch: DatabaseUrl,
    indexes: Sequence[tuple[str, str]],
    queries: Sequence[tuple[str, str]],
    slower_limit: float = 1.30,
    runs: int = RUNS,
    timeout_ms: int = TIMEOUT_MS,
    before: dict[str, Measured] | None = None,
) -> tuple[VerifyResult, dict[str, str], int]:
    """``indexes``: (name, CREATE INDEX statement); ``queries``: (label, runnable SQL); ``before``:
    the queries' times without the set, when already measured. The rounds of :func:`until_stable`
    on one connection: the final set's result, the reason each left-out index was left out, and the
    number of rounds."""
    checker = _checker(scratch, timeout_ms)
    try:
        if before is None:
            before = {label: checker.measure(text, runs) for label, text in queries}
        statements, measured = dict(indexes), before
        return until_stable(
            lambda names: _round(checker, [(n, statements[n]) for n in names], queries, measured, slower_limit, runs),
            [name for name, _ in indexes],
        )
    finally:
        checker.close()


def _checker(scratch: DatabaseUrl, timeout_ms: int) -> Checker:
    if scratch.engine is Engine.POSTGRES:
        from dbexpert.engines.postgres.verify import ScratchCopy as PostgresCopy

        return PostgresCopy(scratch, timeout_ms)
    if scratch.engine is Engine.MYSQL:
        from dbexpert.engines.mysql.verify import ScratchCopy as MysqlCopy

        return _Mysql(MysqlCopy(scratch, timeout_ms), timeout_ms)
    raise InputError(f"--verify {scratch.redacted()}: the executed check runs on PostgreSQL, MySQL and MariaDB")


def _round(
    checker: Checker,
    indexes: Sequence[tuple[str, str]],
    queries: Sequence[tuple[str, str]],
    before: dict[str, Measured],
    limit: float,
    runs: int,
) -> VerifyResult:
    """Build ``indexes``, time every query, find the culprits of the slower ones; always drop."""
    names = frozenset(name for name, _ in indexes)
    try:
        checker.build(indexes)
        after = {label: checker.measure(text, runs) for label, text in queries}
        slower: dict[str, str] = {}
        unexplained: list[str] = []
        for label, text in queries:
            if not _too_slow(before[label], after[label], limit):
                continue
            culprits = _culprits(checker, text, before[label], after[label], names, limit, runs)
            if not culprits:
                unexplained.append(label)
            for name in culprits:
                slower.setdefault(name, label)
    except BaseException as exc:  # errors and Ctrl-C alike: still drop what was built
        try:
            checker.drop()
        except DbexpertError as failed:  # say both: the user must know indexes may be left behind
            if isinstance(exc, DbexpertError):
                raise type(exc)(f"{exc}; and then {failed}") from None
        raise
    checker.drop()
    timings = tuple(
        QueryTiming(
            label,
            before[label].median_ms,
            after[label].median_ms,
            after[label].indexes,
            before[label].timed_out,
            after[label].timed_out,
        )
        for label, _ in queries
    )
    used = frozenset(n for t in timings for n in t.indexes_used)
    unused = frozenset(n for n, _ in indexes if n not in used)
    return VerifyResult(timings, unused, slower, tuple(unexplained))


def _too_slow(before: Measured, after: Measured, limit: float) -> bool:
    if after.timed_out:
        return not before.timed_out  # at least timeout / before: too slow unless before was near it
    return after.median_ms > limit * before.median_ms


def _culprits(
    checker: Checker,
    text: str,
    before: Measured,
    after: Measured,
    names: frozenset[str],
    limit: float,
    runs: int,
) -> tuple[str, ...]:
    """The built indexes that make ``text`` too slow: hide each suspect (a set index its plan used)
    in turn; the one whose absence makes the query fastest is blamed if that is clearly faster (by
    ``limit``, as a slowdown is judged) than with it, and while the query is still too slow the
    search goes on among the indexes its new plan uses. Judging each step against the time with the
    index, not only against "before", keeps a culprit blamed when the machine's noise leaves the
    query a little above the limit without it. Empty when hiding none of them helps; every suspect
    when the server cannot hide an index."""
    hidden: list[str] = []
    current = after
    suspects = sorted(after.indexes & names)
    while suspects:
        trials: dict[str, Measured] = {}
        for name in suspects:
            with checker.hidden([*hidden, name]) as able:
                if not able:
                    return tuple(sorted(after.indexes & names))
                trials[name] = checker.measure(text, runs)
        best = min(suspects, key=lambda n: (trials[n].timed_out, trials[n].median_ms))
        if not _too_slow(trials[best], current, limit):
            break  # hiding none of them makes it clearly faster: the rest is not these indexes' doing
        hidden.append(best)
        current = trials[best]
        if not _too_slow(before, current, limit):
            break
        suspects = sorted(current.indexes & names - set(hidden))
    return tuple(hidden)


# -- MySQL / MariaDB ---------------------------------------------------------------------------------


class _Mysql:
    """The MySQL/MariaDB scratch copy as a :class:`Checker`: its executed plans read into times."""

    def __init__(self, copy: ScratchCopy, timeout_ms: int) -> None:
        self.copy = copy
        self.timeout_ms = timeout_ms
        self.names: list[str] = []

    def build(self, indexes: Sequence[tuple[str, str]]) -> None:
        self.names = [name for name, _ in indexes]
        self.copy.build([statement for _, statement in indexes])

    def drop(self) -> None:
        self.copy.drop()

    def measure(self, text: str, runs: int) -> Measured:
        from dbexpert.engines.mysql.verify import ExecutedPlan

        executed = self.copy.executed(text, runs)
        if executed is None:  # past the time limit: the indexes of the plan it was running
            planned = _measured([ExecutedPlan(self.copy.planned(text), 0.0)], self.names)
            return Measured(float(self.timeout_ms), planned.indexes, timed_out=True)
        return _measured(executed, self.names)

    def hidden(self, names: Sequence[str]) -> AbstractContextManager[bool]:
        return self.copy.hidden(names)

    def close(self) -> None:
        self.copy.close()


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
