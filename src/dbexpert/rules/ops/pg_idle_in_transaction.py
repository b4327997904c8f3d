"""
## What it does
Lists sessions that have been idle inside an open transaction for longer than `min_seconds`
(default one minute): the client began a transaction and stopped talking.

## Why is this bad?
An idle transaction keeps its snapshot and its locks. VACUUM cannot clean rows newer than its
snapshot anywhere in the database, so tables bloat, and an `ALTER TABLE` queued behind one of its
locks blocks every later query on the table. It is almost always an application bug (a forgotten
`COMMIT`, work done between queries, an exception path that never rolls back). PgHero and
check_postgres (`txn_idle`) report it; the server can end such sessions by itself with
`idle_in_transaction_session_timeout`.

## Example
```json
{"engine": "postgres", "version": "15.4",
 "settings": {"idle_in_transaction_session_timeout": "0"},
 "results": {"sessions": [{"pid": 5151, "user": "app", "application_name": "worker",
   "state": "idle in transaction", "query_start": "2024-05-01T10:00:00+00:00",
   "xact_start": "2024-05-01T10:00:00+00:00", "query_seconds": 620.0, "xact_seconds": 620.0,
   "state_seconds": 615.5, "query": "UPDATE jobs SET state = 'running' WHERE id = 7"}]}}
```

## Use instead
```json
{"engine": "postgres", "version": "15.4",
 "settings": {"idle_in_transaction_session_timeout": "1min"},
 "results": {"sessions": [{"pid": 5151, "user": "app", "application_name": "worker",
   "state": "idle in transaction", "xact_seconds": 2.0, "state_seconds": 1.5,
   "query": "UPDATE jobs SET state = 'running' WHERE id = 7"}]}}
```

## Fix safety
`pg_terminate_backend` ends the session and rolls its transaction back: the work it did is lost
and the client sees a broken connection. The timeout does the same automatically for every
session. Manual.

## References
- https://www.postgresql.org/docs/current/runtime-config-client.html#GUC-IDLE-IN-TRANSACTION-SESSION-TIMEOUT
- https://bucardo.org/check_postgres/check_postgres.pl.html#txn_idle
- https://github.com/ankane/pghero
"""

from collections.abc import Iterator

from dbexpert.model import Category, Engine, Finding, Location
from dbexpert.model.health import HealthSnapshot
from dbexpert.rules.context import RuleContext
from dbexpert.rules.ops._pg import number
from dbexpert.rules.registry import Rule, Target


def check(snapshot: HealthSnapshot, ctx: RuleContext) -> Iterator[Finding]:
    timeout = snapshot.setting("idle_in_transaction_session_timeout")
    for row in snapshot.rows("sessions"):
        seconds = number(row.get("state_seconds"))
        if not str(row.get("state", "")).startswith("idle in transaction"):
            continue
        if seconds is None or seconds < ctx.option("min_seconds"):
            continue
        pid = row.get("pid")
        statements = [f"SELECT pg_terminate_backend({pid});"]
        if timeout in (None, "0"):
            statements.append(
                "-- and let the server end such sessions itself:\n"
                "ALTER SYSTEM SET idle_in_transaction_session_timeout = '5min';\nSELECT pg_reload_conf();"
            )
        yield ctx.finding(
            f"Session pid {pid} ({row.get('user')}, {row.get('application_name') or 'no application name'}) "
            f"has been idle in an open transaction for {seconds / 60:.1f} minutes, holding its locks and "
            "snapshot.",
            location=Location(object=f"pid {pid}"),
            fix="Terminate the session, fix the application path that leaves the transaction open, and set "
            "idle_in_transaction_session_timeout.",
            sql="\n".join(statements),
            evidence={
                **dict(row),
                "idle_in_transaction_session_timeout": timeout,
                "threshold_seconds": ctx.option("min_seconds"),
                "source": "pg_stat_activity (now() - state_change)",
            },
        )


RULE = Rule(
    name="idle-in-transaction",
    category=Category.OPS,
    target=Target.HEALTH,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.POSTGRES}),
    options={"min_seconds": 60},
)
