"""
## What it does
Finds the same query — same shape and same parameters or literals — run several times within one
request, transaction or session stretch (at least `min_duplicates` times, 3 by default). This is
not an N+1 (the answer is the same every time): it is work to cache or hoist out of the loop.

## Why is this bad?
The application asks the database a question it already has the answer to: each repeat is a round
trip and a statement for nothing, typically a helper (current user, settings, a permission check)
called from many places of one request.

## Example
```json
{"trace_id": "req-9", "ts": 1705312800.000, "duration_ms": 0.5, "sql": "SELECT * FROM settings WHERE tenant_id = 7"}
{"trace_id": "req-9", "ts": 1705312800.001, "duration_ms": 0.5, "sql": "SELECT * FROM settings WHERE tenant_id = 7"}
{"trace_id": "req-9", "ts": 1705312800.002, "duration_ms": 0.5, "sql": "SELECT * FROM settings WHERE tenant_id = 7"}
{"trace_id": "req-9", "ts": 1705312800.003, "duration_ms": 0.5, "sql": "SELECT * FROM settings WHERE tenant_id = 7"}
```

## Use instead
```json
{"trace_id": "req-9", "ts": 1705312800.000, "duration_ms": 0.5, "sql": "SELECT * FROM settings WHERE tenant_id = 7"}
{"trace_id": "req-10", "ts": 1705312801.000, "duration_ms": 0.5, "sql": "SELECT * FROM settings WHERE tenant_id = 7"}
```

## Fix safety
Manual: caching the result for the request is safe when nothing in the request changes those rows
in between; longer-lived caches need invalidation.

## References
- https://docs.sentry.io/product/issues/issue-details/performance-issues/
- https://docs.djangoproject.com/en/5.0/topics/db/optimization/#understand-cached-attributes
- https://docs.sqlalchemy.org/en/20/orm/session_basics.html#get-by-primary-key
"""

from collections.abc import Iterator

from dbexpert.model import Category, Finding
from dbexpert.model.workload import RequestTrace
from dbexpert.rules.context import RuleContext
from dbexpert.rules.registry import RELATIONAL, Rule, Target
from dbexpert.rules.workload._requests import evidence, location, loops


def check(trace: RequestTrace, ctx: RuleContext) -> Iterator[Finding]:
    for loop in loops(trace):
        if loop.verb() not in ("select", "with") or loop.most_repeated < ctx.option("min_duplicates"):
            continue
        took = f" ({loop.total_ms:.1f} ms for all runs of the shape)" if loop.timed else ""
        yield ctx.finding(
            f"{trace.kind.capitalize()} {trace.key}: the same `{loop.shape}` ran {loop.most_repeated} times "
            f"with identical values{took}: reuse the first result.",
            location=location(loop.queries[0]),
            fix=(
                "Run it once and keep the result for the request (a local variable, a request-scoped cache, "
                "Django `cached_property`, SQLAlchemy's identity map via `session.get()`), or hoist it out of the loop."
            ),
            evidence=evidence(trace, loop, identical_runs=loop.most_repeated),
        )


RULE = Rule(
    name="duplicate-queries",
    category=Category.PERFORMANCE,
    target=Target.REQUEST,
    check=check,
    doc=__doc__,
    engines=RELATIONAL,
    options={"min_duplicates": 3},
    runs_option="min_duplicates",
)
