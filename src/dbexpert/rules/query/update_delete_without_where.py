"""
## What it does
Finds `UPDATE` and `DELETE` statements without a `WHERE` clause.

## Why is this bad?
They change every row of the table. In application code that is almost always a condition lost in
string building or a forgotten filter, and on a large table it also holds row locks on every row
and writes the whole table to WAL/binlog in one transaction.

## Example
```sql
DELETE FROM sessions;
```

## Use instead
```sql
DELETE FROM sessions WHERE expires_at < now();
```

## Fix safety
Only a person can say which rows were meant. To really empty a table, `TRUNCATE` says so (and is
faster); to change every row of a large table, batch it by key ranges.

## References
- https://www.postgresql.org/docs/current/sql-delete.html
- https://dev.mysql.com/doc/refman/8.0/en/mysql-tips.html#safe-updates
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from dbexpert.model import Category, Finding
from dbexpert.rules.context import RuleContext
from dbexpert.rules.query._query import location
from dbexpert.rules.registry import Rule, Target

if TYPE_CHECKING:  # sqlglot loads only when queries are checked, not with every rule
    from dbexpert.sql.query.tree import Query


def check(query: Query, ctx: RuleContext) -> Iterator[Finding]:
    from dbexpert.sql.query.shape import missing_where

    for match in missing_where(query):
        statement, name = match.facts["statement"], match.facts["table"] or "the table"
        yield ctx.finding(
            f"{statement} without WHERE changes every row of {name}.",
            location=location(query, match),
            fix=(
                f"Add the WHERE clause that selects the rows meant; use TRUNCATE {name} to empty it on purpose, "
                "or batch by key ranges to change a large table."
            ),
            evidence={"statement": statement, "table": match.facts["table"]},
        )


RULE = Rule(
    name="update-or-delete-without-where",
    category=Category.CORRECTNESS,
    target=Target.QUERY,
    check=check,
    doc=__doc__,
)
