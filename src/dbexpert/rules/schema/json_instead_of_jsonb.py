"""
## What it does
Finds PostgreSQL columns of type `json`.

## Why is this bad?
`json` stores the text as given and re-parses it on every access. `jsonb` stores a parsed
binary form: operators and `->>` are faster, it supports GIN indexes (`jsonb_path_ops`),
containment (`@>`) and equality, so it can be compared, grouped, made `DISTINCT` or `UNIQUE`;
`json` has no equality operator at all. Keep `json` only when the exact text matters (key
order, duplicate keys, whitespace).

## Example
```sql
CREATE TABLE webhooks (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    payload json NOT NULL
);
```

## Use instead
```sql
CREATE TABLE webhooks (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    payload jsonb NOT NULL
);
```
Prisma `Json` maps to `jsonb` already; TypeORM `@Column("jsonb")`; Drizzle `jsonb()`;
SQLAlchemy `postgresql.JSONB`; Django `JSONField` is `jsonb`.

## Fix safety
`ALTER COLUMN … TYPE jsonb` rewrites the table under an ACCESS EXCLUSIVE lock. It fails on
values containing `\\u0000`, and it drops duplicate keys (the last one wins) and key order,
which changes what readers see. Marked unsafe; on large tables add a new column and backfill.

## References
- https://www.postgresql.org/docs/current/datatype-json.html
"""

from __future__ import annotations

from collections.abc import Iterator

from dbexpert.model import Applicability, Category, Engine, Finding, Table, TypeKind
from dbexpert.rules.context import RuleContext
from dbexpert.rules.registry import Rule, Target
from dbexpert.rules.schema._orm import column_type, field


def check(table: Table, ctx: RuleContext) -> Iterator[Finding]:
    for column in table.columns:
        if column.kind is not TypeKind.JSON:
            continue
        col = ctx.ident(column.name)
        yield ctx.finding(
            f"Column {table.qualified_name}.{column.name} is json; jsonb is faster and indexable.",
            table=table,
            column=column,
            fix=ctx.orm_fix(
                "Change the column to jsonb.",
                **column_type(
                    ctx,
                    table,
                    column,
                    typeorm='@Column("jsonb")',
                    drizzle=f'jsonb("{column.name}")',
                    sqlalchemy="mapped_column(JSONB) (from sqlalchemy.dialects.postgresql)",
                ),
                # Prisma's Json and Django's JSONField are jsonb by default: only an explicit json remains.
                prisma=f"In Prisma: remove @db.Json from {field(ctx, table, column)} (Json is jsonb by default).",
            ),
            sql=f"ALTER TABLE {ctx.table_name(table)} ALTER COLUMN {col} TYPE jsonb USING {col}::jsonb;",
            applicability=Applicability.UNSAFE,
            evidence={
                "type": column.raw_type,
                "row_estimate": table.stats.row_estimate if table.stats else None,
            },
        )


RULE = Rule(
    name="json-instead-of-jsonb",
    category=Category.PERFORMANCE,
    target=Target.TABLE,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.POSTGRES}),
    example_engine=Engine.POSTGRES,
)
