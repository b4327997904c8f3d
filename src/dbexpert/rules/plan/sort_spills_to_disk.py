"""
## What it does
Finds sorts that did not fit in `work_mem` and spilled to temporary files (`Sort Method: external
merge  Disk: …kB`), in a plan run with `EXPLAIN ANALYZE`.

## Why is this bad?
An external sort writes its input to temporary files and merges them back: it is several times
slower than an in-memory quicksort, competes for disk I/O, and gets worse as the data grows. Either
the sort needs more memory (`work_mem`, set for this query or role, not globally: every sort and
hash of every connection may use that much) or it should not happen at all, because an index
already returns the rows in the `ORDER BY` order.

## Example
```text
Sort  (cost=31342.14..31842.14 rows=200000 width=14) (actual time=98.507..111.759 rows=200000 loops=1)
  Sort Key: total DESC
  Sort Method: external merge  Disk: 4840kB
  Buffers: shared hit=1477, temp read=2392 written=2664
  ->  Seq Scan on orders  (cost=0.00..3474.00 rows=200000 width=14) (actual time=0.006..13.032 rows=200000 loops=1)
        Buffers: shared hit=1474
Settings: work_mem = '64kB'
Execution Time: 118.611 ms
```

## Use instead
A sort that fits in memory (here fewer rows; `SET LOCAL work_mem = '32MB'` does the same for the
query above), or an index matching the `ORDER BY` so no sort is needed:
```text
Sort  (cost=4078.52..4083.31 rows=1917 width=14) (actual time=10.808..10.864 rows=1990 loops=1)
  Sort Key: total DESC
  Sort Method: quicksort  Memory: 157kB
  ->  Seq Scan on orders  (cost=0.00..3974.00 rows=1917 width=14) (actual time=0.007..10.372 rows=1990 loops=1)
        Filter: (customer_id < 200)
        Rows Removed by Filter: 198010
```

## Fix safety
`SET LOCAL work_mem` inside the query's transaction affects only that transaction. Raising it
globally multiplies memory use by the number of concurrent sorts and hashes and can exhaust the
server's memory. An index on the sort key speeds the sort away but costs writes. Manual.

## References
- https://www.postgresql.org/docs/current/runtime-config-resource.html#GUC-WORK-MEM
- https://www.postgresql.org/docs/current/indexes-ordering.html
"""

import math
from collections.abc import Iterator

from dbexpert.model import Category, Engine, Finding
from dbexpert.model.plan import NodeInPlan
from dbexpert.rules.context import RuleContext
from dbexpert.rules.plan._plan import SORTS, location, table_name
from dbexpert.rules.registry import Rule, Target


def check(site: NodeInPlan, ctx: RuleContext) -> Iterator[Finding]:
    node = site.node
    if node.node_type not in SORTS:
        return
    spilled = node.sort_space_type == "Disk" or (node.sort_method or "").startswith("external")
    if not spilled:
        return
    disk_kb = node.sort_space_kb or 0
    # In memory a sort needs more than its compact on-disk form: ask for about four times as much.
    mb = max(4, 2 ** math.ceil(math.log2(max(disk_kb * 4 / 1024, 1))))
    statements = [f"SET LOCAL work_mem = '{mb}MB';"]
    scan = node.children[0] if node.children else None
    keys = [k for k in node.sort_key if _simple(k)]
    if scan is not None and scan.relation and keys and len(keys) == len(node.sort_key):
        columns = ", ".join(k.split(".")[-1] for k in keys)
        statements.append(
            f"-- or, so no sort is needed:\nCREATE INDEX CONCURRENTLY ON {table_name(scan)} ({columns});"
        )
    yield ctx.finding(
        f"Sort on {', '.join(node.sort_key) or 'its key'} spilled {disk_kb:,} kB to disk "
        f"({node.sort_method}): give it more work_mem or an index in that order.",
        location=location(site),
        fix=f"Raise work_mem for this query (about {mb}MB), or index the ORDER BY columns so no sort is needed.",
        sql="\n".join(statements),
        evidence={
            "sort_method": node.sort_method,
            "disk_kb": disk_kb,
            "sort_key": list(node.sort_key),
            "work_mem": site.plan.settings.get("work_mem"),
            "rows": node.actual_rows,
            "source": "EXPLAIN ANALYZE",
        },
    )


def _simple(key: str) -> bool:
    """A plain column, optionally qualified and with DESC/NULLS: something an index lists as is."""
    return all(part.replace("_", "").replace(".", "").isalnum() for part in key.split())


RULE = Rule(
    name="sort-spills-to-disk",
    category=Category.PERFORMANCE,
    target=Target.PLAN_NODE,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.POSTGRES}),
)
