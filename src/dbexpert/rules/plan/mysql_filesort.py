"""
## What it does
Finds MySQL/MariaDB sorts (`Using filesort`: JSON `ordering_operation` with `using_filesort`,
MariaDB `filesort`, TREE `Sort:`) fed by table accesses that read many rows.

Option: `min_rows` (rows read to feed the sort, default 10,000).

## Why is this bad?
A filesort must read every qualifying row before it returns the first one, then sort them in the
sort buffer or on disk. An index whose columns are the `WHERE` equality columns followed by the
`ORDER BY` columns returns the rows already in order, reads only the matching ones, and lets a
`LIMIT` stop early.

## Example
```text
-> Sort: orders.created_at  (cost=2017.25 rows=19830)
    -> Filter: (orders.customer_id = 7)  (cost=2017.25 rows=1983)
        -> Table scan on orders  (cost=2017.25 rows=19830)
```

## Use instead
`CREATE INDEX orders_customer_id_created_at_idx ON orders (customer_id, created_at)`:
```text
-> Index lookup on orders using orders_customer_id_created_at_idx (customer_id=7)  (cost=3.50 rows=10)
```

## Fix safety
Building the index online (`ALGORITHM=INPLACE LOCK=NONE`) does not block writes in InnoDB, but it
costs a table read and slows writes a little. The sort keys are the plan's own; MySQL's JSON format
does not print them, so then only the advice is given. Manual.

## References
- https://dev.mysql.com/doc/refman/8.0/en/order-by-optimization.html
- https://mariadb.com/kb/en/filesort-with-small-limit-optimization/
"""

from collections.abc import Iterator

from dbexpert.model import Category, Engine, Finding
from dbexpert.model.plan import NodeInPlan
from dbexpert.rules.context import RuleContext
from dbexpert.rules.plan._mysql_plan import key_columns, ordered_index, rows_below
from dbexpert.rules.plan._plan import location
from dbexpert.rules.registry import Rule, Target


def check(site: NodeInPlan, ctx: RuleContext) -> Iterator[Finding]:
    node = site.node
    if not node.attrs.get("using_filesort") or node.attrs.get("using_temporary_table"):
        return
    # A sort of a grouped temporary table is the GROUP BY's: mysql-temporary-table reports it.
    if any(child.attrs.get("using_temporary_table") for child in node.children):
        return
    rows, accesses = rows_below(node, site.plan.format)
    if rows < ctx.option("min_rows"):
        return
    keys = key_columns(node.sort_key)
    columns, sql = ordered_index(accesses, keys)
    yield ctx.finding(
        f"Filesort on {', '.join(node.sort_key) or 'the ORDER BY columns'} over {rows:,.0f} rows read: "
        "an index on the WHERE equality columns then the ORDER BY columns returns them in order.",
        location=location(site),
        fix="Index the WHERE equality columns followed by the ORDER BY columns"
        + (f" ({', '.join(columns)})." if columns else "."),
        sql=sql,
        evidence={
            "rows_examined": int(rows),
            "sort_key": list(node.sort_key),
            "tables": [a.table for a in accesses],
            "columns": columns,
            "source": accesses[0].source if accesses else "EXPLAIN",
        },
    )


RULE = Rule(
    name="mysql-filesort",
    category=Category.PERFORMANCE,
    target=Target.PLAN_NODE,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.MYSQL}),
    options={"min_rows": 10_000},
)
