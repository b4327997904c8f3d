"""
## What it does
Reports a server whose open client connections approach the connections it accepts. Usable
slots are `max_connections` minus those kept for superusers (`superuser_reserved_connections`,
and `reserved_connections` on 16+).

## Why is this bad?
When the usable slots run out, new connections fail with `FATAL: sorry, too many clients already`
and the application goes down although the server is idle. Many open connections also cost memory
(each backend has its own caches and `work_mem`) and context switches: most busy servers do better
with a pooler in front than with more connections. check_postgres' `backends` action warns at 90 %
of the slots; the default here (80 %) leaves time to act.

## Example
```json
{"engine": "postgres", "version": "15.4",
 "settings": {"max_connections": "100", "superuser_reserved_connections": "3"},
 "results": {"connections": [{"total": 90, "active": 12, "idle": 70, "idle_in_transaction": 8}]}}
```

## Use instead
```json
{"engine": "postgres", "version": "15.4",
 "settings": {"max_connections": "100", "superuser_reserved_connections": "3"},
 "results": {"connections": [{"total": 25, "active": 5, "idle": 20, "idle_in_transaction": 0}]}}
```

## Fix safety
A pooler (PgBouncer in transaction mode) changes session semantics (session-level `SET`,
advisory locks, prepared statements need care). Raising `max_connections` needs a restart and more
memory. Manual.

## References
- https://www.postgresql.org/docs/current/runtime-config-connection.html#GUC-MAX-CONNECTIONS
- https://bucardo.org/check_postgres/check_postgres.pl.html#backends
- https://github.com/ankane/pghero
"""

from collections.abc import Iterator

from dbexpert.model import Category, Engine, Finding, Location, Severity
from dbexpert.model.health import HealthSnapshot
from dbexpert.rules.context import RuleContext
from dbexpert.rules.ops._pg import number
from dbexpert.rules.registry import Rule, Target


def check(snapshot: HealthSnapshot, ctx: RuleContext) -> Iterator[Finding]:
    rows = snapshot.rows("connections")
    maximum = number(snapshot.setting("max_connections"))
    if not rows or not maximum:
        return
    reserved = sum(
        number(snapshot.setting(name)) or 0
        for name in ("superuser_reserved_connections", "reserved_connections")
    )
    usable = int(maximum - reserved)
    total = int(rows[0]["total"] or 0)
    ratio = total / usable if usable > 0 else 1.0
    if ratio < ctx.option("ratio"):
        return
    yield ctx.finding(
        f"{total} of {usable} usable connections are open ({ratio:.0%}): new clients will soon be refused.",
        location=Location(object="max_connections"),
        fix="Put a connection pooler (PgBouncer) in front and lower the applications' pool sizes; "
        "terminate idle sessions; raise max_connections only with the memory to back it (restart).",
        sql="SELECT usename, application_name, state, count(*) FROM pg_stat_activity\n"
        "WHERE backend_type = 'client backend' GROUP BY 1, 2, 3 ORDER BY 4 DESC;\n"
        f"-- then, if the memory allows (restart needed):\nALTER SYSTEM SET max_connections = {int(maximum * 1.5)};",
        severity=Severity.ERROR if ratio >= ctx.option("error_ratio") else None,
        evidence={
            **dict(rows[0]),
            "max_connections": int(maximum),
            "reserved": int(reserved),
            "usable": usable,
            "ratio": round(ratio, 3),
            "source": "pg_stat_activity (client backends) and pg_settings",
        },
    )


RULE = Rule(
    name="connections-near-max",
    category=Category.OPS,
    target=Target.HEALTH,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.POSTGRES}),
    options={"ratio": 0.8, "error_ratio": 0.95},
)
