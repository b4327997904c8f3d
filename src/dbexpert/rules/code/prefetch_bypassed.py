"""
## What it does
Finds Django code that prefetches a relation and then queries it again per item. That is, after
`prefetch_related("comments")` the loop calls `.filter()`, `.exclude()`, `.order_by()`, `.first()`,
`.last()` or `.get()` on that related manager. (`.all()`, `.count()` and `.exists()` are answered
from the prefetched cache and are not reported.)

## Why is this bad?
Those calls build a new queryset: Django ignores the prefetched cache and queries the database once
per item — the N+1 the prefetch was meant to prevent, now with an extra wasted query up front.

## Example
```python
def recent_comments(posts):
    posts = Post.objects.prefetch_related("comments")
    for post in posts:
        print(post.comments.filter(approved=True).count())
```

## Use instead
```python
from django.db.models import Prefetch

def recent_comments(posts):
    approved = Comment.objects.filter(approved=True)
    posts = Post.objects.prefetch_related(Prefetch("comments", queryset=approved, to_attr="approved_comments"))
    for post in posts:
        print(len(post.approved_comments))
```

## Fix safety
Safe when the filter moves into a `Prefetch(queryset=…)`; `len()` on the prefetched list replaces
`.count()`, and Python-side filtering of `post.comments.all()` is an alternative for small sets.

## References
- https://docs.djangoproject.com/en/5.0/ref/models/querysets/#prefetch-related
- https://docs.djangoproject.com/en/5.0/ref/models/querysets/#prefetch-objects
"""

from collections.abc import Iterator

from dbexpert.model import Category, Finding
from dbexpert.model.code import LoopQuery, LoopQueryKind
from dbexpert.rules.code._code import evidence, fix_text, location
from dbexpert.rules.context import RuleContext
from dbexpert.rules.registry import RELATIONAL, Rule, Target


def check(site: LoopQuery, ctx: RuleContext) -> Iterator[Finding]:
    if site.kind is not LoopQueryKind.PREFETCH_BYPASSED:
        return
    yield ctx.finding(
        f"`{site.call}` ignores the prefetched `{site.relation or 'relation'}` and queries once per item of "
        f"`{site.loop}` (line {site.loop_line}).",
        location=location(site),
        fix=fix_text(site),
        evidence=evidence(site),
    )


RULE = Rule(
    name="prefetch-bypassed",
    category=Category.PERFORMANCE,
    target=Target.LOOP_QUERY,
    check=check,
    doc=__doc__,
    engines=RELATIONAL,
)
