"""
## What it does
Reports a backup that does not restore.

`pg_restore`, `psql` or the MySQL/MariaDB client stopped with an error while `dbexpert backup
verify` restored the artifact into a scratch database.

## Why is this bad?
A backup is only as good as its restore. A damaged compressed block, a dump cut short by a full
disk, or a dump that depends on roles or extensions the server lacks all fail here, and would fail
the same way on the day the backup is needed.

## Example
```text
$ dbexpert backup verify app.dump --scratch postgresql://localhost/postgres
note: FAIL: app.dump (pg_dump custom)
error   backup-restore-failed  the backup does not restore: pg_restore stopped with: could not uncompress data: invalid stored block lengths  app.dump:1
```

## Use instead
```text
$ pg_dump -Fc -f app.dump app && sha256sum app.dump > app.dump.sha256
$ dbexpert backup verify app.dump --scratch postgresql://localhost/postgres
note: PASS: app.dump (pg_dump custom)
```

## Fix safety
Manual: take a new backup, and check its size and checksum after every copy; the error names what
stopped the restore (a damaged artifact, or a role or extension missing on the restore server).

## References
- https://www.postgresql.org/docs/current/app-pgrestore.html
- https://www.postgresql.org/docs/current/backup-dump.html
- https://mariadb.com/kb/en/restoring-data-from-dump-files/
"""

from collections.abc import Iterator

from dbexpert.model import Category, Finding
from dbexpert.model.backup import BackupProblem, BackupProblemKind
from dbexpert.rules.context import RuleContext
from dbexpert.rules.ops._backup_verify import RESTORED, verified
from dbexpert.rules.registry import Rule, Target


def check(problem: BackupProblem, ctx: RuleContext) -> Iterator[Finding]:
    if problem.kind is not BackupProblemKind.RESTORE_FAILED:
        return
    program, error = problem.subject, problem.detail
    yield verified(
        ctx,
        problem,
        f"the backup does not restore: {program} stopped with: {error}",
        "The artifact is damaged or incomplete: take a new backup, check its size and checksum after copying it.",
        {
            "program": program,
            "error": error,
            "measured_by": f"{program} into a scratch database, stopping at the first error",
        },
    )


RULE = Rule(
    name="backup-restore-failed",
    category=Category.SAFETY,
    target=Target.BACKUP_PROBLEM,
    check=check,
    doc=__doc__,
    engines=RESTORED,
    needs_live=True,  # observed by restoring the artifact: the tests build the problems
)
