"""
## What it does
Finds relation attributes loaded lazily, once per row, inside a loop over a multi-row result.
Covered: SQLAlchemy relationships without `selectinload`/`joinedload`, Django foreign keys and reverse
relations without `select_related`/`prefetch_related`, TypeORM lazy relations (`Promise<…>`)
awaited in a loop.

## Why is this bad?
Each access to an unloaded relation issues its own `SELECT`, so iterating over N rows runs N extra
queries — the N+1 problem hidden behind an attribute access. Eager loading fetches the relation for
all rows in one or two queries.

## Example
```python
def author_names(session):
    posts = session.scalars(select(Post)).all()
    return [post.author.name for post in posts]
```

## Use instead
```python
from sqlalchemy.orm import selectinload

def author_names(session):
    posts = session.scalars(select(Post).options(selectinload(Post.author))).all()
    return [post.author.name for post in posts]
```
```python
def author_names():
    return [post.author.name for post in Post.objects.select_related("author")]
```
```ts
// TypeORM: a lazy relation loaded with the rows is awaited without a query
@Entity()
export class Post {
  @ManyToOne(() => User)
  author: Promise<User>
}

const posts = await postRepository.find({ relations: { author: true } })
for (const post of posts) console.log((await post.author).name)
```

## Fix safety
Safe for reads: eager loading returns the same objects. It loads the relation for every row even
if the loop skips some; for large collections prefer `selectinload`/`prefetch_related` (a second
query with `IN`) over a join that repeats parent columns.

## References
- https://docs.sqlalchemy.org/en/20/orm/queryguide/relationships.html#select-in-loading
- https://docs.djangoproject.com/en/5.0/ref/models/querysets/#select-related
- https://typeorm.io/eager-and-lazy-relations
"""

from collections.abc import Iterator

from dbexpert.model import Category, Finding
from dbexpert.model.code import LoopQuery, LoopQueryKind
from dbexpert.rules.code._code import evidence, fix_text, location
from dbexpert.rules.context import RuleContext
from dbexpert.rules.registry import RELATIONAL, Rule, Target


def check(site: LoopQuery, ctx: RuleContext) -> Iterator[Finding]:
    if site.kind is not LoopQueryKind.LAZY_LOAD:
        return
    relation = site.relation or site.call
    yield ctx.finding(
        f"`{site.call}` loads `{relation}` lazily, once per item of `{site.loop}` (line {site.loop_line}): an N+1 query.",
        location=location(site),
        fix=fix_text(site),
        evidence=evidence(site),
    )


RULE = Rule(
    name="lazy-load-in-loop",
    category=Category.PERFORMANCE,
    target=Target.LOOP_QUERY,
    check=check,
    doc=__doc__,
    engines=RELATIONAL,
)
