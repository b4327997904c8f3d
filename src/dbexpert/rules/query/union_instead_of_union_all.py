"""
## What it does
Finds `UNION` where no duplicate row can occur, so `UNION ALL` returns the same rows. The
branches must be disjoint (each selects a different constant in the same column, or they filter
one table on different values of the same column) and each must yield distinct rows by itself
(it selects a unique key, groups by what it selects, or returns one row).

## Why is this bad?
`UNION` removes duplicates: it sorts or hashes the whole combined result, which costs memory
(spilling to disk on large results) and blocks streaming the first rows. When the branches are
disjoint and each is duplicate-free, that work finds nothing to remove.

## Example
```sql
CREATE TABLE customers (id bigint PRIMARY KEY, email text NOT NULL);
CREATE TABLE suppliers (id bigint PRIMARY KEY, email text NOT NULL);
SELECT 'customer' AS kind, id, email FROM customers
UNION
SELECT 'supplier', id, email FROM suppliers;
```

## Use instead
```sql
CREATE TABLE customers (id bigint PRIMARY KEY, email text NOT NULL);
CREATE TABLE suppliers (id bigint PRIMARY KEY, email text NOT NULL);
SELECT 'customer' AS kind, id, email FROM customers
UNION ALL
SELECT 'supplier', id, email FROM suppliers;
```

## Fix safety
Safe when proven: the branches differ in a constant column or in disjoint equality filters on
the same column of one table, and `--schema` shows each branch selects its table's primary key
(or a unique key of NOT NULL columns), or the branch groups by all it selects, or returns one
row. Without a schema, a selected column named `id` is assumed to be the key and the rewrite is
marked unsafe: check that `id` is unique. A `UNION` that may really merge rows is not reported.

## References
- https://www.postgresql.org/docs/current/queries-union.html
- https://dev.mysql.com/doc/refman/8.0/en/union.html
- https://use-the-index-luke.com/sql/partial-results/fetch-next-page
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
    from dbexpert.sql.query.grouping import union_branches

    for match in union_branches(query):
        proofs: list[str] = []
        assumed = False
        for name, columns, one_per_row in match.facts["branches"]:
            key = covered_key(ctx, name, set(columns)) if name else None
            if one_per_row:
                proofs.append("its rows are distinct by its shape")
            elif key:
                proofs.append(f"selects the key ({', '.join(key)}) of {name}")
            elif name and table(ctx, name) is None and "id" in columns:
                proofs.append(f"selects {name}.id (assumed unique)")
                assumed = True
            else:
                break
        else:
            yield ctx.finding(
                f"UNION sorts the combined rows to remove duplicates that cannot occur ({match.facts['disjoint_by']}): use UNION ALL.",
                location=location(query, match),
                fix=(
                    "Use UNION ALL: the branches are disjoint and each yields distinct rows"
                    + (
                        " (assuming each id column is the table's unique key: check it)."
                        if assumed
                        else ", so the rows are the same."
                    )
                ),
                sql=match.rewrite,
                applicability=Applicability.UNSAFE if assumed else Applicability.SAFE,
                evidence={"disjoint_by": match.facts["disjoint_by"], "branches": proofs},
            )


RULE = Rule(
    name="union-instead-of-union-all",
    category=Category.PERFORMANCE,
    target=Target.QUERY,
    check=check,
    doc=__doc__,
)
