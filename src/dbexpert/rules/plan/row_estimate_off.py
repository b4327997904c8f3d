"""
## What it does
Finds plan nodes whose actual row count is far from the planner's estimate (10× by default, either
way) where that count feeds a join or a sort, in a plan run with `EXPLAIN ANALYZE`.

## Why is this bad?
The planner picks join methods, join order and sort strategies from its row estimates. An input
estimated at 11 rows that really returns 1,000 makes a Nested Loop look cheap when a Hash Join was
right, or sizes a sort or hash for memory it then overflows. The cause is usually stale statistics
(run `ANALYZE`) or columns that are correlated, which PostgreSQL assumes independent unless told
with extended statistics (`CREATE STATISTICS`). Only the lowest node of a chain of bad estimates is
reported: the ones above inherit its error.

## Example
```text
Sort  (cost=3719.12..3719.13 rows=1 width=7) (actual time=5.520..5.526 rows=100 loops=2)
  Sort Key: c.region
  Sort Method: quicksort  Memory: 34kB
  ->  Nested Loop  (cost=0.29..3719.11 rows=1 width=7) (actual time=0.013..5.489 rows=100 loops=2)
        ->  Parallel Seq Scan on events e  (cost=0.00..3634.71 rows=11 width=4) (actual time=0.007..4.689 rows=1000 loops=2)
              Filter: ((a = 1) AND (b = 1))
              Rows Removed by Filter: 99000
        ->  Index Scan using customers_pkey on customers c  (cost=0.29..7.67 rows=1 width=7) (actual time=0.001..0.001 rows=0 loops=2000)
              Index Cond: (id = e.id)
```

## Use instead
After `CREATE STATISTICS events_a_b (dependencies) ON a, b FROM events; ANALYZE events;` the
estimate is right and the planner picks a Hash Join:
```text
Sort  (cost=4207.26..4207.57 rows=124 width=7) (actual time=8.378..8.381 rows=100 loops=2)
  Sort Key: c.region
  Sort Method: quicksort  Memory: 34kB
  ->  Hash Join  (cost=565.00..4202.95 rows=124 width=7) (actual time=2.942..8.328 rows=100 loops=2)
        Hash Cond: (e.id = c.id)
        ->  Parallel Seq Scan on events e  (cost=0.00..3634.71 rows=1235 width=4) (actual time=0.014..5.293 rows=1000 loops=2)
              Filter: ((a = 1) AND (b = 1))
              Rows Removed by Filter: 99000
        ->  Hash  (cost=315.00..315.00 rows=20000 width=7) (actual time=2.791..2.792 rows=20000 loops=2)
              Buckets: 32768  Batches: 1  Memory Usage: 1064kB
              ->  Seq Scan on customers c  (cost=0.00..315.00 rows=20000 width=7) (actual time=0.007..1.158 rows=20000 loops=2)
```

## Fix safety
`ANALYZE` only reads a sample and takes no lock that blocks reads or writes; `CREATE STATISTICS`
is cheap and takes effect at the next `ANALYZE`. Neither changes results, but new estimates can
change other queries' plans too. Manual: check the columns, and raise the column's statistics
target (`ALTER TABLE … ALTER COLUMN … SET STATISTICS 1000`) for skewed values.

## References
- https://www.postgresql.org/docs/current/planner-stats.html#PLANNER-STATS-EXTENDED
- https://www.postgresql.org/docs/current/sql-createstatistics.html
- https://www.postgresql.org/docs/current/using-explain.html#USING-EXPLAIN-ANALYZE
"""

from collections.abc import Iterator

from dbexpert.model import Category, Engine, Finding
from dbexpert.model.plan import NodeInPlan, PlanNode
from dbexpert.rules.context import RuleContext
from dbexpert.rules.plan._plan import JOINS, SORTS, compared_columns, location, ratio, table_name
from dbexpert.rules.registry import Rule, Target


def check(site: NodeInPlan, ctx: RuleContext) -> Iterator[Finding]:
    node, parent = site.node, site.parent
    if parent is None or (parent.node_type not in JOINS and parent.node_type not in SORTS):
        return
    factor = ctx.option("min_factor")
    off = _off_by(node, ctx.option("min_rows"))
    if off < factor or any(_off_by(child, ctx.option("min_rows")) >= factor for child in node.children):
        return
    assert node.plan_rows is not None and node.actual_rows is not None  # _off_by checked
    table = table_name(node)
    columns = compared_columns(node.filter, node.alias) if table else []
    direction = "under" if node.actual_rows > node.plan_rows else "over"
    if table and len(columns) > 1:
        name = f"{node.relation}_{'_'.join(columns)}_stats"
        sql = f"CREATE STATISTICS {name} (dependencies, ndistinct, mcv) ON {', '.join(columns)} FROM {table};\nANALYZE {table};"
        fix = f"The filter combines {', '.join(columns)}: tell the planner they are correlated, then re-analyze."
    elif table:
        sql = f"ANALYZE {table};"
        fix = f"Refresh the statistics of {table}; if the estimate stays off, raise the column's statistics target."
    else:
        sql = None
        fix = "Refresh statistics (ANALYZE) on the tables below this node, or add extended statistics."
    yield ctx.finding(
        f"{node.label} was estimated at {node.plan_rows:,.0f} rows but returned {node.actual_rows:,.0f} "
        f"({off:.0f}× {direction}estimated), and it feeds a {parent.node_type}: the plan above it is "
        "built on a wrong number.",
        location=location(site),
        fix=fix,
        sql=sql,
        evidence={
            "estimated_rows": node.plan_rows,
            "actual_rows": node.actual_rows,
            "loops": node.actual_loops,
            "factor": round(off, 1),
            "feeds": parent.node_type,
            "filter": node.filter,
            "source": "EXPLAIN ANALYZE (rows per loop)",
        },
    )


def _off_by(node: PlanNode, min_rows: int) -> float:
    """The estimate error factor of an executed node, 1.0 when too small to matter or unknown."""
    if node.plan_rows is None or node.actual_rows is None or node.never_executed:
        return 1.0
    if max(node.plan_rows, node.actual_rows) < min_rows:
        return 1.0
    return ratio(node.plan_rows, node.actual_rows)


RULE = Rule(
    name="row-estimate-off",
    category=Category.PERFORMANCE,
    target=Target.PLAN_NODE,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.POSTGRES}),
    options={"min_factor": 10.0, "min_rows": 100},
)
