"""The executed check of ``index advise --verify`` on a MySQL/MariaDB scratch copy the user designated.

The chosen indexes are built there with plain CREATE INDEX (then ANALYZE TABLE, as the PostgreSQL
path runs ANALYZE), each workload query is executed by the server's analyzing EXPLAIN, and every
index this module built is dropped again, after errors too. Only indexes it created itself are
dropped: a CREATE that failed (say, a name the copy already uses) leaves nothing to drop.

Which statement reports the plan that really ran:

* **MariaDB**: ``ANALYZE FORMAT=JSON <query>``. It executes the statement and prints the plan that
  was executed, annotated with what happened (``r_loops``, ``r_rows``, ``r_table_time_ms``) and the
  execution time ``query_block.r_total_time_ms`` (optimization is timed apart, as PostgreSQL's
  Execution Time leaves out planning). Running the query and then ``EXPLAIN FORMAT=JSON`` would
  optimize it a second time: the plan printed is what the optimizer would pick then (its range
  estimates are new index dives), not necessarily the one that ran. ANALYZE discards the result
  rows on the server, so the time is not the network's.
* **MySQL 8.0.18+**: ``EXPLAIN ANALYZE <query>`` (TREE text), which also executes the statement and
  prints the iterators that ran with ``actual time=first..last``; the root's last-row time is the
  execution time. There is no MySQL 8 server where dbexpert is tested: this path is covered by
  reading captured TREE output only (``tests/advisors/test_verify_plans.py``).

Each run is its own ``START TRANSACTION READ ONLY`` ... ``ROLLBACK``: the workload holds SELECTs
only, and the copy stays as it was even if one of them calls a function that writes. Each run has a
time limit (MariaDB ``SET STATEMENT max_statement_time=… FOR``, MySQL ``max_execution_time``): a
query past it is reported as timed out, never waited for.

To find which of several indexes made a query slower, :meth:`ScratchCopy.hidden` hides built indexes
from the optimizer without a rebuild: ``ALTER INDEX … IGNORED`` (MariaDB 10.6+) or ``INVISIBLE``
(MySQL 8), undone at the end of the block. Older servers cannot hide an index: the block says so.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import NoReturn

import pymysql

from dbexpert.engines.mysql.explain import explain_command
from dbexpert.engines.mysql.introspect import flavor_of
from dbexpert.engines.mysql.scratch import Connection, clean_error, connect, execute
from dbexpert.engines.url import DatabaseUrl
from dbexpert.model import ConnectError, InputError, Version

_IDENT = r"(?:`(?:[^`]|``)+`|[^\s.`(]+)"
# CREATE INDEX <name> ON <table> ...: what a built index is dropped by.
_CREATE_INDEX = re.compile(
    rf"^\s*CREATE\s+(?:UNIQUE\s+)?INDEX\s+(?P<name>{_IDENT})\s+ON\s+(?P<table>{_IDENT}(?:\.{_IDENT})?)", re.I
)
_LOST = frozenset({2006, 2013, 2055})
_TIMED_OUT = frozenset({1969, 3024})  # MariaDB max_statement_time, MySQL max_execution_time exceeded
MARIADB_IGNORED = Version(10, 6, 0)  # ALTER INDEX ... IGNORED
MYSQL_INVISIBLE = Version(8, 0, 0)  # ALTER INDEX ... INVISIBLE


def index_target(statement: str) -> tuple[str, str] | None:
    """(table, index) of a CREATE INDEX statement, spelled as written there."""
    match = _CREATE_INDEX.match(statement)
    return (match["table"], match["name"]) if match else None


@dataclass(frozen=True, slots=True)
class ExecutedPlan:
    text: str  # the plan as the server printed it: JSON (MariaDB) or TREE (MySQL)
    wall_ms: float  # measured around the statement, for a plan that carries no time of its own


class ScratchCopy:
    """A writable connection to the scratch copy: build, execute with the analyzing EXPLAIN, drop."""

    def __init__(self, url: DatabaseUrl, timeout_ms: int) -> None:
        if not url.database:
            raise InputError(
                f"--verify {url.redacted()}: name the scratch copy's database in the URL (mysql://user@host/copy)"
            )
        self.url = url
        self.conn: Connection = connect(url, url.database)
        self.built: list[tuple[str, str]] = []  # (table, index) as written in the CREATE INDEX
        try:
            text = str(execute(self.conn, "SELECT VERSION() AS v")[0]["v"])
            self.flavor, self.version = flavor_of(text), Version.parse(text)
            self.prefix = explain_command(self.flavor, self.version, analyze=True).prefix
            self.plain = explain_command(self.flavor, self.version, analyze=False).prefix
            if self.flavor == "mariadb":  # for the measured statements only, not the index builds
                self.prefix = f"SET STATEMENT max_statement_time={timeout_ms / 1000:g} FOR {self.prefix}"
            else:  # applies to SELECTs only
                execute(self.conn, f"SET SESSION max_execution_time = {int(timeout_ms)}")
        except BaseException:
            self.conn.close()
            raise

    def build(self, statements: Sequence[str]) -> None:
        """Run each CREATE INDEX, remembering what was built, then ANALYZE TABLE the tables touched."""
        for statement in statements:
            target = index_target(statement)
            if target is None:
                raise InputError(f"--verify: not a CREATE INDEX statement: {statement[:80]}")
            self._run(statement)
            self.built.append(target)
        tables = sorted({table for table, _ in self.built})
        if tables:
            self._run(f"ANALYZE TABLE {', '.join(tables)}")

    def drop(self) -> None:
        """Drop every index :meth:`build` created, newest first; try them all, then report a failure."""
        failed: list[str] = []
        if self.built and not self.conn.open:  # the run lost its connection: drop on a fresh one
            self.conn = connect(self.url, self.url.database)
        while self.built:
            table, name = self.built.pop()
            try:
                execute(self.conn, f"ALTER TABLE {table} DROP INDEX {name}")
            except pymysql.err.MySQLError as exc:
                failed.append(f"{name} on {table}: {clean_error(exc, self.url)}")
        if failed:
            raise InputError(f"--verify {self.url.redacted()}: could not drop {'; '.join(failed)}")

    def executed(self, text: str, runs: int) -> list[ExecutedPlan] | None:
        """``runs`` executions of ``text`` after one warm-up, each with the plan that ran; None when a
        run outlasts the time limit."""
        plans = []
        for attempt in range(runs + 1):
            execute(self.conn, "START TRANSACTION READ ONLY")
            try:
                start = time.perf_counter()
                try:
                    rows = execute(self.conn, self.prefix + text)
                except pymysql.err.MySQLError as exc:
                    if exc.args and exc.args[0] in _TIMED_OUT:
                        return None
                    self._raise(exc)
                wall = (time.perf_counter() - start) * 1000
            finally:
                if self.conn.open:
                    self.conn.rollback()
            if attempt:  # the first run warms the buffer pool
                plans.append(ExecutedPlan(str(next(iter(rows[0].values()))), wall))
        return plans

    def planned(self, text: str) -> str:
        """The plan the optimizer picks for ``text`` (EXPLAIN FORMAT=JSON), without running it: what
        a run past the time limit was executing."""
        execute(self.conn, "START TRANSACTION READ ONLY")
        try:
            rows = self._run(self.plain + text)
        finally:
            if self.conn.open:
                self.conn.rollback()
        return str(next(iter(rows[0].values())))

    @contextmanager
    def hidden(self, names: Sequence[str]) -> Iterator[bool]:
        """Inside the block the optimizer ignores the built indexes ``names`` (the advisor's
        spelling, matched without case). Yields False, hiding nothing, where the server cannot."""
        if self.flavor == "mariadb":
            hide, show, able = "IGNORED", "NOT IGNORED", self.version >= MARIADB_IGNORED
        else:
            hide, show, able = "INVISIBLE", "VISIBLE", self.version >= MYSQL_INVISIBLE
        if not able:
            yield False
            return
        wanted = {n.lower() for n in names}
        targets = [(t, i) for t, i in self.built if i.strip("`").replace("``", "`").lower() in wanted]
        done: list[tuple[str, str]] = []
        try:
            for table, index in targets:
                self._run(f"ALTER TABLE {table} ALTER INDEX {index} {hide}")
                done.append((table, index))
            yield True
        finally:
            for table, index in done:
                self._run(f"ALTER TABLE {table} ALTER INDEX {index} {show}")

    def close(self) -> None:
        self.conn.close()

    def _run(self, statement: str) -> list[dict[str, object]]:
        try:
            return execute(self.conn, statement)
        except pymysql.err.MySQLError as exc:
            self._raise(exc)

    def _raise(self, exc: pymysql.err.MySQLError) -> NoReturn:
        message = clean_error(exc, self.url)
        code = exc.args[0] if exc.args else None
        if code in _LOST or not self.conn.open or isinstance(exc, pymysql.err.InterfaceError):
            raise ConnectError(f"lost the scratch copy {self.url.redacted()}: {message}") from None
        raise InputError(f"--verify {self.url.redacted()}: {message}") from None
