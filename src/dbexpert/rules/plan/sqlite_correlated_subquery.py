"""
## What it does
Finds correlated subqueries in SQLite's `EXPLAIN QUERY PLAN` that read their table without a permanent index.

They show as `CORRELATED SCALAR SUBQUERY n`, `CORRELATED LIST SUBQUERY n` (`EXECUTE CORRELATED ...`
before 3.24) above a `SCAN`, a `SEARCH` without an index, or an `AUTOMATIC` index. SQLite runs
such a subquery again for every row of the outer query.

Option `report_indexed` (default `false`): also report correlated subqueries that search a
permanent index (they still run once per outer row, but each run is cheap).

## Why is this bad?
The subquery's cost is multiplied by the number of outer rows: a subquery that scans a table of
N rows for each of M outer rows reads N × M rows. Rewritten as a join over a grouped subquery it
is computed once; or an index on the correlated column makes each run a quick `SEARCH`.

## Example
```text
sqlite> EXPLAIN QUERY PLAN SELECT * FROM orders o WHERE o.total > (SELECT avg(total) FROM orders o2 WHERE o2.customer_id = o.customer_id);
QUERY PLAN
|--SCAN o
`--CORRELATED SCALAR SUBQUERY 1
   `--SCAN o2
```

## Use instead
Compute the per-customer averages once and join them:
```text
sqlite> EXPLAIN QUERY PLAN SELECT o.* FROM orders o JOIN (SELECT customer_id, avg(total) AS average FROM orders GROUP BY customer_id) a ON a.customer_id = o.customer_id WHERE o.total > a.average;
QUERY PLAN
|--MATERIALIZE a
|  |--SCAN orders
|  `--USE TEMP B-TREE FOR GROUP BY
|--SCAN o
`--SEARCH a USING AUTOMATIC COVERING INDEX (customer_id=?)
```
or keep the subquery and index its correlation column
(`CREATE INDEX orders_customer_id_idx ON orders (customer_id);`), which turns `SCAN o2` into
`SEARCH o2 USING INDEX orders_customer_id_idx (customer_id=?)`.

## Fix safety
The join rewrite must keep the subquery's semantics: a scalar subquery that finds no row yields
NULL (use a LEFT JOIN), and one that finds several rows is an error in other databases but not in
SQLite, which takes the first. Review the rewrite; an index is always safe. Manual.

## References
- https://www.sqlite.org/eqp.html
- https://www.sqlite.org/optoverview.html#subquery_flattening
- https://www.sqlite.org/lang_expr.html#subqueries
"""

from collections.abc import Iterator

from dbexpert.model import Category, Engine, Finding
from dbexpert.model.plan import NodeInPlan, PlanNode
from dbexpert.rules.context import RuleContext
from dbexpert.rules.plan._plan import location
from dbexpert.rules.plan._sqlite import (
    LOOPS,
    NO_COUNTS,
    constraint_columns,
    create_index,
    filtered_columns,
    table_of,
)
from dbexpert.rules.registry import Rule, Target


def check(site: NodeInPlan, ctx: RuleContext) -> Iterator[Finding]:
    node, plan = site.node, site.plan
    if not node.node_type.startswith("CORRELATED"):
        return
    loops = [n for n in node.walk() if n.node_type in LOOPS and n.relation]
    unindexed = [n for n in loops if _without_permanent_index(n)]
    if not loops or not (unindexed or ctx.option("report_indexed")):
        return
    inner = (unindexed or loops)[0]
    table, shown = table_of(inner, plan)
    columns = [column for column, _ in constraint_columns(inner)] or filtered_columns(plan, shown, table)
    statements = [create_index(table, columns)] if columns and unindexed else []
    how = inner.attrs.get("detail", inner.label)
    yield ctx.finding(
        f"{node.attrs.get('detail', node.node_type)} runs once per outer row and reads {table} by `{how}`: "
        "rewrite it as a join or index its correlation column.",
        location=location(site),
        fix=(
            "Rewrite the correlated subquery as a JOIN over a subquery grouped by the correlation column "
            "(computed once), or "
            + (f"index {table} ({', '.join(columns)}) so each run is a SEARCH." if statements else "keep it indexed.")
        ),
        sql="\n".join(statements) or None,
        evidence={
            "detail": node.attrs.get("detail"),
            "inner_loop": how,
            "table": table,
            "columns": columns,
            "permanent_index": not unindexed,
            "source": NO_COUNTS + "; the subquery runs once per row of the outer loop",
        },
    )


def _without_permanent_index(node: PlanNode) -> bool:
    return node.index_name is None or bool(node.attrs.get("automatic"))


RULE = Rule(
    name="sqlite-correlated-subquery",
    category=Category.PERFORMANCE,
    target=Target.PLAN_NODE,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.SQLITE}),
    options={"report_indexed": False},
)
