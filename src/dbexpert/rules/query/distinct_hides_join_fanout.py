"""
## What it does
Finds `SELECT DISTINCT` over an inner join whose selected columns all come from one table while
the other table is only used to filter, and rewrites the join as `WHERE EXISTS (…)`.

## Why is this bad?
The join multiplies each row by its number of matches (a customer with 300 orders appears 300
times), then `DISTINCT` sorts or hashes them all to throw the copies away. A semi-join
(`EXISTS`) stops at the first match and needs no de-duplication. `DISTINCT` here is usually a
patch over a fan-out the author did not want. A join on the filter table's unique key (`JOIN
customers c ON c.id = o.customer_id`; without a schema, an `id` column) creates no copies and is
not reported.

## Example
```sql
CREATE TABLE customers (id bigint PRIMARY KEY, email text NOT NULL);
CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL, status text NOT NULL);
SELECT DISTINCT c.id, c.email FROM customers c JOIN orders o ON o.customer_id = c.id WHERE o.status = 'open';
```

## Use instead
```sql
CREATE TABLE customers (id bigint PRIMARY KEY, email text NOT NULL);
CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL, status text NOT NULL);
SELECT c.id, c.email FROM customers c
WHERE EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id AND o.status = 'open');
```

## Fix safety
The rewrite drops `DISTINCT`. With `--schema`, when the selected columns include the kept table's
primary key (or a unique key of NOT NULL columns), its rows are already distinct and the rewrite
returns the same rows: safe. Otherwise it is unsafe: `DISTINCT` also merged rows of the kept
table that are genuine duplicates (two customers with the same name); keep `DISTINCT` in the
rewrite if that is wanted.

## References
- https://use-the-index-luke.com/sql/join
- https://www.postgresql.org/docs/current/functions-subquery.html#FUNCTIONS-SUBQUERY-EXISTS
- https://dev.mysql.com/doc/refman/8.0/en/semijoins.html
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from dbexpert.model import Applicability, Category, Finding
from dbexpert.rules.context import RuleContext
from dbexpert.rules.query._query import covered_key, location, schema_source, table
from dbexpert.rules.registry import Rule, Target

if TYPE_CHECKING:  # sqlglot loads only when queries are checked, not with every rule
    from dbexpert.sql.query.tree import Query


def check(query: Query, ctx: RuleContext) -> Iterator[Finding]:
    from dbexpert.sql.query.joins import distinct_over_filtering_joins

    for match in distinct_over_filtering_joins(query):
        kept, other = match.facts["kept"], match.facts["filter"]
        if _joins_by_key(ctx, other, match.facts["joined_on"]):
            continue  # one match per row: the join creates no copies, DISTINCT removes real duplicates
        key = covered_key(ctx, kept, {ref.column.lower() for ref in match.columns})
        if key:
            safety = f"the selected columns include the unique key ({', '.join(key)}) of {kept}, so the rows are the same."
        else:
            safety = f"DISTINCT also merged genuine duplicates among {kept}'s selected columns; keep it if they matter."
        yield ctx.finding(
            f"DISTINCT removes the copies the join with {other} creates: {other} only filters, use EXISTS.",
            location=location(query, match),
            fix=f"Replace the join with WHERE EXISTS (SELECT 1 FROM {other} …) and drop DISTINCT; {safety}",
            sql=match.rewrite,
            applicability=(
                Applicability.MANUAL
                if not match.rewrite
                else Applicability.SAFE
                if key
                else Applicability.UNSAFE
            ),
            evidence={
                "kept_table": kept,
                "filter_table": other,
                "unique_key_selected": list(key) if key else None,
                "keys_from": schema_source(ctx),
            },
        )


def _joins_by_key(ctx: RuleContext, name: str, columns: frozenset[str]) -> bool:
    if table(ctx, name) is None:
        return "id" in columns  # without a schema, an `id` column is taken as the key
    return covered_key(ctx, name, set(columns)) is not None


RULE = Rule(
    name="distinct-hides-join-fanout",
    category=Category.PERFORMANCE,
    target=Target.QUERY,
    check=check,
    doc=__doc__,
)
