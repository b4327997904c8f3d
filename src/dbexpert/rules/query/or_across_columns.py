"""
## What it does
Finds a WHERE condition that is, as a whole, an OR of conditions on different columns
(`WHERE email = $1 OR phone = $2`), and join conditions of the form
`JOIN b ON a.x = b.x OR a.y = b.y`. An OR on one column (`a = 1 OR a = 2`) is not reported.

## Why is this bad?
No single B-tree index serves `a = 1 OR b = 2`: the rows matching `b = 2` are scattered all over an
index on `a`. PostgreSQL can combine one index per column with a BitmapOr, and MySQL with an
index_merge union, but only when every column has its own index; otherwise the whole table is read.
An OR in a join condition is the worst case: no index lookup or hash join can use it, so the
database compares every pair of rows (a nested loop over both tables).

## Example
```sql
CREATE TABLE customers (id bigint PRIMARY KEY, email text NOT NULL, phone text);
CREATE INDEX customers_email_idx ON customers (email);
SELECT id, email FROM customers WHERE email = 'ann@example.com' OR phone = '555-0100';
```

## Use instead
```sql
CREATE TABLE customers (id bigint PRIMARY KEY, email text NOT NULL, phone text);
CREATE INDEX customers_email_idx ON customers (email);
CREATE INDEX customers_phone_idx ON customers (phone);
SELECT id, email FROM customers WHERE email = 'ann@example.com'
UNION
SELECT id, email FROM customers WHERE phone = '555-0100';
```

## Fix safety
Indexing each column (so that BitmapOr or index_merge can combine them) changes nothing in the
results. The `UNION` rewrite is safe only when the select list includes a unique key of the (single)
table: `UNION` removes duplicate rows, so without a key it also collapses rows that were duplicates in
the original; `UNION ALL` instead returns rows matching both branches twice. Without a schema proving
the key, the rewrite is marked unsafe. For a join on `a.x = b.x OR a.y = b.y`, join twice (once per
condition, with `UNION`) or fix the data model so one column relates the tables.

## References
- https://use-the-index-luke.com/sql/where-clause/searching-for-ranges/index-combine-performance
- https://www.postgresql.org/docs/current/indexes-bitmap-scans.html
- https://dev.mysql.com/doc/refman/8.0/en/index-merge-optimization.html
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from dbexpert.model import Applicability, Category, Finding, Severity
from dbexpert.rules.context import RuleContext
from dbexpert.rules.query._indexes import leading_index
from dbexpert.rules.query._query import location, schema_source, table
from dbexpert.rules.registry import Rule, Target
from dbexpert.sql.query.match import Match

if TYPE_CHECKING:  # sqlglot loads only when queries are checked, not with every rule
    from dbexpert.sql.query.tree import Query


def check(query: Query, ctx: RuleContext) -> Iterator[Finding]:
    from dbexpert.sql.query.filters import or_across_columns

    for match in or_across_columns(query):
        names = ", ".join(str(ref) for ref in match.columns)
        if match.facts["join"]:
            yield ctx.finding(
                f"The join condition `{match.snippet}` is an OR across columns ({names}): no index or hash "
                "join can serve it, so every pair of rows is compared.",
                location=location(query, match),
                fix=(
                    "Split the join into one query per condition combined with UNION (each can use an "
                    "index on its own column), or relate the tables by a single column."
                ),
                severity=Severity.WARNING,
                evidence={"columns": [str(ref) for ref in match.columns], "in_join": True},
            )
            continue
        missing: list[str] = []
        known = True
        for ref in match.columns:
            found = table(ctx, ref.table)
            if found is None:
                known = False
            elif leading_index(found, ref.column) is None:
                missing.append(str(ref))
        if known and not missing:
            continue  # every column has an index: BitmapOr / index_merge combine them
        unique = _selects_unique_key(ctx, match)
        safe = unique is not None
        fix = (
            "Give each column its own index so the engine can combine them (PostgreSQL BitmapOr, "
            "MySQL index_merge), or split the query into a UNION of one SELECT per condition. "
            + (
                f"The select list includes the unique key ({unique}), so UNION returns the same rows."
                if safe
                else "UNION removes duplicate rows (unsafe unless the select list includes a unique key); "
                "UNION ALL would return rows matching both conditions twice."
            )
        )
        without = f" (no index on {', '.join(missing)})" if missing else ""
        yield ctx.finding(
            f"`{match.snippet}` is an OR across columns ({names}){without}: one index cannot serve it, "
            "so the engine reads the whole table unless each column has an index to combine.",
            location=location(query, match),
            fix=fix,
            sql=match.facts["union"],
            applicability=(
                Applicability.MANUAL
                if match.facts["union"] is None
                else Applicability.SAFE
                if safe
                else Applicability.UNSAFE
            ),
            evidence={
                "columns": [str(ref) for ref in match.columns],
                "columns_without_index": missing if known else None,
                "unique_key_selected": unique,
                "indexes_from": schema_source(ctx),
            },
        )


def _selects_unique_key(ctx: RuleContext, match: Match) -> str | None:
    """The unique key of the query's only table, when the select list names all of its columns."""
    tables, selected = match.facts["tables"], match.facts["selected"]
    if len(tables) != 1 or not match.facts["single_table"] or selected is None:
        return None
    found = table(ctx, tables[0])
    if found is None:
        return None
    for key in found.unique_column_sets():
        if key and {c.lower() for c in key} <= selected:
            return ", ".join(sorted(key))
    return None


RULE = Rule(
    name="or-across-columns",
    category=Category.PERFORMANCE,
    target=Target.QUERY,
    check=check,
    doc=__doc__,
)
