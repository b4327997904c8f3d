"""
## What it does
Finds `char(n)` / `character(n)` columns wider than a short code. Columns of up to
`max_code_length` characters (option, default 3) are exempt: one-letter codes, ISO country
(`char(2)`), currency (`char(3)`) and language codes always fill their width, so padding never
shows. Wider `char(n)` almost always holds values of varying length. Columns that
`uuid-stored-as-text` reports (a `char(32)` or `char(36)` named like a UUID or filled by a UUID
default) are left to that rule.

## Why is this bad?
PostgreSQL pads `char(n)` with spaces and then treats them inconsistently: comparisons
between `char` values ignore them and concatenation drops them (`'ab'::char(4) || 'x'` is
`abx`), but `LIKE` and regular expressions see them (`'ab'::char(4) LIKE 'ab'` is false),
and stores the padding. MySQL strips trailing spaces on read, so a value written
with them comes back different. SQLite ignores the length entirely, so the declaration promises
a limit that does not exist. None of them is faster than a variable-length type.

## Example
```sql
CREATE TABLE products (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sku char(20) NOT NULL
);
```

## Use instead
```sql
CREATE TABLE products (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sku text NOT NULL
);
```
On MySQL use `VARCHAR(n)`. Prisma `String` (no `@db.Char`), TypeORM `@Column("text")` or
`"varchar"`, Drizzle `text()`/`varchar()`, SQLAlchemy `Text`/`String(n)` rather than `CHAR(n)`,
Django `CharField` (which is `varchar`).

## Fix safety
Converting drops the trailing padding from stored values (the cast trims it), so comparisons
with padded literals in application code may change. PostgreSQL rewrites the table under an
ACCESS EXCLUSIVE lock; MySQL copies the table. SQLite needs no change of data: only the
declaration is misleading, and changing it means rebuilding the table. Marked unsafe.

## References
- https://wiki.postgresql.org/wiki/Don%27t_Do_This#Don.27t_use_char.28n.29
- https://www.postgresql.org/docs/current/datatype-character.html
- https://dev.mysql.com/doc/refman/8.0/en/char.html
- https://www.sqlite.org/datatype3.html
"""

from __future__ import annotations

from collections.abc import Iterator

from dbexpert.model import Applicability, Category, Column, Engine, Finding, Table, TypeKind
from dbexpert.rules.context import RuleContext
from dbexpert.rules.registry import Rule, Target
from dbexpert.rules.schema._types import uuid_as_text

_BEHAVIOUR = {
    Engine.POSTGRES: "pads values with spaces and compares them inconsistently",
    Engine.MYSQL: "strips trailing spaces on read",
    Engine.SQLITE: "ignores the declared length",
}


def check(table: Table, ctx: RuleContext) -> Iterator[Finding]:
    for column in table.columns:
        if column.kind is not TypeKind.CHAR or column.length is None:
            continue  # SQLite's bare CHAR has no length to mislead with
        if column.length <= ctx.option("max_code_length") or uuid_as_text(column):
            continue  # a short code, or a UUID that uuid-stored-as-text reports
        yield ctx.finding(
            f"Column {table.qualified_name}.{column.name} is {column.raw_type}; "
            f"{ctx.engine} {_BEHAVIOUR[ctx.engine]}.",
            table=table,
            column=column,
            fix="Use a variable-length type.",
            sql=_fix_sql(ctx, table, column),
            applicability=Applicability.UNSAFE,
            evidence={"type": column.raw_type, "length": column.length, "behaviour": _BEHAVIOUR[ctx.engine]},
        )


def _fix_sql(ctx: RuleContext, table: Table, column: Column) -> str:
    name, col = ctx.table_name(table), ctx.ident(column.name)
    if ctx.engine is Engine.POSTGRES:
        return f"ALTER TABLE {name} ALTER COLUMN {col} TYPE text;"
    if ctx.engine is Engine.MYSQL:
        null = "NULL" if column.nullable else "NOT NULL"
        return f"ALTER TABLE {name} MODIFY {col} VARCHAR({column.length}) {null};"
    return f"-- SQLite stores {name}.{col} as TEXT already; declare it TEXT when the table is next rebuilt."


RULE = Rule(
    name="fixed-width-char",
    category=Category.STYLE,
    target=Target.TABLE,
    check=check,
    doc=__doc__,
    options={"max_code_length": 3},
    example_engine=Engine.POSTGRES,
)
