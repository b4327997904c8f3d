"""
## What it does
Finds a selected column of a GROUP BY query that is neither grouped nor aggregated, on MySQL and
SQLite, which accept such queries. A column functionally dependent on a grouped primary key
(known with `--schema`; without one, a grouped `id` column of the same table) is fine.

## Why is this bad?
Each group has many values for that column and the engine returns one of them, chosen by no rule
("the server is free to choose any value from each group", says the MySQL manual); SQLite does
the same with "bare columns". The result changes with the plan. Since MySQL 5.7 the default
`ONLY_FULL_GROUP_BY` mode rejects the query, so it also breaks when moving to a modern server or
to PostgreSQL.

## Example
```sql
CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL, status text NOT NULL, total numeric NOT NULL);
SELECT customer_id, status, sum(total) FROM orders GROUP BY customer_id;
```

## Use instead
```sql
CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL, status text NOT NULL, total numeric NOT NULL);
SELECT customer_id, status, sum(total) FROM orders GROUP BY customer_id, status;
```

## Fix safety
Unsafe: adding the column to GROUP BY splits groups (one row per value instead of one per key);
wrapping it in `ANY_VALUE()` (MySQL 5.7+) or `MIN()` keeps one row per group but says which value
you get. Choose by what the caller needs. A column pinned to one value by the WHERE clause
(`status = 'paid'`) is not reported.

## References
- https://dev.mysql.com/doc/refman/8.0/en/group-by-handling.html
- https://www.sqlite.org/lang_select.html#bareagg
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from dbexpert.model import Applicability, Category, Engine, Finding
from dbexpert.rules.context import RuleContext
from dbexpert.rules.query._query import covered_key, location, schema_source, table
from dbexpert.rules.registry import Rule, Target

if TYPE_CHECKING:  # sqlglot loads only when queries are checked, not with every rule
    from dbexpert.sql.query.tree import Query


def check(query: Query, ctx: RuleContext) -> Iterator[Finding]:
    from dbexpert.sql.query.grouping import add_to_group_by, ungrouped_columns

    for match in ungrouped_columns(query):
        ref = match.columns[0]
        grouped = {g.column.lower() for g in match.facts["grouped"] if g.table in (None, ref.table)}
        key = covered_key(ctx, ref.table, grouped)
        if key or (table(ctx, ref.table) is None and "id" in grouped):
            continue  # functionally dependent on the grouped key: one value per group
        wrap = "ANY_VALUE" if query.engine is Engine.MYSQL else "MIN"
        yield ctx.finding(
            f"`{match.snippet}` is neither grouped nor aggregated: the engine returns an arbitrary row's value.",
            location=location(query, match),
            fix=f"Add {match.snippet} to GROUP BY (below; it splits the groups), or select {wrap}({match.snippet}).",
            sql=add_to_group_by(query, match),
            applicability=Applicability.UNSAFE,
            evidence={
                "column": str(ref),
                "grouped_by": [str(g) for g in match.facts["grouped"]],
                "grouped_key_known": schema_source(ctx),
            },
        )


RULE = Rule(
    name="non-aggregated-group-by-column",
    category=Category.CORRECTNESS,
    target=Target.QUERY,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.MYSQL, Engine.SQLITE}),
)
