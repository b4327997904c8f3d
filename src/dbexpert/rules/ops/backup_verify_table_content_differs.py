"""
## What it does
Reports a table whose restored rows differ from the source database or its manifest.

`dbexpert backup verify` compares each restored table with the source (`--against`) or the manifest
written at backup time (`dbexpert backup manifest`): a different row count, the same count with a
different order-independent content checksum, a table missing from the restore, or a table in the
backup that the source does not have.

## Why is this bad?
A backup that restores without an error can still hold the wrong data: a dump taken of the wrong
database or at the wrong time, a table excluded by a filter, a file changed after it was written.
Only comparing the rows finds out before the backup is needed.

## Example
```text
$ dbexpert backup verify app.db --manifest app.manifest.json
note: FAIL: app.db (sqlite)
error   backup-table-content-differs  table orders: 998 rows restored, 1000 expected  app.db:1
```

## Use instead
```text
$ dbexpert backup manifest sqlite:///app.db -o app.manifest.json   # when the backup is taken
$ sqlite3 app.db ".backup app.backup.db"
$ dbexpert backup verify app.backup.db --manifest app.manifest.json
note: PASS: app.backup.db (sqlite)
```

## Fix safety
Manual: do not rely on this backup; take a new one and verify it, and find what changed the file
(or the source) since it was written.

## References
- https://www.postgresql.org/docs/current/backup-dump.html
- https://www.sqlite.org/backup.html
"""

from collections.abc import Iterator

from dbexpert.model import Category, Finding
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
        f"table {problem.table}: {problem.detail}",
        "Do not rely on this backup: take a new one and verify it; find what changed the file since it was written.",
        {
            "expected_rows": expected.rows if expected else None,
            "restored_rows": found.rows if found else None,
            "expected_checksum": expected.checksum if expected else None,
            "restored_checksum": found.checksum if found else None,
            "measured_by": "count(*) and the sum of 64-bit row hashes, on the source (or manifest) and the restore",
        },
    )


RULE = Rule(
    name="backup-table-content-differs",
    category=Category.SAFETY,
    target=Target.BACKUP_PROBLEM,
    check=check,
    doc=__doc__,
    needs_live=True,  # observed by restoring the artifact: the tests build the problems
)
