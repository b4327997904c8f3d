"""
## What it does
Finds a `Limit` that read many more rows than it returned, in a plan run with `EXPLAIN ANALYZE`:
the signature of `LIMIT n OFFSET m` with a large `m`.

## Why is this bad?
`OFFSET` does not skip rows: the query produces all `m` rows, in order, and throws them away. Page
1,000 of a listing costs a thousand pages of work, and gets slower as users page further. Keyset
pagination ("seek") remembers the sort key of the last row shown and starts after it, so every page
costs the same.

## Example
```text
Limit  (cost=9710.67..9711.32 rows=20 width=9) (actual time=42.898..42.901 rows=20 loops=1)
  Buffers: shared hit=1911 read=822
  ->  Index Scan using orders_pkey on orders  (cost=0.42..12947.42 rows=400000 width=9) (actual time=0.087..35.256 rows=300020 loops=1)
        Buffers: shared hit=1911 read=822
Execution Time: 42.920 ms
```

## Use instead
`SELECT id, total FROM orders WHERE id > 300000 ORDER BY id LIMIT 20` (the last `id` of the
previous page):
```text
Limit  (cost=0.42..1.12 rows=20 width=9) (actual time=0.094..0.097 rows=20 loops=1)
  ->  Index Scan using orders_pkey on orders  (cost=0.42..3489.46 rows=99945 width=9) (actual time=0.093..0.096 rows=20 loops=1)
        Index Cond: (id > 300000)
Execution Time: 0.107 ms
```

## Fix safety
Keyset pagination changes the API: clients pass the last key instead of a page number, and the
`ORDER BY` must be unique (add the primary key as a tie-breaker) and backed by an index. Jumping to
an arbitrary page number is no longer possible. Manual.

## References
- https://www.postgresql.org/docs/current/queries-limit.html
- https://use-the-index-luke.com/no-offset
"""

from collections.abc import Iterator

from dbexpert.model import Category, Engine, Finding
from dbexpert.model.plan import NodeInPlan, PlanNode
from dbexpert.rules.context import RuleContext
from dbexpert.rules.plan._plan import SORTS, location, table_name
from dbexpert.rules.registry import Rule, Target


def check(site: NodeInPlan, ctx: RuleContext) -> Iterator[Finding]:
    node = site.node
    if node.node_type != "Limit" or not node.children or node.actual_rows is None:
        return
    child = node.children[0]
    if child.actual_rows is None:
        return
    read = child.actual_rows * (child.actual_loops or 1)
    returned = node.actual_rows * (node.actual_loops or 1)
    discarded = read - returned
    if discarded < ctx.option("min_discarded_rows") or discarded < read * ctx.option("min_discarded_fraction"):
        return
    keys, source = _order(child)
    table = table_name(source) if source is not None else None
    key_list = ", ".join(keys) if keys else f"<the columns of {child.index_name or 'the ORDER BY'}>"
    last = ", ".join(f":last_{k.split('.')[-1].split()[0]}" for k in keys) if keys else ":last_seen"
    rewrite = (
        "-- keyset pagination: start after the last row of the previous page instead of OFFSET\n"
        f"SELECT ... FROM {table or '...'}\nWHERE ({key_list}) > ({last})\n"
        f"ORDER BY {key_list}\nLIMIT {int(returned) or 'n'};"
    )
    yield ctx.finding(
        f"Limit read {read:,.0f} rows to return {returned:,.0f}: an OFFSET discarded {discarded:,.0f} "
        f"({discarded / read:.0%}); keyset pagination reads only the page.",
        location=location(site),
        fix="Paginate by key: remember the ORDER BY values of the last row and filter on them "
        "(WHERE (key) > (:last) ORDER BY key LIMIT n) instead of OFFSET.",
        sql=rewrite,
        evidence={
            "rows_read": int(read),
            "rows_returned": int(returned),
            "rows_discarded": int(discarded),
            "order_by": keys,
            "index": child.index_name,
            "source": "EXPLAIN ANALYZE (Limit rows vs its input's rows)",
        },
    )


def _order(child: PlanNode) -> tuple[list[str], PlanNode | None]:
    """The ORDER BY keys if a Sort below says them, and the scanned table."""
    scan = next((n for n in child.walk() if n.relation), None)
    sort = next((n for n in child.walk() if n.node_type in SORTS), None)
    keys = [k.removesuffix(" DESC") for k in sort.sort_key] if sort is not None else []
    return keys, scan


RULE = Rule(
    name="large-offset-discards-rows",
    category=Category.PERFORMANCE,
    target=Target.PLAN_NODE,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.POSTGRES}),
    options={"min_discarded_rows": 10_000, "min_discarded_fraction": 0.9},
)
