"""
## What it does
Finds PostgreSQL `varchar(n)` columns.

## Why is this bad?
In PostgreSQL `text`, `varchar` and `varchar(n)` are stored the same way and perform the same;
the length limit only adds a check. That check is a poor business rule: it counts characters
but says nothing else, it cannot be changed without `ALTER TABLE`, and a limit picked out of
habit (`varchar(255)`) rejects valid data later. When the limit is a real rule, a named `CHECK`
constraint states it and can be replaced with `NOT VALID` plus `VALIDATE` without blocking writes.

## Example
```sql
CREATE TABLE customers (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email varchar(255) NOT NULL
);
```

## Use instead
```sql
CREATE TABLE customers (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email text NOT NULL CONSTRAINT customers_email_length CHECK (char_length(email) <= 320)
);
```
Prisma `String` (without `@db.VarChar`), TypeORM `@Column("text")`, Drizzle `text()`,
SQLAlchemy `Text`, Django `TextField` (or `CharField` plus a database check; `CharField`
always emits `varchar(n)`).

## Fix safety
`varchar(n)` to `text` is binary-compatible: no table rewrite and no index rebuild, only a brief
ACCESS EXCLUSIVE lock (it fails while a view depends on the column). The optional length check is
added `NOT VALID` and validated separately so it does not block writes. Marked safe.

## References
- https://wiki.postgresql.org/wiki/Don%27t_Do_This#Don.27t_use_varchar.28n.29_by_default
- https://www.postgresql.org/docs/current/datatype-character.html
"""

from __future__ import annotations

from collections.abc import Iterator

from dbexpert.model import Applicability, Category, Engine, Finding, Table, TypeKind
from dbexpert.rules.context import RuleContext
from dbexpert.rules.registry import Rule, Target
from dbexpert.rules.schema._orm import column_type, field


def check(table: Table, ctx: RuleContext) -> Iterator[Finding]:
    for column in table.columns:
        if column.kind is not TypeKind.VARCHAR or column.length is None:
            continue  # varchar without a length is already text
        name, col = ctx.table_name(table), ctx.ident(column.name)
        constraint = ctx.ident(f"{table.name}_{column.name}_length")
        sql = "\n".join(
            [
                f"ALTER TABLE {name} ALTER COLUMN {col} TYPE text;",
                "-- Only when the limit is a business rule:",
                f"ALTER TABLE {name} ADD CONSTRAINT {constraint} CHECK (char_length({col}) <= {column.length}) NOT VALID;",
                f"ALTER TABLE {name} VALIDATE CONSTRAINT {constraint};",
            ]
        )
        yield ctx.finding(
            f"Column {table.qualified_name}.{column.name} is {column.raw_type}; use text.",
            table=table,
            column=column,
            fix=ctx.orm_fix(
                "Change the column to text, with a CHECK on its length if the limit is a business rule.",
                **column_type(
                    ctx,
                    table,
                    column,
                    typeorm='@Column("text")',
                    drizzle=f'text("{column.name}")',
                    sqlalchemy="mapped_column(Text)",
                    django="models.TextField()",
                ),
                prisma=f"In Prisma: remove @db.VarChar({column.length}) from {field(ctx, table, column)} "
                "(String is text by default).",
            ),
            sql=sql,
            applicability=Applicability.SAFE,
            evidence={"type": column.raw_type, "length": column.length},
        )


RULE = Rule(
    name="varchar-instead-of-text",
    category=Category.STYLE,
    target=Target.TABLE,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.POSTGRES}),
    example_engine=Engine.POSTGRES,
)
