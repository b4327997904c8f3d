"""
## What it does
Finds index-only scans that still visited the table for many rows (`Heap Fetches:`), in a plan run
with `EXPLAIN ANALYZE`.

## Why is this bad?
An index-only scan may skip the table only for pages the visibility map marks all-visible, and
only `VACUUM` sets those marks. On a table that autovacuum has not processed since it was loaded
or heavily updated, every row costs an extra random heap visit: the "index-only" scan is an index
scan in disguise, several times slower than it should be.

## Example
```text
Index Only Scan using events_account_idx on events  (cost=0.30..14890.10 rows=120771 width=4) (actual time=0.044..38.376 rows=120000 loops=1)
  Index Cond: (account_id < 2000)
  Heap Fetches: 120000
  Buffers: shared hit=120000 read=101
Execution Time: 44.277 ms
```

## Use instead
The same scan after `VACUUM (ANALYZE) events`:
```text
Index Only Scan using events_account_idx on events  (cost=0.30..2492.38 rows=119319 width=4) (actual time=0.037..5.569 rows=120000 loops=1)
  Index Cond: (account_id < 2000)
  Heap Fetches: 0
  Buffers: shared hit=1 read=101
Execution Time: 11.590 ms
```

## Fix safety
`VACUUM` (without `FULL`) takes no lock that blocks reads or writes, but it reads the table and
costs I/O. If the table keeps falling behind, make autovacuum visit it more often (for
insert-mostly tables, `autovacuum_vacuum_insert_scale_factor`, PostgreSQL 13+). Manual.

## References
- https://www.postgresql.org/docs/current/indexes-index-only-scans.html
- https://www.postgresql.org/docs/current/routine-vacuuming.html#VACUUM-FOR-VISIBILITY-MAP
- https://www.postgresql.org/docs/current/runtime-config-autovacuum.html
"""

from collections.abc import Iterator

from dbexpert.model import Category, Engine, Finding
from dbexpert.model.plan import NodeInPlan
from dbexpert.rules.context import RuleContext
from dbexpert.rules.plan._plan import location, table_name
from dbexpert.rules.registry import Rule, Target


def check(site: NodeInPlan, ctx: RuleContext) -> Iterator[Finding]:
    node = site.node
    if node.node_type != "Index Only Scan" or node.heap_fetches is None:
        return
    loops = node.actual_loops or 1
    fetches = node.heap_fetches * loops
    rows = (node.actual_rows or 0) * loops
    if fetches < ctx.option("min_heap_fetches") or fetches < rows * ctx.option("min_fetch_fraction"):
        return
    table = table_name(node) or "the table"
    share = fetches / rows if rows else 1.0
    yield ctx.finding(
        f"Index Only Scan on {table} fetched {fetches:,.0f} heap rows for {rows:,.0f} returned ({share:.0%}): "
        "the visibility map is out of date, so the scan visits the table anyway.",
        location=location(site),
        fix=f"VACUUM {table} to set its visibility map, and let autovacuum visit it more often.",
        sql=f"VACUUM (ANALYZE) {table};\n-- if it falls behind again (PostgreSQL 13+, insert-mostly tables):\n"
        f"ALTER TABLE {table} SET (autovacuum_vacuum_insert_scale_factor = 0.05);",
        evidence={
            "heap_fetches": int(fetches),
            "rows": int(rows),
            "loops": node.actual_loops,
            "index": node.index_name,
            "source": "EXPLAIN ANALYZE (Heap Fetches)",
        },
    )


RULE = Rule(
    name="index-only-scan-heap-fetches",
    category=Category.PERFORMANCE,
    target=Target.PLAN_NODE,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.POSTGRES}),
    options={"min_heap_fetches": 1000, "min_fetch_fraction": 0.1},
)
