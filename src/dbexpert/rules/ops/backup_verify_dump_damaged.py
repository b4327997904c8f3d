"""
## What it does
Reports a custom-format PostgreSQL dump (`pg_dump -Fc`) whose data blocks do not read.
That is a block that does not inflate (its zlib checksum fails), a block structure that breaks off,
or table-of-contents offsets that point past the end of the file. It names the table whose data is
damaged and the byte where reading stopped.

## Why is this bad?
`pg_restore -l` reads only the table of contents at the head of the file, so a dump with a flipped
byte in a compressed data block, or one cut short by a full disk, lists fine and looks healthy until
the day it is restored, when the table's data fails to load or is silently incomplete. Only reading
every block proves the data is there.

## Example
```text
$ dbexpert backup verify nightly.dump --against postgresql://app@db/shop
error   backup-dump-damaged  table public.orders: the custom-format archive check stopped at byte 1048576: invalid stored block lengths  nightly.dump
```

## Use instead
```text
$ pg_dump -Fc -f nightly.dump shop && dbexpert backup verify nightly.dump --against postgresql://app@db/shop
PASS: nightly.dump (postgres custom dump)
```

## Fix safety
Manual: the damaged data cannot be recovered from the dump; take a new one, and find out what
damaged the stored copy (storage, transfer, a job killed while writing) before trusting others.

## References
- https://www.postgresql.org/docs/current/app-pgdump.html
- https://www.postgresql.org/docs/current/app-pgrestore.html
"""

from collections.abc import Iterator

from dbexpert.model import Category, Engine, Finding
from dbexpert.model.backup import BackupProblem, BackupProblemKind
from dbexpert.rules.context import RuleContext
from dbexpert.rules.ops._backup_verify import verified
from dbexpert.rules.registry import Rule, Target


def check(problem: BackupProblem, ctx: RuleContext) -> Iterator[Finding]:
    if problem.kind is not BackupProblemKind.DUMP_DAMAGED:
        return
    where = f"table {problem.table}: " if problem.table else ""
    yield verified(
        ctx,
        problem,
        f"{where}{problem.subject} stopped at byte {problem.offset}: {problem.detail}",
        "Take the dump again and verify it before relying on it; the damaged table data cannot be read back.",
        {
            "offset": problem.offset,
            "reason": problem.detail,
            "measured_by": "reading and inflating every data block",
        },
    )


RULE = Rule(
    name="backup-dump-damaged",
    category=Category.SAFETY,
    target=Target.BACKUP_PROBLEM,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.POSTGRES}),
    needs_live=True,  # observed by reading the artifact: the tests build the problems
)
