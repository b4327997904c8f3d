"""
## What it does
Reports a binary log in `STATEMENT` or `MIXED` format (`binlog_format`) on a server that writes one.

## Why is this bad?
Statement-based events replay the SQL text, and non-deterministic statements (`UUID()`, `NOW()` in
some contexts, `LIMIT` without `ORDER BY`, triggers, user-defined functions) can produce different
rows on a replica or during point-in-time recovery. Row-based logging records the changed rows
themselves, and is what flashback and change-data-capture tools need. pt-variable-advisor and
MySQL 8's default agree on ROW.

## Example
```json
{"engine": "mysql", "version": "8.0.36",
 "settings": {"log_bin": "ON", "binlog_format": "STATEMENT"}}
```

## Use instead
```json
{"engine": "mysql", "version": "8.0.36",
 "settings": {"log_bin": "ON", "binlog_format": "ROW"}}
```

## Fix safety
`binlog_format` is dynamic, but sessions keep their format until they reconnect, and a replica
must be able to apply row events: change it in my.cnf and during a quiet period. Manual.

## References
- https://dev.mysql.com/doc/refman/8.0/en/replication-sbr-rbr.html
- https://mariadb.com/kb/en/binary-log-formats/
- https://docs.percona.com/percona-toolkit/pt-variable-advisor.html
"""

from collections.abc import Iterator

from dbexpert.model import Category, Engine, Finding, Location
from dbexpert.model.health import HealthSnapshot
from dbexpert.rules.context import RuleContext
from dbexpert.rules.ops._mysql import binlog_on
from dbexpert.rules.registry import Rule, Target


def check(snapshot: HealthSnapshot, ctx: RuleContext) -> Iterator[Finding]:
    form = (snapshot.setting("binlog_format") or "").upper()
    if not binlog_on(snapshot) or form in ("", "ROW"):
        return
    yield ctx.finding(
        f"The binary log is in {form} format: non-deterministic statements can replay differently "
        "on replicas and in point-in-time recovery.",
        location=Location(object="binlog_format"),
        fix="Switch the binary log to ROW format, in my.cnf too.",
        sql="SET GLOBAL binlog_format = 'ROW';\n-- and in my.cnf [mysqld]: binlog_format = ROW",
        evidence={"binlog_format": form, "log_bin": "ON", "measured": "SHOW GLOBAL VARIABLES"},
    )


RULE = Rule(
    name="backup-mysql-binlog-not-row",
    category=Category.OPS,
    target=Target.HEALTH,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.MYSQL}),
)
