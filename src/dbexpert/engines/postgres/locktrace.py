"""Run migration statements on a scratch database and record what each one did to concurrent work.

Three connections: the *runner* executes the statements; the *monitor* samples ``pg_locks`` for
the runner's backend every few milliseconds; the *prober* asks, with a short ``lock_timeout`` and
inside a transaction it rolls back, whether an ordinary read (``SELECT 1 FROM t LIMIT 1``) and an
ordinary write (an ``UPDATE`` of one row) on each table the statement locked would have to wait.

A statement that may run in a transaction block runs in one (the tool's, the script's, or one of
its own, which is what autocommit does anyway), and is probed right after it returns, while its
locks are still held: the answer is exact. A statement that may not (``CREATE INDEX
CONCURRENTLY``, ...) runs in autocommit and is probed while it runs; when it finished before the
probe could tell, the answer comes from PostgreSQL's lock conflict table and the modes sampled.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence

import psycopg
from psycopg import sql

from dbexpert.engines.postgres.scratch import Row, clean_error, connect
from dbexpert.engines.sampling import StatementWatcher, observed
from dbexpert.engines.url import DatabaseUrl, redact
from dbexpert.model.migration import Lock, StatementTrace
from dbexpert.sql.parse import Statement

SAMPLE_INTERVAL_S = 0.002
PROBE_LOCK_TIMEOUT_MS = 50
_PROBE_LOCK_TIMEOUT = "SET LOCAL lock_timeout = '50ms'"
_USER_SCHEMAS = "n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_(toast|temp_)'"

LOCKS_OF_BACKEND = f"""
SELECT l.mode, n.nspname AS schema, c.relname AS name, c.relkind AS relkind
FROM pg_locks AS l
JOIN pg_class AS c ON c.oid = l.relation
JOIN pg_namespace AS n ON n.oid = c.relnamespace
WHERE l.pid = %s
  AND l.locktype = 'relation'
  AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
  AND {_USER_SCHEMAS}
"""

TABLE_FILES = f"""
SELECT c.oid::bigint AS oid, n.nspname AS schema, c.relname AS name, pg_relation_filenode(c.oid) AS node
FROM pg_class AS c
JOIN pg_namespace AS n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'm') AND {_USER_SCHEMAS}
"""

# Lock modes that conflict with what a plain read (ACCESS SHARE) and a plain write (ROW EXCLUSIVE) take.
# https://www.postgresql.org/docs/current/explicit-locking.html#TABLE-LOCK-COMPATIBILITY
BLOCKS_READS = frozenset({"ACCESS EXCLUSIVE"})
BLOCKS_WRITES = frozenset({"SHARE", "SHARE ROW EXCLUSIVE", "EXCLUSIVE", "ACCESS EXCLUSIVE"})
_TRANSACTION_START = re.compile(r"^\s*(BEGIN|START\s+TRANSACTION)\b", re.I)
_TRANSACTION_END = re.compile(r"^\s*(COMMIT|END|ROLLBACK|ABORT)\b", re.I)


class StatementFailed(Exception):
    """A migration statement failed on the scratch database (the message has no password)."""

    def __init__(self, statement: Statement, message: str) -> None:
        super().__init__(f"{statement.path}:{statement.line}: {message}")
        self.statement = statement
        self.message = message


def mode_name(mode: str) -> str:
    """``AccessExclusiveLock`` -> ``ACCESS EXCLUSIVE``."""
    return " ".join(re.findall(r"[A-Z][a-z]*", mode.removesuffix("Lock"))).upper()


_RANK = (
    "ACCESS SHARE",
    "ROW SHARE",
    "ROW EXCLUSIVE",
    "SHARE UPDATE EXCLUSIVE",
    "SHARE",
    "SHARE ROW EXCLUSIVE",
    "EXCLUSIVE",
    "ACCESS EXCLUSIVE",
)


def strongest(locks: set[Lock]) -> tuple[Lock, ...]:
    best: dict[str, str] = {}
    for relation, mode in locks:
        if relation not in best or _RANK.index(mode) > _RANK.index(best[relation]):
            best[relation] = mode
    return tuple(sorted(best.items()))


def run_script(conn: psycopg.Connection[Row], statements: Sequence[Statement], transactional: bool) -> None:
    """Run statements as a migration tool would; raise StatementFailed on the first error."""
    if transactional:
        conn.execute("BEGIN")
    current: Statement | None = None
    try:
        for current in statements:
            conn.execute(current.text.encode())
        if transactional:
            conn.execute("COMMIT")
    except psycopg.Error as exc:
        _rollback(conn)
        assert current is not None
        raise StatementFailed(current, redact(" ".join(str(exc).split()))) from None


def _rollback(conn: psycopg.Connection[Row]) -> None:
    if conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
        conn.execute("ROLLBACK")


class Tracer:
    """The three connections of a traced run on one scratch database."""

    def __init__(self, url: DatabaseUrl) -> None:
        self.url = url
        self.runner = connect(url, statement_timeout="600s")
        try:
            self.monitor = connect(url)
            try:
                self.prober = connect(url)
            except BaseException:
                self.monitor.close()
                raise
        except BaseException:
            self.runner.close()
            raise
        self.pid = self.runner.info.backend_pid

    def close(self) -> None:
        for conn in (self.runner, self.monitor, self.prober):
            conn.close()

    def __enter__(self) -> Tracer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the run --------------------------------------------------------------------------------

    def run(self, statements: Sequence[Statement], transactional: bool) -> list[StatementTrace]:
        """Run ``statements`` like the tool would, tracing each; StatementFailed on the first error."""
        traces: list[StatementTrace] = []
        in_transaction = transactional
        if transactional:
            self.runner.execute("BEGIN")
        try:
            for statement in statements:
                if _TRANSACTION_START.match(statement.text):
                    self._execute(statement)
                    in_transaction = True
                elif _TRANSACTION_END.match(statement.text):
                    self._execute(statement)
                    in_transaction = False
                else:
                    traces.append(self._traced(statement, in_transaction))
            if transactional:
                self.runner.execute("COMMIT")
        except BaseException:
            _rollback(self.runner)
            raise
        return traces

    def _execute(self, statement: Statement) -> None:
        try:
            self.runner.execute(statement.text.encode())
        except psycopg.Error as exc:
            raise StatementFailed(statement, clean_error(exc, self.url)) from None

    def _traced(self, statement: Statement, in_transaction: bool) -> StatementTrace:
        own_transaction = not in_transaction
        before_locks = self._locks()
        before_files = self._files()
        if own_transaction:
            self.runner.execute("BEGIN")
        sampler = _Sampler(self, concurrent_probes=False)
        try:
            ms = self._timed(statement, sampler)
        except psycopg.errors.ActiveSqlTransaction:
            # Not allowed in a transaction block (CREATE INDEX CONCURRENTLY, ...): autocommit, and
            # probe while it runs.
            if not own_transaction:
                raise StatementFailed(statement, "cannot run inside a transaction block") from None
            self.runner.execute("ROLLBACK")
            own_transaction = False
            sampler = _Sampler(self, concurrent_probes=True)
            try:
                ms = self._timed(statement, sampler)
            except psycopg.Error as exc:
                raise StatementFailed(statement, clean_error(exc, self.url)) from None
        except psycopg.Error as exc:
            raise StatementFailed(statement, clean_error(exc, self.url)) from None
        held = (
            self._locks()
            if self.runner.info.transaction_status != psycopg.pq.TransactionStatus.IDLE
            else set()
        )
        after_files = self._files()
        locks = strongest((sampler.seen | held) - before_locks)
        rewritten = tuple(
            sorted(
                name
                for oid, (name, node) in before_files.items()
                if oid in after_files and after_files[oid][1] != node
            )
        )
        if sampler.concurrent_probes:
            reads, writes, how, notes = self._judged(locks, sampler)
        else:
            reads, writes, notes = self._probe_all([rel for rel, _ in locks])
            how = "probe"
        if own_transaction:
            self.runner.execute("COMMIT")
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

    def _timed(self, statement: Statement, sampler: _Sampler) -> float:
        sampler.start()
        started = time.perf_counter()
        try:
            self.runner.execute(statement.text.encode())
        finally:
            ms = (time.perf_counter() - started) * 1000
            sampler.stop()
        return ms

    def _judged(self, locks: tuple[Lock, ...], sampler: _Sampler) -> tuple[bool, bool, str, list[str]]:
        """Probes that ran while the statement still held its locks are the answer; else the lock table."""
        if sampler.probe_result is not None:
            reads, writes, notes = sampler.probe_result
            return reads, writes, "probe", notes
        modes = {mode for _, mode in locks}
        return bool(modes & BLOCKS_READS), bool(modes & BLOCKS_WRITES), "lock table", []

    # -- observations ---------------------------------------------------------------------------

    def _locks(self, conn: psycopg.Connection[Row] | None = None) -> set[Lock]:
        rows = (conn or self.monitor).execute(LOCKS_OF_BACKEND, (self.pid,)).fetchall()
        return {(_qualified(row["schema"], row["name"]), mode_name(row["mode"])) for row in rows}

    def _files(self) -> dict[int, tuple[str, int]]:
        rows = self.runner.execute(TABLE_FILES).fetchall()
        return {row["oid"]: (_qualified(row["schema"], row["name"]), row["node"]) for row in rows}

    def _probe_all(self, relations: Sequence[str]) -> tuple[bool, bool, list[str]]:
        tables = self._tables(relations)
        reads = writes = False
        notes: list[str] = []
        for schema, name in tables:
            target = sql.Identifier(schema, name)
            read = self._blocked(sql.SQL("SELECT 1 FROM {} LIMIT 1").format(target))
            write = self._blocked(self._update_one(schema, name))
            reads, writes = reads or read, writes or write
            notes.append(
                f"{schema}.{name}: reads {'blocked' if read else 'ok'}, writes {'blocked' if write else 'ok'}"
            )
        return reads, writes, notes

    def _tables(self, relations: Sequence[str]) -> list[tuple[str, str]]:
        """The ordinary tables among ``relations`` (indexes and sequences are not probed)."""
        if not relations:
            return []
        rows = self.prober.execute(
            f"""SELECT n.nspname AS schema, c.relname AS name FROM pg_class AS c
            JOIN pg_namespace AS n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p') AND {_USER_SCHEMAS}
              AND format('%%s.%%s', n.nspname, c.relname) = ANY(%s)""",
            (list(relations),),
        ).fetchall()
        return [(row["schema"], row["name"]) for row in rows]

    def _update_one(self, schema: str, name: str) -> sql.Composed:
        column = self.prober.execute(
            """SELECT a.attname FROM pg_attribute AS a
            WHERE a.attrelid = format('%%I.%%I', %s::text, %s::text)::regclass
              AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
            ORDER BY a.attnum LIMIT 1""",
            (schema, name),
        ).fetchone()
        target = sql.Identifier(schema, name)
        if column is None:
            return sql.SQL("LOCK TABLE {} IN ROW EXCLUSIVE MODE").format(target)
        col = sql.Identifier(column["attname"])
        return sql.SQL(
            "UPDATE {t} SET {c} = {c} WHERE ctid = ANY (ARRAY(SELECT ctid FROM {t} LIMIT 1))"
        ).format(t=target, c=col)

    def _blocked(self, query: sql.Composed) -> bool:
        """Whether ``query`` had to wait for a lock; run in a transaction that is rolled back."""
        conn = self.prober
        try:
            conn.execute("BEGIN")
            conn.execute(_PROBE_LOCK_TIMEOUT)
            conn.execute("SET LOCAL statement_timeout = '5s'")
            conn.execute(query)
            return False
        except psycopg.errors.LockNotAvailable:
            return True
        except psycopg.errors.QueryCanceled:
            return True
        except psycopg.Error:
            return False  # e.g. a constraint the no-op write trips: not a lock wait
        finally:
            _rollback(conn)


class _Sampler(StatementWatcher):
    """Samples the runner's locks on the monitor connection while a statement runs."""

    def __init__(self, tracer: Tracer, *, concurrent_probes: bool) -> None:
        self.tracer = tracer
        self.concurrent_probes = concurrent_probes
        self.seen: set[Lock] = set()
        self.probe_result: tuple[bool, bool, list[str]] | None = None
        super().__init__()

    def _loop(self) -> None:
        try:
            while not self._stop.is_set():
                now = self.tracer._locks()
                self.seen |= now
                if self.concurrent_probes and self.probe_result is None and now:
                    result = self.tracer._probe_all(sorted({rel for rel, _ in now}))
                    if self._running.is_set():  # the statement was still running: the probe counts
                        self.probe_result = result
                self._stop.wait(SAMPLE_INTERVAL_S)
        except psycopg.Error:  # the monitor must never break the run: sampling just stops
            return


def _qualified(schema: str, name: str) -> str:
    return f"{schema}.{name}"
