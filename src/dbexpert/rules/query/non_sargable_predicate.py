"""
## What it does
Finds conditions that wrap a column in a function, a cast or arithmetic before comparing it with a
constant or a parameter. For example `lower(email) = …`, `created_at::date = …`, `DATE(created_at) = …`,
`extract(year from d) = 2024`, `YEAR(d) = 2024`, `date_trunc('day', t) = …`,
`strftime('%Y', d) = '2024'`, `col + 1 = 5`, `coalesce(col, 0) = 5`, `left(col, 3) = 'abc'`,
`cast(col AS text) = '…'`. On MySQL, with a schema, it also finds string columns compared with
numbers (`phone = 5551234`), which MySQL evaluates by converting every row's value to a number
(PostgreSQL rejects `text = integer`, and SQLite applies the column's text affinity to the number,
so its index still serves the comparison: neither is reported).
With a schema it names the index the condition wastes, and stays quiet when an index on the very
expression exists.

## Why is this bad?
A B-tree index is sorted by the column's values, not by `lower(column)` or `column::date`: the
database must compute the expression for every row, so the query scans the whole table however
selective the condition is. The fix is either a condition on the bare column that selects the same
rows (a half-open range for dates, the arithmetic moved to the constant, a prefix `LIKE`), or an
index on the expression itself.

## Example
```sql
CREATE TABLE orders (id bigint PRIMARY KEY, created_at timestamptz NOT NULL);
CREATE INDEX orders_created_at_idx ON orders (created_at);
SELECT id FROM orders WHERE created_at::date = '2024-05-01';
```

## Use instead
```sql
CREATE TABLE orders (id bigint PRIMARY KEY, created_at timestamptz NOT NULL);
CREATE INDEX orders_created_at_idx ON orders (created_at);
SELECT id FROM orders WHERE created_at >= '2024-05-01' AND created_at < '2024-05-02';
```

## Fix safety
- Date, day, month and year conditions become a half-open range on the column. The range selects the
  same rows when the column is a `date`, `timestamp` or `timestamptz` (MySQL `DATE`, `DATETIME`,
  `TIMESTAMP`): both sides are read in the session time zone. This is marked safe only when the
  schema says so; without a schema, and always on SQLite (where dates are text or numbers), it is
  unsafe: the range is wrong for a text column in another format or for Unix times.
- `col + c1 = c2` becomes `col = c2 - c1`: safe for integer constants (unsafe when the schema says the
  column is floating point, where rounding differs). With intervals (`created_at + interval '1 day'
  > now()`) the rewrite is unsafe: month arithmetic is not exactly reversible (`Jan 31 + 1 month`).
- `coalesce(col, d) = c` becomes `col = c` (or `col = c OR col IS NULL` when `c = d`): safe.
- `left(col, n) = 'abc'` with a constant of length `n` becomes `col LIKE 'abc%'` (SQLite: `GLOB
  'abc*'`, which is case-sensitive like `=`): safe, and only offered when the constant holds no
  wildcard. On PostgreSQL an index serves `LIKE 'abc%'` only with the `C` collation or the
  `text_pattern_ops` operator class.
- Otherwise (`lower`, `upper`, casts, other functions) the fix is the expression index, printed for
  the engine (MySQL 8.0.13+ functional key part; on MariaDB and older MySQL index a generated column).
  On MySQL with a case-insensitive collation `lower(col) = 'x'` can simply become `col = 'x'`.
- `phone = 5551234` on a MySQL string column becomes `phone = '5551234'`: unsafe, it no longer
  matches the values MySQL converted to the same number (`'5551234abc'`, `' 5551234'`, `'05551234'`).

## References
- https://use-the-index-luke.com/sql/where-clause/functions
- https://use-the-index-luke.com/sql/where-clause/obfuscation/dates
- https://www.postgresql.org/docs/current/indexes-expressional.html
- https://dev.mysql.com/doc/refman/8.0/en/create-index.html#create-index-functional-key-parts
- https://dev.mysql.com/doc/refman/8.0/en/type-conversion.html
- https://www.sqlite.org/expridx.html
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from dbexpert.model import INTEGER_KINDS, STRING_KINDS, Applicability, Category, Engine, Finding, TypeKind
from dbexpert.rules.context import RuleContext
from dbexpert.rules.query._indexes import create_expression_index, expression_index, leading_index
from dbexpert.rules.query._query import column, location, schema_source, table
from dbexpert.rules.registry import Rule, Target
from dbexpert.sql.query.match import Match

if TYPE_CHECKING:  # sqlglot loads only when queries are checked, not with every rule
    from dbexpert.sql.query.tree import Query

_DATE_KINDS = frozenset({TypeKind.DATE, TypeKind.TIMESTAMP, TypeKind.TIMESTAMPTZ})
_WHAT = {
    "case": "a case conversion",
    "date": "a conversion to date",
    "year": "a year extraction",
    "part": "a date part extraction",
    "trunc": "a date truncation",
    "format": "a date formatting",
    "arithmetic": "arithmetic",
    "coalesce": "COALESCE",
    "prefix": "a substring",
    "cast": "a cast",
    "function": "a function",
}


def check(query: Query, ctx: RuleContext) -> Iterator[Finding]:
    from dbexpert.sql.query.sargable import non_sargable_predicates

    for match in non_sargable_predicates(query):
        finding = _wrapped(query, ctx, match)
        if finding is not None:
            yield finding
    if ctx.engine is Engine.MYSQL:
        yield from _numbers_against_strings(query, ctx)


def _wrapped(query: Query, ctx: RuleContext, match: Match) -> Finding | None:
    ref = match.columns[0]
    found = table(ctx, ref.table)
    expression = match.facts["expression"]
    if expression_index(found, expression) is not None:
        return None  # the index on the expression serves the condition as written
    col = column(ctx, ref)
    index = leading_index(found, ref.column)
    what = _WHAT[match.facts["kind"]]
    if index is not None:
        message = f"`{match.snippet}` hides {ref} inside {what}: the index {index.name} on it cannot be used."
    elif found is not None:
        message = (
            f"`{match.snippet}` hides {ref} inside {what}: only an index on the expression can serve it."
        )
    else:
        message = (
            f"`{match.snippet}` hides {ref} inside {what}: a plain index on {ref.column} cannot be used."
        )
    evidence = {
        "column": str(ref),
        "wrapped_in": match.facts["kind"],
        "expression": expression,
        "index_on_column": index.name if index is not None else None,
        "column_type": col.raw_type if col is not None else None,
        "indexes_from": schema_source(ctx),
    }
    if match.rewrite is not None:
        applicability, why = _rewrite_safety(ctx, match, col.kind if col is not None else None)
        return ctx.finding(
            message,
            location=location(query, match),
            fix=f"Compare the bare column so an index on {ref.column} can be used; {why}",
            sql=match.rewrite,
            applicability=applicability,
            evidence=evidence,
        )
    return ctx.finding(
        message,
        location=location(query, match),
        fix=_index_advice(ctx, ref.table, expression),
        sql=_index_sql(ctx, found.name if found is not None else ref.table, expression),
        applicability=Applicability.MANUAL,
        evidence=evidence,
    )


def _rewrite_safety(ctx: RuleContext, match: Match, kind: TypeKind | None) -> tuple[Applicability, str]:
    exact = match.facts["exact"]
    if exact == "date_column":
        if ctx.engine is Engine.SQLITE:
            return Applicability.UNSAFE, (
                "the range matches the same rows only when the column holds ISO-8601 text "
                "('YYYY-MM-DD[ HH:MM:SS]'), not Unix times or other formats."
            )
        if kind in _DATE_KINDS:
            return Applicability.SAFE, (
                f"the column is {kind.value}, so the half-open range selects exactly the same rows "
                "(both sides are read in the session time zone)."
            )
        return Applicability.UNSAFE, (
            "the half-open range selects the same rows when the column is a date or timestamp "
            "(not text): check its type, or pass --schema."
        )
    if exact == "integer":
        if kind is not None and kind not in INTEGER_KINDS and kind is not TypeKind.NUMERIC:
            return (
                Applicability.UNSAFE,
                f"the column is {kind.value}: rounding may differ after moving the constant.",
            )
        return Applicability.SAFE, "moving an integer constant across the comparison selects the same rows."
    if exact == "interval":
        return Applicability.UNSAFE, (
            "moving an interval across the comparison is exact for days and smaller units, not for "
            "months (month ends do not add back)."
        )
    if match.facts["kind"] == "prefix":
        note = (
            " (PostgreSQL: the index must use the C collation or text_pattern_ops for LIKE)"
            if ctx.engine is Engine.POSTGRES
            else ""
        )
        return Applicability.SAFE, f"the prefix match selects the same rows{note}."
    return Applicability.SAFE, "the rewrite selects the same rows (NULLs included)."


def _index_advice(ctx: RuleContext, table_name: str | None, expression: str) -> str:
    target = table_name or "the table"
    if ctx.engine is Engine.MYSQL:
        if ctx.mariadb:
            return (
                f"Add a generated column AS ({expression}) to {target}, index it and compare that column "
                "(MariaDB has no functional index); with a case-insensitive collation lower()/upper() can "
                "simply be dropped."
            )
        return (
            f"Create a functional index on ({expression}) (MySQL 8.0.13+; older versions: index a "
            "generated column); with a case-insensitive collation lower()/upper() can simply be dropped."
        )
    return f"Create an index on the expression {expression} of {target}, or compare the bare column."


def _index_sql(ctx: RuleContext, table_name: str | None, expression: str) -> str | None:
    if table_name is None or ctx.mariadb:
        return None
    return create_expression_index(ctx, table_name, expression)


def _numbers_against_strings(query: Query, ctx: RuleContext) -> Iterator[Finding]:
    from dbexpert.sql.query.sargable import string_number_comparisons

    for match in string_number_comparisons(query):
        ref = match.columns[0]
        col = column(ctx, ref)
        if col is None or col.kind not in STRING_KINDS:
            continue
        found = table(ctx, ref.table)
        index = leading_index(found, ref.column)
        wasted = f": the index {index.name} cannot be used" if index is not None else ""
        yield ctx.finding(
            f"`{match.snippet}` compares the {col.raw_type} column {ref} with a number: MySQL converts "
            f"every row's value to a number{wasted}, and '{ref.column}' values like '123abc' match 123.",
            location=location(query, match),
            fix=(
                "Quote the number so the comparison is between strings. The rewrite no longer matches "
                "values MySQL converted to the same number ('5551234abc', ' 5551234', '05551234')."
            ),
            sql=match.rewrite,
            applicability=Applicability.UNSAFE,
            evidence={
                "column": str(ref),
                "column_type": col.raw_type,
                "index_on_column": index.name if index is not None else None,
                "types_from": "schema",
            },
        )


RULE = Rule(
    name="non-sargable-predicate",
    category=Category.PERFORMANCE,
    target=Target.QUERY,
    check=check,
    doc=__doc__,
)
