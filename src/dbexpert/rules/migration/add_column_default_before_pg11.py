"""
## What it does
Finds `ADD COLUMN` with a `DEFAULT` on an existing table when the PostgreSQL version is older than 11.

Only fires when the target version (`--pg-version`) is below 11. Volatile defaults, serial and
identity columns have rules of their own, on every version.

## Why is this bad?
Before PostgreSQL 11 a column added with a non-NULL default is written into every existing row:
the whole table and all its indexes are rewritten while an ACCESS EXCLUSIVE lock blocks every read
and write. On a large table that is minutes of downtime. PostgreSQL 11 and later store a constant
(or STABLE, like `now()`) default in the catalog and add the column instantly.

## Example
```sql
ALTER TABLE users ADD COLUMN is_vip boolean NOT NULL DEFAULT false;
```

## Use instead
```sql
ALTER TABLE users ADD COLUMN is_vip boolean;
ALTER TABLE users ALTER COLUMN is_vip SET DEFAULT false;
-- then, outside the migration, backfill in batches of rows committing each:
-- UPDATE users SET is_vip = false WHERE id > :last_id AND id <= :last_id + 10000;
ALTER TABLE users ADD CONSTRAINT users_is_vip_not_null CHECK (is_vip IS NOT NULL) NOT VALID;
ALTER TABLE users VALIDATE CONSTRAINT users_is_vip_not_null;
```
`SET DEFAULT` on an existing column only affects new rows, so it is instant. Alembic: `op.add_column`
without `server_default`, then `op.alter_column(..., server_default=...)`; Django: add the field
with `null=True` and `db_default` in a second migration, backfill with `RunPython` in batches;
Prisma/Drizzle: edit the generated SQL into these statements; TypeORM: `queryRunner.query()` per
statement. Or upgrade: on PostgreSQL 11+ the original statement is instant.

## Fix safety
Safe in effect: existing rows get the default through the backfill instead of the rewrite; until the
backfill ends they read NULL, so code must tolerate NULL for a while.

## References
- https://www.postgresql.org/docs/10/sql-altertable.html#SQL-ALTERTABLE-NOTES
- https://www.postgresql.org/docs/release/11.0/
"""

from collections.abc import Iterator

from dbexpert.model import Category, Engine, Finding
from dbexpert.rules.context import RuleContext
from dbexpert.rules.migration import _facts as facts
from dbexpert.rules.registry import Rule, Target
from dbexpert.sources.migrations.steps import MigrationStep
from dbexpert.sql import ddl


def check(step: MigrationStep, ctx: RuleContext) -> Iterator[Finding]:
    version = step.version or ctx.version
    if version is None or version >= facts.FAST_DEFAULT_PG:
        return
    for action in step.actions:
        if not isinstance(action, ddl.AddColumn) or step.is_new(action.table):
            continue
        spec = action.column
        if facts.is_null_default(spec.default) or spec.identity or spec.generated:
            continue
        if spec.raw_type.lower() in facts.SERIAL_TYPES or any(facts.volatile_calls(spec.default or "")):
            continue  # add-serial-column / add-column-with-volatile-default
        table = facts.table_sql(ctx, step, action.table)
        col = ctx.ident(spec.name)
        steps = [
            f"ALTER TABLE {table} ADD COLUMN {facts.column_sql(ctx, spec)};",
            f"ALTER TABLE {table} ALTER COLUMN {col} SET DEFAULT {spec.default};",
            facts.batched(ctx, step, action.table, f"{col} = {spec.default}", f"{col} IS NULL"),
        ]
        if spec.not_null:
            steps.append(facts.set_not_null_sql(ctx, step, action.table, spec.name))
        yield ctx.finding(
            f"ADD COLUMN {spec.name} with a DEFAULT rewrites {action.table.name} and its indexes under an "
            f"ACCESS EXCLUSIVE lock on PostgreSQL {version} (before 11).",
            location=step.location.with_object(step.object_path(action.table)),
            fix="Add the column without a default, set the default, then backfill existing rows in batches.",
            sql="\n".join(steps),
            evidence=facts.rewrite_evidence(
                step,
                default=spec.default,
                pg_version=str(version),
                no_rewrite_from=str(facts.FAST_DEFAULT_PG),
            ),
        )


RULE = Rule(
    name="add-column-with-default-before-pg11",
    category=Category.SAFETY,
    target=Target.STATEMENT,
    check=check,
    actions=(ddl.AddColumn,),
    doc=__doc__,
    engines=frozenset({Engine.POSTGRES}),
    aliases=("add-column-default-pre-pg11",),
    min_version={Engine.POSTGRES: facts.OLDEST_PG},
)
