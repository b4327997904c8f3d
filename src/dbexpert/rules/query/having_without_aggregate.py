"""
## What it does
Finds HAVING conditions (or AND-parts of them) that use no aggregate and only GROUP BY columns,
and moves them to WHERE.

## Why is this bad?
HAVING filters groups after every row has been read and grouped; a condition on a grouped column
alone can filter rows before grouping, where it can use an index and shrinks the input to the
aggregation. `HAVING region = 'eu'` groups every region and then discards all but one.

## Example
```sql
CREATE TABLE orders (id bigint PRIMARY KEY, status text NOT NULL, total numeric NOT NULL);
SELECT status, sum(total) FROM orders GROUP BY status HAVING status <> 'cancelled';
```

## Use instead
```sql
CREATE TABLE orders (id bigint PRIMARY KEY, status text NOT NULL, total numeric NOT NULL);
SELECT status, sum(total) FROM orders WHERE status <> 'cancelled' GROUP BY status;
```

## Fix safety
Safe: a condition on grouped columns has the same value for every row of a group, so dropping
the rows before grouping removes exactly the groups HAVING removed. Not reported for ROLLUP,
CUBE or GROUPING SETS, whose subtotal rows HAVING also filters, nor when the condition names a
select alias (WHERE cannot see it).

## References
- https://www.postgresql.org/docs/current/tutorial-agg.html
- https://dev.mysql.com/doc/refman/8.0/en/select.html
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
    from dbexpert.sql.query.grouping import having_without_aggregates

    for match in having_without_aggregates(query):
        yield ctx.finding(
            f"HAVING `{match.snippet}` uses no aggregate: filter the rows in WHERE, before grouping.",
            location=location(query, match),
            fix="Move the condition to WHERE; it only reads grouped columns, so the same groups remain.",
            sql=match.rewrite,
            applicability=Applicability.SAFE if match.rewrite else Applicability.MANUAL,
            evidence={"conditions_moved": match.facts["moved"]},
        )


RULE = Rule(
    name="having-without-aggregate",
    category=Category.PERFORMANCE,
    target=Target.QUERY,
    check=check,
    doc=__doc__,
)
