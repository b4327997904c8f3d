"""
## What it does
Finds sequential scans that read many rows only to throw most of them away in a `Filter`, in a
plan run with `EXPLAIN ANALYZE`.

## Why is this bad?
A sequential scan reads every page of the table, whatever the filter keeps. When the filter
removes most rows (say 198,000 of 200,000), nearly all of that work is wasted: the query gets
slower as the table grows, pulls the whole table through shared buffers and evicts hotter pages.
An index on the filtered columns lets PostgreSQL read only the matching rows.

## Example
```text
Seq Scan on orders  (cost=0.00..3974.00 rows=2000 width=31) (actual time=0.008..9.212 rows=2000 loops=1)
  Filter: (status = 'refunded'::text)
  Rows Removed by Filter: 198000
  Buffers: shared hit=1474
Planning Time: 0.257 ms
Execution Time: 9.306 ms
```

## Use instead
An index on the filtered column, `CREATE INDEX CONCURRENTLY orders_status_idx ON orders (status)`:
```text
Index Scan using orders_status_idx on orders  (cost=0.29..289.60 rows=2167 width=31) (actual time=0.016..2.191 rows=2000 loops=1)
  Index Cond: (status = 'refunded'::text)
  Buffers: shared hit=1474 read=4
Planning Time: 0.293 ms
Execution Time: 2.281 ms
```
When only a few values are queried, a partial index (`... WHERE status = 'refunded'`) is smaller.
Put equality columns first in a multicolumn index.

## Fix safety
Creating an index with `CONCURRENTLY` does not block writes, but it takes longer, cannot run in a
transaction, and every index slows inserts and updates a little. The column list is read from the
filter text: check it (expressions such as `lower(email)` need an expression index). Manual.

## References
- https://www.postgresql.org/docs/current/using-explain.html
- https://www.postgresql.org/docs/current/indexes-types.html
- https://www.postgresql.org/docs/current/sql-createindex.html#SQL-CREATEINDEX-CONCURRENTLY
"""

from collections.abc import Iterator

from dbexpert.model import Category, Engine, Finding
from dbexpert.model.plan import NodeInPlan
from dbexpert.rules.context import RuleContext
from dbexpert.rules.plan._plan import compared_columns, location, table_name
from dbexpert.rules.registry import Rule, Target


def check(site: NodeInPlan, ctx: RuleContext) -> Iterator[Finding]:
    node = site.node
    if not node.is_seq_scan or not node.filter or node.rows_removed_by_filter is None:
        return
    read = node.rows_read or 0
    removed = node.rows_removed_total
    if read < ctx.option("min_rows") or removed < read * ctx.option("min_removed_fraction"):
        return
    table = table_name(node) or "the table"
    columns = compared_columns(node.filter, node.alias)
    sql = None
    if columns and node.relation:
        sql = f"CREATE INDEX CONCURRENTLY ON {table} ({', '.join(columns)});"
    yield ctx.finding(
        f"Seq Scan on {table} reads {read:,.0f} rows and its filter removes {removed:,.0f} of them "
        f"({removed / read:.0%}): an index on the filtered columns would read only the matches.",
        location=location(site),
        fix=f"Index {table} on the filtered columns ({', '.join(columns) or 'see the filter'}).",
        sql=sql,
        evidence={
            "rows_read": int(read),
            "rows_removed_by_filter": int(removed),
            "rows_returned": int((node.actual_rows or 0) * (node.actual_loops or 1)),
            "loops": node.actual_loops,
            "filter": node.filter,
            "columns": columns,
            "source": "EXPLAIN ANALYZE",
        },
    )


RULE = Rule(
    name="seq-scan-large-filter",
    category=Category.PERFORMANCE,
    target=Target.PLAN_NODE,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.POSTGRES}),
    options={"min_rows": 10_000, "min_removed_fraction": 0.9},
)
