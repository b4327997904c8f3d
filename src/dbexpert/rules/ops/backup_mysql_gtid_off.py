"""
## What it does
Reports a binary log written without enforced GTIDs.

On a server that writes a binary log, reports GTIDs that are not enforced: on MySQL `gtid_mode`
or `enforce_gtid_consistency` not `ON`; on MariaDB (whose GTIDs are always written)
`gtid_strict_mode = OFF`.

## Why is this bad?
Global transaction identifiers name every transaction, so a restore or a replica knows exactly
which transactions it has applied: recovery to a point and failover do not depend on reading file
names and byte offsets right, and a transaction is never applied twice. MariaDB's strict mode
refuses out-of-order or duplicate GTIDs instead of silently diverging.

## Example
```json
{"engine": "mysql", "version": "8.0.36",
 "settings": {"log_bin": "ON", "gtid_mode": "OFF", "enforce_gtid_consistency": "OFF"}}
```

## Use instead
```json
{"engine": "mysql", "version": "8.0.36",
 "settings": {"log_bin": "ON", "gtid_mode": "ON", "enforce_gtid_consistency": "ON"}}
```

## Fix safety
On MySQL `gtid_mode` goes OFF -> OFF_PERMISSIVE -> ON_PERMISSIVE -> ON one step at a time, after
`enforce_gtid_consistency = WARN` showed no offending statement; replicas follow the documented
online procedure. `gtid_strict_mode` on MariaDB is dynamic. Manual.

## References
- https://dev.mysql.com/doc/refman/8.0/en/replication-mode-change-online-enable-gtids.html
- https://mariadb.com/kb/en/gtid/#gtid_strict_mode
- https://docs.percona.com/percona-toolkit/pt-variable-advisor.html
"""

from collections.abc import Iterator

from dbexpert.model import Category, Engine, Finding, Location
from dbexpert.model.health import HealthSnapshot
from dbexpert.rules.context import RuleContext
from dbexpert.rules.ops._mysql import binlog_on, is_on, mariadb
from dbexpert.rules.registry import Rule, Target

_MYSQL_STEPS = """SET GLOBAL enforce_gtid_consistency = WARN;  -- watch the error log, then:
SET GLOBAL enforce_gtid_consistency = ON;
SET GLOBAL gtid_mode = OFF_PERMISSIVE;
SET GLOBAL gtid_mode = ON_PERMISSIVE;
-- wait until SHOW STATUS LIKE 'Ongoing_anonymous_transaction_count' is 0 everywhere, then:
SET GLOBAL gtid_mode = ON;
-- and in my.cnf [mysqld]: gtid_mode = ON, enforce_gtid_consistency = ON"""


def check(snapshot: HealthSnapshot, ctx: RuleContext) -> Iterator[Finding]:
    if not binlog_on(snapshot):
        return
    names = ("gtid_strict_mode",) if mariadb(snapshot) else ("gtid_mode", "enforce_gtid_consistency")
    present = [name for name in names if snapshot.setting(name) is not None]
    off = [name for name in present if not is_on(snapshot, name)]
    if not off:
        return
    evidence = {name: snapshot.setting(name) for name in present}
    if mariadb(snapshot):
        sql = "SET GLOBAL gtid_strict_mode = ON;\n-- and in my.cnf [mysqld]: gtid_strict_mode = 1"
    else:
        sql = _MYSQL_STEPS
    yield ctx.finding(
        f"GTIDs are not enforced ({', '.join(f'{n} = {snapshot.setting(n)}' for n in off)}): recovery "
        "and failover depend on binary log file names and offsets.",
        location=Location(object=off[0]),
        fix="Enforce GTIDs (the documented online procedure on MySQL; gtid_strict_mode on MariaDB).",
        sql=sql,
        evidence={**evidence, "log_bin": "ON", "measured": "SHOW GLOBAL VARIABLES"},
    )


RULE = Rule(
    name="backup-mysql-gtid-off",
    category=Category.OPS,
    target=Target.HEALTH,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.MYSQL}),
)
