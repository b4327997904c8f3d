"""
## What it does
Finds `ADD COLUMN` of a `serial`/`bigserial`/`smallserial` or identity column on an existing PostgreSQL table.

## Why is this bad?
The new column needs a distinct sequence value in every existing row, which is a volatile default:
PostgreSQL rewrites the whole table and rebuilds its indexes under an ACCESS EXCLUSIVE lock, on
every version. Reads and writes wait for the whole rewrite.

## Example
```sql
ALTER TABLE users ADD COLUMN seq bigserial;
```

## Use instead
```sql
CREATE SEQUENCE users_seq_seq AS bigint;
ALTER TABLE users ADD COLUMN seq bigint;
ALTER TABLE users ALTER COLUMN seq SET DEFAULT nextval('users_seq_seq');
ALTER SEQUENCE users_seq_seq OWNED BY users.seq;
-- then, outside the migration, in batches committing each:
-- UPDATE users SET seq = nextval('users_seq_seq') WHERE id > :last_id AND id <= :last_id + 10000 AND seq IS NULL;
```
Then make it NOT NULL through a validated `CHECK (seq IS NOT NULL)` (see the finding's SQL). Alembic:
`op.execute()` for the sequence and `op.add_column` without `server_default`, then
`op.alter_column(..., server_default=sa.text("nextval('users_seq_seq')"))`; Django: a `BigIntegerField(null=True)`
plus `RunSQL` for the sequence and default, a batched `RunPython` backfill; Prisma/Drizzle: edit the
generated SQL; TypeORM: `queryRunner.query()` per statement.

## Fix safety
Safe: the column ends with the same values a serial would give, numbered in backfill order; new rows
take `nextval` from the start.

## References
- https://www.postgresql.org/docs/current/sql-altertable.html#SQL-ALTERTABLE-NOTES
- https://www.postgresql.org/docs/current/datatype-numeric.html#DATATYPE-SERIAL
"""

from collections.abc import Iterator

from dbexpert.model import Category, Engine, Finding
from dbexpert.rules.context import RuleContext
from dbexpert.rules.migration import _facts as facts
from dbexpert.rules.registry import Rule, Target
from dbexpert.sources.migrations.steps import MigrationStep
from dbexpert.sql import ddl

_INTEGER_OF = {"smallserial": "smallint", "serial2": "smallint", "serial": "integer", "serial4": "integer"}


def check(step: MigrationStep, ctx: RuleContext) -> Iterator[Finding]:
    for action in step.actions:
        if not isinstance(action, ddl.AddColumn) or step.is_new(action.table):
            continue
        spec = action.column
        serial = spec.raw_type.lower() in facts.SERIAL_TYPES
        if not serial and not spec.identity:
            continue
        raw_type = _INTEGER_OF.get(spec.raw_type.lower(), "bigint") if serial else spec.raw_type
        table = facts.table_sql(ctx, step, action.table)
        col = ctx.ident(spec.name)
        sequence = f"{action.table.name}_{spec.name}_seq"
        seq_sql = facts.table_sql(ctx, step, ddl.Name(sequence, action.table.schema))
        nextval = f"nextval('{seq_sql.replace(chr(39), chr(39) * 2)}')"
        steps = [
            f"CREATE SEQUENCE {seq_sql} AS {raw_type};",
            f"ALTER TABLE {table} ADD COLUMN {facts.column_sql(ctx, spec, raw_type)};",
            f"ALTER TABLE {table} ALTER COLUMN {col} SET DEFAULT {nextval};",
            f"ALTER SEQUENCE {seq_sql} OWNED BY {table}.{col};",
            facts.batched(ctx, step, action.table, f"{col} = {nextval}", f"{col} IS NULL"),
            facts.set_not_null_sql(ctx, step, action.table, spec.name),
        ]
        kind = spec.raw_type.lower() if serial else f"GENERATED {(spec.identity or '').upper()} AS IDENTITY"
        yield ctx.finding(
            f"ADD COLUMN {spec.name} {kind} fills every existing row of {action.table.name} with a sequence "
            "value: the table is rewritten under an ACCESS EXCLUSIVE lock.",
            location=step.location.with_object(step.object_path(action.table)),
            fix="Add a plain nullable column, give it a sequence default for new rows, backfill in batches.",
            sql="\n".join(steps),
            evidence=facts.rewrite_evidence(
                step,
                column_kind=kind,
            ),
        )


RULE = Rule(
    name="add-serial-column",
    category=Category.SAFETY,
    target=Target.STATEMENT,
    check=check,
    actions=(ddl.AddColumn,),
    doc=__doc__,
    engines=frozenset({Engine.POSTGRES}),
    aliases=("add-column-serial",),
)
