"""
## What it does
Finds `LOCK TABLE` (PostgreSQL) or `LOCK TABLES` (MySQL) in a migration, in a mode that blocks writes.

Tables created earlier in the same migration are exempt, and so are PostgreSQL modes weaker than
SHARE, which block neither reads nor writes.

## Why is this bad?
An explicit lock is held until the transaction ends (MySQL: until `UNLOCK TABLES`), across every
statement that follows — often a backfill or several ALTERs — so the table is unavailable for the
whole migration rather than for one short statement. ACCESS EXCLUSIVE (the default mode of
`LOCK TABLE`) and MySQL `WRITE` block reads as well; while waiting for the lock the statement also
blocks everyone queued behind it.

## Example
```sql
BEGIN;
LOCK TABLE orders IN ACCESS EXCLUSIVE MODE;
COMMIT;
```

## Use instead
Let each statement take only the lock it needs, bound the wait, and keep transactions short:
```sql
SET lock_timeout = '5s';
ALTER TABLE orders ADD COLUMN note text;
```
Data changes go in batches outside the schema migration, where row locks suffice. Alembic, Django
(`RunSQL`), Prisma, Drizzle and TypeORM migrations rarely need an explicit lock: remove it and
split the migration instead.

## Fix safety
Unsafe to apply blindly: if the lock guarded a multi-statement invariant (copying rows while no one
writes), replace it with a design that tolerates concurrent writes (a trigger, or batches keyed on
an immutable column).

## References
- https://www.postgresql.org/docs/current/sql-lock.html
- https://www.postgresql.org/docs/current/explicit-locking.html
- https://dev.mysql.com/doc/refman/8.0/en/lock-tables.html
"""

from collections.abc import Iterator

from dbexpert.model import Applicability, Category, Engine, Finding
from dbexpert.rules.context import RuleContext
from dbexpert.rules.migration import _facts as facts
from dbexpert.rules.registry import Rule, Target
from dbexpert.sources.migrations.locks import ACCESS_EXCLUSIVE, BLOCKS, STRENGTH, blocks_writes
from dbexpert.sources.migrations.steps import MigrationStep
from dbexpert.sql import ddl

_MYSQL_BLOCKS = {"WRITE": "all reads and writes", "READ": "writes"}


def check(step: MigrationStep, ctx: RuleContext) -> Iterator[Finding]:
    for action in step.actions:
        if not isinstance(action, ddl.LockTable):
            continue
        mode = " ".join(action.mode.upper().split()) or ACCESS_EXCLUSIVE
        if step.engine is Engine.MYSQL:
            blocks = _MYSQL_BLOCKS.get(mode.split()[-1] if mode else "WRITE", "all reads and writes")
        else:
            mode = mode if mode in STRENGTH else ACCESS_EXCLUSIVE
            if not blocks_writes(mode):
                continue
            blocks = BLOCKS[mode]
        tables = [name for name in action.tables if not step.is_new(name)]
        if not tables:
            continue
        names = ", ".join(name.name for name in tables)
        written = (
            f"LOCK TABLES {names} {mode}"
            if step.engine is Engine.MYSQL
            else f"LOCK TABLE {names} IN {mode} MODE"
        )
        until = "UNLOCK TABLES" if step.engine is Engine.MYSQL else "the transaction ends"
        yield ctx.finding(
            f"{written} blocks {blocks} until {until}.",
            location=step.location.with_object(step.object_path(tables[0])),
            fix="Remove the explicit lock, set a lock timeout, and let each statement take its own lock briefly.",
            sql=facts.lock_timeout_sql(step.engine),
            applicability=Applicability.MANUAL,
            evidence={
                "lock": mode,
                "blocks": blocks,
                "held_until": "UNLOCK TABLES" if step.engine is Engine.MYSQL else "end of transaction",
                "in_transaction": step.in_transaction,
            },
        )


RULE = Rule(
    name="explicit-lock-table",
    category=Category.SAFETY,
    target=Target.STATEMENT,
    check=check,
    actions=(ddl.LockTable,),
    doc=__doc__,
    engines=frozenset({Engine.POSTGRES, Engine.MYSQL}),
    aliases=("lock-table-explicit",),
)
