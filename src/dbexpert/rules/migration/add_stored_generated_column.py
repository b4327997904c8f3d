"""
## What it does
Finds `ADD COLUMN` of a `GENERATED ALWAYS AS (expr) STORED` column on an existing PostgreSQL table.

## Why is this bad?
A stored generated column is computed and written for every existing row when it is added:
PostgreSQL rewrites the whole table and rebuilds its indexes under an ACCESS EXCLUSIVE lock, so
every read and write waits until the rewrite ends.

## Example
```sql
ALTER TABLE orders ADD COLUMN amount_cents bigint GENERATED ALWAYS AS ((amount * 100)::bigint) STORED;
```

## Use instead
```sql
ALTER TABLE orders ADD COLUMN amount_cents bigint;
CREATE FUNCTION orders_amount_cents_fill() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.amount_cents := (NEW.amount * 100)::bigint;
  RETURN NEW;
END $$;
CREATE TRIGGER orders_amount_cents_fill BEFORE INSERT OR UPDATE ON orders
  FOR EACH ROW EXECUTE FUNCTION orders_amount_cents_fill();
-- then, outside the migration, in batches committing each:
-- UPDATE orders SET amount_cents = (amount * 100)::bigint WHERE id > :last_id AND id <= :last_id + 10000;
```
A trigger keeps the plain column in step with new writes while the backfill fills the old rows; on
PostgreSQL 18 a VIRTUAL generated column (computed when read) is added instantly. Alembic:
`op.add_column` plus `op.execute()` for the function and trigger; Django: a plain field plus
`RunSQL` for the trigger and a batched `RunPython`; Prisma/Drizzle: edit the generated SQL;
TypeORM: `queryRunner.query()` per statement.

## Fix safety
Unsafe to apply blindly: the trigger must compute exactly the generation expression (columns
referenced as `NEW.column`), and unlike a generated column nothing stops code from writing the
column directly.

## References
- https://www.postgresql.org/docs/current/ddl-generated-columns.html
- https://www.postgresql.org/docs/current/sql-altertable.html#SQL-ALTERTABLE-NOTES
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
        if not isinstance(action, ddl.AddColumn) or step.is_new(action.table):
            continue
        spec = action.column
        if not spec.generated or spec.generated_stored is False:
            continue
        table = facts.table_sql(ctx, step, action.table)
        col = ctx.ident(spec.name)
        function = ctx.ident(f"{action.table.name}_{spec.name}_fill")
        steps = [
            f"ALTER TABLE {table} ADD COLUMN {facts.column_sql(ctx, spec)};",
            f"CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
            f"BEGIN\n  SELECT {spec.generated} INTO NEW.{col} FROM (SELECT NEW.*) AS row;\n"
            "  RETURN NEW;\nEND $$;",
            f"CREATE TRIGGER {function} BEFORE INSERT OR UPDATE ON {table}\n"
            f"  FOR EACH ROW EXECUTE FUNCTION {function}();",
            facts.batched(ctx, step, action.table, f"{col} = {spec.generated}", ""),
        ]
        yield ctx.finding(
            f"ADD COLUMN {spec.name} GENERATED ... STORED computes the column for every existing row: "
            f"{action.table.name} is rewritten under an ACCESS EXCLUSIVE lock.",
            location=step.location.with_object(step.object_path(action.table)),
            fix="Add a plain column kept in step by a trigger, and backfill existing rows in batches.",
            sql="\n".join(steps),
            applicability=Applicability.UNSAFE,
            evidence=facts.rewrite_evidence(
                step,
                expression=spec.generated,
            ),
        )


RULE = Rule(
    name="add-stored-generated-column",
    category=Category.SAFETY,
    target=Target.STATEMENT,
    check=check,
    actions=(ddl.AddColumn,),
    doc=__doc__,
    engines=frozenset({Engine.POSTGRES}),
    aliases=("add-column-generated-stored",),
)
