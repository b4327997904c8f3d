"""
## What it does
Reports a file of a PostgreSQL base backup that is missing or differs from `backup_manifest`.

The backup (plain format, with `backup_manifest`) is checked by `pg_verifybackup`, or, where it is
not installed, against the manifest's file sizes and checksums. Then it is started as a private
server: a WAL segment whose records do not replay is reported here too, named `pg_wal/<segment>`.

## Why is this bad?
A base backup is restored by copying its files back; one damaged relation file is a damaged table
or index after recovery, and PostgreSQL does not notice until a query reads the bad block.

## Example
```text
$ dbexpert backup verify /backups/base
note: FAIL: /backups/base (pg_basebackup)
error   backup-base-backup-damaged  base/16384/16390: SHA256 checksum differs from backup_manifest  /backups/base
```

## Use instead
```text
$ pg_basebackup -D /backups/base -X stream --manifest-checksums=SHA256
$ dbexpert backup verify /backups/base
note: PASS: /backups/base (pg_basebackup)
```

## Fix safety
Manual: take a new base backup and verify it after every copy; a damaged file cannot be repaired
from the backup itself.

## References
- https://www.postgresql.org/docs/current/app-pgverifybackup.html
- https://www.postgresql.org/docs/current/backup-manifest-format.html
- https://www.postgresql.org/docs/current/app-pgbasebackup.html
"""

from collections.abc import Iterator

from dbexpert.model import Category, Engine, Finding
from dbexpert.model.backup import BackupProblem, BackupProblemKind
from dbexpert.rules.context import RuleContext
from dbexpert.rules.ops._backup_verify import verified
from dbexpert.rules.registry import Rule, Target

# backup_manifest lists no WAL: a damaged pg_wal/ segment was found by replaying it.
_MEASURED_BY = {False: "backup_manifest sizes and checksums", True: "WAL replay of the backup started as a server"}


def check(problem: BackupProblem, ctx: RuleContext) -> Iterator[Finding]:
    if problem.kind is not BackupProblemKind.BASE_BACKUP_DAMAGED:
        return
    yield verified(
        ctx,
        problem,
        f"{problem.subject}: {problem.detail}",
        "A file of the base backup is damaged or missing: take a new base backup (pg_basebackup) and verify it.",
        {"file": problem.subject, "measured_by": _MEASURED_BY[problem.subject.startswith("pg_wal/")]},
    )


RULE = Rule(
    name="backup-base-backup-damaged",
    category=Category.SAFETY,
    target=Target.BACKUP_PROBLEM,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.POSTGRES}),
    needs_live=True,  # observed by reading the artifact: the tests build the problems
)
