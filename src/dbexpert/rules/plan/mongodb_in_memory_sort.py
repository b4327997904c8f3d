"""
## What it does
Finds blocking `SORT` stages in MongoDB `explain()` output, which sort the documents in memory.

No index returns the documents in the requested order. The rule names the index that would return them in
order: the filter's equality fields, then the sort keys, then the range fields (ESR).

With `executionStats` the rule reports a sort that spilled to disk (`usedDisk`), that sorted at
least `mem_limit_ratio` (default 0.5) of its `memLimit`, or that sorted at least `min_docs_sorted`
documents (default 1000); smaller sorts are left alone. With `queryPlanner` verbosity nothing was
counted and every blocking sort is reported.

## Why is this bad?
A blocking sort reads every matching document before returning the first one, so a `limit()` does
not cut the work. It may use at most 100 MB (`internalQueryMaxBlockingSortMemoryUsageBytes`): beyond
that the query fails, or with `allowDiskUse` writes temporary files and becomes far slower. An index
in the sort order streams the documents already sorted.

## Example
```json
{
  "queryPlanner": {
    "namespace": "shop.orders",
    "parsedQuery": { "status": { "$eq": "shipped" } },
    "winningPlan": {
      "stage": "SORT", "sortPattern": { "created_at": -1 }, "memLimit": 104857600, "type": "simple",
      "inputStage": {
        "stage": "FETCH",
        "inputStage": { "stage": "IXSCAN", "keyPattern": { "status": 1 }, "indexName": "status_1",
                        "indexBounds": { "status": ["[\\"shipped\\", \\"shipped\\"]"] } }
      }
    },
    "rejectedPlans": []
  },
  "command": { "find": "orders", "filter": { "status": "shipped" }, "sort": { "created_at": -1 }, "$db": "shop" },
  "ok": 1
}
```

## Use instead
After `db.orders.createIndex({ status: 1, created_at: -1 })` the index returns the documents in order:
```json
{
  "queryPlanner": {
    "namespace": "shop.orders",
    "parsedQuery": { "status": { "$eq": "shipped" } },
    "winningPlan": {
      "stage": "FETCH",
      "inputStage": { "stage": "IXSCAN", "keyPattern": { "status": 1, "created_at": -1 },
                      "indexName": "status_1_created_at_-1",
                      "indexBounds": { "status": ["[\\"shipped\\", \\"shipped\\"]"], "created_at": ["[MaxKey, MinKey]"] } }
    },
    "rejectedPlans": []
  },
  "command": { "find": "orders", "filter": { "status": "shipped" }, "sort": { "created_at": -1 }, "$db": "shop" },
  "ok": 1
}
```

## Fix safety
The new index costs write time and space; it may make an existing index on the equality fields
alone redundant. A sort on fields of different documents' arrays or on a computed value cannot be
served by an index. Manual.

## References
- https://www.mongodb.com/docs/manual/tutorial/sort-results-with-indexes/
- https://www.mongodb.com/docs/manual/tutorial/equality-sort-range-rule/
- https://www.mongodb.com/docs/manual/reference/explain-results/
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
    if node.node_type != "SORT":
        return
    used_disk = bool(node.attrs.get("usedDisk"))
    limit = node.attrs.get("memLimit")
    sorted_bytes = node.attrs.get("totalDataSizeSorted")
    share = sorted_bytes / limit if isinstance(sorted_bytes, int | float) and isinstance(limit, int | float) and limit else None
    sorted_docs = node.children[0].actual_rows if node.children and node.children[0].analyzed else node.actual_rows
    if node.analyzed and not used_disk:
        near_limit = share is not None and share >= ctx.option("mem_limit_ratio")
        if not near_limit and (sorted_docs or 0) < ctx.option("min_docs_sorted"):
            return
    query = shape(plan)
    pattern = node.attrs.get("sortPattern")
    sort = [(str(f), -1 if d == -1 else 1) for f, d in pattern.items()] if isinstance(pattern, dict) else list(query.sort)
    if not sort:
        return
    keys = [(f, 1) for f in query.equality if f not in dict(sort)] + sort + [(f, 1) for f in query.range if f not in dict(sort)]
    sql = create_index(plan, keys)
    how = "spilled to disk" if used_disk else f"used {share:.0%} of its memLimit" if share is not None else "ran in memory"
    yield ctx.finding(
        f"Blocking SORT on {', '.join(f'{f}: {d}' for f, d in sort)} {how}: an index with the sort keys after "
        "the equality fields returns the documents in order.",
        location=location(site),
        fix=f"Create {sql} so no in-memory sort is needed.",
        sql=sql,
        evidence={
            "sort_pattern": dict(sort),
            "used_disk": used_disk,
            "mem_limit": limit,
            "bytes_sorted": sorted_bytes,
            "docs_sorted": sorted_docs,
            "spills": node.attrs.get("spills"),
            "source": counts_source(plan),
        },
    )


RULE = Rule(
    name="mongodb-in-memory-sort",
    category=Category.PERFORMANCE,
    target=Target.PLAN_NODE,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.MONGODB}),
    options={"min_docs_sorted": 1000, "mem_limit_ratio": 0.5},
)
