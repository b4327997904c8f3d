"""
## What it does
Finds `USE TEMP B-TREE FOR ORDER BY` / `GROUP BY` / `DISTINCT` in SQLite's `EXPLAIN QUERY PLAN`.

SQLite collects the rows into a temporary b-tree to sort or group them because no index returns
them in that order; the rule names the index that would.

The index starts with the columns the loop's `SEARCH` constraint compares with `=` (they keep the
rows in index order), then the sort or grouping columns, taken from the query when it was pasted
with the plan (`sqlite> EXPLAIN QUERY PLAN SELECT ...;`). Option `purposes` (default `["ORDER BY",
"GROUP BY", "DISTINCT"]`) chooses which temporary b-trees are reported.

## Why is this bad?
The temporary b-tree holds every matching row before the first one is returned: the whole result
is read and sorted on each execution, a `LIMIT` does not stop the scan early, and big results
spill to temporary files. With an index in the sort order SQLite walks the index and stops after
`LIMIT` rows.

## Example
```text
sqlite> EXPLAIN QUERY PLAN SELECT * FROM orders WHERE status = 'paid' ORDER BY created_at;
QUERY PLAN
|--SEARCH orders USING INDEX orders_status (status=?)
`--USE TEMP B-TREE FOR ORDER BY
```

## Use instead
```text
sqlite> CREATE INDEX orders_status_created_at_idx ON orders (status, created_at);
sqlite> EXPLAIN QUERY PLAN SELECT * FROM orders WHERE status = 'paid' ORDER BY created_at;
QUERY PLAN
`--SEARCH orders USING INDEX orders_status_created_at_idx (status=?)
```

## Fix safety
A new index costs space and write time; the old single-column index it extends can usually be
dropped afterwards. For a small result the sort is cheap: judge by how many rows the query
returns (EXPLAIN QUERY PLAN does not count them). Manual.

## References
- https://www.sqlite.org/eqp.html
- https://www.sqlite.org/queryplanner.html#sorting
- https://www.sqlite.org/optoverview.html#order_by_optimizations
"""

from collections.abc import Iterator

from dbexpert.model import Category, Engine, Finding
from dbexpert.model.plan import NodeInPlan
from dbexpert.rules.context import RuleContext
from dbexpert.rules.plan._plan import location
from dbexpert.rules.plan._sqlite import (
    LOOPS,
    NO_COUNTS,
    clause_columns,
    constraint_columns,
    create_index,
    derived_names,
    table_of,
)
from dbexpert.rules.registry import Rule, Target


def check(site: NodeInPlan, ctx: RuleContext) -> Iterator[Finding]:
    node, plan = site.node, site.plan
    purpose = node.attrs.get("purpose")
    if node.node_type != "USE TEMP B-TREE" or purpose not in ctx.option("purposes"):
        return
    siblings = site.parent.children if site.parent is not None else ()
    loops = [n for n in siblings if n.node_type in LOOPS and n.relation]
    if not loops:
        return  # the rows come from a subquery or a compound SELECT: no single table to index
    loop = loops[0]  # the outermost loop decides the order the rows arrive in
    table, shown = table_of(loop, plan)
    if shown in derived_names(plan):
        return
    sort = clause_columns(plan, str(purpose))
    equal = [column for column, op in constraint_columns(loop) if op == "="]
    columns = [*equal, *(c for c in sort or () if c.split()[0] not in equal)]
    sql = create_index(table, columns) if sort else None
    fix = (
        f"Index {table} on ({', '.join(columns)}) so the rows come out of the index already in {purpose} order."
        if sort
        else f"Index {table} on {'(' + ', '.join(equal) + ', ' if equal else '('}<the {purpose} columns>) so "
        "the rows come out of the index in that order (paste the query with the plan to have them named)."
    )
    yield ctx.finding(
        f"SQLite sorts the rows of {shown} in a temporary b-tree for {node.attrs.get('for', purpose)}: "
        f"an index in that order avoids it.",
        location=location(site),
        fix=fix,
        sql=sql,
        evidence={
            "detail": node.attrs.get("detail"),
            "table": table,
            "loop": loop.attrs.get("detail"),
            "equality_columns": equal,
            "sort_columns": sort,
            "source": NO_COUNTS,
        },
    )


RULE = Rule(
    name="sqlite-temp-b-tree",
    category=Category.PERFORMANCE,
    target=Target.PLAN_NODE,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.SQLITE}),
    options={"purposes": ("ORDER BY", "GROUP BY", "DISTINCT")},
)
