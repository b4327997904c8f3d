"""
## What it does
Finds tables joined with a comma (`FROM a, b`) that no condition relates to the other tables:
nothing in the WHERE (nor an ON) mentions columns of both. An explicit `CROSS JOIN` says the
product is intended and is not reported, nor are comma joins to derived tables, functions or
CTEs (usually one row of parameters).

## Why is this bad?
Without a condition, every row of one table is paired with every row of the other: 10,000
customers and 50,000 orders make 500 million rows. It is nearly always a forgotten join condition,
and the results are wrong as well as slow (sums multiplied, rows repeated).

## Example
```sql
CREATE TABLE customers (id bigint PRIMARY KEY, region text);
CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL, total numeric NOT NULL);
SELECT c.id, o.total FROM customers c, orders o WHERE c.region = 'eu' AND o.total > 100;
```

## Use instead
```sql
CREATE TABLE customers (id bigint PRIMARY KEY, region text);
CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL, total numeric NOT NULL);
SELECT c.id, o.total FROM customers c JOIN orders o ON o.customer_id = c.id
WHERE c.region = 'eu' AND o.total > 100;
```

## Fix safety
Manual: only the author knows the missing join condition. If the product is intended, write
`CROSS JOIN` to say so.

## References
- https://www.postgresql.org/docs/current/queries-table-expressions.html#QUERIES-JOIN
- https://dev.mysql.com/doc/refman/8.0/en/join.html
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from dbexpert.model import Category, Finding, Severity
from dbexpert.rules.context import RuleContext
from dbexpert.rules.query._query import location
from dbexpert.rules.registry import Rule, Target

if TYPE_CHECKING:  # sqlglot loads only when queries are checked, not with every rule
    from dbexpert.sql.query.tree import Query


def check(query: Query, ctx: RuleContext) -> Iterator[Finding]:
    from dbexpert.sql.query.joins import implicit_cross_joins

    for match in implicit_cross_joins(query):
        others = ", ".join(match.facts["unrelated"])
        yield ctx.finding(
            f"`{match.snippet}` is joined by a comma with no condition relating it to {others}: a Cartesian product.",
            location=location(query, match),
            fix=f"Add the join condition (JOIN {match.facts['table']} ON …), or write CROSS JOIN if every pairing is intended.",
            severity=Severity.ERROR,
            evidence={
                "table": match.facts["table"],
                "unrelated_to": list(match.facts["unrelated"]),
                "conditions_relating_them": 0,
            },
        )


RULE = Rule(
    name="implicit-cross-join",
    category=Category.CORRECTNESS,
    target=Target.QUERY,
    check=check,
    doc=__doc__,
)
