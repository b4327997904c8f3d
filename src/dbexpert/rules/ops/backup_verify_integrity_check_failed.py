"""
## What it does
Reports a backup that fails its database engine's own integrity check.

`PRAGMA integrity_check` runs on a SQLite backup file, `CHECK TABLE` on each table of a
MySQL/MariaDB dump restored into a scratch database; a PostgreSQL base backup started as a server has
every row of every table read, where a page that fails its data checksum or header check is an error.

## Why is this bad?
A copy with damaged pages or indexes that disagree with their tables returns wrong rows or errors
once restored. A SQLite file copied with `cp` while the application was writing is the usual
cause: the copy mixes pages from before and after a transaction.

## Example
```text
$ cp app.db app.backup.db            # while the application writes
$ dbexpert backup verify app.backup.db
error   backup-integrity-check-failed  PRAGMA integrity_check reports: database disk image is malformed  app.backup.db:1
```

## Use instead
```text
$ sqlite3 app.db ".backup app.backup.db"      # or: VACUUM INTO 'app.backup.db'
$ dbexpert backup verify app.backup.db
note: PASS: app.backup.db (sqlite)
```

## Fix safety
Manual: take a new copy with the backup API (`.backup`) or `VACUUM INTO`, which read a consistent
snapshot; a damaged copy cannot be trusted even where the check passes.

## References
- https://www.sqlite.org/pragma.html#pragma_integrity_check
- https://www.sqlite.org/backup.html
- https://mariadb.com/kb/en/check-table/
- https://www.postgresql.org/docs/current/checksums.html
"""

from collections.abc import Iterator

from dbexpert.model import Category, Engine, Finding
from dbexpert.model.backup import BackupProblem, BackupProblemKind
from dbexpert.rules.context import RuleContext
from dbexpert.rules.ops._backup_verify import verified
from dbexpert.rules.registry import Rule, Target

SHOWN = 20  # messages kept in the evidence; a badly damaged file reports thousands


def check(problem: BackupProblem, ctx: RuleContext) -> Iterator[Finding]:
    if problem.kind is not BackupProblemKind.INTEGRITY_CHECK_FAILED or not problem.details:
        return
    messages = problem.details
    more = f" (and {len(messages) - 1} more)" if len(messages) > 1 else ""
    yield verified(
        ctx,
        problem,
        f"{problem.subject} reports: {messages[0]}{more}",
        "The copy is damaged: take a new one (SQLite: sqlite3 SOURCE '.backup COPY' or VACUUM INTO).",
        {"check": problem.subject, "problems": list(messages[:SHOWN]), "measured_by": problem.subject},
    )


RULE = Rule(
    name="backup-integrity-check-failed",
    category=Category.SAFETY,
    target=Target.BACKUP_PROBLEM,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.SQLITE, Engine.MYSQL, Engine.POSTGRES}),
    needs_live=True,  # observed by reading or restoring the artifact: the tests build the problems
)
