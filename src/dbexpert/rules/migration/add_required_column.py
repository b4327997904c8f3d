"""
## What it does
Finds `ADD COLUMN` with `NOT NULL` but no `DEFAULT` on an existing table.

## Why is this bad?
On PostgreSQL the statement fails as soon as the table has a row (`column contains null values`),
so the migration breaks in production although it passed on an empty development database. On
MySQL and MariaDB it succeeds, even in strict mode, and silently fills existing rows with the type's
implicit default (`0`, `''`, a zero date): data that looks real but was never written. Either way,
application code deployed before the migration does not write the column, so its inserts fail.

## Example
```sql
ALTER TABLE users ADD COLUMN region text NOT NULL;
```

## Use instead
```sql
ALTER TABLE users ADD COLUMN region text;
-- then, outside the migration, backfill in batches committing each:
-- UPDATE users SET region = 'eu' WHERE id > :last_id AND id <= :last_id + 10000 AND region IS NULL;
ALTER TABLE users ADD CONSTRAINT users_region_not_null CHECK (region IS NOT NULL) NOT VALID;
ALTER TABLE users VALIDATE CONSTRAINT users_region_not_null;
ALTER TABLE users ALTER COLUMN region SET NOT NULL;
ALTER TABLE users DROP CONSTRAINT users_region_not_null;
```
When one constant fits every existing row, `ADD COLUMN region text NOT NULL DEFAULT 'eu'` is instant
on PostgreSQL 11+ (and on MySQL 8.0.12+/MariaDB 10.3+ with `ALGORITHM=INSTANT`). Alembic:
`op.add_column(..., nullable=True)`, a batched backfill, then `op.alter_column(..., nullable=False)`
after the CHECK; Django: `null=True` first, a `RunPython` backfill, then `null=False` (or
`db_default=` on Django 5); Prisma: make the field optional (`String?`) first, or give it
`@default(...)`; Drizzle: `.default(...)` or a nullable column first; TypeORM: `nullable: true`
first, or a `default`.

## Fix safety
Safe: the column ends up NOT NULL with the values the backfill chose; choosing those values is a
product decision the linter cannot make.

## References
- https://www.postgresql.org/docs/current/sql-altertable.html
- https://dev.mysql.com/doc/refman/8.0/en/data-type-defaults.html
"""

from collections.abc import Iterator

from dbexpert.model import Category, Engine, Finding, Severity
from dbexpert.rules.context import RuleContext
from dbexpert.rules.migration import _facts as facts
from dbexpert.rules.registry import Rule, Target
from dbexpert.sources.migrations.steps import MigrationStep
from dbexpert.sql import ddl


def check(step: MigrationStep, ctx: RuleContext) -> Iterator[Finding]:
    for action in step.actions:
        if not isinstance(action, ddl.AddColumn) or step.is_new(action.table):
            continue
        spec = action.column
        if not spec.not_null or not facts.is_null_default(spec.default):
            continue
        if (
            spec.identity
            or spec.generated
            or spec.autoincrement
            or spec.raw_type.lower() in facts.SERIAL_TYPES
        ):
            continue  # filled by the server
        mysql = step.engine is Engine.MYSQL
        version = step.version or ctx.version
        instant_default = mysql or version is None or version >= facts.FAST_DEFAULT_PG
        table = facts.table_sql(ctx, step, action.table)
        col = ctx.ident(spec.name)
        steps = [
            f"ALTER TABLE {table} ADD COLUMN {facts.column_sql(ctx, spec)} NULL;",
            facts.batched(ctx, step, action.table, f"{col} = <value>", f"{col} IS NULL"),
        ]
        if mysql:
            steps.append(f"ALTER TABLE {table} MODIFY {facts.column_sql(ctx, spec)} NOT NULL;")
            message = (
                f"ADD COLUMN {spec.name} NOT NULL without DEFAULT silently fills the existing rows of "
                f"{action.table.name} with the type's implicit default (0, '', a zero date)."
            )
        else:
            steps.append(facts.set_not_null_sql(ctx, step, action.table, spec.name))
            message = (
                f"ADD COLUMN {spec.name} NOT NULL without DEFAULT fails as soon as {action.table.name} "
                "has a row: existing rows would hold NULL."
            )
        yield ctx.finding(
            message,
            location=step.location.with_object(step.object_path(action.table)),
            fix="Add the column nullable, backfill it in batches, then make it NOT NULL"
            + (
                " (or give it a constant DEFAULT that fits every existing row: instant)."
                if instant_default
                else "."
            ),
            sql="\n".join(steps),
            severity=Severity.WARNING if mysql else Severity.ERROR,
            evidence={
                "fails_with_rows": not mysql,
                "fills_implicit_default": mysql,
                "rewrite": False,
                "in_transaction": step.in_transaction,
            },
        )


RULE = Rule(
    name="add-required-column",
    category=Category.CORRECTNESS,
    target=Target.STATEMENT,
    check=check,
    actions=(ddl.AddColumn,),
    doc=__doc__,
    engines=frozenset({Engine.POSTGRES, Engine.MYSQL}),
)
