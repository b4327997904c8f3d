"""
## What it does
Reports binary logs purged sooner than `min_retention_days`.

On a server that writes a binary log, reports a retention shorter than `min_retention_days`:
`binlog_expire_logs_seconds` (MySQL 8, MariaDB 10.6+), else `expire_logs_days`. Zero in both means
the logs are never purged, which this rule does not report.

## Why is this bad?
Point-in-time recovery replays the binary logs written since the full backup being restored: when
they are purged before the next full backup (or before the one you may have to fall back to), the
gap cannot be recovered. Keep them at least as long as the interval between full backups, with
room for one failed backup.

## Example
```json
{"engine": "mysql", "version": "8.0.36",
 "settings": {"log_bin": "ON", "binlog_expire_logs_seconds": "86400"}}
```

## Use instead
```json
{"engine": "mysql", "version": "8.0.36",
 "settings": {"log_bin": "ON", "binlog_expire_logs_seconds": "1209600"}}
```

## Fix safety
Both variables are dynamic. A longer retention keeps more binary logs on disk: check the space
they take (`SHOW BINARY LOGS`). Safe when the disk allows it.

## References
- https://dev.mysql.com/doc/refman/8.0/en/replication-options-binary-log.html#sysvar_binlog_expire_logs_seconds
- https://mariadb.com/kb/en/replication-and-binary-log-system-variables/#expire_logs_days
"""

from collections.abc import Iterator

from dbexpert.model import Category, Engine, Finding, Location
from dbexpert.model.health import HealthSnapshot
from dbexpert.rules.context import RuleContext
from dbexpert.rules.ops._mysql import binlog_on, setting
from dbexpert.rules.registry import Rule, Target

DAY = 86_400


def retention_seconds(snapshot: HealthSnapshot) -> tuple[float | None, str]:
    """The binary log retention in seconds and the variable it came from; (None, ...) when never purged."""
    seconds = setting(snapshot, "binlog_expire_logs_seconds")
    if seconds:
        return seconds, "binlog_expire_logs_seconds"
    days = setting(snapshot, "expire_logs_days")
    if days:
        return days * DAY, "expire_logs_days"
    return None, "never purged (both retention variables are 0 or absent)"


def check(snapshot: HealthSnapshot, ctx: RuleContext) -> Iterator[Finding]:
    if not binlog_on(snapshot):
        return
    seconds, variable = retention_seconds(snapshot)
    wanted = ctx.option("min_retention_days")
    if seconds is None or seconds >= wanted * DAY:
        return
    new = wanted * DAY
    yield ctx.finding(
        f"Binary logs are purged after {seconds / DAY:g} day(s): point-in-time recovery from an older "
        "full backup is impossible.",
        location=Location(object=variable),
        fix=f"Keep binary logs at least {wanted} days (longer than the interval between full backups).",
        sql=f"SET GLOBAL binlog_expire_logs_seconds = {new};\n"
        f"-- and in my.cnf [mysqld]: binlog_expire_logs_seconds = {new}",
        evidence={
            "retention_days": round(seconds / DAY, 2),
            "variable": variable,
            "measured": "SHOW GLOBAL VARIABLES",
        },
    )


RULE = Rule(
    name="backup-mysql-binlog-retention-short",
    category=Category.OPS,
    target=Target.HEALTH,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.MYSQL}),
    options={"min_retention_days": 7},
)
