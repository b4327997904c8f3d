"""
## What it does
Lists queries that have been running for longer than `min_seconds` (default 5 minutes), with
their pid, user, application, start time and text, from `pg_stat_activity`.

## Why is this bad?
A query that runs for minutes holds its snapshot the whole time: VACUUM cannot remove the rows
it might still see, so tables bloat; it holds its locks, so a migration waiting behind it blocks
everything behind the migration; and it usually means a missing index or a runaway report.
PgHero lists long-running queries (its default is one minute); pg-extras' `long_running_queries`
shows those over five minutes, which is the default here.

## Example
```json
{"engine": "postgres", "version": "15.4",
 "results": {"sessions": [{"pid": 4242, "user": "app", "application_name": "reports",
   "state": "active", "query_start": "2024-05-01T10:00:00+00:00", "query_seconds": 1840.2,
   "xact_seconds": 1840.2, "state_seconds": 1840.2, "query": "SELECT sum(total) FROM orders"}]}}
```

## Use instead
```json
{"engine": "postgres", "version": "15.4",
 "results": {"sessions": [{"pid": 4242, "user": "app", "application_name": "web",
   "state": "active", "query_start": "2024-05-01T10:00:00+00:00", "query_seconds": 0.4,
   "xact_seconds": 0.4, "state_seconds": 0.4, "query": "SELECT * FROM orders WHERE id = $1"}]}}
```

## Fix safety
`pg_cancel_backend` cancels the query (the client gets an error, its transaction aborts);
`pg_terminate_backend` closes the whole connection. A `statement_timeout` for the role bounds
future queries. Manual: make sure the query is not a legitimate batch job first.

## References
- https://www.postgresql.org/docs/current/monitoring-stats.html#MONITORING-PG-STAT-ACTIVITY-VIEW
- https://www.postgresql.org/docs/current/functions-admin.html#FUNCTIONS-ADMIN-SIGNAL
- https://github.com/pawurb/ruby-pg-extras
- https://github.com/ankane/pghero
"""

from collections.abc import Iterator

from dbexpert.model import Category, Engine, Finding, Location
from dbexpert.model.health import HealthSnapshot
from dbexpert.rules.context import RuleContext
from dbexpert.rules.ops._pg import number
from dbexpert.rules.registry import Rule, Target


def check(snapshot: HealthSnapshot, ctx: RuleContext) -> Iterator[Finding]:
    for row in snapshot.rows("sessions"):
        seconds = number(row.get("query_seconds"))
        if row.get("state") != "active" or seconds is None or seconds < ctx.option("min_seconds"):
            continue
        pid, user = row.get("pid"), row.get("user")
        yield ctx.finding(
            f"Query of pid {pid} ({user}, {row.get('application_name') or 'no application name'}) has been "
            f"running for {seconds / 60:.1f} minutes.",
            location=Location(object=f"pid {pid}"),
            fix="Cancel the query if it is not a planned batch job, find why it is slow (EXPLAIN), and bound "
            "future ones with a statement_timeout for the role.",
            sql=f"SELECT pg_cancel_backend({pid});\n-- if it does not stop:\nSELECT pg_terminate_backend({pid});\n"
            f"ALTER ROLE \"{user}\" SET statement_timeout = '{int(ctx.option('min_seconds'))}s';",
            evidence={
                **dict(row),
                "threshold_seconds": ctx.option("min_seconds"),
                "source": "pg_stat_activity",
            },
        )


RULE = Rule(
    name="long-running-query",
    category=Category.OPS,
    target=Target.HEALTH,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.POSTGRES}),
    options={"min_seconds": 300},
)
