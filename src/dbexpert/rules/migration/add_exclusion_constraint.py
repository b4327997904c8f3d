"""
## What it does
Finds an `EXCLUDE` constraint added to an existing PostgreSQL table: its index builds under ACCESS EXCLUSIVE.

Tables created earlier in the same migration are exempt.

## Why is this bad?
PostgreSQL builds the index behind an exclusion constraint inside the ALTER TABLE and checks every
row against it, holding an ACCESS EXCLUSIVE lock throughout: nothing reads or writes the table
until the build ends. Unlike UNIQUE and PRIMARY KEY there is no `USING INDEX` form and no
`NOT VALID`, so the build cannot be moved out of the lock.

## Example
```sql
ALTER TABLE bookings ADD CONSTRAINT bookings_no_overlap
  EXCLUDE USING gist (room_id WITH =, during WITH &&);
```

## Use instead
```sql
CREATE TABLE bookings_new (LIKE bookings INCLUDING ALL);
ALTER TABLE bookings_new ADD CONSTRAINT bookings_no_overlap
  EXCLUDE USING gist (room_id WITH =, during WITH &&);
-- backfill bookings_new in batches, keep it in sync (trigger), then swap the names in one short transaction
```
Either build the constraint on a new table, copy the rows over in batches and swap the tables, or
run the statement in a maintenance window with `SET lock_timeout` so it gives up instead of queueing
everyone. For tools: Alembic `op.execute()` / `op.create_exclude_constraint` only on the new table;
Django `ExclusionConstraint` on a new model; Prisma, Drizzle and TypeORM: raw SQL migrations that
target the new table, with the backfill run as a job outside the migration.

## Fix safety
Manual: a table swap needs the application (or a view) to follow the rename, and writes made during
the copy must be carried over. Rows that violate the constraint must be resolved before it can be
added at all.

## References
- https://www.postgresql.org/docs/current/sql-altertable.html
- https://www.postgresql.org/docs/current/sql-createtable.html#SQL-CREATETABLE-EXCLUDE
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
        if not isinstance(action, ddl.AddConstraint) or step.is_new(action.table):
            continue
        if action.constraint.kind != "exclusion":
            continue
        t = facts.table_sql(ctx, step, action.table)
        new = ctx.ident(f"{action.table.name}_new")
        body = step.statement.text.strip().rstrip(";")
        yield ctx.finding(
            f"EXCLUDE constraint on {action.table.name} builds its index under an ACCESS EXCLUSIVE lock, "
            "and there is no concurrent way to add it.",
            location=step.location.with_object(step.object_path(action.table)),
            fix="Add the constraint to a new table and backfill it, or run it in a maintenance window "
            "with a lock_timeout.",
            sql=f"CREATE TABLE {new} (LIKE {t} INCLUDING ALL);\n"
            f"-- the same ADD CONSTRAINT, on {new} instead of {t}:\n-- {' '.join(body.split())}\n"
            f"-- then backfill {new} in batches, keep it in sync, and swap the names in one short transaction.",
            applicability=Applicability.MANUAL,
            evidence={
                "lock": locks.ACCESS_EXCLUSIVE,
                "blocks": locks.BLOCKS[locks.ACCESS_EXCLUSIVE],
                "builds_index": True,
                "concurrent_alternative": False,
                "in_transaction": step.in_transaction,
            },
        )


RULE = Rule(
    name="add-exclusion-constraint",
    category=Category.SAFETY,
    target=Target.STATEMENT,
    check=check,
    actions=(ddl.AddConstraint,),
    doc=__doc__,
    engines=frozenset({Engine.POSTGRES}),
)
