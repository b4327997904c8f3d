"""
## What it does
Finds a PostgreSQL foreign key added to an existing table without `NOT VALID`: every row is checked under write locks.

Exempt: `NOT VALID`; foreign keys in `CREATE TABLE` or on a table created earlier in the same
migration; `ADD COLUMN ... REFERENCES` without a default (PostgreSQL knows the new column is all
NULL and skips the check). A separate `ADD CONSTRAINT ... FOREIGN KEY` on a column added earlier in
the migration is reported: PostgreSQL still reads the whole table to check it (measured on
PostgreSQL 15).

## Why is this bad?
Adding the constraint takes SHARE ROW EXCLUSIVE locks on both the table and the table it references
and keeps them while it checks every existing row against the referenced table. INSERT, UPDATE and
DELETE on both tables wait for the whole check: minutes on a large table.

## Example
```sql
ALTER TABLE orders ADD CONSTRAINT orders_customer_id_fkey
  FOREIGN KEY (customer_id) REFERENCES customers (id);
```

## Use instead
```sql
ALTER TABLE orders ADD CONSTRAINT orders_customer_id_fkey
  FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID;
-- in a separate transaction (autocommit, or the next migration):
ALTER TABLE orders VALIDATE CONSTRAINT orders_customer_id_fkey;
```
`NOT VALID` enforces the key for new rows at once; `VALIDATE CONSTRAINT` then checks the old rows
under a SHARE UPDATE EXCLUSIVE lock that lets reads and writes through. Alembic: `op.execute()` the
two statements (`op.create_foreign_key` has no NOT VALID), the VALIDATE in a later migration or an
`autocommit_block()`; Django: `RunSQL` with the NOT VALID statement (and `state_operations` adding
the `ForeignKey`), the VALIDATE in a later migration; Prisma and Drizzle: edit the generated SQL and move the VALIDATE to a migration of its
own; TypeORM: `queryRunner.query()` the two statements in two migrations.

## Fix safety
Safe: the same constraint ends up validated. Between the two steps old rows are not yet checked; if
some violate the key, VALIDATE fails and they must be fixed first. Before PostgreSQL 18 a
partitioned table does not accept `NOT VALID` foreign keys: add them per partition instead.

## References
- https://www.postgresql.org/docs/current/sql-altertable.html#SQL-ALTERTABLE-NOTES
- https://www.postgresql.org/docs/current/explicit-locking.html
- https://docs.djangoproject.com/en/stable/ref/migration-operations/#runsql
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
        match action:
            case ddl.AddConstraint(constraint=spec) if spec.kind == "foreign" and spec.validated:
                if step.is_new(action.table) or spec.reference is None:
                    continue
                yield _finding(step, ctx, action.table, spec, None)
            case ddl.AddColumn(column=column) if not facts.is_null_default(column.default):
                if step.is_new(action.table):
                    continue
                for spec in column.constraints:
                    if spec.kind == "foreign" and spec.reference is not None:
                        yield _finding(step, ctx, action.table, spec, column)


def _finding(
    step: MigrationStep,
    ctx: RuleContext,
    table: ddl.Name,
    spec: ddl.ConstraintSpec,
    column: ddl.ColumnSpec | None,
) -> Finding:
    assert spec.reference is not None
    parent = spec.reference.table
    name = spec.name or f"{table.name}_{'_'.join(spec.columns)}_fkey"
    t = facts.table_sql(ctx, step, table)
    lines = []
    if column is not None:
        not_null = " NOT NULL" if column.not_null else ""
        lines.append(
            f"ALTER TABLE {t} ADD COLUMN {facts.column_sql(ctx, column)}{not_null} DEFAULT {column.default};"
        )
    lines += [
        f"ALTER TABLE {t} ADD CONSTRAINT {ctx.ident(name)} {_reference_sql(ctx, step, spec)} NOT VALID;",
        "-- in a separate transaction (autocommit, or the next migration):",
        f"ALTER TABLE {t} VALIDATE CONSTRAINT {ctx.ident(name)};",
    ]
    added_here = all(step.column_added_here(table, c) for c in spec.columns)
    why = (
        " (the column's DEFAULT fills every row, so every row is checked)"
        if column is not None
        else " (the column is new, but the check still reads every row)"
        if added_here
        else ""
    )
    return ctx.finding(
        f"Foreign key {name} checks every row of {table.name}{why} while holding SHARE ROW EXCLUSIVE "
        f"locks on {table.name} and {parent.name}: writes to both tables wait.",
        location=step.location.with_object(step.object_path(table)),
        fix="Add the foreign key NOT VALID, then VALIDATE it in a separate transaction.",
        sql="\n".join(lines),
        applicability=Applicability.SAFE,
        evidence={
            "lock": locks.SHARE_ROW_EXCLUSIVE,
            "blocks": locks.BLOCKS[locks.SHARE_ROW_EXCLUSIVE],
            "tables": [step.object_path(table), step.object_path(parent)],
            "scans": True,
            "column_added_in_this_migration": added_here,
            "in_transaction": step.in_transaction,
        },
    )


def _reference_sql(ctx: RuleContext, step: MigrationStep, spec: ddl.ConstraintSpec) -> str:
    assert spec.reference is not None
    ref = spec.reference
    text = f"FOREIGN KEY ({ctx.columns_sql(spec.columns)}) REFERENCES {facts.table_sql(ctx, step, ref.table)}"
    if ref.columns:
        text += f" ({ctx.columns_sql(ref.columns)})"
    if ref.on_delete != "NO ACTION":
        text += f" ON DELETE {ref.on_delete}"
    if ref.on_update != "NO ACTION":
        text += f" ON UPDATE {ref.on_update}"
    if ref.deferrable:
        text += " DEFERRABLE" + (" INITIALLY DEFERRED" if ref.initially_deferred else "")
    return text


RULE = Rule(
    name="add-foreign-key-without-not-valid",
    category=Category.SAFETY,
    target=Target.STATEMENT,
    check=check,
    actions=(ddl.AddConstraint, ddl.AddColumn),
    doc=__doc__,
    engines=frozenset({Engine.POSTGRES}),
    aliases=("fk-not-valid",),
)
