"""The executed check: build the chosen indexes on a scratch copy the user designated, run each
workload query before and after (median of 5 runs, one warm-up), and say which indexes no executed
plan used and which made a query more than 30 % slower. The built indexes are always dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dbexpert.engines.url import DatabaseUrl
from dbexpert.model import ConnectError, Engine, InputError

RUNS = 5


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


def verify(
    scratch: DatabaseUrl,
    indexes: Sequence[tuple[str, str]],
    queries: Sequence[tuple[str, str]],
    slower_limit: float = 1.30,
    runs: int = RUNS,
) -> VerifyResult:
    """``indexes``: (name, CREATE INDEX statement); ``queries``: (label, runnable SQL)."""
    if scratch.engine is not Engine.POSTGRES:
        raise InputError(f"--verify {scratch.redacted()}: the executed check runs on PostgreSQL only for now")
    from dbexpert.engines.postgres.scratch import clean_error, connect
    from dbexpert.engines.postgres.whatif import build_indexes, drop_indexes, timed_runs

    connection = connect(scratch)
    names = [name for name, _ in indexes]
    try:
        before = {label: timed_runs(connection, text, runs) for label, text in queries}
        try:
            build_indexes(connection, [sql for _, sql in indexes])
            after = {label: timed_runs(connection, text, runs) for label, text in queries}
        finally:
            drop_indexes(connection, names)
    except Exception as exc:  # psycopg errors: one line, never a traceback
        if connection.broken or connection.closed:
            raise ConnectError(f"lost the scratch copy {scratch.redacted()}: {clean_error(exc, scratch)}") from None
        raise InputError(f"--verify {scratch.redacted()}: {clean_error(exc, scratch)}") from None
    finally:
        connection.close()
    timings = tuple(
        QueryTiming(label, before[label].median_ms, after[label].median_ms, after[label].indexes)
        for label, _ in queries
    )
    used = frozenset(n for t in timings for n in t.indexes_used)
    slower = {
        name: t.label for t in timings if t.ratio > slower_limit for name in t.indexes_used if name in names
    }
    return VerifyResult(timings, frozenset(n for n in names if n not in used), slower)
