"""
## What it does
Reports an index or constraint of the source database that is missing from the restored backup.

`dbexpert backup verify` compares the restored schema with the source (`--against`) or the
manifest written at backup time.

## Why is this bad?
Rows come back, but without their primary keys, unique constraints, foreign keys or indexes: the
restored database accepts duplicates and orphans and answers queries with sequential scans. A dump
taken with `--data-only` (pg_dump) or `--no-create-info` (mysqldump) restores this way.

## Example
```text
$ dbexpert backup verify app.dump --against postgresql://localhost/app
note: FAIL: app.dump (pg_dump custom)
error   backup-schema-object-missing  index orders_customer_idx on public.orders is in the source but not in the restored backup  app.dump:1
```

## Use instead
```text
$ pg_dump -Fc -f app.dump app        # schema and data
$ dbexpert backup verify app.dump --against postgresql://localhost/app
note: PASS: app.dump (pg_dump custom)
```

## Fix safety
Manual: take a new backup with the schema included and verify it; the existing artifact cannot be
repaired.

## References
- https://www.postgresql.org/docs/current/app-pgdump.html
- https://mariadb.com/kb/en/mariadb-dump/
"""

from collections.abc import Iterator

from dbexpert.model import Category, Finding
from dbexpert.model.backup import BackupProblem, BackupProblemKind
from dbexpert.rules.context import RuleContext
from dbexpert.rules.ops._backup_verify import verified
from dbexpert.rules.registry import Rule, Target


def check(problem: BackupProblem, ctx: RuleContext) -> Iterator[Finding]:
    if problem.kind is not BackupProblemKind.SCHEMA_OBJECT_MISSING:
        return
    yield verified(
        ctx,
        problem,
        f"{problem.subject_kind} {problem.subject} on {problem.table} is in the source but not in the restored backup",
        "Take the backup with the schema included (no --data-only / --no-create-info), then verify again.",
        {
            "object": problem.subject,
            "kind": problem.subject_kind,
            "measured_by": "catalog of the restored scratch database",
        },
    )


RULE = Rule(
    name="backup-schema-object-missing",
    category=Category.SAFETY,
    target=Target.BACKUP_PROBLEM,
    check=check,
    doc=__doc__,
    needs_live=True,  # observed by restoring the artifact: the tests build the problems
)
