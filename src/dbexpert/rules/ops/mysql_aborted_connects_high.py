"""
## What it does
Reports a high share of failed connection attempts.

Compares failed connection attempts (`Aborted_connects`: bad password, unknown database, handshake
timeout, missing privilege) with all attempts (`Connections`), and reports `max_aborted_percent`
or more once there were at least `min_connections` attempts.

## Why is this bad?
A high share of failed connects means a misconfigured client retrying with wrong credentials, a
network problem, or someone guessing passwords. MySQLTuner flags more than 3%. Repeated failures
from one host also end in `Host ... is blocked because of many connection errors`
(`max_connect_errors`).

## Example
```json
{"engine": "mysql", "version": "10.11.6", "flavor": "mariadb",
 "facts": {"Aborted_connects": 900, "Connections": 10000, "Uptime": 86400}}
```

## Use instead
```json
{"engine": "mysql", "version": "10.11.6", "flavor": "mariadb",
 "facts": {"Aborted_connects": 12, "Connections": 10000, "Uptime": 86400}}
```

## Fix safety
Nothing to change on the server until the cause is known: read the error log (with
`log_warnings`/`log_error_verbosity` at 2 or more, aborted connections are logged with host and
user). Manual.

## References
- https://github.com/major/MySQLTuner-perl (Aborted connections)
- https://dev.mysql.com/doc/refman/8.0/en/communication-errors.html
"""

from collections.abc import Iterator

from dbexpert.model import Category, Engine, Finding, Location
from dbexpert.model.health import HealthSnapshot
from dbexpert.rules.context import RuleContext
from dbexpert.rules.ops._mysql import fact, mariadb, measured
from dbexpert.rules.registry import Rule, Target


def check(snapshot: HealthSnapshot, ctx: RuleContext) -> Iterator[Finding]:
    aborted, attempts = fact(snapshot, "Aborted_connects"), fact(snapshot, "Connections")
    if aborted is None or not attempts or attempts < ctx.option("min_connections"):
        return
    percent = 100 * aborted / attempts
    if percent < ctx.option("max_aborted_percent"):
        return
    verbosity = "SET GLOBAL log_warnings = 4;" if mariadb(snapshot) else "SET GLOBAL log_error_verbosity = 3;"
    yield ctx.finding(
        f"{int(aborted):,} of {int(attempts):,} connection attempts failed ({percent:.1f}%): "
        "a client with wrong credentials, a network problem, or password guessing.",
        location=Location(object="Aborted_connects"),
        fix="Log the failed attempts with their host and user, then fix or block the client.",
        sql=f"{verbosity}  -- failed connects then appear in the error log",
        evidence={
            "Aborted_connects": int(aborted),
            "Connections": int(attempts),
            "aborted_percent": round(percent, 2),
            "measured": measured(snapshot),
        },
    )


RULE = Rule(
    name="mysql-aborted-connects-high",
    category=Category.OPS,
    target=Target.HEALTH,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.MYSQL}),
    options={"max_aborted_percent": 3, "min_connections": 1000},
)
