"""``migrations lint``: every statement of every migration through the migration rules, plus the
schema-design rules over the tables the migrations create.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from dbexpert.api.config import Config, enabled_rules, ignored_for_path, rule_options, validate
from dbexpert.model import Catalog, Category, Engine, Finding, InputError, Severity, Version
from dbexpert.model.migration import Migration, MigrationScript
from dbexpert.report import ReportData
from dbexpert.rules.context import run_rules, run_statement_rules
from dbexpert.rules.registry import Registry, Rule, Target, registry
from dbexpert.sources.migrations.layouts import discover
from dbexpert.sources.migrations.steps import PreparedMigration, prepare
from dbexpert.sources.suppress import Suppression, is_suppressed

DEFAULT_PG_VERSION = Version(15)
DEFAULT_MYSQL_VERSION = Version(8, 0)
# What makes a migration unsafe to deploy: a safety or correctness finding at warning or above.
# Design findings on new tables are advice, not a deployment risk.
_UNSAFE_CATEGORIES = frozenset({Category.SAFETY, Category.CORRECTNESS})


def is_unsafe(findings: Sequence[Finding]) -> bool:
    return any(
        f.category in _UNSAFE_CATEGORIES and f.severity.rank >= Severity.WARNING.rank for f in findings
    )


@dataclass(frozen=True, slots=True)
class MigrationVerdict:
    id: str
    path: str
    tool: str
    transactional: bool
    unsafe: bool
    rules: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "path": self.path,
            "tool": self.tool,
            "transactional": self.transactional,
            "unsafe": self.unsafe,
            "rules": list(self.rules),
        }


@dataclass(frozen=True, slots=True)
class MigrationLint:
    findings: tuple[Finding, ...]
    verdicts: tuple[MigrationVerdict, ...]
    engine: Engine
    version: Version | None
    target: str
    problems: tuple[str, ...] = ()
    suppressed: int = 0
    seconds: float = 0.0
    facts: dict[str, Any] = field(default_factory=dict)

    def report(self) -> ReportData:
        summary = {
            "engine": f"{self.engine.value} {self.version}" if self.version else self.engine.value,
            "mode": "static",
            "migrations": len(self.verdicts),
            "unsafe_migrations": sum(v.unsafe for v in self.verdicts),
            "suppressed": self.suppressed,
            "seconds": round(self.seconds, 3),
        }
        return ReportData(
            command="migrations lint",
            findings=self.findings,
            target=self.target,
            summary=MappingProxyType(summary),
            extra=MappingProxyType({"migrations": [v.to_dict() for v in self.verdicts]}),
            problems=self.problems,
        )


def lint_paths(
    paths: Sequence[Path],
    config: Config | None = None,
    rules: Registry | None = None,
    *,
    tool: str | None = None,
    transaction: str = "auto",
    seed: Catalog | None = None,
) -> MigrationLint:
    """Lint the migrations found under ``paths``, in the order their tool applies them.
    ``seed``: the schema they start from (the live catalog of ``--url``)."""
    config = config or Config()
    found = discover(
        paths, tool=tool, transaction=transaction, pg_version=(config.pg_version or DEFAULT_PG_VERSION).major
    )
    result = lint_migrations(
        list(found.migrations), config, rules, target=", ".join(str(p) for p in paths), seed=seed
    )
    skipped = tuple(f"{path}: not checked: {reason}" for path, reason in found.skipped)
    return replace(result, problems=(*skipped, *result.problems))


def lint_sql(
    text: str,
    engine: Engine = Engine.POSTGRES,
    version: Version | None = None,
    *,
    transactional: bool = False,
    path: str = "migration.sql",
    config: Config | None = None,
) -> list[Finding]:
    """Lint one migration given as SQL text (the library call behind tests and editors)."""
    migration = Migration(
        id=Path(path).stem, tool="sql", up=MigrationScript(path, text), transactional=transactional
    )
    config = config or Config()
    if version is not None and engine is Engine.POSTGRES:
        config = replace(config, pg_version=version)
    elif version is not None:
        config = replace(config, mysql_version=version)
    return list(lint_migrations([migration], replace(config, engine=engine)).findings)


def lint_migrations(
    migrations: Sequence[Migration],
    config: Config | None = None,
    rules: Registry | None = None,
    target: str = "",
    seed: Catalog | None = None,
) -> MigrationLint:
    config = config or Config()
    rules = rules or registry()
    validate(config, rules)
    started = time.perf_counter()
    engine = config.engine or _guess(migrations)
    version = config.version_for(engine) or _DEFAULT_VERSION.get(engine)
    chosen = enabled_rules(config, rules)
    options = rule_options(config, rules)
    findings: list[Finding] = []
    verdicts: list[MigrationVerdict] = []
    problems: list[str] = []
    suppressed = 0
    with _collector_paused():
        for prepared in prepare(migrations, engine, version, seed=seed):
            found = _lint_one(prepared, chosen, options, engine, version)
            if seed is not None:
                found = _with_row_estimates(found, seed)
            kept = [f for f in found if not _silenced(f, prepared.suppressions, config, rules)]
            suppressed += len(found) - len(kept)
            problems.extend(str(error) for error in prepared.problems)
            findings.extend(kept)
            migration = prepared.migration
            verdicts.append(
                MigrationVerdict(
                    id=migration.id,
                    path=migration.up.path,
                    tool=migration.tool,
                    transactional=migration.transactional,
                    unsafe=is_unsafe(kept),
                    rules=tuple(sorted({f.rule for f in kept})),
                )
            )
            del prepared  # its steps and replayed tables go now, not after the collector resumes
    return MigrationLint(
        findings=tuple(findings),
        verdicts=tuple(verdicts),
        engine=engine,
        version=version,
        target=target,
        problems=tuple(problems),
        suppressed=suppressed,
        seconds=time.perf_counter() - started,
    )


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Linting builds many long-lived, acyclic objects (steps, replayed tables, findings): the cycle
    collector would traverse them again and again for nothing, so it waits until linting is done."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


_DEFAULT_VERSION = {Engine.POSTGRES: DEFAULT_PG_VERSION, Engine.MYSQL: DEFAULT_MYSQL_VERSION}


def _lint_one(
    prepared: PreparedMigration,
    chosen: list[Rule],
    options: dict[str, dict[str, Any]],
    engine: Engine,
    version: Version | None,
) -> list[Finding]:
    context = Catalog(engine=engine, version=version, default_schema=prepared.catalog_after.default_schema)
    findings = run_statement_rules(prepared.steps, context, chosen, options)
    # New tables are judged by the same schema-design rules as `dbexpert audit`.
    after = prepared.catalog_after
    new_tables = tuple(
        t
        for t in after.tables
        if (t.schema, t.name) in prepared.created or _key(t, after) in prepared.created
    )
    if new_tables:
        table_rules = [r for r in chosen if r.target is Target.TABLE]
        findings.extend(run_rules(replace(after, tables=new_tables), table_rules, options))
    return findings


def _key(table: Any, catalog: Catalog) -> tuple[str | None, str]:
    if catalog.engine is Engine.POSTGRES:
        return table.schema, table.name
    return (table.schema.lower() if table.schema else None), table.name.lower()


def _silenced(finding: Finding, suppressions: Sequence[Suppression], config: Config, rules: Registry) -> bool:
    path = finding.location.path
    if is_suppressed(tuple(suppressions), finding.rule, finding.location.line):
        return True
    return finding.rule in ignored_for_path(config, rules, path)


# Every word the engine guess looks for, lower-cased: ASCII text without any of them is PostgreSQL.
_DIALECT_MARKS = ("`", "auto_increment", "engine", "autoincrement", "rowid", "strict")


def _guess(migrations: Sequence[Migration]) -> Engine:
    from dbexpert.sources.ddl import guess_engine

    text = "\n".join(m.up.text for m in migrations[:50])
    if text.isascii():
        lowered = text.lower()
        if not any(mark in lowered for mark in _DIALECT_MARKS):
            return Engine.POSTGRES  # what guess_engine says, without its case-insensitive searches
    return guess_engine(text)


# --url: the live schema the migrations will run against -------------------------------------------


def lint_paths_live(
    paths: Sequence[Path],
    url: str,
    config: Config | None = None,
    rules: Registry | None = None,
    *,
    tool: str | None = None,
    transaction: str = "auto",
) -> MigrationLint:
    """Lint against the server at ``url``: its version is the version the rules assume (unless the
    configuration names one), and its tables as they are now are the schema the migrations start
    from. The connection is read-only; raises ConnectError (exit 3) when the server is unreachable."""
    from dbexpert.engines import connect

    config = config or Config()
    with connect(url) as session:
        catalog = session.introspect()
    if catalog.engine not in _DEFAULT_VERSION:
        raise InputError(
            f"--url: migrations lint reads PostgreSQL and MySQL/MariaDB, not {catalog.engine.value}"
        )
    if config.engine is not None and config.engine is not catalog.engine:
        raise InputError(
            f"--engine {config.engine.value} contradicts the server of --url ({catalog.engine.value})"
        )
    config = replace(config, engine=catalog.engine)
    if config.version_for(catalog.engine) is None and catalog.version is not None:
        if catalog.engine is Engine.POSTGRES:
            config = replace(config, pg_version=catalog.version)
        else:  # MariaDB numbers its releases 10.x/11.x, which is how the rules tell it from MySQL
            config = replace(config, mysql_version=catalog.version)
    result = lint_paths(paths, config, rules, tool=tool, transaction=transaction, seed=_seed(catalog))
    server = f"{'MariaDB' if catalog.flavor == 'mariadb' else catalog.engine.value} {catalog.version}"
    return replace(result, facts={**result.facts, "server": server, "live_tables": len(catalog.tables)})


def _seed(catalog: Catalog) -> Catalog:
    """The live tables keyed as the migrations name them: on MySQL the tables of the connected
    database are unqualified in the replay; PostgreSQL tables keep their schema."""
    if catalog.engine is not Engine.MYSQL or catalog.default_schema is None:
        return catalog
    own = catalog.default_schema.lower()
    tables = tuple(
        replace(t, schema=None) if t.schema is not None and t.schema.lower() == own else t
        for t in catalog.tables
    )
    return replace(catalog, tables=tables)


def _with_row_estimates(findings: Sequence[Finding], seed: Catalog) -> list[Finding]:
    """The live row estimate of the table each finding concerns, added to its evidence. Severity and
    verdict stay what they are without it: an estimate can be stale, and small tables grow."""
    fold = str.lower if seed.engine is Engine.MYSQL else str
    rows: dict[str, int] = {}
    for table in seed.tables:
        if table.stats is not None and table.stats.row_estimate is not None:
            name = table.name if table.schema is None else f"{table.schema}.{table.name}"
            rows[fold(name)] = table.stats.row_estimate
    if not rows:
        return list(findings)
    out = []
    for finding in findings:
        name = finding.table or finding.location.object or ""
        estimate = None
        while name and estimate is None:  # "public.orders.total" -> "public.orders" -> "public"
            estimate = rows.get(fold(name))
            name = name.rpartition(".")[0]
        if estimate is not None and "row_estimate" not in finding.evidence:
            evidence = MappingProxyType({**finding.evidence, "row_estimate": estimate})
            finding = replace(finding, evidence=evidence)
        out.append(finding)
    return out
