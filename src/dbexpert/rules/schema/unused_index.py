"""
## What it does
Finds indexes never scanned since the server's statistics were last reset.

Precisely, it finds indexes that have not been scanned once since the server's statistics were last reset,
provided the statistics are at least `min_stats_age_days` old. Indexes that back a primary key,
a unique or another constraint are never reported (they enforce something even when never
read), nor the only index covering a foreign key: dropping it would trade this finding for
`foreign-key-without-index` (and MySQL refuses to drop it). Live only.

## Why is this bad?
An unused index is pure cost: every INSERT, and every UPDATE of its columns, writes to it; it
takes disk, cache and backup space, and on PostgreSQL it can prevent HOT updates.

## Example
```sql
CREATE TABLE sessions (id bigint PRIMARY KEY, token text NOT NULL, user_agent text);
CREATE INDEX sessions_user_agent_idx ON sessions (user_agent);
```

## Use instead
```sql
CREATE TABLE sessions (id bigint PRIMARY KEY, token text NOT NULL, user_agent text);
```
In an ORM, remove the declaration so the next migration does not recreate it: Django
`db_index=True` or the `Meta.indexes` entry, Prisma `@@index`, TypeORM `@Index()`, Drizzle
`index("…")`, SQLAlchemy `index=True`.

## Fix safety
Statistics are per server: an index unused on the primary may serve queries on a replica, and
a monthly report may not have run since the reset. Check replicas and the reset date in the
evidence before dropping. `DROP INDEX CONCURRENTLY` does not block writes; keep the definition
(in the evidence) to recreate it. The fix is unsafe.

## References
- https://www.postgresql.org/docs/current/monitoring-stats.html#MONITORING-PG-STAT-ALL-INDEXES-VIEW
- https://dev.mysql.com/doc/refman/8.0/en/sys-schema-unused-indexes.html
"""

from collections.abc import Iterator
from datetime import UTC, datetime

from dbexpert.model import Applicability, Catalog, Category, Engine, Finding, Table
from dbexpert.rules.context import RuleContext
from dbexpert.rules.registry import Rule, Target
from dbexpert.rules.schema._keys import drop_index_sql, index_location, index_size, index_sql, sole_cover_of


def check(table: Table, ctx: RuleContext) -> Iterator[Finding]:
    age = _stats_age_days(ctx.catalog)
    if age is not None and age < ctx.option("min_stats_age_days"):
        return  # too little history to call anything unused
    for index in table.indexes:
        if index.stats is None or index.stats.scans != 0 or index.unique or index.enforces_constraint:
            continue
        if sole_cover_of(table, index) is not None:
            continue  # deletes on the parent need it even if no query of the child does
        yield ctx.finding(
            f"Index {index.name} on {table.qualified_name} has not been scanned since statistics were reset"
            + (f" {age:.0f} days ago." if age is not None else " (reset date unknown)."),
            table=table,
            location=index_location(table, index),
            fix=f"Drop {index.name} after checking replicas and periodic jobs.",
            sql=drop_index_sql(ctx, table, index),
            applicability=Applicability.UNSAFE,
            evidence={
                "scans": 0,
                "stats_reset": ctx.catalog.stats_reset,
                "stats_age_days": round(age, 1) if age is not None else None,
                "index_bytes": index_size(index),
                "definition": index_sql(ctx, table, index),
            },
        )


def _stats_age_days(catalog: Catalog) -> float | None:
    reset = catalog.stats_reset
    if reset is None:
        return None
    now = catalog.collected_at or datetime.now(UTC)
    if (reset.tzinfo is None) != (now.tzinfo is None):
        reset, now = reset.replace(tzinfo=None), now.replace(tzinfo=None)
    return (now - reset).total_seconds() / 86400


RULE = Rule(
    name="unused-index",
    category=Category.PERFORMANCE,
    target=Target.TABLE,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.POSTGRES, Engine.MYSQL}),
    options={"min_stats_age_days": 7},
    needs_live=True,
    example_engine=Engine.POSTGRES,
)
