"""
## What it does
Finds `x IN (…)` and `x NOT IN (…)` with many literal values or bind parameters (100 by default,
the `min_values` option): lists built by an application from an ID collection.

## Why is this bad?
Every list length is a different statement: a different entry in `pg_stat_statements` and in the
MySQL digest tables, a different prepared statement and plan to cache, and thousands of parameters
to bind (PostgreSQL's protocol caps a statement at 65,535). The planner estimates each value
separately, and parsing and planning long lists costs more than running the query. PostgreSQL takes
one array parameter instead, `= ANY($1::bigint[])`: one statement shape and one plan for any number of
values. For very long lists, join to `VALUES` or to a temporary table (MySQL), or send batches.

## Example
```sql
SELECT id, status FROM orders WHERE id IN (
  101, 108, 115, 122, 129, 136, 143, 150, 157, 164, 171, 178, 185, 192, 199, 206, 213, 220, 227, 234,
  241, 248, 255, 262, 269, 276, 283, 290, 297, 304, 311, 318, 325, 332, 339, 346, 353, 360, 367, 374,
  381, 388, 395, 402, 409, 416, 423, 430, 437, 444, 451, 458, 465, 472, 479, 486, 493, 500, 507, 514,
  521, 528, 535, 542, 549, 556, 563, 570, 577, 584, 591, 598, 605, 612, 619, 626, 633, 640, 647, 654,
  661, 668, 675, 682, 689, 696, 703, 710, 717, 724, 731, 738, 745, 752, 759, 766, 773, 780, 787, 794
);
```

## Use instead
```sql
SELECT id, status FROM orders WHERE id = ANY($1::bigint[]);
```

## Fix safety
Unsafe: the caller must bind one array (all the values) instead of one parameter per value, so the
application code changes with the statement. `= ANY(array)` returns the same rows as `IN (list)`, and
`<> ALL(array)` the same as `NOT IN (list)` (NULLs included).

## References
- https://www.postgresql.org/docs/current/functions-comparisons.html#FUNCTIONS-COMPARISONS-ANY-SOME
- https://www.postgresql.org/docs/current/pgstatstatements.html
- https://dev.mysql.com/doc/refman/8.0/en/performance-schema-statement-digests.html
- https://use-the-index-luke.com/sql/where-clause/bind-parameters
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from dbexpert.model import INTEGER_KINDS, STRING_KINDS, Applicability, Category, Engine, Finding, TypeKind
from dbexpert.rules.context import RuleContext
from dbexpert.rules.query._query import column, location
from dbexpert.rules.registry import Rule, Target
from dbexpert.sql.query.match import Match

if TYPE_CHECKING:  # sqlglot loads only when queries are checked, not with every rule
    from dbexpert.sql.query.tree import Query

_ARRAY_TYPES = {TypeKind.UUID: "uuid", TypeKind.NUMERIC: "numeric", TypeKind.DATE: "date"}


def check(query: Query, ctx: RuleContext) -> Iterator[Finding]:
    from dbexpert.sql.query.filters import any_array_rewrite, large_in_lists

    for match in large_in_lists(query, ctx.option("min_values")):
        values, parameters = match.facts["values"], match.facts["parameters"]
        what = f"{values} bind parameters" if parameters == values else f"{values} values"
        operator = "NOT IN" if match.facts["negated"] else "IN"
        sql = None
        if ctx.engine is Engine.POSTGRES:
            array_type = _array_type(ctx, match)
            sql = any_array_rewrite(query, match, array_type)
            any_form = "<> ALL" if match.facts["negated"] else "= ANY"
            fix = (
                f"Bind one array: {match.facts['column_sql']} {any_form}($n::{array_type}[]) (one statement "
                "shape and plan for any number of values), or join to VALUES / unnest($n) for very long lists."
            )
        elif ctx.engine is Engine.MYSQL:
            fix = (
                "Load the values into a temporary table (or a VALUES/JSON_TABLE derived table) and join to it, "
                "or send the list in batches of a fixed size so the statement shapes stay few."
            )
        else:
            fix = (
                "Join to a temporary table or to json_each(?) with one JSON array parameter, or send the "
                "list in batches of a fixed size."
            )
        yield ctx.finding(
            f"`{match.facts['column_sql']} {operator} (…)` lists {what}: every list length is a new statement "
            "to parse, plan and track.",
            location=location(query, match),
            fix=fix,
            sql=sql,
            applicability=Applicability.UNSAFE if sql else Applicability.MANUAL,
            evidence={
                "values": values,
                "bind_parameters": parameters,
                "min_values": ctx.option("min_values"),
                "counted_from": "the statement text",
            },
        )


def _array_type(ctx: RuleContext, match: Match) -> str:
    """The array element type: the column's type from the schema, else what the literals are."""
    col = column(ctx, match.columns[0]) if match.columns else None
    if col is not None:
        if col.kind in INTEGER_KINDS:
            return "bigint" if col.kind is TypeKind.BIGINT else "int"
        if col.kind in STRING_KINDS:
            return "text"
        if col.kind in _ARRAY_TYPES:
            return _ARRAY_TYPES[col.kind]
    return str(match.facts["element"] or "bigint")


RULE = Rule(
    name="large-in-list",
    category=Category.PERFORMANCE,
    target=Target.QUERY,
    check=check,
    doc=__doc__,
    options={"min_values": 100},
)
