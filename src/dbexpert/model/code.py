"""Application code facts: database queries an ORM runs once per item of a loop (N+1).

Scanners in ``dbexpert.sources.code`` read Python and TypeScript files and report each
:class:`LoopQuery`; the N+1 rules (``dbexpert.rules.code``) judge and phrase them, with the fix in
the ORM's own terms.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any


class LoopQueryKind(StrEnum):
    QUERY_IN_LOOP = (
        "query-in-loop"  # an explicit query call per item (findFirst, session.get, .filter().first())
    )
    LAZY_LOAD = "lazy-load"  # a relation attribute loaded on first access, per item
    PREFETCH_BYPASSED = "prefetch-bypassed"  # Django: .filter()/.first()/.count() on a prefetched manager
    PER_ROW_WRITE = "per-row-write"  # an INSERT/UPDATE per item that one batched statement could do


@dataclass(frozen=True, slots=True)
class LoopQuery:
    orm: str  # "prisma", "typeorm", "drizzle", "sqlalchemy", "django"
    kind: LoopQueryKind
    path: str
    line: int  # the query (or attribute access) line, 1-based
    column: int
    loop_line: int  # the loop that repeats it
    call: str  # the code that queries, as written: "prisma.author.findFirst", "post.author"
    loop: str  # the loop, briefly: "for post in posts", "posts.map(...)", "Promise.all(posts.map(...))"
    model: str | None = None  # the model queried or loaded, when known
    relation: str | None = None  # the relation loaded lazily, when known
    fix: str = ""  # the fix in the ORM's terms: include/with/relations/selectinload/select_related/...
    batched: str | None = None  # the one batched query that replaces the loop, as code
    facts: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
