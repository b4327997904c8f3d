"""
## What it does
Finds `LIMIT n` (n of 2 or more, or a parameter) on rows that are not ordered. `LIMIT 1` without
ORDER BY is left alone: it is the usual "any matching row" lookup. A LIMIT inside `EXISTS` or
`IN (…)` is not reported either, nor one over an aggregate that returns a single row, nor one
whose WHERE pins a unique key (`id = $1`; without a schema, an `id` column is taken as the key).

## Why is this bad?
Without ORDER BY, SQL returns rows in no defined order: which n rows you get depends on the plan,
on parallel workers, on synchronized scans in PostgreSQL, on updates that moved rows. The same
query returns different rows from one run to the next, and pages overlap or skip rows.

## Example
```sql
CREATE TABLE orders (id bigint PRIMARY KEY, status text NOT NULL);
SELECT id, status FROM orders WHERE status = 'open' LIMIT 50;
```

## Use instead
```sql
CREATE TABLE orders (id bigint PRIMARY KEY, status text NOT NULL);
SELECT id, status FROM orders WHERE status = 'open' ORDER BY id LIMIT 50;
```

## Fix safety
With `--schema` and a single table, the rewrite orders by the primary key. It is marked unsafe:
the original could return any n rows, the rewrite returns one particular set, which may not be
the one the caller wants (newest first, say); choose the order that means something.

## References
- https://www.postgresql.org/docs/current/queries-limit.html
- https://dev.mysql.com/doc/refman/8.0/en/limit-optimization.html
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from dbexpert.model import Applicability, Category, Finding
from dbexpert.rules.context import RuleContext
from dbexpert.rules.query._query import covered_key, location, table
from dbexpert.rules.registry import Rule, Target

if TYPE_CHECKING:  # sqlglot loads only when queries are checked, not with every rule
    from dbexpert.sql.query.tree import Query


def check(query: Query, ctx: RuleContext) -> Iterator[Finding]:
    from dbexpert.sql.query.grouping import limits_without_order, order_by_key

    for match in limits_without_order(query, ctx.option("min_limit")):
        tables = match.facts["tables"]
        found = table(ctx, tables[0]) if len(tables) == 1 and not match.facts["joined"] else None
        if len(tables) == 1 and not match.facts["joined"] and _by_key(ctx, tables[0], match.facts["pinned"]):
            continue  # at most one row: nothing to order
        key = found.primary_key.columns if found is not None and found.primary_key else ()
        rewrite = order_by_key(query, match, key) if key else None
        yield ctx.finding(
            f"`{match.snippet}` without ORDER BY returns whichever rows the plan meets first: they change between runs.",
            location=location(query, match),
            fix=(
                f"Add ORDER BY on a unique key (below: {', '.join(key)}); pick the order the caller means."
                if rewrite
                else "Add an ORDER BY ending in a unique key."
            ),
            sql=rewrite,
            applicability=Applicability.UNSAFE if rewrite else Applicability.MANUAL,
            evidence={"limit": match.facts["limit"], "tables": list(tables)},
        )


def _by_key(ctx: RuleContext, name: str, pinned: frozenset[str]) -> bool:
    if table(ctx, name) is None:
        return "id" in pinned  # without a schema, an `id` column is taken as the key
    return covered_key(ctx, name, set(pinned)) is not None


RULE = Rule(
    name="limit-without-order-by",
    category=Category.CORRECTNESS,
    target=Target.QUERY,
    check=check,
    doc=__doc__,
    options={"min_limit": 2},
)
