"""
## What it does
Finds PostgreSQL indexes marked invalid, as a failed `CREATE INDEX CONCURRENTLY` leaves them.

Precisely, it finds PostgreSQL indexes marked invalid: what a failed or cancelled `CREATE INDEX CONCURRENTLY`
or `REINDEX CONCURRENTLY` leaves behind. Only a live server shows it (`pg_index.indisvalid`);
no DDL file can.

## Why is this bad?
The planner never uses an invalid index, yet every write still updates it, so it costs as much
as a working index and gives nothing back. An invalid unique index still rejects some duplicates,
so the table enforces a rule nobody can rely on. Migrations that use `IF NOT EXISTS` see the
name taken and never build the index for real.

## Example
```sql
CREATE TABLE payments (id bigint PRIMARY KEY, reference text NOT NULL);
-- interrupted while building: left invalid
CREATE INDEX CONCURRENTLY payments_reference_idx ON payments (reference);
```

## Use instead
```sql
CREATE TABLE payments (id bigint PRIMARY KEY, reference text NOT NULL);
CREATE INDEX payments_reference_idx ON payments (reference);
```
ORM migrations that build indexes concurrently (Django `AddIndexConcurrently`, Rails-style
`algorithm: :concurrently`, hand-written Prisma or Drizzle SQL) must check the result: a
migration tool records the step as done even when the index was left invalid.

## Fix safety
`REINDEX INDEX CONCURRENTLY` (PostgreSQL 12+) rebuilds it without blocking writes; on older
servers drop it concurrently and create it again. A rebuild fails again for the same reason
(duplicates for a unique index, a deadlock, a timeout) until that is fixed. The fix is safe.

## References
- https://www.postgresql.org/docs/current/sql-createindex.html#SQL-CREATEINDEX-CONCURRENTLY
- https://www.postgresql.org/docs/current/sql-reindex.html
"""

from collections.abc import Iterator

from dbexpert.model import Applicability, Category, Engine, Finding, Table, Version
from dbexpert.rules.context import RuleContext
from dbexpert.rules.registry import Rule, Target
from dbexpert.rules.schema._keys import drop_index_sql, index_location, index_size, index_sql
from dbexpert.sql.quote import qualify

_REINDEX_CONCURRENTLY = Version(12)


def check(table: Table, ctx: RuleContext) -> Iterator[Finding]:
    for index in table.indexes:
        if index.valid:
            continue
        definition = index_sql(ctx, table, index, concurrently=True)
        if ctx.version is None or ctx.version >= _REINDEX_CONCURRENTLY:
            name = qualify(index.name, table.schema, ctx.engine, ctx.catalog.default_schema)
            sql = f"REINDEX INDEX CONCURRENTLY {name};"
        else:
            sql = f"{drop_index_sql(ctx, table, index)}\n{definition}"
        yield ctx.finding(
            f"Index {index.name} on {table.qualified_name} is invalid: it is maintained on every write "
            "but never used.",
            table=table,
            location=index_location(table, index),
            fix=f"Rebuild {index.name}, after fixing why its build failed.",
            sql=sql,
            applicability=Applicability.SAFE,
            evidence={"definition": definition, "unique": index.unique, "index_bytes": index_size(index)},
        )


RULE = Rule(
    name="invalid-index",
    category=Category.PERFORMANCE,
    target=Target.TABLE,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.POSTGRES}),
    needs_live=True,
    example_engine=Engine.POSTGRES,
)
