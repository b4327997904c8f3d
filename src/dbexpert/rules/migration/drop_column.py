"""
## What it does
Finds `DROP COLUMN` on an existing table.

Columns added and tables created earlier in the same migration are exempt.

## Why is this bad?
The data is gone for good, and the code still running while the migration is applied — the old
release, until every instance is replaced — still selects, inserts or updates the column: its
queries fail ("column does not exist"), and ORMs that list every mapped column fail on every query
of the table.

## Example
```sql
ALTER TABLE users DROP COLUMN score;
```

## Use instead
Two releases: first the code stops reading and writing the column (and the column stops being
required, so inserts that omit it work), then a later migration drops it.
```sql
ALTER TABLE users ALTER COLUMN score DROP NOT NULL;
```
Django: remove the field from the model with `SeparateDatabaseAndState` (state only), and drop the
column in a later migration; Rails-style `ignored_columns` in SQLAlchemy: stop mapping the column
first (`exclude_properties`) and drop it with `op.drop_column` in a later Alembic revision; Prisma
and Drizzle: remove the field from the schema, deploy, then generate the drop; TypeORM: remove the
property, deploy, then `queryRunner.dropColumn`. Suppress with `-- dbexpert: ignore[drop-column]`
on the drop once the code no longer uses it.

## Fix safety
Unsafe: dropping is irreversible; take a backup of the column (or the table) if the data may be
needed again.

## References
- https://www.postgresql.org/docs/current/sql-altertable.html
- https://docs.djangoproject.com/en/stable/ref/migration-operations/#separatedatabaseandstate
- https://api.rubyonrails.org/classes/ActiveRecord/ModelSchema/ClassMethods.html#method-i-ignored_columns
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
        if not isinstance(action, ddl.DropColumn) or step.is_new(action.table):
            continue
        if step.column_added_here(action.table, action.column):
            continue
        table = facts.table_sql(ctx, step, action.table)
        column = step.table(action.table)
        known = column.column(action.column) if column is not None else None
        first = (
            f"ALTER TABLE {table} ALTER COLUMN {ctx.ident(action.column)} DROP NOT NULL;"
            if step.engine is Engine.POSTGRES
            else f"ALTER TABLE {table} MODIFY {ctx.ident(action.column)} {known.raw_type if known else '<type>'} NULL;"
        )
        yield ctx.finding(
            f"Dropping {action.table.name}.{action.column} loses its data and breaks the running code "
            "that still reads or writes it.",
            location=step.location.with_object(f"{step.object_path(action.table)}.{action.column}"),
            fix="Release the code that no longer uses the column first; drop it in a later migration.",
            sql=(
                f"-- release 1: stop using the column in code, and let inserts omit it:\n{first}\n"
                "-- release 2, once no running code uses it:\n"
                f"{facts.lock_timeout_sql(step.engine)}\n"
                f"ALTER TABLE {table} DROP COLUMN {ctx.ident(action.column)};"
            ),
            applicability=Applicability.MANUAL,
            evidence={
                "data_loss": True,
                "breaks": "queries naming the column",
                "lock": "ACCESS EXCLUSIVE" if step.engine is Engine.POSTGRES else "exclusive metadata lock",
                "in_transaction": step.in_transaction,
            },
        )


RULE = Rule(
    name="drop-column",
    category=Category.SAFETY,
    target=Target.STATEMENT,
    check=check,
    actions=(ddl.DropColumn,),
    doc=__doc__,
    engines=frozenset({Engine.POSTGRES, Engine.MYSQL}),
)
