"""
## What it does
Finds `TRUNCATE` of an existing table in a migration.

Tables created earlier in the same migration are exempt.

## Why is this bad?
Every row is gone, with no `WHERE` and no trigger-based audit; `CASCADE` also empties every table
with a foreign key to it, and theirs in turn — often far more than the author meant. PostgreSQL
takes an ACCESS EXCLUSIVE lock on each table (blocking all reads and writes, and queueing behind
any long query); MySQL implicitly commits and takes an exclusive metadata lock.

## Example
```sql
TRUNCATE users CASCADE;
```

## Use instead
Delete exactly what must go, in batches, outside the schema migration:
```sql
DELETE FROM users WHERE id IN (SELECT id FROM users WHERE created_at < '2020-01-01' ORDER BY id LIMIT 10000);
```
When emptying a table really is intended (a cache, a staging table), do it from an operations job
with a `lock_timeout`, name every table explicitly instead of `CASCADE`, and keep a dump. Alembic,
Django (`RunSQL`), Prisma, Drizzle and TypeORM migrations should not carry a `TRUNCATE` of a table
that production code uses.

## Fix safety
Unsafe: which rows to delete is a decision for the author; a batched DELETE keeps row locks short.

## References
- https://www.postgresql.org/docs/current/sql-truncate.html
- https://dev.mysql.com/doc/refman/8.0/en/truncate-table.html
"""

from collections.abc import Iterator

from dbexpert.model import Applicability, Category, Engine, Finding
from dbexpert.rules.context import RuleContext
from dbexpert.rules.migration import _facts as facts
from dbexpert.rules.registry import Rule, Target
from dbexpert.sources.migrations.steps import MigrationStep
from dbexpert.sql import ddl


def check(step: MigrationStep, ctx: RuleContext) -> Iterator[Finding]:
    for action in step.actions:
        if not isinstance(action, ddl.Truncate):
            continue
        tables = [name for name in action.tables if not step.is_new(name)]
        if not tables:
            continue
        names = ", ".join(name.name for name in tables)
        batches = []
        for name in tables:
            table = facts.table_sql(ctx, step, name)
            key, _ = facts.key_column(step.table(name))
            k = ctx.ident(key)
            batches.append(
                f"DELETE FROM {table} WHERE {k} IN (SELECT {k} FROM {table} WHERE <condition> ORDER BY {k} "
                f"LIMIT {facts.BATCH_SIZE});"
                if step.engine is Engine.POSTGRES
                else f"DELETE FROM {table} WHERE <condition> ORDER BY {k} LIMIT {facts.BATCH_SIZE};"
            )
        yield ctx.finding(
            f"TRUNCATE {names} deletes every row"
            + (" and, with CASCADE, every row of the tables referencing it" if action.cascade else "")
            + (", under an ACCESS EXCLUSIVE lock." if step.engine is Engine.POSTGRES else "."),
            location=step.location.with_object(step.object_path(tables[0])),
            fix="Delete only the rows that must go, in batches, outside the schema migration.",
            sql="-- outside the migration, repeated until no row is deleted:\n" + "\n".join(batches),
            applicability=Applicability.MANUAL,
            evidence={
                "data_loss": True,
                "cascade": action.cascade,
                "lock": "ACCESS EXCLUSIVE" if step.engine is Engine.POSTGRES else "exclusive metadata lock",
                "blocks": "all reads and writes",
                "in_transaction": step.in_transaction,
            },
        )


RULE = Rule(
    name="truncate-table",
    category=Category.SAFETY,
    target=Target.STATEMENT,
    check=check,
    actions=(ddl.Truncate,),
    doc=__doc__,
    engines=frozenset({Engine.POSTGRES, Engine.MYSQL}),
    aliases=("truncate-cascade",),
)
