"""
## What it does
Finds `INSERT INTO t VALUES (…)` and `INSERT INTO t SELECT …` without a column list. With
`--schema`, the fix names the table's columns.

## Why is this bad?
The values are matched to the columns by position, in the table's current order. When a column
is added, the insert fails ("INSERT has more target columns than expressions" the other way
round, or a column count mismatch on MySQL); when two columns of the same type are swapped in a
rebuilt table, it silently writes values into the wrong columns.

## Example
```sql
CREATE TABLE coupons (code text PRIMARY KEY, discount numeric(5, 2) NOT NULL);
INSERT INTO coupons VALUES ('SPRING', 10);
```

## Use instead
```sql
CREATE TABLE coupons (code text PRIMARY KEY, discount numeric(5, 2) NOT NULL);
INSERT INTO coupons (code, discount) VALUES ('SPRING', 10);
```

## Fix safety
With a schema, when each row gives exactly as many values as the table has columns, the rewrite
lists the columns in table order: it writes exactly what the statement writes today, so it is
safe. Otherwise (no schema, a different count, `SELECT *`) the fix is manual.

## References
- https://www.postgresql.org/docs/current/sql-insert.html
- https://dev.mysql.com/doc/refman/8.0/en/insert.html
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from dbexpert.model import Applicability, Category, Finding
from dbexpert.rules.context import RuleContext
from dbexpert.rules.query._query import location, table
from dbexpert.rules.registry import Rule, Target

if TYPE_CHECKING:  # sqlglot loads only when queries are checked, not with every rule
    from dbexpert.sql.query.tree import Query


def check(query: Query, ctx: RuleContext) -> Iterator[Finding]:
    from dbexpert.sql.query.grouping import inserts_without_columns, with_column_list

    for match in inserts_without_columns(query):
        found = table(ctx, match.facts["table"])
        values = match.facts["values"]
        columns = found.column_names if found is not None else ()
        fits = bool(columns) and values == len(columns)
        yield ctx.finding(
            f"INSERT INTO {match.facts['table']} has no column list: values go to columns by position.",
            location=location(query, match),
            fix=(
                "Name the columns (below: the table's columns in order, which receive the values today)."
                if fits
                else "Name the target columns after the table name (give --schema to have them listed)."
            ),
            sql=with_column_list(query, match, columns) if fits else None,
            applicability=Applicability.SAFE if fits else Applicability.MANUAL,
            evidence={"values_per_row": values, "table_columns": len(columns) if found is not None else None},
        )


RULE = Rule(
    name="insert-without-column-list",
    category=Category.DESIGN,
    target=Target.QUERY,
    check=check,
    doc=__doc__,
)
