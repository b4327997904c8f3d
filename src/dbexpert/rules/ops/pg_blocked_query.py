"""
## What it does
Lists queries waiting for a lock for longer than `min_seconds` (default 5 seconds), with the
sessions blocking them (`pg_blocking_pids`) and what those sessions are running.

## Why is this bad?
A blocked query holds its connection while it waits, and lock queues chain: a migration waiting
for a long transaction blocks every later reader of the table. The blocker, not the waiter, is
what needs attention, often an idle transaction or a long report. PgHero's "blocked queries" and
pg-extras' `blocking` show the same pairs.

## Example
```json
{"engine": "postgres", "version": "15.4",
 "results": {"blocked": [{"blocked_pid": 7001, "blocked_user": "app", "blocked_application": "web",
   "blocked_seconds": 42.0, "blocked_query": "UPDATE accounts SET balance = 0 WHERE id = 1",
   "blocking_pid": 7000, "blocking_user": "app", "blocking_application": "batch",
   "blocking_state": "idle in transaction", "blocking_xact_seconds": 300.0,
   "blocking_query": "UPDATE accounts SET balance = 10 WHERE id = 1"}]}}
```

## Use instead
```json
{"engine": "postgres", "version": "15.4", "results": {"blocked": []}}
```

## Fix safety
Terminating the blocker rolls back its transaction. `lock_timeout` on the waiting side (for
migrations especially) makes it fail fast instead of queueing. Manual.

## References
- https://www.postgresql.org/docs/current/functions-info.html#FUNCTIONS-INFO-SESSION
- https://www.postgresql.org/docs/current/explicit-locking.html
- https://github.com/pawurb/ruby-pg-extras
"""

from collections.abc import Iterator

from dbexpert.model import Category, Engine, Finding, Location
from dbexpert.model.health import HealthSnapshot
from dbexpert.rules.context import RuleContext
from dbexpert.rules.ops._pg import number
from dbexpert.rules.registry import Rule, Target


def check(snapshot: HealthSnapshot, ctx: RuleContext) -> Iterator[Finding]:
    by_blocked: dict[object, list] = {}
    for row in snapshot.rows("blocked"):
        by_blocked.setdefault(row.get("blocked_pid"), []).append(row)
    for pid, rows in by_blocked.items():
        seconds = number(rows[0].get("blocked_seconds")) or 0.0
        if seconds < ctx.option("min_seconds"):
            continue
        blockers = [r.get("blocking_pid") for r in rows]
        first = rows[0]
        yield ctx.finding(
            f"Query of pid {pid} has waited {seconds:.0f} s for a lock held by pid "
            f"{', '.join(str(b) for b in blockers)} ({first.get('blocking_state')}: "
            f"{str(first.get('blocking_query') or '')[:80]!r}).",
            location=Location(object=f"pid {pid}"),
            fix="End or finish the blocking transaction; make migrations and batch jobs set a lock_timeout "
            "so they fail instead of queueing.",
            sql="\n".join(f"SELECT pg_terminate_backend({b});" for b in blockers)
            + "\n-- for the waiting side, e.g. a migration:\nSET lock_timeout = '5s';",
            evidence={
                "blocked": {k: v for k, v in first.items() if k.startswith("blocked")},
                "blockers": [{k: v for k, v in r.items() if k.startswith("blocking")} for r in rows],
                "threshold_seconds": ctx.option("min_seconds"),
                "source": "pg_stat_activity joined with pg_blocking_pids()",
            },
        )


RULE = Rule(
    name="blocked-query",
    category=Category.OPS,
    target=Target.HEALTH,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.POSTGRES}),
    options={"min_seconds": 5},
)
