"""
## What it does
Finds PostgreSQL enum types and MySQL `ENUM` columns with more than `max_values` labels
(option, default 8). A long list suggests a set that grows with the business (statuses,
categories, countries), which belongs in a lookup table. Whether the list actually changes
cannot be known from the schema, so the finding is informational; a few stable values
(`'asc', 'desc'`) are fine as an enum and never fire.

## Why is this bad?
Changing an enum is a schema migration, not a data change. PostgreSQL can add and rename labels
but cannot drop one: removing a value means creating a new type and rewriting every column that
uses it. A label added with `ALTER TYPE … ADD VALUE` cannot be used before its transaction
commits (before PostgreSQL 12 the command cannot run inside a transaction block at all). MySQL rebuilds the whole table whenever an
`ENUM` list changes, except when new labels are appended at the end (and the storage size stays
the same). Enums also cannot carry attributes (a label, a sort order, an "active" flag), and
every application has to hard-code the list.

## Example
```sql
CREATE TYPE order_status AS ENUM ('new', 'paid', 'packed', 'shipped', 'delivered',
    'returned', 'refunded', 'cancelled', 'lost');
CREATE TABLE orders (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    status order_status NOT NULL
);
```

## Use instead
```sql
CREATE TABLE order_statuses (name text PRIMARY KEY);
CREATE TABLE orders (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    status text NOT NULL REFERENCES order_statuses (name)
);
```
Prisma: a model `OrderStatus { name String @id }` and a relation instead of an `enum` block;
TypeORM `@ManyToOne(() => OrderStatus)` instead of `@Column({ type: "enum" })`; Drizzle a
table plus `.references()` instead of `pgEnum`; SQLAlchemy `ForeignKey("order_statuses.name")`
instead of `Enum(...)`; Django a `ForeignKey` to a model instead of `choices` when the list is
data rather than code.

## Fix safety
Converting the column to text (PostgreSQL) or `VARCHAR` (MySQL) rewrites the table under an
exclusive lock, and validating the new foreign key scans it. Code that relied on enum ordering
(`ORDER BY status` sorted by declaration order) now sorts alphabetically. The fix is manual.

## References
- https://www.postgresql.org/docs/current/datatype-enum.html
- https://www.postgresql.org/docs/current/sql-altertype.html
- https://dev.mysql.com/doc/refman/8.0/en/innodb-online-ddl-operations.html#online-ddl-column-operations
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from dbexpert.model import Catalog, Category, Column, Engine, Finding, Severity, Table
from dbexpert.rules.context import RuleContext
from dbexpert.rules.registry import Rule, Target
from dbexpert.sql.quote import qualify, quote_literal

_LITERAL = re.compile(r"^\s*'((?:[^']|'')*)'")


def check(catalog: Catalog, ctx: RuleContext) -> Iterator[Finding]:
    limit = ctx.option("max_values")
    for enum in catalog.enums:
        if len(enum.values) <= limit:
            continue
        users = [(t, c) for t in catalog.tables for c in t.columns if _type_name(c.raw_type) == enum.name]
        lookup = qualify(f"{enum.name}_values", enum.schema, ctx.engine, catalog.default_schema)
        enum_sql = qualify(enum.name, enum.schema, ctx.engine, catalog.default_schema)
        lines = _lookup_sql(ctx, lookup, "text", enum.values)
        for table, column in users:
            lines.append(_convert(ctx, table, column, lookup))
        lines.append(f"DROP TYPE {enum_sql};")
        yield _finding(ctx, f"Enum type {enum.qualified_name}", enum.values, users, lines)
    for table in catalog.tables if ctx.engine is Engine.MYSQL else ():
        for column in table.columns:
            if len(column.enum_values) <= limit or column.raw_type.lower().startswith("set"):
                continue
            lookup = ctx.ident(f"{table.name}_{column.name}_values")
            width = max(len(v) for v in column.enum_values)
            lines = _lookup_sql(ctx, lookup, f"VARCHAR({width})", column.enum_values)
            lines.append(_convert(ctx, table, column, lookup, f"VARCHAR({width})"))
            label = f"ENUM column {table.qualified_name}.{column.name}"
            yield _finding(ctx, label, column.enum_values, [(table, column)], lines)


def _finding(
    ctx: RuleContext, label: str, values: tuple[str, ...], users: list[tuple[Table, Column]], lines: list[str]
) -> Finding:
    table, column = users[0] if len(users) == 1 else (None, None)
    return ctx.finding(
        f"{label} has {len(values)} values; if the list changes, a lookup table is easier to evolve.",
        table=table,
        column=column,
        fix="Move the values into a lookup table referenced by a foreign key.",
        sql="\n".join(lines),
        severity=Severity.INFO,
        evidence={
            "values": len(values),
            "max_values": ctx.option("max_values"),
            "labels": list(values),
            "columns": [f"{t.qualified_name}.{c.name}" for t, c in users],
            "value_churn": "unknown from the schema",
        },
    )


def _lookup_sql(ctx: RuleContext, lookup: str, sql_type: str, values: tuple[str, ...]) -> list[str]:
    rows = ", ".join(f"({quote_literal(v)})" for v in values)
    return [
        f"CREATE TABLE {lookup} (name {sql_type} PRIMARY KEY);",
        f"INSERT INTO {lookup} (name) VALUES {rows};",
    ]


def _convert(ctx: RuleContext, table: Table, column: Column, lookup: str, mysql_type: str = "") -> str:
    name, col = ctx.table_name(table), ctx.ident(column.name)
    default = _LITERAL.match(column.default or "")
    set_default = " DEFAULT " + quote_literal(default.group(1).replace("''", "'")) if default else ""
    reference = f"ADD FOREIGN KEY ({col}) REFERENCES {lookup} (name)"
    if ctx.engine is Engine.MYSQL:
        null = "NULL" if column.nullable else "NOT NULL"
        return f"ALTER TABLE {name} MODIFY {col} {mysql_type} {null}{set_default}, {reference};"
    # An enum-typed default cannot be cast automatically: drop it, convert, then restate it as text.
    restore = f", ALTER COLUMN {col} SET{set_default}" if default else ""
    return (
        f"ALTER TABLE {name} ALTER COLUMN {col} DROP DEFAULT, ALTER COLUMN {col} TYPE text USING {col}::text"
        f"{restore}, {reference};"
    )


def _type_name(raw_type: str) -> str:
    return raw_type.strip().split(".")[-1].strip('"')


RULE = Rule(
    name="enum-instead-of-lookup-table",
    category=Category.DESIGN,
    target=Target.CATALOG,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.POSTGRES, Engine.MYSQL}),
    severity=Severity.INFO,
    options={"max_values": 8},
    example_engine=Engine.POSTGRES,
)
