"""
## What it does
Finds `SELECT *` (and `SELECT t.*`) in the result of application queries. With a schema
(`--schema`), the fix lists the columns explicitly.

## Why is this bad?
`*` reads and sends every column, including wide text and JSON the caller never uses, and rules out
index-only scans. The result's shape changes whenever someone adds, drops or reorders a column, so
code that reads columns by position breaks, and a new large column silently slows every caller.
`*` inside `EXISTS (...)` is fine and not reported.

## Example
```sql
CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, bio text);
SELECT * FROM users WHERE id = 42;
```

## Use instead
```sql
CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, bio text);
SELECT id, email FROM users WHERE id = 42;
```

## Fix safety
With a schema, the rewrite lists the columns `*` stands for today: it returns exactly the same
columns, in the same order, so it is safe; then drop the ones the caller does not use. Without a
schema the columns cannot be named and the fix is manual.

## References
- https://use-the-index-luke.com/sql/clustering/index-only-scan-covering-index
- https://wiki.postgresql.org/wiki/Don%27t_Do_This
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from dbexpert.model import Applicability, Category, Finding
from dbexpert.rules.context import RuleContext
from dbexpert.rules.query._query import location, table
from dbexpert.rules.registry import Rule, Target

if TYPE_CHECKING:  # sqlglot loads only when queries are checked, not with every rule
    from dbexpert.sql.query.tree import Query


def check(query: Query, ctx: RuleContext) -> Iterator[Finding]:
    from dbexpert.sql.query.shape import expand_star, select_stars

    for match in select_stars(query):
        tables = match.facts["tables"]
        known = {name: found.column_names for name in tables if (found := table(ctx, name)) is not None}
        rewrite = expand_star(query, match, known) if len(known) == len(tables) else None
        source = ", ".join(tables) or "the query"
        yield ctx.finding(
            f"`{match.snippet}` reads every column of {source}: name the columns the caller uses.",
            location=location(query, match),
            fix=(
                "List the columns explicitly (below: every column `*` stands for today), then drop the unused ones."
                if rewrite
                else "List the columns the caller uses instead of `*` (give --schema to have them listed)."
            ),
            sql=rewrite,
            applicability=Applicability.SAFE if rewrite else Applicability.MANUAL,
            evidence={"tables": list(tables), "columns_known": bool(rewrite)},
        )


RULE = Rule(
    name="select-star",
    category=Category.PERFORMANCE,
    target=Target.QUERY,
    check=check,
    doc=__doc__,
)
