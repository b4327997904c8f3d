"""
## What it does
Reports a Redis backup file that `redis-check-rdb` or `redis-check-aof` rejects.

That is a truncated RDB
(`Unexpected EOF`), a damaged value (a listpack or ziplist integrity check), an RDB whose CRC64
trailer does not match (`RDB CRC error`, written when `rdbchecksum yes`, the default), a broken AOF
command or manifest.

## Why is this bad?
Redis refuses to start from a damaged RDB, and stops at the first bad command of an AOF (or, with
`aof-load-truncated yes`, drops the tail silently). The day the copy is needed, it does not load.

## Example
```text
$ dbexpert backup verify dump.rdb --against redis://cache:6379
error   backup-redis-file-damaged  redis-check-rdb reports: [offset 89] Unexpected EOF reading RDB file  dump.rdb:1
```

## Use instead
```text
$ redis-cli -h cache BGSAVE && cp /var/lib/redis/dump.rdb /backups/dump-$(date +%F).rdb
$ dbexpert backup verify /backups/dump-2024-05-01.rdb --against redis://cache:6379
PASS: /backups/dump-2024-05-01.rdb (redis rdb)
```

## Fix safety
Manual: take a new copy once `rdb_bgsave_in_progress:0` (copying while a save writes gives a cut
file), and check its size and checksum after every transfer. `redis-check-aof --fix` truncates an
AOF at the first bad command, losing what follows.

## References
- https://redis.io/docs/latest/operate/oss_and_stack/management/persistence/
- https://github.com/redis/redis/blob/unstable/src/redis-check-rdb.c
"""

from collections.abc import Iterator

from dbexpert.model import Category, Engine, Finding
from dbexpert.model.backup import BackupProblem, BackupProblemKind
from dbexpert.rules.context import RuleContext
from dbexpert.rules.ops._backup_verify import verified
from dbexpert.rules.registry import Rule, Target

SHOWN = 20


def check(problem: BackupProblem, ctx: RuleContext) -> Iterator[Finding]:
    if problem.kind is not BackupProblemKind.INTEGRITY_CHECK_FAILED or not problem.details:
        return
    messages = problem.details
    yield verified(
        ctx,
        problem,
        f"{problem.subject} reports: {messages[0]}",
        "The copy is damaged: take a new one after BGSAVE finishes and check it after every transfer.",
        {"check": problem.subject, "problems": list(messages[:SHOWN]), "measured_by": problem.subject},
    )


RULE = Rule(
    name="backup-redis-file-damaged",
    category=Category.SAFETY,
    target=Target.BACKUP_PROBLEM,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.REDIS}),
    needs_live=True,  # observed by reading the artifact: the tests build the problems
)
