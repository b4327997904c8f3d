"""
## What it does
Finds `Gather` and `Gather Merge` nodes that launched fewer parallel workers than the planner
planned (`Workers Planned: 2`, `Workers Launched: 0`), in a plan run with `EXPLAIN ANALYZE`.

## Why is this bad?
The plan was chosen, and its cost computed, for the planned number of processes. Workers come
from a pool shared by the whole server (`max_parallel_workers`, itself within
`max_worker_processes`); when it is empty the leader does all the work alone and the query runs
up to several times slower than the planner expected, typically only under load.

## Example
```text
Gather Merge  (cost=6077.50..6077.54 rows=4 width=14) (actual time=61.440..61.542 rows=4 loops=1)
  Workers Planned: 1
  Workers Launched: 0
  Buffers: shared hit=2548
  ->  Sort  (cost=6077.49..6077.50 rows=4 width=14) (actual time=61.276..61.278 rows=4 loops=1)
        Sort Key: status
        Sort Method: quicksort  Memory: 25kB
        ->  Partial HashAggregate  (cost=6077.41..6077.45 rows=4 width=14) (actual time=61.257..61.259 rows=4 loops=1)
              Group Key: status
              ->  Parallel Seq Scan on orders  (cost=0.00..4900.94 rows=235294 width=6) (actual time=0.011..18.746 rows=400000 loops=1)
Settings: max_parallel_workers = '0'
Execution Time: 61.587 ms
```

## Use instead
Every planned worker launched:
```text
Gather Merge  (cost=6077.50..6077.54 rows=4 width=14) (actual time=32.685..36.928 rows=8 loops=1)
  Workers Planned: 1
  Workers Launched: 1
  Buffers: shared hit=2556
  ->  Sort  (cost=6077.49..6077.50 rows=4 width=14) (actual time=30.229..30.230 rows=4 loops=2)
        Sort Key: status
        Sort Method: quicksort  Memory: 25kB
        ->  Partial HashAggregate  (cost=6077.41..6077.45 rows=4 width=14) (actual time=30.191..30.193 rows=4 loops=2)
              Group Key: status
              ->  Parallel Seq Scan on orders  (cost=0.00..4900.94 rows=235294 width=6) (actual time=0.009..9.425 rows=200000 loops=2)
Execution Time: 36.979 ms
```

## Fix safety
More parallel workers use more CPU and memory at once; `max_worker_processes` needs a restart and
also bounds other background workers (logical replication, extensions). Check how many parallel
workers are busy (`SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'parallel worker'`)
before raising the limits. Manual.

## References
- https://www.postgresql.org/docs/current/how-parallel-query-works.html
- https://www.postgresql.org/docs/current/runtime-config-resource.html#GUC-MAX-PARALLEL-WORKERS
- https://www.postgresql.org/docs/current/runtime-config-resource.html#GUC-MAX-WORKER-PROCESSES
"""

from collections.abc import Iterator

from dbexpert.model import Category, Engine, Finding
from dbexpert.model.plan import NodeInPlan
from dbexpert.rules.context import RuleContext
from dbexpert.rules.plan._plan import location
from dbexpert.rules.registry import Rule, Target


def check(site: NodeInPlan, ctx: RuleContext) -> Iterator[Finding]:
    node = site.node
    planned, launched = node.workers_planned, node.workers_launched
    if node.node_type not in {"Gather", "Gather Merge"} or planned is None or launched is None:
        return
    if planned - launched < ctx.option("min_missing_workers"):
        return
    settings = site.plan.settings
    yield ctx.finding(
        f"{node.node_type} planned {planned} parallel worker{'s' if planned != 1 else ''} but launched "
        f"{launched}: the leader did the work of {planned - launched + 1} processes.",
        location=location(site),
        fix="Make room in the parallel worker pool: raise max_parallel_workers (and max_worker_processes, "
        "which bounds it and needs a restart), or run fewer parallel queries at once.",
        sql="SHOW max_parallel_workers;  -- compare with busy workers in pg_stat_activity\n"
        f"ALTER SYSTEM SET max_parallel_workers = {max(8, planned * 4)};\n"
        "SELECT pg_reload_conf();\n"
        f"-- max_worker_processes must be at least as large (restart needed):\n"
        f"ALTER SYSTEM SET max_worker_processes = {max(8, planned * 4)};",
        evidence={
            "workers_planned": planned,
            "workers_launched": launched,
            "max_parallel_workers": settings.get("max_parallel_workers"),
            "max_worker_processes": settings.get("max_worker_processes"),
            "source": "EXPLAIN ANALYZE (Workers Planned, Workers Launched)",
        },
    )


RULE = Rule(
    name="parallel-workers-not-launched",
    category=Category.PERFORMANCE,
    target=Target.PLAN_NODE,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.POSTGRES}),
    options={"min_missing_workers": 1},
)
