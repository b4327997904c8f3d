"""Run migration statements on a MySQL/MariaDB scratch database and record what each did to others.

MySQL DDL commits on its own, so every statement is run (and traced) alone, in autocommit. Three
connections: the *runner* executes the statement; the *monitor* samples the runner's state in
``information_schema.PROCESSLIST`` ("copy to tmp table", "altering table", "Waiting for table
metadata lock", ...) and, when ``performance_schema`` is on, the metadata locks it holds; the
*prober* asks, while the statement runs, whether an ordinary read (``SELECT 1 FROM t LIMIT 1``)
and an ordinary write (``UPDATE t SET c = c WHERE 1 = 0``) on each table the statement names
would have to wait — each in a transaction it rolls back, giving up after a few milliseconds.

A table was rebuilt when its InnoDB table id changed (``INNODB_SYS_TABLES`` on MariaDB,
``INNODB_TABLES`` on MySQL 8): the server copied every row into a new table.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import pymysql

from dbexpert.engines.mysql.scratch import Connection, clean_error, connect, execute, quote
from dbexpert.engines.sampling import StatementWatcher, observed
from dbexpert.engines.url import DatabaseUrl
from dbexpert.model.migration import Lock, StatementTrace
from dbexpert.sql.parse import Statement

SAMPLE_INTERVAL_S = 0.002
PROBE_WAIT_MS = 50  # a probe that waited longer than this was blocked
WAITED_MS = 5  # a probe slower than this that went through when the statement ended had waited for it
_TIMEOUT_ERRORS = frozenset({1205, 1969, 3024})  # lock wait timeout, statement time limit (MariaDB, MySQL)
_TRANSACTION_CONTROL = re.compile(r"^\s*(BEGIN|START\s+TRANSACTION|COMMIT|ROLLBACK)\b", re.I)

# Metadata lock types, weakest first; the ones that stop a plain read or a plain write.
# https://dev.mysql.com/doc/refman/8.0/en/metadata-locking.html
_RANK = (
    "INTENTION_EXCLUSIVE",
    "SHARED",
    "SHARED_HIGH_PRIO",
    "SHARED_READ",
    "SHARED_WRITE_LOW_PRIO",
    "SHARED_WRITE",
    "SHARED_UPGRADABLE",
    "SHARED_READ_ONLY",
    "SHARED_NO_WRITE",
    "SHARED_NO_READ_WRITE",
    "EXCLUSIVE",
)
BLOCKS_READS = frozenset({"SHARED_NO_READ_WRITE", "EXCLUSIVE"})
BLOCKS_WRITES = frozenset({"SHARED_READ_ONLY", "SHARED_NO_WRITE", "SHARED_NO_READ_WRITE", "EXCLUSIVE"})
# Runner states of the short phases where even an online ALTER holds an exclusive lock, or where
# the statement has not started its work yet: probes then say nothing about the statement's bulk.
_EDGE_STATES = frozenset(
    s.lower()
    for s in (
        "",
        "starting",
        "init",
        "checking permissions",
        "Opening tables",
        "opening table",
        "After opening tables",
        "System lock",
        "setup",
        "After create",
        "creating table",
        "Preparing for alter table",
        "Waiting for table metadata lock",
        "committing alter table to storage engine",
        "rename result table",
        "renaming result table",
        "Waiting for table flush",
        "end",
        "query end",
        "closing tables",
        "freeing items",
        "cleaning up",
        "Reset for next command",
        "Unlocking tables",
    )
)
COPY_STATE = "copy to tmp table"

LOCKS_OF_THREAD = """
SELECT m.OBJECT_SCHEMA AS db, m.OBJECT_NAME AS name, m.LOCK_TYPE AS mode
FROM performance_schema.metadata_locks AS m
JOIN performance_schema.threads AS t ON t.THREAD_ID = m.OWNER_THREAD_ID
WHERE t.PROCESSLIST_ID = %s AND m.OBJECT_TYPE = 'TABLE' AND m.LOCK_STATUS = 'GRANTED'
  AND m.OBJECT_SCHEMA = %s
"""


class StatementFailed(Exception):
    """A migration statement failed on the scratch database (the message has no password)."""

    def __init__(self, statement: Statement, message: str) -> None:
        super().__init__(f"{statement.path}:{statement.line}: {message}")
        self.statement = statement
        self.message = message


def strongest(locks: set[Lock]) -> tuple[Lock, ...]:
    best: dict[str, str] = {}
    for relation, mode in locks:
        if relation not in best or _rank(mode) > _rank(best[relation]):
            best[relation] = mode
    return tuple(sorted(best.items()))


def _rank(mode: str) -> int:
    return _RANK.index(mode) if mode in _RANK else -1


def run_script(conn: Connection, statements: Sequence[Statement], url: DatabaseUrl) -> None:
    """Run statements one by one; raise StatementFailed on the first error."""
    for statement in statements:
        try:
            execute(conn, statement.text)
        except pymysql.err.MySQLError as exc:
            _rollback(conn)
            raise StatementFailed(statement, clean_error(exc, url)) from None


def _rollback(conn: Connection) -> None:
    try:
        conn.rollback()
    except pymysql.err.MySQLError:
        pass


@dataclass(slots=True)
class _Probe:
    table: str
    state: str
    reads_blocked: bool
    writes_blocked: bool


@dataclass(slots=True)
class _Observed:
    states: list[str] = field(default_factory=list)
    locks: set[Lock] = field(default_factory=set)
    probes: list[_Probe] = field(default_factory=list)


class Tracer:
    """The three connections of a traced run on one scratch database."""

    def __init__(self, url: DatabaseUrl, flavor: str) -> None:
        assert url.database is not None
        self.url = url
        self.database = url.database
        self.flavor = flavor
        self.runner = connect(url, self.database)
        opened = [self.runner]
        try:
            self.monitor = connect(url, self.database)
            opened.append(self.monitor)
            self.prober = connect(url, self.database)
            opened.append(self.prober)
            execute(self.prober, "SET SESSION lock_wait_timeout = 1, innodb_lock_wait_timeout = 1")
            self.runner_id = int(execute(self.runner, "SELECT CONNECTION_ID() AS id")[0]["id"])
            self.performance_schema = self._has_performance_schema()
        except BaseException:
            for conn in opened:
                conn.close()
            raise

    def close(self) -> None:
        for conn in (self.runner, self.monitor, self.prober):
            conn.close()

    def __enter__(self) -> Tracer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _has_performance_schema(self) -> bool:
        try:
            execute(self.monitor, "SELECT 1 FROM performance_schema.metadata_locks LIMIT 1")
            rows = execute(self.monitor, "SELECT @@performance_schema AS on_")
        except pymysql.err.MySQLError:
            return False
        return bool(rows and int(rows[0]["on_"]))

    # -- the run --------------------------------------------------------------------------------

    def run(self, statements: Sequence[Statement]) -> list[StatementTrace]:
        """Run ``statements`` one by one, tracing each; StatementFailed on the first error."""
        traces: list[StatementTrace] = []
        try:
            for statement in statements:
                if _TRANSACTION_CONTROL.match(statement.text):
                    self._execute(statement)
                else:
                    traces.append(self._traced(statement))
        except BaseException:
            _rollback(self.runner)
            raise
        return traces

    def _execute(self, statement: Statement) -> None:
        try:
            execute(self.runner, statement.text)
        except pymysql.err.MySQLError as exc:
            raise StatementFailed(statement, clean_error(exc, self.url)) from None

    def _traced(self, statement: Statement) -> StatementTrace:
        before = self._table_ids()
        targets = _named_tables(statement.text, sorted(before))
        columns = self._first_columns(targets)
        sampler = _Sampler(self, targets, columns)
        sampler.start()
        started = time.perf_counter()
        try:
            self._execute(statement)
        finally:
            ms = (time.perf_counter() - started) * 1000
            sampler.stop()
        after = self._table_ids()
        rewritten = tuple(
            sorted(name for name, tid in before.items() if name in after and after[name] != tid)
        )
        seen = sampler.seen
        reads, writes, how = _judged(seen, statement.text)
        locks = strongest(seen.locks) if seen.locks else _inferred_locks(seen, targets, reads, writes)
        notes = [
            f"{p.table} ({p.state or 'no state'}): reads {'blocked' if p.reads_blocked else 'ok'},"
            f" writes {'blocked' if p.writes_blocked else 'ok'}"
            for p in seen.probes[:20]
        ]
        states = [s for s in dict.fromkeys(seen.states) if s]
        if states:
            notes.append("states: " + ", ".join(states))
        return observed(
            statement,
            ms=ms,
            locks=locks,
            rewritten=rewritten,
            blocks_reads=reads,
            blocks_writes=writes,
            how=how,
            notes=notes,
        )

    # -- observations ---------------------------------------------------------------------------

    def _table_ids(self) -> dict[str, int]:
        """InnoDB table id per table of the scratch database: a new id means a rebuilt table."""
        source = "INNODB_SYS_TABLES" if self.flavor == "mariadb" else "INNODB_TABLES"
        try:
            rows = execute(
                self.monitor,
                f"SELECT NAME AS name, TABLE_ID AS id FROM information_schema.{source} WHERE NAME LIKE %s",
                (self.database.replace("_", "\\_") + "/%",),
            )
        except pymysql.err.MySQLError:
            return {}
        return {
            str(row["name"]).split("/", 1)[1]: int(row["id"]) for row in rows if "#" not in str(row["name"])
        }

    def _first_columns(self, tables: Sequence[str]) -> dict[str, str]:
        if not tables:
            return {}
        marks = ", ".join(["%s"] * len(tables))
        rows = execute(
            self.monitor,
            "SELECT TABLE_NAME AS t, COLUMN_NAME AS c FROM information_schema.COLUMNS"
            f" WHERE TABLE_SCHEMA = %s AND TABLE_NAME IN ({marks}) AND EXTRA NOT LIKE '%%GENERATED%%'"
            " ORDER BY ORDINAL_POSITION DESC",
            (self.database, *tables),
        )
        return {str(row["t"]): str(row["c"]) for row in rows}  # the first column wins

    def state(self) -> str:
        rows = execute(
            self.monitor,
            "SELECT STATE AS state FROM information_schema.PROCESSLIST WHERE ID = %s",
            (self.runner_id,),
        )
        return str(rows[0]["state"] or "") if rows else ""

    def locks(self) -> set[Lock]:
        rows = execute(self.monitor, LOCKS_OF_THREAD, (self.runner_id, self.database))
        return {(str(row["name"]), str(row["mode"])) for row in rows}

    def blocked(self, query: str) -> str:
        """``blocked`` (gave up waiting for a lock), ``waited`` or ``ok``; run in a transaction rolled back."""
        conn = self.prober
        if self.flavor == "mariadb":
            query = f"SET STATEMENT max_statement_time = {PROBE_WAIT_MS / 1000} FOR {query}"
        started = time.perf_counter()
        try:
            execute(conn, "START TRANSACTION")
            execute(conn, query)
        except pymysql.err.MySQLError as exc:
            code = exc.args[0] if exc.args else None
            return "blocked" if code in _TIMEOUT_ERRORS else "ok"  # not a lock wait: a constraint, ...
        finally:
            _rollback(conn)
        waited_ms = (time.perf_counter() - started) * 1000
        return "blocked" if waited_ms > PROBE_WAIT_MS else "waited" if waited_ms > WAITED_MS else "ok"


def _named_tables(text: str, tables: Sequence[str]) -> list[str]:
    """The existing tables the statement's text names (the ones to probe)."""
    return [t for t in tables if re.search(r"(?<![\w$])`?" + re.escape(t) + r"`?(?![\w$])", text, re.I)]


_INPLACE_STATE = "altering table"
_LOCK_CLAUSE = re.compile(r"\bLOCK\s*=\s*(SHARED|EXCLUSIVE)\b", re.I)


def _judged(seen: _Observed, text: str) -> tuple[bool, bool, str]:
    """What the statement's bulk blocked. The server's own state names say it deterministically
    (a table copy lets reads through and blocks writes; an in-place ALTER lets both through unless
    its LOCK= clause says otherwise); probes can land in the short exclusive phases at either end,
    so they decide only when no such state was seen; then the locks; then nothing."""
    states = {state.lower() for state in seen.states if state}
    if COPY_STATE in states:
        return False, True, "state"
    if _INPLACE_STATE in states:
        clause = _LOCK_CLAUSE.search(text)
        mode = clause.group(1).upper() if clause else "NONE"
        return mode == "EXCLUSIVE", mode != "NONE", "state"
    bulk = [p for p in seen.probes if p.state.lower() not in _EDGE_STATES]
    if bulk:
        reads = 2 * sum(p.reads_blocked for p in bulk) > len(bulk)
        writes = 2 * sum(p.writes_blocked for p in bulk) > len(bulk)
        return reads, writes, "probe"
    if seen.locks:
        modes = {mode for _, mode in seen.locks}
        return bool(modes & BLOCKS_READS), bool(modes & BLOCKS_WRITES), "lock table"
    return False, False, "state"


def _inferred_locks(seen: _Observed, targets: Sequence[str], reads: bool, writes: bool) -> tuple[Lock, ...]:
    """Without performance_schema: the weakest metadata lock that explains what the probes saw."""
    if reads:
        mode = "EXCLUSIVE"
    elif writes:
        mode = "SHARED_NO_WRITE"
    elif any(s.lower() not in _EDGE_STATES for s in seen.states):
        mode = "SHARED_UPGRADABLE"
    else:
        return ()
    return tuple(sorted((t, mode) for t in targets))


class _Sampler(StatementWatcher):
    """Samples the runner's state and locks, and probes its tables, while a statement runs."""

    def __init__(self, tracer: Tracer, tables: Sequence[str], columns: dict[str, str]) -> None:
        self.tracer = tracer
        self.tables = list(tables)
        self.columns = columns
        self.seen = _Observed()
        super().__init__()

    def _loop(self) -> None:
        tracer = self.tracer
        try:
            while not self._stop.is_set():
                state = tracer.state()
                self.seen.states.append(state)
                if tracer.performance_schema:
                    self.seen.locks |= tracer.locks()
                if state and state.lower() not in _EDGE_STATES:
                    for table in self.tables:
                        self._probe(table, state)
                self._stop.wait(SAMPLE_INTERVAL_S)
        except pymysql.err.MySQLError:  # the monitor must never break the run: sampling just stops
            return

    def _probe(self, table: str, state: str) -> None:
        tracer = self.tracer
        name = f"{quote(tracer.database)}.{quote(table)}"
        read = tracer.blocked(f"SELECT 1 FROM {name} LIMIT 1")
        column = self.columns.get(table)
        write = (
            tracer.blocked(f"UPDATE {name} SET {quote(column)} = {quote(column)} WHERE 1 = 0")
            if column
            else "ok"
        )
        running = self._running.is_set()
        # A probe that went through only counts if the statement was still running after it; one
        # that went through only once the statement ended had been waiting for it.
        reads = read == "blocked" or (read == "waited" and not running)
        writes = write == "blocked" or (write == "waited" and not running)
        if reads or writes or running:
            self.seen.probes.append(_Probe(table, state, reads, writes))
