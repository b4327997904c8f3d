"""
## What it does
Reports a SQLite file whose journal mode (`PRAGMA journal_mode`) is not `wal`.

## Why is this bad?
In the rollback journal modes (`delete`, the default, `truncate`, `persist`) a writer locks the
whole file: readers wait while it commits, and a long read blocks writers ("database is locked").
In WAL mode readers and one writer work at the same time, commits are usually faster (one
sequential write to the log), and an online backup (`VACUUM INTO`, the backup API) runs without
blocking the application. Modes `off` and `memory` are worse: a crash mid-transaction can corrupt
the file. WAL is persistent: set once, it stays on the file.

## Example
```json
{"engine": "sqlite", "version": "3.45.1", "settings": {"journal_mode": "delete"}}
```

## Use instead
```json
{"engine": "sqlite", "version": "3.45.1", "settings": {"journal_mode": "wal"}}
```

## Fix safety
Switching needs a moment without other connections. Every process must run on the same machine
(WAL needs shared memory: not on a network file system), and the `-wal` and `-shm` files belong
with the database: copy or back up the three together, or use the backup API. Manual.

## References
- https://www.sqlite.org/wal.html
- https://www.sqlite.org/pragma.html#pragma_journal_mode
- https://www.sqlite.org/lang_vacuum.html#vacuuminto
"""

from collections.abc import Iterator

from dbexpert.model import Category, Engine, Finding, Location
from dbexpert.model.health import HealthSnapshot
from dbexpert.rules.context import RuleContext
from dbexpert.rules.registry import Rule, Target

_UNSAFE = ("off", "memory")


def check(snapshot: HealthSnapshot, ctx: RuleContext) -> Iterator[Finding]:
    mode = (snapshot.setting("journal_mode") or "").lower()
    if mode in ("", "wal", "wal2"):
        return
    risk = (
        "a crash in the middle of a transaction can corrupt the file"
        if mode in _UNSAFE
        else "a writer blocks every reader while it commits, and a long read blocks writers"
    )
    yield ctx.finding(
        f"The database uses journal_mode={mode}: {risk}.",
        location=Location(path=snapshot.source or None, object="journal_mode"),
        fix="Switch the file to WAL mode once (it is persistent), with no other connection open.",
        sql="PRAGMA journal_mode = WAL;",
        evidence={"journal_mode": mode, "measured": "PRAGMA journal_mode on a read-only connection"},
    )


RULE = Rule(
    name="sqlite-journal-mode-not-wal",
    category=Category.OPS,
    target=Target.HEALTH,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.SQLITE}),
)
