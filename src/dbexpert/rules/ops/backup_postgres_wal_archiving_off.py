"""
## What it does
Reports a PostgreSQL server that does not archive its WAL.

Reports a PostgreSQL server that does not archive its WAL continuously: `wal_level = minimal`,
`archive_mode = off`, or an `archive_command` that copies nothing (empty, `/bin/true`, `exit 0`)
with no `archive_library`.

## Why is this bad?
Point-in-time recovery restores a base backup and replays the archived WAL up to the moment
wanted. Without an archive, the only recovery point is the last full backup (`pg_dump` or a base
backup): everything written since is lost, and a mistaken `DELETE` cannot be undone to the minute
before. A no-op `archive_command` is worse than none: PostgreSQL believes the segments are safe
and recycles them.

## Example
```json
{"engine": "postgres", "version": "15.4",
 "settings": {"wal_level": "replica", "archive_mode": "off", "archive_command": "(disabled)",
              "archive_library": "", "archive_timeout": "0"}}
```

## Use instead
```json
{"engine": "postgres", "version": "15.4",
 "settings": {"wal_level": "replica", "archive_mode": "on",
              "archive_command": "pgbackrest --stanza=main archive-push %p",
              "archive_library": "", "archive_timeout": "60"}}
```

## Fix safety
`archive_mode` and `wal_level` need a restart; `archive_command` a reload. Set up the archive
destination (pgBackRest, WAL-G, Barman) and take a base backup first: once archive_mode is on,
WAL is kept until archived, so a failing command fills the disk. Manual.

## References
- https://www.postgresql.org/docs/current/continuous-archiving.html
- https://pgbackrest.org/user-guide.html#quickstart/configure-archiving
- https://bucardo.org/check_postgres/check_postgres.pl.html#archive_ready
"""

from collections.abc import Iterator

from dbexpert.model import Category, Engine, Finding, Location
from dbexpert.model.health import HealthSnapshot
from dbexpert.rules.context import RuleContext
from dbexpert.rules.ops._backup import archiving_problems
from dbexpert.rules.registry import Rule, Target

_SETUP = """ALTER SYSTEM SET wal_level = 'replica';
ALTER SYSTEM SET archive_mode = 'on';
ALTER SYSTEM SET archive_command = 'pgbackrest --stanza=main archive-push %p';  -- or wal-g wal-push %p
ALTER SYSTEM SET archive_timeout = '60s';
-- restart the server, then take a base backup (pgbackrest --stanza=main backup)"""


def check(snapshot: HealthSnapshot, ctx: RuleContext) -> Iterator[Finding]:
    if snapshot.setting("archive_mode") is None:  # not read (the audit snapshot has no archiving settings)
        return
    problems = archiving_problems(snapshot)
    if not problems:
        return
    yield ctx.finding(
        f"WAL is not archived ({'; '.join(problems)}): no point-in-time recovery, a restore loses "
        "everything since the last full backup.",
        location=Location(object=problems[0].split()[0]),
        fix="Archive WAL continuously with a backup tool and take base backups.",
        sql=_SETUP,
        evidence={
            name: snapshot.setting(name)
            for name in ("wal_level", "archive_mode", "archive_command", "archive_library")
        }
        | {"measured": "current_setting() in pg_settings"},
    )


RULE = Rule(
    name="backup-postgres-wal-archiving-off",
    category=Category.OPS,
    target=Target.HEALTH,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.POSTGRES}),
)
