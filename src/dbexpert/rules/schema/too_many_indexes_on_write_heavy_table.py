"""
## What it does
Finds tables with many indexes that are written far more often than they are read.

Precisely, it finds tables with at least `max_indexes` indexes whose writes (inserts + updates + deletes since
the statistics reset) outnumber their reads (sequential + index scans) by at least
`min_write_read_ratio`, and names the indexes that were never scanned. Live only.

## Why is this bad?
Every insert and delete writes to every index, and an update writes to all of them unless it is
a HOT update, which any index on a changed column prevents. On a table that is mostly written,
each extra index multiplies write I/O, WAL volume, replication lag and vacuum work, for reads
that rarely happen.

## Example
```sql
CREATE TABLE events (id bigint PRIMARY KEY, a int, b int, c int, d int, e int, f int, g int);
CREATE INDEX events_a ON events (a);
CREATE INDEX events_b ON events (b);
CREATE INDEX events_c ON events (c);
CREATE INDEX events_d ON events (d);
CREATE INDEX events_e ON events (e);
CREATE INDEX events_f ON events (f);
CREATE INDEX events_g ON events (g);
```

## Use instead
```sql
CREATE TABLE events (id bigint PRIMARY KEY, a int, b int, c int, d int, e int, f int, g int);
CREATE INDEX events_a_b ON events (a, b);
```
Keep the indexes the reads need, merged into multi-column ones where queries share a leading
column. In an ORM, remove the declarations too (Django `Meta.indexes`/`db_index=True`, Prisma
`@@index`, TypeORM `@Index()`, Drizzle `index("…")`, SQLAlchemy `index=True`).

## Fix safety
Which indexes to drop is a judgement about the queries: the unused ones named in the evidence
are the first candidates (see `unused-index`), then prefixes of others (see
`redundant-prefix-index`). The fix is manual.

## References
- https://www.postgresql.org/docs/current/storage-hot.html
- https://www.postgresql.org/docs/current/monitoring-stats.html#MONITORING-PG-STAT-ALL-TABLES-VIEW
"""

from collections.abc import Iterator

from dbexpert.model import Category, Engine, Finding, Table
from dbexpert.rules.context import RuleContext
from dbexpert.rules.registry import Rule, Target
from dbexpert.rules.schema._keys import drop_index_sql


def check(table: Table, ctx: RuleContext) -> Iterator[Finding]:
    stats = table.stats
    if len(table.indexes) < ctx.option("max_indexes") or stats is None:
        return
    writes = sum(n or 0 for n in (stats.inserts, stats.updates, stats.deletes))
    reads = sum(n or 0 for n in (stats.seq_scans, stats.index_scans))
    if writes < ctx.option("min_writes") or writes < ctx.option("min_write_read_ratio") * reads:
        return
    unused = [
        i
        for i in table.indexes
        if i.stats and i.stats.scans == 0 and not i.unique and not i.enforces_constraint
    ]
    yield ctx.finding(
        f"Table {table.qualified_name} has {len(table.indexes)} indexes but is mostly written "
        f"({writes} writes, {reads} reads).",
        table=table,
        fix="Drop the indexes no query uses and merge the others into fewer multi-column ones.",
        sql="\n".join(drop_index_sql(ctx, table, i) for i in unused) or None,
        evidence={
            "indexes": len(table.indexes),
            "writes": writes,
            "reads": reads,
            "write_read_ratio": round(writes / reads, 1) if reads else None,
            "never_scanned": [i.name for i in unused],
        },
    )


RULE = Rule(
    name="too-many-indexes-on-write-heavy-table",
    category=Category.PERFORMANCE,
    target=Target.TABLE,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.POSTGRES, Engine.MYSQL}),
    options={"max_indexes": 8, "min_write_read_ratio": 1.0, "min_writes": 10000},
    needs_live=True,
    example_engine=Engine.POSTGRES,
)
