"""
## What it does
Finds `x IN (SELECT …)` where the engine cannot run it as a semi-join. That is when the subquery
is correlated, it says `DISTINCT`, the `IN` sits under an `OR`, or the server is MySQL before 5.6
(MariaDB before 5.3), which had no semi-join at all. A plain uncorrelated `IN (SELECT …)` is not reported:
PostgreSQL, MySQL 5.6+ and MariaDB 5.3+ plan it as a semi-join, just like `EXISTS`.

## Why is this bad?
Without a semi-join the subquery is evaluated as a filter for each outer row: MySQL 5.5 turned
`IN (SELECT …)` into a correlated `EXISTS` and ran it per row, and every engine does the same
when the `IN` is under an `OR` (the condition can no longer become a join). A correlated `IN`
already repeats the subquery per row while hiding its correlation; a `DISTINCT` inside `IN`
asks for a sort or hash the semi-join never needs.

## Example
```sql
CREATE TABLE customers (id bigint PRIMARY KEY, region text);
CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL, total numeric NOT NULL);
SELECT id FROM customers WHERE region = 'eu' OR id IN (SELECT customer_id FROM orders WHERE total > 1000);
```

## Use instead
```sql
CREATE TABLE customers (id bigint PRIMARY KEY, region text);
CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL, total numeric NOT NULL);
SELECT c.id FROM customers c
WHERE c.region = 'eu' OR EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id AND o.total > 1000);
```

## Fix safety
Where the `IN` only filters rows (it sits in a WHERE under AND/OR, not under NOT and not in the
select list), `EXISTS (SELECT 1 … WHERE y = x)` keeps exactly the same rows: both are true when a
matching row exists, and where `IN` is unknown because of a NULL, `EXISTS` is false — the WHERE
drops the row either way. That rewrite is marked safe; elsewhere the fix is manual.

## References
- https://dev.mysql.com/doc/refman/8.0/en/semijoins.html
- https://mariadb.com/kb/en/semi-join-subquery-optimizations/
- https://www.postgresql.org/docs/current/functions-subquery.html#FUNCTIONS-SUBQUERY-IN
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from dbexpert.model import Applicability, Category, Engine, Finding, Version
from dbexpert.rules.context import RuleContext
from dbexpert.rules.query._query import location
from dbexpert.rules.registry import Rule, Target

if TYPE_CHECKING:  # sqlglot loads only when queries are checked, not with every rule
    from dbexpert.sql.query.tree import Query

# The first versions with semi-join optimisation of IN (subquery).
MYSQL_SEMIJOIN = Version(5, 6)
MARIADB_SEMIJOIN = Version(5, 3)


def check(query: Query, ctx: RuleContext) -> Iterator[Finding]:
    from dbexpert.sql.query.structure import in_subqueries

    old = _no_semijoin(ctx)
    for match in in_subqueries(query):
        reasons = [
            reason
            for reason, present in (
                (f"{ctx.version} has no semi-join for IN (subquery)", old),
                ("the subquery is correlated, so it runs per outer row", match.facts["correlated"]),
                ("DISTINCT inside IN is never needed and costs a sort or hash", match.facts["distinct"]),
                ("under an OR, IN cannot become a semi-join and is tested per row", match.facts["under_or"]),
            )
            if present
        ]
        if not reasons:
            continue
        yield ctx.finding(
            f"`{match.snippet}`: {reasons[0]}; use EXISTS.",
            location=location(query, match),
            fix=(
                "Rewrite as EXISTS (SELECT 1 … WHERE inner = outer); in a WHERE filter it keeps the same rows."
                if match.rewrite
                else "Rewrite as EXISTS or a join (the IN is not a plain filter here, so check NULL handling)."
            ),
            sql=match.rewrite,
            applicability=Applicability.SAFE if match.rewrite else Applicability.MANUAL,
            evidence={"reasons": reasons, "server_version": str(ctx.version) if ctx.version else None},
        )


def _no_semijoin(ctx: RuleContext) -> bool:
    if ctx.engine is not Engine.MYSQL or ctx.version is None:
        return False
    return ctx.version < (MARIADB_SEMIJOIN if ctx.mariadb else MYSQL_SEMIJOIN)


RULE = Rule(
    name="in-subquery",
    category=Category.PERFORMANCE,
    target=Target.QUERY,
    check=check,
    doc=__doc__,
)
