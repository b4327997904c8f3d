"""
## What it does
Reports a SQLite file whose integrity check finds problems.

Reports a SQLite file whose integrity check does not answer `ok`: `PRAGMA quick_check` by default
(page structure, record format, NOT NULL constraints), the full `PRAGMA integrity_check` (which
also compares every index with its table) with `dbexpert backup check --full-integrity-check`.

## Why is this bad?
A damaged page or index returns wrong rows or errors on the queries that touch it, and spreads to
every copy taken from the file: a backup of a corrupt file restores the corruption. NULLs in a
NOT NULL column usually come from editing `sqlite_schema` directly (`writable_schema`) instead of
rebuilding the table; an index that disagrees with its table returns different rows depending on
the plan.

## Example
```json
{"engine": "sqlite", "version": "3.45.1",
 "results": {"integrity_check": [{"message": "NULL value in audit_log.details"}]},
 "facts": {"integrity_check": "quick_check"}}
```

## Use instead
```json
{"engine": "sqlite", "version": "3.45.1",
 "results": {"integrity_check": [{"message": "ok"}]},
 "facts": {"integrity_check": "quick_check"}}
```

## Fix safety
Work on a copy (taken with `VACUUM INTO` or the backup API). `REINDEX` rebuilds indexes that
disagree with their tables; constraint violations need the rows fixed or the table rebuilt with
the right definition; damaged pages need `.recover` in the sqlite3 shell or a restore. Manual.

## References
- https://www.sqlite.org/pragma.html#pragma_integrity_check
- https://www.sqlite.org/pragma.html#pragma_quick_check
- https://www.sqlite.org/howtocorrupt.html
- https://www.sqlite.org/recovery.html
"""

from collections.abc import Iterator

from dbexpert.model import Category, Engine, Finding, Location
from dbexpert.model.health import HealthSnapshot
from dbexpert.rules.context import RuleContext
from dbexpert.rules.registry import Rule, Target


def check(snapshot: HealthSnapshot, ctx: RuleContext) -> Iterator[Finding]:
    if not snapshot.has("integrity_check"):
        return
    problems = [str(row["message"]) for row in snapshot.rows("integrity_check")]
    if problems in ([], ["ok"]):
        return
    pragma = str(snapshot.facts.get("integrity_check", "quick_check"))
    distinct = list(dict.fromkeys(problems))
    more = "" if len(problems) < 100 else " (first 100 shown)"
    yield ctx.finding(
        f"PRAGMA {pragma} reports {len(problems)} problem(s){more}: {distinct[0]}"
        + (f" and {len(distinct) - 1} other kind(s)" if len(distinct) > 1 else "")
        + ".",
        location=Location(path=snapshot.source or None, object=pragma),
        fix="Copy the file safely, then repair the copy: REINDEX for index mismatches, fix or rebuild "
        "tables with constraint violations, .recover for damaged pages; restore if that fails.",
        sql="VACUUM INTO 'copy.db';  -- then, on the copy:\nREINDEX;\nPRAGMA integrity_check;",
        evidence={
            "check": f"PRAGMA {pragma}",
            "problems": distinct[:20],
            "problem_rows": len(problems),
        },
    )


RULE = Rule(
    name="sqlite-integrity-check-failed",
    category=Category.CORRECTNESS,
    target=Target.HEALTH,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.SQLITE}),
)
