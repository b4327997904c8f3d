"""
## What it does
Finds bitmap heap scans whose bitmap did not fit in `work_mem` and became lossy
(`Heap Blocks: exact=… lossy=…`), in a plan run with `EXPLAIN ANALYZE`.

## Why is this bad?
A bitmap that outgrows `work_mem` stops remembering which rows of a page matched and keeps only
the page. Every row of a lossy page is then re-checked against the condition (`Rows Removed by
Index Recheck`), so the scan evaluates far more rows than it returns. A little more memory for the
query keeps the bitmap exact.

## Example
```text
Bitmap Heap Scan on orders  (cost=481.09..7128.30 rows=41376 width=9) (actual time=1.093..15.043 rows=39980 loops=1)
  Recheck Cond: (customer_id < 2000)
  Rows Removed by Index Recheck: 219589
  Heap Blocks: exact=992 lossy=1556
  Buffers: shared hit=2588
  ->  Bitmap Index Scan on orders_customer_idx  (cost=0.00..470.74 rows=41376 width=0) (actual time=0.998..0.999 rows=39980 loops=1)
        Index Cond: (customer_id < 2000)
        Buffers: shared hit=40
Settings: work_mem = '64kB'
Execution Time: 16.144 ms
```

## Use instead
An exact bitmap (here with `SET LOCAL work_mem = '4MB'`):
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
`SET LOCAL work_mem` affects only the current transaction; raising it server-wide multiplies by
every sort, hash and bitmap of every connection. The memory suggested is estimated from the number
of heap pages (about 64 bytes of bitmap per page). Manual.

## References
- https://www.postgresql.org/docs/current/runtime-config-resource.html#GUC-WORK-MEM
- https://www.postgresql.org/docs/current/using-explain.html#USING-EXPLAIN-ANALYZE
"""

from collections.abc import Iterator

from dbexpert.model import Category, Engine, Finding
from dbexpert.model.plan import NodeInPlan
from dbexpert.rules.context import RuleContext
from dbexpert.rules.plan._plan import location, table_name, work_mem_for
from dbexpert.rules.registry import Rule, Target

_BYTES_PER_PAGE = 64  # an exact bitmap's entry per heap page (tidbitmap.c), rounded up


def check(site: NodeInPlan, ctx: RuleContext) -> Iterator[Finding]:
    node = site.node
    lossy = node.lossy_heap_blocks or 0
    if node.node_type != "Bitmap Heap Scan" or lossy < ctx.option("min_lossy_blocks"):
        return
    pages = lossy + (node.exact_heap_blocks or 0)
    if lossy < pages * ctx.option("min_lossy_fraction"):
        return
    needed_kb = pages * _BYTES_PER_PAGE / 1024
    work_mem = work_mem_for(needed_kb * 2)
    rechecked = (node.rows_removed_by_index_recheck or 0) * (node.actual_loops or 1)
    table = table_name(node) or "the table"
    yield ctx.finding(
        f"Bitmap Heap Scan on {table} went lossy on {lossy:,} of {pages:,} pages"
        + (f" and re-checked {rechecked:,} rows it then threw away" if rechecked else "")
        + ": its bitmap did not fit in work_mem.",
        location=location(site),
        fix=f"Raise work_mem for this query (about {work_mem}) so the bitmap stays exact.",
        sql=f"SET LOCAL work_mem = '{work_mem}';",
        evidence={
            "lossy_blocks": lossy,
            "exact_blocks": node.exact_heap_blocks,
            "rows_removed_by_index_recheck": rechecked,
            "needed_kb": round(needed_kb),
            "work_mem": site.plan.settings.get("work_mem"),
            "source": "EXPLAIN ANALYZE (Heap Blocks, Rows Removed by Index Recheck)",
        },
    )


RULE = Rule(
    name="lossy-bitmap-heap-scan",
    category=Category.PERFORMANCE,
    target=Target.PLAN_NODE,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.POSTGRES}),
    options={"min_lossy_blocks": 100, "min_lossy_fraction": 0.1},
)
