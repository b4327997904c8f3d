"""
## What it does
Finds PostgreSQL `CONCURRENTLY` operations inside a transaction block: they fail when the migration runs.

`CREATE INDEX CONCURRENTLY`, `DROP INDEX CONCURRENTLY`, `REINDEX ... CONCURRENTLY` and
`DETACH PARTITION ... CONCURRENTLY` are checked, whether the transaction is an explicit `BEGIN` or
the one the migration tool wraps around every migration.

## Why is this bad?
A concurrent operation commits several transactions of its own, so PostgreSQL refuses it inside a
transaction block: `ERROR: CREATE INDEX CONCURRENTLY cannot run inside a transaction block`. The
deploy stops half way, and the statements before it are rolled back or, without a transaction,
left applied.

## Example
```sql
BEGIN;
CREATE INDEX CONCURRENTLY orders_customer_id_idx ON orders (customer_id);
COMMIT;
```

## Use instead
```sql
CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_customer_id_idx ON orders (customer_id);
```
Give the statement a migration of its own that runs outside a transaction: Alembic
`with op.get_context().autocommit_block():`; Django `atomic = False` on the migration (with
`AddIndexConcurrently` / `RemoveIndexConcurrently`); Prisma: a migration file holding only this
statement, without `BEGIN`; Drizzle: a custom SQL migration run without its transaction (or outside
drizzle-kit); TypeORM `transaction = false` on the migration (or `migrationsTransactionMode: "each"`
with the statement alone in its migration).

## Fix safety
Safe: the statement does the same thing. Outside a transaction it cannot be rolled back with the
rest of the migration: a failed concurrent index build leaves an INVALID index to drop
(`DROP INDEX CONCURRENTLY`) before retrying, and `IF [NOT] EXISTS` makes a re-run harmless.

## References
- https://www.postgresql.org/docs/current/sql-createindex.html#SQL-CREATEINDEX-CONCURRENTLY
- https://www.postgresql.org/docs/current/sql-dropindex.html
- https://www.postgresql.org/docs/current/sql-reindex.html
- https://www.postgresql.org/docs/current/sql-altertable.html
"""

from collections.abc import Iterator

from dbexpert.model import Applicability, Category, Engine, Finding
from dbexpert.rules.context import RuleContext
from dbexpert.rules.registry import Rule, Target
from dbexpert.sources.migrations.steps import MigrationStep
from dbexpert.sql import ddl

# The concurrent forms PostgreSQL refuses inside a transaction block, named as its error message names them.
_COMMANDS: dict[type, str] = {
    ddl.CreateIndex: "CREATE INDEX CONCURRENTLY",
    ddl.Drop: "DROP INDEX CONCURRENTLY",
    ddl.Reindex: "REINDEX CONCURRENTLY",
    ddl.DetachPartition: "ALTER TABLE ... DETACH CONCURRENTLY",
}


def _concurrent(action: ddl.Action) -> bool:
    match action:
        case ddl.CreateIndex() | ddl.Reindex():
            return action.concurrently
        case ddl.Drop(kind="index"):
            return action.concurrently
        case ddl.DetachPartition():
            return action.concurrently and not action.finalize
    return False


def _object(action: ddl.Action) -> ddl.Name | None:
    match action:
        case ddl.CreateIndex() | ddl.DetachPartition():
            return action.table
        case ddl.Reindex():
            return action.name
        case ddl.Drop():
            return action.table or (action.names[0] if action.names else None)
    return None


def check(step: MigrationStep, ctx: RuleContext) -> Iterator[Finding]:
    if not step.in_transaction:
        return
    for action in step.actions:
        if not _concurrent(action):
            continue
        command = _COMMANDS[type(action)]
        name = _object(action)
        where = step.location.with_object(step.object_path(name)) if name is not None else step.location
        wrapper = "an explicit BEGIN" if step.explicit_transaction else "the migration tool's transaction"
        yield ctx.finding(
            f"{command} cannot run inside a transaction block ({wrapper}): the migration fails.",
            location=where,
            fix="Run the statement alone, in a migration that is not wrapped in a transaction.",
            sql=_alone(step.statement.text),
            applicability=Applicability.SAFE,
            evidence={
                "command": command,
                "in_transaction": True,
                "explicit_transaction": step.explicit_transaction,
                "error": f"{command} cannot run inside a transaction block",
            },
        )


def _alone(statement: str) -> str:
    text = statement.strip().rstrip(";").rstrip()
    return f"-- in a migration of its own, outside any transaction:\n{text};"


RULE = Rule(
    name="concurrently-in-transaction",
    category=Category.CORRECTNESS,
    target=Target.STATEMENT,
    check=check,
    actions=(ddl.CreateIndex, ddl.Reindex, ddl.Drop, ddl.DetachPartition),
    doc=__doc__,
    engines=frozenset({Engine.POSTGRES}),
    aliases=("concurrent-in-transaction",),
)
