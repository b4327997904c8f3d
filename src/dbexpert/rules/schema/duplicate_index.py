"""
## What it does
Finds indexes on the same table with identical definitions.

Precisely, it finds indexes on the same table with identical definitions: the same key columns and
expressions in the same order, with the same direction, operator class and collation, the same
method, predicate and INCLUDE columns. It keeps the index that enforces a constraint (or else
the unique one) and never advises dropping an index that enforces a constraint; when two
constraints are duplicated it says so and leaves the choice to you.

## Why is this bad?
Every copy is written on each INSERT and on each UPDATE of its columns, takes disk and cache
space, and is vacuumed and backed up, while the planner only ever uses one of them.

## Example
```sql
CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL);
CREATE INDEX orders_customer_id_idx ON orders (customer_id);
CREATE INDEX orders_customer_idx ON orders (customer_id);
```

## Use instead
```sql
CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL);
CREATE INDEX orders_customer_id_idx ON orders (customer_id);
```
ORMs create these when an index is declared twice: Django `db_index=True` plus the same field in
`Meta.indexes`, Prisma `@@index([customerId])` next to `@unique`, TypeORM `@Index()` on a
column also in `@Index(["customerId"])`, SQLAlchemy `index=True` plus an explicit `Index(...)`,
Drizzle two `index("…").on(t.customerId)`. Remove the redundant declaration too, or the next
migration recreates it.

## Fix safety
Dropping an exact duplicate changes no plan. `DROP INDEX CONCURRENTLY` (PostgreSQL) does not
block reads or writes but cannot run in a transaction block; MySQL drops an index in place
without copying the table. The fix is safe.

## References
- https://wiki.postgresql.org/wiki/Index_Maintenance#Duplicate_indexes
- https://www.percona.com/blog/duplicate-indexes-and-redundant-indexes/
"""

from collections.abc import Iterator

from dbexpert.model import Applicability, Category, Finding, Index, Table
from dbexpert.rules.context import RuleContext
from dbexpert.rules.registry import Rule, Target
from dbexpert.rules.schema._keys import drop_index_sql, index_location, index_size, index_sql, signature
from dbexpert.rules.schema._orm import drop_index


def check(table: Table, ctx: RuleContext) -> Iterator[Finding]:
    groups: dict[tuple, list[Index]] = {}
    for index in table.indexes:
        if index.valid:  # an invalid index is invalid-index's business
            groups.setdefault(signature(index), []).append(index)
    for copies in groups.values():
        if len(copies) < 2:
            continue
        keep, *others = sorted(copies, key=lambda i: (not i.enforces_constraint, not i.unique, i.name))
        for other in others:
            yield _finding(table, keep, other, ctx)


def _finding(table: Table, keep: Index, other: Index, ctx: RuleContext) -> Finding:
    evidence = {
        "duplicate": index_sql(ctx, table, other),
        "kept": index_sql(ctx, table, keep),
        "duplicate_bytes": index_size(other),
    }
    message = f"Index {other.name} on {table.qualified_name} duplicates {keep.name}."
    if other.enforces_constraint:
        return ctx.finding(
            f"{message} Both enforce a constraint: the constraint is declared twice.",
            table=table,
            location=index_location(table, other),
            fix=ctx.orm_fix(
                f"Drop the duplicated constraint {other.constraint or other.name} (check what references it first).",
                **drop_index(ctx, table, other),
            ),
            evidence=evidence,
        )
    return ctx.finding(
        message,
        table=table,
        location=index_location(table, other),
        fix=ctx.orm_fix(
            f"Drop {other.name}; {keep.name} serves the same lookups.", **drop_index(ctx, table, other)
        ),
        sql=drop_index_sql(ctx, table, other),
        applicability=Applicability.SAFE,
        evidence=evidence,
    )


RULE = Rule(
    name="duplicate-index",
    category=Category.PERFORMANCE,
    target=Target.TABLE,
    check=check,
    doc=__doc__,
)
