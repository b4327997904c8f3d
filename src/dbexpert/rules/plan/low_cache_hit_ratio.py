"""
## What it does
Finds plan nodes that read many pages from outside PostgreSQL's shared buffers (`Buffers: shared
read=…` far above `hit=…`), in a plan run with `EXPLAIN (ANALYZE, BUFFERS)`.

## Why is this bad?
A page missing from shared buffers comes from the operating system's cache at best and from disk
at worst: thousands of such reads make the query's time depend on I/O, and a query that is fast
when its data is cached becomes slow after a restart or when other work evicts it. Either the
query reads more pages than it needs (an index or a narrower index would read fewer), or the data
it needs regularly does not fit in `shared_buffers`.

## Example
```text
Bitmap Heap Scan on readings  (cost=993.52..11195.97 rows=88916 width=4) (actual time=5.054..55.063 rows=90000 loops=1)
  Recheck Cond: (sensor_id < 300)
  Heap Blocks: exact=9091
  Buffers: shared hit=1 read=9168
  ->  Bitmap Index Scan on readings_sensor_idx  (cost=0.00..971.29 rows=88916 width=0) (actual time=4.097..4.098 rows=90000 loops=1)
        Index Cond: (sensor_id < 300)
        Buffers: shared read=78
Execution Time: 63.014 ms
```

## Use instead
Pages found in shared buffers, or fewer pages read:
```text
Bitmap Heap Scan on orders  (cost=481.09..3546.29 rows=41376 width=9) (actual time=1.290..7.884 rows=39980 loops=1)
  Recheck Cond: (customer_id < 2000)
  Heap Blocks: exact=2548
  Buffers: shared hit=2588
  ->  Bitmap Index Scan on orders_customer_idx  (cost=0.00..470.74 rows=41376 width=0) (actual time=1.067..1.068 rows=39980 loops=1)
        Index Cond: (customer_id < 2000)
        Buffers: shared hit=40
Execution Time: 9.046 ms
```

## Fix safety
A first run after a restart or a bulk load always reads; capture the plan again to see whether the
misses persist. Raising `shared_buffers` needs a restart and memory the server has; an index that
covers the query (`INCLUDE`) reads fewer pages but costs writes. Manual.

## References
- https://www.postgresql.org/docs/current/runtime-config-resource.html#GUC-SHARED-BUFFERS
- https://www.postgresql.org/docs/current/using-explain.html#USING-EXPLAIN-ANALYZE
- https://www.postgresql.org/docs/current/pgprewarm.html
"""

from collections.abc import Iterator

from dbexpert.model import Category, Engine, Finding
from dbexpert.model.plan import NodeInPlan
from dbexpert.rules.context import RuleContext
from dbexpert.rules.plan._plan import exclusive_buffers, location, pretty_kb, table_name
from dbexpert.rules.registry import Rule, Target

_BLOCK_KB = 8  # PostgreSQL's default block size


def check(site: NodeInPlan, ctx: RuleContext) -> Iterator[Finding]:
    node = site.node
    if node.shared_read is None:
        return
    hit, read = exclusive_buffers(node)
    if read < ctx.option("min_read_blocks"):
        return
    ratio = hit / (hit + read)
    if ratio >= ctx.option("min_hit_ratio"):
        return
    table = table_name(node)
    what = f"{node.label}" if table is None else f"{node.node_type} on {table}"
    sql = None
    if table:
        sql = (
            "-- if this data should stay in memory: check that shared_buffers can hold it\n"
            f"SELECT pg_size_pretty(pg_table_size('{table}')), current_setting('shared_buffers');\n"
            "-- and warm it after restarts:\nCREATE EXTENSION IF NOT EXISTS pg_prewarm;\n"
            f"SELECT pg_prewarm('{table}');"
        )
    yield ctx.finding(
        f"{what} read {read:,} pages ({pretty_kb(read * _BLOCK_KB)}) from outside shared buffers and "
        f"found only {hit:,} there (hit ratio {ratio:.0%}).",
        location=location(site),
        fix="Read fewer pages (a more selective or covering index), or make the working set fit in "
        "shared_buffers if the query runs often.",
        sql=sql,
        evidence={
            "shared_read_blocks": read,
            "shared_hit_blocks": hit,
            "hit_ratio": round(ratio, 3),
            "source": "EXPLAIN (ANALYZE, BUFFERS), the node's own buffers (its children's subtracted)",
        },
    )


RULE = Rule(
    name="low-cache-hit-ratio",
    category=Category.PERFORMANCE,
    target=Target.PLAN_NODE,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.POSTGRES}),
    options={"min_read_blocks": 1000, "min_hit_ratio": 0.9},
)
