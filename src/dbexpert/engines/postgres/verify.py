"""The executed check of ``index advise --verify`` on a PostgreSQL scratch copy the user designated.

The chosen indexes are built there with plain CREATE INDEX (then ANALYZE), each workload query runs
as ``EXPLAIN (ANALYZE, FORMAT JSON)`` in a transaction that is rolled back (the time is the
server's Execution Time), and every index this module built is dropped again, after errors too.

To find which of several indexes made a query slower, :meth:`ScratchCopy.hidden` hides some of
them from the planner without a rebuild: ``DROP INDEX`` inside a transaction that is rolled back
(the drop is transactional in PostgreSQL; it holds an ACCESS EXCLUSIVE lock on the table until the
rollback, which on a scratch copy blocks nobody who matters).

Every measured run has ``SET LOCAL statement_timeout`` (the index builds have none): a query that
outlasts it is reported as timed out (its time is at least the timeout), never waited for.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg import sql

from dbexpert.engines.postgres.hypopg import index_names
from dbexpert.engines.postgres.scratch import clean_error, connect
from dbexpert.engines.url import DatabaseUrl
from dbexpert.model import ConnectError, InputError
from dbexpert.model.timing import Measured


class ScratchCopy:
    """A writable connection to the scratch copy: build, execute with EXPLAIN ANALYZE, hide, drop."""

    def __init__(self, url: DatabaseUrl, timeout_ms: int) -> None:
        self.url = url
        self.timeout_ms = timeout_ms
        self.connection = connect(url)
        self.built: list[str] = []  # names of the indexes build() created, oldest first

    def build(self, indexes: Sequence[tuple[str, str]]) -> None:
        """Run each (name, CREATE INDEX) remembering what was built, then ANALYZE."""
        with self._errors():
            for name, statement in indexes:
                self.connection.execute(statement.encode())
                self.built.append(name)
            self.connection.execute(b"ANALYZE")

    def drop(self) -> None:
        """Drop every index :meth:`build` created (and ANALYZE again, so the next plans see the
        tables as they were)."""
        with self._errors():
            while self.built:
                name = self.built.pop()
                self.connection.execute(sql.SQL("DROP INDEX IF EXISTS {}").format(sql.Identifier(name)))
            self.connection.execute(b"ANALYZE")

    def measure(self, text: str, runs: int) -> Measured:
        """``runs`` executions after one warm-up: the median Execution Time and the indexes the plans
        used; a run past the statement timeout ends the measurement (``timed_out``, with the indexes
        of the plan plain EXPLAIN gives: the one that was running)."""
        times: list[float] = []
        used: set[str] = set()
        with self._errors():
            for attempt in range(runs + 1):
                try:
                    plan = self._explain(text, analyze=True)
                except psycopg.errors.QueryCanceled:  # the plan it would run says which indexes
                    used.update(index_names(self._explain(text, analyze=False)))
                    return Measured(float(self.timeout_ms), frozenset(used), timed_out=True)
                used.update(index_names(plan))
                if attempt:  # the first run warms the cache
                    times.append(float(plan[0]["Execution Time"]))
        return Measured(statistics.median(times), frozenset(used))

    @contextmanager
    def hidden(self, names: Sequence[str]) -> Iterator[bool]:
        """Inside the block the planner does not see the built indexes ``names``: they are dropped in
        a transaction rolled back at the end of the block. Yields True (PostgreSQL can always hide)."""
        with self._errors(), self.connection.transaction(force_rollback=True):
            for name in names:
                self.connection.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(name)))
            yield True

    def close(self) -> None:
        self.connection.close()

    def _explain(self, text: str, analyze: bool) -> Any:
        with self.connection.transaction(force_rollback=True), self.connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL statement_timeout = {int(self.timeout_ms)}".encode())
            cursor.execute(f"EXPLAIN ({'ANALYZE, ' if analyze else ''}FORMAT JSON) {text}".encode())
            row = cursor.fetchone()
        value = next(iter(row.values())) if isinstance(row, dict) else row[0]  # type: ignore[index]
        return json.loads(value) if isinstance(value, str) else value

    @contextmanager
    def _errors(self) -> Iterator[None]:
        """psycopg errors as one line, never a traceback; a lost connection says so."""
        try:
            yield
        except psycopg.errors.QueryCanceled:
            raise
        except psycopg.Error as exc:
            if self.connection.broken or self.connection.closed:
                raise ConnectError(f"lost the scratch copy {self.url.redacted()}: {clean_error(exc, self.url)}") from None
            raise InputError(f"--verify {self.url.redacted()}: {clean_error(exc, self.url)}") from None
