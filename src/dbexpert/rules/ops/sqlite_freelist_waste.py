"""
## What it does
Reports a SQLite file with a large share of free pages.

Compares the free pages of a SQLite file (`PRAGMA freelist_count`) with its pages
(`PRAGMA page_count`), and reports `min_free_percent` or more free, once they make at least
`min_free_mb` of the file, on a file without automatic vacuum.

## Why is this bad?
Deleting rows or dropping tables does not shrink a SQLite file: the pages go to a freelist and
are reused by later inserts. A large freelist is disk (and backup, and copy) space for nothing,
and scatters the table's pages. `VACUUM` rebuilds the file compactly; `auto_vacuum = INCREMENTAL`
lets the application return free pages in small steps with `PRAGMA incremental_vacuum`.

## Example
```json
{"engine": "sqlite", "version": "3.45.1",
 "settings": {"page_size": "4096", "page_count": "2000", "freelist_count": "900", "auto_vacuum": "0"}}
```

## Use instead
```json
{"engine": "sqlite", "version": "3.45.1",
 "settings": {"page_size": "4096", "page_count": "1100", "freelist_count": "3", "auto_vacuum": "0"}}
```

## Fix safety
`VACUUM` rewrites the whole file under an exclusive lock and needs as much free disk again:
run it in a quiet period. Changing `auto_vacuum` on an existing file only takes effect after a
`VACUUM`. Manual.

## References
- https://www.sqlite.org/lang_vacuum.html
- https://www.sqlite.org/pragma.html#pragma_auto_vacuum
- https://www.sqlite.org/pragma.html#pragma_freelist_count
"""

from collections.abc import Iterator

from dbexpert.model import Category, Engine, Finding, Location
from dbexpert.model.health import HealthSnapshot
from dbexpert.rules.context import RuleContext
from dbexpert.rules.registry import Rule, Target

MIB = 1024**2


def _number(text: str | None) -> float | None:
    try:
        return float(text) if text is not None else None
    except ValueError:
        return None


def check(snapshot: HealthSnapshot, ctx: RuleContext) -> Iterator[Finding]:
    pages, free = _number(snapshot.setting("page_count")), _number(snapshot.setting("freelist_count"))
    size = _number(snapshot.setting("page_size")) or 4096
    if not pages or free is None or snapshot.setting("auto_vacuum") not in (None, "0"):
        return
    percent, wasted = 100 * free / pages, free * size
    if percent < ctx.option("min_free_percent") or wasted < ctx.option("min_free_mb") * MIB:
        return
    yield ctx.finding(
        f"{percent:.0f}% of the file is free pages ({int(free):,} of {int(pages):,}, {wasted / MIB:.1f} MiB) "
        "left by deleted rows or dropped tables.",
        location=Location(path=snapshot.source or None, object="freelist_count"),
        fix="Rebuild the file with VACUUM in a quiet period; to return space in small steps from then "
        "on, switch to incremental auto-vacuum first.",
        sql="PRAGMA auto_vacuum = INCREMENTAL;  -- optional, takes effect with the VACUUM\nVACUUM;\n"
        "-- later, periodically: PRAGMA incremental_vacuum;",
        evidence={
            "page_count": int(pages),
            "freelist_count": int(free),
            "page_size": int(size),
            "free_percent": round(percent, 1),
            "auto_vacuum": snapshot.setting("auto_vacuum"),
            "measured": "PRAGMA page_count, freelist_count, page_size, auto_vacuum",
        },
    )


RULE = Rule(
    name="sqlite-freelist-waste",
    category=Category.OPS,
    target=Target.HEALTH,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.SQLITE}),
    options={"min_free_percent": 25, "min_free_mb": 1},
)
