"""
## What it does
Finds inserts and updates issued once per item of a loop, where one batched statement would do.
Covered: Prisma `create`/`update`, TypeORM `save`/`insert`, Drizzle `db.insert(…).values(one)`,
SQLAlchemy `session.execute(insert(…))` per row, Django `Model.objects.create()`/`.save()` per item.

## Why is this bad?
Each write is a round trip, a statement to parse and plan, a WAL record and, outside a transaction,
a commit with its fsync: a loop of 1,000 inserts costs a thousand times what one multi-row insert
costs.

## Example
```python
def import_tags(names):
    for name in names:
        Tag.objects.create(name=name)
```

## Use instead
```python
def import_tags(names):
    Tag.objects.bulk_create([Tag(name=name) for name in names])
```
```ts
// Prisma
await prisma.tag.createMany({ data: names.map((name) => ({ name })) })
```
```ts
// TypeORM
await tagRepository.insert(names.map((name) => ({ name })))
```
```ts
// Drizzle
await db.insert(tags).values(names.map((name) => ({ name })))
```

## Fix safety
Manual: batched writes skip per-object hooks (Django `save()` overrides and signals, ORM lifecycle
events) and report errors for the whole batch; chunk very large batches.

## References
- https://docs.djangoproject.com/en/5.0/ref/models/querysets/#bulk-create
- https://docs.sqlalchemy.org/en/20/orm/queryguide/dml.html#orm-bulk-insert-statements
- https://www.prisma.io/docs/orm/prisma-client/queries/crud#create-multiple-records
"""

from collections.abc import Iterator

from dbexpert.model import Category, Finding
from dbexpert.model.code import LoopQuery, LoopQueryKind
from dbexpert.rules.code._code import evidence, fix_text, location
from dbexpert.rules.context import RuleContext
from dbexpert.rules.registry import RELATIONAL, Rule, Target


def check(site: LoopQuery, ctx: RuleContext) -> Iterator[Finding]:
    if site.kind is not LoopQueryKind.PER_ROW_WRITE:
        return
    yield ctx.finding(
        f"`{site.call}` writes one row per item of `{site.loop}` (line {site.loop_line}): batch it.",
        location=location(site),
        fix=fix_text(site),
        evidence=evidence(site),
    )


RULE = Rule(
    name="per-row-write-in-loop",
    category=Category.PERFORMANCE,
    target=Target.LOOP_QUERY,
    check=check,
    doc=__doc__,
    engines=RELATIONAL,
)
