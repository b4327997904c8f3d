"""
## What it does
Finds `CREATE INDEX` on an existing PostgreSQL table without `CONCURRENTLY`.

A table created earlier in the same migration is exempt: it is empty and no running code uses it.

## Why is this bad?
A plain `CREATE INDEX` holds a SHARE lock on the table for the whole build: every INSERT, UPDATE
and DELETE waits, for minutes on a large table, and the requests behind them pile up until the
application times out.

## Example
```sql
CREATE INDEX orders_customer_id_idx ON orders (customer_id);
```

## Use instead
```sql
CREATE INDEX CONCURRENTLY orders_customer_id_idx ON orders (customer_id);
```
`CONCURRENTLY` cannot run inside a transaction, so the migration must not be wrapped in one:
Alembic `with op.get_context().autocommit_block(): op.create_index(..., postgresql_concurrently=True)`;
Django `AddIndexConcurrently` in a migration with `atomic = False`; Prisma: write the statement in
the migration's SQL file by hand; Drizzle: a custom SQL migration; TypeORM
`queryRunner.query("CREATE INDEX CONCURRENTLY …")` with `transaction = false` on the migration.

## Fix safety
Safe: the index is the same. A concurrent build takes longer and, if it fails, leaves an INVALID
index behind that must be dropped (`DROP INDEX CONCURRENTLY`) before retrying.

## References
- https://www.postgresql.org/docs/current/sql-createindex.html#SQL-CREATEINDEX-CONCURRENTLY
- https://www.postgresql.org/docs/current/explicit-locking.html
"""

from collections.abc import Iterator

from dbexpert.model import Applicability, Category, Engine, Finding
from dbexpert.rules.context import RuleContext
from dbexpert.rules.registry import Rule, Target
from dbexpert.sources.migrations.steps import MigrationStep
from dbexpert.sql import ddl


def check(step: MigrationStep, ctx: RuleContext) -> Iterator[Finding]:
    for action in step.actions:
        if not isinstance(action, ddl.CreateIndex) or action.concurrently or step.is_new(action.table):
            continue
        statement = step.statement.text.rstrip().rstrip(";")
        fixed = _add_concurrently(statement)
        yield ctx.finding(
            f"CREATE INDEX on {action.table.name} blocks all writes to the table while the index builds.",
            location=step.location.with_object(step.object_path(action.table)),
            fix="Build the index concurrently, outside any transaction.",
            sql=fixed + ";",
            applicability=Applicability.SAFE,
            evidence={
                "lock": "SHARE",
                "blocks": "INSERT, UPDATE, DELETE",
                "in_transaction": step.in_transaction,
            },
        )


def _add_concurrently(statement: str) -> str:
    words = statement.split(None, 3)
    upper = [w.upper() for w in words]
    at = 2 if upper[:2] == ["CREATE", "INDEX"] else 3 if upper[:3] == ["CREATE", "UNIQUE", "INDEX"] else None
    if at is None:
        return statement
    head = " ".join(words[:at])
    rest = statement.split(None, at)[at] if len(statement.split(None, at)) > at else ""
    return f"{head} CONCURRENTLY {rest}".rstrip()


RULE = Rule(
    name="create-index-not-concurrently",
    category=Category.SAFETY,
    target=Target.STATEMENT,
    check=check,
    actions=(ddl.CreateIndex,),
    doc=__doc__,
    engines=frozenset({Engine.POSTGRES}),
    aliases=("index-not-concurrent",),
)
