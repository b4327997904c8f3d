"""
## What it does
Finds `ORDER BY random()` (PostgreSQL, SQLite), `ORDER BY RAND()` (MySQL) and `NEWID()` used to pick
random rows.

## Why is this bad?
To return a few random rows the database computes a random number for every row that matches, then
sorts them all: the cost grows with the table, not with the rows returned, and no index helps.

## Example
```sql
SELECT id, title FROM products ORDER BY random() LIMIT 5;
```

## Use instead
```sql
SELECT id, title FROM products TABLESAMPLE SYSTEM_ROWS(5);
```

## Fix safety
Manual, because the alternatives trade exactness for speed: PostgreSQL's `TABLESAMPLE SYSTEM (p)`
(or `SYSTEM_ROWS(n)` from the tsm_system_rows extension) samples pages, so rows of one page come
together; picking random keys (`WHERE id >= floor(random() * max_id)` … `LIMIT n`) favours rows
after gaps. For a small table `ORDER BY random()` is fine: suppress the finding there.

## References
- https://www.postgresql.org/docs/current/sql-select.html#SQL-FROM
- https://www.postgresql.org/docs/current/tsm-system-rows.html
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from dbexpert.model import Category, Engine, Finding
from dbexpert.rules.context import RuleContext
from dbexpert.rules.query._query import location
from dbexpert.rules.registry import Rule, Target

if TYPE_CHECKING:  # sqlglot loads only when queries are checked, not with every rule
    from dbexpert.sql.query.tree import Query

_ALTERNATIVE = {
    Engine.POSTGRES: "sample with TABLESAMPLE SYSTEM_ROWS(n) (tsm_system_rows) or pick random keys in an indexed range",
    Engine.MYSQL: "pick random keys: WHERE id >= FLOOR(RAND() * (SELECT MAX(id) FROM t)) ORDER BY id LIMIT n",
    Engine.SQLITE: "pick random rowids: WHERE rowid IN (SELECT abs(random()) % (SELECT max(rowid) FROM t) + 1 ...)",
}


def check(query: Query, ctx: RuleContext) -> Iterator[Finding]:
    from dbexpert.sql.query.shape import random_orders

    for match in random_orders(query):
        tables = ", ".join(match.facts["tables"]) or "the input"
        yield ctx.finding(
            f"`ORDER BY {match.snippet}` numbers and sorts every row of {tables} to keep a few.",
            location=location(query, match),
            fix=f"To pick random rows cheaply, {_ALTERNATIVE[ctx.engine]}.",
            evidence={"tables": list(match.facts["tables"]), "limit": match.facts["limit"]},
        )


RULE = Rule(
    name="order-by-random",
    category=Category.PERFORMANCE,
    target=Target.QUERY,
    check=check,
    doc=__doc__,
)
