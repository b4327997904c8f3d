"""
## What it does
Finds MongoDB queries that examined far more documents or index keys than they returned.

When `totalDocsExamined` (or `totalKeysExamined`) of `explain('executionStats')` is at least `min_ratio` times `nReturned` (default 10) and at least
`min_examined` (default 1000), the index the query uses is not selective for it. The rule names a
more selective index: every filtered field in ESR order (equality, sort, range), so that the
filter is answered by the index bounds instead of by fetching documents. Plans that scan the
whole collection are left to `mongodb-collection-scan`.

## Why is this bad?
Every examined key and document costs CPU and, when not cached, a disk read; documents fetched only
to be discarded by a `FETCH` filter are pure waste. The ideal ratio is 1: each examined document is
returned. A compound index that contains the remaining filter fields (or, with a projection, every
field the query returns: a covered query) brings it there.

## Example
```json
{
  "queryPlanner": {
    "namespace": "shop.orders",
    "parsedQuery": { "$and": [ { "status": { "$eq": "paid" } }, { "total": { "$gt": 500 } } ] },
    "winningPlan": {
      "stage": "FETCH", "filter": { "total": { "$gt": 500 } },
      "inputStage": { "stage": "IXSCAN", "keyPattern": { "status": 1 }, "indexName": "status_1",
                      "indexBounds": { "status": ["[\\"paid\\", \\"paid\\"]"] } }
    },
    "rejectedPlans": []
  },
  "executionStats": {
    "executionSuccess": true, "nReturned": 35, "executionTimeMillis": 48,
    "totalKeysExamined": 64000, "totalDocsExamined": 64000
  },
  "command": { "find": "orders", "filter": { "status": "paid", "total": { "$gt": 500 } }, "$db": "shop" },
  "ok": 1
}
```

## Use instead
After `db.orders.createIndex({ status: 1, total: 1 })` the bounds select exactly the returned documents:
```json
{
  "queryPlanner": {
    "namespace": "shop.orders",
    "parsedQuery": { "$and": [ { "status": { "$eq": "paid" } }, { "total": { "$gt": 500 } } ] },
    "winningPlan": {
      "stage": "FETCH",
      "inputStage": { "stage": "IXSCAN", "keyPattern": { "status": 1, "total": 1 }, "indexName": "status_1_total_1",
                      "indexBounds": { "status": ["[\\"paid\\", \\"paid\\"]"], "total": ["(500, inf.0]"] } }
    },
    "rejectedPlans": []
  },
  "executionStats": {
    "executionSuccess": true, "nReturned": 35, "executionTimeMillis": 0,
    "totalKeysExamined": 35, "totalDocsExamined": 35
  },
  "command": { "find": "orders", "filter": { "status": "paid", "total": { "$gt": 500 } }, "$db": "shop" },
  "ok": 1
}
```

## Fix safety
A wider index costs more space and write time, and the existing narrower index becomes redundant
only if no other query needs it alone. A field compared with `$ne`, `$nin` or an unanchored
`$regex` stays unselective in any index. Manual.

## References
- https://www.mongodb.com/docs/manual/reference/explain-results/#executionstats
- https://www.mongodb.com/docs/manual/tutorial/analyze-query-plan/
- https://www.mongodb.com/docs/manual/core/query-optimization/#covered-query
"""

from collections.abc import Iterator, Mapping

from dbexpert.model import Category, Engine, Finding
from dbexpert.model.plan import NodeInPlan
from dbexpert.rules.context import RuleContext
from dbexpert.rules.plan._mongodb import command, counts_source, create_index, shape
from dbexpert.rules.plan._plan import location
from dbexpert.rules.registry import Rule, Target


def check(site: NodeInPlan, ctx: RuleContext) -> Iterator[Finding]:
    plan = site.plan
    if site.parent is not None or any(n.node_type == "COLLSCAN" for n in plan.nodes()):
        return  # once per plan, at its root; collection scans are mongodb-collection-scan's
    returned = plan.attrs.get("nReturned")
    docs, keys = plan.attrs.get("totalDocsExamined"), plan.attrs.get("totalKeysExamined")
    if not isinstance(returned, int | float):
        return
    examined = max(v for v in (docs, keys, 0) if isinstance(v, int | float))
    ratio = examined / max(returned, 1)
    if examined < ctx.option("min_examined") or ratio < ctx.option("min_ratio"):
        return
    query = shape(plan)
    index_keys = query.esr_keys()
    if not index_keys:
        return
    projection = command(plan).get("projection")
    covered = None
    if isinstance(projection, Mapping) and projection and all(v in (0, 1, True, False) for v in projection.values()):
        wanted = [str(f) for f, v in projection.items() if v and f != "_id"]
        covered = create_index(plan, query.esr_keys((f, 1) for f in wanted))
    sql = create_index(plan, index_keys)
    yield ctx.finding(
        f"The query examined {examined:,.0f} {'documents' if examined == docs else 'index keys'} to return "
        f"{returned:,.0f} ({ratio:,.0f}x): a more selective index would read only what it returns.",
        location=location(site),
        fix=f"Create {sql} so every filtered field is in the index bounds"
        + (f"; or {covered} with the projection's fields (and _id excluded) for a covered query." if covered else "."),
        sql=sql,
        evidence={
            "returned": returned,
            "docs_examined": docs,
            "keys_examined": keys,
            "ratio": round(ratio, 1),
            "indexes_used": sorted({n.index_name for n in plan.nodes() if n.index_name}),
            "source": counts_source(plan),
        },
    )


RULE = Rule(
    name="mongodb-docs-examined-vs-returned",
    category=Category.PERFORMANCE,
    target=Target.PLAN_NODE,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.MONGODB}),
    options={"min_ratio": 10, "min_examined": 1000},
)
