"""
## What it does
Finds pagination by `OFFSET` with a large constant offset (1,000 rows by default) or an offset passed
as a parameter (one that grows with the page number), and gives the keyset (seek) form. With a
schema it names the unique key the keyset needs, or says why the ORDER BY is not one.

## Why is this bad?
The database cannot jump to row N: it produces and throws away all the rows before it, so page 1,000
costs a thousand pages of work, and pages shift when rows are inserted or deleted between requests
(rows are skipped or shown twice). Keyset pagination remembers the last row's key and continues
from there with an index range scan: every page costs the same.

## Example
```sql
CREATE TABLE posts (id bigint PRIMARY KEY, created_at timestamptz NOT NULL, title text);
SELECT id, title FROM posts ORDER BY id LIMIT 20 OFFSET 10000;
```

## Use instead
```sql
CREATE TABLE posts (id bigint PRIMARY KEY, created_at timestamptz NOT NULL, title text);
SELECT id, title FROM posts WHERE id > 10020 ORDER BY id LIMIT 20;
```

## Fix safety
Manual: the caller must pass the previous page's last key instead of a page number, and "jump to page
N" is no longer possible. The ORDER BY must be unique (append the primary key as a tiebreaker) and
have an index in the same column order and direction, or the keyset query is neither correct nor
fast.

## References
- https://use-the-index-luke.com/no-offset
- https://use-the-index-luke.com/sql/partial-results/fetch-next-page
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from dbexpert.model import Category, Finding
from dbexpert.rules.context import RuleContext
from dbexpert.rules.query._query import location, table
from dbexpert.rules.registry import Rule, Target

if TYPE_CHECKING:  # sqlglot loads only when queries are checked, not with every rule
    from dbexpert.sql.query.tree import Query


def check(query: Query, ctx: RuleContext) -> Iterator[Finding]:
    from dbexpert.sql.query.shape import keyset_rewrite, large_offsets

    for match in large_offsets(query, ctx.option("min_offset")):
        keys = [ref.column for ref in match.columns]
        unique, why = _unique_key(ctx, match.facts["tables"], keys)
        amount = "a parameter" if match.facts["parameter"] else f"{match.facts['offset']:,} rows"
        rewrite = keyset_rewrite(query, match) if keys and unique is not False else None
        if not keys:
            advice = "Order by a unique key (e.g. the primary key) and page with WHERE key > :last_key."
        elif unique:
            advice = f"Page by ({', '.join(keys)}): pass the last row's values and seek past them."
        else:
            advice = f"{why}; then page with WHERE (key) > (:last_key)."
        yield ctx.finding(
            f"OFFSET of {amount} reads and discards every skipped row: use keyset pagination.",
            location=location(query, match),
            fix=advice,
            sql=rewrite,
            evidence={
                "offset": match.facts["offset"],
                "offset_is_parameter": match.facts["parameter"],
                "order_by": keys,
                "order_by_unique": unique,
                "why": why,
            },
        )


def _unique_key(ctx: RuleContext, tables: tuple[str, ...], keys: list[str]) -> tuple[bool | None, str]:
    """Whether the ORDER BY columns are unique (None: unknown without a schema), and why."""
    if not keys:
        return False, "the query has no ORDER BY on plain columns, so pages are not even stable"
    if len(tables) != 1:
        return None, f"check that ({', '.join(keys)}) is unique across the joined rows"
    found = table(ctx, tables[0])
    if found is None:
        return (
            None,
            f"without --schema it is unknown whether ({', '.join(keys)}) is unique; append the primary key",
        )
    for unique in found.unique_column_sets():
        if unique <= set(keys):
            return True, f"({', '.join(sorted(unique))}) is unique in {found.name}"
    primary = list(found.primary_key.columns) if found.primary_key else []
    tie = f"append {', '.join(primary)} to the ORDER BY" if primary else "add a unique key to the ORDER BY"
    return False, f"({', '.join(keys)}) is not unique in {found.name}: {tie}"


RULE = Rule(
    name="offset-pagination",
    category=Category.PERFORMANCE,
    target=Target.QUERY,
    check=check,
    doc=__doc__,
    options={"min_offset": 1000},
)
