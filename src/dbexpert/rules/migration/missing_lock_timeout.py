"""
## What it does
Reports the first statement of a migration that locks an existing table against writes with no lock timeout set.

It looks for statements taking SHARE or a stronger lock (ALTER TABLE, CREATE INDEX without
CONCURRENTLY, DROP, TRUNCATE, LOCK TABLE, ...) on a table the migration did not create, while
neither `lock_timeout` (PostgreSQL) nor `lock_wait_timeout` / `innodb_lock_wait_timeout` (MySQL) is
set. It is reported once per migration, as information: it does not make a migration unsafe.

## Why is this bad?
A statement that needs a strong lock waits for every transaction already using the table — a
long report, an idle-in-transaction session — and while it waits, every new query on the table
queues behind it. A change that takes milliseconds can so stall the application for minutes. With
a lock timeout the statement gives up quickly instead, and the migration can be retried.

## Example
```sql
ALTER TABLE users ADD COLUMN locale text;
```

## Use instead
```sql
SET lock_timeout = '5s';
ALTER TABLE users ADD COLUMN locale text;
```
MySQL: `SET SESSION lock_wait_timeout = 5;`. Alembic: `op.execute("SET lock_timeout = '5s'")` at the
start of `upgrade()` (or in `env.py` for every migration); Django: a `RunSQL` first operation, or
`options: {"options": "-c lock_timeout=5000"}` in the database settings used for migrations;
Prisma/Drizzle: the first line of the SQL migration; TypeORM: `queryRunner.query()` first. Retry
the migration when it times out.

## Fix safety
Safe: the statements are the same; they fail fast instead of blocking others, which needs a retry.

## References
- https://www.postgresql.org/docs/current/runtime-config-client.html#GUC-LOCK-TIMEOUT
- https://dev.mysql.com/doc/refman/8.0/en/server-system-variables.html#sysvar_lock_wait_timeout
- https://postgres.ai/blog/20210923-zero-downtime-postgres-schema-migrations-lock-timeout-and-retries
"""

from collections.abc import Iterator

from dbexpert.model import Applicability, Category, Engine, Finding, Severity
from dbexpert.rules.context import RuleContext
from dbexpert.rules.migration import _facts as facts
from dbexpert.rules.registry import Rule, Target
from dbexpert.sources.migrations.locks import BLOCKS, STRENGTH, blocks_writes, table_locks
from dbexpert.sources.migrations.steps import MigrationStep
from dbexpert.sql import ddl


def check(step: MigrationStep, ctx: RuleContext) -> Iterator[Finding]:
    if step.lock_wait_bounded():
        return
    strongest = _strongest(step)
    if strongest is None:
        return
    if step.earlier_blocking_lock:
        return  # reported at the first such statement of the migration
    name, mode = strongest
    mysql = step.engine is Engine.MYSQL
    yield ctx.finding(
        f"{'A metadata lock' if mysql else mode} on {name.name} is requested with no "
        f"{'lock_wait_timeout' if mysql else 'lock_timeout'}: behind a long transaction it waits, and "
        "every query on the table queues behind it.",
        location=step.location.with_object(step.object_path(name)),
        fix="Set a lock timeout at the start of the migration and retry the migration if it times out.",
        sql=facts.lock_timeout_sql(step.engine),
        applicability=Applicability.SAFE,
        severity=Severity.INFO,
        evidence={
            "lock": "exclusive metadata lock" if mysql else mode,
            "blocks": "all queries on the table" if mysql else BLOCKS.get(mode, mode),
            "lock_timeout": None,
            "in_transaction": step.in_transaction,
            "reported": "once per migration",
        },
    )


def _strongest(step: MigrationStep) -> tuple[ddl.Name, str] | None:
    found: tuple[ddl.Name, str] | None = None
    for action in step.actions:
        for name, mode in table_locks(action):
            if not blocks_writes(mode) or step.is_new(name):
                continue
            if found is None or STRENGTH[mode] > STRENGTH[found[1]]:
                found = (name, mode)
    return found


RULE = Rule(
    name="missing-lock-timeout",
    category=Category.SAFETY,
    target=Target.STATEMENT,
    check=check,
    actions=(
        ddl.CreateIndex,
        ddl.AddConstraint,
        ddl.AddColumn,
        ddl.DropColumn,
        ddl.AlterColumnType,
        ddl.SetNotNull,
        ddl.SetDefault,
        ddl.DropConstraint,
        ddl.RenameColumn,
        ddl.RenameConstraint,
        ddl.RenameTable,
        ddl.ReplaceColumn,
        ddl.ValidateConstraint,
        ddl.Drop,
        ddl.Rewrite,
        ddl.LockTable,
        ddl.Truncate,
        ddl.DataChange,
        ddl.DetachPartition,
        ddl.AttachPartition,
    ),
    doc=__doc__,
    engines=frozenset({Engine.POSTGRES, Engine.MYSQL}),
    severity=Severity.INFO,
)
