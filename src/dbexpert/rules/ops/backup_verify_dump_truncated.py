"""
## What it does
Reports a plain SQL dump that does not end with its tool's closing comment.

pg_dump's plain format ends with `-- PostgreSQL database dump complete`, mysqldump and
mariadb-dump with `-- Dump completed`.

## Why is this bad?
Both tools write that comment last. Without it the dump was cut short (a full disk, a killed job,
an interrupted copy) and restores only part of the database, often without any error, because the
statements that are there are complete.

## Example
```text
$ tail -c 60 app.sql
INSERT INTO `orders` VALUES (998,3,'2024-05-01'),(999,7,'2024-05-
$ dbexpert backup verify app.sql --scratch mysql://root@localhost
error   backup-dump-truncated  the dump does not end with mysqldump's closing comment '-- Dump completed': it was cut short  app.sql:1
```

## Use instead
```text
$ mysqldump --single-transaction app > app.sql || echo "dump failed" >&2
$ tail -n 1 app.sql
-- Dump completed on 2024-05-01 10:00:00
```

## Fix safety
Manual: take the dump again and check the tool's exit status; a truncated dump cannot be completed.

## References
- https://www.postgresql.org/docs/current/app-pgdump.html
- https://dev.mysql.com/doc/refman/8.0/en/mysqldump.html
- https://mariadb.com/kb/en/mariadb-dump/
"""

from collections.abc import Iterator

from dbexpert.model import Category, Finding
from dbexpert.model.backup import BackupProblem, BackupProblemKind
from dbexpert.rules.context import RuleContext
from dbexpert.rules.ops._backup_verify import RESTORED, verified
from dbexpert.rules.registry import Rule, Target


def check(problem: BackupProblem, ctx: RuleContext) -> Iterator[Finding]:
    if problem.kind is not BackupProblemKind.DUMP_TRUNCATED:
        return
    tool, trailer = problem.subject, problem.detail
    yield verified(
        ctx,
        problem,
        f"the dump does not end with {tool}'s closing comment {trailer!r}: it was cut short",
        f"Take the dump again and keep {tool}'s exit status: a dump without its closing comment is incomplete.",
        {"size_bytes": problem.size_bytes, "expected_trailer": trailer, "measured_by": "the last 512 bytes of the file"},
    )


RULE = Rule(
    name="backup-dump-truncated",
    category=Category.SAFETY,
    target=Target.BACKUP_PROBLEM,
    check=check,
    doc=__doc__,
    engines=RESTORED,
    needs_live=True,  # observed by reading the artifact: the tests build the problems
)
