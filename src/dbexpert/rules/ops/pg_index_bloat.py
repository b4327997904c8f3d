"""
## What it does
Reports B-tree indexes whose estimated bloat is at least `min_bloat_bytes` (default 100 MB) and
`min_ratio` (default 50 %) of the index. The estimate is the statistics-based B-tree query of
ioguix/pgsql-bloat-estimation (PgHero and pg-extras use it too): an **estimate** from `pg_stats`,
not a measurement, skipped where it cannot judge (`name` columns).

## Why is this bad?
B-tree pages emptied by deletes and updates are only reused for keys in the same range, so indexes
on queue-like or time-ordered data grow far beyond their live entries. A bloated index costs cache
and I/O on every scan and every write, and is the cheapest bloat to fix: rebuild it concurrently.

## Example
```json
{"engine": "postgres", "version": "15.4",
 "results": {"index_bloat": [{"schema": "public", "table": "jobs", "index": "jobs_state_idx",
   "real_bytes": 1073741824, "bloat_bytes": 858993459, "bloat_pct": 80.0, "fillfactor": 90,
   "is_na": false}]}}
```

## Use instead
```json
{"engine": "postgres", "version": "15.4",
 "results": {"index_bloat": [{"schema": "public", "table": "jobs", "index": "jobs_state_idx",
   "real_bytes": 1073741824, "bloat_bytes": 107374182, "bloat_pct": 10.0, "fillfactor": 90,
   "is_na": false}]}}
```

## Fix safety
`REINDEX INDEX CONCURRENTLY` (PostgreSQL 12+) builds a new copy without blocking writes and swaps it
in; it needs the index's size in free disk and cannot run inside a transaction block. If it fails
it leaves an invalid `_ccnew` index to drop. Safe to run with that care.

## References
- https://github.com/ioguix/pgsql-bloat-estimation
- https://www.postgresql.org/docs/current/sql-reindex.html
- https://github.com/ankane/pghero
"""

from collections.abc import Iterator

from dbexpert.model import Category, Engine, Finding, Location
from dbexpert.model.health import HealthSnapshot
from dbexpert.rules.context import RuleContext
from dbexpert.rules.ops._pg import bloat_words, bloated
from dbexpert.rules.registry import Rule, Target
from dbexpert.sql.quote import qualify


def check(snapshot: HealthSnapshot, ctx: RuleContext) -> Iterator[Finding]:
    for row, bloat, pct in bloated(snapshot, "index_bloat", ctx):
        name = qualify(str(row["index"]), str(row["schema"]), Engine.POSTGRES, "public")
        yield ctx.finding(
            f"Index {row['schema']}.{row['index']} on {row['table']} is {bloat_words(row, bloat, pct)}.",
            location=Location(object=f"{row['schema']}.{row['index']}"),
            fix="Rebuild the index without blocking writes.",
            sql=f"REINDEX INDEX CONCURRENTLY {name};",
            evidence={
                **dict(row),
                "source": "statistics-based B-tree estimate (ioguix/pgsql-bloat-estimation)",
            },
        )


RULE = Rule(
    name="index-bloat",
    category=Category.OPS,
    target=Target.HEALTH,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.POSTGRES}),
    options={"min_bloat_bytes": 100 * 1024**2, "min_ratio": 0.5},
)
