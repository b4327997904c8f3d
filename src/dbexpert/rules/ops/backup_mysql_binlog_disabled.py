"""
## What it does
Reports a MySQL or MariaDB server that writes no binary log (`log_bin = OFF`).

## Why is this bad?
The binary log is what point-in-time recovery replays on top of the last full backup: without it,
a restore brings back the state of that backup and every change since is lost (the recovery point
is the last full backup). It is also what replicas and change-data-capture read. MySQL 8 enables
it by default; MariaDB does not.

## Example
```json
{"engine": "mysql", "version": "10.11.6", "flavor": "mariadb",
 "settings": {"log_bin": "OFF", "binlog_format": "MIXED", "server_id": "1"}}
```

## Use instead
```json
{"engine": "mysql", "version": "10.11.6", "flavor": "mariadb",
 "settings": {"log_bin": "ON", "binlog_format": "ROW", "server_id": "1"}}
```

## Fix safety
`log_bin` is not dynamic: it needs a configuration change and a restart. The log takes disk
space: set its retention (`binlog_expire_logs_seconds`, `expire_logs_days` on MariaDB before
10.6) to cover at least the interval between full backups. Manual.

## References
- https://dev.mysql.com/doc/refman/8.0/en/point-in-time-recovery.html
- https://mariadb.com/kb/en/activating-the-binary-log/
- https://github.com/major/MySQLTuner-perl (Binlog)
"""

from collections.abc import Iterator

from dbexpert.model import Category, Engine, Finding, Location
from dbexpert.model.health import HealthSnapshot
from dbexpert.rules.context import RuleContext
from dbexpert.rules.ops._mysql import binlog_on
from dbexpert.rules.registry import Rule, Target


def check(snapshot: HealthSnapshot, ctx: RuleContext) -> Iterator[Finding]:
    if snapshot.setting("log_bin") is None or binlog_on(snapshot):
        return
    server_id = snapshot.setting("server_id") or "1"
    yield ctx.finding(
        "The binary log is off: no point-in-time recovery, a restore loses every change since the "
        "last full backup.",
        location=Location(object="log_bin"),
        fix="Enable the binary log in the configuration file and restart the server.",
        sql=f"-- my.cnf [mysqld], then restart:\nlog_bin = mysql-bin\nserver_id = {server_id}\n"
        "binlog_format = ROW\nsync_binlog = 1\nbinlog_expire_logs_seconds = 604800",
        evidence={"log_bin": snapshot.setting("log_bin"), "measured": "SHOW GLOBAL VARIABLES"},
    )


RULE = Rule(
    name="backup-mysql-binlog-disabled",
    category=Category.OPS,
    target=Target.HEALTH,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.MYSQL}),
)
