"""
## What it does
Finds hash joins and hash aggregates whose hash table did not fit in memory and spilled to disk.
In a plan run with `EXPLAIN ANALYZE`: a `Hash` node with `Batches:` above 1, or a `HashAggregate`
that wrote partitions to disk (`Disk Usage:`, PostgreSQL 13+).

## Why is this bad?
A hash table larger than `work_mem × hash_mem_multiplier` is split into batches: all but the first
are written to temporary files and read back, for both sides of a join. The query does several
times the I/O it needs and slows down as the data grows. The plan says how much memory the hash
used per batch, so the memory it needed is known: give the query that much (`SET LOCAL`), not the
whole server.

## Example
```text
Hash Join  (cost=696.00..8668.76 rows=24594 width=19) (actual time=4.337..37.860 rows=25263 loops=1)
  Hash Cond: (o.customer_id = c.id)
  Buffers: shared hit=2676, temp read=205 written=205
  ->  Seq Scan on orders o  (cost=0.00..7548.00 rows=24667 width=9) (actual time=0.080..27.492 rows=25263 loops=1)
        Filter: (total > '1400'::numeric)
        Rows Removed by Filter: 374737
        Buffers: shared hit=2548
  ->  Hash  (cost=328.00..328.00 rows=20000 width=18) (actual time=4.249..4.250 rows=20000 loops=1)
        Buckets: 2048  Batches: 16  Memory Usage: 78kB
        Buffers: shared hit=128, temp written=87
        ->  Seq Scan on customers c  (cost=0.00..328.00 rows=20000 width=18) (actual time=0.004..1.491 rows=20000 loops=1)
              Buffers: shared hit=128
Settings: work_mem = '64kB'
Execution Time: 38.603 ms
```

## Use instead
Enough memory for one batch (here `SET LOCAL work_mem = '16MB'`):
```text
Hash Join  (cost=578.00..8190.76 rows=24594 width=19) (actual time=3.292..32.988 rows=25263 loops=1)
  Hash Cond: (o.customer_id = c.id)
  Buffers: shared hit=2676
  ->  Seq Scan on orders o  (cost=0.00..7548.00 rows=24667 width=9) (actual time=0.064..25.245 rows=25263 loops=1)
        Filter: (total > '1400'::numeric)
        Rows Removed by Filter: 374737
        Buffers: shared hit=2548
  ->  Hash  (cost=328.00..328.00 rows=20000 width=18) (actual time=3.206..3.207 rows=20000 loops=1)
        Buckets: 32768  Batches: 1  Memory Usage: 1272kB
        Buffers: shared hit=128
        ->  Seq Scan on customers c  (cost=0.00..328.00 rows=20000 width=18) (actual time=0.003..1.194 rows=20000 loops=1)
              Buffers: shared hit=128
Settings: work_mem = '16MB'
Execution Time: 33.750 ms
```

## Fix safety
`SET LOCAL` changes only the current transaction. Raising `work_mem` (or `hash_mem_multiplier`)
server-wide multiplies by every hash and sort of every connection and can exhaust memory. The
memory needed is estimated from the batches and the memory per batch the plan reports. Manual.

## References
- https://www.postgresql.org/docs/current/runtime-config-resource.html#GUC-WORK-MEM
- https://www.postgresql.org/docs/current/runtime-config-resource.html#GUC-HASH-MEM-MULTIPLIER
- https://www.postgresql.org/docs/current/using-explain.html#USING-EXPLAIN-ANALYZE
"""

from collections.abc import Iterator

from dbexpert.model import Category, Engine, Finding
from dbexpert.model.plan import NodeInPlan, PlanNode
from dbexpert.rules.context import RuleContext
from dbexpert.rules.plan._plan import location, pretty_kb, table_name, work_mem_for
from dbexpert.rules.registry import Rule, Target

_AGGREGATES = frozenset({"HashAggregate", "Aggregate", "MixedAggregate"})


def check(site: NodeInPlan, ctx: RuleContext) -> Iterator[Finding]:
    node = site.node
    batches = node.hash_batches or 0
    disk_kb = node.disk_usage_kb or 0
    if node.node_type == "Hash":
        if batches < ctx.option("min_batches"):
            return
        kind = "hash join"
        # Each batch held about as much as the peak in memory: all of them at once is what fits.
        needed_kb = (node.peak_memory_kb or 0) * batches
    elif node.node_type in _AGGREGATES and (batches >= ctx.option("min_batches") or disk_kb > 0):
        kind = "hash aggregate"
        needed_kb = (node.peak_memory_kb or 0) + disk_kb
    else:
        return
    multiplier = _float(site.plan.settings.get("hash_mem_multiplier"), 2.0)  # PostgreSQL 15 default
    work_mem = work_mem_for(needed_kb / multiplier * 1.5)  # headroom: in memory rows take more than on disk
    source = _input(node)
    table = table_name(source) if source is not None else None
    what = f"{kind} on {table}" if table else kind
    yield ctx.finding(
        f"The {what} did not fit in memory: {batches} batches"
        + (f", {pretty_kb(disk_kb)} written to disk" if disk_kb else "")
        + f"; it needed about {pretty_kb(needed_kb)} (work_mem × hash_mem_multiplier).",
        location=location(site),
        fix=f"Give this query more hash memory: work_mem of about {work_mem} for this query (hash tables "
        f"may use work_mem × hash_mem_multiplier = {multiplier:g}; raising hash_mem_multiplier instead "
        "leaves sorts alone).",
        sql=f"SET LOCAL work_mem = '{work_mem}';",
        evidence={
            "batches": batches,
            "original_batches": node.original_hash_batches,
            "memory_kb": node.peak_memory_kb,
            "disk_kb": disk_kb or None,
            "needed_kb": needed_kb,
            "temp_written_blocks": node.temp_written,
            "work_mem": site.plan.settings.get("work_mem"),
            "source": "EXPLAIN ANALYZE (Batches, Memory Usage, Disk Usage)",
        },
    )


def _input(node: PlanNode) -> PlanNode | None:
    """The scan feeding a Hash node, through any nodes in between."""
    return next((n for n in node.walk() if n.relation), None)


def _float(value: str | None, default: float) -> float:
    try:
        return float(value) if value else default
    except ValueError:
        return default


RULE = Rule(
    name="hash-spills-to-disk",
    category=Category.PERFORMANCE,
    target=Target.PLAN_NODE,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.POSTGRES}),
    options={"min_batches": 2},
)
