"""
## What it does
Reports connection peaks close to `max_connections`.

Compares the highest number of simultaneous connections since the server started
(`Max_used_connections`) with `max_connections`, and reports it at `max_used_percent` or more.

## Why is this bad?
When `max_connections` is reached, new clients get "Too many connections" and the application
fails. MySQLTuner flags more than 85% of the limit used. Raising the limit costs memory per
connection; a connection pool in the application is usually the better fix.

## Example
```json
{"engine": "mysql", "version": "8.0.36",
 "settings": {"max_connections": "151"},
 "facts": {"Max_used_connections": 151, "Connections": 90000, "Uptime": 86400}}
```

## Use instead
```json
{"engine": "mysql", "version": "8.0.36",
 "settings": {"max_connections": "500"},
 "facts": {"Max_used_connections": 151, "Connections": 90000, "Uptime": 86400}}
```

## Fix safety
`SET GLOBAL max_connections` is online; each connection can use its own sort, join and read
buffers, so check the memory it allows. Pooling in the application changes no server setting. Manual.

## References
- https://github.com/major/MySQLTuner-perl (Highest usage of available connections)
- https://dev.mysql.com/doc/refman/8.0/en/too-many-connections.html
"""

from collections.abc import Iterator

from dbexpert.model import Category, Engine, Finding, Location
from dbexpert.model.health import HealthSnapshot
from dbexpert.rules.context import RuleContext
from dbexpert.rules.ops._mysql import fact, measured, setting
from dbexpert.rules.registry import Rule, Target


def check(snapshot: HealthSnapshot, ctx: RuleContext) -> Iterator[Finding]:
    limit, used = setting(snapshot, "max_connections"), fact(snapshot, "Max_used_connections")
    if not limit or used is None:
        return
    percent = 100 * used / limit
    if percent < ctx.option("max_used_percent"):
        return
    suggested = int(limit * 1.5)
    yield ctx.finding(
        f"Connections peaked at {int(used)} of max_connections {int(limit)} ({percent:.0f}%): "
        "new clients are refused at the limit.",
        location=Location(object="max_connections"),
        fix="Pool connections in the application; if the peak is legitimate, raise max_connections "
        "(and check the memory each connection may use).",
        sql=f"SET GLOBAL max_connections = {suggested};\n-- and in my.cnf [mysqld]: max_connections = {suggested}",
        evidence={
            "Max_used_connections": int(used),
            "max_connections": int(limit),
            "used_percent": round(percent, 1),
            "measured": measured(snapshot),
        },
    )


RULE = Rule(
    name="mysql-connections-near-limit",
    category=Category.OPS,
    target=Target.HEALTH,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.MYSQL}),
    options={"max_used_percent": 85},
)
