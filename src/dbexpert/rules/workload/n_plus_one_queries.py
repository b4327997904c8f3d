"""
## What it does
Finds N+1 query storms: one query shape run again and again with different values in one request.
A request is a trace id, else a transaction, else a stretch of a session; the storm usually follows
a "source" query that fetched the items. Also found: loops whose body runs two queries per item
(the two shapes take turns), and repeats issued concurrently (overlapping in time, as
`Promise.all(items.map(…))` does). Traces come as JSON lines or OpenTelemetry exports; server logs
group by transaction or session.

Defaults: `min_repeats` 5 runs with different values (Sentry's N+1 detector also wants 5) but a
total time of only `min_total_ms` 1 ms, where Sentry wants 50 ms: a storm of 40 lookups at 0.3 ms
each costs 12 ms of database time, which Sentry ignores, yet each is a network round trip, a
connection checkout and a parse in the application, and the time grows with the data. Counting
runs finds it; the small floor only drops storms too small to matter.

## Why is this bad?
Each query costs a round trip and a statement on the server, so a page of 100 items makes 101
queries; it looks fine on a laptop with ten rows and collapses under production data and latency.
One query with `= ANY($1)` / `IN (…)` (or the ORM's eager loading) does the same work at once.

## Example
```json
{"trace_id": "req-1", "ts": 1705312800.000, "duration_ms": 0.9, "sql": "SELECT id, customer_id FROM orders WHERE created_at > '2024-01-01'"}
{"trace_id": "req-1", "ts": 1705312800.001, "duration_ms": 0.4, "sql": "SELECT id, name FROM customers WHERE id = 11"}
{"trace_id": "req-1", "ts": 1705312800.002, "duration_ms": 0.3, "sql": "SELECT id, name FROM customers WHERE id = 12"}
{"trace_id": "req-1", "ts": 1705312800.003, "duration_ms": 0.3, "sql": "SELECT id, name FROM customers WHERE id = 13"}
{"trace_id": "req-1", "ts": 1705312800.004, "duration_ms": 0.3, "sql": "SELECT id, name FROM customers WHERE id = 14"}
{"trace_id": "req-1", "ts": 1705312800.005, "duration_ms": 0.3, "sql": "SELECT id, name FROM customers WHERE id = 15"}
{"trace_id": "req-1", "ts": 1705312800.006, "duration_ms": 0.3, "sql": "SELECT id, name FROM customers WHERE id = 16"}
```

## Use instead
```json
{"trace_id": "req-1", "ts": 1705312800.000, "duration_ms": 0.9, "sql": "SELECT id, customer_id FROM orders WHERE created_at > '2024-01-01'"}
{"trace_id": "req-1", "ts": 1705312800.001, "duration_ms": 0.5, "sql": "SELECT id, name FROM customers WHERE id = ANY('{11,12,13,14,15,16}')"}
```

## Fix safety
Manual: the batched query returns rows in no particular order and without duplicates, so code that
relied on one result per item (in order) must map results back by key.

## References
- https://docs.sentry.io/product/issues/issue-details/performance-issues/n-one-queries/
- https://docs.sqlalchemy.org/en/20/orm/queryguide/relationships.html
- https://docs.djangoproject.com/en/5.0/ref/models/querysets/#prefetch-related
- https://github.com/graphql/dataloader
"""

from collections.abc import Iterator

from dbexpert.model import Category, Finding
from dbexpert.model.workload import RequestTrace
from dbexpert.rules.context import RuleContext
from dbexpert.rules.registry import RELATIONAL, Rule, Target
from dbexpert.rules.workload._requests import (
    ORM_BATCHING,
    Loop,
    alternating,
    evidence,
    location,
    loops,
    source_of,
)


def check(trace: RequestTrace, ctx: RuleContext) -> Iterator[Finding]:
    storms = [loop for loop in loops(trace) if _storm(loop, ctx)]
    pairs = list(alternating(trace, storms))
    in_pairs = {loop.shape_id for pair in pairs for loop in pair}
    for first, second in pairs:
        yield _finding(trace, ctx, first, second)
    for loop in storms:
        if loop.shape_id not in in_pairs:
            yield _finding(trace, ctx, loop, None)


def _storm(loop: Loop, ctx: RuleContext) -> bool:
    if loop.verb() not in ("select", "with") or loop.distinct < ctx.option("min_repeats"):
        return False
    return not loop.timed or loop.total_ms >= ctx.option("min_total_ms")


def _finding(trace: RequestTrace, ctx: RuleContext, loop: Loop, partner: Loop | None) -> Finding:
    from dbexpert.sql.query.batch import batch_select  # sqlglot loads only when a workload is analysed

    members = (loop,) if partner is None else (loop, partner)
    source = source_of(trace, loop, frozenset(m.shape_id for m in members))
    total = sum(m.total_ms for m in members)
    pattern = "alternating" if partner else ("concurrent" if loop.concurrent else "sequential")
    shapes = " and ".join(f"`{m.shape}`" for m in members)
    how = {
        "alternating": f"{loop.count} times each, taking turns (two queries per item)",
        "concurrent": f"{loop.count} times concurrently",
        "sequential": f"{loop.count} times",
    }[pattern]
    after = f" after `{source.shape}`" if source is not None else ""
    batched = [b for m in members if (b := batch_select(m.shape, trace.engine))]
    return ctx.finding(
        f"{trace.kind.capitalize()} {trace.key}: {shapes} ran {how} with different values{after} "
        f"({total:.1f} ms): an N+1 query; fetch all the items in one query.",
        location=location(loop.queries[0]),
        fix=f"Replace the {loop.count} queries with one that takes every key at once. {ORM_BATCHING}",
        sql="\n".join(f"{b};" for b in batched) or None,
        evidence=evidence(
            trace,
            loop,
            pattern=pattern,
            total_ms=round(total, 3) if loop.timed else None,
            partner_shape=partner.shape if partner else None,
            source_shape=source.shape if source is not None else None,
            source_line=source.event.place.line if source is not None else None,
        ),
    )


RULE = Rule(
    name="n-plus-one-queries",
    category=Category.PERFORMANCE,
    target=Target.REQUEST,
    check=check,
    doc=__doc__,
    engines=RELATIONAL,
    options={"min_repeats": 5, "min_total_ms": 1.0},
    runs_option="min_repeats",  # different values, so at least as many runs
)
