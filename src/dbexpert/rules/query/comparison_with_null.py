"""
## What it does
Finds comparisons with `NULL` using `=`, `<>` or `!=` (`WHERE deleted_at = NULL`).

## Why is this bad?
In SQL, `NULL` means "unknown": `x = NULL` is never true, not even when `x` is NULL, so the
condition silently matches no rows (and `x <> NULL` none either). The query runs without an error
and returns nothing, which is easy to miss in tests with empty tables.

## Example
```sql
SELECT id FROM users WHERE deleted_at = NULL;
```

## Use instead
```sql
SELECT id FROM users WHERE deleted_at IS NULL;
```

## Fix safety
The rewrite uses `IS NULL` / `IS NOT NULL`, which is what the comparison means to say; it changes the
result from "no rows" to the rows intended, so it is marked unsafe: check the callers expected them.

## References
- https://www.postgresql.org/docs/current/functions-comparison.html
- https://dev.mysql.com/doc/refman/8.0/en/working-with-null.html
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
    from dbexpert.sql.query.predicates import null_comparisons

    for match in null_comparisons(query):
        test = "IS NOT NULL" if match.facts["negated"] else "IS NULL"
        yield ctx.finding(
            f"`{match.snippet}` is never true (a comparison with NULL is unknown): use {test}.",
            location=location(query, match),
            fix=f"Compare with {test}; the query then returns the rows it was meant to (today: none).",
            sql=match.rewrite,
            applicability=Applicability.UNSAFE,
            evidence={"condition": match.snippet, "always": "unknown (never true)"},
        )


RULE = Rule(
    name="comparison-with-null",
    category=Category.CORRECTNESS,
    target=Target.QUERY,
    check=check,
    doc=__doc__,
)
