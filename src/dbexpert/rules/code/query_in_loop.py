"""
## What it does
Finds ORM queries called once per item of a loop, where the query depends on the item. Loops:
`for`, `for … of`, `forEach`, `map` with `await`, `Promise.all(items.map(…))`, comprehensions. Queries:
Prisma `findFirst`/`findUnique`/`count`, TypeORM repository and query-builder calls, Drizzle
`db.select()`/`db.query.*.findFirst`, SQLAlchemy `session.get`/`execute`/`scalars`, Django
`.get()`/`.filter()`/`.first()`/`.count()`.

## Why is this bad?
The classic N+1: one query to fetch N rows, then N more, one per row. Each costs a network round
trip and a statement on the server, so a page of 100 items makes 101 queries; it looks fine on a
developer's laptop with ten rows and collapses under production data and latency. One query with
`IN (…)`/`= ANY($1)` or the ORM's eager loading does the same work in one round trip.
(Prisma batches concurrent `findUnique` calls of the same model into one query — those are not
reported — but not `findFirst`.)

## Example
```python
from sqlalchemy.orm import Session

def order_totals(session: Session, order_ids):
    totals = []
    for order_id in order_ids:
        order = session.get(Order, order_id)
        totals.append(order.total)
    return totals
```

## Use instead
```python
from sqlalchemy import select
from sqlalchemy.orm import Session

def order_totals(session: Session, order_ids):
    orders = session.scalars(select(Order).where(Order.id.in_(order_ids))).all()
    return [order.total for order in orders]
```
```ts
// Prisma: one query for all ids
const orders = await prisma.order.findMany({ where: { id: { in: orderIds } } })
```
```ts
// TypeORM
const orders = await orderRepository.findBy({ id: In(orderIds) })
```
```ts
// Drizzle
const rows = await db.select().from(orders).where(inArray(orders.id, orderIds))
```

## Fix safety
Manual: the batched query returns rows in no particular order and without duplicates, so code that
relied on one result per input item (in order) must map results back by key.

## References
- https://docs.sqlalchemy.org/en/20/orm/queryguide/relationships.html
- https://docs.djangoproject.com/en/5.0/topics/db/optimization/
- https://www.prisma.io/docs/orm/prisma-client/queries/query-optimization-performance
"""

from collections.abc import Iterator

from dbexpert.model import Category, Finding
from dbexpert.model.code import LoopQuery, LoopQueryKind
from dbexpert.rules.code._code import evidence, fix_text, location
from dbexpert.rules.context import RuleContext
from dbexpert.rules.registry import RELATIONAL, Rule, Target


def check(site: LoopQuery, ctx: RuleContext) -> Iterator[Finding]:
    if site.kind is not LoopQueryKind.QUERY_IN_LOOP:
        return
    yield ctx.finding(
        f"`{site.call}` runs once per item of `{site.loop}` (line {site.loop_line}): an N+1 query.",
        location=location(site),
        fix=fix_text(site),
        evidence=evidence(site),
    )


RULE = Rule(
    name="query-in-loop",
    category=Category.PERFORMANCE,
    target=Target.LOOP_QUERY,
    check=check,
    doc=__doc__,
    engines=RELATIONAL,
)
