"""
## What it does
Finds PostgreSQL columns of type `money`.

## Why is this bad?
`money` has a fixed number of fractional digits taken from the `lc_monetary` setting, and it
reads and prints values through that locale: a dump restored on a server with another
`lc_monetary` misreads the amounts, and a currency with three decimals cannot be stored. It
holds no currency code, and dividing or multiplying it by fractions rounds in surprising ways.
`numeric(p, s)` is exact, locale-independent and says its scale.

## Example
```sql
CREATE TABLE payments (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    amount money NOT NULL
);
```

## Use instead
```sql
CREATE TABLE payments (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    amount numeric(19, 4) NOT NULL,
    currency char(3) NOT NULL
);
```
Prisma `Decimal @db.Decimal(19, 4)`, TypeORM `@Column("numeric", { precision: 19, scale: 4 })`,
Drizzle `numeric("amount", { precision: 19, scale: 4 })`, SQLAlchemy `Numeric(19, 4)`,
Django `DecimalField(max_digits=19, decimal_places=4)`.

## Fix safety
The cast `money::numeric` is exact, but the change rewrites the table under an ACCESS EXCLUSIVE
lock, and clients that parsed the formatted text (`$1,234.50`) now receive `1234.5000`. The
precision and scale are options (`precision`, `scale`); pick the scale of your currencies.
Marked unsafe.

## References
- https://wiki.postgresql.org/wiki/Don%27t_Do_This#Don.27t_use_money
- https://www.postgresql.org/docs/current/datatype-money.html
"""

from __future__ import annotations

from collections.abc import Iterator

from dbexpert.model import Applicability, Category, Engine, Finding, Table, TypeKind
from dbexpert.rules.context import RuleContext
from dbexpert.rules.registry import Rule, Target


def check(table: Table, ctx: RuleContext) -> Iterator[Finding]:
    for column in table.columns:
        if column.kind is not TypeKind.MONEY:
            continue
        col = ctx.ident(column.name)
        target = f"numeric({int(ctx.option('precision'))}, {int(ctx.option('scale'))})"
        yield ctx.finding(
            f"Column {table.qualified_name}.{column.name} is money; use {target}.",
            table=table,
            column=column,
            fix=f"Change the column to {target}.",
            sql=f"ALTER TABLE {ctx.table_name(table)} ALTER COLUMN {col} TYPE {target} USING {col}::numeric;",
            applicability=Applicability.UNSAFE,
            evidence={"type": column.raw_type, "lc_monetary": ctx.catalog.settings.get("lc_monetary")},
        )


RULE = Rule(
    name="money-type",
    category=Category.DESIGN,
    target=Target.TABLE,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.POSTGRES}),
    options={"precision": 19, "scale": 4},
    example_engine=Engine.POSTGRES,
)
