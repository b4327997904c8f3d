"""
## What it does
Finds loops in SQLite's `EXPLAIN QUERY PLAN` that use an index SQLite builds for this one statement.

They show as `AUTOMATIC INDEX`, `AUTOMATIC COVERING INDEX` or `AUTOMATIC PARTIAL (COVERING) INDEX`:
no permanent index serves the lookup. The rule names the permanent index to create from the
automatic index's constraint `(customer_id=?)`.

Automatic indexes on subqueries, views and CTEs (`MATERIALIZE`, `CO-ROUTINE`, `WITH` names) are not
reported: no permanent index can replace them.

## Why is this bad?
SQLite builds the automatic index on every execution of the statement: it reads the whole table,
sorts it and throws the index away when the statement ends. That is cheaper than a nested-loop scan,
which is why the planner does it, but a permanent index costs nothing per query. The automatic
index also tells exactly which columns the query looks up.

## Example
```text
sqlite> EXPLAIN QUERY PLAN SELECT c.name, o.total FROM customers c CROSS JOIN orders o ON o.customer_id = c.id;
QUERY PLAN
|--SCAN c
`--SEARCH o USING AUTOMATIC COVERING INDEX (customer_id=?)
```

## Use instead
```text
sqlite> CREATE INDEX orders_customer_id_idx ON orders (customer_id);
sqlite> EXPLAIN QUERY PLAN SELECT c.name, o.total FROM customers c CROSS JOIN orders o ON o.customer_id = c.id;
QUERY PLAN
|--SCAN c
`--SEARCH o USING INDEX orders_customer_id_idx (customer_id=?)
```

## Fix safety
The permanent index costs space and write time on every insert and update of the table; for a
query that runs rarely the automatic index may be the better trade. A partial automatic index
follows the query's WHERE clause: a partial permanent index (`CREATE INDEX ... WHERE ...`) can do
the same. Manual.

## References
- https://www.sqlite.org/optoverview.html#automatic_indexes
- https://www.sqlite.org/eqp.html
- https://www.sqlite.org/pragma.html#pragma_automatic_index
"""

from collections.abc import Iterator

from dbexpert.model import Category, Engine, Finding
from dbexpert.model.plan import NodeInPlan
from dbexpert.rules.context import RuleContext
from dbexpert.rules.plan._plan import location
from dbexpert.rules.plan._sqlite import NO_COUNTS, constraint_columns, create_index, derived_names, table_of
from dbexpert.rules.registry import Rule, Target


def check(site: NodeInPlan, ctx: RuleContext) -> Iterator[Finding]:
    node, plan = site.node, site.plan
    if not node.attrs.get("automatic") or node.relation is None:
        return
    table, shown = table_of(node, plan)
    if shown in derived_names(plan) or table in derived_names(plan):
        return
    # Equality columns first, then at most one range column: the order SQLite can use an index in.
    constraint = constraint_columns(node)
    columns = [c for c, op in constraint if op in ("=", "IS", "IN")]
    columns += [c for c, op in constraint if c not in columns][:1]
    if not columns:
        return
    # Newer SQLite prints only the alias; without the query it cannot be mapped back to its table.
    renamed = node.alias is None and table == shown and not plan.attrs.get("query")
    yield ctx.finding(
        f"SQLite builds {node.index_name} on {table} ({', '.join(columns)}) on every run of this statement: "
        "create it as a permanent index.",
        location=location(site),
        fix=f"Create the index the planner builds on the fly: {table} ({', '.join(columns)})."
        + (f" `{shown}` may be an alias: use its table's name." if renamed else ""),
        sql=create_index(table, columns),
        evidence={
            "detail": node.attrs.get("detail"),
            "table": table,
            "columns": columns,
            "partial": bool(node.attrs.get("partial")),
            "source": NO_COUNTS + "; the index is rebuilt by every execution",
        },
    )


RULE = Rule(
    name="sqlite-automatic-index",
    category=Category.PERFORMANCE,
    target=Target.PLAN_NODE,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.SQLITE}),
)
