"""
## What it does
Finds `DROP INDEX` without `CONCURRENTLY` on PostgreSQL: it locks the index's table against reads and writes.

Indexes of a table created earlier in the same migration are exempt when the statement names the
table (it is empty and no running code uses it).

## Why is this bad?
A plain `DROP INDEX` takes an ACCESS EXCLUSIVE lock on the index's table. The drop itself is quick,
but the lock request waits behind every running query on the table, and every query that arrives
meanwhile — plain SELECTs included — queues behind it: a long report or an idle open transaction
turns a one-millisecond drop into an outage.

## Example
```sql
DROP INDEX orders_status_idx;
```

## Use instead
```sql
DROP INDEX CONCURRENTLY IF EXISTS orders_status_idx;
```
`CONCURRENTLY` drops one index per statement, without `CASCADE`, and cannot run inside a
transaction: Alembic `with op.get_context().autocommit_block(): op.drop_index(...,
postgresql_concurrently=True)`; Django `RemoveIndexConcurrently` in a migration with
`atomic = False`; Prisma: edit the generated migration SQL by hand; Drizzle: a custom SQL migration;
TypeORM `queryRunner.query("DROP INDEX CONCURRENTLY …")` with `transaction = false` on the
migration.

## Fix safety
Safe: the same index is dropped. A concurrent drop waits for the transactions using the index
instead of blocking new ones; if it is interrupted the index stays INVALID and the drop must be
repeated. An index that backs a constraint must be removed with `ALTER TABLE ... DROP CONSTRAINT`.

## References
- https://www.postgresql.org/docs/current/sql-dropindex.html
- https://www.postgresql.org/docs/current/explicit-locking.html
"""

from collections.abc import Iterator

from dbexpert.model import Applicability, Category, Engine, Finding
from dbexpert.rules.context import RuleContext
from dbexpert.rules.migration import _facts as facts
from dbexpert.rules.registry import Rule, Target
from dbexpert.sources.migrations import locks
from dbexpert.sources.migrations.steps import MigrationStep
from dbexpert.sql import ddl


def check(step: MigrationStep, ctx: RuleContext) -> Iterator[Finding]:
    for action in step.actions:
        if not isinstance(action, ddl.Drop) or action.kind != "index" or action.concurrently:
            continue
        if not action.names or (action.table is not None and step.is_new(action.table)):
            continue
        exists = " IF EXISTS" if action.if_exists else ""
        sql = "\n".join(
            f"DROP INDEX CONCURRENTLY{exists} {facts.table_sql(ctx, step, name)};" for name in action.names
        )
        names = ", ".join(name.name for name in action.names)
        where = action.table or action.names[0]
        yield ctx.finding(
            f"DROP INDEX {names} takes an ACCESS EXCLUSIVE lock on its table: "
            "reads and writes queue behind it.",
            location=step.location.with_object(step.object_path(where)),
            fix="Drop the index concurrently, one index per statement, outside any transaction.",
            sql=sql,
            applicability=Applicability.MANUAL if action.cascade else Applicability.SAFE,
            evidence={
                "lock": locks.ACCESS_EXCLUSIVE,
                "blocks": locks.BLOCKS[locks.ACCESS_EXCLUSIVE],
                "in_transaction": step.in_transaction,
                "cascade": action.cascade,
            },
        )


RULE = Rule(
    name="drop-index-not-concurrently",
    category=Category.SAFETY,
    target=Target.STATEMENT,
    check=check,
    actions=(ddl.Drop,),
    doc=__doc__,
    engines=frozenset({Engine.POSTGRES}),
    aliases=("drop-index-not-concurrent",),
)
