"""
## What it does
Reports a Redis database whose keys, loaded from the backup, differ from the source or from the
`backup manifest` written at backup time: another key count, or the same count with other content.

## Why is this bad?
A backup that loads but holds other data restores the wrong state. AOF files carry no checksum, so
a changed byte inside a value loads without complaint; an RDB copied while a save was still
writing it, or an old file picked by mistake, load fine too. Only comparing contents shows it.

## Example
```text
$ dbexpert backup verify appendonlydir --manifest redis.manifest.json
error   backup-redis-keyspace-differs  db0: same key count, different content  appendonlydir
```

## Use instead
```text
$ dbexpert backup manifest redis://cache:6379 -o redis.manifest.json   # right after the copy
$ dbexpert backup verify appendonlydir --manifest redis.manifest.json
PASS: appendonlydir (redis aof)
```

## Fix safety
Manual: write the manifest right after the copy (the live server keeps changing), then take a new
backup if the difference is not explained by writes in between.

## References
- https://redis.io/docs/latest/operate/oss_and_stack/management/persistence/
- https://redis.io/docs/latest/commands/scan/
"""

from collections.abc import Iterator

from dbexpert.model import Category, Engine, Finding
from dbexpert.model.backup import BackupProblem, BackupProblemKind
from dbexpert.rules.context import RuleContext
from dbexpert.rules.ops._backup_verify import verified
from dbexpert.rules.registry import Rule, Target


def check(problem: BackupProblem, ctx: RuleContext) -> Iterator[Finding]:
    if problem.kind is not BackupProblemKind.TABLE_CONTENT_DIFFERS:
        return
    expected, found = problem.expected, problem.found
    yield verified(
        ctx,
        problem,
        f"{problem.table}: {problem.detail.replace('rows', 'keys')}",
        "Do not rely on this backup unless writes since the manifest explain it: take a new one and verify it.",
        {
            "expected_keys": expected.rows if expected else None,
            "restored_keys": found.rows if found else None,
            "expected_checksum": expected.checksum if expected else None,
            "restored_checksum": found.checksum if found else None,
            "measured_by": "SCAN of every key, its value read by type and hashed (64-bit sum), on both sides",
        },
    )


RULE = Rule(
    name="backup-redis-keyspace-differs",
    category=Category.SAFETY,
    target=Target.BACKUP_PROBLEM,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.REDIS}),
    needs_live=True,  # observed by loading the artifact: the tests build the problems
)
