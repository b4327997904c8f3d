"""
## What it does
Finds `x NOT IN (SELECT y ...)` and `x NOT IN (…, NULL, …)`. With a schema it tells whether `y`
can be NULL; without one it assumes it can.

## Why is this bad?
If the subquery returns a single NULL, `x NOT IN (...)` is never true and the query returns no
rows at all: a correctness bug that appears the day someone inserts a NULL. Even when `y` is
`NOT NULL`, PostgreSQL cannot plan `NOT IN (subquery)` as an anti-join: it runs a hashed subplan
that falls back to a plain subplan, rescanned for every outer row, once the subquery outgrows
`work_mem`. `NOT EXISTS` has neither problem.

## Example
```sql
CREATE TABLE users (id bigint PRIMARY KEY);
CREATE TABLE bans (user_id bigint);
SELECT id FROM users WHERE id NOT IN (SELECT user_id FROM bans);
```

## Use instead
```sql
CREATE TABLE users (id bigint PRIMARY KEY);
CREATE TABLE bans (user_id bigint);
SELECT id FROM users u WHERE NOT EXISTS (SELECT 1 FROM bans b WHERE b.user_id = u.id);
```

## Fix safety
The `NOT EXISTS` rewrite returns the same rows whenever neither side holds NULL; it is marked
safe only when the schema says both columns are `NOT NULL`. Otherwise it is unsafe in the way that
fixes the bug: where a NULL made `NOT IN` return nothing, `NOT EXISTS` returns the unmatched rows.

## References
- https://wiki.postgresql.org/wiki/Don%27t_Do_This#Don.27t_use_NOT_IN
- https://www.postgresql.org/docs/current/functions-subquery.html#FUNCTIONS-SUBQUERY-NOTIN
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from dbexpert.model import Applicability, Category, Finding, Severity
from dbexpert.rules.context import RuleContext
from dbexpert.rules.query._query import location, nullable, schema_source
from dbexpert.rules.registry import Rule, Target
from dbexpert.sql.query.match import ColumnRef

if TYPE_CHECKING:  # sqlglot loads only when queries are checked, not with every rule
    from dbexpert.sql.query.tree import Query


def check(query: Query, ctx: RuleContext) -> Iterator[Finding]:
    from dbexpert.sql.query.predicates import not_in_lists_with_null, not_in_subqueries

    for match in not_in_subqueries(query):
        inner = nullable(ctx, match.columns[0]) if match.columns else None
        outer_name = match.facts["outer_column"]
        outer = nullable(ctx, _ref(outer_name)) if outer_name else None
        safe = inner is False and outer is False
        if inner is False:
            message = (
                f"`{match.snippet}` cannot become an anti-join: PostgreSQL rescans or hashes the subquery; "
                "NOT EXISTS plans better."
            )
            severity = Severity.WARNING
        else:
            maybe = "can" if inner else "may"
            message = (
                f"`{match.snippet}` returns no rows at all once the subquery yields a NULL "
                f"({match.columns[0] if match.columns else 'its column'} {maybe} be NULL): use NOT EXISTS."
            )
            severity = Severity.ERROR
        yield ctx.finding(
            message,
            location=location(query, match),
            fix=(
                "Rewrite as NOT EXISTS; "
                + (
                    "both columns are NOT NULL, so the rows are the same."
                    if safe
                    else "where a NULL made NOT IN return nothing, NOT EXISTS returns the unmatched rows."
                )
            ),
            sql=match.rewrite,
            applicability=Applicability.SAFE if safe else Applicability.UNSAFE,
            severity=severity,
            evidence={
                "subquery_column": str(match.columns[0]) if match.columns else None,
                "subquery_column_nullable": inner,
                "outer_nullable": outer,
                "nullability_from": schema_source(ctx),
            },
        )
    for match in not_in_lists_with_null(query):
        yield ctx.finding(
            f"`{match.snippet}` is never true: the NULL in the list makes NOT IN unknown for every row.",
            location=location(query, match),
            fix="Remove NULL from the list (test `x IS NULL` separately if that was the intent).",
            severity=Severity.ERROR,
            evidence={"values": match.facts["values"]},
        )


def _ref(name: str) -> ColumnRef:
    table, _, column = name.rpartition(".")
    return ColumnRef(table or None, column)


RULE = Rule(
    name="not-in-subquery",
    category=Category.CORRECTNESS,
    target=Target.QUERY,
    check=check,
    doc=__doc__,
)
