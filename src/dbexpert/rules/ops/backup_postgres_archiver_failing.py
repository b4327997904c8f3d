"""
## What it does
Reports WAL archiving that is failing or falling behind.

On a server that archives WAL, reports an archiver that is failing now (`pg_stat_archiver`: the
last failure is newer than the last success) or falling behind: `max_ready_files` or more WAL
segments waiting in `pg_wal/archive_status` (check_postgres' `archive_ready`).

## Why is this bad?
While the archive command fails, no new WAL reaches the archive: the recovery point stops at the
last archived segment and moves further into the past every minute. The segments stay in
`pg_wal` until they are archived, so the disk fills and the server eventually stops.

## Example
```json
{"engine": "postgres", "version": "15.4",
 "settings": {"archive_mode": "on", "archive_command": "wal-g wal-push %p"},
 "results": {"archiver": [{"archived_count": 812, "last_archived_wal": "000000010000000A00000041",
   "last_archived_time": "2024-05-01T09:00:00+00:00", "failed_count": 37,
   "last_failed_wal": "000000010000000A00000042", "last_failed_time": "2024-05-01T10:15:00+00:00",
   "seconds_since_archived": 4500, "ready_files": 5}]}}
```

## Use instead
```json
{"engine": "postgres", "version": "15.4",
 "settings": {"archive_mode": "on", "archive_command": "wal-g wal-push %p"},
 "results": {"archiver": [{"archived_count": 850, "last_archived_wal": "000000010000000A00000052",
   "last_archived_time": "2024-05-01T10:15:00+00:00", "failed_count": 37,
   "last_failed_wal": "000000010000000A00000042", "last_failed_time": "2024-05-01T09:30:00+00:00",
   "seconds_since_archived": 20, "ready_files": 0}]}}
```

## Fix safety
Read the server log for the archive command's error (credentials, a full destination, network)
and fix that; never mark segments as archived by hand. Once the command succeeds the backlog
drains by itself. Manual.

## References
- https://www.postgresql.org/docs/current/monitoring-stats.html#MONITORING-PG-STAT-ARCHIVER-VIEW
- https://bucardo.org/check_postgres/check_postgres.pl.html#archive_ready
- https://www.postgresql.org/docs/current/continuous-archiving.html#BACKUP-ARCHIVING-WAL
"""

from collections.abc import Iterator

from dbexpert.model import Category, Engine, Finding, Location
from dbexpert.model.health import HealthSnapshot
from dbexpert.rules.context import RuleContext
from dbexpert.rules.ops._backup import archiving_problems
from dbexpert.rules.registry import Rule, Target


def check(snapshot: HealthSnapshot, ctx: RuleContext) -> Iterator[Finding]:
    rows = snapshot.rows("archiver")
    if not rows or snapshot.setting("archive_mode") is None or archiving_problems(snapshot):
        return
    row = rows[0]
    failed_at, archived_at = row.get("last_failed_time"), row.get("last_archived_time")
    failing = bool(failed_at) and (not archived_at or str(failed_at) > str(archived_at))
    ready = row.get("ready_files")
    behind = isinstance(ready, int) and ready >= ctx.option("max_ready_files")
    if not failing and not behind:
        return
    what = (
        f"the archive command is failing (last failure {failed_at} on {row.get('last_failed_wal')}, "
        f"last success {archived_at or 'never'})"
        if failing
        else f"{ready} WAL segments are waiting to be archived"
    )
    yield ctx.finding(
        f"WAL archiving is not keeping up: {what}; the recovery point is falling behind and pg_wal grows.",
        location=Location(object="pg_stat_archiver"),
        fix="Find the archive command's error in the server log and fix it (credentials, space, network).",
        sql="SELECT * FROM pg_stat_archiver;\nSHOW archive_command;",
        evidence={**dict(row), "measured": "pg_stat_archiver; .ready files from pg_ls_archive_statusdir()"},
    )


RULE = Rule(
    name="backup-postgres-archiver-failing",
    category=Category.OPS,
    target=Target.HEALTH,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.POSTGRES}),
    options={"max_ready_files": 10},
)
