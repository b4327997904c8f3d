"""
## What it does
Finds `SCAN t` loops in SQLite's `EXPLAIN QUERY PLAN` that read a whole table the query filters or joins.

It reports a scan of a table the query filters with a constant or a parameter (`WHERE total > ?`),
and a scan that runs as the inner loop of a join (a `SCAN` printed after another loop at the same
level), and names the index to create.

A scan that uses an index (`SCAN t USING COVERING INDEX i`), the scan of a subquery, view or CTE
(`CO-ROUTINE`, `MATERIALIZE`), `SCAN CONSTANT ROW`, the outer loop of a join and a query with no
filter are not reported, nor are scans inside a correlated subquery (`sqlite-correlated-subquery`
reports those). EXPLAIN QUERY PLAN shows no filter, so for a lone `SCAN` the rule needs the query:
paste the plan with its `sqlite> EXPLAIN QUERY PLAN SELECT ...;` line.

Option `report_filtered_scans` (default `true`): also report a lone scan whose table the query
filters; `false` keeps only scans in the inner loop of a join.

## Why is this bad?
A full scan reads every row of the table to keep a few. As the inner loop of a join it is repeated
for every row of the outer loop, which makes the join quadratic. An index on the filtered or
joined columns turns the scan into a `SEARCH t USING INDEX`.

## Example
```text
sqlite> EXPLAIN QUERY PLAN SELECT * FROM orders WHERE total > 100;
QUERY PLAN
`--SCAN orders
```

## Use instead
```text
sqlite> CREATE INDEX orders_total_idx ON orders (total);
sqlite> EXPLAIN QUERY PLAN SELECT * FROM orders WHERE total > 100;
QUERY PLAN
`--SEARCH orders USING INDEX orders_total_idx (total>?)
```

## Fix safety
Creating an index locks the table for writes while it is built and costs space and write time.
Run `ANALYZE` afterwards so the planner knows how selective it is; a filter that keeps most rows
is served as well by the scan. Manual.

## References
- https://www.sqlite.org/eqp.html
- https://www.sqlite.org/queryplanner.html
- https://www.sqlite.org/optoverview.html
"""

from collections.abc import Iterator

from dbexpert.model import Category, Engine, Finding
from dbexpert.model.plan import NodeInPlan
from dbexpert.rules.context import RuleContext
from dbexpert.rules.plan._plan import location
from dbexpert.rules.plan._sqlite import (
    NO_COUNTS,
    create_index,
    derived_names,
    earlier_loops,
    filtered_columns,
    literal_filters,
    table_of,
)
from dbexpert.rules.registry import Rule, Target


def check(site: NodeInPlan, ctx: RuleContext) -> Iterator[Finding]:
    node, plan = site.node, site.plan
    if node.node_type != "SCAN" or node.relation is None or node.index_name is not None:
        return
    if site.parent is not None and "SUBQUERY" in site.parent.node_type and "CORRELATED" in site.parent.node_type:
        return
    table, shown = table_of(node, plan)
    if shown in derived_names(plan) or table in derived_names(plan):
        return
    outer = earlier_loops(site)
    if outer:
        role = f"inner loop of a join, repeated for every row of {outer[-1].alias or outer[-1].relation}"
        columns = filtered_columns(plan, shown, table)
    elif ctx.option("report_filtered_scans"):
        role = "whole-table scan of a filtered table"
        columns = literal_filters(plan, shown, table)
        if not columns:
            return
    else:
        return
    sql = create_index(table, columns) if columns else None
    fix = (
        f"Index {table} on ({', '.join(columns)}) so SQLite can SEARCH it instead of reading every row."
        if columns
        else f"Index the columns {table} is joined on (EXPLAIN QUERY PLAN does not show them: paste the "
        "query with the plan to have them named)."
    )
    yield ctx.finding(
        f"SCAN {shown} reads the whole table {table} ({role}): create an index on the "
        f"{'columns ' + ', '.join(columns) if columns else 'join columns'}.",
        location=location(site),
        fix=fix,
        sql=sql,
        evidence={
            "detail": node.attrs.get("detail"),
            "table": table,
            "role": role,
            "columns": columns,
            "columns_from": "the query's WHERE/ON clauses" if columns else None,
            "source": NO_COUNTS,
        },
    )


RULE = Rule(
    name="sqlite-full-scan",
    category=Category.PERFORMANCE,
    target=Target.PLAN_NODE,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.SQLITE}),
    options={"report_filtered_scans": True},
)
