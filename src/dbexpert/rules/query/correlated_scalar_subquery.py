"""
## What it does
Finds a scalar subquery in the select list that reads the outer row. Such as
`(SELECT count(*) FROM orders o WHERE o.customer_id = c.id)`, it is rewritten as a LEFT JOIN to
the subquery grouped by its correlation columns.

## Why is this bad?
The subquery runs once per outer row: a list of 10,000 customers runs 10,000 index lookups (or,
without an index, 10,000 scans of `orders`). MySQL and SQLite always execute it that way, and
PostgreSQL cannot decorrelate a scalar subquery either (it shows as a `SubPlan`). One grouped pass
over `orders` joined by hash or merge does the same work once. Not reported when the outer query
reads one row by its key (`WHERE c.id = $1`; without a schema, an `id` column is taken as the key).

## Example
```sql
CREATE TABLE customers (id bigint PRIMARY KEY, email text NOT NULL);
CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL, total numeric NOT NULL);
SELECT c.id, (SELECT count(*) FROM orders o WHERE o.customer_id = c.id) AS orders FROM customers c;
```

## Use instead
```sql
CREATE TABLE customers (id bigint PRIMARY KEY, email text NOT NULL);
CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL, total numeric NOT NULL);
SELECT c.id, COALESCE(n.orders, 0) AS orders
FROM customers c
LEFT JOIN (SELECT customer_id, count(*) AS orders FROM orders GROUP BY customer_id) n
  ON n.customer_id = c.id;
```

## Fix safety
When the subquery is a single aggregate without GROUP BY, correlated only by equalities, the
rewrite returns the same rows: the derived table has one row per correlation value, so the LEFT
JOIN neither adds nor drops outer rows, and a missing row reads as `NULL` — which `COALESCE(…, 0)`
turns back into the 0 a `count` gives. It is marked safe. A subquery that returns a plain column
may yield several rows — an error in the original ("more than one row returned by a subquery") —
so the fix is manual: aggregate it, or use `LEFT JOIN LATERAL (… LIMIT 1)` on PostgreSQL.

## References
- https://www.postgresql.org/docs/current/sql-expressions.html#SQL-SYNTAX-SCALAR-SUBQUERIES
- https://dev.mysql.com/doc/refman/8.0/en/correlated-subqueries.html
- https://use-the-index-luke.com/sql/join/nested-loops-join-n1-problem
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from dbexpert.model import Applicability, Category, Engine, Finding
from dbexpert.rules.context import RuleContext
from dbexpert.rules.query._query import covered_key, location, table
from dbexpert.rules.registry import Rule, Target

if TYPE_CHECKING:  # sqlglot loads only when queries are checked, not with every rule
    from dbexpert.sql.query.tree import Query


def check(query: Query, ctx: RuleContext) -> Iterator[Finding]:
    from dbexpert.sql.query.structure import correlated_scalar_subqueries

    for match in correlated_scalar_subqueries(query):
        if _one_outer_row(ctx, match.facts["tables"], match.facts["pinned"]):
            continue  # runs once: the outer query reads one row by its key
        if match.rewrite:
            fix = (
                "Join the subquery once, grouped by its correlation columns"
                + (" (COALESCE keeps 0 where there is nothing to count)" if match.facts["count"] else "")
                + "; the rows are the same."
            )
        elif match.facts["aggregate"]:
            fix = "Join the aggregate grouped by its correlation columns (its correlation is not a plain equality, so write it by hand)."
        else:
            lateral = " or LEFT JOIN LATERAL (… LIMIT 1)" if query.engine is Engine.POSTGRES else ""
            fix = (
                "Rewrite as a LEFT JOIN to an aggregated derived table"
                + lateral
                + "; a plain column may return several rows, which is an error in the original, so decide which row you want."
            )
        yield ctx.finding(
            f"`{match.snippet}` runs once per row of the outer query: join it once instead.",
            location=location(query, match),
            fix=fix,
            sql=match.rewrite,
            applicability=Applicability.SAFE if match.rewrite else Applicability.MANUAL,
            evidence={
                "aggregate": match.facts["aggregate"],
                "count": match.facts["count"],
                "executions": "one per outer row (read from the query text)",
            },
        )


def _one_outer_row(ctx: RuleContext, tables: tuple[str, ...], pinned: frozenset[str]) -> bool:
    """The outer query reads a single table by a unique key (an `id` column without a schema)."""
    if len(tables) != 1:
        return False
    if table(ctx, tables[0]) is None:
        return "id" in pinned
    return covered_key(ctx, tables[0], set(pinned)) is not None


RULE = Rule(
    name="correlated-scalar-subquery",
    category=Category.PERFORMANCE,
    target=Target.QUERY,
    check=check,
    doc=__doc__,
)
