"""
## What it does
Finds floating-point columns whose name says they hold money.

It looks at `real`, `double precision`, `FLOAT`, `DOUBLE` and SQLite `REAL` columns with a name part such as `price`, `amount`, `cost`, `balance`,
`total`, `tax` or `fee` (parts are split on `_` and camelCase, so `unitPrice` matches and
`totally` does not). Names that also say `rate`, `ratio`, `percent`, `count` or `weight` are
left alone: `tax_rate` is not an amount.

## Why is this bad?
Binary floating point cannot represent most decimal fractions: `0.1 + 0.2` is
`0.30000000000000004`, sums drift, equality checks fail and rounding differs between the
database and the application. Money needs exact decimal arithmetic: `numeric(p, s)` /
`DECIMAL(p, s)`, or an integer count of the smallest unit (cents) where no decimal type exists.

## Example
```sql
CREATE TABLE line_items (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    unit_price double precision NOT NULL
);
```

## Use instead
```sql
CREATE TABLE line_items (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    unit_price numeric(19, 4) NOT NULL
);
```
Prisma `Decimal @db.Decimal(19, 4)`, TypeORM `@Column("decimal", { precision: 19, scale: 4 })`,
Drizzle `numeric("unit_price", { precision: 19, scale: 4 })`, SQLAlchemy `Numeric(19, 4)`
(with `asdecimal=True`, the default), Django `DecimalField(max_digits=19, decimal_places=4)`.
On SQLite, whose `NUMERIC` is stored as a float when it has a fraction, store integer cents.

## Fix safety
The values already stored are inexact; the cast rounds them to the chosen scale (options
`precision`, `scale`), which changes some of them. PostgreSQL rewrites the table under an ACCESS
EXCLUSIVE lock and MySQL copies it. SQLite cannot change a column type: the fix adds a cents
column, and the old one is dropped after readers move. Marked unsafe.

## References
- https://www.postgresql.org/docs/current/datatype-numeric.html
- https://dev.mysql.com/doc/refman/8.0/en/problems-with-float.html
- https://www.sqlite.org/floatingpoint.html
"""

from __future__ import annotations

from collections.abc import Iterator

from dbexpert.model import Applicability, Category, Column, Engine, Finding, Table, TypeKind
from dbexpert.rules.context import RuleContext
from dbexpert.rules.registry import Rule, Target
from dbexpert.rules.schema._names import words
from dbexpert.rules.schema._orm import column_type
from dbexpert.rules.schema._types import backfill_sql

_MONEY_WORDS = frozenset(
    """price prices amount amounts cost costs balance balances total totals subtotal tax taxes fee fees
    salary salaries wage wages discount revenue payment payout refund charge income expense budget
    credit debit fare tip deposit invoice spend spent paid""".split()
)
_NOT_AN_AMOUNT = frozenset("rate rates ratio percent percentage pct count qty quantity weight score".split())


def check(table: Table, ctx: RuleContext) -> Iterator[Finding]:
    for column in table.columns:
        parts = set(words(column.name))
        if column.kind is not TypeKind.FLOAT or not parts & _MONEY_WORDS or parts & _NOT_AN_AMOUNT:
            continue
        yield ctx.finding(
            f"Column {table.qualified_name}.{column.name} holds money in a floating-point {column.raw_type}.",
            table=table,
            column=column,
            fix=ctx.orm_fix(
                "Store money as an exact decimal (integer cents on SQLite).", **_orm_fix(ctx, table, column)
            ),
            sql=_fix_sql(ctx, table, column),
            applicability=Applicability.UNSAFE,
            evidence={"type": column.raw_type, "money_words": sorted(parts & _MONEY_WORDS)},
        )


def _orm_fix(ctx: RuleContext, table: Table, column: Column) -> dict[str, str]:
    if ctx.engine is Engine.SQLITE:
        return {}  # integer cents: a new field and a data migration, not a type change
    p, s = int(ctx.option("precision")), int(ctx.option("scale"))
    sql_type = "numeric" if ctx.engine is Engine.POSTGRES else "decimal"
    return column_type(
        ctx,
        table,
        column,
        prisma=f"Decimal @db.Decimal({p}, {s})",
        typeorm=f'@Column("{sql_type}", {{ precision: {p}, scale: {s} }}) (read back as a string)',
        drizzle=f'{sql_type}("{column.name}", {{ precision: {p}, scale: {s} }})',
        sqlalchemy=f"mapped_column(Numeric({p}, {s}))",
        django=f"models.DecimalField(max_digits={p}, decimal_places={s})",
    )


def _fix_sql(ctx: RuleContext, table: Table, column: Column) -> str:
    name, col = ctx.table_name(table), ctx.ident(column.name)
    precision, scale = int(ctx.option("precision")), int(ctx.option("scale"))
    if ctx.engine is Engine.POSTGRES:
        target = f"numeric({precision}, {scale})"
        return f"ALTER TABLE {name} ALTER COLUMN {col} TYPE {target} USING round({col}::numeric, {scale});"
    if ctx.engine is Engine.MYSQL:
        null = "NULL" if column.nullable else "NOT NULL"
        return f"ALTER TABLE {name} MODIFY {col} DECIMAL({precision}, {scale}) {null};"
    cents = ctx.ident(f"{column.name}_cents")
    value = f"CAST(round({col} * 100) AS INTEGER)"
    return backfill_sql(name, cents, "INTEGER", value, f"ALTER TABLE {name} DROP COLUMN {col};")


RULE = Rule(
    name="float-for-money",
    category=Category.CORRECTNESS,
    target=Target.TABLE,
    check=check,
    doc=__doc__,
    options={"precision": 19, "scale": 4},
    example_engine=Engine.POSTGRES,
)
