"""
## What it does
Reports WAL archiving without a bound on how long a partial segment waits.

On a server that archives WAL through `archive_command` or `archive_library`, reports
`archive_timeout = 0` (the default) or above `max_archive_timeout` seconds.

## Why is this bad?
A WAL segment is archived only when it is full (16 MB by default). On a quiet server a segment
can take hours to fill, and until then the transactions in it exist only on this server's disk:
the recovery point after losing the server is as old as that partial segment. `archive_timeout`
forces a segment switch (and so an archive) at least that often when there was activity, which
bounds the recovery point. Streaming the WAL (`pg_receivewal`, Barman streaming) bounds it too.

## Example
```json
{"engine": "postgres", "version": "15.4",
 "settings": {"wal_level": "replica", "archive_mode": "on",
              "archive_command": "wal-g wal-push %p", "archive_timeout": "0"}}
```

## Use instead
```json
{"engine": "postgres", "version": "15.4",
 "settings": {"wal_level": "replica", "archive_mode": "on",
              "archive_command": "wal-g wal-push %p", "archive_timeout": "1min"}}
```

## Fix safety
`archive_timeout` needs only a reload. Each forced switch archives a full-size segment
(compressed by most tools): a very short timeout costs archive space. Safe.

## References
- https://www.postgresql.org/docs/current/runtime-config-wal.html#GUC-ARCHIVE-TIMEOUT
- https://pgbackrest.org/configuration.html#section-archive
"""

import re
from collections.abc import Iterator

from dbexpert.model import Applicability, Category, Engine, Finding, Location
from dbexpert.model.health import HealthSnapshot
from dbexpert.rules.context import RuleContext
from dbexpert.rules.ops._backup import archiving_problems
from dbexpert.rules.registry import Rule, Target

_UNITS = {"": 1, "s": 1, "min": 60, "h": 3600, "d": 86400, "ms": 0.001}


def timeout_seconds(text: str | None) -> float | None:
    """``archive_timeout`` as SHOW prints it ("0", "60s", "1min", "1h") in seconds."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*", text or "")
    if not match or match.group(2) not in _UNITS:
        return None
    return float(match.group(1)) * _UNITS[match.group(2)]


def check(snapshot: HealthSnapshot, ctx: RuleContext) -> Iterator[Finding]:
    if snapshot.setting("archive_mode") is None or archiving_problems(snapshot):
        return
    seconds = timeout_seconds(snapshot.setting("archive_timeout"))
    limit = ctx.option("max_archive_timeout")
    if seconds is None or (0 < seconds <= limit):
        return
    shown = "0 (never forced)" if seconds == 0 else snapshot.setting("archive_timeout")
    yield ctx.finding(
        f"archive_timeout is {shown}: on a quiet server the last transactions stay in a partial WAL "
        "segment on this server for as long as it takes to fill.",
        location=Location(object="archive_timeout"),
        fix=f"Force a WAL switch at least every {limit} s, or stream WAL to the backup host.",
        sql=f"ALTER SYSTEM SET archive_timeout = '{limit}s';\nSELECT pg_reload_conf();",
        applicability=Applicability.SAFE,
        evidence={"archive_timeout": snapshot.setting("archive_timeout"), "measured": "pg_settings"},
    )


RULE = Rule(
    name="backup-postgres-archive-timeout-unset",
    category=Category.OPS,
    target=Target.HEALTH,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.POSTGRES}),
    options={"max_archive_timeout": 300},
)
