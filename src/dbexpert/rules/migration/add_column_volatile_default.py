"""
## What it does
Finds `ADD COLUMN` on an existing PostgreSQL table with a volatile default such as `gen_random_uuid()`.

Volatile built-ins (`gen_random_uuid()`, `uuid_generate_v4()`, `random()`, `clock_timestamp()`,
`timeofday()`, `nextval()`, ...) are listed in the rule's facts; a function it does not know is
treated as volatile, because `CREATE FUNCTION` makes a function VOLATILE unless it says otherwise.
STABLE defaults such as `now()`, `CURRENT_TIMESTAMP` and `statement_timestamp()` are not flagged:
PostgreSQL 11+ evaluates them once.

## Why is this bad?
A volatile default must be computed separately for every existing row, so PostgreSQL rewrites the
whole table and rebuilds its indexes while holding an ACCESS EXCLUSIVE lock: no reads, no writes,
for as long as the rewrite takes — on every version, including those with fast defaults.

## Example
```sql
ALTER TABLE users ADD COLUMN api_token uuid DEFAULT gen_random_uuid();
```

## Use instead
```sql
ALTER TABLE users ADD COLUMN api_token uuid;
ALTER TABLE users ALTER COLUMN api_token SET DEFAULT gen_random_uuid();
-- then, outside the migration, in batches committing each:
-- UPDATE users SET api_token = gen_random_uuid() WHERE id > :last_id AND id <= :last_id + 10000 AND api_token IS NULL;
```
Setting the default on the existing column applies to new rows only and is instant. Alembic:
`op.add_column` without `server_default`, then `op.alter_column(..., server_default=sa.text("gen_random_uuid()"))`;
Django: add the field with `null=True`, set `db_default` in the next migration, backfill with a
batched `RunPython` (non-atomic); Prisma/Drizzle: split the generated SQL as above; TypeORM:
`queryRunner.query()` per statement.

## Fix safety
Safe: new rows get the default at once; existing rows get their values from the backfill, and read
NULL until it reaches them.

## References
- https://www.postgresql.org/docs/current/sql-altertable.html#SQL-ALTERTABLE-NOTES
- https://www.postgresql.org/docs/current/xfunc-volatility.html
"""

from collections.abc import Iterator

from dbexpert.model import Category, Engine, Finding
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
        if facts.is_null_default(spec.default) or spec.identity or spec.generated:
            continue
        default = spec.default or ""
        volatile, unknown = facts.volatile_calls(default)
        if not volatile and not unknown:
            continue
        table = facts.table_sql(ctx, step, action.table)
        col = ctx.ident(spec.name)
        steps = [
            f"ALTER TABLE {table} ADD COLUMN {facts.column_sql(ctx, spec)};",
            f"ALTER TABLE {table} ALTER COLUMN {col} SET DEFAULT {default};",
            facts.batched(ctx, step, action.table, f"{col} = {default}", f"{col} IS NULL"),
        ]
        if spec.not_null:
            steps.append(facts.set_not_null_sql(ctx, step, action.table, spec.name))
        functions = ", ".join(f"{name}()" for name in dict.fromkeys(volatile or unknown))
        why = "is VOLATILE" if volatile else "is not a known STABLE function, so it is assumed VOLATILE"
        yield ctx.finding(
            f"ADD COLUMN {spec.name} DEFAULT {functions}: the default {why}, so every row of "
            f"{action.table.name} is rewritten under an ACCESS EXCLUSIVE lock.",
            location=step.location.with_object(step.object_path(action.table)),
            fix="Add the column without a default, set the default for new rows, backfill existing rows in batches.",
            sql="\n".join(steps),
            evidence=facts.rewrite_evidence(
                step,
                default=default,
                volatile_functions=volatile,
                functions_of_unknown_volatility=unknown,
            ),
        )


RULE = Rule(
    name="add-column-with-volatile-default",
    category=Category.SAFETY,
    target=Target.STATEMENT,
    check=check,
    actions=(ddl.AddColumn,),
    doc=__doc__,
    engines=frozenset({Engine.POSTGRES}),
    aliases=("add-column-volatile-default",),
)
