"""``migrations test``: run migrations on a throwaway database and report what they really do.

For each migration, in order: fill every table with production-like rows, apply the up script while
tracing the locks, rewrites and blocking of each statement, then down, then up again, comparing the
catalog each time. Everything happens in a scratch database created next to the URL's database and
dropped afterwards (DESIGN § 7: exact mode never touches the user's database). PostgreSQL and
MySQL/MariaDB servers are supported; each engine brings its scratch database, synthetic rows and
lock tracer, and the sequence and the comparisons are the same for both.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

import psycopg
from psycopg import sql

from dbexpert.api.config import Config, enabled_rules, rule_options, validate
from dbexpert.api.migrations import DEFAULT_PG_VERSION, lint_migrations
from dbexpert.engines import connect as connect_source
from dbexpert.engines.base import SessionOptions
from dbexpert.engines.mysql import locktrace as mysql_locktrace
from dbexpert.engines.mysql import scratch as mysql_scratch
from dbexpert.engines.mysql import synthetic as mysql_synthetic
from dbexpert.engines.mysql.connect import MysqlSession
from dbexpert.engines.postgres.connect import PostgresSession
from dbexpert.engines.postgres.locktrace import StatementFailed, Tracer, run_script
from dbexpert.engines.postgres.scratch import connect, scratch_database
from dbexpert.engines.postgres.synthetic import fill_tables
from dbexpert.engines.url import DatabaseUrl, parse_url
from dbexpert.model import Catalog, Engine, Finding, InputError, Mode, Table
from dbexpert.model.catalog_diff import diff_catalogs
from dbexpert.model.migration import Migration, MigrationScript, StatementTrace
from dbexpert.report import ReportData
from dbexpert.rules.context import RuleContext
from dbexpert.rules.exact._run import MigrationRun
from dbexpert.rules.registry import Target, registry
from dbexpert.sources.migrations.layouts import discover
from dbexpert.sql.parse import SqlSyntaxError, Statement, split_statements

DEFAULT_ROWS = 10_000


@dataclass(frozen=True, slots=True)
class MigrationOutcome:
    id: str
    path: str
    reversible: bool | None  # None: not tested (the run stopped before it)
    up_repeatable: bool | None  # None: not tested (no down, or the down failed)
    statements: tuple[StatementTrace, ...]
    rows: MappingProxyType[str, int]  # rows per table before the migration

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "path": self.path,
            "reversible": self.reversible,
            "up_repeatable": self.up_repeatable,
            "rows_before": dict(self.rows),
            "statements": [{"path": s.path, **s.to_dict()} for s in self.statements],
        }


@dataclass(frozen=True, slots=True)
class MigrationTest:
    findings: tuple[Finding, ...]
    migrations: tuple[MigrationOutcome, ...]
    target: str
    rows: int
    problems: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    seconds: float = 0.0
    engine: Engine = Engine.POSTGRES

    def report(self) -> ReportData:
        summary = {
            "engine": self.engine.value,
            "mode": Mode.EXACT.value,
            "migrations": len(self.migrations),
            "irreversible_migrations": sum(m.reversible is False for m in self.migrations),
            "rows_per_table": self.rows,
            "seconds": round(self.seconds, 3),
        }
        return ReportData(
            command="migrations test",
            findings=self.findings,
            target=self.target,
            summary=MappingProxyType(summary),
            extra=MappingProxyType({"migrations": [m.to_dict() for m in self.migrations]}),
            problems=self.problems,
            notes=self.notes,
        )


def test_paths(
    paths: Sequence[Path],
    scratch_url: str,
    rows: int = DEFAULT_ROWS,
    config: Config | None = None,
    *,
    tool: str | None = None,
    transaction: str = "auto",
    source_url: str | None = None,
) -> MigrationTest:
    """Test the migrations under ``paths`` on a scratch database on the server of ``scratch_url``.

    With ``source_url``, that database is introspected once (read-only) and the synthetic rows
    imitate its statistics: rows per table (capped by ``rows``), NULLs, distinct and common values.
    """
    config = config or Config()
    url = parse_url(scratch_url)
    if url.engine not in (Engine.POSTGRES, Engine.MYSQL):
        raise InputError(f"migrations test runs on PostgreSQL, MySQL or MariaDB only; got {url.redacted()}")
    if rows < 0:
        raise InputError(f"--rows must be 0 or more, not {rows}")
    found = discover(
        paths, tool=tool, transaction=transaction, pg_version=(config.pg_version or DEFAULT_PG_VERSION).major
    )
    source = read_source(source_url) if source_url is not None else None
    result = test_migrations(list(found.migrations), url, rows, config, source=source)
    skipped = tuple(f"{path}: not tested: {reason}" for path, reason in found.skipped)
    target = f"{', '.join(str(p) for p in paths)} on {url.redacted()}"
    return replace(result, target=target, problems=(*skipped, *result.problems))


# ``test_paths`` is a library call, not a test: keep pytest from collecting it where it is imported.
test_paths.__test__ = False  # type: ignore[attr-defined]


def read_source(source_url: str) -> Catalog:
    """The catalog, with statistics, of the database to imitate, read through a read-only session."""
    with connect_source(source_url, SessionOptions(application_name="dbexpert-exact-source")) as session:
        return session.introspect()


def test_migrations(
    migrations: Sequence[Migration],
    url: DatabaseUrl,
    rows: int = DEFAULT_ROWS,
    config: Config | None = None,
    *,
    source: Catalog | None = None,
) -> MigrationTest:
    """Lint ``migrations``, then exercise them on a scratch database on the server of ``url``."""
    config = replace(config or Config(), engine=url.engine)
    rules = registry()
    validate(config, rules)
    started = time.perf_counter()
    lint = lint_migrations(migrations, config, rules)
    exercise = _Exercise(rows, url.engine, source)
    scratch_of = mysql_scratch.scratch_database if url.engine is Engine.MYSQL else scratch_database
    with scratch_of(url) as scratch, _backend(scratch) as backend:
        exercise.run(migrations, backend)
    chosen = [r for r in enabled_rules(config, rules) if r.target is Target.MIGRATION_RUN]
    options = rule_options(config, rules)
    findings = _with_observations(list(lint.findings), exercise.runs)
    for run in exercise.runs:
        linted = frozenset((f.location.path or "", f.location.line or 0) for f in findings)
        run = replace(run, linted_lines=linted)
        for rule in chosen:
            ctx = RuleContext(
                rule=rule,
                catalog=Catalog(engine=url.engine),
                options=MappingProxyType({**rule.options, **options.get(rule.name, {})}),
            )
            findings.extend(rule.check(run, ctx))
    return MigrationTest(
        findings=tuple(findings),
        migrations=tuple(exercise.outcomes),
        target=url.redacted(),
        rows=rows,
        problems=(*lint.problems, *exercise.problems),
        notes=tuple(exercise.notes),
        seconds=time.perf_counter() - started,
        engine=url.engine,
    )


test_migrations.__test__ = False  # type: ignore[attr-defined]


def _with_observations(findings: list[Finding], runs: Sequence[MigrationRun]) -> list[Finding]:
    """Lint findings of a traced statement carry what the statement was seen to do."""
    traces = {(t.path, t.line): t for run in runs for t in run.traces}
    result: list[Finding] = []
    for finding in findings:
        trace = traces.get((finding.location.path or "", finding.location.line or 0))
        if trace is not None:
            finding = replace(
                finding,
                mode=Mode.EXACT,
                evidence=MappingProxyType({**finding.evidence, "observed": trace.to_dict()}),
            )
        result.append(finding)
    return result


def _statements(script: MigrationScript, engine: Engine) -> list[Statement]:
    return split_statements("\n" * script.line_offset + script.text, engine, script.path)


class _Failed(Exception):
    """A statement failed on the scratch database, whatever the engine."""

    def __init__(self, statement: Statement, message: str) -> None:
        super().__init__(f"{statement.path}:{statement.line}: {message}")
        self.statement = statement
        self.message = message


class _Backend(ABC):
    """What the exercise needs from an engine, on one scratch database."""

    @abstractmethod
    def fill(self, rows: int, source: Catalog | None) -> tuple[dict[str, int], tuple[str, ...]]:
        """Top every table up to ``rows`` synthetic rows: (rows per table, notes)."""

    @abstractmethod
    def introspect(self) -> Catalog:
        """The scratch database's catalog now."""

    @abstractmethod
    def trace(self, statements: Sequence[Statement], transactional: bool) -> tuple[StatementTrace, ...]:
        """Run ``statements`` while watching their locks and what they block."""

    @abstractmethod
    def apply(self, statements: Sequence[Statement], transactional: bool) -> None:
        """Run ``statements`` as the migration tool would."""

    @abstractmethod
    def populations(self, catalog: Catalog) -> dict[str, int]:
        """Rows per table, and non-NULL values per column, to tell what a down would lose."""

    def shown(self, text: str) -> str:
        """``text`` as the user should read it (MySQL: table names without the scratch database)."""
        return text


def _backend(url: DatabaseUrl) -> AbstractContextManager[_Backend]:
    return _mysql_backend(url) if url.engine is Engine.MYSQL else _postgres_backend(url)


@contextmanager
def _postgres_backend(url: DatabaseUrl) -> Iterator[_Backend]:
    with (
        connect(url) as work,
        PostgresSession.open(url, SessionOptions(application_name="dbexpert-exact")) as session,
        Tracer(url) as tracer,
    ):
        yield _PostgresBackend(work, session, tracer)


class _PostgresBackend(_Backend):
    def __init__(self, work: psycopg.Connection[Any], session: PostgresSession, tracer: Tracer) -> None:
        self.work = work
        self.session = session
        self.tracer = tracer

    def fill(self, rows: int, source: Catalog | None) -> tuple[dict[str, int], tuple[str, ...]]:
        filled = fill_tables(self.work, self.session.introspect(), rows, source)
        return filled.rows, filled.notes

    def introspect(self) -> Catalog:
        return self.session.introspect()

    def trace(self, statements: Sequence[Statement], transactional: bool) -> tuple[StatementTrace, ...]:
        try:
            return tuple(self.tracer.run(statements, transactional))
        except StatementFailed as exc:
            raise _Failed(exc.statement, exc.message) from None

    def apply(self, statements: Sequence[Statement], transactional: bool) -> None:
        try:
            run_script(self.work, statements, transactional)
        except StatementFailed as exc:
            raise _Failed(exc.statement, exc.message) from None

    def populations(self, catalog: Catalog) -> dict[str, int]:
        return _populations(self.work, catalog)


@contextmanager
def _mysql_backend(url: DatabaseUrl) -> Iterator[_Backend]:
    with ExitStack() as stack:
        work = mysql_scratch.connect(url, url.database)
        stack.callback(work.close)
        tracer = stack.enter_context(mysql_locktrace.Tracer(url, _mysql_flavor(url)))
        yield _MysqlBackend(url, work, tracer)


def _mysql_flavor(url: DatabaseUrl) -> str:
    with _mysql_session(url) as session:
        return session.flavor


def _mysql_session(url: DatabaseUrl) -> MysqlSession:
    return MysqlSession.open(url, SessionOptions(application_name="dbexpert-exact"))


class _MysqlBackend(_Backend):
    def __init__(
        self, url: DatabaseUrl, work: mysql_scratch.Connection, tracer: mysql_locktrace.Tracer
    ) -> None:
        self.url = url
        self.work = work
        self.tracer = tracer
        self.prefix = f"{url.database}."

    def shown(self, text: str) -> str:
        return text.replace(self.prefix, "")

    def fill(self, rows: int, source: Catalog | None) -> tuple[dict[str, int], tuple[str, ...]]:
        filled = mysql_synthetic.fill_tables(
            self.work, self.introspect(), rows, self.tracer.flavor, self.url, source
        )
        return filled.rows, filled.notes

    def introspect(self) -> Catalog:
        # A fresh read-only session each time: an open transaction would hold metadata locks
        # that the next migration statement must wait for.
        with _mysql_session(self.url) as session:
            return session.introspect()

    def trace(self, statements: Sequence[Statement], transactional: bool) -> tuple[StatementTrace, ...]:
        try:
            return tuple(self.tracer.run(statements))
        except mysql_locktrace.StatementFailed as exc:
            raise _Failed(exc.statement, exc.message) from None

    def apply(self, statements: Sequence[Statement], transactional: bool) -> None:
        try:
            mysql_locktrace.run_script(self.work, statements, self.url)
        except mysql_locktrace.StatementFailed as exc:
            raise _Failed(exc.statement, exc.message) from None

    def populations(self, catalog: Catalog) -> dict[str, int]:
        held: dict[str, int] = {}
        for table in catalog.tables:
            counts = ["COUNT(*) AS c0"] + [
                f"COUNT({mysql_scratch.quote(c.name)}) AS c{n}" for n, c in enumerate(table.columns, start=1)
            ]
            name = mysql_scratch.quote(table.schema or "") + "." + mysql_scratch.quote(table.name)
            row = mysql_scratch.execute(self.work, f"SELECT {', '.join(counts)} FROM {name}")[0]
            held[table.qualified_name] = int(row["c0"])
            for n, column in enumerate(table.columns, start=1):
                held[f"{table.qualified_name}.{column.name}"] = int(row[f"c{n}"])
        return held


class _Exercise:
    """Up, down, up again for each migration on the scratch database, keeping what was observed."""

    def __init__(self, rows: int, engine: Engine, source: Catalog | None = None) -> None:
        self.rows = rows
        self.engine = engine
        self.source = source
        self.runs: list[MigrationRun] = []
        self.outcomes: list[MigrationOutcome] = []
        self.problems: list[str] = []
        self.notes: list[str] = []

    def run(self, migrations: Sequence[Migration], backend: _Backend) -> None:
        for migration in migrations:
            if not self._one(migration, backend):
                break

    def _one(self, migration: Migration, backend: _Backend) -> bool:
        """Exercise one migration; False when the run cannot go on."""
        try:
            up = _statements(migration.up, self.engine)
            down = _statements(migration.down, self.engine) if migration.down is not None else None
        except SqlSyntaxError as exc:
            self.problems.append(f"{migration.id}: not tested: {exc}")
            return False
        rows, notes = backend.fill(self.rows, self.source)
        self.notes.extend(f"{migration.id}: {backend.shown(note)}" for note in notes)
        before = backend.introspect()
        try:
            traces = backend.trace(up, migration.transactional)
        except _Failed as exc:
            self.problems.append(f"{migration.id}: up failed on the scratch database at {exc}")
            return False
        after_up = backend.introspect()
        run = MigrationRun(migration=migration, traces=traces)
        outcome = MigrationOutcome(
            id=migration.id,
            path=migration.up.path,
            reversible=False if down is None else None,
            up_repeatable=None,
            statements=traces,
            rows=MappingProxyType({backend.shown(name): count for name, count in rows.items()}),
        )
        go_on = True
        if down is not None:
            run, outcome, go_on = self._down_and_up(run, outcome, backend, up, down, before, after_up)
        self.runs.append(run)
        self.outcomes.append(outcome)
        return go_on

    def _down_and_up(
        self,
        run: MigrationRun,
        outcome: MigrationOutcome,
        backend: _Backend,
        up: list[Statement],
        down: list[Statement],
        before: Catalog,
        after_up: Catalog,
    ) -> tuple[MigrationRun, MigrationOutcome, bool]:
        migration = run.migration
        held = backend.populations(after_up)
        try:
            backend.apply(down, migration.transactional)
        except _Failed as exc:
            run = replace(run, down_error=f"line {exc.statement.line}: {exc.message}")
            return run, replace(outcome, reversible=False), True
        after_down = backend.introspect()
        restore = tuple(backend.shown(change) for change in diff_catalogs(before, after_down))
        lost = tuple((backend.shown(name), rows) for name, rows in _lost(after_up, after_down, held))
        run = replace(run, restore_differences=restore, lost=lost)
        outcome = replace(outcome, reversible=not restore)
        try:
            backend.apply(up, migration.transactional)
        except _Failed as exc:
            run = replace(run, up_again_error=f"line {exc.statement.line}: {exc.message}")
            self.problems.append(
                f"{migration.id}: stopped: its up could not be applied again after its down, "
                "so later migrations would not see the schema they expect"
            )
            return run, replace(outcome, up_repeatable=False), False
        repeat = tuple(backend.shown(change) for change in diff_catalogs(after_up, backend.introspect()))
        return replace(run, repeat_differences=repeat), replace(outcome, up_repeatable=not repeat), True


def _populations(conn: psycopg.Connection[Any], catalog: Catalog) -> dict[str, int]:
    """Rows per table, and non-null values per ``table.column``, in one query per table."""
    held: dict[str, int] = {}
    for table in catalog.tables:
        counts = [sql.SQL("count(*) AS c0")] + [
            sql.SQL("count({}) AS {}").format(sql.Identifier(c.name), sql.Identifier(f"c{n}"))
            for n, c in enumerate(table.columns, start=1)
        ]
        row = conn.execute(
            sql.SQL("SELECT {} FROM {}").format(sql.SQL(", ").join(counts), _table_name(table))
        ).fetchone()
        values = list(row.values()) if isinstance(row, dict) else list(row or ())
        held[table.qualified_name] = int(values[0])
        for column, value in zip(table.columns, values[1:], strict=True):
            held[f"{table.qualified_name}.{column.name}"] = int(value)
    return held


def _lost(after_up: Catalog, after_down: Catalog, held: dict[str, int]) -> tuple[tuple[str, int], ...]:
    """Tables and columns the down dropped while they held data."""
    remaining = {t.qualified_name: t for t in after_down.tables}
    lost: list[tuple[str, int]] = []
    for table in after_up.tables:
        name = table.qualified_name
        if name not in remaining:
            if held.get(name, 0) > 0:
                lost.append((name, held[name]))
            continue
        for column in table.columns:
            key = f"{name}.{column.name}"
            if remaining[name].column(column.name) is None and held.get(key, 0) > 0:
                lost.append((key, held[key]))
    return tuple(lost)


def _table_name(table: Table) -> sql.Composable:
    return sql.Identifier(table.schema, table.name) if table.schema else sql.Identifier(table.name)
