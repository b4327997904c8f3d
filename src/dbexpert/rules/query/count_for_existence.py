"""
## What it does
Finds counts compared with 0 or 1 to test whether a row exists, and rewrites them with `EXISTS`
/ `NOT EXISTS`. The forms are `(SELECT count(*) FROM …) > 0`, `>= 1`, `<> 0`, `= 0`, and
`SELECT count(*) > 0 FROM t WHERE …`.

## Why is this bad?
`count(*)` reads every matching row to count them all, while the question only needs the first
one: `EXISTS` stops at the first match. On a customer with 50,000 orders the count reads 50,000
index entries where `EXISTS` reads one. PostgreSQL can also plan `EXISTS` in a WHERE clause as a
semi-join, which it never does for a compared count.

## Example
```sql
CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL, status text NOT NULL);
SELECT count(*) > 0 AS has_open FROM orders WHERE customer_id = 42 AND status = 'open';
```

## Use instead
```sql
CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL, status text NOT NULL);
SELECT EXISTS (SELECT 1 FROM orders WHERE customer_id = 42 AND status = 'open') AS has_open;
```

## Fix safety
Safe: a count is above zero exactly when at least one row matches, which is what `EXISTS` tests.
`count(x)` only counts rows where `x` is not NULL, so the rewrite adds `x IS NOT NULL` to the
subquery's condition. The result keeps its type (a boolean on PostgreSQL, 0/1 on MySQL and
SQLite).

## References
- https://www.postgresql.org/docs/current/functions-subquery.html#FUNCTIONS-SUBQUERY-EXISTS
- https://dev.mysql.com/doc/refman/8.0/en/exists-and-not-exists-subqueries.html
- https://use-the-index-luke.com/blog/2013-08/its-not-about-the-star-stupid
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from dbexpert.model import Applicability, Category, Finding
from dbexpert.rules.context import RuleContext
from dbexpert.rules.query._query import location
from dbexpert.rules.registry import Rule, Target

if TYPE_CHECKING:  # sqlglot loads only when queries are checked, not with every rule
    from dbexpert.sql.query.tree import Query


def check(query: Query, ctx: RuleContext) -> Iterator[Finding]:
    from dbexpert.sql.query.structure import count_existence_checks

    for match in count_existence_checks(query):
        test = "EXISTS" if match.facts["exists"] else "NOT EXISTS"
        yield ctx.finding(
            f"`{match.snippet}` counts every matching row to learn whether one exists: use {test}.",
            location=location(query, match),
            fix=f"Use {test} (SELECT 1 …), which stops at the first row; a count above zero means the same thing.",
            sql=match.rewrite,
            applicability=Applicability.SAFE if match.rewrite else Applicability.MANUAL,
            evidence={"form": match.facts["form"], "replaced_by": test},
        )


RULE = Rule(
    name="count-for-existence",
    category=Category.PERFORMANCE,
    target=Target.QUERY,
    check=check,
    doc=__doc__,
)
