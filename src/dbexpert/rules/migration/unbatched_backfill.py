"""
## What it does
Finds `UPDATE` or `DELETE` of an existing table in a migration, run as one statement instead of in batches.

Statements bounded to one batch (`LIMIT`, a key range) and changes to tables created earlier in
the same migration are not flagged. When the same transaction already holds an ACCESS EXCLUSIVE
lock on the table (an earlier ALTER TABLE or LOCK TABLE), the finding is an error.

## Why is this bad?
One statement over a large table is one long transaction: it locks every row it touches (so
application writes to those rows wait), keeps old row versions from being vacuumed, writes a burst
of WAL / binlog that replicas replay serially, and cannot be resumed if it fails midway. Inside a
migration transaction that has already altered the table, the table stays locked for everyone
until the backfill ends.

## Example
```sql
UPDATE users SET status = 'active' WHERE status IS NULL;
```

## Use instead
Backfill outside the schema migration, in batches of a few thousand rows, each its own transaction:
```sql
UPDATE users SET status = 'active'
WHERE id IN (SELECT id FROM users WHERE status IS NULL ORDER BY id LIMIT 10000);
```
Repeat until it updates no rows, pausing if replicas lag. Alembic: a separate data migration or
script looping over batches with a commit each; Django: `RunPython` in a migration with
`atomic = False`, committing per batch (or a management command); Prisma, Drizzle and TypeORM: a
script run after `migrate deploy` / in a non-transactional migration, looping over key ranges.

## Fix safety
Safe when the batches cover the same rows: the statement's condition must exclude rows already
done, or the batches walk the primary key, so that every row is changed exactly once.

## References
- https://www.postgresql.org/docs/current/routine-vacuuming.html
- https://docs.djangoproject.com/en/stable/howto/writing-migrations/#non-atomic-migrations
- https://dev.mysql.com/doc/refman/8.0/en/update.html
"""

from collections.abc import Iterator

from dbexpert.model import Applicability, Category, Engine, Finding, Severity
from dbexpert.rules.context import RuleContext
from dbexpert.rules.migration import _facts as facts
from dbexpert.rules.registry import Rule, Target
from dbexpert.sources.migrations.locks import ACCESS_EXCLUSIVE
from dbexpert.sources.migrations.steps import MigrationStep
from dbexpert.sql import ddl


def check(step: MigrationStep, ctx: RuleContext) -> Iterator[Finding]:
    for action in step.actions:
        if not isinstance(action, ddl.DataChange) or action.kind not in ("update", "delete"):
            continue
        if action.has_limit or step.is_new(action.table):
            continue
        held = step.held_locks.get(step.key(action.table))
        locked = held == ACCESS_EXCLUSIVE
        table = facts.table_sql(ctx, step, action.table)
        key, known = facts.key_column(step.table(action.table))
        k = ctx.ident(key)
        verb = "UPDATE" if action.kind == "update" else "DELETE"
        batch = (
            f"{k} IN (SELECT {k} FROM {table} WHERE <condition> ORDER BY {k} LIMIT {facts.BATCH_SIZE})"
            if step.engine is Engine.POSTGRES
            else f"<condition> ORDER BY {k} LIMIT {facts.BATCH_SIZE}"
        )
        head = f"UPDATE {table} SET <assignments>" if verb == "UPDATE" else f"DELETE FROM {table}"
        message = (
            f"{verb} of {action.table.name} in one statement"
            + (" with no WHERE clause" if not action.has_where else "")
            + ": one long transaction locking every row it touches and lagging replicas"
        )
        if locked:
            message += ", while this transaction holds ACCESS EXCLUSIVE on the table, so nothing can read it"
        yield ctx.finding(
            message + ".",
            location=step.location.with_object(step.object_path(action.table)),
            fix="Move the data change out of the schema migration and run it in batches, committing each.",
            sql=(
                "-- outside the migration, repeated until no row changes, one transaction per batch:\n"
                f"{head} WHERE {batch};"
            ),
            applicability=Applicability.MANUAL,
            severity=Severity.ERROR if locked else Severity.WARNING,
            evidence={
                "kind": action.kind,
                "has_where": action.has_where,
                "lock": "row locks on every touched row",
                "table_lock_held": held,
                "batch_key": key if known else f"{key} (assumed: primary key not in the files read)",
                "in_transaction": step.in_transaction,
            },
        )


RULE = Rule(
    name="unbatched-backfill",
    category=Category.SAFETY,
    target=Target.STATEMENT,
    check=check,
    actions=(ddl.DataChange,),
    doc=__doc__,
    engines=frozenset({Engine.POSTGRES, Engine.MYSQL}),
    severity=Severity.WARNING,
    aliases=("backfill-in-migration",),
)
