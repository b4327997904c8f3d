"""
## What it does
With `--schema`, finds join conditions `a.x = b.y` whose columns have types of different families.
For example an integer against text or a decimal, a uuid against text, a date against a
timestamp, a timestamp against a timestamp with time zone (in an ON or a WHERE). Without a schema the types are
unknown and the rule stays silent.

## Why is this bad?
To compare them, the engine converts one side for every row; an index on the converted column
cannot serve the comparison, so the join falls back to scanning (PostgreSQL casts `int = numeric`
to numeric; MySQL compares a string column with a number as floating point and ignores the
string column's index). Comparing text with a number also matches surprising values (`'42abc'`
equals 42 in MySQL).

## Example
```sql
CREATE TABLE customers (id bigint PRIMARY KEY, email text NOT NULL);
CREATE TABLE events (id bigint PRIMARY KEY, customer_ref varchar(20) NOT NULL);
CREATE INDEX events_customer_ref_idx ON events (customer_ref);
SELECT e.id FROM events e JOIN customers c ON c.id = e.customer_ref WHERE c.email = 'a@example.com';
```

## Use instead
```sql
CREATE TABLE customers (id bigint PRIMARY KEY, email text NOT NULL);
CREATE TABLE events (id bigint PRIMARY KEY, customer_ref bigint NOT NULL);
CREATE INDEX events_customer_ref_idx ON events (customer_ref);
SELECT e.id FROM events e JOIN customers c ON c.id = e.customer_ref WHERE c.email = 'a@example.com';
```

## Fix safety
Manual: changing a column type rewrites the table and fails where a value does not convert (a
`customer_ref` of `'n/a'`); check the data first. The suggested statement changes the column
that does not hold the key to the key's type.

## References
- https://www.postgresql.org/docs/current/typeconv-oper.html
- https://dev.mysql.com/doc/refman/8.0/en/type-conversion.html
- https://use-the-index-luke.com/sql/where-clause/functions
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from dbexpert.model import (
    INTEGER_KINDS,
    STRING_KINDS,
    Applicability,
    Category,
    Column,
    Engine,
    Finding,
    Table,
    TypeKind,
)
from dbexpert.rules.context import RuleContext
from dbexpert.rules.query._query import location, table
from dbexpert.rules.registry import Rule, Target

if TYPE_CHECKING:  # sqlglot loads only when queries are checked, not with every rule
    from dbexpert.sql.query.tree import Query

# Kinds whose cross-engine comparisons are too engine-specific to judge (MySQL BOOLEAN is TINYINT).
_UNJUDGED = frozenset({TypeKind.OTHER, TypeKind.ENUM, TypeKind.ARRAY, TypeKind.BOOLEAN, TypeKind.MONEY})


def family(kind: TypeKind) -> str:
    if kind in INTEGER_KINDS:
        return "integer"
    if kind in STRING_KINDS:
        return "string"
    if kind in (TypeKind.JSON, TypeKind.JSONB):
        return "json"
    return str(kind)


def check(query: Query, ctx: RuleContext) -> Iterator[Finding]:
    from dbexpert.sql.query.joins import join_key_pairs

    for match in join_key_pairs(query):
        sides = [(table(ctx, ref.table), ref) for ref in match.columns]
        found = [(t, t.column(ref.column)) for t, ref in sides if t is not None]
        if len(found) != 2 or any(c is None for _, c in found):
            continue
        (ta, ca), (tb, cb) = found
        assert ca is not None and cb is not None
        if ca.kind in _UNJUDGED or cb.kind in _UNJUDGED or family(ca.kind) == family(cb.kind):
            continue
        changed, model = ((tb, cb), ca) if _is_key(ta, ca) or not _is_key(tb, cb) else ((ta, ca), cb)
        yield ctx.finding(
            f"`{match.snippet}` compares {ta.name}.{ca.name} ({ca.raw_type}) with {tb.name}.{cb.name} ({cb.raw_type}): "
            "one side is converted per row and its index cannot be used.",
            location=location(query, match),
            fix=f"Give both columns the same type: change {changed[0].name}.{changed[1].name} to {model.raw_type} (check every value converts).",
            sql=_alter(ctx, changed[0], changed[1], model),
            applicability=Applicability.MANUAL,
            evidence={
                "left": {"column": f"{ta.name}.{ca.name}", "type": ca.raw_type, "kind": str(ca.kind)},
                "right": {"column": f"{tb.name}.{cb.name}", "type": cb.raw_type, "kind": str(cb.kind)},
                "types_from": "schema",
            },
        )


def _is_key(found: Table, column: Column) -> bool:
    return any(key == frozenset({column.name}) for key in found.unique_column_sets())


def _alter(ctx: RuleContext, found: Table, column: Column, model: Column) -> str | None:
    name, col = ctx.table_name(found), ctx.ident(column.name)
    if ctx.engine is Engine.POSTGRES:
        return f"ALTER TABLE {name} ALTER COLUMN {col} TYPE {model.raw_type} USING {col}::{model.raw_type};"
    if ctx.engine is Engine.MYSQL:
        null = "" if column.nullable else " NOT NULL"
        return f"ALTER TABLE {name} MODIFY COLUMN {col} {model.raw_type}{null};"
    return None  # SQLite cannot change a column's type in place: rebuild the table


RULE = Rule(
    name="join-key-type-mismatch",
    category=Category.PERFORMANCE,
    target=Target.QUERY,
    check=check,
    doc=__doc__,
)
