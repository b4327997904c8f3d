"""
## What it does
Reports a server that does not record its slow queries.

Reports a server whose slow query log is off (`slow_query_log = OFF`), or on with a
`long_query_time` above `max_long_query_time` seconds, so slow statements go unrecorded.

## Why is this bad?
Without the slow query log there is no record of which statements cost the server its time, and
tools that rank them (pt-query-digest, `dbexpert` on a slow log) have nothing to read. MySQLTuner
and pt-variable-advisor both flag it; the default `long_query_time` of 10 seconds misses nearly
every query that matters for an interactive application.

## Example
```json
{"engine": "mysql", "version": "10.11.6", "flavor": "mariadb",
 "settings": {"slow_query_log": "OFF", "long_query_time": "10.000000"}}
```

## Use instead
```json
{"engine": "mysql", "version": "10.11.6", "flavor": "mariadb",
 "settings": {"slow_query_log": "ON", "long_query_time": "1.000000"}}
```

## Fix safety
Both variables are dynamic. The log costs a write per slow statement: with a very low
`long_query_time` on a busy server, watch the log's size and rotate it. Safe.

## References
- https://github.com/major/MySQLTuner-perl (Slow queries)
- https://docs.percona.com/percona-toolkit/pt-variable-advisor.html
- https://dev.mysql.com/doc/refman/8.0/en/slow-query-log.html
- https://mariadb.com/kb/en/slow-query-log-overview/
"""

from collections.abc import Iterator

from dbexpert.model import Applicability, Category, Engine, Finding, Location
from dbexpert.model.health import HealthSnapshot
from dbexpert.rules.context import RuleContext
from dbexpert.rules.ops._mysql import is_on, setting
from dbexpert.rules.registry import Rule, Target


def check(snapshot: HealthSnapshot, ctx: RuleContext) -> Iterator[Finding]:
    if snapshot.setting("slow_query_log") is None:
        return
    on, long_time = is_on(snapshot, "slow_query_log"), setting(snapshot, "long_query_time")
    limit = ctx.option("max_long_query_time")
    if on and (long_time is None or long_time <= limit):
        return
    message = (
        "The slow query log is off: slow statements are not recorded anywhere."
        if not on
        else f"The slow query log only records statements slower than {long_time:g} s."
    )
    yield ctx.finding(
        message,
        location=Location(object="slow_query_log"),
        fix=f"Turn the slow query log on with long_query_time of {limit:g} s or less, online and in my.cnf.",
        sql=f"SET GLOBAL slow_query_log = ON;\nSET GLOBAL long_query_time = {limit:g};\n"
        f"-- and in my.cnf [mysqld]: slow_query_log = 1, long_query_time = {limit:g}",
        applicability=Applicability.SAFE,
        evidence={
            "slow_query_log": snapshot.setting("slow_query_log"),
            "long_query_time": snapshot.setting("long_query_time"),
            "measured": "SHOW GLOBAL VARIABLES",
        },
    )


RULE = Rule(
    name="mysql-slow-query-log-off",
    category=Category.OPS,
    target=Target.HEALTH,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.MYSQL}),
    options={"max_long_query_time": 1.0},
)
