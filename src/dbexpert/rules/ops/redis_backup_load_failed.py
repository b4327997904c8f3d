"""
## What it does
Reports a Redis backup (RDB file, AOF file or append-only directory) that a private, throw-away
`redis-server` could not load; the server log's last error is the evidence.

## Why is this bad?
Loading it is exactly what a restore does. A file the server refuses (a damaged RDB, an AOF whose
manifest names a missing file, a module type whose module is not loaded) fails the same way on the
day the backup is needed.

## Example
```text
$ dbexpert backup verify appendonlydir --against redis://cache:6379
error   backup-redis-load-failed  the backup does not load: redis-server stopped with: Bad file format reading the append only file  appendonlydir
```

## Use instead
```text
$ redis-check-aof appendonlydir/appendonly.aof.manifest && dbexpert backup verify appendonlydir
PASS: appendonlydir (redis aof)
```

## Fix safety
Manual: take a new copy; copy an AOF directory whole (its manifest, base and incr files together).

## References
- https://redis.io/docs/latest/operate/oss_and_stack/management/persistence/
"""

from collections.abc import Iterator

from dbexpert.model import Category, Engine, Finding
from dbexpert.model.backup import BackupProblem, BackupProblemKind
from dbexpert.rules.context import RuleContext
from dbexpert.rules.ops._backup_verify import verified
from dbexpert.rules.registry import Rule, Target


def check(problem: BackupProblem, ctx: RuleContext) -> Iterator[Finding]:
    if problem.kind is not BackupProblemKind.RESTORE_FAILED:
        return
    yield verified(
        ctx,
        problem,
        f"the backup does not load: {problem.subject} stopped with: {problem.detail}",
        "Take a new copy (after BGSAVE finishes; an AOF directory whole) and verify it.",
        {
            "program": problem.subject,
            "error": problem.detail,
            "measured_by": "loading it into a private redis-server on 127.0.0.1",
        },  # fmt: skip
    )


RULE = Rule(
    name="backup-redis-load-failed",
    category=Category.SAFETY,
    target=Target.BACKUP_PROBLEM,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.REDIS}),
    needs_live=True,  # observed by loading the artifact: the tests build the problems
)
