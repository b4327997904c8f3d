"""
## What it does
Finds B-tree indexes whose keys are a strict leading prefix of another index on the same table.

Precisely, it finds B-tree indexes whose keys are a strict leading prefix of another valid B-tree index on the
same table with the same predicate: `(a)` next to `(a, b)`. Unique indexes and indexes that
enforce a constraint are kept (they enforce uniqueness on fewer columns), and so is an index
whose INCLUDE columns the longer one does not carry.

## Why is this bad?
Any lookup or range scan the short index serves, the long one serves too, from its leading
columns. The short index still costs a write on every INSERT and on updates of its columns, and
takes disk and cache space. On MySQL the longer index also keeps backing any foreign key on the
prefix, so dropping the short one is allowed.

## Example
```sql
CREATE TABLE events (id bigint PRIMARY KEY, account_id bigint NOT NULL, created_at timestamptz NOT NULL);
CREATE INDEX events_account_id_idx ON events (account_id);
CREATE INDEX events_account_id_created_at_idx ON events (account_id, created_at);
```

## Use instead
```sql
CREATE TABLE events (id bigint PRIMARY KEY, account_id bigint NOT NULL, created_at timestamptz NOT NULL);
CREATE INDEX events_account_id_created_at_idx ON events (account_id, created_at);
```
In an ORM, remove the single-column declaration: Django `db_index=True` on a field that leads
a `Meta.indexes` entry, Prisma `@@index([accountId])` next to `@@index([accountId, createdAt])`,
TypeORM `@Index()` on the column, SQLAlchemy `index=True`, Drizzle `index("…").on(t.accountId)`.

## Fix safety
The longer index is larger, so a query that used the short one may become slightly slower
(more pages to read per lookup); on a hot, narrow lookup check the plan after dropping. `DROP
INDEX CONCURRENTLY` does not block writes on PostgreSQL. The fix is unsafe for that reason.

## References
- https://www.percona.com/blog/duplicate-indexes-and-redundant-indexes/
- https://www.postgresql.org/docs/current/indexes-multicolumn.html
"""

from collections.abc import Iterator

from dbexpert.model import Applicability, Category, Finding, Index, Table
from dbexpert.rules.context import RuleContext
from dbexpert.rules.registry import Rule, Target
from dbexpert.rules.schema._keys import (
    drop_index_sql,
    index_location,
    index_size,
    index_sql,
    key_signature,
    predicate,
)
from dbexpert.rules.schema._orm import drop_index


def check(table: Table, ctx: RuleContext) -> Iterator[Finding]:
    for short in table.indexes:
        if short.unique or short.enforces_constraint or not _btree(short):
            continue
        longer = [other for other in table.indexes if other is not short and _extends(other, short)]
        if not longer:
            continue
        keep = min(longer, key=lambda i: (len(i.keys), not i.enforces_constraint, i.name))
        yield ctx.finding(
            f"Index {short.name} on {table.qualified_name} is a leading prefix of {keep.name}, which serves "
            "the same lookups.",
            table=table,
            location=index_location(table, short),
            fix=ctx.orm_fix(f"Drop {short.name}.", **drop_index(ctx, table, short)),
            sql=drop_index_sql(ctx, table, short),
            applicability=Applicability.UNSAFE,
            evidence={
                "redundant": index_sql(ctx, table, short),
                "covered_by": index_sql(ctx, table, keep),
                "redundant_bytes": index_size(short),
                "covered_by_bytes": index_size(keep),
            },
        )


def _btree(index: Index) -> bool:
    return index.valid and index.method.lower() == "btree"


def _extends(long: Index, short: Index) -> bool:
    if not _btree(long) or len(long.keys) <= len(short.keys) or predicate(long) != predicate(short):
        return False
    prefix = long.keys[: len(short.keys)]
    if [key_signature(k) for k in prefix] != [key_signature(k) for k in short.keys]:
        return False
    carried = {k.column.lower() for k in long.keys if k.column} | {c.lower() for c in long.include}
    return {c.lower() for c in short.include} <= carried


RULE = Rule(
    name="redundant-prefix-index",
    category=Category.PERFORMANCE,
    target=Target.TABLE,
    check=check,
    doc=__doc__,
)
