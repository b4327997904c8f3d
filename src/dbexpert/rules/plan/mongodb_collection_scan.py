"""
## What it does
Finds `COLLSCAN` stages in MongoDB `explain()` output for a query with a filter.

It names the index to create: `db.coll.createIndex({...})` with the filter's equality fields, then
the sort fields, then the range fields (the ESR guideline). A collection scan without a filter (the query wants every
document) is not reported, nor one that examined fewer than `min_docs_examined` documents (default
1000) when the plan was run with `executionStats`. With `queryPlanner` verbosity nothing was
counted and every filtered collection scan is reported.

## Why is this bad?
A collection scan reads every document of the collection and tests the filter on each: the cost
grows with the collection, not with the result, and it evicts useful data from the cache. An index
on the filtered fields lets MongoDB read only the matching keys.

## Example
```json
{
  "queryPlanner": {
    "namespace": "shop.orders",
    "parsedQuery": { "status": { "$eq": "refunded" } },
    "winningPlan": { "stage": "COLLSCAN", "filter": { "status": { "$eq": "refunded" } }, "direction": "forward" },
    "rejectedPlans": []
  },
  "executionStats": {
    "executionSuccess": true, "nReturned": 2000, "executionTimeMillis": 61,
    "totalKeysExamined": 0, "totalDocsExamined": 200000,
    "executionStages": {
      "stage": "COLLSCAN", "filter": { "status": { "$eq": "refunded" } },
      "nReturned": 2000, "executionTimeMillisEstimate": 52, "works": 200002, "advanced": 2000,
      "direction": "forward", "docsExamined": 200000
    }
  },
  "command": { "find": "orders", "filter": { "status": "refunded" }, "$db": "shop" },
  "ok": 1
}
```

## Use instead
After `db.orders.createIndex({ status: 1 })`:
```json
{
  "queryPlanner": {
    "namespace": "shop.orders",
    "parsedQuery": { "status": { "$eq": "refunded" } },
    "winningPlan": {
      "stage": "FETCH",
      "inputStage": {
        "stage": "IXSCAN", "keyPattern": { "status": 1 }, "indexName": "status_1",
        "direction": "forward", "indexBounds": { "status": ["[\\"refunded\\", \\"refunded\\"]"] }
      }
    },
    "rejectedPlans": []
  },
  "command": { "find": "orders", "filter": { "status": "refunded" }, "$db": "shop" },
  "ok": 1
}
```

## Fix safety
Building an index on a large collection takes time and I/O (it no longer blocks the collection
since 4.2, but it competes with the workload) and every index slows writes. Filters combined with
`$or`, `$expr` or `$text` need other indexes (one per `$or` branch, a text index). Manual.

## References
- https://www.mongodb.com/docs/manual/reference/explain-results/
- https://www.mongodb.com/docs/manual/tutorial/equality-sort-range-rule/
- https://www.mongodb.com/docs/manual/tutorial/analyze-query-plan/
"""

from collections.abc import Iterator

from dbexpert.model import Category, Engine, Finding
from dbexpert.model.plan import NodeInPlan
from dbexpert.rules.context import RuleContext
from dbexpert.rules.plan._mongodb import counts_source, create_index, shape
from dbexpert.rules.plan._plan import location
from dbexpert.rules.registry import Rule, Target


def check(site: NodeInPlan, ctx: RuleContext) -> Iterator[Finding]:
    node, plan = site.node, site.plan
    if node.node_type != "COLLSCAN":
        return
    query = shape(plan, node)
    if not query.fields and not query.unindexable:
        return  # no filter: the query wants the whole collection
    examined = node.attrs.get("docsExamined", plan.attrs.get("totalDocsExamined"))
    if isinstance(examined, int | float) and examined < ctx.option("min_docs_examined"):
        return
    keys = query.esr_keys()
    sql = create_index(plan, keys) if keys else None
    fix = (
        f"Create an index on the filtered fields, equality then sort then range: {sql}."
        if sql
        else f"The filter uses {', '.join(query.unindexable)}: index each $or branch's fields (or use a text index)."
    )
    returned = node.actual_rows if node.actual_rows is not None else plan.attrs.get("nReturned")
    counted = (
        f"{examined:,.0f} documents to return {returned:,.0f}"
        if isinstance(examined, int | float) and isinstance(returned, int | float)
        else "every document of the collection"
    )
    yield ctx.finding(
        f"COLLSCAN on {plan.attrs.get('namespace') or node.relation} reads {counted} to apply its filter: "
        "index the filtered fields.",
        location=location(site),
        fix=fix,
        sql=sql,
        evidence={
            "namespace": plan.attrs.get("namespace"),
            "docs_examined": examined,
            "returned": returned,
            "filter": node.filter,
            "equality": list(query.equality),
            "sort": [f for f, _ in query.sort],
            "range": list(query.range),
            "source": counts_source(plan),
        },
    )


RULE = Rule(
    name="mongodb-collection-scan",
    category=Category.PERFORMANCE,
    target=Target.PLAN_NODE,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.MONGODB}),
    options={"min_docs_examined": 1000},
)
