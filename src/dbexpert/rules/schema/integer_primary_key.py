"""
## What it does
Finds counter-fed primary keys typed `integer` or smaller instead of `bigint`. It looks at
single-column surrogate primary keys (identity, serial, `AUTO_INCREMENT` or a sequence default)
typed `integer`/`INT` or smaller. From a schema alone it is an
info finding; on a live database it becomes a warning once the table is large and an error once
the counter has used a large share of the type's range.

## Why is this bad?
A signed 32-bit key runs out after 2,147,483,647 values (4,294,967,295 unsigned), and sequence
gaps from rollbacks and `ON CONFLICT` burn values faster than rows grow. When it runs out every
insert fails, and widening the key then means rewriting the table and every table whose
foreign keys reference it. A `bigint` costs 4 more bytes per row and index entry.

## Example
```sql
CREATE TABLE orders (
    id serial PRIMARY KEY,
    placed_at timestamptz NOT NULL
);
```

## Use instead
```sql
CREATE TABLE orders (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    placed_at timestamptz NOT NULL
);
```
Prisma `id BigInt @id @default(autoincrement())`, TypeORM `@PrimaryGeneratedColumn({ type: "bigint" })`,
Drizzle `bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity()`,
SQLAlchemy `Column(BigInteger, Identity(), primary_key=True)`, Django
`DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"`. SQLite is exempt: its `INTEGER PRIMARY
KEY` is already 64-bit.

## Fix safety
`ALTER COLUMN … TYPE bigint` rewrites the table and its indexes under an ACCESS EXCLUSIVE lock on
PostgreSQL; on a large table add a `bigint` column instead, keep it filled with a trigger,
backfill it in batches, build its unique index `CONCURRENTLY`, then swap the key and the foreign
keys in one short transaction. MySQL rebuilds the table (a table copy that blocks writes) and
refuses to change a column used by a foreign key, so the fix drops and re-adds those keys; use
an online schema change tool (gh-ost, pt-online-schema-change) on large tables. The fix is manual.

## References
- https://wiki.postgresql.org/wiki/Don%27t_Do_This#Don.27t_use_serial
- https://www.postgresql.org/docs/current/datatype-numeric.html
- https://dev.mysql.com/doc/refman/8.0/en/integer-types.html
"""

from __future__ import annotations

from collections.abc import Iterator

from dbexpert.model import Category, Column, Engine, Finding, ForeignKey, Severity, Table, TypeKind
from dbexpert.rules.context import RuleContext
from dbexpert.rules.registry import Rule, Target
from dbexpert.rules.schema._keys import key_column, row_estimate
from dbexpert.rules.schema._sequences import serial_sequence_sql
from dbexpert.rules.schema._types import column_max, is_unsigned


def check(table: Table, ctx: RuleContext) -> Iterator[Finding]:
    column = key_column(table)
    if column is None or column.kind not in (TypeKind.SMALLINT, TypeKind.INTEGER):
        return
    if not (column.identity or column.autoincrement or "nextval(" in (column.default or "").lower()):
        return  # a natural integer key is not fed by a counter
    referencing = _referencing(ctx, table, column)
    rows = row_estimate(table)
    last = _last_value(ctx, table, column)
    bound = column_max(column) or 2**31 - 1
    severity = Severity.INFO
    if rows is not None and rows >= ctx.option("large_table_rows"):
        severity = Severity.WARNING
    if last is not None and last / bound >= ctx.option("error_fraction"):
        severity = Severity.ERROR
    yield ctx.finding(
        f"Primary key {table.qualified_name}.{column.name} is {column.raw_type}; it runs out at {bound:,}.",
        table=table,
        column=column,
        fix="Widen the key and every foreign key column referencing it to bigint.",
        sql=_fix_sql(ctx, table, column, referencing),
        severity=severity,
        evidence={
            "type": column.raw_type,
            "max_value": bound,
            "row_estimate": rows,
            "last_value": last,
            "percent_used": None if last is None else round(100 * last / bound, 2),
            "referencing_columns": [f"{t.qualified_name}.{c}" for t, fk in referencing for c in fk.columns],
        },
    )


def _referencing(ctx: RuleContext, table: Table, column: Column) -> list[tuple[Table, ForeignKey]]:
    return [
        (child, fk)
        for child in ctx.catalog.tables
        for fk in child.foreign_keys
        if fk.ref_columns == (column.name,) and ctx.catalog.referenced_table(fk, child) is table
    ]


def _last_value(ctx: RuleContext, table: Table, column: Column) -> int | None:
    if ctx.engine is Engine.MYSQL:
        counter = table.attrs.get("auto_increment")
        return None if counter is None else int(counter) - 1
    owned = (table.name, column.name)
    seq = next((s for s in ctx.catalog.sequences if s.owned_by == owned), None)
    return seq.last_value if seq else None


def _fix_sql(
    ctx: RuleContext, table: Table, column: Column, referencing: list[tuple[Table, ForeignKey]]
) -> str:
    name, col = ctx.table_name(table), ctx.ident(column.name)
    if ctx.engine is Engine.POSTGRES:
        lines = [f"ALTER TABLE {name} ALTER COLUMN {col} TYPE bigint;"]
        if not column.identity:
            # A serial's sequence is "AS integer" itself; an identity sequence follows the column.
            lines.append(f"ALTER SEQUENCE {serial_sequence_sql(ctx, table, column)} AS bigint;")
        for child, fk in referencing:
            lines += [
                f"ALTER TABLE {ctx.table_name(child)} ALTER COLUMN {ctx.ident(c)} TYPE bigint;"
                for c in fk.columns
            ]
        return "\n".join(lines)
    unsigned = " UNSIGNED" if is_unsigned(column) else ""
    drops, modifies, adds = [], [], []
    for child, fk in referencing:
        child_name, fk_name = ctx.table_name(child), ctx.ident(fk.name or f"{child.name}_ibfk")
        child_col = child.column(fk.columns[0])
        null = " NOT NULL" if child_col is not None and not child_col.nullable else " NULL"
        drops.append(f"ALTER TABLE {child_name} DROP FOREIGN KEY {fk_name};")
        modifies.append(f"ALTER TABLE {child_name} MODIFY {ctx.ident(fk.columns[0])} BIGINT{unsigned}{null};")
        adds.append(
            f"ALTER TABLE {child_name} ADD CONSTRAINT {fk_name} FOREIGN KEY ({ctx.ident(fk.columns[0])}) "
            f"REFERENCES {name} ({col}) ON DELETE {fk.on_delete} ON UPDATE {fk.on_update};"
        )
    key = f"ALTER TABLE {name} MODIFY {col} BIGINT{unsigned} NOT NULL AUTO_INCREMENT;"
    return "\n".join([*drops, key, *modifies, *adds])


RULE = Rule(
    name="integer-primary-key",
    category=Category.DESIGN,
    target=Target.TABLE,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.POSTGRES, Engine.MYSQL}),
    severity=Severity.INFO,
    options={"large_table_rows": 10_000_000, "error_fraction": 0.5},
    example_engine=Engine.POSTGRES,
)
