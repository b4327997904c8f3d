"""
## What it does
Reports a low buffer cache hit ratio for table data or indexes. Each ratio is summed over the
database's tables in `pg_statio_user_tables` and reported below `min_ratio` (default 99 %), once at
least `min_blocks` blocks were requested since the statistics were reset (fewer say nothing yet).

## Why is this bad?
Every miss is a read from the operating system's cache or the disk. A transactional workload whose
working set fits in memory stays above 99 % (PgHero's threshold, and pg-extras' `cache_hit`
guidance); below it, the working set no longer fits in `shared_buffers`, or queries scan far more
than they return (a missing index), and latency follows the disk.

## Example
```json
{"engine": "postgres", "version": "15.4",
 "settings": {"shared_buffers": "128MB"},
 "results": {"cache_hit": [{"heap_hit": 900000, "heap_read": 100000,
   "index_hit": 995000, "index_read": 5000}]}}
```

## Use instead
```json
{"engine": "postgres", "version": "15.4",
 "settings": {"shared_buffers": "4GB"},
 "results": {"cache_hit": [{"heap_hit": 999000, "heap_read": 1000,
   "index_hit": 999900, "index_read": 100}]}}
```

## Fix safety
Raising `shared_buffers` needs a restart and memory the machine really has (about 25 % of RAM);
find the queries that read the most blocks first (`pg_stat_statements`, `shared_blks_read`).
Manual.

## References
- https://www.postgresql.org/docs/current/monitoring-stats.html#MONITORING-PG-STATIO-ALL-TABLES-VIEW
- https://github.com/ankane/pghero
- https://github.com/pawurb/ruby-pg-extras
"""

from collections.abc import Iterator

from dbexpert.model import Category, Engine, Finding, Location
from dbexpert.model.health import HealthSnapshot
from dbexpert.rules.context import RuleContext
from dbexpert.rules.ops._pg import alter_system, human, machine_memory, round_size, size_bytes
from dbexpert.rules.registry import Rule, Target


def check(snapshot: HealthSnapshot, ctx: RuleContext) -> Iterator[Finding]:
    rows = snapshot.rows("cache_hit")
    if not rows:
        return
    row = rows[0]
    memory, memory_source = machine_memory(snapshot, ctx)
    shared = snapshot.setting("shared_buffers")
    target = human(round_size(memory // 4)) if memory else None
    for kind, label in (("heap", "table"), ("index", "index")):
        hit, read = int(row.get(f"{kind}_hit") or 0), int(row.get(f"{kind}_read") or 0)
        if hit + read < ctx.option("min_blocks"):
            continue
        ratio = hit / (hit + read)
        if ratio >= ctx.option("min_ratio"):
            continue
        current = size_bytes(shared)
        raise_it = target is not None and current is not None and current < (memory or 0) // 5
        yield ctx.finding(
            f"{label.capitalize()} cache hit ratio is {ratio:.2%} (below {ctx.option('min_ratio'):.0%}): "
            f"{read:,} of {hit + read:,} {label} blocks were read from outside shared_buffers.",
            location=Location(object=f"{label} cache"),
            fix="Find the queries that read the most blocks (pg_stat_statements shared_blks_read) and index "
            "them; if the working set is simply larger than shared_buffers, give it about 25% of RAM "
            "(restart needed).",
            sql=alter_system("shared_buffers", target)
            if raise_it and target
            else "SELECT query, shared_blks_read FROM pg_stat_statements ORDER BY shared_blks_read DESC LIMIT 10;",
            evidence={
                "blocks_hit": hit,
                "blocks_read": read,
                "ratio": round(ratio, 4),
                "shared_buffers": shared,
                "machine_memory": memory or memory_source,
                "source": f"sum of {kind}_blks_hit / {kind}_blks_read in pg_statio_user_tables since stats reset",
            },
        )


RULE = Rule(
    name="server-cache-hit-ratio-low",
    category=Category.PERFORMANCE,
    target=Target.HEALTH,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.POSTGRES}),
    options={"min_ratio": 0.99, "min_blocks": 100_000, "machine_memory_mb": 0},
)
