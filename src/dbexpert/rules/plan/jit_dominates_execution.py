"""
## What it does
Finds plans where JIT compilation took a large part of the execution time (the `JIT:` block's
`Timing: … Total`), in a plan run with `EXPLAIN ANALYZE`.

## Why is this bad?
PostgreSQL compiles expressions to machine code when a plan's estimated cost passes
`jit_above_cost` (inlining and optimization at higher thresholds). That pays off for long analytic
queries; for a query that runs in milliseconds the compilation itself is most of the time. Cost
estimates that are too high (bad statistics, many partitions) trigger it for short queries.

## Example
```text
GroupAggregate  (cost=230.18..231.44 rows=63 width=36) (actual time=120.982..120.990 rows=3 loops=1)
  Group Key: customer_id
  ->  Index Scan using orders_customer_idx on orders  (cost=0.42..228.29 rows=63 width=9) (actual time=120.809..120.933 rows=60 loops=1)
        Index Cond: ((customer_id >= 10) AND (customer_id <= 12))
Settings: jit_above_cost = '0', jit_inline_above_cost = '0', jit_optimize_above_cost = '0'
Planning Time: 0.135 ms
JIT:
  Functions: 9
  Options: Inlining true, Optimization true, Expressions true, Deforming true
  Timing: Generation 0.369 ms, Inlining 59.541 ms, Optimization 32.367 ms, Emission 28.862 ms, Total 121.139 ms
Execution Time: 209.325 ms
```

## Use instead
JIT only where the query runs long enough to gain from it:
```text
Aggregate  (cost=43410.04..43410.05 rows=1 width=64) (actual time=417.219..417.222 rows=1 loops=1)
  ->  Seq Scan on orders o1  (cost=0.00..6548.00 rows=400000 width=11) (actual time=0.021..25.867 rows=400000 loops=1)
JIT:
  Functions: 8
  Options: Inlining false, Optimization false, Expressions true, Deforming true
  Timing: Generation 0.258 ms, Inlining 0.000 ms, Optimization 0.142 ms, Emission 3.799 ms, Total 4.198 ms
Execution Time: 418.136 ms
```

## Fix safety
`SET LOCAL jit = off` affects only the current transaction. Raising `jit_above_cost` (or the
inlining and optimization thresholds) server-wide also removes JIT from long queries that cost less
than the new threshold; check them. Manual.

## References
- https://www.postgresql.org/docs/current/jit-decision.html
- https://www.postgresql.org/docs/current/runtime-config-query.html#GUC-JIT-ABOVE-COST
"""

from collections.abc import Iterator

from dbexpert.model import Category, Engine, Finding, Location
from dbexpert.model.plan import NodeInPlan
from dbexpert.rules.context import RuleContext
from dbexpert.rules.registry import Rule, Target


def check(site: NodeInPlan, ctx: RuleContext) -> Iterator[Finding]:
    plan = site.plan
    jit = plan.jit
    if site.parent is not None or jit is None or jit.total_ms is None or not plan.execution_time:
        return
    share = jit.total_ms / plan.execution_time
    if jit.total_ms < ctx.option("min_jit_ms") or share < ctx.option("min_fraction"):
        return
    cost = plan.root.total_cost
    threshold = f"{max(100_000, int((cost or 0) * 10) + 1):_}".replace("_", "")
    phases = {
        "generation_ms": jit.generation_ms,
        "inlining_ms": jit.inlining_ms,
        "optimization_ms": jit.optimization_ms,
        "emission_ms": jit.emission_ms,
    }
    yield ctx.finding(
        f"JIT compilation took {jit.total_ms:,.1f} ms of the {plan.execution_time:,.1f} ms execution "
        f"({share:.0%}) for a plan of estimated cost {cost or 0:,.0f}: the query runs too briefly to gain from it.",
        location=Location(path=plan.path, line=jit.line or plan.root.line, column=1),
        fix="Turn JIT off for this query, or raise jit_above_cost (and the inline/optimize thresholds) "
        "above the cost of such short queries.",
        sql=f"SET LOCAL jit = off;\n-- or, server-wide, above this plan's cost:\n"
        f"ALTER SYSTEM SET jit_above_cost = {threshold};\nSELECT pg_reload_conf();",
        evidence={
            "jit_total_ms": jit.total_ms,
            "execution_time_ms": plan.execution_time,
            "time_share": round(min(share, 1.0), 3),
            "time_share_measured_by": "JIT Timing Total / Execution Time",
            "functions": jit.functions,
            **{k: v for k, v in phases.items() if v},
            "plan_cost": cost,
            "source": "EXPLAIN ANALYZE (JIT block)",
        },
    )


RULE = Rule(
    name="jit-dominates-execution",
    category=Category.PERFORMANCE,
    target=Target.PLAN_NODE,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.POSTGRES}),
    options={"min_jit_ms": 10.0, "min_fraction": 0.25},
)
