"""
## What it does
Finds compound MongoDB indexes that put a range field before an equality or sort field of the query.

It checks the index an `IXSCAN` uses against the query it serves, following the ESR guideline
(equality, sort, range): it reports an index whose key pattern puts a field the query
compares with a range (`$gt`, `$lt`, `$ne`, `$regex`, ...) before a field the query compares for
equality or sorts on, and gives the reordered index: equality fields, then the sort keys in their
directions, then range fields, then the index's other fields.

## Why is this bad?
Index bounds are exact only up to the first range field: every key after it is tested on each
index entry in that range, so MongoDB examines far more keys than it returns. A sort field after
a range field cannot give the order either, which adds a blocking in-memory `SORT`.

## Example
```json
{
  "queryPlanner": {
    "namespace": "shop.orders",
    "parsedQuery": { "$and": [ { "status": { "$eq": "paid" } }, { "total": { "$gt": 100 } } ] },
    "winningPlan": {
      "stage": "FETCH",
      "inputStage": {
        "stage": "IXSCAN", "keyPattern": { "total": 1, "status": 1, "created_at": 1 },
        "indexName": "total_1_status_1_created_at_1",
        "indexBounds": { "total": ["(100, inf.0]"], "status": ["[\\"paid\\", \\"paid\\"]"], "created_at": ["[MinKey, MaxKey]"] }
      }
    },
    "rejectedPlans": []
  },
  "command": { "find": "orders", "filter": { "status": "paid", "total": { "$gt": 100 } }, "sort": { "created_at": 1 }, "$db": "shop" },
  "ok": 1
}
```

## Use instead
```json
{
  "queryPlanner": {
    "namespace": "shop.orders",
    "parsedQuery": { "$and": [ { "status": { "$eq": "paid" } }, { "total": { "$gt": 100 } } ] },
    "winningPlan": {
      "stage": "FETCH",
      "inputStage": {
        "stage": "IXSCAN", "keyPattern": { "status": 1, "created_at": 1, "total": 1 },
        "indexName": "status_1_created_at_1_total_1",
        "indexBounds": { "status": ["[\\"paid\\", \\"paid\\"]"], "created_at": ["[MinKey, MaxKey]"], "total": ["(100, inf.0]"] }
      }
    },
    "rejectedPlans": []
  },
  "command": { "find": "orders", "filter": { "status": "paid", "total": { "$gt": 100 } }, "sort": { "created_at": 1 }, "$db": "shop" },
  "ok": 1
}
```

## Fix safety
Other queries may rely on the current order (a range-first index serves range-only queries on its
first field): create the reordered index, check those queries' plans, then drop the old one.
Building an index costs I/O and every index slows writes. Manual.

## References
- https://www.mongodb.com/docs/manual/tutorial/equality-sort-range-rule/
- https://www.mongodb.com/docs/manual/core/indexes/index-types/index-compound/
- https://www.mongodb.com/docs/manual/reference/explain-results/
"""

from collections.abc import Iterator

from dbexpert.model import Category, Engine, Finding
from dbexpert.model.plan import NodeInPlan
from dbexpert.rules.context import RuleContext
from dbexpert.rules.plan._mongodb import counts_source, create_index, key_pattern, shape
from dbexpert.rules.plan._plan import location
from dbexpert.rules.registry import Rule, Target


def check(site: NodeInPlan, ctx: RuleContext) -> Iterator[Finding]:
    node, plan = site.node, site.plan
    pattern = key_pattern(node)
    if node.node_type != "IXSCAN" or len(pattern) < 2:
        return
    query = shape(plan)
    sort_fields = [f for f, _ in query.sort]
    first_range = next((i for i, (f, _) in enumerate(pattern) if f in query.range), None)
    if first_range is None:
        return
    late = [f for f, _ in pattern[first_range + 1 :] if f in query.equality or f in sort_fields]
    if not late:
        return
    rest = [(f, d if d in (1, -1) else 1) for f, d in pattern if f not in query.fields]
    keys = query.esr_keys(rest)
    sql = create_index(plan, keys)
    range_field = pattern[first_range][0]
    yield ctx.finding(
        f"Index {node.index_name} puts the range field {range_field} before "
        f"{', '.join(late)} ({'equality/sort' if len(late) > 1 else 'equality' if late[0] in query.equality else 'sort'}): "
        "reorder it equality, sort, range.",
        location=location(site),
        fix=f"Create the index in ESR order, {sql}, check the other queries that use {node.index_name}, then drop it.",
        sql=sql,
        evidence={
            "index": node.index_name,
            "key_pattern": dict(pattern),
            "equality": list(query.equality),
            "sort": sort_fields,
            "range": list(query.range),
            "keys_examined": node.attrs.get("keysExamined"),
            "returned": node.actual_rows,
            "source": counts_source(plan),
        },
    )


RULE = Rule(
    name="mongodb-index-esr-order",
    category=Category.PERFORMANCE,
    target=Target.PLAN_NODE,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.MONGODB}),
)
