"""
## What it does
Reports a WAL segment that a PostgreSQL base backup needs and that is missing.

The segments are named from the `WAL-Ranges` of the backup's `backup_manifest` and looked for in
its `pg_wal`, or in the `--wal-dir` given.

## Why is this bad?
A base backup is a copy of files taken while the server kept writing; it becomes consistent only
by replaying the WAL written during the copy. Without every segment of that range recovery stops
before a consistent state and the server does not start: the backup is unusable.

## Example
```text
$ pg_basebackup -D /backups/base -X none
$ dbexpert backup verify /backups/base
error   backup-wal-segment-missing  WAL segment 000000010000000000000003 needed by the backup is missing from /backups/base/pg_wal  /backups/base
```

## Use instead
```text
$ pg_basebackup -D /backups/base -X stream          # WAL inside the backup
$ dbexpert backup verify /backups/base --wal-dir /archive/wal   # or: WAL archived elsewhere
note: PASS: /backups/base (pg_basebackup)
```

## Fix safety
Manual: take base backups with `-X stream` (or keep archived WAL until the backup is verified);
a segment that was never archived cannot be recovered.

## References
- https://www.postgresql.org/docs/current/app-pgbasebackup.html
- https://www.postgresql.org/docs/current/continuous-archiving.html
- https://www.postgresql.org/docs/current/backup-manifest-format.html
"""

from collections.abc import Iterator

from dbexpert.model import Category, Engine, Finding
from dbexpert.model.backup import BackupProblem, BackupProblemKind
from dbexpert.rules.context import RuleContext
from dbexpert.rules.ops._backup_verify import verified
from dbexpert.rules.registry import Rule, Target


def check(problem: BackupProblem, ctx: RuleContext) -> Iterator[Finding]:
    if problem.kind is not BackupProblemKind.WAL_SEGMENT_MISSING:
        return
    yield verified(
        ctx,
        problem,
        problem.detail,
        "Without it the backup cannot reach a consistent state: take base backups with -X stream (or keep"
        " WAL archived until the backup is verified) and pass --wal-dir when WAL is archived elsewhere.",
        {"segment": problem.subject, "measured_by": "segment names computed from backup_manifest WAL-Ranges"},
    )


RULE = Rule(
    name="backup-wal-segment-missing",
    category=Category.SAFETY,
    target=Target.BACKUP_PROBLEM,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.POSTGRES}),
    needs_live=True,  # observed by reading the artifact: the tests build the problems
)
