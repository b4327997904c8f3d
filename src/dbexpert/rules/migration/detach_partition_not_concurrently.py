"""
## What it does
Finds `DETACH PARTITION` without `CONCURRENTLY`: it locks the whole partitioned PostgreSQL table against reads and writes.

On PostgreSQL 14 and later the fix is `DETACH PARTITION ... CONCURRENTLY`. Before 14, where no
concurrent form exists, a detach run with a `lock_timeout` is the best available and is not
reported. Tables created earlier in the same migration are exempt.

## Why is this bad?
A plain detach takes an ACCESS EXCLUSIVE lock on the partitioned table and on the partition. The
detach itself is quick, but the lock request waits for every running query on any partition, and
all queries that arrive meanwhile queue behind it: one slow report stalls the whole table.

## Example
```sql
ALTER TABLE events DETACH PARTITION events_2023;
```

## Use instead
```sql
ALTER TABLE events DETACH PARTITION events_2023 CONCURRENTLY;
```
`CONCURRENTLY` (PostgreSQL 14+) takes only SHARE UPDATE EXCLUSIVE on the parent and cannot run in a
transaction or when the table has a default partition: Alembic `op.execute()` in an
`autocommit_block()`; Django `RunSQL` in a migration with `atomic = False`; Prisma and Drizzle: a
migration file holding only this statement; TypeORM `queryRunner.query()` with
`transaction = false`. Before PostgreSQL 14, run the plain detach after `SET lock_timeout = '2s'`
and retry until it gets its lock.

## Fix safety
Safe: the same partition is detached. If a concurrent detach is interrupted, finish it with
`ALTER TABLE ... DETACH PARTITION ... FINALIZE`.

## References
- https://www.postgresql.org/docs/current/sql-altertable.html#SQL-ALTERTABLE-DETACH-PARTITION
- https://www.postgresql.org/docs/release/14.0/
"""

from collections.abc import Iterator

from dbexpert.model import Applicability, Category, Engine, Finding, Version
from dbexpert.rules.context import RuleContext
from dbexpert.rules.migration import _facts as facts
from dbexpert.rules.registry import Rule, Target
from dbexpert.sources.migrations import locks
from dbexpert.sources.migrations.steps import MigrationStep
from dbexpert.sql import ddl

DETACH_CONCURRENTLY_PG = Version(14)


def check(step: MigrationStep, ctx: RuleContext) -> Iterator[Finding]:
    version = step.version or ctx.version
    modern = version is None or version >= DETACH_CONCURRENTLY_PG
    for action in step.actions:
        if not isinstance(action, ddl.DetachPartition) or action.concurrently or action.finalize:
            continue
        if step.is_new(action.table) or step.is_new(action.partition):
            continue
        if not modern and step.lock_wait_bounded():
            continue
        t = facts.table_sql(ctx, step, action.table)
        p = facts.table_sql(ctx, step, action.partition)
        if modern:
            fix = "Detach concurrently, outside any transaction."
            sql = f"ALTER TABLE {t} DETACH PARTITION {p} CONCURRENTLY;"
        else:
            fix = f"PostgreSQL {version} has no concurrent detach: bound the lock wait and retry."
            sql = f"SET lock_timeout = '2s';\nALTER TABLE {t} DETACH PARTITION {p};"
        yield ctx.finding(
            f"DETACH PARTITION {action.partition.name} takes an ACCESS EXCLUSIVE lock on "
            f"{action.table.name}: reads and writes of every partition queue behind it.",
            location=step.location.with_object(step.object_path(action.table)),
            fix=fix,
            sql=sql,
            applicability=Applicability.SAFE,
            evidence={
                "lock": locks.ACCESS_EXCLUSIVE,
                "blocks": locks.BLOCKS[locks.ACCESS_EXCLUSIVE],
                "in_transaction": step.in_transaction,
                "pg_version": str(version) if version else None,
                "concurrently_from": str(DETACH_CONCURRENTLY_PG),
            },
        )


RULE = Rule(
    name="detach-partition-not-concurrently",
    category=Category.SAFETY,
    target=Target.STATEMENT,
    check=check,
    actions=(ddl.DetachPartition,),
    doc=__doc__,
    engines=frozenset({Engine.POSTGRES}),
    aliases=("detach-partition-not-concurrent",),
)
