"""
## What it does
Finds Nested Loops whose inner side is run many times (100 by default) and scans a table
sequentially each time, or materializes one: the join has no index to look rows up by.

## Why is this bad?
A Nested Loop runs its inner side once per outer row. With an index on the join key each run is
a quick lookup; without one every run reads the whole inner table (or a materialized copy of it),
so the cost is outer rows × inner rows: 333 × 5,000 comparisons below, to find 103 matches. It
grows quadratically with the data. It usually means the join key has no index, or the planner
underestimated the outer side and would otherwise have picked a Hash Join.

## Example
```text
Nested Loop  (cost=0.00..46868.50 rows=83 width=9) (actual time=1.156..122.059 rows=103 loops=1)
  Join Filter: (c.id = k.customer_id)
  Rows Removed by Join Filter: 1664897
  ->  Seq Scan on customers c  (cost=0.00..415.00 rows=333 width=4) (actual time=0.006..0.812 rows=333 loops=1)
        Filter: ((id <= 1000) AND (region = 'eu'::text))
        Rows Removed by Filter: 19667
  ->  Seq Scan on coupons k  (cost=0.00..77.00 rows=5000 width=9) (actual time=0.001..0.191 rows=5000 loops=333)
Execution Time: 122.103 ms
```

## Use instead
An index on the inner table's join key, `CREATE INDEX CONCURRENTLY ON coupons (customer_id)`:
```text
Nested Loop  (cost=0.57..316.52 rows=83 width=9) (actual time=0.082..0.358 rows=103 loops=1)
  ->  Index Scan using customers_pkey on customers c  (cost=0.29..41.29 rows=333 width=4) (actual time=0.016..0.099 rows=333 loops=1)
        Index Cond: (id <= 1000)
        Filter: (region = 'eu'::text)
        Rows Removed by Filter: 667
  ->  Index Scan using coupons_customer_id_idx on coupons k  (cost=0.28..0.82 rows=1 width=9) (actual time=0.001..0.001 rows=0 loops=333)
        Index Cond: (customer_id = c.id)
Execution Time: 0.409 ms
```
Without `ANALYZE` the outer side's estimated rows stand in for the loop count.

## Fix safety
Creating the index `CONCURRENTLY` does not block writes but cannot run in a transaction, and the
index costs some write speed. If the index exists and is not used, fix the outer estimate instead
(see `row-estimate-off`). Manual.

## References
- https://www.postgresql.org/docs/current/planner-optimizer.html
- https://www.postgresql.org/docs/current/using-explain.html
"""

from collections.abc import Iterator

from dbexpert.model import Category, Engine, Finding
from dbexpert.model.plan import NodeInPlan, PlanNode
from dbexpert.rules.context import RuleContext
from dbexpert.rules.plan._plan import join_columns, location, table_name
from dbexpert.rules.registry import Rule, Target


def check(site: NodeInPlan, ctx: RuleContext) -> Iterator[Finding]:
    node = site.node
    if node.node_type != "Nested Loop" or len(node.children) != 2:
        return
    outer, inner = node.children
    loops = _loops(outer, inner)
    if loops is None or loops < ctx.option("min_loops"):
        return
    scan = next((n for n in inner.walk() if n.is_seq_scan and n.relation), None)
    if scan is None:
        return
    table = table_name(scan)
    columns = join_columns(node.join_filter, scan.alias) or join_columns(scan.filter, scan.alias)
    sql = f"CREATE INDEX CONCURRENTLY ON {table} ({', '.join(columns)});" if columns else None
    yield ctx.finding(
        f"Nested Loop runs its inner side {loops:,.0f} times, and each run scans {table} "
        "sequentially: index the join key, or let the planner hash-join.",
        location=location(site),
        fix=f"Index {table} on the join key ({', '.join(columns) or 'see the join condition'}).",
        sql=sql,
        evidence={
            "inner_loops": int(loops),
            "inner_table": table,
            "inner_rows_per_loop": scan.actual_rows if scan.analyzed else scan.plan_rows,
            "rows_removed_by_join_filter": node.rows_removed_by_join_filter,
            "join_filter": node.join_filter,
            "source": "EXPLAIN ANALYZE" if inner.analyzed else "EXPLAIN (planner estimates)",
        },
    )


def _loops(outer: PlanNode, inner: PlanNode) -> float | None:
    """How often the inner side runs: measured with ANALYZE, else the outer side's estimated rows."""
    if inner.actual_loops is not None:
        return inner.actual_loops
    return outer.plan_rows


RULE = Rule(
    name="nested-loop-large-outer",
    category=Category.PERFORMANCE,
    target=Target.PLAN_NODE,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.POSTGRES}),
    options={"min_loops": 100},
)
