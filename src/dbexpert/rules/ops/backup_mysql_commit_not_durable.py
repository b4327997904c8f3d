"""
## What it does
Reports commits that a crash can lose.

Reports commits that a crash can lose: `innodb_flush_log_at_trx_commit` other than 1, or, on a
server that writes a binary log, `sync_binlog` other than 1.

## Why is this bad?
With `innodb_flush_log_at_trx_commit` at 0 or 2 the redo log is flushed about once a second, so a
crash of the server (0) or of the machine (2) loses up to a second of committed transactions. With
`sync_binlog` at 0 the binary log is flushed when the OS decides: after a crash it can miss
transactions InnoDB kept, and replicas and point-in-time recovery then disagree with the data.
pt-variable-advisor flags both; "1 and 1" is the only crash-safe setting.

## Example
```json
{"engine": "mysql", "version": "8.0.36",
 "settings": {"log_bin": "ON", "sync_binlog": "0", "innodb_flush_log_at_trx_commit": "2"}}
```

## Use instead
```json
{"engine": "mysql", "version": "8.0.36",
 "settings": {"log_bin": "ON", "sync_binlog": "1", "innodb_flush_log_at_trx_commit": "1"}}
```

## Fix safety
Both variables are dynamic. Flushing at every commit costs an fsync per commit (group commit
amortizes it; a disk with a battery-backed cache makes it cheap): measure write latency after the
change. Manual.

## References
- https://dev.mysql.com/doc/refman/8.0/en/innodb-parameters.html#sysvar_innodb_flush_log_at_trx_commit
- https://dev.mysql.com/doc/refman/8.0/en/replication-options-binary-log.html#sysvar_sync_binlog
- https://docs.percona.com/percona-toolkit/pt-variable-advisor.html
"""

from collections.abc import Iterator

from dbexpert.model import Category, Engine, Finding, Location
from dbexpert.model.health import HealthSnapshot
from dbexpert.rules.context import RuleContext
from dbexpert.rules.ops._mysql import binlog_on
from dbexpert.rules.registry import Rule, Target


def check(snapshot: HealthSnapshot, ctx: RuleContext) -> Iterator[Finding]:
    loose = []
    flush = snapshot.setting("innodb_flush_log_at_trx_commit")
    if flush is not None and flush.strip() != "1":
        loose.append("innodb_flush_log_at_trx_commit")
    sync = snapshot.setting("sync_binlog")
    if binlog_on(snapshot) and sync is not None and sync.strip() != "1":
        loose.append("sync_binlog")
    if not loose:
        return
    yield ctx.finding(
        f"{' and '.join(f'{n} = {snapshot.setting(n)}' for n in loose)}: a crash can lose transactions "
        "already reported as committed.",
        location=Location(object=loose[0]),
        fix="Flush the redo log (and the binary log) at every commit.",
        sql="\n".join(f"SET GLOBAL {n} = 1;" for n in loose)
        + f"\n-- and in my.cnf [mysqld]: {', '.join(f'{n} = 1' for n in loose)}",
        evidence={
            "innodb_flush_log_at_trx_commit": flush,
            "sync_binlog": sync,
            "log_bin": snapshot.setting("log_bin"),
            "measured": "SHOW GLOBAL VARIABLES",
        },
    )


RULE = Rule(
    name="backup-mysql-commit-not-durable",
    category=Category.OPS,
    target=Target.HEALTH,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.MYSQL}),
)
